/*
** flt_json.c — sharded JSON documents and job keys from provenance (see
** flt_part.h): a shard's elements as items, the rest of the document as
** shard 0's run.doc, merged back into exactly the unsharded bytes.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rad_file.h"
#include "fleet/flt_part.h"

/* The flags of an element or of the bare document: compact, with the
** document's real precision and key order. */
static size_t compact_flags(size_t flags)
{
    return JSON_COMPACT | (flags & (JSON_REAL_PRECISION(31) | JSON_SORT_KEYS |
                                    JSON_ENSURE_ASCII));
}

static int add_json_meta(flt_part *p, const char *name, const json_t *j, size_t flags,
                         rad_err *err)
{
    char *t = json_dumps(j, compact_flags(flags) | JSON_ENCODE_ANY);
    int rc = t ? flt_part_meta(p, name, t, err) : rad_errf(err, RAD_ENOMEM, "out of memory");
    free(t);
    return rc;
}

/* Partial of a shard: meta, the document without elements, the elements. */
static int build_part(flt_part *p, const json_t *root, const char *key, const size_t *index,
                      size_t flags, const char *out, rad_err *err)
{
    const json_t *arr = json_object_get(root, key);
    json_t *doc = json_copy((json_t *)root);
    char fl[32];
    snprintf(fl, sizeof fl, "%zu", flags);
    int rc = !arr || !json_is_array(arr) || !doc
             ? rad_errf(err, RAD_ESCHEMA, "shard: the document has no array '%s'", key) : RAD_OK;
    if (!rc && json_object_set_new(doc, key, json_array()))
        rc = rad_errf(err, RAD_ENOMEM, "out of memory");
    if (!rc)
        rc = flt_part_meta(p, "output", out, err);
    if (!rc)
        rc = flt_part_meta(p, "json.key", key, err);
    if (!rc)
        rc = flt_part_meta(p, "json.flags", fl, err);
    if (!rc)
        rc = add_json_meta(p, "run.doc", doc, flags, err);
    for (size_t j = 0; !rc && j < json_array_size(arr); j++) {
        char *t = json_dumps(json_array_get(arr, j), compact_flags(flags) | JSON_ENCODE_ANY);
        rc = t ? flt_part_item(p, index[j], t, err) : rad_errf(err, RAD_ENOMEM, "out of memory");
        free(t);
    }
    json_decref(doc);
    return rc;
}

int flt_json_shard_write(const json_t *root, const char *key, const size_t *index,
                         size_t total, size_t flags, const char *kind, const char *jobkey,
                         const flt_shard *s, int argc, char **argv, const char *out,
                         rad_err *err)
{
    flt_part p;
    char part[4200];
    int rc = flt_part_init(&p, kind, jobkey, s, total, argc, argv, err);
    if (!rc)
        rc = build_part(&p, root, key, index, flags, out, err);
    flt_part_name(part, sizeof part, out, s);
    if (!rc)
        rc = flt_part_write(&p, part, err);
    if (!rc)
        printf("%s: shard %zu/%zu wrote %s (%zu of %zu items); `rad4ml merge` makes %s\n",
               kind, s->i, s->n, part, p.n_items, total, out);
    flt_part_free(&p);
    return rc;
}

int flt_json_merge_write(const flt_part *p, const char *out, rad_err *err)
{
    const char *key = flt_part_get(p, "json.key"), *fl = flt_part_get(p, "json.flags");
    const char *doc = flt_part_get(p, "run.doc");
    if (!key || !fl || !doc)
        return rad_errf(err, RAD_ESCHEMA, "merge: %s partial without json.key/json.flags/"
                        "run.doc", p->kind);
    size_t flags = strtoull(fl, NULL, 10);
    json_error_t je;
    json_t *root = json_loads(doc, 0, &je), *arr = json_array();
    int rc = root && arr ? RAD_OK : rad_errf(err, RAD_EPARSE, "merge: run.doc: %s", je.text);
    for (size_t k = 0; !rc && k < p->n_items; k++) {
        json_t *e = json_loads(p->items[k].text, JSON_DECODE_ANY, &je);
        if (!e)
            rc = rad_errf(err, RAD_EPARSE, "merge: item %zu: %s", k, je.text);
        else
            json_array_append_new(arr, e);
    }
    if (!rc && (!json_is_array(json_object_get(root, key)) || json_object_set(root, key, arr)))
        rc = rad_errf(err, RAD_ESCHEMA, "merge: run.doc has no array '%s'", key);
    if (!rc)
        rc = rad_json_write(out, root, flags, err);
    json_decref(arr);
    json_decref(root);
    return rc;
}

void flt_prov_key(const rad_prov *p, const char *extra, char key[17])
{
    char buf[4096];
    int n = snprintf(buf, sizeof buf, "%s|%s|%s|%s|%s|%s|%s|%ld|%d|%s|%s", p->kind,
                     p->model.name, p->model.sha256, p->weights.sha256, p->data.name,
                     p->data.sha256, p->revision, p->rows, p->links, p->options,
                     extra ? extra : "");
    uint64_t h = rad_fnv1a(RAD_FNV1A_INIT, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
    snprintf(key, 17, "%016llx", (unsigned long long)h);
}

int flt_part_set_prov(flt_part *p, const char *name, const rad_prov *prov, rad_err *err)
{
    json_t *j = rad_prov_json(prov);
    int rc = j ? add_json_meta(p, name, j, 0, err) : rad_errf(err, RAD_ENOMEM, "out of memory");
    json_decref(j);
    return rc;
}

int flt_part_get_prov(const flt_part *p, const char *name, rad_prov *prov, rad_err *err)
{
    const char *text = flt_part_get(p, name);
    if (!text)
        return rad_errf(err, RAD_ESCHEMA, "merge: %s partial without meta %s", p->kind, name);
    json_error_t je;
    json_t *root = json_pack("{s:o}", "provenance", json_loads(text, 0, &je));
    int rc = root ? rad_prov_from_json(root, name, prov, err)
                  : rad_errf(err, RAD_EPARSE, "merge: meta %s: %s", name, je.text);
    json_decref(root);
    if (!rc)
        prov->deterministic = !prov->date[0];
    return rc;
}
