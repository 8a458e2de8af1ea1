# ticketctl: the two commands README.md opens with are `make demo` and `make check`.
SWIFT ?= swift

.PHONY: deps build demo check test fuzz bench clean

deps:
	scripts/install-deps.sh build

build: deps
	$(SWIFT) build -c release --product ticketctl

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
