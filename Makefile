# Loom: the two commands a new user runs are `make demo` and `make test`.
# Each installs what is missing (scripts/install-deps.sh), configures once,
# builds incrementally (ninja + ccache) and runs. A second run does no
# needless work.
#
#   make demo    train examples/gpt.loom on Debian's fortune cookies for a few
#                minutes (DEMO_STEPS steps) and print text it generates
#   make test    the whole suite: release build, then the sanitizer (ASan+UBSan) build
#   make build   just build (PRESET=release|debug|asan)
#   make check   the suite of one preset only (PRESET=...)
#   make bench   Loom against PyTorch eager, torch.compile and JAX on the
#                examples (bench/README.md); makes bench/.venv on first use
#   make bench-env  just that virtual environment (pinned peers from PyPI)

PRESET ?= release
BUILD_DIR = build/$(PRESET)
# CI builds with warnings as errors.
WERROR = $(if $(CI),ON,OFF)

.PHONY: all deps build check test demo bench bench-env clean

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

# The demo: the byte-level GPT of examples/gpt.loom on the text of the
# `fortunes` package (2.58 MB), DEMO_STEPS steps of the recipe (its schedule
# compiled for that length), then a sample of what it learned; a second
# `make demo` replaces the first one's run (--overwrite).
DEMO_STEPS ?= 150
LOOM = $(BUILD_DIR)/tools/loom/loom

data/fortunes.bin: | build
	@mkdir -p data
	$(LOOM) prep tokens /usr/share/games/fortunes -o $@

demo: build data/fortunes.bin
	$(LOOM) train examples/gpt.loom --steps $(DEMO_STEPS) --eval-batches 10 --out runs/demo --overwrite
	@echo
	$(LOOM) generate runs/demo/checkpoints --prompt "A fortune: " --tokens 400 --temperature 0.8 --seed 1

# The benchmark table of bench/README.md: Loom and each peer in its own
# process (bench/run.py). The peers come from PyPI, pinned in
# bench/requirements.txt, into bench/.venv (a few GB, made once; needs
# network access to PyPI then). BENCH_STEPS timed steps per workload;
# BENCH_ARGS passes more (e.g. BENCH_ARGS="--peers loom,jax mlp gpt").
BENCH_STEPS ?= 10
BENCH_ARGS ?=

bench-env:
	@bench/make_env.sh

bench: build bench-env
	python3 bench/run.py --loom $(LOOM) --steps $(BENCH_STEPS) $(BENCH_ARGS)

clean:
	rm -rf build
