/*
** syn_flow.h — running Yosys (synth/flow_*.ys) on generated RTL, cached.
**
** The cache holds the netlist (write_json) under
** <cache_dir>/<hash>.json, hash = FNV-1a 64 of the top name, every .v file
** of the RTL directory (sorted by name) and the flow script; a rerun on
** unchanged RTL reads the netlist back instead of running Yosys again.
*/
#ifndef RAD4ML_SYN_FLOW_H
#define RAD4ML_SYN_FLOW_H

#include <stddef.h>
#include "synth/syn.h"

typedef struct {
    const char *top;          /* top module                               */
    const char *rtl_dir;      /* every *.v in it (not *_tb*) is read      */
    int         flat;         /* flow_flat.ys instead of flow_hier.ys     */
    const char *cache_dir;    /* e.g. build/synth/cache                   */
    int         no_cache;     /* run Yosys even on a hit                  */
    /* results */
    char        netlist[4096];
    int         cached;
    double      seconds;      /* Yosys wall time (0 on a cache hit)       */
    unsigned long long hash;
} syn_job;

int  syn_run(syn_job *j, rad_err *err);

/* Locates a flow script: $RAD4ML_SYNTH_DIR, then <tool's root>/synth,
** then ./synth. */
int  syn_find_script(const char *name, char *out, size_t size, rad_err *err);

/* The Verilog files of a directory, sorted (malloc'd; syn_free_list). */
int  syn_list_verilog(const char *dir, char ***files, int *n, rad_err *err);
void syn_free_list(char **files, int n);

/* First line of `yosys -V` (env RAD4ML_YOSYS overrides the binary). */
int  syn_yosys_version(char *buf, size_t size);

#endif
