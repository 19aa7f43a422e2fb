/*
** rpt_check.c — the report's inputs, checked before anything is drawn.
**
** The page is about ONE model, ONE weight set, ONE link count and ONE data
** file.  Each input JSON (--eval, --seu, --synth) must be a rad4ml result
** of its kind with a provenance block (common/rad_prov.h); the page takes
** model, weights, links and data from --model / --weights / --links /
** --data when given, else from the inputs (eval first), and refuses any
** input that was computed from something else, naming both files.
** A default input path that does not exist is "not available"; a path given
** on the command line must exist and be valid.
*/
#include "report/rpt_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/rad_file.h"

/* Loads one input; *j NULL and RAD_OK when it is a missing default. */
static int load_input(rpt_input *in, rad_err *err)
{
    in->j = NULL;
    in->why[0] = '\0';
    if (!in->path)
        return RAD_OK;
    if (!in->given && access(in->path, F_OK) != 0) {
        snprintf(in->why, sizeof in->why, "no such file");
        return RAD_OK;
    }
    int rc = rad_check_not_dir(in->path, err);
    if (rc)
        return rc;
    json_error_t je;
    in->j = json_load_file(in->path, 0, &je);
    if (!in->j) {
        char at[32] = "";
        if (je.line > 0)
            snprintf(at, sizeof at, " at line %d", je.line);
        return rad_errf(err, RAD_EPARSE, "%s (%s): not a readable JSON file: %s%s", in->path,
                        in->opt, je.text, at);
    }
    if ((rc = rad_prov_from_json(in->j, in->path, &in->p, err)))
        return rc;
    if (strcmp(in->p.kind, in->kind))
        return rad_errf(err, RAD_ESCHEMA, "%s (%s): is what rad4ml %s wrote (kind '%s'); %s "
                        "takes the JSON of rad4ml %s", in->path, in->opt, in->p.command,
                        in->p.kind, in->opt, in->kind);
    return RAD_OK;
}

/* Refuses an input whose model, weights, links or data differ from the page's. */
static int same_source(const rpt_check *c, const rpt_input *in, rad_err *err)
{
    const rad_prov *p = &in->p, *g = &c->page;
    if (p->model.sha256[0] && !rad_prov_same_model(p, g))
        return rad_errf(err, RAD_EMISMATCH, "%s (%s): computed with model %s / weights %s "
                        "(sha256 %.12s / %.12s), the page is for model %s / weights %s "
                        "(sha256 %.12s / %.12s, from %s): refusing to mix results",
                        in->path, in->opt, p->model.name, p->weights.name, p->model.sha256,
                        p->weights.sha256, g->model.name, g->weights.name, g->model.sha256,
                        g->weights.sha256, c->model_from);
    if (p->links && g->links && p->links != g->links)
        return rad_errf(err, RAD_EMISMATCH, "%s (%s): computed at %d output links, the page "
                        "is at %d (from %s): refusing to mix results", in->path, in->opt,
                        p->links, g->links, c->links_from);
    if (p->data.sha256[0] && g->data.sha256[0] && !strcmp(in->kind, "eval")
        && strcmp(p->data.sha256, g->data.sha256))
        return rad_errf(err, RAD_EMISMATCH, "%s (%s): computed on data %s (sha256 %.12s), the "
                        "page recomputes on %s (sha256 %.12s): refusing to mix results",
                        in->path, in->opt, p->data.name, p->data.sha256, g->data.name,
                        g->data.sha256);
    return RAD_OK;
}

/* A source named in a provenance block, to be loaded again: a path (its
** hash must still match) or "built-in" / "built-in N-link default" (-> NULL:
** the built-in model of the page's link count). */
static int reload_name(const rpt_input *in, const rad_prov_src *s, const char *what,
                       const char **out, rad_err *err)
{
    *out = NULL;
    if (!strncmp(s->name, "built-in", 8))
        return RAD_OK;
    char sha[RAD_SHA256_HEX];
    if (access(s->name, R_OK) != 0 || rad_sha256_file(s->name, sha, NULL) || strcmp(sha, s->sha256))
        return rad_errf(err, RAD_EMISMATCH, "%s (%s): its %s %s is no longer there with "
                        "sha256 %.12s: give --model / --weights / --data for the page", in->path,
                        in->opt, what, s->name, s->sha256);
    *out = s->name;
    return RAD_OK;
}

/* Page identity: the options when given, else the first input that names
** a model (eval, seu, synth); links likewise, else the model's own. */
static int page_identity(rpt_check *c, const rpt_opts *o, rad_err *err)
{
    const rpt_input *from = NULL;
    for (int i = 0; i < RPT_N_INPUTS && !from; i++)
        if (c->in[i].j && c->in[i].p.model.sha256[0])
            from = &c->in[i];
    c->model = o->model;
    c->weights = o->weights;
    c->model_from = o->model || o->weights ? "--model / --weights" : "the built-in default";
    int rc = RAD_OK;
    if (!o->model && !o->weights && from) {
        c->model_from = from->path;
        rc = reload_name(from, &from->p.model, "model", &c->model, err);
        if (!rc)
            rc = reload_name(from, &from->p.weights, "weights", &c->weights, err);
    }
    rad_prov_init(&c->page, "report", "report");
    /* links: --links, else the first input that states them, else the model's */
    int links = o->links;
    c->links_from = o->links ? "--links" : "the model";
    for (int i = 0; !o->links && i < RPT_N_INPUTS; i++)
        if (c->in[i].j && c->in[i].p.links) {
            links = c->in[i].p.links;
            c->links_from = c->in[i].path;
            break;
        }
    /* the built-in model is the default shipped for those links, if any */
    if (!rc)
        rc = mdl_prov_load_links(&c->page, c->model, c->weights, links, err);
    if (links)
        c->page.links = links;
    /* data: --data, else the eval's, else the default sample */
    const rpt_input *ev = &c->in[0];
    c->data = o->data;
    if (!rc && !c->data && ev->j && ev->p.data.name[0])
        rc = reload_name(ev, &ev->p.data, "data", &c->data, err);
    char def[4096];
    if (!rc && !c->data)
        rc = dat_default_path(def, sizeof def, err);
    if (!rc)
        rc = rad_prov_src_file(&c->page.data, c->data ? c->data : def, err);
    return rc;
}

int rpt_check_inputs(const rpt_opts *o, rpt_check *c, rad_err *err)
{
    memset(c, 0, sizeof *c);
    const char *path[RPT_N_INPUTS] = { o->eval_json, o->seu_json, o->synth_json,
                                       o->rate_json, o->set_json };
    const bool given[RPT_N_INPUTS] = { o->eval_given, o->seu_given, o->synth_given,
                                       o->rate_given, o->set_given };
    static const char *const opt[RPT_N_INPUTS] = { "--eval", "--seu", "--synth",
                                                   "--seu-rate", "--seu-set" };
    static const char *const kind[RPT_N_INPUTS] = { "eval", "seu", "synth", "seu-rate",
                                                    "seu-set" };
    int rc = RAD_OK;
    for (int i = 0; i < RPT_N_INPUTS && !rc; i++) {
        c->in[i] = (rpt_input){ .opt = opt[i], .kind = kind[i], .path = path[i],
                                .given = given[i] };
        rc = load_input(&c->in[i], err);
    }
    if (!rc)
        rc = page_identity(c, o, err);
    for (int i = 0; i < RPT_N_INPUTS && !rc; i++)
        if (c->in[i].j)
            rc = same_source(c, &c->in[i], err);
    return rc;
}

void rpt_check_free(rpt_check *c)
{
    for (int i = 0; i < RPT_N_INPUTS; i++) {
        json_decref(c->in[i].j);
        c->in[i].j = NULL;
    }
}

/* "nan" / "inf" as a word of the page (a figure that is not a number). */
const char *rpt_find_nan(const char *s, size_t n)
{
    static const char *const bad[] = { "nan", "inf" };
    for (size_t i = 0; i + 3 <= n; i++)
        for (int k = 0; k < 2; k++)
            if (!strncmp(s + i, bad[k], 3)) {
                char a = i ? s[i - 1] : ' ', z = i + 3 < n ? s[i + 3] : ' ';
                int word_a = (a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z') || a == '_';
                int word_z = (z >= 'a' && z <= 'z') || (z >= 'A' && z <= 'Z') || z == '_'
                             || (z >= '0' && z <= '9');
                if (!word_a && !word_z)
                    return s + i;
            }
    return NULL;
}
