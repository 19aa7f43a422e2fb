// seu_sshim.cpp — thin C++ shim around the Verilated instrumented gate
// netlist (--prefix Vset_dut); all test logic is in seu_sharness.c.
#include "Vset_dut.h"
#include "verilated.h"
#include "vl_port.h"
extern "C" {
#include "seu_sshim.h"
}

struct seu_sd {
    VerilatedContext *ctx;
    Vset_dut         *m;
};

// The pulse: bit `gate` of the one-hot mask set_m.
template <typename T> static void bit(T &p, uint32_t b, int v)
{
    p = v ? (T)((T)1 << b) : (T)0;
}
template <std::size_t N> static void bit(VlWide<N> &p, uint32_t b, int v)
{
    for (std::size_t i = 0; i < N; i++)
        p[i] = 0;
    if (v && b / 32 < N)
        p[b / 32] = 1u << (b % 32);
}

extern "C" {

seu_sd *set_new(void)
{
    seu_sd *d = new seu_sd;
    d->ctx = new VerilatedContext;
    d->m = new Vset_dut(d->ctx);
    d->m->clk = 0;
    bit(d->m->set_m, 0, 0);
    d->m->eval();
    return d;
}

void set_free(seu_sd *d)
{
    d->m->final();
    delete d->m;
    delete d->ctx;
    delete d;
}

void set_drive(seu_sd *d, const uint32_t *in, int en, uint32_t gate)
{
    put(d->m->set_in, in);
    bit(d->m->set_m, gate, en);
    d->m->clk = 0;
    d->m->eval();
}

void set_edge(seu_sd *d)
{
    d->m->clk = 1;
    d->m->eval();
}

void set_pulse_off(seu_sd *d)
{
    bit(d->m->set_m, 0, 0);
    d->m->clk = 0;
    d->m->eval();
}

void set_out(seu_sd *d, uint32_t *w, int n) { get(d->m->set_out, w, n); }
void set_state(seu_sd *d, uint32_t *w, int n) { get(d->m->set_q, w, n); }

}
