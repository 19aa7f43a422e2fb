/*
** cmd_submit.c — `rad4ml submit`: runs the N shards of a sharded job on an
** existing engine, then `rad4ml merge`.
**
**   --local P   here, P shards at a time (common/rad_proc; each shard's
**               exit status and log kept; failed shards reported by id with
**               the command that reruns one alone; no merge unless all ran)
**   --slurm     writes a job-array script (one task per shard) and a merge
**               job depending on it (afterok, cancelled if a shard fails)
**               and submits both with sbatch; --wait blocks until the merge
**               has run
**
** The job is any rad4ml command that takes --shard: fleet train, fleet
** verify, seu --json.  Scripts and logs go to --dir (default
** <output>.shards/).  --dry-run writes the scripts only.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "fleet/flt_part.h"
#include "tools/cli.h"
#include "tools/cmd.h"

typedef struct {
    size_t shards;
    int    local_p, slurm, dry, wait;
    const char *dir, *sbatch_opts;
    int    jargc;                 /* the job: rad4ml <jargv...>          */
    char **jargv;
    char   exe[2048], output[4096], dirbuf[4200], job[16384];
} sub_args;

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml submit --shards N (--local P | --slurm) [options] -- JOB...\n"
"Runs `rad4ml JOB... --shard i/N` for i = 0..N-1 on an engine, then merges.\n"
"JOB is one of: fleet train ..., fleet verify ..., seu --json FILE ...\n\n"
"  --shards N         number of shards\n"
"  --local P          run here, P at a time\n"
"  --slurm            sbatch a job array + a dependent merge job\n"
"  --wait             --slurm: wait for the merge job (sbatch --wait)\n"
"  --sbatch-opts S    extra #SBATCH line content, e.g. '--partition=debug'\n"
"  --dir DIR          scripts, logs and exit codes (default OUTPUT.shards)\n"
"  --dry-run          write the scripts, run nothing\n");
}

/* The whole output of the job (what merge writes), from its options. */
static int job_output(sub_args *s, rad_err *err)
{
    const char *out = NULL, *json = NULL, *step = NULL;
    for (int i = 0; i < s->jargc; i++) {
        const char *a = s->jargv[i], *v = i + 1 < s->jargc ? s->jargv[i + 1] : NULL;
        if (!strcmp(a, "--shard"))
            return rad_errf(err, RAD_EUSAGE, "submit: the job must not carry --shard");
        if (!strcmp(a, "--out") && v)
            out = v;
        if (!strcmp(a, "--json") && v)
            json = v;
        if (!strcmp(a, "train") || !strcmp(a, "verify"))
            step = a;
    }
    if (!strcmp(s->jargv[0], "seu") && json)
        snprintf(s->output, sizeof s->output, "%s", json);
    else if (!strcmp(s->jargv[0], "fleet") && out && step)
        snprintf(s->output, sizeof s->output, "%s/%s.csv", out, step);
    else
        return rad_errf(err, RAD_EUSAGE, "submit: the job must be `fleet train|verify --out "
                        "DIR ...` or `seu --json FILE ...`");
    return RAD_OK;
}

/* The job as one shell-quoted command line (without --shard). */
static void job_line(sub_args *s)
{
    size_t k = (size_t)snprintf(s->job, sizeof s->job, "'%s'", s->exe);
    for (int i = 0; i < s->jargc && k < sizeof s->job; i++) {
        k += (size_t)snprintf(s->job + k, sizeof s->job - k, " '");
        for (const char *p = s->jargv[i]; *p && k < sizeof s->job - 8; p++)
            k += (size_t)(*p == '\'' ? snprintf(s->job + k, sizeof s->job - k, "'\\''")
                                     : snprintf(s->job + k, sizeof s->job - k, "%c", *p));
        k += (size_t)snprintf(s->job + k, sizeof s->job - k, "'");
    }
}

static int parse(int argc, char **argv, sub_args *s)
{
    static const struct option opts[] = {
        { "shards", 1, 0, 'n' }, { "local", 1, 0, 'l' }, { "slurm", 0, 0, 's' },
        { "wait", 0, 0, 'w' }, { "sbatch-opts", 1, 0, 'o' }, { "dir", 1, 0, 'd' },
        { "dry-run", 0, 0, 'D' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
    memset(s, 0, sizeof *s);
    int c, rc = 0;
    rad_err err = { 0 };
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': rc = rad_cli_size("--shards", optarg, 1, FLT_MAX_SHARDS, &s->shards, &err); break;
        case 'l': rc = rad_cli_int("--local", optarg, 1, 1024, &s->local_p, &err); break;
        case 's': s->slurm = 1; break;
        case 'w': s->wait = 1; break;
        case 'o': s->sbatch_opts = optarg; break;
        case 'd': s->dir = optarg; break;
        case 'D': s->dry = 1; break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return 2;
        }
    }
    if (rc)
        return cli_usage_error("submit", &err);
    s->jargc = argc - optind;
    s->jargv = argv + optind;
    if (!s->shards || !s->jargc || (s->slurm == 0) == (s->local_p == 0)) {
        fprintf(stderr, "rad4ml submit: give --shards N, one of --local P / --slurm, and "
                "the job after -- (see --help)\n");
        return 2;
    }
    return 0;
}

static int write_text(const char *path, const char *text, rad_err *err)
{
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    fputs(text, f.fp);
    rc = rad_file_commit(&f, err);
    if (!rc && chmod(path, 0755))
        rc = rad_errf(err, RAD_EIO, "%s: cannot make it executable", path);
    return rc;
}

/* "<exe> merge '<output>.part-0-of-N' ..." */
static int merge_line(const sub_args *s, char **out, rad_err *err)
{
    size_t len = strlen(s->exe) + 64 + s->shards * (strlen(s->output) + 48);
    char *m = malloc(len);
    if (!m)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    size_t k = (size_t)snprintf(m, len, "'%s' merge", s->exe);
    for (size_t i = 0; i < s->shards; i++)
        k += (size_t)snprintf(m + k, len - k, " '%s.part-%zu-of-%zu'", s->output, i, s->shards);
    *out = m;
    return RAD_OK;
}

/* The same merge as an argv (for running it here). */
static void merge_argv(const sub_args *s, rad_argv *av)
{
    rad_argv_reset(av);
    rad_argv_add(av, s->exe);
    rad_argv_add(av, "merge");
    for (size_t i = 0; i < s->shards; i++)
        rad_argv_addf(av, "%s.part-%zu-of-%zu", s->output, i, s->shards);
}

/* Runs run_shard.sh 0..N-1, at most local_p at a time; 0, or the number
** of shards that could not be started. */
static size_t run_shards(const sub_args *s, const char *script)
{
    rad_proc run[1024];
    int nr = 0;
    size_t next = 0, bad = 0;
    while (next < s->shards || nr > 0) {
        while (next < s->shards && nr < s->local_p) {
            char id[32];
            snprintf(id, sizeof id, "%zu", next++);
            char *argv[] = { (char *)script, id, NULL };
            rad_err e = { 0 };
            if (rad_proc_start(argv, NULL, &run[nr], &e)) {
                fprintf(stderr, "submit: %s\n", e.msg);
                bad++;
            } else
                nr++;
        }
        int st, done = 0;
        for (int r = 0; r < nr; r++)
            if (rad_proc_poll(&run[r], &st)) {
                run[r--] = run[--nr];
                done = 1;
            }
        if (!done && nr > 0) {
            struct timespec ts = { 0, 50 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
    }
    return bad;
}

/* Removes what an earlier run of the same job left (exit codes, partials,
** the merged output), so that nothing stale is taken for this run's. */
static void clear_stale(const sub_args *s)
{
    char path[4400];
    for (size_t i = 0; i < s->shards; i++) {
        snprintf(path, sizeof path, "%s/shard-%zu.rc", s->dir, i);
        unlink(path);
        snprintf(path, sizeof path, "%s.part-%zu-of-%zu", s->output, i, s->shards);
        unlink(path);
    }
    unlink(s->output);
}

/* Local engine: run_shard.sh i -> shard-i.log, shard-i.rc; P at a time. */
static int run_local(sub_args *s, const char *merge, rad_err *err)
{
    char path[4400], *script = malloc(sizeof s->job + 8192);
    if (!script)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    snprintf(script, sizeof s->job + 8192,
             "#!/bin/sh\n# shard $1 of %zu (written by rad4ml submit --local)\n"
             "%s --shard \"$1/%zu\" > '%s/shard-'\"$1\"'.log' 2>&1\n"
             "rc=$?; echo $rc > '%s/shard-'\"$1\"'.rc'; exit $rc\n",
             s->shards, s->job, s->shards, s->dir, s->dir);
    snprintf(path, sizeof path, "%s/run_shard.sh", s->dir);
    int rc = write_text(path, script, err);
    free(script);
    if (rc || s->dry)
        return rc;
    printf("submit: %zu shards, %d at a time: %s 0 .. %s %zu\n", s->shards, s->local_p, path,
           path, s->shards - 1);
    size_t st = run_shards(s, path), failed = 0;
    for (size_t i = 0; i < s->shards; i++) {
        char rcf[4400], buf[32] = "";
        snprintf(rcf, sizeof rcf, "%s/shard-%zu.rc", s->dir, i);
        FILE *f = fopen(rcf, "r");
        if (!f || !fgets(buf, sizeof buf, f) || atoi(buf) != 0) {
            failed++;
            fprintf(stderr, "submit: shard %zu/%zu FAILED (exit %s, log %s/shard-%zu.log); "
                    "rerun it alone: %s --shard %zu/%zu\n", i, s->shards,
                    *buf ? strtok(buf, "\n") : "none", s->dir, i, s->job, i, s->shards);
        }
        if (f)
            fclose(f);
    }
    if (failed || st)
        return rad_errf(err, RAD_ETOOL, "submit: %zu of %zu shards failed; not merged (rerun "
                        "them, then: %s)", failed, s->shards, merge);
    rad_argv *av = malloc(sizeof *av);
    if (!av)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    merge_argv(s, av);
    int mst;
    rc = rad_proc_run(av->v, NULL, &mst, err);
    free(av);
    return rc ? rc : mst == 0 ? RAD_OK : rad_errf(err, RAD_ETOOL, "submit: merge failed");
}

/* After a failed run: every shard without its partial result, by id, with
** its log and the command that reruns it alone; returns the count. */
static size_t report_missing(const sub_args *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->shards; i++) {
        char part[4400];
        snprintf(part, sizeof part, "%s.part-%zu-of-%zu", s->output, i, s->shards);
        if (access(part, R_OK) == 0)
            continue;
        n++;
        fprintf(stderr, "submit: shard %zu/%zu FAILED (no %s; log %s/shard-%zu.log); rerun it "
                "alone: %s --shard %zu/%zu\n", i, s->shards, part, s->dir, i, s->job, i,
                s->shards);
    }
    return n;
}

/* Slurm engine: array script + merge script, sbatch both. */
static int run_slurm(sub_args *s, const char *merge, rad_err *err)
{
    char path[4400], mpath[4400], cwd[4096], *t = malloc(2 * sizeof s->job + 16384);
    if (!t || !getcwd(cwd, sizeof cwd)) {
        free(t);
        return rad_errf(err, RAD_EIO, "submit: out of memory or no working directory");
    }
    size_t tl = 2 * sizeof s->job + 16384;
    const char *xo = s->sbatch_opts ? s->sbatch_opts : "";
    snprintf(t, tl, "#!/bin/bash\n#SBATCH --job-name=rad4ml-shards\n#SBATCH --array=0-%zu\n"
             "#SBATCH --output=%s/shard-%%a.log\n#SBATCH --chdir=%s\n%s%s%s"
             "%s --shard \"${SLURM_ARRAY_TASK_ID}/%zu\"\n", s->shards - 1, s->dir, cwd,
             *xo ? "#SBATCH " : "", xo, *xo ? "\n" : "", s->job, s->shards);
    snprintf(path, sizeof path, "%s/array.sbatch", s->dir);
    int rc = write_text(path, t, err);
    snprintf(t, tl, "#!/bin/bash\n#SBATCH --job-name=rad4ml-merge\n#SBATCH --output=%s/merge.log\n"
             "#SBATCH --chdir=%s\n%s%s%s%s\n", s->dir, cwd, *xo ? "#SBATCH " : "", xo,
             *xo ? "\n" : "", merge);
    snprintf(mpath, sizeof mpath, "%s/merge.sbatch", s->dir);
    if (!rc)
        rc = write_text(mpath, t, err);
    free(t);
    if (rc || s->dry)
        return rc;
    char id[64] = "", dep[96];
    char *sb[] = { "sbatch", "--parsable", path, NULL };
    if (rad_proc_first_line(sb, id, sizeof id, NULL) || atol(id) <= 0)
        return rad_errf(err, RAD_ETOOL, "submit: `sbatch --parsable %s` failed", path);
    id[strcspn(id, ";\n")] = 0;
    printf("submit: job array %s (%zu shards, logs %s/shard-<i>.log)\n", id, s->shards, s->dir);
    snprintf(dep, sizeof dep, "--dependency=afterok:%s", id);
    char *mb[] = { "sbatch", "--parsable", "--kill-on-invalid-dep=yes", dep, mpath, NULL, NULL };
    if (s->wait) {                       /* "--wait" before the script */
        mb[5] = mpath;
        mb[4] = "--wait";
    }
    printf("submit: merge job after it: sbatch --parsable%s --kill-on-invalid-dep=yes %s %s\n",
           s->wait ? " --wait" : "", dep, mpath);
    int st;
    if (rad_proc_run(mb, NULL, &st, NULL))
        st = -1;
    /* sbatch --wait returns 0 for a merge job cancelled by its dependency:
    ** judge by the files (clear_stale removed the old ones before) */
    size_t n = s->wait ? report_missing(s) : 0;
    if (s->wait && (n || st != 0 || access(s->output, R_OK) != 0))
        return rad_errf(err, RAD_ETOOL, "submit: %zu of %zu array tasks of job %s failed, the "
                        "merge job did not run or failed (see %s/merge.log; rerun the tasks, "
                        "then: %s)", n, s->shards, id, s->dir, merge);
    if (st != 0)
        return rad_errf(err, RAD_ETOOL, "submit: the merge job was not accepted (array job %s "
                        "runs; `rad4ml merge` by hand when it is done)", id);
    return RAD_OK;
}

int cmd_submit(int argc, char **argv)
{
    sub_args s;
    int rc = parse(argc, argv, &s);
    if (rc)
        return rc < 0 ? 0 : rc;
    setvbuf(stdout, NULL, _IOLBF, 0);
    rad_err err = { 0, "" };
    if (rad_exe_path(s.exe, sizeof s.exe, &err)) {
        fprintf(stderr, "rad4ml submit: %s\n", err.msg);
        return 1;
    }
    char *merge = NULL;
    rc = job_output(&s, &err);
    if (!rc) {
        if (!s.dir) {
            snprintf(s.dirbuf, sizeof s.dirbuf, "%s.shards", s.output);
            s.dir = s.dirbuf;
        }
        job_line(&s);
        rc = rad_mkdirs(s.dir, &err);
    }
    if (!rc)
        rc = merge_line(&s, &merge, &err);
    if (!rc && !s.dry)
        clear_stale(&s);
    if (!rc)
        rc = s.slurm ? run_slurm(&s, merge, &err) : run_local(&s, merge, &err);
    if (!rc && s.dry)
        printf("submit: scripts in %s (dry run, nothing started)\n", s.dir);
    if (rc)
        fprintf(stderr, "rad4ml %s\n", err.msg);
    free(merge);
    return rc ? 1 : 0;
}
