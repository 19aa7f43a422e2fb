/*
** rpt_sections.c — the report's sections: EMD table and histograms, event
** display, SEU sensitivity map, area / latency / power table.
*/
#include "report/rpt_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/geometry.h"

void rpt_not_available(rpt_buf *b, const char *what, const char *path, const char *why)
{
    rpt_printf(b, "<p class=\"na\"><b>Not available:</b> %s", what);
    if (path) {
        rpt_printf(b, " (<code>");
        rpt_puts_esc(b, path);
        rpt_printf(b, "</code>");
        if (why && why[0]) {
            rpt_printf(b, ": ");
            rpt_puts_esc(b, why);
        }
        rpt_printf(b, ")");
    }
    rpt_printf(b, ". Nothing is shown rather than made-up numbers.</p>\n");
}

double rpt_jnum(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* ---- 1. reconstruction quality ---------------------------------------- */

static void eval_table(rpt_buf *b, json_t *eval, const char *path)
{
    rpt_printf(b, "<p>From <code>");
    rpt_puts_esc(b, path);
    rpt_printf(b, "</code>: %.0f crossings of <code>", rpt_jnum(eval, "n"));
    rpt_puts_esc(b, jstr(eval, "data"));
    rpt_printf(b, "</code> (hold-out), %.0f output links = %.0f bits per crossing. "
               "EMD in units of the sensor-cell pitch (adjacent trigger cells are 2 apart); "
               "lower is better.</p>\n<table id=\"tab-emd\"><tr><th>algorithm</th>"
               "<th>bits / crossing</th><th>link budget</th><th>EMD median</th><th>mean</th><th>16 %%</th>"
               "<th>84 %%</th><th>worst 1 %%</th><th>empty output</th>"
               "<th>decoder parameters / MACs</th></tr>\n",
               rpt_jnum(eval, "links"), rpt_jnum(eval, "budget_bits"));
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(eval, "algorithms"), i, a) {
        json_t *e = json_object_get(a, "emd");
        rpt_printf(b, "<tr><td>");
        rpt_puts_esc(b, jstr(a, "description"));
        int over = json_is_true(json_object_get(a, "over_budget"));
        rpt_printf(b, "</td><td>%.1f</td><td>%s</td><td>%.3f</td><td>%.3f</td><td>%.3f</td>"
                   "<td>%.3f</td>", rpt_jnum(a, "bits_mean"), over ? "<b>over budget</b>" : "fits",
                   rpt_jnum(e, "median"), rpt_jnum(e, "mean"), rpt_jnum(e, "q16"), rpt_jnum(e, "q84"));
        if (isnan(rpt_jnum(e, "worst1")))          /* an eval JSON from before the column */
            rpt_printf(b, "<td>-</td>");
        else
            rpt_printf(b, "<td>%.3f</td>", rpt_jnum(e, "worst1"));
        rpt_printf(b, "<td>%.0f</td>", rpt_jnum(a, "empty_output"));
        json_t *d = json_object_get(a, "decoder");
        if (d) {
            rpt_printf(b, "<td>%.0f / %.0f (", rpt_jnum(d, "params"), rpt_jnum(d, "macs"));
            rpt_puts_esc(b, jstr(d, "conditions"));
            rpt_printf(b, ")</td></tr>\n");
        } else {
            rpt_printf(b, "<td>-</td></tr>\n");
        }
    }
    rpt_printf(b, "</table>\n");
}

/* SVG plot of the bits per crossing of each algorithm of the eval JSON
** (occupancy curves).  Borrows eval. */
static void occupancy_plot(rpt_buf *b, json_t *eval)
{
    json_t *algs = json_object_get(eval, "algorithms");
    rpt_axes ax = { 70, 35, 470, 250, 0, 1, 0, 1e-9, 0 };
    double xmax = 1;
    size_t i, k;
    json_t *a, *bin;
    json_array_foreach(algs, i, a)
        json_array_foreach(json_object_get(a, "by_occupancy"), k, bin) {
            double hi = json_is_number(json_object_get(bin, "occ_hi"))
                      ? rpt_jnum(bin, "occ_hi") : rpt_jnum(bin, "occ_lo") + 10;
            xmax = fmax(xmax, hi);
            double m = rpt_jnum(bin, "median");
            if (m > ax.ymax)
                ax.ymax = m;
        }
    ax.xmax = xmax;
    ax.ymax *= 1.1;
    rpt_svg_open(b, "fig-emd-occ", 720, 330, "Median EMD vs occupancy");
    rpt_svg_axes(b, &ax, "trigger cells above 1 MIP_T (bin range)", "median EMD (cell pitch)");
    const char *names[RPT_MAX_ALG + 3];
    int n = 0;
    json_array_foreach(algs, i, a) {
        if (n >= RPT_MAX_ALG + 3)
            break;
        names[n] = jstr(a, "name");
        rpt_printf(b, "<g stroke=\"%s\" fill=\"%s\">", rpt_series_color(n), rpt_series_color(n));
        double px = NAN, py = NAN;
        json_array_foreach(json_object_get(a, "by_occupancy"), k, bin) {
            double m = rpt_jnum(bin, "median");
            if (isnan(m))
                continue;
            double lo = rpt_jnum(bin, "occ_lo");
            double hi = json_is_number(json_object_get(bin, "occ_hi")) ? rpt_jnum(bin, "occ_hi")
                                                                      : lo + 10;
            double x = rpt_px(&ax, (lo + hi) / 2), y = rpt_py(&ax, m);
            rpt_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                       "stroke-width=\"1\"/>", rpt_px(&ax, lo), y, rpt_px(&ax, hi), y);
            if (!isnan(px))
                rpt_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                           "stroke-width=\"2\"/>", px, py, x, y);
            rpt_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"/>", x, y);
            px = x;
            py = y;
        }
        rpt_printf(b, "</g>\n");
        n++;
    }
    rpt_svg_legend(b, 560, 60, names, n);
    rpt_svg_close(b);
}

/* SVG histograms of the EMD of each algorithm over the q->n hold-out
** crossings. */
static void histograms(rpt_buf *b, const rpt_quality *q)
{
    enum { NB = 40 };
    double vmax = 0;
    for (int k = 0; k < q->n_alg; k++)
        for (int i = 0; i < q->n; i++)
            vmax = fmax(vmax, q->emd[k][i]);
    double t[RPT_MAX_TICKS];
    int nt = rpt_ticks(0, vmax > 0 ? vmax : 1, 8, t);
    double xmax = t[nt - 1] < vmax ? t[nt - 1] + (t[1] - t[0]) : t[nt - 1];
    double h[RPT_MAX_ALG][NB] = { { 0 } }, hmax = 1;
    int empty[RPT_MAX_ALG] = { 0 };
    for (int k = 0; k < q->n_alg; k++)
        for (int i = 0; i < q->n; i++) {
            double v = q->emd[k][i];
            if (v < 0) {
                empty[k]++;
                continue;
            }
            int bin = (int)(v / xmax * NB);
            h[k][bin < NB ? bin : NB - 1] += 1;
        }
    for (int k = 0; k < q->n_alg; k++)
        for (int i = 0; i < NB; i++)
            hmax = fmax(hmax, h[k][i]);
    rpt_axes ax = { 70, 35, 470, 250, 0, xmax, 0.5, hmax * 1.5, 1 };
    rpt_svg_open(b, "fig-emd-hist", 720, 330, "EMD distribution per algorithm");
    rpt_svg_axes(b, &ax, "EMD (sensor-cell pitch)", "crossings per bin");
    const char *names[RPT_MAX_ALG];
    for (int k = 0; k < q->n_alg; k++) {
        names[k] = q->name[k];
        rpt_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                   rpt_series_color(k));
        for (int i = 0; i < NB; i++) {
            double y = rpt_py(&ax, h[k][i] > 0 ? h[k][i] : ax.ymin);
            rpt_printf(b, "%.1f,%.1f %.1f,%.1f ", rpt_px(&ax, xmax * i / NB), y,
                       rpt_px(&ax, xmax * (i + 1) / NB), y);
        }
        rpt_printf(b, "\"/>\n");
    }
    rpt_svg_legend(b, 560, 60, names, q->n_alg);
    rpt_svg_close(b);
    rpt_printf(b, "<p class=\"cap\">EMD of each of the %d first hold-out crossings, "
               "computed by the report (same definitions as <code>rad4ml eval</code>: "
               "bit-exact encoder, float decoder, exact EMD), %d output links. "
               "Log scale; bins of %.3g. Crossings with an empty input or output "
               "(EMD undefined) are left out:", q->n, q->links, xmax / NB);
    for (int k = 0; k < q->n_alg; k++)
        rpt_printf(b, " %s %d%s", q->name[k], empty[k], k + 1 < q->n_alg ? "," : ".");
    rpt_printf(b, "</p>\n");
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The EMD table from the report's own evaluation, when no eval JSON is
** given: same statistics (median, mean, 16 / 84 % quantiles). */
static void own_table(rpt_buf *b, const rpt_quality *q)
{
    rpt_printf(b, "<p>Computed by the report on the first %d hold-out crossings of "
               "<code>", q->n);
    rpt_puts_esc(b, q->data_path);
    rpt_printf(b, "</code>, %d output links (run <code>rad4ml eval --json</code> for the "
               "full evaluation).</p>\n<table id=\"tab-emd\"><tr><th>algorithm</th>"
               "<th>EMD median</th><th>mean</th><th>16 %%</th><th>84 %%</th>"
               "<th>EMD undefined</th></tr>\n", q->links);
    double *v = malloc((size_t)(q->n ? q->n : 1) * sizeof *v);
    for (int k = 0; v && k < q->n_alg; k++) {
        int n = 0;
        double sum = 0;
        for (int i = 0; i < q->n; i++)
            if (q->emd[k][i] >= 0)
                sum += v[n++] = q->emd[k][i];
        qsort(v, (size_t)n, sizeof *v, cmp_dbl);
        rpt_printf(b, "<tr><td>");
        rpt_puts_esc(b, q->desc[k]);
        if (n)
            rpt_printf(b, "</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td>"
                       "<td>%d</td></tr>\n", n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2,
                       sum / n, v[(int)(0.16 * (n - 1))], v[(int)(0.84 * (n - 1))], q->n - n);
        else
            rpt_printf(b, "</td><td colspan=\"5\">no defined EMD</td></tr>\n");
    }
    free(v);
    rpt_printf(b, "</table>\n");
}

void rpt_sec_quality(rpt_buf *b, const rpt_quality *q, json_t *eval,
                     const char *eval_path, const char *why)
{
    rpt_printf(b, "<h2 id=\"quality\">1. Reconstruction quality (EMD)</h2>\n");
    if (eval) {
        eval_table(b, eval, eval_path);
        rpt_printf(b, "<div class=\"figs\">\n");
        occupancy_plot(b, eval);
    } else {
        rpt_not_available(b, "the EMD table of <code>rad4ml eval --json</code>", eval_path, why);
        if (q && q->n > 0)
            own_table(b, q);
        rpt_printf(b, "<div class=\"figs\">\n");
    }
    if (q && q->n > 0)
        histograms(b, q);
    else
        rpt_not_available(b, "EMD histograms (no model / data)", NULL, NULL);
    rpt_printf(b, "</div>\n");
}

/* ---- 2. event display ---------------------------------------------------- */

static void hex_panel(rpt_buf *b, double ox, double oy, double scale, const double *v,
                      double vmax, const char *title, double title_x)
{
    const geo_cell *c = geo_cells();
    double R = 2 / sqrt(3.0) * 0.97;
    rpt_printf(b, "<text x=\"%.1f\" y=\"44\" text-anchor=\"middle\">", title_x);
    rpt_puts_esc(b, title);
    rpt_printf(b, "</text>\n");
    for (int t = 0; t < GEO_N_CELLS; t++) {
        char col[8] = "#eeeeee";
        if (v[t] > 0)
            rpt_color(log10(1 + v[t]) / log10(1 + vmax), col);
        /* TC centres: x right, y up (flipped for SVG) */
        double cx = ox + c[t].x * scale, cy = oy - c[t].y * scale;
        rpt_printf(b, "<polygon fill=\"%s\" stroke=\"#999\" stroke-width=\"0.5\" points=\"", col);
        for (int k = 0; k < 6; k++)
            rpt_printf(b, "%.1f,%.1f ", cx + R * scale * cos(k * M_PI / 3),
                       cy + R * scale * sin(k * M_PI / 3));
        rpt_printf(b, "\"><title>TC %d (u=%d, v=%d): %.1f</title></polygon>\n", t, c[t].u,
                   c[t].v, v[t]);
    }
}

static void colorbar(rpt_buf *b, double x, double y, double h, double vmax)
{
    for (int i = 0; i < 50; i++) {
        char col[8];
        rpt_color((i + 0.5) / 50, col);
        rpt_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.2f\" fill=\"%s\"/>",
                   x, y + h - (i + 1) * h / 50, h / 50 + 0.3, col);
    }
    rpt_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"black\"/>\n", x, y, h);
    for (double d = 1; d <= vmax * 1.0001; d *= 10) {
        double f = log10(1 + d) / log10(1 + vmax);
        rpt_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%g</text>", x + 18, y + h - f * h + 4, d);
    }
    rpt_printf(b, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\">"
               "charge (CALQ counts, log)</text>\n", x + 58, y + h / 2);
}

/* Section 2 of the page: the event display of q's first crossings (input,
** autoencoder and baselines on the module geometry); a note when q is
** NULL. */
void rpt_sec_events(rpt_buf *b, const rpt_quality *q)
{
    rpt_printf(b, "<h2 id=\"events\">2. Event display</h2>\n");
    if (!q || q->n_events == 0) {
        rpt_not_available(b, "event display (no model / data)", NULL, NULL);
        return;
    }
    rpt_printf(b, "<p>Real hold-out crossings of one low-density module: the 48 trigger "
               "cells at their centres (data/geometry.h), input charge (CALQ) on the left, "
               "the autoencoder's reconstruction (%d links, decoded off-detector) on the "
               "right, on a common log colour scale per crossing; grey = 0. Hover a cell "
               "for its value. Crossings chosen by occupancy, from sparse to busy.</p>\n"
               "<div class=\"figs\">\n", q->links);
    const geo_cell *c = geo_cells();
    double xmin = 1e9, xmax = -1e9, ymin = 1e9, ymax = -1e9;
    for (int t = 0; t < GEO_N_CELLS; t++) {
        xmin = fmin(xmin, c[t].x); xmax = fmax(xmax, c[t].x);
        ymin = fmin(ymin, c[t].y); ymax = fmax(ymax, c[t].y);
    }
    double scale = 13, pw = (xmax - xmin + 3) * scale;
    for (int e = 0; e < q->n_events; e++) {
        const rpt_event *ev = &q->event[e];
        double vmax = 1, sin_ = 0, srec = 0;
        for (int t = 0; t < GEO_N_CELLS; t++) {
            vmax = fmax(vmax, fmax(ev->in[t], ev->rec[t]));
            sin_ += ev->in[t];
            srec += ev->rec[t];
        }
        char id[32], title[160], l1[64], l2[64];
        snprintf(id, sizeof id, "fig-event-%d", e);
        snprintf(title, sizeof title, "Crossing %ld: %d TCs > 1 MIP_T, EMD %.2f",
                 ev->crossing, ev->occ, ev->emd);
        int w = (int)(2 * pw + 120), h = (int)((ymax - ymin + 3) * scale + 70);
        rpt_svg_open(b, id, w, h, title);
        double oy = 62 + (ymax + 1.2) * scale;
        snprintf(l1, sizeof l1, "input (sum %.0f)", sin_);
        snprintf(l2, sizeof l2, "reconstruction (sum %.0f)", srec);
        hex_panel(b, 10 + (-xmin + 1.5) * scale, oy, scale, ev->in, vmax, l1, 10 + pw / 2);
        hex_panel(b, 10 + pw + (-xmin + 1.5) * scale, oy, scale, ev->rec, vmax, l2,
                  10 + 1.5 * pw);
        colorbar(b, 2 * pw + 20, 55, h - 80, vmax);
        rpt_svg_close(b);
    }
    rpt_printf(b, "</div>\n");
}

/* ---- 3. SEU ------------------------------------------------------------- */

static void seu_bits(rpt_buf *b, json_t *seu)
{
    json_t *by = json_object_get(json_object_get(seu, "summary"), "by_bit");
    double vmax = 0, vmin = 0;
    int nb = 0;
    size_t i;
    json_t *x;
    json_array_foreach(by, i, x) {
        vmax = fmax(vmax, rpt_jnum(x, "mean"));
        vmin = fmin(vmin, rpt_jnum(x, "mean"));
        nb = (int)fmax(nb, rpt_jnum(x, "bit") + 1);
    }
    if (nb == 0)
        return;
    if (vmax - vmin <= 0)
        vmax = 1e-9;
    double pad = 0.1 * (vmax - vmin);
    rpt_axes ax = { 80, 35, 440, 250, -0.5, nb - 0.5, vmin < 0 ? vmin - pad : 0,
                    vmax + pad, 0 };
    rpt_svg_open(b, "fig-seu-bits", 700, 330, "SEU sensitivity by bit position");
    rpt_svg_axes(b, &ax, "bit within the weight / bias field (0 = LSB)",
                 "mean EMD increase per upset");
    double bw = ax.w / nb * 0.4, y0 = rpt_py(&ax, 0);
    rpt_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
               ax.x0, y0, ax.x0 + ax.w, y0);
    json_array_foreach(by, i, x) {
        int bias = !strcmp(jstr(x, "part"), "b");
        double xc = rpt_px(&ax, rpt_jnum(x, "bit")) + (bias ? 0 : -bw);
        double y = rpt_py(&ax, rpt_jnum(x, "mean"));
        rpt_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                   "<title>%s bit %.0f: %.4g</title></rect>\n", xc, fmin(y, y0), bw,
                   fmax(fabs(y0 - y), 0.5), rpt_series_color(bias), bias ? "bias" : "weight",
                   rpt_jnum(x, "bit"), rpt_jnum(x, "mean"));
    }
    const char *names[] = { "weights", "biases" };
    rpt_svg_legend(b, 540, 60, names, 2);
    rpt_svg_close(b);
}

/* Per-weight map: rows = output channel, columns = input index (Keras
** [..][out] order), colour = EMD increase summed over the weight's bits. */
static void seu_map(rpt_buf *b, json_t *layer, int k)
{
    json_t *w = json_object_get(layer, "weights");
    json_t *d = json_object_get(w, "d_emd");
    int nw = (int)json_array_size(d);
    int nout = (int)json_array_size(json_object_get(json_object_get(layer, "biases"), "raw"));
    if (nw == 0 || nout == 0)
        return;
    int nin = nw / nout;
    double *s = calloc((size_t)nw, sizeof *s), smax = 1e-12;
    if (!s)
        return;
    for (int i = 0; i < nw; i++) {
        size_t j;
        json_t *v;
        json_array_foreach(json_array_get(d, (size_t)i), j, v)
            s[i] += json_is_number(v) ? json_number_value(v) : 0;
        smax = fmax(smax, s[i]);
    }
    double cw = fmin(18, 620.0 / nin), ch = fmin(18, fmax(6, 260.0 / nout));
    int W = (int)fmax(nin * cw + 200, 560), H = (int)(nout * ch + 90);
    char id[32], title[128];
    snprintf(id, sizeof id, "fig-seu-map-%d", k);
    snprintf(title, sizeof title, "Layer %s: EMD increase per weight (sum over its bits)",
             jstr(layer, "name"));
    rpt_svg_open(b, id, W, H, title);
    for (int i = 0; i < nw; i++) {
        int out = i % nout, in = i / nout;
        char col[8];
        rpt_color(s[i] / smax, col);
        rpt_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">"
                   "<title>w[%d][%d]: %.4g</title></rect>", 60 + in * cw, 35 + out * ch,
                   cw, ch, col, in, out, s[i]);
    }
    rpt_printf(b, "\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">input index "
               "(kernel position x input channel)</text>", 60 + nin * cw / 2, 35 + nout * ch + 20);
    rpt_printf(b, "<text transform=\"translate(40,%.1f) rotate(-90)\" text-anchor=\"middle\">"
               "output</text>\n", 35 + nout * ch / 2);
    for (int i = 0; i < 50; i++) {
        char col[8];
        rpt_color((i + 0.5) / 50, col);
        rpt_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"%.2f\" fill=\"%s\"/>",
                   70 + nin * cw, 35 + nout * ch - (i + 1) * nout * ch / 50, nout * ch / 50 + 0.3, col);
    }
    rpt_printf(b, "<text x=\"%.1f\" y=\"42\">%.3g</text><text x=\"%.1f\" y=\"%.1f\">0</text>"
               "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\">"
               "EMD increase</text>\n", 86 + nin * cw, smax, 86 + nin * cw, 35 + nout * ch,
               150 + nin * cw, 35 + nout * ch / 2);
    rpt_svg_close(b);
    free(s);
}

void rpt_sec_seu(rpt_buf *b, json_t *seu, const char *path, const char *why)
{
    rpt_printf(b, "<h2 id=\"seu\">3. SEU sensitivity of the configuration bits</h2>\n");
    if (!seu) {
        rpt_not_available(b, "the SEU sensitivity map of <code>rad4ml seu</code>", path, why);
        return;
    }
    rpt_printf(b, "<p>From <code>");
    rpt_puts_esc(b, path);
    rpt_printf(b, "</code>: each of the %.0f weight / bias bits flipped in turn, mean EMD "
               "increase over %.0f crossings (baseline EMD %.4f).</p>\n<table id=\"tab-seu\">"
               "<tr><th>layer</th><th>part</th><th>bits</th><th>sum of EMD increase</th>"
               "<th>share</th></tr>\n", rpt_jnum(seu, "n_bits"), rpt_jnum(seu, "n_crossings"),
               rpt_jnum(seu, "base_emd"));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(json_object_get(seu, "summary"), "by_layer"), i, x) {
        rpt_printf(b, "<tr><td>");
        rpt_puts_esc(b, jstr(x, "name"));
        rpt_printf(b, "</td><td>%s</td><td>%.0f</td><td>%.4g</td><td>%.1f %%</td></tr>\n",
                   !strcmp(jstr(x, "part"), "b") ? "biases" : "weights", rpt_jnum(x, "bits"),
                   rpt_jnum(x, "sum"), 100 * rpt_jnum(x, "share"));
    }
    rpt_printf(b, "</table>\n<p class=\"cap\">A negative increase means the flip happened "
               "to lower the EMD (possible with an untrained or imperfect model); the maps "
               "draw those weights at 0.</p>\n<div class=\"figs\">\n");
    seu_bits(b, seu);
    json_array_foreach(json_object_get(seu, "layers"), i, x)
        seu_map(b, x, (int)i);
    rpt_printf(b, "</div>\n");
}

/* ---- 4. hardware ----------------------------------------------------------- */

/* Modules in the area bar chart: the largest ones. */
#define TOP_MODULES 12

/* Bar chart of the TOP_MODULES largest modules of one configuration
** (NAND2-eq x instances).  Borrows cfg. */
static void synth_modules(rpt_buf *b, json_t *cfg)
{
    json_t *mods = json_object_get(cfg, "modules");
    int n = 0;
    double v[TOP_MODULES], vmax = 1;
    const char *names[TOP_MODULES];
    size_t i;
    json_t *m;
    json_array_foreach(mods, i, m) {
        double tot = rpt_jnum(m, "nand2_eq") * rpt_jnum(m, "instances");
        if (tot <= 0)
            continue;
        int k = n < TOP_MODULES ? n++ : TOP_MODULES - 1;
        if (k == TOP_MODULES - 1 && tot <= v[TOP_MODULES - 1])
            continue;
        while (k > 0 && v[k - 1] < tot) {
            v[k] = v[k - 1];
            names[k] = names[k - 1];
            k--;
        }
        v[k] = tot;
        names[k] = jstr(m, "name");
        vmax = fmax(vmax, tot);
    }
    int H = 60 + 22 * n;
    rpt_svg_open(b, "fig-synth-modules", 760, H, "Where the gates are (first configuration)");
    rpt_axes ax = { 300, 35, 400, 22.0 * n, 0, vmax * 1.1, 0, 1, 0 };
    double t[RPT_MAX_TICKS];
    int nt = rpt_ticks(0, vmax * 1.1, 6, t);
    for (int k = 0; k < nt; k++)
        rpt_printf(b, "<line x1=\"%.1f\" y1=\"35\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0fk</text>\n",
                   rpt_px(&ax, t[k]), rpt_px(&ax, t[k]), 35 + ax.h, rpt_px(&ax, t[k]),
                   50 + ax.h, t[k] / 1000);
    for (int k = 0; k < n; k++) {
        double y = 38 + 22 * k;
        rpt_printf(b, "<text x=\"295\" y=\"%.1f\" text-anchor=\"end\">", y + 13);
        rpt_puts_esc(b, names[k]);
        rpt_printf(b, "</text><rect x=\"300\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
                   "fill=\"#1f77b4\"/><text x=\"%.1f\" y=\"%.1f\">%.0f</text>\n", y,
                   rpt_px(&ax, v[k]) - 300, rpt_px(&ax, v[k]) + 4, y + 13, v[k]);
    }
    rpt_printf(b, "<text x=\"500\" y=\"%d\" text-anchor=\"middle\">NAND2 equivalents "
               "(one module x its instances)</text>\n", H - 2);
    rpt_svg_close(b);
}

/* The configurations mapped onto a real standard-cell library (synth
** --liberty), when the JSON has them. */
static void synth_liberty(rpt_buf *b, json_t *syn)
{
    size_t i;
    json_t *c, *lib = NULL;
    json_array_foreach(json_object_get(syn, "configs"), i, c)
        if (!lib)
            lib = json_object_get(c, "liberty");
    if (!lib)
        return;
    rpt_printf(b, "<p>Mapped onto the open standard cells <code>");
    rpt_puts_esc(b, jstr(lib, "library"));
    rpt_printf(b, "</code> (<code>");
    rpt_puts_esc(b, jstr(lib, "file"));
    rpt_printf(b, "</code>): the library's own cell areas; NAND2-eq = area / its NAND2 cell, "
               "then the 65 nm conversion above; critical path from OpenSTA at the library's "
               "typical corner, ideal wires and clock.</p>\n<table id=\"tab-liberty\"><tr>"
               "<th>configuration</th><th>cells</th><th>flip-flops</th>"
               "<th>cell area mm² (library node)</th><th>NAND2-eq</th><th>65 nm mm²</th>"
               "<th>critical path ns (library node)</th></tr>\n");
    json_array_foreach(json_object_get(syn, "configs"), i, c) {
        json_t *l = json_object_get(c, "liberty");
        if (!l)
            continue;
        rpt_printf(b, "<tr><td>");
        rpt_puts_esc(b, jstr(c, "name"));
        json_t *tm = json_object_get(l, "timing");
        rpt_printf(b, "</td><td>%.0f</td><td>%.0f</td><td>%.2f</td><td>%.0f</td><td>%.2f</td>"
                   "<td>%.2f of %.0f</td></tr>\n", rpt_jnum(l, "cells"), rpt_jnum(l, "flipflops"),
                   1e-6 * rpt_jnum(l, "cell_area_um2"), rpt_jnum(l, "nand2_eq"),
                   rpt_jnum(l, "area_65nm_mm2"), rpt_jnum(tm, "critical_path_ns"), rpt_jnum(tm, "period_ns"));
    }
    rpt_printf(b, "</table>\n");
}

/* Bar chart of the area of each synthesized configuration of syn against
** the reference designs.  Borrows syn. */
static void synth_compare(rpt_buf *b, json_t *syn)
{
    json_t *cfgs = json_object_get(syn, "configs"), *ref = json_object_get(syn, "reference");
    int n = 0;
    double hi = fmax(rpt_jnum(ref, "area_mm2"), rpt_jnum(ref, "earlier_area_mm2"));
    size_t i;
    json_t *c;
    json_array_foreach(cfgs, i, c)
        if (json_object_get(c, "area_mm2")) {
            n++;
            hi = fmax(hi, rpt_jnum(json_object_get(c, "area_mm2"), "hi"));
        }
    int W = 120 + 95 * (n + 2);
    rpt_axes ax = { 70, 35, W - 100.0, 240, -0.5, n + 1.5, 0, hi * 1.1, 0 };
    rpt_svg_open(b, "fig-synth-area", W, 330, "Area estimate vs published");
    double t[RPT_MAX_TICKS];
    int nt = rpt_ticks(0, ax.ymax, 6, t);
    for (int k = 0; k < nt; k++)
        rpt_printf(b, "<line x1=\"70\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"65\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                   rpt_py(&ax, t[k]), 70 + ax.w, rpt_py(&ax, t[k]), rpt_py(&ax, t[k]) + 4, t[k]);
    rpt_printf(b, "<rect x=\"70\" y=\"35\" width=\"%.1f\" height=\"240\" fill=\"none\" "
               "stroke=\"black\"/><text transform=\"translate(25,155) rotate(-90)\" "
               "text-anchor=\"middle\">area (mm², 65 nm)</text>\n", ax.w);
    int k = 0;
    json_array_foreach(cfgs, i, c) {
        json_t *a = json_object_get(c, "area_mm2");
        if (!a)
            continue;
        double x = rpt_px(&ax, k++), y = rpt_py(&ax, rpt_jnum(a, "nominal"));
        rpt_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"36\" height=\"%.1f\" fill=\"#1f77b4\"/>"
                   "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\" "
                   "stroke-width=\"2\"/><text x=\"%.1f\" y=\"292\" text-anchor=\"middle\">",
                   x - 18, y, 275 - y, x, rpt_py(&ax, rpt_jnum(a, "lo")), x,
                   rpt_py(&ax, rpt_jnum(a, "hi")), x);
        rpt_puts_esc(b, jstr(c, "name"));
        rpt_printf(b, "</text>\n");
    }
    const char *lbl[2] = { "published", "earlier (2.5)" };
    double val[2] = { rpt_jnum(ref, "area_mm2"), rpt_jnum(ref, "earlier_area_mm2") };
    for (int r = 0; r < 2; r++, k++) {
        double x = rpt_px(&ax, k), y = rpt_py(&ax, val[r]);
        rpt_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"36\" height=\"%.1f\" fill=\"#7f7f7f\"/>"
                   "<text x=\"%.1f\" y=\"292\" text-anchor=\"middle\">%s</text>\n",
                   x - 18, y, 275 - y, x, lbl[r]);
    }
    rpt_printf(b, "<text x=\"%d\" y=\"318\" text-anchor=\"middle\">bars: nominal NAND2 area; "
               "whiskers: NAND2 cell %.2f-%.2f µm²</text>\n", W / 2,
               rpt_jnum(json_object_get(syn, "tech"), "nand2_um2_lo"),
               rpt_jnum(json_object_get(syn, "tech"), "nand2_um2_hi"));
    rpt_svg_close(b);
}

/* Section 4 of the page: area, logic depth and power from the synth JSON
** syn (NULL: a 'not available' note naming path and why).  Borrows syn. */
void rpt_sec_synth(rpt_buf *b, json_t *syn, const char *path, const char *why)
{
    rpt_printf(b, "<h2 id=\"hardware\">4. Area, logic depth and power</h2>\n");
    if (!syn) {
        rpt_not_available(b, "the synthesis figures of <code>rad4ml synth --json</code>", path, why);
        return;
    }
    json_t *tech = json_object_get(syn, "tech");
    rpt_printf(b, "<p>From <code>");
    rpt_puts_esc(b, path);
    rpt_printf(b, "</code> (");
    rpt_puts_esc(b, jstr(syn, "yosys"));
    rpt_printf(b, "; method in synth/README.md). Gates: ");
    rpt_puts_esc(b, jstr(tech, "gates"));
    rpt_printf(b, "; NAND2-eq = ");
    rpt_puts_esc(b, jstr(tech, "nand2_eq"));
    rpt_printf(b, "; area = NAND2-eq × %.2f µm² / %.0f %% utilization (range %.2f-%.2f µm²). "
               "Power: activity from simulating real crossings, %.1f fF per NAND2-eq, %.1f V, "
               "%.0f MHz, plus clock and leakage; trust it to a factor of a few.</p>\n",
               rpt_jnum(tech, "nand2_um2"), 100 * rpt_jnum(tech, "utilization"),
               rpt_jnum(tech, "nand2_um2_lo"), rpt_jnum(tech, "nand2_um2_hi"), rpt_jnum(tech, "c_node_ff"),
               rpt_jnum(tech, "vdd_v"), rpt_jnum(tech, "f_mhz"));
    rpt_printf(b, "<table id=\"tab-synth\"><tr><th>configuration</th><th>cells</th>"
               "<th>flip-flops</th><th>NAND2-eq</th><th>area mm² (range)</th>"
               "<th>logic levels (reg-reg)</th><th>power mW (range)</th>"
               "<th>nJ / inference</th></tr>\n");
    size_t i;
    json_t *c;
    json_t *first = NULL;
    json_array_foreach(json_object_get(syn, "configs"), i, c) {
        rpt_printf(b, "<tr><td>");
        rpt_puts_esc(b, jstr(c, "name"));
        if (json_object_get(c, "skipped")) {
            rpt_printf(b, "</td><td colspan=\"7\">skipped: ");
            rpt_puts_esc(b, jstr(c, "skipped"));
            rpt_printf(b, "</td></tr>\n");
            continue;
        }
        if (!json_object_get(c, "cells")) {     /* synth --fpga-only */
            rpt_printf(b, "</td><td colspan=\"7\">FPGA figures only (below)</td></tr>\n");
            continue;
        }
        if (!first)
            first = c;
        json_t *a = json_object_get(c, "area_mm2"), *l = json_object_get(c, "levels");
        json_t *p = json_object_get(c, "power");
        rpt_printf(b, "</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.3f (%.3f-%.3f)</td>"
                   "<td>%.0f (%.0f)</td>", rpt_jnum(c, "cells"), rpt_jnum(c, "flipflops"),
                   rpt_jnum(c, "nand2_eq"), rpt_jnum(a, "nominal"), rpt_jnum(a, "lo"), rpt_jnum(a, "hi"),
                   rpt_jnum(l, "critical"), rpt_jnum(l, "reg2reg"));
        if (p)
            rpt_printf(b, "<td>%.1f (%.1f-%.1f)</td><td>%.2f (%.2f-%.2f)</td></tr>\n",
                       rpt_jnum(p, "total_mw"), rpt_jnum(p, "lo_mw"), rpt_jnum(p, "hi_mw"),
                       rpt_jnum(p, "energy_nj"), rpt_jnum(p, "energy_lo_nj"), rpt_jnum(p, "energy_hi_nj"));
        else
            rpt_printf(b, "<td>not estimated</td><td>-</td></tr>\n");
    }
    json_t *ref = json_object_get(syn, "reference");
    rpt_printf(b, "<tr class=\"ref\"><td>published ECON-T (65 nm LP)</td><td>-</td><td>-</td>"
               "<td>-</td><td>%.1f</td><td>-</td><td>%.0f</td><td>%.1f</td></tr>\n"
               "<tr class=\"ref\"><td>earlier iteration</td><td>-</td><td>-</td><td>-</td>"
               "<td>%.1f</td><td>-</td><td>%.0f</td><td>-</td></tr>\n</table>\n",
               rpt_jnum(ref, "area_mm2"), rpt_jnum(ref, "power_mw"), rpt_jnum(ref, "energy_nj"),
               rpt_jnum(ref, "earlier_area_mm2"), rpt_jnum(ref, "earlier_power_mw"));
    synth_liberty(b, syn);
    rpt_sec_fpga(b, syn);
    rpt_printf(b, "<p class=\"cap\">The published figures are for the whole chip block "
               "(with I/O, radiation hardening, placement and routing); the estimate here is "
               "the encoder's standard cells only.</p>\n<div class=\"figs\">\n");
    if (first)
        synth_modules(b, first);
    synth_compare(b, syn);
    rpt_printf(b, "</div>\n");
}
