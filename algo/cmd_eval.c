/*
** cmd_eval.c — `rad4ml eval`: EMD of the autoencoder and the conventional
** ECON-T algorithms at an equal output-link budget.
**
** For every crossing of the evaluation set, each algorithm's reconstructed
** module (what the back end would see) is compared with the input CALQ by
** the exact EMD (algo/emd.h).  The table gives per algorithm the bits sent
** per crossing and the EMD median / mean / 16% / 84% quantiles, overall and
** per occupancy bin (TCs with CALQ > 35 = 1 MIP_T; facts 5.2).
**
** Hold-out: the trainer uses the first DAT_TRAIN_FRACTION (75 %) of the
** crossings; by default eval uses the last 25 % (--holdout 0.25), so the
** autoencoder is never scored on what it was trained on.  --holdout 1 uses
** every crossing.
*/
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algo/baseline.h"
#include "algo/emd.h"
#include "common/rad_file.h"
#include "data/dataset.h"
#include "fleet/flt_part.h"
#include "engine/engine.h"
#include "model/model_io.h"
#include "tools/cli.h"
#include "tools/cmd.h"

#define EV_MAX_ALGOS 5
#define EV_N_BINS    5

static const int ev_bin_lo[EV_N_BINS] = { 0, 2, 5, 10, 15 };
static const char *ev_bin_name[EV_N_BINS] = { "0-2", "2-5", "5-10", "10-15", "15+" };

typedef struct {
    char    name[16];
    char    desc[96];
    double *emd;            /* one per crossing; < 0: the EMD convention code */
    double  bits_sum;
    int     bits_fixed;     /* -1 when data dependent */
    size_t  n_over;         /* crossings whose bits exceed the link budget */
    size_t  dec_params;     /* autoencoder: the back-end decoder's weights and */
    size_t  dec_macs;       /* MACs per crossing (0: not an autoencoder)        */
    char    dec_cond[48];   /* its conditions ("log_sum+n_links", "none")       */
} ev_algo;

typedef struct {
    size_t n;
    double median, mean, std, q16, q84;
    double worst1;          /* mean of the worst ceil(n/100) crossings (>= 1) */
} ev_stats;

typedef struct {
    const char *model, *weights, *data, *json, *mapping, *calib;
    dat_format  fmt;
    int         links, drop, thr, no_ae, max, sweep;
    double      holdout;
    flt_shard   shard;      /* --sweep --shard i/N: link counts k with (k-1) % N == i */
    int         argc;
    char      **argv;
    rad_prov    prov;       /* of the JSON: model, weights, data, options */
} ev_opts;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(const double *sorted, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h), hi = lo + 1 < n ? lo + 1 : lo;
    return sorted[lo] + (h - (double)lo) * (sorted[hi] - sorted[lo]);
}

/* Statistics of the valid EMD values (>= 0) whose occupancy falls in
** [lo, hi); scratch holds n doubles. */
static ev_stats stats_of(const double *emd, const int *occ, size_t n, int lo,
                         int hi, double *scratch)
{
    ev_stats s = { 0, NAN, NAN, NAN, NAN, NAN, NAN };
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++)
        if (emd[i] >= 0 && occ[i] >= lo && occ[i] < hi) {
            scratch[s.n++] = emd[i];
            sum += emd[i];
            sum2 += emd[i] * emd[i];
        }
    if (s.n == 0)
        return s;
    qsort(scratch, s.n, sizeof *scratch, cmp_double);
    s.mean = sum / (double)s.n;
    s.std = sqrt(fmax(0, sum2 / (double)s.n - s.mean * s.mean));
    s.median = quantile(scratch, s.n, 0.5);
    s.q16 = quantile(scratch, s.n, 0.16);
    s.q84 = quantile(scratch, s.n, 0.84);
    size_t k = (s.n + 99) / 100;
    double tail = 0;
    for (size_t i = s.n - k; i < s.n; i++)
        tail += scratch[i];
    s.worst1 = tail / (double)k;
    return s;
}

/* The budget rule: an algorithm is over budget when its mean bits per
** crossing exceed what the links carry (a data-dependent one also says on
** how many crossings it overflows). */
static double mean_bits(const ev_algo *al, size_t n_ev)
{
    return al->bits_sum / (double)n_ev;
}

static int over_budget(const ev_algo *al, size_t n_ev, int links)
{
    return mean_bits(al, n_ev) > BL_LINK_BITS * links;
}

/* "ok", "OVER" or, for a data-dependent algorithm that overflows on some
** crossings, the share of them ("ok, 3% over" / "OVER, 62% over"). */
static void budget_text(const ev_algo *al, size_t n_ev, int links, char *buf,
                        size_t size)
{
    const char *verdict = over_budget(al, n_ev, links) ? "OVER" : "ok";
    if (al->bits_fixed < 0 && al->n_over)
        snprintf(buf, size, "%s,%3.0f%%", verdict, 100.0 * (double)al->n_over / (double)n_ev);
    else
        snprintf(buf, size, "%s", verdict);
}

static void eval_usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml eval [options]\n"
"\n"
"EMD (exact earth mover's distance, sensor-cell pitch units) between the\n"
"input charges and what the back end reconstructs from: the autoencoder\n"
"(encoder bit-exact + float decoder), threshold, best choice (BC), STC4 and\n"
"STC16, all at the budget of N output links (32 bits each per crossing).\n"
"An algorithm whose mean bits per crossing exceed the budget is marked OVER\n"
"(column 'budget', JSON 'over_budget'); for data-dependent ones the share\n"
"of crossings that overflow is shown too.\n"
"\n"
"options:\n"
"  --model M.json     model (default: the built-in ECON-T model)\n"
"  --weights W        weights file for --model (default: beside the JSON)\n"
"  --no-ae            baselines only\n"
"  --data FILE        ePortRX or 48-charge CSV (default: %s in\n"
"                     $RAD4ML_DATA_DIR or data/samples)\n"
"  --format FMT       auto (default) | eportrx | csv\n"
"  --mapping FILE     TC mapping CSV for ePortRX input (default built-in LD)\n"
"  --calib FILE       48 CALVALUE registers (default 2048 pass-through)\n"
"  --drop-lsb N       1 = LD (default), 3 = HD\n"
"  --links N          output links 1..13 (default: the model's, else 5)\n"
"  --holdout F        evaluate the last fraction F of the crossings\n"
"                     (default 0.25: the part training does not use; 1 = all)\n"
"  --threshold CALQ   threshold algorithm cut (default %d = 1.35 MIP_T)\n"
"  --max N            at most N crossings (from the start of the hold-out)\n"
"  --sweep            every link count 1..13: EMD median and bits per\n"
"                     algorithm (ignores --links)\n"
"  --json FILE        also write the results as JSON (atomic)\n"
"  --shard i/N        --sweep --json: only the link counts k with (k-1) %% N == i;\n"
"                     writes FILE.part-i-of-N for `rad4ml merge` (fleet/README.md)\n"
"  -h, --help\n", DAT_DEFAULT_FILE, BL_DEFAULT_THR);
}

/* Parses the `rad4ml eval` command line into o (defaults first): 0, -1
** after --help, or 2 with the message printed.  o keeps pointers into
** argv. */
static int parse_opts(int argc, char **argv, ev_opts *o)
{
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "weights", required_argument, 0, 'w' },
        { "no-ae", no_argument, 0, 'n' }, { "data", required_argument, 0, 'd' },
        { "format", required_argument, 0, 'f' }, { "mapping", required_argument, 0, 'M' },
        { "calib", required_argument, 0, 'c' }, { "drop-lsb", required_argument, 0, 'D' },
        { "links", required_argument, 0, 'l' }, { "holdout", required_argument, 0, 'H' },
        { "threshold", required_argument, 0, 't' }, { "max", required_argument, 0, 'x' },
        { "json", required_argument, 0, 'j' }, { "sweep", no_argument, 0, 'S' }, { "help", no_argument, 0, 'h' },
        { "shard", required_argument, 0, 'Z' },
        { 0, 0, 0, 0 }
    };
    memset(o, 0, sizeof *o);
    o->drop = 1;
    o->thr = BL_DEFAULT_THR;
    o->holdout = 1.0 - DAT_TRAIN_FRACTION;
    int c, rc = 0;
    rad_err err = { 0 };
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': o->model = optarg; break;
        case 'w': o->weights = optarg; break;
        case 'n': o->no_ae = 1; break;
        case 'S': o->sweep = 1; break;
        case 'Z': rc = flt_shard_parse(optarg, &o->shard, &err); break;
        case 'd': o->data = optarg; break;
        case 'M': o->mapping = optarg; break;
        case 'c': o->calib = optarg; break;
        case 'j': o->json = optarg; break;
        case 'f':
            if (!strcmp(optarg, "auto")) o->fmt = DAT_FMT_AUTO;
            else if (!strcmp(optarg, "eportrx")) o->fmt = DAT_FMT_EPORTRX;
            else if (!strcmp(optarg, "csv")) o->fmt = DAT_FMT_CSV;
            else {
                fprintf(stderr, "rad4ml eval: --format %s: expected auto, eportrx "
                        "or csv\n", optarg);
                return 2;
            }
            break;
        case 'D': rc = rad_cli_int("--drop-lsb", optarg, 0, 3, &o->drop, &err); break;
        case 'l': rc = rad_cli_int("--links", optarg, 1, BL_MAX_LINKS, &o->links, &err); break;
        case 't': rc = rad_cli_int("--threshold", optarg, 0, (1 << 22) - 1, &o->thr, &err); break;
        case 'x': rc = rad_cli_int("--max", optarg, 1, 1 << 30, &o->max, &err); break;
        case 'H': rc = rad_cli_double("--holdout", optarg, 1e-9, 1, &o->holdout, &err); break;
        case 'h': eval_usage(stdout); return 0;
        default: eval_usage(stderr); return 2;
        }
    }
    if (rc)
        return cli_usage_error("eval", &err);
    if (optind != argc) {
        fprintf(stderr, "rad4ml eval: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (o->weights && !o->model) {
        fprintf(stderr, "rad4ml eval: --weights needs --model\n");
        return 2;
    }
    if (o->shard.n && (!o->sweep || !o->json)) {
        fprintf(stderr, "rad4ml eval: --shard goes with --sweep --json FILE\n");
        return 2;
    }
    o->argc = argc;
    o->argv = argv;
    return -1;      /* go on */
}

/* Loads the evaluation crossings (a view into *all). */
static int load_data(const ev_opts *o, char *path, size_t size, dat_set *all,
                     dat_set *ev, size_t *first, rad_err *err)
{
    dat_frontend fe;
    dat_frontend_default(&fe);
    fe.drop_lsb = o->drop;
    int rc = RAD_OK;
    if (o->data)
        snprintf(path, size, "%s", o->data);
    else
        rc = dat_default_path(path, size, err);
    if (!rc && o->mapping)
        rc = dat_frontend_load_mapping(&fe, o->mapping, err);
    if (!rc && o->calib)
        rc = dat_frontend_load_calib(&fe, o->calib, err);
    if (!rc)
        rc = dat_load(path, o->fmt, &fe, all, err);
    if (rc)
        return rc;
    *first = dat_split_point(all->n, 1.0 - o->holdout);
    size_t end = all->n;
    if (o->max && *first + (size_t)o->max < end)
        end = *first + (size_t)o->max;
    dat_slice(all, *first, end, ev);
    if (ev->n == 0)
        return rad_errf(err, RAD_ESCHEMA, "%s: no crossings left for evaluation "
                        "(%zu in the file, hold-out %.3g)", path, all->n, o->holdout);
    return RAD_OK;
}

/* The model (with a decoder); *m stays NULL when the AE is not evaluated. */
static int load_model(const ev_opts *o, int links, mdl_model **m, rad_err *err)
{
    cli_model_src src = { o->model, o->weights, -1, false, links };
    int rc = cli_model_load(&src, m, err);
    if (!rc && (*m)->n_dec == 0)
        rc = rad_errf(err, RAD_ESCHEMA, "%s: the model has no decoder; the "
                      "autoencoder cannot be evaluated (use --no-ae)",
                      o->model ? o->model : "built-in model");
    if (rc) {
        mdl_free(*m);
        *m = NULL;
    }
    return rc;
}

/* EMD as eval counts it: a crossing with no charge in and none out is an
** exact reconstruction (0: nothing to move), not dropped; one empty side
** keeps the metrics.py code (EMD_EMPTY_IN / _OUT, the "empty" column). */
static double emd_counted(emd_ctx *e, const double *a, const double *b)
{
    double sa = 0, sb = 0;
    for (int t = 0; t < GEO_N_CELLS; t++) {
        sa += a[t];
        sb += b[t];
    }
    return sa == 0 && sb == 0 ? 0.0 : emd_compute(e, a, b);
}

static double emd_counted_u32(emd_ctx *e, const uint32_t *q, const uint32_t *r)
{
    double a[GEO_N_CELLS], b[GEO_N_CELLS];
    for (int t = 0; t < GEO_N_CELLS; t++) {
        a[t] = q[t];
        b[t] = r[t];
    }
    return emd_counted(e, a, b);
}

/* AE of one crossing: encode (bit-exact), float-decode, EMD. */
static double run_ae(const mdl_model *m, const eng_plan *plan, emd_ctx *e,
                     const uint32_t *q, rad_err *err, int *rc)
{
    eng_out out;
    float cells[MDL_MAX_CELLS];
    double a[GEO_N_CELLS], b[GEO_N_CELLS];
    if (plan)
        eng_encode(plan, q, &out);
    else
        eng_encode_generic(m, q, &out);
    if ((*rc = eng_decode(m, &out, cells, err)))
        return EMD_INVALID;
    for (int t = 0; t < GEO_N_CELLS; t++) {
        a[t] = q[t];
        b[t] = cells[t] > 0 ? cells[t] : 0;   /* negative charge is no charge */
    }
    return emd_counted(e, a, b);
}

static void print_row(const ev_algo *al, const ev_stats *s, size_t n_ev, int links,
                      size_t n_empty)
{
    char bits[32], budget[32];
    if (al->bits_fixed >= 0)
        snprintf(bits, sizeof bits, "%d", al->bits_fixed);
    else
        snprintf(bits, sizeof bits, "%.1f avg", mean_bits(al, n_ev));
    budget_text(al, n_ev, links, budget, sizeof budget);
    char par[24] = "-", macs[24] = "-";
    if (al->dec_params) {
        snprintf(par, sizeof par, "%zu", al->dec_params);
        snprintf(macs, sizeof macs, "%zu", al->dec_macs);
    }
    if (s->n)
        printf("%-44s %10s %-9s %8.3f %8.3f %8.3f %8.3f %8.3f %6zu %9s %9s\n", al->desc, bits,
               budget, s->median, s->mean, s->q16, s->q84, s->worst1, n_empty, par, macs);
    else                          /* no defined EMD: say so, not "nan" */
        printf("%-44s %10s %-9s %8s %8s %8s %8s %8s %6zu %9s %9s\n", al->desc, bits, budget,
               "-", "-", "-", "-", "-", n_empty, par, macs);
}

/* The budget fields of one algorithm's JSON object. */
static void budget_json(json_t *j, const ev_algo *al, size_t n_ev, int links)
{
    json_object_set_new(j, "bits_mean", json_real(mean_bits(al, n_ev)));
    json_object_set_new(j, "fits_budget", json_boolean(!over_budget(al, n_ev, links)));
    json_object_set_new(j, "over_budget", json_boolean(over_budget(al, n_ev, links)));
    json_object_set_new(j, "crossings_over_budget", json_integer((json_int_t)al->n_over));
}

/* The autoencoder's back-end decoder cost (nothing for the baselines). */
static void decoder_json(json_t *j, const ev_algo *al)
{
    if (!al->dec_params)
        return;
    json_t *d = json_object();
    json_object_set_new(d, "params", json_integer((json_int_t)al->dec_params));
    json_object_set_new(d, "macs", json_integer((json_int_t)al->dec_macs));
    json_object_set_new(d, "conditions", json_string(al->dec_cond));
    json_object_set_new(j, "decoder", d);
}

static json_t *stats_json(const ev_stats *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "n", json_integer((json_int_t)s->n));
    if (s->n) {
        json_object_set_new(j, "median", json_real(s->median));
        json_object_set_new(j, "mean", json_real(s->mean));
        json_object_set_new(j, "std", json_real(s->std));
        json_object_set_new(j, "q16", json_real(s->q16));
        json_object_set_new(j, "q84", json_real(s->q84));
        json_object_set_new(j, "worst1", json_real(s->worst1));
        json_object_set_new(j, "worst1_n", json_integer((json_int_t)((s->n + 99) / 100)));
    }
    return j;
}

/* Writes root with the provenance block of o to o->json. */
static int write_json(json_t *root, const ev_opts *o, rad_err *err)
{
    json_object_set_new(root, "provenance", rad_prov_json(&o->prov));
    return rad_json_write(o->json, root, JSON_INDENT(2), err);
}

/* The per-occupancy-bin block of the table: for each algorithm the
** median, mean, 84th percentile and worst 1 % (mean of the worst
** ceil(n/100) crossings of the bin) of its EMD. */
static void print_bins(const ev_algo *al, int n_al, ev_stats st[][EV_N_BINS])
{
    static const char *const names[] = { "median", "mean", "84%", "worst1%" };
    printf("\nEMD by occupancy (TCs with CALQ > %d = 1 MIP_T); worst1%% = mean of the "
           "worst 1 %% of the bin's crossings (at least one):\n%-12s %-8s", BL_MIP_T,
           "algorithm", "");
    for (int b = 0; b < EV_N_BINS; b++)
        printf(" %8s", ev_bin_name[b]);
    printf("\n%-12s %-8s", "crossings", "");
    for (int b = 0; b < EV_N_BINS; b++)
        printf(" %8zu", st[0][b].n);
    printf("\n");
    for (int k = 0; k < n_al; k++)
        for (int r = 0; r < 4; r++) {
            printf("%-12s %-8s", r ? "" : al[k].name, names[r]);
            for (int b = 0; b < EV_N_BINS; b++) {
                const ev_stats *x = &st[k][b];
                double v = r == 0 ? x->median : r == 1 ? x->mean : r == 2 ? x->q84 : x->worst1;
                if (x->n)
                    printf(" %8.3f", v);
                else
                    printf(" %8s", "-");
            }
            printf("\n");
        }
}

/* Whether the autoencoder (al[0]) has a lower overall median AND mean EMD
** than every other algorithm within the link budget: one line, and the
** JSON field "ae_beats_in_budget" {median, mean, both}. */
static void verdict(const ev_algo *al, int n_al, size_t n, int links, const int *occ,
                    double *scratch, json_t *root)
{
    ev_stats ae = stats_of(al[0].emd, occ, n, 0, 1 << 30, scratch);
    bool med = ae.n > 0, mean = ae.n > 0;
    int best = -1;
    double best_med = INFINITY;
    for (int k = 1; k < n_al; k++) {
        ev_stats s = stats_of(al[k].emd, occ, n, 0, 1 << 30, scratch);
        if (over_budget(&al[k], n, links) || !s.n)
            continue;
        med = med && ae.median < s.median;
        mean = mean && ae.mean < s.mean;
        if (s.median < best_med) {
            best_med = s.median;
            best = k;
        }
    }
    printf("\nautoencoder vs every algorithm within the budget: median %s, mean %s",
           med ? "lower" : "NOT lower", mean ? "lower" : "NOT lower");
    if (best >= 0)
        printf(" (best other by median: %s)", al[best].name);
    printf("\n");
    json_t *j = json_object();
    json_object_set_new(j, "median", json_boolean(med));
    json_object_set_new(j, "mean", json_boolean(mean));
    json_object_set_new(j, "both", json_boolean(med && mean));
    json_object_set_new(root, "ae_beats_in_budget", j);
}

/* --sweep --shard i/N: the shard's link counts as a partial of the JSON
** (fleet/flt_part.h); `rad4ml merge` writes what write_json would. */
static int write_sweep_shard(json_t *root, const ev_opts *o, rad_err *err)
{
    size_t idx[BL_MAX_LINKS], n = 0;
    char key[17];
    for (size_t k = 0; k < BL_MAX_LINKS; k++)
        if (flt_shard_has(&o->shard, k))
            idx[n++] = k;
    json_object_set_new(root, "provenance", rad_prov_json(&o->prov));
    flt_prov_key(&o->prov, NULL, key);
    return flt_json_shard_write(root, "sweep", idx, BL_MAX_LINKS, JSON_INDENT(2), "eval-sweep",
                                key, &o->shard, o->argc, o->argv, o->json, err);
}

/* Prints the EMD table of the n_al algorithms al over the n hold-out
** crossings (first .. first+n-1 of n_all, occupancies occ) and, with
** --json, writes it atomically to o->json.  Borrows everything; RAD_OK or
** the reason. */
static int report(const ev_opts *o, const char *path, size_t n_all, size_t first,
                  int links, ev_algo *al, int n_al, const int *occ, size_t n,
                  rad_err *err)
{
    double *scratch = malloc(n * sizeof *scratch);
    if (!scratch)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    json_t *root = json_object(), *ja = json_array();
    printf("rad4ml eval: %s: crossings %zu..%zu of %zu (%zu, hold-out %.3g), "
           "%d link%s = %d bits/crossing\n\n", path, first, first + n - 1, n_all, n,
           o->holdout, links, links > 1 ? "s" : "", BL_LINK_BITS * links);
    printf("%-44s %10s %-9s %8s %8s %8s %8s %8s %6s %9s %9s\n", "algorithm", "bits/BX",
           "budget", "EMD med", "mean", "16%", "84%", "worst1%", "empty", "dec par", "dec MACs");
    ev_stats st[EV_MAX_ALGOS][EV_N_BINS];
    for (int k = 0; k < n_al; k++) {
        ev_stats s = stats_of(al[k].emd, occ, n, 0, 1 << 30, scratch);
        size_t empty = 0, empty_in = 0;
        for (size_t i = 0; i < n; i++) {
            empty += al[k].emd[i] == EMD_EMPTY_OUT;
            empty_in += al[k].emd[i] == EMD_EMPTY_IN;
        }
        print_row(&al[k], &s, n, links, empty + empty_in);
        for (int b = 0; b < EV_N_BINS; b++)
            st[k][b] = stats_of(al[k].emd, occ, n, ev_bin_lo[b],
                                b + 1 < EV_N_BINS ? ev_bin_lo[b + 1] : 1 << 30, scratch);
        json_t *j = json_object(), *jb = json_array();
        json_object_set_new(j, "name", json_string(al[k].name));
        json_object_set_new(j, "description", json_string(al[k].desc));
        json_object_set_new(j, "bits_fixed", al[k].bits_fixed >= 0
                            ? json_integer(al[k].bits_fixed) : json_null());
        budget_json(j, &al[k], n, links);
        decoder_json(j, &al[k]);
        json_object_set_new(j, "empty_output", json_integer((json_int_t)empty));
        json_object_set_new(j, "empty_input", json_integer((json_int_t)empty_in));
        json_object_set_new(j, "emd", stats_json(&s));
        for (int b = 0; b < EV_N_BINS; b++) {
            json_t *x = stats_json(&st[k][b]);
            json_object_set_new(x, "occ_lo", json_integer(ev_bin_lo[b]));
            json_object_set_new(x, "occ_hi", b + 1 < EV_N_BINS
                                ? json_integer(ev_bin_lo[b + 1]) : json_null());
            json_array_append_new(jb, x);
        }
        json_object_set_new(j, "by_occupancy", jb);
        json_array_append_new(ja, j);
    }
    for (int k = 0; k < n_al; k++)
        if (over_budget(&al[k], n, links)) {
            printf("\nOVER: sends more bits per crossing than %d link%s carry (%d): "
                   "not a fair comparison at this budget.\n", links,
                   links > 1 ? "s" : "", BL_LINK_BITS * links);
            break;
        }
    if (n_al > 1 && !strcmp(al[0].name, "ae"))
        verdict(al, n_al, n, links, occ, scratch, root);
    print_bins(al, n_al, st);
    free(scratch);
    int rc = RAD_OK;
    if (o->json) {
        json_object_set_new(root, "data", json_string(path));
        json_object_set_new(root, "crossings_in_file", json_integer((json_int_t)n_all));
        json_object_set_new(root, "first", json_integer((json_int_t)first));
        json_object_set_new(root, "n", json_integer((json_int_t)n));
        json_object_set_new(root, "holdout", json_real(o->holdout));
        json_object_set_new(root, "links", json_integer(links));
        json_object_set_new(root, "budget_bits", json_integer(BL_LINK_BITS * links));
        json_object_set_new(root, "emd_unit", json_string("sensor-cell pitch (adjacent TCs = 2)"));
        json_object_set_new(root, "algorithms", ja);
        rc = write_json(root, o, err);
    } else {
        json_decref(ja);
    }
    json_decref(root);
    return rc;
}

/* "log_sum+n_links", or "none" for a decoder of the latents alone. */
static void cond_text(const mdl_model *m, char *buf, size_t size)
{
    snprintf(buf, size, "%s", m->n_cond ? "" : "none");
    for (int i = 0; i < m->n_cond; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? "+" : "", mdl_cond_name(m->cond[i].kind));
    }
}

/* Algorithms evaluated at `links` output links: fills al[] (emd arrays
** malloc'd, freed by free_algos) and occ[]. */
static int eval_links(const ev_opts *o, int links, mdl_model *m,
                      const dat_set *ev, emd_ctx *e, ev_algo *al, int *n_al,
                      int *occ, rad_err *err)
{
    eng_plan *plan = NULL;
    bl_config cfg[4];
    int rc = RAD_OK, n = 0;
    memset(al, 0, EV_MAX_ALGOS * sizeof *al);
    *n_al = 0;
    if (m) {
        if ((rc = mdl_set_links(m, links, err)))
            return rc;
        rad_err ignored;
        if (eng_compile(m, &plan, &ignored))
            plan = NULL;                       /* generic path instead */
        snprintf(al[n].name, sizeof al[0].name, "ae");
        snprintf(al[n].desc, sizeof al[0].desc, "autoencoder %.40s, %d x %d b",
                 m->name, mdl_latent_count(m), mdl_latent_bits(m));
        al[n].bits_fixed = BL_HEADER_BITS + m->in.sum_exp_bits + m->in.sum_mant_bits
                           + mdl_latent_count(m) * mdl_latent_bits(m);
        al[n].dec_params = mdl_dec_param_count(m);
        al[n].dec_macs = mdl_dec_macs(m);
        cond_text(m, al[n].dec_cond, sizeof al[n].dec_cond);
        n++;
    }
    for (bl_kind k = BL_THRESHOLD; k <= BL_STC16; k++, n++) {
        cfg[k] = bl_plan(k, links, o->drop);
        cfg[k].thr = o->thr;
        snprintf(al[n].name, sizeof al[0].name, "%s", bl_name(k));
        bl_describe(&cfg[k], al[n].desc, sizeof al[0].desc);
        al[n].bits_fixed = bl_fixed_bits(&cfg[k]);
    }
    *n_al = n;
    for (int k = 0; k < n; k++)
        if (!(al[k].emd = malloc(ev->n * sizeof *al[k].emd)))
            rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    for (size_t i = 0; i < ev->n && !rc; i++) {
        const uint32_t *q = dat_row(ev, i);
        occ[i] = 0;
        for (int t = 0; t < GEO_N_CELLS; t++)
            occ[i] += q[t] > BL_MIP_T;
        int k = 0;
        if (m) {
            al[0].emd[i] = run_ae(m, plan, e, q, err, &rc);
            al[0].bits_sum += al[0].bits_fixed;
            al[0].n_over += al[0].bits_fixed > BL_LINK_BITS * links;
            k = 1;
        }
        for (bl_kind b = BL_THRESHOLD; b <= BL_STC16; b++, k++) {
            uint32_t rec[GEO_N_CELLS];
            int bits = bl_run(&cfg[b], q, rec);
            al[k].bits_sum += bits;
            al[k].n_over += bits > BL_LINK_BITS * links;
            al[k].emd[i] = emd_counted_u32(e, q, rec);
        }
    }
    if (plan)
        eng_free(plan);
    return rc;
}

static void free_algos(ev_algo *al, int n_al)
{
    for (int k = 0; k < n_al; k++) {
        free(al[k].emd);
        al[k].emd = NULL;
    }
}

/* --sweep: every link count 1..13, overall EMD statistics only. */
static int sweep(const ev_opts *o, const char *path, size_t n_all, size_t first,
                 mdl_model *m, const dat_set *ev, emd_ctx *e, int *occ, rad_err *err)
{
    ev_algo al[EV_MAX_ALGOS];
    int n_al = 0, rc = RAD_OK;
    double *scratch = malloc(ev->n * sizeof *scratch);
    json_t *root = json_object(), *jl = json_array();
    if (!scratch)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    printf("rad4ml eval --sweep: %s: crossings %zu..%zu of %zu (hold-out %.3g)\n"
           "EMD median (bits per crossing) by output links:\n", path, first,
           first + ev->n - 1, n_all, o->holdout);
    for (int links = 1; links <= BL_MAX_LINKS && !rc; links++) {
        if (!flt_shard_has(&o->shard, (size_t)links - 1))
            continue;
        /* built-in: the default shipped for this link count, if any */
        mdl_model *lm = NULL;
        if (m && !o->model && mdl_default_links_json(links))
            rc = load_model(o, links, &lm, err);
        if (!rc)
            rc = eval_links(o, links, lm ? lm : m, ev, e, al, &n_al, occ, err);
        mdl_free(lm);
        if (rc)
            break;
        if (links == 1 + (int)o->shard.i) {
            printf("%5s %7s", "links", "budget");
            for (int k = 0; k < n_al; k++)
                printf(" %18s", al[k].name);
            printf("\n");
        }
        printf("%5d %7d", links, BL_LINK_BITS * links);
        json_t *jx = json_object(), *ja = json_array();
        json_object_set_new(jx, "links", json_integer(links));
        json_object_set_new(jx, "budget_bits", json_integer(BL_LINK_BITS * links));
        for (int k = 0; k < n_al; k++) {
            ev_stats st = stats_of(al[k].emd, occ, ev->n, 0, 1 << 30, scratch);
            printf(" %8.3f (%6.1f%s)", st.median, mean_bits(&al[k], ev->n),
                   over_budget(&al[k], ev->n, links) ? "!" : " ");
            json_t *j = json_object();
            json_object_set_new(j, "name", json_string(al[k].name));
            json_object_set_new(j, "description", json_string(al[k].desc));
            budget_json(j, &al[k], ev->n, links);
            json_object_set_new(j, "emd", stats_json(&st));
            json_array_append_new(ja, j);
        }
        printf("\n");
        json_object_set_new(jx, "algorithms", ja);
        json_array_append_new(jl, jx);
        free_algos(al, n_al);
    }
    free_algos(al, n_al);
    free(scratch);
    if (!rc)
        printf("(! = OVER the link budget: more bits per crossing than the links carry)\n");
    if (!rc && o->json) {
        json_object_set_new(root, "data", json_string(path));
        json_object_set_new(root, "crossings_in_file", json_integer((json_int_t)n_all));
        json_object_set_new(root, "first", json_integer((json_int_t)first));
        json_object_set_new(root, "n", json_integer((json_int_t)ev->n));
        json_object_set_new(root, "holdout", json_real(o->holdout));
        json_object_set_new(root, "emd_unit", json_string("sensor-cell pitch (adjacent TCs = 2)"));
        json_object_set_new(root, "sweep", jl);
        rc = o->shard.n ? write_sweep_shard(root, o, err) : write_json(root, o, err);
    } else {
        json_decref(jl);
    }
    json_decref(root);
    return rc;
}

/* The provenance of the JSON: model and weights (unless --no-ae), the
** data file and the crossings used, the options that change the figures. */
static int eval_prov(ev_opts *o, const mdl_model *m, const char *path, const dat_set *ev,
                     size_t first, int links, rad_err *err)
{
    rad_prov *p = &o->prov;
    rad_prov_init(p, "eval", "eval");
    if (m)
        mdl_prov_set(p, m);
    p->links = o->sweep ? 0 : links;
    p->rows = (long)ev->n;
    rad_prov_opt(p, "crossings", "%zu..%zu", first, first + ev->n - (ev->n > 0));
    rad_prov_opt(p, "holdout", "%g", o->holdout);
    if (o->sweep)
        rad_prov_opt(p, "sweep", "1..%d", BL_MAX_LINKS);
    if (o->no_ae)
        rad_prov_opt(p, "no-ae", "yes");
    if (o->drop)
        rad_prov_opt(p, "drop-lsb", "%d", o->drop);
    if (o->thr)
        rad_prov_opt(p, "threshold", "%d", o->thr);
    if (o->mapping)
        rad_prov_opt(p, "mapping", "%s", o->mapping);
    if (o->calib)
        rad_prov_opt(p, "calib", "%s", o->calib);
    return rad_prov_src_file(&p->data, path, err);
}

/* `rad4ml eval`: options, data (the hold-out view), the model unless
** --no-ae, then one link count (table + JSON) or --sweep.  Exit 0, 1 on a
** failure (reason on stderr), 2 on a usage error. */
int cmd_eval(int argc, char **argv)
{
    ev_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc >= 0)
        return rc;
    rad_err err = { 0, "" };
    char path[4096];
    dat_set all = { 0 }, ev;
    size_t first = 0;
    mdl_model *m = NULL;
    emd_ctx *e = emd_new_ld();
    ev_algo al[EV_MAX_ALGOS];
    int n_al = 0, *occ = NULL;
    if (!e) {
        fprintf(stderr, "rad4ml eval: out of memory\n");
        return 1;
    }
    rc = load_data(&o, path, sizeof path, &all, &ev, &first, &err);
    if (!rc && !o.no_ae)
        rc = load_model(&o, o.links, &m, &err);
    int links = o.links ? o.links : m ? m->out.n_links : 5;
    if (!rc)
        rc = eval_prov(&o, m, path, &ev, first, links, &err);
    if (!rc && !(occ = malloc(ev.n * sizeof *occ)))
        rc = rad_errf(&err, RAD_ENOMEM, "out of memory");
    if (!rc && o.sweep) {
        rc = sweep(&o, path, all.n, first, m, &ev, e, occ, &err);
    } else if (!rc) {
        rc = eval_links(&o, links, m, &ev, e, al, &n_al, occ, &err);
        if (!rc)
            rc = report(&o, path, all.n, first, links, al, n_al, occ, ev.n, &err);
        free_algos(al, n_al);
    }
    if (rc)
        fprintf(stderr, "rad4ml eval: %s\n", err.msg);
    free(occ);
    mdl_free(m);
    emd_free(e);
    dat_free(&all);
    return rc ? 1 : 0;
}
