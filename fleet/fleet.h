/*
** fleet.h — a fleet of detector modules, each with its own weights.
**
** A manifest (CSV, one module per line, '#' comments, header required):
**
**   id,data,occupancy,showers,geometry,links,calib
**   m000,synthetic,0.35,1.2,ld,5,2048
**   m001,data/samples/hgcal_ld_module_eportrx.csv,,,ld,5,calib.csv
**
**   id         [A-Za-z0-9_.-]{1,48}, unique
**   data       "synthetic", or a crossings file (ePortRX or 48-charge CSV,
**              relative to the manifest's folder)
**   occupancy  synthetic: probability a TC carries a pileup hit (0..1)
**   showers    synthetic: mean showers per crossing (0..20)
**   geometry   ld or hd: HD modules have ~1.5x smaller trigger cells
**              (synthetic showers spread 1.5x wider in TC units; an ePortRX
**              file is decoded with HD's drop_lsb 3)
**   links      output links (1..MDL_MAX_LINKS, the model must send bits)
**   group      optional 8th column: modules of a group share ONE fine-tuned
**              model (trained on all their crossings; same link count
**              required); empty = the module alone (group = its id)
**   calib      a CALVALUE (0..4095, 2048 = unity) applied to every TC, or
**              a calibration file (dat_frontend_load_calib); empty = 2048.
**              Synthetic charges and 48-charge CSVs are multiplied by
**              CALVALUE/2048 (truncated, as the ECON-T does); ePortRX
**              files are decoded with it.
**
** Each module's crossings are split as everywhere in rad4ml: the first
** DAT_TRAIN_FRACTION train, the tail is the hold-out.  Synthetic crossings
** are seeded by the module id (not its position), so a module's data do not
** depend on the manifest order or on the shard that handles it.
*/
#ifndef RAD4ML_FLEET_H
#define RAD4ML_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/rad_err.h"
#include "data/dataset.h"
#include "model/model.h"

#define FLT_ID_MAX 48

typedef struct {
    char     id[FLT_ID_MAX + 1];
    char     data[1024];           /* "" = synthetic; else a resolved path  */
    double   occupancy, showers;
    int      hd;                   /* geometry: 0 ld, 1 hd                  */
    int      links;
    uint32_t calvalue;             /* uniform CALVALUE (when no calib file) */
    char     calib[1024];          /* calibration file (resolved) or ""     */
    char     group[FLT_ID_MAX + 1];/* its group (its id when alone)         */
    size_t   gi;                   /* group index, in order of first module */
    int      line;                 /* manifest line                         */
} flt_module;

typedef struct {
    flt_module *mod;
    size_t      n;
    size_t      n_groups;
    bool        grouped;           /* the manifest has the group column     */
    char        path[1024];
} flt_manifest;

/* Loads and checks a manifest; errors name file, line and column. */
int  flt_manifest_load(const char *path, flt_manifest *f, rad_err *err);
void flt_manifest_free(flt_manifest *f);

/* Index of module `id`, or -1. */
long flt_manifest_find(const flt_manifest *f, const char *id);

/* The module's crossings (n_synth synthetic ones, or the file's), with
** its calibration applied; seed mixes with the id. */
int  flt_module_data(const flt_module *m, size_t n_synth, uint64_t seed, dat_set *out,
                     rad_err *err);

/* Hash of a model's weights (FNV-1a 64 over the weights text), 16 hex. */
int  flt_model_hash(const mdl_model *m, char hex[17], rad_err *err);

/* ---- the fleet's tables (F/train.csv, F/images/index.csv, F/verify.csv) */

#define FLT_TRAIN_HEADER "id,geometry,links,train,holdout,base_emd,tuned_emd,kept,model_hash," \
                         "group"
#define FLT_TRAIN_FIELDS 10
#define FLT_INDEX_HEADER "id,image,checksum,model_hash,holdout_emd,links,words"
#define FLT_VERIFY_HEADER "id,image,links,crossings,compared,mismatches,skipped_reconfig," \
                          "readback_errors,result"

/* Splits a row at commas, in place, into at most max fields; the count. */
int  flt_csv_fields(char *line, char **f, int max);

/* Reads a table (after its provenance block of '#' lines, the first line
** must be `header`); rows[i] are malloc'd
** copies of the other lines (flt_rows_free). */
int  flt_table_read(const char *path, const char *header, char ***rows, size_t *n,
                    rad_err *err);
void flt_rows_free(char **rows, size_t n);

#endif
