/*
** cmd_fleet.c — `rad4ml fleet train|images|verify|report`: one set of
** weights per detector module (fleet/fleet.h, fleet/README.md).
**
**   train   fine-tunes the base model for every module of the manifest on its
**           own crossings -> OUT/modules/<id>.{json,weights}, OUT/train.csv
**   images  each module's weight image (cfg words) + OUT/images/index.csv
**           (id -> image -> checksum -> model hash -> hold-out EMD), and the
**           fleet's ONE design, OUT/rtl (generated once, from the base)
**   verify  every image through the cfg port of that design in Verilator,
**           mid-stream (fleet/flt_verify.c) -> OUT/verify.csv
**   report  the table base vs fine-tuned EMD per module (fleet/flt_report.c)
**
** train and verify take --shard i/N: they do modules k % N == i and write
** <table>.part-i-of-N; `rad4ml merge` makes the table from the parts.
*/
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codegen/cg.h"
#include "common/rad_file.h"
#include "fleet/flt_cli.h"
#include "model/model_io.h"
#include "tools/cli.h"
#include "tools/cmd.h"
#include "train/trn.h"

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml fleet train  --manifest FLEET.csv --out DIR [options]\n"
"       rad4ml fleet images --out DIR\n"
"       rad4ml fleet verify --out DIR [--rtl DIR] [--vectors N]\n"
"       rad4ml fleet report --out DIR\n"
"One set of weights per detector module: fine-tune, image, verify in RTL.\n\n"
"  --manifest FILE     modules (CSV: id,data,occupancy,showers,geometry,links,calib;\n"
"                      see fleet/README.md)\n"
"  --out DIR           the fleet's folder (modules/, images/, rtl/, tables)\n"
"  --base-model FILE   model to fine-tune from (default: built-in ECON-T)\n"
"  --base-weights FILE its weights (default: the model's)\n"
"  --epochs N          fine-tuning epochs per module (default 3)\n"
"  --lr X              learning rate (default 5e-4, cosine to a tenth)\n"
"  --loss L            sinkhorn (default, 48-cell models), telescope, wmse, mse\n"
"  --crossings N       synthetic crossings per module (default 2000; 75%% train)\n"
"  --threads T         training threads (default 2; results do not depend on it)\n"
"  --seed S            data and training seed (default 1)\n"
"  --shard i/N         train/verify: modules k with k %% N == i only, partial\n"
"                      result <table>.part-i-of-N for `rad4ml merge`\n"
"  --rtl DIR           verify: the design (default DIR/rtl from `fleet images`)\n"
"  --vectors N         verify: crossings per module (default 3000)\n"
"  --work DIR          verify: simulation folder (default DIR/verify/work[-i-of-N])\n");
}

/* Parses every option; 0 ok, 2 usage error, -1 --help printed. */
static int parse(int argc, char **argv, flt_args *a)
{
    static const struct option opts[] = {
        { "manifest", 1, 0, 'm' }, { "out", 1, 0, 'o' }, { "base-model", 1, 0, 'b' },
        { "base-weights", 1, 0, 'B' }, { "epochs", 1, 0, 'e' }, { "lr", 1, 0, 'l' },
        { "crossings", 1, 0, 'n' }, { "threads", 1, 0, 't' }, { "seed", 1, 0, 's' },
        { "shard", 1, 0, 'S' }, { "rtl", 1, 0, 'r' }, { "vectors", 1, 0, 'v' },
        { "work", 1, 0, 'w' }, { "loss", 1, 0, 'L' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
    memset(a, 0, sizeof *a);
    a->epochs = 3; a->threads = 2; a->crossings = 2000; a->vectors = 3000; a->seed = 1;
    a->lr = 5e-4; a->argc = argc; a->argv = argv;
    int c, rc = 0;
    rad_err err = { 0 };
    uint64_t seed = a->seed;
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': a->manifest = optarg; break;
        case 'o': a->out = optarg; break;
        case 'b': a->base_model = optarg; break;
        case 'B': a->base_weights = optarg; break;
        case 'r': a->rtl = optarg; break;
        case 'w': a->work = optarg; break;
        case 'L': a->loss = optarg; break;
        case 'e': rc = rad_cli_int("--epochs", optarg, 0, 100000, &a->epochs, &err); break;
        case 'l': rc = rad_cli_double("--lr", optarg, 1e-9, 1, &a->lr, &err); break;
        case 'n': rc = rad_cli_size("--crossings", optarg, 8, 10000000, &a->crossings, &err); break;
        case 't': rc = rad_cli_int("--threads", optarg, 1, TRN_SHARDS, &a->threads, &err); break;
        case 's': rc = rad_cli_u64("--seed", optarg, 0, 1000000000000000ULL, &seed, &err); break;
        case 'v': rc = rad_cli_size("--vectors", optarg, 10, 100000000, &a->vectors, &err); break;
        case 'S': rc = flt_shard_parse(optarg, &a->shard, &err); break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return 2;
        }
    }
    if (rc)
        return cli_usage_error("fleet", &err);
    a->seed = seed;
    if (optind != argc - 1 || !a->out) {
        fprintf(stderr, "rad4ml fleet: give one step (train, images, verify, report) and "
                "--out DIR (see --help)\n");
        return 2;
    }
    a->step = argv[optind];
    return 0;
}

/* ---- tables ---------------------------------------------------------------- */

int flt_table_prov(const flt_args *a, const mdl_model *m, const char *input, size_t rows,
                   rad_prov *p, rad_err *err)
{
    rad_prov_init(p, "csv", "fleet");
    p->deterministic = true;           /* sharded == whole, byte for byte */
    if (m)
        mdl_prov_set(p, m);
    p->rows = (long)rows;
    rad_prov_opt(p, "step", "%s", a->step);
    if (!strcmp(a->step, "train"))
        rad_prov_opt(p, "tune", "epochs=%d lr=%g crossings=%zu seed=%llu loss=%s", a->epochs,
                     a->lr, a->crossings, a->seed, a->loss ? a->loss : "default");
    if (!strcmp(a->step, "verify"))
        rad_prov_opt(p, "vectors", "%zu", a->vectors);
    int rc = rad_prov_src_file(&p->data, input, err);
    size_t lo = strlen(a->out);          /* the fleet's own tables: named inside it */
    if (!rc && !strncmp(input, a->out, lo) && input[lo] == '/')
        memmove(p->data.name, p->data.name + lo + 1, strlen(p->data.name + lo + 1) + 1);
    return rc;
}

int flt_finish(const flt_args *a, flt_part *p, const char *table, const char *header,
               const rad_prov *prov, rad_err *err)
{
    int rc = flt_table_finish(p, table, header, prov, err);
    if (!rc && a->shard.n == 0)
        printf("fleet %s: wrote %s (%zu modules)\n", a->step, table, p->n_items);
    else if (!rc) {
        char part[4200];
        flt_part_name(part, sizeof part, table, &a->shard);
        printf("fleet %s: shard %zu/%zu wrote %s (%zu modules); `rad4ml merge` makes %s\n",
               a->step, a->shard.i, a->shard.n, part, p->n_items, table);
    }
    return rc;
}

/* ---- train ----------------------------------------------------------------- */

static int load_base(const flt_args *a, mdl_model **m, rad_err *err)
{
    cli_model_src src = { a->base_model, a->base_weights, -1, false, 0 };
    return cli_model_load(&src, m, err);
}

/* What every shard of a fleet training must share, as 16 hex digits. */
static int train_key(const flt_args *a, const mdl_model *base, char key[17], rad_err *err)
{
    uint64_t h = RAD_FNV1A_INIT;
    int rc = flt_fnv_file(&h, a->manifest, err);
    char *j = mdl_json_text(base), *w = mdl_weights_text(base), opt[256];
    if (!rc && (!j || !w))
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!rc) {
        int n = snprintf(opt, sizeof opt, "%d %.17g %zu %llu %s", a->epochs, a->lr,
                         a->crossings, a->seed, a->loss ? a->loss : "-");
        h = rad_fnv1a(rad_fnv1a(rad_fnv1a(h, j, strlen(j)), w, strlen(w)), opt, (size_t)n);
        snprintf(key, 17, "%016llx", (unsigned long long)h);
    }
    free(j);
    free(w);
    return rc;
}

static void tune_config(const flt_args *a, const mdl_model *m, trn_config *cfg)
{
    trn_config_default(cfg);
    cfg->epochs = a->epochs;
    cfg->patience = 0;
    cfg->emd_subset = 0;               /* best epoch on validation loss   */
    cfg->warmup = 0;
    cfg->threads = a->threads;
    cfg->seed = a->seed;
    cfg->lr = a->lr;
    cfg->lr_min = a->lr / 10;
    cfg->loss = m->in.n_cells == GEO_N_CELLS ? TRN_LOSS_SINKHORN : TRN_LOSS_WMSE;
    if (a->loss)
        trn_loss_parse(a->loss, &cfg->loss);      /* checked in fleet_train */
}

/* Fine-tunes m on fit, selecting the epoch on val; m keeps the base
** weights (*tuned = 0) when no epoch beats them there. */
static int tune(const flt_args *a, mdl_model *m, const dat_set *fit, const dat_set *val,
                int *tuned, rad_err *err)
{
    trn_config cfg;
    tune_config(a, m, &cfg);
    trn_net *net = NULL;
    int rc = trn_net_new(m, a->seed, &net, err);
    if (rc)
        return rc;
    trn_net_load_weights(net, m);
    double v0 = trn_eval_loss(net, val, &cfg);
    trn_result res = { 0 };
    res.best_val_loss = v0;
    if (a->epochs > 0)
        rc = trn_fit(net, fit, val, &cfg, NULL, NULL, &res, err);
    *tuned = !rc && res.best_val_loss < v0;
    if (!rc && *tuned)
        rc = trn_net_export(net, m, err);
    trn_net_free(net);
    return rc;
}

/* One module's crossings: all of them, the training part (first 75 %) split
** into fitting (80 %) and validation, and the hold-out, which training
** never sees. */
typedef struct {
    dat_set d, tr, ho, fit, val;
} mod_data;

static int module_data(const flt_args *a, const mdl_model *m, const flt_module *fm,
                       mod_data *md, rad_err *err)
{
    memset(md, 0, sizeof *md);
    int rc = flt_module_data(fm, a->crossings, a->seed, &md->d, err);
    if (!rc && md->d.n_cells != m->in.n_cells)
        rc = rad_errf(err, RAD_ESCHEMA, "module %s: %d cells per crossing, the model has %d",
                      fm->id, md->d.n_cells, m->in.n_cells);
    dat_split(&md->d, DAT_TRAIN_FRACTION, &md->tr, &md->ho);
    if (!rc && (md->tr.n < 1 || md->ho.n < 1))
        rc = rad_errf(err, RAD_ESCHEMA, "module %s: %zu crossings, too few to train and "
                      "hold out", fm->id, md->d.n);
    dat_split(&md->tr, 0.8, &md->fit, &md->val);
    return rc;
}

/* The rows of n sets one after the other (a view of the only one if n == 1). */
static int concat_sets(const dat_set *const *v, size_t n, dat_set *out, rad_err *err)
{
    if (n == 1) {
        dat_slice(v[0], 0, v[0]->n, out);
        return RAD_OK;
    }
    size_t total = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i]->n;
    int rc = dat_alloc(out, total, v[0]->n_cells, err);
    for (size_t i = 0; i < n && !rc; i++) {
        memcpy(out->q + k * (size_t)out->n_cells, v[i]->q,
               v[i]->n * (size_t)v[i]->n_cells * sizeof *out->q);
        k += v[i]->n;
    }
    return rc;
}

/* A module's files F/modules/<id>.{json,weights,holdout.csv} (weights m:
** its group's) and its train.csv row (e0, e1: base and fine-tuned hold-out
** EMD). */
static int save_module(const flt_args *a, const mdl_model *m, const flt_module *fm,
                       const mod_data *md, double e0, double e1, int tuned, char *row,
                       size_t len, rad_err *err)
{
    char pj[4200], pw[4200], hash[17];
    snprintf(pj, sizeof pj, "%s/modules/%s.json", a->out, fm->id);
    snprintf(pw, sizeof pw, "%s/modules/%s.weights", a->out, fm->id);
    /* provenance of the module's files: no date, so that sharded and whole
    ** runs give the same bytes (tests/shard_merge.sh) */
    rad_prov prov;
    rad_prov_init(&prov, "model", "fleet");
    prov.deterministic = true;
    rad_prov_opt(&prov, "module", "%s", fm->id);
    if (strcmp(fm->group, fm->id))
        rad_prov_opt(&prov, "group", "%s", fm->group);
    int rc = RAD_OK;
    if (fm->data[0])
        rc = rad_prov_src_file(&prov.data, fm->data, err);
    else
        rad_prov_src_mem(&prov.data, "synthetic", "", 0);
    prov.rows = (long)md->tr.n;
    if (!rc)
        rc = mdl_save_prov(m, pj, pw, &prov, err);
    snprintf(pj, sizeof pj, "%s/modules/%s.holdout.csv", a->out, fm->id);
    snprintf(prov.kind, sizeof prov.kind, "csv");      /* the hold-out rows */
    mdl_prov_set(&prov, m);
    prov.rows = (long)md->ho.n;
    rad_prov_opt(&prov, "part", "hold-out");
    if (!rc)                     /* what `fleet verify` streams through the RTL */
        rc = dat_write_csv(pj, &md->ho, &prov, err);
    if (!rc)
        rc = flt_model_hash(m, hash, err);
    if (!rc)
        snprintf(row, len, "%s,%s,%d,%zu,%zu,%.6f,%.6f,%s,%s,%s", fm->id, fm->hd ? "hd" : "ld",
                 fm->links, md->tr.n, md->ho.n, e0, e1, tuned ? "tuned" : "base", hash,
                 fm->group);
    return rc;
}

/* Prefixes err with the module's id and manifest line (unless named). */
static void name_module(const flt_module *fm, rad_err *err)
{
    if (err->msg[0] && !strstr(err->msg, fm->id)) {
        char msg[sizeof err->msg + 160];
        snprintf(msg, sizeof msg, "module %s (manifest line %d): %s", fm->id, fm->line, err->msg);
        rad_errf(err, err->code, "%s", msg);
    }
}

/* Contract: group g of the manifest (one module, or several sharing one
** model): each member's crossings; the base at the group's link count,
** fine-tuned on the members' fitting parts together (epoch chosen on their
** validation parts together); per member its base and fine-tuned hold-out
** EMD, its files and its row as item k (its manifest index) of p.  With
** one member this is exactly the per-module fine-tuning. */
static int train_group(const flt_args *a, const mdl_model *base, const flt_manifest *f,
                       size_t g, flt_part *p, rad_err *err)
{
    size_t nm = 0, *ix = malloc(f->n * sizeof *ix);
    mod_data *md = calloc(f->n, sizeof *md);
    const dat_set **fits = calloc(f->n, sizeof *fits), **vals = calloc(f->n, sizeof *vals);
    double *e0 = calloc(f->n, sizeof *e0);
    mdl_model *m = mdl_clone(base);
    int rc = ix && md && fits && vals && e0 && m ? RAD_OK
             : rad_errf(err, RAD_ENOMEM, "out of memory"), tuned = 0;
    for (size_t k = 0; k < f->n && !rc; k++)
        if (f->mod[k].gi == g) {
            ix[nm] = k;
            if (nm == 0)
                rc = mdl_set_links(m, f->mod[k].links, err);
            if (!rc)
                rc = module_data(a, m, &f->mod[k], &md[nm], err);
            if (!rc && (e0[nm] = trn_emd_median(m, &md[nm].ho, err)) < 0)
                rc = err->code ? err->code : RAD_EMISMATCH;
            if (rc)
                name_module(&f->mod[k], err);
            fits[nm] = &md[nm].fit;
            vals[nm] = &md[nm].val;
            nm++;
        }
    dat_set fit = { 0 }, val = { 0 };
    if (!rc && !(rc = concat_sets(fits, nm, &fit, err)) && !(rc = concat_sets(vals, nm, &val, err)))
        rc = tune(a, m, &fit, &val, &tuned, err);
    for (size_t j = 0; j < nm && !rc; j++) {
        char row[512];
        double e1 = trn_emd_median(m, &md[j].ho, err);
        rc = e1 < 0 ? (err->code ? err->code : RAD_EMISMATCH)
                    : save_module(a, m, &f->mod[ix[j]], &md[j], e0[j], e1, tuned, row,
                                  sizeof row, err);
        if (rc)
            name_module(&f->mod[ix[j]], err);
        else
            rc = flt_part_item(p, ix[j], row, err);
        if (!rc)
            printf("fleet train: %-12s %s\n", f->mod[ix[j]].id, row);
    }
    dat_free(&fit);
    dat_free(&val);
    for (size_t j = 0; md && j < nm; j++)
        dat_free(&md[j].d);
    mdl_free(m);
    free(ix);
    free(md);
    free(fits);
    free(vals);
    free(e0);
    return rc;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* OUT/sub, the fleet folder's own structure: OUT is made when missing (its
** parent must exist: rad_mkdir_out), sub inside it. */
static int fleet_dir(const flt_args *a, const char *sub, rad_err *err)
{
    bool created;
    char d[4200];
    snprintf(d, sizeof d, "%s/%s", a->out, sub);
    int rc = rad_mkdir_out(a->out, &created, err);
    return rc ? rc : rad_mkdirs(d, err);
}

/* Meta shard_by: each module's group index (a group is one shard unit). */
static int shard_by_group(const flt_manifest *f, flt_part *p, rad_err *err)
{
    char *list = malloc(f->n * 24 + 1);
    size_t k = 0;
    if (!list)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    for (size_t i = 0; i < f->n; i++)
        k += (size_t)sprintf(list + k, "%s%zu", i ? "," : "", f->mod[i].gi);
    int rc = flt_part_meta(p, "shard_by", list, err);
    free(list);
    return rc;
}

/* Contract: `fleet train`: the manifest, the base model and the job key;
** every group of this shard (all without --shard) trained (train_group);
** train.csv with its provenance block, or this shard's partial. */
static int fleet_train(const flt_args *a, rad_err *err)
{
    trn_loss_kind lk;
    if (!a->manifest)
        return rad_errf(err, RAD_EUSAGE, "--manifest is required");
    if (a->loss && trn_loss_parse(a->loss, &lk))
        return rad_errf(err, RAD_EUSAGE, "--loss '%s': sinkhorn, telescope, "
                        "wmse or mse", a->loss);
    flt_manifest f;
    mdl_model *base = NULL;
    int rc = flt_manifest_load(a->manifest, &f, err);
    if (rc)
        return rc;
    char key[17], table[4200];
    flt_part p = { 0 };
    if (!(rc = load_base(a, &base, err)) && !(rc = train_key(a, base, key, err)))
        rc = flt_part_init(&p, "fleet-train", key, &a->shard, f.n, a->argc, a->argv,
                           err);
    if (!rc)
        rc = fleet_dir(a, "modules", err);
    if (!rc && f.grouped)
        rc = shard_by_group(&f, &p, err);
    double t0 = now();
    for (size_t g = 0; g < f.n_groups && !rc; g++) {
        if (!flt_shard_has(&a->shard, g))
            continue;
        double t1 = now();
        rc = train_group(a, base, &f, g, &p, err);
        if (!rc && f.grouped)
            printf("fleet train: group %zu of %zu [%.1f s]\n", g + 1, f.n_groups, now() - t1);
    }
    snprintf(table, sizeof table, "%s/train.csv", a->out);
    rad_prov prov;
    if (!rc)
        rc = flt_table_prov(a, base, a->manifest, f.n, &prov, err);
    if (!rc)
        rc = flt_finish(a, &p, table, FLT_TRAIN_HEADER, &prov, err);
    if (!rc)
        printf("fleet train: %zu modules in %.1f s\n", p.n_items, now() - t0);
    flt_part_free(&p);
    mdl_free(base);
    flt_manifest_free(&f);
    return rc;
}

/* ---- images ------------------------------------------------------------------ */

/* Image of one module (a row of train.csv) and its index row. */
static int image_module(const flt_args *a, char *trow, char *row, size_t len,
                        mdl_model **first, rad_err *err)
{
    char *c[FLT_TRAIN_FIELDS + 1], pj[4200], img[4200], hash[17];
    if (flt_csv_fields(trow, c, FLT_TRAIN_FIELDS + 1) != FLT_TRAIN_FIELDS)
        return rad_errf(err, RAD_ESCHEMA, "%s/train.csv: row of '%s' has not %d fields "
                        "(written by another version?)", a->out, trow, FLT_TRAIN_FIELDS);
    mdl_model *m = NULL;
    snprintf(pj, sizeof pj, "%s/modules/%s.json", a->out, c[0]);
    int rc = mdl_load(pj, NULL, &m, err);
    if (!rc)
        rc = flt_model_hash(m, hash, err);
    if (!rc && strcmp(hash, c[8]))
        rc = rad_errf(err, RAD_EMISMATCH, "%s: weights hash %s, train.csv says %s (the "
                      "weights changed after training)", pj, hash, c[8]);
    if (!rc) {     /* named inside the fleet folder: the same image bytes wherever it is */
        snprintf(m->src_model.name, sizeof m->src_model.name, "modules/%s.json", c[0]);
        snprintf(m->src_weights.name, sizeof m->src_weights.name, "modules/%s.weights", c[0]);
    }
    snprintf(img, sizeof img, "%s/images/%s.hex", a->out, c[0]);
    cg_opts co;                  /* the image's provenance names the generator options */
    cg_opts_default(&co);
    if (!rc)
        rc = cg_gen_image(m, &co, img, err);
    uint64_t ck = RAD_FNV1A_INIT;
    if (!rc)
        rc = flt_fnv_file(&ck, img, err);
    if (!rc)
        snprintf(row, len, "%s,images/%s.hex,%016llx,%s,%s,%s,%d", c[0], c[0],
                 (unsigned long long)ck, hash, c[6], c[2],
                 (int)((mdl_i2c_bits(m) + 31) / 32));
    if (!rc && !*first) {
        *first = m;
        m = NULL;
    }
    mdl_free(m);
    return rc;
}

/* The fleet's one design: reconfigurable weights, from the first module's
** description (every module shares it), generated once here. */
static int gen_design(const flt_args *a, const mdl_model *m, rad_err *err)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/rtl", a->out);
    cg_opts o;
    cg_opts_default(&o);
    o.model_name = "fleet base (weights through the cfg port)";
    o.weights_name = "reset values of the first module";
    int rc = rad_mkdirs(dir, err);
    if (!rc)
        rc = cg_gen_verilog(m, &o, dir, err);
    if (!rc)
        printf("fleet images: the fleet's design in %s (top %s, weights as registers)\n", dir,
               o.top);
    return rc;
}

static int fleet_images(const flt_args *a, rad_err *err)
{
    char table[4200], row[512];
    char **rows;
    size_t n;
    snprintf(table, sizeof table, "%s/train.csv", a->out);
    int rc = flt_table_read(table, FLT_TRAIN_HEADER, &rows, &n, err);
    if (rc)
        return rc;
    flt_part p = { 0 };
    flt_shard whole = { 0, 0 };
    mdl_model *first = NULL;
    rc = flt_part_init(&p, "fleet-images", "-", &whole, n, a->argc, a->argv, err);
    if (!rc)
        rc = fleet_dir(a, "images", err);
    for (size_t k = 0; k < n && !rc; k++)
        if (!(rc = image_module(a, rows[k], row, sizeof row, &first, err)))
            rc = flt_part_item(&p, k, row, err);
    snprintf(table, sizeof table, "%s/images/index.csv", a->out);
    if (!rc && first)
        rc = gen_design(a, first, err);
    rad_prov prov;
    char tp[4200];
    snprintf(tp, sizeof tp, "%s/train.csv", a->out);
    if (!rc)
        rc = flt_table_prov(a, NULL, tp, n, &prov, err);
    if (!rc)
        rc = flt_table_finish(&p, table, FLT_INDEX_HEADER, &prov, err);
    if (!rc)
        printf("fleet images: %zu images, index %s\n", p.n_items, table);
    mdl_free(first);
    flt_part_free(&p);
    flt_rows_free(rows, n);
    return rc;
}

int cmd_fleet(int argc, char **argv)
{
    flt_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    setvbuf(stdout, NULL, _IOLBF, 0);
    rad_err err = { 0, "" };
    if (a.shard.n && strcmp(a.step, "train") && strcmp(a.step, "verify")) {
        fprintf(stderr, "rad4ml fleet: --shard goes with train and verify\n");
        return 2;
    }
    if (!strcmp(a.step, "train"))
        rc = fleet_train(&a, &err);
    else if (!strcmp(a.step, "images"))
        rc = fleet_images(&a, &err);
    else if (!strcmp(a.step, "verify"))
        rc = flt_verify(&a, &err);
    else if (!strcmp(a.step, "report"))
        rc = flt_report(&a, &err);
    else {
        fprintf(stderr, "rad4ml fleet: unknown step '%s' (train, images, verify, report)\n",
                a.step);
        return 2;
    }
    if (rc)
        fprintf(stderr, "rad4ml fleet %s: %s\n", a.step, err.msg);
    return rc ? 1 : 0;
}
