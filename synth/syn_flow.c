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

/* The Yosys binary of a job: its own (FPGA flows) or yosys_bin(). */
static const char *job_yosys(const syn_job *j)
{
    return j->yosys && *j->yosys ? j->yosys : yosys_bin();
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

/* The Yosys script of the whole design in one run (flat flow, or a design
** the per-module flow cannot split), writing tmp; malloc'd. */
static char *whole_cmd(const syn_job *j, char **files, int n, const char *script,
                       const char *tmp)
{
    char body[8600];
    snprintf(body, sizeof body, "hierarchy -check -top %s; script %s; write_json %s",
             j->top, script, tmp);
    return yosys_cmd(files, n, body);
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
        char *argv[] = { (char *)job_yosys(j), "-q", "-p", cmd, NULL };
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
    char  script[4096];       /* its own script (job's mod_script), or "" */
} mod_plan;

static void free_plans(mod_plan *pl, int n)
{
    for (int i = 0; pl && i < n; i++) {
        free(pl[i].text);
        free(pl[i].kids);
    }
    free(pl);
}

/* Bytes of text one multiplication (` * `) weighs in est_cost: a product of
** two words is an array multiplier, far more work for Yosys and ABC than its
** few bytes of text suggest.  With it the dense neuron (128 products, the
** longest run of the default design) starts first instead of fourth. */
#define SYN_MUL_WEIGHT 2000

/* The estimated Yosys effort of a module's text, for the pool's order
** (longest first): its size plus SYN_MUL_WEIGHT per multiplication. */
static long est_cost(const char *text, size_t n)
{
    long c = (long)n;
    for (const char *p = text; (p = strstr(p, " * ")) != NULL; p += 3)
        c += SYN_MUL_WEIGHT;
    return c;
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
    m->est_cost = est_cost(b.p, b.n);
    unsigned long long h = rad_fnv1a(RAD_FNV1A_INIT, "mod-v2", 7);
    char *own = NULL;
    size_t own_len = 0;
    if (pl->script[0] && rad_read_all(pl->script, &own, &own_len, NULL))
        return -1;
    h = own ? rad_fnv1a(h, own, own_len) : rad_fnv1a(h, script_text, script_len);
    free(own);
    h = rad_fnv1a(h, m->name, strlen(m->name) + 1);
    m->hash = rad_fnv1a(h, b.p, b.n);
    return 0;
}

/* Contract: fills j->mod[] and *plans from the discovered modules: text,
** stubs, the script (the job's, or its mod_script's for that module) and
** the cache key.  0, 1 = run the design whole (too many modules, a name it
** cannot split), -1 = error in err (out of memory, script not found). */
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
        const char *ms = j->mod_script ? j->mod_script(j->mod_ctx, name) : NULL;
        mod_plan *p = &pl[j->n_mod];
        if (ms && syn_find_script(ms, p->script, sizeof p->script, err)) {
            j->n_mod++;
            rc = -2;
            break;
        }
        rc = plan_one(m, &pl[j->n_mod++], mod, mods, script_text, script_len);
        if (rc)
            break;
    }
    if (rc == -1)
        rad_errf(err, RAD_ENOMEM, "out of memory");
    if (rc) {
        free_plans(pl, j->n_mod);
        j->n_mod = 0;
        return rc < 0 ? -1 : rc;
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

/* What syn_run_many keeps of a job between its phases. */
struct syn_prep {
    char      script[4096];
    char     *stext;          /* the script's text (part of every key) */
    size_t    slen;
    char    **files;
    int       n_files;
    json_t   *disc;           /* discovery netlist (owns the module list) */
    mod_plan *plans;          /* j->n_mod of them; NULL: run whole       */
    int       whole;
};

/* One Yosys run of the pool: a module of a job, or a whole design. */
typedef struct {
    syn_job *j;
    int      mod;             /* index in j->mod; -1: the whole design */
    long     cost;            /* est_cost: costlier runs start first   */
} syn_task;

typedef struct { rad_proc p; int task; double t0; char *cmd; } running;

static const char *job_label(const syn_job *j)
{
    return j->label ? j->label : j->rtl_dir;
}

static const char *task_name(const syn_task *t)
{
    return t->mod < 0 ? "(whole design)" : t->j->mod[t->mod].name;
}

static void task_paths(const syn_task *t, char *net, char *tmp, char *log, size_t size)
{
    const syn_job *j = t->j;
    if (t->mod >= 0) {
        mod_paths(j, &j->mod[t->mod], net, tmp, log, size);
        return;
    }
    snprintf(net, size, "%s", j->netlist);
    snprintf(tmp, size, "%s.tmp.%ld", j->netlist, (long)getpid());
    snprintf(log, size, "%s/%016llx.log", j->cache_dir, j->hash);
}

/* Starts the Yosys run of task t; 0 or an error code. */
static int task_start(const syn_task *t, int id, running *r, rad_err *err)
{
    char net[4300], tmp[4300], log[4300];
    task_paths(t, net, tmp, log, sizeof net);
    const syn_prep *p = t->j->prep;
    const mod_plan *mp = t->mod >= 0 ? &p->plans[t->mod] : NULL;
    char *cmd = mp ? mod_cmd(t->j, &t->j->mod[t->mod], mp,
                             mp->script[0] ? mp->script : p->script, tmp, err)
                            : whole_cmd(t->j, p->files, p->n_files, p->script, tmp);
    if (!cmd)
        return t->mod >= 0 && err ? err->code
                                  : rad_errf(err, RAD_ENOMEM, "out of memory");
    char *argv[] = { (char *)job_yosys(t->j), "-q", "-p", cmd, NULL };
    rad_proc_opts po = { .log = log };
    rad_proc child;
    int rc = rad_proc_start(argv, &po, &child, err);
    if (rc) {
        free(cmd);
        return rc;
    }
    *r = (running){ child, id, now_s(), cmd };
    return RAD_OK;
}

/* Books the end of a run (exit status st, secs of wall time): renames its
** netlist into the cache or returns the error with the log's tail. */
static int task_finish(const syn_task *t, int st, double secs, double cpu, rad_err *err)
{
    char net[4300], tmp[4300], log[4300], what[4400];
    task_paths(t, net, tmp, log, sizeof net);
    syn_job *j = t->j;
    j->seconds += secs;
    j->cached = 0;
    if (t->mod >= 0) {
        j->mod[t->mod].seconds = secs;
        j->mod[t->mod].cpu_seconds = cpu;
    }
    snprintf(what, sizeof what, "%s%s%s", j->rtl_dir, t->mod >= 0 ? ": module " : "",
             t->mod >= 0 ? task_name(t) : "");
    return yosys_finish(st, tmp, net, log, what, err);
}

/* Which running task ended (its index in run[]), -1 if none yet; *st gets
** its exit status (rad_proc_poll).  Polls our own children only. */
static int reap_one(running *run, int nr, int *st)
{
    for (int r = 0; r < nr; r++)
        if (rad_proc_poll(&run[r].p, st))
            return r;
    return -1;
}

/* The runs still going, one line (the heartbeat of a long pool). */
static void print_running(FILE *fp, const syn_task *task, const running *run, int nr,
                          int done, int nt)
{
    fprintf(fp, "  yosys ...   %d of %d done, running:", done, nt);
    for (int r = 0; r < nr; r++)
        fprintf(fp, " %s (%s, %.0f s)", task_name(&task[run[r].task]),
                job_label(task[run[r].task].j), now_s() - run[r].t0);
    fputc('\n', fp);
    fflush(fp);
}

/* Contract: runs the nt tasks, up to par at a time, in the order given
** (costliest first), each as its own Yosys process; prints a line per start
** and end and a heartbeat every minute without an end to fp (NULL: none).
** After the first failure no task starts; the running ones are waited for.
** Returns the first error. */
static int run_pool(syn_task *task, int nt, int par, FILE *fp, rad_err *err)
{
    par = par < 1 ? 1 : par > SYN_MAX_JOBS ? SYN_MAX_JOBS : par;
    running run[SYN_MAX_JOBS];
    int nr = 0, next = 0, done = 0, rc = RAD_OK;
    double t_start = now_s(), last_line = t_start;
    while ((next < nt && rc == RAD_OK) || nr > 0) {
        while (rc == RAD_OK && next < nt && nr < par) {
            const syn_task *t = &task[next];
            if ((rc = task_start(t, next, &run[nr], err)) != RAD_OK)
                break;
            t->j->n_run += t->mod >= 0;
            nr++, next++;
            if (fp)
                fprintf(fp, "  yosys start %-28s %-10s (%d of %d started)\n", task_name(t),
                        job_label(t->j), next, nt), fflush(fp);
        }
        if (nr == 0)
            break;
        int st = 0, r = reap_one(run, nr, &st);
        if (r < 0) {
            struct timespec ts = { 0, 50 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            if (fp && now_s() - last_line >= 60) {
                print_running(fp, task, run, nr, done, nt);
                last_line = now_s();
            }
            continue;
        }
        const syn_task *t = &task[run[r].task];
        double secs = now_s() - run[r].t0, cpu = run[r].p.cpu_s;
        free(run[r].cmd);
        run[r] = run[--nr];
        rad_err e2 = { 0 };
        int frc = task_finish(t, st, secs, cpu, &e2);
        if (frc && rc == RAD_OK) {
            rc = frc;
            if (err)
                *err = e2;
        }
        done++;
        last_line = now_s();
        if (fp)
            fprintf(fp, "  yosys %-5s %-28s %-10s %7.1f s, cpu %6.1f s (%d of %d done, "
                    "%.0f s in)\n", frc ? "FAIL" : "done", task_name(t), job_label(t->j), secs,
                    cpu, done, nt,
                    last_line - t_start), fflush(fp);
    }
    return rc;
}

/* The tasks of n prepared jobs: every module missing from the cache once
** (a module two jobs share is run for the first, and is a cache hit for
** the other), every whole design; sorted by est_cost, costliest first. */
static int collect_tasks(syn_job *const *jobs, int n, syn_task **out, int *nt, rad_err *err)
{
    int cap = 0;
    for (int k = 0; k < n; k++)
        cap += jobs[k]->prep->whole ? 1 : jobs[k]->n_mod;
    syn_task *t = calloc(cap ? (size_t)cap : 1, sizeof *t);
    if (!t)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    int m = 0;
    for (int k = 0; k < n; k++) {
        syn_job *j = jobs[k];
        if (j->prep->whole) {
            if (j->no_cache || !exists(j->netlist))
                t[m++] = (syn_task){ j, -1, LONG_MAX };
            continue;
        }
        for (int i = 0; i < j->n_mod; i++) {
            char net[4300], tmp[4300], log[4300];
            mod_paths(j, &j->mod[i], net, tmp, log, sizeof net);
            int dup = 0;
            for (int q = 0; q < m && !dup; q++)
                dup = t[q].mod >= 0 && t[q].j->mod[t[q].mod].hash == j->mod[i].hash;
            j->mod[i].cached = dup || (!j->no_cache && exists(net));
            if (!j->mod[i].cached)
                t[m++] = (syn_task){ j, i, j->mod[i].est_cost };
        }
    }
    for (int a = 1; a < m; a++)          /* insertion sort, by est_cost desc */
        for (int b = a; b > 0 && t[b].cost > t[b - 1].cost; b--) {
            syn_task x = t[b]; t[b] = t[b - 1]; t[b - 1] = x;
        }
    *out = t;
    *nt = m;
    return RAD_OK;
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
    if (rc == RAD_OK)
        rc = rad_json_write(j->netlist, root, JSON_COMPACT, err);
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

static void prep_free(syn_job *j)
{
    syn_prep *p = j->prep;
    if (!p)
        return;
    free_plans(p->plans, j->n_mod);
    json_decref(p->disc);
    free(p->stext);
    syn_free_list(p->files, p->n_files);
    free(p);
    j->prep = NULL;
}

/* Contract: the first phase of a job: finds the script, lists and hashes
** the RTL, and for the hierarchical flow discovers and plans the modules
** (j->mod[], keys); a design it cannot split, or the flat flow, is marked
** whole with j->netlist set.  Allocates j->prep (prep_free). */
static int prepare(syn_job *j, rad_err *err)
{
    syn_prep *p = calloc(1, sizeof *p);
    if (!p)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    j->prep = p;
    j->cached = 1;
    j->seconds = 0;
    j->n_mod = j->n_run = 0;
    int rc = syn_find_script(j->script ? j->script : j->flat ? "flow_flat.ys"
                             : j->quick ? "flow_quick.ys" : "flow_hier.ys", p->script, sizeof p->script, err);
    if (rc || (rc = syn_list_verilog(j->rtl_dir, &p->files, &p->n_files, err)))
        return rc;
    unsigned long long h = RAD_FNV1A_INIT;
    h = rad_fnv1a(h, j->top, strlen(j->top) + 1);
    for (int i = 0; i < p->n_files && rc == RAD_OK; i++)
        rc = hash_file(p->files[i], &h, err);
    if (rc == RAD_OK && (rc = rad_read_all(p->script, &p->stext, &p->slen, err)) == RAD_OK)
        h = rad_fnv1a(h, p->stext, p->slen);
    if (rc == RAD_OK)
        rc = rad_mkdirs(j->cache_dir, err);
    j->hash = h;
    p->whole = j->flat;
    json_t *mods = NULL;
    if (rc == RAD_OK && !p->whole)
        rc = discover(j, p->files, p->n_files, &mods, &p->disc, &j->seconds, err);
    if (rc == RAD_OK && !p->whole) {
        int w = plan_modules(j, mods, p->stext, p->slen, &p->plans, err);
        if (w < 0)
            rc = err && err->code ? err->code : RAD_ENOMEM;
        p->whole = w > 0;
    }
    if (p->whole) {
        j->n_mod = 0;
        snprintf(j->netlist, sizeof j->netlist, "%s/%016llx.json", j->cache_dir, j->hash);
    }
    return rc;
}

int syn_run_many(syn_job *const *jobs, int n, int par, FILE *progress, rad_err *err)
{
    int rc = RAD_OK, nt = 0;
    for (int k = 0; k < n; k++)
        jobs[k]->prep = NULL;
    for (int k = 0; k < n && rc == RAD_OK; k++)
        rc = prepare(jobs[k], err);
    syn_task *task = NULL;
    if (rc == RAD_OK)
        rc = collect_tasks(jobs, n, &task, &nt, err);
    if (rc == RAD_OK && nt && progress)
        fprintf(progress, "  yosys: %d run%s, %d at a time, costliest first (text + products)\n", nt,
                nt == 1 ? "" : "s", par < 1 ? 1 : par), fflush(progress);
    if (rc == RAD_OK)
        rc = run_pool(task, nt, par, progress, err);
    for (int k = 0; k < n && rc == RAD_OK; k++)
        if (!jobs[k]->prep->whole)
            rc = merge_modules(jobs[k], err);
    free(task);
    for (int k = 0; k < n; k++)
        prep_free(jobs[k]);
    return rc;
}

int syn_run(syn_job *j, rad_err *err)
{
    return syn_run_many(&j, 1, j->jobs, NULL, err);
}
