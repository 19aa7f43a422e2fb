# sim/: simulation harnesses (prefix sim_) and the `sim` subcommand.
# sim_stim.c / sim_harness.c are library code shared by the harness
# programs that `rad4ml sim` compiles at run time (vl_main.c + vl_shim.cpp
# for Verilator, hls_main.c for the HLS C, tb_icarus.v for Icarus).
LIB_SRCS += sim/sim_stim.c sim/sim_harness.c sim/sim_rmodel.c
CLI_SRCS += sim/cmd_sim.c
SCRIPT_TESTS += $(sort $(filter-out %_regress.sh,$(wildcard tests/sim_*.sh)))

# Long regressions (make regress): full vector counts on ECON-T in both
# weight modes and two pipeline depths, 20 random models, and the reuse
# factors (tests/sim_reuse_regress.sh).
SIM_CLI := $(BUILD)/bin/rad4ml
REGRESS_CMDS += nice $(SIM_CLI) sim --vectors 1000500 --icarus-vectors 10500 --workdir $(BUILD)/sim/test_econt ;
REGRESS_CMDS += nice $(SIM_CLI) sim --weights-mode const --pipeline 0 --vectors 1000500 --icarus-vectors 10500 --workdir $(BUILD)/sim/regress_econt_const ;
REGRESS_CMDS += nice $(SIM_CLI) sim --pipeline 4 --vectors 200000 --icarus-vectors 2000 --workdir $(BUILD)/sim/regress_econt_p4 ;
REGRESS_CMDS += tests/sim_random_regress.sh ;
# protected register files: SECDED in Verilator with readback (tests/sim_protect.sh
# runs TMR in Verilator, SECDED in HLS C + Icarus)
REGRESS_CMDS += tests/sim_protect_regress.sh ;
# gen --reuse R, R in {1, 2, 4, 8}: ECON-T and random models 1..8
REGRESS_CMDS += tests/sim_reuse_regress.sh ;
# gen --arith csa and booth on ECON-T (HLS C + Icarus; tests/sim_arith.sh
# covers random models in make test)
REGRESS_CMDS += tests/sim_arith_regress.sh ;
.PHONY: sim-arith-regress
sim-arith-regress: $(SIM_CLI)
	tests/sim_arith_regress.sh

# Benchmark: generation time and Verilator throughput (crossings/s).
BENCH_CMDS += nice $(SIM_CLI) sim --only verilator --vectors 300000 --workdir $(BUILD)/sim/test_econt ;
