/*
** seu_set_mod.c — single-event transients in the gates of ONE module of
** the design (`seu --set --set-module NAME|all`, seu_set.h): the module
** is mapped onto generic gates with a pulse input per gate, the rest of
** the design stays word-level RTL, so designs whose flat gate netlist is
** too big for Verilator can be covered module by module.
**
** Files in the work directory <d> (beside design.v):
**   mod.ys / mnet.json   the module alone, flat, generic gates (Yosys)
**   mset.v               it instrumented (rad4ml_set_g) + a wrapper of the
**                        module's own name and ports + rad4ml_set_pulse
**   top.ys / flat.json / flat.v / ports0.txt
**                        the design with that wrapper, flattened, every
**                        instance's rad4ml_set_pulse and every register
**                        output exposed as ports (Yosys expose)
*/
#include <jansson.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "seu/seu_set.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"

#define PULSE "rad4ml_set_pulse"

/* printf into a malloc'd string (NULL when out of memory). */
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int len = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (s) {
        va_start(ap, f);
        vsnprintf(s, (size_t)len + 1, f, ap);
        va_end(ap);
    }
    return s;
}

/* Runs `yosys -q -l <log> <ys>` in d after writing the script text. */
static int run_yosys(const char *d, const char *ys, const char *text, const char *log,
                     rad_err *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", d, ys);
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    fputs(text, f.fp);
    if ((rc = rad_file_commit(&f, err)))
        return rc;
    char *av[] = { "yosys", "-q", "-l", (char *)log, (char *)ys, NULL };
    rad_proc_opts po = { .cwd = d, .quiet = true, .nice = true };
    return rad_proc_check(av, &po, "yosys (seu --set-module)", err);
}

static int exists(const char *d, const char *name)
{
    char p[4200];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", d, name);
    return stat(p, &st) == 0;
}

/* The wrapper: module <mod> with the netlist's ports and the pulse bus,
** around the instrumented gates (rad4ml_set_g). */
static void write_wrapper(FILE *fp, const char *mod, const seu_set_net *m)
{
    fprintf(fp, "module %s(", mod);
    if (m->has_clk)
        fprintf(fp, "clk, ");
    for (int i = 0; i < m->n_port; i++)
        fprintf(fp, "%s, ", m->port[i].name);
    fprintf(fp, "%s);\n", PULSE);
    if (m->has_clk)
        fprintf(fp, "  input clk;\n");
    for (int i = 0; i < m->n_port; i++)
        fprintf(fp, "  %s [%d:0] %s;\n", m->port[i].input ? "input" : "output",
                m->port[i].width - 1, m->port[i].name);
    fprintf(fp, "  input [%ld:0] %s;\n  wire [%d:0] si;\n  wire [%d:0] so;\n", m->n_gates - 1,
            PULSE, m->n_in - 1, m->n_out - 1);
    for (int i = 0; i < m->n_port; i++) {
        const seu_set_port *p = &m->port[i];
        if (p->input)
            fprintf(fp, "  assign si[%d +: %d] = %s;\n", p->offset, p->width, p->name);
        else
            fprintf(fp, "  assign %s = so[%d +: %d];\n", p->name, p->offset, p->width);
    }
    fprintf(fp, "  rad4ml_set_g g(.clk(%s), .set_in(si), .set_m(%s), .set_out(so), "
            ".set_q());\nendmodule\n", m->has_clk ? "clk" : "1'b0", PULSE);
}

/* The module alone on generic gates, instrumented, with its wrapper
** (mset.v).  *m: its netlist (ports, gates, d_gate). */
static int module_gates(const seu_set_opts *o, const char *d, int changed, seu_set_net *m,
                        rad_err *err)
{
    char ys[1024], path[4200];
    int rc = RAD_OK;
    if (changed || !exists(d, "mnet.json")) {
        snprintf(ys, sizeof ys, "read_verilog design.v\nhierarchy -top %s\n"
                 "synth -flatten -top %s -noabc\nasync2sync\ndffunmap\nabc -g cmos3\n"
                 "opt_clean -purge\nstat\nwrite_json mnet.json\n", o->module, o->module);
        rc = run_yosys(d, "mod.ys", ys, "mod.log", err);
    }
    snprintf(ys, sizeof ys, "%s/mnet.json", d);
    snprintf(path, sizeof path, "%s/mset.v", d);
    if (!rc)
        rc = seu_set_instrument_as(ys, o->module, "rad4ml_set_g", 1, path, m, err);
    if (rc || m->n_gates == 0)
        return rc;
    FILE *fp = fopen(path, "a");
    if (!fp)
        return rad_errf(err, RAD_EIO, "%s: cannot append the wrapper", path);
    write_wrapper(fp, o->module, m);
    return fclose(fp) ? rad_errf(err, RAD_EIO, "%s: write error", path) : RAD_OK;
}

/* The design with the instrumented module, flat, pulses and registers
** exposed (flat.json, flat.v, ports0.txt = the top's own ports). */
static int design_flat(const seu_set_opts *o, const char *d, int changed, rad_err *err)
{
    if (!changed && exists(d, "flat.json") && exists(d, "flat.v") && exists(d, "ports0.txt"))
        return RAD_OK;
    char ys[2048];
    snprintf(ys, sizeof ys, "read_verilog design.v\ndelete %s\nread_verilog mset.v\n"
             "hierarchy -top %s\nproc\ntee -q -o ports0.txt select -list %s/i:* %s/o:*\n"
             "flatten\nhierarchy -top %s\nexpose -input %s/w:*." PULSE "\n"
             "expose -dff %s\nwrite_json flat.json\nwrite_verilog -noattr flat.v\n",
             o->module, o->top, o->top, o->top, o->top, o->top, o->top);
    return run_yosys(d, "top.ys", ys, "top.log", err);
}

/* 1 when `name` is a line "<top>/<name>" of ports0.txt's text. */
static int own_port(const char *ports0, const char *top, const char *name)
{
    size_t lt = strlen(top), ln = strlen(name);
    for (const char *l = ports0; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, top, lt) && l[lt] == '/' && !strncmp(l + lt + 1, name, ln)
            && (l[lt + 1 + ln] == '\n' || l[lt + 1 + ln] == 0))
            return 1;
    return 0;
}

/* Q bits of every register cell of the module (1 in the returned map). */
static char *dff_bits(json_t *cells, long max_bit)
{
    char *q = calloc((size_t)max_bit + 1, 1);
    const char *k;
    json_t *c, *b;
    size_t i;
    json_object_foreach(cells, k, c) {
        const char *type = json_string_value(json_object_get(c, "type"));
        if (!q || !type || !strstr(type, "dff"))
            continue;
        json_array_foreach(json_object_get(json_object_get(c, "connections"), "Q"), i, b)
            if (json_is_integer(b) && json_integer_value(b) <= max_bit)
                q[json_integer_value(b)] = 1;
    }
    return q;
}

static long max_port_bit(json_t *ports)
{
    long mx = 0;
    const char *k;
    json_t *p, *b;
    size_t i;
    json_object_foreach(ports, k, p)
        json_array_foreach(json_object_get(p, "bits"), i, b)
            if (json_is_integer(b) && json_integer_value(b) > mx)
                mx = (long)json_integer_value(b);
    return mx;
}

static int all_in(const char *map, json_t *bits)
{
    size_t i;
    json_t *b;
    json_array_foreach(bits, i, b)
        if (!json_is_integer(b) || !map[json_integer_value(b)])
            return 0;
    return json_array_size(bits) > 0;
}

typedef struct {
    FILE       *fp;         /* set_dut's instance connections           */
    FILE       *extra;      /* set_dut's other statements               */
    seu_set_net *n;
    const seu_set_net *m;   /* the module's own netlist                 */
    seu_set_result *r;
    const char *ports0, *top, *file;
    rad_err    *err;
} wrap_ctx;

/* One port of the flattened top: its place in set_in / set_out / set_m /
** set_q and its connection in set_dut.  Returns RAD_OK or the reason. */
static int wrap_port(wrap_ctx *w, const char *name, json_t *p, const char *qmap)
{
    const char *dir = json_string_value(json_object_get(p, "direction"));
    json_t *bits = json_object_get(p, "bits");
    int width = (int)json_array_size(bits), in = dir && !strcmp(dir, "input");
    seu_set_net *n = w->n;
    size_t ln = strlen(name), lp = strlen("." PULSE);
    if (in && !strcmp(name, "clk")) {
        fprintf(w->fp, ",\n    .clk(clk)");
    } else if (in && ln > lp && !strcmp(name + ln - lp, "." PULSE)) {
        if (width != w->m->n_gates)
            return rad_errf(w->err, RAD_ETOOL, "%s: port %s: %d bits, want %ld", w->file,
                            name, width, w->m->n_gates);
        fprintf(w->fp, ",\n    .\\%s (set_m[%ld +: %d])", name, n->n_gates, width);
        for (long g = 0; g < w->m->n_d_gate; g++) {
            long *v = realloc(n->d_gate, (size_t)(n->n_d_gate + 1) * sizeof *v);
            if (!v)
                return rad_errf(w->err, RAD_ENOMEM, "seu set: out of memory");
            n->d_gate = v;
            n->d_gate[n->n_d_gate++] = n->n_gates + w->m->d_gate[g];
        }
        n->n_gates += width;
        w->r->instances++;
    } else if (own_port(w->ports0, w->top, name)) {
        if (n->n_port == SEU_SET_MAX_PORTS || ln >= sizeof n->port[0].name)
            return rad_errf(w->err, RAD_EPARSE, "seu set: too many ports or port name '%s' "
                            "too long", name);
        seu_set_port *q = &n->port[n->n_port++];
        snprintf(q->name, sizeof q->name, "%s", name);
        q->input = in;
        q->width = width;
        q->offset = in ? n->n_in : n->n_out;
        *(in ? &n->n_in : &n->n_out) += width;
        if (in) {
            fprintf(w->fp, ",\n    .\\%s (set_in[%d +: %d])", name, q->offset, width);
        } else {
            fprintf(w->fp, ",\n    .\\%s (set_out[%d +: %d])", name, q->offset, width);
            if (all_in(qmap, bits)) {   /* a registered output: state too */
                fprintf(w->extra, "  assign set_q[%ld +: %d] = set_out[%d +: %d];\n",
                        n->n_ff, width, q->offset, width);
                n->n_ff += width;
            }
        }
    } else if (!in) {
        fprintf(w->fp, ",\n    .\\%s (set_q[%ld +: %d])", name, n->n_ff, width);
        n->n_ff += width;
    } else {
        return rad_errf(w->err, RAD_ETOOL, "%s: unexpected input port %s", w->file, name);
    }
    return RAD_OK;
}

/* set_dut around the flattened top (flat.json's ports) into *out
** (malloc'd), n filled.  Contract: every top port is placed (wrap_port);
** no pulse bus or no own port is an error naming the file. */
static int wrap_top(const seu_set_opts *o, const char *d, const seu_set_net *m,
                    seu_set_net *n, seu_set_result *r, char **out, rad_err *err)
{
    char path[4200], *ports0 = NULL, *conn = NULL, *extra = NULL;
    size_t lc = 0, le = 0, l0;
    snprintf(path, sizeof path, "%s/ports0.txt", d);
    int rc = rad_read_all(path, &ports0, &l0, err);
    snprintf(path, sizeof path, "%s/flat.json", d);
    json_error_t je;
    json_t *root = rc ? NULL : json_load_file(path, 0, &je);
    if (!rc && !root)
        rc = rad_errf(err, RAD_EPARSE, "%s:%d: %s", path, je.line, je.text);
    json_t *mod = json_object_get(json_object_get(root, "modules"), o->top);
    json_t *ports = json_object_get(mod, "ports");
    if (!rc && !json_is_object(ports))
        rc = rad_errf(err, RAD_EPARSE, "%s: no module %s with ports", path, o->top);
    wrap_ctx w = { .n = n, .m = m, .r = r, .ports0 = ports0, .top = o->top, .file = path,
                   .err = err };
    char *qmap = rc ? NULL : dff_bits(json_object_get(mod, "cells"), max_port_bit(ports));
    if (!rc && (!qmap || !(w.fp = open_memstream(&conn, &lc))
                || !(w.extra = open_memstream(&extra, &le))))
        rc = rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
    const char *k;
    json_t *p;
    if (!rc)
        json_object_foreach(ports, k, p)
            if ((rc = wrap_port(&w, k, p, qmap)))
                break;
    if (w.fp)
        fclose(w.fp);
    if (w.extra)
        fclose(w.extra);
    if (!rc && (n->n_gates == 0 || n->n_in == 0 || n->n_out == 0 || n->n_ff == 0))
        rc = rad_errf(err, RAD_ETOOL, "%s: %ld pulse bits, %d inputs, %d outputs, %ld "
                      "registers: want all > 0", path, n->n_gates, n->n_in, n->n_out, n->n_ff);
    if (!rc && !(*out = fmt("module set_dut(input clk, input [%d:0] set_in, input [%ld:0] "
                        "set_m,\n  output [%d:0] set_out, output [%ld:0] set_q);\n%s"
                        "  %s u(%s);\nendmodule\n", n->n_in - 1, n->n_gates - 1,
                        n->n_out - 1, n->n_ff - 1, extra, o->top, conn + 1)))
        rc = rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
    free(qmap);
    free(conn);
    free(extra);
    free(ports0);
    json_decref(root);
    return rc;
}

/* o->module must be a module of <d>/design.v other than the top. */
static int check_module(const seu_set_opts *o, const char *d, rad_err *err)
{
    char path[4200], **names;
    int n, found = 0;
    snprintf(path, sizeof path, "%s/design.v", d);
    int rc = seu_set_mod_list(path, o->top, &names, &n, err);
    for (int i = 0; i < n; i++) {
        found |= !strcmp(names[i], o->module);
        free(names[i]);
    }
    free(names);
    if (!rc && !found)
        rc = rad_errf(err, RAD_EUSAGE, "seu --set-module: no module '%s' under the top %s "
                      "of the generated design (%s; 'all' = every one)", o->module, o->top,
                      path);
    return rc;
}

/* See seu_set.h. */
int seu__set_mod_net(const seu_set_opts *o, const char *d, int design_changed,
                     seu_set_net *n, seu_set_result *r, char **text, rad_err *err)
{
    seu_set_net m;
    memset(n, 0, sizeof *n);
    *text = NULL;
    int rc = check_module(o, d, err);
    if (!rc)
        rc = module_gates(o, d, design_changed, &m, err);
    if (rc)
        return rc;
    r->inst_gates = m.n_gates;
    char *wrap = NULL, *flat = NULL, path[4200];
    size_t lf;
    if (m.n_gates > 0) {
        rc = design_flat(o, d, design_changed, err);
        snprintf(path, sizeof path, "%s/flat.v", d);
        if (!rc)
            rc = rad_read_all(path, &flat, &lf, err);
        if (!rc)
            rc = wrap_top(o, d, &m, n, r, &wrap, err);
        if (!rc && !(*text = fmt("// rad4ml seu --set-module %s: %ld instances x %ld gates "
                            "pulsed, the rest word-level RTL (Yosys)\n"
                            "/* verilator lint_off UNOPTFLAT */\n%s\n%s", o->module,
                            r->instances, m.n_gates, flat, wrap)))
            rc = rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
    }
    free(flat);
    free(wrap);
    seu_set_net_free(&m);
    if (rc)
        seu_set_net_free(n);
    return rc;
}

/* See seu_set.h. */
int seu_set_mod_list(const char *design_v, const char *top, char ***names, int *n,
                     rad_err *err)
{
    char *text = NULL;
    size_t len;
    *names = NULL;
    *n = 0;
    int rc = rad_read_all(design_v, &text, &len, err);
    for (char *l = text; !rc && l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, "module ", 7))
            continue;
        char name[128];
        int k = 0;
        for (const char *c = l + 7; (isalnum((unsigned char)*c) || *c == '_') && k < 127; c++)
            name[k++] = *c;
        name[k] = 0;
        if (!k || !strcmp(name, top))
            continue;
        char **v = realloc(*names, (size_t)(*n + 1) * sizeof *v);
        if (!v || !(v[*n] = strdup(name))) {
            if (v)
                *names = v;
            rc = rad_errf(err, RAD_ENOMEM, "seu set: out of memory");
            break;
        }
        *names = v;
        (*n)++;
    }
    free(text);
    return rc;
}
