/*
** imp_h5.h — the little of HDF5 the Keras frontend needs (import/ only):
** open a file, read a string attribute, read a float dataset.  HDF5's own
** error stack printing is suppressed around every call; failures come back
** as rad_err messages naming the file and the object.
*/
#ifndef RAD4ML_IMP_H5_H
#define RAD4ML_IMP_H5_H

#include <hdf5.h>

#include "common/rad_err.h"

#define IMP_H5_MAX_DIMS 8

/* Opens path read-only; rejects missing, unreadable and non-HDF5 files. */
int imp_h5_open(const char *path, hid_t *fid, rad_err *err);
void imp_h5_close(hid_t fid);

/* 1 when the object (group or dataset) at path exists. */
int imp_h5_exists(hid_t fid, const char *path);

/* The string attribute `name` of the object at obj (fixed or variable
** length, scalar).  *out is malloc'd; NULL with RAD_OK when absent. */
int imp_h5_attr_string(hid_t fid, const char *file, const char *obj, const char *name,
                       char **out, rad_err *err);

/* A 1-D string-array attribute (Keras' weight_names): *out holds *n
** malloc'd strings (free with imp_h5_free_strings).  Absent: *n = 0. */
int imp_h5_attr_strings(hid_t fid, const char *file, const char *obj, const char *name,
                        char ***out, int *n, rad_err *err);
void imp_h5_free_strings(char **s, int n);

/* Reads the dataset at path as float32 (converted by HDF5 from its stored
** type): *data malloc'd, dims[0..*ndims-1] its shape. */
int imp_h5_read_floats(hid_t fid, const char *file, const char *path, float **data,
                       int dims[IMP_H5_MAX_DIMS], int *ndims, rad_err *err);

#endif
