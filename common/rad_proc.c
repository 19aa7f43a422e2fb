/*
** rad_proc.c — child processes from argv arrays (see rad_proc.h).
**
** fork + execvp/execv; the child reports an exec failure by writing errno
** into a close-on-exec pipe, so the parent returns "cannot start" instead
** of a child exit status 127 that a real program could also give.
*/
#include "common/rad_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void rad_argv_reset(rad_argv *a)
{
    a->n = 0;
    a->used = 0;
    a->overflow = 0;
    a->v[0] = NULL;
}

void rad_argv_add(rad_argv *a, const char *s)
{
    if (a->overflow || a->n >= RAD_ARGV_MAX) {
        a->overflow = 1;
        a->v[0] = NULL;
        return;
    }
    a->v[a->n++] = (char *)s;
    a->v[a->n] = NULL;
}

void rad_argv_addf(rad_argv *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sizeof a->text - a->used;
    int n = vsnprintf(a->text + a->used, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        a->overflow = 1;
        a->v[0] = NULL;
        return;
    }
    rad_argv_add(a, a->text + a->used);
    a->used += (size_t)n + 1;
}

void rad_argv_list(rad_argv *a, const char *const *list, int max)
{
    for (int i = 0; i < max && list[i]; i++)
        rad_argv_add(a, list[i]);
}

/* pipe() with both ends close-on-exec (pipe2 is not POSIX). */
static int cloexec_pipe(int pfd[2])
{
    if (pipe(pfd) != 0)
        return -1;
    if (fcntl(pfd[0], F_SETFD, FD_CLOEXEC) == 0 && fcntl(pfd[1], F_SETFD, FD_CLOEXEC) == 0)
        return 0;
    close(pfd[0]);
    close(pfd[1]);
    return -1;
}

static int exit_status(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
}

static void echo_argv(char *const argv[], const rad_proc_opts *o)
{
    fprintf(stderr, "+%s%s%s", o->cwd ? " (cd " : "", o->cwd ? o->cwd : "", o->cwd ? ")" : "");
    for (int i = 0; argv[i]; i++)
        fprintf(stderr, " %s", argv[i]);
    if (o->log)
        fprintf(stderr, " >%s %s", o->append ? ">" : "", o->log);
    fputc('\n', stderr);
}

/* In the child: redirections (out_fd -> stdout, err_fd -> stderr, -1 =
** inherited), directory, priority, then exec.  Never returns; an errno goes
** to fd `report` before _exit(127). */
static void child(char *const argv[], const rad_proc_opts *o, int out_fd, int err_fd,
                  int report)
{
    int e = 0;
    if ((out_fd >= 0 && dup2(out_fd, 1) < 0) || (err_fd >= 0 && dup2(err_fd, 2) < 0))
        e = errno;
    if (!e && o->cwd && chdir(o->cwd) != 0)
        e = errno;
    if (!e && o->nice) {
        errno = 0;
        if (nice(10) == -1 && errno)
            e = errno;
    }
    if (!e) {
        if (o->path)
            execv(o->path, argv);
        else
            execvp(argv[0], argv);
        e = errno;
    }
    ssize_t w = write(report, &e, sizeof e);
    (void)w;
    _exit(127);
}

/* The fd the child's output goes to: the log, /dev/null, or -1 (inherit). */
static int open_output(const rad_proc_opts *o, rad_err *err)
{
    if (o->log) {
        int fd = open(o->log, O_WRONLY | O_CREAT | O_CLOEXEC | (o->append ? O_APPEND : O_TRUNC),
                      0644);
        if (fd < 0)
            rad_errf(err, RAD_ETOOL, "%s: cannot open the log: %s", o->log, strerror(errno));
        return fd < 0 ? -2 : fd;
    }
    if (o->quiet) {
        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            rad_errf(err, RAD_ETOOL, "/dev/null: %s", strerror(errno));
        return fd < 0 ? -2 : fd;
    }
    return -1;
}

/* Forks and execs argv with the given output fds (closed here); see child. */
static int spawn(char *const argv[], const rad_proc_opts *o, int out_fd, int err_fd,
                 rad_proc *p, rad_err *err)
{
    int pfd[2];
    p->pid = -1;
    p->cpu_s = 0;
    if (cloexec_pipe(pfd) != 0) {
        int e = errno;
        if (out_fd >= 0)
            close(out_fd);
        if (err_fd >= 0 && err_fd != out_fd)
            close(err_fd);
        return rad_errf(err, RAD_ETOOL, "%s: cannot start: pipe: %s", argv[0], strerror(e));
    }
    fflush(NULL);                 /* no buffered output printed twice */
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        child(argv, o, out_fd, err_fd, pfd[1]);
    }
    int fork_errno = errno;
    close(pfd[1]);
    if (out_fd >= 0)
        close(out_fd);
    if (err_fd >= 0 && err_fd != out_fd)
        close(err_fd);
    if (pid < 0) {
        close(pfd[0]);
        return rad_errf(err, RAD_ETOOL, "%s: cannot start: fork: %s", argv[0],
                        strerror(fork_errno));
    }
    int e = 0;
    ssize_t n;
    while ((n = read(pfd[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(pfd[0]);
    p->pid = pid;
    if (n == (ssize_t)sizeof e) {          /* exec failed: reap and report */
        rad_proc_wait(p);
        return rad_errf(err, RAD_ETOOL, "%s: cannot start: %s", o->path ? o->path : argv[0],
                        strerror(e));
    }
    return RAD_OK;
}

int rad_proc_start(char *const argv[], const rad_proc_opts *o, rad_proc *p, rad_err *err)
{
    static const rad_proc_opts none;
    if (!o)
        o = &none;
    p->pid = -1;
    if (!argv || !argv[0])
        return rad_errf(err, RAD_EUSAGE, "rad_proc: empty or too long command line");
    if (o->echo)
        echo_argv(argv, o);
    int out_fd = open_output(o, err);
    if (out_fd == -2)
        return RAD_ETOOL;
    return spawn(argv, o, out_fd, o->log ? out_fd : -1, p, err);
}

static double cpu_of(const struct rusage *ru)
{
    return (double)ru->ru_utime.tv_sec + 1e-6 * (double)ru->ru_utime.tv_usec
         + (double)ru->ru_stime.tv_sec + 1e-6 * (double)ru->ru_stime.tv_usec;
}

int rad_proc_wait(rad_proc *p)
{
    int st;
    struct rusage ru;
    if (p->pid <= 0)
        return -1;
    while (wait4(p->pid, &st, 0, &ru) < 0)
        if (errno != EINTR) {
            p->pid = -1;
            return -1;
        }
    p->pid = -1;
    p->cpu_s = cpu_of(&ru);
    return exit_status(st);
}

int rad_proc_poll(rad_proc *p, int *status)
{
    int st;
    if (p->pid <= 0) {
        *status = -1;
        return 1;
    }
    struct rusage ru;
    pid_t w = wait4(p->pid, &st, WNOHANG, &ru);
    if (w == 0 || (w < 0 && errno == EINTR))
        return 0;
    *status = w < 0 ? -1 : exit_status(st);
    p->cpu_s = w < 0 ? 0 : cpu_of(&ru);
    p->pid = -1;
    return 1;
}

int rad_proc_run(char *const argv[], const rad_proc_opts *o, int *status, rad_err *err)
{
    rad_proc p;
    int rc = rad_proc_start(argv, o, &p, err);
    *status = -1;
    if (rc)
        return rc;
    *status = rad_proc_wait(&p);
    return RAD_OK;
}

int rad_proc_check(char *const argv[], const rad_proc_opts *o, const char *what,
                   rad_err *err)
{
    int st;
    int rc = rad_proc_run(argv, o, &st, err);
    if (rc || st == 0)
        return rc;
    const char *log = o ? o->log : NULL;
    char tail[640] = "";
    if (log)
        rad_proc_tail(log, tail, sizeof tail);
    return rad_errf(err, RAD_ETOOL, "%s failed (exit %d%s%s)%s%s", what ? what : argv[0], st,
                    log ? ", log " : "", log ? log : "", *tail ? ":\n" : "", tail);
}

void rad_proc_tail(const char *log, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *fp = fopen(log, "rb");
    if (!fp || size < 2) {
        if (fp)
            fclose(fp);
        return;
    }
    long sz = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
    long from = sz > (long)size - 1 ? sz - (long)size + 1 : 0;
    size_t n = 0;
    if (sz >= 0 && fseek(fp, from, SEEK_SET) == 0)
        n = fread(buf, 1, size - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    char *nl = from > 0 ? strchr(buf, '\n') : NULL;
    if (nl)                              /* start at a whole line */
        memmove(buf, nl + 1, strlen(nl + 1) + 1);
    n = strlen(buf);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
}

int rad_proc_first_line(char *const argv[], char *buf, size_t size, rad_err *err)
{
    static const rad_proc_opts none;
    int pfd[2];
    buf[0] = '\0';
    if (!argv || !argv[0])
        return rad_errf(err, RAD_EUSAGE, "rad_proc: empty or too long command line");
    if (cloexec_pipe(pfd) != 0)
        return rad_errf(err, RAD_ETOOL, "%s: cannot start: pipe: %s", argv[0], strerror(errno));
    int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    rad_proc p;
    int rc = spawn(argv, &none, pfd[1], null_fd, &p, err);
    FILE *fp = rc ? NULL : fdopen(pfd[0], "r");
    if (fp) {
        if (size > 1 && fgets(buf, (int)size, fp))
            buf[strcspn(buf, "\n")] = '\0';
        char sink[256];
        while (fgets(sink, sizeof sink, fp))
            ;
        fclose(fp);
    } else
        close(pfd[0]);
    if (rc)
        return rc;
    int st = rad_proc_wait(&p);
    return st == 0 ? RAD_OK : rad_errf(err, RAD_ETOOL, "%s exited with status %d", argv[0], st);
}

static int holds(const char *dir, const char *probe, char *buf, size_t size)
{
    char path[PATH_MAX + 256];
    int n = snprintf(path, sizeof path, "%s/%s", dir, probe);
    if (n < 0 || (size_t)n >= sizeof path || access(path, R_OK) != 0)
        return 0;
    n = snprintf(buf, size, "%s", dir);
    return n >= 0 && (size_t)n < size;
}

int rad_exe_path(char *buf, size_t size, rad_err *err)
{
    ssize_t n = size > 1 ? readlink("/proc/self/exe", buf, size - 1) : -1;
    if (n <= 0 || (size_t)n >= size - 1)
        return rad_errf(err, RAD_EIO, "cannot find the running executable (/proc/self/exe)");
    buf[n] = '\0';
    return RAD_OK;
}

int rad_exe_root(const char *probe, char *buf, size_t size, rad_err *err)
{
    const char *env = getenv("RAD4ML_ROOT");
    if (env && *env) {
        if (holds(env, probe, buf, size))
            return RAD_OK;
        return rad_errf(err, RAD_EIO, "%s/%s: not found (RAD4ML_ROOT is set)", env, probe);
    }
    char exe[PATH_MAX];
    if (rad_exe_path(exe, sizeof exe, NULL) == RAD_OK) {
        for (int up = 0; up < 3; up++) {   /* <root>/build/bin/rad4ml */
            char *s = strrchr(exe, '/');
            if (!s)
                break;
            *s = '\0';
            if (holds(*exe ? exe : "/", probe, buf, size))
                return RAD_OK;
        }
    }
    if (holds(".", probe, buf, size))
        return RAD_OK;
    return rad_errf(err, RAD_EIO, "%s: not found beside the rad4ml executable nor in the "
                    "current directory (set RAD4ML_ROOT to the rad4ml source tree)", probe);
}
