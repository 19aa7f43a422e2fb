/*
** mdl_default.c — the built-in ECON-T model.
**
** model/econt.json and model/econt.weights are compiled into the library
** (model/embed.sh writes them as byte arrays at build time), so that
** `rad4ml` runs with no file at hand.  When no econt.weights was shipped
** the weights are a deterministic pseudo-random placeholder
** (mdl_init_random with MDL_PLACEHOLDER_SEED) — marked in the name.
*/
#include <stdio.h>
#include <string.h>

#include "model/model_io.h"

#define MDL_PLACEHOLDER_SEED 20210504u

extern const unsigned char mdl__default_json_data[];
extern const unsigned char mdl__default_weights_data[];

const char *mdl_default_json(void)
{
    return (const char *)mdl__default_json_data;
}

const char *mdl_default_weights(void)
{
    return (const char *)mdl__default_weights_data;
}

int mdl_load_default(mdl_model **out, rad_err *err)
{
    const char *w = mdl_default_weights();
    int rc = mdl_parse(mdl_default_json(), "(built-in) model/econt.json", *w ? w : NULL,
                       "(built-in) model/econt.weights", out, err);
    if (!rc) {
        snprintf((*out)->src_model.name, sizeof (*out)->src_model.name, "built-in");
        snprintf((*out)->src_weights.name, sizeof (*out)->src_weights.name, "built-in");
    }
    if (rc || *w)
        return rc;
    mdl_init_random(*out, MDL_PLACEHOLDER_SEED);
    size_t n = strlen((*out)->name);
    if (n + 12 < sizeof (*out)->name)
        strcpy((*out)->name + n, "-placeholder");
    return mdl_validate(*out, err);
}
