/*
** cli.c — usage errors and the model loader shared by the subcommands.
*/
#include "tools/cli.h"

#include <limits.h>
#include <stdio.h>

#include "sim/sim.h"

int cli_usage_error(const char *cmd, const rad_err *err)
{
    fprintf(stderr, "rad4ml %s: %s\n", cmd, err->msg);
    return 2;
}

int cli_random_model_opt(const char *s, cli_model_src *src, rad_err *err)
{
    return rad_cli_long("--random-model", s, 0, LONG_MAX, &src->random_seed, err);
}

int cli_model_load(const cli_model_src *src, mdl_model **out, rad_err *err)
{
    int rc;
    *out = NULL;
    if (src->random_seed >= 0)
        rc = sim_random_model((uint64_t)src->random_seed, out, err);
    else if (src->model)
        rc = src->shape_only ? mdl_load_json(src->model, out, err)
                             : mdl_load(src->model, src->weights, out, err);
    else if (src->links > 0)
        rc = mdl_load_default_links(src->links, out, err);
    else
        rc = mdl_load_default(out, err);
    if (!rc && src->weights && !src->model)
        rc = mdl_load_weights(*out, src->weights, err);
    if (rc) {
        mdl_free(*out);
        *out = NULL;
    }
    return rc;
}

const char *cli_model_name(const cli_model_src *src, char *buf, size_t size)
{
    if (src->random_seed >= 0)
        snprintf(buf, size, "random model, seed %ld", src->random_seed);
    else
        snprintf(buf, size, "%s", src->model ? src->model : "built-in ECON-T default");
    return buf;
}
