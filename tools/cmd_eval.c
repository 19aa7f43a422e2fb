/* Placeholder until the eval subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_eval(int argc, char **argv)
{
    return cmd_not_yet("eval", "EMD evaluation (issue 3)", argc, argv);
}
