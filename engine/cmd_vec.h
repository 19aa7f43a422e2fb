/*
** cmd_vec.h — options shared by `rad4ml run` and `rad4ml diff`: which model
** (built-in default, --model/--weights, --random-model, --links) and how the
** input file is read (--in-format, ePortRX front end --mapping/--calib).
*/
#ifndef RAD4ML_CMD_VEC_H
#define RAD4ML_CMD_VEC_H

#include <getopt.h>
#include "engine/eng_vec.h"

typedef struct {
    const char  *model, *weights, *mapping, *calib;
    long         random_model;      /* -1: none                      */
    long         links;             /* 0: the model's                */
    eng_in_kind  in_kind;
} cmd_vec_opts;

/* getopt_long entries of the shared options (codes 0x100..0x106); end the
** caller's table with CMD_VEC_OPTIONS then its own and the zero entry. */
#define CMD_VEC_OPTIONS                                                          \
    { "model", required_argument, 0, 0x100 }, { "weights", required_argument, 0, 0x101 }, \
    { "random-model", required_argument, 0, 0x102 }, { "links", required_argument, 0, 0x103 }, \
    { "in-format", required_argument, 0, 0x104 }, { "mapping", required_argument, 0, 0x105 }, \
    { "calib", required_argument, 0, 0x106 }

#define CMD_VEC_HELP                                                             \
    "  --model FILE        model (default: built-in ECON-T)\n"                  \
    "  --weights FILE      weights (default: the model's own)\n"                \
    "  --random-model S    a small random model (as `rad4ml gen --random-model`)\n" \
    "  --links N           output links (latent bits; default: the model's)\n"  \
    "  --in-format F       auto (default: 12 columns ePortRX, n_cells charges),\n" \
    "                      csv, eportrx, or tensor (decimal input values on the\n" \
    "                      grid of the input format, fed past the converter)\n" \
    "  --mapping FILE      ePortRX TC mapping CSV (default: built-in LD mapping)\n" \
    "  --calib FILE        ePortRX calibration, 48 CALVALUEs (default pass-through)\n"

void cmd_vec_init(cmd_vec_opts *o);
/* Handles one shared option: 1 taken, 0 not ours, -1 bad value (printed). */
int  cmd_vec_opt(cmd_vec_opts *o, int c, const char *arg, const char *cmd);
/* Loads and validates the model of the options. */
int  cmd_vec_model(const cmd_vec_opts *o, mdl_model **out, rad_err *err);
/* The ePortRX front end of the options. */
int  cmd_vec_frontend(const cmd_vec_opts *o, dat_frontend *fe, rad_err *err);

#endif
