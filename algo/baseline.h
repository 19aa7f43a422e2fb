/*
** baseline.h — the conventional ECON-T data-reduction algorithms, as the ASIC
** transmits them, for comparison with the autoencoder at equal bit budget.
**
** Each algorithm takes one crossing's 48 CALQ charges (22-bit, TC order) and
** produces the module the back end reconstructs from what was sent — the
** input of the EMD figure of merit — plus the number of bits it sent:
**
**  THRESHOLD  keep TCs with CALQ >= thr (per-TC register; one value here):
**             sends 4-bit header + 5E3M module sum (8 b) + 48-bit address
**             map + 7 b (4E3M) per kept TC.  Variable size (buffered in the
**             ASIC); reconstruction = decoded 4E3M of the kept TCs, 0 else.
**  BC         best choice: the N largest TCs (ties: lower TC index first, as
**             a stable sorting network), each as 4E3M; sends header 4 b +
**             5E3M sum 8 b + min(N*(6+7), 48 + 7*N) (6-bit addresses or the
**             48-bit map, whichever is smaller).  N per output links
**             0..13: 0,1,4,6,9,14,18,23,28,32,37,41,46,48 (ECON-T spec v9;
**             this table is exactly the largest N that fits 32*links bits
**             under the cost above [derived]).
**  STC4/16    super trigger cells: per group of 4 (2x2) or 16 (one HGCROC)
**             TCs, the sum (5E4M 9 b, or 4E3M 7 b) and the index of the
**             largest TC in the group (2 / 4 b, ties: lowest index);
**             sends header 4 b + groups * (sum bits + index bits).
**             Reconstruction puts the decoded group sum on the max TC
**             (as the offline emulation does), 0 on the others.
**
** Every code (4E3M TC charges, 5E3M module sums, 5E4M / 4E3M STC sums) is
** taken of the value with the module's dropped LSBs removed (LD 1, HD 3), as
** the algorithm blocks work on those, and decoded with the half-LSB restore
** (data/hgcfloat.h), i.e. to the midpoint of its interval.
**
** Equal bit budget (bl_plan): for L output links the budget is 32*L bits;
** BC takes N from the table; STC sums are 9-bit (5E4M) when the STC fits
** the budget, else 7-bit (4E3M): STC4 fits with 9-bit sums from L = 5
** (136 b), with 7-bit sums at L = 4 (112 b) and not below (reported over
** budget); STC16 fits from L = 2 (43 b).  Threshold is not budget-limited:
** its average bits are reported.
*/
#ifndef RAD4ML_BASELINE_H
#define RAD4ML_BASELINE_H

#include <stdint.h>
#include <stdbool.h>
#include "data/geometry.h"

#define BL_LINK_BITS    32
#define BL_MAX_LINKS    13
#define BL_HEADER_BITS   4
#define BL_SUM_BITS      8     /* 5E3M module sum (threshold, BC) */
#define BL_MIP_T        35     /* CALQ per transverse MIP          */
#define BL_DEFAULT_THR  47     /* 1.35 MIP_T (offline "thr_lo", v11 geometry) */

typedef enum { BL_THRESHOLD, BL_BC, BL_STC4, BL_STC16 } bl_kind;

typedef struct {
    bl_kind kind;
    int     drop_lsb;       /* 1 LD / 3 HD                               */
    int     thr;            /* THRESHOLD: keep CALQ >= thr               */
    int     n_bc;           /* BC: cells kept                            */
    int     sum_ebits;      /* STC: 5 (5E4M) or 4 (4E3M)                 */
    int     sum_mbits;      /* STC: 4 or 3                               */
} bl_config;

/* Best-choice N for 0..13 links (other values: clamped). */
int bl_bc_n_for_links(int links);

/* Configuration of `kind` at the equal bit budget of `links` output links
** (see above); drop_lsb as the module; thr = BL_DEFAULT_THR. */
bl_config bl_plan(bl_kind kind, int links, int drop_lsb);

/* Runs one crossing: q[48] CALQ in, rec[48] reconstructed CALQ out; returns
** the bits sent for this crossing. */
int bl_run(const bl_config *cfg, const uint32_t q[GEO_N_CELLS],
           uint32_t rec[GEO_N_CELLS]);

/* Fixed cost of BC / STC configurations (threshold: -1, data dependent). */
int bl_fixed_bits(const bl_config *cfg);

/* Short name for tables: "threshold", "bc", "stc4", "stc16". */
const char *bl_name(bl_kind kind);
/* Human-readable description of a configuration, e.g. "BC N=14". */
void bl_describe(const bl_config *cfg, char *buf, int size);

#endif /* RAD4ML_BASELINE_H */
