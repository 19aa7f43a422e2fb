/* Placeholder until the convert subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_convert(int argc, char **argv)
{
    return cmd_not_yet("convert", "front-end decoding (issue 3)", argc, argv);
}
