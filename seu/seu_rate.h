/*
** seu_rate.h — upset rates from a cross-section and a flux (`seu --rate`).
**
** Per stored bit, upsets arrive as a Poisson process of rate
** lambda = xs * flux (s^-1).  Every protected register file scrubs at every
** clock (interval T = 1 / clock_hz), so an error is uncorrected only when
**   TMR:    two or more copies of one triplet flip within one interval;
**   SECDED: two or more bits of one codeword flip within one interval
**           (detected, seu_derr, not corrected);
**   none:   every upset of an image bit.
** q = P(a bit flips an odd number of times in time t) = (1 - e^{-2 lambda t})/2;
** P(>= 2 of n) is summed term by term (no cancellation for tiny q).
** EMD damage over a fill: mean over the fill of the expected number of wrong
** image bits times the mean EMD increase per flipped bit (first order, from
** the sensitivity map), with scrubbing (every clock; a corrupted group stays
** corrupted: the vote/decoder writes the wrong value back) and without
** (upsets accumulate from the start of the fill).  A SECDED word with >= 2
** upsets counts 2 * data/codeword wrong data bits.
*/
#ifndef RAD4ML_SEU_RATE_H
#define RAD4ML_SEU_RATE_H

#include <stddef.h>
#include <stdio.h>
#include "common/rad_err.h"
#include "common/rad_prov.h"

typedef struct {
    double xs;           /* per-bit cross-section, cm^2                      */
    double flux;         /* particle flux, cm^-2 s^-1                        */
    double clock_hz;     /* scrub rate (every clock)                         */
    double fill_h;       /* fill length, hours                               */
    double emd_per_bit;  /* mean EMD increase per flipped image bit          */
    size_t n_img;        /* image bits                                       */
    int    secded_data;  /* data bits per SECDED word                        */
} seu_rate_in;

enum { SEU_RATE_NONE, SEU_RATE_TMR, SEU_RATE_SECDED, SEU_RATE_N };

typedef struct {
    const char *prot;
    double stored_bits;      /* flip-flops holding the image                 */
    double groups;           /* image bits / triplets / codewords            */
    int    group_bits;       /* bits per group: 1, 3, codeword               */
    double upsets_per_h;     /* expected upsets per chip per hour            */
    double uncorr_per_h;     /* expected uncorrected errors per hour         */
    double mtbue_h;          /* mean time between uncorrected errors, hours  */
    double emd_scrub;        /* fill-mean EMD increase, scrubbing every clock
                                (none: no redundancy to scrub from = noscrub) */
    double emd_noscrub;      /* fill-mean EMD increase without scrubbing     */
} seu_rate_row;

void seu_rate_defaults(seu_rate_in *in);
/* Checks the inputs (RAD_ERANGE naming the option) and fills out[]. */
int seu_rate_compute(const seu_rate_in *in, seu_rate_row out[SEU_RATE_N], rad_err *err);
/* P(at least 2 of n independent bits flipped), each with probability q. */
double seu_rate_p2(int n, double q);
void seu_rate_print(const seu_rate_in *in, const seu_rate_row r[SEU_RATE_N], FILE *fp);
/* The table as JSON with the provenance block prov (kind "seu-rate"). */
int seu_rate_write_json(const seu_rate_in *in, const seu_rate_row r[SEU_RATE_N],
                        const rad_prov *prov, const char *path, rad_err *err);

#endif
