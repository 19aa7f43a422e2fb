/*
** seu_rtl.c — RTL single-upset campaign: generates the (protected) register
** file, builds it with Verilator together with the harness (seu/rtl/, built
** into the library as text), runs it and reads its RESULT line.
**
** Build products are cached in <dir>/<protection>/: the Verilator model is
** rebuilt only when the generated Verilog or the harness sources changed
** (a Verilator build of the 12,864-bit file takes ~30 s on one core).
*/
#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "seu/seu_rtl.h"
#include "seu/seu_internal.h"
#include "model/model_io.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "common/rad_vl.h"

extern const unsigned char seu__src_harness[], seu__src_shim_cpp[], seu__src_shim_h[];

/* Writes text to path unless the file already holds exactly it; returns 1
** when written (a rebuild is needed), 0 when unchanged, <0 on error. */
int seu__write_if_changed(const char *path, const char *text, rad_err *err)
{
    char *old = NULL;
    size_t len = 0, n = strlen(text);
    if (rad_read_all(path, &old, &len, NULL) == RAD_OK && len == n
        && !memcmp(old, text, n)) {
        free(old);
        return 0;
    }
    free(old);
    rad_file f;
    if (rad_file_open(&f, path, err))
        return -1;
    fputs(text, f.fp);
    return rad_file_commit(&f, err) ? -1 : 1;
}

int seu__write_sources(const char *d, const char *const *names, const char *const *texts,
                       int n, unsigned *written, rad_err *err)
{
    char path[4200];
    assert(n <= 32);
    *written = 0;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", d, names[i]);
        int w = seu__write_if_changed(path, texts[i], err);
        if (w < 0)
            return err ? err->code : RAD_EIO;
        if (w > 0)
            *written |= 1u << i;
    }
    return RAD_OK;
}

int seu__write_image(const mdl_model *m, const char *path, rad_err *err)
{
    size_t bits = mdl_i2c_bits(m), nb = (bits + 31) / 32 * 4;
    uint8_t *img = calloc(nb, 1);
    if (!img)
        return rad_errf(err, RAD_ENOMEM, "seu: out of memory");
    int rc = mdl_i2c_pack(m, img, nb, err);
    rad_file f;
    if (!rc && !(rc = rad_file_open(&f, path, err))) {
        for (size_t w = 0; w < nb / 4; w++)
            fprintf(f.fp, "%08x\n", (unsigned)img[4 * w] | (unsigned)img[4 * w + 1] << 8
                    | (unsigned)img[4 * w + 2] << 16 | (unsigned)img[4 * w + 3] << 24);
        rc = rad_file_commit(&f, err);
    }
    free(img);
    return rc;
}

static int write_mask(const uint8_t *mask, size_t n, const char *path, rad_err *err)
{
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    for (size_t k = 0; k < n; k++)
        fputc(mask[k] ? '1' : '0', f.fp);
    return rad_file_commit(&f, err);
}

static int sources(const mdl_model *m, const seu_rtl_opts *o, const char *d,
                   int *changed, rad_err *err)
{
    cg_cfg_opts co;
    seu_cfg_opts(&co, m, o->top, 3, o->prot, o->sel_mask);
    char *text = NULL;
    int rc = cg_cfg_text(m, &co, &text, err);
    if (rc)
        return rc;
    const char *names[] = { "cfg.v", "seu_harness.c", "seu_shim.cpp", "seu_shim.h" };
    const char *texts[] = { text, (const char *)seu__src_harness,
                            (const char *)seu__src_shim_cpp, (const char *)seu__src_shim_h };
    unsigned written;
    rc = seu__write_sources(d, names, texts, 4, &written, err);
    *changed = written != 0;
    free(text);
    return rc;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Verilator model + runtime + shim + harness -> <d>/harness. */
static int build(const seu_rtl_opts *o, const char *d, rad_err *err)
{
    char top[300], cfg[4200], shim[4200], shim_h[4200], harness[4200], inc[4200], exe[4200],
         log[4200];
    snprintf(top, sizeof top, "%s_cfg", o->top);
    snprintf(cfg, sizeof cfg, "%s/cfg.v", d);
    snprintf(shim, sizeof shim, "%s/seu_shim.cpp", d);
    snprintf(shim_h, sizeof shim_h, "%s/seu_shim.h", d);
    snprintf(harness, sizeof harness, "%s/seu_harness.c", d);
    snprintf(inc, sizeof inc, "-I%s", d);
    snprintf(exe, sizeof exe, "%s/harness", d);
    snprintf(log, sizeof log, "%s/build.log", d);
    rad_vl_spec s = {
        .dir = d, .top = top, .prefix = "Vseu_cfg", .verilog = { cfg },
        .vflags = { "-DRAD4ML_SEU_INJECT" },
        .makeflags = "OPT_FAST=-O0 OPT_SLOW=-O0 OPT_GLOBAL=-O0",
        .shim = shim, .deps = { shim_h }, .cxxflags = { inc }, .cxx_opt = 1,
        .csrc = { harness }, .cflags = { "-O2", inc }, .exe = exe, .log = log,
    };
    return rad_vl_build(&s, err);
}

static int parse_result(const char *log, seu_rtl_result *r, rad_err *err)
{
    char *text = NULL;
    size_t len;
    if (rad_read_all(log, &text, &len, err))
        return RAD_EIO;
    const char *p = strstr(text, "RESULT ");
    int ok = p && sscanf(p, "RESULT injected=%ld masked=%ld corrected=%ld restored=%ld "
                         "corrupted=%ld exact=%ld derr=%ld fail=%ld seconds=%lf",
                         &r->injected, &r->masked, &r->corrected, &r->restored,
                         &r->corrupted, &r->exact_corrupt, &r->derr, &r->fail,
                         &r->seconds) == 9;
    free(text);
    return ok ? RAD_OK : rad_errf(err, RAD_ETOOL, "seu: no RESULT line in %s", log);
}

/* See seu_rtl.h.  RTL SEU campaign on the register file alone: generates
** it with the protection asked for, builds its Verilator harness and
** flips every stored bit, into r.  RAD_OK or the reason. */
int seu_rtl_run(const mdl_model *m, const seu_rtl_opts *o, seu_rtl_result *r,
                rad_err *err)
{
    memset(r, 0, sizeof *r);
    if (o->prot == SEU_PROT_SEL && !o->sel_mask)
        return rad_errf(err, RAD_EUSAGE, "seu: selective TMR needs a bit mask");
    cg_cfg_opts co;
    seu_cfg_opts(&co, m, o->top, 3, o->prot, o->sel_mask);
    cg_cfg_geom g;
    char d[4096], path[4200];
    int changed, rc = cg_cfg_geometry(m, &co, &g, err);
    snprintf(d, sizeof d, "%s/%s", o->dir, seu_prot_name(o->prot));
    if (rc || (rc = rad_mkdirs(d, err)) || (rc = sources(m, o, d, &changed, err)))
        return rc;
    snprintf(path, sizeof path, "%s/image.hex", d);
    if ((rc = seu__write_image(m, path, err)))
        return rc;
    if (o->prot == SEU_PROT_SEL) {
        snprintf(path, sizeof path, "%s/mask.txt", d);
        if ((rc = write_mask(o->sel_mask, g.n_img, path, err)))
            return rc;
    }
    snprintf(path, sizeof path, "%s/harness", d);
    struct stat st;
    double t0 = now();
    if ((changed || stat(path, &st) != 0) && (rc = build(o, d, err)))
        return rc;
    r->build_seconds = now() - t0;
    rad_argv *av = malloc(sizeof *av);
    if (!av)
        return rad_errf(err, RAD_ENOMEM, "seu: out of memory");
    rad_argv_reset(av);
    rad_argv_add(av, "./harness");
    rad_argv_add(av, "image.hex");
    rad_argv_addf(av, "%d", (int)o->prot);
    rad_argv_addf(av, "%zu", g.n_img);
    for (int i = 0; i < 3; i++)
        rad_argv_addf(av, "%zu", g.n_copy[i]);
    rad_argv_addf(av, "%d", g.cw);
    rad_argv_addf(av, "%d", g.data);
    rad_argv_addf(av, "%zu", o->stride ? o->stride : 1);
    rad_argv_addf(av, "%d", o->all_copies);
    if (o->prot == SEU_PROT_SEL || o->shard_n)
        rad_argv_add(av, o->prot == SEU_PROT_SEL ? "mask.txt" : "-");
    if (o->shard_n) {
        rad_argv_addf(av, "%zu", o->shard_i);
        rad_argv_addf(av, "%zu", o->shard_n);
    }
    snprintf(path, sizeof path, "%s/run.log", d);
    rad_proc_opts po = { .cwd = d, .log = path };
    int st_run;
    rc = rad_proc_run(av->v, &po, &st_run, err);
    free(av);
    if (rc)
        return rc;
    if ((rc = parse_result(path, r, err)))
        return rc;
    (void)st_run;    /* the expectations are judged by the caller */
    return RAD_OK;
}

int seu_rtl_ok(seu_prot p, const seu_rtl_result *r)
{
    if (r->fail || r->injected == 0)
        return 0;
    if (p == SEU_PROT_NONE)
        return r->exact_corrupt == r->injected;
    if (p == SEU_PROT_SEL)
        return r->masked + r->exact_corrupt == r->injected;
    return r->masked == r->injected && r->corrected == r->injected
           && r->restored == r->injected && r->derr == 0;
}

void seu_rtl_item(seu_prot p, const seu_rtl_result *r, char *buf, size_t len)
{
    snprintf(buf, len, "%s %ld %ld %ld %ld %ld %ld %ld %ld", seu_prot_name(p), r->injected,
             r->masked, r->corrected, r->restored, r->corrupted, r->exact_corrupt, r->derr,
             r->fail);
}

int seu_rtl_item_parse(const char *text, seu_prot *p, seu_rtl_result *r)
{
    char name[16];
    int used = 0;
    memset(r, 0, sizeof *r);
    if (sscanf(text, "%15s %ld %ld %ld %ld %ld %ld %ld %ld%n", name, &r->injected, &r->masked,
               &r->corrected, &r->restored, &r->corrupted, &r->exact_corrupt, &r->derr,
               &r->fail, &used) != 9 || text[used])
        return -1;
    return seu_prot_parse(name, p);
}

int seu_rtl_write_json(const char *path, const seu_prot *p, const seu_rtl_result *r,
                       size_t n, size_t stride, int all_copies, const rad_prov *prov,
                       rad_err *err)
{
    json_t *root = json_pack("{s:s,s:I,s:b}", "campaign", "seu --rtl (register file)",
                             "stride", (json_int_t)stride, "all_copies", all_copies);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}",
            "protect", seu_prot_name(p[i]), "injected", (json_int_t)r[i].injected,
            "masked", (json_int_t)r[i].masked, "corrected", (json_int_t)r[i].corrected,
            "restored", (json_int_t)r[i].restored, "corrupted", (json_int_t)r[i].corrupted,
            "exact_corrupt", (json_int_t)r[i].exact_corrupt, "derr", (json_int_t)r[i].derr,
            "fail", (json_int_t)r[i].fail, "result", seu_rtl_ok(p[i], &r[i]) ? "PASS" : "FAIL"));
    json_object_set_new(root, "protections", arr);
    json_object_set_new(root, "provenance", rad_prov_json(prov));
    int rc = rad_json_write(path, root, JSON_INDENT(2), err);
    json_decref(root);
    return rc;
}
