/*
** rad_vl.h — the one recipe that builds a Verilator harness program.
**
** Used by `rad4ml sim` (sim/vl_main.c + sim/vl_shim.cpp) and by both SEU
** campaigns (seu/rtl/ harness + shim).  Steps, each through rad_proc (argv,
** no shell), all output appended to one build log:
**   1. verilator --cc --build: the model archive <dir>/obj/<prefix>__ALL.a
**      (skipped when `reuse_model` and the archive exists);
**   2. the Verilator runtime (verilated.cpp, verilated_threads.cpp) into
**      <dir>/vl_rt_*.o, once per directory;
**   3. the C++ shim (skipped when its object is newer than the shim, its
**      `deps` and the model archive);
**   4. the C harness sources, then the link into `exe`.
** The include directory comes from Verilator itself
** (`verilator --getenv VERILATOR_ROOT`), so any installation works.
*/
#ifndef RAD4ML_RAD_VL_H
#define RAD4ML_RAD_VL_H

#include <stdbool.h>
#include "rad_err.h"

#define RAD_VL_MAX_ARGS 24     /* entries of each NULL-terminated list below */

typedef struct {
    const char *dir;              /* build directory (exists): obj/, runtime, shim.o   */
    const char *top;              /* --top-module                                      */
    const char *prefix;           /* model class, e.g. "Vseu_cfg" (NULL: "V" + top)    */
    const char *verilog[RAD_VL_MAX_ARGS];  /* Verilog sources                          */
    const char *vflags[RAD_VL_MAX_ARGS];   /* extra verilator arguments (-D, -W, --x-*) */
    const char *makeflags;        /* -MAKEFLAGS value (NULL: none)                     */
    bool reuse_model;             /* keep an existing obj/<prefix>__ALL.a              */
    bool vpi;                     /* --vpi --public-flat-rw, and Verilator's VPI runtime:
                                     every signal reachable by hierarchical name
                                     (vpi_handle_by_name; seu --all-flops)            */
    const char *shim;             /* C++ shim source                                   */
    const char *deps[RAD_VL_MAX_ARGS];     /* files the shim object depends on too     */
    const char *cxxflags[RAD_VL_MAX_ARGS]; /* extra shim flags (-I, -D)                */
    int cxx_opt;                  /* -O level of runtime and shim (0..3)               */
    const char *csrc[RAD_VL_MAX_ARGS];     /* C sources of the harness main            */
    const char *cflags[RAD_VL_MAX_ARGS];   /* their flags (-I, -D, -O)                 */
    const char *libs[RAD_VL_MAX_ARGS];     /* link inputs after the objects            */
    const char *exe;              /* the harness program                               */
    const char *log;              /* build log (appended; truncated at the start)      */
    bool verbose;                 /* echo every command                                */
} rad_vl_spec;

/* Runs the recipe above.  RAD_ETOOL naming the failed step, its log and
** the log's tail; RAD_EUSAGE when a list overflows. */
int rad_vl_build(const rad_vl_spec *s, rad_err *err);

/* Verilator's include directory ("<VERILATOR_ROOT>/include") into buf. */
int rad_vl_include(char *buf, size_t size, rad_err *err);

#endif
