/*
** seu_full.c — single upsets in the weight registers of the WHOLE design
** while traffic runs (Verilator): codegen writes the design with the SEU
** test port (cg_opts.seu_port), the harness (seu/rtl/seu_fharness.c,
** compiled into the library as text) streams real crossings one per clock
** and compares every output with the C reference engine's.
**
** Without protection the outputs of the crossings that ran entirely on the
** flipped image come back in a dump; here each is compared with the C
** engine run on the model with that bit flipped (the RTL corruption must be
** exactly the model's), and the corrupted share and EMD damage per upset
** are summed up.
**
** Build products are cached in <dir>/full-<protection>-O<opt>/ (rebuilt
** only when the generated Verilog or the harness sources change).
*/
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "seu/seu_rtl.h"
#include "seu/seu_internal.h"
#include "codegen/cg.h"
#include "sim/sim.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "common/rad_vl.h"

extern const unsigned char seu__src_fharness[], seu__src_fshim_cpp[], seu__src_fshim_h[],
                           seu__src_vl_port_h[], seu__src_rad_hash_h[];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Shapes of the top's buses. */
typedef struct {
    int nq, nl;          /* 32-bit words of in_q / out_latent */
    int n_lat, lat_w, cells, cb;
} bus_shape;

static void shape(const mdl_model *m, bus_shape *s)
{
    s->cells = m->in.n_cells;
    s->cb = m->in.charge_bits;
    s->n_lat = mdl_latent_count(m);
    s->lat_w = m->layers[m->n_layers - 1].out_fmt.width;
    s->nq = (s->cells * s->cb + 31) / 32;
    s->nl = (s->n_lat * s->lat_w + 31) / 32;
}

static void pack_lat(const bus_shape *s, const eng_out *o, uint32_t *bus)
{
    uint32_t v[ENG_MAX_LATENT];
    for (int i = 0; i < s->n_lat; i++)
        v[i] = (uint32_t)o->sent[i];
    sim_pack(v, s->n_lat, s->lat_w, bus, s->nl);
}

/* "P NQ NL", then per crossing: in_q words, golden out_sum, out_latent. */
static int write_traffic(const seu__xset *x, const bus_shape *s, const char *path,
                         rad_err *err)
{
    rad_file f;
    uint32_t q[MDL_MAX_CELLS + 2], l[ENG_MAX_LATENT + 2];
    if (s->nq > (int)(sizeof q / 4) || s->nl > (int)(sizeof l / 4))
        return rad_errf(err, RAD_ERANGE, "seu: buses too wide for the harness");
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    fprintf(f.fp, "%zu %d %d\n", x->n, s->nq, s->nl);
    for (size_t i = 0; i < x->n; i++) {
        sim_pack(x->q[i], s->cells, s->cb, q, s->nq);
        pack_lat(s, &x->gold[i], l);
        for (int k = 0; k < s->nq; k++)
            fprintf(f.fp, "%x ", q[k]);
        fprintf(f.fp, "%x", x->gold[i].sum_code);
        for (int k = 0; k < s->nl; k++)
            fprintf(f.fp, " %x", l[k]);
        fputc('\n', f.fp);
    }
    return rad_file_commit(&f, err);
}

/* The design (via a scratch directory, so that an unchanged design keeps
** its cached build) and the harness sources; *changed if any differs (1:
** the design, 2: the harness); flops: also <d>/flops.txt, the design's
** flip-flop map (--all-flops). */
static int sources(const mdl_model *m, const seu_full_opts *o, const char *d, bool flops,
                   int *latency, int *changed, rad_err *err)
{
    cg_opts co;
    seu__design_opts(&co, o->top, o->prot, o->model_name, o->weights_name);
    co.seu_port = true;
    /* cg_latency counts the clocks from in_valid driven to out_valid seen;
    ** the harness needs the edges from the input register's to the output
    ** register's: one fewer (the same offset as sim/sim_stim.c checks). */
    *latency = cg_latency(&co) - 1;
    char *text[2];
    size_t len[2];
    int rc = seu__gen_design(m, &co, d, text, len, err);
    if (rc)
        return rc;
    const char *names[] = { "design.v", "cfg.v", "seu_fharness.c", "seu_fshim.cpp",
                            "seu_fshim.h", "vl_port.h", "rad_hash.h" };
    const char *texts[] = { text[0], text[1], (const char *)seu__src_fharness,
                            (const char *)seu__src_fshim_cpp, (const char *)seu__src_fshim_h,
                            (const char *)seu__src_vl_port_h, (const char *)seu__src_rad_hash_h };
    unsigned written;
    rc = seu__write_sources(d, names, texts, 7, &written, err);
    /* 1: the design (files 0-1), 2: the harness (files 2-6) */
    *changed = (written & 3u ? 1 : 0) | (written & ~3u ? 2 : 0);
    if (!rc && flops) {
        char path[4200];
        long n, bits;
        snprintf(path, sizeof path, "%s/flops.txt", d);
        rc = seu_flop_map(text[0], text[1], o->top, path, &n, &bits, err);
    }
    free(text[0]);
    free(text[1]);
    return rc;
}

/* Verilator model of the whole design (only when the design changed or
** was never built) + runtime + shim + harness -> <d>/fharness; vpi: every
** signal reachable by name (--all-flops). */
static int build(const seu_full_opts *o, const char *d, int design, bool vpi, rad_err *err)
{
    char design_v[4200], cfg[4200], shim[4200], shim_h[4200], port_h[4200], harness[4200],
         inc[4200], exe[4200], log[4200];
    snprintf(design_v, sizeof design_v, "%s/design.v", d);
    snprintf(port_h, sizeof port_h, "%s/vl_port.h", d);
    snprintf(cfg, sizeof cfg, "%s/cfg.v", d);
    snprintf(shim, sizeof shim, "%s/seu_fshim.cpp", d);
    snprintf(shim_h, sizeof shim_h, "%s/seu_fshim.h", d);
    snprintf(harness, sizeof harness, "%s/seu_fharness.c", d);
    snprintf(inc, sizeof inc, "-I%s", d);
    snprintf(exe, sizeof exe, "%s/fharness", d);
    snprintf(log, sizeof log, "%s/build.log", d);
    rad_vl_spec s = {
        .dir = d, .top = o->top, .prefix = "Vseu_top", .verilog = { design_v, cfg },
        .vflags = { "-DRAD4ML_SEU_INJECT", "-Wno-fatal", "--x-assign", "fast",
                    "--x-initial", "fast" },
        .makeflags = o->opt_fast ? "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O0"
                                 : "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0",
        .reuse_model = !design, .vpi = vpi,
        .shim = shim, .deps = { shim_h, port_h }, .cxxflags = { inc, vpi ? "-DSEU_VPI" : NULL },
        .cxx_opt = 1,
        .csrc = { harness }, .cflags = { "-O2", "-Wall", "-Wextra", "-Werror", inc }, .exe = exe, .log = log,
    };
    return rad_vl_build(&s, err);
}

static int parse_result(const char *log, seu_full_result *r, rad_err *err)
{
    char *text = NULL;
    size_t len;
    if (rad_read_all(log, &text, &len, err))
        return RAD_EIO;
    const char *p = strstr(text, "RESULT ");
    int ok = p && sscanf(p, "RESULT injected=%ld outputs=%ld compared=%ld mismatches=%ld "
                         "flipped=%ld corrupted=%ld mixed=%ld counted=%ld count=%ld derr=%ld "
                         "latency_err=%ld chg=%ld readback_err=%ld fail=%ld cycles=%ld "
                         "seconds=%lf", &r->injected, &r->outputs, &r->compared,
                         &r->mismatches, &r->flipped, &r->corrupted, &r->mixed, &r->counted,
                         &r->seu_count, &r->derr, &r->latency_err, &r->chg, &r->readback_err,
                         &r->fail, &r->cycles, &r->seconds) == 16;
    if (!ok)
        rad_errf(err, RAD_ETOOL, "seu: no RESULT line in %s: %.300s", log, text);
    free(text);
    return ok ? RAD_OK : RAD_ETOOL;
}

/* Per-upset tallies of the unprotected run. */
typedef struct {
    long   j, n, bad;
    double emd;
} upset_acc;

static void close_upset(seu_full_result *r, upset_acc *u)
{
    if (u->j < 0 || u->n == 0)
        return;
    double f = (double)u->bad / (double)u->n;
    r->frac_corrupted += f;
    r->max_frac = f > r->max_frac ? f : r->max_frac;
    r->d_emd += u->emd / (double)u->n;
    r->bits_corrupting += u->bad > 0;
}

/* One dumped output "j addr pool sum lat..." against the C engine on the
** flipped model mc; EMD increase of the RTL output when corrupted. */
static int check_line(const mdl_model *m, const mdl_model *mc, const seu__xset *x,
                      const bus_shape *s, long pool, uint32_t sum, const uint32_t *lat,
                      emd_ctx *ctx, double pen, upset_acc *u, seu_full_result *r)
{
    eng_out c, rtl;
    uint32_t exp[ENG_MAX_LATENT + 2], gl[ENG_MAX_LATENT + 2];
    eng_encode_generic(mc, x->q[pool], &c);
    pack_lat(s, &c, exp);
    pack_lat(s, &x->gold[pool], gl);
    r->c_mismatch += c.sum_code != sum || memcmp(exp, lat, 4 * (size_t)s->nl);
    int bad = x->gold[pool].sum_code != sum || memcmp(gl, lat, 4 * (size_t)s->nl);
    u->n++;
    u->bad += bad;
    if (bad) {
        float cells[MDL_MAX_CELLS];
        double b[MDL_MAX_CELLS];
        int32_t v[ENG_MAX_LATENT];
        rtl = x->gold[pool];
        rtl.sum_code = sum;
        sim_unpack(lat, s->n_lat, s->lat_w, mdl_latent_fmt(m).is_signed, v);
        memcpy(rtl.sent, v, sizeof(int32_t) * (size_t)s->n_lat);
        u->emd += seu__emd(m, ctx, &x->qd[(size_t)pool * (size_t)x->n_cells], &rtl, pen,
                           cells, b) - x->gold_emd[pool];
    }
    return RAD_OK;
}

/* Reads the output dump of the full-design harness at path and compares
** each upset's outputs with the golden ones of x; counts into r.  RAD_OK
** or the reason. */
static int check_dump(const mdl_model *m, const seu__xset *x, const bus_shape *s,
                      const char *path, seu_full_result *r, rad_err *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return rad_errf(err, RAD_EIO, "seu: cannot read %s", path);
    mdl_model *mc = mdl_clone(m);
    emd_ctx *ctx = emd_new_ld();
    seu_sens_opts so;
    seu_sens_defaults(&so);
    int rc = mc && ctx ? RAD_OK : rad_errf(err, RAD_ENOMEM, "seu: out of memory");
    upset_acc u = { -1, 0, 0, 0 };
    seu_bit fb;
    long j, addr, pool;
    unsigned sum, w;
    while (!rc && fscanf(fp, "%ld %ld %ld %x", &j, &addr, &pool, &sum) == 4) {
        uint32_t lat[ENG_MAX_LATENT + 2];
        for (int i = 0; i < s->nl && !rc; i++)
            if (fscanf(fp, "%x", &w) == 1)
                lat[i] = w;
            else
                rc = rad_errf(err, RAD_EPARSE, "seu: %s: truncated line", path);
        if (!rc && (pool < 0 || (size_t)pool >= x->n))
            rc = rad_errf(err, RAD_EPARSE, "seu: %s: crossing %ld out of range", path, pool);
        if (!rc && j != u.j) {             /* next upset: move the flip */
            close_upset(r, &u);
            if (u.j >= 0)
                seu_flip(mc, &fb);
            if ((rc = seu_bit_locate(m, (size_t)addr, &fb)))
                break;
            seu_flip(mc, &fb);
            u = (upset_acc){ j, 0, 0, 0 };
        }
        if (!rc)
            rc = check_line(m, mc, x, s, pool, sum, lat, ctx, so.empty_penalty, &u, r);
    }
    close_upset(r, &u);
    if (r->injected > 0) {
        r->frac_corrupted /= (double)r->injected;
        r->d_emd /= (double)r->injected;
    }
    fclose(fp);
    emd_free(ctx);
    mdl_free(mc);
    return rc;
}

/* A new argument list that starts with ./fharness (free it with
** run_logged); NULL when out of memory. */
static rad_argv *harness_argv(rad_err *err)
{
    rad_argv *av = malloc(sizeof *av);
    if (!av) {
        rad_errf(err, RAD_ENOMEM, "seu: out of memory");
        return NULL;
    }
    rad_argv_reset(av);
    rad_argv_add(av, "./fharness");
    return av;
}

/* Runs av in d with its output to <d>/run.log, then frees av; the exit
** status is not judged here (the results are, from the log). */
static int run_logged(rad_argv *av, const char *d, rad_err *err)
{
    char log[4200];
    snprintf(log, sizeof log, "%s/run.log", d);
    rad_proc_opts po = { .cwd = d, .log = log };
    int st;
    int rc = rad_proc_run(av->v, &po, &st, err);
    free(av);
    return rc;
}

/* Runs <d>/fharness with output to <d>/run.log; its exit status is not
** judged here (the expectations are judged from the counts). */
static int run_harness(const seu_full_opts *o, const char *d, const cg_cfg_geom *g,
                       int latency, rad_err *err)
{
    rad_argv *av = harness_argv(err);
    if (!av)
        return RAD_ENOMEM;
    rad_argv_add(av, "image.hex");
    rad_argv_add(av, "traffic.txt");
    rad_argv_addf(av, "%d", o->prot != SEU_PROT_NONE);
    rad_argv_addf(av, "%zu", g->n_copy[0]);
    rad_argv_addf(av, "%d", o->prot == SEU_PROT_TMR || o->prot == SEU_PROT_FULL ? 3 : 1);
    rad_argv_addf(av, "%zu", o->stride ? o->stride : 1);
    rad_argv_addf(av, "%d", o->all_copies);
    rad_argv_addf(av, "%d", o->per_bit);
    rad_argv_addf(av, "%d", latency);
    rad_argv_add(av, "flips.txt");
    return run_logged(av, d, err);
}

/* <d> made and filled for one harness run: the design and harness sources
** (flops: and the flip-flop map), the golden image and the traffic of x. */
static int prepare(const mdl_model *m, const seu_full_opts *o, const char *d,
                   const seu__xset *x, const bus_shape *s, bool flops, int *latency,
                   int *changed, rad_err *err)
{
    char path[4200];
    int rc = rad_mkdirs(d, err);
    if (!rc)
        rc = sources(m, o, d, flops, latency, changed, err);
    if (!rc) {
        snprintf(path, sizeof path, "%s/image.hex", d);
        rc = seu__write_image(m, path, err);
    }
    if (!rc) {
        snprintf(path, sizeof path, "%s/traffic.txt", d);
        rc = write_traffic(x, s, path, err);
    }
    return rc;
}

/* Builds <d>/fharness when a source changed or it was never built; the
** time it took into *seconds. */
static int build_if_needed(const seu_full_opts *o, const char *d, int changed, bool vpi,
                           double *seconds, rad_err *err)
{
    char path[4200];
    struct stat st;
    double t0 = now();
    snprintf(path, sizeof path, "%s/fharness", d);
    int rc = changed || stat(path, &st) != 0 ? build(o, d, changed & 1, vpi, err) : RAD_OK;
    *seconds = now() - t0;
    return rc;
}

/* See seu.h.  Full-design SEU campaign: generates the design with the
** protection o->prot, builds its Verilator harness, flips every stored bit
** in turn under traffic and checks the outputs against the engine, into
** r.  RAD_OK or the reason. */
int seu_full_run(const mdl_model *m, const seu_full_opts *o, seu_full_result *r,
                 rad_err *err)
{
    memset(r, 0, sizeof *r);
    if (o->prot == SEU_PROT_SEL)
        return rad_errf(err, RAD_EUSAGE, "seu: the full-design campaign takes none, tmr, "
                        "secded or full-tmr, not %s", seu_prot_name(o->prot));
    cg_cfg_opts co;
    seu_cfg_opts(&co, m, o->top, 3, o->prot, NULL);
    cg_cfg_geom g;
    seu_sens_opts so;
    seu_sens_defaults(&so);
    seu__xset x;
    bus_shape s;
    shape(m, &s);
    char d[4096], path[4200];
    int changed, latency, rc = cg_cfg_geometry(m, &co, &g, err);
    if (rc || (rc = seu__xset_init(&x, m, o->traffic, so.empty_penalty, err)))
        return rc;
    r->pool = x.n;
    snprintf(d, sizeof d, "%s/full-%s-O%d", o->dir, seu_prot_name(o->prot),
             o->opt_fast ? 1 : 0);
    rc = prepare(m, o, d, &x, &s, false, &latency, &changed, err);
    if (!rc)
        rc = build_if_needed(o, d, changed, false, &r->build_seconds, err);
    if (!rc) {
        rc = run_harness(o, d, &g, latency, err);
        snprintf(path, sizeof path, "%s/run.log", d);
        if (!rc)
            rc = parse_result(path, r, err);
    }
    double t0 = now();
    if (!rc && o->prot == SEU_PROT_NONE) {
        snprintf(path, sizeof path, "%s/flips.txt", d);
        rc = check_dump(m, &x, &s, path, r, err);
    }
    r->check_seconds = now() - t0;
    seu__xset_free(&x);
    return rc;
}

/* ---- every flip-flop (seu --rtl --all-flops) ------------------------------ */

/* "CLASS name inj masked transient persistent latent kmax ksum counted"
** lines and the RESULT line of the --all-flops harness into r. */
static int parse_flops(const char *log, seu_flops_result *r, rad_err *err)
{
    char *text = NULL, name[32];
    size_t len;
    if (rad_read_all(log, &text, &len, err))
        return RAD_EIO;
    int got = 0;
    for (const char *p = strstr(text, "CLASS "); p; p = strstr(p + 6, "CLASS ")) {
        long v[8];
        if (sscanf(p, "CLASS %31s %ld %ld %ld %ld %ld %ld %ld %ld", name, &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]) != 9)
            continue;
        for (int c = 0; c < SEU_N_CLS; c++)
            if (!strcmp(name, seu_cls_name[c])) {
                r->inj[c] = v[0], r->masked[c] = v[1], r->transient[c] = v[2];
                r->persistent[c] = v[3], r->latent[c] = v[4], r->kmax[c] = v[5];
                r->ksum[c] = v[6], r->counted[c] = v[7];
                got++;
            }
    }
    const char *p = strstr(text, "RESULT ");
    int ok = got == SEU_N_CLS && p
             && sscanf(p, "RESULT injected=%ld masked=%ld transient=%ld persistent=%ld "
                       "counted=%ld outputs=%ld compared=%ld reloads=%ld flops=%ld "
                       "flop_bits=%ld fail=%ld cycles=%ld seconds=%lf", &r->injected,
                       &r->masked_all, &r->transient_all, &r->persistent_all, &r->counted_all,
                       &r->outputs, &r->compared, &r->reloads, &r->regs, &r->flop_bits,
                       &r->fail, &r->cycles, &r->seconds) == 13;
    if (!ok)
        rad_errf(err, RAD_ETOOL, "seu: no RESULT line in %s: %.300s", log, text);
    free(text);
    return ok ? RAD_OK : RAD_ETOOL;
}

static int run_flops(const seu_full_opts *o, const char *d, int latency, rad_err *err)
{
    rad_argv *av = harness_argv(err);
    if (!av)
        return RAD_ENOMEM;
    rad_argv_add(av, "--all-flops");
    rad_argv_add(av, "image.hex");
    rad_argv_add(av, "traffic.txt");
    rad_argv_add(av, "flops.txt");
    rad_argv_addf(av, "%d", latency);
    rad_argv_addf(av, "%ld", o->upsets);
    rad_argv_addf(av, "%llu", (unsigned long long)o->seed);
    rad_argv_addf(av, "%d", o->mbu);
    rad_argv_addf(av, "%d", o->prot == SEU_PROT_FULL);
    rad_argv_addf(av, "%zu", o->shard_n ? o->shard_i : 0);
    rad_argv_addf(av, "%zu", o->shard_n ? o->shard_n : 1);
    rad_argv_add(av, o->top);
    return run_logged(av, d, err);
}

/* See seu_rtl.h.  Builds the whole design (VPI) with the protection asked
** for, maps its flip-flops, runs the --all-flops harness, into r. */
int seu_flops_run(const mdl_model *m, const seu_full_opts *o, seu_flops_result *r,
                  rad_err *err)
{
    memset(r, 0, sizeof *r);
    if (o->prot != SEU_PROT_NONE && o->prot != SEU_PROT_TMR && o->prot != SEU_PROT_FULL)
        return rad_errf(err, RAD_EUSAGE, "seu: --all-flops takes none, tmr or full-tmr, "
                        "not %s", seu_prot_name(o->prot));
    seu__xset x;
    bus_shape s;
    shape(m, &s);
    char d[4096], path[4200];
    int changed, latency, rc = seu__xset_init(&x, m, o->traffic, -1, err);
    if (rc)
        return rc;
    snprintf(d, sizeof d, "%s/flops-%s", o->dir, seu_prot_name(o->prot));
    rc = prepare(m, o, d, &x, &s, true, &latency, &changed, err);
    if (!rc)
        rc = build_if_needed(o, d, changed, true, &r->build_seconds, err);
    if (!rc)
        rc = run_flops(o, d, latency, err);
    if (!rc) {
        snprintf(path, sizeof path, "%s/run.log", d);
        rc = parse_flops(path, r, err);
    }
    seu__xset_free(&x);
    return rc;
}
