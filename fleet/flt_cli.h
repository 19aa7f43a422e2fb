/*
** flt_cli.h — options shared by the `fleet` steps (fleet/cmd_fleet.c,
** fleet/flt_verify.c, fleet/flt_report.c).  Internal to fleet/.
*/
#ifndef RAD4ML_FLT_CLI_H
#define RAD4ML_FLT_CLI_H

#include "fleet/fleet.h"
#include "fleet/flt_part.h"

typedef struct {
    const char *step;                  /* train, images, verify, report     */
    const char *manifest, *out, *base_model, *base_weights, *rtl, *work;
    int         epochs, threads;
    size_t      crossings, vectors;
    unsigned long long seed;
    double      lr;
    const char *loss;                  /* NULL: sinkhorn (48 cells), wmse     */
    flt_shard   shard;
    int         argc;
    char      **argv;
} flt_args;

/* One row of a fleet table (train.csv / images/index.csv) split at commas
** into at most max fields (in place); returns the count. */
int flt_csv_fields(char *line, char **f, int max);

/* Reads a table written by flt_table_write (header checked against
** `header`); rows[i] are malloc'd copies (free each and the array). */
int flt_table_read(const char *path, const char *header, char ***rows, size_t *n,
                   rad_err *err);
void flt_rows_free(char **rows, size_t n);

/* Writes the step's table (unsharded) or this shard's partial. */
int flt_finish(const flt_args *a, flt_part *p, const char *table, const char *header,
               rad_err *err);

int flt_verify(const flt_args *a, rad_err *err);
int flt_report(const flt_args *a, rad_err *err);

#define FLT_TRAIN_HEADER "id,geometry,links,train,holdout,base_emd,tuned_emd,kept,model_hash"
#define FLT_INDEX_HEADER "id,image,checksum,model_hash,holdout_emd,links,words"
#define FLT_VERIFY_HEADER "id,image,links,crossings,compared,mismatches,skipped_reconfig," \
                          "readback_errors,result"

#endif
