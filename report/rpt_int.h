/*
** rpt_int.h — internals shared by the report's source files.
*/
#ifndef RAD4ML_RPT_INT_H
#define RAD4ML_RPT_INT_H

#include <jansson.h>
#include "report/rpt.h"
#include "data/dataset.h"
#include "model/model_io.h"

#define RPT_MAX_ALG    5
#define RPT_MAX_EVENTS 6

typedef struct {
    size_t index;                 /* in the evaluation crossings          */
    long   crossing;              /* row in the data file (0-based)       */
    int    occ;                   /* TCs above 1 MIP_T                    */
    double in[GEO_N_CELLS];       /* CALQ                                 */
    double rec[GEO_N_CELLS];      /* autoencoder reconstruction           */
    double emd;
} rpt_event;

typedef struct {
    dat_set    all, ev;           /* ev: the evaluation part (a view)     */
    char       data_path[4096];
    mdl_model *m;
    int        links;
    int        n;                 /* crossings evaluated                  */
    int        n_alg;
    char       name[RPT_MAX_ALG][16];
    char       desc[RPT_MAX_ALG][128];
    double    *emd[RPT_MAX_ALG];  /* n each; negative = empty conventions */
    int        n_events;
    rpt_event  event[RPT_MAX_EVENTS];
} rpt_quality;

int  rpt_quality_run(const rpt_opts *o, rpt_quality *q, rad_err *err);
void rpt_quality_free(rpt_quality *q);

/* Sections: each appends its HTML (with its figures) to b. */
void rpt_sec_quality(rpt_buf *b, const rpt_quality *q, json_t *eval,
                     const char *eval_path, const char *why_missing);
void rpt_sec_events(rpt_buf *b, const rpt_quality *q);
void rpt_sec_seu(rpt_buf *b, json_t *seu, const char *path, const char *why);
void rpt_sec_synth(rpt_buf *b, json_t *syn, const char *path, const char *why);
/* report/rpt_fleet.c: the tables of `rad4ml fleet` in dir (train.csv, verify.csv). */
void rpt_sec_fleet(rpt_buf *b, const char *dir);

#endif
