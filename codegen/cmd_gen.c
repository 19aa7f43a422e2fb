/*
** cmd_gen.c — `rad4ml gen`: Verilog RTL, HLS C and the weight image.
*/
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/cg.h"
#include "codegen/cg_tb.h"
#include "common/rad_file.h"
#include "model/model_io.h"
#include "tools/cli.h"
#include "tools/cmd.h"

/* The `rad4ml gen --help` text, to fp. */
static void usage(FILE *fp)
{
    fprintf(fp,
        "usage: rad4ml gen [options]\n"
        "Generates the encoder block of a model as Verilog-2005 RTL (<top>.v,\n"
        "<top>_cfg.v), HLS C (<top>_hls.c/.h) and the weight image as cfg words\n"
        "(<top>_weights.hex).  Output is deterministic.\n\n"
        "  --model FILE        model description (default: built-in ECON-T)\n"
        "  --weights FILE      weights file (default: the model's own)\n"
        "  --random-weights S  replace the weights by mdl_init_random(seed S)\n"
        "  --out DIR           output directory (default: gen)\n"
        "  --top NAME          top module / HLS function name (default: rad4ml_ae)\n"
        "  --weights-mode M    reg (configuration registers, default) or const\n"
        "  --pipeline D        extra register stages, 0 = combinational between the\n"
        "                      input and output registers (default 1; latency D+2)\n"
        "  --links N           reset value of n_links (default: the model's)\n"
        "  --reuse R|SPEC      reuse factor (default 1): each conv/dense neuron gets\n"
        "                      ceil(K/R) multipliers serving its K products in R clocks\n"
        "                      of a clock R x the crossing rate, one crossing every R\n"
        "                      clocks; per layer: e.g. dense=4,conv=2 (name or kind)\n"
        "  --arith A           neuron arithmetic at reuse 1: tree (default: a multiplier\n"
        "                      per product, adder tree), csa (one bit heap per neuron,\n"
        "                      Dadda tree, one final adder, exact width) or booth (csa\n"
        "                      with radix-4 Booth recoded weights); same results;\n"
        "                      fpga (reuse > 1: shift-and-add soft multipliers on\n"
        "                      carry chains, 2:1 operand trees: FPGA LUT fabric)\n"
        "  --fpga-dsp N        with --arith fpga: up to N products written as `*` for\n"
        "                      DSP blocks (last layer first), the rest soft (default 0)\n"
        "  --protect P         configuration register protection: none (default),\n"
        "                      tmr or secded (scrubbed every clock; ERR_STATUS counts)\n"
        "  --tmr-control       triplicate the control registers (valid / cfg-change\n"
        "                      flags, out_valid, out_cfg_chg) with majority voters\n"
        "  --protect-all tmr   full TMR: every flip-flop (input, pipeline, output,\n"
        "                      control, counters) triplicated with voted feedback;\n"
        "                      combines with --protect tmr (the default) or secded;\n"
        "                      upsets anywhere counted at ERR_STATUS\n"
        "  --what LIST         comma list of rtl,hls,image (default: all)\n"
        "  --templates DIR     HLS templates (default: built in, from hls_templates/)\n"
        "  --random-model S    a small random model (tests: every rounding/overflow mode)\n"
        "  --testbench         also write a self-checking Verilog testbench <top>_tb.v with\n"
        "                      <top>_stim.hex and <top>_expected.hex (codegen/cg_tb.h)\n"
        "  --vectors FILE      testbench crossings: the user's (CSV / ePortRX, every one\n"
        "                      compared); default: the built-in schedule (corners, real\n"
        "                      crossings, random, weight reload through the cfg port)\n"
        "  --tb-crossings N    built-in schedule: crossings (default 2000)\n"
        "  --tb-seed S         built-in schedule: seed (default 1)\n"
        "  --tb-data FILE|none built-in schedule: real crossings (default: the sample)\n");
}

/* --testbench and its options. */
typedef struct {
    bool        on;
    const char *vectors, *data;
    size_t      crossings;
    uint64_t    seed;
} tb_args;

static int tb_opt(tb_args *tb, int c, const char *arg, rad_err *err)
{
    switch (c) {
    case 'B': tb->on = true; return 0;
    case 'V': tb->vectors = arg; tb->on = true; return 0;
    case 'D': tb->data = arg; return 0;
    case 'N': return rad_cli_size("--tb-crossings", arg, 1, SIZE_MAX, &tb->crossings, err);
    default:  return rad_cli_u64("--tb-seed", arg, 0, UINT64_MAX, &tb->seed, err);
    }
}

static int gen_testbench(const mdl_model *m, const cg_opts *o, const char *out,
                         const tb_args *tb, rad_err *err)
{
    cg_tb_stats st;
    int rc = cg_gen_testbench_files(m, o, out, tb->vectors, tb->crossings, tb->seed, tb->data,
                                    &st, err);
    if (!rc)
        printf("gen: %s/%s_tb.v %s/%s_stim.hex %s/%s_expected.hex (%zu cycles, %zu crossings, "
               "%zu compared%s)\n", out, o->top, out, o->top, out, o->top, st.cycles,
               st.crossings, st.checked, tb->vectors ? ", the user's vectors" :
               st.reload ? ", reload mid-stream" : "");
    return rc;
}

/* `rad4ml gen`: options, the model (tools/cli.h loader, then optional
** random weights and link count), then the products --what names (the
** testbench first, so that a bad vectors file leaves nothing). */
int cmd_gen(int argc, char **argv)
{
    static const struct option opts[] = {
        { "model", required_argument, 0, 'm' }, { "weights", required_argument, 0, 'w' },
        { "random-weights", required_argument, 0, 'r' }, { "out", required_argument, 0, 'o' },
        { "top", required_argument, 0, 't' }, { "weights-mode", required_argument, 0, 'M' },
        { "pipeline", required_argument, 0, 'p' }, { "links", required_argument, 0, 'l' },
        { "protect", required_argument, 0, 'P' }, { "tmr-control", no_argument, 0, 'C' },
        { "protect-all", required_argument, 0, 'A' }, { "what", required_argument, 0, 'W' },
        { "templates", required_argument, 0, 'T' }, { "help", no_argument, 0, 'h' },
        { "random-model", required_argument, 0, 'X' },
        { "testbench", no_argument, 0, 'B' }, { "vectors", required_argument, 0, 'V' },
        { "tb-crossings", required_argument, 0, 'N' }, { "tb-seed", required_argument, 0, 'S' },
        { "tb-data", required_argument, 0, 'D' }, { "reuse", required_argument, 0, 'U' },
        { "arith", required_argument, 0, 'a' }, { "fpga-dsp", required_argument, 0, 'F' },
        { 0, 0, 0, 0 }
    };
    const char *out = "gen", *what = "rtl,hls,image";
    const char *tpl = NULL;
    cli_model_src src = CLI_MODEL_SRC_INIT;
    long seed = -1, links = 0;
    tb_args tb = { .crossings = 2000, .seed = 1 };
    cg_opts o;
    cg_opts_default(&o);
    rad_err err = { 0 };
    int c, rc = 0;
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': src.model = optarg; break;
        case 'w': src.weights = optarg; break;
        case 'r': rc = rad_cli_long("--random-weights", optarg, 0, LONG_MAX, &seed, &err); break;
        case 'o': out = optarg; break;
        case 't': case 'M': case 'p':
            rc = cg_opts_set(&o, c == 't' ? "top" : c == 'M' ? "weights-mode" : "pipeline",
                             optarg, &err);
            break;
        case 'l': rc = rad_cli_long("--links", optarg, 0, MDL_MAX_LINKS, &links, &err); break;
        case 'C': o.tmr_ctrl = true; break;
        case 'P': rc = cg_opts_set(&o, "protect", optarg, &err); break;
        case 'A': rc = cg_opts_set(&o, "protect-all", optarg, &err); break;
        case 'U': rc = cg_opts_set(&o, "reuse", optarg, &err); break;
        case 'a': rc = cg_opts_set(&o, "arith", optarg, &err); break;
        case 'F': rc = cg_opts_set(&o, "fpga-dsp", optarg, &err); break;
        case 'W': what = optarg; break;
        case 'T': tpl = optarg; break;
        case 'X': rc = cli_random_model_opt(optarg, &src, &err); break;
        case 'B': case 'V': case 'N': case 'S': case 'D': rc = tb_opt(&tb, c, optarg, &err); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!rc && optind < argc)
        rc = rad_errf(&err, RAD_EUSAGE, "unexpected argument '%s'", argv[optind]);
    if (rc)
        return cli_usage_error("gen", &err);
    const char *model = src.model, *weights = src.weights;
    mdl_model *m = NULL;
    rc = cli_model_load(&src, &m, &err);
    if (!rc && seed >= 0)
        mdl_init_random(m, (uint64_t)seed);
    if (!rc && links)
        rc = mdl_set_links(m, (int)links, &err);
    if (!rc)
        rc = mdl_validate(m, &err);
    if (!rc)
        rc = cg_reuse_check(m, &o, &err);
    char wname[4200];
    snprintf(wname, sizeof wname, "%s%s", weights ? weights : model ? "(model's weights file)" : "built-in",
             seed >= 0 ? " (replaced by mdl_init_random)" : "");
    char rname[300];
    o.model_name = cli_model_name(&src, rname, sizeof rname);
    o.weights_name = wname;
    bool created = false;
    if (!rc)
        rc = rad_mkdir_out(out, &created, &err);
    bool any = false;
    if (!rc && tb.on)       /* first: a bad vectors file leaves nothing behind */
        rc = gen_testbench(m, &o, out, &tb, &err);
    if (!rc && strstr(what, "rtl")) {
        any = true;
        rc = cg_gen_verilog(m, &o, out, &err);
        if (!rc)
            printf("gen: %s/%s.v %s/%s_cfg.v (latency %d clocks, weights %s)\n", out, o.top, out,
                   o.top, cg_latency_of(m, &o), o.weights == CG_WEIGHTS_REG ? "reg" : "const");
    }
    if (!rc && strstr(what, "hls")) {
        any = true;
        rc = cg_gen_hls(m, &o, tpl, out, &err);
        if (!rc)
            printf("gen: %s/%s_hls.c %s/%s_hls.h\n", out, o.top, out, o.top);
    }
    if (!rc && strstr(what, "image")) {
        any = true;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s_weights.hex", out, o.top);
        rc = cg_gen_image(m, &o, path, &err);
        if (!rc)
            printf("gen: %s\n", path);
    }
    char rd[1024];
    if (!rc && any) {
        cg_reuse_describe(m, &o, rd, sizeof rd);    /* the clock relation */
        if (*rd)
            printf("gen: %s\n", rd);
    }
    mdl_free(m);
    if ((rc || !any) && created)
        rad_rmdir_created(out);         /* a failed gen leaves no folder behind */
    if (rc) {
        fprintf(stderr, "rad4ml gen: %s\n", err.msg);
        return 1;
    }
    if (!any) {
        fprintf(stderr, "rad4ml gen: --what '%s' names nothing (rtl, hls, image)\n", what);
        return 2;
    }
    return 0;
}
