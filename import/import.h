/*
** import.h — bring your own model: network files from other tools turned
** into a rad4ml model (model/model.h) that every subcommand accepts.
**
** One entry point per frontend; each frontend is one file (imp_keras.c
** reads Keras / QKeras HDF5).  A second frontend (QONNX, HGQ) adds a
** function here and a file beside it.  The library prints nothing: notes
** for the user come back in imp_result.
*/
#ifndef RAD4ML_IMPORT_H
#define RAD4ML_IMPORT_H

#include <stddef.h>

#include "model/model.h"

typedef struct {
    const char *path;        /* the HDF5 file (weights, and the architecture
                                in its model_config attribute)            */
    const char *arch_json;   /* architecture from this file instead (a
                                model.to_json() beside save_weights)      */
    const char *stop_at;     /* import up to and including this layer     */
    const char *pad;         /* "LAYER=same,...": user padding layers taken
                                as TensorFlow 'same' padding of the next conv */
    const char *quantize;    /* format for float Conv2D / Dense weights   */
    const char *bn_format;   /* format of weights + biases after folding a
                                BatchNormalization                         */
    const char *name;        /* model name (default: the Keras name)      */
} imp_opts;

typedef struct {
    char   notes[4096];      /* one line per note: ignored layers, folds,
                                float32 exactness of QKeras' accumulation */
    size_t len;
    int    exact;            /* 1: every step is bit-exact with QKeras    */
} imp_result;

/* Keras / QKeras HDF5 (Keras 2 layout: model_weights/ or save_weights).
** On success *out is a validated model (free with mdl_free). */
int imp_keras(const imp_opts *o, mdl_model **out, imp_result *res, rad_err *err);

/* Runs the model's engine on the inputs of a reference file and compares
** with its outputs, exactly (format in import/README.md: "rad4ml-io 1",
** then count, input and output sizes, then one vector per line: input
** raws, then the expected outputs as float32 decimals).  *n_vec and
** *n_mis receive the counts; a mismatch is RAD_EMISMATCH with the first
** difference in the message. */
int imp_verify(const mdl_model *m, const char *io_path, long *n_vec, long *n_mis, rad_err *err);

#endif
