/* output_json.c - see output_json.h. Hot path: every EVE record goes
 * through here, so appends are memcpy-based and escaping scans runs of
 * safe bytes at once. */
#include "output/output_json.h"
#include "util/util_utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
vg_jw_init(vg_jw_t *jw, size_t max_bytes)
{
    memset(jw, 0, sizeof(*jw));
    jw->cap = max_bytes < 4096 ? max_bytes : 4096;
    if (jw->cap < 64)
        jw->cap = 64;
    jw->buf = malloc(jw->cap);
    if (jw->buf == NULL)
        return VG_ENOMEM;
    jw->max = max_bytes;
    vg_jw_reset(jw);
    return VG_OK;
}

void
vg_jw_fini(vg_jw_t *jw)
{
    free(jw->buf);
    memset(jw, 0, sizeof(*jw));
}

void
vg_jw_reset(vg_jw_t *jw)
{
    jw->len = 0;
    jw->depth = 0;
    jw->need_comma[0] = false;
    jw->in_array[0] = true; /* top level behaves like an array: no keys */
    jw->truncated = false;
    if (jw->buf)
        jw->buf[0] = '\0';
}

/* Make room for n more bytes plus a NUL; false (and truncated) past the cap. */
static bool
jw_reserve(vg_jw_t *jw, size_t n)
{
    if (jw->truncated)
        return false;
    size_t want = jw->len + n + 1;
    if (want <= jw->cap)
        return true;
    if (want > jw->max + 1) {
        jw->truncated = true;
        return false;
    }
    size_t ncap = jw->cap * 2;
    while (ncap < want)
        ncap *= 2;
    if (ncap > jw->max + 1)
        ncap = jw->max + 1;
    char *nb = realloc(jw->buf, ncap);
    if (nb == NULL) {
        jw->truncated = true;
        return false;
    }
    jw->buf = nb;
    jw->cap = ncap;
    return true;
}

static void
jw_put(vg_jw_t *jw, const char *s, size_t n)
{
    if (!jw_reserve(jw, n))
        return;
    memcpy(jw->buf + jw->len, s, n);
    jw->len += n;
    jw->buf[jw->len] = '\0';
}

static void
jw_putc(vg_jw_t *jw, char c)
{
    if (!jw_reserve(jw, 1))
        return;
    jw->buf[jw->len++] = c;
    jw->buf[jw->len] = '\0';
}

static const char hexdig[] = "0123456789abcdef";

static void
jw_escaped(vg_jw_t *jw, const uint8_t *s, size_t n)
{
    jw_putc(jw, '"');
    size_t i = 0;
    while (i < n && !jw->truncated) {
        size_t run = i;
        while (run < n && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            jw_put(jw, (const char *)s + i, run - i);
            i = run;
            continue;
        }
        uint8_t c = s[i];
        char esc[8];
        switch (c) {
        case '"': jw_put(jw, "\\\"", 2); i++; continue;
        case '\\': jw_put(jw, "\\\\", 2); i++; continue;
        case '\n': jw_put(jw, "\\n", 2); i++; continue;
        case '\r': jw_put(jw, "\\r", 2); i++; continue;
        case '\t': jw_put(jw, "\\t", 2); i++; continue;
        case '\b': jw_put(jw, "\\b", 2); i++; continue;
        case '\f': jw_put(jw, "\\f", 2); i++; continue;
        default: break;
        }
        if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hexdig[c >> 4];
            esc[5] = hexdig[c & 15];
            jw_put(jw, esc, 6);
            i++;
            continue;
        }
        size_t sl = vg_utf8_seq_len(s + i, n - i);
        if (sl > 0) {
            jw_put(jw, (const char *)s + i, sl);
            i += sl;
        } else {
            memcpy(esc, "\\u00", 4);
            esc[4] = hexdig[c >> 4];
            esc[5] = hexdig[c & 15];
            jw_put(jw, esc, 6);
            i++;
        }
    }
    jw_putc(jw, '"');
}

/* Comma and key before a value. */
static void
jw_prefix(vg_jw_t *jw, const char *key)
{
    if (jw->need_comma[jw->depth])
        jw_putc(jw, ',');
    jw->need_comma[jw->depth] = true;
    if (key != NULL && !jw->in_array[jw->depth]) {
        jw_escaped(jw, (const uint8_t *)key, strlen(key));
        jw_putc(jw, ':');
    }
}

static void
jw_open(vg_jw_t *jw, const char *key, char c, bool array)
{
    jw_prefix(jw, key);
    if (jw->depth >= VG_JW_MAX_DEPTH) {
        jw->truncated = true;
        return;
    }
    jw_putc(jw, c);
    jw->depth++;
    jw->need_comma[jw->depth] = false;
    jw->in_array[jw->depth] = array;
}

static void
jw_close(vg_jw_t *jw, char c)
{
    if (jw->depth <= 0) {
        jw->truncated = true;
        return;
    }
    jw_putc(jw, c);
    jw->depth--;
}

void
vg_jw_open_object(vg_jw_t *jw, const char *key)
{
    jw_open(jw, key, '{', false);
}

void
vg_jw_close_object(vg_jw_t *jw)
{
    jw_close(jw, '}');
}

void
vg_jw_open_array(vg_jw_t *jw, const char *key)
{
    jw_open(jw, key, '[', true);
}

void
vg_jw_close_array(vg_jw_t *jw)
{
    jw_close(jw, ']');
}

void
vg_jw_str(vg_jw_t *jw, const char *key, const char *s)
{
    vg_jw_strn(jw, key, s, s ? strlen(s) : 0);
}

void
vg_jw_strn(vg_jw_t *jw, const char *key, const void *s, size_t n)
{
    jw_prefix(jw, key);
    jw_escaped(jw, (const uint8_t *)s, n);
}

void
vg_jw_str_printable(vg_jw_t *jw, const char *key, const void *sv, size_t n)
{
    const uint8_t *s = sv;
    jw_prefix(jw, key);
    jw_putc(jw, '"');
    for (size_t i = 0; i < n && !jw->truncated; i++) {
        uint8_t c = s[i];
        if (c == '"') {
            jw_put(jw, "\\\"", 2);
        } else if (c == '\\') {
            jw_put(jw, "\\\\", 2);
        } else if (c >= 0x20 && c < 0x7f) {
            jw_putc(jw, (char)c);
        } else {
            /* the four characters \xNN; the backslash itself is escaped */
            char esc[6] = {'\\', '\\', 'x', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15]};
            jw_put(jw, esc, 5);
        }
    }
    jw_putc(jw, '"');
}

void
vg_jw_str_bytes(vg_jw_t *jw, const char *key, const void *sv, size_t n)
{
    const uint8_t *s = sv;
    if (s == NULL)
        n = 0;
    if (vg_utf8_valid(s, n)) {
        vg_jw_strn(jw, key, s, n);
        return;
    }
    jw_prefix(jw, key);
    jw_putc(jw, '"');
    size_t i = 0;
    while (i < n && !jw->truncated) {
        size_t run = i;
        while (run < n && s[run] < 0x80)
            run++;
        if (run > i) {
            /* ASCII, control characters included, gets ordinary JSON escaping:
             * strip the quotes jw_escaped adds around the run */
            size_t before = jw->len;
            jw_escaped(jw, s + i, run - i);
            if (!jw->truncated) {
                memmove(jw->buf + before, jw->buf + before + 1, jw->len - before - 2);
                jw->len -= 2;
                jw->buf[jw->len] = '\0';
            }
            i = run;
            continue;
        }
        /* the four characters \xNN, lowercase: the backslash itself escaped */
        char esc[5] = {'\\', '\\', 'x', hexdig[s[i] >> 4], hexdig[s[i] & 15]};
        jw_put(jw, esc, 5);
        i++;
    }
    jw_putc(jw, '"');
}

void
vg_jw_hex(vg_jw_t *jw, const char *key, const void *sv, size_t n, bool colons)
{
    const uint8_t *s = sv;
    jw_prefix(jw, key);
    jw_putc(jw, '"');
    for (size_t i = 0; i < n && !jw->truncated; i++) {
        char h[3] = {hexdig[s[i] >> 4], hexdig[s[i] & 15], ':'};
        jw_put(jw, h, (colons && i + 1 < n) ? 3 : 2);
    }
    jw_putc(jw, '"');
}

/* Decimal digits of v, written backwards ending at end[-1]; returns the
 * first digit. Why not snprintf: numbers are most of an EVE record's fields
 * and glibc's snprintf cost ~1,000 instructions per call (profiled). */
static char *
jw_utoa(uint64_t v, char *end)
{
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return p;
}

void
vg_jw_uint(vg_jw_t *jw, const char *key, uint64_t v)
{
    char tmp[24];
    char *p = jw_utoa(v, tmp + sizeof(tmp));
    jw_prefix(jw, key);
    jw_put(jw, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
vg_jw_int(vg_jw_t *jw, const char *key, int64_t v)
{
    char tmp[24];
    /* magnitude as unsigned: -INT64_MIN overflows int64_t */
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = jw_utoa(m, tmp + sizeof(tmp));
    if (v < 0)
        *--p = '-';
    jw_prefix(jw, key);
    jw_put(jw, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
vg_jw_double(vg_jw_t *jw, const char *key, double v)
{
    char tmp[40];
    int n;
    if (v != v || v > 1e300 || v < -1e300) /* NaN/inf are not JSON */
        n = snprintf(tmp, sizeof(tmp), "null");
    else
        n = snprintf(tmp, sizeof(tmp), "%.6g", v);
    jw_prefix(jw, key);
    jw_put(jw, tmp, (size_t)n);
}

void
vg_jw_bool(vg_jw_t *jw, const char *key, bool v)
{
    jw_prefix(jw, key);
    jw_put(jw, v ? "true" : "false", v ? 4 : 5);
}

void
vg_jw_null(vg_jw_t *jw, const char *key)
{
    jw_prefix(jw, key);
    jw_put(jw, "null", 4);
}

void
vg_jw_raw(vg_jw_t *jw, const char *key, const char *json, size_t n)
{
    jw_prefix(jw, key);
    jw_put(jw, json, n);
}

/* The date part changes once a second while records come by the thousand:
 * each thread keeps the last second it formatted (gmtime_r + strftime are
 * the expensive part). Plain thread-local data, nothing to free. */
static _Thread_local struct {
    bool valid;
    time_t secs;
    size_t len;
    char date[32];
} jw_ts_cache;

void
vg_jw_format_ts(vg_time_us_t ts, char *buf, size_t buflen)
{
    time_t secs = (time_t)(ts >= 0 ? ts / 1000000 : (ts - 999999) / 1000000);
    long usec = (long)(ts - (vg_time_us_t)secs * 1000000);
    if (!jw_ts_cache.valid || jw_ts_cache.secs != secs) {
        struct tm tm;
        gmtime_r(&secs, &tm);
        jw_ts_cache.len = strftime(jw_ts_cache.date, sizeof(jw_ts_cache.date),
                                   "%Y-%m-%dT%H:%M:%S", &tm);
        jw_ts_cache.secs = secs;
        jw_ts_cache.valid = true;
    }
    /* "<date>.uuuuuu+0000": same text as snprintf("%s.%06ld+0000") */
    size_t dl = jw_ts_cache.len;
    if (buflen < dl + 1 + 6 + 5 + 1) {
        snprintf(buf, buflen, "%s.%06ld+0000", jw_ts_cache.date, usec);
        return;
    }
    memcpy(buf, jw_ts_cache.date, dl);
    buf[dl] = '.';
    for (int i = 6; i >= 1; i--) {
        buf[dl + (size_t)i] = (char)('0' + usec % 10);
        usec /= 10;
    }
    memcpy(buf + dl + 7, "+0000", 6);
}

void
vg_jw_ts(vg_jw_t *jw, const char *key, vg_time_us_t ts)
{
    char tmp[48];
    vg_jw_format_ts(ts, tmp, sizeof(tmp));
    vg_jw_str(jw, key, tmp);
}

int
vg_jw_finish(vg_jw_t *jw)
{
    if (jw->truncated || jw->depth != 0)
        return VG_ENOMEM;
    return VG_OK;
}
