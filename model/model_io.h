/*
** model_io.h — loading, saving, checking and packing rad4ml models.
**
** A model lives in two text files (documented in model/FORMAT.md):
**   * the description, JSON (layers, shapes, fixed-point formats, converter,
**     output links, float decoder), and
**   * the weights, a line-oriented text file: the raw integer weights of
**     every encoder layer and the float weights of the decoder.
** The built-in default (the ECON-T encoder + decoder, model/econt.json +
** model/econt.weights) is compiled into the library.
**
** Every mdl_model handed out by this module owns its arrays (map, w, b,
** dec_map, decoder w/b) and is released with mdl_free.  All functions are
** reentrant; nothing is printed.  Errors name the file and the line or the
** JSON path, e.g. "m.json: layers[1].w_fmt: bad format ...".
*/
#ifndef RAD4ML_MODEL_IO_H
#define RAD4ML_MODEL_IO_H

#include <stddef.h>
#include <stdint.h>
#include "model/model.h"

/* Most latent values a model may produce (the engine's fixed buffers). */
#define MDL_MAX_LATENT 64

/* ---- loading / saving ------------------------------------------------ */

/* Loads and validates a model.  weights_path may be NULL: then the JSON's
** "weights" field (relative to the JSON's directory) is used, or failing
** that the JSON path with its extension replaced by ".weights".
** On success *out is a new model (mdl_free it); on error *out is NULL. */
int mdl_load(const char *model_path, const char *weights_path,
             mdl_model **out, rad_err *err);

/* Same from texts in memory; the names are used in error messages only.
** weights_text may be NULL: every weight is then zero (a "shape only"
** model, still validated). */
int mdl_parse(const char *json_text, const char *json_name,
              const char *weights_text, const char *weights_name,
              mdl_model **out, rad_err *err);

/* Loads only the description: every weight zero (for a trainer that
** starts from scratch, or to create a weights file). */
int mdl_load_json(const char *model_path, mdl_model **out, rad_err *err);

/* The built-in ECON-T model (model/econt.json + model/econt.weights as they
** were at build time). */
int mdl_load_default(mdl_model **out, rad_err *err);

/* The built-in texts themselves (NUL-terminated, static). */
const char *mdl_default_json(void);

/* The built-in default at `links` output links: the trained model shipped
** for that link count (listed in train/trained/defaults.txt, N = 2..5,
** compiled in), else the ECON-T default (model/econt.json, its specified decoder) set
** to `links` (links <= 0: left at its own). */
int mdl_load_default_links(int links, mdl_model **out, rad_err *err);
/* The JSON text of the model shipped for `links`, NULL if none. */
const char *mdl_default_links_json(int links);
const char *mdl_default_weights(void);

/* Replaces every weight of m with those of a weights file (the layer
** names, shapes and formats of m must match the file's headers). */
int mdl_load_weights(mdl_model *m, const char *weights_path, rad_err *err);

/* Writes the description and the weights, each atomically (rad_file).
** weights_path may be NULL: "<model_path minus .json>.weights"; the JSON's
** "weights" field then names that file (relative). */
int mdl_save(const mdl_model *m, const char *model_path,
             const char *weights_path, rad_err *err);

/* Writes only the weights file (what the trainer emits). */
int mdl_save_weights(const mdl_model *m, const char *weights_path, rad_err *err);

/* Same with a provenance block (command, data, options of prov; kind and the
** model's sources set here): "provenance" in the JSON, '#' lines in the
** weights file.  The plain versions write a block with no command. */
int mdl_save_prov(const mdl_model *m, const char *model_path, const char *weights_path,
                  const rad_prov *prov, rad_err *err);
int mdl_save_weights_prov(const mdl_model *m, const char *weights_path, const rad_prov *prov,
                          rad_err *err);

/* Texts of the description / weights, malloc'd (caller frees). */
char *mdl_json_text(const mdl_model *m);
char *mdl_weights_text(const mdl_model *m);

/* Frees a model and its arrays (m itself must come from malloc/calloc,
** as every model this module returns does). */
void mdl_free(mdl_model *m);

/* Deep copy; NULL on out-of-memory. */
mdl_model *mdl_clone(const mdl_model *m);

/* Checks everything the loader checks on a model built in memory: shapes
** chained layer to layer, array sizes, each raw weight within its format,
** formats valid, map indices in range, F_bias <= F_acc, converter and
** output settings, decoder shapes, dec_map.  RAD_OK or an error naming
** the layer ("layers[1] (conv1): ..."). */
int mdl_validate(const mdl_model *m, rad_err *err);

/* ---- building models in memory ------------------------------------- */

/* Fills in derived shapes (layer i's `in` = layer i-1's `out`, the out
** shape of every layer from its parameters) and allocates zeroed w/b/map
** arrays of the right sizes where they are NULL.  Used by the loader and
** by code that builds a model by hand; call mdl_validate afterwards. */
int mdl_finish(mdl_model *m, rad_err *err);

/* Deterministic pseudo-random weights for tests and placeholders: encoder
** raw weights uniform over each format's range (biases over a quarter of
** it), decoder floats uniform +-sqrt(6/(fan_in+fan_out)). */
void mdl_init_random(mdl_model *m, uint64_t seed);

/* ---- converter and output settings ---------------------------------- */

/* Selects the number of output links (1..MDL_MAX_LINKS). */
int mdl_set_links(mdl_model *m, int n_links, rad_err *err);

/* Bits sent per latent value at the model's n_links
** (out.bits_by_links[n_links], capped at the last layer's width). */
int mdl_latent_bits(const mdl_model *m);

/* Number of latent values (size of the last encoder layer's output). */
int mdl_latent_count(const mdl_model *m);

/* Values the decoder reads: the latent values, then the n_cond
** conditions (model.h, mdl_cond). */
int mdl_dec_in_count(const mdl_model *m);

/* The decoder conditions of one crossing from its SENT module-sum code
** (bit-exact with the back end: the code goes through mdl_sum_decode) and
** the model's n_links; v gets m->n_cond values.  Every decoder (engine and
** trainer) takes its conditions from here. */
void mdl_cond_values(const mdl_model *m, uint32_t sum_code, double *v);

const char *mdl_cond_name(mdl_cond_kind k);          /* "log_sum", "n_links" */
int mdl_cond_parse(const char *s, mdl_cond_kind *k); /* 0, or -1 if unknown  */

/* Format of a SENT latent value: the last layer's out_fmt cut to
** mdl_latent_bits() total bits, same integer bits, TRN, SAT. */
fxp_fmt mdl_latent_fmt(const mdl_model *m);

/* floor(log2(sum)), 0 for sum == 0 (the converter's MSB). */
int mdl_msb(uint64_t sum);

/* Module sum as a small unsigned float, bit-exact with the ECON-T emulator
** (Utils/encode.py encode(sum, 0, E, M), truncating):
**   sum < 2^M            -> exponent 0, mantissa = sum
**   else e = msb - M + 1 -> mantissa = the M bits below the leading one
**                           (truncated), exponent = e
**   e >= 2^E             -> all ones (saturation)
** code = exponent << M | mantissa. */
uint32_t mdl_sum_encode(const mdl_input *in, uint64_t sum);

/* Smallest sum that encodes to `code` (exact for codes with exponent 0). */
uint64_t mdl_sum_decode(const mdl_input *in, uint32_t code);

/* MSB of the sum as the receiver knows it from the code (== the encoder's
** msb for every non-saturated code). */
int mdl_sum_code_msb(const mdl_input *in, uint32_t code);

/* ---- I2C weight image ------------------------------------------------ */

/* Total bits of the register image: the sum over encoder layers, in layer
** order, of n_w * W(w_fmt) then n_b * W(b_fmt) (12,864 for ECON-T). */
size_t mdl_i2c_bits(const mdl_model *m);

/* Packs every raw weight as a W-bit two's-complement field, LSB-first into
** the bit stream (bit k of the image = byte k/8, bit k%8), in the order
** above: layer by layer, kernel (mdl.h index order) then bias.
** nbytes must be >= (mdl_i2c_bits+7)/8; unused high bits are zero. */
int mdl_i2c_pack(const mdl_model *m, uint8_t *img, size_t nbytes, rad_err *err);

/* Reverse: sets every weight of m from the image (sign-extending). */
int mdl_i2c_unpack(mdl_model *m, const uint8_t *img, size_t nbytes, rad_err *err);

/* ---- weight image file (mdl_image.c; format in model/FORMAT.md) ------- */

#define MDL_IMAGE_FORMAT 1

/* The image as the emulator's CSV holds it: words of word_bits bits
** (1072 on ECON-T; 32 for the cfg-bus image of `gen`), one hex number per
** line, word 0 = image bits [0, word_bits), most significant hex digit
** first; before the words a // header (format, model SHA-256, word width,
** word count, provenance block), after them a // CRC-32 line.  prov may be
** NULL; its kind, model and weights are set here.  Atomic write. */
int mdl_image_write(const mdl_model *m, int word_bits, const rad_prov *prov,
                    const char *path, rad_err *err);
/* Same (the name the trainer and `info --i2c-hex` know). */
int mdl_i2c_write_hex(const mdl_model *m, int word_bits, const rad_prov *prov,
                      const char *path, rad_err *err);

/* An image read back: header fields and the bit stream. */
typedef struct {
    int      format;                     /* MDL_IMAGE_FORMAT                 */
    char     model_sha256[RAD_SHA256_HEX];
    int      word_bits;
    size_t   words;
    uint8_t *bits;                       /* words * word_bits bits, LSB first */
    size_t   nbytes;
    uint32_t crc;                        /* CRC-32 of bits (checked)          */
} mdl_image;

/* Reads and checks an image file: header, every word's digit count, word
** count, CRC-32.  Errors name path:line.  mdl_image_free afterwards. */
int  mdl_image_read(const char *path, mdl_image *im, rad_err *err);
void mdl_image_free(mdl_image *im);

/* Sets m's weights from the image; refuses an image written for another
** model (SHA-256 of the description) or of the wrong size. */
int mdl_image_unpack(const mdl_image *im, const char *path, mdl_model *m, rad_err *err);

/* CRC-32 (IEEE 802.3, zlib's crc32) of a byte buffer. */
uint32_t mdl_image_crc(const uint8_t *bits, size_t nbytes);

/* 0 when a and b (same shapes) hold the same encoder weights; else 1 and
** the first difference ("layer 1 (conv) kernel index 17: 3 against 5"). */
int mdl_weights_compare(const mdl_model *a, const mdl_model *b, char *where, size_t len);

/* ---- provenance (common/rad_prov.h) ---------------------------------- */

/* mdl_load / mdl_parse / mdl_load_default / mdl_load_weights record where
** the description and the weights came from in m->src_model / src_weights
** (path or "built-in", SHA-256 of the bytes read).  Weights or models made
** in memory are named here and hashed by their canonical text
** (mdl_weights_text / mdl_json_text). */
void mdl_prov_weights_mem(mdl_model *m, const char *name);
void mdl_prov_model_mem(mdl_model *m, const char *name);

/* Copies the model's sources and its n_links into a provenance block. */
void mdl_prov_set(rad_prov *p, const mdl_model *m);

/* Loads a model the way the commands do (model NULL = built-in; weights
** NULL = the model's own) only to copy its sources into p (mdl_prov_set). */
int mdl_prov_load(rad_prov *p, const char *model, const char *weights, rad_err *err);
/* Same, the built-in being the default shipped for `links` (0: ECON-T's). */
int mdl_prov_load_links(rad_prov *p, const char *model, const char *weights, int links,
                        rad_err *err);

/* ---- descriptions ---------------------------------------------------- */

/* Sets k's padding to Keras' padding='same' for its size and stride on an
** input of shape `in`: TensorFlow's conv padding (output ceil(in/stride),
** the smaller half top/left) or, with transpose, the Conv2DTranspose crop
** max(k - s, 0). */
void mdl_kernel_same(mdl_kernel *k, mdl_shape in, bool transpose);

const char *mdl_kind_name(mdl_kind k);     /* "map", "conv2d", ...   */
const char *mdl_fkind_name(mdl_fkind k);   /* "dense", "conv2d_transpose" */
const char *mdl_act_name(mdl_act a);       /* "linear", "relu", ...  */

size_t mdl_param_count(const mdl_model *m); /* encoder weights + biases */
size_t mdl_layer_macs(const mdl_layer *l);  /* multiply-accumulates, all taps
                                               including padded ones */
size_t mdl_macs(const mdl_model *m);        /* sum over encoder layers   */
/* The float decoder's back-end cost: weights + biases, and multiply-
** accumulates per crossing (dense in*out; conv every tap of every output
** pixel; conv-transpose every tap of every input pixel, cropped or not). */
size_t mdl_dec_param_count(const mdl_model *m);
size_t mdl_flayer_macs(const mdl_flayer *l);
size_t mdl_dec_macs(const mdl_model *m);

#endif /* RAD4ML_MODEL_IO_H */
