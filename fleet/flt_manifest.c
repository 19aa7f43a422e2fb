/*
** flt_manifest.c — the fleet manifest (CSV) and each module's crossings.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_file.h"
#include "fleet/fleet.h"
#include "fleet/flt_part.h"
#include "model/model_io.h"
#include "train/trn.h"

static const char *const COLS[] = { "id", "data", "occupancy", "showers", "geometry",
                                    "links", "calib", "group" };
#define N_COLS 8                       /* the last, group, is optional */

void flt_manifest_free(flt_manifest *f)
{
    free(f->mod);
    memset(f, 0, sizeof *f);
}

long flt_manifest_find(const flt_manifest *f, const char *id)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->mod[i].id, id))
            return (long)i;
    return -1;
}

/* Splits a line at commas in place (no quoting); returns the field count. */
static int split(char *line, char **fields, int max)
{
    int n = 0;
    for (char *p = line;; p++) {
        if (n < max)
            fields[n] = p;
        n++;
        p = strchr(p, ',');
        if (!p)
            break;
        *p = 0;
    }
    for (int i = 0; i < n && i < max; i++) {           /* trim blanks */
        char *s = fields[i];
        while (*s == ' ' || *s == '\t')
            s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
            *--e = 0;
        fields[i] = s;
    }
    return n;
}

/* A path relative to the manifest's folder (absolute ones unchanged). */
static void resolve(char *out, size_t len, const char *manifest, const char *p)
{
    const char *slash = strrchr(manifest, '/');
    if (p[0] == '/' || !slash)
        snprintf(out, len, "%s", p);
    else
        snprintf(out, len, "%.*s/%s", (int)(slash - manifest), manifest, p);
}

static int num(const char *s, double lo, double hi, double def, double *v)
{
    if (!*s) {
        *v = def;
        return 0;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *end || errno || !(*v >= lo && *v <= hi) ? -1 : 0;
}

#define BAD(col, why) rad_errf(err, RAD_ESCHEMA, "%s:%d: column '%s': %s", f->path, ln, col, why)

/* One data line into *m. */
/* The module's group (its id when g is empty) and group index; modules of
** a group share one model, so also its link count. */
static int group_of(flt_manifest *f, int ln, const char *g, flt_module *m, rad_err *err)
{
    size_t gl = strlen(g);
    if (gl > FLT_ID_MAX || strspn(g, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789_.-") != gl)
        return BAD("group", "empty or 1-48 characters of A-Z a-z 0-9 _ . -");
    snprintf(m->group, sizeof m->group, "%s", gl ? g : m->id);
    m->gi = f->n_groups;
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->mod[i].group, m->group)) {
            if (f->mod[i].links != m->links) {
                char why[256];
                snprintf(why, sizeof why, "module %s has %d links, %s (line %d, same group "
                         "'%s') %d: a group shares one model, so also its link count", m->id,
                         m->links, f->mod[i].id, f->mod[i].line, m->group, f->mod[i].links);
                return BAD("group", why);
            }
            m->gi = f->mod[i].gi;
            return RAD_OK;
        }
    f->n_groups++;
    return RAD_OK;
}

static int parse_module(flt_manifest *f, int ln, char **c, flt_module *m, rad_err *err)
{
    memset(m, 0, sizeof *m);
    m->line = ln;
    size_t idl = strlen(c[0]);
    if (idl < 1 || idl > FLT_ID_MAX ||
        strspn(c[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != idl
        || c[0][0] == '.')
        return BAD("id", "1-48 characters of A-Z a-z 0-9 _ . - (not starting with '.')");
    snprintf(m->id, sizeof m->id, "%s", c[0]);
    if (flt_manifest_find(f, m->id) >= 0)
        return BAD("id", "duplicate module id");
    if (!*c[1])
        return BAD("data", "empty (use 'synthetic' or a file)");
    if (strcmp(c[1], "synthetic"))
        resolve(m->data, sizeof m->data, f->path, c[1]);
    if (num(c[2], 0, 1, 0.35, &m->occupancy))
        return BAD("occupancy", "a number in [0,1] (empty: 0.35)");
    if (num(c[3], 0, 20, 1.2, &m->showers))
        return BAD("showers", "a number in [0,20] (empty: 1.2)");
    if (strcmp(c[4], "ld") && strcmp(c[4], "hd") && *c[4])
        return BAD("geometry", "ld or hd");
    m->hd = !strcmp(c[4], "hd");
    double v;
    if (num(c[5], 1, MDL_MAX_LINKS, 5, &v) || v != floor(v))
        return BAD("links", "an integer 1..13");
    m->links = (int)v;
    m->calvalue = DAT_CAL_PASS;
    if (*c[6] && strspn(c[6], "0123456789") == strlen(c[6])) {
        if (num(c[6], 0, DAT_CAL_MAX, DAT_CAL_PASS, &v))
            return BAD("calib", "a CALVALUE 0..4095 or a calibration file");
        m->calvalue = (uint32_t)v;
    } else if (*c[6])
        resolve(m->calib, sizeof m->calib, f->path, c[6]);
    return group_of(f, ln, f->grouped ? c[7] : "", m, err);
}

static int check_header(flt_manifest *f, int ln, char **c, int n, rad_err *err)
{
    if (n != N_COLS && n != N_COLS - 1)
        return rad_errf(err, RAD_ESCHEMA, "%s:%d: header has %d columns, expected %d or %d: "
                        "id,data,occupancy,showers,geometry,links,calib[,group]", f->path, ln,
                        n, N_COLS - 1, N_COLS);
    f->grouped = n == N_COLS;
    for (int i = 0; i < n; i++)
        if (strcmp(c[i], COLS[i]))
            return rad_errf(err, RAD_ESCHEMA, "%s:%d: header column %d is '%s', expected '%s'",
                            f->path, ln, i + 1, c[i], COLS[i]);
    return RAD_OK;
}

static int parse_lines(flt_manifest *f, char *buf, rad_err *err)
{
    int ln = 0, rc = RAD_OK;
    bool header = false;
    for (char *line = buf; line && !rc; ) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        ln++;
        char *c[N_COLS + 1];
        char *t = line + strspn(line, " \t\r");
        if (*t && *t != '#') {
            int n = split(line, c, N_COLS + 1);
            if (!header) {
                rc = check_header(f, ln, c, n, err);
                header = true;
            } else if (n != N_COLS - !f->grouped) {
                rc = rad_errf(err, RAD_ESCHEMA, "%s:%d: %d columns, expected %d (as the "
                              "header)", f->path, ln, n, N_COLS - !f->grouped);
            } else {
                flt_module *mm = realloc(f->mod, (f->n + 1) * sizeof *mm);
                if (!mm)
                    return rad_errf(err, RAD_ENOMEM, "out of memory");
                f->mod = mm;
                if (!(rc = parse_module(f, ln, c, &f->mod[f->n], err)))
                    f->n++;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!rc && f->n == 0)
        rc = rad_errf(err, RAD_ESCHEMA, "%s: no modules (a header line and at least one "
                      "module line)", f->path);
    return rc;
}

int flt_manifest_load(const char *path, flt_manifest *f, rad_err *err)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", path);
    char *buf;
    size_t len;
    int rc = rad_read_all(path, &buf, &len, err);
    if (rc)
        return rc;
    rc = parse_lines(f, buf, err);
    free(buf);
    if (rc)
        flt_manifest_free(f);
    return rc;
}

/* CALQ = (q * calvalue[t]) >> 11 per TC, clamped to the 22-bit range;
** pass-through registers leave the charges as they are. */
static void calibrate(dat_set *d, const uint32_t *calvalue)
{
    uint64_t max = ((uint64_t)1 << DAT_CHARGE_BITS) - 1;
    for (size_t i = 0; i < d->n; i++)
        for (int t = 0; t < d->n_cells; t++) {
            uint32_t *q = &d->q[i * (size_t)d->n_cells + (size_t)t];
            uint64_t v = ((uint64_t)*q * calvalue[t]) >> 11;
            *q = (uint32_t)(v > max ? max : v);
        }
}

int flt_module_data(const flt_module *m, size_t n_synth, uint64_t seed, dat_set *out,
                    rad_err *err)
{
    dat_frontend fe;
    dat_frontend_default(&fe);
    fe.drop_lsb = m->hd ? 3 : 1;
    for (int t = 0; t < GEO_N_CELLS; t++)
        fe.calvalue[t] = m->calvalue;
    int rc = *m->calib ? dat_frontend_load_calib(&fe, m->calib, err) : RAD_OK;
    if (rc)
        return rc;
    if (*m->data)
        return dat_load(m->data, DAT_FMT_AUTO, &fe, out, err);
    trn_synth_opts o;
    trn_synth_defaults(&o);
    o.noise_occupancy = m->occupancy;
    o.showers = m->showers;
    o.radius_scale = m->hd ? 1.5 : 1.0;
    uint64_t s = rad_fnv1a(seed * 0x9e3779b97f4a7c15ULL + 1, m->id, strlen(m->id));
    if ((rc = trn_synth_ex(out, n_synth, s, &o, err)))
        return rc;
    calibrate(out, fe.calvalue);
    return RAD_OK;
}

int flt_model_hash(const mdl_model *m, char hex[17], rad_err *err)
{
    char *w = mdl_weights_text(m);
    if (!w)
        return rad_errf(err, RAD_ENOMEM, "out of memory");
    snprintf(hex, 17, "%016llx", (unsigned long long)rad_fnv1a(RAD_FNV1A_INIT, w, strlen(w)));
    free(w);
    return RAD_OK;
}
