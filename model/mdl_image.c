/*
** mdl_image.c — the weight image file: a checkable, $readmemh-readable text.
**
**   // rad4ml-image 1                       format version
**   // model-sha256: <64 hex>               the model description it is for
**   // word-bits: 1072                      word width W (multiple of 4)
**   // words: 12                            word count N
**   // rad4ml-provenance ...                common/rad_prov.h block
**   <N lines of W/4 hex digits>             word i = image bits [W i, W i + W),
**                                           most significant digit first
**   // crc32: 0x1234abcd                    CRC-32 (zlib / IEEE 802.3) of the
**                                           image bits as N*W/8 bytes, LSB first
**
** Every line that is not a word is a // comment, so Verilog's $readmemh
** reads the words and nothing else.  The bit stream is mdl_i2c_pack's
** (model_io.h), zero-padded to whole words.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/rad_file.h"
#include "model/model_io.h"

uint32_t mdl_image_crc(const uint8_t *bits, size_t nbytes)
{
    uLong c = crc32(0L, Z_NULL, 0);
    while (nbytes) {                       /* zlib takes uInt lengths */
        uInt n = nbytes > (1u << 30) ? (1u << 30) : (uInt)nbytes;
        c = crc32(c, bits, n);
        bits += n;
        nbytes -= n;
    }
    return (uint32_t)c;
}

/* Packs m into words of word_bits; *nbytes covers words * word_bits bits. */
static int pack_words(const mdl_model *m, int word_bits, uint8_t **img, size_t *words,
                      size_t *nbytes, rad_err *err)
{
    if (word_bits < 4 || word_bits % 4)
        return rad_errf(err, RAD_ERANGE, "weight image: %d-bit words: not a positive "
                        "multiple of 4", word_bits);
    size_t bits = mdl_i2c_bits(m);
    *words = (bits + (size_t)word_bits - 1) / (size_t)word_bits;
    *nbytes = (*words * (size_t)word_bits + 7) / 8;
    *img = calloc(*nbytes ? *nbytes : 1, 1);
    if (!*img)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    int rc = mdl_i2c_pack(m, *img, *nbytes, err);
    if (rc)
        free(*img);
    return rc;
}

static unsigned nibble(const uint8_t *img, size_t bit)
{
    return (img[bit / 8] >> (bit % 8)) & 0xf;       /* bit % 8 is 0 or 4 */
}

int mdl_image_write(const mdl_model *m, int word_bits, const rad_prov *prov,
                    const char *path, rad_err *err)
{
    uint8_t *img = NULL;
    size_t words = 0, nbytes = 0;
    int rc = pack_words(m, word_bits, &img, &words, &nbytes, err);
    if (rc)
        return rc;
    rad_prov p;
    if (prov)
        p = *prov;
    else
        rad_prov_init(&p, "image", "");
    snprintf(p.kind, sizeof p.kind, "image");
    mdl_prov_set(&p, m);
    rad_file f;
    if (!(rc = rad_file_open(&f, path, err))) {
        fprintf(f.fp, "// rad4ml-image %d\n// model-sha256: %s\n// word-bits: %d\n"
                      "// words: %zu\n", MDL_IMAGE_FORMAT, m->src_model.sha256, word_bits, words);
        rad_prov_text(f.fp, &p, "// ");
        for (size_t w = 0; w < words; w++) {
            for (int d = word_bits / 4 - 1; d >= 0; d--)
                fputc("0123456789abcdef"[nibble(img, w * (size_t)word_bits + (size_t)d * 4)],
                      f.fp);
            fputc('\n', f.fp);
        }
        fprintf(f.fp, "// crc32: 0x%08x\n", mdl_image_crc(img, nbytes));
        rc = rad_file_commit(&f, err);
    }
    free(img);
    return rc;
}

int mdl_i2c_write_hex(const mdl_model *m, int word_bits, const rad_prov *prov,
                      const char *path, rad_err *err)
{
    return mdl_image_write(m, word_bits, prov, path, err);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct {
    const char *path;
    int         line;
    bool        crc_seen;
    uint32_t    crc_file;
    size_t      got;          /* words read so far */
} img_reader;

/* Parses one header line "// key: value" into the image; 0 or an error. */
static int header_line(img_reader *r, mdl_image *im, const char *s, rad_err *err)
{
    char hex[80];
    long v;
    if (sscanf(s, "// model-sha256: %70s", hex) == 1) {
        if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
            return rad_errf(err, RAD_EPARSE, "%s:%d: model-sha256: not 64 hex digits",
                            r->path, r->line);
        memcpy(im->model_sha256, hex, 65);
    } else if (sscanf(s, "// word-bits: %ld", &v) == 1) {
        if (v < 4 || v % 4 || v > 1 << 20)
            return rad_errf(err, RAD_EPARSE, "%s:%d: word-bits %ld: not a multiple of 4 in "
                            "4..%d", r->path, r->line, v, 1 << 20);
        im->word_bits = (int)v;
    } else if (sscanf(s, "// words: %ld", &v) == 1) {
        if (v < 1 || v > 1 << 24)
            return rad_errf(err, RAD_EPARSE, "%s:%d: words %ld: out of range 1..%d",
                            r->path, r->line, v, 1 << 24);
        im->words = (size_t)v;
    } else if (sscanf(s, "// crc32: 0x%8s", hex) == 1) {
        char *end;
        r->crc_file = (uint32_t)strtoul(hex, &end, 16);
        if (*end || end == hex)
            return rad_errf(err, RAD_EPARSE, "%s:%d: crc32: not a hex number", r->path, r->line);
        r->crc_seen = true;
    }
    return RAD_OK;
}

/* Stores one data line (word r->got) into im->bits. */
static int word_line(img_reader *r, mdl_image *im, const char *s, size_t len, rad_err *err)
{
    if (!im->word_bits || !im->words || !im->model_sha256[0])
        return rad_errf(err, RAD_EPARSE, "%s:%d: a word before the header (model-sha256, "
                        "word-bits, words) is complete", r->path, r->line);
    if (r->crc_seen)
        return rad_errf(err, RAD_EPARSE, "%s:%d: a word after the crc32 line", r->path, r->line);
    size_t nd = (size_t)im->word_bits / 4;
    if (len != nd || strspn(s, "0123456789abcdefABCDEF") < nd)
        return rad_errf(err, RAD_EPARSE, "%s:%d: not a word of %zu hex digits", r->path,
                        r->line, nd);
    if (r->got >= im->words)
        return rad_errf(err, RAD_EPARSE, "%s:%d: more words than the %zu of the header",
                        r->path, r->line, im->words);
    if (!im->bits) {
        im->nbytes = (im->words * (size_t)im->word_bits + 7) / 8;
        if (!(im->bits = calloc(im->nbytes, 1)))
            return rad_errf(err, RAD_ENOMEM, "out of memory");
    }
    for (size_t d = 0; d < nd; d++) {
        char c = s[nd - 1 - d];
        unsigned v = (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        size_t bit = r->got * (size_t)im->word_bits + d * 4;
        im->bits[bit / 8] |= (uint8_t)(v << (bit % 8));
    }
    r->got++;
    return RAD_OK;
}

/* Checks what only the whole file can tell: word count and CRC. */
static int finish(img_reader *r, mdl_image *im, rad_err *err)
{
    if (!im->bits)
        return rad_errf(err, RAD_EPARSE, "%s: no weight words", r->path);
    if (r->got != im->words)
        return rad_errf(err, RAD_EPARSE, "%s: %zu words, the header says %zu (truncated?)",
                        r->path, r->got, im->words);
    if (!r->crc_seen)
        return rad_errf(err, RAD_EPARSE, "%s: no '// crc32:' line after the words "
                        "(truncated?)", r->path);
    im->crc = mdl_image_crc(im->bits, im->nbytes);
    if (im->crc != r->crc_file)
        return rad_errf(err, RAD_EMISMATCH, "%s: CRC-32 of the words is 0x%08x, the file "
                        "says 0x%08x: the image is corrupted", r->path, im->crc, r->crc_file);
    return RAD_OK;
}

/* Walks the lines of text; contract: fills im or returns an error naming
** path:line (the caller frees im->bits either way). */
static int parse_image(const char *text, size_t len, const char *path, mdl_image *im,
                       rad_err *err)
{
    img_reader r = { .path = path };
    const char *end = text + len;
    int rc = RAD_OK;
    for (const char *p = text; p < end && !rc; ) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        size_t n = (size_t)(e - p);
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
            n--;
        char buf[2048];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), p);
        r.line++;
        if (r.line == 1 && sscanf(buf, "// rad4ml-image %d", &im->format) != 1)
            rc = rad_errf(err, RAD_EPARSE, "%s:1: not a rad4ml weight image (first line "
                          "is not '// rad4ml-image N'; images written before format 1 have "
                          "no header: regenerate it)", path);
        else if (r.line == 1 && im->format != MDL_IMAGE_FORMAT)
            rc = rad_errf(err, RAD_EPARSE, "%s:1: image format %d, this rad4ml reads %d",
                          path, im->format, MDL_IMAGE_FORMAT);
        else if (n >= 2 && p[0] == '/' && p[1] == '/')
            rc = header_line(&r, im, buf, err);
        else if (n)
            rc = word_line(&r, im, p, n, err);
        p = e + 1;
    }
    return rc ? rc : finish(&r, im, err);
}

int mdl_image_read(const char *path, mdl_image *im, rad_err *err)
{
    memset(im, 0, sizeof *im);
    char *text;
    size_t len;
    int rc = rad_read_all(path, &text, &len, err);
    if (rc)
        return rc;
    if (strlen(text) != len)
        rc = rad_errf(err, RAD_EPARSE, "%s: contains a NUL byte (not a weight image)", path);
    else
        rc = parse_image(text, len, path, im, err);
    free(text);
    if (rc) {
        free(im->bits);
        im->bits = NULL;
    }
    return rc;
}

void mdl_image_free(mdl_image *im)
{
    free(im->bits);
    im->bits = NULL;
}

int mdl_image_unpack(const mdl_image *im, const char *path, mdl_model *m, rad_err *err)
{
    if (strcmp(im->model_sha256, m->src_model.sha256))
        return rad_errf(err, RAD_EMISMATCH, "%s: the image is for model sha256:%.16s..., the "
                        "model given (%s) is sha256:%.16s... (use --model with the image's "
                        "model)", path, im->model_sha256, m->src_model.name,
                        m->src_model.sha256);
    size_t need = mdl_i2c_bits(m);
    size_t words = (need + (size_t)im->word_bits - 1) / (size_t)im->word_bits;
    if (words != im->words)
        return rad_errf(err, RAD_ESCHEMA, "%s: %zu words of %d bits, the model needs %zu",
                        path, im->words, im->word_bits, words);
    return mdl_i2c_unpack(m, im->bits, im->nbytes, err);
}

int mdl_weights_compare(const mdl_model *a, const mdl_model *b, char *where, size_t len)
{
    for (int i = 0; i < a->n_layers; i++) {
        const mdl_layer *x = &a->layers[i], *y = &b->layers[i];
        for (int part = 0; part < 2; part++) {
            const int64_t *u = part ? x->b : x->w, *v = part ? y->b : y->w;
            size_t n = part ? x->n_b : x->n_w;
            for (size_t k = 0; k < n; k++)
                if (u[k] != v[k]) {
                    snprintf(where, len, "layer %d (%s) %s index %zu: %lld against %lld", i,
                             x->name, part ? "bias" : "kernel", k, (long long)u[k],
                             (long long)v[k]);
                    return 1;
                }
        }
    }
    return 0;
}
