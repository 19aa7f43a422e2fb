/*
** cmd_train.c — `rad4ml train`: quantization-aware training of a model,
** writing the model + integer weights that `rad4ml gen` consumes and the
** I2C weight image, then the EMD table against the conventional
** algorithms on the held-out crossings.
**
** Data split (same as `rad4ml eval --holdout`): the first DAT_TRAIN_FRACTION
** (75 %) of the crossings are for training, the last 10 % of that part
** validates (early stopping), the last 25 % are never used for training.
*/
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rad_file.h"
#include "data/dataset.h"
#include "engine/engine.h"
#include "model/model_io.h"
#include "tools/cli.h"
#include "tools/cmd.h"
#include "train/trn.h"

#define TR_I2C_WORD_BITS 1072

typedef struct {
    const char *model, *weights, *data, *out, *name;
    double      max_median, seu_eval;
    dat_format  fmt;
    trn_config  cfg;
    int         links, synth_n, quiet, no_table, eval_only, require_beat;
    int         check_exact, init_model, bench, n_sym;
    long        limit;
    double      val_fraction, train_fraction;
} tr_opts;

/* The `rad4ml train --help` text, to fp. */
static void usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml train [options] --out PREFIX\n"
"       rad4ml train --eval-only --model M.json [--require-beat]\n"
"       rad4ml train --bench [--data ...]\n"
"\n"
"Quantization-aware training of the model's encoder (integer-exact forward in\n"
"the model's fixed-point formats, straight-through gradients) and float decoder.\n"
"Writes PREFIX.json + PREFIX.weights (for `rad4ml gen`) and PREFIX.i2c.hex\n"
"(the weight registers, %d-bit words), then prints the EMD of the autoencoder,\n"
"best choice and STC on the held-out crossings (last 25 %%).\n"
"\n"
"model and data:\n"
"  --model FILE       model description (default: built-in ECON-T)\n"
"  --weights FILE     its weights file (default: beside the model; not read when\n"
"                     training from scratch unless named)\n"
"  --init MODE        random (default) or model (start from the model's weights)\n"
"  --links N          output links (latent bits from the model), default: model's\n"
"  --data SRC         crossings file (ePortRX or 48-charge CSV), 'synthetic',\n"
"                     or 'default' (data/samples, $RAD4ML_DATA_DIR)\n"
"  --format F         auto (default), eportrx or csv\n"
"  --synthetic-n N    synthetic crossings (default 8000)\n"
"  --limit N          use only the first N crossings of the data\n"
"  --train-fraction F training part of the data (default %.2f; the rest is held out)\n"
"  --val-fraction F   validation share of the training part (default 0.10)\n"
"  --augment A        none (default), rot3 (add the module turned by 120 and 240\n"
"                     degrees: 3x training crossings) or d3 (rotations and the\n"
"                     three mirror images: 6x); validation and held-out untouched\n"
"training:\n"
"  --loss L           telescope (default), wmse, mse or sinkhorn (entropic OT on\n"
"                     the EMD metric + telescope)\n"
"  --target T         msb (default: charge / 2^msb) or sum (charge / sum)\n"
"  --epochs N         maximum epochs (default 300)\n"
"  --float-epochs N   first N epochs on the unquantized network (default 0)\n"
"  --batch N          mini-batch size (default 16)\n"
"  --lr X             initial learning rate (default 2e-3), cosine decay to\n"
"  --lr-min X         (default 2e-5)\n"
"  --warmup N         epochs of linear warm-up (default 3)\n"
"  --patience N       early stopping after N epochs without improvement (60; 0 off)\n"
"  --emd-subset N     validation crossings scored by EMD each epoch (400; 0 = select\n"
"                     on validation loss)\n"
"  --weight-decay X   decoupled weight decay of the decoder (default 0)\n"
"  --seu-rate P       fault-aware training: flip each weight bit with probability P\n"
"                     in every forward pass\n"
"  --seed N           random seed (default 1)\n"
"  --threads N        worker threads (default 2; results do not depend on it)\n"
"output and checks:\n"
"  --out PREFIX       output files PREFIX.json, PREFIX.weights, PREFIX.i2c.hex\n"
"  --check-exact      before writing, check the training forward pass bit for bit\n"
"                     against the reference engine on every crossing loaded\n"
"  --eval-only        no training: EMD table of --model on the held-out crossings\n"
"  --require-beat     exit 1 unless the autoencoder's median EMD beats BC and STC\n"
"  --max-median X     exit 1 if the autoencoder's median EMD exceeds X\n"
"  --seu-eval P       (with --eval-only) median EMD under random weight upsets,\n"
"                     each bit flipped with probability P, 20 draws\n"
"  --name NAME        model name written into PREFIX.json\n"
"  --no-table         skip the EMD table\n"
"  --bench            print training samples/s, 1 thread vs 2 threads\n"
"  --quiet            no progress bar\n",
        TR_I2C_WORD_BITS, DAT_TRAIN_FRACTION);
}

static int bad(const char *opt, const char *arg, const char *why)
{
    fprintf(stderr, "rad4ml train: %s%s%s: %s\n", opt, *arg ? " " : "", arg, why);
    return 2;
}

/* The shared checked parsers (common/rad_cli.h), printed as train's errors. */
static int parse_long(const char *opt, const char *s, long lo, long hi, long *v)
{
    rad_err e;
    return rad_cli_long(opt, s, lo, hi, v, &e) ? cli_usage_error("train", &e) : 0;
}

static int parse_double(const char *opt, const char *s, double lo, double hi, double *v)
{
    rad_err e;
    return rad_cli_double(opt, s, lo, hi, v, &e) ? cli_usage_error("train", &e) : 0;
}

enum { O_MODEL = 256, O_WEIGHTS, O_INIT, O_LINKS, O_DATA, O_FORMAT, O_SYNTHN, O_LIMIT,
       O_TRAINF, O_VALF, O_AUG, O_LOSS, O_TARGET, O_EPOCHS, O_FEPOCHS, O_BATCH, O_LR, O_LRMIN,
       O_WARMUP, O_PATIENCE, O_EMDSUB, O_WD, O_SEU, O_SEED, O_THREADS, O_OUT, O_CHECK,
       O_EVAL, O_BEAT, O_MAXMED, O_NAME, O_SEUEVAL, O_NOTABLE, O_BENCH, O_QUIET, O_HELP };

static int check_combination(const tr_opts *o);

/* Parses the command line into o (defaults first): 0, -1 after --help, or
** 2 with the message printed.  o keeps pointers into argv. */
static int parse(int argc, char **argv, tr_opts *o)
{
    static const struct option lo[] = {
        { "model", 1, 0, O_MODEL }, { "weights", 1, 0, O_WEIGHTS }, { "init", 1, 0, O_INIT },
        { "links", 1, 0, O_LINKS }, { "data", 1, 0, O_DATA }, { "format", 1, 0, O_FORMAT },
        { "synthetic-n", 1, 0, O_SYNTHN }, { "limit", 1, 0, O_LIMIT },
        { "train-fraction", 1, 0, O_TRAINF }, { "val-fraction", 1, 0, O_VALF },
        { "augment", 1, 0, O_AUG },
        { "loss", 1, 0, O_LOSS }, { "target", 1, 0, O_TARGET }, { "epochs", 1, 0, O_EPOCHS },
        { "float-epochs", 1, 0, O_FEPOCHS }, { "batch", 1, 0, O_BATCH }, { "lr", 1, 0, O_LR },
        { "lr-min", 1, 0, O_LRMIN }, { "warmup", 1, 0, O_WARMUP },
        { "patience", 1, 0, O_PATIENCE }, { "emd-subset", 1, 0, O_EMDSUB },
        { "weight-decay", 1, 0, O_WD }, { "seu-rate", 1, 0, O_SEU }, { "seed", 1, 0, O_SEED },
        { "threads", 1, 0, O_THREADS }, { "out", 1, 0, O_OUT }, { "check-exact", 0, 0, O_CHECK },
        { "eval-only", 0, 0, O_EVAL }, { "require-beat", 0, 0, O_BEAT },
        { "max-median", 1, 0, O_MAXMED }, { "seu-eval", 1, 0, O_SEUEVAL }, { "name", 1, 0, O_NAME },
        { "no-table", 0, 0, O_NOTABLE }, { "bench", 0, 0, O_BENCH }, { "quiet", 0, 0, O_QUIET },
        { "help", 0, 0, O_HELP }, { 0, 0, 0, 0 } };
    memset(o, 0, sizeof *o);
    trn_config_default(&o->cfg);
    o->synth_n = 8000;
    o->val_fraction = 0.10;
    o->train_fraction = DAT_TRAIN_FRACTION;
    o->limit = -1;
    o->n_sym = 1;
    opterr = 0;
    optind = 1;
    int c, rc = 0;
    long v;
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1 && !rc) {
        const char *a = optarg, *name = argv[optind - 1];
        switch (c) {
        case O_MODEL: o->model = a; break;
        case O_WEIGHTS: o->weights = a; break;
        case O_INIT:
            if (!strcmp(a, "random")) o->init_model = 0;
            else if (!strcmp(a, "model")) o->init_model = 1;
            else rc = bad("--init", a, "expected random or model");
            break;
        case O_LINKS: rc = parse_long("--links", a, 1, MDL_MAX_LINKS, &v); o->links = (int)v; break;
        case O_DATA: o->data = a; break;
        case O_FORMAT:
            if (!strcmp(a, "auto")) o->fmt = DAT_FMT_AUTO;
            else if (!strcmp(a, "eportrx")) o->fmt = DAT_FMT_EPORTRX;
            else if (!strcmp(a, "csv")) o->fmt = DAT_FMT_CSV;
            else rc = bad("--format", a, "expected auto, eportrx or csv");
            break;
        case O_SYNTHN: rc = parse_long("--synthetic-n", a, 10, 10000000, &v); o->synth_n = (int)v; break;
        case O_LIMIT: rc = parse_long("--limit", a, 1, 1L << 40, &o->limit); break;
        case O_TRAINF: rc = parse_double("--train-fraction", a, 0.01, 1, &o->train_fraction); break;
        case O_VALF: rc = parse_double("--val-fraction", a, 0, 0.9, &o->val_fraction); break;
        case O_AUG:
            if (!strcmp(a, "none")) o->n_sym = 1;
            else if (!strcmp(a, "rot3")) o->n_sym = 3;
            else if (!strcmp(a, "d3")) o->n_sym = GEO_N_SYM;
            else rc = bad("--augment", a, "expected none, rot3 or d3");
            break;
        case O_LOSS:
            if (trn_loss_parse(a, &o->cfg.loss))
                rc = bad("--loss", a, "expected telescope, wmse, mse or sinkhorn");
            break;
        case O_TARGET:
            if (!strcmp(a, "msb")) o->cfg.target = TRN_TARGET_MSB;
            else if (!strcmp(a, "sum")) o->cfg.target = TRN_TARGET_SUM;
            else rc = bad("--target", a, "expected msb or sum");
            break;
        case O_EPOCHS: rc = parse_long("--epochs", a, 1, 100000, &v); o->cfg.epochs = (int)v; break;
        case O_FEPOCHS: rc = parse_long("--float-epochs", a, 0, 100000, &v); o->cfg.float_epochs = (int)v; break;
        case O_BATCH: rc = parse_long("--batch", a, 1, 1 << 20, &v); o->cfg.batch = (int)v; break;
        case O_LR: rc = parse_double("--lr", a, 1e-9, 10, &o->cfg.lr); break;
        case O_LRMIN: rc = parse_double("--lr-min", a, 0, 10, &o->cfg.lr_min); break;
        case O_WARMUP: rc = parse_long("--warmup", a, 0, 100000, &v); o->cfg.warmup = (int)v; break;
        case O_PATIENCE: rc = parse_long("--patience", a, 0, 100000, &v); o->cfg.patience = (int)v; break;
        case O_EMDSUB: rc = parse_long("--emd-subset", a, 0, 1 << 24, &v); o->cfg.emd_subset = (int)v; break;
        case O_WD: rc = parse_double("--weight-decay", a, 0, 1, &o->cfg.weight_decay); break;
        case O_SEU: rc = parse_double("--seu-rate", a, 0, 0.5, &o->cfg.seu_rate); break;
        case O_SEED: rc = parse_long("--seed", a, 0, 0x7fffffffffffffffL, &v); o->cfg.seed = (uint64_t)v; break;
        case O_THREADS: rc = parse_long("--threads", a, 1, TRN_SHARDS, &v); o->cfg.threads = (int)v; break;
        case O_OUT: o->out = a; break;
        case O_CHECK: o->check_exact = 1; break;
        case O_EVAL: o->eval_only = 1; break;
        case O_BEAT: o->require_beat = 1; break;
        case O_SEUEVAL: rc = parse_double("--seu-eval", a, 1e-9, 0.5, &o->seu_eval); break;
        case O_MAXMED: rc = parse_double("--max-median", a, 0, 100, &o->max_median); break;
        case O_NAME:
            if (!*a || strlen(a) >= sizeof ((mdl_model *)0)->name)
                rc = bad("--name", a, "expected 1..63 characters");
            o->name = a;
            break;
        case O_NOTABLE: o->no_table = 1; break;
        case O_BENCH: o->bench = 1; break;
        case O_QUIET: o->quiet = 1; break;
        case 'h': case O_HELP: usage(stdout); return -1;
        case ':':
            fprintf(stderr, "rad4ml train: option %s needs a value\n", name);
            return 2;
        default:
            fprintf(stderr, "rad4ml train: unknown option '%s' (see --help)\n", name);
            return 2;
        }
    }
    if (rc)
        return rc;
    if (optind < argc) {
        fprintf(stderr, "rad4ml train: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return check_combination(o);
}

/* The checks that involve several options, after each was parsed alone:
** 0, or 2 with the message printed. */
static int check_combination(const tr_opts *o)
{
    if (o->cfg.lr_min > o->cfg.lr)
        return bad("--lr-min", "", "must not exceed --lr");
    if (o->cfg.float_epochs >= o->cfg.epochs)
        return bad("--float-epochs", "", "must be smaller than --epochs");
    if (!o->out && !o->eval_only && !o->bench) {
        fprintf(stderr, "rad4ml train: --out PREFIX is required (where to write the model)\n");
        return 2;
    }
    if (o->init_model && !o->model) {
        fprintf(stderr, "rad4ml train: --init model needs --model\n");
        return 2;
    }
    if (o->eval_only && !o->model) {
        fprintf(stderr, "rad4ml train: --eval-only needs --model\n");
        return 2;
    }
    return 0;
}

static int load_data(const tr_opts *o, dat_set *set, rad_err *err)
{
    char path[4096];
    const char *src = o->data;
    if (src && !strcmp(src, "synthetic"))
        return trn_synth(set, (size_t)o->synth_n, o->cfg.seed, err);
    if (!src || !strcmp(src, "default")) {
        int rc = dat_default_path(path, sizeof path, err);
        if (rc && o->bench && !src) {     /* the benchmark runs anywhere */
            fprintf(stderr, "rad4ml train: %s; benchmarking on synthetic data\n", err->msg);
            return trn_synth(set, (size_t)o->synth_n, o->cfg.seed, err);
        }
        if (rc)
            return rc;
        src = path;
    }
    return dat_load(src, o->fmt, NULL, set, err);
}

/* ---- progress bar ------------------------------------------------------ */

typedef struct { int tty, quiet; } tr_bar;

static void progress(void *ctx, const trn_progress *p)
{
    tr_bar *b = ctx;
    if (b->quiet)
        return;
    char bar[31];
    int fill = (int)(30.0 * p->epoch / p->epochs);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = 0;
    char emd[32] = "";
    if (p->val_emd >= 0)
        snprintf(emd, sizeof emd, " EMD %.3f", p->val_emd);
    fprintf(stderr, "%s[%s] %4d/%d loss %.4e val %.4e%s lr %.1e %.2fs%s%s%s",
            b->tty ? "\r" : "", bar, p->epoch, p->epochs, p->train_loss, p->val_loss, emd,
            p->lr, p->seconds, p->quantized ? "" : " (float)", p->improved ? " *" : "  ",
            b->tty ? "" : "\n");
    fflush(stderr);
}

/* ---- checks and outputs ------------------------------------------------ */

/* Training forward vs the reference engine (fast path for the sent word,
** generic trace for every intermediate tensor) on every crossing. */
static long check_exact(const trn_net *net, const mdl_model *m, const dat_set *set,
                        rad_err *err)
{
    eng_plan *plan = NULL;
    if (eng_compile(m, &plan, err))
        return -1;
    trn_trace *tt = trn_trace_new(net);
    eng_trace *et = eng_trace_new(m);
    long bad_n = 0;
    eng_out o;
    for (size_t k = 0; tt && et && k < set->n; k++) {
        const uint32_t *q = dat_row(set, k);
        trn_forward_exact(net, q, tt);
        eng_trace_run(m, q, et);
        eng_encode(plan, q, &o);
        int same = tt->n_tensors == et->n_tensors && tt->msb == o.msb && tt->sum == o.sum;
        for (int i = 0; same && i < tt->n_tensors; i++)
            same = tt->size[i] == et->size[i]
                && !memcmp(tt->t[i], et->t[i], (size_t)tt->size[i] * sizeof(int64_t));
        for (int i = 0; same && i < tt->n_latent; i++)
            same = tt->latent[i] == o.latent[i] && tt->sent[i] == o.sent[i]
                && tt->sent[i] == et->out.sent[i];
        bad_n += !same;
    }
    trn_trace_free(tt);
    eng_trace_free(et);
    eng_free(plan);
    return bad_n;
}

/* PREFIX.json + .weights, then PREFIX.i2c.hex naming them (its model hash
** is that of PREFIX.json, so `image verify --model PREFIX.json` takes it). */
static int write_outputs(const tr_opts *o, const mdl_model *m, size_t rows, rad_err *err)
{
    const char *prefix = o->out;
    char js[4096], ws[4096], hex[4096], def[4096];
    rad_prov p;
    rad_prov_init(&p, "model", "train");
    p.rows = (long)rows;
    rad_prov_opt(&p, "epochs", "%d", o->cfg.epochs);
    rad_prov_opt(&p, "batch", "%d", o->cfg.batch);
    rad_prov_opt(&p, "lr", "%g", o->cfg.lr);
    rad_prov_opt(&p, "seed", "%llu", (unsigned long long)o->cfg.seed);
    rad_prov_opt(&p, "loss", "%s", trn_loss_name(o->cfg.loss));
    int rc = RAD_OK;
    bool deflt = !o->data || !strcmp(o->data, "default");
    if (o->data && !strcmp(o->data, "synthetic"))
        rad_prov_src_mem(&p.data, "synthetic", "", 0);
    else if (!(rc = deflt ? dat_default_path(def, sizeof def, err) : RAD_OK))
        rc = rad_prov_src_file(&p.data, deflt ? def : o->data, err);
    if (rc)
        return rc;
    snprintf(js, sizeof js, "%s.json", prefix);
    snprintf(ws, sizeof ws, "%s.weights", prefix);
    snprintf(hex, sizeof hex, "%s.i2c.hex", prefix);
    rc = mdl_save_prov(m, js, NULL, &p, err);
    if (rc)
        return rc;
    mdl_model saved = *m;            /* shallow: only the sources change */
    if (!(rc = rad_prov_src_file(&saved.src_model, js, err))
        && !(rc = rad_prov_src_file(&saved.src_weights, ws, err)))
        rc = mdl_i2c_write_hex(&saved, TR_I2C_WORD_BITS, &p, hex, err);
    if (rc) {                        /* all or nothing */
        unlink(js);
        unlink(ws);
    }
    return rc;
}

static int print_table(const mdl_model *m, const dat_set *hold, int require_beat,
                       double max_median)
{
    trn_emd_row rows[8];
    rad_err err = { 0 };
    int n = trn_emd_table(m, hold, rows, 8, &err);
    if (n < 0) {
        fprintf(stderr, "rad4ml train: %s\n", err.msg);
        return 1;
    }
    printf("EMD on %zu held-out crossings, %d output links (lower is better):\n",
           hold->n, m->out.n_links);
    printf("  %-32s %6s %8s %8s %8s %8s\n", "algorithm", "bits", "median", "16%", "84%", "mean");
    for (int i = 0; i < n; i++)
        printf("  %-32s %6d %8.3f %8.3f %8.3f %8.3f%s\n", rows[i].name, rows[i].bits,
               rows[i].median, rows[i].p16, rows[i].p84, rows[i].mean,
               rows[i].fits ? "" : i == n - 1 ? "  (variable size)" : "  (exceeds the links)");
    /* The autoencoder must beat BC and every STC that fits the links; one
    ** with no defined EMD (e.g. a decoder whose output is all zero) beats
    ** nothing. */
    int beat = rows[0].n > 0 && rows[0].median >= 0;
    for (int i = 1; i < n; i++)
        if (rows[i].fits && rows[0].median >= rows[i].median)
            beat = 0;
    printf("autoencoder %s best choice and STC at %d links\n",
           beat ? "BEATS" : "does NOT beat", m->out.n_links);
    if (max_median > 0 && !(rows[0].median <= max_median)) {
        printf("autoencoder median EMD %.3f exceeds the required %.3f\n", rows[0].median,
               max_median);
        return 1;
    }
    return require_beat && !beat ? 1 : 0;
}

/* Median EMD of m under random upsets of its weights: 20 draws. */
static int seu_eval(const mdl_model *m, const dat_set *hold, double p)
{
    rad_err err = { 0 };
    double base = trn_emd_median(m, hold, &err), sum = 0, sum2 = 0, worst = 0;
    long flips = 0;
    const int draws = 20;
    for (int d = 0; d < draws && base >= 0; d++) {
        mdl_model *u = mdl_clone(m);
        if (!u)
            return 1;
        flips += trn_upset_model(u, p, (uint64_t)d + 1);
        double e = trn_emd_median(u, hold, &err);
        mdl_free(u);
        if (e < 0) {
            base = -1;
            break;
        }
        sum += e;
        sum2 += e * e;
        worst = e > worst ? e : worst;
    }
    if (base < 0) {
        fprintf(stderr, "rad4ml train: %s\n", err.msg);
        return 1;
    }
    double mean = sum / draws, sd = sqrt(fmax(0, sum2 / draws - mean * mean));
    printf("upsets p=%g (%.1f bits flipped per draw, %d draws): median EMD %.3f -> "
           "%.3f +- %.3f (worst %.3f)\n", p, (double)flips / draws, draws, base, mean, sd, worst);
    return 0;
}

static int bench(tr_opts *o, mdl_model *m, const dat_set *set)
{
    trn_net *net = NULL;
    rad_err err = { 0 };
    if (trn_net_new(m, o->cfg.seed, &net, &err)) {
        fprintf(stderr, "rad4ml train: %s\n", err.msg);
        return 1;
    }
    int threads[2] = { 1, 2 }, epochs = 3;
    double rate[2], cpu[2];
    for (int i = 0; i < 2; i++) {
        o->cfg.threads = threads[i];
        trn_bench(net, set, &o->cfg, 1, NULL);              /* warm caches */
        rate[i] = trn_bench(net, set, &o->cfg, epochs, &cpu[i]);
    }
    double n = (double)set->n;
    printf("train bench: %zu crossings/epoch, batch %d, %s loss, %d epochs each\n", set->n,
           o->cfg.batch, trn_loss_name(o->cfg.loss), epochs);
    printf("  1 thread : %8.0f samples/s  %.3f s/epoch   (CPU %.1f us/sample)\n", rate[0],
           n / rate[0], 1e6 * cpu[0] / (n * epochs));
    printf("  2 threads: %8.0f samples/s  %.3f s/epoch   (CPU %.1f us/sample)  "
           "speed-up %.2fx\n", rate[1], n / rate[1], 1e6 * cpu[1] / (n * epochs),
           rate[1] / rate[0]);
    trn_net_free(net);
    return 0;
}

static int train_on(tr_opts *o, mdl_model *m, const dat_set *all, const dat_set *tr,
                    const dat_set *val, const dat_set *hold);

/* Splits the training part into training and validation crossings and, with
** --augment, adds the training crossings' symmetric images. */
static int train(tr_opts *o, mdl_model *m, const dat_set *all, const dat_set *part,
                 const dat_set *hold)
{
    rad_err err = { 0 };
    dat_set tr, val, aug = { 0 };
    dat_split(part, 1.0 - o->val_fraction, &tr, &val);
    if (!tr.n) {
        fprintf(stderr, "rad4ml train: no crossings left for training\n");
        return 1;
    }
    if (o->n_sym > 1 && dat_augment(&tr, o->n_sym, &aug, &err)) {
        fprintf(stderr, "rad4ml train: --augment: %s\n", err.msg);
        return 2;
    }
    int rc = train_on(o, m, all, o->n_sym > 1 ? &aug : &tr, &val, hold);
    dat_free(&aug);
    return rc;
}

/* Trains m on tr (early stopping on val), checks the forward pass against
** the engine if asked, writes PREFIX.json/.weights/.i2c.hex and prints the
** EMD table on hold.  The sets are views borrowed from all; m is updated
** in place with the trained weights.  Returns the command's exit code. */
static int train_on(tr_opts *o, mdl_model *m, const dat_set *all, const dat_set *tr,
                    const dat_set *val, const dat_set *hold)
{
    rad_err err = { 0 };
    if ((o->cfg.loss == TRN_LOSS_TELESCOPE || o->cfg.loss == TRN_LOSS_SINKHORN)
        && m->in.n_cells != 48) {
        fprintf(stderr, "rad4ml train: --loss %s needs a 48-cell model (this has %d); "
                "use wmse or mse\n", trn_loss_name(o->cfg.loss), m->in.n_cells);
        return 2;
    }
    trn_net *net = NULL;
    if (trn_net_new(m, o->cfg.seed, &net, &err)) {
        fprintf(stderr, "rad4ml train: %s\n", err.msg);
        return 1;
    }
    if (o->init_model)
        trn_net_load_weights(net, m);
    if (!o->quiet)
        fprintf(stderr, "training %s: %zu crossings%s (%zu validation, %zu held out), "
                "%zu parameters, %s loss, %d-bit latents, seed %llu\n",
                m->name, tr->n, o->n_sym == 3 ? " with rotations" : o->n_sym > 3
                ? " with rotations and mirror images" : "", val->n, hold->n, trn_net_n_params(net),
                trn_loss_name(o->cfg.loss), mdl_latent_bits(m),
                (unsigned long long)o->cfg.seed);
    tr_bar bar = { isatty(2), o->quiet };
    trn_result res;
    int rc = trn_fit(net, tr, val, &o->cfg, progress, &bar, &res, &err);
    if (bar.tty && !o->quiet)
        fputc('\n', stderr);
    if (!rc)
        rc = trn_net_export(net, m, &err);
    if (rc) {
        fprintf(stderr, "rad4ml train: %s\n", err.msg);
        trn_net_free(net);
        return 1;
    }
    char vemd[32] = "";
    if (res.best_val_emd >= 0)
        snprintf(vemd, sizeof vemd, ", median EMD %.3f", res.best_val_emd);
    printf("trained %d epochs (best %d: validation loss %.4e%s) in %.1f s, "
           "%.0f samples/s; train loss %.4e -> %.4e\n",
           res.epochs_run, res.best_epoch, res.best_val_loss, vemd, res.seconds,
           res.samples_per_s, res.first_train_loss, res.last_train_loss);
    if (o->check_exact) {
        long nbad = check_exact(net, m, all, &err);
        if (nbad < 0) {
            fprintf(stderr, "rad4ml train: %s\n", err.msg);
            trn_net_free(net);
            return 1;
        }
        printf("check-exact: %ld mismatches in %zu crossings (training forward vs engine)\n",
               nbad, all->n);
        if (nbad) {
            trn_net_free(net);
            return 1;
        }
    }
    trn_net_free(net);
    if (o->name)
        snprintf(m->name, sizeof m->name, "%s", o->name);
    /* A decoder trained on q/sum only knows the shape: the receiver must
    ** rescale to the sent module sum (eng_decode does with preserve_sum). */
    if (o->cfg.target == TRN_TARGET_SUM)
        m->preserve_sum = true;
    if ((rc = write_outputs(o, m, tr->n, &err))) {
        fprintf(stderr, "rad4ml train: %s\n", err.msg);
        return 1;
    }
    printf("wrote %s.json, %s.weights, %s.i2c.hex\n", o->out, o->out, o->out);
    if (!o->no_table && hold->n && m->in.n_cells == 48)
        return print_table(m, hold, o->require_beat, o->max_median);
    return 0;
}

/* `rad4ml train`: parses the options, loads the model and data, then
** trains, evaluates only, or benchmarks.  Returns the exit code (0, 1 on
** a failure, 2 on bad usage). */
int cmd_train(int argc, char **argv)
{
    tr_opts o;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    rad_err err = { 0 };
    mdl_model *m = NULL;
    /* Training from scratch needs only the description; a weights file is
    ** read when it is named or its values are used. */
    cli_model_src src = { o.model, o.weights, -1, !(o.weights || o.init_model || o.eval_only), 0 };
    rc = cli_model_load(&src, &m, &err);
    if (!rc && o.links)
        rc = mdl_set_links(m, o.links, &err);
    if (rc) {
        fprintf(stderr, "rad4ml train: %s\n", err.msg);
        mdl_free(m);
        return 1;
    }
    dat_set all = { 0 };
    if ((rc = load_data(&o, &all, &err))) {
        fprintf(stderr, "rad4ml train: %s\n", err.msg);
        mdl_free(m);
        return 1;
    }
    dat_set use = all, part, hold;
    if (o.limit > 0 && (size_t)o.limit < all.n)
        dat_slice(&all, 0, (size_t)o.limit, &use);
    if (use.n_cells != m->in.n_cells) {
        fprintf(stderr, "rad4ml train: data have %d charges per crossing, model '%s' "
                "expects %d\n", use.n_cells, m->name, m->in.n_cells);
        rc = 1;
    } else if (o.bench) {
        rc = bench(&o, m, &use);
    } else {
        dat_split(&use, o.train_fraction, &part, &hold);
        if (o.eval_only && o.seu_eval > 0)
            rc = hold.n && m->in.n_cells == 48 ? seu_eval(m, &hold, o.seu_eval) : 1;
        else if (o.eval_only)
            rc = m->in.n_cells == 48 && hold.n ? print_table(m, &hold, o.require_beat, o.max_median)
                 : (fprintf(stderr, "rad4ml train: nothing to evaluate\n"), 1);
        else
            rc = train(&o, m, &use, &part, &hold);
    }
    dat_free(&all);
    mdl_free(m);
    return rc;
}
