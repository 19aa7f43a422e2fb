/*
** geometry.h — the 48 trigger cells (TCs) of a low-density (LD) HGCAL module.
**
** TC index t (0..47) is the order the autoencoder and the ECON-T algorithm
** blocks see after the input MUX ("CALQ_t").  For each TC this module knows:
**
**   (u,v)       hexagonal trigger-cell coordinates (CMSSW / LDM_TC_Mapping.csv)
**   x,y         the TC centre in units of ONE SENSOR-CELL PITCH, i.e. the
**               distance between two adjacent TCs is 2 (a TC is 4 sensor
**               cells).  This is the ground metric of the EMD figure of merit
**               (fastml-science utils/metrics.py hexCoords / oneHexCell).
**               Within a 16-TC HGCROC sector the centres sit on a hexagonal
**               lattice: x = sqrt(3)*(v-4), y = 2*(u-7) - (v-4); the three
**               sectors' TCs are rhombi of different orientation, so their
**               centroids are offset by (0,0) (TCs 0-15), (0,-1/2) (16-31)
**               and (sqrt(3)/4,-1/4) (32-47).  TC 0 is at the origin.
**   hgcroc      HGCROC (1..3) the TC is read out by
**   erx         ECON-T input link (0..11)
**   premux      ECON_TC_Number_PreMux: which mux_in slot (4*eRx + k) feeds TC t
**   stc4, stc16 super-trigger-cell group of 4 (0..11) / 16 (0..2)
**   img_r,img_c position in the 8x8 autoencoder image (facts 2.3; the
**               bottom-right 4x4 quadrant is empty)
**
** The tables are the built-in copy of data/samples/ldm_tc_mapping.csv (checked
** against it by tests/check_data.c).  All data are read-only constants.
*/
#ifndef RAD4ML_GEOMETRY_H
#define RAD4ML_GEOMETRY_H

#define GEO_N_CELLS   48
#define GEO_N_STC4    12
#define GEO_N_STC16    3
#define GEO_N_ERX     12

typedef struct {
    int    u, v;
    double x, y;          /* centre, sensor-cell pitch units (adjacent TCs: 2) */
    int    hgcroc;        /* 1..3                                   */
    int    erx;           /* 0..11                                  */
    int    premux;        /* 0..47: mux_in index read for this TC   */
    int    stc4, stc16;   /* group numbers                          */
    int    img_r, img_c;  /* 8x8 image position                     */
} geo_cell;

/* The cell table (GEO_N_CELLS entries, indexed by TC). */
const geo_cell *geo_cells(void);

/* Euclidean distance between the centres of TCs a and b (sensor-cell
** pitch units; adjacent TCs -> 2.0, same cell -> 0). */
double geo_distance(int a, int b);

/* Fills d[GEO_N_CELLS*GEO_N_CELLS] with all pairwise distances (row a, col b). */
void geo_distance_matrix(double *d);

/* The TCs of STC group g: fills tcs[] in increasing TC order and returns the
** count (4 for STC4, 16 for STC16).  size is 4 or 16. */
int geo_stc_members(int size, int g, int *tcs);

/* TC at 8x8 image position (r,c), or -1 for an empty position. */
int geo_image_tc(int r, int c);

/* Symmetries of the module.  The 48 TC positions (u,v) sit on a hexagonal
** lattice (metric u^2 - uv + v^2) and form a hexagon whose symmetry group is
** D3: the identity, rotations by 120 and 240 degrees (which move HGCROC
** sector 0..15 -> 16..31 -> 32..47 cell for cell) and three reflections.
** geo_symmetry(g, perm), g = 0..GEO_N_SYM-1 (0 = identity, 1-2 rotations,
** 3-5 reflections), fills perm[t] = the TC that TC t lands on.  Used for
** data augmentation: charge q[t] of a crossing becomes q'[perm[t]].
** (The EMD ground metric's x,y carry small per-sector offsets, see above,
** so EMD is invariant under these maps only to within those offsets.) */
#define GEO_N_SYM 6
void geo_symmetry(int g, int perm[GEO_N_CELLS]);

#endif /* RAD4ML_GEOMETRY_H */
