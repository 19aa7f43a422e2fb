/*
** seu_shard.c — sensitivity maps as partial results (see seu_shard.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_io.h"
#include "seu/seu_shard.h"

int seu_sens_key(const mdl_model *m, const char *data, size_t crossings, int threads,
                 char key[17], rad_err *err)
{
    char *j = mdl_json_text(m), *w = mdl_weights_text(m), opt[4200];
    if (!j || !w) {
        free(j);
        free(w);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    int n = snprintf(opt, sizeof opt, "%s %zu %d", data ? data : "default", crossings, threads);
    uint64_t h = rad_fnv1a(rad_fnv1a(rad_fnv1a(RAD_FNV1A_INIT, j, strlen(j)), w, strlen(w)), opt,
                         (size_t)n);
    snprintf(key, 17, "%016llx", (unsigned long long)h);
    free(j);
    free(w);
    return RAD_OK;
}

int seu_sens_to_part(const seu_sens *s, const flt_shard *sh, flt_part *p, rad_err *err)
{
    char v[128];
    snprintf(v, sizeof v, "%zu", s->n_cross);
    int rc = flt_part_meta(p, "n_cross", v, err);
    snprintf(v, sizeof v, "%a", s->base_emd);
    if (!rc)
        rc = flt_part_meta(p, "base_emd", v, err);
    for (size_t k = 0; k < s->n_bits && !rc; k++) {
        if (!flt_shard_has(sh, k))
            continue;
        snprintf(v, sizeof v, "%a %a", s->d_emd[k], s->changed[k]);
        rc = flt_part_item(p, k, v, err);
    }
    return rc;
}

int seu_sens_from_part(const flt_part *p, const mdl_model *m, seu_sens *s, rad_err *err)
{
    memset(s, 0, sizeof *s);
    const char *nc = flt_part_get(p, "n_cross"), *be = flt_part_get(p, "base_emd");
    size_t nb = seu_bit_count(m);
    if (!nc || !be)
        return rad_errf(err, RAD_ESCHEMA, "merge: seu-sens partial without n_cross/base_emd");
    if (p->n_items != nb)
        return rad_errf(err, RAD_ESCHEMA, "merge: %zu bits in the partials, the model has %zu",
                        p->n_items, nb);
    s->n_bits = nb;
    s->n_cross = strtoull(nc, NULL, 10);
    s->base_emd = strtod(be, NULL);
    s->d_emd = calloc(nb + 1, sizeof *s->d_emd);
    s->changed = calloc(nb + 1, sizeof *s->changed);
    s->where = calloc(nb + 1, sizeof *s->where);
    if (!s->d_emd || !s->changed || !s->where) {
        seu_sens_free(s);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < nb; k++) {
        char *end;
        s->d_emd[k] = strtod(p->items[k].text, &end);
        s->changed[k] = strtod(end, &end);
        seu_bit_locate(m, k, &s->where[k]);
        if (*end) {
            seu_sens_free(s);
            return rad_errf(err, RAD_EPARSE, "merge: bit %zu: bad values '%s'", k,
                            p->items[k].text);
        }
    }
    return RAD_OK;
}
