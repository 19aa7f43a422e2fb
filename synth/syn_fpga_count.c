/*
** syn_fpga_count.c — FPGA resource counts of a Yosys netlist (synth_ecp5 /
** synth_xilinx), instance-scaled through the hierarchy, and their table
** line and JSON (syn_fpga.h).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth/syn_fpga.h"

/* What a cell type is: counts it adds to each category. */
typedef struct {
    const char *type;
    int lut, sites, ff, dsp, ram, carry;
} cell_kind;

/* ECP5 (synth_ecp5): a CCU2C is two LUT sites of a slice, a 16x4
** distributed RAM two (plus its RAMW), PFUMX / L6MUX21 sit beside the LUTs. */
static const cell_kind ECP5_CELLS[] = {
    { "LUT4", 1, 1, 0, 0, 0, 0 },       { "CCU2C", 0, 2, 0, 0, 0, 1 },
    { "TRELLIS_FF", 0, 0, 1, 0, 0, 0 }, { "MULT18X18D", 0, 0, 0, 1, 0, 0 },
    { "DP16KD", 0, 0, 0, 0, 1, 0 },     { "TRELLIS_DPR16X4", 0, 2, 0, 0, 0, 0 },
    { NULL, 0, 0, 0, 0, 0, 0 } };

/* Xilinx 7-series (synth_xilinx): RAM blocks in RAMB18 units; LUTRAM and
** shift registers take LUT sites; CARRY4 and MUXF7/8 are slice logic. */
static const cell_kind XC7_CELLS[] = {
    { "LUT1", 1, 1, 0, 0, 0, 0 },  { "LUT2", 1, 1, 0, 0, 0, 0 },  { "LUT3", 1, 1, 0, 0, 0, 0 },
    { "LUT4", 1, 1, 0, 0, 0, 0 },  { "LUT5", 1, 1, 0, 0, 0, 0 },  { "LUT6", 1, 1, 0, 0, 0, 0 },
    { "INV", 1, 1, 0, 0, 0, 0 },   { "FDRE", 0, 0, 1, 0, 0, 0 },  { "FDSE", 0, 0, 1, 0, 0, 0 },
    { "FDCE", 0, 0, 1, 0, 0, 0 },  { "FDPE", 0, 0, 1, 0, 0, 0 },  { "DSP48E1", 0, 0, 0, 1, 0, 0 },
    { "RAMB18E1", 0, 0, 0, 0, 1, 0 }, { "RAMB36E1", 0, 0, 0, 0, 2, 0 },
    { "CARRY4", 0, 0, 0, 0, 0, 1 }, { "RAM32M", 0, 4, 0, 0, 0, 0 }, { "RAM64M", 0, 4, 0, 0, 0, 0 },
    { "RAM32X1D", 0, 2, 0, 0, 0, 0 }, { "RAM64X1D", 0, 2, 0, 0, 0, 0 },
    { "RAM128X1D", 0, 4, 0, 0, 0, 0 }, { "SRL16E", 0, 1, 0, 0, 0, 0 },
    { "SRLC32E", 0, 1, 0, 0, 0, 0 }, { NULL, 0, 0, 0, 0, 0, 0 } };

static void add_kind(syn_fpga_counts *n, const cell_kind *k, long times)
{
    n->lut += k->lut * times;
    n->lut_sites += k->sites * times;
    n->ff += k->ff * times;
    n->dsp += k->dsp * times;
    n->ram += k->ram * times;
    n->carry += k->carry * times;
}

static void add_counts(syn_fpga_counts *a, const syn_fpga_counts *b, long times)
{
    a->lut += b->lut * times;
    a->lut_sites += b->lut_sites * times;
    a->ff += b->ff * times;
    a->dsp += b->dsp * times;
    a->ram += b->ram * times;
    a->carry += b->carry * times;
}

/* One module's own cells; *kids = its submodule instances (not counted). */
static void own_counts(json_t *mods, json_t *mod, const cell_kind *tab, syn_fpga_counts *n,
                       int *kids)
{
    const char *cname;
    json_t *cell;
    *kids = 0;
    memset(n, 0, sizeof *n);
    json_object_foreach(json_object_get(mod, "cells"), cname, cell) {
        const char *type = json_string_value(json_object_get(cell, "type"));
        if (type && json_object_get(mods, type))
            ++*kids;
        for (int k = 0; type && tab[k].type; k++)
            if (!strcmp(type, tab[k].type)) {
                add_kind(n, &tab[k], 1);
                break;
            }
    }
}

/* Counts of module `name` with its submodules (depth-limited recursion). */
static int total_counts(json_t *mods, const char *name, const cell_kind *tab,
                        syn_fpga_counts *n, int depth)
{
    json_t *mod = json_object_get(mods, name);
    if (!mod || depth > 64)
        return -1;
    int kids;
    own_counts(mods, mod, tab, n, &kids);
    const char *cname;
    json_t *cell;
    json_object_foreach(json_object_get(mod, "cells"), cname, cell) {
        const char *type = json_string_value(json_object_get(cell, "type"));
        if (!type || !json_object_get(mods, type))
            continue;
        syn_fpga_counts sub;
        if (total_counts(mods, type, tab, &sub, depth + 1))
            return -1;
        add_counts(n, &sub, 1);
    }
    return 0;
}

/* The top of a netlist: the module with attribute top, else NULL. */
static const char *netlist_top(json_t *mods)
{
    const char *name;
    json_t *mod;
    json_object_foreach(mods, name, mod) {
        json_t *t = json_object_get(json_object_get(mod, "attributes"), "top");
        const char *s = json_string_value(t);
        if ((s && strtol(s, NULL, 2) == 1) || (json_is_integer(t) && json_integer_value(t)))
            return name;
    }
    return NULL;
}

int syn_fpga_count(const char *json_path, const char *top, const syn_fpga_target *t,
                   syn_fpga_counts *n, rad_err *err)
{
    const cell_kind *tab = strcmp(t->family, "ecp5") ? XC7_CELLS : ECP5_CELLS;
    json_error_t je;
    json_t *root = json_load_file(json_path, 0, &je);
    json_t *mods = root ? json_object_get(root, "modules") : NULL;
    if (!json_is_object(mods)) {
        json_decref(root);
        return rad_errf(err, RAD_EPARSE, "%s: not a Yosys netlist (%s)", json_path,
                        root ? "no modules" : je.text);
    }
    if (!top || !json_object_get(mods, top))
        top = netlist_top(mods);
    int rc = top ? total_counts(mods, top, tab, n, 0) : -1;
    json_decref(root);
    return rc ? rad_errf(err, RAD_ESCHEMA, "%s: no top module or a broken hierarchy",
                         json_path) : RAD_OK;
}

/* ---- output ----------------------------------------------------------------- */

void syn_fpga_print_head(FILE *fp, const syn_fpga_target *t, const syn_fpga_tools *tl)
{
    fprintf(fp, "\nFPGA %s, part %s%s%s: %s; place and route: %s\n", t->family, t->part,
            t->pnr_device ? " " : "", t->pnr_device ? t->package : "", tl->yosys_version,
            t->pnr_device ? tl->nextpnr_version : "none (counts only)");
    if (t->luts)
        fprintf(fp, "capacity: %ld %s sites, %ld FF, %ld DSP, %ld %s\n", t->luts, t->lut_unit,
                t->ffs, t->dsps, t->rams, t->ram_unit);
}

void syn_fpga_print(FILE *fp, const char *name, int reuse, const syn_fpga_target *t,
                    const syn_fpga_res *r)
{
    if (!r->have)
        return;
    const syn_fpga_counts *n = &r->n;
    fprintf(fp, "%-14s R=%-2d %s %ld (sites %ld", name, reuse, t->lut_unit, n->lut,
            n->lut_sites);
    if (t->luts)
        fprintf(fp, " = %.0f%%", 100.0 * (double)n->lut_sites / (double)t->luts);
    fprintf(fp, "), FF %ld, DSP %ld, %s %ld, carry %ld", n->ff, n->dsp, t->ram_unit, n->ram,
            n->carry);
    if (r->fits >= 0)
        fprintf(fp, "; %s", r->fits ? "fits" : r->fit_note);
    if (r->pnr && r->fmax_mhz > 0)
        fprintf(fp, "; Fmax %.1f MHz after routing (target %.4g%s; %.3g M inferences/s at "
                "R=%d)", r->fmax_mhz, r->freq_mhz, r->pnr_cached ? ", cached" : "",
                r->fmax_mhz / (reuse > 0 ? reuse : 1), reuse);
    else if (r->pnr)
        fprintf(fp, "; Fmax: no clocked path (target %.4g)", r->freq_mhz);
    fputc('\n', fp);
}

/* Contract: family, part, units, Yosys version, counts, cache state; for
** ECP5 package, speed and the DSP budget; with a capacity the fit; after
** place and route its tool, scope, target, Fmax and utilisation. */
json_t *syn_fpga_json(const syn_fpga_target *t, const syn_fpga_tools *tl,
                      const syn_fpga_res *r)
{
    const syn_fpga_counts *n = &r->n;
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "family", t->family, "part", t->part,
                          "lut_unit", t->lut_unit, "ram_unit", t->ram_unit,
                          "yosys", tl->yosys_version,
                          "flow", r->job.flat ? "flat" : "hierarchical");
    json_object_set_new(j, "counts", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
        "luts", (json_int_t)n->lut, "lut_sites", (json_int_t)n->lut_sites,
        "flipflops", (json_int_t)n->ff, "dsp", (json_int_t)n->dsp,
        "ram_blocks", (json_int_t)n->ram, "carry", (json_int_t)n->carry));
    json_object_set_new(j, "yosys_seconds", json_real(r->job.seconds));
    json_object_set_new(j, "cached", json_boolean(r->job.cached));
    if (t->pnr_device) {
        json_object_set_new(j, "package", json_string(t->package));
        json_object_set_new(j, "speed", json_integer(t->speed));
        json_object_set_new(j, "dsp_budget", json_pack("{s:I,s:I,s:i}",
            "products", (json_int_t)r->products, "planned", (json_int_t)r->dsp_planned,
            "modules", r->n_dsp_mod));
    }
    if (t->luts) {
        json_object_set_new(j, "capacity", json_pack("{s:I,s:I,s:I,s:I}",
            "lut_sites", (json_int_t)t->luts, "flipflops", (json_int_t)t->ffs,
            "dsp", (json_int_t)t->dsps, "ram_blocks", (json_int_t)t->rams));
        json_object_set_new(j, "fits", json_boolean(r->fits == 1));
        if (r->fits == 0)
            json_object_set_new(j, "fit_note", json_string(r->fit_note));
    }
    if (r->pnr) {
        json_t *p = json_pack("{s:s,s:s,s:f,s:o,s:b,s:I,s:I,s:I,s:I,s:b,s:f,s:s}",
            "tool", tl->nextpnr_version, "scope", "whole design", "target_mhz", r->freq_mhz,
            "fmax_mhz", r->fmax_mhz > 0 ? json_real(r->fmax_mhz) : json_null(),
            "clocked_path", r->fmax_mhz > 0, "lut_sites", (json_int_t)r->pnr_lut_sites,
            "flipflops", (json_int_t)r->pnr_ff, "dsp", (json_int_t)r->pnr_dsp,
            "ram_blocks", (json_int_t)r->pnr_ram, "cached", r->pnr_cached,
            "seconds", r->pnr_seconds, "report", r->pnr_report);
        json_object_set_new(j, "pnr", p);
    }
    return j;
}
