/*
** seu_flops_json.c — the every-flop campaign's counts (`seu --rtl
** --all-flops --flops-json FILE`) as JSON, and as the one-line items of a
** sharded run's partial that `rad4ml merge` adds up (kind seu-flops).
** Only counts go in (no seconds): a trial depends on its campaign index
** alone (seu/rtl/seu_fharness.c), so the shards' counts sum to the
** unsharded ones and the merged file is the unsharded file, byte for byte.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seu/seu_rtl.h"
#include "common/rad_file.h"

/* The scalar counts, in item order. */
static long *scalar(seu_flops_result *r, int i)
{
    long *const f[] = { &r->regs, &r->flop_bits, &r->injected, &r->masked_all,
                        &r->transient_all, &r->persistent_all, &r->counted_all, &r->outputs,
                        &r->compared, &r->reloads, &r->fail, &r->cycles };
    return f[i];
}
#define N_SCALAR 12

/* The per-class counts of class c, in item order. */
static long *per_class(seu_flops_result *r, int c, int i)
{
    long *const f[] = { &r->inj[c], &r->masked[c], &r->transient[c], &r->persistent[c],
                        &r->latent[c], &r->kmax[c], &r->ksum[c], &r->counted[c] };
    return f[i];
}
#define N_PER 8

void seu_flops_item(seu_prot p, const seu_flops_result *r, char *buf, size_t len)
{
    seu_flops_result *q = (seu_flops_result *)r;
    size_t n = (size_t)snprintf(buf, len, "%s", seu_prot_name(p));
    for (int i = 0; i < N_SCALAR && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, " %ld", *scalar(q, i));
    for (int c = 0; c < SEU_N_CLS; c++)
        for (int i = 0; i < N_PER && n < len; i++)
            n += (size_t)snprintf(buf + n, len - n, " %ld", *per_class(q, c, i));
}

int seu_flops_item_parse(const char *text, seu_prot *p, seu_flops_result *r)
{
    char name[16];
    int used = 0;
    memset(r, 0, sizeof *r);
    if (sscanf(text, "%15s%n", name, &used) != 1 || seu_prot_parse(name, p))
        return -1;
    for (int k = 0; k < N_SCALAR + SEU_N_CLS * N_PER; k++) {
        int u = 0;
        long *f = k < N_SCALAR ? scalar(r, k) : per_class(r, (k - N_SCALAR) / N_PER,
                                                          (k - N_SCALAR) % N_PER);
        if (sscanf(text + used, " %ld%n", f, &u) != 1 || *f < 0)
            return -1;
        used += u;
    }
    return text[used] ? -1 : 0;
}

int seu_flops_add(seu_flops_result *acc, const seu_flops_result *r)
{
    seu_flops_result *q = (seu_flops_result *)r;
    bool first = acc->regs == 0 && acc->injected == 0 && acc->cycles == 0;
    if (!first && (acc->regs != r->regs || acc->flop_bits != r->flop_bits))
        return -1;                             /* shards of different designs */
    for (int i = 2; i < N_SCALAR; i++)
        *scalar(acc, i) += *scalar(q, i);
    acc->regs = r->regs;
    acc->flop_bits = r->flop_bits;
    for (int c = 0; c < SEU_N_CLS; c++)
        for (int i = 0; i < N_PER; i++) {
            long *a = per_class(acc, c, i), v = *per_class(q, c, i);
            *a = i == 5 ? (v > *a ? v : *a) : *a + v;            /* kmax: the max */
        }
    return 0;
}

static json_t *classes_json(const seu_flops_result *r)
{
    static const char *const key[N_PER] = { "upsets", "masked", "transient", "persistent",
                                            "latent", "kmax", "ksum", "counted" };
    seu_flops_result *q = (seu_flops_result *)r;
    json_t *arr = json_array();
    for (int c = 0; c < SEU_N_CLS; c++) {
        json_t *o = json_pack("{s:s}", "class", seu_cls_name[c]);
        for (int i = 0; i < N_PER; i++)
            json_object_set_new(o, key[i], json_integer(*per_class(q, c, i)));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* See seu_rtl.h. */
int seu_flops_write_json(const char *path, const seu_prot *p, const seu_flops_result *r,
                         const long *sampled, size_t n, const seu_flops_cfg *cfg,
                         const rad_prov *prov, rad_err *err)
{
    static const char *const key[N_SCALAR] = { "registers", "flip_flops", "injected",
        "masked", "transient", "persistent", "counted", "outputs", "compared", "reloads",
        "fail", "cycles" };
    json_t *root = json_pack("{s:s,s:s,s:I}", "campaign", "seu --rtl --all-flops",
                             "upsets", cfg->mbu ? "adjacent double-bit (MBU)" : "single",
                             "seed", (json_int_t)cfg->seed);
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++) {
        seu_flops_result *q = (seu_flops_result *)&r[k];
        json_t *o = json_pack("{s:s,s:I}", "protect", seu_prot_name(p[k]), "sampled",
                              (json_int_t)sampled[k]);
        for (int i = 0; i < N_SCALAR; i++)
            json_object_set_new(o, key[i], json_integer(*scalar(q, i)));
        json_object_set_new(o, "classes", classes_json(&r[k]));
        json_object_set_new(o, "result", json_string(seu_flops_ok(p[k], &r[k]) ? "PASS"
                                                                               : "FAIL"));
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "protections", arr);
    json_object_set_new(root, "provenance", rad_prov_json(prov));
    int rc = rad_json_write(path, root, JSON_INDENT(2), err);
    json_decref(root);
    return rc;
}
