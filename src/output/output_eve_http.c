/* output_eve_http.c - the EVE "http" object, as Suricata 8.0's
 * output-json-http.c writes it with the default configuration
 * (types.http.extended: yes; no custom fields, no dump-all-headers).
 *
 * Field order and presence follow Suricata: basic fields (hostname,
 * http_port, url, http_user_agent, xff, http_content_type, content_range),
 * then extended ones (http_refer, http_method, protocol, status or
 * status_string, redirect, length). Raw protocol bytes go through
 * Suricata's jb_set_string_from_bytes rule (vg_jw_str_bytes): valid UTF-8
 * is written as is (JSON-escaped); otherwise bytes >= 0x80 as \xNN.
 */
#include "output/output_eve.h"
#include "app/app_http.h"

#include <string.h>

static bool
digits(const uint8_t *p, size_t *i, size_t n, int64_t *out)
{
    size_t st = *i;
    int64_t v = 0;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9' && v < (INT64_MAX / 10 - 9)) {
        v = v * 10 + (p[*i] - '0');
        (*i)++;
    }
    *out = v;
    return *i > st;
}

/* "bytes 0-99/1000", "bytes STAR/1000" (unknown range), "0-99/STAR" (unknown size), STAR = "*":
 * start/end/size, -1 when unknown; false when it does not parse. */
static bool
content_range(const uint8_t *p, size_t n, int64_t *start, int64_t *end, int64_t *size)
{
    size_t i = 0;
    *start = *end = *size = -1;
    while (i < n && p[i] == ' ')
        i++;
    if (n - i >= 5 && memcmp(p + i, "bytes", 5) == 0) {
        i += 5;
        while (i < n && (p[i] == ' ' || p[i] == '='))
            i++;
    }
    if (i < n && p[i] == '*') {
        i++;
    } else {
        if (!digits(p, &i, n, start) || i >= n || p[i] != '-')
            return false;
        i++;
        if (!digits(p, &i, n, end))
            return false;
    }
    if (i >= n || p[i] != '/')
        return false;
    i++;
    if (i < n && p[i] == '*')
        return true;
    return digits(p, &i, n, size);
}

/* The members of the http object (no braces): also used by fileinfo. */
void vg_eve_http_fields(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_http_tx_t *tx,
                        bool extended);
void
vg_eve_http_fields(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_http_tx_t *tx, bool extended)
{
    (void)cfg;
    const vg_http_header_t *h;
    if (tx->host_raw.len > 0 || tx->host.len > 0)
        vg_jw_str_bytes(jw, "hostname", tx->host.p, tx->host.len);
    if (tx->port >= 0)
        vg_jw_uint(jw, "http_port", (uint64_t)tx->port);
    if (tx->uri_raw.p != NULL || tx->method.len > 0)
        vg_jw_str_bytes(jw, "url", tx->uri_raw.p, tx->uri_raw.len);
    if ((h = vg_http_header_get(&tx->req, "user-agent")) != NULL)
        vg_jw_str_bytes(jw, "http_user_agent", h->value.p, h->value.len);
    if ((h = vg_http_header_get(&tx->req, "x-forwarded-for")) != NULL)
        vg_jw_str_bytes(jw, "xff", h->value.p, h->value.len);
    if ((h = vg_http_header_get(&tx->resp, "content-type")) != NULL) {
        const uint8_t *semi = h->value.len ? memchr(h->value.p, ';', h->value.len) : NULL;
        size_t n = semi ? (size_t)(semi - h->value.p) : h->value.len;
        vg_jw_str_bytes(jw, "http_content_type", h->value.p, n);
    }
    if ((h = vg_http_header_get(&tx->resp, "content-range")) != NULL) {
        vg_jw_open_object(jw, "content_range");
        vg_jw_str_bytes(jw, "raw", h->value.p, h->value.len);
        int64_t a, b, c;
        if (content_range(h->value.p, h->value.len, &a, &b, &c)) {
            if (a >= 0)
                vg_jw_uint(jw, "start", (uint64_t)a);
            if (b >= 0)
                vg_jw_uint(jw, "end", (uint64_t)b);
            if (c >= 0)
                vg_jw_uint(jw, "size", (uint64_t)c);
        }
        vg_jw_close_object(jw);
    }
    if (!extended)
        return;
    if ((h = vg_http_header_get(&tx->req, "referer")) != NULL)
        vg_jw_str_bytes(jw, "http_refer", h->value.p, h->value.len);
    if (tx->method.len > 0)
        vg_jw_str_bytes(jw, "http_method", tx->method.p, tx->method.len);
    if (tx->protocol.len > 0)
        vg_jw_str_bytes(jw, "protocol", tx->protocol.p, tx->protocol.len);
    if (tx->status > 0)
        vg_jw_uint(jw, "status", (uint64_t)tx->status);
    else if (tx->has_response_line)
        vg_jw_str_bytes(jw, "status_string", tx->status_raw.p, tx->status_raw.len);
    if ((h = vg_http_header_get(&tx->resp, "location")) != NULL)
        vg_jw_str_bytes(jw, "redirect", h->value.p, h->value.len);
    vg_jw_uint(jw, "length", tx->resp.message_len);
}

/* dump-all-headers: [{"name": ..., "value": ...}], names cut at 255 bytes
 * and values at 2047 and at the first NUL (Suricata copies them into fixed
 * C strings); no array when there are no headers. */
static void
headers_array(vg_jw_t *jw, const char *key, const vg_http_msg_t *m)
{
    if (m->nhdrs == 0)
        return;
    vg_jw_open_array(jw, key);
    for (uint32_t i = 0; i < m->nhdrs; i++) {
        const vg_http_header_t *h = &m->hdrs[i];
        size_t nl = h->name.len < 255 ? h->name.len : 255;
        size_t vl = h->value.len < 2047 ? h->value.len : 2047;
        const uint8_t *z = nl ? memchr(h->name.p, 0, nl) : NULL;
        if (z)
            nl = (size_t)(z - h->name.p);
        z = vl ? memchr(h->value.p, 0, vl) : NULL;
        if (z)
            vl = (size_t)(z - h->value.p);
        vg_jw_open_object(jw, NULL);
        vg_jw_str_bytes(jw, "name", h->name.p, nl);
        vg_jw_str_bytes(jw, "value", h->value.p, vl);
        vg_jw_close_object(jw);
    }
    vg_jw_close_array(jw);
}

void
vg_eve_http_tx(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_app_event_t *ev)
{
    const vg_http_tx_t *tx = ev->tx;
    vg_jw_uint(jw, "tx_id", ev->tx_id);
    vg_jw_open_object(jw, "http");
    if (tx != NULL) {
        vg_eve_http_fields(jw, cfg, tx, cfg == NULL || cfg->http_extended);
        if (cfg != NULL && (cfg->http_dump_headers & 1))
            headers_array(jw, "request_headers", &tx->req);
        if (cfg != NULL && (cfg->http_dump_headers & 2))
            headers_array(jw, "response_headers", &tx->resp);
    }
    vg_jw_close_object(jw);
}
