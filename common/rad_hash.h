/*
** rad_hash.h — the one splitmix64 and the one FNV-1a of rad4ml.
**
** splitmix64 (Steele, Lea, Flood 2014, the seeding generator of xoshiro):
** a 64-bit state advanced by the golden-ratio increment and mixed by two
** multiply-xorshift rounds.  Tiny state, no global state, good mixing: every
** deterministic random stream of the library (random models, synthetic
** crossings, simulation stimuli, SEU draws, trainer initialisation and
** shuffles), the tests and the C++ fixed-point oracle's seeding use it, so
** the same seed gives the same numbers everywhere.
**
** FNV-1a 64 (Fowler, Noll, Vo): the cache keys of the synthesis flow and of
** the Verilator harness builds; chain calls to hash several buffers.
**
** Header-only (static inline) so the C++ oracle can use it without linking.
*/
#ifndef RAD4ML_RAD_HASH_H
#define RAD4ML_RAD_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Next number of the splitmix64 stream whose state is *state. */
static inline uint64_t rad_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform double in [0, 1) from the top 53 bits of the next number. */
static inline double rad_rand_unit(uint64_t *state)
{
    return (double)(rad_splitmix64(state) >> 11) * 0x1.0p-53;
}

/* FNV-1a 64 offset basis: the h to start a chain with. */
#define RAD_FNV1A_INIT 0xcbf29ce484222325ULL

/* FNV-1a 64 of n bytes at buf, continuing from hash h. */
static inline uint64_t rad_fnv1a(uint64_t h, const void *buf, size_t n)
{
    const unsigned char *p = (const unsigned char *)buf;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#endif /* RAD4ML_RAD_HASH_H */
