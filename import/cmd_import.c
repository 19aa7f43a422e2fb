/*
** cmd_import.c — `rad4ml import`: a Keras / QKeras HDF5 model into a rad4ml
** model description + weights (all or nothing).
*/
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "model/model_io.h"
#include "tools/cmd.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: rad4ml import MODEL.h5 --out M.json [options]\n\n"
        "Reads a Keras / QKeras model saved as HDF5 (architecture in its model_config\n"
        "attribute, or --json) and writes a rad4ml model: M.json + M.weights.\n"
        "QKeras quantizers are reproduced bit for bit; what cannot be is refused.\n\n"
        "options:\n"
        "  --out M.json        model description to write (weights beside it)\n"
        "  --weights W         weights file to write (default: M.weights)\n"
        "  --json ARCH.json    architecture from this file (model.to_json())\n"
        "  --stop-at LAYER     import up to and including this layer\n"
        "  --pad LAYER=same    a user padding layer (any class) that makes the next\n"
        "                      'valid' conv a 'same' one (comma list for several)\n"
        "  --quantize FMT      format for float Conv2D / Dense weights, e.g.\n"
        "                      'fixed<8,1,RND_CONV,SAT>' (approximates the float layer)\n"
        "  --bn-format FMT     format of weights and biases after folding a\n"
        "                      BatchNormalization into the layer before it\n"
        "  --name NAME         model name (default: the Keras model's)\n"
        "  --verify IO.txt     run the engine on the inputs of a reference file and\n"
        "                      require its outputs exactly (nothing written otherwise)\n"
        "  --strict            fail unless every step is bit-exact with QKeras\n");
}

/* Parses the options, imports, prints the notes, verifies (--verify) and
** only then writes both files (mdl_save: temporaries + rename).  Exit 0,
** 1 on any failure (nothing written), 2 on a usage error. */
int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        { "out", 1, 0, 'o' }, { "weights", 1, 0, 'w' }, { "json", 1, 0, 'j' },
        { "stop-at", 1, 0, 's' }, { "pad", 1, 0, 'p' }, { "quantize", 1, 0, 'q' }, { "bn-format", 1, 0, 'b' },
        { "name", 1, 0, 'n' }, { "verify", 1, 0, 'v' }, { "strict", 0, 0, 'S' },
        { "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
    imp_opts o = { 0 };
    const char *out = NULL, *weights = NULL, *verify = NULL;
    int strict = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'w': weights = optarg; break;
        case 'j': o.arch_json = optarg; break;
        case 's': o.stop_at = optarg; break;
        case 'p': o.pad = optarg; break;
        case 'q': o.quantize = optarg; break;
        case 'b': o.bn_format = optarg; break;
        case 'n': o.name = optarg; break;
        case 'v': verify = optarg; break;
        case 'S': strict = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc || !out) {
        fprintf(stderr, "rad4ml import: %s\n", optind + 1 != argc ? "give one MODEL.h5"
                                                               : "--out M.json is required");
        usage(stderr);
        return 2;
    }
    o.path = argv[optind];
    rad_err err = { 0, "" };
    imp_result res;
    mdl_model *m = NULL;
    int rc = imp_keras(&o, &m, &res, &err);
    if (!rc)
        fputs(res.notes, stdout);
    if (!rc && strict && !res.exact)
        rc = rad_errf(&err, RAD_ESCHEMA, "%s: --strict: not bit-exact with QKeras (see the notes)",
                      o.path);
    if (!rc && verify) {
        long nv, nm;
        rc = imp_verify(m, verify, &nv, &nm, &err);
        if (!rc || rc == RAD_EMISMATCH)
            printf("verify %s: %ld vectors, %ld mismatches\n", verify, nv, nm);
    }
    if (!rc)
        rc = mdl_save(m, out, weights, &err);
    if (!rc)
        printf("imported %s: %d layers, %zu weights -> %s\n", m->name, m->n_layers,
               mdl_param_count(m), out);
    mdl_free(m);
    if (rc) {
        fprintf(stderr, "rad4ml import: %s\n", err.msg);
        return 1;
    }
    return 0;
}
