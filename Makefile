# Thin wrapper over CMake.  'make run' and 'make test' are the README's two
# commands: each installs what is missing, builds, and runs.
BUILD      ?= build
PREFIX     ?= /usr/local
TEST_BUILD ?= build-test
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)

.PHONY: all deps build run install deb test test-stress test-build fuzz bench format format-check clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/appsh

# Programs, manual pages and the systemd unit under PREFIX (DESTDIR is
# honoured); then, as root, scripts/install-login.sh sets up the group,
# the set-group-ID bits and the state directory.
install: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)
	cmake --install $(BUILD)

# The Debian package (../appsh_<version>_<arch>.deb), from a clean copy.
deb: deps
	scripts/build-deb.sh

# The test build runs everything under ASan+UBSan; the fuzz build (clang,
# libFuzzer) is built beside it so that the suite can run the fuzzer briefly.
test-build: deps
	cmake -S . -B $(TEST_BUILD) -DAPPSH_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DAPPSH_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_cli fuzz_reply fuzz_sniff fuzz_changes fuzz_hello fuzz_tftp

test: test-build
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

# The same suite while stress-ng loads the machine (scripts/test-stress.sh).
test-stress: test-build
	scripts/test-stress.sh $(TEST_BUILD) $(JOBS)

# A long campaign by hand: FUZZ_RUNS inputs per target (default 10
# million), new coverage merged into the corpora kept in fuzz/.
FUZZ_RUNS ?= 10000000
fuzz: test-build
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_RUNS=$(FUZZ_RUNS) JOBS=$(JOBS) scripts/fuzz-campaign.sh

bench: build
	bench/run-all.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD)
