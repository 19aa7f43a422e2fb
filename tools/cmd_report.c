/* Placeholder until the report subcommand exists; delete this file when it does. */
#include "tools/cmd.h"

int cmd_report(int argc, char **argv)
{
    return cmd_not_yet("report", "HTML report (issue 7)", argc, argv);
}
