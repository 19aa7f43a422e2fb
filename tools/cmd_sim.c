/* Placeholder until the sim subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_sim(int argc, char **argv)
{
    return cmd_not_yet("sim", "simulation harnesses (issue 5)", argc, argv);
}
