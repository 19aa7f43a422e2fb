/* Placeholder until the info subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_info(int argc, char **argv)
{
    return cmd_not_yet("info", "model loader (issue 3)", argc, argv);
}
