/*
** vl_shim.h — C interface to a Verilated rad4ml top (sim/vl_shim.cpp).
** Buses are little-endian arrays of 32-bit words (bit k = word k/32, bit
** k%32).  The shim is compiled with -DVL_TOP=V<top> -DVL_TOP_H='"V<top>.h"'.
*/
#ifndef RAD4ML_VL_SHIM_H
#define RAD4ML_VL_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vl_dut vl_dut;

vl_dut  *vl_new(void);
void     vl_free(vl_dut *d);
/* Drives every input for the next rising edge (rst: datapath reset,
** rst_cfg: configuration reset). */
void     vl_set(vl_dut *d, int rst, int rst_cfg, int in_valid, const uint32_t *in_q, int cfg_we,
                uint32_t cfg_addr, uint32_t cfg_wdata);
/* One clock: falling then rising edge. */
void     vl_tick(vl_dut *d);
/* Outputs after the last edge; latent words copied into lat[n_words]. */
int      vl_out(vl_dut *d, int *chg, uint32_t *sum, uint32_t *lat, int n_words);
/* Combinational read of a configuration register. */
uint32_t vl_read(vl_dut *d, uint32_t addr);

#ifdef __cplusplus
}
#endif
#endif
