/*
** rpt_data.c — what the report computes itself: per-crossing EMD of the
** autoencoder and the baselines on the evaluation crossings (for the
** histograms; same definitions as `rad4ml eval`), and the reconstructions
** shown in the event display.
*/
#include "report/rpt_int.h"

#include <stdlib.h>
#include <string.h>

#include "algo/baseline.h"
#include "algo/emd.h"
#include "engine/engine.h"

static int load_inputs(const rpt_opts *o, rpt_quality *q, rad_err *err)
{
    char path[4096];
    int rc = o->data ? (snprintf(path, sizeof path, "%s", o->data), RAD_OK)
                     : dat_default_path(path, sizeof path, err);
    if (rc == RAD_OK)
        rc = dat_load(path, DAT_FMT_AUTO, NULL, &q->all, err);
    if (rc)
        return rc;
    snprintf(q->data_path, sizeof q->data_path, "%s", path);
    dat_set head;
    dat_split(&q->all, DAT_TRAIN_FRACTION, &head, &q->ev);
    if (q->all.n_cells != GEO_N_CELLS)
        return rad_errf(err, RAD_ESCHEMA, "%s: %d cells per crossing; the report "
                        "draws LD modules (%d)", path, q->all.n_cells, GEO_N_CELLS);
    rc = o->model ? mdl_load(o->model, o->weights, &q->m, err)
                  : mdl_load_default_links(q->links, &q->m, err);
    if (rc == RAD_OK && q->links > 0)
        rc = mdl_set_links(q->m, q->links, err);
    if (rc == RAD_OK)
        q->links = q->m->out.n_links;
    return rc;
}

/* Autoencoder reconstruction of one crossing (bit-exact encode, float
** decode, negative charge clipped), as `rad4ml eval` does. */
static int ae_rec(const rpt_quality *q, const eng_plan *plan, const uint32_t *in,
                  double *rec, rad_err *err)
{
    eng_out out;
    float cells[MDL_MAX_CELLS];
    if (plan)
        eng_encode(plan, in, &out);
    else
        eng_encode_generic(q->m, in, &out);
    int rc = eng_decode(q->m, &out, cells, err);
    for (int t = 0; rc == RAD_OK && t < GEO_N_CELLS; t++)
        rec[t] = cells[t] > 0 ? cells[t] : 0;
    return rc;
}

static int occupancy(const uint32_t *in)
{
    int n = 0;
    for (int t = 0; t < GEO_N_CELLS; t++)
        n += in[t] > BL_MIP_T;
    return n;
}

/* Event display: crossings whose occupancy is nearest to a few targets. */
static void pick_events(rpt_quality *q, int n_events)
{
    static const int TARGET[] = { 6, 14, 24, 3, 35, 10 };
    q->n_events = 0;
    for (int e = 0; e < n_events && e < RPT_MAX_EVENTS && e < 6; e++) {
        size_t best = 0;
        int best_d = 1 << 30;
        for (size_t i = 0; i < (size_t)q->n; i++) {
            int d = abs(occupancy(dat_row(&q->ev, i)) - TARGET[e]);
            int used = 0;
            for (int k = 0; k < q->n_events; k++)
                used |= q->event[k].index == i;
            if (!used && d < best_d) {
                best_d = d;
                best = i;
            }
        }
        if (best_d < (1 << 30))
            q->event[q->n_events++].index = best;
    }
}

/* Loads the model and data of o, runs the autoencoder and the baselines on
** the hold-out crossings and fills q with the EMD values of the histograms
** and the event display.  q owns its arrays (rpt_quality_free, also after
** an error).  RAD_OK or the reason. */
int rpt_quality_run(const rpt_opts *o, rpt_quality *q, rad_err *err)
{
    memset(q, 0, sizeof *q);
    q->links = o->links;
    int rc = load_inputs(o, q, err);
    if (rc)
        return rc;
    q->n = (int)(q->ev.n < (size_t)o->n_hist ? q->ev.n : (size_t)o->n_hist);
    emd_ctx *e = emd_new_ld();
    eng_plan *plan = NULL;
    rad_err ignored;
    if (eng_compile(q->m, &plan, &ignored))
        plan = NULL;
    bl_config cfg[4];
    q->n_alg = 5;
    snprintf(q->name[0], sizeof q->name[0], "ae");
    snprintf(q->desc[0], sizeof q->desc[0], "autoencoder, %d x %d b",
             mdl_latent_count(q->m), mdl_latent_bits(q->m));
    for (bl_kind k = BL_THRESHOLD; k <= BL_STC16; k++) {
        cfg[k] = bl_plan(k, q->links, 1);
        snprintf(q->name[k + 1], sizeof q->name[0], "%s", bl_name(k));
        bl_describe(&cfg[k], q->desc[k + 1], sizeof q->desc[0]);
    }
    for (int k = 0; k < q->n_alg; k++)
        if (!(q->emd[k] = malloc((size_t)(q->n ? q->n : 1) * sizeof *q->emd[k])))
            rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!e)
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    for (int i = 0; rc == RAD_OK && i < q->n; i++) {
        const uint32_t *in = dat_row(&q->ev, (size_t)i);
        double a[GEO_N_CELLS], rec[GEO_N_CELLS];
        for (int t = 0; t < GEO_N_CELLS; t++)
            a[t] = in[t];
        if ((rc = ae_rec(q, plan, in, rec, err)))
            break;
        q->emd[0][i] = emd_compute(e, a, rec);
        for (bl_kind k = BL_THRESHOLD; k <= BL_STC16; k++) {
            uint32_t r[GEO_N_CELLS];
            bl_run(&cfg[k], in, r);
            q->emd[k + 1][i] = emd_compute_u32(e, in, r);
        }
    }
    if (rc == RAD_OK) {
        pick_events(q, o->n_events);
        for (int k = 0; rc == RAD_OK && k < q->n_events; k++) {
            rpt_event *ev = &q->event[k];
            const uint32_t *in = dat_row(&q->ev, ev->index);
            for (int t = 0; t < GEO_N_CELLS; t++)
                ev->in[t] = in[t];
            rc = ae_rec(q, plan, in, ev->rec, err);
            ev->emd = q->emd[0][ev->index];
            ev->occ = occupancy(in);
            ev->crossing = (long)(q->all.n - q->ev.n + ev->index);
        }
    }
    if (plan)
        eng_free(plan);
    emd_free(e);
    return rc;
}

void rpt_quality_free(rpt_quality *q)
{
    for (int k = 0; k < RPT_MAX_ALG; k++)
        free(q->emd[k]);
    if (q->m)
        mdl_free(q->m);
    dat_free(&q->all);
    memset(q, 0, sizeof *q);
}
