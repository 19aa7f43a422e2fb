/*
** check_vec.c — the engine on files (engine/eng_vec.h) and the row-by-row
** reader (data/dataset.h dat_stream): exact decimal latents, the sent-word
** bit layout, output rows read back equal to what was written, tensor
** values on / off the grid, and stream errors naming file:line:column.
*/
#include <check.h>
#include <string.h>

#include "common/rad_file.h"
#include "engine/eng_vec.h"
#include "sim/sim.h"
#include "tests/ck_tmp.h"

/* Random models: a written output row parses back to the same record, and
** its real-valued column is raw * 2^-F exactly. */
START_TEST(csv_rows_read_back)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        mdl_model *m;
        rad_err err;
        ck_assert_int_eq(sim_random_model(seed, &m, &err), 0);
        eng_plan *p;
        ck_assert_int_eq(eng_compile(m, &p, &err), 0);
        const char *path = ck_tmp_write("rows.csv", "");
        FILE *f = fopen(path, "w");
        eng_csv_header(f, m, false);
        eng_out o[50];
        uint32_t q[MDL_MAX_CELLS];
        for (int r = 0; r < 50; r++) {
            sim_vector(m, NULL, 0, seed, (size_t)r * 7, q);
            eng_encode(p, q, &o[r]);
            eng_csv_row(f, m, (size_t)r, &o[r], NULL);
        }
        fclose(f);
        eng_rec_reader *rr;
        ck_assert_int_eq(eng_rec_open(m, path, &rr, &err), 0);
        fxp_fmt lf = mdl_latent_fmt(m);
        for (int r = 0; r < 50; r++) {
            eng_rec got, want;
            ck_assert_int_eq(eng_rec_next(rr, &got, &err), 1);
            eng_rec_from_out(m, r, &o[r], &want);
            ck_assert_int_eq(eng_rec_cmp(m, &want, &got), -1);
            ck_assert_int_eq(got.index, r);
        }
        eng_rec got;
        ck_assert_int_eq(eng_rec_next(rr, &got, &err), 0);
        eng_rec_close(rr);
        /* the real-valued column of row 0, latent 0, against fxp_str_dec */
        char *text;
        size_t len;
        ck_assert_int_eq(rad_read_all(path, &text, &len, &err), 0);
        char *row = strchr(text, '\n') + 1, *c = row;
        for (int k = 0; k < 2 + o[0].n_latent; k++)
            c = strchr(c, ',') + 1;
        char want[256];
        fxp_str_dec(o[0].sent[0], &lf, want, sizeof want);
        ck_assert_int_eq(strncmp(c, want, strlen(want)), 0);
        ck_assert(c[strlen(want)] == ',');
        free(text);
        eng_free(p);
        mdl_free(m);
    }
}
END_TEST

/* The sent word: sum code in the low bits, then B-bit two's-complement
** latents, LSB first. */
START_TEST(sent_word_layout)
{
    mdl_model *m;
    rad_err err;
    ck_assert_int_eq(mdl_load_default(&m, &err), 0);
    int cw = m->in.sum_exp_bits + m->in.sum_mant_bits, b = mdl_latent_bits(m);
    ck_assert_int_eq(eng_word_bits(m), cw + mdl_latent_count(m) * b);
    eng_out o = { .sum_code = 0x155, .n_latent = mdl_latent_count(m) };
    for (int k = 0; k < o.n_latent; k++)
        o.sent[k] = (k * 37) & ((1 << b) - 1);
    uint32_t w[8];
    eng_sent_word(m, &o, w, 8);
    ck_assert_uint_eq(w[0] & ((1u << cw) - 1), 0x155);
    for (int k = 0; k < o.n_latent; k++) {
        uint32_t v = 0;
        for (int i = 0; i < b; i++) {
            int bit = cw + b * k + i;
            v |= ((w[bit / 32] >> (bit % 32)) & 1u) << i;
        }
        ck_assert_uint_eq(v, (uint32_t)o.sent[k]);
    }
    mdl_free(m);
}
END_TEST

/* Tensor text: exact grid values accepted, others named by line:column. */
START_TEST(tensor_values)
{
    fxp_fmt f = fxp_format(8, 1, true);         /* fixed<8,1>: steps 2^-7, [-1, 1) */
    const char *ok = ck_tmp_write("t.txt", "x0,x1,x2\n0.5,-1,0.9921875\n+0.0078125,0,-0.25\n");
    dat_stream *s;
    rad_err err;
    int64_t x[3];
    ck_assert_int_eq(dat_stream_open(ok, DAT_FMT_AUTO, NULL, 3, 22, &s, &err), 0);
    ck_assert_int_eq(dat_stream_next_tensor(s, &f, x, &err), 1);
    ck_assert(x[0] == 64 && x[1] == -128 && x[2] == 127);
    ck_assert_int_eq(dat_stream_next_tensor(s, &f, x, &err), 1);
    ck_assert(x[0] == 1 && x[1] == 0 && x[2] == -32);
    ck_assert_int_eq(dat_stream_next_tensor(s, &f, x, &err), 0);
    dat_stream_close(s);
    static const struct { const char *text, *msg; } bad[] = {
        { "0,0,1\n", ":1:3: 1 is out of the range" },
        { "0,0.001,0\n", ":1:2: 0.001 is not on the grid" },
        { "0,0,abc\n", ":1:3: not a decimal number" },
        { "0,0\n", ":1:3: 2 columns, expected 3" },
        { "\n\n", ": no crossings (empty file)" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *p = ck_tmp_write("bad.txt", bad[i].text);
        ck_assert_int_eq(dat_stream_open(p, DAT_FMT_AUTO, NULL, 3, 22, &s, &err), 0);
        ck_assert_int_lt(dat_stream_next_tensor(s, &f, x, &err), 0);
        ck_assert_msg(strstr(err.msg, bad[i].msg), "%s", err.msg);
        dat_stream_close(s);
    }
}
END_TEST

/* Charge rows of a non-ECON-T model: width checked per model. */
START_TEST(stream_charges)
{
    const char *p = ck_tmp_write("c.csv", "7,0,3\n8,1,2\n");
    dat_stream *s;
    rad_err err;
    uint32_t q[3];
    ck_assert_int_eq(dat_stream_open(p, DAT_FMT_AUTO, NULL, 3, 3, &s, &err), 0);
    ck_assert_int_eq(dat_stream_next(s, q, &err), 1);
    ck_assert(q[0] == 7 && q[2] == 3);
    ck_assert_int_lt(dat_stream_next(s, q, &err), 0);
    ck_assert_msg(strstr(err.msg, "c.csv:2:1: charge 8 beyond 3 bits"), "%s", err.msg);
    dat_stream_close(s);
}
END_TEST

int main(void)
{
    if (ck_tmp_init("check_vec"))
        return 1;
    Suite *su = suite_create("vec");
    TCase *tc = tcase_create("vec");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, csv_rows_read_back);
    tcase_add_test(tc, sent_word_layout);
    tcase_add_test(tc, tensor_values);
    tcase_add_test(tc, stream_charges);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ck_tmp_cleanup();
    return failed ? 1 : 0;
}
