# common/: the layers every module shares (see common/README.md).
#   rad_err   error codes and messages (no printing in the library)
#   rad_file  all-or-nothing output files
#   rad_prov  the provenance block of every artifact
#   rad_proc  child processes from argv arrays, logs and their tails, repo root
#   rad_vl    the one Verilator harness build recipe (sim, SEU campaigns)
#   rad_cli   range-checked option values for every subcommand
# (rad_err.c, rad_file.c and rad_prov.c are listed in the top Makefile.)
LIB_SRCS += common/rad_proc.c common/rad_vl.c common/rad_cli.c
CHECK_TESTS += tests/check_common.c
SCRIPT_TESTS += tests/cli_numbers.sh
CHECK_TESTS += tests/check_prov.c
