/*
** hgcfloat.h — the small unsigned floating-point codes of HGCAL front ends.
**
** A code of E exponent and M mantissa bits (4E3M = 7 bits for trigger-cell
** charges, 5E4M = 9 bits for module / STC sums, 5E3M = 8 bits for the
** threshold / best-choice module sum) stores a non-negative integer after
** dropping `drop` least significant bits (LD module 1, HD module 3, sums 0):
**
**   v = value >> drop
**   v <  2^M : e = 0, m = v                      (exact, "denormal")
**   else     : e = msb(v) - M + 1, m = the M bits below the MSB (truncated)
**   e >= 2^E : saturate to all ones (e = 2^E-1, m = 2^M-1)
**   code = e << M | m
**
** Decoding restores the truncated bits by half an LSB (as the ECON-T
** emulator's FloatToFix does), which makes the decoder the midpoint of the
** interval of values that encode to the code:
**
**   data = (e == 0 ? m : (m << (e-1)) + (1 << (e+M-1)));  data <<= drop;
**   s = max(e-1, 0);  if (restore && s+drop > 0) data += 1 << (s+drop-1);
**
** So for LD (drop 1) code 0 decodes to 1, not 0: a TC never reads 0.
** Encoding is lossy (it is the compression); decode(encode(x)) == x only
** for the few values that are interval midpoints.
*/
#ifndef RAD4ML_HGCFLOAT_H
#define RAD4ML_HGCFLOAT_H

#include <stdint.h>
#include <stdbool.h>

/* Encodes value (any uint64) into an ebits+mbits code (ebits <= 6,
** mbits <= 8).  Truncating, saturating. */
unsigned dat_float_encode(uint64_t value, int ebits, int mbits, int drop);

/* Decodes a code; restore = add half of the dropped LSB (ASIC behaviour). */
uint64_t dat_float_decode(unsigned code, int ebits, int mbits, int drop,
                          bool restore);

/* The 7-bit trigger-cell code (4E3M), decode with half-LSB restore. */
static inline unsigned dat_4e3m_encode(uint64_t q, int drop)
{ return dat_float_encode(q, 4, 3, drop); }
static inline uint32_t dat_4e3m_decode(unsigned code, int drop)
{ return (uint32_t)dat_float_decode(code & 127u, 4, 3, drop, true); }

#endif /* RAD4ML_HGCFLOAT_H */
