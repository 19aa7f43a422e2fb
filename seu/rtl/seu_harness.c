/*
** seu_harness.c — single-upset injection campaign on a Verilated
** configuration register file (`<top>_cfg` built with RAD4ML_SEU_INJECT).
** Written by rad4ml seu --rtl next to the generated module and compiled
** against seu_shim.cpp; rad4ml reads the RESULT line it prints.
**
**   seu_harness IMAGE.hex prot n_img c0 c1 c2 cw data stride all_copies [MASK|- [I N]]
**   (I N: shard I of N, the stride windows j with j % N == I only)
**
** For every sampled stored bit (copy, address):
**   1. load the golden image over the cfg bus, as software would;
**   2. flip the bit (injection port) at one clock edge;
**   3. protected bit: the weight image read by the datapath (wimg) must be
**      bit-identical to the golden image right after the upset ("masked"),
**      seu_count must rise by exactly one at the next edge ("corrected"),
**      and a second upset of the same bit in another copy (TMR) or of
**      another bit of the same codeword (SECDED) must again be masked, and
**      the cfg bus readback must equal the golden word — which holds only
**      if the first upset was scrubbed ("restored");
**      unprotected bit: wimg must equal golden with exactly that bit flipped,
**      still after a further clock (no scrubbing, no drift); it is then
**      flipped back.
** Prints a RESULT line; exits 0 when every expectation held.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "seu_shim.h"

#define WBASE 16

typedef struct {
    int       prot;            /* 0 none 1 tmr 2 secded 3 sel */
    long      n_img, n_copy[3], cw, data, stride, shard_i, shard_n;
    int       all_copies;
    int       n_words;
    uint32_t *gold, *cur;
    char     *mask;            /* sel: '1' = protected image bit */
    seu_sh   *h;
    long injected, masked, corrected, restored, corrupted, exact, derr, fail;
} run;

static int read_image(run *r, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    for (int i = 0; i < r->n_words; i++) {
        unsigned v;
        if (fscanf(fp, "%x", &v) != 1) {
            fclose(fp);
            return -1;
        }
        r->gold[i] = v;
    }
    fclose(fp);
    return 0;
}

static int read_mask(run *r, const char *path)
{
    FILE *fp = fopen(path, "r");
    r->mask = calloc((size_t)r->n_img + 1, 1);
    if (!fp || !r->mask)
        return -1;
    size_t got = fread(r->mask, 1, (size_t)r->n_img, fp);
    fclose(fp);
    return got == (size_t)r->n_img ? 0 : -1;
}

static void clock_idle(run *r)
{
    sh_set(r->h, 0, 0, 0, 0);
    sh_inject(r->h, 0, 0, 0);
    sh_clock(r->h);
    sh_eval(r->h);
}

static void load(run *r)
{
    sh_inject(r->h, 0, 0, 0);
    sh_set(r->h, 1, 0, 0, 0);
    sh_clock(r->h);
    sh_clock(r->h);
    for (int i = 0; i < r->n_words; i++) {
        sh_set(r->h, 0, 1, (uint32_t)(WBASE + i), r->gold[i]);
        sh_clock(r->h);
    }
    clock_idle(r);
}

/* wimg == golden, with image bit `flip` inverted (flip < 0: none). */
static int image_is(run *r, long flip)
{
    sh_wimg(r->h, r->cur, r->n_words);
    if (flip >= 0)
        r->cur[flip / 32] ^= 1u << (flip % 32);
    return !memcmp(r->cur, r->gold, sizeof(uint32_t) * (size_t)r->n_words);
}

static int readback_ok(run *r, long img_bit)
{
    int w = img_bit < 0 ? 0 : (int)(img_bit / 32);
    sh_set(r->h, 0, 0, (uint32_t)(WBASE + w), 0);
    sh_eval(r->h);
    uint32_t v = sh_rdata(r->h);
    sh_set(r->h, 0, 0, 0, 0);
    sh_eval(r->h);
    return v == r->gold[w];
}

static void inject(run *r, int copy, long addr)
{
    sh_inject(r->h, 1, copy, (uint32_t)addr);
    sh_clock(r->h);
    sh_inject(r->h, 0, 0, 0);
    sh_eval(r->h);
}

/* Image bit a stored bit holds (-1: an ECC check / parity position). */
static long image_bit(const run *r, long addr)
{
    if (r->prot != 2)
        return addr;
    long w = addr / r->cw, p = addr % r->cw, i = 0;
    if (p == 0 || (p & (p - 1)) == 0)
        return -1;
    for (long q = 3; q < p; q++)
        if (q & (q - 1))
            i++;
    long k = w * r->data + i;
    return k < r->n_img ? k : -1;
}

static int is_protected(const run *r, long img_bit)
{
    return r->prot == 1 || r->prot == 2 || (r->prot == 3 && r->mask[img_bit] == '1');
}

static void report_fail(run *r, int copy, long addr, const char *what)
{
    if (r->fail++ < 10)
        printf("FAIL copy %d stored bit %ld: %s\n", copy, addr, what);
}

static void protected_case(run *r, int copy, long addr, long img)
{
    if (sh_count(r->h) > 0xff00)    /* seu_count saturates at 0xffff: reset */
        load(r);
    uint32_t c0 = sh_count(r->h);
    inject(r, copy, addr);
    int masked = image_is(r, -1);
    clock_idle(r);
    int corrected = sh_count(r->h) == c0 + 1;
    /* second hit: another copy of the same bit, or another bit of the word */
    int copy2 = r->prot == 2 ? 0 : (copy + 1) % 3;
    long addr2 = r->prot == 2 ? addr - addr % r->cw + (addr % r->cw + 1) % r->cw : addr;
    inject(r, copy2, addr2);
    int restored = image_is(r, -1);
    clock_idle(r);
    restored = restored && image_is(r, -1) && readback_ok(r, img)
               && sh_count(r->h) == c0 + 2;
    r->masked += masked;
    r->corrected += corrected;
    r->restored += restored;
    if (sh_derr(r->h)) {
        r->derr++;
        report_fail(r, copy, addr, "double-error flag raised");
        load(r);
    }
    if (!masked || !corrected || !restored)
        report_fail(r, copy, addr, !masked ? "upset reached wimg"
                    : !corrected ? "seu_count did not rise by one" : "not restored");
}

static void bare_case(run *r, int copy, long addr, long img)
{
    inject(r, copy, addr);
    int exact = image_is(r, img);
    r->corrupted += !image_is(r, -1);
    clock_idle(r);
    exact = exact && image_is(r, img);
    r->exact += exact;
    if (!exact)
        report_fail(r, copy, addr, "unprotected bit: wimg is not golden with that bit flipped");
    inject(r, copy, addr);                 /* flip it back */
    if (!image_is(r, -1)) {
        report_fail(r, copy, addr, "could not restore");
        load(r);
    }
}

static void one(run *r, int copy, long addr)
{
    long img = image_bit(r, addr);
    r->injected++;
    if (img < 0 || is_protected(r, img))
        protected_case(r, copy, addr, img);
    else
        bare_case(r, copy, addr, img);
}

/* Sampled addresses: one per stride window, the offset inside the window
** varying so that every bit position of a field is visited. */
static void campaign(run *r)
{
    for (long j = 0; j * r->stride < r->n_copy[0]; j++) {
        long k = j * r->stride + (j * 7919) % r->stride;
        if (k >= r->n_copy[0] || (r->shard_n > 0 && j % r->shard_n != r->shard_i))
            continue;
        if (r->prot == 1 || r->prot == 3) {
            if (r->prot == 3 && r->mask[k] != '1')
                one(r, 0, k);               /* unprotected: one copy only */
            else if (r->all_copies)
                for (int c = 0; c < 3; c++)
                    one(r, c, k);
            else
                one(r, (int)(j % 3), k);
        } else {
            one(r, 0, k);
        }
    }
}

/* Register-file SEU harness (Verilator): loads the image, flips each
** stored bit in turn (all copies with all_copies) and reports whether the
** read-back image is intact.  Exit 0, or 2 on bad arguments. */
int main(int argc, char **argv)
{
    if (argc < 11) {
        fprintf(stderr, "usage: %s IMAGE.hex prot n_img c0 c1 c2 cw data stride "
                "all_copies [MASK|- [I N]]\n", argv[0]);
        return 2;
    }
    run r;
    memset(&r, 0, sizeof r);
    r.prot = atoi(argv[2]);
    r.n_img = atol(argv[3]);
    for (int i = 0; i < 3; i++)
        r.n_copy[i] = atol(argv[4 + i]);
    r.cw = atol(argv[7]);
    r.data = atol(argv[8]);
    r.stride = atol(argv[9]) < 1 ? 1 : atol(argv[9]);
    r.all_copies = atoi(argv[10]);
    r.n_words = (int)((r.n_img + 31) / 32);
    r.gold = calloc((size_t)r.n_words, sizeof *r.gold);
    r.cur = calloc((size_t)r.n_words, sizeof *r.cur);
    if (!r.gold || !r.cur || read_image(&r, argv[1])) {
        fprintf(stderr, "seu_harness: cannot read image %s\n", argv[1]);
        return 2;
    }
    if (argc >= 14) {
        r.shard_i = atol(argv[12]);
        r.shard_n = atol(argv[13]);
    }
    if (r.prot == 3 && (argc < 12 || read_mask(&r, argv[11]))) {
        fprintf(stderr, "seu_harness: cannot read mask\n");
        return 2;
    }
    r.h = sh_new();
    clock_t t0 = clock();
    load(&r);
    int loaded = image_is(&r, -1) && sh_count(r.h) == 0 && !sh_derr(r.h);
    if (!loaded)
        report_fail(&r, 0, -1, "golden image did not load over the cfg bus");
    campaign(&r);
    sh_set(r.h, 0, 0, 5, 0);                 /* ERR_STATUS over the cfg bus */
    sh_eval(r.h);
    if (sh_rdata(r.h) != ((uint32_t)sh_derr(r.h) << 16 | sh_count(r.h)))
        report_fail(&r, 0, -1, "ERR_STATUS readback differs from seu_count/seu_derr");
    printf("RESULT injected=%ld masked=%ld corrected=%ld restored=%ld corrupted=%ld "
           "exact=%ld derr=%ld fail=%ld seconds=%.2f\n", r.injected, r.masked,
           r.corrected, r.restored, r.corrupted, r.exact, r.derr, r.fail,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    sh_free(r.h);
    free(r.gold);
    free(r.cur);
    free(r.mask);
    return r.fail ? 1 : 0;
}
