/*
** seu_set_rpt.c — the SET table (`seu --set`): text and JSON
** (--set-json, read by `rad4ml report`).
*/
#include <math.h>
#include <stdio.h>
#include "seu/seu_set.h"
#include "common/rad_file.h"
#include "seu/seu_internal.h"
#include <stdlib.h>

static double frac(long k, long n) { return n > 0 ? (double)k / (double)n : 0.0; }

/* Binomial standard error of k/n. */
static double sem(long k, long n)
{
    double p = frac(k, n);
    return n > 0 ? sqrt(p * (1 - p) / (double)n) : 0.0;
}

/* The --set-module table: one row per (protection, module). */
static void print_modules(const seu_set_row *rows, int n, double derate, FILE *fp)
{
    fprintf(fp, "seu set: %-8s %-26s %5s %10s %9s %8s %17s %17s %11s %12s %11s\n", "prot",
            "module", "inst", "gates/inst", "all FFs", "samples", "latched",
            "corrupts output", "persistent", "derated lat", "gold vs C");
    for (int i = 0; i < n; i++) {
        const seu_set_result *r = &rows[i].r;
        if (r->gates == 0) {
            fprintf(fp, "seu set: %-8s %-26s %5s %10d  (no gates: wiring only)\n",
                    rows[i].prot, rows[i].module, "-", 0);
            continue;
        }
        fprintf(fp, "seu set: %-8s %-26s %5ld %10ld %9ld %8ld %7.2f%% +- %5.2f %7.2f%% +- %5.2f "
                "%10.2f%% %11.3f%% %5ld/%-5ld\n", rows[i].prot, rows[i].module, r->instances,
                r->inst_gates, r->ffs, r->samples, 100 * frac(r->latched, r->samples),
                100 * sem(r->latched, r->samples), 100 * frac(r->corrupted, r->samples),
                100 * sem(r->corrupted, r->samples), 100 * frac(r->persistent, r->samples),
                100 * derate * frac(r->latched, r->samples), r->gold_mismatch, r->gold_outputs);
    }
    fprintf(fp, "seu set: (pulses uniform over the gates of every instance of the module; "
            "all FFs = every flip-flop of the design, whose state after the edge decides "
            "'latched'; the rest of the design is word-level RTL)\n");
}

void seu_set_print(const seu_set_row *rows, int n, double width_ps, double clock_hz, FILE *fp)
{
    double derate = width_ps * 1e-12 * clock_hz;
    derate = derate > 1 ? 1 : derate;
    fprintf(fp, "seu set: pulse = one gate output inverted for the evaluation before one "
            "clock edge (logical masking); timing-derated x %.3g = pulse %.0f ps / period "
            "%.4g ns\n", derate, width_ps, 1e9 / clock_hz);
    if (n > 0 && rows[0].module) {
        print_modules(rows, n, derate, fp);
        return;
    }
    fprintf(fp, "seu set: %-7s %9s %7s %8s %17s %17s %12s %12s %9s %12s\n", "prot", "gates",
            "FFs", "samples", "latched", "corrupts output", "persistent", "derated lat",
            "control", "gold vs C");
    for (int i = 0; i < n; i++) {
        const seu_set_result *r = &rows[i].r;
        fprintf(fp, "seu set: %-7s %9ld %7ld %8ld %7.2f%% +- %5.2f %7.2f%% +- %5.2f "
                "%11.2f%% %11.3f%% %4ld/%-4ld %5ld/%-6ld\n", rows[i].prot, r->gates, r->ffs,
                r->samples, 100 * frac(r->latched, r->samples), 100 * sem(r->latched, r->samples),
                100 * frac(r->corrupted, r->samples), 100 * sem(r->corrupted, r->samples),
                100 * frac(r->persistent, r->samples),
                100 * derate * frac(r->latched, r->samples), r->ctl_latched, r->ctl,
                r->gold_mismatch, r->gold_outputs);
    }
    fprintf(fp, "seu set: (+- = binomial standard error, in points; persistent = state still "
            "wrong W clocks later; control = pulses on gates driving a D input that were "
            "latched (must be all); gold vs C = fault-free outputs differing from the C "
            "engine / compared)\n");
}

int seu_set_write_json(const seu_set_row *rows, int n, double width_ps, double clock_hz,
                       const rad_prov *prov, const char *path, rad_err *err)
{
    char *pt = seu__prov_text(prov, "seu-set");
    if (!pt)
        return rad_errf(err, RAD_ENOMEM, "%s: out of memory", path);
    rad_file f;
    if (rad_file_open(&f, path, err)) {
        free(pt);
        return err->code;
    }
    fprintf(f.fp, "{\"provenance\": %s,\n \"pulse_model\": \"one gate output inverted for the "
            "evaluation before one clock edge; latched = a flip-flop differs after it; "
            "corrupts = an output differs at it or the next window-1 edges\", "
            "\"pulse_ps\": %.6g, \"clock_hz\": %.6g, \"rows\": [", pt, width_ps, clock_hz);
    for (int i = 0; i < n; i++) {
        const seu_set_result *r = &rows[i].r;
        if (rows[i].module)
            fprintf(f.fp, "%s\n {\"module\": \"%s\", \"instances\": %ld, "
                    "\"gates_per_instance\": %ld,", i ? "," : "", rows[i].module,
                    r->instances, r->inst_gates);
        fprintf(f.fp, "%s%s\"protection\": \"%s\", \"gates\": %ld, \"flip_flops\": %ld, "
                "\"samples\": %ld, \"latched\": %ld, \"corrupted\": %ld, \"persistent\": %ld, "
                "\"window\": %d, \"controls\": %ld, \"controls_latched\": %ld, "
                "\"gold_outputs\": %ld, \"gold_mismatch\": %ld}",
                rows[i].module ? "" : i ? "," : "", rows[i].module ? " " : "\n {", rows[i].prot,
                r->gates, r->ffs, r->samples, r->latched, r->corrupted, r->persistent,
                r->window, r->ctl, r->ctl_latched, r->gold_outputs, r->gold_mismatch);
    }
    fprintf(f.fp, "\n]}\n");
    free(pt);
    return rad_file_commit(&f, err);
}
