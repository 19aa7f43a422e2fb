#define _POSIX_C_SOURCE 200809L
#include "rad_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int make_parent(const char *path, rad_err *err)
{
    char buf[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return RAD_OK;
    size_t n = (size_t)(slash - path);
    if (n >= sizeof buf)
        return rad_errf(err, RAD_EIO, "%s: path too long", path);
    memcpy(buf, path, n);
    buf[n] = '\0';
    return rad_mkdirs(buf, err);
}

int rad_file_open(rad_file *f, const char *path, rad_err *err)
{
    memset(f, 0, sizeof *f);
    if (strlen(path) >= sizeof f->path)
        return rad_errf(err, RAD_EIO, "%s: path too long", path);
    int rc = make_parent(path, err);
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
