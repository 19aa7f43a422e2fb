/*
** syn_flow.c — running Yosys on a directory of Verilog, with a cache of
** netlists: per module (hierarchical flow) or per design (flat flow).
*/
#include "common/rad_hash.h"
#include "synth/syn_flow.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/rad_file.h"
#include "common/rad_proc.h"

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

int syn_find_script(const char *name, char *out, size_t size, rad_err *err)
{
    const char *env = getenv("RAD4ML_SYNTH_DIR");
    if (env) {
        snprintf(out, size, "%s/%s", env, name);
        if (exists(out))
            return RAD_OK;
    }
    /* Beside the tool: <root>/build/bin/rad4ml -> <root>/synth/. */
    char probe[512], root[4096];
    snprintf(probe, sizeof probe, "synth/%s", name);
    if (rad_exe_root(probe, root, sizeof root, NULL) == RAD_OK) {
        snprintf(out, size, "%s/%s", root, probe);
        if (exists(out))
            return RAD_OK;
    }
    snprintf(out, size, "synth/%s", name);
    if (exists(out))
        return RAD_OK;
    return rad_errf(err, RAD_EIO, "synth/%s: Yosys script not found (set "
                    "RAD4ML_SYNTH_DIR to the synth/ directory)", name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int syn_list_verilog(const char *dir, char ***files, int *n, rad_err *err)
{
    *files = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return rad_errf(err, RAD_EIO, "%s: cannot open directory: %s", dir,
                        strerror(errno));
    struct dirent *e;
    int cap = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".v") || strstr(e->d_name, "_tb"))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            char **f = realloc(*files, (size_t)cap * sizeof *f);
            if (!f)
                break;
            *files = f;
        }
        size_t sz = strlen(dir) + len + 2;
        (*files)[*n] = malloc(sz);
        if (!(*files)[*n])
            break;
        snprintf((*files)[(*n)++], sz, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (*n == 0)
        return rad_errf(err, RAD_EIO, "%s: no Verilog (.v) files", dir);
    qsort(*files, (size_t)*n, sizeof **files, cmp_str);
    return RAD_OK;
}

void syn_free_list(char **files, int n)
{
    for (int i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

static int hash_file(const char *path, unsigned long long *h, rad_err *err)
{
    char *data;
    size_t len;
    int rc = rad_read_all(path, &data, &len, err);
    if (rc)
        return rc;
    *h = rad_fnv1a(*h, data, len);
    free(data);
    return RAD_OK;
}

/* Runs argv with stdout+stderr to log; returns the exit status, or -1 when
** it could not start (the log then says why). */
static int run_logged(char *const argv[], const char *log)
{
    rad_proc_opts o = { .log = log };
    rad_err e = { 0 };
    int st;
    if (rad_proc_run(argv, &o, &st, &e) == RAD_OK)
        return st;
    FILE *fp = fopen(log, "w");
    if (fp) {
        fprintf(fp, "%s\n", e.msg);
        fclose(fp);
    }
    return -1;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static const char *yosys_bin(void)
{
    const char *y = getenv("RAD4ML_YOSYS");
    return y && *y ? y : "yosys";
}

int syn_yosys_version(char *buf, size_t size)
{
    char *argv[] = { (char *)yosys_bin(), "-V", NULL };
    int rc = rad_proc_first_line(argv, buf, size, NULL);
    if (rc || !*buf)
        snprintf(buf, size, "unknown");
    return rc ? -1 : 0;
}


/* ---- one Yosys run --------------------------------------------------------- */

/* "read_verilog -sv <files>; " + body, malloc'd. */
static char *yosys_cmd(char **files, int n, const char *body)
{
    size_t cap = strlen(body) + 32;
    for (int i = 0; i < n; i++)
        cap += strlen(files[i]) + 1;
    char *cmd = malloc(cap);
    if (!cmd)
        return NULL;
    size_t k = (size_t)snprintf(cmd, cap, "read_verilog -sv");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(cmd + k, cap - k, " %s", files[i]);
    snprintf(cmd + k, cap - k, "; %s", body);
    return cmd;
}

/* Runs Yosys on cmd, writing `out` through a temp name (write_json <tmp> is
** at the end of cmd: the caller passes tmp); renamed only on success. */
static int yosys_finish(int st, const char *tmp, const char *out, const char *log,
                        const char *what, rad_err *err)
{
    if (st == 0 && rename(tmp, out) == 0)
        return RAD_OK;
    char tail[600];
    rad_proc_tail(log, tail, sizeof tail);
    remove(tmp);
    return rad_errf(err, RAD_ETOOL, "%s: yosys failed (exit %d, log %s): %s",
                    what, st, log, tail);
}

/* The whole design in one run (flat flow, or a design the per-module flow
** cannot split). */
static int run_whole(syn_job *j, char **files, int n, const char *script, rad_err *err)
{
    snprintf(j->netlist, sizeof j->netlist, "%s/%016llx.json", j->cache_dir, j->hash);
    if (!j->no_cache && exists(j->netlist))
        return RAD_OK;
    char tmp[4200], log[4200], body[8600];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", j->netlist, (long)getpid());
    snprintf(log, sizeof log, "%s/%016llx.log", j->cache_dir, j->hash);
    snprintf(body, sizeof body, "hierarchy -check -top %s; script %s; write_json %s",
             j->top, script, tmp);
    char *cmd = yosys_cmd(files, n, body);
    if (!cmd)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    char *argv[] = { (char *)yosys_bin(), "-q", "-p", cmd, NULL };
    double t0 = now_s();
    int st = run_logged(argv, log);
    j->seconds = now_s() - t0;
    j->cached = 0;
    free(cmd);
    return yosys_finish(st, tmp, j->netlist, log, j->rtl_dir, err);
}

/* ---- per-module flow: discovery ------------------------------------------ */

/* Modules under the top with their source ranges, ports and submodule
** types: Yosys reads the design, keeps what the top uses, and drops the
** logic (proc; delete t:$*) so that write_json is quick and small. */
static int discover(syn_job *j, char **files, int n, json_t **mods_out,
                    json_t **root_out, double *secs, rad_err *err)
{
    unsigned long long h = rad_fnv1a(RAD_FNV1A_INIT, "disc-v1", 8);
    h = rad_fnv1a(h, j->top, strlen(j->top) + 1);
    for (int i = 0; i < n; i++) {
        h = rad_fnv1a(h, files[i], strlen(files[i]) + 1);
        int rc = hash_file(files[i], &h, err);
        if (rc)
            return rc;
    }
    char path[4200], tmp[4300], log[4200], body[9000];
    snprintf(path, sizeof path, "%s/disc_%016llx.json", j->cache_dir, h);
    if (!exists(path)) {
        snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
        snprintf(log, sizeof log, "%s/disc_%016llx.log", j->cache_dir, h);
        snprintf(body, sizeof body, "hierarchy -check -top %s; proc; delete t:$*; "
                 "write_json %s", j->top, tmp);
        char *cmd = yosys_cmd(files, n, body);
        if (!cmd)
            return rad_errf(err, RAD_ENOMEM, "out of memory");
        char *argv[] = { (char *)yosys_bin(), "-q", "-p", cmd, NULL };
        double t0 = now_s();
        int st = run_logged(argv, log);
        *secs += now_s() - t0;
        free(cmd);
        int rc = yosys_finish(st, tmp, path, log, j->rtl_dir, err);
        if (rc)
            return rc;
    }
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    json_t *mods = root ? json_object_get(root, "modules") : NULL;
    if (!json_is_object(mods)) {
        json_decref(root);
        return rad_errf(err, RAD_EPARSE, "%s: not a Yosys netlist", path);
    }
    *root_out = root;
    *mods_out = mods;
    return RAD_OK;
}

/* A name Yosys takes unquoted on its command line (no escaped identifiers,
** no $paramod derived modules: those designs are run whole). */
static int plain_name(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

/* A growing string (the per-module Verilog text). */
typedef struct { char *p; size_t n, cap; int oom; } sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* Appends a module's source, "file:L1.C1-L2.C2" -> lines L1..L2 of file,
** after every compiler directive line (`...) above L1 in that file (so
** `default_nettype and macros still apply).  The include directory of the
** file goes to incdir.  -1: no usable source range. */
static int module_text(const char *src, sbuf *b, char *incdir, size_t isize)
{
    const char *colon = src ? strrchr(src, ':') : NULL;
    long l1, c1, l2, c2;
    if (!colon || sscanf(colon + 1, "%ld.%ld-%ld.%ld", &l1, &c1, &l2, &c2) != 4
        || l1 < 1 || l2 < l1)
        return -1;
    char file[4096];
    snprintf(file, sizeof file, "%.*s", (int)(colon - src), src);
    snprintf(incdir, isize, "%s", file);
    char *slash = strrchr(incdir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(incdir, isize, ".");
    char *data;
    size_t len;
    if (rad_read_all(file, &data, &len, NULL))
        return -1;
    long line = 1;
    size_t a = len, e = len;
    for (size_t i = 0; i < len; i++) {
        if (i == 0 || data[i - 1] == '\n') {
            if (line == l1)
                a = i;
            size_t k = i;
            while (k < len && (data[k] == ' ' || data[k] == '\t'))
                k++;
            if (line < l1 && k < len && data[k] == '`') {
                size_t t = k;
                while (t < len && data[t] != '\n')
                    t++;
                sb_add(b, data + k, t - k);
                sb_str(b, "\n");
            }
        }
        if (data[i] == '\n' && line++ == l2) {
            e = i + 1;
            break;
        }
    }
    int rc = a < e ? 0 : -1;
    /* The range must hold the module: it starts with `module` or an attribute. */
    size_t k = a;
    while (k < e && isspace((unsigned char)data[k]))
        k++;
    if (rc == 0 && strncmp(data + k, "module", 6) && strncmp(data + k, "(*", 2))
        rc = -1;
    if (rc == 0) {
        sb_add(b, data + a, e - a);
        if (e == len && (e == a || data[e - 1] != '\n'))
            sb_str(b, "\n");
    }
    free(data);
    return rc;
}

/* Appends a black-box stub of a submodule: its ports (order, direction,
** width, signedness) as the parent sees them.  -1: a name needing escapes. */
static int stub_text(const char *name, json_t *mod, sbuf *b)
{
    char buf[SYN_NAME_MAX + 96];
    snprintf(buf, sizeof buf, "(* blackbox *)\nmodule %s (", name);
    sb_str(b, buf);
    const char *pname;
    json_t *p;
    int first = 1;
    json_object_foreach(json_object_get(mod, "ports"), pname, p) {
        const char *dir = json_string_value(json_object_get(p, "direction"));
        size_t w = json_array_size(json_object_get(p, "bits"));
        json_t *sg = json_object_get(p, "signed");
        int sig = json_is_true(sg) || (json_is_integer(sg) && json_integer_value(sg));
        if (!plain_name(pname) || strlen(pname) > SYN_NAME_MAX || !dir || w == 0)
            return -1;
        snprintf(buf, sizeof buf, "%s\n    %s wire%s [%zu:0] %s", first ? "" : ",",
                 dir, sig ? " signed" : "", w - 1, pname);
        sb_str(b, buf);
        first = 0;
    }
    sb_str(b, "\n);\nendmodule\n");
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct submodule types a module instantiates, sorted (malloc'd). */
static int children(json_t *mod, json_t *mods, const char ***out)
{
    json_t *cells = json_object_get(mod, "cells");
    size_t cap = json_object_size(cells) + 1;
    const char **c = malloc(cap * sizeof *c);
    int n = 0;
    const char *cname;
    json_t *cell;
    json_object_foreach(cells, cname, cell) {
        const char *t = json_string_value(json_object_get(cell, "type"));
        if (!c || !t || t[0] == '$' || !json_object_get(mods, t))
            continue;
        int dup = 0;
        for (int i = 0; i < n && !dup; i++)
            dup = !strcmp(c[i], t);
        if (!dup)
            c[n++] = t;
    }
    if (c)
        qsort(c, (size_t)n, sizeof *c, cmp_name);
    *out = c;
    return c ? n : -1;
}

/* What one module's Yosys run reads: its text + stubs, include directory
** and the list of stub names (deleted before the netlist is written). */
typedef struct {
    char *text;
    char  incdir[4096];
    char *kids;               /* " =a =b =c" */
} mod_plan;

static void free_plans(mod_plan *pl, int n)
{
    for (int i = 0; pl && i < n; i++) {
        free(pl[i].text);
        free(pl[i].kids);
    }
    free(pl);
}

/* Fills j->mod[] and pl[] (text, cache key); 1 = run the design whole. */
static int plan_one(syn_modjob *m, mod_plan *pl, json_t *mod, json_t *mods,
                    const char *script_text, size_t script_len)
{
    sbuf b = { 0 }, k = { 0 };
    const char *src = json_string_value(
        json_object_get(json_object_get(mod, "attributes"), "src"));
    if (module_text(src, &b, pl->incdir, sizeof pl->incdir)) {
        free(b.p);
        return 1;
    }
    const char **kids;
    int nk = children(mod, mods, &kids), rc = nk < 0 ? -1 : 0;
    sb_str(&k, "");
    for (int i = 0; i < nk && rc == 0; i++) {
        rc = stub_text(kids[i], json_object_get(mods, kids[i]), &b) ? 1 : 0;
        sb_str(&k, " =");     /* '=': a selection that includes boxes */
        sb_str(&k, kids[i]);
    }
    free(kids);
    if (rc == 0 && (b.oom || k.oom))
        rc = -1;
    pl->text = b.p;
    pl->kids = k.p;
    if (rc)
        return rc;
    m->src_bytes = (long)b.n;
    unsigned long long h = rad_fnv1a(RAD_FNV1A_INIT, "mod-v2", 7);
    h = rad_fnv1a(h, script_text, script_len);
    h = rad_fnv1a(h, m->name, strlen(m->name) + 1);
    m->hash = rad_fnv1a(h, b.p, b.n);
    return 0;
}

static int plan_modules(syn_job *j, json_t *mods, const char *script_text,
                        size_t script_len, mod_plan **plans, rad_err *err)
{
    *plans = NULL;
    size_t nm = json_object_size(mods);
    if (nm > SYN_MAX_MODS)
        return 1;
    mod_plan *pl = calloc(nm ? nm : 1, sizeof *pl);
    if (!pl)
        return rad_errf(err, RAD_ENOMEM, "out of memory") ? -1 : -1;
    j->n_mod = 0;
    const char *name;
    json_t *mod;
    int rc = 0;
    json_object_foreach(mods, name, mod) {
        if (!plain_name(name) || strlen(name) >= SYN_NAME_MAX) {
            rc = 1;
            break;
        }
        syn_modjob *m = &j->mod[j->n_mod];
        memset(m, 0, sizeof *m);
        snprintf(m->name, sizeof m->name, "%s", name);
        rc = plan_one(m, &pl[j->n_mod++], mod, mods, script_text, script_len);
        if (rc)
            break;
    }
    if (rc < 0)
        rad_errf(err, RAD_ENOMEM, "out of memory");
    if (rc) {
        free_plans(pl, j->n_mod);
        j->n_mod = 0;
        return rc;
    }
    *plans = pl;
    return 0;
}

/* ---- per-module flow: synthesis ------------------------------------------ */

static void mod_paths(const syn_job *j, const syn_modjob *m, char *net, char *tmp,
                      char *log, size_t size)
{
    syn_module_netlist(j, m, net, size);
    snprintf(tmp, size, "%s.tmp.%ld", net, (long)getpid());
    snprintf(log, size, "%s/mod_%016llx.log", j->cache_dir, m->hash);
}

/* Writes <cache>/mod_<hash>.v (what Yosys reads for the module: kept, so a
** cached netlist can be reproduced by hand) and returns the Yosys script. */
static char *mod_cmd(const syn_job *j, const syn_modjob *m, const mod_plan *pl,
                     const char *script, const char *tmp, rad_err *err)
{
    char vfile[4300];
    snprintf(vfile, sizeof vfile, "%s/mod_%016llx.v", j->cache_dir, m->hash);
    rad_file f;
    if (rad_file_open(&f, vfile, err))
        return NULL;
    fputs(pl->text, f.fp);
    if (rad_file_commit(&f, err))
        return NULL;
    size_t cap = strlen(pl->incdir) + 2 * strlen(pl->kids) + strlen(script) + strlen(tmp)
                 + strlen(vfile) + 2 * sizeof m->name + 200;
    char *cmd = malloc(cap);
    if (!cmd) {
        rad_errf(err, RAD_ENOMEM, "out of memory");
        return NULL;
    }
    int n = snprintf(cmd, cap, "read_verilog -sv -I%s %s; hierarchy -check -top %s; "
                     "script %s; ", pl->incdir, vfile, m->name, script);
    if (pl->kids[0])
        n += snprintf(cmd + n, cap - (size_t)n, "delete%s; ", pl->kids);
    snprintf(cmd + n, cap - (size_t)n, "write_json %s", tmp);
    return cmd;
}

typedef struct { rad_proc p; int mod; double t0; char *cmd; } running;

/* Yosys processes run at once at most (the job count is clamped). */
#define SYN_MAX_JOBS 16

/* Runs the modules whose netlist is missing, up to j->jobs at a time,
** largest source first (the longest runs start early). */
static int run_modules(syn_job *j, const mod_plan *pl, const char *script, rad_err *err)
{
    int todo[SYN_MAX_MODS], nt = 0;
    char net[4300], tmp[4300], log[4300];
    for (int i = 0; i < j->n_mod; i++) {
        mod_paths(j, &j->mod[i], net, tmp, log, sizeof net);
        j->mod[i].cached = !j->no_cache && exists(net);
        if (!j->mod[i].cached)
            todo[nt++] = i;
    }
    for (int a = 1; a < nt; a++)          /* insertion sort, by size desc */
        for (int b = a; b > 0 && j->mod[todo[b]].src_bytes > j->mod[todo[b - 1]].src_bytes; b--) {
            int t = todo[b]; todo[b] = todo[b - 1]; todo[b - 1] = t;
        }
    int par = j->jobs < 1 ? 1 : j->jobs > SYN_MAX_JOBS ? SYN_MAX_JOBS : j->jobs;
    running run[SYN_MAX_JOBS];
    int nr = 0, next = 0, rc = RAD_OK;
    while ((next < nt && rc == RAD_OK) || nr > 0) {
        while (rc == RAD_OK && next < nt && nr < par) {
            syn_modjob *m = &j->mod[todo[next++]];
            mod_paths(j, m, net, tmp, log, sizeof net);
            char *cmd = mod_cmd(j, m, &pl[m - j->mod], script, tmp, err);
            if (!cmd) {
                rc = err ? err->code : RAD_EIO;
                break;
            }
            char *argv[] = { (char *)yosys_bin(), "-q", "-p", cmd, NULL };
            rad_proc_opts po = { .log = log };
            rad_proc p;
            if ((rc = rad_proc_start(argv, &po, &p, err))) {
                free(cmd);
                break;
            }
            run[nr++] = (running){ p, (int)(m - j->mod), now_s(), cmd };
            j->n_run++;
        }
        if (nr == 0)
            break;
        /* Polls our own children only (the caller may have others). */
        int st = 0, done = -1;
        for (int r = 0; r < nr && done < 0; r++)
            if (rad_proc_poll(&run[r].p, &st))
                done = r;
        if (done < 0) {
            struct timespec ts = { 0, 50 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            continue;
        }
        for (int r = done; r == done; r++) {
            syn_modjob *m = &j->mod[run[r].mod];
            m->seconds = now_s() - run[r].t0;
            free(run[r].cmd);
            run[r] = run[--nr];
            mod_paths(j, m, net, tmp, log, sizeof net);
            char what[4400];
            snprintf(what, sizeof what, "%s: module %s", j->rtl_dir, m->name);
            rad_err e2;
            if (yosys_finish(st, tmp, net, log, what, &e2) && rc == RAD_OK) {
                rc = e2.code;
                if (err)
                    *err = e2;
            }
            break;
        }
    }
    return rc;
}

/* Each module's netlist was written without its submodules (they were
** stubs), so Yosys left out the port directions of their instances; they
** are put back from the submodules' ports (logic depth needs them). */
static void add_port_directions(json_t *all)
{
    const char *mname, *cname, *pname;
    json_t *mod, *cell, *port;
    json_object_foreach(all, mname, mod) {
        json_object_foreach(json_object_get(mod, "cells"), cname, cell) {
            const char *t = json_string_value(json_object_get(cell, "type"));
            json_t *sub = t ? json_object_get(all, t) : NULL;
            if (!sub || json_object_get(cell, "port_directions"))
                continue;
            json_t *dirs = json_object();
            json_object_foreach(json_object_get(sub, "ports"), pname, port)
                json_object_set(dirs, pname, json_object_get(port, "direction"));
            json_object_set_new(cell, "port_directions", dirs);
        }
    }
}

/* Writes the union of the modules' netlists: one file syn_netlist_load (and
** Yosys read_json) takes, keyed by the modules' keys. */
static int merge_modules(syn_job *j, rad_err *err)
{
    unsigned long long h = rad_fnv1a(RAD_FNV1A_INIT, "design-v2", 10);
    h = rad_fnv1a(h, j->top, strlen(j->top) + 1);
    for (int i = 0; i < j->n_mod; i++)
        h = rad_fnv1a(h, &j->mod[i].hash, sizeof j->mod[i].hash);
    snprintf(j->netlist, sizeof j->netlist, "%s/design_%016llx.json", j->cache_dir, h);
    if (exists(j->netlist) && j->n_run == 0)
        return RAD_OK;
    json_t *all = json_object();
    json_t *root = json_pack("{s:s,s:o}", "creator",
                             "rad4ml synth: per-module Yosys netlists, merged", "modules", all);
    char net[4300], tmp[4300], log[4300];
    int rc = RAD_OK;
    for (int i = 0; i < j->n_mod && rc == RAD_OK; i++) {
        mod_paths(j, &j->mod[i], net, tmp, log, sizeof net);
        json_error_t je;
        json_t *r = json_load_file(net, 0, &je);
        json_t *m = json_object_get(json_object_get(r, "modules"), j->mod[i].name);
        if (!m)
            rc = rad_errf(err, RAD_EPARSE, "%s: no module %s in the netlist", net,
                          j->mod[i].name);
        else
            json_object_set(all, j->mod[i].name, m);
        json_decref(r);
    }
    if (rc == RAD_OK)
        add_port_directions(all);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", j->netlist, (long)getpid());
    if (rc == RAD_OK && (json_dump_file(root, tmp, JSON_COMPACT) || rename(tmp, j->netlist))) {
        remove(tmp);
        rc = rad_errf(err, RAD_EIO, "%s: cannot write: %s", j->netlist, strerror(errno));
    }
    json_decref(root);
    return rc;
}

void syn_module_netlist(const syn_job *j, const syn_modjob *m, char *out, size_t size)
{
    snprintf(out, size, "%s/mod_%016llx.json", j->cache_dir, m->hash);
}

int syn_run_tool(char *const argv[], const char *log, double *secs)
{
    double t0 = now_s();
    int st = run_logged(argv, log);
    *secs += now_s() - t0;
    return st;
}

int syn_yosys_script(const char *script, const char *log, double *secs)
{
    char *argv[] = { (char *)yosys_bin(), "-q", "-s", (char *)script, NULL };
    return syn_run_tool(argv, log, secs);
}

const syn_modjob *syn_job_module(const syn_job *j, const char *name)
{
    for (int i = 0; i < j->n_mod; i++)
        if (!strcmp(j->mod[i].name, name))
            return &j->mod[i];
    return NULL;
}

/* See syn_flow.h.  Synthesizes job j: lists the RTL, runs Yosys on each
** module whose netlist is not cached (in parallel), assembles and loads
** the design netlist into j.  RAD_OK or the reason. */
int syn_run(syn_job *j, rad_err *err)
{
    char script[4096];
    int rc = syn_find_script(j->flat ? "flow_flat.ys" : j->quick ? "flow_quick.ys"
                             : "flow_hier.ys", script, sizeof script, err);
    if (rc)
        return rc;
    char **files;
    int n;
    if ((rc = syn_list_verilog(j->rtl_dir, &files, &n, err)))
        return rc;
    char *stext = NULL;
    size_t slen = 0;
    unsigned long long h = RAD_FNV1A_INIT;
    h = rad_fnv1a(h, j->top, strlen(j->top) + 1);
    for (int i = 0; i < n && rc == RAD_OK; i++)
        rc = hash_file(files[i], &h, err);
    if (rc == RAD_OK && (rc = rad_read_all(script, &stext, &slen, err)) == RAD_OK)
        h = rad_fnv1a(h, stext, slen);
    if (rc == RAD_OK)
        rc = rad_mkdirs(j->cache_dir, err);
    j->hash = h;
    j->cached = 1;
    j->seconds = 0;
    j->n_mod = j->n_run = 0;
    json_t *disc = NULL, *mods = NULL;
    mod_plan *plans = NULL;
    int whole = j->flat;
    double t0 = now_s(), disc_s = 0;
    if (rc == RAD_OK && !whole)
        rc = discover(j, files, n, &mods, &disc, &disc_s, err);
    if (rc == RAD_OK && !whole) {
        int p = plan_modules(j, mods, stext, slen, &plans, err);
        if (p < 0)
            rc = RAD_ENOMEM;
        whole = p > 0;
        if (whole)
            j->n_mod = 0;
    }
    if (rc == RAD_OK && whole) {
        rc = run_whole(j, files, n, script, err);
    } else if (rc == RAD_OK) {
        rc = run_modules(j, plans, script, err);
        if (rc == RAD_OK)
            rc = merge_modules(j, err);
        j->cached = j->n_run == 0;
        j->seconds = j->n_run ? now_s() - t0 : disc_s;
    }
    free_plans(plans, j->n_mod);
    json_decref(disc);
    free(stext);
    syn_free_list(files, n);
    return rc;
}
