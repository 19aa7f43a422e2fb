/*
** cmd_image.c — `rad4ml image decode|verify`: read a weight image back.
**
** The image file (model_io.h, model/FORMAT.md) names its model by SHA-256
** and carries a CRC-32; decode turns it back into a weights file, verify
** compares it with one, naming the first differing layer and index.
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_io.h"
#include "tools/cmd.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: rad4ml image decode IMAGE [--model M.json] [--out W]\n"
        "       rad4ml image verify IMAGE --weights W [--model M.json]\n"
        "\n"
        "Reads a weight image (PREFIX.i2c.hex of train / info --i2c-hex, or the\n"
        "cfg-word <top>_weights.hex of gen): checks its header, word count and\n"
        "CRC-32, and that it was written for the model given (SHA-256 of the\n"
        "description; default: the built-in ECON-T model).\n"
        "  decode   writes the encoder weights back as a weights file (to W, or\n"
        "           stdout); the float decoder is not in the image: it comes from\n"
        "           the model's own weights\n"
        "  verify   exit 0 only when the image holds exactly the encoder weights\n"
        "           of W; else names the first differing layer and index\n"
        "\n"
        "  --model FILE     model description the image was written for\n"
        "  --weights FILE   weights to compare with (verify)\n"
        "  --out FILE       decoded weights file (decode; default stdout)\n"
        "Exit status: 0 ok, 1 bad image / mismatch, 2 usage error.\n");
}

typedef struct {
    const char *verb, *image, *model, *weights, *out;
} img_args;

/* 0 ok, 1 --help printed, 2 usage error (message printed). */
static int parse(int argc, char **argv, img_args *a)
{
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "weights", required_argument, 0, 'w' },
        { "out", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    memset(a, 0, sizeof *a);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': a->model = optarg; break;
        case 'w': a->weights = optarg; break;
        case 'o': a->out = optarg; break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    const char *bad = NULL;
    if (argc - optind != 2)
        bad = "give a verb (decode or verify) and one IMAGE file";
    else if (strcmp(argv[optind], "decode") && strcmp(argv[optind], "verify"))
        bad = "the verb is decode or verify";
    else if (!strcmp(argv[optind], "verify") && !a->weights)
        bad = "verify needs --weights W";
    else if (!strcmp(argv[optind], "verify") && a->out)
        bad = "--out is for decode";
    else if (!strcmp(argv[optind], "decode") && a->weights)
        bad = "--weights is for verify (decode takes the weights from the image)";
    if (bad) {
        fprintf(stderr, "rad4ml image: %s\n", bad);
        return 2;
    }
    a->verb = argv[optind];
    a->image = argv[optind + 1];
    return 0;
}

static int decode(const img_args *a, mdl_model *m, rad_err *err)
{
    if (a->out)
        return mdl_save_weights(m, a->out, err);
    char *t = mdl_weights_text(m);
    if (!t)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    fputs(t, stdout);
    free(t);
    return RAD_OK;
}

int cmd_image(int argc, char **argv)
{
    img_args a;
    int rc = parse(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : 2;
    rad_err err = { 0, "" };
    mdl_model *m = NULL, *ref = NULL;
    mdl_image im;
    rc = mdl_image_read(a.image, &im, &err);
    if (!rc)
        rc = a.model ? mdl_load(a.model, a.weights, &ref, &err) : mdl_load_default(&ref, &err);
    if (!rc && !a.model && a.weights)
        rc = mdl_load_weights(ref, a.weights, &err);
    if (!rc && !(m = mdl_clone(ref)))
        rc = rad_errf(&err, RAD_ENOMEM, "out of memory");
    if (!rc)
        rc = mdl_image_unpack(&im, a.image, m, &err);
    char where[256] = "";
    if (!rc && !strcmp(a.verb, "decode"))
        rc = decode(&a, m, &err);
    else if (!rc && mdl_weights_compare(m, ref, where, sizeof where))
        rc = rad_errf(&err, RAD_EMISMATCH, "%s differs from %s: first at %s (image against "
                      "weights)", a.image, a.weights, where);
    else if (!rc)
        printf("image verify: %s holds exactly the encoder weights of %s (%zu words of %d "
               "bits, CRC-32 0x%08x)\n", a.image, a.weights, im.words, im.word_bits, im.crc);
    mdl_image_free(&im);
    mdl_free(m);
    mdl_free(ref);
    if (rc) {
        fprintf(stderr, "rad4ml image: %s\n", err.msg);
        return 1;
    }
    return 0;
}
