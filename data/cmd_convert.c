/*
** cmd_convert.c — `rad4ml convert`: crossings between ePortRX CSV (the 12
** eRx words the ECON-T receives) and plain CSV (48 CALQ charges).
*/
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "data/dataset.h"
#include "tools/cmd.h"

static void convert_usage(FILE *fp)
{
    fprintf(fp,
"usage: rad4ml convert [options] IN OUT\n"
"\n"
"Converts bunch crossings between the two formats:\n"
"  eportrx  12 eRx words per row (4E3M trigger-cell codes, as the ECON-T\n"
"           receives them); decoded through the front end: 4E3M -> 22-bit\n"
"           charge, MUX (mapping), calibration CALQ = charge*CALVALUE >> 11\n"
"  csv      48 CALQ charges per row (header CALQ_0..CALQ_47)\n"
"Writing eportrx re-encodes each charge to 4E3M: lossy (the compression of\n"
"the HGCROC), and calibration is not undone.\n"
"\n"
"options:\n"
"  --from FMT       eportrx | csv | auto (default auto: 12 or 48 columns)\n"
"  --to FMT         csv (default) | eportrx\n"
"  --mapping FILE   TC mapping CSV (TC_Number, ECON_TC_Number_PreMux);\n"
"                   default: built-in LD mapping (= ldm_tc_mapping.csv)\n"
"  --calib FILE     48 CALVALUE registers (default 2048 = pass-through)\n"
"  --drop-lsb N     dropped LSBs of the 4E3M codes: 1 = LD (default), 3 = HD\n"
"  -h, --help\n"
"Exit status 0 ok, 1 bad input (message names file:line:column), 2 usage.\n");
}

static int parse_fmt(const char *s, dat_format *fmt)
{
    if (!strcmp(s, "eportrx")) *fmt = DAT_FMT_EPORTRX;
    else if (!strcmp(s, "csv")) *fmt = DAT_FMT_CSV;
    else if (!strcmp(s, "auto")) *fmt = DAT_FMT_AUTO;
    else return -1;
    return 0;
}

/* `rad4ml convert`: ePortRX CSV -> 48-charge CSV (or back) through the
** mapping and calibration given; output all-or-nothing.  Exit 0, 1 on a
** conversion error, 2 on bad usage. */
int cmd_convert(int argc, char **argv)
{
    static const struct option opts[] = {
        { "from", required_argument, 0, 'f' },
        { "to", required_argument, 0, 't' },
        { "mapping", required_argument, 0, 'm' },
        { "calib", required_argument, 0, 'c' },
        { "drop-lsb", required_argument, 0, 'd' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    dat_format from = DAT_FMT_AUTO, to = DAT_FMT_CSV;
    const char *mapping = NULL, *calib = NULL;
    int drop = 1, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (parse_fmt(optarg, &from)) {
                fprintf(stderr, "rad4ml convert: --from %s: expected eportrx, csv "
                        "or auto\n", optarg);
                return 2;
            }
            break;
        case 't':
            if (parse_fmt(optarg, &to) || to == DAT_FMT_AUTO) {
                fprintf(stderr, "rad4ml convert: --to %s: expected csv or eportrx\n",
                        optarg);
                return 2;
            }
            break;
        case 'm': mapping = optarg; break;
        case 'c': calib = optarg; break;
        case 'd':
            if (strcmp(optarg, "1") && strcmp(optarg, "3") && strcmp(optarg, "0")
                && strcmp(optarg, "2")) {
                fprintf(stderr, "rad4ml convert: --drop-lsb %s: expected 0..3 "
                        "(LD 1, HD 3)\n", optarg);
                return 2;
            }
            drop = optarg[0] - '0';
            break;
        case 'h': convert_usage(stdout); return 0;
        default: convert_usage(stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        convert_usage(stderr);
        return 2;
    }
    const char *in = argv[optind], *out = argv[optind + 1];
    dat_frontend fe;
    dat_frontend_default(&fe);
    fe.drop_lsb = drop;
    rad_err err = { 0, "" };
    dat_set set;
    int rc = RAD_OK;
    if (mapping)
        rc = dat_frontend_load_mapping(&fe, mapping, &err);
    if (!rc && calib)
        rc = dat_frontend_load_calib(&fe, calib, &err);
    if (!rc)
        rc = dat_load(in, from, &fe, &set, &err);
    if (rc) {
        fprintf(stderr, "rad4ml convert: %s\n", err.msg);
        return 1;
    }
    rad_prov prov;
    rad_prov_init(&prov, to == DAT_FMT_CSV ? "csv" : "eportrx", "convert");
    rc = rad_prov_src_file(&prov.data, in, &err);
    prov.rows = (long)set.n;
    rad_prov_opt(&prov, "drop-lsb", "%d", drop);
    if (mapping)
        rad_prov_opt(&prov, "mapping", "%s", mapping);
    if (calib)
        rad_prov_opt(&prov, "calib", "%s", calib);
    if (!rc)
        rc = to == DAT_FMT_CSV ? dat_write_csv(out, &set, &prov, &err)
                               : dat_write_eportrx(out, &fe, &set, &prov, &err);
    if (rc)
        fprintf(stderr, "rad4ml convert: %s\n", err.msg);
    else
        fprintf(stderr, "rad4ml convert: %zu crossings -> %s\n", set.n, out);
    dat_free(&set);
    return rc ? 1 : 0;
}
