/* Placeholder until the synth subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_synth(int argc, char **argv)
{
    return cmd_not_yet("synth", "synthesis figures (issue 7)", argc, argv);
}
