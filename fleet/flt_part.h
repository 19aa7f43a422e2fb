/*
** flt_part.h — sharded jobs: the shard spec, partial results and their merge.
**
** A long job made of independent items (the modules of a fleet, the bits of
** an SEU sensitivity map) runs as N shards: shard i (0 <= i < N) does the
** items whose index k has k % N == i and writes a PARTIAL file:
**
**   rad4ml-part 1
**   kind <job kind>            fleet-train, fleet-verify, seu-sens
**   key <hex>                  hash of every setting the shards must share
**   shard <i>/<N>
**   total <items of the whole job>
**   cmd <the shard's command line>   (how to rerun it alone)
**   meta <name> <value>        any number, identical in every shard
**   item <index> <text>        one per item done
**   end <items in this file>
**
** The file is written atomically (rad_file), so a shard that crashes leaves
** none.  flt_merge reads the partials of a job and refuses — naming files,
** shards and the command that reruns a missing one — unless they share
** kind, key, N and meta, every shard 0..N-1 appears exactly once and every
** item 0..total-1 exactly once (in its own shard).
*/
#ifndef RAD4ML_FLT_PART_H
#define RAD4ML_FLT_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/rad_hash.h"
#include "common/rad_err.h"

#define FLT_MAX_SHARDS 100000

typedef struct {
    size_t i, n;                 /* n == 0: the whole job (not sharded) */
} flt_shard;

/* "i/N" with 0 <= i < N <= FLT_MAX_SHARDS; a clear error otherwise. */
int  flt_shard_parse(const char *text, flt_shard *s, rad_err *err);
bool flt_shard_has(const flt_shard *s, size_t k);

typedef struct {
    size_t index;
    char  *text;
} flt_item;

typedef struct {
    char      kind[32];
    char      key[40];
    flt_shard shard;
    size_t    total;
    char     *cmd;
    char    **meta;              /* "name value" */
    size_t    n_meta;
    flt_item *items;
    size_t    n_items;
} flt_part;

/* Starts a partial; cmd is "rad4ml " and argv (argv[0] = the subcommand)
** joined with spaces (single-quoted where needed).  The caller adds meta and items, writes and frees it. */
int  flt_part_init(flt_part *p, const char *kind, const char *key, const flt_shard *s,
                   size_t total, int argc, char **argv, rad_err *err);
int  flt_part_meta(flt_part *p, const char *name, const char *value, rad_err *err);
int  flt_part_item(flt_part *p, size_t index, const char *text, rad_err *err);
int  flt_part_write(const flt_part *p, const char *path, rad_err *err);
int  flt_part_read(const char *path, flt_part *p, rad_err *err);
void flt_part_free(flt_part *p);

/* Value of meta `name`, NULL when absent. */
const char *flt_part_get(const flt_part *p, const char *name);

/* Merges n partial files into *out (shard 0/0, items sorted by index);
** see the checks above. */
int  flt_merge(char *const *paths, size_t n, flt_part *out, rad_err *err);

/* Writes a table: header line then every item's text in index order. */
int  flt_table_write(const char *path, const char *header, const flt_part *p,
                     rad_err *err);

/* Partial-file name of shard s of a job whose whole output is `out`:
** "<out>.part-<i>-of-<N>". */
void flt_part_name(char *buf, size_t len, const char *out, const flt_shard *s);

/* rad_fnv1a (common/rad_hash.h) continued over a file's bytes (RAD_EIO if
** unreadable). */
int      flt_fnv_file(uint64_t *h, const char *path, rad_err *err);

#endif
