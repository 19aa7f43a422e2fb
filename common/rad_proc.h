/*
** rad_proc.h — the one way rad4ml starts other programs.
**
** Every external tool (verilator, g++, cc, iverilog, vvp, yosys, sta) and
** every `rad4ml` step of `flow` is started here: from an argv array (no
** shell, no quoting), its output appended or written to a log file, its exit
** status returned, and on failure an error message that carries the tail of
** that log.  A program that cannot be started (not found, not executable) is
** told apart from one that ran and failed: exec errors travel back to the
** parent through a close-on-exec pipe.
**
** Also here: the repository root of the running tool (rad_exe_root), so
** that commands find sim/, synth/ and data/samples/ beside the build.
*/
#ifndef RAD4ML_RAD_PROC_H
#define RAD4ML_RAD_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "rad_err.h"

/* How a child runs.  A zeroed struct = our directory, inherited stdout and
** stderr, normal priority, argv[0] looked up in PATH. */
typedef struct {
    const char *cwd;      /* directory to run in (NULL: ours)                      */
    const char *log;      /* stdout + stderr to this file, opened from OUR         */
                          /* directory (NULL: inherited)                           */
    bool append;          /* add to log instead of truncating it                   */
    bool quiet;           /* log NULL: stdout to /dev/null, stderr inherited       */
    bool nice;            /* lower priority (+10), for long compiles on shared CPUs */
    bool echo;            /* print the command line to stderr before running       */
    const char *path;     /* program file to exec (NULL: argv[0] in PATH; a        */
                          /* relative one is taken from cwd)                       */
} rad_proc_opts;

/* A command line under construction: rad_argv_add/addf append (formatted
** text is kept inside the struct); `v` is always NULL-terminated.  When it
** overflows, v[0] becomes NULL and rad_proc refuses to start it. */
#define RAD_ARGV_MAX  160
#define RAD_ARGV_TEXT 16384
typedef struct {
    char  *v[RAD_ARGV_MAX + 1];
    int    n;
    size_t used;
    int    overflow;
    char   text[RAD_ARGV_TEXT];
} rad_argv;

void rad_argv_reset(rad_argv *a);
void rad_argv_add(rad_argv *a, const char *s);
void rad_argv_addf(rad_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the entries of a NULL-terminated list of at most max entries. */
void rad_argv_list(rad_argv *a, const char *const *list, int max);

/* A started child (rad_proc_start), waited for by rad_proc_wait/poll. */
typedef struct {
    pid_t  pid;
    double cpu_s;   /* once reaped: user + system CPU seconds of the child and
                    ** of the descendants it waited for (e.g. Yosys + ABC) */
} rad_proc;

/* Exit status of a child: 0..255, or 128 + signal number if it was killed. */

/* Starts argv (NULL-terminated, argv[0] the program).  RAD_OK and *p set;
** RAD_EUSAGE for an empty (or overflowed rad_argv) command; RAD_ETOOL when
** it cannot start ("<prog>: cannot start: <reason>"), or
** when the log cannot be opened. */
int rad_proc_start(char *const argv[], const rad_proc_opts *o, rad_proc *p, rad_err *err);

/* Waits for p; returns its exit status, or -1 if the wait failed. */
int rad_proc_wait(rad_proc *p);

/* Non-blocking: 1 and *status set if p has ended, 0 if it still runs. */
int rad_proc_poll(rad_proc *p, int *status);

/* Starts argv and waits for it.  RAD_OK with *status its exit status (which
** may be non-zero), or RAD_ETOOL when it could not start. */
int rad_proc_run(char *const argv[], const rad_proc_opts *o, int *status, rad_err *err);

/* rad_proc_run that also requires exit status 0: otherwise RAD_ETOOL with
** "<what> failed (exit N, log L):\n<last lines of L>".  `what` names the
** step for the user (NULL: argv[0]). */
int rad_proc_check(char *const argv[], const rad_proc_opts *o, const char *what,
                   rad_err *err);

/* The last lines of a log, at most size-1 bytes, starting at a line start
** when the log is longer; "" when it cannot be read. */
void rad_proc_tail(const char *log, char *buf, size_t size);

/* Runs argv with stdout to a pipe and stderr to /dev/null; the first line
** of its output (without newline) goes to buf.  RAD_OK when it exited 0. */
int rad_proc_first_line(char *const argv[], char *buf, size_t size, rad_err *err);

/* The running program's own file (readlink of /proc/self/exe). */
int rad_exe_path(char *buf, size_t size, rad_err *err);

/* The repository root of the running rad4ml: $RAD4ML_ROOT if set, else the
** nearest of the three directories above the executable
** (<root>/build/bin/rad4ml) that holds `probe` (a path relative to the root,
** e.g. "sim/vl_shim.cpp").  RAD_EIO when none does. */
int rad_exe_root(const char *probe, char *buf, size_t size, rad_err *err);

#endif
