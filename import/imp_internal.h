/*
** imp_internal.h — helpers shared by the import/ frontends only.
*/
#ifndef RAD4ML_IMP_INTERNAL_H
#define RAD4ML_IMP_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "fixedpoint/fxp.h"
#include "common/rad_err.h"

/* A QKeras quantizer (or a plain activation in its place) reduced to what
** rad4ml can express exactly. */
typedef enum { IMP_Q_LINEAR, IMP_Q_RELU, IMP_Q_BITS, IMP_Q_QRELU } imp_qkind;

typedef struct {
    imp_qkind kind;
    int       bits, integer;     /* IMP_Q_BITS / IMP_Q_QRELU */
    int       keep_negative, symmetric;
    char      text[96];          /* as written, for messages */
} imp_quant;

/* Reads a quantizer or activation given as a string
** ("quantized_bits(8,1,alpha=1)", "relu") or as a Keras-serialized dict
** ({"class_name": "quantized_bits", "config": {...}}).  v == NULL or JSON
** null gives IMP_Q_LINEAR.  Anything rad4ml cannot reproduce bit for bit
** (alpha 'auto' / 'auto_po2' / other scales, stochastic rounding, po2,
** sigmoid or leaky relu variants, unknown classes) is an error whose
** message starts with `where` and names the quantizer and the reason. */
int imp_quant_parse(json_t *v, const char *where, imp_quant *q, rad_err *err);

/* The fixed-point format of a quantizer's output (round half to even,
** saturating as QKeras clips): quantized_bits(b, i) signed is
** fixed<b, i+1, RND_CONV, SAT> (SAT_SYM when symmetric), unsigned
** ufixed<b, i, RND_CONV, SAT>; quantized_relu(b, i) ufixed<b, i, RND_CONV, SAT>. */
fxp_fmt imp_quant_fmt(const imp_quant *q);

/* QKeras' own arithmetic on one float32 value: the raw integer of
** clip(round_half_even(x * 2^F), lo, hi) computed in float32 as QKeras
** does (x * m / 2^integer). */
int64_t imp_quant_raw(const imp_quant *q, float x);

#endif
