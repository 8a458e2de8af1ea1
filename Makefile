# ticketctl: the two commands README.md opens with are `make demo` and `make check`.
SWIFT ?= swift

.PHONY: deps build demo check test fuzz bench clean install install-files generated

deps:
	scripts/install-deps.sh build

# The Swift runtime linked in statically: each run of ticketctl starts about
# 2 ms sooner (bench/run.sh measures it; README.md, Performance).
build: deps
	$(SWIFT) build -c release --static-swift-stdlib --product ticketctl

demo: build
	scripts/demo.sh

# Swift Testing is disabled because the suite is XCTest; otherwise its empty
# "0 tests" summary would be the last line of the run.
check:
	scripts/install-deps.sh test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing
	$(MAKE) fuzz

# Each libFuzzer target in Fuzz/ for FUZZ_SECONDS (40 by default) from the
# committed seeds; fails on any crash.
fuzz:
	scripts/install-deps.sh build
	scripts/fuzz.sh

test: check

bench:
	scripts/install-deps.sh bench
	bench/run.sh

clean:
	rm -rf .build

# Install the release binary, the man page and the three completion scripts.
#   make install PREFIX=/usr/local           (the default)
#   make install DESTDIR=/tmp/stage PREFIX=/usr
# install-files copies without building, from BINARY.
PREFIX ?= /usr/local
BINARY ?= .build/release/ticketctl
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASH_COMPLETIONS ?= $(PREFIX)/share/bash-completion/completions
# Debian's zsh searches site-functions under /usr/local and vendor-completions under /usr.
ZSH_COMPLETIONS ?= $(if $(filter /usr,$(PREFIX)),/usr/share/zsh/vendor-completions,$(PREFIX)/share/zsh/site-functions)
FISH_COMPLETIONS ?= $(PREFIX)/share/fish/vendor_completions.d

install: build
	$(MAKE) install-files

install-files:
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(BASH_COMPLETIONS)" \
		"$(DESTDIR)$(ZSH_COMPLETIONS)" "$(DESTDIR)$(FISH_COMPLETIONS)"
	install -m 0755 "$(BINARY)" "$(DESTDIR)$(BINDIR)/ticketctl"
	install -m 0644 man/ticketctl.1 "$(DESTDIR)$(MANDIR)/man1/ticketctl.1"
	install -m 0644 completions/ticketctl.bash "$(DESTDIR)$(BASH_COMPLETIONS)/ticketctl"
	install -m 0644 completions/_ticketctl "$(DESTDIR)$(ZSH_COMPLETIONS)/_ticketctl"
	install -m 0644 completions/ticketctl.fish "$(DESTDIR)$(FISH_COMPLETIONS)/ticketctl.fish"

# Regenerate the man page and completion scripts from the command table after
# changing a command or option; the tests fail until this has been run.
generated:
	$(SWIFT) build --product ticketctl
	.build/debug/ticketctl manpage > man/ticketctl.1
	.build/debug/ticketctl completions bash > completions/ticketctl.bash
	.build/debug/ticketctl completions zsh > completions/_ticketctl
	.build/debug/ticketctl completions fish > completions/ticketctl.fish
