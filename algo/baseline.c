/*
** baseline.c — threshold, best choice and super trigger cells (baseline.h).
*/
#include <stdio.h>
#include <string.h>

#include "algo/baseline.h"
#include "data/hgcfloat.h"

static const int bl_bc_table[BL_MAX_LINKS + 1] = {
    0, 1, 4, 6, 9, 14, 18, 23, 28, 32, 37, 41, 46, 48
};

int bl_bc_n_for_links(int links)
{
    if (links < 0)
        links = 0;
    if (links > BL_MAX_LINKS)
        links = BL_MAX_LINKS;
    return bl_bc_table[links];
}

static int stc_bits(const bl_config *cfg)
{
    int groups = cfg->kind == BL_STC4 ? GEO_N_STC4 : GEO_N_STC16;
    int index = cfg->kind == BL_STC4 ? 2 : 4;
    return BL_HEADER_BITS + groups * (cfg->sum_ebits + cfg->sum_mbits + index);
}

static int bc_bits(int n)
{
    int addr = n * (6 + 7), map = GEO_N_CELLS + 7 * n;
    return BL_HEADER_BITS + BL_SUM_BITS + (addr < map ? addr : map);
}

int bl_fixed_bits(const bl_config *cfg)
{
    switch (cfg->kind) {
    case BL_BC: return bc_bits(cfg->n_bc);
    case BL_STC4:
    case BL_STC16: return stc_bits(cfg);
    default: return -1;
    }
}

bl_config bl_plan(bl_kind kind, int links, int drop_lsb)
{
    bl_config c = { kind, drop_lsb, BL_DEFAULT_THR, 0, 5, 4 };
    int budget = BL_LINK_BITS * links;
    if (kind == BL_BC)
        c.n_bc = bl_bc_n_for_links(links);
    if (kind == BL_STC4 || kind == BL_STC16) {
        /* 9-bit (5E4M) sums when they fit the budget, else 7-bit (4E3M) */
        if (stc_bits(&c) > budget) {
            c.sum_ebits = 4;
            c.sum_mbits = 3;
        }
    }
    return c;
}

/* What the back end reads for a TC charge sent as 4E3M. */
static uint32_t tc_roundtrip(uint32_t q, int drop)
{
    return dat_4e3m_decode(dat_4e3m_encode(q, drop), drop);
}

static int run_threshold(const bl_config *cfg, const uint32_t *q, uint32_t *rec)
{
    int kept = 0;
    for (int t = 0; t < GEO_N_CELLS; t++) {
        if (q[t] >= (uint32_t)cfg->thr) {
            rec[t] = tc_roundtrip(q[t], cfg->drop_lsb);
            kept++;
        } else {
            rec[t] = 0;
        }
    }
    return BL_HEADER_BITS + BL_SUM_BITS + GEO_N_CELLS + 7 * kept;
}

/* Selects the N largest charges; ties go to the lower TC index (the order
** a stable sorting network keeps).  Selection by repeated scans: N <= 48. */
static int run_bc(const bl_config *cfg, const uint32_t *q, uint32_t *rec)
{
    unsigned char taken[GEO_N_CELLS] = {0};
    int n = cfg->n_bc > GEO_N_CELLS ? GEO_N_CELLS : cfg->n_bc;
    memset(rec, 0, GEO_N_CELLS * sizeof *rec);
    for (int k = 0; k < n; k++) {
        int best = -1;
        for (int t = 0; t < GEO_N_CELLS; t++)
            if (!taken[t] && (best < 0 || q[t] > q[best]))
                best = t;
        taken[best] = 1;
        rec[best] = tc_roundtrip(q[best], cfg->drop_lsb);
    }
    return bc_bits(n);
}

static int run_stc(const bl_config *cfg, const uint32_t *q, uint32_t *rec)
{
    const geo_cell *cells = geo_cells();
    int groups = cfg->kind == BL_STC4 ? GEO_N_STC4 : GEO_N_STC16;
    uint64_t sum[GEO_N_STC4] = {0};
    int max_tc[GEO_N_STC4];
    for (int g = 0; g < groups; g++)
        max_tc[g] = -1;
    memset(rec, 0, GEO_N_CELLS * sizeof *rec);
    for (int t = 0; t < GEO_N_CELLS; t++) {
        int g = cfg->kind == BL_STC4 ? cells[t].stc4 : cells[t].stc16;
        sum[g] += q[t];
        if (max_tc[g] < 0 || q[t] > q[max_tc[g]])
            max_tc[g] = t;
    }
    for (int g = 0; g < groups; g++) {
        unsigned code = dat_float_encode(sum[g], cfg->sum_ebits, cfg->sum_mbits,
                                         cfg->drop_lsb);
        uint64_t v = dat_float_decode(code, cfg->sum_ebits, cfg->sum_mbits,
                                      cfg->drop_lsb, true);
        rec[max_tc[g]] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
    return stc_bits(cfg);
}

int bl_run(const bl_config *cfg, const uint32_t q[GEO_N_CELLS],
           uint32_t rec[GEO_N_CELLS])
{
    switch (cfg->kind) {
    case BL_THRESHOLD: return run_threshold(cfg, q, rec);
    case BL_BC: return run_bc(cfg, q, rec);
    default: return run_stc(cfg, q, rec);
    }
}

const char *bl_name(bl_kind kind)
{
    static const char *names[] = { "threshold", "bc", "stc4", "stc16" };
    return kind <= BL_STC16 ? names[kind] : "?";
}

void bl_describe(const bl_config *cfg, char *buf, int size)
{
    switch (cfg->kind) {
    case BL_THRESHOLD:
        snprintf(buf, size, "threshold CALQ>=%d (%.2f MIP_T)", cfg->thr,
                 cfg->thr / (double)BL_MIP_T);
        break;
    case BL_BC:
        snprintf(buf, size, "best choice N=%d", cfg->n_bc);
        break;
    default:
        snprintf(buf, size, "%s, %dE%dM sums", bl_name(cfg->kind),
                 cfg->sum_ebits, cfg->sum_mbits);
        break;
    }
}
