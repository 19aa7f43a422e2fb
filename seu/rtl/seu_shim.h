/*
** seu_shim.h — the C view of the Verilated protected register file
** (seu_shim.cpp is the thin C++ side; seu_harness.c the test logic).
*/
#ifndef SEU_SHIM_H
#define SEU_SHIM_H
#include <stdint.h>

typedef struct seu_sh seu_sh;

seu_sh  *sh_new(void);
void     sh_free(seu_sh *h);
/* Drives the inputs (they stay until driven again). */
void     sh_set(seu_sh *h, int rst, int we, uint32_t addr, uint32_t wdata);
void     sh_inject(seu_sh *h, int en, int copy, uint32_t addr);
void     sh_eval(seu_sh *h);      /* settle combinational logic        */
void     sh_clock(seu_sh *h);     /* one rising edge                    */
/* wimg into words[0 .. (n_img+31)/32) (bit k = words[k/32] bit k%32). */
void     sh_wimg(seu_sh *h, uint32_t *words, int n_words);
uint32_t sh_rdata(seu_sh *h);
uint32_t sh_count(seu_sh *h);
int      sh_derr(seu_sh *h);
uint32_t sh_links(seu_sh *h);
#endif
