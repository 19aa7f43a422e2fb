/*
** cmd_info.c — `rad4ml info`: validate a model + weights and describe it.
*/
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg.h"
#include "engine/engine.h"
#include "model/model_io.h"
#include "tools/cli.h"
#include "tools/cmd.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: rad4ml info [--model M.json [--weights W]] [options]\n"
        "\n"
        "Validates a model description and its weights and prints the layers,\n"
        "shapes, fixed-point formats, parameter and bit counts and MACs.\n"
        "Without --model: the built-in ECON-T default.\n"
        "\n"
        "  --model FILE        model description (JSON, see model/FORMAT.md)\n"
        "  --weights FILE      weights file (default: the JSON's \"weights\" field,\n"
        "                      else FILE.json -> FILE.weights)\n"
        "  --no-weights        load the description only (all weights zero)\n"
        "  --links N           number of output links (1..13) for the latent bits\n"
        "  --random-weights S  replace the weights by deterministic random ones (seed S)\n"
        "  --random-model S    a small random model instead (as gen; --save-json keeps it)\n"
        "  --save-json FILE    write the (validated) model back: FILE and its .weights\n"
        "  --save-weights FILE write only the weights file\n"
        "  --i2c-hex FILE      write the I2C weight image as hex words\n"
        "  --i2c-word-bits N   bits per I2C word (default 1072, the ECON-T register)\n"
        "  --reuse R|SPEC      also print the hardware of rad4ml gen --reuse R|SPEC:\n"
        "                      multipliers per layer and the clock relation\n"
        "  -h, --help\n"
        "Exit status: 0 valid, 1 invalid or I/O error (message names file and field),\n"
        "2 usage error.\n");
}

static void fmt_s(const fxp_fmt *f, char *buf, size_t n)
{
    fxp_fmt_str(f, buf, n);
}

/* Prints the human-readable summary of m (converter, each layer with its
** shapes and formats, latent, decoder, weight image size, MACs) to stdout.
** m must be valid (mdl_validate). */
static void describe(const mdl_model *m)
{
    char a[80], b[80], c[80];
    const mdl_input *in = &m->in;
    printf("model %s (format version %d)\n", m->name, MDL_FORMAT_VERSION);
    fmt_s(&in->fmt, a, sizeof a);
    printf("input converter: %d cells x %d-bit charges, normalization %s, inputs %s,\n"
           "  module sum as %d-bit float (%d-bit exponent, %d-bit mantissa)\n",
           in->n_cells, in->charge_bits, in->norm == MDL_NORM_MSB ? "msb (q / 2^msb(sum))" : "none",
           a, in->sum_exp_bits + in->sum_mant_bits, in->sum_exp_bits, in->sum_mant_bits);
    printf("encoder layers:\n");
    printf("  %-2s %-10s %-8s %-10s %-10s %8s %8s %8s  %s\n", "#", "name", "type", "in", "out",
           "params", "bits", "MACs", "details");
    size_t tp = 0, tb = 0, tm = 0;
    for (int i = 0; i < m->n_layers; i++) {
        const mdl_layer *l = &m->layers[i];
        char si[32], so[32];
        snprintf(si, sizeof si, "%dx%dx%d", l->in.h, l->in.w, l->in.c);
        snprintf(so, sizeof so, "%dx%dx%d", l->out.h, l->out.w, l->out.c);
        size_t np = l->n_w + l->n_b;
        size_t nb = l->n_w * (size_t)l->w_fmt.width + l->n_b * (size_t)l->b_fmt.width;
        if (l->kind == MDL_MAP || l->kind == MDL_FLATTEN)
            nb = 0;
        size_t macs = mdl_layer_macs(l);
        tp += np;
        tb += nb;
        tm += macs;
        printf("  %-2d %-10s %-8s %-10s %-10s %8zu %8zu %8zu  ", i, l->name, mdl_kind_name(l->kind),
               si, so, np, nb, macs);
        if (l->kind == MDL_MAP) {
            int z = 0;
            for (int k = 0; k < mdl_shape_size(l->out); k++)
                z += l->map[k] < 0;
            printf("wiring, %d constant-zero positions\n", z);
        } else if (l->kind == MDL_FLATTEN) {
            printf("relabel\n");
        } else {
            fmt_s(&l->w_fmt, a, sizeof a);
            fmt_s(&l->b_fmt, b, sizeof b);
            fmt_s(&l->out_fmt, c, sizeof c);
            if (l->kind == MDL_CONV2D)
                printf("kernel %dx%d stride %dx%d pad t%d b%d l%d r%d; ", l->k.kh, l->k.kw, l->k.sh,
                       l->k.sw, l->k.pt, l->k.pb, l->k.pl, l->k.pr);
            printf("w %s b %s", a, b);
            if (l->has_acc_fmt) {
                fmt_s(&l->acc_fmt, a, sizeof a);
                printf(" acc %s", a);
            }
            printf(" %s out %s\n", mdl_act_name(l->act), c);
        }
    }
    printf("  total: %zu parameters, %zu weight bits (I2C image %zu bits), %zu MACs/inference\n",
           tp, tb, mdl_i2c_bits(m), tm);
    fxp_fmt lf = mdl_latent_fmt(m);
    fmt_s(&lf, a, sizeof a);
    printf("output: %d latent values, %d links -> %d bits each (%s), %d bits + %d-bit sum\n",
           mdl_latent_count(m), m->out.n_links, mdl_latent_bits(m), a,
           mdl_latent_count(m) * mdl_latent_bits(m), in->sum_exp_bits + in->sum_mant_bits);
    printf("  bits by links:");
    for (int k = 1; k <= MDL_MAX_LINKS; k++)
        printf(" %d:%d", k, m->out.bits_by_links[k]);
    printf("\n");
    if (m->n_dec) {
        printf("float decoder (%s):\n", m->preserve_sum ? "preserve_sum" : "no sum rescaling");
        for (int i = 0; i < m->n_cond; i++)
            printf("  condition %d: %s, scale %g, offset %g (decoder input %d)\n", i,
                   mdl_cond_name(m->cond[i].kind), m->cond[i].scale, m->cond[i].offset,
                   mdl_latent_count(m) + i);
        for (int i = 0; i < m->n_dec; i++) {
            const mdl_flayer *l = &m->dec[i];
            printf("  %-2d %-12s %-16s %dx%dx%d -> %dx%dx%d %s", i, l->name, mdl_fkind_name(l->kind),
                   l->in.h, l->in.w, l->in.c, l->out.h, l->out.w, l->out.c,
                   l->kind == MDL_F_RESHAPE ? "" : mdl_act_name(l->act));
            if (l->kind == MDL_F_CONV2D || l->kind == MDL_F_CONV2D_T)
                printf(" kernel %dx%d stride %dx%d %s t%d b%d l%d r%d", l->k.kh, l->k.kw, l->k.sh, l->k.sw,
                       l->kind == MDL_F_CONV2D ? "pad" : "crop", l->k.pt, l->k.pb,
                       l->k.pl, l->k.pr);
            printf("\n");
        }
        printf("  total: %zu float parameters, %zu MACs/crossing (back end)\n",
               mdl_dec_param_count(m), mdl_dec_macs(m));
    } else {
        printf("no decoder\n");
    }
}

/* `rad4ml info`: loads (or draws) a model, prints describe(), and saves the
** JSON / weights / I2C image when asked.  Exit 0, 1 on an error, 2 on bad
** usage. */
int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        { "model", 1, 0, 'm' }, { "weights", 1, 0, 'w' }, { "links", 1, 0, 'l' }, { "no-weights", 0, 0, 'n' },
        { "random-weights", 1, 0, 'r' }, { "save-json", 1, 0, 'j' },
        { "save-weights", 1, 0, 's' }, { "i2c-hex", 1, 0, 'i' },
        { "i2c-word-bits", 1, 0, 'b' }, { "random-model", 1, 0, 'R' }, { "help", 0, 0, 'h' },
        { "reuse", 1, 0, 'U' },
        { 0, 0, 0, 0 } };
    cg_opts go;
    cg_opts_default(&go);
    const char *model = NULL, *weights = NULL, *save_json = NULL, *save_w = NULL, *i2c = NULL;
    int links = 0, word_bits = 1072, no_weights = 0, c, rc = 0;
    long seed = -1, rmodel = -1;
    rad_err err = { 0, "" };
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': model = optarg; break;
        case 'w': weights = optarg; break;
        case 'n': no_weights = 1; break;
        case 'l': rc = rad_cli_int("--links", optarg, 1, MDL_MAX_LINKS, &links, &err); break;
        case 'r': rc = rad_cli_long("--random-weights", optarg, 0, LONG_MAX, &seed, &err); break;
        case 'j': save_json = optarg; break;
        case 's': save_w = optarg; break;
        case 'i': i2c = optarg; break;
        case 'b': rc = rad_cli_int("--i2c-word-bits", optarg, 4, 1 << 20, &word_bits, &err); break;
        case 'R': rc = rad_cli_long("--random-model", optarg, 0, LONG_MAX, &rmodel, &err); break;
        case 'U': rc = cg_opts_set(&go, "reuse", optarg, &err); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (rc)
        return cli_usage_error("info", &err);
    cli_model_src src = { model, weights, rmodel, no_weights != 0, 0 };
    mdl_model *m = NULL;
    rc = cli_model_load(&src, &m, &err);
    if (!rc && links)
        rc = mdl_set_links(m, links, &err);
    if (!rc && seed >= 0) {
        mdl_init_random(m, (uint64_t)seed);
        rc = mdl_validate(m, &err);
    }
    if (!rc && go.reuse[0])
        rc = cg_reuse_check(m, &go, &err);
    if (!rc)
        describe(m);
    char rd[1024];
    if (!rc && go.reuse[0]) {
        cg_reuse_describe(m, &go, rd, sizeof rd);
        printf("hardware (gen --reuse %s): %s\n", go.reuse, rd);
    }
    if (!rc) {
        eng_plan *p;
        if (!(rc = eng_compile(m, &p, &err))) {
            printf("engine: %s path\n", eng_plan_is_fast(p) ? "fast (compiled int16/int32)"
                                                           : "generic only (values beyond int16)");
            eng_free(p);
        }
    }
    rad_prov p;
    rad_prov_init(&p, "model", "info");
    if (!rc && save_json)
        rc = mdl_save_prov(m, save_json, NULL, &p, &err);
    if (!rc && save_w)
        rc = mdl_save_weights_prov(m, save_w, &p, &err);
    if (!rc && i2c)
        rc = mdl_i2c_write_hex(m, word_bits, &p, i2c, &err);
    mdl_free(m);
    if (rc) {
        fprintf(stderr, "rad4ml info: %s\n", err.msg);
        return 1;
    }
    return 0;
}
