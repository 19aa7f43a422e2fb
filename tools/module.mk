# tools/: the rad4ml command-line front end (dispatcher, `flow`) and the
# dependency installer.  Each other subcommand lives in its module (cmd_*.c).
# cli.c: what the subcommands share (usage errors, the one model loader).
CLI_SRCS += $(wildcard tools/cmd_*.c) tools/cli.c
SCRIPT_TESTS += tests/flow_cli.sh tests/clean_clone.sh
SCRIPT_TESTS += tests/bad_inputs.sh

# Function lengths and contracts (tools/fnlen.py): the functions over 40
# lines without a comment above them, then every function over 120 lines.
.PHONY: fnlen
fnlen:
	@tools/fnlen.py --over 40 --no-comment --exclude tests/ --exclude rtl_out/
	@tools/fnlen.py --over 120
