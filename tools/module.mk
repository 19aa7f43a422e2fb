# tools/: the rad4ml command-line front end (dispatcher, `flow`) and the
# dependency installer.  Each other subcommand lives in its module (cmd_*.c).
CLI_SRCS += $(wildcard tools/cmd_*.c)
SCRIPT_TESTS += tests/flow_cli.sh tests/clean_clone.sh
