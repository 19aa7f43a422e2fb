/*
** cmd_flow.c — `rad4ml flow`: the whole pipeline on one model, in order
**
**   [train] -> info -> eval -> gen -> sim -> seu -> synth -> report
**
** Each step is the subcommand a user would type, run as a child process of
** this same executable (/proc/self/exe), so that a step sees exactly the
** options printed here, a crash in one step cannot corrupt the next, and
** the log reads as a script one can replay by hand.  The flow stops at the
** first failing step and says which one.
**
** synth needs nothing the steps before it write (it generates its own RTL
** per configuration) and is by far the longest step, so it starts right
** after gen, beside sim and seu, with its output going to OUT/synth.log;
** that log is printed in its place once sim and seu are done.  sim and seu
** then run at lower priority (nice), so that the longest Yosys run (the
** critical path of the flow) keeps a core to itself.  --serial runs the
** steps one after the other, as before.
*/
#include <getopt.h>
#include <stdbool.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/rad_err.h"
#include "model/model_io.h"
#include "common/rad_file.h"
#include "common/rad_proc.h"
#include "tools/cli.h"
#include "tools/cmd.h"

#define FLOW_MAX_ARGS 48
#define FLOW_ARG_LEN  1024

enum { STEP_TRAIN, STEP_INFO, STEP_EVAL, STEP_GEN, STEP_SIM, STEP_SEU, STEP_SYNTH,
       STEP_REPORT, STEP_COUNT };

static const char *const step_name[STEP_COUNT] = {
    "train", "info", "eval", "gen", "sim", "seu", "synth", "report"
};

/* What the user chose; every string is borrowed from argv. */
typedef struct {
    const char *out, *model, *weights, *data;
    const char *synth_protect;
    const char *synth_liberty;      /* NULL: generic gates only */
    long        train_epochs;       /* 0: use the model's weights as they are */
    long        sim_vectors, icarus_vectors;
    long        seu_crossings;
    long        seu_set;            /* --seu-set N: transient pulses (0: none) */
    int         skip[STEP_COUNT];
    int         dry_run;
    int         serial;             /* --serial: no synth beside sim / seu */
} flow_opts;

/* One command line under construction. */
typedef struct {
    int  argc;
    char argv[FLOW_MAX_ARGS][FLOW_ARG_LEN];
} flow_cmd;

static void arg(flow_cmd *c, const char *fmt, ...)
{
    if (c->argc >= FLOW_MAX_ARGS - 1)
        return;                         /* cannot happen with the fixed steps below */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->argv[c->argc++], FLOW_ARG_LEN, fmt, ap);
    va_end(ap);
}

/* The options every model-reading step shares. */
static void model_args(flow_cmd *c, const flow_opts *o)
{
    if (o->model)
        arg(c, "--model"), arg(c, "%s", o->model);
    if (o->weights)
        arg(c, "--weights"), arg(c, "%s", o->weights);
}

static void data_args(flow_cmd *c, const flow_opts *o)
{
    if (o->data)
        arg(c, "--data"), arg(c, "%s", o->data);
}

/* Builds the command line of step s. */
static void build_step(int s, const flow_opts *o, flow_cmd *c)
{
    c->argc = 0;
    arg(c, "%s", step_name[s]);
    switch (s) {
    case STEP_TRAIN:
        model_args(c, o);
        arg(c, "--data"), arg(c, "%s", o->data ? o->data : "default");
        arg(c, "--epochs"), arg(c, "%ld", o->train_epochs);
        arg(c, "--check-exact"), arg(c, "--quiet");
        arg(c, "--out"), arg(c, "%s/model/trained", o->out);
        break;
    case STEP_INFO:
        model_args(c, o);
        break;
    case STEP_EVAL:
        model_args(c, o), data_args(c, o);
        arg(c, "--json"), arg(c, "%s/eval.json", o->out);
        break;
    case STEP_GEN:
        model_args(c, o);
        arg(c, "--out"), arg(c, "%s/rtl", o->out);
        break;
    case STEP_SIM:
        model_args(c, o), data_args(c, o);
        arg(c, "--rtl"), arg(c, "%s/rtl", o->out);
        arg(c, "--vectors"), arg(c, "%ld", o->sim_vectors);
        arg(c, "--icarus-vectors"), arg(c, "%ld", o->icarus_vectors);
        arg(c, "--workdir"), arg(c, "%s/work/sim", o->out);
        break;
    case STEP_SEU:
        model_args(c, o), data_args(c, o);
        arg(c, "--select"), arg(c, "--upsets"), arg(c, "1");
        arg(c, "--crossings"), arg(c, "%ld", o->seu_crossings);
        arg(c, "--json"), arg(c, "%s/seu.json", o->out);
        arg(c, "--rate-json"), arg(c, "%s/seu_rate.json", o->out);
        if (o->seu_set)
            arg(c, "--set"), arg(c, "--samples"), arg(c, "%ld", o->seu_set),
            arg(c, "--set-json"), arg(c, "%s/seu_set.json", o->out),
            arg(c, "--work"), arg(c, "%s/work/seu", o->out);
        break;
    case STEP_SYNTH:
        model_args(c, o), data_args(c, o);
        arg(c, "--protect"), arg(c, "%s", o->synth_protect);
        arg(c, "--pipeline"), arg(c, "1");
        arg(c, "--power"), arg(c, "--modules");
        if (o->synth_liberty)
            arg(c, "--liberty"), arg(c, "%s", o->synth_liberty);
        arg(c, "--json"), arg(c, "%s/synth.json", o->out);
        break;
    case STEP_REPORT:
        model_args(c, o), data_args(c, o);
        arg(c, "--out"), arg(c, "%s/report.html", o->out);
        /* only what the flow made: a named input must exist (report) */
        if (!o->skip[STEP_EVAL])
            arg(c, "--eval"), arg(c, "%s/eval.json", o->out);
        if (!o->skip[STEP_SEU])
            arg(c, "--seu"), arg(c, "%s/seu.json", o->out),
            arg(c, "--seu-rate"), arg(c, "%s/seu_rate.json", o->out);
        if (!o->skip[STEP_SEU] && o->seu_set)
            arg(c, "--seu-set"), arg(c, "%s/seu_set.json", o->out);
        else
            arg(c, "--seu-set"), arg(c, "none");
        if (!o->skip[STEP_SYNTH])
            arg(c, "--synth"), arg(c, "%s/synth.json", o->out);
        break;
    }
}

static void print_cmd(FILE *fp, const flow_cmd *c)
{
    fputs("rad4ml", fp);
    for (int i = 0; i < c->argc; i++)
        fprintf(fp, " %s", c->argv[i]);
    fputc('\n', fp);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void nap(void)
{
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
}

/* A step started in the background (synth beside sim and seu). */
typedef struct {
    int      step;        /* STEP_*; -1: none                                */
    rad_proc p;
    int      status;      /* exit status once ended; -1 while it runs        */
    double   t0, t1;      /* start and end (now_s)                           */
    char     log[FLOW_ARG_LEN];
} flow_bg;

/* Starts `self c...` (output to log, or inherited when log is NULL; at
** lower priority with nice); 0, or 127 with a message if it could not. */
static int start_cmd(const flow_cmd *c, const char *log, bool nice, rad_proc *p)
{
    char *av[FLOW_MAX_ARGS + 2];
    av[0] = "rad4ml";
    for (int i = 0; i < c->argc; i++)
        av[i + 1] = (char *)c->argv[i];
    av[c->argc + 1] = NULL;
    rad_proc_opts o = { .path = "/proc/self/exe", .log = log, .nice = nice };
    rad_err err = { 0 };
    if (rad_proc_start(av, &o, p, &err)) {
        fprintf(stderr, "rad4ml flow: cannot start a step: %s\n", err.msg);
        return 127;
    }
    return 0;
}

/* Starts step s in the background, its output to OUT/<step>.log (see the
** file comment); 0, or 127 if it could not start. */
static int start_bg(const flow_opts *o, int s, flow_bg *bg)
{
    flow_cmd c;
    build_step(s, o, &c);
    snprintf(bg->log, sizeof bg->log, "%s/%s.log", o->out, step_name[s]);
    printf("\n=== flow step %s: started now, beside sim and seu (output: %s, printed "
           "below when it ends)\n$ ", step_name[s], bg->log);
    print_cmd(stdout, &c);
    bg->t0 = now_s();
    if (start_cmd(&c, bg->log, false, &bg->p))
        return 127;
    bg->step = s;
    bg->status = -1;
    return 0;
}

/* Books the end of the background step if it has ended (its end time is
** taken here, so poll often). */
static void poll_bg(flow_bg *bg)
{
    int st;
    if (bg->step >= 0 && bg->status < 0 && rad_proc_poll(&bg->p, &st)) {
        bg->status = st;
        bg->t1 = now_s();
    }
}

/* Runs `self c...` and waits, polling the background step meanwhile;
** returns its exit status (127 if it could not start, 128 + signal if it
** was killed). */
static int run_cmd(const flow_cmd *c, bool nice, flow_bg *bg)
{
    rad_proc p;
    if (start_cmd(c, NULL, nice, &p))
        return 127;
    int st;
    while (!rad_proc_poll(&p, &st)) {
        poll_bg(bg);
        nap();
    }
    return st;
}

/* Waits for the background step, then prints its log where its output
** would have been; returns its exit status. */
static int finish_bg(flow_bg *bg)
{
    while (bg->status < 0) {
        poll_bg(bg);
        nap();
    }
    FILE *fp = fopen(bg->log, "r");
    char buf[4096];
    size_t n;
    while (fp && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        fwrite(buf, 1, n, stdout);
    if (fp)
        fclose(fp);
    else
        printf("(its log %s cannot be read)\n", bg->log);
    fflush(stdout);
    return bg->status;
}

/* Waits for the background step, prints its log in its place and books its
** status and wall time (start to end, measured while other steps ran). */
static void join_bg(flow_bg *bg, int *status, double *secs)
{
    printf("\n=== flow step %s (ran beside sim and seu; its log %s)\n", step_name[bg->step],
           bg->log);
    status[bg->step] = finish_bg(bg);
    secs[bg->step] = bg->t1 - bg->t0;
}

static void usage(FILE *fp)
{
    fputs("usage: rad4ml flow [options]\n"
          "The whole flow on one model (default: the built-in ECON-T with its trained\n"
          "weights and the shared real data), each step a rad4ml subcommand printed\n"
          "before it runs:\n"
          "  [train]  quantization-aware training (only with --train N)\n"
          "  info     the model, its formats and weight image\n"
          "  eval     EMD of the autoencoder vs threshold / BC / STC     -> OUT/eval.json\n"
          "  gen      Verilog RTL, HLS C, weight image                   -> OUT/rtl/\n"
          "  sim      C vs HLS C vs Verilator vs Icarus on OUT/rtl, bit for bit\n"
          "  seu      SEU sensitivity map + selective protection         -> OUT/seu.json\n"
          "           upset rates, MTBUE, fill damage                    -> OUT/seu_rate.json\n"
          "           transients in the gate netlist (--seu-set N)       -> OUT/seu_set.json\n"
          "  synth    Yosys figures per protection + power estimate      -> OUT/synth.json\n"
          "  report   the HTML page of all of the above                  -> OUT/report.html\n\n"
          "  --out DIR            output directory (default out)\n"
          "  --model FILE         model description (default: built-in)\n"
          "  --weights FILE       its weights\n"
          "  --data FILE          crossings, ePortRX or 48-charge CSV (default: shared data)\n"
          "  --train N            train N epochs first and use those weights\n"
          "  --skip LIST          comma list of steps to leave out (e.g. synth,sim)\n"
          "  --sim-vectors N      Verilator / HLS crossings (default 20000)\n"
          "  --icarus-vectors N   Icarus crossings (default 1000)\n"
          "  --seu-crossings N    crossings per sensitivity figure (default 200)\n"
          "  --seu-set N          also N single-event-transient pulses per protection on\n"
          "                       the flat gate netlist (default 0: off; the ECON-T netlist\n"
          "                       is ~1.5 M gates, a long run)\n"
          "  --synth-protect LIST protections synthesized (default none,tmr,secded)\n"
          "  --synth-liberty LIB  also map onto standard cells and time them (osu018 or a .lib;\n"
          "                       ~15 min cold)\n"
          "  --serial             run synth after seu instead of beside sim and seu\n"
          "  --dry-run            print the commands only\n", fp);
}

static int parse_skip(const char *list, flow_opts *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int s = 0; s < STEP_COUNT; s++)
            if (!strcmp(t, step_name[s]))
                o->skip[s] = found = 1;
        if (!found) {
            fprintf(stderr, "rad4ml flow: --skip: unknown step '%s'\n", t);
            return 2;
        }
    }
    return 0;
}

/* A count >= min through the shared checked parser (common/rad_cli.h). */
static int parse_count(const char *opt, const char *s, long min, long *v)
{
    rad_err e;
    return rad_cli_long(opt, s, min, LONG_MAX, v, &e) ? cli_usage_error("flow", &e) : 0;
}

/* Parses the `rad4ml flow` command line into o (defaults first): 0, -1
** after --help, or 2 with the message printed.  o keeps pointers into
** argv. */
static int parse_opts(int argc, char **argv, flow_opts *o)
{
    static const struct option lo[] = {
        { "out", required_argument, 0, 'o' }, { "model", required_argument, 0, 'm' },
        { "weights", required_argument, 0, 'w' }, { "data", required_argument, 0, 'd' },
        { "train", required_argument, 0, 't' }, { "skip", required_argument, 0, 's' },
        { "sim-vectors", required_argument, 0, 'V' }, { "icarus-vectors", required_argument, 0, 'I' },
        { "seu-crossings", required_argument, 0, 'C' }, { "synth-protect", required_argument, 0, 'P' },
        { "synth-liberty", required_argument, 0, 'L' },
        { "seu-set", required_argument, 0, 'T' },
        { "dry-run", no_argument, 0, 'n' }, { "serial", no_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    memset(o, 0, sizeof *o);
    o->out = "out";
    o->synth_protect = "none,tmr,secded";
    o->sim_vectors = 20000, o->icarus_vectors = 1000, o->seu_crossings = 200;
    int c, rc = 0;
    optind = 1;
    while (!rc && (c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'm': o->model = optarg; break;
        case 'w': o->weights = optarg; break;
        case 'd': o->data = optarg; break;
        case 't': rc = parse_count("--train", optarg, 1, &o->train_epochs); break;
        case 's': rc = parse_skip(optarg, o); break;
        case 'V': rc = parse_count("--sim-vectors", optarg, 1, &o->sim_vectors); break;
        case 'I': rc = parse_count("--icarus-vectors", optarg, 1, &o->icarus_vectors); break;
        case 'C': rc = parse_count("--seu-crossings", optarg, 1, &o->seu_crossings); break;
        case 'P': o->synth_protect = optarg; break;
        case 'T': rc = parse_count("--seu-set", optarg, 0, &o->seu_set); break;
        case 'L': o->synth_liberty = optarg; break;
        case 'n': o->dry_run = 1; break;
        case 'S': o->serial = 1; break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return 2;
        }
    }
    if (!rc && optind < argc) {
        fprintf(stderr, "rad4ml flow: unexpected argument '%s'\n", argv[optind]);
        rc = 2;
    }
    if (!rc && o->weights && !o->model) {
        fprintf(stderr, "rad4ml flow: --weights needs --model\n");
        rc = 2;
    }
    o->skip[STEP_TRAIN] |= o->train_epochs == 0;
    return rc;
}

/* The trained model replaces --model/--weights for every later step. */
static void use_trained(flow_opts *o, char *model, char *weights, size_t n)
{
    snprintf(model, n, "%s/model/trained.json", o->out);
    snprintf(weights, n, "%s/model/trained.weights", o->out);
    o->model = model;
    o->weights = weights;
}

/* Summary of what ran, each step's time and the whole flow's, written
** atomically to OUT/flow_summary.txt. */
static void write_summary(const flow_opts *o, const double *secs, const int *status,
                          double total)
{
    char path[FLOW_ARG_LEN];
    snprintf(path, sizeof path, "%s/flow_summary.txt", o->out);
    rad_file f;
    rad_err err = { 0 };
    if (rad_file_open(&f, path, &err)) {
        fprintf(stderr, "rad4ml flow: %s\n", err.msg);
        return;
    }
    rad_prov p;
    rad_prov_init(&p, "flow", "flow");
    if (mdl_prov_load(&p, o->model, o->weights, &err))      /* a failed step may be why */
        snprintf(p.model.name, sizeof p.model.name, "%s (not loadable: %.200s)",
                 o->model ? o->model : "built-in", err.msg);
    rad_prov_opt(&p, "train-epochs", "%ld", o->train_epochs);
    rad_prov_opt(&p, "sim-vectors", "%ld", o->sim_vectors);
    rad_prov_opt(&p, "icarus-vectors", "%ld", o->icarus_vectors);
    rad_prov_opt(&p, "seu-crossings", "%ld", o->seu_crossings);
    if (o->data)
        rad_prov_opt(&p, "data", "%s", o->data);
    rad_prov_text(f.fp, &p, "# ");
    printf("\nrad4ml flow summary (%s):\n", o->out);
    for (int s = 0; s < STEP_COUNT; s++) {
        const char *st = o->skip[s] ? "skipped" : status[s] < 0 ? "not run" :
                         status[s] == 0 ? "ok" : "FAILED";
        char line[128];
        snprintf(line, sizeof line, "  %-7s %-8s %8.1f s\n", step_name[s], st, secs[s]);
        fputs(line, stdout);
        fputs(line, f.fp);
    }
    char line[128];
    snprintf(line, sizeof line, "  %-16s %8.1f s (wall, the whole flow)\n", "total", total);
    fputs(line, stdout);
    fputs(line, f.fp);
    if (rad_file_commit(&f, &err))
        fprintf(stderr, "rad4ml flow: %s\n", err.msg);
}

/* Contract: `rad4ml flow`: runs each step as the subcommand a user would
** type, printing it first; synth starts in the background when sim or seu
** would start (unless --serial, --dry-run or skipped) and is joined in its
** place.  Writes OUT/flow_summary.txt (each step's wall time, the total).
** Exit 0, or 1 after the first failing step (the background synth is
** still waited for, so no Yosys outlives the flow). */
int cmd_flow(int argc, char **argv)
{
    flow_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    rad_err err = { 0 };
    char sub[FLOW_ARG_LEN];
    snprintf(sub, sizeof sub, "%s/model", o.out);
    if (!o.dry_run && rad_mkdirs(sub, &err)) {
        fprintf(stderr, "rad4ml flow: %s\n", err.msg);
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    double t_flow = now_s();
    double secs[STEP_COUNT] = { 0 };
    int status[STEP_COUNT];
    char tmodel[FLOW_ARG_LEN], tweights[FLOW_ARG_LEN];
    flow_cmd c;
    for (int s = 0; s < STEP_COUNT; s++)
        status[s] = -1;
    flow_bg bg = { .step = -1, .status = -1 };
    for (int s = 0; s < STEP_COUNT && !rc; s++) {
        if (o.skip[s])
            continue;
        if (s >= STEP_SIM && s < STEP_SYNTH && bg.step < 0 && !o.serial && !o.dry_run
            && !o.skip[STEP_SYNTH] && (rc = start_bg(&o, STEP_SYNTH, &bg)) != 0) {
            status[STEP_SYNTH] = 127;
            break;
        }
        if (s == bg.step)
            join_bg(&bg, status, secs);
        else {
            build_step(s, &o, &c);
            printf("\n=== flow step %s\n$ ", step_name[s]);
            print_cmd(stdout, &c);
            double t0 = now_s();
            status[s] = o.dry_run ? 0 : run_cmd(&c, bg.step >= 0 && bg.status < 0, &bg);
            secs[s] = now_s() - t0;
        }
        if (status[s]) {
            fprintf(stderr, "rad4ml flow: step '%s' failed (exit %d); later steps not run\n",
                    step_name[s], status[s]);
            rc = 1;
        }
        if (s == STEP_TRAIN)
            use_trained(&o, tmodel, tweights, sizeof tmodel);
    }
    if (bg.step >= 0 && status[bg.step] < 0)     /* an earlier step failed: let it end */
        join_bg(&bg, status, secs);
    if (!o.dry_run)
        write_summary(&o, secs, status, now_s() - t_flow);
    if (!rc && !o.dry_run && !o.skip[STEP_REPORT])
        printf("open %s/report.html in a browser\n", o.out);
    return rc;
}
