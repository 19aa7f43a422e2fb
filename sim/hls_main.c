/*
** hls_main.c — harness of the generated HLS C, compiled by `rad4ml sim`
** with -DHLS_FN=<top>_generic -DHLS_H='"<top>_hls.h"'.  Replays the same
** schedule as the RTL harnesses, untimed: configuration writes update a
** copy of the register image (unpacked with mdl_i2c_unpack, which also
** checks the register map) and n_links; every crossing is computed at once.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg.h"
#include "model/model_io.h"
#include "sim/sim_harness.h"
#include HLS_H

/* HLS C harness: runs the generated HLS C function (HLS_FN) on the
** harness's stimuli and compares every output with the C reference engine;
** prints one summary line.  Exit 0 when 0 mismatches, 1 otherwise, 2 on
** bad arguments. */
int main(int argc, char **argv)
{
    sim_harness h;
    rad_err err = { 0 };
    sim_stim *s = NULL;
    if (sim_harness_init(&h, argc, argv, &err)) {
        fprintf(stderr, "hls_harness: %s\n", err.msg);
        return 2;
    }
    h.cfg.latency = 1;                 /* untimed */
    if (sim_stim_new(h.a, h.b, &h.cfg, &s, &err)) {
        fprintf(stderr, "hls_harness: %s\n", err.msg);
        return 2;
    }
    mdl_model *cur = mdl_clone(h.a);
    int nw;
    sim_stim_image(s, 0, &nw);
    uint32_t *words = calloc((size_t)nw + 1, 4);
    uint8_t *bytes = calloc((size_t)nw * 4 + 4, 1);
    const int64_t *w[MDL_MAX_LAYERS], *b[MDL_MAX_LAYERS];
    int nl = 0;
    for (int i = 0; i < cur->n_layers; i++)
        if (cur->layers[i].kind == MDL_CONV2D || cur->layers[i].kind == MDL_DENSE) {
            w[nl] = cur->layers[i].w;
            b[nl++] = cur->layers[i].b;
        }
    uint32_t n_links = (uint32_t)h.a->out.n_links;
    bool dirty = true;
    sim_cycle cy;
    int32_t lat[ENG_MAX_LATENT];
    while (sim_stim_next(s, &cy)) {
        if (cy.rst_cfg) {             /* the configuration registers */
            memset(words, 0, (size_t)nw * 4);
            n_links = (uint32_t)h.a->out.n_links;
            dirty = true;
        }
        if (cy.rst || cy.rst_cfg)
            continue;
        if (cy.cfg_we) {
            if (cy.cfg_addr == 3)
                n_links = cy.cfg_wdata & 15;
            else if (cy.cfg_addr >= CG_CFG_WBASE && cy.cfg_addr < CG_CFG_WBASE + (uint32_t)nw)
                words[cy.cfg_addr - CG_CFG_WBASE] = cy.cfg_wdata;
            dirty = true;
        }
        if (!cy.in_valid)
            continue;
        if (dirty && h.cfg.reg_weights) {
            for (int i = 0; i < nw; i++)
                for (int k = 0; k < 4; k++)
                    bytes[4 * i + k] = (uint8_t)(words[i] >> (8 * k));
            if (mdl_i2c_unpack(cur, bytes, (size_t)nw * 4, &err)) {
                fprintf(stderr, "hls_harness: %s\n", err.msg);
                return 2;
            }
        }
        dirty = false;
        uint32_t sum;
        HLS_FN(cy.q, w, b, n_links, &sum, lat);
        sim_stim_observe(s, 0, sum, lat);
    }
    const sim_counts *k = sim_stim_counts(s);
    sim_print_counts("hls", k);
    int bad = k->mismatches || k->latency_errors || k->compared == 0;
    free(words);
    free(bytes);
    mdl_free(cur);
    sim_stim_free(s);
    sim_harness_free(&h);
    return bad ? 1 : 0;
}
