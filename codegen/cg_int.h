/*
** cg_int.h — internals shared by the code generators (not a public API).
**
** cg_buf: an append-only text buffer (the generators build a whole file in
** memory, then write it in one go through rad_file, so that a failing run
** leaves no partial output).  cg_tpl: the tiny template engine of the HLS
** generator.  cg_plan: the hardware plan of a model (tensors, live
** elements, taps, accumulator widths, pipeline slots) that the Verilog
** and HLS emitters both read.
*/
#ifndef RAD4ML_CG_INT_H
#define RAD4ML_CG_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "codegen/cg.h"

/* ---- text buffer ------------------------------------------------------ */

typedef struct cg_tmr cg_tmr;     /* full-TMR state of a file (cg_tmr_all.c) */

typedef struct {
    char  *p;
    size_t n, cap;
    bool   oom;          /* an allocation failed: the text is incomplete */
    cg_tmr *tmr;         /* non-NULL while writing a fully triplicated file
                            (gen --protect-all tmr): every flip-flop written
                            into this buffer is triplicated (cg_tmr_reg) */
    const char *wire_attr; /* non-NULL: prefix of every wire cg_bind declares
                            (gen --arith fpga: "(* keep *) " on adder sums) */
} cg_buf;

void cg_printf(cg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cg_vprintf(cg_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void cg_puts(cg_buf *b, const char *s);
void cg_buf_free(cg_buf *b);
/* Writes the buffer to path atomically (RAD_ENOMEM if b->oom). */
int  cg_buf_write(const cg_buf *b, const char *path, rad_err *err);

/* ---- template engine -------------------------------------------------- */

/* A template is plain text with
**   {{name}}                  replaced by the value of `name`
**   {{#blk}} ... {{/blk}}     repeated once per instance of block `blk`
**                             (inside, names are looked up in the instance
**                             first, then in the enclosing scope)
** Blocks may nest.  An unknown name or an unclosed block is an error (the
** generator's bug, reported with the template's name and line). */
typedef struct cg_scope cg_scope;

cg_scope *cg_scope_new(void);
void      cg_scope_free(cg_scope *s);
void      cg_set(cg_scope *s, const char *name, const char *fmt, ...)
              __attribute__((format(printf, 3, 4)));
/* Appends a new instance of block `blk` to s and returns it (owned by s). */
cg_scope *cg_block(cg_scope *s, const char *blk);

int cg_tpl_render(const char *tpl, const char *tpl_name, const cg_scope *s,
                  cg_buf *out, rad_err *err);

/* ---- hardware plan ---------------------------------------------------- */

/* One tensor of the encoder: the converter output (t = 0) or the output of
** layers[t-1].  `live[i]` is false for elements that are constant zero
** (zero-mapped 8x8 positions); `bus[i]` is the element's position on the
** Verilog bus between layers (live elements only), -1 when not live. */
typedef struct {
    int      n;
    fxp_fmt  fmt;
    bool    *live;
    int     *bus;
    int      n_live;
} cg_tensor;

/* One MAC input of a neuron: input element (tensor index) and weight. */
typedef struct { int in; int w; } cg_tap;

typedef struct {
    int     n_taps;
    cg_tap *taps;
    int     bias;         /* index into l->b                         */
} cg_neuron;

/* Pipeline slots of a conv/dense layer: slot 0 after the products, slot
** t (1..levels) after adder-tree level t, slot levels+1 after the output
** quantizer (the layer boundary). */
typedef struct {
    int        n_out;
    cg_neuron *nr;
    int        kmax;        /* most taps of any neuron                   */
    int        levels;      /* adder-tree levels: ceil(log2(kmax + 1))   */
    int        prod_w;      /* product width (signed)                    */
    int        acc_w;       /* accumulator width (signed), worst case    */
    int        acc_frac;    /* F_in + F_w                                */
    int        bias_shift;  /* F_acc - F_b                               */
    bool      *reg;         /* levels + 2 flags: register after slot s   */
    int        n_regs;
    size_t     w_off, b_off;/* bit offsets of kernel / bias in the image */
    int        reuse;       /* reuse factor R (1: fully parallel)        */
    int        dsp_lanes;   /* --arith fpga: multipliers 0..dsp_lanes-1 of
                               each neuron are `*` (DSP blocks), the rest
                               soft (cg_reuse_dsp_plan)                  */
    int        start;       /* R > 1: index of the valid flag (vld[]) that
                               is high in the first clock of a crossing at
                               the layer's inputs                        */
} cg_lplan;

typedef struct {
    const mdl_model *m;
    cg_opts    o;
    cg_tensor  t[MDL_MAX_LAYERS + 1];
    cg_lplan   lp[MDL_MAX_LAYERS];
    int        sum_w;        /* width of the charge sum                   */
    int        msb_w;        /* width of the msb value                    */
    int        code_w;       /* width of the module-sum code              */
    bool       conv_reg[2];  /* converter: after the sum, after outputs   */
    int        conv_regs_after; /* registered slots after the converter     */
    int        latency;      /* in_valid sampled -> out_valid, in clocks  */
    int        interval;     /* clocks per crossing (largest reuse factor) */
    size_t     img_bits;
    int        img_words;    /* 32-bit configuration words of the image   */
    int        links_w;      /* width of the n_links register             */
    int        cfg_aw;       /* cfg_addr width                            */
    int        lat_w;        /* width of one latent field on the output    */
    int        n_lat;
} cg_plan;

int  cg_plan_build(const mdl_model *m, const cg_opts *o, cg_plan *p, rad_err *err);
void cg_plan_free(cg_plan *p);

/* Sanitized Verilog/C identifier from a layer name ("conv" -> "conv",
** "dense 1" -> "dense_1"), prefixed with the layer index to stay unique. */
void cg_layer_ident(const cg_plan *p, int li, char *buf, size_t len);

/* Exact range [lo, hi] of neuron o's accumulator of conv/dense layer li
** (raw integers at the accumulator's scale): from the input, weight and
** bias formats with reconfigurable weights, from the actual weights and
** bias with constants (never from data). */
void cg_neuron_range(const cg_plan *p, int li, int o, __int128 *lo, __int128 *hi);

/* Width in bits of a signed number holding every value in [lo, hi]. */
int cg_sbits(__int128 lo, __int128 hi);

/* Header comment lines with a prefix ("// " or " * "): what the file is,
** then the provenance block (kind "rtl" / "hls"; cg_prov). */
void cg_header(cg_buf *b, const mdl_model *m, const cg_opts *o, const char *prefix,
               const char *what, const char *kind);
/* The provenance block of a generated file (kind "rtl", "hls", "image"):
** model and weights of m, the generator options, no date (deterministic). */
void cg_prov(rad_prov *p, const mdl_model *m, const cg_opts *o, const char *kind);

/* ---- Verilog emitter helpers (cg_emit.c) ------------------------------- */

#define CG_NAME 96        /* longest generated net name or bound value */

/* A Verilog comment line "verilator lint_off RULE" (indent in), and the
** matching lint_on line. */
void cg_lint_off(cg_buf *b, const char *in, const char *rule);
void cg_lint_on(cg_buf *b, const char *in, const char *rule);

/* A list of items, `per_line` to a line: `head` starts every line, `sep`
** separates items on a line, `brk` ends every line but the last (the caller
** ends the last).  head/sep/brk must outlive the list. */
typedef struct {
    cg_buf     *b;
    const char *head, *sep, *brk;
    int         per_line, n;
} cg_list;

void cg_list_init(cg_list *l, cg_buf *b, const char *head, const char *sep, const char *brk,
                  int per_line);
void cg_list_add(cg_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The names pfx0 .. pfx<n-1>, eight to a line: "<head>x0, x1, ...<brk>"
** ... "<head>x8, ...<end>". */
void cg_name_list(cg_buf *b, const char *head, const char *pfx, int n, const char *brk,
                  const char *end);

/* True when expr is a bare identifier (no select, operator or literal). */
bool cg_is_ident(const char *expr);

/* The value expr (w bits; 0: a scalar) under a name: a bare identifier is
** used as it is (no alias wire), anything else is declared
** `wire [w-1:0] name = expr;` (`wire name = expr;` for a scalar).
** The name to use is written to res (len bytes, may be expr's buffer only
** if expr is not read after). */
void cg_bind(cg_buf *b, const char *in, int w, const char *name, const char *expr, char *res,
             size_t len);

/* Register-or-wire: with reg, `reg [w-1:0] name` loaded from expr at every
** rising edge of clk; otherwise cg_bind.  The name to use goes to res. */
void cg_node(cg_buf *b, const char *in, bool reg, int w, const char *name, const char *expr,
             char *res, size_t len);

/* Balanced binary adder tree over the n leaf values nm[0..n-1] (w bits,
** names or identifiers).  Level t adds pairs of level t-1 (an odd last
** node passes through by name); nodes are named <pfx><t>_<i>.  levels >= 0:
** exactly that many levels (single nodes pass through), level t registered
** when reg[t] (reg: levels + 1 flags, may be NULL); levels < 0: levels until
** one node, no registers.  The root's name is left in nm[0]. */
void cg_adder_tree(cg_buf *b, const char *in, const char *pfx, int w, char (*nm)[CG_NAME],
                   int n, int levels, const bool *reg);

/* ---- triplicated flip-flops (cg_tmr_all.c) -------------------------- */

/* Full TMR of everything written into b from now on (cg_tmr_end: off;
** call it before cg_buf_free).  -1 (and b->oom) when out of memory. */
int  cg_tmr_begin(cg_buf *b);
void cg_tmr_end(cg_buf *b);

/* A register through the triplication emitter.  next is computed from
** voted values (voted feedback); reset/reset_value: a synchronous reset
** (NULL: none).  declare: `wire [w-1:0] name = vote;`, else `assign name
** = vote;` (declared by the caller, e.g. an output port).  The copies are
** <base>_tmr0..2 under full TMR (b->tmr; then also the disagreement term
** <base>_terr, collected into the module's tmr_err), else <base>_0..2
** (--tmr-control alone).  base NULL: name. */
typedef struct {
    bool        declare;
    const char *base;
    const char *reset, *reset_value;
    const char *next;
} cg_tmr_spec;

void cg_tmr_reg(cg_buf *b, const char *in, int w, const char *name, const cg_tmr_spec *s);

/* Under full TMR only (no-ops otherwise): the module port `output wire
** tmr_err` (last: no comma); before an instance `inst` that has one, its
** wire <inst>_terr (collected like a register's term), and inside the
** instance's port list the connection `.tmr_err(<inst>_terr), `; at the
** end of a module, `assign target = |{terms}` (1'b0 without any), which
** starts the next module's collection. */
void cg_tmr_port(cg_buf *b, bool last);
void cg_tmr_sub(cg_buf *b, const char *in, const char *inst);
void cg_tmr_conn(cg_buf *b, const char *inst);
void cg_tmr_collect(cg_buf *b, const char *in, const char *target);
/* ---- reuse factor (cg_reuse.c) ---------------------------------------- */

/* Parses and stores the --reuse spec into o->reuse ("" when every entry is
** 1); RAD_EUSAGE with the reason. */
int cg_reuse_set(cg_opts *o, const char *v, rad_err *err);
/* Neuron module <top>_<id>_k<K>_r<R> of a layer with reuse R > 1. */
void cg_reuse_neuron(const cg_plan *p, int li, int K, cg_buf *b);
/* Phase counter of a reuse layer's module (ph, last from st). */
void cg_reuse_counter(const cg_plan *p, int li, cg_buf *b);
/* The top's comment lines on the clock relation (p->interval > 1). */
void cg_reuse_top_comment(const cg_plan *p, cg_buf *b);

/* From cg_rtl.c, shared with cg_reuse.c: the aligned bias term of layer
** li's accumulator into bl; accumulator format, activation and output
** quantization of acc (a signed lp->acc_w-bit net), result name into res. */
void cg_bias_term(const cg_plan *p, int li, char *bl, size_t len);
void cg_neuron_quant(const cg_plan *p, int li, const char *acc, cg_buf *b, char *res,
                     size_t len);
/* From cg_rtl.c, shared with cg_arith.c: header and ports of the neuron
** module <top>_<id>_k<K>; its output y from the accumulator acc (output
** quantization, register slot levels + 1, endmodule; closes the UNUSED
** waiver the caller opened). */
void cg_neuron_ports(const cg_plan *p, int li, int K, const char *id, cg_buf *b);
void cg_neuron_output(const cg_plan *p, int li, const char *acc, cg_buf *b);
/* The bit-heap neuron of gen --arith csa|booth (cg_arith.c): the same
** module, ports and results as the adder-tree neuron. */
void cg_arith_neuron(const cg_plan *p, int li, int K, cg_buf *b);
/* gen --arith fpga (cg_reuse.c): the soft multiplier module
** <top>_<layer>_smul of a reuse layer (p = x * w modulo 2^prod_w). */
void cg_reuse_smul(const cg_plan *p, int li, cg_buf *b);
/* --arith fpga --fpga-dsp N: lp[].dsp_lanes of every reuse layer, last layer
** first, each the most lanes whose products x instances fit what is left. */
void cg_reuse_dsp_plan(cg_plan *p);
/* --arith fpga, in the layer module after the phase counter: the lanes'
** input multiplexers gx<o>_<j>, one set per group of neurons with the same
** inputs (o: the group's first neuron); cg_reuse_xconn: neuron o's .mx<j>
** connections to them. */
void cg_reuse_xmux(const cg_plan *p, int li, cg_buf *b);
void cg_reuse_xconn(const cg_plan *p, int li, int o, cg_buf *b);
/* "    <dir> [w-1:0] pfx0, pfx1, ...,\n" in lines of 8 names. */
void cg_port_list(cg_buf *b, const char *dir, int w, const char *pfx, int n, bool last);

/* Appends the file <top>_cfg.v of the plan (header, module <top>_cfg;
** cg_cfg.c, codegen/cg_cfg.h). */
int cg_cfg_emit(const cg_plan *p, cg_buf *b, rad_err *err);

/* Width of seu_inject_addr of that module (with cg_opts.seu_port). */
int cg_cfg_seu_addr_bits(const cg_plan *p);

#endif
