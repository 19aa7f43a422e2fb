/*
** rad4ml — command-line front end.  Dispatches to one subcommand per
** pipeline stage: data -> train -> model -> gen -> sim/synth -> report.
*/
#include <stdio.h>
#include <string.h>

#include "tools/cmd.h"

#include "common/rad_prov.h"

typedef struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} command;

static const command COMMANDS[] = {
    { "import",  cmd_import,  "a Keras / QKeras HDF5 model into a rad4ml model, bit-exact" },
    { "info",    cmd_info,    "validate and describe a model + weights" },
    { "image",   cmd_image,   "decode / verify a weight image (header, CRC-32, model hash)" },
    { "convert", cmd_convert, "convert crossings between ePortRX CSV and 48-charge CSV" },
    { "eval",    cmd_eval,    "EMD of the autoencoder vs threshold / best-choice / STC" },
    { "train",   cmd_train,   "quantization-aware training, emits integer weights" },
    { "gen",     cmd_gen,     "generate Verilog RTL and HLS C from a model" },
    { "run",     cmd_run,     "the C reference on a file of inputs: outputs, traces" },
    { "diff",    cmd_diff,    "compare a simulation's outputs with the reference" },
    { "sim",     cmd_sim,     "C reference vs HLS C vs Verilator vs Icarus, bit for bit" },
    { "seu",     cmd_seu,     "single-event-upset injection campaigns (C and RTL)" },
    { "synth",   cmd_synth,   "Yosys synthesis figures (cells, area, logic depth)" },
    { "report",  cmd_report,  "self-contained HTML report with plots" },
    { "flow",    cmd_flow,    "the whole flow on the built-in default" },
    { "fleet",   cmd_fleet,   "per-module weights: fine-tune, images, verify in RTL, report" },
    { "merge",   cmd_merge,   "partial results of --shard i/N runs -> the unsharded output" },
    { "submit",  cmd_submit,  "run a sharded job's shards locally (xargs -P) or on Slurm" },
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *fp)
{
    fprintf(fp, "rad4ml %s — from training to a radiation-tolerant NN block, bit-exact\n\n"
                "usage: rad4ml <command> [options]   (rad4ml <command> --help)\n\n"
                "commands:\n", RAD_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(fp, "  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")
        || !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("rad4ml %s (revision %s)\n", RAD_VERSION, rad_revision());
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name))
            return COMMANDS[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "rad4ml: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
