/*
** check_train_exact.c — the trainer's quantized forward pass must be
** BIT-IDENTICAL to the reference engine: every intermediate tensor against
** eng_trace_run (generic oracle) and the latent / sent words against the
** fast eng_encode, on all crossings of the shared data (8,000; 8,000
** synthetic ones when the data are not there), for several models and
** weight sets, at 5 links (9-bit latents) and 2 links (3-bit truncation).
** Prints the mismatch count of every case; any mismatch fails.
*/
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_file.h"
#include "data/dataset.h"
#include "engine/engine.h"
#include "model/model_io.h"
#include "train/trn.h"

static dat_set data;
static const char *data_name;

static void load_data(void)
{
    char path[4096];
    rad_err err = { 0 };
    if (dat_default_path(path, sizeof path, &err) == 0
        && dat_load(path, DAT_FMT_AUTO, NULL, &data, &err) == 0) {
        data_name = "shared data";
        return;
    }
    fprintf(stderr, "note: %s; using 8000 synthetic crossings\n", err.msg);
    ck_assert(trn_synth(&data, 8000, 77, &err) == 0);
    data_name = "synthetic";
}

/* Mismatching crossings between the trainer and the engine for model m
** with weights from a net built with `seed` (optionally a few epochs of
** training first, so the weights are not merely random). */
static long compare(mdl_model *m, uint64_t seed, int links, int train_epochs)
{
    rad_err err = { 0 };
    ck_assert_msg(mdl_set_links(m, links, &err) == 0, "%s", err.msg);
    trn_net *net = NULL;
    ck_assert_msg(trn_net_new(m, seed, &net, &err) == 0, "%s", err.msg);
    if (train_epochs) {
        dat_set part, rest;
        dat_split(&data, 0.1, &part, &rest);
        trn_config cfg;
        trn_config_default(&cfg);
        cfg.epochs = train_epochs;
        cfg.emd_subset = 0;
        cfg.seed = seed;
        trn_result res;
        ck_assert(trn_fit(net, &part, NULL, &cfg, NULL, NULL, &res, &err) == 0);
    }
    ck_assert_msg(trn_net_export(net, m, &err) == 0, "%s", err.msg);
    eng_plan *plan = NULL;
    int fast = eng_compile(m, &plan, &err) == 0;
    trn_trace *tt = trn_trace_new(net);
    eng_trace *et = eng_trace_new(m);
    ck_assert(tt && et);
    long bad = 0, tensors = 0;
    eng_out o;
    for (size_t k = 0; k < data.n; k++) {
        const uint32_t *q = dat_row(&data, k);
        trn_forward_exact(net, q, tt);
        eng_trace_run(m, q, et);
        int same = tt->n_tensors == et->n_tensors && tt->sum == et->out.sum
                && tt->msb == et->out.msb && tt->n_latent == et->out.n_latent;
        for (int i = 0; same && i < tt->n_tensors; i++) {
            same = tt->size[i] == et->size[i]
                && !memcmp(tt->t[i], et->t[i], (size_t)tt->size[i] * sizeof(int64_t));
            tensors++;
        }
        for (int i = 0; same && i < tt->n_latent; i++)
            same = tt->latent[i] == et->out.latent[i] && tt->sent[i] == et->out.sent[i];
        if (fast) {
            eng_encode(plan, q, &o);
            for (int i = 0; same && i < tt->n_latent; i++)
                same = tt->latent[i] == o.latent[i] && tt->sent[i] == o.sent[i];
        }
        bad += !same;
    }
    printf("%-14s seed %llu, %d links, %d epochs: %ld mismatches in %zu crossings "
           "(%s, %ld tensors compared%s)\n", m->name, (unsigned long long)seed, links,
           train_epochs, bad, data.n, data_name, tensors, fast ? ", + fast engine" : "");
    trn_trace_free(tt);
    eng_trace_free(et);
    eng_free(plan);
    trn_net_free(net);
    return bad;
}

static mdl_model *load(const char *path)
{
    mdl_model *m = NULL;
    rad_err err = { 0 };
    int rc;
    if (!path) {
        rc = mdl_load_default(&m, &err);
    } else if (strstr(path, "trained/")) {
        rc = mdl_load(path, NULL, &m, &err);
    } else {        /* a description only: zero weights, the net's own follow */
        char *text = NULL;
        size_t len;
        ck_assert_msg(rad_read_all(path, &text, &len, &err) == 0, "%s", err.msg);
        rc = mdl_parse(text, path, NULL, NULL, &m, &err);
        free(text);
    }
    ck_assert_msg(rc == 0, "%s", err.msg);
    return m;
}

START_TEST(test_default_model)
{
    mdl_model *m = load(NULL);
    ck_assert_int_eq(compare(m, 1, 5, 0), 0);
    ck_assert_int_eq(compare(m, 2, 2, 0), 0);
    ck_assert_int_eq(compare(m, 3, 5, 2), 0);    /* trained weights */
    ck_assert_int_eq(compare(m, 4, 2, 2), 0);
    mdl_free(m);
}
END_TEST

START_TEST(test_other_models)
{
    const char *paths[] = { "model/examples/econt_443.json", "model/examples/econt_dup.json",
                            "train/testdata/t_all.json" };
    for (int i = 0; i < 3; i++) {
        mdl_model *m = load(paths[i]);
        ck_assert_int_eq(compare(m, 10 + i, 5, 0), 0);
        ck_assert_int_eq(compare(m, 20 + i, 3, 0), 0);
        mdl_free(m);
    }
}
END_TEST

START_TEST(test_shipped_weights)
{
    const char *paths[] = { "train/trained/econt_5links.json", "train/trained/econt_2links.json" };
    for (int i = 0; i < 2; i++) {
        mdl_model *m = load(paths[i]);
        rad_err err = { 0 };
        trn_net *net = NULL;
        ck_assert(trn_net_new(m, 1, &net, &err) == 0);
        trn_net_load_weights(net, m);
        /* Loading the raw weights as shadow and re-quantizing is lossless. */
        mdl_model *back = mdl_clone(m);
        ck_assert(trn_net_export(net, back, &err) == 0);
        for (int l = 0; l < m->n_layers; l++)
            if (m->layers[l].n_w)
                ck_assert(!memcmp(m->layers[l].w, back->layers[l].w,
                                  m->layers[l].n_w * sizeof(int64_t)));
        trn_net_free(net);
        mdl_free(back);
        mdl_free(m);
    }
}
END_TEST

int main(void)
{
    load_data();
    Suite *s = suite_create("train_exact");
    TCase *tc = tcase_create("exact");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_default_model);
    tcase_add_test(tc, test_other_models);
    tcase_add_test(tc, test_shipped_weights);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    dat_free(&data);
    return failed ? 1 : 0;
}
