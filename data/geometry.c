/*
** geometry.c — built-in LD module trigger-cell table (see geometry.h).
**
** The integer columns are data/samples/ldm_tc_mapping.csv (TC_U, TC_V, HGCROC,
** ECON_eRX_Number, ECON_TC_Number_PreMux, STC4_Number, STC16_Number) plus the
** 8x8 image position (remap_8x8 of the reference training code, facts 2.3).
** Centres x,y follow the closed form of geometry.h (lattice point of (u,v)
** plus the sector offset); tests/check_data.c recomputes them and compares
** with reference points of the EMD code (hexCoords / oneHexCell).
*/
#include <math.h>
#include <stddef.h>
#include "data/geometry.h"

/*  u  v   x   y   hgcroc erx premux stc4 stc16 img_r img_c */
static const geo_cell geo_table[GEO_N_CELLS] = {
    {7, 4, 0, 0, 2,  7, 29,  7, 1, 0, 4}, /* TC  0 */
    {6, 4, 0, -2, 2,  7, 28,  7, 1, 1, 4}, /* TC  1 */
    {5, 4, 0, -4, 2,  6, 27,  6, 1, 2, 4}, /* TC  2 */
    {4, 4, 0, -6, 2,  6, 26,  6, 1, 3, 4}, /* TC  3 */
    {7, 5, 1.7320508075688772, -1, 2,  7, 30,  7, 1, 0, 5}, /* TC  4 */
    {6, 5, 1.7320508075688772, -3, 2,  7, 31,  7, 1, 1, 5}, /* TC  5 */
    {5, 5, 1.7320508075688772, -5, 2,  6, 25,  6, 1, 2, 5}, /* TC  6 */
    {4, 5, 1.7320508075688772, -7, 2,  6, 24,  6, 1, 3, 5}, /* TC  7 */
    {7, 6, 3.4641016151377544, -2, 2,  5, 22,  4, 1, 0, 6}, /* TC  8 */
    {6, 6, 3.4641016151377544, -4, 2,  5, 21,  4, 1, 1, 6}, /* TC  9 */
    {5, 6, 3.4641016151377544, -6, 2,  4, 18,  5, 1, 2, 6}, /* TC 10 */
    {4, 6, 3.4641016151377544, -8, 2,  4, 16,  5, 1, 3, 6}, /* TC 11 */
    {7, 7, 5.196152422706632, -3, 2,  5, 23,  4, 1, 0, 7}, /* TC 12 */
    {6, 7, 5.196152422706632, -5, 2,  5, 20,  4, 1, 1, 7}, /* TC 13 */
    {5, 7, 5.196152422706632, -7, 2,  4, 19,  5, 1, 2, 7}, /* TC 14 */
    {4, 7, 5.196152422706632, -9, 2,  4, 17,  5, 1, 3, 7}, /* TC 15 */
    {1, 0, -6.9282032302755088, -8.5, 1,  3, 15,  3, 0, 3, 0}, /* TC 16 */
    {2, 1, -5.196152422706632, -7.5, 1,  3, 12,  3, 0, 3, 1}, /* TC 17 */
    {3, 2, -3.4641016151377544, -6.5, 1,  2, 11,  2, 0, 3, 2}, /* TC 18 */
    {4, 3, -1.7320508075688772, -5.5, 1,  2, 10,  2, 0, 3, 3}, /* TC 19 */
    {2, 0, -6.9282032302755088, -6.5, 1,  3, 14,  3, 0, 2, 0}, /* TC 20 */
    {3, 1, -5.196152422706632, -5.5, 1,  3, 13,  3, 0, 2, 1}, /* TC 21 */
    {4, 2, -3.4641016151377544, -4.5, 1,  2,  8,  2, 0, 2, 2}, /* TC 22 */
    {5, 3, -1.7320508075688772, -3.5, 1,  2,  9,  2, 0, 2, 3}, /* TC 23 */
    {3, 0, -6.9282032302755088, -4.5, 1,  1,  6,  0, 0, 1, 0}, /* TC 24 */
    {4, 1, -5.196152422706632, -3.5, 1,  1,  5,  0, 0, 1, 1}, /* TC 25 */
    {5, 2, -3.4641016151377544, -2.5, 1,  0,  2,  1, 0, 1, 2}, /* TC 26 */
    {6, 3, -1.7320508075688772, -1.5, 1,  0,  0,  1, 0, 1, 3}, /* TC 27 */
    {4, 0, -6.9282032302755088, -2.5, 1,  1,  7,  0, 0, 0, 0}, /* TC 28 */
    {5, 1, -5.196152422706632, -1.5, 1,  1,  4,  0, 0, 0, 1}, /* TC 29 */
    {6, 2, -3.4641016151377544, -0.5, 1,  0,  3,  1, 0, 0, 2}, /* TC 30 */
    {7, 3, -1.7320508075688772, 0.5, 1,  0,  1,  1, 0, 0, 3}, /* TC 31 */
    {3, 6, 3.8971143170299736, -10.25, 3, 11, 44, 11, 2, 7, 3}, /* TC 32 */
    {3, 5, 2.1650635094610964, -9.25, 3, 10, 43, 11, 2, 6, 3}, /* TC 33 */
    {3, 4, 0.4330127018922193, -8.25, 3, 10, 42, 10, 2, 5, 3}, /* TC 34 */
    {3, 3, -1.299038105676658, -7.25, 3, 10, 41, 10, 2, 4, 3}, /* TC 35 */
    {2, 5, 2.1650635094610964, -11.25, 3, 11, 47, 11, 2, 7, 2}, /* TC 36 */
    {2, 4, 0.4330127018922193, -10.25, 3, 11, 45, 11, 2, 6, 2}, /* TC 37 */
    {2, 3, -1.299038105676658, -9.25, 3, 10, 40, 10, 2, 5, 2}, /* TC 38 */
    {2, 2, -3.0310889132455352, -8.25, 3,  8, 32, 10, 2, 4, 2}, /* TC 39 */
    {1, 4, 0.4330127018922193, -12.25, 3, 11, 46,  8, 2, 7, 1}, /* TC 40 */
    {1, 3, -1.299038105676658, -11.25, 3,  9, 39,  8, 2, 6, 1}, /* TC 41 */
    {1, 2, -3.0310889132455352, -10.25, 3,  8, 35,  9, 2, 5, 1}, /* TC 42 */
    {1, 1, -4.7631397208144124, -9.25, 3,  8, 33,  9, 2, 4, 1}, /* TC 43 */
    {0, 3, -1.299038105676658, -13.25, 3,  9, 38,  8, 2, 7, 0}, /* TC 44 */
    {0, 2, -3.0310889132455352, -12.25, 3,  9, 37,  8, 2, 6, 0}, /* TC 45 */
    {0, 1, -4.7631397208144124, -11.25, 3,  9, 36,  9, 2, 5, 0}, /* TC 46 */
    {0, 0, -6.4951905283832891, -10.25, 3,  8, 34,  9, 2, 4, 0}, /* TC 47 */
};

const geo_cell *geo_cells(void)
{
    return geo_table;
}

double geo_distance(int a, int b)
{
    return hypot(geo_table[a].x - geo_table[b].x, geo_table[a].y - geo_table[b].y);
}

void geo_distance_matrix(double *d)
{
    for (int a = 0; a < GEO_N_CELLS; a++)
        for (int b = 0; b < GEO_N_CELLS; b++)
            d[a * GEO_N_CELLS + b] = geo_distance(a, b);
}

int geo_stc_members(int size, int g, int *tcs)
{
    int n = 0;
    for (int t = 0; t < GEO_N_CELLS; t++) {
        int grp = size == 4 ? geo_table[t].stc4 : geo_table[t].stc16;
        if (grp == g)
            tcs[n++] = t;
    }
    return n;
}

int geo_image_tc(int r, int c)
{
    for (int t = 0; t < GEO_N_CELLS; t++)
        if (geo_table[t].img_r == r && geo_table[t].img_c == c)
            return t;
    return -1;
}

/* (u,v) -> (a*u + b*v + e, c*u + d*v + f): the six lattice isometries that
** map the 48 TC positions onto themselves (found by search over integer
** affine maps; tests/check_data.c checks that they are permutations that
** keep every lattice distance and form a group). */
static const int geo_sym_map[GEO_N_SYM][6] = {
    {  1,  0,  0,  1, 0, 0 },     /* identity            */
    { -1,  1, -1,  0, 4, 7 },     /* rotation by 120 deg */
    {  0, -1,  1, -1, 7, 3 },     /* rotation by 240 deg */
    { -1,  1,  0,  1, 4, 0 },     /* reflections         */
    {  0, -1, -1,  0, 7, 7 },
    {  1,  0,  1, -1, 0, 3 },
};

static int geo_tc_at(int u, int v)
{
    for (int t = 0; t < GEO_N_CELLS; t++)
        if (geo_table[t].u == u && geo_table[t].v == v)
            return t;
    return -1;
}

void geo_symmetry(int g, int perm[GEO_N_CELLS])
{
    const int *k = geo_sym_map[g];
    for (int t = 0; t < GEO_N_CELLS; t++) {
        int u = geo_table[t].u, v = geo_table[t].v;
        perm[t] = geo_tc_at(k[0] * u + k[1] * v + k[4], k[2] * u + k[3] * v + k[5]);
    }
}
