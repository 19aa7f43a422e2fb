/*
** cmd_vec.c — options shared by `rad4ml run` and `rad4ml diff` (cmd_vec.h).
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cmd_vec.h"
#include "tools/cli.h"

void cmd_vec_init(cmd_vec_opts *o)
{
    memset(o, 0, sizeof *o);
    o->random_model = -1;
}

int cmd_vec_opt(cmd_vec_opts *o, int c, const char *arg, const char *cmd)
{
    static const char *kinds[] = { "auto", "csv", "eportrx", "tensor" };
    rad_err err = { 0 };
    switch (c) {
    case 0x100: o->model = arg; return 1;
    case 0x101: o->weights = arg; return 1;
    case 0x105: o->mapping = arg; return 1;
    case 0x106: o->calib = arg; return 1;
    case 0x102:
        if (rad_cli_long("--random-model", arg, 0, LONG_MAX, &o->random_model, &err))
            break;
        return 1;
    case 0x103:
        if (rad_cli_long("--links", arg, 1, MDL_MAX_LINKS, &o->links, &err))
            break;
        return 1;
    case 0x104:
        for (int k = 0; k < 4; k++)
            if (!strcmp(arg, kinds[k])) {
                o->in_kind = (eng_in_kind)k;
                return 1;
            }
        break;
    default:
        return 0;
    }
    if (!err.code)
        rad_errf(&err, RAD_EUSAGE, "--in-format %s: expected auto, csv, eportrx or tensor", arg);
    cli_usage_error(cmd, &err);
    return -1;
}

int cmd_vec_model(const cmd_vec_opts *o, mdl_model **out, rad_err *err)
{
    mdl_model *m = NULL;
    cli_model_src src = { o->model, o->weights, o->random_model, false, 0 };
    int rc = cli_model_load(&src, &m, err);
    if (!rc && o->links)
        rc = mdl_set_links(m, (int)o->links, err);
    if (!rc)
        rc = mdl_validate(m, err);
    if (rc) {
        mdl_free(m);
        return rc;
    }
    *out = m;
    return RAD_OK;
}

int cmd_vec_frontend(const cmd_vec_opts *o, dat_frontend *fe, rad_err *err)
{
    dat_frontend_default(fe);
    int rc = o->mapping ? dat_frontend_load_mapping(fe, o->mapping, err) : RAD_OK;
    if (!rc && o->calib)
        rc = dat_frontend_load_calib(fe, o->calib, err);
    return rc;
}
