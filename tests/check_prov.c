/*
** check_prov.c — the provenance block and the file rules of common/:
** SHA-256 and CRC-32 against published test vectors, the JSON block read
** back field for field, the text block's lines, SOURCE_DATE_EPOCH and the
** deterministic flag, the report's nan finder, output files that never
** create directories, and rad_mkdir_out / rad_rmdir_created.
*/
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/rad_file.h"
#include "common/rad_prov.h"
#include "model/model_io.h"
#include "tests/ck_tmp.h"

/* The report's nan finder (report/rpt_int.h), declared here to keep this
** test free of the report's internals. */
const char *rpt_find_nan(const char *s, size_t n);

START_TEST(sha256_and_crc_vectors)
{
    char h[RAD_SHA256_HEX];
    rad_sha256_hex("abc", 3, h);        /* FIPS 180-2 appendix B.1 */
    ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    rad_sha256_hex("", 0, h);
    ck_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    rad_sha256_hex("abd", 3, h);        /* negative control */
    ck_assert_str_ne(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *p = ck_tmp_write("abc.txt", "abc");
    rad_err err;
    ck_assert_int_eq(rad_sha256_file(p, h, &err), RAD_OK);
    ck_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert_int_eq(rad_sha256_file(ck_tmpdir, h, &err), RAD_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
    ck_assert_uint_eq(mdl_image_crc((const uint8_t *)"123456789", 9), 0xCBF43926u);
}
END_TEST

START_TEST(json_round_trip)
{
    setenv("SOURCE_DATE_EPOCH", "86400", 1);
    rad_prov p, q;
    rad_prov_init(&p, "eval", "eval");
    unsetenv("SOURCE_DATE_EPOCH");
    ck_assert_str_eq(p.date, "1970-01-02T00:00:00Z");
    ck_assert_str_eq(p.version, RAD_VERSION);
    ck_assert_int_gt(strlen(p.revision), 0);
    rad_prov_src_mem(&p.model, "built-in", "m", 1);
    rad_prov_src_mem(&p.weights, "w.weights", "w", 1);
    rad_prov_src_mem(&p.data, "d.csv", "d", 1);
    p.rows = 2000;
    p.links = 4;
    rad_prov_opt(&p, "holdout", "%g", 0.25);
    rad_prov_opt(&p, "crossings", "%d..%d", 6000, 7999);
    ck_assert_str_eq(p.options, "holdout=0.25 crossings=6000..7999");
    json_t *root = json_object();
    json_object_set_new(root, "provenance", rad_prov_json(&p));
    rad_err err;
    ck_assert_msg(rad_prov_from_json(root, "x.json", &q, &err) == RAD_OK, "%s", err.msg);
    ck_assert_str_eq(q.kind, "eval");
    ck_assert_str_eq(q.model.sha256, p.model.sha256);
    ck_assert_str_eq(q.weights.name, "w.weights");
    ck_assert_str_eq(q.data.sha256, p.data.sha256);
    ck_assert_int_eq(q.rows, 2000);
    ck_assert_int_eq(q.links, 4);
    ck_assert_str_eq(q.date, p.date);
    ck_assert(rad_prov_same_model(&p, &q));
    q.weights.sha256[0] ^= 1;
    ck_assert(!rad_prov_same_model(&p, &q));
    /* wrong types and a missing block are refused, naming the field */
    json_object_set_new(json_object_get(root, "provenance"), "links", json_string("4"));
    ck_assert_int_eq(rad_prov_from_json(root, "x.json", &q, &err), RAD_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(err.msg, "provenance.links"));
    json_object_del(root, "provenance");
    ck_assert_int_eq(rad_prov_from_json(root, "x.json", &q, &err), RAD_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(err.msg, "x.json: no \"provenance\""));
    json_decref(root);
}
END_TEST

START_TEST(text_block)
{
    rad_prov p;
    rad_prov_init(&p, "rtl", "gen");
    rad_prov_src_mem(&p.model, "built-in", "m", 1);
    p.deterministic = true;
    char *t = rad_prov_text_str(&p, "// ");
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(strstr(t, "// rad4ml-provenance kind: rtl\n"));
    ck_assert_ptr_nonnull(strstr(t, "// rad4ml-provenance model: built-in sha256:"));
    ck_assert_ptr_null(strstr(t, "date:"));            /* deterministic: no date */
    for (char *l = t; *l; l = strchr(l, '\n') + 1)      /* every line a comment */
        ck_assert_int_eq(strncmp(l, "// rad4ml-provenance ", 21), 0);
    free(t);
    p.deterministic = false;
    t = rad_prov_text_str(&p, "# ");
    ck_assert_ptr_nonnull(strstr(t, "# rad4ml-provenance date: "));
    free(t);
}
END_TEST

START_TEST(nan_finder)
{
    const char *ok = "<td>0.808</td> financial infinity nano inference";
    ck_assert_ptr_null(rpt_find_nan(ok, strlen(ok)));
    const char *bad = "<td>nan</td>";
    ck_assert_ptr_eq(rpt_find_nan(bad, strlen(bad)), bad + 4);
    const char *neg = "x -nan y";
    ck_assert_ptr_nonnull(rpt_find_nan(neg, strlen(neg)));
    const char *inf = "<td>inf</td>";
    ck_assert_ptr_nonnull(rpt_find_nan(inf, strlen(inf)));
}
END_TEST

START_TEST(no_silent_directories)
{
    rad_err err;
    rad_file f;
    char p[800], d[600];
    snprintf(p, sizeof p, "%s/missing/sub/x.json", ck_tmpdir);
    ck_assert_int_eq(rad_file_open(&f, p, &err), RAD_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/missing/sub does not exist"));
    snprintf(d, sizeof d, "%s/missing", ck_tmpdir);
    struct stat st;
    ck_assert_int_ne(stat(d, &st), 0);                  /* nothing created */
    /* --out DIR: made when missing (parent exists), undone on failure */
    bool created;
    ck_assert_int_eq(rad_mkdir_out(d, &created, &err), RAD_OK);
    ck_assert(created);
    snprintf(p, sizeof p, "%s/f.txt", d);
    ck_assert_int_eq(rad_file_open(&f, p, &err), RAD_OK);
    ck_assert_int_eq(rad_file_commit(&f, &err), RAD_OK);
    rad_rmdir_created(d);
    ck_assert_int_ne(stat(d, &st), 0);
    ck_assert_int_eq(rad_mkdir_out(ck_tmpdir, &created, &err), RAD_OK);
    ck_assert(!created);                                /* existing: not ours */
    snprintf(p, sizeof p, "%s/a/b", ck_tmpdir);
    ck_assert_int_eq(rad_mkdir_out(p, &created, &err), RAD_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "/a does not exist"));
    /* a directory where a file is expected */
    char *data;
    ck_assert_int_eq(rad_read_all(ck_tmpdir, &data, NULL, &err), RAD_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "is a directory, a file is expected here"));
}
END_TEST

int main(void)
{
    if (ck_tmp_init("check_prov"))
        return EXIT_FAILURE;
    Suite *s = suite_create("prov");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sha256_and_crc_vectors);
    tcase_add_test(tc, json_round_trip);
    tcase_add_test(tc, text_block);
    tcase_add_test(tc, nan_finder);
    tcase_add_test(tc, no_silent_directories);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ck_tmp_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
