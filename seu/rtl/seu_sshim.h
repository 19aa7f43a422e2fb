/*
** seu_sshim.h — the C view of the Verilated instrumented gate netlist of
** `rad4ml seu --set` (module set_dut, --prefix Vset_dut; seu/seu_set_net.c
** writes it).  seu_sshim.cpp is the thin C++ side, seu_sharness.c the
** campaign.  Buses are arrays of 32-bit words, bit k = word k/32 bit k%32.
*/
#ifndef SEU_SSHIM_H
#define SEU_SSHIM_H
#include <stdint.h>

typedef struct seu_sd seu_sd;

seu_sd *set_new(void);
void    set_free(seu_sd *d);
/* Drives set_in and the pulse (en: bit `gate` of set_m, else none) and
** settles the logic with clk low. */
void    set_drive(seu_sd *d, const uint32_t *in, int en, uint32_t gate);
void    set_edge(seu_sd *d);          /* rising edge, pulse still as driven */
void    set_pulse_off(seu_sd *d);     /* set_m zero, clk low, settled       */
void    set_out(seu_sd *d, uint32_t *w, int n_words);
void    set_state(seu_sd *d, uint32_t *w, int n_words);
#endif
