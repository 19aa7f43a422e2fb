/*
** seu_sharness.c — single-event transients in the Verilated gate netlist
** (seu_sshim.h).  Written by `rad4ml seu --set` next to the netlist and
** compiled against seu_sshim.cpp; rad4ml reads the RESULT line and GOLD.
**
**   seu_sharness STIM SAMPLES W GOLD
**
** STIM: "NC NI NO NQ", then NC lines of ceil(NI/32) hex words: set_in for
** clock edge 0..NC-1 (reset, configuration over the cfg bus, traffic).
** SAMPLES: "NS", then NS lines "cycle gate".
** Fault-free run first (a fresh model): set_out sampled just before every
** edge and set_q just after it are kept; set_out goes to GOLD, one line of
** hex words per edge.  Then per sample, on a fresh model, edges 0..c-1 run
** as before; at edge c the gate's output is inverted from the settling
** before the edge through the edge (bit `gate` of set_m), then released.  Latched: set_q
** after edge c differs from the fault-free one; corrupted: set_out differs
** before any edge c..c+W-1; persistent: set_q still differs after edge
** c+W-1.  A line "S c gate latched corrupted persistent" per sample.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "seu_sshim.h"

typedef struct {
    long      nc, ni, no, nq;        /* cycles; words of set_in/out/q     */
    uint32_t *in, *gout, *gq;        /* [nc * ni/no/nq]                   */
    uint32_t *out, *q;               /* scratch                           */
} stim;

static long words(long bits) { return bits / 32 + 1; }

static int read_stim(stim *s, const char *path)
{
    FILE *fp = fopen(path, "r");
    long bi, bo, bq;
    if (!fp)
        return -1;
    if (fscanf(fp, "%ld %ld %ld %ld", &s->nc, &bi, &bo, &bq) != 4 || s->nc < 1) {
        fclose(fp);
        return -1;
    }
    s->ni = words(bi);
    s->no = words(bo);
    s->nq = words(bq);
    s->in = calloc((size_t)(s->nc * s->ni), 4);
    s->gout = calloc((size_t)(s->nc * s->no), 4);
    s->gq = calloc((size_t)(s->nc * s->nq), 4);
    s->out = calloc((size_t)s->no, 4);
    s->q = calloc((size_t)s->nq, 4);
    int bad = !s->in || !s->gout || !s->gq || !s->out || !s->q;
    for (long i = 0; !bad && i < s->nc * s->ni; i++) {
        unsigned x;
        bad = fscanf(fp, "%x", &x) != 1;
        s->in[i] = x;
    }
    fclose(fp);
    return bad ? -1 : 0;
}

/* One edge: drive, sample set_out before it, clock, release the pulse. */
static void step(seu_sd *d, const stim *s, long c, int en, uint32_t gate, uint32_t *out,
                 uint32_t *q)
{
    set_drive(d, s->in + c * s->ni, en, gate);
    set_out(d, out, (int)s->no);
    set_edge(d);
    set_pulse_off(d);
    set_state(d, q, (int)s->nq);
}

static int golden(stim *s, const char *path)
{
    seu_sd *d = set_new();
    FILE *fp = fopen(path, "w");
    if (!fp)
        return -1;
    for (long c = 0; c < s->nc; c++) {
        step(d, s, c, 0, 0, s->gout + c * s->no, s->gq + c * s->nq);
        for (long i = 0; i < s->no; i++)
            fprintf(fp, "%s%x", i ? " " : "", s->gout[c * s->no + i]);
        fputc('\n', fp);
    }
    set_free(d);
    return fclose(fp);
}

static int differs(const uint32_t *a, const uint32_t *b, long n)
{
    return memcmp(a, b, (size_t)n * 4) != 0;
}

/* One pulse: returns latched | corrupted << 1 | persistent << 2. */
static int sample(stim *s, long c, uint32_t gate, long W)
{
    seu_sd *d = set_new();
    for (long k = 0; k < c; k++)
        step(d, s, k, 0, 0, s->out, s->q);
    step(d, s, c, 1, gate, s->out, s->q);
    int latched = differs(s->q, s->gq + c * s->nq, s->nq);
    int corrupt = differs(s->out, s->gout + c * s->no, s->no);
    long end = c + W - 1 < s->nc - 1 ? c + W - 1 : s->nc - 1;
    for (long k = c + 1; k <= end; k++) {
        step(d, s, k, 0, 0, s->out, s->q);
        corrupt |= differs(s->out, s->gout + k * s->no, s->no);
    }
    int persist = differs(s->q, s->gq + end * s->nq, s->nq);
    set_free(d);
    return latched | corrupt << 1 | persist << 2;
}

int main(int argc, char **argv)
{
    stim s;
    memset(&s, 0, sizeof s);
    if (argc != 5) {
        fprintf(stderr, "usage: %s STIM SAMPLES W GOLD\n", argv[0]);
        return 2;
    }
    long W = atol(argv[3]), ns = 0, n[3] = { 0, 0, 0 };
    FILE *fp = NULL;
    if (W < 1 || read_stim(&s, argv[1]) || golden(&s, argv[4])
        || !(fp = fopen(argv[2], "r")) || fscanf(fp, "%ld", &ns) != 1) {
        fprintf(stderr, "seu_sharness: cannot read %s / %s or write %s\n", argv[1],
                argv[2], argv[4]);
        return 2;
    }
    clock_t t0 = clock();
    for (long i = 0; i < ns; i++) {
        long c;
        unsigned long g;
        if (fscanf(fp, "%ld %lu", &c, &g) != 2 || c < 0 || c >= s.nc) {
            fprintf(stderr, "seu_sharness: %s: bad sample %ld\n", argv[2], i + 1);
            return 2;
        }
        int r = sample(&s, c, (uint32_t)g, W);
        for (int b = 0; b < 3; b++)
            n[b] += r >> b & 1;
        printf("S %ld %lu %d %d %d\n", c, g, r & 1, r >> 1 & 1, r >> 2 & 1);
    }
    fclose(fp);
    printf("RESULT samples=%ld latched=%ld corrupted=%ld persistent=%ld seconds=%.3f\n", ns,
           n[0], n[1], n[2], (double)(clock() - t0) / CLOCKS_PER_SEC);
    free(s.in); free(s.gout); free(s.gq); free(s.out); free(s.q);
    return 0;
}
