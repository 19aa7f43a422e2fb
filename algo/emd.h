/*
** emd.h — exact earth mover's distance between two trigger-cell energy maps.
**
** EMD(a, b) = min_F sum_ij F_ij d_ij  over flows F >= 0 with
** sum_j F_ij = a_i / sum(a),  sum_i F_ij = b_j / sum(b),
** d = Euclidean distance of TC centres in sensor-cell pitch units (adjacent
** TCs 2 apart, data/geometry.h) — the figure of merit of the ECON-T
** autoencoder studies (fastml-science utils/metrics.py, POT ot.emd2).
**
** The solver is a transportation simplex (MODI potentials + stepping-stone
** pivots on an explicit spanning-tree basis) in double precision: it stops at
** an optimal vertex of the real-valued LP, so the value is exact up to
** floating-point rounding (checked against GLPK on >= 1000 random cases to
** 1e-9 relative, tests/check_algo_emd.c).  Because d is a metric, mass
** common to a and b stays in place, so only the surplus cells of a and the
** deficit cells of b enter the problem (smaller, faster, same optimum).
** A pathological cycling case (iteration cap) falls back to GLPK.
**
** Conventions (metrics.py): sum(a) == 0 -> EMD_EMPTY_IN (-1),
** else sum(b) == 0 -> EMD_EMPTY_OUT (-0.5).  Negative or non-finite entries
** are invalid -> EMD_INVALID (-2).
**
** A solver context holds the ground metric and scratch space; it is not
** shared between threads (make one per thread).
*/
#ifndef RAD4ML_EMD_H
#define RAD4ML_EMD_H

#include <stdint.h>

#define EMD_EMPTY_IN   (-1.0)
#define EMD_EMPTY_OUT  (-0.5)
#define EMD_INVALID    (-2.0)
#define EMD_MAX_CELLS  256

typedef struct emd_ctx emd_ctx;

/* A context for n cells (n <= EMD_MAX_CELLS) with ground metric cost[n*n]
** (copied).  metric != 0 promises cost is a metric (zero diagonal, symmetric,
** triangle inequality) and enables the common-mass reduction.  NULL on
** allocation failure or bad n. */
emd_ctx *emd_new(int n, const double *cost, int metric);
/* The LD module context: 48 cells, geo_distance metric. */
emd_ctx *emd_new_ld(void);
void     emd_free(emd_ctx *ctx);

/* EMD between nonnegative maps a[n] and b[n] (each normalized inside). */
double emd_compute(emd_ctx *ctx, const double *a, const double *b);
/* Same for integer charge maps (e.g. CALQ vs a baseline's reconstruction). */
double emd_compute_u32(emd_ctx *ctx, const uint32_t *a, const uint32_t *b);

/* Reference solution of the same LP with GLPK's simplex (slow; the test
** oracle and the cycling fallback).  No reduction is applied. */
double emd_glpk(int n, const double *cost, const double *a, const double *b);

/* Caps the simplex pivots per solve (0 = default, 50*(m+k)+1000); past the
** cap the solve falls back to GLPK.  For tests of the fallback path. */
void emd_set_max_pivots(emd_ctx *ctx, int max_pivots);

/* Statistics since emd_new: solves, simplex pivots, GLPK fallbacks. */
void emd_stats(const emd_ctx *ctx, long *solves, long *pivots, long *fallbacks);

#endif /* RAD4ML_EMD_H */
