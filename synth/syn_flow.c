/*
** syn_flow.c — running Yosys on a directory of Verilog, with a cache of
** netlists keyed by a hash of the RTL, the top and the flow script.
*/
#include "synth/syn_flow.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/rad_file.h"

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
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        for (int up = 0; up < 3; up++) {
            char *s = strrchr(exe, '/');
            if (!s)
                break;
            *s = '\0';
            snprintf(out, size, "%s/synth/%s", exe, name);
            if (exists(out))
                return RAD_OK;
        }
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
    *h = syn_hash(*h, data, len);
    free(data);
    return RAD_OK;
}

/* Runs argv with stdout+stderr to log; returns the exit status or -1. */
static int run_logged(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *fp = freopen(log, "w", stdout);
        if (!fp || dup2(fileno(stdout), 2) < 0)
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* Last `max` bytes of a log, for error messages. */
static void log_tail(const char *log, char *buf, size_t max)
{
    buf[0] = '\0';
    FILE *fp = fopen(log, "r");
    if (!fp)
        return;
    fseek(fp, 0, SEEK_END);
    long sz = ftell(fp);
    fseek(fp, sz > (long)max - 1 ? sz - (long)max + 1 : 0, SEEK_SET);
    size_t n = fread(buf, 1, max - 1, fp);
    buf[n] = '\0';
    fclose(fp);
}

static const char *yosys_bin(void)
{
    const char *y = getenv("RAD4ML_YOSYS");
    return y && *y ? y : "yosys";
}

int syn_yosys_version(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s -V 2>/dev/null", yosys_bin());
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    if (fgets(buf, (int)size, p))
        buf[strcspn(buf, "\n")] = '\0';
    return pclose(p) == 0 ? 0 : -1;
}

int syn_run(syn_job *j, rad_err *err)
{
    char script[4096];
    int rc = syn_find_script(j->flat ? "flow_flat.ys" : "flow_hier.ys",
                             script, sizeof script, err);
    if (rc)
        return rc;
    char **files;
    int n;
    if ((rc = syn_list_verilog(j->rtl_dir, &files, &n, err)))
        return rc;
    unsigned long long h = SYN_HASH_INIT;
    h = syn_hash(h, j->top, strlen(j->top) + 1);
    for (int i = 0; i < n && rc == RAD_OK; i++)
        rc = hash_file(files[i], &h, err);
    if (rc == RAD_OK)
        rc = hash_file(script, &h, err);
    if (rc == RAD_OK)
        rc = rad_mkdirs(j->cache_dir, err);
    j->hash = h;
    snprintf(j->netlist, sizeof j->netlist, "%s/%016llx.json", j->cache_dir, h);
    j->cached = 0;
    j->seconds = 0;
    if (rc || (!j->no_cache && exists(j->netlist))) {
        j->cached = rc == RAD_OK;
        syn_free_list(files, n);
        return rc;
    }
    /* The command: read every file, set the top, run the flow, write JSON
    ** to a temp name that is renamed only on success. */
    size_t cap = 8192;
    for (int i = 0; i < n; i++)
        cap += strlen(files[i]) + 4;
    char *cmd = malloc(cap);
    char tmp[4200], log[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", j->netlist, (long)getpid());
    snprintf(log, sizeof log, "%s/%016llx.log", j->cache_dir, h);
    if (!cmd) {
        syn_free_list(files, n);
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    size_t k = (size_t)snprintf(cmd, cap, "read_verilog -sv");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(cmd + k, cap - k, " %s", files[i]);
    snprintf(cmd + k, cap - k, "; hierarchy -check -top %s; script %s; write_json %s",
             j->top, script, tmp);
    char *argv[] = { (char *)yosys_bin(), "-q", "-p", cmd, NULL };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int st = run_logged(argv, log);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    j->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    free(cmd);
    syn_free_list(files, n);
    if (st != 0 || rename(tmp, j->netlist) != 0) {
        char tail[600];
        log_tail(log, tail, sizeof tail);
        remove(tmp);
        return rad_errf(err, RAD_ETOOL, "%s: yosys failed (exit %d, log %s): %s",
                        j->rtl_dir, st, log, tail);
    }
    return RAD_OK;
}
