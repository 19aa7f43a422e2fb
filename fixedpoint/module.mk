# fixedpoint/: ap_fixed / ac_fixed-exact fixed-point arithmetic (prefix fxp_).
# fxp.h is the API; fxp_fast.h an inline int64 requantizer for inner loops.
LIB_SRCS    += fixedpoint/fxp.c fixedpoint/fxp_fmt.c fixedpoint/fxp_print.c
CHECK_TESTS += $(wildcard tests/check_fxp*.c)

# ---- bit-exactness oracle against the real ap_fixed / ac_fixed headers ----
# The headers are fetched at test time by tests/fxp_oracle.sh (from the
# hls4ml wheel on PyPI) into $(BUILD)/oracle/{ap_types,ac_types}; these
# rules only compile.  Parts compile in parallel (make -j2 fxp-oracle).
FXP_OR      := $(BUILD)/oracle
FXP_OR_PART := 0 1 2 3 4 5
FXP_OR_CXX  := g++ -std=c++17 -O1 -DNDEBUG -Wall -Wextra -Werror -I. \
               -Wno-uninitialized -Wno-maybe-uninitialized  # vendor code paths
FXP_OR_DEPS := fixedpoint/oracle/oracle.h fixedpoint/fxp.h fixedpoint/module.mk

$(FXP_OR)/ap/part%.o: fixedpoint/oracle/oracle.cpp $(FXP_OR_DEPS) $(FXP_OR)/ap_types/ap_fixed.h
	@mkdir -p $(dir $@)
	$(FXP_OR_CXX) -isystem $(FXP_OR)/ap_types -DPART=$* -c $< -o $@
$(FXP_OR)/ac/part%.o: fixedpoint/oracle/oracle.cpp $(FXP_OR_DEPS) $(FXP_OR)/ac_types/ac_fixed.h
	@mkdir -p $(dir $@)
	$(FXP_OR_CXX) -isystem $(FXP_OR)/ac_types -DORACLE_AC -DPART=$* -c $< -o $@
$(FXP_OR)/ap/main.o: fixedpoint/oracle/oracle_main.cpp $(FXP_OR_DEPS)
	@mkdir -p $(dir $@)
	$(FXP_OR_CXX) -O2 -c $< -o $@
$(FXP_OR)/ac/main.o: fixedpoint/oracle/oracle_main.cpp $(FXP_OR_DEPS)
	@mkdir -p $(dir $@)
	$(FXP_OR_CXX) -O2 -DORACLE_AC -c $< -o $@
# linked with fixedpoint's own objects only, so that another module's
# half-edited file cannot break this test
FXP_OBJS    := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter fixedpoint/%,$(LIB_SRCS)))
$(FXP_OR)/fxp_oracle_%: $(FXP_OR)/%/main.o $(FXP_OR_PART:%=$(FXP_OR)/\%/part%.o) $(FXP_OBJS)
	g++ -o $@ $^ -lm

.PHONY: fxp-oracle
fxp-oracle: $(FXP_OR)/fxp_oracle_ap $(FXP_OR)/fxp_oracle_ac
# keep the compiled parts (make would delete them as intermediates)
.PRECIOUS: $(FXP_OR)/ap/part%.o $(FXP_OR)/ac/part%.o $(FXP_OR)/ap/main.o $(FXP_OR)/ac/main.o

# ---- bench (make bench) and regressions ----
FXP_BENCH := $(BUILD)/bench/fxp_bench
$(FXP_BENCH): fixedpoint/bench/fxp_bench.c $(FXP_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ -lm
bench: $(FXP_BENCH)
BENCH_CMDS   += $(FXP_BENCH) ;
SCRIPT_TESTS += tests/fxp_oracle.sh
REGRESS_CMDS += tests/fxp_oracle.sh 10000000 ;
