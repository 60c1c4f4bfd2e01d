# Loom: the two commands a new user runs are `make demo` and `make test`.
# Each installs what is missing (scripts/install-deps.sh), configures once,
# builds incrementally (ninja + ccache) and runs. A second run does no
# needless work.
#
#   make demo    compile examples/demo.mlir through loom-opt (canonicalize + CSE)
#   make test    the whole suite: release build, then the sanitizer (ASan+UBSan) build
#   make build   just build (PRESET=release|debug|asan)
#   make check   the suite of one preset only (PRESET=...)

PRESET ?= release
BUILD_DIR = build/$(PRESET)
# CI builds with warnings as errors.
WERROR = $(if $(CI),ON,OFF)

.PHONY: all deps build check test demo clean

all: build

deps:
	@scripts/install-deps.sh

# Configure on first use (or when the preset's cache is missing).
$(BUILD_DIR)/build.ninja: | deps
	cmake --preset $(PRESET) -DLOOM_WERROR=$(WERROR)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR)

check: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure

test: deps
	$(MAKE) --no-print-directory check PRESET=asan
	$(MAKE) --no-print-directory check PRESET=release

demo: build
	$(BUILD_DIR)/tools/loom-opt/loom-opt examples/demo.mlir --canonicalize --cse

clean:
	rm -rf build
