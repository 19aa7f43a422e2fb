/*
** seu_set_net.c — Yosys' flat generic-gate netlist (JSON) -> Verilog with a
** pulse input on every gate output (seu_set.h), for the SET campaign.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seu/seu_set.h"
#include "common/rad_file.h"

/* Gate kinds: Yosys cell type, pins in order, expression with %s per pin
** in that order. */
typedef struct {
    const char *type, *pins, *expr;
    int slot;                     /* seu_set_net.n_by_type index */
} gate_kind;

static const gate_kind KINDS[] = {
    { "$_NOT_", "A", "~%s", 0 },
    { "$_NAND_", "AB", "~(%s & %s)", 1 },
    { "$_NOR_", "AB", "~(%s | %s)", 2 },
    { "$_AOI3_", "ABC", "~((%s & %s) | %s)", 3 },
    { "$_OAI3_", "ABC", "~((%s | %s) & %s)", 4 },
    { "$_AND_", "AB", "(%s & %s)", 5 },
    { "$_OR_", "AB", "(%s | %s)", 6 },
    { "$_XOR_", "AB", "(%s ^ %s)", 7 },
    { "$_XNOR_", "AB", "~(%s ^ %s)", 7 },
    { "$_ANDNOT_", "AB", "(%s & ~%s)", 7 },
    { "$_ORNOT_", "AB", "(%s | ~%s)", 7 },
    { "$_BUF_", "A", "%s", 7 },
};

static const gate_kind *find_kind(const char *type)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(KINDS[i].type, type))
            return &KINDS[i];
    return NULL;
}

/* Verilog reference of one netlist bit (a net number or a constant). */
static void bit_ref(json_t *b, char *out, size_t size)
{
    if (json_is_integer(b))
        snprintf(out, size, "n%lld", (long long)json_integer_value(b));
    else
        snprintf(out, size, "1'b%c", json_is_string(b) && json_string_value(b)[0] == '1'
                                         ? '1' : '0');
}

static json_t *pin(json_t *cell, const char *name)
{
    json_t *c = json_object_get(json_object_get(cell, "connections"), name);
    return json_is_array(c) && json_array_size(c) == 1 ? json_array_get(c, 0) : NULL;
}

/* Ports: layout in set_in / set_out, and the wires tying them to the nets.
** The clock is the port named clk (it drives every flip-flop). */
static int write_ports(FILE *fp, json_t *ports, seu_set_net *n, long *clk_net, int clk_opt,
                       rad_err *err)
{
    const char *name;
    json_t *p;
    *clk_net = -1;
    json_object_foreach(ports, name, p) {
        json_t *bits = json_object_get(p, "bits");
        const char *dir = json_string_value(json_object_get(p, "direction"));
        int in = dir && !strcmp(dir, "input");
        if (!strcmp(name, "clk") && in && json_array_size(bits) == 1
            && json_is_integer(json_array_get(bits, 0))) {
            *clk_net = (long)json_integer_value(json_array_get(bits, 0));
            n->has_clk = 1;
            fprintf(fp, "  assign n%ld = clk;\n", *clk_net);
            continue;
        }
        if (n->n_port == SEU_SET_MAX_PORTS || strlen(name) >= sizeof n->port[0].name)
            return rad_errf(err, RAD_EPARSE, "seu set: too many ports or port name '%s' too "
                            "long", name);
        seu_set_port *q = &n->port[n->n_port++];
        snprintf(q->name, sizeof q->name, "%s", name);
        q->input = in;
        q->width = (int)json_array_size(bits);
        q->offset = in ? n->n_in : n->n_out;
        for (int i = 0; i < q->width; i++) {
            char r[32];
            bit_ref(json_array_get(bits, (size_t)i), r, sizeof r);
            if (in && r[0] == 'n')
                fprintf(fp, "  assign %s = set_in[%d];\n", r, q->offset + i);
            else if (!in)
                fprintf(fp, "  assign set_out[%d] = %s;\n", q->offset + i, r);
        }
        *(in ? &n->n_in : &n->n_out) += q->width;
    }
    return *clk_net < 0 && !clk_opt ? rad_errf(err, RAD_EPARSE, "seu set: the netlist has "
                                               "no 1-bit input clk") : RAD_OK;
}

/* One net declaration per net number that appears anywhere. */
static void declare_nets(FILE *fp, json_t *mod)
{
    const char *name;
    json_t *nm;
    json_object_foreach(json_object_get(mod, "netnames"), name, nm) {
        json_t *b;
        size_t i;
        json_array_foreach(json_object_get(nm, "bits"), i, b)
            if (json_is_integer(b))
                fprintf(fp, "  wire n%lld; // %s[%zu]\n", (long long)json_integer_value(b),
                        name, i);
    }
}

static int add_d_gate(seu_set_net *n, long g)
{
    long *v = realloc(n->d_gate, (size_t)(n->n_d_gate + 1) * sizeof *v);
    if (!v)
        return -1;
    n->d_gate = v;
    n->d_gate[n->n_d_gate++] = g;
    return 0;
}

/* Contract: writes every cell of mod.  Gates (KINDS) get pulse sites
** 0..n_gates-1 in cell order; $_DFF_P_ clocked by clk_net becomes a reg
** bit of set_q.  A gate whose output net feeds a D pin is listed in
** d_gate (second pass over the flip-flops).  Any other cell: error. */
static int write_cells(FILE *fp, json_t *cells, seu_set_net *n, long clk_net, rad_err *err)
{
    const char *name;
    json_t *c;
    size_t n_nets = 0;
    json_object_foreach(cells, name, c) {
        json_t *y = pin(c, "Y");
        if (y && json_is_integer(y) && (size_t)json_integer_value(y) + 1 > n_nets)
            n_nets = (size_t)json_integer_value(y) + 1;
    }
    long *gate_of = malloc((n_nets + 1) * sizeof *gate_of);
    if (!gate_of)
        return rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
    for (size_t i = 0; i <= n_nets; i++)
        gate_of[i] = -1;
    int rc = RAD_OK;
    json_object_foreach(cells, name, c) {
        const char *type = json_string_value(json_object_get(c, "type"));
        const gate_kind *k = type ? find_kind(type) : NULL;
        char r[3][32], e[160];
        if (type && !strcmp(type, "$_DFF_P_")) {
            json_t *cl = pin(c, "C"), *d = pin(c, "D"), *q = pin(c, "Q");
            if (!cl || !d || !q || !json_is_integer(cl) || json_integer_value(cl) != clk_net
                || !json_is_integer(q)) {
                rc = rad_errf(err, RAD_EPARSE, "seu set: flip-flop %s not on clk", name);
                break;
            }
            bit_ref(d, r[0], sizeof r[0]);
            fprintf(fp, "  reg q%ld;\n  always @(posedge clk) q%ld <= %s;\n"
                    "  assign n%lld = q%ld;\n  assign set_q[%ld] = q%ld;\n", n->n_ff,
                    n->n_ff, r[0], (long long)json_integer_value(q), n->n_ff, n->n_ff, n->n_ff);
            n->n_ff++;
            continue;
        }
        json_t *y = pin(c, "Y");
        if (!k || !y || !json_is_integer(y)) {
            rc = rad_errf(err, RAD_EPARSE, "seu set: cell %s of type %s is not a generic "
                          "gate or a plain D flip-flop on clk", name, type ? type : "?");
            break;
        }
        for (int i = 0; k->pins[i]; i++) {
            char pn[2] = { k->pins[i], 0 };
            json_t *b = pin(c, pn);
            if (b)
                bit_ref(b, r[i], sizeof r[i]);
            else
                snprintf(r[i], sizeof r[i], "1'b0");
        }
        snprintf(e, sizeof e, k->expr, r[0], r[1], r[2]);
        fprintf(fp, "  assign n%lld = %s ^ set_m[%ld];\n", (long long)json_integer_value(y),
                e, n->n_gates);
        gate_of[json_integer_value(y)] = n->n_gates++;
        n->n_by_type[k->slot]++;
    }
    json_object_foreach(cells, name, c) {
        json_t *d = pin(c, "D");
        const char *type = json_string_value(json_object_get(c, "type"));
        if (rc || !type || strcmp(type, "$_DFF_P_") || !json_is_integer(d))
            continue;
        long g = (size_t)json_integer_value(d) < n_nets ? gate_of[json_integer_value(d)] : -1;
        if (g >= 0 && add_d_gate(n, g))
            rc = rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
    }
    free(gate_of);
    return rc;
}

int seu_set_instrument(const char *json, const char *top, const char *vpath,
                       seu_set_net *n, rad_err *err)
{
    return seu_set_instrument_as(json, top, "set_dut", 0, vpath, n, err);
}

/* See seu_set.h.  Contract: n is zeroed first and freed again on an error;
** the body is written to memory (the bus widths are known only after it),
** then the file atomically (rad_file: no partial output). */
int seu_set_instrument_as(const char *json, const char *top, const char *name, int clk_opt,
                          const char *vpath, seu_set_net *n, rad_err *err)
{
    memset(n, 0, sizeof *n);
    json_error_t je;
    json_t *root = json_load_file(json, 0, &je);
    if (!root)
        return rad_errf(err, RAD_EPARSE, "%s:%d: %s", json, je.line, je.text);
    json_t *mod = json_object_get(json_object_get(root, "modules"), top);
    json_t *cells = json_object_get(mod, "cells"), *ports = json_object_get(mod, "ports");
    if (!json_is_object(cells) || !json_is_object(ports)) {
        json_decref(root);
        return rad_errf(err, RAD_EPARSE, "%s: no module %s with cells and ports", json, top);
    }
    rad_file f;
    int rc = rad_file_open(&f, vpath, err);
    long clk_net = -1;
    if (!rc) {
        /* The bus widths come after the body: write it to memory first. */
        char *body = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&body, &len);
        if (!mem)
            rc = rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
        if (!rc) {
            declare_nets(mem, mod);
            rc = write_ports(mem, ports, n, &clk_net, clk_opt, err);
        }
        if (!rc)
            rc = write_cells(mem, cells, n, clk_net, err);
        if (mem)
            fclose(mem);
        if (!rc)
            fprintf(f.fp, "// rad4ml seu --set: %s, flat generic gates, a pulse input on "
                    "every gate output (%ld gates, %ld flip-flops)\n"
                    "/* verilator lint_off UNOPTFLAT */\n"
                    "module %s(input clk, input [%d:0] set_in, input [%ld:0] set_m,\n"
                    "  output [%d:0] set_out, output [%ld:0] set_q);\n"
                    "%s"
                    "endmodule\n", top, n->n_gates, n->n_ff, name, n->n_in - 1,
                    n->n_gates > 0 ? n->n_gates - 1 : 0, n->n_out - 1,
                    n->n_ff > 0 ? n->n_ff - 1 : 0, body);
        free(body);
        rc = rc ? (rad_file_abort(&f), rc) : rad_file_commit(&f, err);
    }
    json_decref(root);
    if (rc)
        seu_set_net_free(n);
    return rc;
}

void seu_set_net_free(seu_set_net *n)
{
    free(n->d_gate);
    n->d_gate = NULL;
    n->n_d_gate = 0;
}

const seu_set_port *seu_set_find(const seu_set_net *n, const char *name)
{
    for (int i = 0; i < n->n_port; i++)
        if (!strcmp(n->port[i].name, name))
            return &n->port[i];
    return NULL;
}
