/*
** ck_tmp.h — a scratch directory for one Check test program and small text
** files written into it (malformed models, data, netlists ...).  Header-only:
** each test program is a single translation unit.
*/
#ifndef RAD4ML_CK_TMP_H
#define RAD4ML_CK_TMP_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include "common/rad_proc.h"

static char ck_tmpdir[256];

/* Creates /tmp/PROG.XXXXXX; call once from main() before the suite runs. */
static inline int ck_tmp_init(const char *prog)
{
    snprintf(ck_tmpdir, sizeof ck_tmpdir, "/tmp/%s.XXXXXX", prog);
    if (!mkdtemp(ck_tmpdir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

/* Writes text to ck_tmpdir/name and returns the path (valid until eight
** more calls: callers hold at most a few paths at once). */
static inline const char *ck_tmp_write(const char *name, const char *text)
{
    static char path[8][512];
    static int slot;
    char *p = path[slot++ % 8];
    snprintf(p, sizeof path[0], "%s/%s", ck_tmpdir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* Removes the scratch directory (at the end of main()). */
static inline void ck_tmp_cleanup(void)
{
    char *argv[] = { "rm", "-rf", ck_tmpdir, NULL };
    int st;
    if (rad_proc_run(argv, NULL, &st, NULL) != RAD_OK || st != 0)
        fprintf(stderr, "could not remove %s\n", ck_tmpdir);
}

#endif
