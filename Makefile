# inferscale — developer entry points. Each target installs what it needs when missing.
SWIFT ?= swift
# Debian packages, installed only when missing: what the build links (snappy), and what the
# tests also run (a real Prometheus for the remote-write integration tests; gcc builds the
# GPU tests' stand-in libnvidia-ml).
BUILD_PACKAGES ?= libsnappy-dev pkg-config
TEST_PACKAGES ?= $(BUILD_PACKAGES) prometheus gcc

.PHONY: deps test-deps run test bench fuzz lint clean protos

deps:
	@./.ci/ensure-deps $(BUILD_PACKAGES)

test-deps:
	@./.ci/ensure-deps $(TEST_PACKAGES)

## The main job on the embedded default: a bundled 20-minute slice of the Azure LLM code trace
## replayed through KPA, HPA and the example rules; charts and JSON under .build/simulation-report.
run: deps
	$(SWIFT) build -c release --product inferscale
	./.build/release/inferscale simulate --rules rules --out .build/simulation-report

## Every test (unit, in-process and end-to-end on 127.0.0.1).
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel

## Release-build benchmarks; they print their figures and ratios to an in-run baseline.
bench: test-deps
	$(SWIFT) run -c release inferscale-bench

## libFuzzer on every parser of untrusted bytes, FUZZ_SECONDS each (not part of `make test`).
## A separate release build with coverage instrumentation under $(FUZZ_SCRATCH); corpora and crash
## inputs under $(FUZZ_SCRATCH)/corpus and $(FUZZ_SCRATCH)/artifacts (docs/fuzzing.md).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= text openmetrics stat rules watch push remote-write
FUZZ_SCRATCH ?= .build-fuzz
## Also stop each target after FUZZ_RUNS inputs (empty: time only).
FUZZ_RUNS ?=
fuzz: deps
	$(SWIFT) build -c release --sanitize=fuzzer -Xswiftc -DINFERSCALE_FUZZ --scratch-path $(FUZZ_SCRATCH) --product inferscale-fuzz
	FUZZ_RUNS=$(FUZZ_RUNS) ./.ci/fuzz $(FUZZ_SCRATCH)/release/inferscale-fuzz $(FUZZ_SECONDS) $(FUZZ_SCRATCH)/corpus $(FUZZ_TARGETS)

## Regenerate the committed Swift code for Sources/Exposition/Protos/*.proto (needs protoc and protoc-gen-swift 1.39.0).
PROTOC ?= protoc
PROTOC_GEN_SWIFT ?= $(shell command -v protoc-gen-swift)
protos:
	$(PROTOC) --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --swift_opt=Visibility=Public \
		--swift_out=Sources/Exposition/Protos -ISources/Exposition/Protos Sources/Exposition/Protos/stat.proto

clean:
	rm -rf .build
