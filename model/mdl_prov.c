/*
** mdl_prov.c — a model's provenance: where its description and weights came
** from (model.h src_model / src_weights), and the provenance block of a
** result computed with it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_io.h"

void mdl_prov_weights_mem(mdl_model *m, const char *name)
{
    char *t = mdl_weights_text(m);
    rad_prov_src_mem(&m->src_weights, name, t ? t : "", t ? strlen(t) : 0);
    free(t);
}

void mdl_prov_model_mem(mdl_model *m, const char *name)
{
    char *t = mdl_json_text(m);
    rad_prov_src_mem(&m->src_model, name, t ? t : "", t ? strlen(t) : 0);
    free(t);
}

int mdl_prov_load(rad_prov *p, const char *model, const char *weights, rad_err *err)
{
    return mdl_prov_load_links(p, model, weights, 0, err);
}

int mdl_prov_load_links(rad_prov *p, const char *model, const char *weights, int links,
                        rad_err *err)
{
    mdl_model *m = NULL;
    int rc = model ? mdl_load(model, weights, &m, err)
                   : mdl_load_default_links(links, &m, err);
    if (!rc && !model && weights)
        rc = mdl_load_weights(m, weights, err);
    if (!rc)
        mdl_prov_set(p, m);
    mdl_free(m);
    return rc;
}

void mdl_prov_set(rad_prov *p, const mdl_model *m)
{
    p->model = m->src_model;
    p->weights = m->src_weights;
    p->links = m->out.n_links;
}
