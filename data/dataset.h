/*
** dataset.h — sets of bunch crossings: n crossings x n_cells charges.
**
** A dat_set holds, for each crossing, the calibrated trigger-cell charges
** (CALQ, unsigned, at most 22 bits) in TC order (see data/geometry.h), the
** input of every algorithm (autoencoder, threshold, best choice, STC).
**
** Two file formats are read and written:
**
**  * ePortRX CSV ("eportrx"): what the ECON-T receives.  One row per crossing,
**    12 decimal 32-bit words (header line optional; the sample data have
**    "ePortRxDataGroup_0, ..."):   bits 31..28 header (must be 0),
**    bits 7k+6..7k = 4E3M code of mux_in[4*eRx + k], k = 0..3.
**    Front end, exactly as the ASIC: code -> 22-bit charge (data/hgcfloat.h,
**    dropping drop_lsb bits: LD 1, HD 3, half-LSB restored), MUX:
**    TC t reads mux_in[premux[t]] (ECON_TC_Number_PreMux), calibration:
**    CALQ = (charge * calvalue[t]) >> 11 (2048 = pass-through, default).
**  * plain CSV ("csv"): one row per crossing, n_cells decimal CALQ values
**    (0 .. 2^22-1).  Optional header line (first field not a number).
**
** dat_load() tells them apart by the column count of the first data row
** (12 -> ePortRX, 48 -> plain).  Writing ePortRX re-encodes each charge to
** 4E3M: lossy (and calibration is not undone), so csv->eportrx->csv returns
** the decoded midpoints, and eportrx->csv->eportrx returns the same words
** only with pass-through calibration.
**
** Errors name "file:line:column: reason" (column counted from 1): wrong
** column count, non-numeric field, value beyond 32 bits, header bits set,
** charge beyond 22 bits, empty file.  Writers go through rad_file (all or
** nothing).
*/
#ifndef RAD4ML_DATASET_H
#define RAD4ML_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "common/rad_err.h"
#include "common/rad_prov.h"
#include "data/geometry.h"
#include "fixedpoint/fxp.h"

#define DAT_CHARGE_BITS      22
#define DAT_ERX_WORDS        12
#define DAT_CAL_PASS       2048      /* CALVALUE of a pass-through calibration */
#define DAT_CAL_MAX        4095      /* 12-bit CALVALUE register               */
#define DAT_TRAIN_FRACTION 0.75      /* trainer uses the first 75 %, eval the rest */
#define DAT_DEFAULT_FILE   "hgcal_ld_module_eportrx.csv"

typedef struct {
    size_t    n;          /* crossings                              */
    int       n_cells;    /* charges per crossing (48)              */
    uint32_t *q;          /* n * n_cells, row-major: q[i*n_cells+t] */
    bool      owned;      /* false for a view made by dat_slice     */
} dat_set;

/* Front-end configuration (what the ECON-T registers hold). */
typedef struct {
    int      drop_lsb;                  /* 1 (LD, default) or 3 (HD)        */
    int      premux[GEO_N_CELLS];       /* TC t reads mux_in[premux[t]]     */
    uint32_t calvalue[GEO_N_CELLS];     /* CALQ = (charge*calvalue) >> 11   */
} dat_frontend;

typedef enum { DAT_FMT_AUTO = 0, DAT_FMT_EPORTRX, DAT_FMT_CSV } dat_format;

/* Built-in LD mapping, drop_lsb 1, pass-through calibration. */
void dat_frontend_default(dat_frontend *fe);

/* Reads the MUX from a mapping CSV with (at least) the columns TC_Number and
** ECON_TC_Number_PreMux (like data/samples/ldm_tc_mapping.csv); every TC must
** appear once and premux must be a permutation of 0..47. */
int dat_frontend_load_mapping(dat_frontend *fe, const char *path, rad_err *err);

/* Reads calibration registers: either 48 values (one per line or all on one
** line) or lines "TC,CALVALUE" (optional header).  CALVALUE 0..4095. */
int dat_frontend_load_calib(dat_frontend *fe, const char *path, rad_err *err);

/* One crossing: 12 eRx words -> 48 CALQ.  Header bits are ignored here
** (the file reader rejects them). */
void dat_decode_row(const dat_frontend *fe, const uint32_t words[DAT_ERX_WORDS],
                    uint32_t q[GEO_N_CELLS]);
/* One crossing: 48 charges -> 12 eRx words (4E3M, lossy, no calibration). */
void dat_encode_row(const dat_frontend *fe, const uint32_t q[GEO_N_CELLS],
                    uint32_t words[DAT_ERX_WORDS]);

/* Loads a file; fmt DAT_FMT_AUTO detects it.  fe may be NULL (defaults); it
** only matters for ePortRX input.  On error *set is left empty. */
int dat_load(const char *path, dat_format fmt, const dat_frontend *fe,
             dat_set *set, rad_err *err);
int dat_load_eportrx(const char *path, const dat_frontend *fe, dat_set *set,
                     rad_err *err);
int dat_load_csv(const char *path, dat_set *set, rad_err *err);

/* Writers (atomic).  CSV gets a header "CALQ_0,...,CALQ_47".  When prov
** is not NULL its block comes first as "# rad4ml-provenance ..." lines
** (the readers skip lines starting with '#'). */
int dat_write_csv(const char *path, const dat_set *set, const rad_prov *prov,
                  rad_err *err);
int dat_write_eportrx(const char *path, const dat_frontend *fe,
                      const dat_set *set, const rad_prov *prov, rad_err *err);

/* Allocates an n x n_cells zeroed set. */
int  dat_alloc(dat_set *set, size_t n, int n_cells, rad_err *err);
void dat_free(dat_set *set);

/* Data augmentation by the module's symmetries (geometry.h): out (allocated)
** holds n*n_sym crossings, row i*n_sym + g = crossing i under symmetry g
** (g = 0 is the crossing itself).  n_sym 3 = the rotations, 6 = all of D3.
** Needs 48-cell crossings. */
int dat_augment(const dat_set *s, int n_sym, dat_set *out, rad_err *err);

/* Pointer to crossing i's charges. */
static inline const uint32_t *dat_row(const dat_set *s, size_t i)
{ return s->q + i * (size_t)s->n_cells; }

/* Split helpers (deterministic, no shuffling: crossings are consecutive BXs
** so the tail is an honest hold-out).  dat_split_point = floor(n*frac)
** clamped to [0,n]; dat_slice makes a non-owning view of [begin,end). */
size_t dat_split_point(size_t n, double frac);
void   dat_slice(const dat_set *s, size_t begin, size_t end, dat_set *view);
/* first = the first frac of s, last = the rest (views). */
void   dat_split(const dat_set *s, double frac, dat_set *first, dat_set *last);

/* ---- row-by-row reading (constant memory, stdin) ---------------------------
** The same rows, checks and messages as dat_load, one crossing at a time, for
** any cell count and charge width (models other than ECON-T): plain CSV rows
** of n_cells charges (< 2^charge_bits each) or, when n_cells is 48, ePortRX
** rows.  path "-" reads stdin. */
typedef struct dat_stream dat_stream;

int  dat_stream_open(const char *path, dat_format fmt, const dat_frontend *fe,
                     int n_cells, int charge_bits, dat_stream **out, rad_err *err);
void dat_stream_close(dat_stream *s);

/* Next crossing into q[n_cells]: 1 = a row, 0 = end of the file, negative =
** -(error code) with err naming file:line:column.  A file without any row
** is an error ("no crossings (empty file)"). */
int  dat_stream_next(dat_stream *s, uint32_t *q, rad_err *err);

/* Same for a raw input tensor (a network fed past the converter, e.g. an
** imported one): n_cells decimal values per row, each exactly on the grid
** of format f and in its range, returned as raw integers x[n_cells]. */
int  dat_stream_next_tensor(dat_stream *s, const fxp_fmt *f, int64_t *x, rad_err *err);

int         dat_stream_line(const dat_stream *s);   /* last line read    */
const char *dat_stream_path(const dat_stream *s);   /* "<stdin>" for "-" */

/* The sample data shipped with the project (see data/samples/README.md),
** relative to the repo root. */
#define DAT_SAMPLES_DIR "data/samples"

/* Path of a sample data file: $RAD4ML_DATA_DIR/<file> if the variable is
** set, else data/samples/<file> relative to the current directory (the
** repo root when run from make), else in the repo of the rad4ml executable
** (<exe>/../../data/samples).  Returns RAD_EIO naming the places
** tried when the file is not found. */
int dat_default_path(char *buf, size_t size, rad_err *err);
/* Same for any file name in the data directory (e.g. "ldm_tc_mapping.csv"). */
int dat_data_path(const char *file, char *buf, size_t size, rad_err *err);

#endif /* RAD4ML_DATASET_H */
