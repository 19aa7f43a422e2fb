# data/: trigger-cell geometry, HGCAL float codes, ePortRX / CSV data sets,
# and the `convert` subcommand.
LIB_SRCS     += data/geometry.c data/hgcfloat.c data/dataset.c
CLI_SRCS     += data/cmd_convert.c
CHECK_TESTS  += tests/check_data.c
SCRIPT_TESTS += tests/data_convert.sh
