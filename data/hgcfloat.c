/*
** hgcfloat.c — HGCAL small float codes (see hgcfloat.h).
*/
#include "data/hgcfloat.h"

static int msb64(uint64_t v)
{
    return 63 - __builtin_clzll(v);
}

unsigned dat_float_encode(uint64_t value, int ebits, int mbits, int drop)
{
    uint64_t v = value >> drop;
    if (v < (1ull << mbits))
        return (unsigned)v;                       /* e = 0: exact */
    int e = msb64(v) - mbits + 1;
    if (e >= (1 << ebits))
        return (1u << (ebits + mbits)) - 1;       /* saturate */
    unsigned m = (unsigned)(v >> (e - 1)) & ((1u << mbits) - 1);
    return ((unsigned)e << mbits) | m;
}

uint64_t dat_float_decode(unsigned code, int ebits, int mbits, int drop,
                          bool restore)
{
    unsigned e = (code >> mbits) & ((1u << ebits) - 1);
    uint64_t m = code & ((1u << mbits) - 1);
    uint64_t data = e == 0 ? m : (m << (e - 1)) + (1ull << (e + mbits - 1));
    data <<= drop;
    int s = e > 0 ? (int)e - 1 : 0;
    if (restore && s + drop > 0)
        data += 1ull << (s + drop - 1);
    return data;
}
