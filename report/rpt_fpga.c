/*
** rpt_fpga.c — the FPGA table of section 4 (synth --fpga ecp5|xilinx):
** resources per configuration, the fit on the part, Fmax from nextpnr.
*/
#include "report/rpt_int.h"

#include <math.h>
#include <string.h>

static void rpt_str(rpt_buf *b, json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    rpt_puts_esc(b, s ? s : "-");
}

/* One row: a configuration's counts, fit and place-and-route result. */
static void fpga_row(rpt_buf *b, json_t *c, json_t *f)
{
    json_t *n = json_object_get(f, "counts"), *p = json_object_get(f, "pnr");
    json_t *cap = json_object_get(f, "capacity");
    rpt_printf(b, "<tr><td>");
    rpt_str(b, c, "name");
    rpt_printf(b, "</td><td>%.0f</td><td>%.0f</td><td>%.0f", rpt_jnum(c, "reuse"),
               rpt_jnum(n, "luts"), rpt_jnum(n, "lut_sites"));
    if (cap)
        rpt_printf(b, " (%.0f %%)", 100 * rpt_jnum(n, "lut_sites") / rpt_jnum(cap, "lut_sites"));
    rpt_printf(b, "</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>", rpt_jnum(n, "flipflops"),
               rpt_jnum(n, "dsp"), rpt_jnum(n, "ram_blocks"));
    if (cap)
        rpt_printf(b, "%s", json_is_true(json_object_get(f, "fits")) ? "yes" : "no");
    else
        rpt_printf(b, "-");
    rpt_printf(b, "</td><td>");
    if (p && json_is_number(json_object_get(p, "fmax_mhz")))
        rpt_printf(b, "%.1f (target %.0f; %.3g M inferences/s)", rpt_jnum(p, "fmax_mhz"),
                   rpt_jnum(p, "target_mhz"), rpt_jnum(p, "fmax_mhz") / rpt_jnum(c, "reuse"));
    else if (p)
        rpt_printf(b, "no clocked path");
    else
        rpt_printf(b, "not placed and routed");
    rpt_printf(b, "</td></tr>\n");
}

void rpt_sec_fpga(rpt_buf *b, json_t *syn)
{
    size_t i;
    json_t *c, *first = NULL;
    json_array_foreach(json_object_get(syn, "configs"), i, c)
        if (!first && json_object_get(c, "fpga"))
            first = json_object_get(c, "fpga");
    if (!first)
        return;
    json_t *pnr = NULL;
    json_array_foreach(json_object_get(syn, "configs"), i, c)
        if (!pnr)
            pnr = json_object_get(json_object_get(c, "fpga"), "pnr");
    rpt_printf(b, "<p>FPGA (<code>synth --fpga</code>): ");
    rpt_str(b, first, "family");
    rpt_printf(b, " part <code>");
    rpt_str(b, first, "part");
    rpt_printf(b, "</code>, ");
    rpt_str(b, first, "yosys");
    rpt_printf(b, " (yowasp), ");
    if (pnr) {
        rpt_printf(b, "place and route ");
        rpt_str(b, pnr, "tool");
        rpt_printf(b, " out of context; Fmax from its timing report. A configuration that "
                   "does not fit is not placed and routed.");
    } else
        rpt_printf(b, "no place and route.");
    rpt_printf(b, " LUT sites = LUTs + 2 per carry cell and distributed RAM (what the fit "
               "compares).</p>\n<table id=\"tab-fpga\"><tr><th>configuration</th><th>R</th>"
               "<th>");
    rpt_str(b, first, "lut_unit");
    rpt_printf(b, "</th><th>LUT sites</th><th>flip-flops</th><th>DSP</th><th>");
    rpt_str(b, first, "ram_unit");
    rpt_printf(b, "</th><th>fits</th><th>Fmax MHz</th></tr>\n");
    json_array_foreach(json_object_get(syn, "configs"), i, c)
        if (json_object_get(c, "fpga"))
            fpga_row(b, c, json_object_get(c, "fpga"));
    rpt_printf(b, "</table>\n");
}
