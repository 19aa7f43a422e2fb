/*
** rad_prov.h — provenance: what produced an artifact.
**
** Every file rad4ml writes (JSON, CSV, weight image, generated RTL / HLS,
** HTML) carries one provenance block, written by this module only:
**
**   kind       what the file is ("eval", "seu", "synth", "image", "rtl", ...)
**   rad4ml     the tool version and source revision (`git describe` at build
**              time, baked in by the Makefile; "unknown" outside git)
**   command    the subcommand that wrote it
**   model      name + SHA-256 of the model description file, or "built-in"
**              + SHA-256 of the built-in bytes
**   weights    the same for the weights
**   data       data file + SHA-256 + rows used (absent when no data are read)
**   links      output links the figures are for (0 = not applicable)
**   options    the options that change the result, as one string
**   date       UTC, ISO 8601 (SOURCE_DATE_EPOCH honoured); omitted when
**              `deterministic` is set (generated RTL / HLS: same inputs,
**              same bytes)
**
** In JSON it is the object "provenance" (rad_prov_json / rad_prov_from_json);
** in text files it is a run of comment lines ("// " for hex and Verilog,
** "# " for CSV) of the form "<prefix>rad4ml-provenance <key>: <value>".
** SHA-256 comes from libmd (Debian libmd-dev), see README "Dependencies".
*/
#ifndef RAD4ML_RAD_PROV_H
#define RAD4ML_RAD_PROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "rad_err.h"

#define RAD_VERSION   "0.1.0"
#define RAD_SHA256_HEX 65      /* 64 hex digits + NUL */

/* One input of a result: a file (or built-in / in-memory text) and its hash. */
typedef struct {
    char name[1024];             /* path as given, "built-in", or a description */
    char sha256[RAD_SHA256_HEX]; /* lower-case hex; "" = not set              */
} rad_prov_src;

typedef struct {
    char         kind[32];       /* artifact kind, see the list above          */
    char         command[32];    /* subcommand name ("eval", "gen", ...)        */
    char         version[32];    /* RAD_VERSION when written by this build      */
    char         revision[64];   /* git describe of the source, or "unknown"    */
    rad_prov_src model;
    rad_prov_src weights;
    rad_prov_src data;
    long         rows;           /* data rows (crossings) used; -1 = no data    */
    int          links;          /* output links of the figures; 0 = n/a        */
    char         options[1024];  /* options that matter, "k=v k=v ..."          */
    char         date[32];       /* "" when deterministic                       */
    bool         deterministic;  /* leave the date out                          */
} rad_prov;

/* Source revision baked in at build time ("unknown" outside git). */
const char *rad_revision(void);

/* SHA-256 of a buffer / of a whole file as 64 lower-case hex digits. */
void rad_sha256_hex(const void *data, size_t n, char out[RAD_SHA256_HEX]);
int  rad_sha256_file(const char *path, char out[RAD_SHA256_HEX], rad_err *err);

/* Starts a block for one artifact: version, revision and date of now;
** no model, weights or data yet (rows -1, links 0). */
void rad_prov_init(rad_prov *p, const char *kind, const char *command);

/* Sets an input from a file (name = path, hash of its bytes) or from bytes
** in memory (name as given, e.g. "built-in"). */
int  rad_prov_src_file(rad_prov_src *s, const char *path, rad_err *err);
void rad_prov_src_mem(rad_prov_src *s, const char *name, const void *data, size_t n);

/* Appends "key=value" to the options string (space separated). */
void rad_prov_opt(rad_prov *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The block as a JSON object (new reference; NULL on out-of-memory). */
json_t *rad_prov_json(const rad_prov *p);

/* Reads a block back from a JSON document's "provenance" object.
** `file` is used in messages.  RAD_ESCHEMA when absent or malformed. */
int rad_prov_from_json(const json_t *root, const char *file, rad_prov *p, rad_err *err);

/* Writes the block as comment lines, each "<prefix>rad4ml-provenance
** <key>: <value>\n" (prefix "// " or "# "). */
void rad_prov_text(FILE *fp, const rad_prov *p, const char *prefix);

/* Same into a malloc'd string (for writers that build text in memory). */
char *rad_prov_text_str(const rad_prov *p, const char *prefix);

/* True when two blocks name the same model and weights (by hash). */
bool rad_prov_same_model(const rad_prov *a, const rad_prov *b);

#endif
