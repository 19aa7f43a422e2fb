/*
** mdl_internal.h — helpers shared by the model module's own files only.
*/
#ifndef RAD4ML_MDL_INTERNAL_H
#define RAD4ML_MDL_INTERNAL_H

#include <stdio.h>

#include "model/model_io.h"

/* Sets l->in = in, derives l->out (and out_fmt for map/flatten) and
** allocates zeroed arrays that are still NULL.  `where` prefixes errors. */
int mdl__finish_layer(mdl_layer *l, mdl_shape in, const fxp_fmt *in_fmt,
                      const char *where, rad_err *err);
int mdl__finish_flayer(mdl_flayer *l, mdl_shape in, const char *where, rad_err *err);

/* Parses a weights text into m (every tensor of m must be present once). */
int mdl__parse_weights(mdl_model *m, const char *text, const char *name, rad_err *err);

/* Writes the weights text of m to fp. */
void mdl__put_weights(FILE *fp, const mdl_model *m);
/* Provenance block of a saved file (mdl_json.c). */
void mdl__file_prov(const mdl_model *m, const rad_prov *prov, const char *kind, rad_prov *out);

/* Default bits per latent value by number of links (index = links). */
extern const int mdl__default_bits_by_links[MDL_MAX_LINKS + 1];

#endif
