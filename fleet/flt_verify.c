/*
** flt_verify.c — `rad4ml fleet verify`: every module's image through the
** configuration port of the fleet's ONE design (OUT/rtl, never regenerated),
** in Verilator, while crossings stream.
**
** For module k (in the order of images/index.csv):
**   1. its image file is read, its checksum checked against the index, and
**      it is decoded (mdl_i2c_unpack of the cfg words) onto the module's
**      description; the decoded weights must hash to the index's model hash
**      and re-encode to the same words — so the words that go into the RTL
**      are exactly the image file's;
**   2. `rad4ml sim --rtl OUT/rtl --only verilator` (sim/'s harness and
**      stimulus, unchanged) runs with weight set A = module k-1's image (the
**      last module's for k = 0: a ring, so the result of module k does not
**      depend on the shard that runs it), written through the port after
**      reset (at the design's reset n_links, module 0's), and set B = module
**      k's image plus its link count written
**      mid-stream without reset while the module's hold-out crossings (then
**      random ones) stream; every crossing's outputs are compared with the C
**      engine of the weights it ran under and the registers read back.
** The Verilated model is built once per work folder (cached by RTL hash).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codegen/cg.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "fleet/flt_cli.h"
#include "model/model_io.h"

/* The image file's cfg words (one 8-digit hex word per line, "//" lines
** are comments: cg_gen_image's format). */
static int read_words(const char *path, uint32_t **w, int *n, rad_err *err)
{
    char *buf;
    size_t len;
    int rc = rad_read_all(path, &buf, &len, err);
    if (rc)
        return rc;
    *n = 0;
    *w = malloc((len / 9 + 1) * sizeof **w);
    int ln = 1;
    for (char *p = buf; !rc && *w && *p; ln++) {
        if (p[0] == '/' && p[1] == '/') {
            char *nl = strchr(p, '\n');
            p = nl ? nl + 1 : p + strlen(p);
            continue;
        }
        char *end;
        unsigned long v = strtoul(p, &end, 16);
        if (end - p != 8 || *end != '\n')
            rc = rad_errf(err, RAD_EPARSE, "%s:%d: expected 8 hex digits", path, ln);
        (*w)[(*n)++] = (uint32_t)v;
        p = end + 1;
    }
    if (!*w)
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    free(buf);
    if (rc) {
        free(*w);
        *w = NULL;
    }
    return rc;
}

/* Words -> weights: module description + the image decoded onto it. */
static int decode_image(const flt_args *a, char *const *c, mdl_model **out, rad_err *err)
{
    char path[4200], hash[17];
    uint32_t *w = NULL, *again = NULL;
    int n = 0, n2 = 0;
    uint64_t ck = RAD_FNV1A_INIT;
    snprintf(path, sizeof path, "%s/%s", a->out, c[1]);
    int rc = flt_fnv_file(&ck, path, err);
    char cks[17];
    snprintf(cks, sizeof cks, "%016llx", (unsigned long long)ck);
    if (!rc && strcmp(cks, c[2]))
        rc = rad_errf(err, RAD_EMISMATCH, "%s: checksum %s, the index says %s", path, cks, c[2]);
    if (!rc)
        rc = read_words(path, &w, &n, err);
    snprintf(path, sizeof path, "%s/modules/%s.json", a->out, c[0]);
    if (!rc)
        rc = mdl_load(path, NULL, out, err);
    size_t nb = (size_t)n * 4;
    uint8_t *bytes = rc ? NULL : malloc(nb + 1);
    for (size_t i = 0; bytes && i < nb; i++)
        bytes[i] = (uint8_t)(w[i / 4] >> (8 * (i % 4)));
    if (!rc && !bytes)
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!rc)
        rc = mdl_i2c_unpack(*out, bytes, nb, err);
    if (!rc)
        rc = flt_model_hash(*out, hash, err);
    if (!rc && strcmp(hash, c[3]))
        rc = rad_errf(err, RAD_EMISMATCH, "module %s: its image decodes to weights %s, the "
                      "index says %s", c[0], hash, c[3]);
    if (!rc)
        rc = cg_image_words(*out, &again, &n2, err);
    if (!rc && (n2 != n || memcmp(again, w, (size_t)n * 4)))
        rc = rad_errf(err, RAD_EMISMATCH, "module %s: image does not re-encode to its words",
                      c[0]);
    free(bytes);
    free(w);
    free(again);
    if (rc) {
        mdl_free(*out);
        *out = NULL;
    }
    return rc;
}

static long field(const char *text, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "%s=", name);
    const char *p = strstr(text, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* Runs the sim of one module and fills its table row. */
static int sim_module(const flt_args *a, const char *work, const char *rtl, char *const *c,
                      char *row, size_t len, rad_err *err)
{
    char exe[2048], log[4400];
    int rc = rad_exe_path(exe, sizeof exe, err);
    if (rc)
        return rc;
    snprintf(log, sizeof log, "%s/%s.sim.log", work, c[0]);
    rad_argv *av = malloc(sizeof *av);
    if (!av)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    rad_argv_reset(av);
    const char *const fixed[] = { exe, "sim", "--rtl", rtl, "--only", "verilator", NULL };
    rad_argv_list(av, fixed, 8);
    rad_argv_add(av, "--model");
    rad_argv_addf(av, "%s/fleet_a.json", work);
    rad_argv_add(av, "--weights");
    rad_argv_addf(av, "%s/fleet_a.weights", work);
    rad_argv_add(av, "--weights2");
    rad_argv_addf(av, "%s/fleet_b.weights", work);
    rad_argv_add(av, "--links2");
    rad_argv_add(av, c[5]);
    rad_argv_add(av, "--vectors");
    rad_argv_addf(av, "%zu", a->vectors);
    rad_argv_add(av, "--seed");
    rad_argv_addf(av, "%llu", (unsigned long long)a->seed);
    rad_argv_add(av, "--data");
    rad_argv_addf(av, "%s/modules/%s.holdout.csv", a->out, c[0]);
    rad_argv_add(av, "--workdir");
    rad_argv_add(av, work);
    rad_proc_opts po = { .log = log };
    int st;
    rc = rad_proc_run(av->v, &po, &st, err);
    free(av);
    if (rc)
        return rc;
    char *text;
    size_t n;
    if ((rc = rad_read_all(log, &text, &n, err)))
        return rc;
    const char *v = strstr(text, "[verilator crossings=");
    const char *rb = strstr(text, "verilator_readback");
    if (!v || !rb) {
        free(text);
        return rad_errf(err, RAD_ETOOL, "module %s: the simulation did not run (see %s)",
                        c[0], log);
    }
    long cr = field(v, "crossings"), cmp = field(v, "compared"), mm = field(v, "mismatches");
    long sk = field(v, "skipped_reconfig"), rbe = field(rb, "errors");
    bool pass = st == 0 && strstr(text, "sim: PASS") && mm == 0 && rbe == 0 && cmp > 0;
    snprintf(row, len, "%s,%s,%s,%ld,%ld,%ld,%ld,%ld,%s", c[0], c[1], c[5], cr, cmp, mm, sk,
             rbe, pass ? "PASS" : "FAIL");
    free(text);
    return RAD_OK;
}

/* Module k of the index: decode its image and the previous one, run. */
static int verify_module(const flt_args *a, const char *work, const char *rtl, char **rows,
                         size_t n, size_t k, char *row, size_t len, rad_err *err)
{
    char *c[8], *p[8], prev[512], cur[512], pa[4400], pw[4400], pb[4400];
    snprintf(cur, sizeof cur, "%s", rows[k]);
    snprintf(prev, sizeof prev, "%s", rows[(k + n - 1) % n]);
    if (flt_csv_fields(cur, c, 8) != 7 || flt_csv_fields(prev, p, 8) != 7)
        return rad_errf(err, RAD_ESCHEMA, "%s/images/index.csv: row %zu has not 7 fields",
                        a->out, k + 2);
    mdl_model *ma = NULL, *mb = NULL;
    int rc = decode_image(a, c, &mb, err);
    if (!rc)
        rc = decode_image(a, p, &ma, err);
    if (!rc && n == 1)
        mdl_init_random(ma, a->seed + 12345);       /* a ring of one: random A */
    char *r0[8], first[512];
    snprintf(first, sizeof first, "%s", rows[0]);
    /* sim loads set A's image only: A runs at the design's reset n_links,
    ** which is module 0's (the design was generated from it) */
    if (!rc && flt_csv_fields(first, r0, 8) == 7)
        rc = mdl_set_links(ma, atoi(r0[5]), err);
    snprintf(pa, sizeof pa, "%s/fleet_a.json", work);
    snprintf(pw, sizeof pw, "%s/fleet_a.weights", work);
    snprintf(pb, sizeof pb, "%s/fleet_b.weights", work);
    if (!rc)
        rc = mdl_save(ma, pa, pw, err);
    if (!rc)
        rc = mdl_save_weights(mb, pb, err);
    if (!rc)
        rc = sim_module(a, work, rtl, c, row, len, err);
    mdl_free(ma);
    mdl_free(mb);
    return rc;
}

static int verify_key(const flt_args *a, const char *index, char key[17], rad_err *err)
{
    uint64_t h = RAD_FNV1A_INIT;
    char opt[128];
    int rc = flt_fnv_file(&h, index, err);
    int m = snprintf(opt, sizeof opt, "%zu %llu", a->vectors, a->seed);
    snprintf(key, 17, "%016llx", (unsigned long long)rad_fnv1a(h, opt, (size_t)m));
    return rc;
}

/* Verifies the modules of this shard (all without --shard) in the order of
** images/index.csv; writes verify.csv or the shard's partial, also when a
** module FAILs (the table is the result), and then returns RAD_EMISMATCH.
** Refuses before simulating anything when the design is missing. */
int flt_verify(const flt_args *a, rad_err *err)
{
    char index[4200], rtl[4200], work[4200], table[4200], key[17], row[512], probe[4400];
    char **rows;
    size_t n, fails = 0;
    snprintf(index, sizeof index, "%s/images/index.csv", a->out);
    snprintf(rtl, sizeof rtl, "%s", a->rtl ? a->rtl : "");
    if (!a->rtl)
        snprintf(rtl, sizeof rtl, "%s/rtl", a->out);
    snprintf(probe, sizeof probe, "%s/rad4ml_ae.v", rtl);
    if (access(probe, R_OK))
        return rad_errf(err, RAD_EIO, "%s: no design (run `rad4ml fleet images` first; "
                        "verify never regenerates it)", probe);
    if (a->work)
        snprintf(work, sizeof work, "%s", a->work);
    else if (a->shard.n)
        snprintf(work, sizeof work, "%s/verify/work-%zu-of-%zu", a->out, a->shard.i, a->shard.n);
    else
        snprintf(work, sizeof work, "%s/verify/work", a->out);
    int rc = flt_table_read(index, FLT_INDEX_HEADER, &rows, &n, err);
    if (rc)
        return rc;
    flt_part p = { 0 };
    if (!(rc = rad_mkdirs(work, err)) && !(rc = verify_key(a, index, key, err)))
        rc = flt_part_init(&p, "fleet-verify", key, &a->shard, n, a->argc, a->argv, err);
    for (size_t k = 0; k < n && !rc; k++) {
        if (!flt_shard_has(&a->shard, k))
            continue;
        if (!(rc = verify_module(a, work, rtl, rows, n, k, row, sizeof row, err)))
            rc = flt_part_item(&p, k, row, err);
        if (!rc) {
            fails += strstr(row, ",FAIL") != NULL;
            printf("fleet verify: %s\n", row);
        }
    }
    snprintf(table, sizeof table, "%s/verify.csv", a->out);
    rad_prov prov;
    if (!rc)
        rc = flt_table_prov(a, NULL, index, n, &prov, err);
    if (!rc)
        rc = flt_finish(a, &p, table, FLT_VERIFY_HEADER, &prov, err);
    if (!rc && fails)
        rc = rad_errf(err, RAD_EMISMATCH, "%zu module(s) FAIL (see %s and the logs in %s)",
                      fails, a->shard.n ? "the partial" : table, work);
    flt_part_free(&p);
    flt_rows_free(rows, n);
    return rc;
}
