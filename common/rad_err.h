/*
** rad_err.h — error reporting shared by every rad4ml module.
**
** Functions that can fail return an int code (RAD_OK = 0) and, when given a
** non-NULL rad_err*, fill it with a message that names the file, the line or
** field, and the reason — the message a user sees.  Nothing is printed by the
** library itself; the CLI prints err.msg and exits non-zero.
*/
#ifndef RAD4ML_RAD_ERR_H
#define RAD4ML_RAD_ERR_H

#include <stddef.h>

enum {
    RAD_OK = 0,
    RAD_EIO,        /* cannot open / read / write a file            */
    RAD_EPARSE,     /* malformed text (JSON, CSV, numbers)           */
    RAD_ESCHEMA,    /* well-formed but wrong: missing field, shape   */
    RAD_ERANGE,     /* value out of its allowed range                */
    RAD_ENOMEM,
    RAD_EUSAGE,     /* bad command-line option                       */
    RAD_EMISMATCH,  /* a verification found a difference             */
    RAD_ETOOL       /* an external tool (yosys, verilator) failed     */
};

typedef struct {
    int  code;
    char msg[1024];
} rad_err;

/* Records code and a printf-style message; returns code so callers can
** write `return rad_errf(err, RAD_EPARSE, "%s:%d: ...", file, line);`.
** err may be NULL. */
int rad_errf(rad_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Short name of an error code ("parse error", ...). */
const char *rad_strerror(int code);

#endif
