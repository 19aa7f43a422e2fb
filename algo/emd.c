/*
** emd.c — exact EMD by the transportation simplex (see emd.h).
**
** The transportation problem (m sources with supplies s_i, k sinks with
** demands d_j, costs c_ij) is solved with the classic MODI method:
**
**   1. a basic feasible solution with exactly m+k-1 basic cells forming a
**      spanning tree of the bipartite row/column graph (least-cost start:
**      cells by increasing cost, each step crossing out one line);
**   2. potentials u_i + v_j = c_ij on the tree;
**   3. the non-basic cell with the most negative reduced cost c_ij-u_i-v_j
**      enters; if none is below -tol the basis is optimal;
**   4. the unique tree path closes a cycle; flow theta = min over the cells
**      with a minus sign moves round it and one such cell leaves.
**
** Degenerate (zero-flow) basic cells are kept explicitly so that the tree
** stays spanning.  Sizes are at most EMD_MAX_CELLS per side; for the LD
** module m,k <= 48.  The context owns all scratch space (no malloc per call).
*/
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "algo/emd.h"
#include "data/geometry.h"

typedef struct { double c; int cell; short a, b; } emd_key;   /* cell = a*n + b */

struct emd_ctx {
    int     n, metric;
    double *cost;                 /* n*n ground metric                */
    double  cmax;
    long    solves, pivots, fallbacks;
    /* scratch for an m x k problem (m,k <= n) */
    int    *src, *dst;            /* cell index of each row / column  */
    double *s, *d;                /* supplies, demands                */
    double *c;                    /* m*k costs                        */
    double *x;                    /* m*k flows                        */
    unsigned char *basic;         /* m*k flags                        */
    double *u, *v;
    emd_key *order;               /* all n*n cells by increasing cost  */
    int    *rowpos, *colpos;      /* cell -> row / column of the problem, or -1 */
    int     max_pivots;           /* 0: default cap                    */
    int    *adj, *adj_n;          /* tree adjacency: node -> nodes    */
    int    *queue, *parent, *depth;
    char   *seen;
};

static int cmp_key(const void *a, const void *b)
{
    const emd_key *p = a, *q = b;
    if (p->c != q->c)
        return p->c < q->c ? -1 : 1;
    return p->cell - q->cell;           /* deterministic ties */
}

/* See emd.h.  A solver for n cells with ground cost cost (n x n, copied)
** and the metric flag; NULL on bad n or out of memory.  The caller owns
** it (emd_free). */
emd_ctx *emd_new(int n, const double *cost, int metric)
{
    if (n < 1 || n > EMD_MAX_CELLS)
        return NULL;
    emd_ctx *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    size_t nn = (size_t)n * n, nodes = 2 * (size_t)n;
    e->n = n;
    e->metric = metric;
    e->cost = malloc(nn * sizeof *e->cost);
    e->src = malloc(n * sizeof *e->src);
    e->dst = malloc(n * sizeof *e->dst);
    e->s = malloc(n * sizeof *e->s);
    e->d = malloc(n * sizeof *e->d);
    e->c = malloc(nn * sizeof *e->c);
    e->x = malloc(nn * sizeof *e->x);
    e->basic = malloc(nn);
    e->u = malloc(n * sizeof *e->u);
    e->v = malloc(n * sizeof *e->v);
    e->order = malloc(nn * sizeof *e->order);
    e->rowpos = malloc(n * sizeof *e->rowpos);
    e->colpos = malloc(n * sizeof *e->colpos);
    e->adj = malloc(nodes * nodes * sizeof *e->adj);
    e->adj_n = malloc(nodes * sizeof *e->adj_n);
    e->queue = malloc(2 * nodes * sizeof *e->queue);   /* pivot: 2 paths */
    e->parent = malloc(nodes * sizeof *e->parent);
    e->depth = malloc(nodes * sizeof *e->depth);
    e->seen = malloc(nodes);
    if (!e->cost || !e->src || !e->dst || !e->s || !e->d || !e->c || !e->x ||
        !e->basic || !e->u || !e->v || !e->order || !e->rowpos || !e->colpos || !e->adj || !e->adj_n ||
        !e->queue || !e->parent || !e->depth || !e->seen) {
        emd_free(e);
        return NULL;
    }
    memcpy(e->cost, cost, nn * sizeof *cost);
    for (size_t i = 0; i < nn; i++) {
        if (cost[i] > e->cmax)
            e->cmax = cost[i];
        e->order[i].c = cost[i];
        e->order[i].cell = (int)i;
        e->order[i].a = (short)(i / (size_t)n);
        e->order[i].b = (short)(i % (size_t)n);
    }
    /* the least-cost start visits cells by increasing cost: sort once */
    qsort(e->order, nn, sizeof *e->order, cmp_key);
    return e;
}

emd_ctx *emd_new_ld(void)
{
    double d[GEO_N_CELLS * GEO_N_CELLS];
    geo_distance_matrix(d);
    return emd_new(GEO_N_CELLS, d, 1);
}

void emd_free(emd_ctx *e)
{
    if (!e)
        return;
    free(e->cost); free(e->src); free(e->dst); free(e->s); free(e->d);
    free(e->c); free(e->x); free(e->basic); free(e->u); free(e->v);
    free(e->order); free(e->rowpos); free(e->colpos); free(e->adj); free(e->adj_n); free(e->queue);
    free(e->parent); free(e->depth); free(e->seen);
    free(e);
}

void emd_set_max_pivots(emd_ctx *e, int max_pivots)
{
    e->max_pivots = max_pivots < 0 ? 0 : max_pivots;
}

void emd_stats(const emd_ctx *e, long *solves, long *pivots, long *fallbacks)
{
    if (solves) *solves = e->solves;
    if (pivots) *pivots = e->pivots;
    if (fallbacks) *fallbacks = e->fallbacks;
}

/* ---- transportation simplex on e->s[m], e->d[k], e->c[m*k] ------------- */


/* Least-cost initial basis; every step crosses out exactly one line (two
** on the last), so the m+k-1 basic cells form a spanning tree.  A line that
** is the last of its kind must absorb what the other side still needs. */
static void initial_basis(emd_ctx *e, int m, int k)
{
    int mk = m * k, rows = m, cols = k;
    double *s = e->u, *d = e->v;               /* remaining supply/demand */
    char *row_out = e->seen, *col_out = e->seen + m;
    memcpy(s, e->s, m * sizeof *s);
    memcpy(d, e->d, k * sizeof *d);
    memset(e->seen, 0, (size_t)(m + k));
    memset(e->basic, 0, (size_t)mk);
    memset(e->x, 0, mk * sizeof *e->x);
    /* cells of the m x k problem in the context's global cost order */
    for (int t = 0, nn = e->n * e->n; t < nn; t++) {
        int i = e->rowpos[e->order[t].a], j = e->colpos[e->order[t].b];
        if (i < 0 || j < 0)
            continue;
        if (row_out[i] || col_out[j])
            continue;
        double f;
        if (rows == 1 && cols == 1)
            f = d[j] > s[i] ? d[j] : s[i];
        else if (rows == 1)
            f = d[j];
        else if (cols == 1)
            f = s[i];
        else
            f = s[i] <= d[j] ? s[i] : d[j];
        if (f < 0)
            f = 0;
        e->x[i * k + j] = f;
        e->basic[i * k + j] = 1;
        if (rows == 1 && cols == 1)
            break;
        s[i] -= f;
        d[j] -= f;
        if (cols == 1 || (rows > 1 && s[i] <= d[j])) {
            row_out[i] = 1;
            rows--;
        } else {
            col_out[j] = 1;
            cols--;
        }
    }
}

/* Tree adjacency, kept up to date by pivot(): nodes are rows 0..m-1 and
** columns m..m+k-1; an edge is a basic cell. */
static void adj_add(emd_ctx *e, int a, int b)
{
    int stride = 2 * e->n;
    e->adj[a * stride + e->adj_n[a]++] = b;
    e->adj[b * stride + e->adj_n[b]++] = a;
}

static void adj_del1(emd_ctx *e, int a, int b)
{
    int stride = 2 * e->n, *l = e->adj + a * stride;
    for (int t = 0; t < e->adj_n[a]; t++)
        if (l[t] == b) {
            l[t] = l[--e->adj_n[a]];
            return;
        }
}

static void build_adjacency(emd_ctx *e, int m, int k)
{
    memset(e->adj_n, 0, (m + k) * sizeof *e->adj_n);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < k; j++)
            if (e->basic[i * k + j])
                adj_add(e, i, m + j);
}

/* Potentials (u_0 = 0), parent and depth by breadth-first search of the
** basis tree from row 0.  Each potential follows from its parent's along
** the unique tree path, so the values do not depend on the visit order. */
static void tree_potentials(emd_ctx *e, int m, int k)
{
    int nodes = m + k, stride = 2 * e->n;
    memset(e->seen, 0, (size_t)nodes);
    int head = 0, tail = 0;
    e->queue[tail++] = 0;
    e->seen[0] = 1;
    e->u[0] = 0;
    e->parent[0] = -1;
    e->depth[0] = 0;
    while (head < tail) {
        int a = e->queue[head++];
        for (int t = 0; t < e->adj_n[a]; t++) {
            int b = e->adj[a * stride + t];
            if (e->seen[b])
                continue;
            e->seen[b] = 1;
            e->parent[b] = a;
            e->depth[b] = e->depth[a] + 1;
            if (a < m)
                e->v[b - m] = e->c[a * k + (b - m)] - e->u[a];
            else
                e->u[b] = e->c[b * k + (a - m)] - e->v[a - m];
            e->queue[tail++] = b;
        }
    }
}

static int edge_cell(int a, int b, int m, int k)
{
    return a < m ? a * k + (b - m) : b * k + (a - m);
}

/* Moves flow round the cycle closed by entering cell (i,j); one minus cell
** leaves the basis. */
static void pivot(emd_ctx *e, int m, int k, int i, int j)
{
    int *seq = e->queue;                   /* free after tree_potentials */
    int n_up = 0, n_dn = 0, a = m + j, b = i;
    int *down = seq + (m + k);             /* i-side, reversed later  */
    /* a climbs from column j, b from row i, to their common ancestor. */
    while (e->depth[a] > e->depth[b]) { seq[n_up++] = a; a = e->parent[a]; }
    while (e->depth[b] > e->depth[a]) { down[n_dn++] = b; b = e->parent[b]; }
    while (a != b) {
        seq[n_up++] = a; a = e->parent[a];
        down[n_dn++] = b; b = e->parent[b];
    }
    seq[n_up++] = a;                       /* the common ancestor     */
    for (int t = n_dn - 1; t >= 0; t--)
        seq[n_up++] = down[t];             /* ... down to row i       */
    /* seq = j, ..., lca, ..., i: edges alternate -, +, -, ... , - */
    double theta = INFINITY;
    int leave = -1;
    for (int t = 0; t + 1 < n_up; t += 2) {
        int cell = edge_cell(seq[t], seq[t + 1], m, k);
        if (e->x[cell] < theta) {
            theta = e->x[cell];
            leave = cell;
        }
    }
    for (int t = 0; t + 1 < n_up; t++) {
        int cell = edge_cell(seq[t], seq[t + 1], m, k);
        if (t % 2 == 0)
            e->x[cell] = cell == leave ? 0.0 : e->x[cell] - theta;
        else
            e->x[cell] += theta;
    }
    e->x[i * k + j] = theta;
    e->basic[i * k + j] = 1;
    e->basic[leave] = 0;
    e->x[leave] = 0.0;
    adj_del1(e, leave / k, m + leave % k);
    adj_del1(e, m + leave % k, leave / k);
    adj_add(e, i, m + j);
}

/* Solves the m x k problem in e->s, e->d, e->c; returns the optimal cost,
** or -1 if the iteration cap was hit (cycling; caller falls back). */
static double transport(emd_ctx *e, int m, int k)
{
    initial_basis(e, m, k);
    build_adjacency(e, m, k);
    double tol = 1e-12 * (1.0 + e->cmax);
    int cap = e->max_pivots ? e->max_pivots : 50 * (m + k) + 1000;
    for (int it = 0; ; it++) {
        tree_potentials(e, m, k);
        double best = -tol;
        int bi = -1, bj = -1;
        for (int i = 0; i < m; i++) {
            const double *ci = e->c + i * k;
            const unsigned char *bs = e->basic + i * k;
            double ui = e->u[i];
            for (int j = 0; j < k; j++) {
                double rc = ci[j] - ui - e->v[j];
                if (rc < best && !bs[j]) {
                    best = rc;
                    bi = i;
                    bj = j;
                }
            }
        }
        if (bi < 0)
            break;
        if (it >= cap)
            return -1.0;
        pivot(e, m, k, bi, bj);
        e->pivots++;
    }
    double z = 0;
    for (int c = 0; c < m * k; c++)
        if (e->basic[c])
            z += e->x[c] * e->c[c];
    return z;
}

/* Both solvers' input check: finite non-negative masses, neither map empty.
** Returns 0 and the two sums, or the EMD_* code to return. */
static double check_masses(int n, const double *a, const double *b, double *sa, double *sb)
{
    *sa = *sb = 0;
    for (int i = 0; i < n; i++) {
        if (!(a[i] >= 0) || !(b[i] >= 0) || !isfinite(a[i]) || !isfinite(b[i]))
            return EMD_INVALID;
        *sa += a[i];
        *sb += b[i];
    }
    if (*sa == 0)
        return EMD_EMPTY_IN;
    if (*sb == 0)
        return EMD_EMPTY_OUT;
    return 0;
}

double emd_compute(emd_ctx *e, const double *a, const double *b)
{
    int n = e->n;
    double sa, sb, bad = check_masses(n, a, b, &sa, &sb);
    if (bad != 0)
        return bad;
    e->solves++;
    int m = 0, k = 0;
    for (int i = 0; i < n; i++) {
        double pa = a[i] / sa, pb = b[i] / sb;
        if (e->metric) {
            /* common mass stays put: optimal under a metric */
            if (pa > pb) { e->src[m] = i; e->s[m++] = pa - pb; }
            else if (pb > pa) { e->dst[k] = i; e->d[k++] = pb - pa; }
        } else {
            if (pa > 0) { e->src[m] = i; e->s[m++] = pa; }
            if (pb > 0) { e->dst[k] = i; e->d[k++] = pb; }
        }
    }
    if (m == 0 || k == 0)
        return 0.0;
    for (int i = 0; i < n; i++)
        e->rowpos[i] = e->colpos[i] = -1;
    for (int i = 0; i < m; i++)
        e->rowpos[e->src[i]] = i;
    for (int j = 0; j < k; j++)
        e->colpos[e->dst[j]] = j;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < k; j++)
            e->c[i * k + j] = e->cost[e->src[i] * n + e->dst[j]];
    double z = transport(e, m, k);
    if (z < 0) {
        e->fallbacks++;
        z = emd_glpk(n, e->cost, a, b);
    }
    return z;
}

double emd_compute_u32(emd_ctx *e, const uint32_t *a, const uint32_t *b)
{
    double fa[EMD_MAX_CELLS], fb[EMD_MAX_CELLS];
    for (int i = 0; i < e->n; i++) {
        fa[i] = a[i];
        fb[i] = b[i];
    }
    return emd_compute(e, fa, fb);
}

/* ---- GLPK reference ------------------------------------------------------ */

/* See emd.h.  The same transportation LP solved by GLPK's simplex, with no
** reduction (the tests' oracle and the cycling fallback); check_masses'
** value when the masses are unusable. */
double emd_glpk(int n, const double *cost, const double *a, const double *b)
{
    double sa, sb, bad = check_masses(n, a, b, &sa, &sb);
    if (bad != 0)
        return bad;
    int src[EMD_MAX_CELLS], dst[EMD_MAX_CELLS], m = 0, k = 0;
    for (int i = 0; i < n; i++) {
        if (a[i] > 0) src[m++] = i;
        if (b[i] > 0) dst[k++] = i;
    }
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    glp_add_rows(lp, m + k);
    for (int i = 0; i < m; i++)
        glp_set_row_bnds(lp, i + 1, GLP_FX, a[src[i]] / sa, a[src[i]] / sa);
    for (int j = 0; j < k; j++)
        glp_set_row_bnds(lp, m + j + 1, GLP_FX, b[dst[j]] / sb, b[dst[j]] / sb);
    glp_add_cols(lp, m * k);
    int nz = 2 * m * k;
    int *ia = malloc((nz + 1) * sizeof *ia), *ja = malloc((nz + 1) * sizeof *ja);
    double *ar = malloc((nz + 1) * sizeof *ar);
    double z = EMD_INVALID;
    if (ia && ja && ar) {
        int t = 1;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < k; j++) {
                int col = i * k + j + 1;
                glp_set_col_bnds(lp, col, GLP_LO, 0, 0);
                glp_set_obj_coef(lp, col, cost[src[i] * n + dst[j]]);
                ia[t] = i + 1;     ja[t] = col; ar[t++] = 1.0;
                ia[t] = m + j + 1; ja[t] = col; ar[t++] = 1.0;
            }
        glp_load_matrix(lp, nz, ia, ja, ar);
        glp_smcp parm;
        glp_init_smcp(&parm);
        parm.msg_lev = GLP_MSG_OFF;
        parm.tol_bnd = 1e-10;
        parm.tol_dj = 1e-10;
        if (glp_simplex(lp, &parm) == 0 && glp_get_status(lp) == GLP_OPT)
            z = glp_get_obj_val(lp);
    }
    free(ia); free(ja); free(ar);
    glp_delete_prob(lp);
    return z;
}
