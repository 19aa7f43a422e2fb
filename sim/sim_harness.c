/*
** sim_harness.c — see sim_harness.h.
*/
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "model/model_io.h"
#include "sim/sim_harness.h"

void sim_harness_free(sim_harness *h)
{
    mdl_free(h->a);
    mdl_free(h->b);
    free(h->real);
    memset(h, 0, sizeof *h);
}

/* See sim_harness.h.  Parses the harness arguments (models, weights,
** vectors, seed, latency, data) and loads the models into h.  h owns them
** (sim_harness_free).  RAD_OK or the reason. */
int sim_harness_init(sim_harness *h, int argc, char **argv, rad_err *err)
{
    const char *ma = NULL, *wa = NULL, *mb = NULL, *wb = NULL, *data = NULL;
    memset(h, 0, sizeof *h);
    h->cfg.n_vectors = 1000;
    h->cfg.latency = 1;
    h->cfg.reg_weights = true;
    h->cfg.mid_reset = SIM_RESET_DP;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return rad_errf(err, RAD_EUSAGE, "%s: missing value", k);
        i++;
        if (!strcmp(k, "--model")) ma = v;
        else if (!strcmp(k, "--weights")) wa = v;
        else if (!strcmp(k, "--model2")) mb = v;
        else if (!strcmp(k, "--weights2")) wb = v;
        else if (!strcmp(k, "--data")) data = v;
        else if (!strcmp(k, "--vectors")) h->cfg.n_vectors = strtoull(v, NULL, 10);
        else if (!strcmp(k, "--seed")) h->cfg.seed = strtoull(v, NULL, 0);
        else if (!strcmp(k, "--latency")) h->cfg.latency = atoi(v);
        else if (!strcmp(k, "--interval")) h->cfg.interval = atoi(v);
        else if (!strcmp(k, "--reg")) h->cfg.reg_weights = atoi(v) != 0;
        else if (!strcmp(k, "--links2")) h->cfg.links2 = atoi(v);
        else if (!strcmp(k, "--mid-reset")) h->cfg.mid_reset = (sim_reset)atoi(v);
        else
            return rad_errf(err, RAD_EUSAGE, "unknown argument '%s'", k);
    }
    if (!ma)
        return rad_errf(err, RAD_EUSAGE, "--model is required");
    int rc = mdl_load(ma, wa, &h->a, err);
    if (!rc && mb)
        rc = mdl_load(mb, wb, &h->b, err);
    h->cfg.reload = h->b != NULL || h->cfg.links2 > 0;
    if (!rc && data) {
        dat_set set;
        rc = dat_load(data, DAT_FMT_AUTO, NULL, &set, err);
        if (!rc && set.n_cells != h->a->in.n_cells)
            rc = rad_errf(err, RAD_ESCHEMA, "%s: %d cells per crossing, the model has %d", data,
                          set.n_cells, h->a->in.n_cells);
        if (!rc) {
            h->real = set.q;
            h->cfg.real = set.q;
            h->cfg.n_real = set.n;
            set.q = NULL;
            set.owned = false;
        }
        if (!rc)
            dat_free(&set);
    }
    if (rc) {
        sim_harness_free(h);
        return rc;
    }
    const fxp_fmt *lf = &h->a->layers[h->a->n_layers - 1].out_fmt;
    h->n_cells = h->a->in.n_cells;
    h->cb = h->a->in.charge_bits;
    h->n_lat = mdl_latent_count(h->a);
    h->lat_w = lf->width;
    h->lat_signed = lf->is_signed;
    return RAD_OK;
}
