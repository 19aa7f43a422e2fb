/*
** eng_vec.h — the reference engine on files: inputs in, outputs and traces
** out, and the output records read back (`rad4ml run`, `rad4ml diff`, the
** testbench generator).
**
** Inputs (eng_src): a crossing file row by row (data/dataset.h dat_stream:
** 48-charge CSV, ePortRX CSV, any model's n_cells charges) or, for networks
** fed past the converter, the input tensor as decimal values on the grid of
** the model's input format.  Constant memory; "-" is stdin.
**
** The output CSV (one row per input row, header first):
**   row,sum_code,lat0_raw..latN_raw,lat0..latN,sent_word[,q0..q47]
**   sum_code   module sum code (decimal; 0 for tensor inputs)
**   latK_raw   sent latent K, raw integer in mdl_latent_fmt()
**   latK       the same value exactly in decimal (raw * 2^-F)
**   sent_word  hex, most significant digit first, of the link word:
**              bits [0, CW) the sum code (CW = sum_exp_bits + sum_mant_bits),
**              bits [CW + B*K, CW + B*K + B) sent latent K as a B-bit two's
**              complement field, B = mdl_latent_bits()
**   qK         (with decode) the float decoder's charge of cell K
** The hex dump (what the generated testbench writes, and its expected file):
**   one line per crossing: "index cycle flag sum latent_bus", index and
**   cycle decimal, flag 0/1, sum and latent_bus hex; latent_bus holds sent
**   latent K at bits [LW*K, LW*K + LW), LW = the last layer's output width
**   (the RTL's out_latent bus).
** A trace directory: one CSV per tensor, t00_input.csv (converter output)
** and tNN_<layer>.csv (layer NN-1's raw output), each opening with a '#'
** line that states tensor, shape, format and value = raw * 2^-F, then
** "row,v0,v1,..." and one line of raw integers per input row.
*/
#ifndef RAD4ML_ENG_VEC_H
#define RAD4ML_ENG_VEC_H

#include <stdbool.h>
#include <stdio.h>
#include "data/dataset.h"
#include "engine/engine.h"

/* ---- inputs ------------------------------------------------------------- */

typedef enum { ENG_IN_AUTO = 0, ENG_IN_CSV, ENG_IN_EPORTRX, ENG_IN_TENSOR } eng_in_kind;

typedef struct eng_src eng_src;

/* Opens path ("-" = stdin) for model m (kept by pointer: it must outlive the
** source).  fe: the ePortRX front end (NULL = built-in LD mapping). */
int  eng_src_open(const mdl_model *m, const char *path, eng_in_kind kind,
                  const dat_frontend *fe, eng_src **out, rad_err *err);
void eng_src_close(eng_src *s);

/* Next row's result: 1, 0 at the end, or -(error code) (err names
** file:line:column).  With tr != NULL every intermediate tensor is filled
** (generic path); without, the fast path runs when the model fits it. */
int  eng_src_next(eng_src *s, eng_out *o, eng_trace *tr, rad_err *err);
const char *eng_src_path(const eng_src *s);
int  eng_src_line(const eng_src *s);        /* line of the last row read */
bool eng_src_fast(const eng_src *s);        /* rows run the fast path     */

/* ---- output CSV ----------------------------------------------------------- */

/* Bits of the sent word and its 32-bit words (LSB word first). */
int  eng_word_bits(const mdl_model *m);
void eng_sent_word(const mdl_model *m, const eng_out *o, uint32_t *w, int n_words);

/* Header and one row (cells: n_cells decoded charges, or NULL). */
void eng_csv_header(FILE *fp, const mdl_model *m, bool decode);
void eng_csv_row(FILE *fp, const mdl_model *m, size_t row, const eng_out *o,
                 const float *cells);

/* ---- output records read back (diff) ------------------------------------- */

/* One crossing's compared fields. */
typedef struct {
    long     index;                    /* row / crossing index            */
    long     cycle;                    /* hex dumps: cycle, else -1       */
    uint32_t sum_code;
    int32_t  sent[ENG_MAX_LATENT];     /* raw, mdl_latent_fmt()           */
} eng_rec;

typedef struct eng_rec_reader eng_rec_reader;

/* Opens an output CSV (header "row,sum_code,...") or a hex dump; the kind is
** told by the first line. */
int  eng_rec_open(const mdl_model *m, const char *path, eng_rec_reader **out,
                  rad_err *err);
void eng_rec_close(eng_rec_reader *r);
/* 1 = a record, 0 = end, -(code) on a malformed line (file:line:column). */
int  eng_rec_next(eng_rec_reader *r, eng_rec *rec, rad_err *err);

/* A record from an engine result. */
void eng_rec_from_out(const mdl_model *m, long index, const eng_out *o, eng_rec *rec);

/* The first differing field of two records: -1 none, 0 the sum code, 1 + K
** latent K. */
int  eng_rec_cmp(const mdl_model *m, const eng_rec *a, const eng_rec *b);

/* ---- traces ------------------------------------------------------------- */

typedef struct eng_trace_out eng_trace_out;

/* Creates dir and one temporary file per tensor (all renamed into place by
** eng_trace_out_commit, all removed by eng_trace_out_abort). */
int  eng_trace_out_open(const mdl_model *m, const char *dir, eng_trace_out **out,
                        rad_err *err);
void eng_trace_out_row(eng_trace_out *t, size_t row, const eng_trace *tr);
int  eng_trace_out_commit(eng_trace_out *t, rad_err *err);
void eng_trace_out_abort(eng_trace_out *t);

/* Path of tensor k's file in dir (k = 0 converter output, k = i+1 layer i). */
void eng_trace_path(const mdl_model *m, const char *dir, int k, char *buf, size_t len);

/* Reads row `row` of tensor k from a trace directory into v[size[k]].
** 1 found, 0 the file has no such row, -(code) on error. */
int  eng_trace_read_row(const mdl_model *m, const char *dir, int k, size_t row,
                        int64_t *v, rad_err *err);

#endif /* RAD4ML_ENG_VEC_H */
