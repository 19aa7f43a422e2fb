#include "rad_err.h"

#include <stdarg.h>
#include <stdio.h>

int rad_errf(rad_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

const char *rad_strerror(int code)
{
    switch (code) {
    case RAD_OK:        return "ok";
    case RAD_EIO:       return "I/O error";
    case RAD_EPARSE:    return "parse error";
    case RAD_ESCHEMA:   return "invalid content";
    case RAD_ERANGE:    return "value out of range";
    case RAD_ENOMEM:    return "out of memory";
    case RAD_EUSAGE:    return "usage error";
    case RAD_EMISMATCH: return "mismatch";
    case RAD_ETOOL:     return "external tool failed";
    default:            return "unknown error";
    }
}
