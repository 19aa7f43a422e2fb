# report/: the self-contained HTML report (inline SVG) and `report`.
LIB_SRCS     += report/rpt_plot.c report/rpt_data.c report/rpt_sections.c report/rpt_page.c \
                report/rpt_fleet.c report/rpt_check.c report/rpt_seu_rad.c report/rpt_fpga.c
CLI_SRCS     += report/cmd_report.c
CHECK_TESTS  += $(wildcard tests/check_report*.c)
SCRIPT_TESTS += $(sort $(wildcard tests/report_*.sh))
