/*
** cmd_seu.c — `rad4ml seu`: single-event-upset campaigns.
**
**   --sens       per-bit sensitivity map of the weight image (C model)
**   --compare    two weights files under random multi-bit upsets
**   --select     selective TMR: area against EMD kept
**   --rtl        single-upset injection into the Verilated register file
**                (--full: into the whole design while real crossings stream)
**   --gen-cfg    write a protected <top>_cfg module
*/
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tools/cli.h"
#include "tools/cmd.h"
#include "seu/seu.h"
#include "seu/seu_rtl.h"
#include "model/model_io.h"
#include "common/rad_file.h"
#include "synth/syn.h"
#include "synth/syn_flow.h"
#include "seu/seu_shard.h"
#include "common/rad_hash.h"
#include "seu/seu_rate.h"
#include "seu/seu_set.h"
#include "data/geometry.h"

#define SEU_MAX_FRACTIONS 32

typedef struct {
    const char *model, *weights, *data, *json, *cmp_a, *cmp_b, *gen_cfg, *work;
    const char *protect, *top;
    double frac[SEU_MAX_FRACTIONS];      /* --fractions, parsed */
    int n_frac;
    int sens, select, rtl, full, per_bit, top_n, trials, threads, all_copies, drop_in, synth;
    int all_flops, mbu;             /* --all-flops, --mbu                    */
    long flop_upsets;               /* --flop-upsets (0: every flip-flop)    */
    size_t crossings, stride;
    double upsets, sel_frac;
    uint64_t seed;
    flt_shard shard;                /* --shard i/N of the --sens map          */
    int argc;
    char **argv;
    long rmodel;                    /* --random-model S (-1: none)           */
    int rate, have_emd;             /* --rate; --emd-per-bit given           */
    const char *rate_json;
    const char *rtl_json;           /* --rtl-json FILE: the --rtl campaign   */
    const char *flops_json;         /* --flops-json FILE: --all-flops counts  */
    seu_rate_in rin;                /* --xs/--flux/--clock/--fill/--emd-per-bit */
    int secded_data;                /* --secded-data (--gen-cfg)             */
    rad_prov prov;                  /* of the JSON (cmd_seu fills it)         */
    int set;                        /* --set: transients in the gate netlist  */
    long samples, set_controls;     /* --samples, --set-controls              */
    int set_cycles;                 /* --set-cycles                           */
    double set_width_ps;            /* --set-width                            */
    const char *set_json;           /* --set-json                             */
    const char *set_module;         /* --set-module NAME|all                  */
} seu_args;

/* The `rad4ml seu --help` text, to fp. */
static void usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml seu [options] [--sens] [--compare A.weights B.weights]\n"
"                  [--select] [--rtl] [--gen-cfg FILE] [--rate]\n"
"Single-event upsets in the weight/configuration registers.\n\n"
"modes (any combination; none given = --sens):\n"
"  --sens              mean EMD increase when each image bit flips (C model)\n"
"  --json FILE         write that map as JSON for the report (implies --sens)\n"
"  --compare A B       mean EMD of two weights files under --upsets random\n"
"                      upsets per image (same upsets for both)\n"
"  --select            selective TMR: protect the top X%% sensitive bits;\n"
"                      flip-flops/voters against the expected EMD damage\n"
"  --rtl               inject single upsets into the Verilated register file\n"
"                      of each --protect variant; checks masking/correction\n"
"  --full              --rtl: the whole design (codegen with the SEU port), real\n"
"                      crossings streaming one per clock while the upsets are\n"
"                      injected; every output compared with the C engine\n"
"  --all-flops         --rtl: single upsets in EVERY flip-flop of the whole\n"
"                      design (weights, configuration, status, input, control,\n"
"                      pipeline, output) at random cycles under traffic; each\n"
"                      masked / transient (k crossings) / persistent; table per\n"
"                      register class (--protect none,tmr,full-tmr; default all\n"
"                      three); full-tmr exhaustive, the others sampled\n"
"  --mbu               --all-flops: adjacent double-bit upsets (bits b, b+1 of\n"
"                      one 32-bit word of a register) instead of single ones\n"
"  --flop-upsets N     --all-flops: upsets drawn for none / tmr (default 1000;\n"
"                      0 = every flip-flop); full-tmr is always exhaustive\n"
"  --gen-cfg FILE      write the <top>_cfg module with --protect P\n"
"  --rate              upsets per chip per hour, mean time between uncorrected\n"
"                      errors and fill EMD damage per protection (none/tmr/\n"
"                      secded, scrubbing every clock); README section 7\n"
"  --xs CM2            --rate: per-bit cross-section (default 1e-14, assumed)\n"
"  --flux F            --rate: hadron flux >20 MeV, cm^-2 s^-1 (default 1e7,\n"
"                      assumed)\n"
"  --clock HZ          --rate: clock = scrub rate (default 40e6)\n"
"  --fill H            --rate: fill length in hours (default 10)\n"
"  --emd-per-bit X     --rate: mean EMD increase per flipped bit (default: the\n"
"                      mean of the --sens map, computed)\n"
"  --rate-json FILE    --rate: write the table as JSON\n"
"  --set               single-event transients: the design flat on Yosys generic\n"
"                      gates, a pulse on a random gate output before a random\n"
"                      clock edge under real traffic (Verilator); fractions\n"
"                      latched / corrupting an output per --protect (none,tmr,\n"
"                      secded: weights only; full-tmr: every flip-flop);\n"
"                      README section 8\n"
"  --samples N         --set: random pulses per protection (default 1000)\n"
"  --set-controls N    --set: control pulses on gates driving a flip-flop's D\n"
"                      input, which must all be latched (default 50)\n"
"  --set-cycles N      --set: traffic clocks the pulses fall in (default 32)\n"
"  --set-width PS      --set: pulse width for the timing-derated share (default\n"
"                      500 ps, assumed)\n"
"  --set-json FILE     --set: write the table as JSON (for the report)\n"
"  --set-module M|all  --set: pulses in the gates of module M only (every\n"
"                      instance; the rest of the design stays RTL; M,N,..:\n"
"                      one campaign each), or in each module under the top\n"
"                      in turn: designs too big flat, module by module\n"
"                      (README section 8b)\n"
"  --secded-data N     --gen-cfg: data bits per SECDED word (8..256, default 64)\n"
"  --synth             --select: Yosys figures (synth/flow_hier.ys, cached) of\n"
"                      the none/TMR/SECDED register files (minutes)\n"
"  --drop-in           --gen-cfg: exactly codegen's ports (status readable at\n"
"                      ERR_STATUS only, no seu_* ports)\n\n"
"options:\n"
"  --model FILE        model description (default: built-in ECON-T)\n"
"  --random-model S    a small random model instead (as gen; formal proofs)\n"
"  --weights FILE      weights (default: the model's)\n"
"  --data FILE         crossings (default: the shared LD data; the hold-out\n"
"                      tail after the training fraction is used)\n"
"  --crossings N       crossings for the C campaigns and the --full stream\n"
"                      (default 100)\n"
"  --threads T         worker threads for --sens (default 2)\n"
"  --top K             most sensitive bits listed (default 10)\n"
"  --upsets K          expected flipped bits per image, Poisson (default 1)\n"
"  --trials T          images drawn for --compare/--select (default 200)\n"
"  --seed S            random seed (default 1)\n"
"  --fractions LIST    --select fractions (default 0,0.01,0.02,0.05,0.1,0.2,0.5,1)\n"
"  --protect LIST      none,tmr,secded,sel (--rtl default: tmr,secded,none)\n"
"  --stride S          --rtl: inject every S-th stored bit (default 1: all)\n"
"  --all-copies        --rtl: every TMR copy of each bit (default: one, rotating)\n"
"  --per-bit N         --full: crossings streamed per upset (default 4, >= 2)\n"
"  --sel-frac F        fraction protected by the sel variant (default 0.1)\n"
"  --work DIR          --rtl build directory (default build/seu)\n"
"  --name TOP          module prefix (default rad4ml_ae)\n"
"  --shard i/N         --json: only the bits k with k %% N == i; writes the partial\n"
"                      FILE.part-i-of-N instead of FILE (`rad4ml merge` -> FILE);\n"
"                      --all-flops: only the upsets j with j %% N == i (tables of\n"
"                      the shards add up); --rtl --rtl-json FILE: only the stride\n"
"                      windows j with j %% N == i of each protection's campaign\n"
"  --rtl-json FILE     --rtl: the campaign's counts per protection as JSON\n"
"  --flops-json FILE   --all-flops: the counts per protection and register class\n"
"                      as JSON (with --shard: the partial FILE.part-i-of-N;\n"
"                      `rad4ml merge` makes FILE, byte for byte)\n");
}

enum { O_JSON = 256, O_COMPARE, O_SELECT, O_RTL, O_GEN, O_MODEL, O_WEIGHTS, O_DATA,
       O_CROSS, O_THREADS, O_TOP, O_UPSETS, O_TRIALS, O_SEED, O_FRAC, O_PROTECT,
       O_STRIDE, O_ALL, O_SELFRAC, O_WORK, O_NAME, O_SENS, O_DROPIN, O_SYNTH, O_FULL,
       O_PERBIT, O_SHARD, O_RMODEL, O_RATE, O_XS, O_FLUX, O_CLOCK, O_FILL, O_EMDBIT,
       O_RJSON, O_SDATA, O_AFLOPS, O_MBU, O_FUPSETS, O_SET, O_SAMPLES, O_SETCTL, O_SETCYC,
       O_SETW, O_SETJSON, O_RTLJSON, O_FJSON, O_SETMOD };

/* --fractions: a comma list of 1..SEU_MAX_FRACTIONS values in [0, 1]. */
static int parse_fractions(const char *list, seu_args *a, rad_err *err)
{
    char buf[512], *save = NULL;
    snprintf(buf, sizeof buf, "%s", list);
    a->n_frac = 0;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (a->n_frac == SEU_MAX_FRACTIONS)
            return rad_errf(err, RAD_EUSAGE, "--fractions: more than %d values",
                            SEU_MAX_FRACTIONS);
        if (rad_cli_double("--fractions", t, 0, 1, &a->frac[a->n_frac++], err))
            return RAD_EUSAGE;
    }
    return a->n_frac ? RAD_OK : rad_errf(err, RAD_EUSAGE, "--fractions: empty list");
}

/* The --rate and --set options: 1 when c is one of them (*rc set by its
** check), else 0. */
static int parse_rate_set_opt(int c, const char *arg, seu_args *a, int *rc, rad_err *err)
{
    switch (c) {
    case O_RATE: a->rate = 1; return 1;
    case O_XS: *rc = rad_cli_double("--xs", arg, 1e-30, 1, &a->rin.xs, err); return 1;
    case O_FLUX: *rc = rad_cli_double("--flux", arg, 1e-30, 1e15, &a->rin.flux, err); return 1;
    case O_CLOCK: *rc = rad_cli_double("--clock", arg, 1, 1e12, &a->rin.clock_hz, err); return 1;
    case O_FILL: *rc = rad_cli_double("--fill", arg, 1e-9, 1e6, &a->rin.fill_h, err); return 1;
    case O_EMDBIT:
        *rc = rad_cli_double("--emd-per-bit", arg, 0, 1e6, &a->rin.emd_per_bit, err);
        a->have_emd = 1;
        return 1;
    case O_RJSON: a->rate_json = arg; a->rate = 1; return 1;
    case O_SET: a->set = 1; return 1;
    case O_SAMPLES: *rc = rad_cli_long("--samples", arg, 1, 100000000, &a->samples, err); return 1;
    case O_SETCTL:
        *rc = rad_cli_long("--set-controls", arg, 0, 100000000, &a->set_controls, err);
        return 1;
    case O_SETCYC: *rc = rad_cli_int("--set-cycles", arg, 1, 1000000, &a->set_cycles, err); return 1;
    case O_SETW: *rc = rad_cli_double("--set-width", arg, 0, 1e9, &a->set_width_ps, err); return 1;
    case O_SETJSON: a->set_json = arg; a->set = 1; return 1;
    case O_SETMOD: a->set_module = arg; a->set = 1; return 1;
    default: return 0;
    }
}

/* Options that go only together: 0, or 2 with the first broken rule's
** message on stderr. */
static int check_combos(const seu_args *a)
{
    bool map_shard = a->json && !a->rtl, rtl_shard = a->rtl && !a->full && !a->all_flops
                                                     && a->rtl_json && !a->json;
    const struct { bool broken; const char *msg; } rule[] = {
        { (a->full || a->all_flops) && !a->rtl, "--full / --all-flops go with --rtl" },
        { (a->mbu || a->flop_upsets != 1000) && !a->all_flops,
          "--mbu / --flop-upsets go with --all-flops" },
        { a->shard.n && a->all_flops && (a->json || a->cmp_a || a->select || a->gen_cfg),
          "--shard with --all-flops shards the upsets only" },
        { a->shard.n && !a->all_flops && (!(map_shard || rtl_shard) || a->cmp_a || a->select
                                          || a->gen_cfg || a->rate),
          "--shard shards the --json sensitivity map or the --rtl campaign with --rtl-json "
          "(one of them; no --full/--compare/--select/--gen-cfg/--rate with it)" },
        { a->flops_json && !a->all_flops, "--flops-json goes with --rtl --all-flops" },
        { a->rtl_json && (!a->rtl || a->full || a->all_flops),
          "--rtl-json goes with --rtl (not --full)" },
    };
    for (size_t i = 0; i < sizeof rule / sizeof rule[0]; i++)
        if (rule[i].broken) {
            fprintf(stderr, "rad4ml seu: %s\n", rule[i].msg);
            return 2;
        }
    return 0;
}

/* Parses the `rad4ml seu` command line into a (defaults first): 0, -1 after
** --help, or 2 with the message printed.  a keeps pointers into argv. */
static int parse(int argc, char **argv, seu_args *a)
{
    static const struct option opts[] = {
        { "help", no_argument, 0, 'h' }, { "sens", no_argument, 0, O_SENS },
        { "json", required_argument, 0, O_JSON }, { "compare", required_argument, 0, O_COMPARE },
        { "select", no_argument, 0, O_SELECT }, { "rtl", no_argument, 0, O_RTL },
        { "gen-cfg", required_argument, 0, O_GEN }, { "model", required_argument, 0, O_MODEL },
        { "weights", required_argument, 0, O_WEIGHTS }, { "data", required_argument, 0, O_DATA },
        { "crossings", required_argument, 0, O_CROSS }, { "threads", required_argument, 0, O_THREADS },
        { "top", required_argument, 0, O_TOP }, { "upsets", required_argument, 0, O_UPSETS },
        { "trials", required_argument, 0, O_TRIALS }, { "seed", required_argument, 0, O_SEED },
        { "fractions", required_argument, 0, O_FRAC }, { "protect", required_argument, 0, O_PROTECT },
        { "stride", required_argument, 0, O_STRIDE }, { "all-copies", no_argument, 0, O_ALL },
        { "sel-frac", required_argument, 0, O_SELFRAC }, { "work", required_argument, 0, O_WORK },
        { "name", required_argument, 0, O_NAME }, { "drop-in", no_argument, 0, O_DROPIN },
        { "synth", no_argument, 0, O_SYNTH }, { "full", no_argument, 0, O_FULL },
        { "per-bit", required_argument, 0, O_PERBIT },
        { "shard", required_argument, 0, O_SHARD },
        { "random-model", required_argument, 0, O_RMODEL },
        { "rate", no_argument, 0, O_RATE }, { "xs", required_argument, 0, O_XS },
        { "flux", required_argument, 0, O_FLUX }, { "clock", required_argument, 0, O_CLOCK },
        { "fill", required_argument, 0, O_FILL }, { "emd-per-bit", required_argument, 0, O_EMDBIT },
        { "rate-json", required_argument, 0, O_RJSON },
        { "rtl-json", required_argument, 0, O_RTLJSON },
        { "flops-json", required_argument, 0, O_FJSON },
        { "secded-data", required_argument, 0, O_SDATA },
        { "all-flops", no_argument, 0, O_AFLOPS }, { "mbu", no_argument, 0, O_MBU },
        { "flop-upsets", required_argument, 0, O_FUPSETS },
        { "set", no_argument, 0, O_SET }, { "samples", required_argument, 0, O_SAMPLES },
        { "set-controls", required_argument, 0, O_SETCTL },
        { "set-cycles", required_argument, 0, O_SETCYC },
        { "set-width", required_argument, 0, O_SETW },
        { "set-json", required_argument, 0, O_SETJSON },
        { "set-module", required_argument, 0, O_SETMOD },
        { 0, 0, 0, 0 } };
    memset(a, 0, sizeof *a);
    a->crossings = 100; a->threads = 2; a->top_n = 10; a->upsets = 1; a->trials = 200;
    a->seed = 1; a->stride = 1; a->per_bit = 4; a->sel_frac = 0.1; a->work = "build/seu"; a->top = "rad4ml_ae";
    parse_fractions("0,0.01,0.02,0.05,0.1,0.2,0.5,1", a, NULL);
    a->rmodel = -1;
    a->flop_upsets = 1000;
    a->samples = 1000; a->set_controls = 50; a->set_cycles = 32; a->set_width_ps = 500;
    seu_rate_defaults(&a->rin);
    int c, rc = 0;
    rad_err err = { 0 };
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return -1;
        case O_SENS: a->sens = 1; break;
        case O_JSON: a->json = optarg; a->sens = 1; break;
        case O_COMPARE:
            a->cmp_a = optarg;
            if (optind >= argc || argv[optind][0] == '-')
                rc = rad_errf(&err, RAD_EUSAGE, "--compare needs two weights files");
            else
                a->cmp_b = argv[optind++];
            break;
        case O_SELECT: a->select = 1; break;
        case O_RTL: a->rtl = 1; break;
        case O_GEN: a->gen_cfg = optarg; break;
        case O_MODEL: a->model = optarg; break;
        case O_WEIGHTS: a->weights = optarg; break;
        case O_DATA: a->data = optarg; break;
        case O_CROSS: rc = rad_cli_size("--crossings", optarg, 1, SIZE_MAX, &a->crossings, &err); break;
        case O_THREADS: rc = rad_cli_int("--threads", optarg, 1, 1024, &a->threads, &err); break;
        case O_TOP: rc = rad_cli_int("--top", optarg, 0, INT_MAX, &a->top_n, &err); break;
        case O_UPSETS: rc = rad_cli_double("--upsets", optarg, 0, 1e9, &a->upsets, &err); break;
        case O_TRIALS: rc = rad_cli_int("--trials", optarg, 1, INT_MAX, &a->trials, &err); break;
        case O_SEED: rc = rad_cli_u64("--seed", optarg, 0, UINT64_MAX, &a->seed, &err); break;
        case O_FRAC: rc = parse_fractions(optarg, a, &err); break;
        case O_PROTECT: a->protect = optarg; break;
        case O_STRIDE: rc = rad_cli_size("--stride", optarg, 1, SIZE_MAX, &a->stride, &err); break;
        case O_ALL: a->all_copies = 1; break;
        case O_SELFRAC: rc = rad_cli_double("--sel-frac", optarg, 0, 1, &a->sel_frac, &err); break;
        case O_WORK: a->work = optarg; break;
        case O_NAME: a->top = optarg; break;
        case O_DROPIN: a->drop_in = 1; break;
        case O_SYNTH: a->synth = 1; break;
        case O_FULL: a->full = 1; break;
        case O_PERBIT: rc = rad_cli_int("--per-bit", optarg, 2, 1000, &a->per_bit, &err); break;
        case O_SHARD: rc = flt_shard_parse(optarg, &a->shard, &err); break;
        case O_RTLJSON: a->rtl_json = optarg; break;
        case O_FJSON: a->flops_json = optarg; break;
        case O_RMODEL: rc = rad_cli_long("--random-model", optarg, 0, LONG_MAX, &a->rmodel, &err); break;
        case O_AFLOPS: a->all_flops = 1; break;
        case O_MBU: a->mbu = 1; break;
        case O_FUPSETS: rc = rad_cli_long("--flop-upsets", optarg, 0, LONG_MAX, &a->flop_upsets, &err); break;
        case O_SDATA: rc = rad_cli_int("--secded-data", optarg, 8, 256, &a->secded_data, &err); break;
        default:
            if (parse_rate_set_opt(c, optarg, a, &rc, &err))
                break;
            usage(stderr);
            return 2;
        }
    }
    if (!rc && optind < argc)
        rc = rad_errf(&err, RAD_EUSAGE, "unexpected argument '%s'", argv[optind]);
    if (rc)
        return cli_usage_error("seu", &err);
    if (check_combos(a))
        return 2;
    if (!a->sens && !a->cmp_a && !a->select && !a->rtl && !a->gen_cfg && !a->rate && !a->set)
        a->sens = 1;
    a->argc = argc;
    a->argv = argv;
    return 0;
}

static int load_model(const seu_args *a, const char *weights, mdl_model **m, rad_err *e)
{
    cli_model_src src = { a->model, weights, a->rmodel, false, 0 };
    return cli_model_load(&src, m, e);
}

static const char *p_path(const seu_args *a, const char *deflt)
{
    return a->data ? a->data : deflt;
}

/* The crossings: the hold-out tail of the file, first N of it; the data
** file and rows used go into the provenance block p. */
static int load_data(const seu_args *a, dat_set *all, dat_set *sub, rad_prov *p, rad_err *e)
{
    char path[4096];
    if (!a->data) {
        int rc = dat_default_path(path, sizeof path, e);
        if (rc)
            return rc;
    }
    int rc = dat_load(p_path(a, path), DAT_FMT_AUTO, NULL, all, e);
    if (rc)
        return rc;
    dat_set tr, te;
    dat_split(all, DAT_TRAIN_FRACTION, &tr, &te);
    if (te.n == 0)
        te = *all;
    dat_slice(&te, 0, a->crossings < te.n ? a->crossings : te.n, sub);
    p->rows = (long)sub->n;
    rad_prov_opt(p, "crossings", "hold-out %zu..%zu", all->n - te.n,
                 all->n - te.n + sub->n - (sub->n > 0));
    return rad_prov_src_file(&p->data, p_path(a, path), e);
}

/* --all-flops on a --random-model: `crossings` random charges (uniform
** in 0 .. 2^charge_bits - 1, seed --seed) as the traffic. */
static int random_traffic(const seu_args *a, const mdl_model *m, dat_set *all, dat_set *sub,
                          rad_prov *p, rad_err *e)
{
    int rc = dat_alloc(all, a->crossings, m->in.n_cells, e);
    uint64_t st = a->seed ^ 0x7eaff1cull;
    int cb = m->in.charge_bits;
    for (size_t i = 0; !rc && i < all->n * (size_t)all->n_cells; i++)
        all->q[i] = (uint32_t)(rad_splitmix64(&st) >> (64 - cb));
    *sub = *all;
    p->rows = (long)all->n;
    rad_prov_opt(p, "crossings", "%zu random (seed %llu)", all->n, (unsigned long long)a->seed);
    return rc;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Shard i/N of the map: a partial result beside the JSON (seu_shard.h);
** model and weights recorded by absolute path for `rad4ml merge`. */
static int write_shard(const seu_args *a, const mdl_model *m, const seu_sens *s,
                       double secs, rad_err *e)
{
    char key[17], part[4200], abs_m[4096], abs_w[4096];
    flt_part p;
    snprintf(abs_m, sizeof abs_m, "built-in");
    snprintf(abs_w, sizeof abs_w, "built-in");
    if ((a->model && !realpath(a->model, abs_m)) || (a->weights && !realpath(a->weights, abs_w)))
        return rad_errf(e, RAD_EIO, "seu: cannot resolve the model/weights path");
    int rc = seu_sens_key(m, a->data, a->crossings, a->threads, key, e);
    if (!rc)
        rc = flt_part_init(&p, "seu-sens", key, &a->shard, s->n_bits, a->argc, a->argv, e);
    if (rc)
        return rc;
    rc = flt_part_meta(&p, "output", a->json, e);
    if (!rc)
        rc = flt_part_meta(&p, "model", abs_m, e);
    if (!rc)
        rc = flt_part_meta(&p, "weights", abs_w, e);
    char v[64];
    snprintf(v, sizeof v, "%zu %d", a->crossings, a->threads);
    if (!rc)
        rc = flt_part_meta(&p, "crossings_threads", v, e);
    if (!rc)
        rc = flt_part_meta(&p, "data", a->data ? a->data : "default", e);
    if (!rc)         /* the block the unsharded map carries (its date this shard's) */
        rc = flt_part_set_prov(&p, "run.prov", &a->prov, e);
    if (!rc)
        rc = seu_sens_to_part(s, &a->shard, &p, e);
    flt_part_name(part, sizeof part, a->json, &a->shard);
    if (!rc)
        rc = flt_part_write(&p, part, e);
    if (!rc)
        printf("seu sens: shard %zu/%zu: %zu of %zu bits x %zu crossings in %.2f s -> %s\n",
               a->shard.i, a->shard.n, p.n_items, s->n_bits, s->n_cross, secs, part);
    flt_part_free(&p);
    return rc;
}

static int do_sens(const seu_args *a, const mdl_model *m, const dat_set *d,
                   seu_sens *s, rad_err *e)
{
    seu_sens_opts o;
    seu_sens_defaults(&o);
    o.threads = a->threads;
    bool shard = a->shard.n && !a->rtl;       /* --rtl --shard: the campaign's */
    o.shard_i = shard ? a->shard.i : 0;
    o.shard_n = shard ? a->shard.n : 0;
    double t0 = now();
    int rc = seu_sens_run(m, d, &o, s, e);
    if (rc)
        return rc;
    if (shard)
        return write_shard(a, m, s, now() - t0, e);
    printf("seu sens: %zu bits x %zu crossings in %.2f s (%ld changed words, %ld "
           "decoded + EMD after memoisation)\n", s->n_bits, s->n_cross, now() - t0,
           s->n_changed, s->n_decoded);
    seu_sens_print(s, m, a->top_n, stdout);
    if (a->json) {
        if ((rc = seu_sens_write_json(s, m, &a->prov, a->json, e)))
            return rc;
        printf("seu sens: wrote %s\n", a->json);
    }
    return RAD_OK;
}

static void print_upset(const char *name, const seu_upset_result *r)
{
    printf("  %-28s clean EMD %.4f  with upsets %.4f +- %.4f  (increase %+.4f, "
           "%.1f%% of words changed, worst image %.4f)\n", name, r->clean_emd,
           r->upset_emd, r->upset_sem, r->upset_emd - r->clean_emd,
           100 * r->frac_changed, r->worst_trial);
}

static int do_compare(const seu_args *a, const dat_set *d, rad_err *e)
{
    const char *w[2] = { a->cmp_a, a->cmp_b };
    seu_upset_result r[2];
    seu_upset_opts o;
    seu_upset_defaults(&o);
    o.rate = a->upsets;
    o.trials = a->trials;
    o.seed = a->seed;
    for (int i = 0; i < 2; i++) {
        mdl_model *m = NULL;
        int rc = load_model(a, w[i], &m, e);
        if (!rc)
            rc = seu_upset_run(m, d, &o, &r[i], e);
        mdl_free(m);
        if (rc)
            return rc;
    }
    printf("seu compare: %d images x %zu crossings, Poisson %.3g upsets per image "
           "(%.3f applied on average), same upsets for both:\n", a->trials,
           r[0].n_cross, a->upsets, r[0].mean_flips);
    print_upset(a->cmp_a, &r[0]);
    print_upset(a->cmp_b, &r[1]);
    double i0 = r[0].upset_emd - r[0].clean_emd, i1 = r[1].upset_emd - r[1].clean_emd;
    printf("  EMD increase under upsets: %.4f -> %.4f (%s); EMD with upsets %.4f -> %.4f\n",
           i0, i1, i1 < i0 ? "second more robust" : "second not more robust",
           r[0].upset_emd, r[1].upset_emd);
    return RAD_OK;
}

/* NAND2-eq and flip-flops of one register-file variant (Yosys, cached). */
static int synth_cfg(const seu_args *a, const mdl_model *m, seu_prot p,
                     double *nand2, long *ff, rad_err *e)
{
    char dir[4096], path[4200], top[80];
    snprintf(dir, sizeof dir, "%s/synth-%s", a->work, seu_prot_name(p));
    snprintf(path, sizeof path, "%s/%s_cfg.v", dir, a->top);
    snprintf(top, sizeof top, "%s_cfg", a->top);
    cg_cfg_opts o;
    seu_cfg_opts(&o, m, a->top, 3, p, NULL);
    o.seu_ports = false;                /* as it would sit in the design */
    int rc = rad_mkdirs(dir, e);
    if (!rc)
        rc = cg_cfg_gen(m, &o, path, e);
    syn_job j = { .top = top, .rtl_dir = dir, .cache_dir = "build/synth/cache" };
    if (!rc)
        rc = syn_run(&j, e);
    syn_netlist nl;
    if (!rc && !(rc = syn_netlist_load(j.netlist, top, &nl, e))) {
        *nand2 = nl.nand2;
        *ff = nl.ff;
        syn_netlist_free(&nl);
    }
    return rc;
}

static int area_table(const seu_args *a, const mdl_model *m, double *none,
                      double *tmr, rad_err *e)
{
    seu_prot ps[3] = { SEU_PROT_NONE, SEU_PROT_TMR, SEU_PROT_SECDED };
    double n2[3];
    long ff[3];
    for (int i = 0; i < 3; i++) {
        int rc = synth_cfg(a, m, ps[i], &n2[i], &ff[i], e);
        if (rc)
            return rc;
    }
    printf("seu area (Yosys, synth/flow_hier.ys, cmos3 gates; NAND2-eq = transistors/4):\n");
    for (int i = 0; i < 3; i++)
        printf("  %-7s %8ld flip-flops  %10.0f NAND2-eq  (%.2fx)\n", seu_prot_name(ps[i]),
               ff[i], n2[i], n2[i] / n2[0]);
    *none = n2[0];
    *tmr = n2[1];
    return RAD_OK;
}

/* Selective TMR table: flip-flops, voters, expected and simulated EMD. */
static int do_select(const seu_args *a, const mdl_model *m, const dat_set *d,
                     const seu_sens *s, rad_err *e)
{
    uint8_t *mask = malloc(s->n_bits + 1);
    if (!mask)
        return rad_errf(e, RAD_ENOMEM, "seu: out of memory");
    seu_upset_opts o;
    seu_upset_defaults(&o);
    o.rate = a->upsets;
    o.trials = a->trials;
    o.seed = a->seed;
    double full = seu_select_expect(s, NULL, a->upsets), a_none = 0, a_tmr = 0;
    if (a->synth && area_table(a, m, &a_none, &a_tmr, e)) {
        free(mask);
        return e->code;
    }
    printf("seu select: %zu bits, upset rate %.3g per image (Poisson), %d images x "
           "%zu crossings each\n", s->n_bits, a->upsets, a->trials, s->n_cross);
    printf("  %-8s %8s %8s %8s %10s %12s %12s %8s\n", "protect", "bits", "FFs", "voters",
           a->synth ? "NAND2-eq" : "FFs x", "E[dEMD] 1st", "sim dEMD", "removed");
    int rc = RAD_OK, over = 0;
    for (int fi = 0; !rc && fi < a->n_frac; fi++) {
        double f = a->frac[fi];
        seu_select_mask(s, f, mask);
        size_t np = 0;
        for (size_t k = 0; k < s->n_bits; k++)
            np += mask[k];
        seu_upset_result r;
        o.mask = mask;
        if ((rc = seu_upset_run(m, d, &o, &r, e)))
            break;
        double ex = seu_select_expect(s, mask, a->upsets);
        double area = a->synth ? a_none + (a_tmr - a_none) * (double)np / (double)s->n_bits
                               : (double)(s->n_bits + 2 * np) / (double)s->n_bits;
        double removed = full != 0 ? 100 * (1 - ex / full) : 100.0;
        over |= removed > 100;
        printf("  %6.1f%% %8zu %8zu %8zu %10.*f %12.5f %+12.5f %7.1f%%\n", 100 * f, np,
               s->n_bits + 2 * np, np, a->synth ? 0 : 3, area, ex,
               r.upset_emd - r.clean_emd, removed);
    }
    printf("  (FFs = image flip-flops; %s; E[dEMD] 1st = rate/bits x sum of the\n"
           "  unprotected bits' sensitivities; sim = Monte-Carlo with the mask, same\n"
           "  upsets for every row; 'removed' = share of the unprotected first-order\n"
           "  damage that the protection removes)\n",
           a->synth ? "NAND2-eq = none + share x (TMR - none), linear in protected bits"
                    : "FFs x = flip-flops relative to no protection");
    if (over)
        printf("  (above 100 %%: the bits left unprotected have a negative first-order sum,\n"
               "  i.e. on these crossings their flips lower the EMD on average)\n");
    free(mask);
    return rc;
}

#define SEU_MAX_PROT 16

/* The protections of --protect (dflt when not given), in order, into
** p[SEU_MAX_PROT]; RAD_EUSAGE naming an unknown or one too many. */
static int prot_list(const seu_args *a, const char *dflt, seu_prot *p, size_t *n, rad_err *e)
{
    char list[256];
    snprintf(list, sizeof list, "%s", a->protect ? a->protect : dflt);
    *n = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if (*n == SEU_MAX_PROT)
            return rad_errf(e, RAD_EUSAGE, "seu: --protect: more than %d protections",
                            SEU_MAX_PROT);
        if (seu_prot_parse(tok, &p[*n]))
            return rad_errf(e, RAD_EUSAGE, "seu: unknown protection '%s'", tok);
        (*n)++;
    }
    return RAD_OK;
}

/* --rtl-json: the campaign's counts (rtl_shard: this shard's, as the
** partial FILE.part-i-of-N, item p*N + i = protection p; merge adds them). */
static int rtl_json(const seu_args *a, const seu_prot *p, const seu_rtl_result *r, size_t n,
                    rad_err *e)
{
    rad_prov prov = a->prov;
    rad_prov_opt(&prov, "rtl", "stride=%zu all-copies=%d protect=%s", a->stride ? a->stride : 1,
                 a->all_copies, a->protect ? a->protect : "tmr,secded,none");
    size_t stride = a->stride ? a->stride : 1;
    if (!a->shard.n) {
        int rc = seu_rtl_write_json(a->rtl_json, p, r, n, stride, a->all_copies, &prov, e);
        if (!rc)
            printf("seu rtl: wrote %s\n", a->rtl_json);
        return rc;
    }
    char key[17], part[4200], item[256], sv[64];
    flt_part fp;
    flt_prov_key(&prov, NULL, key);
    snprintf(sv, sizeof sv, "%zu %d", stride, a->all_copies);
    int rc = flt_part_init(&fp, "seu-rtl", key, &a->shard, n * a->shard.n, a->argc, a->argv, e);
    if (!rc)
        rc = flt_part_set_prov(&fp, "run.prov", &prov, e);
    if (!rc)
        rc = flt_part_meta(&fp, "output", a->rtl_json, e);
    if (!rc)
        rc = flt_part_meta(&fp, "stride_all_copies", sv, e);
    snprintf(sv, sizeof sv, "%zu", a->shard.n);
    if (!rc)
        rc = flt_part_meta(&fp, "shards", sv, e);
    for (size_t k = 0; k < n && !rc; k++) {
        seu_rtl_item(p[k], &r[k], item, sizeof item);
        rc = flt_part_item(&fp, k * a->shard.n + a->shard.i, item, e);
    }
    flt_part_name(part, sizeof part, a->rtl_json, &a->shard);
    if (!rc)
        rc = flt_part_write(&fp, part, e);
    if (!rc)
        printf("seu rtl: shard %zu/%zu wrote %s; `rad4ml merge` makes %s\n", a->shard.i,
               a->shard.n, part, a->rtl_json);
    flt_part_free(&fp);
    return rc;
}

/* One --rtl campaign's line (and, for none, the C model's damage figure
** from s); returns whether it passed. */
static int rtl_print(const seu_args *a, seu_prot p, const seu_rtl_result *r,
                     const seu_sens *s)
{
    int ok = seu_rtl_ok(p, r)                   /* a shard may get no window */
             || (a->shard.n && r->injected == 0 && r->fail == 0);
    printf("seu rtl %-6s: %ld single upsets injected (stride %zu%s), wimg masked %ld, "
           "corrected (count+1) %ld, scrub proven %ld, corrupted %ld (exactly the "
           "flipped bit: %ld), double-error flags %ld -> %s  [sim %.1f s, build %.1f s]\n",
           seu_prot_name(p), r->injected, a->stride, a->all_copies ? ", all copies" : "",
           r->masked, r->corrected, r->restored, r->corrupted, r->exact_corrupt, r->derr,
           ok ? "PASS" : "FAIL", r->seconds, r->build_seconds);
    if (p == SEU_PROT_NONE && s) {
        double ch = 0, de = 0;
        for (size_t k = 0; k < s->n_bits; k++) {
            ch += s->changed[k];
            de += s->d_emd[k];
        }
        printf("seu rtl none  : an unprotected upset corrupts the weight image until "
               "rewritten; C model: it changes the sent word of %.1f%% of crossings, "
               "mean EMD damage %.5f per bit (--sens for the per-bit map)\n",
               100 * ch / (double)s->n_bits, de / (double)s->n_bits);
    }
    return ok;
}

/* The selective-TMR mask of --sel-frac from the sensitivity map s, once
** (*mask stays when already made). */
static int sel_mask(const seu_args *a, const seu_sens *s, uint8_t **mask, rad_err *e)
{
    if (*mask)
        return RAD_OK;
    if (!s)
        return rad_errf(e, RAD_EUSAGE, "seu: sel needs the sensitivity map");
    if (!(*mask = malloc(s->n_bits + 1)))
        return rad_errf(e, RAD_ENOMEM, "seu: out of memory");
    seu_select_mask(s, a->sel_frac, *mask);
    return RAD_OK;
}

/* `seu --rtl`: the RTL injection campaign for each protection listed,
** with the selective mask from s; prints a line per protection and clears
** *all_ok on a failure.  RAD_OK or the reason in e. */
static int do_rtl(const seu_args *a, const mdl_model *m, const seu_sens *s,
                  rad_err *e, int *all_ok)
{
    uint8_t *mask = NULL;
    seu_prot prots[SEU_MAX_PROT];
    seu_rtl_result res[SEU_MAX_PROT];
    size_t np;
    int rc = prot_list(a, "tmr,secded,none", prots, &np, e);
    *all_ok = 1;
    for (size_t k = 0; k < np && !rc; k++) {
        if (prots[k] == SEU_PROT_SEL && (rc = sel_mask(a, s, &mask, e)))
            break;
        seu_rtl_opts o = { .prot = prots[k], .sel_mask = mask, .dir = a->work, .top = a->top,
                           .stride = a->stride, .all_copies = a->all_copies,
                           .shard_i = a->shard.i, .shard_n = a->shard.n };
        if (!(rc = seu_rtl_run(m, &o, &res[k], e)))
            *all_ok &= rtl_print(a, prots[k], &res[k], s);
    }
    free(mask);
    if (rc)
        return rc;
    return a->rtl_json ? rtl_json(a, prots, res, np, e) : RAD_OK;
}

static int full_ok(seu_prot p, const seu_full_result *r)
{
    int clean = r->injected > 0 && r->fail == 0 && r->mismatches == 0 && r->compared > 0
                && r->latency_err == 0 && r->chg == 0 && r->readback_err == 0
                && r->derr == 0 && r->outputs > 0;
    if (p == SEU_PROT_NONE)     /* the negative control must see corruption */
        return clean && r->flipped > 0 && r->corrupted > 0 && r->c_mismatch == 0;
    return clean && r->counted == r->injected && r->seu_count == r->injected;
}

/* --rtl --full: upsets in the whole design under traffic. */
static int do_full(const seu_args *a, const mdl_model *m, const dat_set *d,
                   rad_err *e, int *all_ok)
{
    seu_prot prots[SEU_MAX_PROT];
    size_t np;
    int rc0 = prot_list(a, "tmr,secded,none", prots, &np, e);
    *all_ok = 1;
    for (size_t k = 0; k < np && !rc0; k++) {
        seu_prot p = prots[k];
        seu_full_opts o = { .prot = p, .dir = a->work, .top = a->top, .stride = a->stride,
                            .all_copies = a->all_copies, .per_bit = a->per_bit,
                            .traffic = d, .model_name = a->model, .weights_name = a->weights,
                            .opt_fast = a->stride == 1 };
        seu_full_result r;
        int rc = seu_full_run(m, &o, &r, e);
        if (rc)
            return rc;
        int ok = full_ok(p, &r);
        *all_ok &= ok;
        printf("seu full %-6s: %ld upsets (stride %zu%s) in the whole design, %d crossings "
               "per upset from %zu real ones, one per clock; %ld outputs, %ld compared with "
               "the C engine, %ld mismatching; seu_count +1 after %ld upsets (final %ld), "
               "latency/flag/readback errors %ld/%ld/%ld, double-error %ld -> %s  "
               "[%ld cycles, sim %.1f s, build %.1f s]\n", seu_prot_name(p), r.injected,
               a->stride, a->all_copies ? ", all copies" : "", a->per_bit, r.pool, r.outputs,
               r.compared, r.mismatches, r.counted, r.seu_count, r.latency_err, r.chg,
               r.readback_err, r.derr, ok ? "PASS" : "FAIL", r.cycles, r.seconds,
               r.build_seconds);
        if (p == SEU_PROT_NONE)
            printf("seu full none  : %ld outputs ran on a flipped image, %ld corrupted "
                   "(%.2f%%), all equal to the C engine on the flipped image: %s "
                   "(%ld differ); per flipped bit: %.2f%% of outputs corrupted on average "
                   "(worst %.0f%%), %ld of %ld bits corrupted at least one, mean EMD damage "
                   "%.5f; %ld crossings across a flip not compared  [check %.1f s]\n",
                   r.flipped, r.corrupted, r.flipped ? 100.0 * (double)r.corrupted /
                   (double)r.flipped : 0.0, r.c_mismatch ? "NO" : "yes", r.c_mismatch,
                   100 * r.frac_corrupted, 100 * r.max_frac, r.bits_corrupting, r.injected,
                   r.d_emd, r.mixed, r.check_seconds);
    }
    return rc0;
}

/* --flops-json: the counts of each protection's campaign (sharded: this
** shard's, as the partial FILE.part-i-of-N, item k*N + i = protection k;
** merge adds them up). */
static int flops_json(const seu_args *a, const seu_prot *p, const seu_flops_result *r,
                      const long *sampled, size_t n, rad_err *e)
{
    rad_prov prov = a->prov;
    rad_prov_opt(&prov, "all-flops", "mbu=%d seed=%llu protect=%s", a->mbu,
                 (unsigned long long)a->seed, a->protect ? a->protect : "none,tmr,full-tmr");
    seu_flops_cfg cfg = { a->mbu, a->seed };
    if (!a->shard.n) {
        int rc = seu_flops_write_json(a->flops_json, p, r, sampled, n, &cfg, &prov, e);
        if (!rc)
            printf("seu flops: wrote %s\n", a->flops_json);
        return rc;
    }
    char key[17], part[4200], item[1024], sv[64];
    flt_part fp;
    flt_prov_key(&prov, NULL, key);
    int rc = flt_part_init(&fp, "seu-flops", key, &a->shard, n * a->shard.n, a->argc, a->argv,
                           e);
    if (!rc)
        rc = flt_part_set_prov(&fp, "run.prov", &prov, e);
    if (!rc)
        rc = flt_part_meta(&fp, "output", a->flops_json, e);
    snprintf(sv, sizeof sv, "%zu %d %llu", a->shard.n, a->mbu, (unsigned long long)a->seed);
    if (!rc)
        rc = flt_part_meta(&fp, "shards_mbu_seed", sv, e);
    for (size_t k = 0; k < n && !rc; k++) {
        snprintf(sv, sizeof sv, "sampled%zu", k);
        char v[32];
        snprintf(v, sizeof v, "%ld", sampled[k]);
        rc = flt_part_meta(&fp, sv, v, e);
    }
    for (size_t k = 0; k < n && !rc; k++) {
        seu_flops_item(p[k], &r[k], item, sizeof item);
        rc = flt_part_item(&fp, k * a->shard.n + a->shard.i, item, e);
    }
    flt_part_name(part, sizeof part, a->flops_json, &a->shard);
    if (!rc)
        rc = flt_part_write(&fp, part, e);
    if (!rc)
        printf("seu flops: shard %zu/%zu wrote %s; `rad4ml merge` makes %s\n", a->shard.i,
               a->shard.n, part, a->flops_json);
    flt_part_free(&fp);
    return rc;
}

/* --rtl --all-flops: upsets in every flip-flop, one table per protection. */
static int do_flops(const seu_args *a, const mdl_model *m, const dat_set *d,
                    rad_err *e, int *all_ok)
{
    seu_prot prots[SEU_MAX_PROT];
    seu_flops_result res[SEU_MAX_PROT];
    long sampled[SEU_MAX_PROT];
    size_t np;
    int rc0 = prot_list(a, "none,tmr,full-tmr", prots, &np, e);
    *all_ok = 1;
    for (size_t k = 0; k < np && !rc0; k++) {
        seu_prot p = prots[k];
        seu_full_opts o = { .prot = p, .dir = a->work, .top = a->top, .traffic = d,
                            .model_name = a->model, .weights_name = a->weights,
                            .upsets = p == SEU_PROT_FULL ? 0 : a->flop_upsets,
                            .seed = a->seed, .mbu = a->mbu,
                            .opt_fast = mdl_i2c_bits(m) > 4096,   /* -O0 builds ~2x faster */
                            .shard_i = a->shard.i, .shard_n = a->shard.n };
        int rc = seu_flops_run(m, &o, &res[k], e);
        if (rc)
            return rc;
        *all_ok &= seu_flops_print(p, &o, &res[k], stdout);
        sampled[k] = o.upsets;
    }
    if (rc0)
        return rc0;
    return a->flops_json ? flops_json(a, prots, res, sampled, np, e) : RAD_OK;
}

/* --set: the transient campaign for each protection listed; the table,
** --set-json; *all_ok cleared when a control pulse was not latched or the
** fault-free gate netlist disagrees with the C engine. */
/* One --set campaign (protection p, module mod or NULL: flat) into row r;
** prints its PASS / FAIL line, clears *all_ok on FAIL. */
static int set_one(const seu_args *a, const mdl_model *m, const dat_set *d, seu_prot p,
                   const char *mod, seu_set_row *r, int *all_ok, rad_err *e)
{
    seu_set_opts o = { .prot = p, .dir = a->work, .top = a->top, .samples = a->samples,
                       .controls = a->set_controls, .cycles = a->set_cycles,
                       .seed = a->seed, .traffic = d, .model_name = a->model,
                       .weights_name = a->weights, .module = mod };
    r->prot = seu_prot_name(p);
    r->module = mod;
    int rc = seu_set_run(m, &o, &r->r, e);
    if (rc)
        return rc;
    if (mod && r->r.gates == 0) {
        printf("seu set %-6s %s: no gate to pulse (wiring only)\n", r->prot, mod);
        return RAD_OK;
    }
    /* a module without flip-flops of its own has no control pulse */
    int ok = r->r.gold_mismatch == 0 && r->r.gold_outputs > 0
             && r->r.ctl_latched == r->r.ctl && (r->r.ctl > 0 || a->set_controls == 0 || mod);
    *all_ok &= ok;
    printf("seu set %-6s%s%s: %ld gates, %ld flip-flops, %ld pulses + %ld controls, window %d "
           "clocks -> %s  [synth %.1f s, build %.1f s, sim %.1f s]\n", r->prot, mod ? " " : "",
           mod ? mod : "", r->r.gates, r->r.ffs, r->r.samples, r->r.ctl, r->r.window,
           ok ? "PASS" : "FAIL", r->r.synth_seconds, r->r.build_seconds, r->r.seconds);
    return RAD_OK;
}

/* The modules --set-module names for protection p (all: every module
** under the top); *own = 1 when the list is malloc'd. */
static int set_mods(const seu_args *a, const mdl_model *m, seu_prot p, char ***mods, int *n,
                    rad_err *e)
{
    if (strcmp(a->set_module, "all")) {   /* NAME[,NAME...] */
        *n = 0;
        *mods = NULL;
        for (const char *c = a->set_module; *c; c += strcspn(c, ",") + (c[strcspn(c, ",")] != 0)) {
            char **v = realloc(*mods, (size_t)(*n + 1) * sizeof *v);
            if (!v || !(v[*n] = strndup(c, strcspn(c, ","))))
                return rad_errf(e, RAD_ENOMEM, "seu set: out of memory");
            *mods = v;
            (*n)++;
        }
        return *n ? RAD_OK : rad_errf(e, RAD_EUSAGE, "seu: --set-module: no module named");
    }
    seu_set_opts o = { .prot = p, .dir = a->work, .top = a->top, .model_name = a->model,
                       .weights_name = a->weights };
    return seu_set_modules(m, &o, mods, n, e);
}

/* The --set campaigns: per protection, the whole design flat or (with
** --set-module) one campaign per module; then the table and its JSON. */
static int do_set(const seu_args *a, const mdl_model *m, const dat_set *d, rad_err *e,
                  int *all_ok)
{
    seu_prot prots[SEU_MAX_PROT];
    size_t np;
    seu_set_row *rows = NULL;
    char **keep = NULL;
    int n = 0, n_keep = 0;
    int rc = prot_list(a, "none,tmr,secded,full-tmr", prots, &np, e);
    for (size_t k = 0; k < np && !rc; k++) {
        seu_prot p = prots[k];
        char **mods = NULL;
        int nm = 1;
        if (a->set_module && (rc = set_mods(a, m, p, &mods, &nm, e)))
            break;
        for (int i = 0; i < nm && !rc; i++) {
            seu_set_row *v = realloc(rows, (size_t)(n + 1) * sizeof *v);
            char **k = mods ? realloc(keep, (size_t)(n_keep + 1) * sizeof *k) : keep;
            if (v)
                rows = v;
            if (!v || (mods && !k)) {
                rc = rad_errf(e, RAD_ENOMEM, "seu set: out of memory");
                break;
            }
            rows = v;
            keep = k;
            if (mods)
                keep[n_keep++] = mods[i];
            rc = set_one(a, m, d, p, mods ? mods[i] : NULL, &rows[n++], all_ok, e);
        }
        free(mods);
    }
    if (!rc) {
        seu_set_print(rows, n, a->set_width_ps, a->rin.clock_hz, stdout);
        if (a->set_json && !seu_set_write_json(rows, n, a->set_width_ps, a->rin.clock_hz,
                                               &a->prov, a->set_json, e))
            printf("seu set: wrote %s\n", a->set_json);
        else if (a->set_json)
            rc = e->code;
    }
    for (int i = 0; i < n_keep; i++)
        free(keep[i]);
    free(keep);
    free(rows);
    return rc;
}

static int do_gen(const seu_args *a, const mdl_model *m, const seu_sens *s, rad_err *e)
{
    seu_prot p = SEU_PROT_TMR;
    if (a->protect && seu_prot_parse(a->protect, &p))
        return rad_errf(e, RAD_EUSAGE, "seu: --gen-cfg needs one --protect of "
                        "none|tmr|secded|sel, not '%s'", a->protect);
    uint8_t *mask = NULL;
    if (p == SEU_PROT_SEL) {
        if (!s || !(mask = malloc(s->n_bits + 1)))
            return rad_errf(e, RAD_EUSAGE, "seu: sel needs the sensitivity map");
        seu_select_mask(s, a->sel_frac, mask);
    }
    cg_cfg_opts o;
    seu_cfg_opts(&o, m, a->top, 3, p, mask);
    o.seu_ports = !a->drop_in;
    if (a->secded_data)
        o.secded_data = a->secded_data;
    o.model_name = a->model ? a->model : "built-in";
    o.weights_name = a->weights ? a->weights : "built-in";
    int rc = cg_cfg_gen(m, &o, a->gen_cfg, e);
    if (!rc)
        printf("seu gen: %s (%s_cfg, protection %s)\n", a->gen_cfg, a->top,
               seu_prot_name(p));
    free(mask);
    return rc;
}

static int do_rate(const seu_args *a, const mdl_model *m, const seu_sens *s, rad_err *e)
{
    seu_rate_in in = a->rin;
    seu_rate_row r[SEU_RATE_N];
    in.n_img = seu_bit_count(m);
    if (!a->have_emd) {
        double sum = 0;
        for (size_t k = 0; k < s->n_bits; k++)
            sum += s->d_emd[k];
        in.emd_per_bit = s->n_bits ? sum / (double)s->n_bits : 0;
    }
    if (seu_rate_compute(&in, r, e))
        return e->code;
    seu_rate_print(&in, r, stdout);
    if (a->rate_json && seu_rate_write_json(&in, r, &a->prov, a->rate_json, e))
        return e->code;
    if (a->rate_json)
        printf("seu rate: wrote %s\n", a->rate_json);
    return 0;
}

static int needs_sens(const seu_args *a)
{
    int sel_rtl = a->rtl && !a->full && a->protect && strstr(a->protect, "sel");
    int sel_gen = a->gen_cfg && a->protect && !strcmp(a->protect, "sel");
    return a->sens || a->select || sel_rtl || sel_gen || (a->rate && !a->have_emd);
}

/* `rad4ml seu`: contract: parses the options, loads the model and the
** traffic (hold-out data, or random crossings for a model without the LD
** geometry), runs each mode asked for in a fixed order (sens, compare,
** select, rate, gen-cfg, set, rtl) and frees what it loaded.  Exit 0; 1 on
** an error or a campaign that failed its expectation; 2 on bad usage. */
int cmd_seu(int argc, char **argv)
{
    seu_args a;
    setvbuf(stdout, NULL, _IOLBF, 0);   /* campaigns are long: show progress */
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    rad_err e = { 0, "" };
    mdl_model *m = NULL;
    dat_set all = { 0 }, d;
    seu_sens s = { 0 };
    int have_sens = 0, rtl_pass = 1;
    rc = load_model(&a, a.weights, &m, &e);
    rad_prov_init(&a.prov, "seu", "seu");
    if (!rc)
        mdl_prov_set(&a.prov, m);
    int rnd = a.rmodel >= 0 || (m && m->in.n_cells != GEO_N_CELLS);  /* no LD traffic */
    if (!rc && (a.all_flops || a.set) && rnd && !a.data)
        rc = random_traffic(&a, m, &all, &d, &a.prov, &e);
    else if (!rc && (needs_sens(&a) || a.cmp_a || a.full || a.all_flops || a.set))
        rc = load_data(&a, &all, &d, &a.prov, &e);
    if (!rc && needs_sens(&a) && !(rc = do_sens(&a, m, &d, &s, &e)))
        have_sens = 1;
    if (!rc && a.cmp_a)
        rc = do_compare(&a, &d, &e);
    if (!rc && a.select)
        rc = do_select(&a, m, &d, &s, &e);
    if (!rc && a.rate)
        rc = do_rate(&a, m, have_sens ? &s : NULL, &e);
    if (!rc && a.gen_cfg)
        rc = do_gen(&a, m, have_sens ? &s : NULL, &e);
    if (!rc && a.set)
        rc = do_set(&a, m, &d, &e, &rtl_pass);
    if (!rc && a.rtl && a.all_flops)
        rc = do_flops(&a, m, &d, &e, &rtl_pass);
    else if (!rc && a.rtl && a.full)
        rc = do_full(&a, m, &d, &e, &rtl_pass);
    else if (!rc && a.rtl)
        rc = do_rtl(&a, m, have_sens ? &s : NULL, &e, &rtl_pass);
    if (rc)
        fprintf(stderr, "rad4ml seu: %s\n", e.msg);
    if (have_sens)
        seu_sens_free(&s);
    dat_free(&all);
    mdl_free(m);
    return rc ? 1 : rtl_pass ? 0 : 1;
}
