/*
** seu_rate.c — upset rates, mean time between uncorrected errors and EMD
** damage over a fill, from a per-bit cross-section and a flux (seu_rate.h).
*/
#include <assert.h>
#include <math.h>
#include "seu/seu_rate.h"
#include "common/rad_file.h"
#include "seu/seu_internal.h"
#include <stdlib.h>

void seu_rate_defaults(seu_rate_in *in)
{
    in->xs = 1e-14;          /* assumption: see seu/README.md section 5 */
    in->flux = 1e7;          /* assumption: see seu/README.md section 5 */
    in->clock_hz = 40e6;     /* LHC bunch clock, scrubbing every clock  */
    in->fill_h = 10.0;
    in->emd_per_bit = 0.0;
    in->n_img = 0;
    in->secded_data = 64;
}

double seu_rate_p2(int n, double q)
{
    assert(n >= 1 && q >= 0 && q <= 1);
    double sum = 0, c = 1;                         /* c = C(n, k) */
    for (int k = 1; k <= n; k++) {
        c = c * (n - k + 1) / k;
        if (k >= 2)
            sum += c * pow(q, k) * pow(1 - q, n - k);
    }
    return sum;
}

/* P(a bit flipped an odd number of times within t seconds). */
static double p_odd(double lambda, double t)
{
    return -0.5 * expm1(-2 * lambda * t);
}

static int codeword_bits(int data)
{
    int r = 1;
    while ((1 << r) < data + r + 1)
        r++;
    return data + r + 1;                           /* + overall parity */
}

/* Expected wrong image bits at time t (seconds) for row r; scrub selects
** the per-interval failure rate model (corrupted groups persist). */
static double wrong_bits(const seu_rate_in *in, const seu_rate_row *r, double t, int scrub)
{
    double lambda = in->xs * in->flux, per_group;
    if (r->group_bits == 1)
        return r->groups * p_odd(lambda, t);
    if (scrub)
        per_group = -expm1(-r->uncorr_per_h / 3600.0 / r->groups * t);
    else
        per_group = seu_rate_p2(r->group_bits, p_odd(lambda, t));
    double bits_per_fail = r->group_bits == 3 ? 1.0 : 2.0 * in->secded_data / r->group_bits;
    return r->groups * per_group * bits_per_fail;
}

/* Mean over the fill of wrong_bits, midpoint rule (1000 steps). */
static double fill_mean(const seu_rate_in *in, const seu_rate_row *r, int scrub)
{
    const int steps = 1000;
    double tf = in->fill_h * 3600.0, sum = 0;
    for (int i = 0; i < steps; i++)
        sum += wrong_bits(in, r, (i + 0.5) * tf / steps, scrub);
    return sum / steps * in->emd_per_bit;
}

static int check_in(const seu_rate_in *in, rad_err *err)
{
    if (!(in->xs > 0 && in->xs < 1))
        return rad_errf(err, RAD_ERANGE, "--xs must be in (0, 1) cm^2, not %g", in->xs);
    if (!(in->flux > 0 && in->flux < 1e15))
        return rad_errf(err, RAD_ERANGE, "--flux must be in (0, 1e15) cm^-2 s^-1, not %g", in->flux);
    if (!(in->clock_hz > 0 && in->clock_hz < 1e12))
        return rad_errf(err, RAD_ERANGE, "--clock must be in (0, 1e12) Hz, not %g", in->clock_hz);
    if (!(in->fill_h > 0 && in->fill_h < 1e6))
        return rad_errf(err, RAD_ERANGE, "--fill must be in (0, 1e6) hours, not %g", in->fill_h);
    if (!(in->emd_per_bit >= 0 && in->emd_per_bit < 1e6))
        return rad_errf(err, RAD_ERANGE, "--emd-per-bit must be >= 0, not %g", in->emd_per_bit);
    if (in->n_img < 1 || in->secded_data < 8 || in->secded_data > 256)
        return rad_errf(err, RAD_ERANGE, "rate: image bits (%zu) must be >= 1 and SECDED "
                        "data bits (%d) in 8..256", in->n_img, in->secded_data);
    return 0;
}

int seu_rate_compute(const seu_rate_in *in, seu_rate_row out[SEU_RATE_N], rad_err *err)
{
    if (check_in(in, err))
        return err->code;
    double lambda = in->xs * in->flux, T = 1.0 / in->clock_hz, n = (double)in->n_img;
    double words = ceil(n / in->secded_data);
    int cw = codeword_bits(in->secded_data);
    const struct { const char *name; double groups; int bits; } g[SEU_RATE_N] = {
        { "none", n, 1 }, { "tmr", n, 3 }, { "secded", words, cw } };
    for (int i = 0; i < SEU_RATE_N; i++) {
        seu_rate_row *r = &out[i];
        r->prot = g[i].name;
        r->groups = g[i].groups;
        r->group_bits = g[i].bits;
        r->stored_bits = g[i].groups * g[i].bits;
        r->upsets_per_h = lambda * r->stored_bits * 3600.0;
        r->uncorr_per_h = g[i].bits == 1 ? r->upsets_per_h
            : r->groups * seu_rate_p2(g[i].bits, p_odd(lambda, T)) / T * 3600.0;
        r->mtbue_h = r->uncorr_per_h > 0 ? 1.0 / r->uncorr_per_h : INFINITY;
        r->emd_noscrub = fill_mean(in, r, 0);
        r->emd_scrub = g[i].bits == 1 ? r->emd_noscrub : fill_mean(in, r, 1);
    }
    return 0;
}

void seu_rate_print(const seu_rate_in *in, const seu_rate_row r[SEU_RATE_N], FILE *fp)
{
    fprintf(fp, "seu rate: xs %.3g cm^2/bit, flux %.3g cm^-2 s^-1 (%.3g upsets/bit/s), "
            "%zu image bits, scrub every clock at %.4g MHz, fill %.3g h, mean EMD "
            "increase per flipped bit %.4g\n", in->xs, in->flux, in->xs * in->flux,
            in->n_img, in->clock_hz / 1e6, in->fill_h, in->emd_per_bit);
    fprintf(fp, "seu rate: %-7s %11s %14s %16s %16s %14s %14s\n", "prot", "flip-flops",
            "upsets/chip/h", "uncorrected/h", "MTBUE (h)", "EMD fill scrub", "EMD no scrub");
    for (int i = 0; i < SEU_RATE_N; i++)
        fprintf(fp, "seu rate: %-7s %11.0f %14.4g %16.4g %16.4g %14.4g %14.4g\n", r[i].prot,
                r[i].stored_bits, r[i].upsets_per_h, r[i].uncorr_per_h, r[i].mtbue_h,
                r[i].emd_scrub, r[i].emd_noscrub);
}

int seu_rate_write_json(const seu_rate_in *in, const seu_rate_row r[SEU_RATE_N],
                        const rad_prov *prov, const char *path, rad_err *err)
{
    char *pt = seu__prov_text(prov, "seu-rate");
    if (!pt)
        return rad_errf(err, RAD_ENOMEM, "%s: out of memory", path);
    rad_file f;
    if (rad_file_open(&f, path, err)) {
        free(pt);
        return err->code;
    }
    seu_rate_in def;
    seu_rate_defaults(&def);
    fprintf(f.fp, "{\"provenance\": %s,\n \"xs_default_source\": \"%s\", "
            "\"flux_default_source\": \"%s\",\n "
            "\"xs_cm2\": %.6g, \"flux_cm2_s\": %.6g, \"clock_hz\": %.6g, "
            "\"fill_h\": %.6g, \"emd_per_bit\": %.6g, \"image_bits\": %zu, \"rows\": [",
            pt, in->xs == def.xs ? "the default, an assumption: order of magnitude for a "
            "65 nm flip-flop, no citable value found (seu/README.md section 7)"
            : "given with --xs", in->flux == def.flux ? "the default, an assumption: order "
            "of magnitude for the HGCAL front end, to be replaced by the CMS FLUKA maps "
            "(seu/README.md section 7)" : "given with --flux", in->xs, in->flux, in->clock_hz, in->fill_h, in->emd_per_bit, in->n_img);
    for (int i = 0; i < SEU_RATE_N; i++)
        fprintf(f.fp, "%s\n {\"protection\": \"%s\", \"flip_flops\": %.0f, "
                "\"upsets_per_chip_h\": %.6g, \"uncorrected_per_h\": %.6g, "
                "\"mtbue_h\": %.6g, \"emd_fill_scrub\": %.6g, \"emd_fill_noscrub\": %.6g}",
                i ? "," : "", r[i].prot, r[i].stored_bits, r[i].upsets_per_h,
                r[i].uncorr_per_h, isinf(r[i].mtbue_h) ? 1e308 : r[i].mtbue_h,
                r[i].emd_scrub, r[i].emd_noscrub);
    fprintf(f.fp, "\n]}\n");
    free(pt);
    return rad_file_commit(&f, err);
}
