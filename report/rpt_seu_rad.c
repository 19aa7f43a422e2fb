/*
** rpt_seu_rad.c — section 3's radiation tables: upset rates
** (`rad4ml seu --rate-json`) and single-event transients in the gate
** netlist (`rad4ml seu --set-json`).  Each is "not available" without its
** input, never filled with made-up numbers.
*/
#include "report/rpt_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A value that may be astronomically large or small: %.3g, "never" for
** the 1e308 stand-in of an infinite MTBUE. */
static void cell_g(rpt_buf *b, double v)
{
    if (v >= 1e300)
        rpt_printf(b, "<td>never</td>");
    else
        rpt_printf(b, "<td>%.3g</td>", v);
}

void rpt_sec_rate(rpt_buf *b, json_t *r, const char *path, const char *why)
{
    rpt_printf(b, "<h3 id=\"seu-rate\">3b. Upset rates, mean time between uncorrected "
               "errors, damage over a fill</h3>\n");
    if (!r) {
        rpt_not_available(b, "the rate table of <code>rad4ml seu --rate --rate-json</code>", path, why);
        return;
    }
    rpt_printf(b, "<p>From <code>");
    rpt_puts_esc(b, path);
    rpt_printf(b, "</code>: per-bit cross-section %.3g cm&sup2;, flux %.3g cm<sup>-2</sup> "
               "s<sup>-1</sup>, %.0f image bits, every protected register file scrubbed at "
               "every clock (%.4g MHz), fill of %.3g h, mean EMD increase per flipped bit "
               "%.4g.</p>\n<table id=\"tab-seu-rate\"><tr><th>protection</th><th>flip-flops"
               "</th><th>upsets / chip / h</th><th>uncorrected / h</th><th>MTBUE (h)</th>"
               "<th>fill-mean EMD increase, scrub every clock</th><th>without scrubbing</th>"
               "</tr>\n", rpt_jnum(r, "xs_cm2"), rpt_jnum(r, "flux_cm2_s"), rpt_jnum(r, "image_bits"),
               rpt_jnum(r, "clock_hz") / 1e6, rpt_jnum(r, "fill_h"), rpt_jnum(r, "emd_per_bit"));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r, "rows"), i, x) {
        rpt_printf(b, "<tr><td>");
        rpt_puts_esc(b, json_string_value(json_object_get(x, "protection")));
        rpt_printf(b, "</td><td>%.0f</td>", rpt_jnum(x, "flip_flops"));
        cell_g(b, rpt_jnum(x, "upsets_per_chip_h"));
        cell_g(b, rpt_jnum(x, "uncorrected_per_h"));
        cell_g(b, rpt_jnum(x, "mtbue_h"));
        cell_g(b, rpt_jnum(x, "emd_fill_scrub"));
        cell_g(b, rpt_jnum(x, "emd_fill_noscrub"));
        rpt_printf(b, "</tr>\n");
    }
    rpt_printf(b, "</table>\n<p class=\"cap\">Sources of the defaults: cross-section: ");
    rpt_puts_esc(b, json_string_value(json_object_get(r, "xs_default_source")));
    rpt_printf(b, "; flux: ");
    rpt_puts_esc(b, json_string_value(json_object_get(r, "flux_default_source")));
    rpt_printf(b, ". Uncorrected = two upsets in one TMR triplet or one SECDED codeword "
               "within one clock (SECDED: detected, not corrected); without protection every "
               "upset. Method: seu/README.md section 7.</p>\n");
}

/* Section 3c: the table of `seu --set --set-json` s (per protection: gates,
** flip-flops, pulses latched / corrupting an output, timing-derated), or a
** note naming what is missing (path, why). */
void rpt_sec_set(rpt_buf *b, json_t *s, const char *path, const char *why)
{
    rpt_printf(b, "<h3 id=\"seu-set\">3c. Single-event transients in the gate netlist</h3>\n");
    if (!s) {
        rpt_not_available(b, "the transient table of <code>rad4ml seu --set --set-json</code>", path, why);
        return;
    }
    double derate = rpt_jnum(s, "pulse_ps") * 1e-12 * rpt_jnum(s, "clock_hz");
    derate = derate > 1 ? 1 : derate;
    rpt_printf(b, "<p>From <code>");
    rpt_puts_esc(b, path);
    rpt_printf(b, "</code>: the design synthesized flat onto generic gates (Yosys, "
               "NOT/NAND/NOR/AOI/OAI), one gate output inverted for the evaluation before one "
               "clock edge, gate and edge drawn at random under traffic (Verilator). Latched: "
               "a flip-flop differs after that edge; corrupts an output: an output differs at "
               "it or at the next clocks of the window. Timing-derated: &times; %.3g = "
               "pulse %.0f ps / clock period.</p>\n<table id=\"tab-seu-set\"><tr>"
               "<th>protection</th><th>gates</th><th>flip-flops</th><th>pulses</th>"
               "<th>latched</th><th>corrupts an output</th><th>persistent</th>"
               "<th>latched, timing-derated</th><th>control pulses latched</th>"
               "<th>fault-free outputs = C engine</th></tr>\n", derate, rpt_jnum(s, "pulse_ps"));
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(s, "rows"), i, x) {
        double n = rpt_jnum(x, "samples"), l = rpt_jnum(x, "latched") / n, c = rpt_jnum(x, "corrupted") / n;
        rpt_printf(b, "<tr><td>");
        rpt_puts_esc(b, json_string_value(json_object_get(x, "protection")));
        rpt_printf(b, "</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.2f %% &plusmn; %.2f"
                   "</td><td>%.2f %% &plusmn; %.2f</td><td>%.2f %%</td><td>%.3f %%</td>"
                   "<td>%.0f / %.0f</td><td>%.0f / %.0f</td></tr>\n", rpt_jnum(x, "gates"),
                   rpt_jnum(x, "flip_flops"), n, 100 * l, 100 * sqrt(l * (1 - l) / n), 100 * c,
                   100 * sqrt(c * (1 - c) / n), 100 * rpt_jnum(x, "persistent") / n,
                   100 * derate * l, rpt_jnum(x, "controls_latched"), rpt_jnum(x, "controls"),
                   rpt_jnum(x, "gold_outputs") - rpt_jnum(x, "gold_mismatch"), rpt_jnum(x, "gold_outputs"));
    }
    rpt_printf(b, "</table>\n<p class=\"cap\">&plusmn;: binomial standard error. tmr / "
               "secded protect the configuration registers only; full-tmr triplicates every "
               "flip-flop with voters, not the logic, so a pulse in shared logic reaches all "
               "three copies. Persistent includes the correction counters. Method: "
               "seu/README.md section 8.</p>\n");
}
