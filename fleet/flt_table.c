/*
** flt_table.c — the fleet's CSV tables (train.csv, images/index.csv,
** verify.csv): reading them back and splitting rows (see fleet.h).
*/
#include <stdlib.h>
#include <string.h>

#include "common/rad_file.h"
#include "fleet/fleet.h"

int flt_csv_fields(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line; p && n < max; n++) {
        f[n] = p;
        p = strchr(p, ',');
        if (p)
            *p++ = 0;
    }
    return n;
}

void flt_rows_free(char **rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
}

/* Contract (fleet.h): the provenance block's '#' lines skipped, the header
** checked (its line named on a mismatch), every other line a malloc'd row;
** on an error nothing is returned. */
int flt_table_read(const char *path, const char *header, char ***rows, size_t *n,
                   rad_err *err)
{
    char *buf;
    size_t len;
    *rows = NULL;
    *n = 0;
    int rc = rad_read_all(path, &buf, &len, err);
    if (rc)
        return rc;
    size_t hl = strlen(header);
    char *h = buf;
    int ln = 1;
    for (; *h == '#' && strchr(h, '\n'); ln++)      /* the provenance block */
        h = strchr(h, '\n') + 1;
    if (strncmp(h, header, hl) || h[hl] != '\n') {
        free(buf);
        return rad_errf(err, RAD_ESCHEMA, "%s:%d: expected the header '%s'", path, ln, header);
    }
    char **r = NULL;
    for (char *line = h + hl + 1; *line && !rc; ) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        char **rr = realloc(r, (*n + 1) * sizeof *rr);
        char *copy = rr ? strdup(line) : NULL;
        if (rr)
            r = rr;
        if (!copy)
            rc = rad_errf(err, RAD_ENOMEM, "out of memory");
        else
            r[(*n)++] = copy;
        line = nl ? nl + 1 : line + strlen(line);
    }
    free(buf);
    *rows = r;
    if (rc) {
        flt_rows_free(r, *n);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

