/*
** seu_common.c — the prepared crossing set and the EMD of one decoding,
** shared by the sensitivity map and the multi-upset campaigns.
*/
#include <stdlib.h>
#include <string.h>
#include "seu/seu_internal.h"
#include "seu/seu_rtl.h"
#include "data/geometry.h"
#include "common/rad_file.h"
#include <stdio.h>

double seu__max_distance(void)
{
    double dmax = 0;
    for (int a = 0; a < GEO_N_CELLS; a++)
        for (int b = 0; b < GEO_N_CELLS; b++)
            if (geo_distance(a, b) > dmax)
                dmax = geo_distance(a, b);
    return dmax;
}

double seu__emd(const mdl_model *m, emd_ctx *ctx, const double *q,
                const eng_out *o, double empty_penalty, float *cells,
                double *b)
{
    if (eng_decode(m, o, cells, NULL) != RAD_OK)
        return empty_penalty;
    int n = m->in.n_cells;
    for (int i = 0; i < n; i++)
        b[i] = cells[i] > 0 && cells[i] == cells[i] ? cells[i] : 0.0;
    double e = emd_compute(ctx, q, b);
    return e < 0 ? empty_penalty : e;
}

static size_t count_nonempty(const dat_set *set)
{
    size_t k = 0;
    for (size_t i = 0; i < set->n; i++) {
        const uint32_t *r = dat_row(set, i);
        for (int c = 0; c < set->n_cells; c++)
            if (r[c]) { k++; break; }
    }
    return k;
}

static int xset_alloc(seu__xset *x, size_t n, int n_cells, rad_err *err)
{
    memset(x, 0, sizeof *x);
    x->n = n;
    x->n_cells = n_cells;
    x->q = calloc(n ? n : 1, sizeof *x->q);
    x->qd = calloc(n ? n * (size_t)n_cells : 1, sizeof *x->qd);
    x->gold = calloc(n ? n : 1, sizeof *x->gold);
    x->gold_emd = calloc(n ? n : 1, sizeof *x->gold_emd);
    if (!x->q || !x->qd || !x->gold || !x->gold_emd) {
        seu__xset_free(x);
        return rad_errf(err, RAD_ENOMEM, "seu: out of memory (%zu crossings)", n);
    }
    return RAD_OK;
}

/* See seu_internal.h.  Runs the engine once on the crossings of set and
** keeps, per crossing, the golden latent values and the exact EMD
** baseline (empty_penalty when the decoded map is empty).  x owns its
** arrays (seu__xset_free).  RAD_OK or the reason. */
int seu__xset_init(seu__xset *x, const mdl_model *m, const dat_set *set,
                   double empty_penalty, rad_err *err)
{
    bool emd = empty_penalty >= 0;
    if (set->n_cells != m->in.n_cells)
        return rad_errf(err, RAD_ESCHEMA, "seu: crossings have %d cells, model %d",
                        set->n_cells, m->in.n_cells);
    if (emd && m->in.n_cells != GEO_N_CELLS)
        return rad_errf(err, RAD_ESCHEMA, "seu: crossings have %d cells, model "
                        "%d; the EMD needs the %d-cell LD geometry",
                        set->n_cells, m->in.n_cells, GEO_N_CELLS);
    if (emd && m->n_dec == 0)
        return rad_errf(err, RAD_ESCHEMA, "seu: model '%s' has no decoder: "
                        "the EMD damage needs one", m->name);
    size_t n = count_nonempty(set);
    if (n == 0)
        return rad_errf(err, RAD_ESCHEMA, "seu: no crossing with a non-zero sum");
    int rc = xset_alloc(x, n, set->n_cells, err);
    if (rc)
        return rc;
    eng_plan *p = NULL;
    emd_ctx *ctx = emd_new_ld();
    float *cells = malloc(sizeof(float) * (size_t)x->n_cells);
    double *b = malloc(sizeof(double) * (size_t)x->n_cells);
    if (!ctx || !cells || !b)
        rc = rad_errf(err, RAD_ENOMEM, "seu: out of memory");
    else
        rc = eng_compile(m, &p, err);
    size_t k = 0;
    for (size_t i = 0; !rc && i < set->n; i++) {
        const uint32_t *r = dat_row(set, i);
        uint64_t s = 0;
        for (int c = 0; c < set->n_cells; c++)
            s += r[c];
        if (!s)
            continue;
        x->q[k] = r;
        for (int c = 0; c < set->n_cells; c++)
            x->qd[k * (size_t)x->n_cells + (size_t)c] = r[c];
        eng_encode(p, r, &x->gold[k]);
        x->gold_emd[k] = !emd ? 0 : seu__emd(m, ctx, &x->qd[k * (size_t)x->n_cells],
                                             &x->gold[k], empty_penalty, cells, b);
        x->mean_emd += x->gold_emd[k] / (double)n;
        k++;
    }
    eng_free(p);
    emd_free(ctx);
    free(cells);
    free(b);
    if (rc)
        seu__xset_free(x);
    return rc;
}

void seu__xset_free(seu__xset *x)
{
    free(x->q);
    free(x->qd);
    free(x->gold);
    free(x->gold_emd);
    memset(x, 0, sizeof *x);
}

/* ---- campaign protections --------------------------------------------- */

static const char *const PROT_NAMES[] = { "none", "tmr", "secded", "sel", "full-tmr" };

const char *seu_prot_name(seu_prot p)
{
    return p <= SEU_PROT_FULL ? PROT_NAMES[p] : "?";
}

int seu_prot_parse(const char *s, seu_prot *p)
{
    for (int i = 0; i <= SEU_PROT_FULL; i++)
        if (!strcmp(s, PROT_NAMES[i])) {
            *p = (seu_prot)i;
            return RAD_OK;
        }
    return RAD_EUSAGE;
}

void seu_cfg_opts(cg_cfg_opts *co, const mdl_model *m, const char *top, int latency,
                  seu_prot p, const uint8_t *sel_mask)
{
    cg_cfg_opts_init(co, m, top, latency);
    co->prot = p == SEU_PROT_SECDED ? CG_PROT_SECDED
             : p == SEU_PROT_NONE ? CG_PROT_NONE : CG_PROT_TMR;
    co->tmr_mask = p == SEU_PROT_SEL ? sel_mask : NULL;
    co->seu_ports = true;
    co->tmr_all = p == SEU_PROT_FULL;
}

void seu__design_opts(cg_opts *co, const char *top, seu_prot p, const char *model_name,
                      const char *weights_name)
{
    cg_opts_default(co);
    snprintf(co->top, sizeof co->top, "%s", top);
    co->prot = p == SEU_PROT_TMR || p == SEU_PROT_FULL ? CG_PROT_TMR
             : p == SEU_PROT_SECDED ? CG_PROT_SECDED : CG_PROT_NONE;
    co->tmr_all = p == SEU_PROT_FULL;     /* every flip-flop triplicated */
    co->model_name = model_name ? model_name : "built-in";
    co->weights_name = weights_name ? weights_name : "built-in";
}

int seu__gen_design(const mdl_model *m, const cg_opts *co, const char *d,
                    char *text[2], size_t len[2], rad_err *err)
{
    char gen[4200], path[4400];
    text[0] = text[1] = NULL;
    snprintf(gen, sizeof gen, "%s/gen", d);
    int rc = rad_mkdirs(gen, err);
    if (!rc)
        rc = cg_gen_verilog(m, co, gen, err);
    for (int i = 0; i < 2 && !rc; i++) {
        snprintf(path, sizeof path, "%s/%s%s.v", gen, co->top, i ? "_cfg" : "");
        rc = rad_read_all(path, &text[i], &len[i], err);
    }
    if (rc) {
        free(text[0]);
        free(text[1]);
        text[0] = text[1] = NULL;
    }
    return rc;
}

char *seu__prov_text(const rad_prov *p, const char *kind)
{
    rad_prov q = *p;
    snprintf(q.kind, sizeof q.kind, "%s", kind);
    json_t *j = rad_prov_json(&q);
    char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return t;
}
