/*
** syn_netlist.c — cell counts, transistor / NAND2-eq totals and logic depth
** of a hierarchical Yosys netlist (write_json), scaled by instance counts.
*/
#include "synth/syn.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- cell cost table ------------------------------------------------- */

typedef struct { const char *type; int tr; } cost_row;

/* Static CMOS transistor counts of Yosys' generic combinational gates
** (the same counts `stat -tech cmos` uses for the gates it knows). */
static const cost_row COMB_COST[] = {
    { "$_NOT_", 2 },   { "$_BUF_", 4 },    { "$_NAND_", 4 },  { "$_NOR_", 4 },
    { "$_AND_", 6 },   { "$_OR_", 6 },     { "$_ANDNOT_", 6 },{ "$_ORNOT_", 6 },
    { "$_AOI3_", 6 },  { "$_OAI3_", 6 },   { "$_AOI4_", 8 },  { "$_OAI4_", 8 },
    { "$_XOR_", 12 },  { "$_XNOR_", 12 },  { "$_MUX_", 12 },  { "$_NMUX_", 10 },
    { "$_TBUF_", 6 },
};

static const char *const SEQ_PREFIX[] = {
    "$_DFF", "$_SDFF", "$_ALDFF", "$_DLATCH", "$_SR_", "$_FF_",
};

int syn_cell_is_seq(const char *type)
{
    for (size_t i = 0; i < sizeof SEQ_PREFIX / sizeof SEQ_PREFIX[0]; i++)
        if (!strncmp(type, SEQ_PREFIX[i], strlen(SEQ_PREFIX[i])))
            return 1;
    return 0;
}

/* Flip-flop: 24 T master-slave; enable (a 2:1 mux in front of D) +8 T;
** set/reset +4 T (each); latch 12 T.  Polarity letters after the name say
** which pins exist: "$_DFFE_PN0P_" = clock, reset (value 0), enable. */
static int seq_transistors(const char *type)
{
    if (!strncmp(type, "$_SR_", 5))
        return 8;
    int latch = !strncmp(type, "$_DLATCH", 8);
    int tr = latch ? 12 : 24;
    const char *name_end = strchr(type + 2, '_');
    if (!name_end)
        return tr;
    size_t nlen = (size_t)(name_end - type);
    int enable = type[nlen - 1] == 'E' && strncmp(type, "$_DLATCH", nlen) != 0;
    int sync = !strncmp(type, "$_SDFF", 6);
    int setreset = strstr(type, "SR") != NULL;
    int arst = 0;
    for (const char *p = name_end + 1; *p && *p != '_'; p++)
        if (*p == '0' || *p == '1')
            arst = 1;
    if (enable)
        tr += 8;
    if (sync || arst)
        tr += 4;
    if (setreset)
        tr += 8;
    return tr;
}

int syn_cell_transistors(const char *type)
{
    for (size_t i = 0; i < sizeof COMB_COST / sizeof COMB_COST[0]; i++)
        if (!strcmp(type, COMB_COST[i].type))
            return COMB_COST[i].tr;
    if (syn_cell_is_seq(type))
        return seq_transistors(type);
    return -1;
}

/* ---- per-module analysis --------------------------------------------- */

enum { K_COMB, K_SEQ, K_INST };
#define D_NONE (-1)
#define D_TODO (-3)
#define D_BUSY (-2)

typedef struct {
    const char *name;
    json_t     *json;
    int         index;        /* in nl->mod, -1 before ordering */
    int         state;        /* DFS: 0 new, 1 open, 2 done     */
} mod_ref;

typedef struct {
    int         kind;
    int         sub;          /* K_INST: index into nl->mod     */
    json_t     *conn;         /* connections object             */
    json_t     *dirs;         /* port_directions                */
    int         mi, mf;       /* memo: max over inputs, D_TODO  */
} cell_ref;

typedef struct {
    syn_netlist *nl;
    const char  *file;
    const char  *mod_name;
    cell_ref    *cells;
    int          n_cells;
    int         *driver;      /* bit -> cell, -2 input port, -1 none */
    int         *dport;       /* bit -> driving instance's oport, -1 */
    int         *di, *df;     /* per bit: from input, from flop      */
    int          max_bit;
    rad_err     *err;
    int          rc;
} mod_ctx;

static int imax(int a, int b) { return a > b ? a : b; }

static int bit_id(json_t *b)
{
    return json_is_integer(b) ? (int)json_integer_value(b) : -1;
}

static const char *port_dir(mod_ctx *c, cell_ref *cell, const char *port)
{
    json_t *d = cell->dirs ? json_object_get(cell->dirs, port) : NULL;
    if (d && json_is_string(d))
        return json_string_value(d);
    if (cell->kind == K_INST) {   /* fall back on the submodule's ports */
        (void)c;
        return NULL;
    }
    /* Generic gates: Y / Q are the outputs. */
    return (!strcmp(port, "Y") || !strcmp(port, "Q")) ? "output" : "input";
}

static void eval_bit(mod_ctx *c, int bit);

/* Max of di / df over a cell's input bits (clock pins excluded). */
static void cell_inputs(mod_ctx *c, int ci)
{
    cell_ref *cell = &c->cells[ci];
    if (cell->mi != D_TODO)
        return;
    cell->mi = cell->mf = D_BUSY;
    int mi = D_NONE, mf = D_NONE;
    const char *port;
    json_t *bits;
    json_object_foreach(cell->conn, port, bits) {
        const char *dir = port_dir(c, cell, port);
        if (!dir || strcmp(dir, "input"))
            continue;
        if (cell->kind == K_SEQ && (!strcmp(port, "C") || !strcmp(port, "CLK")))
            continue;
        size_t i;
        json_t *b;
        json_array_foreach(bits, i, b) {
            int id = bit_id(b);
            if (id < 0)
                continue;
            eval_bit(c, id);
            if (c->rc)
                return;
            mi = imax(mi, c->di[id]);
            mf = imax(mf, c->df[id]);
        }
    }
    cell->mi = mi;
    cell->mf = mf;
}

/* A bit driven by a submodule output port that no input of the submodule
** reaches: its inputs are on no path through it (nor on a loop back to
** them), so it starts at the submodule's reg->out bound.  Returns 1 when
** it set the bit's depths, 0 for any other driver. */
static int flop_port(mod_ctx *c, int bit, const cell_ref *cell)
{
    if (cell->kind != K_INST || c->dport[bit] < 0
        || c->nl->mod[cell->sub].oport[c->dport[bit]].d_io >= 0)
        return 0;
    c->di[bit] = D_NONE;
    c->df[bit] = c->nl->mod[cell->sub].d_fo;
    return 1;
}

static void eval_bit(mod_ctx *c, int bit)
{
    if (c->di[bit] == D_BUSY) {
        c->rc = rad_errf(c->err, RAD_ETOOL, "%s: module %s: combinational loop "
                         "through net bit %d", c->file, c->mod_name, bit);
        return;
    }
    if (c->di[bit] != D_TODO)
        return;
    int drv = c->driver[bit];
    if (drv == -2) { c->di[bit] = 0; c->df[bit] = D_NONE; return; }
    if (drv < 0) { c->di[bit] = c->df[bit] = D_NONE; return; }
    cell_ref *cell = &c->cells[drv];
    if (cell->kind == K_SEQ) { c->di[bit] = D_NONE; c->df[bit] = 0; return; }
    if (flop_port(c, bit, cell))
        return;
    c->di[bit] = c->df[bit] = D_BUSY;
    if (cell->mi == D_BUSY) {
        c->rc = rad_errf(c->err, RAD_ETOOL, "%s: module %s: combinational loop "
                         "through net bit %d", c->file, c->mod_name, bit);
        return;
    }
    cell_inputs(c, drv);
    if (c->rc)
        return;
    if (cell->kind == K_COMB) {
        c->di[bit] = cell->mi >= 0 ? cell->mi + 1 : D_NONE;
        c->df[bit] = cell->mf >= 0 ? cell->mf + 1 : D_NONE;
    } else {
        const syn_module *s = &c->nl->mod[cell->sub];
        c->di[bit] = (cell->mi >= 0 && s->d_io >= 0) ? cell->mi + s->d_io : D_NONE;
        c->df[bit] = imax((cell->mf >= 0 && s->d_io >= 0) ? cell->mf + s->d_io
                                                           : D_NONE, s->d_fo);
    }
}

static int scan_bits(json_t *bits, int *max_bit)
{
    size_t i;
    json_t *b;
    json_array_foreach(bits, i, b)
        if (bit_id(b) > *max_bit)
            *max_bit = bit_id(b);
    return 0;
}

/* Adds `count` cells of `type` to the design's histogram. */
static int add_type(syn_netlist *nl, const char *type, long count)
{
    for (int i = 0; i < nl->n_type; i++)
        if (!strcmp(nl->type[i].type, type)) {
            nl->type[i].count += count;
            return 0;
        }
    syn_celltype *t = realloc(nl->type, (size_t)(nl->n_type + 1) * sizeof *t);
    if (!t)
        return -1;
    nl->type = t;
    snprintf(t[nl->n_type].type, sizeof t->type, "%s", type);
    t[nl->n_type++].count = count;
    return 0;
}

static int find_mod(const syn_netlist *nl, const char *name)
{
    for (int i = 0; i < nl->n_mod; i++)
        if (!strcmp(nl->mod[i].name, name))
            return i;
    return -1;
}

/* Classifies each cell of the module (submodule instance, flop, gate),
** counts the module's own cells / transistors / flops into m, records its
** children, and widens c->max_bit over the cells' connections.  c->cells
** (c->n_cells + 1 entries) is allocated by the caller.  Returns c->rc. */
static int classify_cells(mod_ctx *c, syn_module *m, json_t *cells)
{
    const char *key, *file = c->file, *name = c->mod_name;
    json_t *v;
    int ci = 0;
    json_object_foreach(cells, key, v) {
        cell_ref *cell = &c->cells[ci++];
        const char *type = json_string_value(json_object_get(v, "type"));
        cell->conn = json_object_get(v, "connections");
        cell->dirs = json_object_get(v, "port_directions");
        cell->mi = cell->mf = D_TODO;
        if (!type || !json_is_object(cell->conn))
            return c->rc = rad_errf(c->err, RAD_ESCHEMA, "%s: module %s: cell %s: no type "
                                    "or connections", file, name, key);
        int sub = find_mod(c->nl, type);
        int tr = syn_cell_transistors(type);
        if (sub >= 0) {
            cell->kind = K_INST;
            cell->sub = sub;
            syn_child *ch = realloc(m->child, (size_t)(m->n_sub + 1) * sizeof *ch);
            if (!ch)
                return c->rc = rad_errf(c->err, RAD_ENOMEM, "%s: out of memory", file);
            m->child = ch;
            snprintf(ch[m->n_sub].name, sizeof ch->name, "%s", key);
            ch[m->n_sub++].sub = sub;
        } else if (tr < 0) {
            return c->rc = rad_errf(c->err, RAD_ETOOL, "%s: module %s: cell %s of type %s "
                                    "is not a generic gate (unmapped logic or missing "
                                    "module)", file, name, key, type);
        } else {
            cell->kind = syn_cell_is_seq(type) ? K_SEQ : K_COMB;
            m->cells_own++;
            m->tr_own += tr;
            m->ff_own += cell->kind == K_SEQ;
        }
        const char *p;
        json_t *bits;
        json_object_foreach(cell->conn, p, bits)
            scan_bits(bits, &c->max_bit);
    }
    return c->rc;
}

static int find_oport(const syn_module *s, const char *port)
{
    for (int i = 0; i < s->n_oport; i++)
        if (!strcmp(s->oport[i].name, port))
            return i;
    return -1;
}

/* Allocates the per-bit tables of c (bits 0..c->max_bit) and fills
** c->driver: -2 for input-port bits, the index of the driving cell for cell
** outputs, -1 for undriven bits; c->dport: for bits a submodule instance
** drives, the index of that output port in the submodule (-1 otherwise).
** Returns c->rc. */
static int find_drivers(mod_ctx *c, json_t *ports)
{
    size_t nb = (size_t)c->max_bit + 1;
    c->driver = malloc(nb * sizeof *c->driver);
    c->di = malloc(nb * sizeof *c->di);
    c->df = malloc(nb * sizeof *c->df);
    c->dport = malloc(nb * sizeof *c->dport);
    if (!c->driver || !c->di || !c->df || !c->dport)
        return c->rc = rad_errf(c->err, RAD_ENOMEM, "%s: module %s: out of memory", c->file,
                                c->mod_name);
    for (size_t i = 0; i < nb; i++) {
        c->driver[i] = c->dport[i] = -1;
        c->di[i] = c->df[i] = D_TODO;
    }
    const char *key;
    json_t *v;
    json_object_foreach(ports, key, v) {
        const char *dir = json_string_value(json_object_get(v, "direction"));
        if (!dir || strcmp(dir, "input"))
            continue;
        size_t i;
        json_t *b;
        json_array_foreach(json_object_get(v, "bits"), i, b)
            if (bit_id(b) >= 0)
                c->driver[bit_id(b)] = -2;
    }
    for (int k = 0; k < c->n_cells; k++) {
        const char *p;
        json_t *bits;
        json_object_foreach(c->cells[k].conn, p, bits) {
            const char *dir = port_dir(c, &c->cells[k], p);
            if (!dir || strcmp(dir, "output"))
                continue;
            int op = c->cells[k].kind == K_INST ? find_oport(&c->nl->mod[c->cells[k].sub], p)
                                                : -1;
            size_t i;
            json_t *b;
            json_array_foreach(bits, i, b)
                if (bit_id(b) >= 0) {
                    c->driver[bit_id(b)] = k;
                    c->dport[bit_id(b)] = op;
                }
        }
    }
    return c->rc;
}

/* The depths of the module's output ports into m->oport (appended) and
** their maxima into m->d_io, m->d_fo.  Returns c->rc. */
static int port_depths(mod_ctx *c, syn_module *m, json_t *ports)
{
    const char *key;
    json_t *v;
    json_object_foreach(ports, key, v) {
        const char *dir = json_string_value(json_object_get(v, "direction"));
        if (!dir || !strcmp(dir, "input"))
            continue;
        syn_oport *op = realloc(m->oport, (size_t)(m->n_oport + 1) * sizeof *op);
        if (!op)
            return c->rc = rad_errf(c->err, RAD_ENOMEM, "%s: out of memory", c->file);
        m->oport = op;
        op += m->n_oport++;
        snprintf(op->name, sizeof op->name, "%s", key);
        op->d_io = op->d_fo = D_NONE;
        size_t i;
        json_t *b;
        json_array_foreach(json_object_get(v, "bits"), i, b) {
            if (bit_id(b) < 0)
                continue;
            eval_bit(c, bit_id(b));
            if (c->rc)
                return c->rc;
            op->d_io = imax(op->d_io, c->di[bit_id(b)]);
            op->d_fo = imax(op->d_fo, c->df[bit_id(b)]);
        }
        m->d_io = imax(m->d_io, op->d_io);
        m->d_fo = imax(m->d_fo, op->d_fo);
    }
    return c->rc;
}

/* The module's logic depths into m (d_io, d_fo, d_if, d_ff) from its
** endpoints: output ports, flop inputs, submodule flops (the submodules'
** depths already known).  Needs find_drivers.  Returns c->rc. */
static int module_depths(mod_ctx *c, syn_module *m, json_t *ports)
{
    if (port_depths(c, m, ports))
        return c->rc;
    for (int k = 0; k < c->n_cells; k++) {
        cell_ref *cell = &c->cells[k];
        if (cell->kind == K_COMB)
            continue;
        cell_inputs(c, k);
        if (c->rc)
            return c->rc;
        if (cell->kind == K_SEQ) {
            m->d_if = imax(m->d_if, cell->mi);
            m->d_ff = imax(m->d_ff, cell->mf);
        } else {
            const syn_module *s = &c->nl->mod[cell->sub];
            if (s->d_if >= 0 && cell->mi >= 0)
                m->d_if = imax(m->d_if, cell->mi + s->d_if);
            if (s->d_if >= 0 && cell->mf >= 0)
                m->d_ff = imax(m->d_ff, cell->mf + s->d_if);
            m->d_ff = imax(m->d_ff, s->d_ff);
        }
    }
    return c->rc;
}

/* Counts and levels of one module (its submodules already analysed) into
** nl->mod[nl->n_mod], which it appends on success; on error the entry is
** left unused (its children freed).  mj stays owned by the caller. */
static int analyse_module(syn_netlist *nl, const char *file, const char *name,
                          json_t *mj, rad_err *err)
{
    syn_module *m = &nl->mod[nl->n_mod];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->d_io = m->d_if = m->d_fo = m->d_ff = D_NONE;

    json_t *ports = json_object_get(mj, "ports");
    json_t *cells = json_object_get(mj, "cells");
    if (!json_is_object(ports) || !json_is_object(cells))
        return rad_errf(err, RAD_ESCHEMA, "%s: module %s: no ports/cells", file, name);

    mod_ctx c = { .nl = nl, .file = file, .mod_name = name, .err = err };
    const char *key;
    json_t *v;
    json_object_foreach(ports, key, v)
        scan_bits(json_object_get(v, "bits"), &c.max_bit);
    c.n_cells = (int)json_object_size(cells);
    c.cells = calloc((size_t)c.n_cells + 1, sizeof *c.cells);
    if (!c.cells)
        return rad_errf(err, RAD_ENOMEM, "%s: out of memory", file);
    if (!classify_cells(&c, m, cells) && !find_drivers(&c, ports))
        module_depths(&c, m, ports);
    free(c.cells);
    free(c.driver);
    free(c.di);
    free(c.df);
    free(c.dport);
    if (c.rc == RAD_OK) {
        nl->n_mod++;
    } else {
        free(m->child);
        free(m->oport);
    }
    return c.rc;
}

/* ---- hierarchy --------------------------------------------------------- */

/* Post-order DFS from the top: leaves first. */
static int order_modules(json_t *mods, mod_ref *refs, int n, int at,
                         int *order, int *n_order, const char *file, rad_err *err)
{
    if (refs[at].state == 2)
        return RAD_OK;
    if (refs[at].state == 1)
        return rad_errf(err, RAD_ESCHEMA, "%s: module %s instantiates itself",
                        file, refs[at].name);
    refs[at].state = 1;
    json_t *cells = json_object_get(refs[at].json, "cells");
    const char *key;
    json_t *v;
    json_object_foreach(cells, key, v) {
        const char *type = json_string_value(json_object_get(v, "type"));
        for (int i = 0; type && i < n; i++)
            if (!strcmp(refs[i].name, type)) {
                int rc = order_modules(mods, refs, n, i, order, n_order, file, err);
                if (rc)
                    return rc;
            }
    }
    refs[at].state = 2;
    order[(*n_order)++] = at;
    return RAD_OK;
}

/* Index of the top module, or -1 with err set. */
static int pick_top(mod_ref *refs, int n, const char *top, const char *file,
                    rad_err *err)
{
    for (int i = 0; i < n; i++) {
        if (top ? !strcmp(refs[i].name, top)
                : json_object_get(json_object_get(refs[i].json, "attributes"), "top") != NULL)
            return i;
    }
    if (top)
        rad_errf(err, RAD_ESCHEMA, "%s: no module named %s", file, top);
    else
        rad_errf(err, RAD_ESCHEMA, "%s: no top module marked; give one", file);
    return -1;
}

static void scale_instances(syn_netlist *nl, json_t *mods)
{
    syn_module *top = &nl->mod[nl->n_mod - 1];
    top->instances = 1;
    for (int k = nl->n_mod - 1; k >= 0; k--) {
        syn_module *m = &nl->mod[k];
        json_t *cells = json_object_get(json_object_get(mods, m->name), "cells");
        const char *key;
        json_t *v;
        json_object_foreach(cells, key, v) {
            int s = find_mod(nl, json_string_value(json_object_get(v, "type")));
            if (s >= 0)
                nl->mod[s].instances += m->instances;
        }
    }
}

static int totals(syn_netlist *nl, json_t *mods)
{
    for (int k = 0; k < nl->n_mod; k++) {
        syn_module *m = &nl->mod[k];
        nl->cells += m->cells_own * m->instances;
        nl->ff += m->ff_own * m->instances;
        nl->transistors += m->tr_own * m->instances;
        json_t *cells = json_object_get(json_object_get(mods, m->name), "cells");
        const char *key;
        json_t *v;
        json_object_foreach(cells, key, v) {
            const char *type = json_string_value(json_object_get(v, "type"));
            if (find_mod(nl, type) < 0 && add_type(nl, type, m->instances))
                return -1;
        }
    }
    nl->nand2 = nl->transistors / 4.0;
    const syn_module *t = &nl->mod[nl->n_mod - 1];
    nl->levels_reg2reg = t->d_ff;
    nl->levels_in2reg = t->d_if;
    nl->levels_reg2out = t->d_fo;
    nl->levels_in2out = t->d_io;
    nl->levels = imax(imax(t->d_ff, t->d_if), imax(t->d_fo, t->d_io));
    return 0;
}

/* See syn.h.  Loads the Yosys JSON netlist at json_path and analyses its
** modules from the leaves up to top (counts, transistors, depths) into nl,
** which owns what it allocates (syn_netlist_free).  RAD_OK or the reason. */
int syn_netlist_load(const char *json_path, const char *top, syn_netlist *nl,
                     rad_err *err)
{
    memset(nl, 0, sizeof *nl);
    json_error_t je;
    json_t *root = json_load_file(json_path, 0, &je);
    if (!root)
        return rad_errf(err, RAD_EPARSE, "%s:%d: %s", json_path, je.line, je.text);
    json_t *mods = json_object_get(root, "modules");
    int rc = RAD_OK;
    int n = json_is_object(mods) ? (int)json_object_size(mods) : 0;
    if (n == 0) {
        json_decref(root);
        return rad_errf(err, RAD_ESCHEMA, "%s: no modules", json_path);
    }
    mod_ref *refs = calloc((size_t)n, sizeof *refs);
    int *order = calloc((size_t)n, sizeof *order);
    nl->mod = calloc((size_t)n, sizeof *nl->mod);
    if (!refs || !order || !nl->mod) {
        rc = rad_errf(err, RAD_ENOMEM, "%s: out of memory", json_path);
        goto out;
    }
    int i = 0;
    const char *key;
    json_t *v;
    json_object_foreach(mods, key, v) {
        refs[i].name = key;
        refs[i].json = v;
        refs[i++].index = -1;
    }
    int t = pick_top(refs, n, top, json_path, err);
    if (t < 0) {
        rc = RAD_ESCHEMA;
        goto out;
    }
    snprintf(nl->top, sizeof nl->top, "%s", refs[t].name);
    int n_order = 0;
    rc = order_modules(mods, refs, n, t, order, &n_order, json_path, err);
    for (int k = 0; rc == RAD_OK && k < n_order; k++)
        rc = analyse_module(nl, json_path, refs[order[k]].name, refs[order[k]].json, err);
    if (rc == RAD_OK) {
        scale_instances(nl, mods);
        if (totals(nl, mods))
            rc = rad_errf(err, RAD_ENOMEM, "%s: out of memory", json_path);
    }
out:
    free(refs);
    free(order);
    json_decref(root);
    if (rc)
        syn_netlist_free(nl);
    return rc;
}

void syn_netlist_free(syn_netlist *nl)
{
    for (int i = 0; nl->mod && i < nl->n_mod; i++) {
        free(nl->mod[i].child);
        free(nl->mod[i].oport);
    }
    free(nl->mod);
    free(nl->type);
    nl->mod = NULL;
    nl->type = NULL;
    nl->n_mod = nl->n_type = 0;
}

const syn_module *syn_netlist_find(const syn_netlist *nl, const char *name)
{
    int i = find_mod(nl, name);
    return i < 0 ? NULL : &nl->mod[i];
}
