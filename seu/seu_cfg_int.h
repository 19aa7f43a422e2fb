/*
** seu_cfg_int.h — internals of the protected register-file generators.
*/
#ifndef RAD4ML_SEU_CFG_INT_H
#define RAD4ML_SEU_CFG_INT_H

#include "seu/seu_rtl.h"

#define SEU_GEN_VERSION "rad4ml-seu 1.0"
#define SEU_CFG_WBASE   16      /* == CG_CFG_WBASE: address of image word 0 */

/* cfg_addr width: enough for the last image word's address. */

int  seu_cfg__clog2(size_t n);
void seu_cfg__header(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g);
void seu_cfg__ports(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g);
void seu_cfg__write(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g,
                    const char *cur, const char *nxt);
void seu_cfg__inject(FILE *fp, size_t width);
void seu_cfg__front(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g,
                    const char *cur, const char *corr, const char *derr);

void seu_cfg__tmr(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g);
void seu_cfg__secded(FILE *fp, const seu_cfg_opts *o, const seu_cfg_geom *g);

#endif
