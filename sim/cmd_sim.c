/*
** cmd_sim.c — `rad4ml sim`: C reference vs HLS C vs Verilator vs Icarus.
**
** Generates the RTL and HLS C of the model into a work directory, writes
** weight sets A and B as model files, builds the harnesses (the Verilated
** model is cached under a hash of the generated RTL and the shim, so that
** repeated runs do not rebuild it), runs them and prints, for every pair
** "C reference vs X", the vectors sent, compared and the mismatches.
**
** cmd_sim = parse (options, checked by common/rad_cli) -> setup_* (paths,
** weight sets, real data, generated sources) -> run_pairs (each harness
** built and run through common/rad_proc; the Verilator one by the shared
** recipe common/rad_vl) -> report (one line per pair, the exit status).
*/
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/rad_hash.h"
#include "codegen/cg.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "common/rad_vl.h"
#include "data/dataset.h"
#include "fleet/flt_part.h"
#include "model/model_io.h"
#include "sim/sim.h"
#include "tools/cli.h"
#include "tools/cmd.h"

#define SIM_MAX_VECTORS 1000000000   /* --vectors, --icarus-vectors: at most 1e9 */

/* snprintf that reports truncation as an error message instead of a
** silently cut path (every path and command here is far below the sizes). */
static void sfmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sfmt(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= len)
        fprintf(stderr, "rad4ml sim: internal text too long (%.40s...)\n", buf);
}

typedef struct {
    char root[2048];     /* repo root: sim/ sources and headers          */
    char lib[2200];      /* librad4ml.a                                  */
    char work[2200];     /* work directory                               */
    char gen[2400];      /* generated HLS C (and RTL unless --rtl)       */
    char rtl[2400];      /* RTL simulated: <top>.v, <top>_cfg.v          */
    char top[64];
    const char *data;    /* real crossings file or NULL                  */
    int  verbose;
    sim_reset mid_reset; /* reset after a quarter of the traffic (sim.h) */
    int       interval;  /* clocks per crossing of the design (gen --reuse) */
} sim_env;

/* The options as given (parse), with their defaults. */
typedef struct {
    cli_model_src src;
    const char *weights2, *data, *only, *workdir, *rtl;
    size_t   nvec, nicarus;
    long     links2;
    uint64_t seed;
    cg_opts  o;
    int      verbose;
    sim_reset mid_reset;
    unsigned given;      /* GIVEN_* options set on the command line (--rtl check) */
    long     regress;    /* --regress K: random models 1..K (0: one run)        */
    const char *csv;     /* --csv FILE: the regression table                     */
    flt_shard shard;     /* --shard i/N: regression cases k with k % N == i      */
    int      argc;
    char   **argv;
} sim_args;

/* One "C reference vs X" pair: the harness' summary line and its verdict. */
typedef struct {
    const char *pair;
    char line[1024];
    int  ran, ok;
} result;

/* The `rad4ml sim --help` text, to fp. */
static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: rad4ml sim [options]\n"
        "Runs the C reference engine, the generated HLS C (gcc), the generated RTL in\n"
        "Verilator and in Icarus on the same schedule: corner cases, the real crossings\n"
        "and random charges, with a second weight set (and n_links) written through the\n"
        "configuration port mid-stream without reset, and a datapath reset (rst) a\n"
        "quarter into the traffic with no reload.  Prints mismatches per pair.\n\n"
        "  --model FILE          model (default: built-in ECON-T)\n"
        "  --weights FILE        weight set A (default: the model's)\n"
        "  --weights2 FILE       weight set B (default: random, mdl_init_random)\n"
        "  --vectors N           crossings for HLS C and Verilator (default 100000)\n"
        "  --icarus-vectors N    crossings for Icarus (default 10000)\n"
        "  --pipeline D          register stages (default 1)\n"
        "  --reuse R|SPEC        reuse factor (rad4ml gen --reuse): one crossing every\n"
        "                        R clocks, latency from the design\n"
        "  --arith A             neuron arithmetic tree (default), csa, booth or fpga\n"
        "                        (rad4ml gen --arith)\n"
        "  --fpga-dsp N          with --arith fpga: products on DSP blocks (gen --fpga-dsp)\n"
        "  --weights-mode M      reg (default) or const\n"
        "  --protect P           weight-register protection none (default), tmr, secded\n"
        "  --tmr-control         triplicated control registers (rad4ml gen --tmr-control)\n"
        "  --protect-all tmr     full TMR, every flip-flop (rad4ml gen --protect-all tmr)\n"
        "  --links2 K            n_links written mid-stream (default 3; 0 = none)\n"
        "  --mid-reset R         reset a quarter into the traffic: dp (default: rst only,\n"
        "                        the configuration must survive), cfg (rst and rst_cfg:\n"
        "                        negative control, must mismatch) or none\n"
        "  --seed S              vector seed (default 1)\n"
        "  --data FILE|none      real crossings (default: shared ePortRX file)\n"
        "  --only LIST           comma list of hls,verilator,icarus (default: all)\n"
        "  --workdir DIR         (default: $RAD4ML_BUILD/sim or build/sim)\n"
        "  --top NAME            top name (default rad4ml_ae)\n"
        "  --rtl DIR             simulate the RTL already in DIR (from rad4ml gen with the\n"
        "                        same model and options) instead of generating it\n"
        "  --random-model SEED   a small random model (every rounding/overflow mode)\n"
        "  --regress K           the random-model regression: cases s = 1..K, random\n"
        "                        model s, weights const (s even) or reg, pipeline s %% 5,\n"
        "                        each in WORKDIR/regress-<s>; exit 1 if any case FAILs\n"
        "  --csv FILE            --regress: the table (one row per case: vectors,\n"
        "                        compared, mismatches per pair, PASS/FAIL)\n"
        "  --shard i/N           --regress --csv: only the cases k (0-based) with\n"
        "                        k %% N == i; writes FILE.part-i-of-N for `rad4ml merge`\n");
}

/* Repo root (sim/ sources): $RAD4ML_ROOT, else beside the executable
** (<root>/build/bin/rad4ml), else the current directory. */
static int find_root(sim_env *e, rad_err *err)
{
    return rad_exe_root("sim/vl_shim.cpp", e->root, sizeof e->root, err);
}

/* Runs argv with its output to `log`; returns its exit status, or -1 when
** it could not start (said on stderr). */
static int run_logged(const sim_env *e, char *const argv[], const char *log)
{
    rad_proc_opts o = { .log = log, .echo = e->verbose != 0 };
    rad_err err = { 0 };
    int st;
    if (rad_proc_run(argv, &o, &st, &err)) {
        fprintf(stderr, "sim: %s\n", err.msg);
        return -1;
    }
    return st;
}

/* Finds the (last) line starting with `key` in a log file. */
static int grep_line(const char *log, const char *key, char *out, size_t len)
{
    FILE *f = fopen(log, "r");
    char line[4096];
    int found = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key))) {
            line[strcspn(line, "\n")] = 0;
            sfmt(out, len, "%s", line);
            found = 1;
        }
    fclose(f);
    return found;
}

static long field(const char *line, const char *name)
{
    char key[64];
    sfmt(key, sizeof key, " %s=", name);
    const char *p = strstr(line, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static uint64_t fnv_file(uint64_t h, const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char buf[4096];
    size_t n;
    if (!f)
        return h ^ 0xdead;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        h = rad_fnv1a(h, buf, n);
    fclose(f);
    return h;
}

static void tail_log(const char *log)
{
    char tail[2048];
    rad_proc_tail(log, tail, sizeof tail);
    fprintf(stderr, "%s\n", *tail ? tail : "(empty log)");
}

/* The harness' command line: model and weights set A (and B), schedule. */
static void harness_args(rad_argv *av, const char *bin, const sim_env *e, const sim_args *a,
                         int latency, bool reg, bool with_b)
{
    int interval = e->interval;
    rad_argv_reset(av);
    rad_argv_add(av, bin);
    rad_argv_add(av, "--model");
    rad_argv_addf(av, "%s/a.json", e->work);
    rad_argv_add(av, "--weights");
    rad_argv_addf(av, "%s/a.weights", e->work);
    rad_argv_add(av, "--vectors");
    rad_argv_addf(av, "%zu", a->nvec);
    rad_argv_add(av, "--seed");
    rad_argv_addf(av, "%llu", (unsigned long long)a->seed);
    rad_argv_add(av, "--latency");
    rad_argv_addf(av, "%d", latency);
    if (interval > 1 && latency > 1) {     /* the timed harness (Verilator) */
        rad_argv_add(av, "--interval");
        rad_argv_addf(av, "%d", interval);
    }
    rad_argv_add(av, "--reg");
    rad_argv_add(av, reg ? "1" : "0");
    rad_argv_add(av, "--links2");
    rad_argv_addf(av, "%ld", a->links2);
    rad_argv_add(av, "--mid-reset");
    rad_argv_addf(av, "%d", (int)e->mid_reset);
    if (with_b) {
        rad_argv_add(av, "--model2");
        rad_argv_addf(av, "%s/b.json", e->work);
        rad_argv_add(av, "--weights2");
        rad_argv_addf(av, "%s/b.weights", e->work);
    }
    if (e->data) {
        rad_argv_add(av, "--data");
        rad_argv_add(av, e->data);
    }
}

/* Runs a built harness with output to `log` and reads its `key` line into
** r; *rc_out gets its exit status. 0 when the line was found. */
static int run_harness(const sim_env *e, rad_argv *av, const char *log, const char *key,
                       const char *what, result *r, int *rc_out)
{
    *rc_out = run_logged(e, av->v, log);
    if (!grep_line(log, key, r->line, sizeof r->line)) {
        tail_log(log);
        sfmt(r->line, sizeof r->line, "%s run failed (%s)", what, log);
        return -1;
    }
    return 0;
}

static void run_hls(const sim_env *e, const sim_args *a, bool reg, rad_argv *av, result *r)
{
    char log[2400], bin[2400], main_c[2400], hls_c[2400];
    sfmt(bin, sizeof bin, "%s/hls_harness", e->work);
    sfmt(log, sizeof log, "%s/hls_build.log", e->work);
    sfmt(main_c, sizeof main_c, "%s/sim/hls_main.c", e->root);
    sfmt(hls_c, sizeof hls_c, "%s/%s_hls.c", e->gen, e->top);
    rad_argv_reset(av);
    const char *const cc[] = { "cc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror",
                               "-Wno-unknown-pragmas", NULL };
    rad_argv_list(av, cc, 16);
    rad_argv_addf(av, "-I%s", e->root);
    rad_argv_addf(av, "-I%s", e->gen);
    rad_argv_addf(av, "-DHLS_FN=%s_generic", e->top);
    rad_argv_addf(av, "-DHLS_H=\"%s_hls.h\"", e->top);
    const char *const tail[] = { "-o", bin, main_c, hls_c, e->lib, "-ljansson", "-lglpk", "-lmd", "-lz",
                                 "-lpthread", "-lm", NULL };
    rad_argv_list(av, tail, 16);
    r->ran = 1;
    if (run_logged(e, av->v, log)) {
        fprintf(stderr, "sim: HLS C harness does not compile:\n");
        tail_log(log);
        sfmt(r->line, sizeof r->line, "hls build failed (%s)", log);
        return;
    }
    sfmt(log, sizeof log, "%s/hls_run.log", e->work);
    harness_args(av, bin, e, a, 1, reg, reg);
    int rc;
    if (!run_harness(e, av, log, "hls ", "hls", r, &rc))
        r->ok = rc == 0;
}

/* The Verilator harness, built by rad_vl_build into a directory named by a
** hash of the RTL and the shim (reused while they do not change). */
static int build_verilator(const sim_env *e, char *bin, size_t blen, result *r)
{
    char mdir[2400], path[2400], rtl_v[2400], cfg_v[2400], shim[2400], shim_h[2400],
         port_h[2400], main_c[2400], log[2400], inc[2400], top_def[256], top_h[256];
    uint64_t h = RAD_FNV1A_INIT;
    sfmt(rtl_v, sizeof rtl_v, "%s/%s.v", e->rtl, e->top);
    sfmt(cfg_v, sizeof cfg_v, "%s/%s_cfg.v", e->rtl, e->top);
    sfmt(shim, sizeof shim, "%s/sim/vl_shim.cpp", e->root);
    sfmt(shim_h, sizeof shim_h, "%s/sim/vl_shim.h", e->root);
    sfmt(port_h, sizeof port_h, "%s/sim/vl_port.h", e->root);
    h = fnv_file(fnv_file(fnv_file(fnv_file(fnv_file(h, rtl_v), cfg_v), shim), shim_h), port_h);
    sfmt(mdir, sizeof mdir, "%s/vl_%s_%016llx", e->work, e->top, (unsigned long long)h);
    sfmt(path, sizeof path, "%s/obj/V%s__ALL.a", mdir, e->top);
    if (access(path, R_OK) != 0)
        printf("sim: building the Verilator model (cached in %s)\n", mdir);
    sfmt(main_c, sizeof main_c, "%s/sim/vl_main.c", e->root);
    sfmt(log, sizeof log, "%s/vl_build.log", e->work);
    sfmt(inc, sizeof inc, "-I%s", e->root);
    sfmt(top_def, sizeof top_def, "-DVL_TOP=V%s", e->top);
    sfmt(top_h, sizeof top_h, "-DVL_TOP_H=\"V%s.h\"", e->top);
    sfmt(bin, blen, "%s/vl_harness", mdir);
    rad_vl_spec s = {
        .dir = mdir, .top = e->top, .verilog = { rtl_v, cfg_v },
        .vflags = { "--x-assign", "fast", "--x-initial", "fast", "-Wno-fatal" },
        .makeflags = "OPT_FAST=-O1 OPT_SLOW=-O0", .reuse_model = true,
        .shim = shim, .deps = { shim_h, port_h }, .cxxflags = { inc, top_def, top_h }, .cxx_opt = 2,
        .csrc = { main_c }, .cflags = { "-D_POSIX_C_SOURCE=200809L", "-O2", inc },
        .libs = { e->lib, "-ljansson", "-lglpk", "-lmd", "-lz", "-lpthread", "-lm" },
        .exe = bin, .log = log, .verbose = e->verbose != 0,
    };
    rad_err err = { 0 };
    rad_mkdirs(mdir, NULL);
    if (rad_vl_build(&s, &err)) {
        fprintf(stderr, "sim: Verilator harness build failed: %s\n", err.msg);
        sfmt(r->line, sizeof r->line, "verilator build failed (%s)", log);
        return -1;
    }
    return 0;
}

static void run_verilator(const sim_env *e, const sim_args *a, int lat, bool reg,
                          rad_argv *av, result *r, char *rate, size_t rlen)
{
    char bin[2400], log[2400];
    r->ran = 1;
    if (build_verilator(e, bin, sizeof bin, r))
        return;
    sfmt(log, sizeof log, "%s/vl_run.log", e->work);
    harness_args(av, bin, e, a, lat, reg, reg);
    int rc;
    if (run_harness(e, av, log, "verilator ", "verilator", r, &rc))
        return;
    grep_line(log, "verilator_rate", rate, rlen);
    char rb[256] = "";
    grep_line(log, "verilator_readback", rb, sizeof rb);
    if (*rb) {
        size_t n = strlen(r->line);
        sfmt(r->line + n, sizeof r->line - n, "\n    %s", rb);
    }
    r->ok = rc == 0;
}

/* Writes the Icarus testbench's vector file (one clock per line: control
** bits, packed charges, expected sum and latents) for the schedule c over
** weight sets a (and b when reloaded), atomically through rad_file. */
static int write_vectors(const mdl_model *a, const mdl_model *b, const sim_cfg *c,
                         const char *path, rad_err *err)
{
    sim_stim *s;
    int rc = sim_stim_new(a, b, c, &s, err);
    if (rc)
        return rc;
    rad_file f;
    if ((rc = rad_file_open(&f, path, err))) {
        sim_stim_free(s);
        return rc;
    }
    int n = a->in.n_cells, cb = a->in.charge_bits, nl = mdl_latent_count(a);
    int lw = a->layers[a->n_layers - 1].out_fmt.width;
    int nqw = (n * cb + 31) / 32, nlw = (nl * lw + 31) / 32;
    uint32_t *qb = calloc((size_t)nqw, 4), *lb = calloc((size_t)nlw, 4), lv[ENG_MAX_LATENT];
    sim_cycle cy;
    while (qb && lb && sim_stim_next(s, &cy)) {
        fprintf(f.fp, "%x %x %x %x %x %x ", cy.rst | cy.rst_cfg << 1, cy.in_valid, cy.cfg_we, cy.cfg_addr,
                cy.cfg_wdata, cy.check);
        sim_pack(cy.q, n, cb, qb, nqw);
        for (int i = nqw - 1; i >= 0; i--)
            fprintf(f.fp, "%08x", qb[i]);
        fprintf(f.fp, " %x ", cy.exp_sum);
        for (int i = 0; i < nl; i++)
            lv[i] = (uint32_t)cy.exp_lat[i] & (uint32_t)((1ULL << lw) - 1);
        sim_pack(lv, nl, lw, lb, nlw);
        for (int i = nlw - 1; i >= 0; i--)
            fprintf(f.fp, "%08x", lb[i]);
        fprintf(f.fp, "\n");
    }
    if (!qb || !lb) {
        rad_file_abort(&f);
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    } else
        rc = rad_file_commit(&f, err);
    free(qb);
    free(lb);
    sim_stim_free(s);
    return rc;
}

/* Icarus pair: writes the vectors, compiles sim/tb_icarus.v with the RTL
** (iverilog), runs it (vvp) and judges its summary line into r: every
** output present, none mismatching, no bad flags or latency errors. */
static void run_icarus(const sim_env *e, const mdl_model *a, const mdl_model *b,
                       const sim_cfg *c, rad_argv *av, result *r)
{
    char vec[2400], log[2400], vvp[2400];
    rad_err err = { 0 };
    sfmt(vec, sizeof vec, "%s/vectors.hex", e->work);
    r->ran = 1;
    if (write_vectors(a, b, c, vec, &err)) {
        sfmt(r->line, sizeof r->line, "icarus: %s", err.msg);
        return;
    }
    int nl = mdl_latent_count(a), lw = a->layers[a->n_layers - 1].out_fmt.width;
    sfmt(vvp, sizeof vvp, "%s/tb.vvp", e->work);
    sfmt(log, sizeof log, "%s/icarus_build.log", e->work);
    rad_argv_reset(av);
    rad_argv_add(av, "iverilog");
    rad_argv_add(av, "-g2005");
    rad_argv_add(av, "-o");
    rad_argv_add(av, vvp);
    rad_argv_addf(av, "-DTOP=%s", e->top);
    rad_argv_addf(av, "-DNQ=%d", a->in.n_cells * a->in.charge_bits);
    rad_argv_addf(av, "-DCW=%d", a->in.sum_exp_bits + a->in.sum_mant_bits);
    rad_argv_addf(av, "-DNL=%d", nl * lw);
    rad_argv_addf(av, "-DAW=%d", cg_cfg_addr_width(a));
    rad_argv_addf(av, "-DLAT=%d", c->latency);
    rad_argv_addf(av, "-DVEC_FILE=\"%s\"", vec);
    rad_argv_addf(av, "%s/sim/tb_icarus.v", e->root);
    rad_argv_addf(av, "%s/%s.v", e->rtl, e->top);
    rad_argv_addf(av, "%s/%s_cfg.v", e->rtl, e->top);
    if (run_logged(e, av->v, log)) {
        tail_log(log);
        sfmt(r->line, sizeof r->line, "icarus build failed (%s)", log);
        return;
    }
    sfmt(log, sizeof log, "%s/icarus_run.log", e->work);
    rad_argv_reset(av);
    rad_argv_add(av, "vvp");
    rad_argv_add(av, "-n");
    rad_argv_add(av, vvp);
    rad_proc_opts o = { .log = log, .nice = true, .echo = e->verbose != 0 };
    int rc;
    if (rad_proc_run(av->v, &o, &rc, &err))
        fprintf(stderr, "sim: %s\n", err.msg);
    if (!grep_line(log, "icarus crossings", r->line, sizeof r->line)) {
        tail_log(log);
        sfmt(r->line, sizeof r->line, "icarus run failed (%s)", log);
        return;
    }
    r->ok = field(r->line, "mismatches") == 0 && field(r->line, "bad_flags") == 0 &&
            field(r->line, "latency_errors") == 0 && field(r->line, "compared") > 0 &&
            field(r->line, "outputs") == field(r->line, "crossings");
}

enum { GIVEN_PIPE = 1, GIVEN_MODE = 2, GIVEN_PROT = 4, GIVEN_TMRC = 8, GIVEN_TALL = 16,
       GIVEN_REUSE = 32, GIVEN_ARITH = 64 };

/* Refuses an option given on the command line that disagrees with the
** value the RTL was generated with; RAD_OK when it agrees or was not given. */
static int agree(const char *vfile, bool given, const char *opt, const char *cli,
                 const char *rtl, rad_err *err)
{
    if (!given || !strcmp(cli, rtl))
        return RAD_OK;
    return rad_errf(err, RAD_EUSAGE, "%s %s disagrees with %s, generated with %s %s "
                    "(leave the option out to use the RTL's)", opt, cli, vfile, opt, rtl);
}

/* --rtl DIR: takes the pipeline, weights mode, protection and tmr-control
** from the provenance header of DIR/<top>.v (cg_read_header) and refuses
** options given otherwise. */
static int rtl_options(const char *dir, cg_opts *o, unsigned given, const mdl_model *a,
                       rad_err *err)
{
    static const char *prot[] = { "none", "tmr", "secded" };
    char vfile[4200], x[16], y[16];
    snprintf(vfile, sizeof vfile, "%s/%s.v", dir, o->top);
    if (access(vfile, F_OK) != 0)
        return rad_errf(err, RAD_EIO, "%s: no such file (--rtl %s: gen names the file "
                        "<top>.v; is --top right?)", vfile, dir);
    cg_opts h = *o;
    rad_prov_src ms = { "", "" }, ws = { "", "" };
    int rc = cg_read_header(vfile, &h, &ms, &ws, err);
    snprintf(x, sizeof x, "%d", o->pipeline);
    snprintf(y, sizeof y, "%d", h.pipeline);
    if (!rc)
        rc = agree(vfile, given & GIVEN_PIPE, "--pipeline", x, y, err);
    if (!rc)
        rc = agree(vfile, given & GIVEN_MODE, "--weights-mode",
                   o->weights == CG_WEIGHTS_REG ? "reg" : "const",
                   h.weights == CG_WEIGHTS_REG ? "reg" : "const", err);
    if (!rc)
        rc = agree(vfile, given & GIVEN_PROT, "--protect", prot[o->prot], prot[h.prot], err);
    if (!rc)
        rc = agree(vfile, given & GIVEN_TMRC, "--tmr-control", "yes",
                   h.tmr_ctrl ? "yes" : "no", err);
    if (!rc)
        rc = agree(vfile, given & GIVEN_TALL, "--protect-all", o->tmr_all ? "tmr" : "none",
                   h.tmr_all ? "tmr" : "none", err);
    if (!rc)
        rc = agree(vfile, given & GIVEN_ARITH, "--arith", cg_arith_name(o->arith),
                   cg_arith_name(h.arith), err);
    if (!rc)
        rc = agree(vfile, given & GIVEN_REUSE, "--reuse", o->reuse[0] ? o->reuse : "1",
                   h.reuse[0] ? h.reuse : "1", err);
    /* The model / weights files named in the header are not compared: a file
    ** saved again (fleet_a.json) has other bytes for the same description;
    ** a different design shows as mismatches. */
    (void)a;
    if (!rc)
        *o = h;
    return rc;
}

/* ---- parse / setup / run / report ------------------------------------- */

/* Options into a (defaults first).  0, -1 after --help, or 2 (usage error,
** said on stderr). */
static int parse(int argc, char **argv, sim_args *a)
{
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "weights", required_argument, 0, 'w' },
        { "weights2", required_argument, 0, 'W' }, { "vectors", required_argument, 0, 'n' },
        { "icarus-vectors", required_argument, 0, 'i' }, { "pipeline", required_argument, 0, 'p' },
        { "weights-mode", required_argument, 0, 'M' }, { "links2", required_argument, 0, 'l' },
        { "seed", required_argument, 0, 's' }, { "data", required_argument, 0, 'd' },
        { "only", required_argument, 0, 'o' }, { "workdir", required_argument, 0, 'k' },
        { "top", required_argument, 0, 't' }, { "verbose", no_argument, 0, 'v' },
        { "rtl", required_argument, 0, 'R' }, { "random-model", required_argument, 0, 'X' },
        { "protect", required_argument, 0, 'P' }, { "tmr-control", no_argument, 0, 'C' },
        { "protect-all", required_argument, 0, 'A' }, { "mid-reset", required_argument, 0, 'r' },
        { "reuse", required_argument, 0, 'U' }, { "arith", required_argument, 0, 'a' },
        { "fpga-dsp", required_argument, 0, 'F' },
        { "regress", required_argument, 0, 'G' },
        { "csv", required_argument, 0, 'c' }, { "shard", required_argument, 0, 'Z' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    memset(a, 0, sizeof *a);
    a->src = (cli_model_src)CLI_MODEL_SRC_INIT;
    a->only = "hls,verilator,icarus";
    a->nvec = 100000;
    a->nicarus = 10000;
    a->links2 = 3;
    a->seed = 1;
    a->mid_reset = SIM_RESET_DP;
    cg_opts_default(&a->o);
    rad_err err = { 0 };
    int c, rc = 0;
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
        switch (c) {
        case 'm': a->src.model = optarg; break;
        case 'w': a->src.weights = optarg; break;
        case 'W': a->weights2 = optarg; break;
        case 'n': rc = rad_cli_size("--vectors", optarg, 1, SIM_MAX_VECTORS, &a->nvec, &err); break;
        case 'i': rc = rad_cli_size("--icarus-vectors", optarg, 1, SIM_MAX_VECTORS, &a->nicarus, &err); break;
        case 'C': a->o.tmr_ctrl = true; a->given |= GIVEN_TMRC; break;
        case 'A':
            a->given |= GIVEN_TALL;
            rc = cg_opts_set(&a->o, "protect-all", optarg, &err);
            break;
        case 'p': case 'M': case 'P': case 't':
            a->given |= c == 'p' ? GIVEN_PIPE : c == 'M' ? GIVEN_MODE : c == 'P' ? GIVEN_PROT : 0;
            rc = cg_opts_set(&a->o, c == 'p' ? "pipeline" : c == 'M' ? "weights-mode" :
                             c == 'P' ? "protect" : "top", optarg, &err);
            break;
        case 'U':
            a->given |= GIVEN_REUSE;
            rc = cg_opts_set(&a->o, "reuse", optarg, &err);
            break;
        case 'a':
            a->given |= GIVEN_ARITH;
            rc = cg_opts_set(&a->o, "arith", optarg, &err);
            break;
        case 'F': rc = cg_opts_set(&a->o, "fpga-dsp", optarg, &err); break;
        case 'l': rc = rad_cli_long("--links2", optarg, 0, MDL_MAX_LINKS, &a->links2, &err); break;
        case 's': rc = rad_cli_u64("--seed", optarg, 0, UINT64_MAX, &a->seed, &err); break;
        case 'd': a->data = optarg; break;
        case 'o': a->only = optarg; break;
        case 'k': a->workdir = optarg; break;
        case 'v': a->verbose = 1; break;
        case 'R': a->rtl = optarg; break;
        case 'r':
            if (!strcmp(optarg, "none")) a->mid_reset = SIM_RESET_NONE;
            else if (!strcmp(optarg, "dp")) a->mid_reset = SIM_RESET_DP;
            else if (!strcmp(optarg, "cfg")) a->mid_reset = SIM_RESET_CFG;
            else rc = rad_errf(&err, RAD_EUSAGE, "--mid-reset %s: expected none, dp or cfg",
                               optarg);
            break;
        case 'X': rc = cli_random_model_opt(optarg, &a->src, &err); break;
        case 'G': rc = rad_cli_long("--regress", optarg, 1, 100000, &a->regress, &err); break;
        case 'c': a->csv = optarg; break;
        case 'Z': rc = flt_shard_parse(optarg, &a->shard, &err); break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return 2;
        }
    }
    if (!rc && optind < argc)
        rc = rad_errf(&err, RAD_EUSAGE, "unexpected argument '%s'", argv[optind]);
    if (!rc && (a->csv || a->shard.n) && !a->regress)
        rc = rad_errf(&err, RAD_EUSAGE, "--csv and --shard go with --regress K");
    if (!rc && a->shard.n && !a->csv)
        rc = rad_errf(&err, RAD_EUSAGE, "--shard needs --csv FILE (the partial is "
                      "FILE.part-i-of-N)");
    if (!rc && a->regress && (a->rtl || a->src.model || a->src.random_seed >= 0
                              || (a->given & (GIVEN_PIPE | GIVEN_MODE))))
        rc = rad_errf(&err, RAD_EUSAGE, "--regress sets the model, --pipeline and "
                      "--weights-mode of each case (no --model/--random-model/--rtl)");
    a->argc = argc;
    a->argv = argv;
    return rc ? cli_usage_error("sim", &err) : 0;
}

/* Paths of the run: repo root, library, work and generation directories. */
static int setup_paths(const sim_args *a, sim_env *e, rad_err *err)
{
    static const char *prot_name[] = { "none", "tmr", "secded" };
    int rc = find_root(e, err);
    if (rc)
        return rc;
    e->verbose = a->verbose;
    e->mid_reset = a->mid_reset;
    sfmt(e->top, sizeof e->top, "%s", a->o.top);
    const char *bd = getenv("RAD4ML_BUILD");
    char defbuild[2100];
    sfmt(defbuild, sizeof defbuild, "%s/build", e->root);
    sfmt(e->lib, sizeof e->lib, "%s/librad4ml.a", bd ? bd : defbuild);
    if (a->workdir)
        sfmt(e->work, sizeof e->work, "%s", a->workdir);
    else
        sfmt(e->work, sizeof e->work, "%s/sim", bd ? bd : defbuild);
    char ru[128] = "";              /* "_r" + the reuse spec, path-safe */
    if (a->o.reuse[0]) {
        sfmt(ru, sizeof ru, "_r%s", a->o.reuse);
        for (char *c = ru; *c; c++)
            *c = *c == '=' ? '-' : *c == ',' ? '_' : *c;
    }
    static const char *arith_sfx[] = { "", "_csa", "_booth", "_fpga" };
    sfmt(e->gen, sizeof e->gen, "%s/gen_%s_%s_p%d_%s%s%s%s%s", e->work, a->o.top,
         a->o.weights == CG_WEIGHTS_REG ? "reg" : "const", a->o.pipeline, prot_name[a->o.prot],
         a->o.tmr_ctrl ? "_tmrctl" : "", a->o.tmr_all ? "_tmrall" : "", ru,
         arith_sfx[a->o.arith]);
    if (a->o.arith == CG_ARITH_FPGA && a->o.fpga_dsp > 0)
        sfmt(e->gen + strlen(e->gen), sizeof e->gen - strlen(e->gen), "_dsp%d", a->o.fpga_dsp);
    sfmt(e->rtl, sizeof e->rtl, "%s", a->rtl ? a->rtl : e->gen);
    return RAD_OK;
}

/* Weight sets A (the model) and B (--weights2 or random), with --links2
** checked against the model (a random model without bits at that link
** count drops the change). */
static int setup_models(sim_args *a, mdl_model **ma, mdl_model **mb, rad_err *err)
{
    int rc = cli_model_load(&a->src, ma, err);
    if (!rc && a->src.random_seed >= 0 && (*ma)->out.bits_by_links[a->links2 > 0 ? a->links2 : 1] < 1)
        a->links2 = 0;
    if (!rc && a->links2 && (*ma)->out.bits_by_links[a->links2] < 1)
        rc = rad_errf(err, RAD_ERANGE, "--links2 %ld: the model sends no bits with that many links",
                      a->links2);
    if (!rc && a->rtl)
        rc = rtl_options(a->rtl, &a->o, a->given, *ma, err);
    if (!rc && !(*mb = mdl_clone(*ma)))
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!rc) {
        if (a->weights2)
            rc = mdl_load_weights(*mb, a->weights2, err);
        else
            mdl_init_random(*mb, a->seed + 12345);
    }
    return rc;
}

/* The real crossings: --data, "none", or the default sample (if found). */
static void setup_data(const sim_args *a, const mdl_model *m, sim_env *e, char *buf, size_t n)
{
    rad_err err = { 0 };
    if (a->data && !strcmp(a->data, "none"))
        return;
    if (a->data)
        e->data = a->data;
    else if (m->in.n_cells == GEO_N_CELLS) {
        if (!dat_default_path(buf, n, &err))
            e->data = buf;
        else
            printf("sim: no real crossings (%s)\n", err.msg);
    }
}

/* Writes both weight sets as model files and generates the RTL (unless
** --rtl) and the HLS C; *tgen gets the RTL generation time. */
static int setup_outputs(sim_args *a, const sim_env *e, const mdl_model *ma,
                         const mdl_model *mb, double *tgen, rad_err *err)
{
    char p1[2500], p2[2500], name[300];
    int rc = rad_mkdirs(e->gen, err);
    for (int k = 0; k < 2 && !rc; k++) {
        sfmt(p1, sizeof p1, "%s/%c.json", e->work, "ab"[k]);
        sfmt(p2, sizeof p2, "%s/%c.weights", e->work, "ab"[k]);
        rc = mdl_save(k ? mb : ma, p1, p2, err);
    }
    a->o.model_name = cli_model_name(&a->src, name, sizeof name);
    a->o.weights_name = a->src.weights ? a->src.weights : "built-in";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!rc && !a->rtl)
        rc = cg_gen_verilog(ma, &a->o, e->gen, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && strstr(a->only, "hls"))
        rc = cg_gen_hls(ma, &a->o, NULL, e->gen, err);
    *tgen = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    a->o.model_name = a->o.weights_name = NULL;     /* name[] ends here */
    return rc;
}

static void print_schedule(const sim_args *a, const mdl_model *ma, const sim_env *e,
                           double tgen)
{
    char name[300];
    bool reg = a->o.weights == CG_WEIGHTS_REG;
    if (a->rtl)
        printf("sim: model %s (%s), weights %s, pipeline %d (latency %d clocks), RTL of %s "
               "(options from its header)\n", ma->name, cli_model_name(&a->src, name, sizeof name),
               reg ? "reg" : "const", a->o.pipeline, cg_latency_of(ma, &a->o), a->rtl);
    else
        printf("sim: model %s (%s), weights %s, pipeline %d (latency %d clocks), RTL generated "
               "in %.3f s\n", ma->name, cli_model_name(&a->src, name, sizeof name),
               reg ? "reg" : "const", a->o.pipeline, cg_latency_of(ma, &a->o), tgen);
    char rd[1024];
    cg_reuse_describe(ma, &a->o, rd, sizeof rd);
    if (*rd)
        printf("sim: %s\n", rd);
    printf("sim: schedule: %s%s, then traffic; %s; mid-stream without reset: %s%s\n",
           reg ? "weight set A through the cfg port" : "hard-wired weights",
           e->data ? " + real crossings" : "",
           e->mid_reset == SIM_RESET_DP ? "a quarter in: datapath reset, no reload"
           : e->mid_reset == SIM_RESET_CFG ? "a quarter in: datapath + configuration reset "
                                             "(negative control)" : "no reset",
           reg ? "weight set B" : "",
           a->links2 ? (reg ? " + n_links change" : "n_links change") : "");
}

/* Runs the pairs --only names; fills res[0..2] (HLS, Verilator, Icarus). */
static void run_pairs(const sim_args *a, const sim_env *e, const mdl_model *ma,
                      const mdl_model *mb, result *res, char *rate, size_t rlen)
{
    rad_argv *av = malloc(sizeof *av);
    if (!av) {
        fprintf(stderr, "rad4ml sim: out of memory\n");
        return;
    }
    int lat = cg_latency_of(ma, &a->o);
    bool reg = a->o.weights == CG_WEIGHTS_REG;
    if (strstr(a->only, "hls"))
        run_hls(e, a, reg, av, &res[0]);
    if (strstr(a->only, "verilator"))
        run_verilator(e, a, lat, reg, av, &res[1], rate, rlen);
    if (strstr(a->only, "icarus")) {
        sim_cfg sc = { 0 };
        dat_set set = { 0 };
        rad_err err = { 0 };
        sc.seed = a->seed;
        sc.n_vectors = a->nicarus;
        sc.reg_weights = reg;
        sc.reload = reg || a->links2;
        sc.links2 = (int)a->links2;
        sc.latency = lat;
        sc.interval = e->interval;
        sc.mid_reset = e->mid_reset;
        if (e->data && !dat_load(e->data, DAT_FMT_AUTO, NULL, &set, &err)) {
            sc.real = set.q;
            sc.n_real = set.n;
        }
        run_icarus(e, ma, reg ? mb : NULL, &sc, av, &res[2]);
        dat_free(&set);
    }
    free(av);
}

/* Prints one line per pair that ran; returns the exit status. */
static int report(const result *res, const char *rate)
{
    int bad = 0;
    for (int i = 0; i < 3; i++) {
        if (!res[i].ran)
            continue;
        long mm = field(res[i].line, "mismatches");
        printf("  %s: vectors %ld compared %ld mismatches %ld  [%s]\n", res[i].pair,
               field(res[i].line, "crossings"), field(res[i].line, "compared"), mm, res[i].line);
        bad |= !res[i].ok;
    }
    if (*rate)
        printf("  %s\n", rate);
    printf("sim: %s\n", bad ? "FAIL" : "PASS (zero mismatches in every pair)");
    return bad ? 1 : 0;
}

/* One run (the model and options of a): generation, the pairs, the
** report; res[] keeps each pair's summary line.  The exit status. */
static int sim_once(sim_args *a, result *res)
{
    sim_env e;
    memset(&e, 0, sizeof e);
    rad_err err = { 0 };
    mdl_model *ma = NULL, *mb = NULL;
    char datapath[4096];
    double tgen = 0;
    int rc;
    if (!(rc = setup_paths(a, &e, &err)) && !(rc = setup_models(a, &ma, &mb, &err))) {
        setup_data(a, ma, &e, datapath, sizeof datapath);
        e.interval = cg_interval(ma, &a->o);
        rc = setup_outputs(a, &e, ma, mb, &tgen, &err);
    }
    if (rc) {
        fprintf(stderr, "rad4ml sim: %s\n", err.msg);
        mdl_free(ma);
        mdl_free(mb);
        return 1;
    }
    print_schedule(a, ma, &e, tgen);
    char rate[256] = "";
    run_pairs(a, &e, ma, mb, res, rate, sizeof rate);
    mdl_free(ma);
    mdl_free(mb);
    return report(res, rate);
}

static void init_results(result *res)
{
    static const char *const pairs[3] = { "C reference vs HLS C     ",
                                          "C reference vs Verilator ",
                                          "C reference vs Icarus    " };
    for (int i = 0; i < 3; i++)
        res[i] = (result){ pairs[i], "", 0, 0 };
}

#define SIM_REGRESS_HEADER "case,model,weights_mode,pipeline,hls_vectors,hls_compared," \
    "hls_mismatches,verilator_vectors,verilator_compared,verilator_mismatches," \
    "icarus_vectors,icarus_compared,icarus_mismatches,result"

/* Regression case s: random model s, weights const (s even) or reg,
** pipeline s % 5 (tests/sim_random_regress.sh), in WORKDIR/regress-<s>;
** its table row. */
static int regress_case(const sim_args *base, long s, char *row, size_t len)
{
    sim_args a = *base;
    char wd[2300], seed[32];
    rad_err err = { 0 };
    sfmt(wd, sizeof wd, "%s/regress-%ld", base->workdir ? base->workdir : "build/sim", s);
    if (!base->workdir && getenv("RAD4ML_BUILD"))
        sfmt(wd, sizeof wd, "%s/sim/regress-%ld", getenv("RAD4ML_BUILD"), s);
    a.workdir = wd;
    snprintf(seed, sizeof seed, "%ld", s);
    char pipe[8];
    snprintf(pipe, sizeof pipe, "%ld", s % 5);
    if (cli_random_model_opt(seed, &a.src, &err)
        || cg_opts_set(&a.o, "weights-mode", s % 2 ? "reg" : "const", &err)
        || cg_opts_set(&a.o, "pipeline", pipe, &err)) {
        fprintf(stderr, "rad4ml sim: %s\n", err.msg);
        return 1;
    }
    printf("sim --regress: case %ld: random model %ld, weights %s, pipeline %ld\n", s, s,
           s % 2 ? "reg" : "const", s % 5);
    result res[3];
    init_results(res);
    int st = sim_once(&a, res);
    size_t k = (size_t)snprintf(row, len, "%ld,random-%ld,%s,%ld", s, s,
                                s % 2 ? "reg" : "const", s % 5);
    for (int i = 0; i < 3 && k < len; i++) {
        if (res[i].ran)
            k += (size_t)snprintf(row + k, len - k, ",%ld,%ld,%ld",
                                  field(res[i].line, "crossings"),
                                  field(res[i].line, "compared"),
                                  field(res[i].line, "mismatches"));
        else
            k += (size_t)snprintf(row + k, len - k, ",-,-,-");
    }
    if (k < len)
        snprintf(row + k, len - k, ",%s", st ? "FAIL" : "PASS");
    return st;
}

/* The regression table's provenance block (no date: sharded == whole) and
** the job key every shard shares. */
static void regress_prov(const sim_args *a, rad_prov *p, char key[17])
{
    rad_prov_init(p, "csv", "sim");
    p->deterministic = true;
    rad_prov_opt(p, "regress", "1..%ld", a->regress);
    rad_prov_opt(p, "vectors", "%zu", a->nvec);
    rad_prov_opt(p, "icarus-vectors", "%zu", a->nicarus);
    rad_prov_opt(p, "seed", "%llu", (unsigned long long)a->seed);
    rad_prov_opt(p, "links2", "%ld", a->links2);
    rad_prov_opt(p, "only", "%s", a->only);
    rad_prov_opt(p, "mid-reset", "%s", a->mid_reset == SIM_RESET_DP ? "dp"
                 : a->mid_reset == SIM_RESET_CFG ? "cfg" : "none");
    rad_prov_opt(p, "data", "%s", a->data ? a->data : "default");
    rad_prov_opt(p, "protect", "%s", a->o.prot == CG_PROT_TMR ? "tmr"
                 : a->o.prot == CG_PROT_SECDED ? "secded" : "none");
    flt_prov_key(p, NULL, key);
}

/* Contract: --regress K: the cases of this shard (all without --shard),
** one table row each; the table (--csv, with its provenance block) or the
** shard's partial.  Exit 1 when a case failed or nothing could be written. */
static int sim_regress(const sim_args *a)
{
    flt_part p;
    rad_prov prov;
    char key[17], row[512];
    rad_err err = { 0 };
    regress_prov(a, &prov, key);
    int rc = flt_part_init(&p, "sim-regress", key, &a->shard, (size_t)a->regress, a->argc,
                           a->argv, &err), failed = 0;
    for (long s = 1; s <= a->regress && !rc; s++) {
        if (!flt_shard_has(&a->shard, (size_t)(s - 1)))
            continue;
        failed += regress_case(a, s, row, sizeof row);
        rc = flt_part_item(&p, (size_t)(s - 1), row, &err);
    }
    if (!rc && a->csv)
        rc = flt_table_finish(&p, a->csv, SIM_REGRESS_HEADER, &prov, &err);
    if (!rc)
        printf("sim --regress: %zu case(s), %d FAIL%s%s\n", p.n_items, failed,
               a->csv ? " -> " : "", a->csv ? a->csv : "");
    else
        fprintf(stderr, "rad4ml sim: %s\n", err.msg);
    flt_part_free(&p);
    return rc || failed ? 1 : 0;
}

int cmd_sim(int argc, char **argv)
{
    sim_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? 0 : rc;
    setvbuf(stdout, NULL, _IOLBF, 0);    /* progress lines show up at once */
    if (a.regress)
        return sim_regress(&a);
    result res[3];
    init_results(res);
    return sim_once(&a, res);
}
