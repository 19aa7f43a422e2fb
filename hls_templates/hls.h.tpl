/*
{{header}}
 */
#ifndef {{TOP}}_HLS_H
#define {{TOP}}_HLS_H

#include <stdint.h>

#define {{TOP}}_N_CELLS  {{n_cells}}
#define {{TOP}}_N_LATENT {{n_lat}}
#define {{TOP}}_N_LAYERS_W {{n_wlayers}}   /* layers with weights (conv/dense) */

/* One crossing: q[] charges (each < 2^{{charge_bits}}), n_links the output
** links in use (values the model does not allow act as {{def_links}}).
** Results: *sum_code (module-sum float) and latent[] (sent raw values). */
void {{top}}(const uint32_t q[{{n_cells}}],
{{#wparam}}
             const {{w_t}} {{fn}}_w[{{n_w}}], const {{b_t}} {{fn}}_b[{{n_b}}],
{{/wparam}}
             uint32_t n_links, uint32_t *sum_code, int32_t latent[{{n_lat}}]);

/* Same with every weight as int64 raw values, w[k] / b[k] for the k-th
** conv/dense layer (ignored when the weights are compiled in).  For test
** harnesses; not meant for synthesis. */
void {{top}}_generic(const uint32_t *q, const int64_t *const *w, const int64_t *const *b,
                     uint32_t n_links, uint32_t *sum_code, int32_t *latent);

#endif
