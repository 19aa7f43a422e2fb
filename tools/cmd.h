/*
** cmd.h — subcommands of the rad4ml tool.
**
** Each subcommand is `int cmd_NAME(int argc, char **argv)` with argv[0] the
** subcommand's name; it returns the process exit status (0 ok, 1 failure,
** 2 usage error).  Every subcommand answers --help.
*/
#ifndef RAD4ML_CMD_H
#define RAD4ML_CMD_H

int cmd_info(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_seu(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_flow(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_fleet(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_submit(int argc, char **argv);

#endif
