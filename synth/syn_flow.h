/*
** syn_flow.h — running Yosys (synth/flow_*.ys) on generated RTL, cached.
**
** Hierarchical flow (the default): every distinct module under the top is
** synthesized by its own Yosys run, its submodules turned into black boxes,
** and cached as <cache_dir>/mod_<hash>.json, hash = FNV-1a 64 of the flow
** script, the module's own source text (plus the compiler directives above
** it in its file) and the port lists of the modules it instantiates.  So
** configurations that differ in one module (none / tmr / secded differ only
** in <top>_cfg) re-run Yosys on that module alone.  The module list, source
** ranges and ports come from a quick Yosys read of the whole design
** (<cache_dir>/disc_<hash>.json, keyed by top + every file).  The modules'
** netlists are merged into <cache_dir>/design_<hash>.json (j->netlist), the
** same netlist a single hierarchical run writes.
**
** Flat flow: one Yosys run of the whole design, <cache_dir>/<hash>.json,
** hash = top, every .v file (sorted by name) and the script.
**
** syn_run_many runs several designs (e.g. none / tmr / secded) through ONE
** pool of Yosys processes: every missing module of every design runs once
** (a module several designs share is synthesized for the first and found
** by the others), the costliest first (est_cost), so both cores stay busy until the end.
*/
#ifndef RAD4ML_SYN_FLOW_H
#define RAD4ML_SYN_FLOW_H

#include <stddef.h>
#include <stdio.h>
#include "synth/syn.h"

#define SYN_MAX_MODS 256
/* Yosys processes run at once at most (the job count is clamped). */
#define SYN_MAX_JOBS 16

/* One module of the hierarchical flow. */
typedef struct {
    char   name[SYN_NAME_MAX];
    unsigned long long hash;  /* its cache key                         */
    long   src_bytes;         /* size of its source text               */
    long   est_cost;          /* estimated Yosys effort (pool order)   */
    int    cached;            /* netlist came from the cache           */
    double seconds;           /* its Yosys wall time (0 when cached)   */
    double cpu_seconds;       /* CPU time of that run (Yosys + ABC)    */
} syn_modjob;

typedef struct syn_prep syn_prep;   /* syn_flow.c's working state of a job */

typedef struct {
    const char *top;          /* top module                               */
    const char *label;        /* names the job in progress lines (NULL: rtl_dir) */
    const char *rtl_dir;      /* every *.v in it (not *_tb*) is read      */
    int         flat;         /* flow_flat.ys instead of flow_hier.ys     */
    int         quick;        /* flow_quick.ys (abc -fast; not with flat) */
    const char *cache_dir;    /* e.g. build/synth/cache                   */
    int         no_cache;     /* run Yosys even on a hit                  */
    int         jobs;         /* parallel Yosys runs (hierarchical; <1: 1) */
    /* Other flows (synth/syn_fpga.c); all NULL for the ASIC flows above: */
    const char *yosys;        /* Yosys binary (NULL: $RAD4ML_YOSYS or yosys) */
    const char *script;       /* flow script in synth/ instead of flow_*.ys */
    /* Per module: a script in synth/ to use instead of `script` for it, or
    ** NULL (e.g. the FPGA flow's DSP budget: DSP mapping for some modules). */
    const char *(*mod_script)(void *ctx, const char *module);
    void       *mod_ctx;
    /* results */
    char        netlist[4096];
    int         cached;       /* nothing was synthesized                  */
    double      seconds;      /* Yosys wall time of its runs, added up (runs in
                                 parallel count each; 0: all cached)      */
    unsigned long long hash;  /* of the whole RTL + top + script          */
    int         n_mod;        /* hierarchical: the modules, leaves first  */
    int         n_run;        /* of which synthesized now                 */
    syn_modjob  mod[SYN_MAX_MODS];
    syn_prep   *prep;         /* private, between the phases of syn_run_many */
} syn_job;

/* Synthesizes (or finds in the cache) the design; j->netlist names the
** netlist for syn_netlist_load.  A design with more than SYN_MAX_MODS
** modules is run as one Yosys job (n_mod = 0). */
int  syn_run(syn_job *j, rad_err *err);

/* The same for n jobs at once, in one pool of up to `par` Yosys processes
** (<1: 1; the jobs' own `jobs` fields are not used).  One line per module
** started and finished, and one a minute while runs go on, is written to
** progress (NULL: none).  Stops at the first failure. */
int  syn_run_many(syn_job *const *jobs, int n, int par, FILE *progress, rad_err *err);

/* The job record of a module, or NULL. */
const syn_modjob *syn_job_module(const syn_job *j, const char *name);

/* The netlist file of one module of the hierarchical flow
** (<cache_dir>/mod_<hash>.json). */
void syn_module_netlist(const syn_job *j, const syn_modjob *m, char *out, size_t size);

/* Runs argv with stdout and stderr in log; returns its exit status (-1:
** could not start) and adds its wall time to *secs. */
int  syn_run_tool(char *const argv[], const char *log, double *secs);
/* The same for `yosys -q -s script` (env RAD4ML_YOSYS overrides the binary). */
int  syn_yosys_script(const char *script, const char *log, double *secs);

/* Locates a flow script: $RAD4ML_SYNTH_DIR, then <tool's root>/synth,
** then ./synth. */
int  syn_find_script(const char *name, char *out, size_t size, rad_err *err);

/* The Verilog files of a directory, sorted (malloc'd; syn_free_list). */
int  syn_list_verilog(const char *dir, char ***files, int *n, rad_err *err);
void syn_free_list(char **files, int n);

/* First line of `yosys -V` (env RAD4ML_YOSYS overrides the binary). */
int  syn_yosys_version(char *buf, size_t size);

#endif
