/*
** vl_main.c — Verilator harness (C; the DUT is reached through the thin
** C++ shim sim/vl_shim.cpp).  Drives the sim_stim schedule one clock per
** cycle, checks every output, then reads the configuration registers back.
** Prints one "verilator ..." counts line and "verilator_rate ..." and
** exits 1 on any mismatch.  Arguments: sim/sim_harness.h.
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "codegen/cg.h"
#include "sim/sim_harness.h"
#include "sim/vl_shim.h"

/* Verilator harness: drives the generated RTL with the stimuli of the
** harness arguments cycle by cycle and compares every output with the C
** reference engine; prints one summary line.  Exit 0 when 0 mismatches,
** 1 otherwise, 2 on bad arguments. */
int main(int argc, char **argv)
{
    sim_harness h;
    rad_err err = { 0 };
    sim_stim *s = NULL;
    if (sim_harness_init(&h, argc, argv, &err) ||
        sim_stim_new(h.a, h.b, &h.cfg, &s, &err)) {
        fprintf(stderr, "vl_harness: %s\n", err.msg);
        return 2;
    }
    int nqw = (h.n_cells * h.cb + 31) / 32 + 2, nlw = (h.n_lat * h.lat_w + 31) / 32 + 2;
    uint32_t *qbus = calloc((size_t)nqw, 4), *lbus = calloc((size_t)nlw, 4);
    int32_t lat[ENG_MAX_LATENT];
    vl_dut *d = vl_new();
    sim_cycle cy;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (sim_stim_next(s, &cy)) {
        sim_pack(cy.q, h.n_cells, h.cb, qbus, nqw);
        vl_set(d, cy.rst, cy.rst_cfg, cy.in_valid, qbus, cy.cfg_we, cy.cfg_addr, cy.cfg_wdata);
        vl_tick(d);
        int chg;
        uint32_t sum;
        if (vl_out(d, &chg, &sum, lbus, nlw) && !cy.rst) {
            sim_unpack(lbus, h.n_lat, h.lat_w, h.lat_signed, lat);
            sim_stim_observe(s, chg, sum, lat);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    /* register read-back: ID, n_links, and the image now loaded, word by
    ** word and as a whole by the image file's check (CRC-32, cg_image_crc) */
    size_t rb_err = 0;
    int nw;
    const uint32_t *img = sim_stim_image(s, h.cfg.reload ? 1 : 0, &nw);
    rb_err += vl_read(d, 0) != 0x52414434u;
    if (h.cfg.links2)
        rb_err += vl_read(d, 3) != (uint32_t)h.cfg.links2;
    uint32_t *rb = calloc(nw > 0 ? (size_t)nw : 1, sizeof *rb);
    for (int i = 0; rb && h.cfg.reg_weights && i < nw; i++) {
        rb[i] = vl_read(d, CG_CFG_WBASE + (uint32_t)i);
        rb_err += rb[i] != img[i];
    }
    uint32_t crc_rb = rb ? cg_image_crc(rb, nw) : 0, crc_img = cg_image_crc(img, nw);
    if (h.cfg.reg_weights)
        rb_err += !rb || crc_rb != crc_img;
    free(rb);
    const sim_counts *k = sim_stim_counts(s);
    sim_print_counts("verilator", k);
    if (h.cfg.reg_weights)
        printf("verilator_readback words=%d errors=%zu crc32=0x%08x image_crc32=0x%08x\n",
               nw, rb_err, crc_rb, crc_img);
    else
        printf("verilator_readback words=0 errors=%zu\n", rb_err);
    printf("verilator_rate cycles=%zu seconds=%.3f crossings_per_s=%.0f\n", k->cycles, dt,
           dt > 0 ? (double)k->crossings / dt : 0.0);
    int bad = k->mismatches || k->bad_flag || k->latency_errors || rb_err ||
              k->compared == 0 || k->outputs != k->crossings;
    vl_free(d);
    free(qbus);
    free(lbus);
    sim_stim_free(s);
    sim_harness_free(&h);
    return bad ? 1 : 0;
}
