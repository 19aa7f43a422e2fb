/* Placeholder until the train subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_train(int argc, char **argv)
{
    return cmd_not_yet("train", "trainer (issue 4)", argc, argv);
}
