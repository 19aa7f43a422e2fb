#define _POSIX_C_SOURCE 200809L
#include "rad_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

int rad_mkdirs(const char *dir, rad_err *err)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return rad_errf(err, RAD_EIO, "%s: bad directory name", dir);
    memcpy(buf, dir, n + 1);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return rad_errf(err, RAD_EIO, "%s: cannot create directory: %s",
                                buf, strerror(errno));
            *p = c;
            if (c == '\0')
                break;
        }
    }
    return RAD_OK;
}

/* The directory part of path ("." when none) into buf. */
static int parent_of(const char *path, char *buf, size_t size, rad_err *err)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    if (n >= size)
        return rad_errf(err, RAD_EIO, "%s: path too long", path);
    memcpy(buf, !slash ? "." : path, n);
    buf[n] = '\0';
    return RAD_OK;
}

/* The parent directory must exist: output files never create directories. */
static int check_parent(const char *path, rad_err *err)
{
    char dir[4096];
    struct stat st;
    int rc = parent_of(path, dir, sizeof dir, err);
    if (rc)
        return rc;
    if (stat(dir, &st) != 0)
        return rad_errf(err, RAD_EIO, "%s: cannot write: directory %s does not exist "
                        "(create it first)", path, dir);
    if (!S_ISDIR(st.st_mode))
        return rad_errf(err, RAD_EIO, "%s: cannot write: %s is not a directory", path, dir);
    return RAD_OK;
}

int rad_mkdir_out(const char *dir, bool *created, rad_err *err)
{
    *created = false;
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode) ? RAD_OK
               : rad_errf(err, RAD_EIO, "%s: exists and is not a directory", dir);
    char parent[4096];
    int rc = parent_of(dir, parent, sizeof parent, err);
    if (!rc && stat(parent, &st) != 0)
        rc = rad_errf(err, RAD_EIO, "%s: cannot create: directory %s does not exist "
                      "(only the output directory itself is created)", dir, parent);
    if (!rc && mkdir(dir, 0777) != 0) {
        if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return RAD_OK;             /* made meanwhile (a parallel shard): not ours */
        rc = rad_errf(err, RAD_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    }
    *created = !rc;
    return rc;
}

void rad_rmdir_created(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[8192];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);              /* files only: a sub-directory stays, and so does dir */
    }
    closedir(d);
    rmdir(dir);
}

int rad_file_open(rad_file *f, const char *path, rad_err *err)
{
    memset(f, 0, sizeof *f);
    if (strlen(path) >= sizeof f->path)
        return rad_errf(err, RAD_EIO, "%s: path too long", path);
    int rc = check_parent(path, err);
    if (rc)
        return rc;
    strcpy(f->path, path);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return rad_errf(err, RAD_EIO, "%s: is a directory, expected a file name", path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        f->direct = 1;
        f->fp = fopen(path, "w");
        if (!f->fp)
            return rad_errf(err, RAD_EIO, "%s: cannot write: %s", path, strerror(errno));
        return RAD_OK;
    }
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp.%ld", path, (long)getpid());
    f->fp = fopen(f->tmp, "w");
    if (!f->fp)
        return rad_errf(err, RAD_EIO, "%s: cannot write: %s", f->tmp, strerror(errno));
    return RAD_OK;
}

int rad_file_commit(rad_file *f, rad_err *err)
{
    if (!f->fp)
        return rad_errf(err, RAD_EIO, "%s: file not open", f->path);
    int bad = ferror(f->fp);
    if (fclose(f->fp) != 0)
        bad = 1;
    f->fp = NULL;
    if (f->direct)
        return bad ? rad_errf(err, RAD_EIO, "%s: write failed", f->path) : RAD_OK;
    if (bad) {
        remove(f->tmp);
        return rad_errf(err, RAD_EIO, "%s: write failed", f->path);
    }
    if (rename(f->tmp, f->path) != 0) {
        int e = errno;
        remove(f->tmp);
        return rad_errf(err, RAD_EIO, "%s: cannot rename into place: %s",
                        f->path, strerror(e));
    }
    return RAD_OK;
}

void rad_file_abort(rad_file *f)
{
    if (f->fp) {
        fclose(f->fp);
        f->fp = NULL;
        if (!f->direct)
            remove(f->tmp);
    }
}

int rad_check_not_dir(const char *path, rad_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return rad_errf(err, RAD_EIO, "%s: is a directory, a file is expected here", path);
    return RAD_OK;
}

int rad_read_all(const char *path, char **data, size_t *len, rad_err *err)
{
    int rc = rad_check_not_dir(path, err);
    if (rc)
        return rc;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return rad_errf(err, RAD_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(fp);
        return rad_errf(err, RAD_ENOMEM, "%s: out of memory", path);
    }
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            fclose(fp);
            return rad_errf(err, RAD_ENOMEM, "%s: out of memory", path);
        }
        buf = nb;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return rad_errf(err, RAD_EIO, "%s: read error", path);
    }
    buf[n] = '\0';
    *data = buf;
    if (len)
        *len = n;
    return RAD_OK;
}

int rad_json_write(const char *path, const json_t *root, size_t flags, rad_err *err)
{
    rad_file f;
    int rc = rad_file_open(&f, path, err);
    if (rc)
        return rc;
    if (json_dumpf(root, f.fp, flags) != 0) {
        rad_file_abort(&f);
        return rad_errf(err, RAD_EIO, "%s: cannot write the JSON", path);
    }
    fputc('\n', f.fp);
    return rad_file_commit(&f, err);
}
