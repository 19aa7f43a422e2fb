/*
** check_fleet.c — shard specs, partial files and their merge (refusals
** included), the fleet manifest (errors name file, line, column), module
** data (seeded by id, calibrated), and the sensitivity map computed by
** shards equal, bit for bit, to the unsharded one.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/ck_tmp.h"
#include "common/rad_file.h"
#include "fleet/fleet.h"
#include "fleet/flt_part.h"
#include "model/model_io.h"
#include "seu/seu_shard.h"

START_TEST(shard_specs)
{
    flt_shard s;
    rad_err e;
    ck_assert_int_eq(flt_shard_parse("2/5", &s, &e), RAD_OK);
    ck_assert_uint_eq(s.i, 2);
    ck_assert_uint_eq(s.n, 5);
    ck_assert(flt_shard_has(&s, 7) && !flt_shard_has(&s, 8));
    const char *bad[] = { "5/5", "1/0", "a/3", "1/", "/3", "-1/3", "1/3x", "3", "1/200000" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_ne(flt_shard_parse(bad[i], &s, &e), RAD_OK);
        ck_assert_msg(strstr(e.msg, bad[i]), "message names the value: %s", e.msg);
    }
    flt_shard whole = { 0, 0 };
    ck_assert(flt_shard_has(&whole, 12345));
}
END_TEST

/* Writes shard i/N of a job of `total` items: item k = "v<k>". */
static const char *write_shard(const char *job, const char *key, size_t i, size_t n,
                               size_t total)
{
    static char path[4][600];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, sizeof path[0], "%s/%s.part-%zu-of-%zu", ck_tmpdir, job, i, n);
    flt_part part;
    flt_shard s = { i, n };
    char *argv[] = { "fleet", "train", "--out", "x y", "--shard", "0/1" }, v[32];
    rad_err e;
    ck_assert_int_eq(flt_part_init(&part, "fleet-train", key, &s, total, 6, argv, &e), RAD_OK);
    ck_assert_int_eq(flt_part_meta(&part, "header", "a,b", &e), RAD_OK);
    for (size_t k = i; k < total; k += n) {
        snprintf(v, sizeof v, "v%zu", k);
        ck_assert_int_eq(flt_part_item(&part, k, v, &e), RAD_OK);
    }
    ck_assert_int_eq(flt_part_write(&part, p, &e), RAD_OK);
    flt_part_free(&part);
    return p;
}

START_TEST(part_round_trip_and_merge)
{
    char *paths[3];
    for (int i = 0; i < 3; i++)
        paths[i] = strdup(write_shard("job", "k1", (size_t)(2 - i), 3, 10));
    flt_part m;
    rad_err e;
    ck_assert_int_eq(flt_merge(paths, 3, &m, &e), RAD_OK);
    ck_assert_uint_eq(m.n_items, 10);
    for (size_t k = 0; k < 10; k++) {
        char v[32];
        snprintf(v, sizeof v, "v%zu", k);
        ck_assert_str_eq(m.items[k].text, v);
    }
    ck_assert_str_eq(flt_part_get(&m, "header"), "a,b");
    ck_assert_msg(strstr(m.cmd, "'x y'"), "quoted command: %s", m.cmd);
    flt_part_free(&m);
    for (int i = 0; i < 3; i++)
        free(paths[i]);
}
END_TEST

START_TEST(merge_refusals)
{
    char *p[4];
    flt_part m;
    rad_err e;
    p[0] = strdup(write_shard("r", "k1", 0, 3, 10));
    p[1] = strdup(write_shard("r", "k1", 2, 3, 10));
    /* missing shard 1: named, with the command that reruns it */
    ck_assert_int_ne(flt_merge(p, 2, &m, &e), RAD_OK);
    ck_assert_msg(strstr(e.msg, "1 of 3 shards missing") && strstr(e.msg, ": 1;") &&
                  strstr(e.msg, "--shard 1/3"), "%s", e.msg);
    /* duplicated shard */
    p[2] = strdup(p[0]);
    ck_assert_int_ne(flt_merge(p, 3, &m, &e), RAD_OK);
    ck_assert_msg(strstr(e.msg, "shard 0/3 given twice"), "%s", e.msg);
    free(p[2]);
    /* another job (different key) */
    p[2] = strdup(write_shard("other", "k2", 1, 3, 10));
    ck_assert_int_ne(flt_merge(p, 3, &m, &e), RAD_OK);
    ck_assert_msg(strstr(e.msg, "not shards of the same job"), "%s", e.msg);
    free(p[2]);
    /* a truncated partial: no 'end' line */
    p[2] = strdup(write_shard("r", "k1", 1, 3, 10));
    FILE *f = fopen(p[2], "r+");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    ck_assert_int_eq(ftruncate(fileno(f), ftell(f) - 6), 0);
    fclose(f);
    ck_assert_int_ne(flt_merge(p, 3, &m, &e), RAD_OK);
    ck_assert_msg(strstr(e.msg, p[2]) && strstr(e.msg, "incomplete"), "%s", e.msg);
    /* positive control: the same three intact */
    free(p[2]);
    p[2] = strdup(write_shard("r", "k1", 1, 3, 10));
    ck_assert_int_eq(flt_merge(p, 3, &m, &e), RAD_OK);
    flt_part_free(&m);
    ck_assert_int_ne(flt_merge(p, 0, &m, &e), RAD_OK);
    for (int i = 0; i < 3; i++)
        free(p[i]);
}
END_TEST

static const char *HDR = "id,data,occupancy,showers,geometry,links,calib\n";

static int load_text(const char *body, flt_manifest *f, rad_err *e)
{
    char text[2048];
    snprintf(text, sizeof text, "# comment\n%s%s", HDR, body);
    return flt_manifest_load(ck_tmp_write("fleet.csv", text), f, e);
}

START_TEST(manifest_ok_and_errors)
{
    flt_manifest f;
    rad_err e;
    ck_assert_int_eq(load_text("a,synthetic,0.2,1,hd,3,2100\nb,synthetic,,,,,\n", &f, &e),
                     RAD_OK);
    ck_assert_uint_eq(f.n, 2);
    ck_assert(f.mod[0].hd && f.mod[0].links == 3 && f.mod[0].calvalue == 2100);
    ck_assert(!f.mod[1].hd && f.mod[1].links == 5 && f.mod[1].calvalue == DAT_CAL_PASS);
    ck_assert(f.mod[1].occupancy == 0.35 && f.mod[1].showers == 1.2);
    ck_assert_int_eq(flt_manifest_find(&f, "b"), 1);
    flt_manifest_free(&f);
    const struct { const char *body, *want; } bad[] = {
        { "a,synthetic,2,1,ld,5,\n", ":3: column 'occupancy'" },
        { "a,synthetic,0.1,1,xd,5,\n", ":3: column 'geometry'" },
        { "a,synthetic,0.1,1,ld,0,\n", ":3: column 'links'" },
        { "a,synthetic,0.1,1,ld,5,5000\n", ":3: column 'calib'" },
        { "a,synthetic,0.1,1,ld,5,\na,synthetic,0.1,1,ld,5,\n", ":4: column 'id': duplicate" },
        { "a b,synthetic,0.1,1,ld,5,\n", ":3: column 'id'" },
        { "a,synthetic,0.1,1,ld\n", ":3: 5 columns" },
        { "", "no modules" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_ne(load_text(bad[i].body, &f, &e), RAD_OK);
        ck_assert_msg(strstr(e.msg, bad[i].want) && strstr(e.msg, "fleet.csv"), "case %zu: %s",
                      i, e.msg);
    }
    ck_assert_int_ne(flt_manifest_load(ck_tmp_write("h.csv", "id,data\n"), &f, &e), RAD_OK);
    ck_assert_msg(strstr(e.msg, "h.csv:1: header"), "%s", e.msg);
}
END_TEST

START_TEST(module_data_by_id_and_calibrated)
{
    flt_manifest f;
    rad_err e;
    ck_assert_int_eq(load_text("x,synthetic,0.3,1,ld,5,2048\ny,synthetic,0.3,1,ld,5,2048\n"
                               "x2,synthetic,0.3,1,ld,5,1024\n", &f, &e), RAD_OK);
    dat_set a, b, c, d;
    ck_assert_int_eq(flt_module_data(&f.mod[0], 50, 1, &a, &e), RAD_OK);
    ck_assert_int_eq(flt_module_data(&f.mod[1], 50, 1, &b, &e), RAD_OK);
    ck_assert_int_eq(flt_module_data(&f.mod[0], 50, 1, &c, &e), RAD_OK);
    ck_assert(!memcmp(a.q, c.q, 50 * 48 * sizeof *a.q));       /* same id: same data */
    ck_assert(memcmp(a.q, b.q, 50 * 48 * sizeof *a.q));        /* other id: other data */
    /* calibration 1024 = x0.5 (truncated), on the data of the same id */
    snprintf(f.mod[2].id, sizeof f.mod[2].id, "x");
    ck_assert_int_eq(flt_module_data(&f.mod[2], 50, 1, &d, &e), RAD_OK);
    for (size_t i = 0; i < 50 * 48; i++)
        ck_assert_uint_eq(d.q[i], a.q[i] >> 1);
    dat_free(&a);
    dat_free(&b);
    dat_free(&c);
    dat_free(&d);
    flt_manifest_free(&f);
}
END_TEST

/* Shards 0..2 of a sensitivity map, through partial files and the merge,
** equal the unsharded map bit for bit (small48d fixture). */

START_TEST(manifest_groups)
{
    flt_manifest f;
    rad_err e;
    const char *text = "id,data,occupancy,showers,geometry,links,calib,group\n"
                       "a,synthetic,,,ld,5,,\nb,synthetic,,,hd,3,,w\nc,synthetic,,,ld,5,,\n"
                       "d,synthetic,,,ld,3,,w\n";
    ck_assert_int_eq(flt_manifest_load(ck_tmp_write("g.csv", text), &f, &e), RAD_OK);
    ck_assert(f.grouped && f.n == 4 && f.n_groups == 3);
    ck_assert(f.mod[0].gi == 0 && f.mod[1].gi == 1 && f.mod[2].gi == 2 && f.mod[3].gi == 1);
    ck_assert_str_eq(f.mod[0].group, "a");
    ck_assert_str_eq(f.mod[3].group, "w");
    flt_manifest_free(&f);
    const char *bad = "id,data,occupancy,showers,geometry,links,calib,group\n"
                      "a,synthetic,,,ld,5,,w\nb,synthetic,,,ld,3,,w\n";
    ck_assert_int_ne(flt_manifest_load(ck_tmp_write("gb.csv", bad), &f, &e), RAD_OK);
    ck_assert_msg(strstr(e.msg, "gb.csv:3: column 'group': module b has 3 links"), "%s", e.msg);
    ck_assert_int_ne(flt_manifest_load(ck_tmp_write("gc.csv",
        "id,data,occupancy,showers,geometry,links,calib,group\na,synthetic,,,ld,5,,x y\n"),
        &f, &e), RAD_OK);
    ck_assert_msg(strstr(e.msg, "gc.csv:2: column 'group'"), "%s", e.msg);
}
END_TEST

/* A JSON document {"head":..., "list":[...], "provenance":{"date": date}}. */
static json_t *doc(size_t from, size_t step, size_t total, const char *date, size_t *idx,
                   size_t *n)
{
    json_t *root = json_pack("{s:s,s:[]}", "head", "h", "list"), *arr = json_object_get(root, "list");
    *n = 0;
    for (size_t k = from; k < total; k += step) {
        json_array_append_new(arr, json_pack("{s:I,s:f}", "k", (json_int_t)k, "x", k / 3.0));
        idx[(*n)++] = k;
    }
    json_object_set_new(root, "provenance", json_pack("{s:s}", "date", date));
    return root;
}

START_TEST(json_shards_equal_whole)
{
    rad_err e;
    size_t idx[16], n, flags = JSON_INDENT(1) | JSON_REAL_PRECISION(6);
    char whole[600], out[600], p0[700], p1[700];
    snprintf(whole, sizeof whole, "%s/doc.json", ck_tmpdir);
    snprintf(out, sizeof out, "%s/doc2.json", ck_tmpdir);
    json_t *w = doc(0, 1, 7, "d0", idx, &n);
    ck_assert_int_eq(rad_json_write(whole, w, flags, &e), RAD_OK);
    json_decref(w);
    char *argv[] = { "x", "--shard", "0/2" };
    for (size_t i = 0; i < 2; i++) {
        flt_shard s = { i, 2 };
        json_t *d = doc(i, 2, 7, i ? "d1" : "d0", idx, &n);    /* shard 1: another date */
        ck_assert_int_eq(flt_json_shard_write(d, "list", idx, 7, flags, "t", "k", &s, 3, argv,
                                              out, &e), RAD_OK);
        json_decref(d);
    }
    snprintf(p0, sizeof p0, "%s.part-0-of-2", out);
    snprintf(p1, sizeof p1, "%s.part-1-of-2", out);
    char *paths[] = { p1, p0 };                    /* shard 0's document is kept */
    flt_part m;
    ck_assert_int_eq(flt_merge(paths, 2, &m, &e), RAD_OK);
    ck_assert_int_eq(flt_json_merge_write(&m, out, &e), RAD_OK);
    flt_part_free(&m);
    char *a, *b;
    size_t la, lb;
    ck_assert_int_eq(rad_read_all(whole, &a, &la, &e), RAD_OK);
    ck_assert_int_eq(rad_read_all(out, &b, &lb, &e), RAD_OK);
    ck_assert(la == lb && !memcmp(a, b, la));
    free(a);
    free(b);
}
END_TEST

START_TEST(shard_by_units)
{
    rad_err e;
    char p[2][600];
    char *argv[] = { "fleet", "train", "--shard", "0/2" };
    /* 4 items, units 0,1,1,0: shard 0 holds items 0 and 3, shard 1 items 1 and 2 */
    for (size_t i = 0; i < 2; i++) {
        flt_part part;
        flt_shard s = { i, 2 };
        snprintf(p[i], sizeof p[i], "%s/u.part-%zu-of-2", ck_tmpdir, i);
        ck_assert_int_eq(flt_part_init(&part, "fleet-train", "k", &s, 4, 4, argv, &e), RAD_OK);
        ck_assert_int_eq(flt_part_meta(&part, "shard_by", "0,1,1,0", &e), RAD_OK);
        for (size_t k = 0; k < 4; k++)
            if ((k == 0 || k == 3) == (i == 0))
                ck_assert_int_eq(flt_part_item(&part, k, "r", &e), RAD_OK);
        ck_assert_int_eq(flt_part_write(&part, p[i], &e), RAD_OK);
        flt_part_free(&part);
    }
    char *paths[] = { p[0], p[1] };
    flt_part m;
    ck_assert_int_eq(flt_merge(paths, 2, &m, &e), RAD_OK);
    ck_assert_uint_eq(m.n_items, 4);
    flt_part_free(&m);
    /* the same items without shard_by: item 3 is not in shard 0 by index */
    flt_part part;
    flt_shard s = { 0, 2 };
    ck_assert_int_eq(flt_part_init(&part, "fleet-train", "k", &s, 4, 4, argv, &e), RAD_OK);
    ck_assert_int_eq(flt_part_meta(&part, "shard_by", "0,1,1,1", &e), RAD_OK);
    ck_assert_int_eq(flt_part_item(&part, 0, "r", &e), RAD_OK);
    ck_assert_int_eq(flt_part_item(&part, 3, "r", &e), RAD_OK);
    ck_assert_int_eq(flt_part_write(&part, p[0], &e), RAD_OK);
    flt_part_free(&part);
    ck_assert_int_ne(flt_merge(paths, 2, &m, &e), RAD_OK);   /* units disagree: meta */
    ck_assert_msg(strstr(e.msg, "disagree"), "%s", e.msg);
}
END_TEST

START_TEST(seu_sens_shards_equal_whole)
{
    mdl_model *m;
    rad_err e;
    ck_assert_int_eq(mdl_load("fleet/testdata/small48d.json", NULL, &m, &e), RAD_OK);
    dat_set d;
    flt_manifest f;
    ck_assert_int_eq(load_text("s,synthetic,0.3,1,ld,5,\n", &f, &e), RAD_OK);
    ck_assert_int_eq(flt_module_data(&f.mod[0], 40, 1, &d, &e), RAD_OK);
    seu_sens_opts o;
    seu_sens_defaults(&o);
    seu_sens whole, merged;
    ck_assert_int_eq(seu_sens_run(m, &d, &o, &whole, &e), RAD_OK);
    char *paths[3];
    for (size_t i = 0; i < 3; i++) {
        seu_sens s;
        o.shard_i = i;
        o.shard_n = 3;
        ck_assert_int_eq(seu_sens_run(m, &d, &o, &s, &e), RAD_OK);
        flt_part p;
        flt_shard sh = { i, 3 };
        char *argv[] = { "seu" };
        ck_assert_int_eq(flt_part_init(&p, "seu-sens", "k", &sh, s.n_bits, 1, argv, &e), 0);
        ck_assert_int_eq(seu_sens_to_part(&s, &sh, &p, &e), RAD_OK);
        paths[i] = malloc(600);
        snprintf(paths[i], 600, "%s/sens.part-%zu-of-3", ck_tmpdir, i);
        ck_assert_int_eq(flt_part_write(&p, paths[i], &e), RAD_OK);
        flt_part_free(&p);
        seu_sens_free(&s);
    }
    flt_part mp;
    ck_assert_int_eq(flt_merge(paths, 3, &mp, &e), RAD_OK);
    ck_assert_int_eq(seu_sens_from_part(&mp, m, &merged, &e), RAD_OK);
    ck_assert_uint_eq(merged.n_bits, whole.n_bits);
    ck_assert(merged.base_emd == whole.base_emd && merged.n_cross == whole.n_cross);
    size_t nonzero = 0;
    for (size_t k = 0; k < whole.n_bits; k++) {
        ck_assert_msg(merged.d_emd[k] == whole.d_emd[k] && merged.changed[k] == whole.changed[k],
                      "bit %zu", k);
        nonzero += whole.d_emd[k] != 0;
    }
    ck_assert_msg(nonzero > whole.n_bits / 10, "the map is not trivially zero (%zu)", nonzero);
    seu_sens_free(&whole);
    seu_sens_free(&merged);
    flt_part_free(&mp);
    for (int i = 0; i < 3; i++)
        free(paths[i]);
    dat_free(&d);
    flt_manifest_free(&f);
    mdl_free(m);
}
END_TEST

int main(void)
{
    if (ck_tmp_init("check_fleet"))
        return 1;
    Suite *su = suite_create("fleet");
    TCase *tc = tcase_create("fleet");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, shard_specs);
    tcase_add_test(tc, part_round_trip_and_merge);
    tcase_add_test(tc, merge_refusals);
    tcase_add_test(tc, manifest_ok_and_errors);
    tcase_add_test(tc, module_data_by_id_and_calibrated);
    tcase_add_test(tc, seu_sens_shards_equal_whole);
    tcase_add_test(tc, manifest_groups);
    tcase_add_test(tc, json_shards_equal_whole);
    tcase_add_test(tc, shard_by_units);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ck_tmp_cleanup();
    return failed ? 1 : 0;
}
