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
**
**   seu_fharness --all-flops IMAGE TRAFFIC FLOPS L upsets seed mbu expect shard_i shard_n
**
** Every flip-flop (a model Verilated with --vpi --public-flat-rw, shim with
** -DSEU_VPI): FLOPS lists "path width class" for every register of the
** design (rad4ml reads them from the generated RTL); the targets are every
** (register, bit) -- with mbu, every adjacent pair (bit, bit+1) inside one
** 32-bit word of a register -- all of them (upsets 0) or `upsets` drawn
** without replacement, then those with index % shard_n == shard_i.  Traffic
** has a gap (in_valid low) on one cycle in eight.  Per upset: 1-4 cycles of
** traffic, then the bit(s) inverted in place between two edges, then L+3
** outputs compared with the golden ones cycle by cycle (out_valid, sum,
** latents, out_cfg_chg), then the state read back (N_LINKS, WR_COUNT, the
** image word(s) of a weight bit, ERR_STATUS).  Classes: masked (no output
** wrong, state intact), transient (k outputs wrong, the last one right,
** state intact) and persistent (the last output of the window still wrong,
** or the state wrong: until reconfiguration).  Before EVERY upset the
** design is put back in a clean state: every flip-flop of FLOPS restored
** (VPI) to a snapshot taken after the load, then L+2 clocks of the
** traffic of that upset's own cycles (t = T + g*step for upset g of the
** campaign) refill the pipeline; the configuration registers must then
** equal the snapshot (else a reset and reload, counted as `reloads`).  No
** upset's effects reach the next trial, and a trial depends on g alone,
** so the shards' tallies add up to the unsharded ones exactly.
** counted: seu_count rose by exactly one; with
** `expect` (full TMR) every upset must be masked and counted.  Prints one
** "CLASS name injected masked transient persistent latent kmax ksum
** counted" line per register class and a RESULT line.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "seu_fshim.h"
#include "rad_hash.h"              /* common/rad_hash.h, written beside */

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

/* ---- every flip-flop (--all-flops) --------------------------------------- */

#define N_CLS 7

typedef struct { char *path; int width, cls; void *h; uint32_t *snap; } flop;
typedef struct { long f, g; int bit; } target;   /* g: index in the campaign */

typedef struct {
    flop     *f;
    long      nf, nt, window, t, t0, t_base, step, cycles;
    uint32_t *scratch;                 /* one register's words */
    target   *tg;
    int       mbu, expect;
    uint64_t  seed;
    uint32_t  links0, wr0;
    long inj[N_CLS], masked[N_CLS], trans[N_CLS], pers[N_CLS], latent[N_CLS];
    long kmax[N_CLS], ksum[N_CLS], counted[N_CLS], reloads;
} aflops;

static uint64_t mix(uint64_t x)          /* one splitmix64 step from state x */
{
    return rad_splitmix64(&x);
}

static int read_flops(aflops *a, const char *path, const char *top)
{
    FILE *fp = fopen(path, "r");
    char p[512], name[700];
    int w, c;
    if (!fp || fscanf(fp, "%ld", &a->nf) != 1 || a->nf < 1
        || !(a->f = calloc((size_t)a->nf, sizeof *a->f))) {
        if (fp)
            fclose(fp);
        return -1;
    }
    for (long i = 0; i < a->nf; i++) {
        if (fscanf(fp, "%511s %d %d", p, &w, &c) != 3 || w < 1 || c < 0 || c >= N_CLS)
            break;
        snprintf(name, sizeof name, "TOP.%s.%s", top, p);
        char *copy = malloc(strlen(p) + 1);
        if (!copy)
            break;
        memcpy(copy, p, strlen(p) + 1);
        a->f[i] = (flop){ copy, w, c, vflop_open(name), calloc((size_t)(w + 31) / 32, 4) };
        if (!a->f[i].h || !a->f[i].snap || vflop_width(a->f[i].h) != w) {
            fprintf(stderr, "seu_fharness: no register %s of %d bits in the model\n", name, w);
            fclose(fp);
            return -1;
        }
    }
    fclose(fp);
    int wmax = 0;
    for (long i = 0; i < a->nf && a->f[i].path; i++)
        wmax = a->f[i].width > wmax ? a->f[i].width : wmax;
    a->scratch = calloc((size_t)(wmax + 31) / 32 + 1, 4);
    return a->f[a->nf - 1].path && a->scratch ? 0 : -1;
}

/* Every (register, bit) or adjacent pair; `upsets` of them drawn without
** replacement (partial Fisher-Yates); then this shard's. */
static int targets(aflops *a, long upsets, long si, long sn)
{
    long n = 0, k = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (long i = 0; i < a->nf; i++)
            for (int b = 0; b < a->f[i].width; b++) {
                if (a->mbu && (b + 1 >= a->f[i].width || b % 32 == 31))
                    continue;
                if (pass) {
                    a->tg[k] = (target){ i, k, b };
                    k++;
                }
                else
                    n++;
            }
        if (!pass && !(a->tg = calloc((size_t)n + 1, sizeof *a->tg)))
            return -1;
    }
    if (upsets > 0 && upsets < n) {
        for (long i = 0; i < upsets; i++) {
            long j = i + (long)(mix(a->seed ^ (uint64_t)i ^ 0x7a11ull) % (uint64_t)(n - i));
            target t = a->tg[i];
            a->tg[i] = a->tg[j];
            a->tg[j] = t;
        }
        n = upsets;
    }
    a->nt = 0;
    for (long i = 0; i < n; i++)
        if (i % sn == si) {
            a->tg[a->nt] = a->tg[i];
            a->tg[a->nt++].g = i;
        }
    return 0;
}

static int valid_at(const aflops *a, long t)
{
    return t >= a->t0 && (mix(a->seed ^ (uint64_t)t) & 7) != 0;
}

/* One clock of traffic: the outputs as the next stage samples them at
** edge t (the output registers as they are after edge t-1 and any upset
** since: crossing t-1-L), then crossing t in and edge t.  1 when those
** outputs differ from the golden stream (check), else 0. */
static int tick(run *r, aflops *a, int check)
{
    long t = a->t++, k = t - 1 - r->L;
    a->cycles++;
    int chg;
    uint32_t sum;
    int ov = ful_out(r->d, &chg, &sum, r->lbuf, r->NL), ev = valid_at(a, k);
    ful_set(r->d, 0, valid_at(a, t), &r->q[(size_t)(t % r->P) * r->NQ], 0, 0, 0);
    ful_clock(r->d);
    if (!check)
        return 0;
    r->outputs += ov || ev;
    if (ov != ev)
        return 1;
    if (!ev)
        return 0;
    const uint32_t *gl = &r->lat[(size_t)(k % r->P) * r->NL];
    r->compared++;
    return chg || sum != r->sum[k % r->P] || memcmp(r->lbuf, gl, 4 * (size_t)r->NL);
}

static void baseline(run *r, aflops *a)
{
    a->links0 = ful_read(r->d, 3);
    a->wr0 = ful_read(r->d, 4);
}

/* The state an upset may leave wrong: 0 intact, else 1. */
static int state_bad(run *r, const aflops *a, const target *tg, uint32_t st0)
{
    const flop *f = &a->f[tg->f];
    int bad = ful_read(r->d, 3) != a->links0 || ful_read(r->d, 4) != a->wr0;
    uint32_t st = ful_read(r->d, 5), d = (st & 0xffff) - (st0 & 0xffff);
    bad |= (st >> 16 & 1) || (d != 0 && d != 1);
    for (int i = 0; f->cls == 0 && i <= a->mbu; i++) {
        long w = (tg->bit + i) / 32;
        bad |= w < r->n_words && ful_read(r->d, (uint32_t)(WBASE + w)) != r->gold[w];
    }
    return bad;
}

static void flip(run *r, const aflops *a, const target *tg)
{
    for (int i = 0; i <= a->mbu; i++)
        vflop_flip(a->f[tg->f].h, tg->bit + i);
    ful_eval(r->d);
}

/* Every flip-flop of the design as it is now: the golden state (after
** the load, traffic flowing, no upset) that clean() restores. */
static void snapshot(aflops *a)
{
    for (long i = 0; i < a->nf; i++)
        vflop_get(a->f[i].h, a->f[i].snap);
}

/* 1 when a configuration flip-flop (weights, config: they only change on a
** cfg write) differs from the snapshot. */
static int cfg_differs(const aflops *a)
{
    for (long i = 0; i < a->nf; i++) {
        const flop *f = &a->f[i];
        if (f->cls > 1)
            continue;
        vflop_get(f->h, a->scratch);
        if (memcmp(a->scratch, f->snap, 4 * (size_t)((f->width + 31) / 32)))
            return 1;
    }
    return 0;
}

static void restore(run *r, aflops *a, long g)
{
    for (long i = 0; i < a->nf; i++)
        vflop_put(a->f[i].h, a->f[i].snap);
    ful_eval(r->d);
    a->t = a->t_base + g * a->step;
    for (long i = 0; i < r->L + 2; i++)
        tick(r, a, 0);
}

/* The clean state before upset g: EVERY flip-flop back to the snapshot (so
** that no upset's effects leak into the next trial, and a trial depends on
** g alone, whatever the shard), the pipeline refilled with the traffic of
** g's cycles.  Should the configuration still differ, a reset and reload
** (counted), else a failure. */
static void clean(run *r, aflops *a, long g)
{
    restore(r, a, g);
    if (!cfg_differs(a))
        return;
    a->reloads++;
    load(r);
    restore(r, a, g);
    if (cfg_differs(a))
        report_fail(r, "configuration differs from the golden state after a restore", g);
}

static void one_upset(run *r, aflops *a, long j)
{
    const target *tg = &a->tg[j];
    int c = a->f[tg->f].cls, pre = 1 + (int)(mix(a->seed ^ 0x5eedull ^ (uint64_t)tg->g) % 4);
    clean(r, a, tg->g);
    for (int i = 0; i < pre; i++)
        if (tick(r, a, 1)) {
            r->mismatches++;
            report_fail(r, "output wrong before the upset (clean state not restored)", tg->g);
        }
    uint32_t st0 = ful_read(r->d, 5);
    flip(r, a, tg);
    long k = 0;
    int last = 0;
    for (long w = 0; w < a->window; w++)
        k += last = tick(r, a, 1);
    int sbad = state_bad(r, a, tg, st0), pers = last || sbad;
    uint32_t d = (ful_read(r->d, 5) & 0xffff) - (st0 & 0xffff);
    a->inj[c]++;
    a->masked[c] += !pers && k == 0;
    a->trans[c] += !pers && k > 0;
    a->pers[c] += pers;
    a->latent[c] += pers && k == 0;
    a->ksum[c] += k;
    a->kmax[c] = k > a->kmax[c] ? k : a->kmax[c];
    a->counted[c] += d == 1;
    if (a->expect && (pers || k || d != 1)) {
        r->mismatches += k;
        char what[600];
        snprintf(what, sizeof what, "full TMR: upset in %s bit %d: %ld outputs wrong, %s, "
                 "seu_count +%u", a->f[tg->f].path, tg->bit, k,
                 pers ? "persistent" : "recovered", d);
        report_fail(r, what, tg->g);
    }
}

/* --all-flops mode (usage at the top of the file): reads the inputs and the
** flip-flop map, loads the image, runs every target upset, prints the CLASS
** and RESULT lines.  Exit 0, 1 when an expectation failed, 2 on bad
** arguments / files. */
static int aflops_main(int argc, char **argv)
{
    static const char *const cls[N_CLS] = { "weights", "config", "status", "input",
                                             "control", "pipeline", "output" };
    run r;
    aflops a;
    memset(&r, 0, sizeof r);
    memset(&a, 0, sizeof a);
    if (argc != 13 || !vflop_open) {
        fprintf(stderr, "usage: %s --all-flops IMAGE TRAFFIC FLOPS L upsets seed mbu expect "
                "shard_i shard_n top (a VPI build)\n", argv[0]);
        return 2;
    }
    r.L = atol(argv[5]) < 1 ? 1 : atol(argv[5]);
    a.seed = strtoull(argv[7], NULL, 10);
    a.mbu = atoi(argv[8]) != 0;
    a.expect = atoi(argv[9]) != 0;
    a.window = r.L + 3;
    long sn = atol(argv[11]) < 1 ? 1 : atol(argv[11]), si = atol(argv[10]);
    r.d = ful_new();
    if (read_inputs(&r, argv[2], argv[3]) || read_flops(&a, argv[4], argv[12])
        || targets(&a, atol(argv[6]), si, sn)) {
        fprintf(stderr, "seu_fharness: cannot read %s / %s / %s\n", argv[2], argv[3], argv[4]);
        return 2;
    }
    clock_t t0 = clock();
    load(&r);
    baseline(&r, &a);
    a.t0 = a.t = 0;
    for (long i = 0; i < r.L + 2; i++)
        tick(&r, &a, 0);
    snapshot(&a);
    a.t_base = a.t;
    a.step = 2 * r.L + 12;              /* > flush + pre + window: fresh traffic */
    a.cycles = 0;
    for (long j = 0; j < a.nt; j++)
        one_upset(&r, &a, j);
    long cycles = a.cycles;
    clean(&r, &a, a.nt);                /* for the final read-back checks */
    final_checks(&r);
    long bits = 0, n = 0, m = 0, tr = 0, p = 0, cn = 0;
    for (long i = 0; i < a.nf; i++)
        bits += a.f[i].width;
    for (int c = 0; c < N_CLS; c++) {
        printf("CLASS %s %ld %ld %ld %ld %ld %ld %ld %ld\n", cls[c], a.inj[c], a.masked[c],
               a.trans[c], a.pers[c], a.latent[c], a.kmax[c], a.ksum[c], a.counted[c]);
        n += a.inj[c], m += a.masked[c], tr += a.trans[c], p += a.pers[c], cn += a.counted[c];
    }
    printf("RESULT injected=%ld masked=%ld transient=%ld persistent=%ld counted=%ld "
           "outputs=%ld compared=%ld reloads=%ld flops=%ld flop_bits=%ld fail=%ld cycles=%ld "
           "seconds=%.2f\n", n, m, tr, p, cn, r.outputs, r.compared, a.reloads, a.nf, bits,
           r.fail, cycles, (double)(clock() - t0) / CLOCKS_PER_SEC);
    ful_free(r.d);
    return r.fail ? 1 : 0;
}

/* Full-design SEU harness (Verilator): loads the image, runs the traffic,
** flips each stored bit in turn and dumps the outputs for seu_full_run to
** check.  Exit 0, or 2 on bad arguments / files. */
int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--all-flops"))
        return aflops_main(argc, argv);
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
