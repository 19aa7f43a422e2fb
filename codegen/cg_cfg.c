/*
** cg_cfg.c — the configuration register file <top>_cfg (cg_cfg.h): options,
** geometry, the module's ports, the cfg bus write path, the control /
** status registers and read mux every protection shares, and the dispatch
** to the storage of each protection (cg_cfg_tmr.c, cg_cfg_secded.c).
** Register map: codegen/REGMAP.md.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg_cfg_int.h"
#include "common/rad_file.h"
#include "model/model_io.h"

#define CG_CFG_ID 0x52414434u      /* "RAD4" */

/* Register addresses of the control block (REGMAP.md). */
enum { REG_ID = 0, REG_INFO = 1, REG_IMG_BITS = 2, REG_N_LINKS = 3, REG_WR_COUNT = 4,
       REG_ERR = 5 };

void cg_cfg_opts_init(cg_cfg_opts *o, const mdl_model *m, const char *top, int latency)
{
    memset(o, 0, sizeof *o);
    snprintf(o->top, sizeof o->top, "%s", top);
    o->cfg_aw = cg_cfg_addr_width(m);
    o->links_w = 4;
    o->n_links_reset = m->out.n_links;
    o->latency = latency;
    o->reg_weights = true;
    o->prot = CG_PROT_NONE;
    o->secded_data = 64;
    o->model_name = "built-in";
    o->weights_name = "built-in";
}

int cg_cfg_prot_code(const cg_cfg_opts *o)
{
    return o->prot == CG_PROT_TMR && o->tmr_mask ? 3 : (int)o->prot;
}

static int clog2(size_t n)
{
    int b = 0;
    while (((size_t)1 << b) < n)
        b++;
    return b < 1 ? 1 : b;
}

/* Extended Hamming: r check bits with 2^r >= data + r + 1. */
static int hamming_r(int data)
{
    int r = 1;
    while ((1 << r) < data + r + 1)
        r++;
    return r;
}

/* Fills g for the register file o builds for m (cg_cfg.h); refuses a
** model without weights, a protection of constant weights, a selective
** TMR of no bit, a SECDED word outside 8..256 and a cfg_addr too narrow. */
int cg_cfg_geometry(const mdl_model *m, const cg_cfg_opts *o, cg_cfg_geom *g, rad_err *err)
{
    memset(g, 0, sizeof *g);
    g->n_img = mdl_i2c_bits(m);
    if (g->n_img == 0)
        return rad_errf(err, RAD_ESCHEMA, "model '%s' has no weights", m->name);
    g->n_words = (g->n_img + 31) / 32;
    if (!o->reg_weights && o->prot != CG_PROT_NONE)
        return rad_errf(err, RAD_EUSAGE, "--protect %s needs --weights-mode reg: "
                        "constant weights have no registers to protect",
                        o->prot == CG_PROT_TMR ? "tmr" : "secded");
    switch (o->prot) {
    case CG_PROT_NONE:
        g->n_copy[0] = o->reg_weights ? g->n_img : 0;
        break;
    case CG_PROT_TMR:
        g->n_copy[0] = g->n_img;
        for (size_t k = 0; k < g->n_img; k++)
            g->n_voters += !o->tmr_mask || o->tmr_mask[k];
        if (g->n_voters == 0)
            return rad_errf(err, RAD_EUSAGE, "selective TMR with no bit protected");
        g->n_copy[1] = g->n_copy[2] = g->n_voters;
        break;
    case CG_PROT_SECDED:
        if (o->secded_data < 8 || o->secded_data > 256)
            return rad_errf(err, RAD_ERANGE, "SECDED word of %d data bits (8..256)",
                            o->secded_data);
        g->data = o->secded_data;
        g->cw = g->data + hamming_r(g->data) + 1;
        g->n_cw = (int)((g->n_img + (size_t)g->data - 1) / (size_t)g->data);
        g->n_copy[0] = (size_t)g->n_cw * (size_t)g->cw;
        break;
    default:
        return rad_errf(err, RAD_EUSAGE, "unknown protection %d", (int)o->prot);
    }
    g->n_stored = g->n_copy[0] + g->n_copy[1] + g->n_copy[2];
    g->addr_bits = clog2(g->n_copy[0]);
    if (o->cfg_aw < clog2(CG_CFG_WBASE + g->n_words) || o->links_w < 1 || o->links_w > 16)
        return rad_errf(err, RAD_ERANGE, "cfg_addr width %d / n_links width %d too small "
                        "for %zu image words", o->cfg_aw, o->links_w, g->n_words);
    return RAD_OK;
}

/* ---- parts every protection shares ------------------------------------ */

static void describe(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g)
{
    static const char *const name[] = { "none", "TMR", "SECDED", "selective TMR" };
    cg_printf(b, "// Configuration registers (protection: %s).  32-bit words at cfg_addr;\n"
                 "// writes take effect at the rising edge with cfg_we = 1, reads are\n"
                 "// combinational.  Map and resets: codegen/REGMAP.md.\n",
              name[cg_cfg_prot_code(o)]);
    if (!o->reg_weights) {
        cg_printf(b, "// Constant weights: no image registers.\n");
        return;
    }
    cg_printf(b, "// %zu image bits in %zu cfg words; %zu configuration flip-flops", g->n_img,
              g->n_words, g->n_stored);
    if (g->n_voters)
        cg_printf(b, ", %zu majority voters", g->n_voters);
    if (g->cw)
        cg_printf(b, ", %d x (%d,%d) SECDED codewords", g->n_cw, g->cw, g->data);
    cg_printf(b, ".\n");
    if (o->prot != CG_PROT_NONE || o->seu_ports)
        cg_printf(b, "// ERR_STATUS (address 5) = {15'b0, seu_derr, seu_count}: corrected upsets\n"
                     "// (saturating) and a sticky uncorrectable-error flag.\n");
    if (o->seu_ports)
        cg_printf(b, "// seu_inject_* is a test-only port, active only when RAD4ML_SEU_INJECT\n"
                     "// is defined (tie to 0 otherwise).\n");
}

static void ports(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g)
{
    cg_printf(b, "module %s_cfg (\n    input  wire clk,\n    input  wire %s,\n"
                 "    input  wire cfg_we,\n    input  wire [%d:0] cfg_addr,\n",
              o->top, CG_CFG_RST, o->cfg_aw - 1);
    if (!o->reg_weights)        /* only N_LINKS reads cfg_wdata */
        cg_lint_off(b, "    ", "UNUSED");
    cg_printf(b, "    input  wire [31:0] cfg_wdata,\n");
    if (!o->reg_weights)
        cg_lint_on(b, "    ", "UNUSED");
    cg_printf(b, "    output reg  [31:0] cfg_rdata,\n");
    if (o->tmr_all)
        cg_printf(b, "    input  wire tmr_err,           // full TMR: a datapath register disagreed\n");
    if (o->reg_weights)
        cg_printf(b, "    output wire [%zu:0] wimg,      // weight image, bit k = I2C image bit k\n",
                  g->n_img - 1);
    cg_printf(b, "    output wire [%d:0] n_links,\n"
                 "    output wire cfg_wr%s          // a write was accepted this clock\n",
              o->links_w - 1, o->seu_ports ? "," : "");
    if (o->seu_ports)
        cg_printf(b, "    output %s [15:0] seu_count,  // corrected upsets (saturating)\n"
                     "    output %s seu_derr,          // sticky: uncorrectable error seen\n"
                     "    input  wire seu_inject_en,     // test only (RAD4ML_SEU_INJECT)\n"
                     "    input  wire [1:0] seu_inject_copy,\n"
                     "    input  wire [%d:0] seu_inject_addr\n", o->tmr_all ? "wire" : "reg ",
                  o->tmr_all ? "wire" : "reg ", g->addr_bits - 1);
    cg_printf(b, ");\n");
    if (!o->seu_ports && o->prot != CG_PROT_NONE && !o->tmr_all)
        cg_printf(b, "    reg  [15:0] seu_count;\n    reg  seu_derr;\n");
}

void cg_cfg__write(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g,
                   const char *cur, const char *nxt)
{
    int aw = o->cfg_aw;
    size_t last = g->n_img - 32 * (g->n_words - 1), lo = 32 * (g->n_words - 1);
    cg_printf(b, "    // cfg bus write: image word i lives at address %d + i.\n", CG_CFG_WBASE);
    if (g->n_words > 1)
        cg_printf(b, "    genvar gw;\n    generate\n"
                     "        for (gw = 0; gw < %zu; gw = gw + 1) begin : g_wr\n"
                     "            localparam integer A = %d + gw;\n"
                     "            wire hit = cfg_we && cfg_addr == A[%d:0];\n"
                     "            assign %s[gw*32 +: 32] = hit ? cfg_wdata : %s[gw*32 +: 32];\n"
                     "        end\n    endgenerate\n",
                  g->n_words - 1, CG_CFG_WBASE, aw - 1, nxt, cur);
    cg_printf(b, "    wire hit_last = cfg_we && cfg_addr == %d'd%zu;\n"
                 "    assign %s[%zu +: %zu] = hit_last ? cfg_wdata[%zu:0] : %s[%zu +: %zu];\n",
              aw, CG_CFG_WBASE + g->n_words - 1, nxt, lo, last, last - 1, cur, lo, last);
    if (g->n_words == 1 && last < 32)
        cg_printf(b, "    wire unused_wdata = &{1'b0, cfg_wdata[31:%zu]};\n", last);
}

/* One-hot injection vector of `width` bits (zero unless RAD4ML_SEU_INJECT).
** RAD4ML_SEU_INJECT2 (formal proofs only, seu/formal.sh): a second upset at
** the same edge into the same copy, its position a free value each clock
** (Yosys `anyseq`; positions >= width inject nothing). */
void cg_cfg__inject(cg_buf *b, const cg_cfg_opts *o, size_t width)
{
    if (!o->seu_ports)
        return;
    cg_printf(b, "    // Test-only upset injection (dropped unless RAD4ML_SEU_INJECT).\n"
                 "    wire [%zu:0] inj;\n"
                 "`ifdef RAD4ML_SEU_INJECT\n"
                 "`ifdef RAD4ML_SEU_INJECT2\n"
                 "    (* anyseq *) wire [31:0] seu_inject_addr2;   // formal only\n"
                 "    assign inj = seu_inject_en ? (%zu'd1 << seu_inject_addr)\n"
                 "                                 | (%zu'd1 << seu_inject_addr2) : %zu'd0;\n"
                 "`else\n"
                 "    assign inj = seu_inject_en ? %zu'd1 << seu_inject_addr\n"
                 "                               : %zu'd0;\n"
                 "`endif\n"
                 "`else\n"
                 "    assign inj = %zu'd0;\n"
                 "    wire unused_inject = &{1'b0, seu_inject_en, seu_inject_copy, seu_inject_addr};\n"
                 "`endif\n", width - 1, width, width, width, width, width, width);
}

void cg_cfg__copies(cg_buf *b, const cg_cfg_opts *o, int n, const char *const *name,
                    const size_t *w, const char *const *nxt, const char *const *inj)
{
    /* One always block per copy, each (* keep *): Yosys attaches the
    ** attribute to the flip-flops it infers, so opt_merge cannot fold the
    ** identical copies into one (a keep on the reg alone does not stop it). */
    for (int i = 0; i < n; i++) {
        cg_printf(b, "%s    always @(posedge clk)\n        if (%s)\n"
                     "            %s <= %zu'd0;\n        else\n", n > 1 ? "    (* keep *)\n" : "",
                  CG_CFG_RST, name[i], w[i]);
        if (o->seu_ports)
            cg_printf(b, "            %s <= %s ^ (seu_inject_copy == 2'd%d ? %s : %zu'd0);\n",
                      name[i], nxt[i], i, inj[i], w[i]);
        else
            cg_printf(b, "            %s <= %s;\n", name[i], nxt[i]);
    }
}

/* n_links: one copy, or three voted and scrubbed like the image. */
static void links_reg(cg_buf *b, const cg_cfg_opts *o, bool status)
{
    int aw = o->cfg_aw, lw = o->links_w, prot = o->prot != CG_PROT_NONE;
    cg_printf(b, "    // n_links: %s\n    localparam [%d:0] N_LINKS_RESET = %d'd%d;\n"
                 "    wire hit_links = cfg_we && cfg_addr == %d'd%d;\n    reg  [%d:0] l0%s;\n",
              prot ? "triplicated, voted, scrubbed like the image" : "one copy",
              lw - 1, lw, o->n_links_reset, aw, REG_N_LINKS, lw - 1, prot ? ", l1, l2" : "");
    if (prot)
        cg_printf(b, "    wire [%d:0] links_v = (l0 & l1) | (l1 & l2) | (l0 & l2);\n"
                     "    wire links_upset = |((l0 ^ l1) | (l1 ^ l2));\n", lw - 1);
    else {
        cg_printf(b, "    wire [%d:0] links_v = l0;\n", lw - 1);
        if (status)
            cg_printf(b, "    wire links_upset = 1'b0;\n");
    }
    cg_printf(b, "    wire [%d:0] links_n = hit_links ? cfg_wdata[%d:0] : links_v;\n", lw - 1, lw - 1);
    for (int c = 0; c < (prot ? 3 : 1); c++)
        cg_printf(b, "%s    always @(posedge clk)\n        l%d <= %s ? N_LINKS_RESET : links_n;\n",
                  prot ? "    (* keep *)\n" : "", c, CG_CFG_RST);
}

/* Write counter and, with status, the corrected-upset counter and flag. */
static void counters(cg_buf *b, bool status, const char *corr, const char *derr)
{
    cg_printf(b, "    reg  [15:0] wr_count;\n    always @(posedge clk) begin\n"
                 "        if (%s) begin\n            wr_count <= 16'h0;\n", CG_CFG_RST);
    if (status)
        cg_printf(b, "            seu_count <= 16'h0;\n            seu_derr <= 1'b0;\n");
    cg_printf(b, "        end else begin\n            if (cfg_we)\n"
                 "                wr_count <= wr_count + 16'h1;\n");
    if (status)
        cg_printf(b, "            if ((%s || links_upset) && seu_count != 16'hffff)\n"
                     "                seu_count <= seu_count + 16'h1;\n"
                     "            if (%s)\n                seu_derr <= 1'b1;\n", corr, derr);
    cg_printf(b, "        end\n    end\n");
}

/* Full TMR: the write counter, seu_count and seu_derr triplicated with
** voted feedback (cg_tmr_reg); seu_count also counts the clocks at which
** the datapath (input tmr_err) or one of these counters disagreed. */
static void counters_tmr(cg_buf *b, const cg_cfg_opts *o, const char *corr, const char *derr)
{
    char nx[160];
    cg_printf(b, "    // full TMR: the counters are triplicated too (voted feedback)\n"
                 "    wire cnt_err;\n    wire seu_event = %s || links_upset || tmr_err || cnt_err;\n",
              corr);
    cg_tmr_spec s = { .declare = true, .reset = CG_CFG_RST, .reset_value = "16'h0",
                      .next = "cfg_we ? wr_count + 16'h1 : wr_count" };
    cg_tmr_reg(b, "    ", 16, "wr_count", &s);
    s.declare = !o->seu_ports;
    s.next = "seu_event && seu_count != 16'hffff ? seu_count + 16'h1 : seu_count";
    cg_tmr_reg(b, "    ", 16, "seu_count", &s);
    snprintf(nx, sizeof nx, "seu_derr | (%s)", derr);
    s.reset_value = "1'b0";
    s.next = nx;
    cg_tmr_reg(b, "    ", 1, "seu_derr", &s);
    cg_tmr_collect(b, "    ", "cnt_err");
}

void cg_cfg__front(cg_buf *b, const cg_cfg_opts *o, const cg_cfg_geom *g,
                   const char *cur, const char *corr, const char *derr)
{
    int aw = o->cfg_aw, lw = o->links_w;
    bool status = o->prot != CG_PROT_NONE || o->seu_ports;
    uint32_t info = (uint32_t)g->n_words << 16 | (uint32_t)cg_cfg_prot_code(o) << 12
                  | (uint32_t)(o->latency & 0xf) << 8 | (o->tmr_all ? 2u : 0u) | (o->reg_weights ? 1u : 0u);
    links_reg(b, o, status);
    if (o->tmr_all)
        counters_tmr(b, o, corr, derr);
    else
        counters(b, status, corr, derr);
    cg_printf(b, "    always @* begin\n        case (cfg_addr)\n"
                 "        %d'd%d: cfg_rdata = 32'h%08x;   // ID \"RAD4\"\n"
                 "        %d'd%d: cfg_rdata = 32'h%08x;   // INFO\n"
                 "        %d'd%d: cfg_rdata = 32'd%zu;   // IMG_BITS\n"
                 "        %d'd%d: cfg_rdata = {%d'h0, links_v};\n"
                 "        %d'd%d: cfg_rdata = {16'h0, wr_count};\n",
              aw, REG_ID, CG_CFG_ID, aw, REG_INFO, (unsigned)info, aw, REG_IMG_BITS, g->n_img,
              aw, REG_N_LINKS, 32 - lw, aw, REG_WR_COUNT);
    if (status)
        cg_printf(b, "        %d'd%d: cfg_rdata = {15'h0, seu_derr, seu_count};   // ERR_STATUS\n",
                  aw, REG_ERR);
    else
        cg_printf(b, "        %d'd%d: cfg_rdata = 32'h0;   // ERR_STATUS (no protection)\n", aw, REG_ERR);
    for (size_t i = 0; cur && i < g->n_words; i++) {
        size_t lo = i * 32, hi = lo + 31 < g->n_img ? lo + 31 : g->n_img - 1;
        if (hi - lo == 31)
            cg_printf(b, "        %d'd%zu: cfg_rdata = %s[%zu:%zu];\n", aw, CG_CFG_WBASE + i, cur, hi, lo);
        else
            cg_printf(b, "        %d'd%zu: cfg_rdata = {%zu'h0, %s[%zu:%zu]};\n", aw, CG_CFG_WBASE + i,
                      31 - (hi - lo), cur, hi, lo);
    }
    cg_printf(b, "        default: cfg_rdata = 32'h0;\n        endcase\n    end\n");
    if (cur)
        cg_printf(b, "    assign wimg = %s;\n", cur);
    cg_printf(b, "    assign n_links = links_v;\n    assign cfg_wr = cfg_we;\n");
}

/* ---- the module and the file -------------------------------------------- */

/* Appends the module <top>_cfg (no file header) to b. */
static int emit_module(const mdl_model *m, const cg_cfg_opts *o, cg_buf *b, rad_err *err)
{
    cg_cfg_geom g;
    int rc = cg_cfg_geometry(m, o, &g, err);
    if (rc)
        return rc;
    if (o->tmr_all && (o->prot == CG_PROT_NONE || !o->reg_weights))
        return rad_errf(err, RAD_EUSAGE, "full TMR needs a protected register file of "
                        "reconfigurable weights");
    bool own = o->tmr_all && !b->tmr;     /* a file of its own (cg_cfg_gen) */
    if (own && cg_tmr_begin(b))
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    describe(b, o, &g);
    ports(b, o, &g);
    if (!o->reg_weights)
        cg_cfg__front(b, o, &g, NULL, "1'b0", "1'b0");
    else if (o->prot == CG_PROT_SECDED)
        cg_cfg__secded(b, o, &g);
    else if (o->prot == CG_PROT_TMR)
        cg_cfg__tmr(b, o, &g);
    else
        cg_cfg__none(b, o, &g);
    cg_printf(b, "endmodule\n\n");
    if (own)
        cg_tmr_end(b);
    /* after <top>_cfg: the first module of the file names it (lint) */
    if (o->reg_weights && o->prot == CG_PROT_SECDED)
        cg_cfg__secded_unit(b, o, &g);
    else if (o->reg_weights && o->prot == CG_PROT_TMR)
        cg_cfg__tmr_unit(b, o, &g);
    return b->oom ? rad_errf(err, RAD_ENOMEM, "out of memory") : RAD_OK;
}

/* The cg_opts a plan would have for this register file (file header). */
static void header_opts(const cg_cfg_opts *o, cg_opts *co)
{
    cg_opts_default(co);
    snprintf(co->top, sizeof co->top, "%s", o->top);
    co->weights = o->reg_weights ? CG_WEIGHTS_REG : CG_WEIGHTS_CONST;
    co->pipeline = o->latency - 2 > 0 ? o->latency - 2 : 0;
    co->prot = o->prot;
    co->seu_port = o->seu_ports;
    co->tmr_all = o->tmr_all;
    co->model_name = o->model_name;
    co->weights_name = o->weights_name;
}

/* The whole file: header comment (the options of co, or NULL: those
** header_opts derives), `default_nettype none, the module. */
static int emit_file(const mdl_model *m, const cg_cfg_opts *o, const cg_opts *co,
                     cg_buf *b, rad_err *err)
{
    cg_opts ho;
    char what[256];
    if (!co) {
        header_opts(o, &ho);
        co = &ho;
    }
    snprintf(what, sizeof what, "%s_cfg.v -- configuration registers of %s", o->top, o->top);
    cg_header(b, m, co, "// ", what, "rtl");
    cg_printf(b, "`default_nettype none\n\n");
    int rc = emit_module(m, o, b, err);
    cg_printf(b, "`default_nettype wire\n");
    return rc;
}

int cg_cfg_text(const mdl_model *m, const cg_cfg_opts *o, char **text, rad_err *err)
{
    cg_buf b = { 0 };
    *text = NULL;
    int rc = emit_file(m, o, NULL, &b, err);
    if (!rc && b.oom)
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (rc) {
        cg_buf_free(&b);
        return rc;
    }
    *text = b.p;
    return RAD_OK;
}

int cg_cfg_gen(const mdl_model *m, const cg_cfg_opts *o, const char *path, rad_err *err)
{
    cg_buf b = { 0 };
    int rc = emit_file(m, o, NULL, &b, err);
    if (!rc)
        rc = cg_buf_write(&b, path, err);
    cg_buf_free(&b);
    return rc;
}

/* ---- codegen's side: the register file of a plan ----------------------- */

static void plan_opts(const cg_plan *p, cg_cfg_opts *o)
{
    cg_cfg_opts_init(o, p->m, p->o.top, p->latency);
    o->cfg_aw = p->cfg_aw;
    o->links_w = p->links_w;
    o->reg_weights = p->o.weights == CG_WEIGHTS_REG;
    o->prot = p->o.prot;
    o->seu_ports = p->o.seu_port && o->reg_weights;
    o->tmr_all = p->o.tmr_all;
    o->model_name = p->o.model_name ? p->o.model_name : "built-in";
    o->weights_name = p->o.weights_name ? p->o.weights_name : "built-in";
}

int cg_cfg_seu_addr_bits(const cg_plan *p)
{
    cg_cfg_opts o;
    cg_cfg_geom g;
    plan_opts(p, &o);
    return cg_cfg_geometry(p->m, &o, &g, NULL) ? 1 : g.addr_bits;
}

int cg_cfg_emit(const cg_plan *p, cg_buf *b, rad_err *err)
{
    cg_cfg_opts o;
    plan_opts(p, &o);
    return emit_file(p->m, &o, &p->o, b, err);
}
