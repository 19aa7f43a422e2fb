# algo/: conventional ECON-T algorithms (threshold, best choice, STC), exact
# EMD, and the `eval` subcommand.
LIB_SRCS     += algo/emd.c algo/baseline.c
CLI_SRCS     += algo/cmd_eval.c
CHECK_TESTS  += tests/check_algo_emd.c
CHECK_TESTS  += tests/check_algo_baseline.c
SCRIPT_TESTS += tests/algo_eval.sh

# Speed figures (make bench): decode rows/s, EMD/s (simplex vs GLPK).
ALGO_BENCH := $(BUILD)/algo/bench
$(ALGO_BENCH): algo/bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)
bench: $(ALGO_BENCH)
BENCH_CMDS   += $(ALGO_BENCH) ;
regress: $(ALGO_BENCH)
REGRESS_CMDS += $(ALGO_BENCH) regress ;
