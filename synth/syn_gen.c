/*
** syn_gen.c — generated RTL per configuration, and a VCD of it on real
** crossings for the power estimate.
*/
#include "synth/syn_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "data/dataset.h"
#include "model/model_io.h"
#include "synth/syn_flow.h"

static int load_model(const char *model, const char *weights, mdl_model **m,
                      rad_err *err)
{
    return model ? mdl_load(model, weights, m, err) : mdl_load_default(m, err);
}

int syn_gen_rtl(const char *model, const char *weights, const char *top,
                const char *protect, int pipeline, const char *dir,
                char *note, size_t note_size, rad_err *err)
{
    return syn_gen_rtl_reuse(model, weights, top, protect, pipeline, 1, dir, note, note_size,
                             err);
}

int syn_gen_rtl_reuse(const char *model, const char *weights, const char *top,
                      const char *protect, int pipeline, int reuse, const char *dir,
                      char *note, size_t note_size, rad_err *err)
{
    return syn_gen_rtl_arith(model, weights, top, protect, pipeline, reuse, NULL, 0, dir, note,
                             note_size, err);
}

/* See syn_gen.h.  The generator options of one configuration (protection,
** pipeline, reuse, arithmetic), then <top>.v, <top>_cfg.v and the image
** into dir; a protection the generator refuses becomes a note. */
int syn_gen_rtl_arith(const char *model, const char *weights, const char *top,
                      const char *protect, int pipeline, int reuse, const char *arith,
                      int fpga_dsp, const char *dir, char *note, size_t note_size, rad_err *err)
{
    note[0] = '\0';
    mdl_model *m;
    int rc = load_model(model, weights, &m, err);
    if (rc)
        return rc;
    cg_opts o;
    cg_opts_default(&o);
    snprintf(o.top, sizeof o.top, "%s", top);
    o.pipeline = pipeline;
    o.fpga_dsp = fpga_dsp;
    char r[16];
    snprintf(r, sizeof r, "%d", reuse);
    if ((reuse > 1 && (rc = cg_opts_set(&o, "reuse", r, err)))
        || (arith && (rc = cg_opts_set(&o, "arith", arith, err)))) {
        mdl_free(m);
        return rc;
    }
    o.prot = !strcmp(protect, "tmr") || !strcmp(protect, "full-tmr") ? CG_PROT_TMR
           : !strcmp(protect, "secded") ? CG_PROT_SECDED : CG_PROT_NONE;
    o.tmr_all = !strcmp(protect, "full-tmr");      /* gen --protect-all tmr */
    o.model_name = model ? model : "built-in";
    o.weights_name = weights ? weights : (model ? "beside the model" : "built-in");
    char img[4200];
    snprintf(img, sizeof img, "%s/%s_weights.hex", dir, top);
    rc = rad_mkdirs(dir, err);
    if (rc == RAD_OK)
        rc = cg_gen_verilog(m, &o, dir, err);
    if (rc == RAD_OK)
        rc = cg_gen_image(m, &o, img, err);
    if (rc && o.prot != CG_PROT_NONE) {
        /* The generator does not offer it (e.g. no weights to protect):
        ** the configuration is skipped, with the reason. */
        snprintf(note, note_size, "generator: %s", err ? err->msg : "failed");
        rc = RAD_OK;
    }
    mdl_free(m);
    return rc;
}

/* ---- testbench ----------------------------------------------------------- */

/* Plain CSV of n_cells unsigned charges per line (for models whose cell
** count is not the LD module's, which data/dataset.h does not read). */
static int read_csv(const char *path, int n_cells, dat_set *set, rad_err *err)
{
    char *text;
    size_t len;
    int rc = rad_read_all(path, &text, &len, err);
    if (rc)
        return rc;
    size_t rows = 0;
    for (size_t i = 0; i < len; i++)
        rows += text[i] == '\n';
    rc = dat_alloc(set, rows + 1, n_cells, err);
    size_t n = 0;
    long line = 0;
    for (char *p = text; rc == RAD_OK && *p; ) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = '\0';
        line++;
        if (*p && (*p < '0' || *p > '9') && line == 1) {   /* header */
            p = eol ? eol + 1 : p + strlen(p);
            continue;
        }
        char *q = p;
        for (int c = 0; c < n_cells && rc == RAD_OK; c++) {
            char *end;
            unsigned long v = strtoul(q, &end, 10);
            if (end == q || (c + 1 < n_cells && *end != ',')
                || (c + 1 == n_cells && *end && *end != '\r'))
                rc = rad_errf(err, RAD_EPARSE, "%s:%ld: expected %d comma-separated "
                              "charges", path, line, n_cells);
            else
                set->q[n * (size_t)n_cells + (size_t)c] = (uint32_t)v;
            q = end + 1;
        }
        n += *p != '\0';
        p = eol ? eol + 1 : p + strlen(p);
    }
    free(text);
    if (rc == RAD_OK)
        set->n = n;
    else
        dat_free(set);
    return rc;
}

/* Writes n crossings (from the data file user, or the default data) as
** testbench vectors to path; *got gets how many.  All-or-nothing.
** RAD_OK or the reason. */
static int write_vectors(const mdl_model *m, const char *user, int n, const char *path,
                         int *got, rad_err *err)
{
    char data[4096];
    dat_set all, head, tail;
    int rc = user ? (snprintf(data, sizeof data, "%s", user), RAD_OK)
                  : dat_default_path(data, sizeof data, err);
    /* A user file for a model of another cell count is plain CSV. */
    if (rc == RAD_OK)
        rc = m->in.n_cells == GEO_N_CELLS ? dat_load(data, DAT_FMT_AUTO, NULL, &all, err)
                                          : read_csv(data, m->in.n_cells, &all, err);
    if (rc)
        return rc;
    if (user)
        tail = all;
    else
        dat_split(&all, DAT_TRAIN_FRACTION, &head, &tail);
    if (tail.n == 0) {
        dat_free(&all);
        return rad_errf(err, RAD_ESCHEMA, "%s: no crossings", data);
    }
    if (all.n_cells != m->in.n_cells) {
        dat_free(&all);
        return rad_errf(err, RAD_ESCHEMA, "%s: %d cells per crossing, model has %d",
                        data, all.n_cells, m->in.n_cells);
    }
    *got = (int)(tail.n < (size_t)n ? tail.n : (size_t)n);
    rad_file f;
    rc = rad_file_open(&f, path, err);
    int cb = m->in.charge_bits;
    int nbits = m->in.n_cells * cb, ndig = (nbits + 3) / 4;
    for (int v = 0; rc == RAD_OK && v < *got; v++) {
        const uint32_t *q = dat_row(&tail, (size_t)v);
        /* cell i at bits [cb*i +: cb]; hex digits MSB first */
        for (int d = ndig - 1; d >= 0; d--) {
            int nib = 0;
            for (int k = 3; k >= 0; k--) {
                int bit = 4 * d + k, cell = bit / cb;
                int val = bit < nbits ? (int)(q[cell] >> (bit % cb)) & 1 : 0;
                nib = nib << 1 | val;
            }
            fputc("0123456789abcdef"[nib], f.fp);
        }
        fputc('\n', f.fp);
    }
    if (rc == RAD_OK)
        rc = rad_file_commit(&f, err);
    dat_free(&all);
    return rc;
}

/* Copies the weight words of the generator's hex file (one 32-bit word a
** line, after '#' comment lines that $readmemh does not take) to dst;
** returns the number of words, -1 on error.  A line that is not 1-8 hex
** digits is an error: a testbench with undefined weights would simulate
** X and give a meaningless activity. */
static int clean_hex(const char *src, const char *dst, rad_err *err)
{
    char *text;
    size_t len;
    if (rad_read_all(src, &text, &len, err))
        return -1;
    rad_file f;
    if (rad_file_open(&f, dst, err)) {
        free(text);
        return -1;
    }
    int n = 0, line = 0, bad = 0;
    for (char *p = text, *e; p < text + len && !bad; p = e + 1) {
        e = memchr(p, '\n', (size_t)(text + len - p));
        if (!e)
            e = text + len;
        line++;
        size_t k = (size_t)(e - p);
        while (k && (p[k - 1] == '\r' || p[k - 1] == ' '))
            k--;
        if (k == 0 || p[0] == '#' || (k > 1 && p[0] == '/' && p[1] == '/'))
            continue;
        size_t h = strspn(p, "0123456789abcdefABCDEF");
        bad = h != k || k > 8;
        if (!bad) {
            fprintf(f.fp, "%.*s\n", (int)k, p);
            n++;
        }
    }
    free(text);
    if (bad) {
        rad_file_abort(&f);
        return rad_errf(err, RAD_EPARSE, "%s:%d: not a 32-bit hex word", src, line), -1;
    }
    return rad_file_commit(&f, err) ? -1 : n;
}

/* Writes the Verilog testbench at path that loads the n_words-word image
** img, plays the n_vec vectors of vec through the design top and dumps
** the VCD vcd.  All-or-nothing (rad_file).  RAD_OK or the reason. */
static int write_tb(const mdl_model *m, const char *top, int n_words, int n_vec,
                    const char *img, const char *vec, const char *vcd,
                    const char *path, rad_err *err)
{
    int aw = cg_cfg_addr_width(m);
    int nq = m->in.n_cells * m->in.charge_bits;
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    fprintf(f.fp,
"// Power testbench written by rad4ml synth: loads the weight image through\n"
"// the cfg bus, then dumps the design while one real crossing enters per clock.\n"
"`timescale 1ns/1ps\n"
"module tb;\n"
"    reg clk = 1'b0, rst = 1'b1, in_valid = 1'b0, cfg_we = 1'b0;\n"
"    reg [%d:0] in_q = 0;\n"
"    reg [%d:0] cfg_addr = 0;\n"
"    reg [31:0] cfg_wdata = 0;\n"
"    wire out_valid, out_cfg_chg;\n"
"    wire [31:0] cfg_rdata;\n"
"    // out_sum / out_latent are left open: only the activity is of interest\n"
"    %s dut (.clk(clk), .rst(rst), .rst_cfg(rst), .in_valid(in_valid), .in_q(in_q),\n"
"        .out_valid(out_valid), .out_cfg_chg(out_cfg_chg), .out_sum(),\n"
"        .out_latent(), .cfg_we(cfg_we), .cfg_addr(cfg_addr),\n"
"        .cfg_wdata(cfg_wdata), .cfg_rdata(cfg_rdata));\n"
"    reg [31:0] img [0:%d];\n"
"    reg [%d:0] vec [0:%d];\n"
"    integer i;\n"
"    always #12.5 clk = ~clk;\n"
"    initial begin\n"
"        $readmemh(\"%s\", img);\n"
"        $readmemh(\"%s\", vec);\n"
"        repeat (2) @(negedge clk);\n"
"        rst = 1'b0;\n"
"        for (i = 0; i < %d; i = i + 1) begin\n"
"            cfg_we = 1'b1; cfg_addr = %d + i; cfg_wdata = img[i];\n"
"            @(negedge clk);\n"
"        end\n"
"        cfg_we = 1'b0;\n"
"        repeat (4) @(negedge clk);\n"
"        $dumpfile(\"%s\");\n"
"        $dumpvars(0, dut);\n"
"        for (i = 0; i < %d; i = i + 1) begin\n"
"            in_valid = 1'b1; in_q = vec[i];\n"
"            @(negedge clk);\n"
"        end\n"
"        in_valid = 1'b0;\n"
"        repeat (4) @(negedge clk);\n"
"        $finish;\n"
"    end\n"
"endmodule\n",
            nq - 1, aw - 1, top, n_words - 1, nq - 1, n_vec - 1, img, vec, n_words,
            CG_CFG_WBASE, vcd, n_vec);
    return rad_file_commit(&f, err);
}

/* Runs argv with stdout to /dev/null (stderr stays the user's). */
static int run(char *const argv[], const char *what, rad_err *err)
{
    rad_proc_opts o = { .quiet = true };
    return rad_proc_check(argv, &o, what, err);
}

/* See syn_gen.h.  Generates a testbench for the RTL in rtl_dir, runs it in
** Icarus on n_vectors crossings and writes the VCD; *skip_cycles gets the
** cycles of the weight load (left out of the activity).  RAD_OK or the
** reason. */
int syn_gen_vcd(const char *model, const char *weights, const char *data,
                const char *rtl_dir, const char *top, int n_vectors, const char *vcd,
                long *skip_cycles, rad_err *err)
{
    mdl_model *m;
    int rc = load_model(model, weights, &m, err);
    if (rc)
        return rc;
    char hex[4200], img[4200], vec[4200], tb[4200], simv[4200];
    snprintf(hex, sizeof hex, "%s/%s_weights.hex", rtl_dir, top);
    snprintf(img, sizeof img, "%s.weights.hex", vcd);
    snprintf(vec, sizeof vec, "%s.vectors.hex", vcd);
    snprintf(tb, sizeof tb, "%s.tb.v", vcd);
    snprintf(simv, sizeof simv, "%s.vvp", vcd);
    int n_words = clean_hex(hex, img, err), got = 0;
    if (n_words <= 0)
        rc = n_words < 0 ? err->code : rad_errf(err, RAD_ESCHEMA, "%s: empty", hex);
    if (rc == RAD_OK)
        rc = write_vectors(m, data, n_vectors, vec, &got, err);
    if (rc == RAD_OK)
        rc = write_tb(m, top, n_words, got, img, vec, vcd, tb, err);
    char **files = NULL;
    int nf = 0;
    if (rc == RAD_OK)
        rc = syn_list_verilog(rtl_dir, &files, &nf, err);
    if (rc == RAD_OK) {
        char **argv = calloc((size_t)nf + 8, sizeof *argv);
        int k = 0;
        if (!argv) {
            syn_free_list(files, nf);
            mdl_free(m);
            return rad_errf(err, RAD_ENOMEM, "out of memory");
        }
        argv[k++] = "iverilog";
        argv[k++] = "-g2005";
        argv[k++] = "-o";
        argv[k++] = simv;
        argv[k++] = tb;
        for (int i = 0; i < nf; i++)
            argv[k++] = files[i];
        rc = run(argv, "iverilog (power testbench)", err);
        char *vv[] = { "vvp", "-n", simv, NULL };
        if (rc == RAD_OK)
            rc = run(vv, "vvp (power simulation)", err);
        free(argv);
    }
    syn_free_list(files, nf);
    mdl_free(m);
    *skip_cycles = 0;
    return rc;
}
