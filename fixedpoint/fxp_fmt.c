/*
** fxp_fmt.c — parsing and printing of format names.
**
** Accepted spellings (whitespace allowed around every token):
**   ap_fixed<W,I[,Q[,O[,N]]]>   ap_ufixed<...>    modes AP_RND, RND, ...
**   fixed<W,I[,Q[,O[,N]]]>      ufixed<...>       (rad4ml's canonical form)
**   ac_fixed<W,I[,S[,Q[,O]]]>   S = true/false, modes AC_RND, RND, ...
**   ap_int<W> ap_uint<W>  ac_int<W[,S]>          (I = W)
** Defaults are TRN / WRAP / N = 0, and signed for ac_fixed / ac_int.
*/
#include "fixedpoint/fxp.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const qnames[] = {
    "TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_MIN_INF", "RND_INF", "RND_CONV"
};
static const char *const onames[] = { "WRAP", "SAT", "SAT_ZERO", "SAT_SYM" };

enum family { FAM_AP, FAM_PLAIN, FAM_AC, FAM_INT };

typedef struct {
    const char *text;   /* whole input, for messages */
    const char *p;      /* cursor                    */
    char       *why;
    size_t      why_len;
} parser;

static int fail(parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(parser *ps, const char *fmt, ...)
{
    if (ps->why && ps->why_len) {
        int n = snprintf(ps->why, ps->why_len, "format \"%s\": ", ps->text);
        if (n >= 0 && (size_t)n < ps->why_len) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(ps->why + n, ps->why_len - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return FXP_EFORMAT;
}

static void skip_ws(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

/* Reads one argument token (up to ',' or '>') into tok, trimmed. */
static int next_token(parser *ps, char *tok, size_t len, int argno)
{
    skip_ws(ps);
    size_t n = 0;
    while (*ps->p && *ps->p != ',' && *ps->p != '>' && !isspace((unsigned char)*ps->p)) {
        if (n + 1 >= len)
            return fail(ps, "argument %d is too long", argno);
        tok[n++] = *ps->p++;
    }
    tok[n] = '\0';
    skip_ws(ps);
    if (n == 0)
        return fail(ps, "argument %d is empty", argno);
    return FXP_OK;
}

static int parse_int(parser *ps, const char *tok, const char *what, long lo,
                     long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(tok, &end, 10);
    if (*end || end == tok)
        return fail(ps, "%s \"%s\" is not an integer", what, tok);
    if (errno || v < lo || v > hi)
        return fail(ps, "%s %s out of range %ld..%ld", what, tok, lo, hi);
    *out = (int)v;
    return FXP_OK;
}

/* Strips the family's prefix ("AP_" or "AC_") if present, then looks the
** name up in `names`. */
static int parse_mode(parser *ps, const char *tok, enum family fam,
                      const char *const *names, int count, const char *what,
                      int *out)
{
    const char *name = tok;
    if ((fam == FAM_AP || fam == FAM_PLAIN) && strncmp(tok, "AP_", 3) == 0)
        name = tok + 3;
    else if (fam == FAM_AC && strncmp(tok, "AC_", 3) == 0)
        name = tok + 3;
    for (int i = 0; i < count; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = i;
            return FXP_OK;
        }
    }
    if (strcmp(name, "WRAP_SM") == 0 || strcmp(name, "RND_CONV_ODD") == 0)
        return fail(ps, "%s %s is not supported", what, tok);
    return fail(ps, "unknown %s \"%s\"", what, tok);
}

static int parse_bool(parser *ps, const char *tok, bool *out)
{
    if (strcmp(tok, "true") == 0 || strcmp(tok, "1") == 0)
        *out = true;
    else if (strcmp(tok, "false") == 0 || strcmp(tok, "0") == 0)
        *out = false;
    else
        return fail(ps, "signedness \"%s\" is not true or false", tok);
    return FXP_OK;
}

/* Reads the type name and fixes the family, signedness and arg count. */
static int parse_name(parser *ps, enum family *fam, bool *is_signed,
                      int *max_args)
{
    static const struct {
        const char *name;
        enum family fam;
        bool is_signed;
        int max_args;
    } names[] = {
        { "ap_fixed", FAM_AP, true, 5 },  { "ap_ufixed", FAM_AP, false, 5 },
        { "fixed", FAM_PLAIN, true, 5 },  { "ufixed", FAM_PLAIN, false, 5 },
        { "ac_fixed", FAM_AC, true, 5 },  { "ap_int", FAM_INT, true, 1 },
        { "ap_uint", FAM_INT, false, 1 }, { "ac_int", FAM_INT, true, 2 },
    };
    skip_ws(ps);
    size_t n = 0;
    while (isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_')
        n++;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].name) == n && strncmp(ps->p, names[i].name, n) == 0) {
            *fam = names[i].fam;
            *is_signed = names[i].is_signed;
            *max_args = names[i].max_args;
            ps->p += n;
            return FXP_OK;
        }
    }
    if (n == 0)
        return fail(ps, "expected a type name such as ap_fixed<W,I>");
    return fail(ps, "unknown type \"%.*s\" (expected ap_fixed, ap_ufixed, "
                "fixed, ufixed, ac_fixed, ap_int, ap_uint or ac_int)", (int)n, ps->p);
}

/* Interprets argument number `i` (0-based) of a type of family `fam`. */
static int parse_arg(parser *ps, enum family fam, int i, const char *tok,
                     fxp_fmt *f)
{
    int v;
    if (i == 0) {
        int rc = parse_int(ps, tok, "width", 1, FXP_MAX_W, &f->width);
        f->int_bits = f->width;
        return rc;
    }
    if (fam == FAM_INT)
        return parse_bool(ps, tok, &f->is_signed);
    if (i == 1)
        return parse_int(ps, tok, "integer bits", -FXP_MAX_I, FXP_MAX_I,
                         &f->int_bits);
    if (fam == FAM_AC) {
        if (i == 2)
            return parse_bool(ps, tok, &f->is_signed);
        i--;
    }
    int rc;
    if (i == 2) {
        rc = parse_mode(ps, tok, fam, qnames, 7, "quantization mode", &v);
        f->qmode = (fxp_qmode)v;
    } else if (i == 3) {
        rc = parse_mode(ps, tok, fam, onames, 4, "overflow mode", &v);
        f->omode = (fxp_omode)v;
    } else {
        rc = parse_int(ps, tok, "saturation bits", 0, FXP_MAX_W, &f->sat_bits);
    }
    return rc;
}

/* See fxp.h.  Parses an ap_fixed / ac_fixed / fixed / ap_int type name
** into *out; on error FXP_EFORMAT with the reason in why[why_len]. */
int fxp_fmt_parse(const char *text, fxp_fmt *out, char *why, size_t why_len)
{
    parser ps = { text ? text : "", text ? text : "", why, why_len };
    enum family fam = FAM_AP;
    bool is_signed = true;
    int max_args = 0, nargs = 0, rc;
    char tok[64];

    if (why && why_len)
        why[0] = '\0';
    if ((rc = parse_name(&ps, &fam, &is_signed, &max_args)))
        return rc;
    fxp_fmt f = fxp_format(0, 0, is_signed);
    skip_ws(&ps);
    if (*ps.p != '<')
        return fail(&ps, "expected '<' after the type name");
    ps.p++;
    for (;;) {
        if (nargs >= max_args)
            return fail(&ps, "too many arguments (at most %d)", max_args);
        if ((rc = next_token(&ps, tok, sizeof tok, nargs + 1)) ||
            (rc = parse_arg(&ps, fam, nargs, tok, &f)))
            return rc;
        nargs++;
        if (*ps.p == ',') {
            ps.p++;
            continue;
        }
        if (*ps.p == '>')
            break;
        if (!*ps.p)
            return fail(&ps, "missing '>'");
        return fail(&ps, "unexpected '%c' after argument %d", *ps.p, nargs);
    }
    ps.p++;
    skip_ws(&ps);
    if (*ps.p)
        return fail(&ps, "unexpected text \"%s\" after '>'", ps.p);
    if (fam != FAM_INT && nargs < 2)
        return fail(&ps, "expected at least <W,I>");
    const char *reason;
    if (fxp_fmt_check(&f, &reason))
        return fail(&ps, "%s", reason);
    *out = f;
    return FXP_OK;
}

int fxp_fmt_str(const fxp_fmt *f, char *buf, size_t len)
{
    unsigned q = (unsigned)f->qmode, o = (unsigned)f->omode;
    const char *qs = q < 7 ? qnames[q] : "?", *os = o < 4 ? onames[o] : "?";
    if (f->sat_bits > 0)
        return snprintf(buf, len, "%sfixed<%d,%d,%s,%s,%d>",
                        f->is_signed ? "" : "u", f->width, f->int_bits, qs, os,
                        f->sat_bits);
    return snprintf(buf, len, "%sfixed<%d,%d,%s,%s>", f->is_signed ? "" : "u",
                    f->width, f->int_bits, qs, os);
}
