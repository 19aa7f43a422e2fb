// vl_port.h — 32-bit word arrays <-> Verilator port types, for the C++
// shims around Verilated models (sim/vl_shim.cpp, seu/rtl/seu_fshim.cpp,
// seu/rtl/seu_sshim.cpp).  A port of 1..64 bits is a C integer type
// (CData..QData), a wider one VlWide<N>; word 0 holds bits 31..0.
// Header-only C++: the SEU campaigns write it beside their shims.
#ifndef RAD4ML_VL_PORT_H
#define RAD4ML_VL_PORT_H

#include <cstddef>
#include <cstdint>
#include "verilated.h"

// Port p = words w[0] (and w[1] for a port over 32 bits).
template <typename T> static inline void put(T &p, const uint32_t *w)
{
    p = (T)w[0];
    if (sizeof(T) > 4)
        p = (T)((uint64_t)w[0] | (uint64_t)w[1] << 32);
}
template <std::size_t N> static inline void put(VlWide<N> &p, const uint32_t *w)
{
    for (std::size_t i = 0; i < N; i++)
        p[i] = w[i];
}

// The first n (at least 1) words of port p into w.
template <typename T> static inline void get(const T &p, uint32_t *w, int n)
{
    w[0] = (uint32_t)p;
    if (sizeof(T) > 4 && n > 1)
        w[1] = (uint32_t)((uint64_t)p >> 32);
}
template <std::size_t N> static inline void get(const VlWide<N> &p, uint32_t *w, int n)
{
    for (std::size_t i = 0; i < N && (int)i < n; i++)
        w[i] = p[i];
}

#endif
