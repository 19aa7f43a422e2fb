/* Placeholder until the seu subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_seu(int argc, char **argv)
{
    return cmd_not_yet("seu", "SEU campaigns (issue 6)", argc, argv);
}
