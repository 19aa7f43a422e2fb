/*
** cmd_submit.c — `rad4ml submit`: runs the N shards of a sharded job on an
** existing engine, then `rad4ml merge`.
**
**   --local P   here, P shards at a time (common/rad_proc; each shard's
**               exit status and log kept; failed shards reported by id with
**               the command that reruns one alone; no merge unless all ran)
**               (--rerun LIST: only those shards, the others' results kept)
**   --slurm     writes a job-array script (one task per shard) and a merge
**               job depending on it (afterok, cancelled if a shard fails)
**               and submits both with sbatch; --wait blocks until the merge
**               has run
**   --condor    writes an HTCondor submit file (queue N), the merge's and a
**               DAG (merge after the shards), condor_submit_dag (untested
**               here: HTCondor is not packaged for this machine)
**
** The job is any rad4ml command that takes --shard: fleet train, fleet
** verify, seu --json, sim --regress --csv, synth --json, eval --sweep --json.  Scripts and logs go to --dir (default
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
    int    local_p, slurm, condor, dry, wait;
    const char *dir, *sbatch_opts, *rerun;   /* rerun: "i,j,..." (--local) */
    int    jargc;                 /* the job: rad4ml <jargv...>          */
    char **jargv;
    char   exe[2048], output[4096], dirbuf[4200], job[16384];
} sub_args;

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml submit --shards N (--local P | --slurm | --condor) [options] -- JOB...\n"
"Runs `rad4ml JOB... --shard i/N` for i = 0..N-1 on an engine, then merges.\n"
"JOB is one of: fleet train|verify --out DIR ..., seu --json FILE ...,\n"
"sim --regress K --csv FILE ..., synth --json FILE ..., eval --sweep --json FILE ...\n\n"
"  --shards N         number of shards\n"
"  --local P          run here, P at a time\n"
"  --rerun LIST       --local: run only these shards (comma list of ids, e.g. the\n"
"                     failed ones), keep the others' results, merge when all are there\n"
"  --slurm            sbatch a job array + a dependent merge job\n"
"  --condor           HTCondor: write shards.sub (queue N), merge.sub and job.dag\n"
"                     (DAGMan: the merge after every shard) and condor_submit_dag it\n"
"                     (untested here: no HTCondor on the build machine)\n"
"  --wait             --slurm: wait for the merge job (sbatch --wait)\n"
"  --sbatch-opts S    extra #SBATCH line content, e.g. '--partition=debug'\n"
"  --dir DIR          scripts, logs and exit codes (default OUTPUT.shards)\n"
"  --dry-run          write the scripts, run nothing\n");
}

/* The value of option `name` in the job, or NULL. */
static const char *job_opt(const sub_args *s, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i + 1 < s->jargc; i++)
        if (!strcmp(s->jargv[i], name))
            v = s->jargv[i + 1];
    return v;
}

/* The whole output of the job (what merge writes), from its options. */
static int job_output(sub_args *s, rad_err *err)
{
    const char *step = NULL, *cmd = s->jargv[0], *out = job_opt(s, "--out");
    const char *file = !strcmp(cmd, "sim") ? job_opt(s, "--csv") : job_opt(s, "--json");
    for (int i = 0; i < s->jargc; i++) {
        if (!strcmp(s->jargv[i], "--shard"))
            return rad_errf(err, RAD_EUSAGE, "submit: the job must not carry --shard");
        if (!strcmp(s->jargv[i], "train") || !strcmp(s->jargv[i], "verify"))
            step = s->jargv[i];
    }
    if (file && (!strcmp(cmd, "seu") || !strcmp(cmd, "sim") || !strcmp(cmd, "synth")
                 || !strcmp(cmd, "eval")))
        snprintf(s->output, sizeof s->output, "%s", file);
    else if (!strcmp(cmd, "fleet") && out && step)
        snprintf(s->output, sizeof s->output, "%s/%s.csv", out, step);
    else
        return rad_errf(err, RAD_EUSAGE, "submit: the job must be `fleet train|verify --out "
                        "DIR ...`, `seu --json FILE ...`, `sim --regress K --csv FILE ...`, "
                        "`synth --json FILE ...` or `eval --sweep --json FILE ...`");
    return RAD_OK;
}

/* --rerun "i,j,...": each id < N; sets run[i]. */
static int parse_rerun(const sub_args *s, bool *run, rad_err *err)
{
    const char *p = s->rerun;
    while (p && *p) {
        char *end;
        unsigned long long i = strtoull(p, &end, 10);
        if (end == p || (*end && *end != ',') || i >= s->shards)
            return rad_errf(err, RAD_EUSAGE, "--rerun '%s': expected shard ids 0..%zu "
                            "separated by commas", s->rerun, s->shards - 1);
        run[i] = true;
        p = *end ? end + 1 : end;
    }
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

/* Contract: the options before `--` into s, the job after it; 0, -1 after
** --help, 2 on bad usage (one engine, --rerun only with --local). */
static int parse(int argc, char **argv, sub_args *s)
{
    static const struct option opts[] = {
        { "shards", 1, 0, 'n' }, { "local", 1, 0, 'l' }, { "slurm", 0, 0, 's' },
        { "wait", 0, 0, 'w' }, { "sbatch-opts", 1, 0, 'o' }, { "dir", 1, 0, 'd' },
        { "dry-run", 0, 0, 'D' }, { "rerun", 1, 0, 'r' }, { "condor", 0, 0, 'c' },
        { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
    memset(s, 0, sizeof *s);
    int c, rc = 0;
    rad_err err = { 0 };
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': rc = rad_cli_size("--shards", optarg, 1, FLT_MAX_SHARDS, &s->shards, &err); break;
        case 'l': rc = rad_cli_int("--local", optarg, 1, 1024, &s->local_p, &err); break;
        case 's': s->slurm = 1; break;
        case 'c': s->condor = 1; break;
        case 'r': s->rerun = optarg; break;
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
    if (!s->shards || !s->jargc || (s->slurm != 0) + (s->local_p != 0) + (s->condor != 0) != 1) {
        fprintf(stderr, "rad4ml submit: give --shards N, one of --local P / --slurm / "
                "--condor, and the job after -- (see --help)\n");
        return 2;
    }
    if (s->rerun && !s->local_p) {
        fprintf(stderr, "rad4ml submit: --rerun goes with --local (Slurm: sbatch "
                "--array=<ids> array.sbatch; HTCondor: the printed command)\n");
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

/* Runs run_shard.sh i for the shards i with todo[i], at most local_p at a
** time; 0, or the number of shards that could not be started. */
static size_t run_shards(const sub_args *s, const char *script, const bool *todo)
{
    rad_proc run[1024];
    int nr = 0;
    size_t next = 0, bad = 0;
    while (next < s->shards || nr > 0) {
        while (next < s->shards && !todo[next])
            next++;
        while (next < s->shards && nr < s->local_p) {
            char id[32];
            snprintf(id, sizeof id, "%zu", next++);
            while (next < s->shards && !todo[next])
                next++;
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

/* Removes what an earlier run of the shards to run left (exit codes,
** partials) and the merged output, so that nothing stale is taken for this
** run's. */
static void clear_stale(const sub_args *s, const bool *todo)
{
    char path[4400];
    for (size_t i = 0; i < s->shards; i++) {
        if (!todo[i])
            continue;
        snprintf(path, sizeof path, "%s/shard-%zu.rc", s->dir, i);
        unlink(path);
        snprintf(path, sizeof path, "%s.part-%zu-of-%zu", s->output, i, s->shards);
        unlink(path);
    }
    unlink(s->output);
}

/* Contract: local engine: writes run_shard.sh (i -> shard-i.log,
** shard-i.rc), runs the shards with todo[i], P at a time, then judges every
** shard (this run's and, after --rerun, the earlier ones) by its exit code
** file: each failed one is named with its rerun command; merges only when
** all succeeded. */
static int run_local(sub_args *s, const char *merge, const bool *todo, rad_err *err)
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
    if (s->rerun)
        printf("submit: rerunning shard(s) %s of %zu, %d at a time: %s <i>\n", s->rerun,
               s->shards, s->local_p, path);
    else
        printf("submit: %zu shards, %d at a time: %s 0 .. %s %zu\n", s->shards, s->local_p,
               path, path, s->shards - 1);
    size_t st = run_shards(s, path, todo), failed = 0;
    char ids[512] = "";
    for (size_t i = 0; i < s->shards; i++) {
        char rcf[4400], buf[32] = "";
        snprintf(rcf, sizeof rcf, "%s/shard-%zu.rc", s->dir, i);
        FILE *f = fopen(rcf, "r");
        if (!f || !fgets(buf, sizeof buf, f) || atoi(buf) != 0) {
            size_t k = strlen(ids);
            if (k < sizeof ids - 24)
                snprintf(ids + k, sizeof ids - k, "%s%zu", failed ? "," : "", i);
            failed++;
            fprintf(stderr, "submit: shard %zu/%zu FAILED (exit %s, log %s/shard-%zu.log); "
                    "rerun it alone: %s --shard %zu/%zu\n", i, s->shards,
                    *buf ? strtok(buf, "\n") : "none", s->dir, i, s->job, i, s->shards);
        }
        if (f)
            fclose(f);
    }
    if (failed || st)
        return rad_errf(err, RAD_ETOOL, "submit: %zu of %zu shards failed (%s); not merged "
                        "(rerun them: rad4ml submit --shards %zu --local %d --rerun %s -- JOB; "
                        "or each alone, then: %s)", failed, s->shards, ids, s->shards,
                        s->local_p, ids, merge);
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

/* One word in HTCondor's "new" arguments syntax (inside the double quotes):
** plain, or in single quotes with ' and " doubled. */
static size_t condor_word(char *buf, size_t len, const char *w, bool first)
{
    bool plain = *w && !strpbrk(w, " \t'\"$");
    size_t k = (size_t)snprintf(buf, len, plain ? "%s%s" : "%s'", first ? "" : " ", w);
    for (const char *p = w; !plain && *p && k + 4 < len; p++) {
        if (*p == '\'' || *p == '"')
            buf[k++] = *p;
        buf[k++] = *p;
    }
    if (!plain && k + 2 < len)
        k += (size_t)snprintf(buf + k, len - k, "'");
    buf[k < len ? k : len - 1] = 0;
    return k;
}

/* HTCondor engine: shards.sub (queue N, $(Process) = the shard id),
** merge.sub and job.dag (the merge node after the shards node: DAGMan
** runs it only when every shard succeeded); condor_submit_dag unless
** --dry-run.  Untested here: HTCondor is not packaged for this machine. */
static int run_condor(sub_args *s, rad_err *err)
{
    size_t tl = 4 * sizeof s->job + s->shards * (strlen(s->output) + 48) + 16384, k;
    char path[4400], cwd[4096], *t = malloc(tl);
    if (!t || !getcwd(cwd, sizeof cwd)) {
        free(t);
        return rad_errf(err, RAD_EIO, "submit: out of memory or no working directory");
    }
    k = (size_t)snprintf(t, tl, "# rad4ml shards: condor_submit_dag %s/job.dag "
                         "(written by rad4ml submit --condor)\nuniverse = vanilla\n"
                         "executable = %s\narguments = \"", s->dir, s->exe);
    for (int i = 0; i < s->jargc && k < tl; i++)
        k += condor_word(t + k, tl - k, s->jargv[i], i == 0);
    snprintf(t + k, tl - k, " --shard $(Process)/%zu\"\ninitialdir = %s\n"
             "output = %s/shard-$(Process).log\nerror = %s/shard-$(Process).err\n"
             "log = %s/condor.log\nshould_transfer_files = NO\nrequest_cpus = 1\nqueue %zu\n",
             s->shards, cwd, s->dir, s->dir, s->dir, s->shards);
    snprintf(path, sizeof path, "%s/shards.sub", s->dir);
    int rc = write_text(path, t, err);
    k = (size_t)snprintf(t, tl, "# rad4ml merge (after every shard; job.dag)\nuniverse = vanilla\n"
                         "executable = %s\narguments = \"merge", s->exe);
    for (size_t i = 0; i < s->shards && k < tl; i++) {
        char part[4400];
        snprintf(part, sizeof part, "%s.part-%zu-of-%zu", s->output, i, s->shards);
        k += condor_word(t + k, tl - k, part, false);
    }
    snprintf(t + k, tl - k, "\"\ninitialdir = %s\noutput = %s/merge.log\nerror = %s/merge.log\n"
             "log = %s/condor.log\nshould_transfer_files = NO\nqueue 1\n", cwd, s->dir, s->dir,
             s->dir);
    snprintf(path, sizeof path, "%s/merge.sub", s->dir);
    if (!rc)
        rc = write_text(path, t, err);
    bool abs = s->dir[0] == '/';
    snprintf(t, tl, "# rad4ml: the shards, then the merge (condor_submit_dag this file)\n"
             "JOB shards %s%s%s/shards.sub\nJOB merge %s%s%s/merge.sub\n"
             "PARENT shards CHILD merge\n", abs ? "" : cwd, abs ? "" : "/", s->dir,
             abs ? "" : cwd, abs ? "" : "/", s->dir);
    snprintf(path, sizeof path, "%s/job.dag", s->dir);
    if (!rc)
        rc = write_text(path, t, err);
    free(t);
    if (rc || s->dry)
        return rc;
    char *argv[] = { "condor_submit_dag", path, NULL };
    int st;
    if (rad_proc_run(argv, NULL, &st, NULL) || st != 0)
        return rad_errf(err, RAD_ETOOL, "submit: `condor_submit_dag %s` failed or HTCondor is "
                        "not installed here; the files are written: submit them where "
                        "HTCondor runs", path);
    printf("submit: DAG submitted (condor_q; shard logs %s/shard-<i>.log; a failed shard: "
           "rerun it alone with the job's command and --shard <i>/%zu, then rad4ml merge)\n",
           s->dir, s->shards);
    return RAD_OK;
}

/* Contract: `rad4ml submit`: options, the job's output, the shards to run
** (--rerun or all), stale results of those removed, then the engine's run
** (local: merged only when every shard succeeded).  Exit 0, 1, 2 (usage). */
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
    bool *todo = rc ? NULL : calloc(s.shards, sizeof *todo);
    if (!rc && !todo)
        rc = rad_errf(&err, RAD_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < s.shards; i++)
        todo[i] = !s.rerun;
    if (!rc && s.rerun)
        rc = parse_rerun(&s, todo, &err);
    if (!rc && !s.dry)
        clear_stale(&s, todo);
    if (!rc)
        rc = s.slurm ? run_slurm(&s, merge, &err) : s.condor ? run_condor(&s, &err)
                     : run_local(&s, merge, todo, &err);
    free(todo);
    if (!rc && s.dry)
        printf("submit: scripts in %s (dry run, nothing started)\n", s.dir);
    if (rc)
        fprintf(stderr, "rad4ml %s\n", err.msg);
    free(merge);
    return rc ? 1 : 0;
}
