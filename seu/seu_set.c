/*
** seu_set.c — the SET campaign (seu_set.h): codegen writes the design,
** Yosys maps it flat onto generic gates (cached: rerun only when the
** Verilog changes), seu_set_net.c instruments the netlist, Verilator
** builds it with seu/rtl/seu_sharness.c, the stimulus is reset +
** configuration over the cfg bus + real crossings one per clock, and the
** fault-free run's outputs are checked against the C reference engine
** before the pulses count.  Work directory: <dir>/set-<protection>/.
*/
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "seu/seu_set.h"
#include "engine/engine.h"
#include "seu/seu_internal.h"
#include "common/rad_hash.h"
#include "codegen/cg.h"
#include "sim/sim.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "common/rad_vl.h"

extern const unsigned char seu__src_sharness[], seu__src_sshim_cpp[], seu__src_sshim_h[],
                           seu__src_vl_port_h[];

#define CFG_WBASE 16              /* first image word address (codegen/REGMAP.md) */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The crossings streamed and the C reference engine's output for each. */
typedef struct {
    size_t          n;
    int             cells;
    const uint32_t *q;          /* [n * cells], the traffic set's        */
    eng_out        *gold;       /* [n]                                   */
} set_traffic;

static int traffic_init(set_traffic *t, const mdl_model *m, const dat_set *d, rad_err *err)
{
    memset(t, 0, sizeof *t);
    if (!d || d->n == 0 || d->n_cells != m->in.n_cells)
        return rad_errf(err, RAD_EUSAGE, "seu set: the traffic needs crossings of %d cells",
                        m->in.n_cells);
    eng_plan *p = NULL;
    int rc = eng_compile(m, &p, err);
    if (rc)
        return rc;
    t->gold = calloc(d->n, sizeof *t->gold);
    if (!t->gold) {
        eng_free(p);
        return rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
    }
    t->n = d->n;
    t->cells = d->n_cells;
    t->q = d->q;
    for (size_t k = 0; k < d->n; k++)
        eng_encode(p, d->q + k * (size_t)d->n_cells, &t->gold[k]);
    eng_free(p);
    return RAD_OK;
}

/* The design's Verilog into <d>/design.v (top and register file in one
** file, for the cache); *changed when it differs from the last run. */
static int write_design(const mdl_model *m, const seu_set_opts *o, const char *d,
                        int *latency, int *changed, rad_err *err)
{
    cg_opts co;
    seu__design_opts(&co, o->top, o->prot, o->model_name, o->weights_name);
    *latency = cg_latency(&co);
    char *text[2], path[4400];
    size_t len[2];
    int rc = seu__gen_design(m, &co, d, text, len, err);
    if (rc)
        return rc;
    char *both = malloc(len[0] + len[1] + 2);
    if (!both)
        rc = rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
    if (!rc) {
        snprintf(both, len[0] + len[1] + 2, "%s\n%s", text[0], text[1]);
        snprintf(path, sizeof path, "%s/design.v", d);
        int w = seu__write_if_changed(path, both, err);
        rc = w < 0 ? err->code : RAD_OK;
        *changed = w > 0;
    }
    free(both);
    free(text[0]);
    free(text[1]);
    return rc;
}

/* Yosys: flat, generic gates, every flip-flop a plain D flip-flop. */
static int synth(const seu_set_opts *o, const char *d, int changed, rad_err *err)
{
    char ys[4200], net[4200], log[4200];
    snprintf(net, sizeof net, "%s/net.json", d);
    struct stat st;
    if (!changed && stat(net, &st) == 0)
        return RAD_OK;
    snprintf(ys, sizeof ys, "%s/set.ys", d);
    rad_file f;
    int rc = rad_file_open(&f, ys, err);
    if (rc)
        return rc;
    fprintf(f.fp, "read_verilog design.v\nsynth -flatten -top %s -noabc\nasync2sync\n"
            "dffunmap\nabc -g cmos3\nopt_clean -purge\nstat\nwrite_json net.json\n", o->top);
    if ((rc = rad_file_commit(&f, err)))
        return rc;
    remove(net);
    snprintf(log, sizeof log, "%s/yosys.log", d);
    char *av[] = { "yosys", "-q", "-l", "yosys.log", "set.ys", NULL };
    rad_proc_opts po = { .cwd = d, .quiet = true, .nice = true };
    return rad_proc_check(av, &po, "yosys (seu --set netlist)", err);
}

/* Instrumented netlist (the whole design flat, or with --set-module the
** module's gates in the RTL: seu__set_mod_net) and harness sources;
** *changed if any differs.  *none: the module has no gate to pulse. */
static int sources(const seu_set_opts *o, const char *d, int design_changed, seu_set_net *n,
                   seu_set_result *r, int *changed, int *none, rad_err *err)
{
    char net[4200], tmp[4200];
    char *text = NULL;
    size_t len;
    int rc;
    *none = 0;
    if (o->module) {
        rc = seu__set_mod_net(o, d, design_changed, n, r, &text, err);
        if (!rc && !text) {
            *none = 1;
            return RAD_OK;
        }
    } else {
        snprintf(net, sizeof net, "%s/net.json", d);
        snprintf(tmp, sizeof tmp, "%s/set_net.v.new", d);
        rc = seu_set_instrument(net, o->top, tmp, n, err);
        if (!rc)
            rc = rad_read_all(tmp, &text, &len, err);
        remove(tmp);
    }
    const char *names[] = { "set_net.v", "seu_sharness.c", "seu_sshim.cpp", "seu_sshim.h",
                            "vl_port.h" };
    const char *texts[] = { text, (const char *)seu__src_sharness,
                            (const char *)seu__src_sshim_cpp, (const char *)seu__src_sshim_h,
                            (const char *)seu__src_vl_port_h };
    unsigned written = 0;
    if (!rc)
        rc = seu__write_sources(d, names, texts, 5, &written, err);
    /* 1: the netlist (file 0), 2: the harness (files 1-4) */
    *changed = (written & 1u ? 1 : 0) | (written & ~1u ? 2 : 0);
    free(text);
    return rc;
}

static int build(const char *d, int netlist_changed, rad_err *err)
{
    char v[4200], shim[4200], shim_h[4200], port_h[4200], harness[4200], inc[4200], exe[4200],
         log[4200];
    snprintf(v, sizeof v, "%s/set_net.v", d);
    snprintf(port_h, sizeof port_h, "%s/vl_port.h", d);
    snprintf(shim, sizeof shim, "%s/seu_sshim.cpp", d);
    snprintf(shim_h, sizeof shim_h, "%s/seu_sshim.h", d);
    snprintf(harness, sizeof harness, "%s/seu_sharness.c", d);
    snprintf(inc, sizeof inc, "-I%s", d);
    snprintf(exe, sizeof exe, "%s/sharness", d);
    snprintf(log, sizeof log, "%s/build.log", d);
    rad_vl_spec s = {
        .dir = d, .top = "set_dut", .prefix = "Vset_dut", .verilog = { v },
        .vflags = { "-Wno-fatal", "--x-assign", "0", "--x-initial", "0" },
        .makeflags = "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0",
        .reuse_model = !netlist_changed,
        .shim = shim, .deps = { shim_h, port_h }, .cxxflags = { inc }, .cxx_opt = 1,
        .csrc = { harness }, .cflags = { "-O2", inc }, .exe = exe, .log = log,
    };
    return rad_vl_build(&s, err);
}

/* Bits [p.offset, +width) of bus (32-bit words) = v (LSB first, 32-bit words). */
static void put_port(uint32_t *bus, const seu_set_port *p, const uint32_t *v)
{
    for (int i = 0; p && i < p->width; i++) {
        int b = p->offset + i;
        uint32_t bit = v[i / 32] >> (i % 32) & 1;
        bus[b / 32] = (bus[b / 32] & ~(1u << (b % 32))) | bit << (b % 32);
    }
}

static void get_port(const uint32_t *bus, const seu_set_port *p, uint32_t *v, int nw)
{
    memset(v, 0, (size_t)nw * 4);
    for (int i = 0; i < p->width && i / 32 < nw; i++) {
        int b = p->offset + i;
        v[i / 32] |= (bus[b / 32] >> (b % 32) & 1) << (i % 32);
    }
}

/* The stimulus: 2 reset clocks, every image word over the cfg bus, then
** `cycles` crossings (pool entry k % x->n) and the window's tail.
** *t0 = first traffic edge. */
static int write_stim(const mdl_model *m, const seu_set_net *n, const set_traffic *x,
                      const seu_set_opts *o, int win, const char *path, long *t0,
                      long *nc, rad_err *err)
{
    size_t bits = mdl_i2c_bits(m), nb = (bits + 31) / 32 * 4;
    int ni = n->n_in / 32 + 1;
    uint8_t *img = calloc(nb, 1);
    uint32_t *bus = calloc((size_t)ni, 4), q[MDL_MAX_CELLS + 2];
    rad_file f;
    int rc = img && bus ? mdl_i2c_pack(m, img, nb, err)
                        : rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
    if (!rc)
        rc = rad_file_open(&f, path, err);
    if (rc) {
        free(img);
        free(bus);
        return rc;
    }
    long nwords = (long)(nb / 4);
    *t0 = 2 + nwords;
    *nc = *t0 + o->cycles + win;
    fprintf(f.fp, "%ld %d %d %ld\n", *nc, n->n_in, n->n_out, n->n_ff);
    const uint32_t one = 1, zero = 0;
    for (long c = 0; c < *nc; c++) {
        memset(bus, 0, (size_t)ni * 4);
        put_port(bus, seu_set_find(n, "rst"), c < 2 ? &one : &zero);
        put_port(bus, seu_set_find(n, "rst_cfg"), c < 2 ? &one : &zero);
        if (c >= 2 && c < *t0) {
            long w = c - 2;
            uint32_t a = (uint32_t)(CFG_WBASE + w), v = (uint32_t)img[4 * w]
                | (uint32_t)img[4 * w + 1] << 8 | (uint32_t)img[4 * w + 2] << 16
                | (uint32_t)img[4 * w + 3] << 24;
            put_port(bus, seu_set_find(n, "cfg_we"), &one);
            put_port(bus, seu_set_find(n, "cfg_addr"), &a);
            put_port(bus, seu_set_find(n, "cfg_wdata"), &v);
        } else if (c >= *t0 && c < *t0 + o->cycles) {
            size_t k = (size_t)(c - *t0) % x->n;
            sim_pack(x->q + k * (size_t)x->cells, m->in.n_cells, m->in.charge_bits, q,
                     (m->in.n_cells * m->in.charge_bits + 31) / 32);
            put_port(bus, seu_set_find(n, "in_valid"), &one);
            put_port(bus, seu_set_find(n, "in_q"), q);
        }
        for (int i = 0; i < ni; i++)
            fprintf(f.fp, "%s%x", i ? " " : "", bus[i]);
        fputc('\n', f.fp);
    }
    free(img);
    free(bus);
    return rad_file_commit(&f, err);
}

/* Random pulses: `samples` on any gate, `controls` on gates that drive a
** D input, each at a uniform traffic edge. */
static int write_samples(const seu_set_net *n, const seu_set_opts *o, long t0,
                         const char *path, rad_err *err)
{
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    uint64_t s = o->seed;
    long nctl = n->n_d_gate ? o->controls : 0;
    fprintf(f.fp, "%ld\n", o->samples + nctl);
    for (long i = 0; i < o->samples + nctl; i++) {
        long c = t0 + (long)(rad_splitmix64(&s) % (uint64_t)o->cycles);
        long g = i < o->samples ? (long)(rad_splitmix64(&s) % (uint64_t)n->n_gates)
                                : n->d_gate[rad_splitmix64(&s) % (uint64_t)n->n_d_gate];
        fprintf(f.fp, "%ld %ld\n", c, g);
    }
    return rad_file_commit(&f, err);
}

/* The fault-free run's outputs (GOLD, one line per edge) against the C
** engine: the k-th out_valid carries crossing k of the stream. */
static int check_gold(const mdl_model *m, const seu_set_net *n, const set_traffic *x,
                      const seu_set_opts *o, const char *path, seu_set_result *r,
                      rad_err *err)
{
    const seu_set_port *pv = seu_set_find(n, "out_valid"), *ps = seu_set_find(n, "out_sum"),
                       *pl = seu_set_find(n, "out_latent");
    if (!pv || !ps || !pl)
        return rad_errf(err, RAD_EPARSE, "seu set: netlist lacks out_valid/out_sum/out_latent");
    FILE *fp = fopen(path, "r");
    if (!fp)
        return rad_errf(err, RAD_EIO, "%s: cannot read", path);
    int no = n->n_out / 32 + 1, n_lat = mdl_latent_count(m);
    int lat_w = m->layers[m->n_layers - 1].out_fmt.width, nl = (n_lat * lat_w + 31) / 32;
    uint32_t *bus = calloc((size_t)no, 4), v[2], lat[ENG_MAX_LATENT + 2],
             want[ENG_MAX_LATENT + 2], vals[ENG_MAX_LATENT];
    int rc = bus ? RAD_OK : rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
    while (!rc) {
        for (int i = 0; i < no && !rc; i++) {
            unsigned u;
            if (fscanf(fp, "%x", &u) != 1)
                rc = -1;
            else
                bus[i] = u;
        }
        if (rc)
            break;
        get_port(bus, pv, v, 1);
        if (!v[0])
            continue;
        size_t k = (size_t)(r->gold_outputs++) % x->n;
        get_port(bus, ps, v, 1);
        get_port(bus, pl, lat, nl);
        for (int i = 0; i < n_lat; i++)
            vals[i] = (uint32_t)x->gold[k].sent[i];
        sim_pack(vals, n_lat, lat_w, want, nl);
        r->gold_mismatch += v[0] != x->gold[k].sum_code || memcmp(lat, want, (size_t)nl * 4);
    }
    fclose(fp);
    free(bus);
    if (rc > 0)
        return rc;
    if (r->gold_outputs != o->cycles)
        r->gold_mismatch += 1 + labs(r->gold_outputs - o->cycles);
    return RAD_OK;
}

static int run_harness(const char *d, int win, seu_set_result *r, rad_err *err)
{
    char log[4200], w[32];
    snprintf(log, sizeof log, "%s/run.log", d);
    snprintf(w, sizeof w, "%d", win);
    char *av[] = { "./sharness", "stim.txt", "samples.txt", w, "gold.txt", NULL };
    rad_proc_opts po = { .cwd = d, .log = log };
    int rc = rad_proc_check(av, &po, "seu --set harness", err);
    char *text = NULL;
    size_t len;
    if (rc || (rc = rad_read_all(log, &text, &len, err)))
        return rc;
    const char *p = strstr(text, "RESULT ");
    long ns = 0;
    if (!p || sscanf(p, "RESULT samples=%ld latched=%ld corrupted=%ld persistent=%ld "
                     "seconds=%lf", &ns, &r->latched, &r->corrupted, &r->persistent,
                     &r->seconds) != 5)
        rc = rad_errf(err, RAD_ETOOL, "seu set: no RESULT line in %s", log);
    /* The control pulses come last: split them off the totals. */
    long sv[3] = { 0, 0, 0 }, i = 0;
    for (const char *l = strstr(text, "S "); !rc && l; l = strstr(l + 1, "\nS ")) {
        long c, g;
        int a[3];
        if (sscanf(*l == '\n' ? l + 1 : l, "S %ld %ld %d %d %d", &c, &g, &a[0], &a[1],
                   &a[2]) == 5 && i++ >= r->samples)
            for (int b = 0; b < 3; b++)
                sv[b] += a[b];
    }
    r->ctl = i > r->samples ? i - r->samples : 0;
    r->ctl_latched = sv[0];
    r->latched -= sv[0];
    r->corrupted -= sv[1];
    r->persistent -= sv[2];
    free(text);
    return rc;
}

/* See seu_set.h.  Contract: r is zeroed first; every file goes to
** <dir>/set-<prot>/; Yosys and Verilator rerun only when their inputs
** changed; RAD_OK with r filled, or the reason in err. */
int seu_set_run(const mdl_model *m, const seu_set_opts *o, seu_set_result *r, rad_err *err)
{
    memset(r, 0, sizeof *r);
    if (o->prot == SEU_PROT_SEL)
        return rad_errf(err, RAD_EUSAGE, "seu --set takes none, tmr, secded or full-tmr, "
                        "not %s", seu_prot_name(o->prot));
    set_traffic x;
    seu_set_net n;
    memset(&n, 0, sizeof n);
    char d[4096], path[4200];
    int latency = 0, changed = 0, rc = traffic_init(&x, m, o->traffic, err);
    if (rc)
        return rc;
    snprintf(d, sizeof d, "%s/set-%s%s%s", o->dir, seu_prot_name(o->prot),
             o->module ? "-" : "", o->module ? o->module : "");
    double t0 = now();
    int none = 0;
    if (!(rc = rad_mkdirs(d, err)) && !(rc = write_design(m, o, d, &latency, &changed, err))
        && !o->module)
        rc = synth(o, d, changed, err);
    r->latency = latency;
    r->window = latency + 2;
    if (!rc)
        rc = sources(o, d, changed, &n, r, &changed, &none, err);
    r->synth_seconds = now() - t0;
    if (rc || none) {
        free(x.gold);
        return rc;
    }
    t0 = now();
    snprintf(path, sizeof path, "%s/sharness", d);
    struct stat st;
    if (!rc && (changed || stat(path, &st) != 0))
        rc = build(d, changed & 1, err);
    r->build_seconds = now() - t0;
    long first = 0, nc = 0;
    r->samples = o->samples;
    r->gates = n.n_gates;
    r->ffs = n.n_ff;
    snprintf(path, sizeof path, "%s/stim.txt", d);
    if (!rc)
        rc = write_stim(m, &n, &x, o, r->window, path, &first, &nc, err);
    snprintf(path, sizeof path, "%s/samples.txt", d);
    if (!rc)
        rc = write_samples(&n, o, first, path, err);
    if (!rc)
        rc = run_harness(d, r->window, r, err);
    snprintf(path, sizeof path, "%s/gold.txt", d);
    if (!rc)
        rc = check_gold(m, &n, &x, o, path, r, err);
    seu_set_net_free(&n);
    free(x.gold);
    return rc;
}

/* See seu_set.h. */
int seu_set_modules(const mdl_model *m, const seu_set_opts *o, char ***names, int *n,
                    rad_err *err)
{
    char d[4200], path[4300];
    int latency, changed;
    snprintf(d, sizeof d, "%s/set-%s-design", o->dir, seu_prot_name(o->prot));
    int rc = rad_mkdirs(d, err);
    if (!rc)
        rc = write_design(m, o, d, &latency, &changed, err);
    snprintf(path, sizeof path, "%s/design.v", d);
    return rc ? rc : seu_set_mod_list(path, o->top, names, n, err);
}
