/*
** rpt_fleet.c — the report's fleet section (`rad4ml report --fleet DIR`):
** per module, hold-out EMD of the base model and of its fine-tuned weights
** (DIR/train.csv of `rad4ml fleet train`) and the RTL verification of its
** image (DIR/verify.csv of `rad4ml fleet verify`, when present), with a
** base-vs-fine-tuned scatter plot.
*/
#include "report/rpt_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleet/fleet.h"

/* The verify.csv row of module id, split (9 fields), or 0. */
static int verify_row(char **vrows, size_t nv, const char *id, char *buf, size_t len, char **c)
{
    size_t il = strlen(id);
    for (size_t i = 0; i < nv; i++)
        if (!strncmp(vrows[i], id, il) && vrows[i][il] == ',') {
            snprintf(buf, len, "%s", vrows[i]);
            return flt_csv_fields(buf, c, 10) == 9;
        }
    return 0;
}

static void fleet_table(rpt_buf *b, char **rows, size_t n, char **vrows, size_t nv)
{
    rpt_printf(b, "<table id=\"tab-fleet\"><tr><th>module</th><th>geometry</th><th>links</th>"
               "<th>hold-out crossings</th><th>base EMD</th><th>fine-tuned EMD</th>"
               "<th>change</th><th>weights</th><th>RTL: compared</th><th>mismatches</th>"
               "<th>result</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        char copy[512], vb[512], *c[FLT_TRAIN_FIELDS + 1], *v[10];
        snprintf(copy, sizeof copy, "%s", rows[i]);
        if (flt_csv_fields(copy, c, FLT_TRAIN_FIELDS + 1) != FLT_TRAIN_FIELDS)
            continue;
        double e0 = atof(c[5]), e1 = atof(c[6]);
        rpt_printf(b, "<tr><td>");
        rpt_puts_esc(b, c[0]);
        rpt_printf(b, "</td><td>%s</td><td>%d</td><td>%d</td><td>%.3f</td><td>%.3f</td>"
                   "<td>%+.1f %%</td><td>%s</td>", !strcmp(c[1], "hd") ? "HD" : "LD",
                   atoi(c[2]), atoi(c[4]), e0, e1, e0 > 0 ? 100 * (e1 - e0) / e0 : 0.0,
                   !strcmp(c[7], "tuned") ? "fine-tuned" : "base kept");
        if (verify_row(vrows, nv, c[0], vb, sizeof vb, v))
            rpt_printf(b, "<td>%ld</td><td>%ld</td><td>%s</td></tr>\n", atol(v[4]), atol(v[5]),
                       !strcmp(v[8], "PASS") ? "PASS" : "<b>FAIL</b>");
        else
            rpt_printf(b, "<td colspan=\"3\">not verified</td></tr>\n");
    }
    rpt_printf(b, "</table>\n");
}

static void fleet_scatter(rpt_buf *b, char **rows, size_t n)
{
    double lo = 1e9, hi = 0, e[2];
    for (size_t i = 0; i < n; i++) {
        char copy[512], *c[FLT_TRAIN_FIELDS + 1];
        snprintf(copy, sizeof copy, "%s", rows[i]);
        if (flt_csv_fields(copy, c, FLT_TRAIN_FIELDS + 1) != FLT_TRAIN_FIELDS)
            continue;
        for (int k = 0; k < 2; k++) {
            e[k] = atof(c[5 + k]);
            lo = e[k] < lo ? e[k] : lo;
            hi = e[k] > hi ? e[k] : hi;
        }
    }
    if (!(hi > lo))
        return;
    double pad = 0.05 * (hi - lo);
    rpt_axes ax = { 70, 35, 300, 300, lo - pad, hi + pad, lo - pad, hi + pad, 0 };
    rpt_svg_open(b, "fig-fleet", 420, 400, "Hold-out EMD per module");
    rpt_svg_axes(b, &ax, "base model EMD", "fine-tuned EMD");
    rpt_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
               "stroke-dasharray=\"4,3\"/>\n", rpt_px(&ax, lo - pad), rpt_py(&ax, lo - pad),
               rpt_px(&ax, hi + pad), rpt_py(&ax, hi + pad));
    for (size_t i = 0; i < n; i++) {
        char copy[512], *c[FLT_TRAIN_FIELDS + 1];
        snprintf(copy, sizeof copy, "%s", rows[i]);
        if (flt_csv_fields(copy, c, FLT_TRAIN_FIELDS + 1) != FLT_TRAIN_FIELDS)
            continue;
        rpt_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>", 
                   rpt_px(&ax, atof(c[5])), rpt_py(&ax, atof(c[6])),
                   rpt_series_color(!strcmp(c[1], "hd")));
        rpt_puts_esc(b, c[0]);
        rpt_printf(b, "</title></circle>\n");
    }
    const char *names[] = { "LD module", "HD module" };
    rpt_svg_legend(b, 90, 50, names, 2);
    rpt_svg_close(b);
}

void rpt_sec_fleet(rpt_buf *b, const char *dir)
{
    char path[4200];
    char **rows = NULL, **vrows = NULL;
    size_t n = 0, nv = 0;
    rad_err err = { 0, "" };
    rpt_printf(b, "<h2 id=\"fleet\">5. Fleet: one set of weights per module</h2>\n");
    snprintf(path, sizeof path, "%s/train.csv", dir);
    int rc = flt_table_read(path, FLT_TRAIN_HEADER, &rows, &n, &err);
    snprintf(path, sizeof path, "%s/verify.csv", dir);
    if (!rc && access(path, R_OK) == 0)
        rc = flt_table_read(path, FLT_VERIFY_HEADER, &vrows, &nv, &err);
    if (rc) {
        rpt_not_available(b, "the fleet tables of <code>rad4ml fleet</code>", dir, err.msg);
        flt_rows_free(rows, n);
        return;
    }
    rpt_printf(b, "<p>From <code>");
    rpt_puts_esc(b, dir);
    rpt_printf(b, "</code> (<code>rad4ml fleet</code>): %zu modules, each fine-tuned from the "
               "base model on its own crossings; median EMD on each module's hold-out (last "
               "25 %%, never used for a choice). RTL: the module's I2C image written through "
               "the configuration port of one generated design in Verilator, mid-stream, "
               "every crossing compared with the C engine.</p>\n<div class=\"figs\">", n);
    fleet_table(b, rows, n, vrows, nv);
    fleet_scatter(b, rows, n);
    rpt_printf(b, "</div>\n");
    flt_rows_free(rows, n);
    flt_rows_free(vrows, nv);
}
