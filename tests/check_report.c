/*
** check_report.c — unit tests of the report's building blocks: text buffer
** growth and HTML escaping, axis ticks, colour maps, axis mapping.
*/
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt.h"

START_TEST(buffer_and_escape)
{
    rpt_buf b = { 0 };
    for (int i = 0; i < 20000; i++)
        rpt_printf(&b, "%d,", i % 10);
    ck_assert_int_eq(b.len, 40000);
    ck_assert(!b.oom);
    ck_assert_int_eq(b.s[39998], '9');
    rpt_buf_free(&b);
    rpt_puts_esc(&b, "a<b & \"c\">");
    ck_assert_str_eq(b.s, "a&lt;b &amp; &quot;c&quot;&gt;");
    rpt_buf_free(&b);
}
END_TEST

START_TEST(ticks)
{
    double t[16];
    int n = rpt_ticks(0, 10, 6, t);
    ck_assert_int_eq(n, 6);
    ck_assert(t[0] == 0 && t[1] == 2 && t[5] == 10);
    n = rpt_ticks(0.13, 0.91, 8, t);
    ck_assert(n >= 4 && n <= 8);
    ck_assert(t[0] >= 0.13 - 1e-12 && t[n - 1] <= 0.91 + 1e-12);
    for (int i = 1; i < n; i++)
        ck_assert(fabs((t[i] - t[i - 1]) - 0.2) < 1e-12);
    n = rpt_ticks(-3, 3, 7, t);
    ck_assert(t[0] == -3 && t[n - 1] == 3);
    ck_assert(t[3] == 0);
    ck_assert_int_eq(rpt_ticks(5, 5, 6, t), 1);
}
END_TEST

START_TEST(colors)
{
    char c0[8], c1[8], ch[8], cn[8];
    rpt_color(0, c0);
    rpt_color(1, c1);
    rpt_color(0.5, ch);
    rpt_color(NAN, cn);
    ck_assert_str_eq(c0, "#440154");
    ck_assert_str_eq(c1, "#fde725");
    ck_assert_str_eq(cn, c0);
    ck_assert_int_eq(strlen(ch), 7);
    ck_assert_str_ne(ch, c0);
    ck_assert_str_ne(rpt_series_color(0), rpt_series_color(1));
    ck_assert_str_eq(rpt_series_color(8), rpt_series_color(0));
}
END_TEST

START_TEST(axes)
{
    rpt_axes a = { 100, 50, 200, 100, 0, 10, 0, 5, 0 };
    ck_assert(fabs(rpt_px(&a, 5) - 200) < 1e-9);
    ck_assert(fabs(rpt_py(&a, 0) - 150) < 1e-9);
    ck_assert(fabs(rpt_py(&a, 5) - 50) < 1e-9);
    rpt_axes l = { 0, 0, 100, 100, 0, 1, 1, 1000, 1 };
    ck_assert(fabs(rpt_py(&l, 10) - 100.0 * 2 / 3) < 1e-9);
    ck_assert(fabs(rpt_py(&l, 0) - 100) < 1e-9);   /* clamps below ymin */
    rpt_buf b = { 0 };
    rpt_svg_open(&b, "fig-x", 300, 200, "T <1>");
    rpt_svg_axes(&b, &a, "x (mm)", "y");
    rpt_svg_close(&b);
    ck_assert_ptr_nonnull(strstr(b.s, "<svg id=\"fig-x\""));
    ck_assert_ptr_nonnull(strstr(b.s, "T &lt;1&gt;"));
    ck_assert_ptr_nonnull(strstr(b.s, "x (mm)"));
    ck_assert_ptr_nonnull(strstr(b.s, "</svg>"));
    rpt_buf_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, buffer_and_escape);
    tcase_add_test(tc, ticks);
    tcase_add_test(tc, colors);
    tcase_add_test(tc, axes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
