/* core_config.c - libyaml reader that flattens suricata.yaml into dotted keys.
 *
 * Storage is a flat array in definition order plus an open-addressing hash
 * index on the key: configs have a few thousand keys at most and are read
 * once at startup, so simplicity wins over anything cleverer.
 */
#include "core/core_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define CONF_MAX_INCLUDE_DEPTH 16
#define CONF_MAX_KEY 1024
#define CONF_MAX_NESTING 64

typedef struct conf_entry {
    char *key;
    char *value;     /* NULL for containers and null scalars */
    const char *file;
    int line;
    bool container;
    bool used;
} conf_entry_t;

struct vg_conf {
    conf_entry_t *e;
    size_t n, cap;
    uint32_t *idx;   /* hash index: entry number + 1, 0 = empty */
    size_t idx_cap;  /* power of two */
    char **files;    /* interned file names */
    size_t n_files;
};

static void
conf_err(char *errbuf, size_t errlen, const char *fmt, ...) VG_PRINTF(3, 4);

static void
conf_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
    if (errbuf == NULL || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

static uint32_t
conf_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

vg_conf_t *
vg_conf_new(void)
{
    return calloc(1, sizeof(vg_conf_t));
}

void
vg_conf_free(vg_conf_t *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->e[i].key);
        free(c->e[i].value);
    }
    for (size_t i = 0; i < c->n_files; i++)
        free(c->files[i]);
    free(c->files);
    free(c->e);
    free(c->idx);
    free(c);
}

static conf_entry_t *
conf_find(const vg_conf_t *c, const char *key)
{
    if (c->idx_cap == 0)
        return NULL;
    size_t mask = c->idx_cap - 1;
    for (size_t i = conf_hash(key) & mask;; i = (i + 1) & mask) {
        uint32_t v = c->idx[i];
        if (v == 0)
            return NULL;
        if (strcmp(c->e[v - 1].key, key) == 0)
            return &c->e[v - 1];
    }
}

static int
conf_reindex(vg_conf_t *c, size_t cap)
{
    uint32_t *idx = calloc(cap, sizeof(*idx));
    if (idx == NULL)
        return VG_ENOMEM;
    for (size_t k = 0; k < c->n; k++) {
        size_t i = conf_hash(c->e[k].key) & (cap - 1);
        while (idx[i] != 0)
            i = (i + 1) & (cap - 1);
        idx[i] = (uint32_t)(k + 1);
    }
    free(c->idx);
    c->idx = idx;
    c->idx_cap = cap;
    return VG_OK;
}

static const char *
conf_intern_file(vg_conf_t *c, const char *file)
{
    for (size_t i = 0; i < c->n_files; i++)
        if (strcmp(c->files[i], file) == 0)
            return c->files[i];
    char **nf = realloc(c->files, (c->n_files + 1) * sizeof(*nf));
    if (nf == NULL)
        return "?";
    c->files = nf;
    char *dup = strdup(file);
    if (dup == NULL)
        return "?";
    c->files[c->n_files++] = dup;
    return dup;
}

/* Define key (replacing any earlier definition). value NULL with
 * container=false is a YAML null. */
static int
conf_put(vg_conf_t *c, const char *key, const char *value, bool container, const char *file,
         int line)
{
    conf_entry_t *e = conf_find(c, key);
    if (e == NULL) {
        if (c->n == c->cap) {
            size_t ncap = c->cap ? c->cap * 2 : 256;
            conf_entry_t *ne = realloc(c->e, ncap * sizeof(*ne));
            if (ne == NULL)
                return VG_ENOMEM;
            c->e = ne;
            c->cap = ncap;
        }
        if ((c->n + 1) * 2 > c->idx_cap) {
            if (conf_reindex(c, c->idx_cap ? c->idx_cap * 2 : 512) != VG_OK)
                return VG_ENOMEM;
        }
        e = &c->e[c->n];
        memset(e, 0, sizeof(*e));
        e->key = strdup(key);
        if (e->key == NULL)
            return VG_ENOMEM;
        size_t i = conf_hash(key) & (c->idx_cap - 1);
        while (c->idx[i] != 0)
            i = (i + 1) & (c->idx_cap - 1);
        c->idx[i] = (uint32_t)(c->n + 1);
        c->n++;
    }
    free(e->value);
    e->value = NULL;
    if (value != NULL) {
        e->value = strdup(value);
        if (e->value == NULL)
            return VG_ENOMEM;
    }
    e->container = container;
    e->file = file;
    e->line = line;
    return VG_OK;
}

/* ---- YAML reading ---- */

typedef struct conf_reader {
    vg_conf_t *c;
    yaml_parser_t parser;
    const char *file;     /* interned */
    char dir[1024];       /* directory of `file`, for includes */
    int depth;            /* include depth */
    char *errbuf;
    size_t errlen;
} conf_reader_t;

static int conf_load_path(vg_conf_t *c, const char *path, const char *prefix, int depth,
                          char *errbuf, size_t errlen);

static int
conf_next(conf_reader_t *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->parser, ev)) {
        conf_err(r->errbuf, r->errlen, "%s:%zu: YAML syntax error: %s%s%s, expected valid YAML",
                 r->file, r->parser.problem_mark.line + 1,
                 r->parser.problem ? r->parser.problem : "unknown",
                 r->parser.context ? " " : "", r->parser.context ? r->parser.context : "");
        return VG_ECONFIG;
    }
    return VG_OK;
}

static int
conf_join(conf_reader_t *r, char *out, size_t outlen, const char *prefix, const char *name,
          int line)
{
    int n = *prefix ? snprintf(out, outlen, "%s.%s", prefix, name)
                    : snprintf(out, outlen, "%s", name);
    if (n < 0 || (size_t)n >= outlen) {
        conf_err(r->errbuf, r->errlen, "%s:%d: key too long, expected at most %zu characters",
                 r->file, line, outlen - 1);
        return VG_ECONFIG;
    }
    return VG_OK;
}

static int
conf_include(conf_reader_t *r, const char *name, const char *prefix, int line)
{
    char path[2048];
    if (name[0] == '/' || r->dir[0] == '\0')
        snprintf(path, sizeof(path), "%s", name);
    else
        snprintf(path, sizeof(path), "%s/%s", r->dir, name);
    if (r->depth + 1 > CONF_MAX_INCLUDE_DEPTH) {
        conf_err(r->errbuf, r->errlen, "%s:%d: include '%s' nested too deep, expected at most %d "
                 "levels (include loop?)", r->file, line, name, CONF_MAX_INCLUDE_DEPTH);
        return VG_ECONFIG;
    }
    char sub[VG_ERRBUF_SIZE];
    int rc = conf_load_path(r->c, path, prefix, r->depth + 1, sub, sizeof(sub));
    if (rc != VG_OK) {
        if (rc == VG_EIO)
            conf_err(r->errbuf, r->errlen, "%s:%d: include '%s': %s", r->file, line, name, sub);
        else
            conf_err(r->errbuf, r->errlen, "%s", sub);
    }
    return rc;
}

static bool
conf_scalar_is_null(const yaml_event_t *ev)
{
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = (const char *)ev->data.scalar.value;
    return ev->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static bool
conf_tag_is_include(const yaml_char_t *tag)
{
    return tag != NULL && strcmp((const char *)tag, "!include") == 0;
}

/* Parse the node that starts with `ev` (ownership of ev moves here) under key `key`. */
static int
conf_node(conf_reader_t *r, yaml_event_t *ev, const char *key, int nesting)
{
    int rc = VG_OK;
    int line = (int)ev->start_mark.line + 1;
    char child[CONF_MAX_KEY];

    if (nesting > CONF_MAX_NESTING) {
        conf_err(r->errbuf, r->errlen, "%s:%d: nesting too deep, expected at most %d levels",
                 r->file, line, CONF_MAX_NESTING);
        yaml_event_delete(ev);
        return VG_ECONFIG;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (conf_tag_is_include(ev->data.scalar.tag)) {
            rc = conf_include(r, (const char *)ev->data.scalar.value, key, line);
        } else if (conf_scalar_is_null(ev)) {
            rc = conf_put(r->c, key, NULL, false, r->file, line);
        } else {
            rc = conf_put(r->c, key, (const char *)ev->data.scalar.value, false, r->file, line);
        }
        yaml_event_delete(ev);
        return rc;
    case YAML_ALIAS_EVENT:
        conf_err(r->errbuf, r->errlen, "%s:%d: YAML alias '%s', expected a value (anchors and "
                 "aliases are not supported)", r->file, line, (const char *)ev->data.alias.anchor);
        yaml_event_delete(ev);
        return VG_ECONFIG;
    case YAML_SEQUENCE_START_EVENT: {
        yaml_event_delete(ev);
        if (*key && (rc = conf_put(r->c, key, NULL, true, r->file, line)) != VG_OK)
            return rc;
        for (unsigned idx = 0;; idx++) {
            yaml_event_t item;
            if ((rc = conf_next(r, &item)) != VG_OK)
                return rc;
            if (item.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&item);
                return VG_OK;
            }
            char num[16];
            snprintf(num, sizeof(num), "%u", idx);
            if ((rc = conf_join(r, child, sizeof(child), key, num, line)) != VG_OK) {
                yaml_event_delete(&item);
                return rc;
            }
            if ((rc = conf_node(r, &item, child, nesting + 1)) != VG_OK)
                return rc;
        }
    }
    case YAML_MAPPING_START_EVENT: {
        yaml_event_delete(ev);
        if (*key && (rc = conf_put(r->c, key, NULL, true, r->file, line)) != VG_OK)
            return rc;
        for (;;) {
            yaml_event_t k;
            if ((rc = conf_next(r, &k)) != VG_OK)
                return rc;
            if (k.type == YAML_MAPPING_END_EVENT) {
                yaml_event_delete(&k);
                return VG_OK;
            }
            int kline = (int)k.start_mark.line + 1;
            if (k.type != YAML_SCALAR_EVENT) {
                conf_err(r->errbuf, r->errlen, "%s:%d: complex mapping key, expected a plain "
                         "scalar key", r->file, kline);
                yaml_event_delete(&k);
                return VG_ECONFIG;
            }
            char name[CONF_MAX_KEY];
            snprintf(name, sizeof(name), "%s", (const char *)k.data.scalar.value);
            yaml_event_delete(&k);
            if (strchr(name, '.') != NULL || name[0] == '\0') {
                conf_err(r->errbuf, r->errlen, "%s:%d: key '%s', expected a non-empty name "
                         "without '.'", r->file, kline, name);
                return VG_ECONFIG;
            }
            yaml_event_t v;
            if ((rc = conf_next(r, &v)) != VG_OK)
                return rc;
            if (strcmp(name, "include") == 0) {
                /* include: file | [file, ...] loads into this mapping */
                if (v.type == YAML_SCALAR_EVENT) {
                    if (!conf_scalar_is_null(&v))
                        rc = conf_include(r, (const char *)v.data.scalar.value, key, kline);
                    yaml_event_delete(&v);
                    if (rc != VG_OK)
                        return rc;
                    continue;
                }
                if (v.type == YAML_SEQUENCE_START_EVENT) {
                    yaml_event_delete(&v);
                    for (;;) {
                        yaml_event_t f;
                        if ((rc = conf_next(r, &f)) != VG_OK)
                            return rc;
                        if (f.type == YAML_SEQUENCE_END_EVENT) {
                            yaml_event_delete(&f);
                            break;
                        }
                        if (f.type != YAML_SCALAR_EVENT) {
                            int fl = (int)f.start_mark.line + 1;
                            yaml_event_delete(&f);
                            conf_err(r->errbuf, r->errlen, "%s:%d: include list item, expected "
                                     "a file name", r->file, fl);
                            return VG_ECONFIG;
                        }
                        rc = conf_include(r, (const char *)f.data.scalar.value, key,
                                          (int)f.start_mark.line + 1);
                        yaml_event_delete(&f);
                        if (rc != VG_OK)
                            return rc;
                    }
                    continue;
                }
                yaml_event_delete(&v);
                conf_err(r->errbuf, r->errlen, "%s:%d: include, expected a file name or a list "
                         "of file names", r->file, kline);
                return VG_ECONFIG;
            }
            if ((rc = conf_join(r, child, sizeof(child), key, name, kline)) != VG_OK) {
                yaml_event_delete(&v);
                return rc;
            }
            if ((rc = conf_node(r, &v, child, nesting + 1)) != VG_OK)
                return rc;
        }
    }
    default:
        conf_err(r->errbuf, r->errlen, "%s:%d: unexpected YAML event, expected a value", r->file,
                 line);
        yaml_event_delete(ev);
        return VG_ECONFIG;
    }
}

/* Read one YAML stream (input already set on r->parser) into prefix. */
static int
conf_read(conf_reader_t *r, const char *prefix)
{
    int rc;
    for (;;) {
        yaml_event_t ev;
        if ((rc = conf_next(r, &ev)) != VG_OK)
            return rc;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            return VG_OK;
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            yaml_event_delete(&ev);
            break;
        default:
            if ((rc = conf_node(r, &ev, prefix, 0)) != VG_OK)
                return rc;
            break;
        }
    }
}

static void
conf_dirname(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        out[0] = '\0';
        return;
    }
    size_t n = (size_t)(slash - path);
    if (n == 0)
        n = 1; /* "/file" -> "/" */
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, path, n);
    out[n] = '\0';
}

static int
conf_load_path(vg_conf_t *c, const char *path, const char *prefix, int depth, char *errbuf,
               size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        conf_err(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
        return VG_EIO;
    }
    conf_reader_t r = {.c = c, .file = conf_intern_file(c, path), .depth = depth,
                       .errbuf = errbuf, .errlen = errlen};
    conf_dirname(path, r.dir, sizeof(r.dir));
    if (!yaml_parser_initialize(&r.parser)) {
        fclose(fp);
        conf_err(errbuf, errlen, "%s: out of memory", path);
        return VG_ENOMEM;
    }
    yaml_parser_set_input_file(&r.parser, fp);
    int rc = conf_read(&r, prefix);
    yaml_parser_delete(&r.parser);
    fclose(fp);
    return rc;
}

int
vg_conf_load_file(vg_conf_t *c, const char *path, char *errbuf, size_t errlen)
{
    int rc = conf_load_path(c, path, "", 0, errbuf, errlen);
    return rc == VG_ENOMEM ? rc : (rc != VG_OK ? VG_ECONFIG : VG_OK);
}

int
vg_conf_load_string(vg_conf_t *c, const char *yaml, const char *name, char *errbuf,
                    size_t errlen)
{
    conf_reader_t r = {.c = c, .file = conf_intern_file(c, name), .errbuf = errbuf,
                       .errlen = errlen};
    if (!yaml_parser_initialize(&r.parser))
        return VG_ENOMEM;
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)yaml, strlen(yaml));
    int rc = conf_read(&r, "");
    yaml_parser_delete(&r.parser);
    return rc == VG_ENOMEM ? rc : (rc != VG_OK ? VG_ECONFIG : VG_OK);
}

int
vg_conf_set(vg_conf_t *c, const char *assignment, char *errbuf, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    if (eq == NULL || eq == assignment) {
        conf_err(errbuf, errlen, "--set '%s': expected key=value", assignment);
        return VG_ECONFIG;
    }
    size_t klen = (size_t)(eq - assignment);
    if (klen >= CONF_MAX_KEY) {
        conf_err(errbuf, errlen, "--set: key too long, expected at most %d characters",
                 CONF_MAX_KEY - 1);
        return VG_ECONFIG;
    }
    char key[CONF_MAX_KEY];
    memcpy(key, assignment, klen);
    key[klen] = '\0';
    if (key[klen - 1] == '.' || strstr(key, "..") != NULL) {
        conf_err(errbuf, errlen, "--set '%s': empty key segment, expected a.b.c=value", key);
        return VG_ECONFIG;
    }
    const char *file = conf_intern_file(c, "--set");
    /* parents become containers so vg_conf_children sees the new key */
    for (char *dot = strchr(key, '.'); dot != NULL; dot = strchr(dot + 1, '.')) {
        *dot = '\0';
        conf_entry_t *p = conf_find(c, key);
        if (p == NULL || !p->container) {
            if (conf_put(c, key, NULL, true, file, 0) != VG_OK)
                return VG_ENOMEM;
        }
        *dot = '.';
    }
    return conf_put(c, key, eq + 1, false, file, 0) == VG_OK ? VG_OK : VG_ENOMEM;
}

const char *
vg_conf_get(vg_conf_t *c, const char *key)
{
    conf_entry_t *e = conf_find(c, key);
    if (e == NULL)
        return NULL;
    e->used = true;
    return e->container ? NULL : e->value;
}

bool
vg_conf_exists(vg_conf_t *c, const char *key)
{
    conf_entry_t *e = conf_find(c, key);
    if (e == NULL)
        return false;
    e->used = true;
    return true;
}

int
vg_conf_parse_bool(const char *v, bool *out)
{
    static const char *yes[] = {"yes", "true", "on", "1", "y"};
    static const char *no[] = {"no", "false", "off", "0", "n"};
    for (size_t i = 0; i < VG_ARRAY_LEN(yes); i++) {
        if (strcasecmp(v, yes[i]) == 0) {
            *out = true;
            return VG_OK;
        }
        if (strcasecmp(v, no[i]) == 0) {
            *out = false;
            return VG_OK;
        }
    }
    return VG_EINVAL;
}

static void
conf_bad_value(vg_conf_t *c, const char *key, const char *v, const char *expected, char *errbuf,
               size_t errlen)
{
    conf_entry_t *e = conf_find(c, key);
    conf_err(errbuf, errlen, "%s:%d: %s: bad value '%s', expected %s", e ? e->file : "?",
             e ? e->line : 0, key, v, expected);
}

int
vg_conf_get_bool(vg_conf_t *c, const char *key, bool def, bool *out, char *errbuf,
                 size_t errlen)
{
    const char *v = vg_conf_get(c, key);
    *out = def;
    if (v == NULL)
        return VG_OK;
    if (vg_conf_parse_bool(v, out) != VG_OK) {
        *out = def;
        conf_bad_value(c, key, v, "yes or no", errbuf, errlen);
        return VG_ECONFIG;
    }
    return VG_OK;
}

int
vg_conf_get_uint(vg_conf_t *c, const char *key, uint64_t def, uint64_t *out, char *errbuf,
                 size_t errlen)
{
    const char *v = vg_conf_get(c, key);
    *out = def;
    if (v == NULL)
        return VG_OK;
    if (vg_limits_parse_value(v, out) != VG_OK) {
        *out = def;
        conf_bad_value(c, key, v, "a number (optional kb/mb/gb suffix)", errbuf, errlen);
        return VG_ECONFIG;
    }
    return VG_OK;
}

size_t
vg_conf_children(vg_conf_t *c, const char *key, void (*fn)(void *user, const char *child),
                 void *user)
{
    size_t klen = strlen(key), n = 0;
    for (size_t i = 0; i < c->n; i++) {
        const char *k = c->e[i].key;
        const char *rest;
        if (klen == 0) {
            rest = k;
        } else {
            if (strncmp(k, key, klen) != 0 || k[klen] != '.')
                continue;
            rest = k + klen + 1;
        }
        if (strchr(rest, '.') != NULL)
            continue;
        n++;
        if (fn)
            fn(user, rest);
    }
    if (klen)
        vg_conf_exists(c, key);
    return n;
}

typedef struct {
    char *out;
    size_t outlen;
    size_t n;
} item_name_t;

static void
conf_item_child(void *user, const char *child)
{
    item_name_t *in = user;
    if (in->n++ == 0)
        snprintf(in->out, in->outlen, "%s", child);
}

bool
vg_conf_item_name(vg_conf_t *c, const char *item_key, char *out, size_t outlen)
{
    conf_entry_t *e = conf_find(c, item_key);
    if (e == NULL)
        return false;
    e->used = true;
    if (!e->container) {
        snprintf(out, outlen, "%s", e->value ? e->value : "");
        return true;
    }
    item_name_t in = {out, outlen, 0};
    if (outlen)
        out[0] = '\0';
    vg_conf_children(c, item_key, conf_item_child, &in);
    return in.n > 0;
}

bool
vg_conf_where(const vg_conf_t *c, const char *key, const char **file, int *line)
{
    conf_entry_t *e = conf_find(c, key);
    if (e == NULL)
        return false;
    *file = e->file;
    *line = e->line;
    return true;
}

int
vg_conf_apply_limits(vg_conf_t *c, vg_limits_t *l, char *errbuf, size_t errlen)
{
    for (size_t i = 0; i < vg_limits_count(); i++) {
        const char *key = vg_limits_key(i);
        const char *v = vg_conf_get(c, key);
        if (v == NULL)
            continue;
        char sub[VG_ERRBUF_SIZE];
        if (vg_limits_set(l, key, v, sub, sizeof(sub)) != VG_OK) {
            conf_entry_t *e = conf_find(c, key);
            conf_err(errbuf, errlen, "%s:%d: %s", e->file, e->line, sub);
            return VG_ECONFIG;
        }
    }
    return VG_OK;
}

size_t
vg_conf_unused(const vg_conf_t *c,
               void (*fn)(void *user, const char *key, const char *file, int line), void *user)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++) {
        const conf_entry_t *e = &c->e[i];
        if (e->container || e->used)
            continue;
        n++;
        if (fn)
            fn(user, e->key, e->file, e->line);
    }
    return n;
}

size_t
vg_conf_count(const vg_conf_t *c)
{
    return c->n;
}
