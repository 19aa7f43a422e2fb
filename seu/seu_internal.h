/*
** seu_internal.h — helpers shared by the seu module's own C files only.
*/
#ifndef RAD4ML_SEU_INTERNAL_H
#define RAD4ML_SEU_INTERNAL_H

#include "seu/seu.h"
#include "engine/engine.h"
#include "algo/emd.h"
#include "codegen/cg.h"
#include "seu/seu_rtl.h"

/* A prepared set of crossings: the non-empty ones, their charges as
** doubles (the EMD's reference map), and the unperturbed model's result
** and EMD for each. */
typedef struct {
    size_t          n;          /* crossings kept                        */
    int             n_cells;
    const uint32_t **q;         /* [n] charges (pointers into the set)   */
    double         *qd;         /* [n * n_cells] same, as doubles        */
    eng_out        *gold;       /* [n] unperturbed encoder results       */
    double         *gold_emd;   /* [n] unperturbed EMD                   */
    double          mean_emd;
} seu__xset;

/* Keeps the crossings of `set` with a non-zero sum, encodes and decodes
** them with m.  m must compile (eng_compile) and have a decoder; with
** empty_penalty < 0 no EMD is computed (gold_emd 0): any model, any cells. */
int  seu__xset_init(seu__xset *x, const mdl_model *m, const dat_set *set,
                    double empty_penalty, rad_err *err);
void seu__xset_free(seu__xset *x);

/* EMD between charges q (doubles) and m's decoding of o.  Negative decoded
** cells are clipped to 0 (no physical meaning); an empty decoded map costs
** empty_penalty.  cells is scratch of n_cells floats, b of n_cells doubles. */
double seu__emd(const mdl_model *m, emd_ctx *ctx, const double *q,
                const eng_out *o, double empty_penalty, float *cells,
                double *b);

/* Largest ground distance of the LD metric (a default empty penalty). */
double seu__max_distance(void);

/* RTL campaigns (seu_rtl.c): writes text to path unless the file already
** holds exactly it (1 written, 0 unchanged, <0 error: a rebuild is needed
** only when something changed); the golden image as 32-bit hex cfg words. */
int seu__write_if_changed(const char *path, const char *text, rad_err *err);
int seu__write_image(const mdl_model *m, const char *path, rad_err *err);

/* The sources of a harness build: names[i] in d gets texts[i] (each through
** seu__write_if_changed); *written has bit i set for every file that
** changed.  RAD_OK or the reason. */
int seu__write_sources(const char *d, const char *const *names, const char *const *texts,
                       int n, unsigned *written, rad_err *err);

/* The whole generated design of a campaign (gen/ under d): cg_gen_verilog
** with co, then <top>.v and <top>_cfg.v read back as text[0], text[1]
** (malloc'd, len[] their lengths; both NULL on error).  co comes from
** seu__design_opts plus the caller's own fields.  RAD_OK or the reason. */
void seu__design_opts(cg_opts *co, const char *top, seu_prot p, const char *model_name,
                      const char *weights_name);
int seu__gen_design(const mdl_model *m, const cg_opts *co, const char *d,
                    char *text[2], size_t len[2], rad_err *err);

/* The provenance block p as compact JSON text with its kind set to kind
** (e.g. "seu-rate": the report tells the seu tables apart by it); malloc'd,
** NULL when out of memory. */
char *seu__prov_text(const rad_prov *p, const char *kind);

#endif
