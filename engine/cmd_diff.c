/*
** cmd_diff.c — `rad4ml diff`: another implementation's outputs against the
** reference.
**
** The outputs under test (--got) are a `rad4ml run` CSV or a hex dump (the
** generated testbench's +dump file; eng_vec.h gives both formats).  The
** reference is computed from the inputs (--in, through the engine as `run`
** does) or read from a file (--ref: a run CSV or the testbench's expected
** file).  Rows are matched in order.  Prints the counts and the first
** differing crossing with its field; with --trace DIR (a directory of
** per-tensor CSVs written by the other implementation in `run --trace`'s
** format) re-runs the first differing row with every intermediate tensor and
** names the first tensor whose values differ: the layer that explains the
** output difference.
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cmd_vec.h"
#include "tools/cli.h"
#include "tools/cmd.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: rad4ml diff --got FILE (--in INPUTS | --ref FILE) [options]\n"
        "Compares the outputs of a simulation (a `rad4ml run` CSV or the hex dump of\n"
        "the testbench, +dump=FILE) with the C reference, row by row.\n\n"
        "  --got FILE          outputs under test ('-' = stdin)\n"
        "  --in FILE           the inputs: the reference is computed as `run` does\n"
        "  --ref FILE          or the reference outputs (run CSV or <top>_expected.hex)\n"
        "  --trace DIR         the other implementation's per-tensor CSVs (the format\n"
        "                      of `run --trace`): name the first tensor that differs\n"
        "                      on the first differing row (needs --in)\n"
        "  --show N            print the first N differing rows (default 1)\n"
        CMD_VEC_HELP
        "Exit status: 0 identical, 1 a difference or an error, 2 usage.\n");
}

typedef struct {
    size_t compared, mismatches;
    long   first;                 /* row of the first mismatch, -1 none */
} diff_counts;

static void field_name(int f, char *buf, size_t len)
{
    if (f == 0)
        snprintf(buf, len, "sum_code");
    else
        snprintf(buf, len, "latent[%d]", f - 1);
}

static void report(const mdl_model *m, size_t row, const eng_rec *ref, const eng_rec *got)
{
    int f = eng_rec_cmp(m, ref, got);
    char name[32];
    field_name(f, name, sizeof name);
    long e = f == 0 ? (long)ref->sum_code : ref->sent[f - 1];
    long g = f == 0 ? (long)got->sum_code : got->sent[f - 1];
    printf("diff: row %zu", row);
    if (got->cycle >= 0)
        printf(" (cycle %ld)", got->cycle);
    printf(": field %s expected %ld got %ld\n", name, e, g);
}

/* Compares the rows; the reference from src (inputs) or rr (a file). */
static int compare(const mdl_model *m, eng_src *src, eng_rec_reader *rr, eng_rec_reader *gr,
                   long show, diff_counts *k, rad_err *err)
{
    eng_rec ref, got;
    eng_out o;
    for (size_t row = 0;; row++) {
        int a = src ? eng_src_next(src, &o, NULL, err) : eng_rec_next(rr, &ref, err);
        if (a < 0)
            return -a;
        int b = eng_rec_next(gr, &got, err);
        if (b < 0)
            return -b;
        if (!a || !b) {
            if (a != b) {
                printf("diff: the reference has %s rows than the outputs under test (%zu "
                       "compared)\n", a ? "more" : "fewer", row);
                k->mismatches++;
                if (k->first < 0)
                    k->first = (long)row;
            }
            return RAD_OK;
        }
        if (src)
            eng_rec_from_out(m, (long)row, &o, &ref);
        k->compared++;
        if (eng_rec_cmp(m, &ref, &got) < 0)
            continue;
        if ((long)k->mismatches < show)
            report(m, row, &ref, &got);
        k->mismatches++;
        if (k->first < 0)
            k->first = (long)row;
    }
}

/* Re-runs row `row` with a trace and compares each tensor with dir's. */
static int explain(const mdl_model *m, const char *in, eng_in_kind kind, const dat_frontend *fe,
                   const char *dir, long row, rad_err *err)
{
    eng_src *src;
    eng_trace *tr = eng_trace_new(m);
    int64_t *v = NULL;
    int rc = tr ? eng_src_open(m, in, kind, fe, &src, err) : rad_errf(err, RAD_ENOMEM, "oom");
    if (rc) {
        eng_trace_free(tr);
        return rc;
    }
    eng_out o;
    for (long r = 0; r <= row && !rc; r++) {
        int got = eng_src_next(src, &o, tr, err);
        if (got != 1)
            rc = got < 0 ? -got : rad_errf(err, RAD_EPARSE, "%s: row %ld gone", in, row);
    }
    eng_src_close(src);
    size_t max = 0;
    for (int k = 0; k < tr->n_tensors; k++)
        max = (size_t)tr->size[k] > max ? (size_t)tr->size[k] : max;
    if (!rc && !(v = malloc(max * sizeof *v)))
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    for (int k = 0; !rc && k < tr->n_tensors; k++) {
        char path[4096];
        eng_trace_path(m, dir, k, path, sizeof path);
        int got = eng_trace_read_row(m, dir, k, (size_t)row, v, err);
        if (got < 0) {
            rc = -got;
            break;
        }
        if (!got) {
            printf("diff: trace: %s has no row %ld\n", path, row);
            continue;
        }
        int n_bad = 0, first = -1;
        for (int i = 0; i < tr->size[k]; i++)
            if (v[i] != tr->t[k][i] && n_bad++ == 0)
                first = i;
        if (!n_bad)
            continue;
        printf("diff: first differing tensor on row %ld: %s (%s%s%s): %d of %d values differ, "
               "first v%d expected %lld got %lld\n", row, path,
               k ? "output of layer '" : "converter output", k ? m->layers[k - 1].name : "",
               k ? "'" : "", n_bad, tr->size[k], first, (long long)tr->t[k][first],
               (long long)v[first]);
        free(v);
        eng_trace_free(tr);
        return RAD_OK;
    }
    if (!rc)
        printf("diff: every traced tensor of row %ld agrees: the difference is made after "
               "the last layer (latent formatter, sum code, output bus)\n", row);
    free(v);
    eng_trace_free(tr);
    return rc;
}

/* `rad4ml diff`: parses the options, opens the reference (inputs through
** the engine, or a file) and the outputs under test, compares them row by
** row, prints the summary line and, with --trace, the explaining tensor.
** Exit 0 identical, 1 a difference or an error, 2 usage. */
int cmd_diff(int argc, char **argv)
{
    static const struct option opts[] = {
        CMD_VEC_OPTIONS,
        { "got", required_argument, 0, 'g' }, { "in", required_argument, 0, 'i' },
        { "ref", required_argument, 0, 'r' }, { "trace", required_argument, 0, 't' },
        { "show", required_argument, 0, 's' }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    cmd_vec_opts vo;
    cmd_vec_init(&vo);
    const char *got = NULL, *in = NULL, *ref = NULL, *trace = NULL;
    long show = 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int t = cmd_vec_opt(&vo, c, optarg, "diff");
        rad_err err = { 0 };
        if (t < 0)
            return 2;
        if (t)
            continue;
        switch (c) {
        case 'g': got = optarg; break;
        case 'i': in = optarg; break;
        case 'r': ref = optarg; break;
        case 't': trace = optarg; break;
        case 's':
            if (rad_cli_long("--show", optarg, 0, LONG_MAX, &show, &err))
                return cli_usage_error("diff", &err);
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || !got || !in == !ref || (trace && !in)) {
        fprintf(stderr, "rad4ml diff: give --got and exactly one of --in / --ref "
                "(--trace needs --in); see --help\n");
        return 2;
    }
    rad_err err = { 0 };
    mdl_model *m = NULL;
    dat_frontend fe;
    eng_src *src = NULL;
    eng_rec_reader *rr = NULL, *gr = NULL;
    diff_counts k = { 0, 0, -1 };
    int rc = cmd_vec_frontend(&vo, &fe, &err);
    if (!rc)
        rc = cmd_vec_model(&vo, &m, &err);
    if (!rc)
        rc = in ? eng_src_open(m, in, vo.in_kind, &fe, &src, &err) :
                  eng_rec_open(m, ref, &rr, &err);
    if (!rc)
        rc = eng_rec_open(m, got, &gr, &err);
    if (!rc)
        rc = compare(m, src, rr, gr, show, &k, &err);
    if (!rc)
        printf("diff: compared=%zu mismatches=%zu first_mismatch_row=%ld\n", k.compared,
               k.mismatches, k.first);
    if (!rc && k.first >= 0 && trace)
        rc = explain(m, in, vo.in_kind, &fe, trace, k.first, &err);
    if (rc)
        fprintf(stderr, "rad4ml diff: %s\n", err.msg);
    eng_src_close(src);
    eng_rec_close(rr);
    eng_rec_close(gr);
    mdl_free(m);
    return rc || k.mismatches ? 1 : 0;
}
