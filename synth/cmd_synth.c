/*
** cmd_synth.c — `rad4ml synth`: Yosys figures of the generated RTL for
** each protection option and pipeline depth, as a table and as JSON.
*/
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <assert.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codegen/cg.h"
#include "data/dataset.h"
#include "model/model_io.h"
#include "common/rad_file.h"
#include "fleet/flt_part.h"
#include "synth/syn.h"
#include "synth/syn_flow.h"
#include "synth/syn_fpga.h"
#include "synth/syn_gen.h"
#include "synth/syn_liberty.h"
#include "tools/cli.h"
#include "tools/cmd.h"

#define MAX_CFG 16

typedef struct {
    const char *rtl;          /* given RTL directory, or NULL: generate */
    const char *top;
    const char *model, *weights;
    const char *json;
    const char *work;
    const char *cache;        /* netlist cache (default <work>/cache)   */
    const char *vcd, *vcd_root, *clk, *data;
    const char *liberty;      /* --liberty: library name or .lib path   */
    const char *arith;        /* --arith: gen --arith of every configuration */
    char        protect[MAX_CFG][16];
    int         n_protect;
    int         pipeline[MAX_CFG];
    int         n_pipeline;
    int         reuse[MAX_CFG];   /* --reuse: gen --reuse R per configuration */
    int         n_reuse;
    int         flat, quick, no_cache, power, modules, vectors, jobs;
    double      period_ns;    /* clock for the --liberty timing          */
    long        skip;
    flt_shard   shard;        /* --shard i/N: configurations k % N == i  */
    const char *fpga, *fpga_part, *fpga_package;  /* --fpga FAMILY, --part, --package */
    int         fpga_only, no_pnr;
    syn_fpga_target ft;       /* of --fpga (syn_fpga.c)                  */
    syn_fpga_tools  ftl;
    int         argc;
    char      **argv;
} synth_opts;

/* One configuration's results. */
typedef struct {
    char        name[64];
    const char *protect;
    int         pipeline;
    int         reuse;        /* gen --reuse R: clock R x the crossing rate */
    size_t      index;        /* in protection x pipeline x reuse order (--shard) */
    syn_job     job;
    syn_netlist nl;
    int         have_power;
    syn_power   pw;
    int         have_lib;
    syn_libarea lib;          /* --liberty figures                      */
    syn_timing  sta;          /* --liberty static timing                */
    long        cycles;
    char        rtl_dir[4096];
    char        note[512];    /* why a configuration was skipped */
    syn_fpga_res fpga;        /* --fpga figures                          */
} synth_cfg;

/* The `rad4ml synth --help` text, to fp. */
static void usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml synth [options]\n"
"Synthesizes the generated encoder with Yosys (hierarchical: each distinct\n"
"module once, scaled by its instance count) and prints cells, flip-flops,\n"
"transistors, NAND2 equivalents, area for a 65 nm-class node and the\n"
"longest logic path, per protection option and pipeline depth.\n\n"
"  --rtl DIR        synthesize the Verilog in DIR instead of generating it\n"
"  --top NAME       top module (default rad4ml_ae)\n"
"  --model FILE     model description for the generator (default built-in)\n"
"  --weights FILE   its weights\n"
"  --protect LIST   comma list of none,tmr,secded,full-tmr (default\n"
"                   none,tmr,secded; full-tmr = gen --protect-all tmr: every\n"
"                   flip-flop triplicated; an option the generator lacks is\n"
"                   reported as skipped)\n"
"  --pipeline LIST  comma list of pipeline depths (default 1)\n"
"  --reuse LIST     comma list of reuse factors (gen --reuse R; default 1):\n"
"                   with --liberty each is timed at a clock R x 40 MHz\n"
"  --arith A        neuron arithmetic of the generated RTL (gen --arith):\n"
"                   tree (default), csa, booth or fpga (reuse > 1; with --fpga\n"
"                   the part's DSP count goes to gen --fpga-dsp); configurations other than\n"
"                   tree are named <protect>_p<D>_<A>\n"
"  --flat           flatten before synthesis (slow: `make synth-full`)\n"
"  --quick          ABC's fast mapping (abc -fast): minutes faster cold, but\n"
"                   ~25%% more cells: an upper bound, not figures to quote\n"
"  --liberty LIB    also map onto a real standard-cell library: osu018,\n"
"                   osu035, osu050 (Debian qflow-tech-*) or a .lib path;\n"
"                   prints its cell area, NAND2 equivalents and the critical\n"
"                   path from OpenSTA\n"
"  --period NS      clock period for that timing (default 25: 40 MHz); a\n"
"                   design with reuse R is timed at NS / R\n"
"  --power          activity-based power estimate from a simulation of\n"
"                   real crossings (Icarus, VCD; see synth/README.md)\n"
"  --vectors N      crossings simulated for --power (default 200)\n"
"  --data FILE      crossings for --power (CSV / ePortRX; default: the hold-out\n"
"                   part of the shared real data set)\n"
"  --vcd FILE       use this VCD for --power instead of simulating\n"
"  --vcd-root S     dotted scope of the top in the VCD (default tb.dut)\n"
"  --clk NAME       clock signal name (default clk)\n"
"  --skip N         cycles ignored at the start of the VCD (default: the\n"
"                   configuration phase, detected; 0 with --vcd)\n"
"  --modules        also print the per-module table\n"
"  --json FILE      write the results as JSON (atomic)\n"
"  --shard i/N      only the configurations k (protection x pipeline order) with\n"
"                   k %% N == i; writes FILE.part-i-of-N for `rad4ml merge`\n"
"  --work DIR       generated RTL and netlist cache (default build/synth)\n"
"  --cache DIR      netlist cache (default <work>/cache): per module, so\n"
"                   configurations share the modules they have in common\n"
"  --jobs N         Yosys runs in parallel, one module each, over all\n"
"                   configurations (default: the online cores, at least 2)\n"
"  --no-cache       rerun Yosys even when the RTL is unchanged\n"
"  --fpga FAMILY    also FPGA resources: ecp5 (synth_ecp5, DSP budget, fit check,\n"
"                   nextpnr-ecp5 place and route: Fmax) or xilinx (synth_xilinx\n"
"                   counts); tools from `make fpga-venv` (synth/README.md, FPGA)\n"
"  --part P         FPGA part (default LFE5U-85F; xilinx: xc7)\n"
"  --package K      ECP5 package (default CABGA381)\n"
"  --fpga-only      FPGA figures only (no generic-gate synthesis)\n"
"  --no-pnr         FPGA synthesis and fit check, no place and route\n");
}

static int parse_list(const char *s, synth_opts *o, int ints)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    int n = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (n == MAX_CFG)
            return -1;
        if (ints) {
            if (rad_cli_int("--pipeline", tok, 0, 64, &o->pipeline[n], NULL))
                return -1;
            n++;
        } else {
            if (strcmp(tok, "none") && strcmp(tok, "tmr") && strcmp(tok, "secded")
                && strcmp(tok, "full-tmr"))
                return -1;
            snprintf(o->protect[n++], sizeof o->protect[0], "%s", tok);
        }
    }
    if (ints)
        o->n_pipeline = n;
    else
        o->n_protect = n;
    return n > 0 ? 0 : -1;
}

/* --reuse LIST: comma list of reuse factors 1..CG_MAX_REUSE. */
static int parse_reuse(const char *s, synth_opts *o, rad_err *err)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n == MAX_CFG)
            return rad_errf(err, RAD_EUSAGE, "--reuse: more than %d factors", MAX_CFG);
        int rc = rad_cli_int("--reuse", tok, 1, CG_MAX_REUSE, &o->reuse[n++], err);
        if (rc)
            return rc;
    }
    o->n_reuse = n;
    return n > 0 ? RAD_OK : rad_errf(err, RAD_EUSAGE, "--reuse: empty list");
}

/* The --fpga options: consistent, and the target known. */
static int fpga_args(synth_opts *o, rad_err *err)
{
    if (!o->fpga && (o->fpga_part || o->fpga_package || o->fpga_only || o->no_pnr))
        return rad_errf(err, RAD_EUSAGE, "--part, --package, --fpga-only and --no-pnr go "
                        "with --fpga ecp5|xilinx");
    if (!o->fpga)
        return RAD_OK;
    if (o->fpga_only && (o->power || o->liberty))
        return rad_errf(err, RAD_EUSAGE, "--fpga-only: no --power / --liberty (they need the "
                        "generic-gate synthesis)");
    return syn_fpga_target_parse(o->fpga, o->fpga_part, o->fpga_package, &o->ft, err);
}

/* Parses the `rad4ml synth` command line into o (defaults first): 0, 1
** after --help, or 2 with the message printed.  o keeps pointers into
** argv. */
static int parse_args(int argc, char **argv, synth_opts *o)
{
    static const struct option LONG[] = {
        { "rtl", 1, 0, 'r' },      { "top", 1, 0, 't' },     { "model", 1, 0, 'm' },
        { "weights", 1, 0, 'w' },  { "protect", 1, 0, 'P' }, { "pipeline", 1, 0, 'p' },
        { "flat", 0, 0, 'f' },     { "power", 0, 0, 'W' },   { "vectors", 1, 0, 'n' },
        { "vcd", 1, 0, 'v' },      { "vcd-root", 1, 0, 'R' },{ "clk", 1, 0, 'c' },
        { "skip", 1, 0, 's' },     { "modules", 0, 0, 'M' }, { "json", 1, 0, 'j' },
        { "work", 1, 0, 'o' },     { "no-cache", 0, 0, 'N' },{ "help", 0, 0, 'h' },
        { "data", 1, 0, 'd' },     { "cache", 1, 0, 'C' },   { "jobs", 1, 0, 'J' },
        { "quick", 0, 0, 'Q' },  { "liberty", 1, 0, 'L' }, { "period", 1, 0, 'T' },
        { "reuse", 1, 0, 'U' },    { "fpga", 1, 0, 'F' },    { "part", 1, 0, 'A' },
        { "package", 1, 0, 'K' },  { "fpga-only", 0, 0, 'O' }, { "no-pnr", 0, 0, 'X' },
        { "arith", 1, 0, 'a' },
        { "shard", 1, 0, 'Z' },  { 0, 0, 0, 0 } };
    memset(o, 0, sizeof *o);
    o->top = "rad4ml_ae";
    o->work = "build/synth";
    o->vcd_root = "tb.dut";
    o->clk = "clk";
    o->vectors = 200;
    o->skip = -1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = cores < 2 ? 2 : cores > SYN_MAX_JOBS ? SYN_MAX_JOBS : (int)cores;
    o->period_ns = 25;
    parse_list("none,tmr,secded", o, 0);
    o->pipeline[0] = 1;
    o->n_pipeline = 1;
    o->reuse[0] = 1;
    o->n_reuse = 1;
    o->arith = "tree";
    optind = 1;
    int c, rc = 0;
    rad_err err = { 0 };
    while (!rc && (c = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (c) {
        case 'r': o->rtl = optarg; break;
        case 't': o->top = optarg; break;
        case 'm': o->model = optarg; break;
        case 'w': o->weights = optarg; break;
        case 'P': if (parse_list(optarg, o, 0)) goto bad; break;
        case 'p': if (parse_list(optarg, o, 1)) goto bad; break;
        case 'U': rc = parse_reuse(optarg, o, &err); break;
        case 'a':
            o->arith = optarg;
            if (strcmp(optarg, "tree") && strcmp(optarg, "csa") && strcmp(optarg, "booth")
                && strcmp(optarg, "fpga"))
                rc = rad_errf(&err, RAD_EUSAGE, "--arith: '%s' is not tree, csa, booth or fpga",
                              optarg);
            break;
        case 'f': o->flat = 1; break;
        case 'Q': o->quick = 1; break;
        case 'L': o->liberty = optarg; break;
        case 'T': rc = rad_cli_double("--period", optarg, 1e-3, 1e6, &o->period_ns, &err); break;
        case 'W': o->power = 1; break;
        case 'n': rc = rad_cli_int("--vectors", optarg, 1, 1 << 24, &o->vectors, &err); break;
        case 'v': o->vcd = optarg; o->power = 1; break;
        case 'R': o->vcd_root = optarg; break;
        case 'c': o->clk = optarg; break;
        case 's': rc = rad_cli_long("--skip", optarg, 0, LONG_MAX, &o->skip, &err); break;
        case 'M': o->modules = 1; break;
        case 'j': o->json = optarg; break;
        case 'o': o->work = optarg; break;
        case 'd': o->data = optarg; o->power = 1; break;
        case 'N': o->no_cache = 1; break;
        case 'C': o->cache = optarg; break;
        case 'J': rc = rad_cli_int("--jobs", optarg, 1, SYN_MAX_JOBS, &o->jobs, &err); break;
        case 'Z': rc = flt_shard_parse(optarg, &o->shard, &err); break;
        case 'F': o->fpga = optarg; break;
        case 'A': o->fpga_part = optarg; break;
        case 'K': o->fpga_package = optarg; break;
        case 'O': o->fpga_only = 1; break;
        case 'X': o->no_pnr = 1; break;
        case 'h': usage(stdout); return 1;
        default: goto bad;
        }
    }
    if (!rc && o->shard.n && !o->json)
        rc = rad_errf(&err, RAD_EUSAGE, "--shard goes with --json FILE (the partial is "
                      "FILE.part-i-of-N)");
    if (!rc)
        rc = fpga_args(o, &err);
    if (rc)
        return cli_usage_error("synth", &err);
    if (optind < argc || (o->quick && o->flat))
        goto bad;
    if (!rc && o->n_protect * o->n_pipeline * o->n_reuse > MAX_CFG * MAX_CFG)
        rc = rad_errf(&err, RAD_EUSAGE, "more than %d configurations", MAX_CFG * MAX_CFG);
    for (int i = 0; !rc && o->power && i < o->n_reuse; i++)
        if (o->reuse[i] > 1)     /* its testbench sends one crossing per clock */
            rc = rad_errf(&err, RAD_EUSAGE, "--power with --reuse %d: not supported (the "
                          "power simulation sends one crossing per clock)", o->reuse[i]);
    o->argc = argc;
    o->argv = argv;
    if (rc)
        return cli_usage_error("synth", &err);
    if (o->rtl) {          /* a given directory is one configuration */
        parse_list("none", o, 0);
        o->n_pipeline = 1;
        o->n_reuse = 1;
    }
    return 0;
bad:
    fprintf(stderr, "rad4ml synth: bad option or value%s%s\n",
            optind <= argc && optind > 0 ? " near " : "",
            optind <= argc && optind > 0 ? argv[optind - 1] : "");
    usage(stderr);
    return 2;
}

/* ---- one configuration --------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The VCD of a configuration's power simulation. */
static void power_vcd(const synth_opts *o, const synth_cfg *c, char *vcd, size_t size)
{
    if (o->vcd)
        snprintf(vcd, size, "%s", o->vcd);
    else
        snprintf(vcd, size, "%s/power_%s.vcd", o->work, c->name);
}

/* The Icarus simulations of --power (none with --vcd), for every
** configuration with RTL, in a thread started before the Yosys pool: they
** take the core the pool leaves idle at its end instead of running after
** it.  The thread owns nothing but its result: skip[i] (cycles to ignore
** in cfg i), rc and err, read by power_wait after the join; `stop` asks it
** to end after the current configuration (the pool failed). */
typedef struct {
    const synth_opts *o;
    const synth_cfg  *cfg;
    int               n;
    long             *skip;
    pthread_t         th;
    bool              started;
    atomic_int        stop;
    int               rc;
    rad_err           err;
} power_sims;

static void *power_thread(void *arg)
{
    power_sims *ps = arg;
    for (int i = 0; i < ps->n && !ps->rc && !atomic_load(&ps->stop); i++) {
        char vcd[4200];
        const synth_cfg *c = &ps->cfg[i];
        power_vcd(ps->o, c, vcd, sizeof vcd);
        if (!c->note[0])
            ps->rc = syn_gen_vcd(ps->o->model, ps->o->weights, ps->o->data, c->rtl_dir,
                                 ps->o->top, ps->o->vectors, vcd, &ps->skip[i], &ps->err);
    }
    return NULL;
}

static int power_start(const synth_opts *o, const synth_cfg *cfg, int n, long *skip,
                       power_sims *ps, rad_err *err)
{
    *ps = (power_sims){ .o = o, .cfg = cfg, .n = n, .skip = skip };
    atomic_init(&ps->stop, 0);
    if (!o->power || o->vcd)
        return RAD_OK;
    int e = pthread_create(&ps->th, NULL, power_thread, ps);
    if (e)
        return rad_errf(err, RAD_ETOOL, "power simulations: cannot start a thread: %s",
                        strerror(e));
    ps->started = true;
    return RAD_OK;
}

/* Waits for the power simulations (asking them to stop first when `stop`);
** their error, if any. */
static int power_wait(power_sims *ps, bool stop, rad_err *err)
{
    if (!ps->started)
        return RAD_OK;
    if (stop)
        atomic_store(&ps->stop, 1);
    pthread_join(ps->th, NULL);
    ps->started = false;
    if (ps->rc && err)
        *err = ps->err;
    return ps->rc;
}

/* The power estimate from the VCD (simulated before, or --vcd). */
static int run_power(const synth_opts *o, synth_cfg *c, const syn_tech *t, long sim_skip,
                     rad_err *err)
{
    char vcd[4200];
    power_vcd(o, c, vcd, sizeof vcd);
    long skip = o->skip >= 0 ? o->skip : o->vcd ? 0 : sim_skip;
    syn_activity a;
    int rc = syn_vcd_activity(vcd, o->clk, skip, &a, err);
    if (rc)
        return rc;
    c->cycles = a.cycles;
    rc = syn_power_estimate(&c->nl, &a, o->vcd_root, t, &c->pw, err);
    syn_activity_free(&a);
    c->have_power = rc == RAD_OK;
    return rc;
}

/* Clocks per crossing of the RTL in dir (the `interval=` option of its
** provenance header, written by gen --reuse); 1 when absent. */
static int rtl_interval(const char *dir, const char *top)
{
    char path[4200], line[1024];
    snprintf(path, sizeof path, "%s/%s.v", dir, top);
    FILE *fp = fopen(path, "r");
    int r = 1;
    while (fp && fgets(line, sizeof line, fp) && !strncmp(line, "//", 2)) {
        const char *k = strstr(line, "rad4ml-provenance options:");
        const char *i = k ? strstr(k, " interval=") : NULL;
        if (i)
            r = atoi(i + 10) > 1 ? atoi(i + 10) : 1;
    }
    if (fp)
        fclose(fp);
    return r;
}

/* The RTL of a configuration (generated unless --rtl) and its Yosys job;
** a protection the generator lacks leaves a note and no job. */
static int prepare_cfg(const synth_opts *o, synth_cfg *c, const char *cache, rad_err *err)
{
    if (o->rtl) {
        snprintf(c->rtl_dir, sizeof c->rtl_dir, "%s", o->rtl);
        c->reuse = rtl_interval(o->rtl, o->top);
        if (o->power && c->reuse > 1)
            return rad_errf(err, RAD_EUSAGE, "--power: %s takes one crossing every %d clocks "
                            "(gen --reuse); the power simulation sends one per clock", o->rtl,
                            c->reuse);
    } else {
        snprintf(c->rtl_dir, sizeof c->rtl_dir, "%s/rtl/%s", o->work, c->name);
        /* --arith fpga: as many products as the part has DSP blocks are `*` */
        int dsp = o->fpga && !strcmp(o->arith, "fpga") ? (int)o->ft.dsps : 0;
        int rc = syn_gen_rtl_arith(o->model, o->weights, o->top, c->protect, c->pipeline,
                                   c->reuse, o->arith, dsp, c->rtl_dir, c->note, sizeof c->note,
                                   err);
        if (rc || c->note[0])
            return rc;
    }
    c->job = (syn_job){ .top = o->top, .label = c->name, .rtl_dir = c->rtl_dir,
                        .flat = o->flat, .quick = o->quick, .cache_dir = cache,
                        .no_cache = o->no_cache, .jobs = o->jobs };
    return RAD_OK;
}

/* The FPGA job of a configuration (--fpga), in its own cache beside the
** generic one: <cache>-fpga. */
static int fpga_prepare(const synth_opts *o, synth_cfg *c, syn_job **job, rad_err *err)
{
    char cache[4200];
    snprintf(cache, sizeof cache, "%s%s", o->cache ? o->cache : o->work,
             o->cache ? "-fpga" : "/cache-fpga");
    int rc = syn_fpga_prepare(&o->ft, &o->ftl, c->rtl_dir, o->top, cache, o->flat,
                              o->no_cache, &c->fpga, err);
    c->fpga.job.label = c->name;
    *job = &c->fpga.job;
    return rc;
}

/* After synthesis: the figures, --liberty and --power of one configuration. */
static int finish_cfg(const synth_opts *o, synth_cfg *c, const syn_tech *t, const syn_lib *lib,
                      long sim_skip, rad_err *err)
{
    int rc = syn_netlist_load(c->job.netlist, o->top, &c->nl, err);
    if (rc)
        return rc;
    if (lib) {
        if ((rc = syn_lib_map(&c->job, &c->nl, lib, o->period_ns, &c->lib, err))
            || (rc = syn_lib_sta(&c->job, lib, &c->lib, o->top, o->clk, o->period_ns / c->reuse,
                                 &c->sta, err)))
            return rc;
        c->have_lib = 1;
    }
    if (o->power)
        rc = run_power(o, c, t, sim_skip, err);
    return rc;
}

/* Contract: every configuration (protection x pipeline) of o: RTL first,
** then all their Yosys runs in one pool (modules they share run once, both
** cores busy to the end) beside the power simulations, then per
** configuration the netlist figures, --liberty and --power.  Progress
** lines go to stderr. */
static int run_all(const synth_opts *o, synth_cfg *cfg, int *n, const syn_tech *t,
                   const syn_lib *lib, rad_err *err)
{
    char cache[4200];
    snprintf(cache, sizeof cache, "%s/cache", o->work);
    syn_job *jobs[2 * MAX_CFG * MAX_CFG];
    int nj = 0, rc = 0;
    *n = 0;
    for (int i = 0; i < o->n_protect && rc == 0; i++)
        for (int k = 0; k < o->n_pipeline * o->n_reuse && rc == 0; k++) {
            size_t index = (size_t)(i * o->n_pipeline * o->n_reuse + k);
            if (!flt_shard_has(&o->shard, index))
                continue;
            synth_cfg *c = &cfg[(*n)++];
            c->index = index;
            c->protect = o->protect[i];
            c->pipeline = o->pipeline[k / o->n_reuse];
            c->reuse = o->reuse[k % o->n_reuse];
            snprintf(c->name, sizeof c->name, "%s_p%d", o->protect[i], c->pipeline);
            if (c->reuse > 1)
                snprintf(c->name + strlen(c->name), sizeof c->name - strlen(c->name), "_r%d",
                         c->reuse);
            if (strcmp(o->arith, "tree"))
                snprintf(c->name + strlen(c->name), sizeof c->name - strlen(c->name), "_%s",
                         o->arith);
            if (o->rtl)
                snprintf(c->name, sizeof c->name, "%s", o->top);
            fprintf(stderr, "rad4ml synth: %s: RTL ...\n", c->name);
            rc = prepare_cfg(o, c, o->cache ? o->cache : cache, err);
            if (rc == 0 && !c->note[0] && !o->fpga_only)
                jobs[nj++] = &c->job;
            if (rc == 0 && !c->note[0] && o->fpga)
                rc = fpga_prepare(o, c, &jobs[nj++], err);
        }
    power_sims ps;
    long skip[MAX_CFG * MAX_CFG] = { 0 };
    assert(*n <= MAX_CFG * MAX_CFG);
    if (rc == 0 && nj)
        rc = power_start(o, cfg, *n, skip, &ps, err);
    else
        ps = (power_sims){ .started = false };
    if (rc == 0 && ps.started)
        fprintf(stderr, "rad4ml synth: power simulations (Icarus) started beside Yosys\n");
    double t0 = now_s();
    if (rc == 0 && nj) {
        fprintf(stderr, "rad4ml synth: Yosys, %d configuration%s ...\n", nj, nj > 1 ? "s" : "");
        rc = syn_run_many(jobs, nj, o->jobs, stderr, err);
        double cpu = 0;
        for (int k = 0; k < nj; k++)
            for (int i = 0; i < jobs[k]->n_mod; i++)
                cpu += jobs[k]->mod[i].cpu_seconds;
        fprintf(stderr, "rad4ml synth: Yosys done in %.1f s (CPU of its module runs %.1f s)\n",
                now_s() - t0, cpu);
    }
    if (ps.started) {
        rad_err e2 = { 0 };
        int prc = power_wait(&ps, rc != 0, &e2);
        if (rc == 0 && prc)
            rc = prc, *err = e2;
        else if (rc == 0)
            fprintf(stderr, "rad4ml synth: power simulations done\n");
    }
    for (int i = 0; i < *n && rc == 0; i++)
        if (!cfg[i].note[0] && !o->fpga_only) {
            fprintf(stderr, "rad4ml synth: %s: figures%s%s ...\n", cfg[i].name,
                    lib ? ", liberty" : "", o->power ? ", power" : "");
            rc = finish_cfg(o, &cfg[i], t, lib, skip[i], err);
        }
    for (int i = 0; i < *n && rc == 0 && o->fpga; i++)
        if (!cfg[i].note[0]) {
            fprintf(stderr, "rad4ml synth: %s: FPGA %s figures ...\n", cfg[i].name, o->ft.part);
            rc = syn_fpga_finish(&o->ft, &o->ftl, o->top, 1e3 * cfg[i].reuse / o->period_ns,
                                 !o->no_pnr, &cfg[i].fpga, err);
        }
    return rc;
}

/* ---- output -------------------------------------------------------------- */

/* Prints the table of the n configurations cfg (cells, flops,
** transistors, NAND2-eq, area, levels, Yosys time; per module with
** modules != 0) to stdout. */
static void print_table(const synth_cfg *cfg, int n, const syn_tech *t, int modules)
{
    printf("\n%-14s %9s %7s %11s %10s %20s %7s %8s\n", "config", "cells", "flops",
           "transistors", "NAND2-eq", "area mm^2 (lo-hi)", "levels", "yosys s");
    for (int i = 0; i < n; i++) {
        const synth_cfg *c = &cfg[i];
        if (c->note[0]) {
            printf("%-14s skipped: %s\n", c->name, c->note);
            continue;
        }
        const syn_netlist *nl = &c->nl;
        char how[64] = " (cached)";
        if (!c->job.cached && c->job.n_mod)
            snprintf(how, sizeof how, " (%d of %d modules)", c->job.n_run, c->job.n_mod);
        else if (!c->job.cached)
            how[0] = '\0';
        printf("%-14s %9ld %7ld %11ld %10.0f %6.3f (%.3f-%.3f) %7d %8.1f%s\n",
               c->name, nl->cells, nl->ff, nl->transistors, nl->nand2,
               syn_area_mm2(nl->nand2, t->nand2_um2, t->utilization),
               syn_area_mm2(nl->nand2, t->nand2_um2_lo, t->utilization),
               syn_area_mm2(nl->nand2, t->nand2_um2_hi, t->utilization),
               nl->levels, c->job.seconds, how);
    }
    for (int i = 1; i < n; i++)    /* protected variants against the first */
        if (!cfg[i].note[0] && !cfg[0].note[0] && cfg[0].nl.nand2 > 0
            && cfg[i].pipeline == cfg[0].pipeline && cfg[i].reuse == cfg[0].reuse
            && strcmp(cfg[i].protect, cfg[0].protect))
            printf("%-14s area %.3f x %s\n", cfg[i].name, cfg[i].nl.nand2 / cfg[0].nl.nand2,
                   cfg[0].name);
    printf("area = NAND2-eq x %.2f um^2 (range %.2f-%.2f) / %.0f%% utilization; "
           "levels = longest path in gates (reg->reg, in->reg, reg->out)\n",
           t->nand2_um2, t->nand2_um2_lo, t->nand2_um2_hi, 100 * t->utilization);
    if (n > 0 && cfg[0].job.quick)
        printf("--quick: ABC fast mapping (abc -fast): counts are an upper bound "
               "(~25%% more cells), not the figures to quote\n");
    for (int i = 0; i < n; i++) {
        const synth_cfg *c = &cfg[i];
        if (c->have_power)
            printf("%-14s power %.3g mW (band %.3g-%.3g: dyn %.3g clk %.3g leak %.3g), "
                   "%.3g nJ/inference (%.3g-%.3g), activity %.3f toggles/bit/cycle "
                   "over %ld cycles\n", c->name, 1e3 * c->pw.p_w, 1e3 * c->pw.p_lo_w,
                   1e3 * c->pw.p_hi_w, 1e3 * c->pw.p_dyn_w, 1e3 * c->pw.p_clk_w,
                   1e3 * c->pw.p_leak_w, 1e9 * c->pw.e_j, 1e9 * c->pw.e_lo_j,
                   1e9 * c->pw.e_hi_j, c->pw.alpha, c->cycles);
    }
    if (n > 0 && cfg[0].have_power)
        printf("published (65 nm LP, abstract): 3.6 mm^2, 95 mW, 2.4 nJ/inference; "
               "earlier iteration 2.5 mm^2, 280 mW\n");
    for (int i = 0; modules && i < n; i++) {
        const syn_netlist *nl = &cfg[i].nl;
        if (cfg[i].note[0])
            continue;
        printf("\n%s: per module (one copy x instances)\n", cfg[i].name);
        printf("  %-44s %6s %8s %6s %10s %5s %5s %5s %5s\n", "module", "inst", "cells",
               "flops", "NAND2-eq", "i->o", "i->r", "r->o", "r->r");
        for (int k = nl->n_mod - 1; k >= 0; k--) {
            const syn_module *m = &nl->mod[k];
            printf("  %-44.44s %6ld %8ld %6ld %10.0f %5d %5d %5d %5d\n", m->name,
                   m->instances, m->cells_own, m->ff_own, m->tr_own / 4.0, m->d_io,
                   m->d_if, m->d_fo, m->d_ff);
        }
    }
}

/* The --fpga figures: one line per configuration. */
static void print_fpga(const synth_opts *o, const synth_cfg *cfg, int n)
{
    syn_fpga_print_head(stdout, &o->ft, &o->ftl);
    for (int i = 0; i < n; i++)
        if (!cfg[i].note[0])
            syn_fpga_print(stdout, cfg[i].name, cfg[i].reuse, &o->ft, &cfg[i].fpga);
}

/* With reuse (a configuration with R > 1): whether each design meets its
** clock, R x the crossing rate (period / R), in the library timing. */
static void print_reuse_timing(const synth_cfg *cfg, int n, double period_ns)
{
    bool any = false;
    for (int i = 0; i < n; i++)
        any |= cfg[i].have_lib && cfg[i].reuse > 1;
    if (!any)
        return;
    printf("reuse: clock = R x the crossing rate (%.4g MHz), period %.4g ns / R:\n",
           1e3 / period_ns, period_ns);
    for (int i = 0; i < n; i++)
        if (cfg[i].have_lib)
            printf("%-14s R=%d: %.4g MHz (%.4g ns), path %.3f ns, slack %.3f ns: %s\n",
                   cfg[i].name, cfg[i].reuse, 1e3 * cfg[i].reuse / period_ns,
                   cfg[i].sta.period_ns, cfg[i].sta.arrival_ns, cfg[i].sta.slack_ns,
                   cfg[i].sta.slack_ns >= 0 ? "meets" : "misses");
}

/* The same designs mapped onto the liberty library (--liberty). */
static void print_lib_table(const synth_cfg *cfg, int n, const syn_lib *lib, const syn_tech *t,
                            double period_ns)
{
    printf("\nmapped onto %s (%s): library cell areas, NAND2-eq = area / %s (%.4g um^2)\n",
           lib->name, lib->path, lib->nand2, lib->nand2_area);
    printf("%-14s %9s %7s %14s %10s %10s %11s %9s %8s\n", "config", "cells", "flops",
           "cell area um^2", "mm^2 @70%", "NAND2-eq", "65nm mm^2", "path ns", "tools s");
    for (int i = 0; i < n; i++) {
        const synth_cfg *c = &cfg[i];
        if (!c->have_lib)
            continue;
        const syn_libarea *a = &c->lib;
        printf("%-14s %9ld %7ld %14.0f %10.3f %10.0f %11.3f %9.2f %8.1f%s\n", c->name,
               a->cells, a->ff, a->area, 1e-6 * a->area / t->utilization, a->nand2_eq,
               syn_area_mm2(a->nand2_eq, t->nand2_um2, t->utilization), c->sta.arrival_ns,
               a->seconds + c->sta.seconds, a->cached && c->sta.cached ? " (cached)" : "");
    }
    printf("mm^2 @70%% = the library's own area / %.0f%% utilization; 65nm mm^2 = its "
           "NAND2-eq with the 65 nm NAND2 above (%.2f um^2)\n", 100 * t->utilization,
           t->nand2_um2);
    printf("path ns = OpenSTA's longest path at the library's typical corner, ideal wires "
           "and clock (period %.4g ns; / R with reuse R):\n", period_ns);
    for (int i = 0; i < n; i++)
        if (cfg[i].have_lib)
            printf("%-14s %.3f ns, slack %.3f ns: %s -> %s\n", cfg[i].name,
                   cfg[i].sta.arrival_ns, cfg[i].sta.slack_ns, cfg[i].sta.start, cfg[i].sta.end);
    print_reuse_timing(cfg, n, period_ns);
}

static json_t *area_json(double nand2, const syn_tech *t)
{
    return json_pack("{s:f,s:f,s:f}",
                     "lo", syn_area_mm2(nand2, t->nand2_um2_lo, t->utilization),
                     "nominal", syn_area_mm2(nand2, t->nand2_um2, t->utilization),
                     "hi", syn_area_mm2(nand2, t->nand2_um2_hi, t->utilization));
}

static json_t *lib_json(const syn_libarea *a, const syn_lib *lib, const syn_tech *t)
{
    return json_pack("{s:s,s:s,s:f,s:f,s:f,s:f,s:I,s:I,s:b,s:f,s:i}",
        "library", lib->name, "file", lib->path, "cell_area_um2", a->area,
        "area_mm2_at_utilization", 1e-6 * a->area / t->utilization,
        "nand2_eq", a->nand2_eq,
        "area_65nm_mm2", syn_area_mm2(a->nand2_eq, t->nand2_um2, t->utilization),
        "cells", (json_int_t)a->cells, "flipflops", (json_int_t)a->ff,
        "cached", a->cached, "yosys_seconds", a->seconds, "yosys_runs", a->n_run);
}

/* The JSON object of one synthesized configuration c (cells, flops,
** transistors, area, depth, power, Liberty mapping when present), or only
** its name and skip note.  Returns a new reference owned by the caller. */
static json_t *cfg_json(const synth_opts *o, const synth_cfg *c, const syn_tech *t,
                        const syn_lib *lib)
{
    json_t *j = json_pack("{s:s,s:s,s:i,s:i}", "name", c->name, "protect", c->protect,
                          "pipeline", c->pipeline, "reuse", c->reuse);
    if (c->note[0]) {
        json_object_set_new(j, "skipped", json_string(c->note));
        return j;
    }
    if (c->fpga.have)
        json_object_set_new(j, "fpga", syn_fpga_json(&o->ft, &o->ftl, &c->fpga));
    if (o->fpga_only)
        return j;
    const syn_netlist *nl = &c->nl;
    char hash[32];
    snprintf(hash, sizeof hash, "%016llx", c->job.hash);
    json_object_set_new(j, "top", json_string(nl->top));
    json_object_set_new(j, "rtl_hash", json_string(hash));
    json_object_set_new(j, "flow", json_string(c->job.flat ? "flat" : c->job.quick ?
                                               "hierarchical-quick" : "hierarchical"));
    json_object_set_new(j, "cached", json_boolean(c->job.cached));
    json_object_set_new(j, "yosys_seconds", json_real(c->job.seconds));
    json_object_set_new(j, "netlist", json_string(c->job.netlist));
    json_object_set_new(j, "yosys_modules_run", json_integer(c->job.n_run));
    json_object_set_new(j, "cells", json_integer(nl->cells));
    json_object_set_new(j, "flipflops", json_integer(nl->ff));
    json_object_set_new(j, "transistors", json_integer(nl->transistors));
    json_object_set_new(j, "nand2_eq", json_real(nl->nand2));
    json_object_set_new(j, "area_mm2", area_json(nl->nand2, t));
    json_object_set_new(j, "levels", json_pack("{s:i,s:i,s:i,s:i,s:i}",
        "critical", nl->levels, "reg2reg", nl->levels_reg2reg, "in2reg",
        nl->levels_in2reg, "reg2out", nl->levels_reg2out, "in2out", nl->levels_in2out));
    json_t *types = json_object();
    for (int i = 0; i < nl->n_type; i++)
        json_object_set_new(types, nl->type[i].type, json_integer(nl->type[i].count));
    json_object_set_new(j, "cell_types", types);
    json_t *mods = json_array();
    for (int k = nl->n_mod - 1; k >= 0; k--) {
        const syn_module *m = &nl->mod[k];
        json_array_append_new(mods, json_pack("{s:s,s:I,s:I,s:I,s:I,s:f,s:i,s:i,s:i,s:i}",
            "name", m->name, "instances", (json_int_t)m->instances,
            "cells", (json_int_t)m->cells_own, "flipflops", (json_int_t)m->ff_own,
            "transistors", (json_int_t)m->tr_own, "nand2_eq", m->tr_own / 4.0,
            "levels_in2out", m->d_io, "levels_in2reg", m->d_if,
            "levels_reg2out", m->d_fo, "levels_reg2reg", m->d_ff));
        const syn_modjob *mj = syn_job_module(&c->job, m->name);
        if (mj) {
            json_t *last = json_array_get(mods, json_array_size(mods) - 1);
            snprintf(hash, sizeof hash, "%016llx", mj->hash);
            json_object_set_new(last, "netlist_hash", json_string(hash));
            json_object_set_new(last, "cached", json_boolean(mj->cached));
            json_object_set_new(last, "yosys_seconds", json_real(mj->seconds));
            json_object_set_new(last, "yosys_cpu_seconds", json_real(mj->cpu_seconds));
        }
    }
    json_object_set_new(j, "modules", mods);
    if (c->have_lib) {
        json_t *l = lib_json(&c->lib, lib, t);
        json_object_set_new(l, "timing", json_pack("{s:f,s:f,s:f,s:s,s:s,s:b,s:f,s:b}",
            "period_ns", c->sta.period_ns, "critical_path_ns", c->sta.arrival_ns,
            "slack_ns", c->sta.slack_ns, "startpoint", c->sta.start, "endpoint", c->sta.end,
            "cached", c->sta.cached, "sta_seconds", c->sta.seconds,
            "meets_period", c->sta.slack_ns >= 0));
        json_object_set_new(j, "liberty", l);
    }
    if (c->have_power) {
        const syn_power *p = &c->pw;
        json_object_set_new(j, "power", json_pack(
            "{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:f}",
            "total_mw", 1e3 * p->p_w, "lo_mw", 1e3 * p->p_lo_w, "hi_mw", 1e3 * p->p_hi_w,
            "dynamic_mw", 1e3 * p->p_dyn_w, "clock_mw", 1e3 * p->p_clk_w,
            "leakage_mw", 1e3 * p->p_leak_w, "energy_nj", 1e9 * p->e_j,
            "energy_lo_nj", 1e9 * p->e_lo_j, "energy_hi_nj", 1e9 * p->e_hi_j,
            "activity", p->alpha, "cycles", (json_int_t)c->cycles,
            "nand2_eq_with_measured_activity", p->nand2_matched));
    }
    return j;
}

/* Provenance of the JSON: the model synthesized (or the RTL directory
** given), the power data, the options that change the figures. */
static int synth_prov(const synth_opts *o, rad_prov *p, rad_err *err)
{
    rad_prov_init(p, "synth", "synth");
    int rc = o->rtl ? RAD_OK : mdl_prov_load(p, o->model, o->weights, err);
    if (o->rtl)
        rad_prov_opt(p, "rtl", "%s", o->rtl);
    rad_prov_opt(p, "top", "%s", o->top);
    for (int i = 0; i < o->n_protect; i++)
        rad_prov_opt(p, "protect", "%s", o->protect[i]);
    for (int i = 0; i < o->n_pipeline; i++)
        rad_prov_opt(p, "pipeline", "%d", o->pipeline[i]);
    for (int i = 0; o->reuse[0] > 1 || o->n_reuse > 1 ? i < o->n_reuse : 0; i++)
        rad_prov_opt(p, "reuse", "%d", o->reuse[i]);
    if (o->flat)
        rad_prov_opt(p, "flat", "yes");
    if (o->fpga) {
        rad_prov_opt(p, "fpga", "%s", o->ft.family);
        rad_prov_opt(p, "part", "%s", o->ft.part);
    }
    if (o->liberty)
        rad_prov_opt(p, "liberty", "%s", o->liberty);
    if (o->power) {
        char def[4096];
        rad_prov_opt(p, "power-vectors", "%d", o->vectors);
        if (!rc && !o->data)
            rc = dat_default_path(def, sizeof def, err);
        if (!rc)
            rc = rad_prov_src_file(&p->data, o->data ? o->data : def, err);
        p->rows = o->vectors;
    }
    return rc;
}

/* --json: every configuration's figures (cells, area, depth, power,
** library mapping and timing when asked), the technology constants and the
** provenance block, written atomically to o->json; with --shard i/N, this
** shard's configurations as the partial o->json.part-i-of-N. */
static int write_json(const synth_opts *o, const synth_cfg *cfg, int n, const syn_tech *t,
                      const syn_lib *lib, rad_err *err)
{
    const char *path = o->json;
    rad_prov prov;
    int rc = synth_prov(o, &prov, err);
    if (rc)
        return rc;
    char ver[256];
    syn_yosys_version(ver, sizeof ver);
    json_t *root = json_pack("{s:s,s:s,s:s}", "tool", "rad4ml synth", "yosys", ver,
                             "method", "synth/README.md");
    json_object_set_new(root, "tech", json_pack(
        "{s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:s,s:s}",
        "node", "65 nm LP class (assumed)",
        "nand2_um2", t->nand2_um2, "nand2_um2_lo", t->nand2_um2_lo,
        "nand2_um2_hi", t->nand2_um2_hi, "utilization", t->utilization,
        "vdd_v", t->vdd, "f_mhz", t->f_hz / 1e6, "c_node_ff", t->c_node_ff,
        "c_node_ff_lo", t->c_node_ff_lo, "c_node_ff_hi", t->c_node_ff_hi,
        "c_clk_ff", t->c_clk_ff, "leak_nw_per_gate", t->leak_nw_per_gate,
        "glitch_hi", t->glitch_hi,
        "gates", "abc -g cmos3: NOT, NAND2, NOR2, AOI21, OAI21 + generic flip-flops",
        "nand2_eq", "transistors / 4 (static CMOS; DFF 24 T, +8 T enable, +4 T reset)"));
    json_object_set_new(root, "reference", json_pack(
        "{s:f,s:f,s:f,s:f,s:f,s:s}", "area_mm2", 3.6, "power_mw", 95.0,
        "energy_nj", 2.4, "earlier_area_mm2", 2.5, "earlier_power_mw", 280.0,
        "source", "arXiv:2105.01683 abstract; earlier iteration: conference abstract"));
    json_t *arr = json_array();
    size_t idx[MAX_CFG * MAX_CFG];
    for (int i = 0; i < n; i++) {
        json_array_append_new(arr, cfg_json(o, &cfg[i], t, lib));
        idx[i] = cfg[i].index;
    }
    json_object_set_new(root, "configs", arr);
    json_object_set_new(root, "provenance", rad_prov_json(&prov));
    size_t flags = JSON_INDENT(1) | JSON_REAL_PRECISION(6);
    if (o->shard.n) {                  /* a partial for `rad4ml merge` */
        char key[17];
        flt_prov_key(&prov, NULL, key);
        size_t total = (size_t)(o->n_protect * o->n_pipeline * o->n_reuse);
        rc = flt_json_shard_write(root, "configs", idx, total, flags, "synth", key, &o->shard, o->argc, o->argv, path, err);
    } else
        rc = rad_json_write(path, root, flags, err);
    json_decref(root);
    return rc;
}

/* `rad4ml synth`: synthesizes each configuration asked for, optionally
** with power and the Liberty mapping, prints the table and writes the
** JSON.  Exit 0, 1 on an error, 2 on bad usage. */
int cmd_synth(int argc, char **argv)
{
    synth_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc == 1 ? 0 : rc;
    syn_tech t;
    syn_tech_65nm(&t);
    int n = 0;
    synth_cfg *cfg = calloc(MAX_CFG * MAX_CFG, sizeof *cfg);
    if (!cfg)
        return 1;
    rad_err err = { 0 };
    syn_lib lib = { 0 };
    if (o.liberty && syn_lib_load(o.liberty, &lib, &err)) {
        fprintf(stderr, "rad4ml synth: --liberty: %s\n", err.msg);
        free(cfg);
        return 1;
    }
    if (o.fpga && syn_fpga_tools_find(&o.ft, &o.ftl, &err)) {
        fprintf(stderr, "rad4ml synth: %s\n", err.msg);
        free(cfg);
        return 1;
    }
    double t0 = now_s();
    rc = run_all(&o, cfg, &n, &t, o.liberty ? &lib : NULL, &err) ? 1 : 0;
    fprintf(stderr, "rad4ml synth: %.1f s in all\n", now_s() - t0);
    if (rc == 0) {
        if (!o.fpga_only)
            print_table(cfg, n, &t, o.modules);
        if (o.fpga)
            print_fpga(&o, cfg, n);
        if (o.liberty)
            print_lib_table(cfg, n, &lib, &t, o.period_ns);
        if (o.json && write_json(&o, cfg, n, &t, o.liberty ? &lib : NULL, &err))
            rc = 1;
    }
    if (rc)
        fprintf(stderr, "rad4ml synth: %s\n", err.msg);
    for (int i = 0; i < n; i++)
        syn_netlist_free(&cfg[i].nl);
    syn_lib_free(&lib);
    free(cfg);
    return rc;
}
