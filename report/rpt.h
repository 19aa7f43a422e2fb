/*
** rpt.h — the rad4ml HTML report: one self-contained page (inline SVG, no
** script, no network) gathering what the other stages produced.
**
** Sections (report/README.md shows what each figure means):
**   1. reconstruction quality: the EMD table of `rad4ml eval --json` and
**      EMD-vs-occupancy plot; EMD histograms per algorithm, computed here
**      on the evaluation crossings (the eval JSON holds only statistics);
**   2. event display: input and autoencoder reconstruction of a few real
**      crossings drawn on the hexagonal module (TC centres, data/geometry.h);
**   3. SEU sensitivity map (`rad4ml seu --sens --json`), or a section
**      saying it is not available; 3b the upset-rate table (`seu
**      --rate-json`), 3c the single-event-transient table (`seu --set-json`);
**   4. area / logic depth / power table of `rad4ml synth --json`, with the
**      published ECON-T figures beside it.
** A missing input gives a "not available" section, never made-up numbers.
*/
#ifndef RAD4ML_RPT_H
#define RAD4ML_RPT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "common/rad_err.h"

typedef struct {
    const char *out;          /* report.html                              */
    const char *eval_json;    /* NULL or a file                           */
    const char *seu_json;
    const char *synth_json;
    const char *rate_json;    /* seu --rate-json                          */
    const char *set_json;     /* seu --set-json                           */
    const char *model;        /* NULL: built-in                           */
    const char *weights;
    const char *data;         /* NULL: the shared real data set           */
    int         n_hist;       /* crossings for the EMD histograms          */
    int         n_events;     /* crossings in the event display            */
    int         links;        /* output links; 0: the eval JSON's or model's */
    const char *fleet_dir;    /* NULL, or a `rad4ml fleet` folder: section 5 */
    bool        eval_given;   /* the input was named on the command line:  */
    bool        seu_given;    /* it must exist (a default path may be      */
    bool        synth_given;  /* missing: "not available")                 */
    bool        rate_given, set_given;
} rpt_opts;

void rpt_opts_default(rpt_opts *o);

/* Builds the page and writes it atomically.  When the EMD histograms and
** the event display cannot be computed (no data, bad model), the page is
** written without them and, if note is not NULL, note->code / note->msg
** say why (note->code stays RAD_OK otherwise); the caller decides whether
** to show it (the library prints nothing). */
int rpt_write(const rpt_opts *o, rad_err *note, rad_err *err);

/* ---- building blocks (used by the sections; tested on their own) ------ */

typedef struct {
    char  *s;
    size_t len, cap;
    int    oom;
} rpt_buf;

void rpt_printf(rpt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rpt_puts_esc(rpt_buf *b, const char *text);   /* HTML-escaped */
void rpt_buf_free(rpt_buf *b);

/* "Nice" axis ticks covering [lo, hi]: fills t[] (at most max), returns n. */
/* Round tick values for an axis lo..hi: at most max (<= RPT_MAX_TICKS) of
** them into t, which has room for RPT_MAX_TICKS; returns how many. */
#define RPT_MAX_TICKS 16
int  rpt_ticks(double lo, double hi, int max, double *t);
/* Colour of v in [0,1] on a perceptual (viridis-like) map, "#rrggbb". */
void rpt_color(double v, char out[8]);
/* Qualitative colour for series i. */
const char *rpt_series_color(int i);

/* A plot frame: pixel box, data ranges, and the axis titles. */
typedef struct {
    double x0, y0, w, h;      /* plot area in SVG pixels (y0 = top)       */
    double xmin, xmax, ymin, ymax;
    int    logy;
} rpt_axes;

double rpt_px(const rpt_axes *a, double x);
double rpt_py(const rpt_axes *a, double y);
/* Opens <svg id=...>, draws the frame, ticks, grid and axis titles. */
void rpt_svg_open(rpt_buf *b, const char *id, int width, int height,
                  const char *title);
void rpt_svg_axes(rpt_buf *b, const rpt_axes *a, const char *xlabel,
                  const char *ylabel);
void rpt_svg_legend(rpt_buf *b, double x, double y, const char *const *names,
                    int n);
void rpt_svg_close(rpt_buf *b);

#endif /* RAD4ML_RPT_H */
