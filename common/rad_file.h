/*
** rad_file.h — all-or-nothing output files.
**
** Every file rad4ml writes goes through rad_file: data are written to
** "<path>.tmp.<pid>" and renamed over <path> only on rad_file_commit, so a
** failed run never leaves a partial output behind.  A destination that
** exists and is not a regular file (/dev/null, /dev/stdout, a FIFO) is
** written directly: renaming over it would replace the device by a file.
*/
#ifndef RAD4ML_RAD_FILE_H
#define RAD4ML_RAD_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include "rad_err.h"

typedef struct {
    FILE *fp;            /* write to this                      */
    char  path[4096];    /* final destination                  */
    char  tmp[4200];     /* temporary name while writing       */
    int   direct;        /* 1: writing to a device/FIFO itself  */
} rad_file;

/* Opens a temporary file beside `path` (or `path` itself when it is an
** existing non-regular file; a directory is refused).  The directory must
** exist: an output file never creates directories (the error names the
** missing one). */
int  rad_file_open(rad_file *f, const char *path, rad_err *err);
/* Flushes, closes and renames into place; on any error removes the temp. */
int  rad_file_commit(rad_file *f, rad_err *err);
/* Closes and removes the temp file (the destination is left untouched). */
void rad_file_abort(rad_file *f);

/* Creates a directory and its parents (mkdir -p): work and cache
** directories of rad4ml itself, never a user's file option. */
int  rad_mkdirs(const char *dir, rad_err *err);

/* An output directory (--out DIR): created when missing, its parent must
** exist; *created tells whether this call made it (for rad_rmdir_created). */
int  rad_mkdir_out(const char *dir, bool *created, rad_err *err);

/* Undoes rad_mkdir_out after a failure: removes the files in dir, then dir. */
void rad_rmdir_created(const char *dir);

/* RAD_EIO "PATH: is a directory, a file is expected here" when path names
** a directory; RAD_OK otherwise (also when it does not exist). */
int  rad_check_not_dir(const char *path, rad_err *err);

/* Reads a whole file into a NUL-terminated malloc'd buffer.  A directory
** is refused with rad_check_not_dir's message. */
int  rad_read_all(const char *path, char **data, size_t *len, rad_err *err);

/* A jansson document dumped with `flags` (JSON_INDENT(2), JSON_COMPACT, ...)
** plus a newline, all or nothing through rad_file: the one way rad4ml
** writes a JSON output or cache file. */
struct json_t;
int  rad_json_write(const char *path, const struct json_t *root, size_t flags,
                    rad_err *err);

#endif
