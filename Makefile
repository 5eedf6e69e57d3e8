# inferscale — developer entry points. Each target installs what it needs when missing.
SWIFT ?= swift
# Debian packages the build and the tests need (C libraries, a real Prometheus for the
# remote-write integration tests; gcc builds the GPU tests' stand-in libnvidia-ml). Installed only when missing.
APT_PACKAGES ?= gcc

.PHONY: deps run test bench lint clean

deps:
	@./.ci/ensure-deps $(APT_PACKAGES)

## The main job on the embedded default: `inferscale decide` on the bundled example trace.
run: deps
	$(SWIFT) build -c release --product inferscale
	./.build/release/inferscale decide

## Every test (unit, in-process and end-to-end on 127.0.0.1).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel

## Release-build benchmarks; they print their figures and ratios to an in-run baseline.
bench: deps
	$(SWIFT) run -c release inferscale-bench

clean:
	rm -rf .build
