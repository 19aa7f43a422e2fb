/*
** rad_cli.h — option values on the command line, checked one way.
**
** Every subcommand parses its numbers here.  A value is accepted only when
** it is a whole, plain number inside [lo, hi]: empty text, leading blanks,
** a sign where none is allowed (a '-' on a count), trailing junk ("12x"),
** overflow and out-of-range values are refused with a message that names
** the option, the text given and the range expected:
**     --vectors -1: expected an integer in 1..1000000000
** (an empty value shows as '').
** Integers are decimal, or hexadecimal after "0x".  The functions return
** RAD_OK or RAD_EUSAGE (err filled); commands print the message and exit 2.
*/
#ifndef RAD4ML_RAD_CLI_H
#define RAD4ML_RAD_CLI_H

#include <stddef.h>
#include <stdint.h>
#include "rad_err.h"

int rad_cli_long(const char *opt, const char *s, long lo, long hi, long *out, rad_err *err);
int rad_cli_int(const char *opt, const char *s, int lo, int hi, int *out, rad_err *err);
int rad_cli_size(const char *opt, const char *s, size_t lo, size_t hi, size_t *out,
                 rad_err *err);
int rad_cli_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out,
                rad_err *err);
/* Doubles: decimal or exponent notation; nan and inf are refused. */
int rad_cli_double(const char *opt, const char *s, double lo, double hi, double *out,
                   rad_err *err);

#endif
