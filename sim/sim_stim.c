/*
** sim_stim.c — stimulus schedule, vectors and checking (see sim.h).
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_hash.h"
#include "codegen/cg.h"
#include "model/model_io.h"
#include "sim/sim.h"

#define RING 256            /* crossings in flight at most */
#define CFG_N_LINKS 3       /* REGMAP.md */

typedef struct {
    long     cycle, index;
    int      check;
    uint32_t sum;
    int32_t  lat[ENG_MAX_LATENT];
} pending;

struct sim_stim {
    sim_cfg     c;
    mdl_model  *m[2];             /* configuration before / after the switch */
    eng_plan   *plan[2];
    uint32_t   *img[2];
    int         n_img;
    int         n_lat;
    long        cycle;            /* cycle number of the last stimulus       */
    long        load_end;         /* first traffic cycle                     */
    long        sw_begin, sw_end; /* cycles of the mid-stream writes         */
    size_t      rst_at;           /* crossing index of the mid-stream reset  */
    long        rst_begin;        /* its first (drain) cycle, -1 before      */
    size_t      sent;             /* crossings issued                        */
    size_t      sw_at;            /* crossing index where the switch starts  */
    long        drain;
    long        last_in;          /* cycle of the last crossing sent         */
    uint64_t    rng;
    pending     ring[RING];
    size_t      head, tail;
    sim_counts  k;
};

/* ---- vectors ------------------------------------------------------------ */

size_t sim_n_corners(const mdl_model *m)
{
    int cb = m->in.charge_bits, n = m->in.n_cells;
    int sw = cb;
    while (sw < 64 && ((uint64_t)1 << sw) <= (uint64_t)n * (((uint64_t)1 << cb) - 1))
        sw++;
    return 4 + (size_t)n + (size_t)cb + 3 * (size_t)(sw + 1);
}

/* Spreads a total over the cells (each <= max) at random. */
static void spread(uint32_t *q, int n, uint32_t max, uint64_t total, uint64_t *rng)
{
    memset(q, 0, (size_t)n * sizeof *q);
    for (int pass = 0; total && pass < 4; pass++)
        for (int k = 0; k < n && total; k++) {
            int i = (int)(rad_splitmix64(rng) % (uint64_t)n);
            uint64_t room = max - q[i];
            uint64_t v = pass < 3 ? rad_splitmix64(rng) % (room + 1) : room;
            v = v < total ? v : total;
            q[i] += (uint32_t)v;
            total -= v;
        }
    for (int i = 0; i < n && total; i++) {     /* leftovers, deterministic */
        uint64_t v = max - q[i] < total ? max - q[i] : total;
        q[i] += (uint32_t)v;
        total -= v;
    }
}

static void corner(const mdl_model *m, size_t k, uint64_t seed, uint32_t *q)
{
    int cb = m->in.charge_bits, n = m->in.n_cells;
    uint32_t max = (uint32_t)(((uint64_t)1 << cb) - 1);
    uint64_t rng = seed ^ (k * 0x9e3779b97f4a7c15ULL);
    memset(q, 0, (size_t)n * sizeof *q);
    if (k == 0)
        return;                                          /* all zero */
    if (k == 1) {
        for (int i = 0; i < n; i++)
            q[i] = max;                                  /* all max */
        return;
    }
    if (k == 2 || k == 3) {
        for (int i = 0; i < n; i++)                      /* alternating bits */
            q[i] = (uint32_t)((k == 2 ? 0x5555555555ULL : 0xaaaaaaaaaaULL) & max);
        return;
    }
    k -= 4;
    if (k < (size_t)n) {
        q[k] = max;                                      /* single cell at max */
        return;
    }
    k -= (size_t)n;
    if (k < (size_t)cb) {
        q[(k * 7) % (size_t)n] = (uint32_t)1 << k;       /* single cell, power of two */
        return;
    }
    k -= (size_t)cb;
    /* sums of 2^e - 1, 2^e, 2^e + 1 */
    uint64_t total = ((uint64_t)1 << (k / 3)) + (k % 3) - 1;
    uint64_t cap = (uint64_t)n * max;
    spread(q, n, max, total < cap ? total : cap, &rng);
}

void sim_vector(const mdl_model *m, const uint32_t *real, size_t n_real, uint64_t seed,
                size_t k, uint32_t *q)
{
    int cb = m->in.charge_bits, n = m->in.n_cells;
    size_t nc = sim_n_corners(m);
    if (k < nc) {
        corner(m, k, seed, q);
        return;
    }
    k -= nc;
    if (real && k < n_real) {
        memcpy(q, real + k * (size_t)n, (size_t)n * sizeof *q);
        return;
    }
    uint64_t rng = seed * 0x2545f4914f6cdd1dULL + k * 0x9e3779b97f4a7c15ULL + 1;
    uint32_t max = (uint32_t)(((uint64_t)1 << cb) - 1);
    static const int occ_pct[] = { 0, 3, 10, 30, 60, 100 };
    int mode = (int)(rad_splitmix64(&rng) % 6);
    int hit = mode == 0 ? (int)(rad_splitmix64(&rng) % (uint64_t)n) : -1;
    for (int i = 0; i < n; i++) {
        q[i] = 0;
        if (mode == 0 ? i != hit : (int)(rad_splitmix64(&rng) % 100) >= occ_pct[mode])
            continue;
        int bits = (int)(rad_splitmix64(&rng) % (uint64_t)(cb + 1));      /* log-uniform size */
        q[i] = (uint32_t)(rad_splitmix64(&rng) & (((uint64_t)1 << bits) - 1)) & max;
    }
}

/* ---- packing -------------------------------------------------------------- */

void sim_unpack(const uint32_t *bus, int n, int w, bool is_signed, int32_t *out)
{
    for (int i = 0; i < n; i++) {
        uint64_t v = 0;
        for (int b = 0; b < w; b++) {
            size_t bit = (size_t)i * w + b;
            v |= (uint64_t)((bus[bit / 32] >> (bit % 32)) & 1) << b;
        }
        if (is_signed && w < 64 && (v >> (w - 1)) & 1)
            v |= ~(uint64_t)0 << w;
        out[i] = (int32_t)(int64_t)v;
    }
}

void sim_pack(const uint32_t *vals, int n, int w, uint32_t *bus, int n_words)
{
    memset(bus, 0, (size_t)n_words * sizeof *bus);
    for (int i = 0; i < n; i++)
        for (int b = 0; b < w; b++) {
            size_t bit = (size_t)i * w + b;
            if ((vals[i] >> b) & 1)
                bus[bit / 32] |= (uint32_t)1 << (bit % 32);
        }
}

/* ---- schedule --------------------------------------------------------- */

void sim_stim_free(sim_stim *s)
{
    if (!s)
        return;
    for (int i = 0; i < 2; i++) {
        mdl_free(s->m[i]);
        eng_free(s->plan[i]);
        free(s->img[i]);
    }
    free(s);
}

int sim_stim_new(const mdl_model *a, const mdl_model *b, const sim_cfg *c, sim_stim **out,
                 rad_err *err)
{
    sim_stim *s = calloc(1, sizeof *s);
    if (!s)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    s->c = *c;
    assert(!c->real_only || (c->real && c->n_vectors <= c->n_real));
    if (s->c.latency < 1)
        s->c.latency = 1;
    s->m[0] = mdl_clone(a);
    s->m[1] = mdl_clone(b && c->reg_weights ? b : a);
    int rc = s->m[0] && s->m[1] ? RAD_OK : rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!rc && c->links2)
        rc = mdl_set_links(s->m[1], c->links2, err);
    for (int i = 0; i < 2 && !rc; i++) {
        rad_err e2;
        if (eng_compile(s->m[i], &s->plan[i], &e2))
            s->plan[i] = NULL;                /* generic path (wide models) */
        rc = cg_image_words(s->m[i], &s->img[i], &s->n_img, err);
    }
    if (rc) {
        sim_stim_free(s);
        return rc;
    }
    s->n_lat = mdl_latent_count(a);
    s->rng = c->seed ^ 0x5eed;
    s->load_end = 2 + (c->reg_weights ? s->n_img : 0);
    s->sw_at = c->reload ? c->n_vectors / 2 : (size_t)-1;
    s->sw_begin = s->sw_end = -1000000;
    s->rst_at = c->mid_reset != SIM_RESET_NONE ? c->n_vectors / 4 : (size_t)-1;
    s->rst_begin = -1;
    s->drain = c->latency + 4;
    if (s->c.interval < 1)
        s->c.interval = 1;
    s->last_in = -1000000;
    s->k.first_bad = -1;
    *out = s;
    return RAD_OK;
}

const sim_counts *sim_stim_counts(const sim_stim *s) { return &s->k; }

const uint32_t *sim_stim_image(const sim_stim *s, int set, int *n_words)
{
    *n_words = s->n_img;
    return s->img[set ? 1 : 0];
}

/* Writes of the mid-stream switch: image words that differ, then n_links. */
static int switch_write(sim_stim *s, long i, uint32_t *addr, uint32_t *data)
{
    long k = 0;
    for (int w = 0; s->c.reg_weights && w < s->n_img; w++)
        if (s->img[0][w] != s->img[1][w] && k++ == i) {
            *addr = CG_CFG_WBASE + (uint32_t)w;
            *data = s->img[1][w];
            return 1;
        }
    if (i == k && s->c.links2) {
        *addr = CFG_N_LINKS;
        *data = (uint32_t)s->c.links2;
        return 1;
    }
    return 0;
}

static long switch_len(sim_stim *s)
{
    long n = s->c.links2 ? 1 : 0;
    for (int w = 0; s->c.reg_weights && w < s->n_img; w++)
        n += s->img[0][w] != s->img[1][w];
    return n;
}

/* The mid-stream reset: once crossing rst_at is due, latency + 2 idle
** cycles drain the pipeline (no crossing is lost), then 2 reset cycles.
** True while it runs (the cycle carries no crossing). */
static bool mid_reset(sim_stim *s, long c, sim_cycle *cy)
{
    if (s->sent != s->rst_at || s->sent >= s->c.n_vectors)
        return false;
    if (s->rst_begin < 0)
        s->rst_begin = c;
    long k = c - s->rst_begin, drain = s->c.latency + 2;
    if (k >= drain + 2) {
        s->rst_at = (size_t)-1;          /* done: traffic resumes */
        return false;
    }
    if (k >= drain) {
        cy->rst = 1;
        cy->rst_cfg = s->c.mid_reset == SIM_RESET_CFG;
    }
    return true;
}

/* See sim.h.  The inputs of the next clock cycle into cy (reset, weight
** load, traffic with idle cycles, the mid-stream weight switch, drain);
** false when the run is over. */
bool sim_stim_next(sim_stim *s, sim_cycle *cy)
{
    long c = ++s->cycle - 1;          /* cycle numbers from 0 */
    memset(cy, 0, sizeof *cy);
    s->k.cycles++;
    if (c < 2) {
        cy->rst = cy->rst_cfg = 1;    /* power-on */
        return true;
    }
    if (c < s->load_end) {            /* weight set A through the port */
        cy->cfg_we = 1;
        cy->cfg_addr = CG_CFG_WBASE + (uint32_t)(c - 2);
        cy->cfg_wdata = s->img[0][c - 2];
        return true;
    }
    if (s->sent == s->sw_at && s->sw_begin < 0) {
        s->sw_begin = c;
        s->sw_end = c + switch_len(s) - 1;
    }
    if (c >= s->sw_begin && c <= s->sw_end)
        switch_write(s, c - s->sw_begin, &cy->cfg_addr, &cy->cfg_wdata), cy->cfg_we = 1;
    if (s->sent >= s->c.n_vectors)
        return s->drain-- > 0;
    if (mid_reset(s, c, cy))
        return true;
    if (c - s->last_in < s->c.interval)        /* reuse: one crossing per interval */
        return true;
    if (rad_splitmix64(&s->rng) % 64 == 0)     /* an idle cycle now and then */
        return true;
    s->last_in = c;
    const mdl_model *m = s->m[0];
    if (s->c.real_only)
        memcpy(cy->q, s->c.real + s->sent * (size_t)m->in.n_cells,
               (size_t)m->in.n_cells * sizeof *cy->q);
    else
        sim_vector(m, s->c.real, s->c.n_real, s->c.seed, s->sent, cy->q);
    cy->in_valid = 1;
    int set = s->sw_begin >= 0 && c > s->sw_end ? 1 : 0;
    bool near = s->sw_begin >= 0 && c + s->c.latency + 1 >= s->sw_begin && c - 1 <= s->sw_end;
    if (s->sw_begin < 0 && s->sent + 4 + (size_t)s->c.latency >= s->sw_at &&
        s->sw_at != (size_t)-1)
        near = true;                  /* the switch starts within the flight */
    cy->check = !near;
    eng_out o;
    if (s->plan[set])
        eng_encode(s->plan[set], cy->q, &o);
    else
        eng_encode_generic(s->m[set], cy->q, &o);
    cy->exp_sum = o.sum_code;
    memcpy(cy->exp_lat, o.sent, (size_t)s->n_lat * sizeof(int32_t));
    pending *p = &s->ring[s->tail++ % RING];
    p->cycle = c;
    p->index = (long)s->sent;
    p->check = cy->check;
    p->sum = o.sum_code;
    memcpy(p->lat, o.sent, (size_t)s->n_lat * sizeof(int32_t));
    s->sent++;
    s->k.crossings++;
    return true;
}

void sim_stim_observe(sim_stim *s, int chg, uint32_t sum, const int32_t *lat)
{
    sim_counts *k = &s->k;
    k->outputs++;
    k->flagged += chg != 0;
    if (s->head == s->tail) {          /* an output nobody sent */
        k->mismatches++;
        return;
    }
    pending *p = &s->ring[s->head++ % RING];
    if (s->cycle - 1 - p->cycle != s->c.latency - 1)
        k->latency_errors++;
    if (!p->check) {
        k->skipped++;
        return;
    }
    if (chg)
        k->bad_flag++;
    k->compared++;
    bool bad = sum != p->sum || memcmp(lat, p->lat, (size_t)s->n_lat * sizeof(int32_t)) != 0;
    if (bad) {
        k->mismatches++;
        if (k->first_bad < 0)
            k->first_bad = p->index;
    }
}

void sim_print_counts(const char *name, const sim_counts *c)
{
    printf("%s crossings=%zu outputs=%zu compared=%zu mismatches=%zu skipped_reconfig=%zu "
           "flagged=%zu bad_flags=%zu latency_errors=%zu first_bad=%ld\n", name, c->crossings,
           c->outputs, c->compared, c->mismatches, c->skipped, c->flagged, c->bad_flag,
           c->latency_errors, c->first_bad);
}
