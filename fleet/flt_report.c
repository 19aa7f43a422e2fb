/*
** flt_report.c — `rad4ml fleet report`: per module, hold-out EMD of the base
** model and of its fine-tuned weights, and the RTL verification (when
** verify.csv exists).  Prints the table and writes it as OUT/report.md.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rad_file.h"
#include "fleet/flt_cli.h"

/* Result column of module `id` in verify.csv rows, or "not verified". */
static const char *verified(char **vrows, size_t nv, const char *id, char *buf, size_t len)
{
    size_t il = strlen(id);
    for (size_t i = 0; i < nv; i++)
        if (!strncmp(vrows[i], id, il) && vrows[i][il] == ',') {
            char copy[512], *c[10];
            snprintf(copy, sizeof copy, "%s", vrows[i]);
            if (flt_csv_fields(copy, c, 10) == 9) {
                snprintf(buf, len, "%s (%s compared, %s mismatches)", c[8], c[4], c[5]);
                return buf;
            }
        }
    return "not verified";
}

static void table(FILE *fp, char **rows, size_t n, char **vrows, size_t nv, int *better)
{
    fprintf(fp, "| module | geometry | links | hold-out | base EMD | fine-tuned EMD | change "
                "| weights | RTL (Verilator, one design) |\n|---|---|---|---|---|---|---|---|---|\n");
    double s0 = 0, s1 = 0;
    *better = 0;
    for (size_t i = 0; i < n; i++) {
        char copy[512], *c[FLT_TRAIN_FIELDS + 1], vb[128];
        snprintf(copy, sizeof copy, "%s", rows[i]);
        if (flt_csv_fields(copy, c, FLT_TRAIN_FIELDS + 1) != FLT_TRAIN_FIELDS)
            continue;
        double e0 = atof(c[5]), e1 = atof(c[6]);
        s0 += e0;
        s1 += e1;
        *better += e1 < e0;
        fprintf(fp, "| %s | %s | %s | %s | %.3f | %.3f | %+.1f %% | %s | %s |\n", c[0], c[1],
                c[2], c[4], e0, e1, e0 > 0 ? 100 * (e1 - e0) / e0 : 0.0, c[7],
                verified(vrows, nv, c[0], vb, sizeof vb));
    }
    if (n)
        fprintf(fp, "| **mean** | | | | %.3f | %.3f | %+.1f %% | | |\n", s0 / (double)n,
                s1 / (double)n, s0 > 0 ? 100 * (s1 - s0) / s0 : 0.0);
}

int flt_report(const flt_args *a, rad_err *err)
{
    char path[4200];
    char **rows = NULL, **vrows = NULL;
    size_t n = 0, nv = 0;
    snprintf(path, sizeof path, "%s/train.csv", a->out);
    int rc = flt_table_read(path, FLT_TRAIN_HEADER, &rows, &n, err);
    snprintf(path, sizeof path, "%s/verify.csv", a->out);
    if (!rc && access(path, R_OK) == 0)
        rc = flt_table_read(path, FLT_VERIFY_HEADER, &vrows, &nv, err);
    int better = 0;
    rad_file f;
    snprintf(path, sizeof path, "%s/report.md", a->out);
    if (!rc && !(rc = rad_file_open(&f, path, err))) {
        fprintf(f.fp, "# Fleet %s: %zu modules\n\nMedian EMD on each module's hold-out "
                "crossings (last 25 %%), base model vs its fine-tuned weights.\n\n", a->out, n);
        table(f.fp, rows, n, vrows, nv, &better);
        fprintf(f.fp, "\nFine-tuning lowered the EMD of %d of %zu modules.\n", better, n);
        rc = rad_file_commit(&f, err);
    }
    if (!rc) {
        table(stdout, rows, n, vrows, nv, &better);
        printf("fleet report: fine-tuning lowered the EMD of %d of %zu modules; wrote %s\n",
               better, n, path);
    }
    flt_rows_free(rows, n);
    flt_rows_free(vrows, nv);
    return rc;
}
