# rad4ml — top-level build.
#
#   make            library + the rad4ml command-line tool (installs deps if missing)
#   make run        the main flow on the built-in ECON-T default (see README)
#   make test       every test (unit tests with Check + simulation regressions)
#   make bench      speed figures (fixed point, engine, training, simulation)
#   make regress    the long regressions (full vector counts)
#   make deps       install missing tools with apt-get
#   make san-test   unit tests again under -fsanitize=address,undefined
#   make clean
#
# Each module adds its files in its own module.mk (see README "Layout"):
#   LIB_SRCS     C sources of librad4ml.a
#   CLI_SRCS     C sources of the rad4ml tool (one cmd_*.c per subcommand)
#   CHECK_TESTS  tests/check_*.c, each a Check program linked with the library
#   SCRIPT_TESTS shell scripts run by the test runner (exit 0 = pass)
#   BENCH_CMDS   shell commands run by `make bench`, each ending in " ;"
#   REGRESS_CMDS shell commands run by `make regress`, each ending in " ;"

# Compile on every core unless -j was given (`make run` on a fresh clone:
# half the build time on 2 cores).  `make -j1` still builds serially.
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 1)
endif

SAN     ?= 0
BUILD   ?= build
ifeq ($(SAN),1)
BUILD   := build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

CC      ?= cc
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     = -Wall -Wextra -Werror
OPT     ?= -O2 -march=native -g
CFLAGS  += $(CSTD) $(WARN) $(OPT) $(SANFLAGS) -I. -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS  += -ljansson -lglpk -lmd -lz -lpthread -lm
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm)

LIB_SRCS     := common/rad_err.c common/rad_file.c common/rad_prov.c
CLI_SRCS     := tools/rad4ml.c
CHECK_TESTS  :=
SCRIPT_TESTS :=
BENCH_CMDS   :=
REGRESS_CMDS :=

include $(sort $(wildcard */module.mk))

LIB      = $(BUILD)/librad4ml.a
CLI      = $(BUILD)/bin/rad4ml
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS = $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_BINS = $(CHECK_TESTS:tests/%.c=$(BUILD)/tests/%)

# Source revision baked into every provenance block (common/rad_prov.h):
# `git describe` now, "unknown" outside git.  The header is rewritten only
# when the revision changes, so only rad_prov.o rebuilds.
RAD_REV   := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)
RAD_REV_H := $(BUILD)/gen/common/rad_revision.h
$(shell mkdir -p $(BUILD)/gen/common; \
        echo '#define RAD_REVISION "$(RAD_REV)"' | cmp -s - $(RAD_REV_H) \
        || echo '#define RAD_REVISION "$(RAD_REV)"' > $(RAD_REV_H))
$(BUILD)/obj/common/rad_prov.o: CFLAGS += -I$(BUILD)/gen/common

export RAD4ML = $(abspath $(CLI))
export RAD4ML_BUILD = $(abspath $(BUILD))

.PHONY: all deps deps-ok run test test-build bench regress san-test clean
.DEFAULT_GOAL := all

all: deps-ok $(CLI)

deps:
	tools/install-deps.sh

# Cheap check on every build; installs only what is missing.
deps-ok:
	@tools/install-deps.sh --check 2>/dev/null || tools/install-deps.sh

# Nothing compiles before the dependency check (else `make -j` races apt-get).
$(BUILD)/obj/%.o: %.c | deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(CLI): $(CLI_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(CHECK_LIBS) $(LDLIBS)

test-build: deps-ok $(CLI) $(TEST_BINS)

test: test-build
	tests/run_tests.sh $(TEST_BINS) $(SCRIPT_TESTS)

san-test:
	$(MAKE) SAN=1 test-build
	tests/run_tests.sh $(patsubst $(BUILD)/%,build-san/%,$(TEST_BINS))

bench: deps-ok $(CLI)
	set -e; $(BENCH_CMDS)

regress: deps-ok $(CLI)
	set -e; $(REGRESS_CMDS)

run: deps-ok $(CLI)
	$(CLI) flow --out out

clean:
	rm -rf build build-san out

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
