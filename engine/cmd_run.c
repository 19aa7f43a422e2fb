/*
** cmd_run.c — `rad4ml run`: the C reference engine on a file of inputs.
**
** Streams the input file row by row (constant memory; "-" = stdin) through
** the engine and writes the output CSV of eng_vec.h (sum code, each sent
** latent raw and real-valued, the sent word in hex, optionally the decoded
** charges) and, with --trace, one CSV per tensor.  The fast path runs
** unless a trace is asked for (then every row runs the generic path, which
** fills every intermediate tensor).  Outputs are all or nothing: a bad row
** (file:line:column in the message) leaves no output file behind (with
** --out -, the rows before it have already gone to stdout).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rad_file.h"
#include "engine/cmd_vec.h"
#include "model/model_io.h"
#include "tools/cmd.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: rad4ml run --in FILE [--out FILE] [options]\n"
        "Runs the C reference engine (bit-exact with the generated RTL) on every row\n"
        "of FILE and writes one output row per input row:\n"
        "  row,sum_code,lat0_raw..,lat0..,sent_word[,q0..]   (engine/eng_vec.h)\n\n"
        "  --in FILE           inputs, '-' = stdin: 48-charge CSV, ePortRX CSV (12\n"
        "                      words), n_cells charges for other models, or with\n"
        "                      --in-format tensor the input values as text\n"
        "  --out FILE          output CSV, '-' = stdout (default)\n"
        "  --decode            append the float decoder's charges q0..qN\n"
        "  --trace DIR         also write DIR/tNN_<tensor>.csv: the converter output\n"
        "                      and every layer's raw output, format in the header\n"
        "                      (generic path: slower)\n"
        CMD_VEC_HELP);
}

typedef struct {
    const char *in, *out, *trace;
    bool        decode;
} run_args;

/* The output's provenance block ("# " lines, which the readers skip): the
** model and weights, the input file (by hash; stdin unhashed), --decode.
** No date: the same inputs give the same bytes. */
static int write_prov(FILE *out, const mdl_model *m, const run_args *a, rad_err *err)
{
    rad_prov p;
    rad_prov_init(&p, "csv", "run");
    p.deterministic = true;
    mdl_prov_set(&p, m);
    int rc = RAD_OK;
    if (strcmp(a->in, "-"))
        rc = rad_prov_src_file(&p.data, a->in, err);
    else
        snprintf(p.data.name, sizeof p.data.name, "stdin");
    if (a->decode)
        rad_prov_opt(&p, "decode", "yes");
    if (!rc)
        rad_prov_text(out, &p, "# ");
    return rc;
}

/* Runs every row; counts them in *rows.  The outputs are committed by the
** caller. */
static int run_rows(const mdl_model *m, eng_src *src, FILE *out, eng_trace_out *to,
                    bool decode, size_t *rows, rad_err *err)
{
    eng_trace *tr = to ? eng_trace_new(m) : NULL;
    float *cells = decode ? malloc((size_t)m->in.n_cells * sizeof *cells) : NULL;
    int rc = (to && !tr) || (decode && !cells) ? -rad_errf(err, RAD_ENOMEM, "out of memory") : 1;
    eng_out o;
    eng_csv_header(out, m, decode);
    while (rc == 1 && (rc = eng_src_next(src, &o, tr, err)) == 1) {
        if (decode && eng_decode(m, &o, cells, err)) {
            rc = -err->code;
            break;
        }
        eng_csv_row(out, m, *rows, &o, cells);
        if (to)
            eng_trace_out_row(to, *rows, tr);
        ++*rows;
    }
    eng_trace_free(tr);
    free(cells);
    return rc < 0 ? -rc : RAD_OK;
}

static int run(const mdl_model *m, const run_args *a, const dat_frontend *fe,
               eng_in_kind kind, size_t *rows, bool *fast, rad_err *err)
{
    eng_src *src = NULL;
    eng_trace_out *to = NULL;
    rad_file f = { 0 };
    bool to_stdout = !strcmp(a->out, "-");
    int rc = eng_src_open(m, a->in, kind, fe, &src, err);
    if (!rc && a->decode && m->n_dec == 0)
        rc = rad_errf(err, RAD_ESCHEMA, "--decode: model '%s' has no decoder", m->name);
    if (!rc && a->trace)
        rc = eng_trace_out_open(m, a->trace, &to, err);
    if (!rc && !to_stdout)
        rc = rad_file_open(&f, a->out, err);
    if (!rc) {
        FILE *out = to_stdout ? stdout : f.fp;
        setvbuf(out, NULL, _IOFBF, 1 << 20);
        rc = write_prov(out, m, a, err);
        if (!rc)
            rc = run_rows(m, src, out, to, a->decode, rows, err);
        *fast = !to && eng_src_fast(src);
    }
    if (!rc && to) {
        rc = eng_trace_out_commit(to, err);
        to = NULL;
    }
    if (!to_stdout && f.fp) {
        if (rc)
            rad_file_abort(&f);
        else
            rc = rad_file_commit(&f, err);
    }
    if (to_stdout && fflush(stdout))
        rc = rc ? rc : rad_errf(err, RAD_EIO, "<stdout>: write error");
    eng_trace_out_abort(to);
    eng_src_close(src);
    return rc;
}

/* `rad4ml run`: parses the options (shared model/input ones in cmd_vec.c),
** loads the model and front end, runs every row and prints one summary line
** (rows, time, rows/s, path) on stderr.  Exit 0, 1 on any error (nothing
** written), 2 on a usage error. */
int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        CMD_VEC_OPTIONS,
        { "in", required_argument, 0, 'i' }, { "out", required_argument, 0, 'o' },
        { "trace", required_argument, 0, 't' }, { "decode", no_argument, 0, 'd' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    cmd_vec_opts vo;
    cmd_vec_init(&vo);
    run_args a = { .out = "-" };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int t = cmd_vec_opt(&vo, c, optarg, "run");
        if (t < 0)
            return 2;
        if (t)
            continue;
        switch (c) {
        case 'i': a.in = optarg; break;
        case 'o': a.out = optarg; break;
        case 't': a.trace = optarg; break;
        case 'd': a.decode = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || !a.in) {
        fprintf(stderr, optind < argc ? "rad4ml run: unexpected argument '%s'\n" :
                "rad4ml run: --in FILE is required%s\n", optind < argc ? argv[optind] : "");
        return 2;
    }
    rad_err err = { 0 };
    mdl_model *m = NULL;
    dat_frontend fe;
    size_t rows = 0;
    bool fast = false;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = cmd_vec_frontend(&vo, &fe, &err);
    if (!rc)
        rc = cmd_vec_model(&vo, &m, &err);
    if (!rc)
        rc = run(m, &a, &fe, vo.in_kind, &rows, &fast, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (rc)
        fprintf(stderr, "rad4ml run: %s\n", err.msg);
    else
        fprintf(stderr, "run: %zu rows in %.3f s (%.0f rows/s, %s path) -> %s%s%s\n", rows, s,
                s > 0 ? (double)rows / s : 0.0,
                fast ? "fast" : "generic",
                strcmp(a.out, "-") ? a.out : "<stdout>", a.trace ? ", trace in " : "",
                a.trace ? a.trace : "");
    mdl_free(m);
    return rc ? 1 : 0;
}
