# vigil - top-level entry points. See README.md.
#   make          build (gcc, build/)
#   make test     install missing deps, build (gcc -Werror, and clang ASan+UBSan
#                 with fuzz harnesses), run every test; last line "N passed, N failed"
#   make demo     install, build, run vigil on the bundled capture, print a summary
#   make bench    benchmark (bench/README.md)
#   make fuzz     run every libFuzzer harness for FUZZ_SECONDS each
#   make eval     attribution accuracy, leave-one-campaign-out (eval/RESULTS.md)
BUILD      ?= build
SAN_BUILD  ?= build-san
FUZZ_SECONDS ?= 60
MESON_OPTS ?= --buildtype=debugoptimized -Dwerror=true

.PHONY: all build deps test test-fast demo bench fuzz clean san eval

all: build

deps:
	@./scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(SAN_BUILD)/build.ninja:
	CC=clang meson setup $(SAN_BUILD) --buildtype=debug -Dwerror=true -Dfuzz=true \
	    -Db_sanitize=address,undefined -Db_lundef=false \
	    -Dc_args='-fno-sanitize-recover=all -fno-omit-frame-pointer -DVG_DEBUG=1'

san: $(SAN_BUILD)/build.ninja
	ninja -C $(SAN_BUILD)

test: deps
	@$(MAKE) --no-print-directory build san
	@python3 scripts/run-tests $(BUILD) $(SAN_BUILD)

# Unit + regression tests on the gcc build only (quick local loop).
test-fast: build
	@python3 scripts/run-tests $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory build
	@./scripts/demo $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory build
	@./bench/run $(BUILD)

fuzz: deps
	@$(MAKE) --no-print-directory san
	@FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run-all $(SAN_BUILD)

# Leave-one-campaign-out attribution accuracy (eval/RESULTS.md explains it).
eval: build
	@./eval/run $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
