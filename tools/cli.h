/*
** cli.h — what the subcommands share beyond common/rad_cli.h: the usage
** error (printed, exit 2) and the one model loader behind
** `--random-model S | --model FILE [--weights FILE] | built-in default`.
*/
#ifndef RAD4ML_CLI_H
#define RAD4ML_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include "common/rad_cli.h"
#include "model/model_io.h"

/* Prints "rad4ml CMD: <err.msg>" to stderr; returns 2 (the usage exit). */
int cli_usage_error(const char *cmd, const rad_err *err);

/* Where a command's model comes from (a zeroed struct = built-in default). */
typedef struct {
    const char *model;     /* --model FILE (NULL: built-in or random)                 */
    const char *weights;   /* --weights FILE (NULL: the model's own); with no --model  */
                           /* it replaces the built-in (or random) model's weights     */
    long random_seed;      /* --random-model S (>= 0), -1 none: sim_random_model       */
    bool shape_only;       /* with --model: the description only, every weight zero    */
    int  links;            /* built-in: the default shipped for these output links      */
                           /* (mdl_load_default_links); 0: the ECON-T default           */
} cli_model_src;

#define CLI_MODEL_SRC_INIT { NULL, NULL, -1, false, 0 }

/* Parses the --random-model value into src (exit-2 message on error). */
int cli_random_model_opt(const char *s, cli_model_src *src, rad_err *err);

/* Loads the model src names; *out NULL on error. */
int cli_model_load(const cli_model_src *src, mdl_model **out, rad_err *err);

/* What src names, for headers and logs: "random model, seed 7", the model
** path, or "built-in ECON-T default". */
const char *cli_model_name(const cli_model_src *src, char *buf, size_t size);

#endif
