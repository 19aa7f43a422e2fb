/*
** cmd_sim.c — `rad4ml sim`: C reference vs HLS C vs Verilator vs Icarus.
**
** Generates the RTL and HLS C of the model into a work directory, writes
** weight sets A and B as model files, builds the harnesses (the Verilated
** model is cached under a hash of the generated RTL and the shim, so that
** repeated runs do not rebuild it), runs them and prints, for every pair
** "C reference vs X", the vectors sent, compared and the mismatches.
*/
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/rad_hash.h"
#include "codegen/cg.h"
#include "common/rad_file.h"
#include "data/dataset.h"
#include "model/model_io.h"
#include "sim/sim.h"
#include "tools/cmd.h"

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
} sim_env;

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
        "  --weights-mode M      reg (default) or const\n"
        "  --protect P           weight-register protection none (default), tmr, secded\n"
        "  --tmr-control         triplicated control registers (rad4ml gen --tmr-control)\n"
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
        "  --random-model SEED   a small random model (every rounding/overflow mode)\n");
}

/* Repo root: $RAD4ML_ROOT, else three levels above the executable
** (<root>/build/bin/rad4ml), else the current directory. */
static void find_root(sim_env *e)
{
    const char *r = getenv("RAD4ML_ROOT");
    char exe[2048], probe[2300];
    if (r) {
        sfmt(e->root, sizeof e->root, "%s", r);
        return;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        for (int up = 0; up < 3; up++) {
            char *s = strrchr(exe, '/');
            if (s)
                *s = 0;
        }
        sfmt(probe, sizeof probe, "%s/sim/vl_shim.cpp", exe);
        if (access(probe, R_OK) == 0) {
            sfmt(e->root, sizeof e->root, "%s", exe);
            return;
        }
    }
    sfmt(e->root, sizeof e->root, ".");
}

/* Runs a shell command, output to `log`; returns its exit status. */
static int sh(const sim_env *e, const char *cmd, const char *log)
{
    char full[16384];
    sfmt(full, sizeof full, "( %s ) > '%s' 2>&1", cmd, log);
    if (e->verbose)
        fprintf(stderr, "sim: %s\n", full);
    int rc = system(full);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* Finds the line starting with `key` in a log file. */
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
    char cmd[2400];
    sfmt(cmd, sizeof cmd, "tail -n 20 '%s' >&2", log);
    if (system(cmd) == -1)
        fprintf(stderr, "sim: see %s\n", log);
}

typedef struct {
    const char *pair;
    char line[1024];
    int  ran, ok;
} result;

static void harness_args(char *buf, size_t len, const sim_env *e, size_t nvec, uint64_t seed,
                         int latency, bool reg, int links2, bool with_b)
{
    int k = snprintf(buf, len, "--model '%s/a.json' --weights '%s/a.weights' --vectors %zu "
                     "--seed %llu --latency %d --reg %d --links2 %d", e->work, e->work, nvec,
                     (unsigned long long)seed, latency, reg ? 1 : 0, links2);
    k += snprintf(buf + k, len - (size_t)k, " --mid-reset %d", (int)e->mid_reset);
    if (with_b)
        k += snprintf(buf + k, len - (size_t)k, " --model2 '%s/b.json' --weights2 '%s/b.weights'",
                      e->work, e->work);
    if (e->data)
        sfmt(buf + k, len - (size_t)k, " --data '%s'", e->data);
}

static void run_hls(const sim_env *e, const char *args, result *r)
{
    char cmd[8192], log[2400], bin[2400];
    sfmt(bin, sizeof bin, "%s/hls_harness", e->work);
    sfmt(log, sizeof log, "%s/hls_build.log", e->work);
    sfmt(cmd, sizeof cmd,
             "cc -std=c11 -O2 -Wall -Wextra -Werror -Wno-unknown-pragmas -I'%s' -I'%s' "
             "-DHLS_FN=%s_generic -DHLS_H='\"%s_hls.h\"' -o '%s' '%s/sim/hls_main.c' '%s/%s_hls.c' "
             "'%s' -ljansson -lglpk -lpthread -lm",
             e->root, e->gen, e->top, e->top, bin, e->root, e->gen, e->top, e->lib);
    r->ran = 1;
    if (sh(e, cmd, log)) {
        fprintf(stderr, "sim: HLS C harness does not compile:\n");
        tail_log(log);
        sfmt(r->line, sizeof r->line, "hls build failed (%s)", log);
        return;
    }
    sfmt(log, sizeof log, "%s/hls_run.log", e->work);
    sfmt(cmd, sizeof cmd, "'%s' %s", bin, args);
    int rc = sh(e, cmd, log);
    if (!grep_line(log, "hls ", r->line, sizeof r->line)) {
        tail_log(log);
        sfmt(r->line, sizeof r->line, "hls run failed (%s)", log);
        return;
    }
    r->ok = rc == 0;
}

static void run_verilator(const sim_env *e, const char *args, result *r, char *rate, size_t rlen)
{
    char cmd[8192], log[2400], mdir[2400], path[2400], bin[2400];
    uint64_t h = RAD_FNV1A_INIT;
    sfmt(path, sizeof path, "%s/%s.v", e->rtl, e->top);
    h = fnv_file(h, path);
    sfmt(path, sizeof path, "%s/%s_cfg.v", e->rtl, e->top);
    h = fnv_file(h, path);
    sfmt(path, sizeof path, "%s/sim/vl_shim.cpp", e->root);
    h = fnv_file(h, path);
    sfmt(path, sizeof path, "%s/sim/vl_shim.h", e->root);
    h = fnv_file(h, path);
    sfmt(mdir, sizeof mdir, "%s/vl_%s_%016llx", e->work, e->top, (unsigned long long)h);
    sfmt(path, sizeof path, "%s/vl_shim.o", mdir);
    r->ran = 1;
    if (access(path, R_OK) != 0) {
        printf("sim: building the Verilator model (cached in %s)\n", mdir);
        fflush(stdout);
        sfmt(log, sizeof log, "%s.log", mdir);
        sfmt(cmd, sizeof cmd,
                 "nice verilator --cc --build -j 2 --x-assign fast --x-initial fast -Wno-fatal "
                 "--top-module %s -Mdir '%s.tmp' -MAKEFLAGS 'OPT_FAST=-O1 OPT_SLOW=-O0' "
                 "'%s/%s.v' '%s/%s_cfg.v' && "
                 "nice g++ -std=c++14 -O2 -I\"$(verilator --getenv VERILATOR_ROOT)/include\" "
                 "-I\"$(verilator --getenv VERILATOR_ROOT)/include/vltstd\" -I'%s.tmp' -I'%s' "
                 "-DVL_TOP=V%s -DVL_TOP_H='\"V%s.h\"' -c '%s/sim/vl_shim.cpp' -o '%s.tmp/vl_shim.o' && "
                 "(cd '%s.tmp' && for f in verilated verilated_threads; do nice g++ -std=c++14 -O2 "
                 "-I\"$(verilator --getenv VERILATOR_ROOT)/include\" "
                 "-I\"$(verilator --getenv VERILATOR_ROOT)/include/vltstd\" "
                 "-c \"$(verilator --getenv VERILATOR_ROOT)/include/$f.cpp\" -o vl_rt_$f.o || exit 1; done) && "
                 "rm -rf '%s' && mv '%s.tmp' '%s'",
                 e->top, mdir, e->rtl, e->top, e->rtl, e->top, mdir, e->root, e->top, e->top,
                 e->root, mdir, mdir, mdir, mdir, mdir);
        if (sh(e, cmd, log)) {
            fprintf(stderr, "sim: Verilator build failed:\n");
            tail_log(log);
            sfmt(r->line, sizeof r->line, "verilator build failed (%s)", log);
            return;
        }
    }
    sfmt(bin, sizeof bin, "%s/vl_harness", mdir);
    sfmt(log, sizeof log, "%s/vl_link.log", e->work);
    sfmt(cmd, sizeof cmd,
             "cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -I'%s' -c '%s/sim/vl_main.c' -o '%s/vl_main.o' && "
             "g++ -o '%s' '%s/vl_main.o' '%s/vl_shim.o' '%s/V%s__ALL.a' '%s'/vl_rt_*.o '%s' "
             "-ljansson -lglpk -lpthread -lm",
             e->root, e->root, e->work, bin, e->work, mdir, mdir, e->top, mdir, e->lib);
    if (sh(e, cmd, log)) {
        fprintf(stderr, "sim: Verilator harness link failed:\n");
        tail_log(log);
        sfmt(r->line, sizeof r->line, "verilator link failed (%s)", log);
        return;
    }
    sfmt(log, sizeof log, "%s/vl_run.log", e->work);
    sfmt(cmd, sizeof cmd, "'%s' %s", bin, args);
    int rc = sh(e, cmd, log);
    grep_line(log, "verilator_rate", rate, rlen);
    char rb[256] = "";
    grep_line(log, "verilator_readback", rb, sizeof rb);
    if (!grep_line(log, "verilator ", r->line, sizeof r->line)) {
        tail_log(log);
        sfmt(r->line, sizeof r->line, "verilator run failed (%s)", log);
        return;
    }
    if (*rb) {
        size_t n = strlen(r->line);
        sfmt(r->line + n, sizeof r->line - n, "\n    %s", rb);
    }
    r->ok = rc == 0;
}

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

static void run_icarus(const sim_env *e, const mdl_model *a, const mdl_model *b,
                       const sim_cfg *c, result *r)
{
    char vec[2400], cmd[8192], log[2400], vvp[2400];
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
    sfmt(cmd, sizeof cmd,
             "iverilog -g2005 -o '%s' -DTOP=%s -DNQ=%d -DCW=%d -DNL=%d -DAW=%d -DLAT=%d "
             "-DVEC_FILE='\"%s\"' '%s/sim/tb_icarus.v' '%s/%s.v' '%s/%s_cfg.v'",
             vvp, e->top, a->in.n_cells * a->in.charge_bits,
             a->in.sum_exp_bits + a->in.sum_mant_bits, nl * lw, cg_cfg_addr_width(a), c->latency,
             vec, e->root, e->rtl, e->top, e->rtl, e->top);
    if (sh(e, cmd, log)) {
        tail_log(log);
        sfmt(r->line, sizeof r->line, "icarus build failed (%s)", log);
        return;
    }
    sfmt(log, sizeof log, "%s/icarus_run.log", e->work);
    sfmt(cmd, sizeof cmd, "nice vvp -n '%s'", vvp);
    sh(e, cmd, log);
    if (!grep_line(log, "icarus crossings", r->line, sizeof r->line)) {
        tail_log(log);
        sfmt(r->line, sizeof r->line, "icarus run failed (%s)", log);
        return;
    }
    r->ok = field(r->line, "mismatches") == 0 && field(r->line, "bad_flags") == 0 &&
            field(r->line, "latency_errors") == 0 && field(r->line, "compared") > 0 &&
            field(r->line, "outputs") == field(r->line, "crossings");
}

int cmd_sim(int argc, char **argv)
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
        { "mid-reset", required_argument, 0, 'r' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    const char *model = NULL, *weights = NULL, *weights2 = NULL, *data = NULL;
    const char *only = "hls,verilator,icarus", *workdir = NULL, *rtl = NULL;
    long rmodel = -1;
    size_t nvec = 100000, nicarus = 10000;
    long links2 = 3, seed = 1;
    sim_env e;
    memset(&e, 0, sizeof e);
    e.mid_reset = SIM_RESET_DP;
    cg_opts o;
    cg_opts_default(&o);
    rad_err oerr = { 0 };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'm': model = optarg; break;
        case 'w': weights = optarg; break;
        case 'W': weights2 = optarg; break;
        case 'n': nvec = strtoull(optarg, &end, 10); if (*end) goto bad; break;
        case 'i': nicarus = strtoull(optarg, &end, 10); if (*end) goto bad; break;
        case 'C': o.tmr_ctrl = true; break;
        case 'p': case 'M': case 'P': case 't':
            if (cg_opts_set(&o, c == 'p' ? "pipeline" : c == 'M' ? "weights-mode" :
                                c == 'P' ? "protect" : "top", optarg, &oerr)) {
                fprintf(stderr, "rad4ml sim: %s\n", oerr.msg);
                return 2;
            }
            break;
        case 'l': links2 = strtol(optarg, &end, 10); if (*end) goto bad; break;
        case 's': seed = strtol(optarg, &end, 0); if (*end) goto bad; break;
        case 'd': data = optarg; break;
        case 'o': only = optarg; break;
        case 'k': workdir = optarg; break;
        case 'v': e.verbose = 1; break;
        case 'R': rtl = optarg; break;
        case 'r':
            if (!strcmp(optarg, "none")) e.mid_reset = SIM_RESET_NONE;
            else if (!strcmp(optarg, "dp")) e.mid_reset = SIM_RESET_DP;
            else if (!strcmp(optarg, "cfg")) e.mid_reset = SIM_RESET_CFG;
            else goto bad;
            break;
        case 'X': rmodel = strtol(optarg, &end, 0); if (*end || rmodel < 0) goto bad; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        continue;
bad:
        fprintf(stderr, "rad4ml sim: bad option value '%s' (see --help)\n", optarg);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);    /* progress lines show up at once */
    find_root(&e);
    sfmt(e.top, sizeof e.top, "%s", o.top);
    const char *bd = getenv("RAD4ML_BUILD");
    char defbuild[2100];
    sfmt(defbuild, sizeof defbuild, "%s/build", e.root);
    sfmt(e.lib, sizeof e.lib, "%s/librad4ml.a", bd ? bd : defbuild);
    if (workdir)
        sfmt(e.work, sizeof e.work, "%s", workdir);
    else
        sfmt(e.work, sizeof e.work, "%s/sim", bd ? bd : defbuild);
    static const char *prot_name[] = { "none", "tmr", "secded" };
    sfmt(e.gen, sizeof e.gen, "%s/gen_%s_%s_p%d_%s%s", e.work, o.top,
             o.weights == CG_WEIGHTS_REG ? "reg" : "const", o.pipeline, prot_name[o.prot],
             o.tmr_ctrl ? "_tmrctl" : "");

    rad_err err = { 0 };
    mdl_model *a = NULL, *b = NULL;
    char datapath[4096];
    int rc = rmodel >= 0 ? sim_random_model((uint64_t)rmodel, &a, &err) :
             model ? mdl_load(model, weights, &a, &err) : mdl_load_default(&a, &err);
    if (!rc && rmodel >= 0 && a->out.bits_by_links[links2 > 0 ? links2 : 1] < 1)
        links2 = 0;
    if (!rc && !model && weights)
        rc = mdl_load_weights(a, weights, &err);
    if (!rc && links2 && (links2 < 1 || links2 > MDL_MAX_LINKS || a->out.bits_by_links[links2] < 1))
        rc = rad_errf(&err, RAD_ERANGE, "--links2 %ld: the model sends no bits with that many links", links2);
    if (!rc && !(b = mdl_clone(a)))
        rc = rad_errf(&err, RAD_ENOMEM, "out of memory");
    if (!rc) {
        if (weights2)
            rc = mdl_load_weights(b, weights2, &err);
        else
            mdl_init_random(b, (uint64_t)seed + 12345);
    }
    if (!rc && (!data || strcmp(data, "none"))) {
        if (data)
            e.data = data;
        else if (a->in.n_cells == GEO_N_CELLS) {
            if (!dat_default_path(datapath, sizeof datapath, &err))
                e.data = datapath;
            else
                printf("sim: no real crossings (%s)\n", err.msg);
        }
        err.msg[0] = 0;
    }
    if (!rc)
        rc = rad_mkdirs(e.gen, &err);
    char p1[2500], p2[2500];
    sfmt(p1, sizeof p1, "%s/a.json", e.work);
    sfmt(p2, sizeof p2, "%s/a.weights", e.work);
    if (!rc)
        rc = mdl_save(a, p1, p2, &err);
    sfmt(p1, sizeof p1, "%s/b.json", e.work);
    sfmt(p2, sizeof p2, "%s/b.weights", e.work);
    if (!rc)
        rc = mdl_save(b, p1, p2, &err);
    char rname[64];
    sfmt(rname, sizeof rname, "random model, seed %ld", rmodel);
    o.model_name = rmodel >= 0 ? rname : model ? model : "built-in ECON-T default";
    sfmt(e.rtl, sizeof e.rtl, "%s", rtl ? rtl : e.gen);
    o.weights_name = weights ? weights : "built-in";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!rc && !rtl)
        rc = cg_gen_verilog(a, &o, e.gen, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && strstr(only, "hls"))
        rc = cg_gen_hls(a, &o, NULL, e.gen, &err);
    if (rc) {
        fprintf(stderr, "rad4ml sim: %s\n", err.msg);
        mdl_free(a);
        mdl_free(b);
        return 1;
    }
    double tgen = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    int lat = cg_latency(&o);
    bool reg = o.weights == CG_WEIGHTS_REG;
    printf("sim: model %s (%s), weights %s, pipeline %d (latency %d clocks), RTL generated in %.3f s\n",
           a->name, o.model_name, reg ? "reg" : "const", o.pipeline, lat, tgen);
    printf("sim: schedule: %s%s, then traffic; %s; mid-stream without reset: %s%s\n",
           reg ? "weight set A through the cfg port" : "hard-wired weights",
           e.data ? " + real crossings" : "",
           e.mid_reset == SIM_RESET_DP ? "a quarter in: datapath reset, no reload"
           : e.mid_reset == SIM_RESET_CFG ? "a quarter in: datapath + configuration reset "
                                            "(negative control)" : "no reset",
           reg ? "weight set B" : "", links2 ? (reg ? " + n_links change" : "n_links change") : "");
    char args[8192], rate[256] = "";
    result res[3] = { { "C reference vs HLS C     ", "", 0, 0 },
                      { "C reference vs Verilator ", "", 0, 0 },
                      { "C reference vs Icarus    ", "", 0, 0 } };
    if (strstr(only, "hls")) {
        harness_args(args, sizeof args, &e, nvec, (uint64_t)seed, 1, reg, (int)links2, reg);
        run_hls(&e, args, &res[0]);
    }
    if (strstr(only, "verilator")) {
        harness_args(args, sizeof args, &e, nvec, (uint64_t)seed, lat, reg, (int)links2, reg);
        run_verilator(&e, args, &res[1], rate, sizeof rate);
    }
    if (strstr(only, "icarus")) {
        sim_cfg sc = { 0 };
        dat_set set = { 0 };
        sc.seed = (uint64_t)seed;
        sc.n_vectors = nicarus;
        sc.reg_weights = reg;
        sc.reload = reg || links2;
        sc.links2 = (int)links2;
        sc.latency = lat;
        sc.mid_reset = e.mid_reset;
        if (e.data && !dat_load(e.data, DAT_FMT_AUTO, NULL, &set, &err)) {
            sc.real = set.q;
            sc.n_real = set.n;
        }
        run_icarus(&e, a, reg ? b : NULL, &sc, &res[2]);
        dat_free(&set);
    }
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
    mdl_free(a);
    mdl_free(b);
    return bad ? 1 : 0;
}
