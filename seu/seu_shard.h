/*
** seu_shard.h — a sharded sensitivity map (`rad4ml seu --json F --shard i/N`)
** as a partial result (fleet/flt_part.h, kind "seu-sens"), and the whole
** map rebuilt from the merged partials, so that `rad4ml merge` writes the
** very JSON the unsharded run writes.  Each bit's two numbers travel as C99
** hex floats (%a): exact.
*/
#ifndef RAD4ML_SEU_SHARD_H
#define RAD4ML_SEU_SHARD_H

#include "fleet/flt_part.h"
#include "seu/seu.h"

/* Key of a campaign: model (description + weights), crossings and thread
** count (the per-bit sums are added in thread order), 16 hex digits. */
int seu_sens_key(const mdl_model *m, const char *data, size_t crossings, int threads,
                 char key[17], rad_err *err);

/* Adds meta (n_bits, n_cross, base_emd) and one item per bit of the shard
** to p (started by flt_part_init with total = s->n_bits). */
int seu_sens_to_part(const seu_sens *s, const flt_shard *sh, flt_part *p, rad_err *err);

/* Rebuilds the map of model m from merged partials (every bit present). */
int seu_sens_from_part(const flt_part *p, const mdl_model *m, seu_sens *s, rad_err *err);

#endif
