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
/* The shipped per-link-count defaults (train/trained/defaults.txt, written
** by model/embed_links.sh), empty texts where none is listed. */
extern const unsigned char *const mdl__links2_json, *const mdl__links2_weights;
extern const unsigned char *const mdl__links3_json, *const mdl__links3_weights;
extern const unsigned char *const mdl__links4_json, *const mdl__links4_weights;
extern const unsigned char *const mdl__links5_json, *const mdl__links5_weights;

static const unsigned char *links_text(int links, bool weights)
{
    switch (links) {
    case 2: return weights ? mdl__links2_weights : mdl__links2_json;
    case 3: return weights ? mdl__links3_weights : mdl__links3_json;
    case 4: return weights ? mdl__links4_weights : mdl__links4_json;
    default: return weights ? mdl__links5_weights : mdl__links5_json;
    }
}

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

const char *mdl_default_links_json(int links)
{
    if (links < 2 || links > 5)
        return NULL;
    const char *j = (const char *)links_text(links, false);
    return *j && *links_text(links, true) ? j : NULL;
}

int mdl_load_default_links(int links, mdl_model **out, rad_err *err)
{
    *out = NULL;
    const char *j = mdl_default_links_json(links);
    if (!j) {
        int rc = mdl_load_default(out, err);
        if (!rc && links > 0 && (rc = mdl_set_links(*out, links, err))) {
            mdl_free(*out);
            *out = NULL;
        }
        return rc;
    }
    char jn[64], wn[64];
    snprintf(jn, sizeof jn, "(built-in) %d-link default model", links);
    snprintf(wn, sizeof wn, "(built-in) %d-link default weights", links);
    int rc = mdl_parse(j, jn, (const char *)links_text(links, true), wn, out, err);
    if (!rc)            /* e.g. a model trained at 5 links, shipped for 4 */
        rc = mdl_set_links(*out, links, err);
    if (rc) {
        mdl_free(*out);
        *out = NULL;
        return rc;
    }
    /* "built-in ..." like the ECON-T default's "built-in": a result's
    ** provenance names it so (report reloads it by its link count) */
    snprintf((*out)->src_model.name, sizeof (*out)->src_model.name,
             "built-in %d-link default", links);
    snprintf((*out)->src_weights.name, sizeof (*out)->src_weights.name,
             "built-in %d-link default", links);
    return RAD_OK;
}
