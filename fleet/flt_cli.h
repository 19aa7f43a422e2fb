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

/* The provenance block of a fleet table: kind csv, command fleet, no date
** (every shard writes the same), model m (NULL: none), input file and rows,
** the step's options. */
int flt_table_prov(const flt_args *a, const mdl_model *m, const char *input, size_t rows,
                   rad_prov *p, rad_err *err);

/* Writes the step's table (unsharded) or this shard's partial. */
int flt_finish(const flt_args *a, flt_part *p, const char *table, const char *header,
               const rad_prov *prov, rad_err *err);

int flt_verify(const flt_args *a, rad_err *err);
int flt_report(const flt_args *a, rad_err *err);

#endif
