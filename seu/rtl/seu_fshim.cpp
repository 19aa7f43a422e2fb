// seu_fshim.cpp — thin C++ shim around a whole Verilated rad4ml design with
// the SEU test port (--prefix Vseu_top); all test logic is in seu_fharness.c.
#include "Vseu_top.h"
#include "verilated.h"
#include "vl_port.h"
extern "C" {
#include "seu_fshim.h"
}

struct seu_fd {
    VerilatedContext *ctx;
    Vseu_top         *m;
};

extern "C" {

seu_fd *ful_new(void)
{
    seu_fd *d = new seu_fd;
    d->ctx = new VerilatedContext;
    d->m = new Vseu_top(d->ctx);
    d->m->clk = 0;
    d->m->eval();
    return d;
}

void ful_free(seu_fd *d)
{
    d->m->final();
    delete d->m;
    delete d->ctx;
    delete d;
}

void ful_set(seu_fd *d, int rst, int in_valid, const uint32_t *in_q, int cfg_we,
            uint32_t cfg_addr, uint32_t cfg_wdata)
{
    uint32_t a[2] = { cfg_addr, 0 };
    d->m->rst = rst;              // datapath and configuration together
    d->m->rst_cfg = rst;
    d->m->in_valid = in_valid;
    put(d->m->in_q, in_q);
    d->m->cfg_we = cfg_we;
    put(d->m->cfg_addr, a);
    d->m->cfg_wdata = cfg_wdata;
}

void ful_inject(seu_fd *d, int en, int copy, uint32_t addr)
{
    uint32_t a[2] = { addr, 0 };
    d->m->seu_inject_en = en;
    d->m->seu_inject_copy = copy;
    put(d->m->seu_inject_addr, a);
}

void ful_clock(seu_fd *d)
{
    d->m->clk = 1;
    d->m->eval();
    d->m->clk = 0;
    d->m->eval();
}

int ful_out(seu_fd *d, int *chg, uint32_t *sum, uint32_t *lat, int n_words)
{
    uint32_t s[2] = { 0, 0 };
    *chg = d->m->out_cfg_chg;
    get(d->m->out_sum, s, 1);
    *sum = s[0];
    get(d->m->out_latent, lat, n_words);
    return d->m->out_valid;
}

uint32_t ful_read(seu_fd *d, uint32_t addr)
{
    uint32_t a[2] = { addr, 0 };
    d->m->cfg_we = 0;
    put(d->m->cfg_addr, a);
    d->m->eval();
    return d->m->cfg_rdata;
}

uint32_t ful_count(seu_fd *d) { return d->m->seu_count; }
int ful_derr(seu_fd *d) { return d->m->seu_derr; }
void ful_eval(seu_fd *d) { d->m->eval(); }

}

#ifdef SEU_VPI
#include <vector>
#include "verilated_vpi.h"

extern "C" {

void *vflop_open(const char *name)
{
    return vpi_handle_by_name((PLI_BYTE8 *)name, NULL);
}

int vflop_width(void *h) { return vpi_get(vpiSize, (vpiHandle)h); }

void vflop_flip(void *h, int bit)
{
    s_vpi_value v;
    v.format = vpiVectorVal;
    vpi_get_value((vpiHandle)h, &v);
    int n = (vflop_width(h) + 31) / 32;
    std::vector<s_vpi_vecval> w(v.value.vector, v.value.vector + n);
    w[bit / 32].aval ^= 1u << (bit % 32);
    v.value.vector = w.data();
    vpi_put_value((vpiHandle)h, &v, NULL, vpiNoDelay);
}

void vflop_get(void *h, uint32_t *w)
{
    s_vpi_value v;
    v.format = vpiVectorVal;
    vpi_get_value((vpiHandle)h, &v);
    for (int i = 0; i < (vflop_width(h) + 31) / 32; i++)
        w[i] = v.value.vector[i].aval;
}

void vflop_put(void *h, const uint32_t *w)
{
    int n = (vflop_width(h) + 31) / 32;
    std::vector<s_vpi_vecval> x((size_t)n);
    for (int i = 0; i < n; i++)
        x[(size_t)i] = { w[i], 0 };
    s_vpi_value v;
    v.format = vpiVectorVal;
    v.value.vector = x.data();
    vpi_put_value((vpiHandle)h, &v, NULL, vpiNoDelay);
}

}
#endif
