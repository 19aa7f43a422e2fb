/*
** cmd_report.c — `rad4ml report`: the self-contained HTML report.
*/
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/rpt.h"
#include "tools/cli.h"
#include "tools/cmd.h"

static void usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml report [options]\n"
"Writes one self-contained HTML page (inline SVG, no scripts, no network):\n"
"EMD table, histograms and occupancy plot, an event display of real\n"
"crossings, the SEU sensitivity map and the area / depth / power table.\n"
"A default input that does not exist gives a \"not available\" section; a\n"
"file named on the command line must be the rad4ml result of its kind.\n"
"Every figure is for one model, weights, link count and data file: taken\n"
"from --model/--weights/--links/--data when given, else from the inputs'\n"
"provenance (eval first); an input computed from anything else is refused.\n\n"
"  --out FILE       the page (default out/report.html)\n"
"  --eval FILE      rad4ml eval --json output (default out/eval.json)\n"
"  --seu FILE       rad4ml seu sensitivity JSON (default out/seu.json)\n"
"  --synth FILE     rad4ml synth --json output (default out/synth.json)\n"
"  --seu-rate FILE  rad4ml seu --rate-json output: upset rates, MTBUE, fill\n"
"                   damage (default out/seu_rate.json)\n"
"  --seu-set FILE   rad4ml seu --set-json output: transients in the gate\n"
"                   netlist (default out/seu_set.json)\n"
"                   (--eval/--seu/--synth/--seu-rate/--seu-set none: leave\n"
"                   that section out)\n"
"  --model FILE     model for the histograms / event display (default built-in)\n"
"  --weights FILE   its weights\n"
"  --data FILE      crossings (default the shared real data set)\n"
"  --links N        output links for the autoencoder and baselines (default:\n"
"                   the inputs', else the model's)\n"
"  --hist-n N       hold-out crossings for the EMD histograms (default 1000)\n"
"  --events N       crossings in the event display, 1..6 (default 3)\n"
"  --fleet DIR      add the fleet section (rad4ml fleet --out DIR: EMD per\n"
"                   module, base vs fine-tuned, and the RTL verification)\n");
}

/* `rad4ml report`: parses the options and writes the HTML page
** (rpt_write).  Exit 0, 1 on an error, 2 on bad usage. */
int cmd_report(int argc, char **argv)
{
    static const struct option LONG[] = {
        { "out", 1, 0, 'o' },   { "eval", 1, 0, 'e' },    { "seu", 1, 0, 's' },
        { "synth", 1, 0, 'y' }, { "model", 1, 0, 'm' },   { "weights", 1, 0, 'w' },
        { "data", 1, 0, 'd' },  { "links", 1, 0, 'l' },   { "hist-n", 1, 0, 'n' },
        { "events", 1, 0, 'E' },{ "fleet", 1, 0, 'F' },    { "help", 0, 0, 'h' },
        { "seu-rate", 1, 0, 'R' }, { "seu-set", 1, 0, 'S' },    { 0, 0, 0, 0 } };
    rpt_opts o;
    rpt_opts_default(&o);
    optind = 1;
    int c, rc = 0;
    rad_err err = { 0 };
    while (!rc && (c = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        switch (c) {
        case 'o': o.out = optarg; break;
        case 'e': o.eval_json = optarg; o.eval_given = true; break;
        case 's': o.seu_json = optarg; o.seu_given = true; break;
        case 'y': o.synth_json = optarg; o.synth_given = true; break;
        case 'R': o.rate_json = optarg; o.rate_given = true; break;
        case 'S': o.set_json = optarg; o.set_given = true; break;
        case 'm': o.model = optarg; break;
        case 'F': o.fleet_dir = optarg; break;
        case 'w': o.weights = optarg; break;
        case 'd': o.data = optarg; break;
        case 'l': rc = rad_cli_int("--links", optarg, 1, 13, &o.links, &err); break;
        case 'n': rc = rad_cli_int("--hist-n", optarg, 1, INT_MAX, &o.n_hist, &err); break;
        case 'E': rc = rad_cli_int("--events", optarg, 1, 6, &o.n_events, &err); break;
        case 'h': usage(stdout); return 0;
        default: goto bad;
        }
    }
    if (rc)
        return cli_usage_error("report", &err);
    if (optind < argc)
        goto bad;
    /* "none": leave the section out ("not available", no default file) */
    if (o.eval_json && !strcmp(o.eval_json, "none"))
        o.eval_json = NULL;
    if (o.seu_json && !strcmp(o.seu_json, "none"))
        o.seu_json = NULL;
    if (o.synth_json && !strcmp(o.synth_json, "none"))
        o.synth_json = NULL;
    if (o.rate_json && !strcmp(o.rate_json, "none"))
        o.rate_json = NULL;
    if (o.set_json && !strcmp(o.set_json, "none"))
        o.set_json = NULL;
    rad_err note = { 0 };
    rc = rpt_write(&o, &note, &err);
    if (note.code)
        fprintf(stderr, "rad4ml report: %s\n", note.msg);
    if (rc) {
        fprintf(stderr, "rad4ml report: %s\n", err.msg);
        return 1;
    }
    printf("rad4ml report: wrote %s\n", o.out);
    return 0;
bad:
    fprintf(stderr, "rad4ml report: bad option or value\n");
    usage(stderr);
    return 2;
}
