# Forwards to ninja in the build directory chosen by ./configure.
BUILD_DIR ?= $(shell cat .builddir 2>/dev/null || echo build)

.PHONY: all check check-unit check-functional clean run
all: $(BUILD_DIR)/build.ninja
	ninja -C $(BUILD_DIR)

$(BUILD_DIR)/build.ninja:
	./configure --builddir=$(BUILD_DIR)

check-unit: all
	meson test -C $(BUILD_DIR) --suite unit --print-errorlogs

check-functional: all
	TANDEM_BUILD_DIR=$(abspath $(BUILD_DIR)) /usr/bin/python3 -m pytest -q tests/functional tests/colo

check: all
	./scripts/run-tests.sh --no-deps

clean:
	ninja -C $(BUILD_DIR) clean
