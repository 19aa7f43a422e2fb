/*
** cg_cfg.c — the configuration register module <top>_cfg.
**
** Kept apart so that protected variants (TMR, SECDED, an SEU injection
** port for tests) can replace exactly this module: its interface is the
** cfg bus in, the flat weight image (`wimg`, image bit k = mdl_i2c_pack
** bit k) and n_links out, plus `cfg_wr` (a write was accepted this clock).
** Register map: codegen/REGMAP.md.
*/
#include <stdio.h>

#include <stdlib.h>

#include "codegen/cg_int.h"
#include "model/model_io.h"
#include "seu/seu_rtl.h"

#define CG_CFG_ID 0x52414434u      /* "RAD4" */

/* Register addresses of the control block (REGMAP.md). */
enum { REG_ID = 0, REG_INFO = 1, REG_IMG_BITS = 2, REG_N_LINKS = 3, REG_WR_COUNT = 4,
       REG_ERR = 5 };

static unsigned info_word(const cg_plan *p)
{
    return ((unsigned)p->img_words << 16) | ((unsigned)p->o.prot << 12) |
           ((unsigned)(p->latency & 0xf) << 8) | (p->o.weights == CG_WEIGHTS_REG ? 1u : 0u);
}

/* The unprotected register file (CG_PROT_NONE). */
static void emit_plain(const cg_plan *p, cg_buf *b)
{
    int aw = p->cfg_aw, lw = p->links_w, nw = p->img_words;
    size_t ib = p->img_bits;
    bool reg = p->o.weights == CG_WEIGHTS_REG;
    cg_printf(b, "// Configuration registers (protection: none).  32-bit words at cfg_addr;\n"
                 "// writes take effect at the rising edge with cfg_we = 1, reads are\n"
                 "// combinational.  Map: codegen/REGMAP.md.\n");
    cg_printf(b, "module %s_cfg (\n    input  wire clk,\n    input  wire rst,\n    input  wire cfg_we,\n"
                 "    input  wire [%d:0] cfg_addr,\n%s    input  wire [31:0] cfg_wdata,\n%s"
                 "    output reg  [31:0] cfg_rdata,\n", p->o.top, aw - 1,
              reg ? "" : "    /* verilator lint_off UNUSED */\n",
              reg ? "" : "    /* verilator lint_on UNUSED */\n");
    if (reg)
        cg_printf(b, "    output wire [%zu:0] wimg,      // weight image, bit k = I2C image bit k\n", ib - 1);
    cg_printf(b, "    output wire [%d:0] n_links,\n    output wire cfg_wr          // a write was accepted this clock\n);\n",
              lw - 1);
    cg_printf(b, "    localparam [%d:0] N_LINKS_RESET = %d'd%d;\n", lw - 1, lw, p->m->out.n_links);
    cg_printf(b, "    reg  [%d:0] links_r;\n    reg  [15:0] wr_count;\n", lw - 1);
    if (reg)
        cg_printf(b, "    reg  [%zu:0] img;\n", ib - 1);
    cg_printf(b, "    always @(posedge clk) begin\n        if (rst) begin\n"
                 "            links_r <= N_LINKS_RESET;\n            wr_count <= 16'h0;\n");
    if (reg)
        cg_printf(b, "            img <= %zu'h0;\n", ib);
    cg_printf(b, "        end else if (cfg_we) begin\n            wr_count <= wr_count + 16'h1;\n"
                 "            case (cfg_addr)\n");
    cg_printf(b, "            %d'd%d: links_r <= cfg_wdata[%d:0];\n", aw, REG_N_LINKS, lw - 1);
    for (int i = 0; reg && i < nw; i++) {
        size_t lo = (size_t)i * 32, hi = lo + 31 < ib ? lo + 31 : ib - 1;
        cg_printf(b, "            %d'd%d: img[%zu:%zu] <= cfg_wdata[%zu:0];\n", aw, CG_CFG_WBASE + i,
                  hi, lo, hi - lo);
    }
    cg_printf(b, "            default: ;\n            endcase\n        end\n    end\n");
    cg_printf(b, "    always @* begin\n        case (cfg_addr)\n");
    cg_printf(b, "        %d'd%d: cfg_rdata = 32'h%08x;   // ID \"RAD4\"\n", aw, REG_ID, CG_CFG_ID);
    cg_printf(b, "        %d'd%d: cfg_rdata = 32'h%08x;   // INFO\n", aw, REG_INFO, info_word(p));
    cg_printf(b, "        %d'd%d: cfg_rdata = 32'd%zu;   // IMG_BITS\n", aw, REG_IMG_BITS, ib);
    cg_printf(b, "        %d'd%d: cfg_rdata = {%d'h0, links_r};\n", aw, REG_N_LINKS, 32 - lw);
    cg_printf(b, "        %d'd%d: cfg_rdata = {16'h0, wr_count};\n", aw, REG_WR_COUNT);
    cg_printf(b, "        %d'd%d: cfg_rdata = 32'h0;   // ERR_STATUS (no protection)\n", aw, REG_ERR);
    for (int i = 0; reg && i < nw; i++) {
        size_t lo = (size_t)i * 32, hi = lo + 31 < ib ? lo + 31 : ib - 1;
        if (hi - lo == 31)
            cg_printf(b, "        %d'd%d: cfg_rdata = img[%zu:%zu];\n", aw, CG_CFG_WBASE + i, hi, lo);
        else
            cg_printf(b, "        %d'd%d: cfg_rdata = {%zu'h0, img[%zu:%zu]};\n", aw, CG_CFG_WBASE + i,
                      31 - (hi - lo), hi, lo);
    }
    cg_printf(b, "        default: cfg_rdata = 32'h0;\n        endcase\n    end\n");
    if (reg)
        cg_printf(b, "    assign wimg = img;\n");
    cg_printf(b, "    assign n_links = links_r;\n    assign cfg_wr = cfg_we;\nendmodule\n\n");
}

/* The radiation module's options for this plan's register file: TMR,
** SECDED, or NONE with the SEU test port (cg_opts.seu_port). */
static void seu_opts(const cg_plan *p, seu_cfg_opts *so)
{
    seu_cfg_defaults(so);
    seu_cfg_iface_init(&so->ifc, p->m, p->o.top, p->latency);
    so->prot = p->o.prot == CG_PROT_TMR ? SEU_PROT_TMR
             : p->o.prot == CG_PROT_SECDED ? SEU_PROT_SECDED : SEU_PROT_NONE;
    so->extra_ports = p->o.seu_port;
    so->model_name = p->o.model_name;
    so->weights_name = p->o.weights_name;
}

int cg_cfg_seu_addr_bits(const cg_plan *p)
{
    seu_cfg_opts so;
    seu_cfg_geom g;
    seu_opts(p, &so);
    return seu_cfg_geometry(p->m, &so, &g, NULL) ? 1 : g.addr_bits;
}

/* TMR / SECDED (or the SEU test port): the radiation module writes a
** drop-in replacement with the same ports and register map
** (seu/README.md); ERR_STATUS then reads the corrected-upset count and the
** double-error flag. */
static int emit_protected(const cg_plan *p, cg_buf *b, rad_err *err)
{
    if (p->o.weights != CG_WEIGHTS_REG)
        return rad_errf(err, RAD_EUSAGE, "--protect %s needs --weights reg: "
                        "constant weights have no registers to protect",
                        p->o.prot == CG_PROT_TMR ? "tmr" : "secded");
    seu_cfg_opts so;
    seu_opts(p, &so);
    char *text = NULL;
    int rc = seu_cfg_text(p->m, &so, &text, err);
    if (rc)
        return rc;
    cg_puts(b, text);
    free(text);
    return RAD_OK;
}

int cg_cfg_emit(const cg_plan *p, cg_buf *b, rad_err *err)
{
    /* the SEU test port needs the radiation module's file even unprotected */
    if (p->o.prot == CG_PROT_NONE && !(p->o.seu_port && p->o.weights == CG_WEIGHTS_REG)) {
        emit_plain(p, b);
        return RAD_OK;
    }
    return emit_protected(p, b, err);
}
