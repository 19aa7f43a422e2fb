/*
** seu_fshim.h — the C view of a whole Verilated rad4ml design generated
** with the SEU test port (cg_opts.seu_port; built with --prefix Vseu_top
** and -DRAD4ML_SEU_INJECT).  seu_fshim.cpp is the thin C++ side,
** seu_fharness.c the campaign.  Buses are arrays of 32-bit words, bit k =
** word k/32 bit k%32.
*/
#ifndef SEU_FSHIM_H
#define SEU_FSHIM_H
#include <stdint.h>

typedef struct seu_fd seu_fd;

seu_fd  *ful_new(void);
void     ful_free(seu_fd *d);
/* Drives every input for the next rising edge (they stay until driven). */
void     ful_set(seu_fd *d, int rst, int in_valid, const uint32_t *in_q, int cfg_we,
                uint32_t cfg_addr, uint32_t cfg_wdata);
void     ful_inject(seu_fd *d, int en, int copy, uint32_t addr);
void     ful_clock(seu_fd *d);                 /* one rising edge        */
/* Outputs after the last edge: returns out_valid; latent bus into lat. */
int      ful_out(seu_fd *d, int *chg, uint32_t *sum, uint32_t *lat, int n_words);
uint32_t ful_read(seu_fd *d, uint32_t addr);   /* combinational cfg read */
uint32_t ful_count(seu_fd *d);
int      ful_derr(seu_fd *d);
void     ful_eval(seu_fd *d);                  /* settle after a vflop_flip */

/* Every flip-flop (seu --all-flops): the shim compiled with -DSEU_VPI
** against a model Verilated with --vpi --public-flat-rw.  A register by
** hierarchical name ("TOP.<top>.u_l1.n0.a1_0"; NULL if none), its width,
** and one of its bits inverted in place (an upset between two edges).
** Weak: absent (NULL) in the builds without VPI. */
void    *vflop_open(const char *name) __attribute__((weak));
int      vflop_width(void *h) __attribute__((weak));
void     vflop_flip(void *h, int bit) __attribute__((weak));
/* The register's value as (width+31)/32 words (bit k = word k/32 bit k%32),
** read and written in place (a snapshot and its restore). */
void     vflop_get(void *h, uint32_t *w) __attribute__((weak));
void     vflop_put(void *h, const uint32_t *w) __attribute__((weak));
#endif
