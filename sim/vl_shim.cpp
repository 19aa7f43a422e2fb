// vl_shim.cpp — the thin C++ layer between a Verilated top and the C
// harness (sim/vl_main.c): ports set and read (word packing: sim/vl_port.h).
#include <cstring>
#include "verilated.h"
#include VL_TOP_H
#include "sim/vl_shim.h"
#include "sim/vl_port.h"

struct vl_dut {
    VerilatedContext ctx;
    VL_TOP *top;
};

extern "C" vl_dut *vl_new(void)
{
    vl_dut *d = new vl_dut;
    d->top = new VL_TOP(&d->ctx);
    d->top->clk = 0;
    d->top->eval();
    return d;
}

extern "C" void vl_free(vl_dut *d)
{
    d->top->final();
    delete d->top;
    delete d;
}

extern "C" void vl_set(vl_dut *d, int rst, int rst_cfg, int in_valid, const uint32_t *in_q, int cfg_we,
                       uint32_t cfg_addr, uint32_t cfg_wdata)
{
    uint32_t a[2] = { cfg_addr, 0 }, v[2] = { cfg_wdata, 0 };
    d->top->rst = rst;
    d->top->rst_cfg = rst_cfg;
    d->top->in_valid = in_valid;
    put(d->top->in_q, in_q);
    d->top->cfg_we = cfg_we;
    put(d->top->cfg_addr, a);
    put(d->top->cfg_wdata, v);
}

extern "C" void vl_tick(vl_dut *d)
{
    d->top->clk = 0;
    d->top->eval();
    d->top->clk = 1;
    d->top->eval();
}

extern "C" int vl_out(vl_dut *d, int *chg, uint32_t *sum, uint32_t *lat, int n_words)
{
    uint32_t s[2] = { 0, 0 };
    *chg = d->top->out_cfg_chg;
    get(d->top->out_sum, s, 1);
    *sum = s[0];
    get(d->top->out_latent, lat, n_words);
    return d->top->out_valid;
}

extern "C" uint32_t vl_read(vl_dut *d, uint32_t addr)
{
    uint32_t a[2] = { addr, 0 }, r[2] = { 0, 0 };
    d->top->cfg_we = 0;
    put(d->top->cfg_addr, a);
    d->top->eval();
    get(d->top->cfg_rdata, r, 1);
    return r[0];
}
