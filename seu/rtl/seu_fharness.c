/*
** seu_fharness.c — single upsets injected into the weight registers of a
** WHOLE Verilated rad4ml design while real crossings stream through it,
** one per clock.  Written by `rad4ml seu --rtl --full` next to the design
** (generated with the SEU test port) and compiled against seu_fshim.cpp;
** rad4ml reads the RESULT line and, without protection, the dump.
**
**   seu_fharness IMAGE.hex TRAFFIC prot n_addr n_copies stride all_copies W L DUMP
**
** TRAFFIC: "P NQ NL", then P lines of NQ in_q words, the golden out_sum and
** NL golden out_latent words (hex; the C reference engine's results).
** Crossing k of the stream (sampled by the input register at clock edge k)
** is pool entry k % P; its output is registered at edge k+L, so it reads
** the weight registers as they are after edges k .. k+L-1.
**
** prot 1 (TMR, SECDED): upset j is injected at edge e_j = T0 + j*W while
**   traffic runs; EVERY output must equal the golden one (crossings in
**   flight across the upset included), seu_count must have risen by exactly
**   one before the next upset, seu_derr must stay 0.
** prot 0 (none): the bit is flipped at e_j and flipped back at
**   u_j = e_j + W + L - 1, so the W crossings k = e_j .. e_j+W-1 run entirely
**   on the flipped image: their outputs are dumped ("j addr pool sum lat..")
**   for rad4ml to compare with the C model of the flipped image; outputs of
**   crossings that saw only the golden image must equal the golden ones;
**   crossings that saw both are counted, not compared.
** At the end every image word is read back over the cfg bus (must be
** golden: scrubbed / flipped back) and ERR_STATUS = {seu_derr, seu_count}.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "seu_fshim.h"

#define WBASE 16

typedef struct { long k; int pool; } fly;

typedef struct {
    int       prot, n_copies, all_copies;
    long      n_addr, stride, W, L, T0, period;
    int       n_words, P, NQ, NL;
    uint32_t *gold, *q, *sum, *lat;    /* image; pool: in_q, golden outputs */
    long     *inj_addr;
    int      *inj_copy;
    long      n_inj;
    fly      *fifo;
    long      head, tail, cap;
    FILE     *dump;
    seu_fd   *d;
    uint32_t *lbuf;
    long outputs, compared, mismatches, flipped, corrupted, mixed, counted;
    long latency_err, chg, readback_err, fail;
} run;

static int read_hex(FILE *fp, uint32_t *v)
{
    unsigned x;
    if (fscanf(fp, "%x", &x) != 1)
        return -1;
    *v = x;
    return 0;
}

static int read_inputs(run *r, const char *img, const char *traffic)
{
    FILE *fp = fopen(img, "r");
    if (!fp)
        return -1;
    int n = 0, bad = 0;
    unsigned x;
    while (fscanf(fp, "%x", &x) == 1)
        n++;
    rewind(fp);
    r->n_words = n;
    r->gold = calloc((size_t)n + 1, 4);
    for (int i = 0; r->gold && i < n; i++)
        bad |= read_hex(fp, &r->gold[i]);
    fclose(fp);
    if (!r->gold || bad || !(fp = fopen(traffic, "r")))
        return -1;
    if (fscanf(fp, "%d %d %d", &r->P, &r->NQ, &r->NL) != 3 || r->P < 1) {
        fclose(fp);
        return -1;
    }
    r->q = calloc((size_t)r->P * (size_t)r->NQ + 2, 4);
    r->sum = calloc((size_t)r->P, 4);
    r->lat = calloc((size_t)r->P * (size_t)r->NL + 2, 4);
    r->lbuf = calloc((size_t)r->NL + 2, 4);
    if (!r->q || !r->sum || !r->lat || !r->lbuf) {
        fclose(fp);
        return -1;
    }
    for (int p = 0; p < r->P && !bad; p++) {
        for (int i = 0; i < r->NQ; i++)
            bad |= read_hex(fp, &r->q[(size_t)p * r->NQ + i]);
        bad |= read_hex(fp, &r->sum[p]);
        for (int i = 0; i < r->NL; i++)
            bad |= read_hex(fp, &r->lat[(size_t)p * r->NL + i]);
    }
    fclose(fp);
    return bad ? -1 : 0;
}

static void report_fail(run *r, const char *what, long k)
{
    if (r->fail++ < 10)
        printf("FAIL %s (crossing %ld)\n", what, k);
}

/* Which upsets, in order: one stored address per stride window (the
** offset varying so that every bit position of a field is visited), all
** copies or a rotating one. */
static int plan(run *r)
{
    long n = (r->n_addr / r->stride + 1) * (r->all_copies ? 3 : 1);
    r->inj_addr = calloc((size_t)n, sizeof *r->inj_addr);
    r->inj_copy = calloc((size_t)n, sizeof *r->inj_copy);
    if (!r->inj_addr || !r->inj_copy)
        return -1;
    for (long j = 0; j * r->stride < r->n_addr; j++) {
        long k = j * r->stride + (j * 7919) % r->stride;
        if (k >= r->n_addr)
            continue;
        for (int c = 0; c < r->n_copies; c++) {
            if (!r->all_copies && c != (int)(j % r->n_copies))
                continue;
            r->inj_addr[r->n_inj] = k;
            r->inj_copy[r->n_inj++] = c;
        }
    }
    return 0;
}

static void idle(run *r, int rst, int n)
{
    for (int i = 0; i < n; i++) {
        ful_set(r->d, rst, 0, r->q, 0, 0, 0);
        ful_clock(r->d);
    }
}

static void load(run *r)
{
    ful_inject(r->d, 0, 0, 0);
    idle(r, 1, 2);
    for (int i = 0; i < r->n_words; i++) {
        ful_set(r->d, 0, 0, r->q, 1, (uint32_t)(WBASE + i), r->gold[i]);
        ful_clock(r->d);
    }
    idle(r, 0, (int)r->L + 2);
}

/* none: 0 golden, 1 flipped by upset *j, 2 mixed (both images seen). */
static int classify(const run *r, long k, long *jo)
{
    if (r->prot)
        return 0;
    long j0 = k < r->T0 ? 0 : (k - r->T0) / r->period;
    for (long j = j0 - 1; j <= j0 + 1; j++) {
        if (j < 0 || j >= r->n_inj)
            continue;
        long e = r->T0 + j * r->period, u = e + r->W + r->L - 1;
        if (k <= u - 1 && k + r->L - 1 >= e) {
            *jo = j;
            return k >= e && k + r->L - 1 <= u - 1 ? 1 : 2;
        }
    }
    return 0;
}

/* At cycle t: reads the design's outputs and, when a crossing came out,
** compares or dumps it for the current upset. */
static void observe(run *r, long t)
{
    int chg;
    uint32_t sum;
    if (!ful_out(r->d, &chg, &sum, r->lbuf, r->NL))
        return;
    r->outputs++;
    if (r->head == r->tail) {
        r->latency_err++;
        report_fail(r, "output without a crossing in flight", -1);
        return;
    }
    fly f = r->fifo[r->head++ % r->cap];
    if (t - f.k != r->L) {
        r->latency_err++;
        report_fail(r, t - f.k < r->L ? "latency (early)" : "latency (late)", f.k);
    }
    if (chg) {
        r->chg++;
        report_fail(r, "out_cfg_chg raised without a configuration write", f.k);
    }
    const uint32_t *gl = &r->lat[(size_t)f.pool * r->NL];
    int same = sum == r->sum[f.pool] && !memcmp(r->lbuf, gl, 4 * (size_t)r->NL);
    long j = -1;
    int cls = classify(r, f.k, &j);
    if (cls == 2) {
        r->mixed++;
        return;
    }
    if (cls == 1) {
        r->flipped++;
        r->corrupted += !same;
        fprintf(r->dump, "%ld %ld %d %x", j, r->inj_addr[j], f.pool, sum);
        for (int i = 0; i < r->NL; i++)
            fprintf(r->dump, " %x", r->lbuf[i]);
        fputc('\n', r->dump);
        return;
    }
    r->compared++;
    if (!same) {
        r->mismatches++;
        report_fail(r, r->prot ? "output differs from golden under a protected upset"
                               : "output differs from golden outside the upset window", f.k);
    }
}

/* protected: seu_count must have risen by exactly one since the last check */
static void check_count(run *r, uint32_t *last)
{
    uint32_t c = ful_count(r->d);
    if (c == *last + 1)
        r->counted++;
    else
        report_fail(r, "seu_count did not rise by exactly one", -1);
    *last = c;
}

static void stream(run *r)
{
    long end = r->T0 + r->n_inj * r->period + r->L;
    uint32_t last = ful_count(r->d);
    long j = 0;
    for (long t = 0; t < end + r->L + 2; t++) {
        int valid = t < end;
        int inj = 0;
        long addr = 0;
        int copy = 0;
        if (j < r->n_inj && t == r->T0 + j * r->period) {
            if (r->prot && j > 0)
                check_count(r, &last);
            inj = 1, addr = r->inj_addr[j], copy = r->inj_copy[j];
            if (r->prot)
                j++;
        } else if (!r->prot && j < r->n_inj
                   && t == r->T0 + j * r->period + r->W + r->L - 1) {
            inj = 1, addr = r->inj_addr[j], copy = r->inj_copy[j];   /* flip back */
            j++;
        }
        ful_set(r->d, 0, valid, &r->q[(size_t)(t % r->P) * r->NQ], 0, 0, 0);
        ful_inject(r->d, inj, copy, (uint32_t)addr);
        if (valid) {
            r->fifo[r->tail++ % r->cap] = (fly){ t, (int)(t % r->P) };
        }
        ful_clock(r->d);
        observe(r, t);
    }
    ful_inject(r->d, 0, 0, 0);
    if (r->prot && r->n_inj)
        check_count(r, &last);
}

static void final_checks(run *r)
{
    for (int i = 0; i < r->n_words; i++)
        if (ful_read(r->d, (uint32_t)(WBASE + i)) != r->gold[i]) {
            r->readback_err++;
            report_fail(r, "image word read back over the cfg bus differs", i);
        }
    uint32_t st = ful_read(r->d, 5);
    if (st != ((uint32_t)ful_derr(r->d) << 16 | ful_count(r->d)))
        report_fail(r, "ERR_STATUS differs from {seu_derr, seu_count}", -1);
    if (ful_derr(r->d))
        report_fail(r, "double-error flag raised", -1);
    if (r->head != r->tail)
        report_fail(r, "crossings never came out", -1);
}

/* Full-design SEU harness (Verilator): loads the image, runs the traffic,
** flips each stored bit in turn and dumps the outputs for seu_full_run to
** check.  Exit 0, or 2 on bad arguments / files. */
int main(int argc, char **argv)
{
    if (argc != 11) {
        fprintf(stderr, "usage: %s IMAGE.hex TRAFFIC prot n_addr n_copies stride "
                "all_copies W L DUMP\n", argv[0]);
        return 2;
    }
    run r;
    memset(&r, 0, sizeof r);
    r.prot = atoi(argv[3]);
    r.n_addr = atol(argv[4]);
    r.n_copies = atoi(argv[5]) == 3 ? 3 : 1;
    r.stride = atol(argv[6]) < 1 ? 1 : atol(argv[6]);
    r.all_copies = atoi(argv[7]) && r.n_copies == 3;
    r.W = atol(argv[8]) < 2 ? 2 : atol(argv[8]);
    r.L = atol(argv[9]) < 1 ? 1 : atol(argv[9]);
    r.T0 = r.L + 2;
    r.period = r.prot ? r.W : r.W + 2 * r.L;
    r.cap = r.L + 4;
    r.fifo = calloc((size_t)r.cap, sizeof *r.fifo);
    if (!r.fifo || read_inputs(&r, argv[1], argv[2]) || plan(&r)) {
        fprintf(stderr, "seu_fharness: cannot read %s / %s\n", argv[1], argv[2]);
        return 2;
    }
    if (r.prot && r.n_inj > 0xfff0) {
        fprintf(stderr, "seu_fharness: %ld upsets overflow the 16-bit seu_count; "
                "use a stride\n", r.n_inj);
        return 2;
    }
    if (!(r.dump = fopen(argv[10], "w"))) {
        fprintf(stderr, "seu_fharness: cannot write %s\n", argv[10]);
        return 2;
    }
    r.d = ful_new();
    clock_t t0 = clock();
    load(&r);
    stream(&r);
    final_checks(&r);
    long cycles = r.T0 + r.n_inj * r.period + 2 * r.L + 2;
    printf("RESULT injected=%ld outputs=%ld compared=%ld mismatches=%ld flipped=%ld "
           "corrupted=%ld mixed=%ld counted=%ld count=%u derr=%d latency_err=%ld "
           "chg=%ld readback_err=%ld fail=%ld cycles=%ld seconds=%.2f\n", r.n_inj,
           r.outputs, r.compared, r.mismatches, r.flipped, r.corrupted, r.mixed,
           r.counted, ful_count(r.d), ful_derr(r.d), r.latency_err, r.chg,
           r.readback_err, r.fail, cycles, (double)(clock() - t0) / CLOCKS_PER_SEC);
    fclose(r.dump);
    ful_free(r.d);
    return r.fail ? 1 : 0;
}
