/*
** fxp_print.c — exact decimal and bit-string printing.
**
** value = raw * 2^-F.  The magnitude is held in a small bignum (32-bit
** limbs) because F may be far from 0: a format with I = 1000 has integer
** values of ~300 decimal digits, one with F = 1000 has 1000 fractional
** digits.  Every digit is exact; nothing is rounded.
*/
#include "fixedpoint/fxp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

typedef struct {
    uint32_t *d;   /* little-endian limbs */
    size_t    n;   /* limbs in use        */
} big;

/* big = mag * 2^shift, with room for `extra` more bits of growth. */
static int big_init(big *b, u128 mag, size_t shift, size_t extra)
{
    size_t cap = (128 + shift + extra) / 32 + 2;
    b->d = calloc(cap, sizeof *b->d);
    if (!b->d)
        return -1;
    size_t w = shift / 32, s = shift % 32;
    for (int i = 0; i < 4; i++) {
        uint64_t limb = (uint32_t)(mag >> (32 * i));
        b->d[w + i] |= (uint32_t)(limb << s);
        if (s)
            b->d[w + i + 1] |= (uint32_t)(limb >> (32 - s));
    }
    b->n = cap;
    while (b->n > 0 && b->d[b->n - 1] == 0)
        b->n--;
    return 0;
}

/* Divides by m in place and returns the remainder. */
static uint32_t big_divmod(big *b, uint32_t m)
{
    uint64_t rem = 0;
    for (size_t i = b->n; i-- > 0;) {
        uint64_t cur = (rem << 32) | b->d[i];
        b->d[i] = (uint32_t)(cur / m);
        rem = cur % m;
    }
    while (b->n > 0 && b->d[b->n - 1] == 0)
        b->n--;
    return (uint32_t)rem;
}

/* Multiplies by m in place (capacity was reserved by big_init). */
static void big_mul(big *b, uint32_t m)
{
    uint64_t carry = 0;
    for (size_t i = 0; i < b->n; i++) {
        uint64_t cur = (uint64_t)b->d[i] * m + carry;
        b->d[i] = (uint32_t)cur;
        carry = cur >> 32;
    }
    if (carry)
        b->d[b->n++] = (uint32_t)carry;
}

/* Appends a character to buf (snprintf-style: counts beyond len). */
static void put(char *buf, size_t len, size_t *pos, char c)
{
    if (*pos + 1 < len)
        buf[*pos] = c;
    (*pos)++;
}

/* Writes the decimal digits of b (destroyed) into buf. */
static void put_big_int(big *b, char *buf, size_t len, size_t *pos)
{
    size_t ndig = 0, cap = b->n * 10 + 20;
    char *tmp = malloc(cap);
    if (!tmp)
        return;
    do {
        uint32_t chunk = big_divmod(b, 1000000000u);
        for (int k = 0; k < 9; k++) {
            tmp[ndig++] = (char)('0' + chunk % 10);
            chunk /= 10;
        }
    } while (b->n > 0);
    while (ndig > 1 && tmp[ndig - 1] == '0')
        ndig--;
    while (ndig > 0)
        put(buf, len, pos, tmp[--ndig]);
    free(tmp);
}

static void put_u128(u128 v, char *buf, size_t len, size_t *pos)
{
    char tmp[48];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    while (n > 0)
        put(buf, len, pos, tmp[--n]);
}

/* See fxp.h.  The exact decimal text of v in format f into buf (len bytes,
** NUL-terminated when len > 0); returns the snprintf-style length. */
int fxp_str_dec(fxp_raw v, const fxp_fmt *f, char *buf, size_t len)
{
    bool neg = f->is_signed && v < 0;
    u128 mag = neg ? -(u128)v : (u128)v;
    long long frac = fxp_frac_bits(f);
    size_t pos = 0;

    if (neg)
        put(buf, len, &pos, '-');
    if (frac <= 0) {
        big b;
        if (big_init(&b, mag, (size_t)-frac, 0) == 0) {
            put_big_int(&b, buf, len, &pos);
            free(b.d);
        }
    } else {
        u128 ip = frac >= 128 ? 0 : mag >> frac;
        u128 fp = frac >= 128 ? mag : mag & (((u128)1 << frac) - 1);
        put_u128(ip, buf, len, &pos);
        if (fp) {
            /* digits of fp / 2^frac: multiply by 10, take the bits >= frac */
            big b;
            if (big_init(&b, fp, 0, (size_t)frac + 8) == 0) {
                size_t w = (size_t)frac / 32, s = (size_t)frac % 32;
                put(buf, len, &pos, '.');
                while (b.n > 0) {
                    big_mul(&b, 10);
                    uint64_t top = 0;
                    if (w < b.n)
                        top = b.d[w] >> s;
                    if (w + 1 < b.n && s)
                        top |= (uint64_t)b.d[w + 1] << (32 - s);
                    put(buf, len, &pos, (char)('0' + (int)top));
                    for (size_t i = w + 1; i < b.n; i++)
                        b.d[i] = 0;
                    if (w < b.n)
                        b.d[w] &= (uint32_t)((UINT64_C(1) << s) - 1);
                    while (b.n > 0 && b.d[b.n - 1] == 0)
                        b.n--;
                }
                free(b.d);
            }
        }
    }
    if (len)
        buf[pos < len ? pos : len - 1] = '\0';
    return (int)pos;
}

int fxp_str_bits(fxp_raw v, const fxp_fmt *f, char *buf, size_t len)
{
    long long frac = fxp_frac_bits(f);
    size_t pos = 0;
    for (int i = f->width - 1; i >= 0; i--) {
        put(buf, len, &pos, (char)('0' + (int)(((u128)v >> i) & 1)));
        if (frac > 0 && frac < f->width && i == frac)
            put(buf, len, &pos, '.');
    }
    if (len)
        buf[pos < len ? pos : len - 1] = '\0';
    return (int)pos;
}
