/*
** check_common.c — the shared layers of common/: checked option values
** (rad_cli) and the process runner (rad_proc): success, non-zero exit,
** missing program, log and its tail, working directory, first line of
** output, the repository root.
*/
#include <check.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/ck_tmp.h"
#include "common/rad_cli.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"

/* ---- rad_cli ---------------------------------------------------------------- */

/* Every refused value gives RAD_EUSAGE and a message naming the option. */
static void refused_long(const char *s, long lo, long hi)
{
    rad_err e = { 0 };
    long v = 77;
    ck_assert_msg(rad_cli_long("--opt", s, lo, hi, &v, &e) == RAD_EUSAGE, "'%s' accepted", s);
    ck_assert_msg(strstr(e.msg, "--opt") && strstr(e.msg, "expected an integer"), "%s", e.msg);
    ck_assert_int_eq(v, 77);                     /* untouched */
}

START_TEST(cli_integers)
{
    rad_err e = { 0 };
    long v;
    ck_assert_int_eq(rad_cli_long("--n", "12", 0, 100, &v, &e), RAD_OK);
    ck_assert_int_eq(v, 12);
    ck_assert_int_eq(rad_cli_long("--n", "0x1f", 0, 100, &v, &e), RAD_OK);
    ck_assert_int_eq(v, 31);
    ck_assert_int_eq(rad_cli_long("--n", "010", 0, 100, &v, &e), RAD_OK);
    ck_assert_int_eq(v, 10);                     /* decimal, not octal */
    ck_assert_int_eq(rad_cli_long("--n", "-5", -10, 10, &v, &e), RAD_OK);
    ck_assert_int_eq(v, -5);
    ck_assert_int_eq(rad_cli_long("--n", "-9223372036854775808", LONG_MIN, 0, &v, &e), RAD_OK);
    ck_assert(v == LONG_MIN);
    ck_assert_int_eq(rad_cli_long("--n", "100", 0, 100, &v, &e), RAD_OK);   /* bounds */
    ck_assert_int_eq(rad_cli_long("--n", "0", 0, 100, &v, &e), RAD_OK);
    static const char *const bad[] = { "", " 5", "5 ", "-1", "+5", "12x", "x", "1.5", "0x",
                                       "101", "99999999999999999999999", "--5", "1e3" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        refused_long(bad[i], 0, 100);
    refused_long("-9223372036854775809", LONG_MIN, 0);       /* below LONG_MIN */
    refused_long("-11", -10, 10);
}
END_TEST

START_TEST(cli_unsigned)
{
    rad_err e = { 0 };
    uint64_t u;
    size_t z;
    int i;
    ck_assert_int_eq(rad_cli_u64("--seed", "18446744073709551615", 0, UINT64_MAX, &u, &e), RAD_OK);
    ck_assert(u == UINT64_MAX);
    ck_assert_int_eq(rad_cli_u64("--seed", "18446744073709551616", 0, UINT64_MAX, &u, &e),
                     RAD_EUSAGE);                 /* overflow, not a wrap */
    ck_assert_int_eq(rad_cli_u64("--seed", "-1", 0, UINT64_MAX, &u, &e), RAD_EUSAGE);
    ck_assert_msg(strstr(e.msg, "--seed -1"), "%s", e.msg);
    ck_assert_int_eq(rad_cli_size("--vectors", "", 1, 1000, &z, &e), RAD_EUSAGE);
    ck_assert_msg(strstr(e.msg, "--vectors ''") && strstr(e.msg, "1..1000"), "%s", e.msg);
    ck_assert_int_eq(rad_cli_size("--vectors", "1000", 1, 1000, &z, &e), RAD_OK);
    ck_assert_uint_eq(z, 1000);
    ck_assert_int_eq(rad_cli_int("--jobs", "17", 1, 16, &i, &e), RAD_EUSAGE);
    ck_assert_int_eq(rad_cli_int("--jobs", "4294967297", 1, INT_MAX, &i, &e), RAD_EUSAGE);
    ck_assert_int_eq(rad_cli_int("--jobs", "16", 1, 16, &i, &e), RAD_OK);
    ck_assert_int_eq(i, 16);
}
END_TEST

START_TEST(cli_doubles)
{
    rad_err e = { 0 };
    double d;
    ck_assert_int_eq(rad_cli_double("--lr", "0.5", 0, 1, &d, &e), RAD_OK);
    ck_assert(d == 0.5);
    ck_assert_int_eq(rad_cli_double("--lr", "1e-3", 0, 1, &d, &e), RAD_OK);
    ck_assert(d == 1e-3);
    ck_assert_int_eq(rad_cli_double("--lr", ".25", 0, 1, &d, &e), RAD_OK);
    ck_assert_int_eq(rad_cli_double("--lr", "-0.5", -1, 1, &d, &e), RAD_OK);
    ck_assert(d == -0.5);
    static const char *const bad[] = { "", " 1", "0.5x", "nan", "inf", "-inf", "1e999",
                                       "2", "-0.1", "e5", "." };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = 42;
        ck_assert_msg(rad_cli_double("--lr", bad[i], 0, 1, &d, &e) == RAD_EUSAGE,
                      "'%s' accepted", bad[i]);
        ck_assert_msg(strstr(e.msg, "--lr") && strstr(e.msg, "expected a number"), "%s", e.msg);
        ck_assert(d == 42);
    }
}
END_TEST

/* ---- rad_proc --------------------------------------------------------------- */

static const char *tmp_path(const char *name)
{
    static char p[4][512];
    static int k;
    char *s = p[k++ % 4];
    snprintf(s, 512, "%s/%s", ck_tmpdir, name);
    return s;
}

/* ---- rad_json_write ---------------------------------------------------------- */

/* The document with its flags and a newline; a missing directory is an
** error naming the path and leaves nothing behind. */
START_TEST(json_write_whole_or_nothing)
{
    json_t *doc = json_pack("{s:i,s:[s]}", "a", 1, "b", "x");
    const char *path = tmp_path("doc.json");
    rad_err e = { 0 };
    ck_assert_int_eq(rad_json_write(path, doc, JSON_COMPACT | JSON_SORT_KEYS, &e), RAD_OK);
    char *text = NULL;
    size_t n;
    ck_assert_int_eq(rad_read_all(path, &text, &n, &e), RAD_OK);
    ck_assert_str_eq(text, "{\"a\":1,\"b\":[\"x\"]}\n");
    free(text);
    const char *bad = tmp_path("no-such-dir/doc.json");
    ck_assert_int_ne(rad_json_write(bad, doc, JSON_COMPACT, &e), RAD_OK);
    ck_assert_msg(strstr(e.msg, "no-such-dir"), "%s", e.msg);
    ck_assert_int_ne(rad_read_all(bad, &text, &n, &e), RAD_OK);
    json_decref(doc);
}
END_TEST

START_TEST(proc_success_and_log)
{
    const char *log = tmp_path("ok.log");
    char *argv[] = { "sh", "-c", "echo out-line; echo err-line >&2", NULL };
    rad_proc_opts o = { .log = log };
    rad_err e = { 0 };
    int st = -7;
    ck_assert_int_eq(rad_proc_run(argv, &o, &st, &e), RAD_OK);
    ck_assert_int_eq(st, 0);
    char *text = NULL;
    size_t n;
    ck_assert_int_eq(rad_read_all(log, &text, &n, &e), RAD_OK);
    ck_assert_msg(strstr(text, "out-line") && strstr(text, "err-line"), "%s", text);
    free(text);
    /* append keeps the first run's output */
    o.append = true;
    ck_assert_int_eq(rad_proc_check(argv, &o, "twice", &e), RAD_OK);
    ck_assert_int_eq(rad_read_all(log, &text, &n, &e), RAD_OK);
    ck_assert_msg(strstr(strstr(text, "out-line") + 1, "out-line"), "%s", text);
    free(text);
}
END_TEST

START_TEST(proc_exit_status_and_tail)
{
    const char *log = tmp_path("fail.log");
    /* 200 numbered lines, then exit 3: the error carries the last ones only */
    char *argv[] = { "sh", "-c", "i=1; while [ $i -le 200 ]; do echo line$i; i=$((i+1)); done;"
                     " exit 3", NULL };
    rad_proc_opts o = { .log = log };
    rad_err e = { 0 };
    int st;
    ck_assert_int_eq(rad_proc_run(argv, &o, &st, &e), RAD_OK);
    ck_assert_int_eq(st, 3);
    ck_assert_int_eq(rad_proc_check(argv, &o, "the counting step", &e), RAD_ETOOL);
    ck_assert_msg(strstr(e.msg, "the counting step failed (exit 3") && strstr(e.msg, log)
                  && strstr(e.msg, "line200") && !strstr(e.msg, "line1\n"), "%s", e.msg);
    char tail[64];
    rad_proc_tail(log, tail, sizeof tail);
    ck_assert_msg(strlen(tail) < sizeof tail && !strncmp(tail, "line", 4)
                  && !strcmp(tail + strlen(tail) - 7, "line200"), "'%s'", tail);
    rad_proc_tail(tmp_path("none.log"), tail, sizeof tail);
    ck_assert_str_eq(tail, "");
    /* a signal is 128 + its number */
    char *kill_argv[] = { "sh", "-c", "kill -TERM $$", NULL };
    ck_assert_int_eq(rad_proc_run(kill_argv, NULL, &st, &e), RAD_OK);
    ck_assert_int_eq(st, 128 + 15);
}
END_TEST

START_TEST(proc_missing_program)
{
    char *argv[] = { "rad4ml-no-such-program", "x", NULL };
    rad_err e = { 0 };
    int st = 0;
    ck_assert_int_eq(rad_proc_run(argv, NULL, &st, &e), RAD_ETOOL);
    ck_assert_int_eq(st, -1);
    ck_assert_msg(strstr(e.msg, "rad4ml-no-such-program: cannot start")
                  && strstr(e.msg, "No such file"), "%s", e.msg);
    /* an explicit path that is not executable */
    rad_proc_opts o = { .path = tmp_path("") };
    ck_assert_int_eq(rad_proc_run(argv, &o, &st, &e), RAD_ETOOL);
    /* a log that cannot be opened */
    char *ok[] = { "true", NULL };
    rad_proc_opts bad_log = { .log = "/nonexistent-dir/x.log" };
    ck_assert_int_eq(rad_proc_run(ok, &bad_log, &st, &e), RAD_ETOOL);
    ck_assert_msg(strstr(e.msg, "/nonexistent-dir/x.log"), "%s", e.msg);
    /* an overflowed argv is refused, not run cut short */
    rad_argv *av = malloc(sizeof *av);
    ck_assert_ptr_nonnull(av);
    rad_argv_reset(av);
    for (int i = 0; i < RAD_ARGV_MAX + 5; i++)
        rad_argv_add(av, "true");
    ck_assert_int_eq(rad_proc_run(av->v, NULL, &st, &e), RAD_EUSAGE);
    free(av);
}
END_TEST

START_TEST(proc_cwd_quiet_first_line_root)
{
    const char *log = tmp_path("cwd.log");
    char *argv[] = { "pwd", NULL };
    rad_proc_opts o = { .cwd = ck_tmpdir, .log = log };
    rad_err e = { 0 };
    ck_assert_int_eq(rad_proc_check(argv, &o, NULL, &e), RAD_OK);
    char tail[512];
    rad_proc_tail(log, tail, sizeof tail);
    ck_assert_msg(strstr(tail, strrchr(ck_tmpdir, '/')), "%s", tail);
    char *echo[] = { "sh", "-c", "echo first; echo second; echo noise >&2", NULL };
    char line[64];
    ck_assert_int_eq(rad_proc_first_line(echo, line, sizeof line, &e), RAD_OK);
    ck_assert_str_eq(line, "first");
    char *fail[] = { "sh", "-c", "echo x; exit 4", NULL };
    ck_assert_int_eq(rad_proc_first_line(fail, line, sizeof line, &e), RAD_ETOOL);
    /* the tests run from the repository root: it holds common/rad_proc.h */
    char root[4096];
    ck_assert_int_eq(rad_exe_root("common/rad_proc.h", root, sizeof root, &e), RAD_OK);
    ck_assert_int_eq(rad_exe_root("no/such/file", root, sizeof root, &e), RAD_EIO);
}
END_TEST

int main(void)
{
    if (ck_tmp_init("check_common"))
        return 1;
    Suite *s = suite_create("common");
    TCase *t = tcase_create("common");
    tcase_add_test(t, json_write_whole_or_nothing);
    tcase_add_test(t, cli_integers);
    tcase_add_test(t, cli_unsigned);
    tcase_add_test(t, cli_doubles);
    tcase_add_test(t, proc_success_and_log);
    tcase_add_test(t, proc_exit_status_and_tail);
    tcase_add_test(t, proc_missing_program);
    tcase_add_test(t, proc_cwd_quiet_first_line_root);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    ck_tmp_cleanup();
    return failed ? 1 : 0;
}
