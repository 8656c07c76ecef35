# Thin wrapper over CMake.  'make run' and 'make test' are the README's two
# commands: each installs what is missing, builds, and runs.
BUILD      ?= build
TEST_BUILD ?= build-test
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)

.PHONY: all deps build run test test-build fuzz bench format format-check clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/appsh

# The test build runs everything under ASan+UBSan; the fuzz build (clang,
# libFuzzer) is built beside it so that the suite can run the fuzzer briefly.
test-build: deps
	cmake -S . -B $(TEST_BUILD) -DAPPSH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DAPPSH_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_cli fuzz_reply fuzz_sniff fuzz_changes fuzz_hello

test: test-build
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

fuzz: test-build
	$(FUZZ_BUILD)/fuzz/fuzz_cli -max_total_time=600 fuzz/corpus
	$(FUZZ_BUILD)/fuzz/fuzz_reply -max_total_time=600 -max_len=16384 fuzz/corpus-reply
	$(FUZZ_BUILD)/fuzz/fuzz_sniff -max_total_time=600 -max_len=9100 fuzz/corpus-sniff
	$(FUZZ_BUILD)/fuzz/fuzz_changes -max_total_time=600 fuzz/corpus-changes
	$(FUZZ_BUILD)/fuzz/fuzz_hello -max_total_time=600 -max_len=4096 fuzz/corpus-hello

bench: build
	bench/run-all.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD)
