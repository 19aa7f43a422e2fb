/*
** rpt_plot.c — text buffer, HTML escaping and the small SVG plotting kit
** of the report: axes with "nice" ticks, legends, colour maps.
*/
#include "report/rpt.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rpt_printf(rpt_buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t nc = (b->cap ? b->cap * 2 : 1 << 16) + (size_t)n;
        char *s = realloc(b->s, nc);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = nc;
    }
}

void rpt_puts_esc(rpt_buf *b, const char *t)
{
    for (; t && *t; t++) {
        switch (*t) {
        case '<': rpt_printf(b, "&lt;"); break;
        case '>': rpt_printf(b, "&gt;"); break;
        case '&': rpt_printf(b, "&amp;"); break;
        case '"': rpt_printf(b, "&quot;"); break;
        default:  rpt_printf(b, "%c", *t);
        }
    }
}

void rpt_buf_free(rpt_buf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

int rpt_ticks(double lo, double hi, int max, double *t)
{
    assert(max <= RPT_MAX_TICKS);
    if (!(hi > lo) || max < 2) {
        t[0] = lo;
        return 1;
    }
    double raw = (hi - lo) / (max - 1), mag = pow(10, floor(log10(raw)));
    double steps[] = { 1, 2, 2.5, 5, 10 }, step = 10 * mag;
    for (int i = 0; i < 5; i++)
        if (steps[i] * mag >= raw) {
            step = steps[i] * mag;
            break;
        }
    int n = 0;
    double k0 = ceil(lo / step - 1e-9);
    for (double v = k0 * step; v <= hi + 1e-9 * step && n < max; v = (k0 + n) * step)
        t[n++] = fabs(v) < 1e-12 * step ? 0 : v;
    return n;
}

/* Viridis, sampled at 9 points and interpolated linearly. */
void rpt_color(double v, char out[8])
{
    static const unsigned char P[9][3] = {
        { 68, 1, 84 }, { 71, 44, 122 }, { 59, 81, 139 }, { 44, 113, 142 },
        { 33, 144, 141 }, { 39, 173, 129 }, { 92, 200, 99 }, { 170, 220, 50 },
        { 253, 231, 37 } };
    if (!(v >= 0))
        v = 0;
    if (v > 1)
        v = 1;
    double f = v * 8;
    int i = (int)f;
    if (i > 7)
        i = 7;
    f -= i;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(P[i][k] + f * (P[i + 1][k] - P[i][k]));
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

const char *rpt_series_color(int i)
{
    static const char *C[] = { "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e",
                               "#9467bd", "#8c564b", "#e377c2", "#7f7f7f" };
    return C[(i % 8 + 8) % 8];
}

double rpt_px(const rpt_axes *a, double x)
{
    return a->x0 + (x - a->xmin) / (a->xmax - a->xmin) * a->w;
}

double rpt_py(const rpt_axes *a, double y)
{
    if (a->logy) {
        double l = log10(y > a->ymin ? y : a->ymin);
        return a->y0 + a->h - (l - log10(a->ymin)) / (log10(a->ymax) - log10(a->ymin)) * a->h;
    }
    return a->y0 + a->h - (y - a->ymin) / (a->ymax - a->ymin) * a->h;
}

void rpt_svg_open(rpt_buf *b, const char *id, int width, int height, const char *title)
{
    rpt_printf(b, "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
               "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
               id, width, height, width, height);
    if (title) {
        rpt_printf(b, "<text x=\"%d\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" "
                   "font-weight=\"bold\">", width / 2);
        rpt_puts_esc(b, title);
        rpt_printf(b, "</text>\n");
    }
}

static void fmt_tick(double v, char *buf, size_t n)
{
    if (v != 0 && (fabs(v) >= 1e5 || fabs(v) < 1e-3))
        snprintf(buf, n, "%.0e", v);
    else
        snprintf(buf, n, "%g", v);
}

void rpt_svg_axes(rpt_buf *b, const rpt_axes *a, const char *xlabel, const char *ylabel)
{
    double t[RPT_MAX_TICKS];
    char s[32];
    int n = rpt_ticks(a->xmin, a->xmax, 8, t);
    for (int i = 0; i < n; i++) {
        double x = rpt_px(a, t[i]);
        fmt_tick(t[i], s, sizeof s);
        rpt_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                   x, a->y0, x, a->y0 + a->h, x, a->y0 + a->h + 15, s);
    }
    if (a->logy) {
        for (double d = pow(10, ceil(log10(a->ymin))); d <= a->ymax * 1.0001; d *= 10) {
            double y = rpt_py(a, d);
            fmt_tick(d, s, sizeof s);
            rpt_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                       a->x0, y, a->x0 + a->w, y, a->x0 - 5, y + 4, s);
        }
    } else {
        n = rpt_ticks(a->ymin, a->ymax, 6, t);
        for (int i = 0; i < n; i++) {
            double y = rpt_py(a, t[i]);
            fmt_tick(t[i], s, sizeof s);
            rpt_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                       a->x0, y, a->x0 + a->w, y, a->x0 - 5, y + 4, s);
        }
    }
    rpt_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"black\"/>\n", a->x0, a->y0, a->w, a->h);
    rpt_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", a->x0 + a->w / 2,
               a->y0 + a->h + 33);
    rpt_puts_esc(b, xlabel);
    rpt_printf(b, "</text>\n<text transform=\"translate(%.1f,%.1f) rotate(-90)\" "
               "text-anchor=\"middle\">", a->x0 - 45, a->y0 + a->h / 2);
    rpt_puts_esc(b, ylabel);
    rpt_printf(b, "</text>\n");
}

void rpt_svg_legend(rpt_buf *b, double x, double y, const char *const *names, int n)
{
    rpt_printf(b, "<g class=\"legend\">\n");
    for (int i = 0; i < n; i++) {
        rpt_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"4\" fill=\"%s\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\">", x, y + 16 * i - 4, rpt_series_color(i),
                   x + 20, y + 16 * i + 1);
        rpt_puts_esc(b, names[i]);
        rpt_printf(b, "</text>\n");
    }
    rpt_printf(b, "</g>\n");
}

void rpt_svg_close(rpt_buf *b)
{
    rpt_printf(b, "</svg>\n");
}
