/* Placeholder until the gen subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_gen(int argc, char **argv)
{
    return cmd_not_yet("gen", "code generator (issue 5)", argc, argv);
}
