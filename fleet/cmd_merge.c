/*
** cmd_merge.c — `rad4ml merge`: the partial results of a sharded job
** (fleet/flt_part.h) into exactly the output of the unsharded run.
**
**   fleet-train, fleet-verify   the table (train.csv / verify.csv)
**   sim-regress                 the regression table of `sim --regress K --csv`
**   seu-sens                    the sensitivity-map JSON of `seu --json`
**   seu-rtl                     the counts of `seu --rtl --rtl-json` (summed)
**   seu-flops                   the counts of `seu --rtl --all-flops
**                               --flops-json` (summed; kmax: the max)
**   synth, eval-sweep           JSON documents (fleet/flt_json.c): `synth
**                               --json`, `eval --sweep --json`
**
** Refuses, writing nothing, when a shard is missing (naming it and the
** command that reruns it alone), given twice, or from another job.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "fleet/flt_part.h"
#include "model/model_io.h"
#include "seu/seu_rtl.h"
#include "seu/seu_shard.h"
#include "tools/cmd.h"

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml merge [--out FILE] PART...\n"
"Combines the partial results of `--shard i/N` runs (fleet train, fleet verify,\n"
"seu --json, seu --rtl --rtl-json / --all-flops --flops-json, sim --regress,\n"
"synth --json, eval --sweep --json) into the output\n"
"the unsharded run writes, byte for byte.  Every\n"
"shard 0..N-1 must be given exactly once.\n\n"
"  --out FILE   where to write (default: the output the shards name)\n");
}

/* The model a seu-sens job ran on, checked against the job's key. */
static int seu_model(const flt_part *p, mdl_model **m, rad_err *err)
{
    const char *pm = flt_part_get(p, "model"), *pw = flt_part_get(p, "weights");
    const char *ct = flt_part_get(p, "crossings_threads"), *data = flt_part_get(p, "data");
    if (!pm || !pw || !ct || !data)
        return rad_errf(err, RAD_ESCHEMA, "merge: seu-sens partial without model/weights/"
                        "crossings_threads/data");
    bool bm = !strcmp(pm, "built-in"), bw = !strcmp(pw, "built-in");
    int rc = bm ? mdl_load_default(m, err) : mdl_load(pm, bw ? NULL : pw, m, err);
    if (!rc && bm && !bw)
        rc = mdl_load_weights(*m, pw, err);
    size_t crossings = 0;
    int threads = 0;
    char key[17];
    if (!rc && sscanf(ct, "%zu %d", &crossings, &threads) != 2)
        rc = rad_errf(err, RAD_ESCHEMA, "merge: bad crossings_threads '%s'", ct);
    if (!rc)
        rc = seu_sens_key(*m, strcmp(data, "default") ? data : NULL, crossings, threads, key,
                          err);
    if (!rc && strcmp(key, p->key))
        rc = rad_errf(err, RAD_EMISMATCH, "merge: %s / %s changed since the shards ran "
                      "(key %s, now %s)", pm, pw, p->key, key);
    return rc;
}

/* The merged map's provenance: kind seu as `seu --json` writes it, command
** merge, the model / weights / data / crossings the shards ran on. */
static int merged_prov(const flt_part *p, const mdl_model *m, rad_prov *prov, rad_err *err)
{
    const char *data = flt_part_get(p, "data"), *ct = flt_part_get(p, "crossings_threads");
    char def[4096];
    rad_prov_init(prov, "seu", "merge");
    mdl_prov_set(prov, m);
    prov->rows = ct ? strtol(ct, NULL, 10) : -1;
    rad_prov_opt(prov, "merged", "seu --json --shard partials");
    int rc = data && strcmp(data, "default") ? RAD_OK : dat_default_path(def, sizeof def, err);
    return rc ? rc : rad_prov_src_file(&prov->data, data && strcmp(data, "default") ? data : def,
                                       err);
}

static int merge_seu(const flt_part *p, const char *out, rad_err *err)
{
    mdl_model *m = NULL;
    seu_sens s;
    rad_prov prov;
    int rc = seu_model(p, &m, err);
    if (!rc && flt_part_get(p, "run.prov"))         /* shard 0's: the unsharded bytes */
        rc = flt_part_get_prov(p, "run.prov", &prov, err);
    else if (!rc)                                   /* partials of an older version */
        rc = merged_prov(p, m, &prov, err);
    if (!rc && !(rc = seu_sens_from_part(p, m, &s, err))) {
        rc = seu_sens_write_json(&s, m, &prov, out, err);
        seu_sens_free(&s);
    }
    mdl_free(m);
    return rc;
}

/* seu-rtl: item p*N + i holds shard i's counts of protection p; the
** counts are sums over upsets, so the whole campaign's are their sums.
** Writes what `seu --rtl --rtl-json` writes (shard 0's provenance);
** *fails counts protections that FAIL. */
static int merge_seu_rtl(const flt_part *p, const char *out, int *fails, rad_err *err)
{
    const char *sh = flt_part_get(p, "shards"), *sa = flt_part_get(p, "stride_all_copies");
    size_t N = sh ? strtoull(sh, NULL, 10) : 0, stride = 0, n = N ? p->n_items / N : 0;
    int all = 0;
    if (!N || !sa || sscanf(sa, "%zu %d", &stride, &all) != 2 || n * N != p->n_items
        || n > 64)
        return rad_errf(err, RAD_ESCHEMA, "merge: seu-rtl partial without shards/"
                        "stride_all_copies");
    seu_prot prots[64];
    seu_rtl_result res[64], r;
    *fails = 0;
    for (size_t k = 0; k < n; k++) {
        memset(&res[k], 0, sizeof res[k]);
        for (size_t i = 0; i < N; i++) {
            seu_prot q;
            if (seu_rtl_item_parse(p->items[k * N + i].text, &q, &r) || (i && q != prots[k]))
                return rad_errf(err, RAD_ESCHEMA, "merge: seu-rtl item %zu: '%s'", k * N + i,
                                p->items[k * N + i].text);
            prots[k] = q;
            res[k].injected += r.injected;
            res[k].masked += r.masked;
            res[k].corrected += r.corrected;
            res[k].restored += r.restored;
            res[k].corrupted += r.corrupted;
            res[k].exact_corrupt += r.exact_corrupt;
            res[k].derr += r.derr;
            res[k].fail += r.fail;
        }
        *fails += !seu_rtl_ok(prots[k], &res[k]);
    }
    rad_prov prov;
    int rc = flt_part_get_prov(p, "run.prov", &prov, err);
    return rc ? rc : seu_rtl_write_json(out, prots, res, n, stride, all, &prov, err);
}

/* seu-flops: item k*N + i holds shard i's counts of protection k; each
** trial depends on its campaign index alone, so the campaign's counts are
** the shards' sums.  Writes what `seu --rtl --all-flops --flops-json`
** writes (shard 0's provenance); *fails counts protections that FAIL. */
static int merge_seu_flops(const flt_part *p, const char *out, int *fails, rad_err *err)
{
    const char *sm = flt_part_get(p, "shards_mbu_seed");
    unsigned long long seed = 0;
    size_t N = 0, n = 0;
    int mbu = 0;
    if (!sm || sscanf(sm, "%zu %d %llu", &N, &mbu, &seed) != 3 || !N
        || (n = p->n_items / N) * N != p->n_items || n > 16)
        return rad_errf(err, RAD_ESCHEMA, "merge: seu-flops partial without shards_mbu_seed");
    seu_prot prots[16];
    seu_flops_result res[16], r;
    long sampled[16];
    *fails = 0;
    for (size_t k = 0; k < n; k++) {
        char name[32];
        snprintf(name, sizeof name, "sampled%zu", k);
        const char *sv = flt_part_get(p, name);
        if (!sv)
            return rad_errf(err, RAD_ESCHEMA, "merge: seu-flops partial without %s", name);
        sampled[k] = strtol(sv, NULL, 10);
        memset(&res[k], 0, sizeof res[k]);
        for (size_t i = 0; i < N; i++) {
            seu_prot q;
            const char *t = p->items[k * N + i].text;
            if (seu_flops_item_parse(t, &q, &r) || (i && q != prots[k])
                || seu_flops_add(&res[k], &r))
                return rad_errf(err, RAD_ESCHEMA, "merge: seu-flops item %zu: '%.200s'",
                                k * N + i, t);
            prots[k] = q;
        }
        *fails += !seu_flops_ok(prots[k], &res[k]);
    }
    rad_prov prov;
    seu_flops_cfg cfg = { mbu, (uint64_t)seed };
    int rc = flt_part_get_prov(p, "run.prov", &prov, err);
    return rc ? rc : seu_flops_write_json(out, prots, res, sampled, n, &cfg, &prov, err);
}

/* Table jobs: header + rows; a verify table with FAIL rows is written (it
** is the result) but the exit status says so. */
static int merge_table(const flt_part *p, const char *out, int *fails, rad_err *err)
{
    const char *header = flt_part_get(p, "header");
    if (!header)
        return rad_errf(err, RAD_ESCHEMA, "merge: %s partial without a header", p->kind);
    *fails = 0;
    for (size_t i = 0; i < p->n_items; i++)
        *fails += strstr(p->items[i].text, ",FAIL") != NULL;
    return flt_table_write(out, header, p, err);
}

/* Contract: `rad4ml merge [--out FILE] PART...`: flt_merge's checks, then
** the writer of the job's kind; exit 1 on a refusal (nothing written) or
** when the merged result has FAILs, 2 on bad usage. */
int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = { { "out", 1, 0, 'o' }, { "help", 0, 0, 'h' },
                                          { 0, 0, 0, 0 } };
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else {
            usage(c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    rad_err err = { 0, "" };
    flt_part p;
    int rc = flt_merge(argv + optind, (size_t)(argc - optind), &p, &err), fails = 0;
    if (!rc && !out && !(out = flt_part_get(&p, "output")))
        rc = rad_errf(&err, RAD_EUSAGE, "merge: the partials name no output: give --out");
    if (!rc && !strcmp(p.kind, "seu-sens"))
        rc = merge_seu(&p, out, &err);
    else if (!rc && !strcmp(p.kind, "seu-rtl"))
        rc = merge_seu_rtl(&p, out, &fails, &err);
    else if (!rc && !strcmp(p.kind, "seu-flops"))
        rc = merge_seu_flops(&p, out, &fails, &err);
    else if (!rc && flt_part_get(&p, "json.key"))
        rc = flt_json_merge_write(&p, out, &err);
    else if (!rc && flt_part_get(&p, "header"))
        rc = merge_table(&p, out, &fails, &err);
    else if (!rc)
        rc = rad_errf(&err, RAD_ESCHEMA, "merge: unknown job kind '%s'", p.kind);
    if (!rc)
        printf("merge: %d shards of %s (%zu items) -> %s\n", argc - optind, p.kind, p.n_items,
               out);
    if (!rc && fails)
        fprintf(stderr, "rad4ml merge: %d FAIL in %s\n", fails, out);
    if (rc)
        fprintf(stderr, "rad4ml %s\n", err.msg);
    flt_part_free(&p);
    return rc ? 1 : fails ? 1 : 0;
}
