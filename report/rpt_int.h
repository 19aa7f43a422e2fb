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

/* One input JSON of the page (rpt_check.c). */
typedef struct {
    const char *opt;              /* "--eval", "--seu", "--synth"          */
    const char *kind;             /* provenance kind it must have          */
    const char *path;             /* NULL: not asked for                   */
    bool        given;            /* named on the command line             */
    json_t     *j;                /* NULL: not available (why says why)    */
    rad_prov    p;                /* its provenance block                  */
    char        why[256];
} rpt_input;

#define RPT_N_INPUTS 5            /* eval, seu, synth, seu-rate, seu-set */

/* What the page is about, and its checked inputs. */
typedef struct {
    rpt_input   in[RPT_N_INPUTS];
    rad_prov    page;             /* model, weights, data, links of the page */
    const char *model, *weights;  /* to load (NULL: built-in / model's own) */
    const char *data;             /* NULL: the default sample              */
    const char *model_from;       /* where the page's model came from      */
    const char *links_from;       /* where its link count came from        */
} rpt_check;

/* Loads and checks the input JSONs (kind, provenance, same model / weights
** / links / data as the page); errors name the files.  rpt_check_free. */
int  rpt_check_inputs(const rpt_opts *o, rpt_check *c, rad_err *err);
void rpt_check_free(rpt_check *c);

/* First "nan" / "inf" word in s[0..n), or NULL. */
const char *rpt_find_nan(const char *s, size_t n);

int  rpt_quality_run(const rpt_opts *o, rpt_quality *q, rad_err *err);
void rpt_quality_free(rpt_quality *q);

/* Sections: each appends its HTML (with its figures) to b. */
void rpt_sec_quality(rpt_buf *b, const rpt_quality *q, json_t *eval,
                     const char *eval_path, const char *why_missing);
void rpt_sec_events(rpt_buf *b, const rpt_quality *q);
/* A "Not available" paragraph: what (HTML), then the file path and why it
** could not be used (both escaped; either may be NULL), for a section that
** shows nothing rather than made-up numbers. */
void rpt_not_available(rpt_buf *b, const char *what, const char *path, const char *why);
/* The number o[key]; NaN when it is absent or not a number. */
double rpt_jnum(json_t *o, const char *key);

void rpt_sec_seu(rpt_buf *b, json_t *seu, const char *path, const char *why);
void rpt_sec_synth(rpt_buf *b, json_t *syn, const char *path, const char *why);
/* report/rpt_fpga.c: the FPGA table of section 4 (synth --fpga), when the
** synth JSON has FPGA figures. */
void rpt_sec_fpga(rpt_buf *b, json_t *syn);
/* report/rpt_seu_rad.c: the rate table (seu --rate-json) and the transient
** table (seu --set-json) of section 3. */
void rpt_sec_rate(rpt_buf *b, json_t *rate, const char *path, const char *why);
void rpt_sec_set(rpt_buf *b, json_t *set, const char *path, const char *why);
/* report/rpt_fleet.c: the tables of `rad4ml fleet` in dir (train.csv, verify.csv). */
void rpt_sec_fleet(rpt_buf *b, const char *dir);

#endif
