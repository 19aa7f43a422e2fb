# seu/: radiation awareness — protected configuration register files (TMR,
# SECDED, selective TMR), SEU injection in the C model and in RTL
# (Verilator), per-bit sensitivity maps, multi-upset campaigns, `seu`.

# The RTL campaign harness (seu/rtl/) is compiled into the library as text
# and written next to each generated register file at run time.
SEU_SRC_C := $(BUILD)/gen/seu/seu_rtl_src.c

LIB_SRCS += seu/seu_bits.c seu/seu_common.c seu/seu_sens.c seu/seu_upset.c \
            seu/seu_select.c seu/seu_report.c \
            seu/seu_rtl.c seu/seu_full.c seu/seu_flops.c seu/seu_flops_json.c seu/seu_set.c seu/seu_set_net.c \
            seu/seu_set_rpt.c seu/seu_set_mod.c $(SEU_SRC_C)

SEU_RTL_SRCS := seu/rtl/seu_harness.c seu/rtl/seu_shim.cpp seu/rtl/seu_shim.h \
                seu/rtl/seu_fharness.c seu/rtl/seu_fshim.cpp seu/rtl/seu_fshim.h \
                seu/rtl/seu_sharness.c seu/rtl/seu_sshim.cpp seu/rtl/seu_sshim.h sim/vl_port.h \
                common/rad_hash.h
$(SEU_SRC_C): $(SEU_RTL_SRCS) model/embed.sh
	@mkdir -p $(dir $@)
	model/embed.sh $@ seu__src_harness=seu/rtl/seu_harness.c \
	    seu__src_shim_cpp=seu/rtl/seu_shim.cpp seu__src_shim_h=seu/rtl/seu_shim.h \
	    seu__src_fharness=seu/rtl/seu_fharness.c seu__src_fshim_cpp=seu/rtl/seu_fshim.cpp \
	    seu__src_fshim_h=seu/rtl/seu_fshim.h seu__src_sharness=seu/rtl/seu_sharness.c \
	    seu__src_sshim_cpp=seu/rtl/seu_sshim.cpp seu__src_sshim_h=seu/rtl/seu_sshim.h \
	    seu__src_vl_port_h=sim/vl_port.h seu__src_rad_hash_h=common/rad_hash.h
LIB_SRCS += seu/seu_shard.c seu/seu_rate.c
CLI_SRCS += seu/cmd_seu.c
CHECK_TESTS += tests/check_seu.c
SCRIPT_TESTS += tests/seu_rtl.sh tests/seu_flops.sh

# The exhaustive campaigns (minutes): tests/seu_full.sh.
REGRESS_CMDS += tests/seu_full.sh ;
.PHONY: seu-full
seu-full: deps-ok $(CLI)
	tests/seu_full.sh

# The every-flop campaigns on ECON-T (exhaustive full TMR, sampled none /
# weights-only TMR; single upsets and MBU): tests/seu_flops_econt.sh.
REGRESS_CMDS += tests/seu_flops_econt.sh ;
.PHONY: seu-flops
seu-flops: deps-ok $(CLI)
	tests/seu_flops_econt.sh

# Formal proofs (yosys-smtbmc + z3, seu/formal.sh) and `seu --rate` (seconds).
SCRIPT_TESTS += tests/seu_formal.sh
.PHONY: formal formal-econt
formal: deps-ok $(CLI)
	RAD4ML=$(CLI) seu/formal.sh --checks tmr,secded,controls --depth 6 --work $(BUILD)/formal
REGRESS_CMDS += $(MAKE) formal ;
# The real ECON-T TMR file: does NOT finish today (seu/README section 6).
formal-econt: deps-ok $(CLI)
	RAD4ML=$(CLI) seu/formal.sh --econt --checks tmr --depth 4 --work $(BUILD)/formal-econt

# Single-event transients in the flat gate netlist (seu/README section 8):
# the quick case in make test; the table of the README behind make seu-set.
SCRIPT_TESTS += tests/seu_set.sh
.PHONY: seu-set
seu-set: deps-ok $(CLI)
	$(CLI) seu --set --random-model 1 --protect none,tmr,secded --samples 2000 \
	    --set-controls 100 --crossings 20 --work $(BUILD)/seu-set \
	    --set-json $(BUILD)/seu-set/set.json
REGRESS_CMDS += $(MAKE) seu-set ;

# Transients module by module (seu --set --set-module, README section 8):
# the quick case (tiny model, the converter) in make test; the built-in
# ECON-T design, every module (or SET_MODULES=name), none and full TMR,
# behind make seu-set-modules (one Yosys + Verilator build per module and
# protection: hours on this machine for all).
SCRIPT_TESTS += tests/seu_set_module.sh
SET_MODULES ?= all
SET_SAMPLES ?= 500
.PHONY: seu-set-modules
seu-set-modules: deps-ok $(CLI)
	nice $(CLI) seu --set --set-module $(SET_MODULES) --protect none,full-tmr \
	    --samples $(SET_SAMPLES) --set-controls 50 --crossings 40 \
	    --work $(BUILD)/seu-set-modules --set-json $(BUILD)/seu-set-modules/set.json
