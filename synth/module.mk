# synth/: Yosys synthesis figures (cells, transistors, NAND2-eq, area, logic
# depth), switching-activity power estimate, and the `synth` subcommand.
#   make synth-hier   the full default design, per module, cached (figures)
#   make synth-full   flat synthesis of the full default design (slow)
LIB_SRCS     += synth/syn_netlist.c synth/syn_power.c synth/syn_flow.c synth/syn_gen.c \
                synth/syn_liberty.c
CLI_SRCS     += synth/cmd_synth.c
CHECK_TESTS  += $(wildcard tests/check_synth*.c)
SCRIPT_TESTS += $(filter-out %_regress.sh %_bench.sh,$(sort $(wildcard tests/synth_*.sh)))
# small48: the per-module cache and TMR cfg on an ECON-T-shaped model (minutes)
REGRESS_CMDS += tests/synth_small48_regress.sh ;
# the synthesis step of `make run`, cold (own empty cache): wall and CPU time (minutes)
BENCH_CMDS   += tests/synth_bench.sh ;

.PHONY: synth-full synth-hier
# The full default design, hierarchical (minutes): every protection, pipeline 1.
synth-hier: all
	nice $(CLI) synth --pipeline 1 --power --modules --liberty osu018 --json out/synth.json
# The same, flattened before synthesis (tens of minutes): the cross-check.
synth-full: all
	nice $(CLI) synth --flat --protect none --pipeline 1 --modules \
	    --work $(BUILD)/synth-flat --json out/synth_flat.json
