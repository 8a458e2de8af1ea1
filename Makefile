# ticketctl: the two commands README.md opens with are `make demo` and `make check`.
SWIFT ?= swift

.PHONY: deps build demo check test bench clean

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

test: check

bench:
	scripts/install-deps.sh bench
	bench/run.sh

clean:
	rm -rf .build
