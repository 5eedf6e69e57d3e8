# inferscale — developer entry points. Each target installs what it needs when missing.
SWIFT ?= swift
# Debian packages, installed only when missing: what the build links (snappy), and what the
# tests also run (a real Prometheus for the remote-write integration tests; gcc builds the
# GPU tests' stand-in libnvidia-ml; a headless Chromium renders the reports' index.html, about
# 7 s to install with its 18 dependencies).
BUILD_PACKAGES ?= libsnappy-dev pkg-config
TEST_PACKAGES ?= $(BUILD_PACKAGES) prometheus gcc chromium-headless-shell

.PHONY: deps test-deps run test test-built bench fuzz fuzz-diff lint clean protos

deps:
	@./.ci/ensure-deps $(BUILD_PACKAGES)

test-deps:
	@./.ci/ensure-deps $(TEST_PACKAGES)

## The main job on the embedded default: a bundled 20-minute slice of the Azure LLM code trace
## replayed through KPA, HPA and the example rules; charts and JSON under .build/simulation-report.
run: deps
	$(SWIFT) build -c release --product inferscale
	./.build/release/inferscale simulate --rules rules --out .build/simulation-report

## Every test (unit, in-process and end-to-end on 127.0.0.1). Suites that need data the repository
## does not ship (the OpenMetrics conformance corpus, the full public traces: INFERSCALE_SHARED,
## default ../shared) are skipped when it is absent and listed as not run in the last lines.
test: test-deps
	$(SWIFT) build --build-tests
	@$(MAKE) --no-print-directory test-built

## The tests as last built, without a rebuild (CI runs them a second time with INFERSCALE_SHARED
## on an empty folder).
NOT_RUN := .build/tests-not-run.txt
## Suites that keep every core busy for many seconds (whole replays, the soak, headless Chromium) run after
## the rest, so that they do not stretch the deadlines and timeouts the other suites measure on a 2-core machine.
HEAVY_SUITES ?= SoakTests|ClairvoyantBoundTests|TuneTests|TuneCommandTests|IndexPageTests|OracleScheduleTests|SimulatorTests|CalibrationTests|PublicTraceTests|SimulateObjectiveTests
test-built:
	@rm -f $(NOT_RUN)
	@echo "$(SWIFT) test --skip-build --parallel --skip '$(HEAVY_SUITES)'"; status=0; \
	$(SWIFT) test --skip-build --parallel --skip '$(HEAVY_SUITES)' || status=$$?; \
	echo "$(SWIFT) test --skip-build --parallel --filter '$(HEAVY_SUITES)'"; \
	$(SWIFT) test --skip-build --parallel --filter '$(HEAVY_SUITES)' || status=$$?; \
	if [ -s $(NOT_RUN) ]; then \
		echo "NOT RUN: $$(sort -u $(NOT_RUN) | wc -l) suites were skipped (Swift Testing's count above includes them); their data is not in the repository (docs/architecture.md#test-data):"; \
		sort -u $(NOT_RUN) | sed 's/^/  /'; \
	else echo "not run: none (every suite ran)"; fi; \
	exit $$status

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

## The text parser's verdicts against Go's expfmt on the text fuzz corpus, the seeds and ../shared's scrape
## fixtures (not part of `make test`): Debian's golang-go and golang-github-prometheus-common-dev, built offline.
## Fails on a disagreement of a kind docs/fuzzing.md#differential-check does not document.
FUZZ_DIFF_PACKAGES ?= golang-go golang-github-prometheus-common-dev
FUZZ_DIFF_INPUTS ?= $(wildcard $(FUZZ_SCRATCH)/corpus/text) Tests/FuzzSeeds/text $(wildcard ../shared/fixtures/metrics)
fuzz-diff: deps
	@./.ci/ensure-deps $(FUZZ_DIFF_PACKAGES)
	$(SWIFT) build --product inferscale-fuzz
	./.ci/fuzz-diff ./.build/debug/inferscale-fuzz $(FUZZ_SCRATCH)/diff $(FUZZ_DIFF_INPUTS)

## Regenerate the committed Swift code for the .proto files: Sources/Exposition/Protos/stat.proto (messages) and
## Sources/KubeletPodResources/api.proto (messages and gRPC client/server stubs). Needs protoc (Debian's
## protobuf-compiler), protoc-gen-swift 1.39.0 and protoc-gen-grpc-swift-2 2.4.1 on PATH or named here; the plugins are
## built once by hand (`swift build --product protoc-gen-swift --product protoc-gen-grpc-swift-2` in a clone of
## grpc-swift-protobuf 2.4.1), never by CI, which compiles only the committed code.
PROTOC ?= protoc
PROTOC_GEN_SWIFT ?= $(shell command -v protoc-gen-swift)
PROTOC_GEN_GRPC_SWIFT ?= $(shell command -v protoc-gen-grpc-swift-2)
protos:
	$(PROTOC) --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --swift_opt=Visibility=Public \
		--swift_out=Sources/Exposition/Protos -ISources/Exposition/Protos Sources/Exposition/Protos/stat.proto
	$(PROTOC) --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --plugin=protoc-gen-grpc-swift=$(PROTOC_GEN_GRPC_SWIFT) \
		--swift_opt=Visibility=Public --swift_out=Sources/KubeletPodResources \
		--grpc-swift_opt=Visibility=Public,Client=true,Server=true --grpc-swift_out=Sources/KubeletPodResources \
		-ISources/KubeletPodResources Sources/KubeletPodResources/api.proto

clean:
	rm -rf .build
