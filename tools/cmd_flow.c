/* Placeholder until the flow subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_flow(int argc, char **argv)
{
    return cmd_not_yet("flow", "main flow", argc, argv);
}
