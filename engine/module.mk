# engine/: integer reference engine (generic oracle + compiled fast path),
# converter block, latent formatter, float decoder.
LIB_SRCS += engine/eng_generic.c engine/eng_fast.c engine/eng_float.c

# The fast path's inner loops: -O3 (vectorization, full unrolling).
$(BUILD)/obj/engine/eng_fast.o: CFLAGS += -O3

# Benchmark program (not part of the library).
ENG_BENCH := $(BUILD)/bin/bench_engine
$(ENG_BENCH): engine/bench_engine.c $(BUILD)/librad4ml.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)
bench: $(ENG_BENCH)
BENCH_CMDS += $(ENG_BENCH) ;

CHECK_TESTS  += tests/check_engine.c
# Long campaign: 20x the default counts (6,000 random models, 20 M ECON-T inputs).
regress: $(BUILD)/tests/check_engine
REGRESS_CMDS += ENG_CHECK_SCALE=20 $(BUILD)/tests/check_engine ;

# The engine on files: `rad4ml run` (inputs -> outputs, traces) and
# `rad4ml diff` (another implementation's outputs against the reference).
LIB_SRCS += engine/eng_vec.c
CLI_SRCS += engine/cmd_vec.c engine/cmd_run.c engine/cmd_diff.c
CHECK_TESTS  += tests/check_vec.c
SCRIPT_TESTS += tests/engine_run.sh   # (tests/codegen_testbench.sh: codegen/module.mk)
# Benchmark: rad4ml run throughput, file to file (rows/s).
BENCH_CMDS += engine/bench_run.sh ;
