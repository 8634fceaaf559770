/* intel_stix.c - see intel_stix.h. */
#include "intel/intel_stix.h"
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int
stix_walk(json_t *root, vg_stix_object_cb cb, void *user, const char *name, char *errbuf,
          size_t errlen)
{
    if (!json_is_object(root)) {
        snprintf(errbuf, errlen, "%s: top-level value is not a JSON object, expected a STIX "
                 "bundle or object", name);
        return VG_EINVAL;
    }
    const char *type = vg_stix_str(root, "type");
    if (type != NULL && strcmp(type, "bundle") == 0) {
        json_t *objs = json_object_get(root, "objects");
        if (objs == NULL)
            return VG_OK; /* an empty bundle is valid */
        if (!json_is_array(objs)) {
            snprintf(errbuf, errlen, "%s: bundle 'objects' is not an array", name);
            return VG_EINVAL;
        }
        size_t i;
        json_t *o;
        json_array_foreach(objs, i, o) {
            if (!json_is_object(o) || vg_stix_str(o, "type") == NULL)
                continue; /* counted by callers as they see fit; not fatal */
            int rc = cb(o, user);
            if (rc != 0)
                return rc;
        }
        return VG_OK;
    }
    if (type == NULL) {
        snprintf(errbuf, errlen, "%s: object has no 'type', expected a STIX bundle or object",
                 name);
        return VG_EINVAL;
    }
    return cb(root, user);
}

/* JSON Lines: every non-blank line is one object. */
static int
stix_walk_lines(const char *name, const char *data, size_t len, vg_stix_object_cb cb, void *user,
                char *errbuf, size_t errlen)
{
    size_t line = 0, pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && data[end] != '\n')
            end++;
        line++;
        size_t s = pos;
        while (s < end && (data[s] == ' ' || data[s] == '\t' || data[s] == '\r'))
            s++;
        if (s < end) {
            json_error_t jerr;
            json_t *o = json_loadb(data + s, end - s, 0, &jerr);
            if (o == NULL) {
                snprintf(errbuf, errlen, "%s:%zu:%d: %s", name, line, jerr.column, jerr.text);
                return VG_EINVAL;
            }
            int rc = stix_walk(o, cb, user, name, errbuf, errlen);
            json_decref(o);
            if (rc != 0)
                return rc;
        }
        pos = end + 1;
    }
    return VG_OK;
}

int
vg_stix_foreach_object_buf(const char *name, const char *data, size_t len, vg_stix_object_cb cb,
                           void *user, char *errbuf, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr);
    if (root == NULL) {
        /* Not one document: maybe JSON Lines (the first value parses alone). */
        json_error_t jerr2;
        json_t *first = json_loadb(data, len, JSON_DISABLE_EOF_CHECK, &jerr2);
        if (first != NULL) {
            json_decref(first);
            return stix_walk_lines(name, data, len, cb, user, errbuf, errlen);
        }
        snprintf(errbuf, errlen, "%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
        return VG_EINVAL;
    }
    int rc = stix_walk(root, cb, user, name, errbuf, errlen);
    json_decref(root);
    return rc;
}

int
vg_stix_foreach_object(const char *path, size_t max_bytes, vg_stix_object_cb cb, void *user,
                       char *errbuf, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
        return VG_EIO;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(errbuf, errlen, "%s: not a regular file", path);
        fclose(fp);
        return VG_EIO;
    }
    if (max_bytes && (size_t)st.st_size > max_bytes) {
        snprintf(errbuf, errlen, "%s: %lld bytes, over the limit of %zu (intel.max-file-size)",
                 path, (long long)st.st_size, max_bytes);
        fclose(fp);
        return VG_EINVAL;
    }
    size_t len = (size_t)st.st_size;
    char *data = malloc(len + 1);
    if (data == NULL) {
        fclose(fp);
        snprintf(errbuf, errlen, "%s: out of memory reading %zu bytes", path, len);
        return VG_ENOMEM;
    }
    size_t got = fread(data, 1, len, fp);
    fclose(fp);
    if (got != len) {
        free(data);
        snprintf(errbuf, errlen, "%s: short read", path);
        return VG_EIO;
    }
    data[len] = '\0';
    int rc = vg_stix_foreach_object_buf(path, data, len, cb, user, errbuf, errlen);
    free(data);
    return rc;
}

const char *
vg_stix_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *
nonempty(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

void
vg_stix_marking_read(const json_t *obj, vg_stix_marking_t *m)
{
    memset(m, 0, sizeof(*m));
    const char *dt = vg_stix_str(obj, "definition_type");
    const json_t *def = json_object_get(obj, "definition");
    const char *name = nonempty(vg_stix_str(obj, "name"));
    if (dt != NULL && strcmp(dt, "tlp") == 0) {
        const char *lv = vg_stix_str(def, "tlp");
        if (lv != NULL)
            m->tlp = vg_tlp_from_text(lv, strlen(lv));
        if (m->tlp == VG_TLP_NONE && name != NULL)
            m->tlp = vg_tlp_from_text(name, strlen(name));
    } else if (dt != NULL && strcmp(dt, "statement") == 0) {
        m->is_statement = true;
        m->name = name;
        m->statement = nonempty(vg_stix_str(def, "statement"));
    } else if (dt == NULL) {
        const json_t *ext = json_object_get(obj, "extensions");
        const char *k;
        json_t *e;
        if (json_is_object(ext))
            json_object_foreach((json_t *)ext, k, e) {
                const char *lv = vg_stix_str(e, "tlp_2_0");
                if (lv != NULL)
                    m->tlp = vg_tlp_max(m->tlp, vg_tlp_from_text(lv, strlen(lv)));
            }
        if (m->tlp == VG_TLP_NONE && name != NULL)
            m->tlp = vg_tlp_from_text(name, strlen(name));
    }
}

long long
vg_stix_int(const json_t *obj, const char *key, long long dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

int
vg_stix_parse_time(const char *s, long long *out_us)
{
    if (s == NULL)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    const char *p = s + n;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        int n2 = 0;
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n2) != 3)
            return -1;
        p += 1 + n2;
    }
    long long frac_us = 0;
    if (*p == '.') {
        p++;
        long long scale = 100000;
        while (*p >= '0' && *p <= '9') {
            frac_us += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    long long off = 0;
    if (*p == '+' || *p == '-') {
        int oh = 0, om = 0;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) >= 1)
            off = (oh * 3600LL + om * 60LL) * (*p == '+' ? 1 : -1);
    }
    *out_us = ((long long)t - off) * 1000000LL + frac_us;
    return 0;
}
