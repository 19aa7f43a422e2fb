# tools/: the rad4ml command-line front end.  Subcommands that live here are
# placeholders (tools/cmd_*.c); a module that implements one deletes the
# placeholder and adds its own cmd_*.c to CLI_SRCS in its module.mk.
CLI_SRCS += $(wildcard tools/cmd_*.c)
SCRIPT_TESTS += tests/flow_cli.sh
