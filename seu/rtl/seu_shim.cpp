// seu_shim.cpp — thin C++ shim around the Verilated `<top>_cfg` (built with
// --prefix Vseu_cfg); all test logic is in seu_harness.c.
#include "Vseu_cfg.h"
#include "verilated.h"
extern "C" {
#include "seu_shim.h"
}

struct seu_sh {
    VerilatedContext *ctx;
    Vseu_cfg         *m;
};

template <std::size_t N>
static void get_words(const VlWide<N> &w, uint32_t *out, int n)
{
    for (int i = 0; i < n && i < (int)N; i++)
        out[i] = w[i];
}

extern "C" {

seu_sh *sh_new(void)
{
    seu_sh *h = new seu_sh;
    h->ctx = new VerilatedContext;
    h->m = new Vseu_cfg(h->ctx);
    h->m->clk = 0;
    h->m->eval();
    return h;
}

void sh_free(seu_sh *h)
{
    h->m->final();
    delete h->m;
    delete h->ctx;
    delete h;
}

void sh_set(seu_sh *h, int rst, int we, uint32_t addr, uint32_t wdata)
{
    h->m->rst_cfg = rst;          // the register file's only reset
    h->m->cfg_we = we;
    h->m->cfg_addr = addr;
    h->m->cfg_wdata = wdata;
}

void sh_inject(seu_sh *h, int en, int copy, uint32_t addr)
{
    h->m->seu_inject_en = en;
    h->m->seu_inject_copy = copy;
    h->m->seu_inject_addr = addr;
}

void sh_eval(seu_sh *h) { h->m->eval(); }

void sh_clock(seu_sh *h)
{
    h->m->clk = 1;
    h->m->eval();
    h->m->clk = 0;
    h->m->eval();
}

void sh_wimg(seu_sh *h, uint32_t *words, int n) { get_words(h->m->wimg, words, n); }
uint32_t sh_rdata(seu_sh *h) { return h->m->cfg_rdata; }
uint32_t sh_count(seu_sh *h) { return h->m->seu_count; }
int sh_derr(seu_sh *h) { return h->m->seu_derr; }
uint32_t sh_links(seu_sh *h) { return h->m->n_links; }

}
