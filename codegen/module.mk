# codegen/: Verilog RTL and HLS C generators (prefix cg_), the `gen`
# subcommand.  The HLS templates (hls_templates/*.tpl) are compiled in.
CG_TPL_C := $(BUILD)/gen/codegen/cg_templates.c

LIB_SRCS += codegen/cg_buf.c codegen/cg_plan.c codegen/cg_rtl.c codegen/cg_cfg.c \
            codegen/cg_cfg_tmr.c codegen/cg_cfg_secded.c codegen/cg_emit.c \
            codegen/cg_image.c codegen/cg_hls.c codegen/cg_hdr.c codegen/cg_tmr_all.c \
            codegen/cg_reuse.c codegen/cg_arith.c $(CG_TPL_C)
CLI_SRCS += codegen/cmd_gen.c
CHECK_TESTS += $(wildcard tests/check_codegen*.c)
SCRIPT_TESTS += $(sort $(wildcard tests/codegen_*.sh))

$(CG_TPL_C): hls_templates/hls.c.tpl hls_templates/hls.h.tpl model/embed.sh
	@mkdir -p $(dir $@)
	model/embed.sh $@ cg__tpl_hls_c=hls_templates/hls.c.tpl cg__tpl_hls_h=hls_templates/hls.h.tpl
# The self-checking testbench and its vector files (gen --testbench).
LIB_SRCS += codegen/cg_tb.c
