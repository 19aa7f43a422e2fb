/*
** cg_cfg_int.h — internals of the register-file generator (cg_cfg*.c):
** the parts every protection shares, and the storage of each protection.
*/
#ifndef RAD4ML_CG_CFG_INT_H
#define RAD4ML_CG_CFG_INT_H

#include "codegen/cg_cfg.h"
#include "codegen/cg_int.h"

/* The only reset input of <top>_cfg: the configuration reset / power-on
** (codegen/REGMAP.md, "Resets"); the datapath reset `rst` does not reach it. */
#define CG_CFG_RST "rst_cfg"

/* Image word i of the cfg bus replaced in `cur`, giving `nxt`
** (both n_img-bit wires; nxt is assigned here). */
void cg_cfg__write(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g,
                   const char *cur, const char *nxt);

/* The one-hot test injection vector `inj` of `width` bits (seu_ports only). */
void cg_cfg__inject(cg_buf *b, const cg_cfg_opts *o, size_t width);

/* n stored copies: reg declarations are the caller's; one (* keep *)
** always block per copy loading nxt[i] (XOR the injection of copy i with
** seu_ports), cleared by the configuration reset. */
void cg_cfg__copies(cg_buf *b, const cg_cfg_opts *o, int n, const char *const *name,
                    const size_t *w, const char *const *nxt, const char *const *inj);

/* Control registers (n_links, write counter), status, read mux, outputs.
** cur = the corrected image (NULL without reconfigurable weights); corr /
** derr = this clock's corrected-upset and uncorrectable-error conditions. */
void cg_cfg__front(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g,
                   const char *cur, const char *corr, const char *derr);

/* Storage of each protection (cg_cfg_tmr.c, cg_cfg_secded.c). */
void cg_cfg__none(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g);
void cg_cfg__tmr(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g);
void cg_cfg__secded(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g);

/* Submodules a protection's storage instantiates, emitted after <top>_cfg:
** <top>_cfg_dec / _enc (one SECDED codeword), <top>_cfg_vote (one TMR voter word). */
void cg_cfg__secded_unit(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g);
void cg_cfg__tmr_unit(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g);

#endif
