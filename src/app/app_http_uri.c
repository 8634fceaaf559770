/* app_http_uri.c - request URI and Host normalization (http.uri vs
 * http.uri.raw, http.host vs http.host.raw).
 *
 * What libhtp does for Suricata's default (IDS personality, with Suricata
 * turning lowercase conversion off and decoding the query itself):
 *   path:  %XX decoded (%2f too: path-separators-decode), invalid escapes
 *          kept as sent, %uXXXX decoded (fullwidth ASCII folded, other
 *          code points -> '?'), '\' -> '/', runs of '/' compressed, then
 *          RFC 3986 dot-segment removal;
 *   query: valid %XX decoded, '+' left alone;
 *   the normalized URI is path [?query] [#fragment]; scheme and authority of
 *   an absolute URI are dropped (uri-include-all: no).
 * Not done: UTF-8 best-fit folding of the path (libhtp's
 * utf8-convert-bestfit); such bytes pass through unchanged.
 */
#include "app/app_http.h"

#include <stdlib.h>
#include <string.h>

int
vg_http_str_append(vg_http_str_t *s, const void *data, size_t n, uint32_t cap)
{
    if (n == 0)
        return VG_OK;
    if ((size_t)s->len + n > cap)
        n = cap > s->len ? cap - s->len : 0;
    if (n == 0)
        return VG_ENOMEM;
    if ((size_t)s->len + n > s->cap) {
        size_t ncap = s->cap ? s->cap : 64;
        while (ncap < (size_t)s->len + n)
            ncap *= 2;
        if (ncap > cap)
            ncap = cap;
        uint8_t *np = realloc(s->p, ncap);
        if (np == NULL)
            return VG_ENOMEM;
        s->p = np;
        s->cap = (uint32_t)ncap;
    }
    memcpy(s->p + s->len, data, n);
    s->len += (uint32_t)n;
    return VG_OK;
}

int
vg_http_str_set(vg_http_str_t *s, const void *data, size_t n, uint32_t cap)
{
    s->len = 0;
    return vg_http_str_append(s, data, n, cap);
}

void
vg_http_str_free(vg_http_str_t *s)
{
    free(s->p);
    s->p = NULL;
    s->len = s->cap = 0;
}

static int
lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool
vg_http_str_ieq(const vg_http_str_t *s, const char *lit)
{
    size_t n = strlen(lit);
    if (s->len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s->p[i]) != lower((unsigned char)lit[i]))
            return false;
    return true;
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

size_t
vg_http_path_remove_dots(uint8_t *p, size_t len)
{
    /* RFC 3986 5.2.4 over a copy of the input, writing into p. The output
     * is never longer than the input, so in-place writes stay behind the
     * read position once we work from a copy. */
    if (len == 0)
        return 0;
    uint8_t *in = malloc(len);
    if (in == NULL)
        return len; /* leave it un-normalized rather than fail */
    memcpy(in, p, len);
    size_t i = 0, o = 0;
    while (i < len) {
        size_t left = len - i;
        if (left >= 3 && memcmp(in + i, "../", 3) == 0) {
            i += 3;
        } else if (left >= 2 && memcmp(in + i, "./", 2) == 0) {
            i += 2;
        } else if (left >= 3 && memcmp(in + i, "/./", 3) == 0) {
            i += 2;
        } else if (left == 2 && memcmp(in + i, "/.", 2) == 0) {
            in[i + 1] = '/';
            i += 1;
        } else if (left >= 4 && memcmp(in + i, "/../", 4) == 0) {
            i += 3;
            while (o > 0 && p[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else if (left == 3 && memcmp(in + i, "/..", 3) == 0) {
            i += 2;
            in[i] = '/';
            while (o > 0 && p[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else if ((left == 1 && in[i] == '.') || (left == 2 && in[i] == '.' && in[i + 1] == '.')) {
            i = len;
        } else {
            /* move the first segment (with its leading '/') to the output */
            if (in[i] == '/')
                p[o++] = in[i++];
            while (i < len && in[i] != '/')
                p[o++] = in[i++];
        }
    }
    free(in);
    return o;
}

/* Decode the path as described at the top; appends to out. */
static int
path_decode(const uint8_t *s, size_t n, uint32_t cap, vg_http_str_t *out)
{
    uint8_t *tmp = malloc(n ? n : 1);
    if (tmp == NULL)
        return VG_ENOMEM;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        int c = s[i];
        if (c == '%') {
            if (i + 5 < n + 0 && (s[i + 1] == 'u' || s[i + 1] == 'U') && hexval(s[i + 2]) >= 0 &&
                hexval(s[i + 3]) >= 0 && hexval(s[i + 4]) >= 0 && hexval(s[i + 5]) >= 0) {
                int hi = hexval(s[i + 2]) * 16 + hexval(s[i + 3]);
                int lo = hexval(s[i + 4]) * 16 + hexval(s[i + 5]);
                if (hi == 0)
                    c = lo;
                else if (hi == 0xff && lo <= 0x5e)
                    c = lo + 0x20; /* fullwidth ASCII forms */
                else
                    c = '?';
                i += 6;
            } else if (i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
                c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
                i += 3;
            } else {
                i++; /* invalid escape: keep the percent as sent */
            }
        } else {
            i++;
        }
        if (c == '\\')
            c = '/';
        if (c == '/' && o > 0 && tmp[o - 1] == '/')
            continue; /* compress separators */
        tmp[o++] = (uint8_t)c;
    }
    o = vg_http_path_remove_dots(tmp, o);
    int rc = vg_http_str_append(out, tmp, o, cap);
    free(tmp);
    return rc;
}

static int
query_decode(const uint8_t *s, size_t n, uint32_t cap, vg_http_str_t *out)
{
    int rc = VG_OK;
    for (size_t i = 0; i < n && rc == VG_OK;) {
        uint8_t c = s[i];
        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            c = (uint8_t)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 3;
        } else {
            i++;
        }
        rc = vg_http_str_append(out, &c, 1, cap);
    }
    return rc;
}

int
vg_http_uri_normalize(const uint8_t *uri, size_t len, uint32_t cap, vg_http_str_t *out,
                      vg_http_str_t *path, vg_http_str_t *authority)
{
    out->len = 0;
    path->len = 0;
    authority->len = 0;
    if (uri == NULL) { /* empty URI: keep pointer arithmetic defined */
        uri = (const uint8_t *)"";
        len = 0;
    }
    size_t i = 0;
    /* absolute URI: scheme ":" "//" authority; libhtp only looks for a
     * scheme when the URI does not start with '/' */
    if (len > 0 && uri[0] != '/') {
        size_t j = 0;
        while (j < len && uri[j] != ':' && uri[j] != '/' && uri[j] != '?' && uri[j] != '#')
            j++;
        if (j > 0 && j + 2 < len + 0 && uri[j] == ':' && uri[j + 1] == '/' && uri[j + 2] == '/') {
            size_t a = j + 3, b = a;
            while (b < len && uri[b] != '/' && uri[b] != '?' && uri[b] != '#')
                b++;
            /* drop userinfo */
            size_t at = a;
            for (size_t k = a; k < b; k++)
                if (uri[k] == '@')
                    at = k + 1;
            if (vg_http_str_append(authority, uri + at, b - at, cap) != VG_OK && b > at)
                return VG_ENOMEM;
            i = b;
        }
    }
    size_t ps = i;
    while (i < len && uri[i] != '?' && uri[i] != '#')
        i++;
    size_t pe = i;
    int rc = path_decode(uri + ps, pe - ps, cap, path);
    if (rc == VG_OK && path->len)
        rc = vg_http_str_append(out, path->p, path->len, cap);
    if (rc == VG_OK && i < len && uri[i] == '?') {
        size_t qs = ++i;
        while (i < len && uri[i] != '#')
            i++;
        rc = vg_http_str_append(out, "?", 1, cap);
        if (rc == VG_OK)
            rc = query_decode(uri + qs, i - qs, cap, out);
    }
    if (rc == VG_OK && i < len && uri[i] == '#')
        rc = vg_http_str_append(out, uri + i, len - i, cap);
    return rc;
}

int
vg_http_host_normalize(const uint8_t *s, size_t len, uint32_t cap, vg_http_str_t *host,
                       int32_t *port)
{
    host->len = 0;
    *port = -1;
    if (s == NULL)
        return VG_OK;
    /* trim surrounding whitespace */
    while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    size_t hend = len, pstart = len;
    if (len > 0 && s[0] == '[') {
        size_t k = 0;
        while (k < len && s[k] != ']')
            k++;
        hend = k < len ? k + 1 : len;
        if (hend < len && s[hend] == ':')
            pstart = hend + 1;
    } else {
        for (size_t k = 0; k < len; k++) {
            if (s[k] == ':') {
                hend = k;
                pstart = k + 1;
                break;
            }
        }
    }
    if (pstart < len) {
        int64_t v = 0;
        bool ok = true;
        for (size_t k = pstart; k < len && ok; k++) {
            if (s[k] < '0' || s[k] > '9' || v > 65535)
                ok = false;
            else
                v = v * 10 + (s[k] - '0');
        }
        *port = (ok && v <= 65535) ? (int32_t)v : -2;
    }
    while (hend > 0 && s[hend - 1] == '.')
        hend--;
    for (size_t k = 0; k < hend; k++) {
        uint8_t c = (uint8_t)lower(s[k]);
        int rc = vg_http_str_append(host, &c, 1, cap);
        if (rc != VG_OK)
            return rc;
    }
    return VG_OK;
}
