/* intel_load.c - file reading, format detection, and the STIX 2.x loader.
 *
 * STIX: every object is counted by type; `indicator` objects with a STIX
 * pattern become one indicator per matchable alternative (see
 * intel_stix_pattern.c); `relationship` objects and the names of
 * intrusion-set / malware / campaign / threat-actor / tool / identity
 * objects are kept so freeze() can link indicators to actors and sources.
 * STIX 2.0 differs only in ways this loader does not depend on
 * (`labels` instead of `indicator_types`, no `pattern_type`).
 * Markings: an indicator's `object_marking_refs` that are well-known TLP
 * ids set its TLP at once; the others are resolved at freeze against the
 * `marking-definition` objects of every file (TLP 1.0 `definition_type:
 * "tlp"`, TLP 2.0 extension objects, `statement`). `granular_markings`
 * are ignored.
 */
#include "intel/intel_int.h"
#include "intel/intel_stix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

vg_intel_format_t
vg_intel_detect_format(const char *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && (unsigned char)data[0] == 0xef && (unsigned char)data[1] == 0xbb &&
        (unsigned char)data[2] == 0xbf)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i >= len)
        return VG_INTEL_FMT_AUTO;
    if (data[i] == '#') {
        if ((len - i >= 7 && memcmp(data + i, "#fields", 7) == 0) ||
            (len - i >= 10 && memcmp(data + i, "#separator", 10) == 0))
            return VG_INTEL_FMT_ZEEK;
        /* comment lines first: look for #fields further on */
        const char *f = NULL;
        size_t lim = len - i < 65536 ? len - i : 65536;
        for (size_t k = 0; k + 8 <= lim && f == NULL; k++)
            if (data[i + k] == '\n' && memcmp(data + i + k + 1, "#fields", 7) == 0)
                f = data + i + k;
        return f ? VG_INTEL_FMT_ZEEK : VG_INTEL_FMT_AUTO;
    }
    if (data[i] == '[')
        return VG_INTEL_FMT_MISP;
    if (data[i] == '{') {
        size_t j = i + 1;
        while (j < len && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r' || data[j] == '\n'))
            j++;
        if ((len - j >= 7 && memcmp(data + j, "\"Event\"", 7) == 0) ||
            (len - j >= 10 && memcmp(data + j, "\"response\"", 10) == 0))
            return VG_INTEL_FMT_MISP;
        return VG_INTEL_FMT_STIX;
    }
    return VG_INTEL_FMT_AUTO;
}

static int
load_buf(vg_intel_store_t *s, const char *name, char *data, size_t len, vg_intel_format_t fmt,
         char *errbuf, size_t errlen)
{
    if (fmt == VG_INTEL_FMT_AUTO)
        fmt = vg_intel_detect_format(data, len);
    s->rep.last_format = fmt;
    switch (fmt) {
    case VG_INTEL_FMT_STIX: return intel_load_stix(s, name, data, len, errbuf, errlen);
    case VG_INTEL_FMT_MISP: return intel_load_misp(s, name, data, len, errbuf, errlen);
    case VG_INTEL_FMT_ZEEK: return intel_load_zeek(s, name, data, len, errbuf, errlen);
    default:
        snprintf(errbuf, errlen, "%s: unknown intel format (expected STIX 2.x JSON, MISP event "
                 "JSON or a Zeek intel file with a #fields line)", name);
        return VG_EINVAL;
    }
}

/* Checks before any load: not frozen, within intel.max-file-size. Sets
 * errbuf (never NULL here) and returns an error, or VG_OK. */
static int
load_check(vg_intel_store_t *s, const char *name, size_t len, char *errbuf, size_t errlen)
{
    errbuf[0] = '\0';
    if (s->frozen) {
        snprintf(errbuf, errlen, "%s: intel store already frozen", name);
        return VG_EINVAL;
    }
    if (s->limits.intel_max_file_bytes && len > s->limits.intel_max_file_bytes) {
        snprintf(errbuf, errlen, "%s: %zu bytes, over intel.max-file-size %llu", name, len,
                 (unsigned long long)s->limits.intel_max_file_bytes);
        return VG_EINVAL;
    }
    return VG_OK;
}

/* Start loading one file (load_check() has passed). */
static void
load_begin(vg_intel_store_t *s, const char *name, void (*note)(void *user, const char *msg),
           void *user)
{
    if (s->now == 0)
        s->now = (vg_time_us_t)time(NULL) * 1000000;
    s->cur_file = intel_strdup(s, name);
    s->note = note;
    s->note_user = user;
    s->rep.files++;
}

/* Finish loading one file: count a failure, make sure errbuf says why. */
static int
load_end(vg_intel_store_t *s, const char *name, int rc, char *errbuf, size_t errlen)
{
    s->note = NULL;
    s->note_user = NULL;
    if (rc != VG_OK) {
        s->rep.errors++;
        if (errbuf[0] == '\0')
            snprintf(errbuf, errlen, "%s: load failed (%s)", name, vg_rc_name(rc));
    }
    return rc;
}

/* Load a buffer the loader may modify (NUL-terminated at data[len]); the
 * caller keeps ownership. load_check() has passed. */
static int
load_mutable(vg_intel_store_t *s, const char *name, char *data, size_t len,
             vg_intel_format_t fmt, void (*note)(void *user, const char *msg), void *user,
             char *errbuf, size_t errlen)
{
    load_begin(s, name, note, user);
    int rc = load_buf(s, s->cur_file ? s->cur_file : name, data, len, fmt, errbuf, errlen);
    return load_end(s, name, rc, errbuf, errlen);
}

/* A Zeek file larger than one chunk is parsed chunk by chunk instead of
 * being read whole: at 1M indicators that is 84 MB less at peak. A chunk
 * holds at least one line of the longest allowed length. */
#define ZEEK_CHUNK (4u << 20)
_Static_assert(ZEEK_CHUNK > ZEEK_MAX_LINE + 2, "a chunk holds a whole line");

/* Stream the rest of a Zeek file: buf (ZEEK_CHUNK + 1 bytes) holds the
 * first `fill` bytes of fp's `len`. Same result, notes and errors as
 * intel_load_zeek() on the whole file. load_check() has passed. */
static int
load_zeek_stream(vg_intel_store_t *s, const char *path, FILE *fp, size_t len, char *buf,
                 size_t fill, void (*note)(void *user, const char *msg), void *user,
                 char *errbuf, size_t errlen)
{
    load_begin(s, path, note, user);
    s->rep.last_format = VG_INTEL_FMT_ZEEK;
    const char *name = s->cur_file ? s->cur_file : path;
    intel_zeek_t z;
    intel_zeek_init(&z, name);
    size_t total = fill;
    int rc = VG_OK;
    for (;;) {
        bool eof = total == len;
        buf[fill] = '\0';
        size_t used;
        rc = intel_zeek_feed(s, &z, buf, fill, eof, &used, errbuf, errlen);
        if (rc != VG_OK || eof)
            break;
        memmove(buf, buf + used, fill - used);
        fill -= used;
        if (fill == ZEEK_CHUNK) {
            /* no line end in a full chunk: a line over ZEEK_MAX_LINE; find
             * its length for the message the whole-buffer parse gives */
            size_t n = fill;
            char last = buf[fill - 1];
            int c;
            while (total < len && (c = fgetc(fp)) != EOF && c != '\n') {
                n++;
                total++;
                last = (char)c;
            }
            if (last == '\r')
                n--;
            snprintf(errbuf, errlen, "%s:%zu: line of %zu bytes, over %u", name, z.lineno + 1,
                     n, ZEEK_MAX_LINE);
            rc = VG_EINVAL;
            break;
        }
        size_t want = VG_MIN((size_t)ZEEK_CHUNK - fill, len - total);
        size_t got = fread(buf + fill, 1, want, fp);
        if (got != want) {
            snprintf(errbuf, errlen, "%s: short read", path);
            rc = VG_EIO;
            break;
        }
        fill += got;
        total += got;
    }
    if (rc == VG_OK)
        rc = intel_zeek_finish(&z, errbuf, errlen);
    return load_end(s, path, rc, errbuf, errlen);
}

int
vg_intel_load_buf(vg_intel_store_t *s, const char *name, const char *data, size_t len,
                  vg_intel_format_t fmt, void (*note)(void *user, const char *msg), void *user,
                  char *errbuf, size_t errlen)
{
    char dummy[VG_ERRBUF_SIZE];
    if (errbuf == NULL || errlen == 0) {
        errbuf = dummy;
        errlen = sizeof(dummy);
    }
    int rc = load_check(s, name, len, errbuf, errlen);
    if (rc != VG_OK)
        return rc;
    /* loaders want a NUL-terminated copy they may modify (jansson, the
     * in-place Zeek parser) */
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        snprintf(errbuf, errlen, "%s: out of memory", name);
        return VG_ENOMEM;
    }
    memcpy(copy, data, len);
    copy[len] = '\0';
    rc = load_mutable(s, name, copy, len, fmt, note, user, errbuf, errlen);
    free(copy);
    return rc;
}

int
vg_intel_load_file(vg_intel_store_t *s, const char *path, vg_intel_format_t fmt,
                   void (*note)(void *user, const char *msg), void *user, char *errbuf,
                   size_t errlen)
{
    char dummy[VG_ERRBUF_SIZE];
    if (errbuf == NULL || errlen == 0) {
        errbuf = dummy;
        errlen = sizeof(dummy);
    }
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
        s->rep.errors++;
        return VG_EIO;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(errbuf, errlen, "%s: not a regular file", path);
        fclose(fp);
        s->rep.errors++;
        return VG_EIO;
    }
    size_t len = (size_t)st.st_size;
    if (s->limits.intel_max_file_bytes && len > s->limits.intel_max_file_bytes) {
        snprintf(errbuf, errlen, "%s: %zu bytes, over intel.max-file-size %llu", path, len,
                 (unsigned long long)s->limits.intel_max_file_bytes);
        fclose(fp);
        s->rep.errors++;
        return VG_EINVAL;
    }
    /* a big Zeek file is streamed; anything else is read whole */
    size_t first = len > ZEEK_CHUNK && (fmt == VG_INTEL_FMT_AUTO || fmt == VG_INTEL_FMT_ZEEK)
                       ? ZEEK_CHUNK : len;
    char *data = malloc(first + 1);
    if (data == NULL) {
        fclose(fp);
        snprintf(errbuf, errlen, "%s: out of memory reading %zu bytes", path, len);
        s->rep.errors++;
        return VG_ENOMEM;
    }
    size_t got = fread(data, 1, first, fp);
    /* detection on a prefix: ZEEK there means ZEEK on the whole file (it
     * looks at most 64 KiB past the leading blanks, and finding '#fields'
     * in less data finds it in more) */
    if (got == first && first < len &&
        (fmt == VG_INTEL_FMT_ZEEK || vg_intel_detect_format(data, first) == VG_INTEL_FMT_ZEEK)) {
        int rc = load_check(s, path, len, errbuf, errlen);
        if (rc == VG_OK)
            rc = load_zeek_stream(s, path, fp, len, data, first, note, user, errbuf, errlen);
        fclose(fp);
        free(data);
        return rc;
    }
    if (got == first && first < len) { /* not Zeek after all: read the rest */
        char *nd = realloc(data, len + 1);
        if (nd == NULL) {
            free(data);
            fclose(fp);
            snprintf(errbuf, errlen, "%s: out of memory reading %zu bytes", path, len);
            s->rep.errors++;
            return VG_ENOMEM;
        }
        data = nd;
        got += fread(data + first, 1, len - first, fp);
    }
    fclose(fp);
    if (got != len) {
        free(data);
        snprintf(errbuf, errlen, "%s: short read", path);
        s->rep.errors++;
        return VG_EIO;
    }
    data[len] = '\0';
    /* the buffer is ours: load it in place rather than through
     * vg_intel_load_buf's copy */
    int rc = load_check(s, path, len, errbuf, errlen);
    if (rc == VG_OK)
        rc = load_mutable(s, path, data, len, fmt, note, user, errbuf, errlen);
    free(data);
    return rc;
}

/* ---- STIX ---- */

typedef struct stix_ctx {
    vg_intel_store_t *s;
    char *errbuf;
    size_t errlen;
    const char *name;
} stix_ctx_t;

/* Join the strings of a JSON array with commas into the arena. */
static const char *
join_strings(vg_intel_store_t *s, const json_t *arr)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return NULL;
    char buf[1024];
    size_t o = 0;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            continue;
        const char *t = json_string_value(v);
        size_t tn = strlen(t);
        if (o + tn + 2 >= sizeof(buf))
            break;
        if (o)
            buf[o++] = ',';
        memcpy(buf + o, t, tn);
        o += tn;
    }
    return o ? intel_strndup(s, buf, o) : NULL;
}

/* Refs of one indicator kept for freeze; more are not looked at (a real
 * producer lists a TLP level and a licence or two). */
#define STIX_MAX_MREFS 16

/* The indicator's object_marking_refs: well-known TLP ids give *tlp now,
 * the rest go into refs (up to STIX_MAX_MREFS; *n set). */
static void
stix_marking_refs(const json_t *o, vg_tlp_t *tlp, const char **refs, size_t *n)
{
    const json_t *arr = json_object_get(o, "object_marking_refs");
    size_t i;
    json_t *v;
    *n = 0;
    if (!json_is_array(arr))
        return;
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            continue;
        const char *ref = json_string_value(v);
        vg_tlp_t t = vg_tlp_from_marking_id(ref);
        if (t != VG_TLP_NONE)
            *tlp = vg_tlp_max(*tlp, t);
        else if (*n < STIX_MAX_MREFS)
            refs[(*n)++] = ref;
    }
}

/* A marking-definition object (read by vg_stix_marking_read): a TLP level,
 * or a statement kept as "name: statement" (either alone when the other is
 * missing). Other kinds are noted and not kept: refs to them count as
 * unresolved. */
static int
stix_marking_definition(vg_intel_store_t *s, const json_t *o, const char *id)
{
    vg_stix_marking_t m;
    vg_stix_marking_read(o, &m);
    if (m.is_statement) {
        if (m.statement == NULL && m.name == NULL) {
            intel_note(s, id, "statement marking without a statement; ignored");
            return VG_OK;
        }
        char buf[VG_INTEL_MARKING_MAX + 8];
        if (m.statement != NULL && m.name != NULL)
            snprintf(buf, sizeof(buf), "%s: %s", m.name, m.statement);
        else
            snprintf(buf, sizeof(buf), "%s", m.statement ? m.statement : m.name);
        return intel_add_markdef(s, id, VG_TLP_NONE, buf, strlen(buf));
    }
    if (m.tlp == VG_TLP_NONE) {
        intel_note(s, id, "marking-definition that is neither TLP nor a statement; ignored");
        return VG_OK;
    }
    return intel_add_markdef(s, id, m.tlp, NULL, 0);
}

static int
stix_indicator(stix_ctx_t *c, json_t *o, const char *id)
{
    vg_intel_store_t *s = c->s;
    json_t *rv = json_object_get(o, "revoked");
    if (json_is_true(rv)) {
        s->rep.indicators_skipped_revoked++;
        return 0;
    }
    const char *ptype = vg_stix_str(o, "pattern_type");
    const char *pattern = vg_stix_str(o, "pattern");
    if (pattern == NULL) {
        s->rep.patterns_unsupported++;
        s->rep.errors++;
        intel_note(s, id, "unsupported: indicator without a string 'pattern'");
        return 0;
    }
    if (ptype != NULL && strcmp(ptype, "stix") != 0) {
        s->rep.patterns_unsupported++;
        intel_note(s, id, "unsupported: pattern_type '%.40s'", ptype);
        return 0;
    }
    vg_stix_parsed_t parsed;
    char why[256];
    int rc = vg_stix_pattern_parse(pattern, strlen(pattern), s->limits.intel_max_pattern_len,
                                   &parsed, why, sizeof(why));
    if (rc == VG_ENOMEM) {
        vg_stix_parsed_fini(&parsed);
        snprintf(c->errbuf, c->errlen, "%s: %s: out of memory parsing the pattern", c->name, id);
        return VG_ENOMEM;
    }
    if (rc != VG_OK) {
        s->rep.patterns_unsupported++;
        intel_note(s, id, "unsupported: %s", why);
        vg_stix_parsed_fini(&parsed);
        return 0;
    }
    if (parsed.n_unsupported) {
        s->rep.patterns_partial++;
        intel_note(s, id, "partly supported: %zu of %zu alternatives dropped (first: %s)",
                   parsed.n_unsupported, parsed.n_unsupported + parsed.n,
                   parsed.first_unsupported);
    }
    intel_add_t a;
    memset(&a, 0, sizeof(a));
    a.id = id;
    a.format = VG_INTEL_FMT_STIX;
    a.to_ids = true;
    a.created_by = vg_stix_str(o, "created_by_ref");
    a.source = join_strings(s, json_object_get(o, "x_vigil_sources"));
    a.warning = join_strings(s, json_object_get(o, "x_vigil_warninglists"));
    a.description = vg_stix_str(o, "description");
    if (a.description == NULL)
        a.description = vg_stix_str(o, "name");
    a.pattern = pattern;
    json_t *conf = json_object_get(o, "confidence");
    a.confidence = json_is_integer(conf) && json_integer_value(conf) >= 0 &&
                   json_integer_value(conf) <= 100 ? (int)json_integer_value(conf) : -1;
    long long t;
    if (vg_stix_parse_time(vg_stix_str(o, "valid_from"), &t) == 0)
        a.valid_from = t;
    if (vg_stix_parse_time(vg_stix_str(o, "valid_until"), &t) == 0)
        a.valid_until = t;
    const char *mrefs[STIX_MAX_MREFS];
    size_t n_mrefs;
    stix_marking_refs(o, &a.tlp, mrefs, &n_mrefs);
    size_t first = s->n_recs;
    for (size_t i = 0; i < parsed.n; i++) {
        a.type = parsed.alts[i].type;
        a.value = parsed.alts[i].value;
        a.value_len = strlen(a.value);
        a.port = parsed.alts[i].port;
        rc = intel_add(s, &a);
        if (rc == VG_ENOMEM || rc == VG_EINVAL) {
            vg_stix_parsed_fini(&parsed);
            if (rc == VG_EINVAL)
                snprintf(c->errbuf, c->errlen, "%s: %s: more than intel.max-indicators %llu "
                         "indicators", c->name, id,
                         (unsigned long long)s->limits.intel_max_indicators);
            else
                snprintf(c->errbuf, c->errlen, "%s: %s: out of memory", c->name, id);
            return rc;
        }
        if (rc == VG_DECLINED && s->skip_expired && a.valid_until && a.valid_until <= s->now)
            break; /* counted once per indicator object */
    }
    vg_stix_parsed_fini(&parsed);
    /* this object's records are the ones just added */
    size_t added = s->n_recs - first;
    for (size_t i = 0; i < n_mrefs && added > 0; i++) {
        if (intel_add_mref(s, (uint32_t)first, (uint32_t)added, mrefs[i]) != VG_OK) {
            snprintf(c->errbuf, c->errlen, "%s: %s: out of memory", c->name, id);
            return VG_ENOMEM;
        }
    }
    return 0;
}

static int
stix_object(json_t *o, void *user)
{
    stix_ctx_t *c = user;
    vg_intel_store_t *s = c->s;
    const char *type = vg_stix_str(o, "type");
    const char *id = vg_stix_str(o, "id");
    intel_count_obj(s, type);
    if (type == NULL)
        return 0;
    if (strcmp(type, "indicator") == 0) {
        if (id == NULL) {
            s->rep.errors++;
            intel_note(s, NULL, "indicator without an 'id'");
            id = "indicator--(no id)";
        }
        return stix_indicator(c, o, id);
    }
    if (id == NULL)
        return 0;
    int rc = 0;
    if (strcmp(type, "relationship") == 0) {
        const char *rt = vg_stix_str(o, "relationship_type");
        const char *src = vg_stix_str(o, "source_ref"), *dst = vg_stix_str(o, "target_ref");
        if (json_is_true(json_object_get(o, "revoked")))
            return 0;
        if (rt && src && dst &&
            (strcmp(rt, "indicates") == 0 || strcmp(rt, "attributed-to") == 0 ||
             strcmp(rt, "revoked-by") == 0))
            rc = intel_add_rel(s, src, dst, rt);
    } else if (strcmp(type, "intrusion-set") == 0 || strcmp(type, "malware") == 0 ||
               strcmp(type, "campaign") == 0 || strcmp(type, "identity") == 0 ||
               strcmp(type, "threat-actor") == 0 || strcmp(type, "tool") == 0) {
        const char *nm = vg_stix_str(o, "name");
        if (nm)
            rc = intel_add_name(s, id, nm, type);
    } else if (strcmp(type, "marking-definition") == 0) {
        rc = stix_marking_definition(s, o, id);
    }
    if (rc != 0) {
        snprintf(c->errbuf, c->errlen, "%s: %s: out of memory", c->name, id);
        return VG_ENOMEM;
    }
    return 0;
}

int
intel_load_stix(vg_intel_store_t *s, const char *name, const char *data, size_t len,
                char *errbuf, size_t errlen)
{
    stix_ctx_t c = {s, errbuf, errlen, name};
    int rc = vg_stix_foreach_object_buf(name, data, len, stix_object, &c, errbuf, errlen);
    return rc > 0 ? VG_EINVAL : rc;
}

int
intel_load_stix_array(vg_intel_store_t *s, const char *name, json_t *arr, char *errbuf,
                      size_t errlen)
{
    stix_ctx_t c = {s, errbuf, errlen, name};
    size_t i;
    json_t *o;
    s->rep.last_format = VG_INTEL_FMT_STIX;
    json_array_foreach(arr, i, o) {
        if (!json_is_object(o) || vg_stix_str(o, "type") == NULL)
            continue;
        int rc = stix_object(o, &c);
        if (rc != 0)
            return rc > 0 ? VG_EINVAL : rc;
    }
    return VG_OK;
}
