/*
** imp_h5.c — HDF5 access for the importers (see imp_h5.h).
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/imp_h5.h"

int imp_h5_open(const char *path, hid_t *fid, rad_err *err)
{
    if (access(path, R_OK) != 0)
        return rad_errf(err, RAD_EIO, "%s: cannot read the file", path);
    htri_t is = -1;
    H5E_BEGIN_TRY { is = H5Fis_hdf5(path); } H5E_END_TRY;
    if (is <= 0)
        return rad_errf(err, RAD_EPARSE, "%s: not an HDF5 file (or a truncated one)", path);
    hid_t f = -1;
    H5E_BEGIN_TRY { f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); } H5E_END_TRY;
    if (f < 0)
        return rad_errf(err, RAD_EPARSE, "%s: HDF5 file cannot be opened (damaged or truncated)",
                        path);
    *fid = f;
    return RAD_OK;
}

void imp_h5_close(hid_t fid)
{
    H5E_BEGIN_TRY { H5Fclose(fid); } H5E_END_TRY;
}

int imp_h5_exists(hid_t fid, const char *path)
{
    htri_t r = -1;
    H5E_BEGIN_TRY { r = H5Lexists(fid, path, H5P_DEFAULT) > 0
                        && H5Oexists_by_name(fid, path, H5P_DEFAULT) > 0; } H5E_END_TRY;
    return r > 0;
}

/* Opens attribute name of obj; *aid < 0 when absent. */
static int open_attr(hid_t fid, const char *file, const char *obj, const char *name, hid_t *aid,
                     rad_err *err)
{
    htri_t has = -1;
    *aid = -1;
    H5E_BEGIN_TRY { has = H5Aexists_by_name(fid, obj, name, H5P_DEFAULT); } H5E_END_TRY;
    if (has < 0)
        return rad_errf(err, RAD_ESCHEMA, "%s: %s: no such group", file, obj);
    if (!has)
        return RAD_OK;
    H5E_BEGIN_TRY { *aid = H5Aopen_by_name(fid, obj, name, H5P_DEFAULT, H5P_DEFAULT); } H5E_END_TRY;
    if (*aid < 0)
        return rad_errf(err, RAD_EPARSE, "%s: %s attribute %s: cannot be read", file, obj, name);
    return RAD_OK;
}

/* Reads n strings of attribute aid into out[0..n-1], each malloc'd and
** owned by the caller (also on failure: free with imp_h5_free_strings);
** variable-length (h5py str) and fixed-length (numpy bytes) both. */
static int read_strings(hid_t aid, const char *file, const char *name, char **out, int n,
                        rad_err *err)
{
    hid_t t = H5Aget_type(aid);
    int rc = RAD_OK;
    if (t < 0 || H5Tget_class(t) != H5T_STRING) {
        rc = rad_errf(err, RAD_ESCHEMA, "%s: attribute %s: not a string", file, name);
    } else if (H5Tis_variable_str(t) > 0) {
        char **v = calloc((size_t)n, sizeof *v);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        herr_t r = -1;
        if (v)
            H5E_BEGIN_TRY { r = H5Aread(aid, mt, v); } H5E_END_TRY;
        for (int i = 0; i < n && r >= 0; i++)
            if (!(out[i] = strdup(v[i] ? v[i] : "")))
                r = -1;
        if (r >= 0) {
            hid_t sp = H5Aget_space(aid);
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, v);
            H5Sclose(sp);
        }
        H5Tclose(mt);
        free(v);
        if (r < 0)
            rc = rad_errf(err, RAD_EPARSE, "%s: attribute %s: cannot be read", file, name);
    } else {
        size_t sz = H5Tget_size(t);
        char *buf = calloc((size_t)n, sz + 1);
        herr_t r = -1;
        if (buf)
            H5E_BEGIN_TRY { r = H5Aread(aid, t, buf); } H5E_END_TRY;
        for (int i = 0; i < n && r >= 0; i++)
            if (!(out[i] = strndup(buf + (size_t)i * sz, sz)))
                r = -1;
        free(buf);
        if (r < 0)
            rc = rad_errf(err, RAD_EPARSE, "%s: attribute %s: cannot be read", file, name);
    }
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

static int attr_count(hid_t aid)
{
    hid_t sp = H5Aget_space(aid);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    return n < 0 || n > 100000 ? -1 : (int)n;
}

int imp_h5_attr_string(hid_t fid, const char *file, const char *obj, const char *name,
                       char **out, rad_err *err)
{
    hid_t aid;
    *out = NULL;
    int rc = open_attr(fid, file, obj, name, &aid, err);
    if (rc || aid < 0)
        return rc;
    if (attr_count(aid) != 1)
        rc = rad_errf(err, RAD_ESCHEMA, "%s: attribute %s: expected one string", file, name);
    else
        rc = read_strings(aid, file, name, out, 1, err);
    H5Aclose(aid);
    return rc;
}

void imp_h5_free_strings(char **s, int n)
{
    for (int i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

int imp_h5_attr_strings(hid_t fid, const char *file, const char *obj, const char *name,
                        char ***out, int *n, rad_err *err)
{
    hid_t aid;
    *out = NULL;
    *n = 0;
    int rc = open_attr(fid, file, obj, name, &aid, err);
    if (rc || aid < 0)
        return rc;
    int cnt = attr_count(aid);
    char **s = cnt >= 0 ? calloc((size_t)(cnt ? cnt : 1), sizeof *s) : NULL;
    if (cnt < 0)
        rc = rad_errf(err, RAD_ESCHEMA, "%s: %s attribute %s: bad size", file, obj, name);
    else if (!s)
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    else if (cnt && (rc = read_strings(aid, file, name, s, cnt, err)))
        imp_h5_free_strings(s, cnt), s = NULL;
    H5Aclose(aid);
    if (!rc) {
        *out = s;
        *n = cnt;
    }
    return rc;
}

/* See imp_h5.h.  The dataset at path of the open file fid as float32, at
** most IMP_H5_MAX_DIMS dimensions: *data malloc'd and owned by the caller
** (NULL on error), its shape in dims[0..*ndims-1].  RAD_OK or an error
** naming file and path. */
int imp_h5_read_floats(hid_t fid, const char *file, const char *path, float **data,
                       int dims[IMP_H5_MAX_DIMS], int *ndims, rad_err *err)
{
    *data = NULL;
    if (!imp_h5_exists(fid, path))
        return rad_errf(err, RAD_ESCHEMA, "%s: weight dataset %s: missing", file, path);
    hid_t d = -1;
    H5E_BEGIN_TRY { d = H5Dopen2(fid, path, H5P_DEFAULT); } H5E_END_TRY;
    if (d < 0)
        return rad_errf(err, RAD_EPARSE, "%s: %s: not a dataset", file, path);
    hid_t sp = H5Dget_space(d);
    hsize_t hd[IMP_H5_MAX_DIMS];
    int nd = H5Sget_simple_extent_ndims(sp);
    int rc = RAD_OK;
    size_t n = 1;
    if (nd < 0 || nd > IMP_H5_MAX_DIMS) {
        rc = rad_errf(err, RAD_ESCHEMA, "%s: %s: %d dimensions", file, path, nd);
    } else {
        H5Sget_simple_extent_dims(sp, hd, NULL);
        for (int i = 0; i < nd; i++) {
            dims[i] = (int)hd[i];
            n *= hd[i];
        }
        *ndims = nd;
        float *v = malloc((n ? n : 1) * sizeof *v);
        herr_t r = -1;
        if (v && n < ((size_t)1 << 28))
            H5E_BEGIN_TRY { r = H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v); }
            H5E_END_TRY;
        if (r < 0) {
            free(v);
            rc = rad_errf(err, RAD_EPARSE, "%s: %s: cannot read the data (damaged file or not numbers)",
                          file, path);
        } else {
            *data = v;
        }
    }
    H5Sclose(sp);
    H5Dclose(d);
    return rc;
}
