/*
** rad_cli.c — checked option values (see rad_cli.h).
*/
#include "common/rad_cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parses s as an unsigned magnitude with an optional '-' (when signed_ok):
** 0 and *neg / *mag set, or -1 when it is not a plain in-range number. */
static int parse_mag(const char *s, int signed_ok, int *neg, uint64_t *mag)
{
    *neg = 0;
    if (*s == '-' && signed_ok) {
        *neg = 1;
        s++;
    }
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!isxdigit((unsigned char)*s) || (base == 10 && !isdigit((unsigned char)*s)))
        return -1;              /* empty, blank, sign, junk: not a number */
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (*end || errno)
        return -1;
    *mag = (uint64_t)v;
    return 0;
}

/* "--opt VALUE" as the user typed it; an empty value shows as ''. */
#define SHOWN(s) (*(s) ? (s) : "''")

static int refuse_int(const char *opt, const char *s, long long lo, unsigned long long hi,
                      int is_signed, rad_err *err)
{
    if (is_signed)
        return rad_errf(err, RAD_EUSAGE, "%s %s: expected an integer in %lld..%lld",
                        opt, SHOWN(s), lo, (long long)hi);
    return rad_errf(err, RAD_EUSAGE, "%s %s: expected an integer in %llu..%llu", opt,
                    SHOWN(s), (unsigned long long)lo, hi);
}

int rad_cli_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out,
                rad_err *err)
{
    int neg;
    uint64_t v = 0;
    if (parse_mag(s, 0, &neg, &v) || v < lo || v > hi)
        return refuse_int(opt, s, (long long)lo, hi, 0, err);
    *out = v;
    return RAD_OK;
}

int rad_cli_long(const char *opt, const char *s, long lo, long hi, long *out, rad_err *err)
{
    int neg;
    uint64_t m = 0;
    int bad = parse_mag(s, lo < 0, &neg, &m);
    if (!bad)
        bad = neg ? m > (uint64_t)LONG_MAX + 1 : m > (uint64_t)LONG_MAX;
    long v = bad ? 0 : neg ? (long)(0 - m) : (long)m;
    if (bad || v < lo || v > hi)
        return refuse_int(opt, s, lo, (unsigned long long)hi, 1, err);
    *out = v;
    return RAD_OK;
}

int rad_cli_int(const char *opt, const char *s, int lo, int hi, int *out, rad_err *err)
{
    long v = 0;
    int rc = rad_cli_long(opt, s, lo, hi, &v, err);
    if (!rc)
        *out = (int)v;
    return rc;
}

int rad_cli_size(const char *opt, const char *s, size_t lo, size_t hi, size_t *out,
                 rad_err *err)
{
    uint64_t v = 0;
    int rc = rad_cli_u64(opt, s, lo, hi, &v, err);
    if (!rc)
        *out = (size_t)v;
    return rc;
}

int rad_cli_double(const char *opt, const char *s, double lo, double hi, double *out,
                   rad_err *err)
{
    const char *p = *s == '-' || *s == '+' ? s + 1 : s;
    char *end = (char *)s;
    errno = 0;
    double v = (isdigit((unsigned char)*p) || *p == '.') ? strtod(s, &end) : NAN;
    if (isnan(v) || *end || errno || !(v >= lo && v <= hi))
        return rad_errf(err, RAD_EUSAGE, "%s %s: expected a number in [%g, %g]",
                        opt, SHOWN(s), lo, hi);
    *out = v;
    return RAD_OK;
}
