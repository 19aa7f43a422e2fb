/*
** rad_vl.c — building a Verilator harness (see rad_vl.h).
*/
#include "common/rad_vl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/rad_proc.h"

#define LIST(a, l) rad_argv_list((a), (l), RAD_VL_MAX_ARGS)

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* 1 when `out` exists and is not older than any of the NULL-ended inputs. */
static int up_to_date(const char *out, const char *const *in, int n_in)
{
    struct stat so, si;
    if (stat(out, &so) != 0)
        return 0;
    for (int i = 0; i < n_in; i++) {
        if (!in[i])
            continue;
        if (stat(in[i], &si) != 0)
            return 0;
        if (si.st_mtim.tv_sec > so.st_mtim.tv_sec
            || (si.st_mtim.tv_sec == so.st_mtim.tv_sec && si.st_mtim.tv_nsec > so.st_mtim.tv_nsec))
            return 0;
    }
    return 1;
}

/* Runs one step, its output appended to the build log. */
static int step(const rad_vl_spec *s, rad_argv *a, const char *what, rad_err *err)
{
    rad_proc_opts o = { .log = s->log, .append = true, .nice = true, .echo = s->verbose };
    return rad_proc_check(a->v, &o, what, err);
}

int rad_vl_include(char *buf, size_t size, rad_err *err)
{
    char root[4096];
    char *argv[] = { "verilator", "--getenv", "VERILATOR_ROOT", NULL };
    int rc = rad_proc_first_line(argv, root, sizeof root, err);
    if (rc)
        return rc;
    if (!*root)
        return rad_errf(err, RAD_ETOOL, "verilator --getenv VERILATOR_ROOT printed nothing");
    int n = snprintf(buf, size, "%s/include", root);
    if (n < 0 || (size_t)n >= size)
        return rad_errf(err, RAD_EUSAGE, "Verilator include path too long");
    return RAD_OK;
}

/* Step 1: the Verilated model archive. */
static int build_model(const rad_vl_spec *s, const char *prefix, const char *archive,
                       rad_argv *a, rad_err *err)
{
    if (s->reuse_model && exists(archive))
        return RAD_OK;
    char mdir[4200];
    snprintf(mdir, sizeof mdir, "%s/obj", s->dir);
    char *rm[] = { "rm", "-rf", mdir, NULL };
    int rc = rad_proc_check(rm, NULL, "rm -rf (old Verilator model)", err);
    rad_argv_reset(a);
    rad_argv_add(a, "verilator");
    rad_argv_add(a, "--cc");
    rad_argv_add(a, "--build");
    rad_argv_add(a, "-j");
    rad_argv_add(a, "2");
    LIST(a, s->vflags);
    if (s->vpi) {
        rad_argv_add(a, "--vpi");
        rad_argv_add(a, "--public-flat-rw");
    }
    rad_argv_add(a, "--top-module");
    rad_argv_add(a, s->top);
    rad_argv_add(a, "--prefix");
    rad_argv_add(a, prefix);
    rad_argv_add(a, "--Mdir");
    rad_argv_add(a, mdir);
    if (s->makeflags) {
        rad_argv_add(a, "-MAKEFLAGS");
        rad_argv_add(a, s->makeflags);
    }
    LIST(a, s->verilog);
    return rc ? rc : step(s, a, "Verilator (model)", err);
}

/* Step 2: the Verilator runtime, once per build directory. */
static int build_runtime(const rad_vl_spec *s, const char *inc, rad_argv *a, rad_err *err)
{
    static const char *const parts[] = { "verilated", "verilated_threads", "verilated_vpi" };
    for (int i = 0; i < (s->vpi ? 3 : 2); i++) {
        char obj[4200], tmp[4300];
        snprintf(obj, sizeof obj, "%s/vl_rt_%s.o", s->dir, parts[i]);
        if (exists(obj))
            continue;
        snprintf(tmp, sizeof tmp, "%s.tmp", obj);
        rad_argv_reset(a);
        rad_argv_add(a, "g++");
        rad_argv_add(a, "-std=c++14");
        rad_argv_addf(a, "-O%d", s->cxx_opt);
        rad_argv_addf(a, "-I%s", inc);
        rad_argv_addf(a, "-I%s/vltstd", inc);
        if (i == 2)     /* vpi_get_value of registers up to 65,536 bits (default 2,048) */
            rad_argv_add(a, "-DVL_VALUE_STRING_MAX_WORDS=2048");
        rad_argv_add(a, "-c");
        rad_argv_addf(a, "%s/%s.cpp", inc, parts[i]);
        rad_argv_add(a, "-o");
        rad_argv_add(a, tmp);
        int rc = step(s, a, "g++ (Verilator runtime)", err);
        if (rc)
            return rc;
        if (rename(tmp, obj) != 0)
            return rad_errf(err, RAD_EIO, "%s: cannot rename into place", tmp);
    }
    return RAD_OK;
}

/* Step 3: the C++ shim against the model's header. */
static int build_shim(const rad_vl_spec *s, const char *inc, const char *archive,
                      const char *shim_o, rad_argv *a, rad_err *err)
{
    const char *in[RAD_VL_MAX_ARGS + 2] = { s->shim, archive };
    int n_in = 2;
    for (int i = 0; i < RAD_VL_MAX_ARGS && s->deps[i]; i++)
        in[n_in++] = s->deps[i];
    if (up_to_date(shim_o, in, n_in))
        return RAD_OK;
    rad_argv_reset(a);
    rad_argv_add(a, "g++");
    rad_argv_add(a, "-std=c++14");
    rad_argv_addf(a, "-O%d", s->cxx_opt);
    rad_argv_addf(a, "-I%s", inc);
    rad_argv_addf(a, "-I%s/vltstd", inc);
    rad_argv_addf(a, "-I%s/obj", s->dir);
    LIST(a, s->cxxflags);
    rad_argv_add(a, "-c");
    rad_argv_add(a, s->shim);
    rad_argv_add(a, "-o");
    rad_argv_add(a, shim_o);
    return step(s, a, "g++ (Verilator shim)", err);
}

/* Step 4: the C harness and the link. */
static int build_exe(const rad_vl_spec *s, const char *archive, const char *shim_o,
                     rad_argv *a, rad_err *err)
{
    char objs[RAD_VL_MAX_ARGS][4200];
    int n = 0, rc = RAD_OK;
    for (; n < RAD_VL_MAX_ARGS && s->csrc[n] && !rc; n++) {
        const char *base = strrchr(s->csrc[n], '/');
        base = base ? base + 1 : s->csrc[n];
        snprintf(objs[n], sizeof objs[n], "%s/%.*s.o", s->dir,
                 (int)strcspn(base, "."), base);
        rad_argv_reset(a);
        rad_argv_add(a, "cc");
        rad_argv_add(a, "-std=c11");
        LIST(a, s->cflags);
        rad_argv_add(a, "-c");
        rad_argv_add(a, s->csrc[n]);
        rad_argv_add(a, "-o");
        rad_argv_add(a, objs[n]);
        rc = step(s, a, "cc (harness)", err);
    }
    if (rc)
        return rc;
    rad_argv_reset(a);
    rad_argv_add(a, "g++");
    rad_argv_add(a, "-o");
    rad_argv_add(a, s->exe);
    for (int i = 0; i < n; i++)
        rad_argv_add(a, objs[i]);
    rad_argv_add(a, shim_o);
    rad_argv_add(a, archive);
    rad_argv_addf(a, "%s/vl_rt_verilated.o", s->dir);
    rad_argv_addf(a, "%s/vl_rt_verilated_threads.o", s->dir);
    if (s->vpi)
        rad_argv_addf(a, "%s/vl_rt_verilated_vpi.o", s->dir);
    LIST(a, s->libs);
    rad_argv_add(a, "-pthread");
    return step(s, a, "link (harness)", err);
}

int rad_vl_build(const rad_vl_spec *s, rad_err *err)
{
    char inc[4200], prefix[256], archive[4400], shim_o[4200];
    int rc = rad_vl_include(inc, sizeof inc, err);
    if (rc)
        return rc;
    snprintf(prefix, sizeof prefix, "%s%s", s->prefix ? "" : "V", s->prefix ? s->prefix : s->top);
    snprintf(archive, sizeof archive, "%s/obj/%s__ALL.a", s->dir, prefix);
    snprintf(shim_o, sizeof shim_o, "%s/vl_shim.o", s->dir);
    FILE *fp = fopen(s->log, "w");       /* a fresh log per build */
    if (!fp)
        return rad_errf(err, RAD_EIO, "%s: cannot write the build log", s->log);
    fclose(fp);
    remove(s->exe);
    rad_argv *a = calloc(1, sizeof *a);
    if (!a)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!(rc = build_model(s, prefix, archive, a, err))
        && !(rc = build_runtime(s, inc, a, err))
        && !(rc = build_shim(s, inc, archive, shim_o, a, err)))
        rc = build_exe(s, archive, shim_o, a, err);
    free(a);
    return rc;
}
