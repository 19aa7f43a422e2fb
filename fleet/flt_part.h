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
**   meta <name> <value>        any number, identical in every shard, except
**                              run.<name>: this shard's own (merge keeps
**                              shard 0's: a provenance date, ...);
**                              shard_by <u0,u1,...>: the shard unit of each
**                              item (default the item's index; modules of
**                              a fleet group share one)
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
#include "common/rad_prov.h"
#include <jansson.h>

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

/* Writes a table: the provenance block of meta "prov" (when present, as
** "# " comment lines), the header line, then every item's text in index
** order. */
int  flt_table_write(const char *path, const char *header, const flt_part *p,
                     rad_err *err);

/* The end of a table job: meta output, header and prov (the block, compact
** JSON; give it no date, every shard must agree), then the table (p's
** shard is 0/0: not sharded) or the partial <path>.part-i-of-N. */
int  flt_table_finish(flt_part *p, const char *path, const char *header,
                      const rad_prov *prov, rad_err *err);

/* Partial-file name of shard s of a job whose whole output is `out`:
** "<out>.part-<i>-of-<N>". */
void flt_part_name(char *buf, size_t len, const char *out, const flt_shard *s);

/* rad_fnv1a (common/rad_hash.h) continued over a file's bytes (RAD_EIO if
** unreadable). */
int      flt_fnv_file(uint64_t *h, const char *path, rad_err *err);

/* ---- sharded JSON documents (synth --json, eval --sweep --json) ---------
** The whole document is one object whose array `key` holds one element per
** item.  A shard builds the document as the unsharded run does, with only
** its elements (index[j] = the item of element j), and writes the partial
** `<out>.part-i-of-N`: meta json.key, json.flags (the jansson dump flags),
** output, and run.doc (the document without the elements, compact: its
** provenance date is the shard's); each element compact with the same real
** precision.  Merge puts shard 0's document back together with every
** element in order and dumps it with the same flags: the unsharded bytes. */
int flt_json_shard_write(const json_t *root, const char *key, const size_t *index,
                         size_t total, size_t flags, const char *kind, const char *jobkey,
                         const flt_shard *s, int argc, char **argv, const char *out,
                         rad_err *err);
int flt_json_merge_write(const flt_part *p, const char *out, rad_err *err);

/* A provenance block as meta `name` (compact JSON) and back. */
int flt_part_set_prov(flt_part *p, const char *name, const rad_prov *prov, rad_err *err);
int flt_part_get_prov(const flt_part *p, const char *name, rad_prov *prov, rad_err *err);

/* What every shard of a job must share, from its provenance block (model,
** weights, data, rows, links, options; not the date) and extra text: 16 hex. */
void flt_prov_key(const rad_prov *p, const char *extra, char key[17]);

#endif
