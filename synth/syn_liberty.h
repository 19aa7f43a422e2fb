/*
** syn_liberty.h — the synthesized design mapped onto a real standard-cell
** library (a liberty file): the library's own cell areas instead of the
** transistor-count estimate of syn.h.
**
** Each module of the hierarchical flow is mapped by Yosys with
** synth/flow_liberty.ys from its RTL (<cache>/mod_<hash>.v, what the
** generic flow read): Yosys' coarse synthesis as in flow_hier.ys, full
** adders onto the library's FAX1 cell when it has one (extract_fa +
** synth/fa_liberty.v), then dfflibmap + abc -liberty.  A design the flow
** ran whole maps its generic netlist (no full-adder cells).  The
** `stat -liberty` report is cached as <cache_dir>/lib_<hash>.txt, hash =
** FNV-1a 64 of the generic netlist's cache key (module: its RTL + script),
** the liberty file's text, the script, the clock period (the mapping's
** delay target) and the techmap rule's text when it is used.
** Module areas are scaled by the instance counts of the generic netlist,
** as for the other figures.
*/
#ifndef RAD4ML_SYN_LIBERTY_H
#define RAD4ML_SYN_LIBERTY_H

#include "synth/syn.h"
#include "synth/syn_flow.h"

/* What rad4ml reads from a liberty file. */
typedef struct {
    char   path[1024];
    char   name[SYN_NAME_MAX];   /* library (NAME) { ... }                 */
    unsigned long long hash;     /* of the file's text                    */
    int    n_cell;
    struct syn_libcell {
        char   name[64];
        double area;             /* in the library's area unit (um^2)     */
        int    seq;              /* has an ff or latch group              */
    } *cell;
    char   nand2[64];            /* the smallest cell named *NAND2*        */
    double nand2_area;
} syn_lib;

/* Shorthands for the Debian-packaged open libraries (qflow-tech-osu018,
** -osu035, -osu050): "osu018" -> /usr/share/qflow/tech/osu018/...lib.
** Anything else is taken as a path.  Fails with the file name and line on a
** file that is missing, has no library group, no cell with an area, or no
** NAND2 cell (the area unit of the NAND2-equivalent count). */
int  syn_lib_load(const char *name_or_path, syn_lib *lib, rad_err *err);
void syn_lib_free(syn_lib *lib);

typedef struct {
    double area;                 /* design cell area, library units (um^2) */
    double nand2_eq;             /* area / the library's NAND2 area        */
    long   cells, ff;            /* library cells, instance-scaled         */
    int    cached;               /* every report came from the cache       */
    int    n_run;                /* Yosys runs now                         */
    double seconds;              /* their wall time                        */
    int    n_net;                /* mapped netlists: <cache>/lib_<key>.v   */
    unsigned long long net_key[SYN_MAX_MODS];
} syn_libarea;

/* Maps the netlist(s) of job j (after syn_run; nl = its loaded generic
** netlist, for the instance counts) onto lib, delay-driven for a clock of
** period_ns with buffering and sizing, and sums the areas. */
int  syn_lib_map(const syn_job *j, const syn_netlist *nl, const syn_lib *lib, double period_ns,
                 syn_libarea *out, rad_err *err);

/* Parses one `stat -liberty` report (several modules) and adds each
** module's own cells and area times its instance count in nl.  A module
** the netlist does not have is an error (a stale report). */
int  syn_lib_add_report(const char *report, const char *text, const syn_lib *lib,
                        const syn_netlist *nl, syn_libarea *out, rad_err *err);

/* Static timing of the mapped design (OpenSTA, synth/sta_liberty.tcl):
** the longest path against one clock of period_ns on port clk, inputs and
** outputs at the clock edge; typical corner, ideal wires and clock. */
typedef struct {
    double period_ns, arrival_ns, slack_ns;
    char   start[SYN_NAME_MAX], end[SYN_NAME_MAX];
    int    cached;
    double seconds;
} syn_timing;

/* Runs OpenSTA (env RAD4ML_STA overrides `sta`) on the netlists that
** syn_lib_map wrote for job j; the report is cached as
** <cache>/sta_<hash>.txt, hash of the netlist keys, clock and script. */
int  syn_lib_sta(const syn_job *j, const syn_lib *lib, const syn_libarea *a,
                 const char *top, const char *clk, double period_ns, syn_timing *t,
                 rad_err *err);
/* Reads an OpenSTA `report_checks` text (the first, worst path). */
int  syn_sta_parse(const char *report, const char *text, syn_timing *t, rad_err *err);

#endif
