/* app_http.c - HTTP/0.9-1.1 parser: framing, transactions, files,
 * inspection buffers. See app_http.h for the model and NOTES.md for the
 * libhtp/Suricata semantics followed.
 *
 * Each direction is a state machine fed arbitrary chunks; every state
 * consumes what it can and keeps the rest of a line in `line`, so a
 * message split at any byte boundary gives the same result as one chunk.
 * Lines (request/status line, headers, chunk sizes, trailers) are capped at
 * http_max_header_line: the excess is dropped, counted and reported once
 * per line, and parsing carries on at the next LF.
 */
#include "app/app_http.h"

#include <stdlib.h>
#include <string.h>

#define HTTP_ANOMALIES(X)                                                    \
    X(REQUEST_FIELD_TOO_LONG)                                                \
    X(RESPONSE_FIELD_TOO_LONG)                                               \
    X(REQUEST_LINE_INVALID)                                                  \
    X(REQUEST_LINE_LEADING_WHITESPACE)                                       \
    X(REQUEST_HEADER_INVALID)                                                \
    X(RESPONSE_HEADER_INVALID)                                               \
    X(REQUEST_FIELD_MISSING_COLON)                                           \
    X(RESPONSE_FIELD_MISSING_COLON)                                          \
    X(INVALID_REQUEST_FIELD_FOLDING)                                         \
    X(INVALID_RESPONSE_FIELD_FOLDING)                                        \
    X(INVALID_REQUEST_CHUNK_LEN)                                             \
    X(INVALID_RESPONSE_CHUNK_LEN)                                            \
    X(REQUEST_CHUNK_EXTENSION)                                               \
    X(INVALID_TRANSFER_ENCODING_VALUE_IN_REQUEST)                            \
    X(INVALID_TRANSFER_ENCODING_VALUE_IN_RESPONSE)                           \
    X(INVALID_CONTENT_LENGTH_FIELD_IN_REQUEST)                               \
    X(INVALID_CONTENT_LENGTH_FIELD_IN_RESPONSE)                              \
    X(DUPLICATE_CONTENT_LENGTH_FIELD_IN_REQUEST)                             \
    X(DUPLICATE_CONTENT_LENGTH_FIELD_IN_RESPONSE)                            \
    X(UNABLE_TO_MATCH_RESPONSE_TO_REQUEST)                                   \
    X(MISSING_HOST_HEADER)                                                   \
    X(INVALID_AUTHORITY_PORT)                                                \
    X(RESPONSE_INVALID_STATUS)                                               \
    X(RESPONSE_CHUNKED_OLD_PROTO)                                            \
    X(REQUEST_TOO_MANY_HEADERS)                                              \
    X(RESPONSE_TOO_MANY_HEADERS)                                             \
    X(GZIP_DECOMPRESSION_FAILED)                                             \
    X(COMPRESSION_BOMB)                                                      \
    X(REQUEST_LINE_MISSING_PROTOCOL)

enum {
#define HTTP_AN_ENUM(n) AN_##n,
    HTTP_ANOMALIES(HTTP_AN_ENUM)
#undef HTTP_AN_ENUM
    AN_MAX
};

static const char *const an_names[AN_MAX] = {
#define HTTP_AN_NAME(n) #n,
    HTTP_ANOMALIES(HTTP_AN_NAME)
#undef HTTP_AN_NAME
};

/* Counters beyond the per-anomaly ones. */
enum {
    C_TX,
    C_REQUESTS,
    C_RESPONSES,
    C_FILES,
    C_LINE_TRUNCATED,
    C_HEADER_BLOCK_LIMIT,
    C_BODY_LIMIT,
    C_DECOMPRESS_BOMB,
    C_DECOMPRESS_FAILED,
    C_PIPELINE_LIMIT,
    C_GAP_ABORT,
    C_TUNNEL,
    C_NOT_HTTP_RESPONSE,
    C_ENOMEM,
    C_MAX
};
static const char *const c_names[C_MAX] = {
    "app_layer.http.tx",
    "app_layer.http.requests",
    "app_layer.http.responses",
    "app_layer.http.files",
    "app_layer.http.line_truncated",
    "app_layer.http.header_block_limit",
    "app_layer.http.body_limit",
    "app_layer.http.decompress_bomb",
    "app_layer.http.decompress_failed",
    "app_layer.http.pipeline_limit",
    "app_layer.http.gap_abort",
    "app_layer.http.tunnel",
    "app_layer.http.response_not_http",
    "app_layer.http.enomem",
};

static vg_counter_id_t an_ctr[AN_MAX];
static vg_counter_id_t c_ctr[C_MAX];
static bool ctr_registered;

static void
http_register_counters(void)
{
    char name[96];
    for (int i = 0; i < AN_MAX; i++) {
        size_t k = 0;
        const char *pfx = "app_layer.http.anomaly.";
        while (*pfx && k < sizeof(name) - 1)
            name[k++] = *pfx++;
        for (const char *s = an_names[i]; *s && k < sizeof(name) - 1; s++)
            name[k++] = (char)((*s >= 'A' && *s <= 'Z') ? *s + 32 : *s);
        name[k] = '\0';
        an_ctr[i] = vg_counter_register(name);
    }
    for (int i = 0; i < C_MAX; i++)
        c_ctr[i] = vg_counter_register(c_names[i]);
    ctr_registered = true;
}

enum {
    ST_LINE = 0,     /* request line / status line */
    ST_HEADERS,
    ST_BODY_CL,
    ST_CHUNK_SIZE,
    ST_CHUNK_DATA,
    ST_CHUNK_END,    /* CRLF after chunk data */
    ST_TRAILERS,
    ST_BODY_EOF,     /* response body until the connection closes */
    ST_CONNECT_WAIT, /* request side after CONNECT: hold bytes until the status is known */
    ST_TUNNEL_PROBE, /* after a CONNECT 2xx: HTTP again inside, or opaque */
    ST_TUNNEL,       /* opaque */
    ST_DEAD,         /* cannot resynchronize (gap in headers, limits) */
    ST_RESP09,       /* response to a 0.9 request: status line or raw body? */
};

typedef struct http_dir {
    int st;
    vg_http_str_t line;   /* current line incl. its terminator, capped */
    bool line_overflow;
    vg_http_str_t pending; /* last header line, kept until we know it is not folded */
    bool have_pending;
    uint64_t remaining;   /* body / chunk bytes left */
    bool chunked_trailer_seen;
    vg_http_tx_t *tx;     /* tx whose message this direction is parsing */
    vg_http_decoder_t *dec;
    bool dec_failed_reported;
    bool bomb;
    uint64_t hdr_bytes;
    bool block_reported;
    bool toomany_reported;
    vg_http_str_t held;   /* toserver bytes held during ST_CONNECT_WAIT */
} http_dir_t;

typedef struct http_state {
    http_dir_t d[2];
    vg_http_tx_t *head;
    vg_http_tx_t *tail;
    uint32_t ntx;
    uint64_t next_tx_id;
    uint32_t next_file_id;
} http_state_t;

/* ---------------------------------------------------------------- utils */

static void
ctr_inc(vg_app_ctx_t *ctx, vg_counter_id_t id)
{
    if (ctx->counters != NULL && ctr_registered)
        vg_counter_inc(ctx->counters, id);
}

static void
emit(vg_app_ctx_t *ctx, vg_app_event_kind_t kind, int dir, vg_http_tx_t *tx, const void *file,
     const char *anomaly, uint64_t tx_id)
{
    if (ctx->emit == NULL)
        return;
    vg_app_event_t ev = {.kind = kind,
                         .proto = VG_ALPROTO_HTTP,
                         .dir = dir,
                         .tx_id = tx ? tx->tx_id : tx_id,
                         .tx = tx,
                         .file = file,
                         .anomaly = anomaly};
    ctx->emit(ctx, &ev);
}

static void
anomaly(vg_app_ctx_t *ctx, http_state_t *s, int dir, vg_http_tx_t *tx, int an)
{
    ctr_inc(ctx, an_ctr[an]);
    emit(ctx, VG_APP_EV_ANOMALY, dir, tx, NULL, an_names[an], s->next_tx_id);
}

static int
lc(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static bool
is_token(int c)
{
    if (c <= 32 || c >= 127)
        return false;
    return strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static bool
mem_ieq(const uint8_t *a, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n != m)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lc(a[i]) != lc((unsigned char)lit[i]))
            return false;
    return true;
}

/* Case-insensitive search of token `lit` in a comma separated value. */
static bool
value_has_token(const uint8_t *v, size_t n, const char *lit)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t st = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i;
        while (e > st && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (mem_ieq(v + st, e - st, lit))
            return true;
    }
    return false;
}

const vg_http_header_t *
vg_http_header_get(const vg_http_msg_t *m, const char *name)
{
    for (uint32_t i = 0; i < m->nhdrs; i++)
        if (vg_http_str_ieq(&m->hdrs[i].name, name))
            return &m->hdrs[i];
    return NULL;
}

/* Parse a Content-Length value: digits with optional surrounding LWS.
 * -1 if invalid. */
static int64_t
parse_cl(const vg_http_str_t *v)
{
    size_t i = 0, n = v->len;
    while (i < n && (v->p[i] == ' ' || v->p[i] == '\t'))
        i++;
    while (n > i && (v->p[n - 1] == ' ' || v->p[n - 1] == '\t'))
        n--;
    if (i == n)
        return -1;
    int64_t x = 0;
    for (; i < n; i++) {
        if (v->p[i] < '0' || v->p[i] > '9' || x > (INT64_MAX - 9) / 10)
            return -1;
        x = x * 10 + (v->p[i] - '0');
    }
    return x;
}

/* ------------------------------------------------------------ tx / msg */

static void
msg_fini(vg_http_msg_t *m)
{
    for (uint32_t i = 0; i < m->nhdrs; i++) {
        vg_http_str_free(&m->hdrs[i].name);
        vg_http_str_free(&m->hdrs[i].value);
    }
    free(m->hdrs);
    vg_http_str_free(&m->headers_raw);
    vg_http_str_free(&m->headers_norm);
    vg_http_str_free(&m->body);
    vg_http_str_free(&m->filename);
    vg_app_file_hash_free(m->fh);
    memset(m, 0, sizeof(*m));
}

static void
tx_free(vg_http_tx_t *tx)
{
    vg_http_str_t *strs[] = {&tx->method,   &tx->uri_raw,   &tx->uri_norm,      &tx->path_norm,
                             &tx->protocol, &tx->host,      &tx->host_raw,      &tx->url_full,
                             &tx->resp_protocol, &tx->status_raw, &tx->status_msg};
    for (size_t i = 0; i < VG_ARRAY_LEN(strs); i++)
        vg_http_str_free(strs[i]);
    msg_fini(&tx->req);
    msg_fini(&tx->resp);
    free(tx);
}

static vg_http_tx_t *
tx_new(vg_app_ctx_t *ctx, http_state_t *s)
{
    vg_http_tx_t *tx = calloc(1, sizeof(*tx));
    if (tx == NULL) {
        ctr_inc(ctx, c_ctr[C_ENOMEM]);
        return NULL;
    }
    tx->tx_id = s->next_tx_id++;
    tx->port = -1;
    tx->status = -1;
    if (s->tail)
        s->tail->next = tx;
    else
        s->head = tx;
    s->tail = tx;
    s->ntx++;
    return tx;
}

static void
tx_unlink(http_state_t *s, vg_http_tx_t *tx)
{
    vg_http_tx_t *prev = NULL;
    for (vg_http_tx_t *t = s->head; t; prev = t, t = t->next) {
        if (t != tx)
            continue;
        if (prev)
            prev->next = t->next;
        else
            s->head = t->next;
        if (s->tail == t)
            s->tail = prev;
        s->ntx--;
        return;
    }
}

static void
file_finish(vg_app_ctx_t *ctx, http_state_t *s, vg_http_tx_t *tx, vg_http_msg_t *m, int dir,
            bool complete)
{
    if (!m->file_open)
        return;
    vg_app_file_close(&m->file, m->fh, complete);
    m->fh = NULL;
    m->file_open = false;
    m->file_logged = true;
    ctr_inc(ctx, c_ctr[C_FILES]);
    emit(ctx, VG_APP_EV_FILE, dir, tx, &m->file, NULL, 0);
}

/* Emit and free a tx once both sides are done (or `force` at flow end). */
static void
tx_maybe_emit(vg_app_ctx_t *ctx, http_state_t *s, vg_http_tx_t *tx, int dir, bool force)
{
    if (tx->emitted || (!force && !(tx->req.complete && tx->resp.complete)))
        return;
    file_finish(ctx, s, tx, &tx->req, VG_DIR_TOSERVER, false);
    file_finish(ctx, s, tx, &tx->resp, VG_DIR_TOCLIENT, false);
    tx->emitted = true;
    ctr_inc(ctx, c_ctr[C_TX]);
    emit(ctx, VG_APP_EV_TX, dir, tx, NULL, NULL, 0);
    for (int i = 0; i < 2; i++)
        if (s->d[i].tx == tx)
            s->d[i].tx = NULL;
    tx_unlink(s, tx);
    tx_free(tx);
}

/* ------------------------------------------------------------- bodies */

typedef struct body_sink {
    vg_app_ctx_t *ctx;
    http_state_t *s;
    vg_http_tx_t *tx;
    vg_http_msg_t *m;
    int dir;
} body_sink_t;

/* Decoded body bytes: inspection buffer (capped) and file. */
static void
entity_data(void *arg, const uint8_t *data, size_t len)
{
    body_sink_t *b = arg;
    vg_http_msg_t *m = b->m;
    const vg_limits_t *l = b->ctx->limits;
    m->entity_len += len;
    uint64_t cap = b->dir == VG_DIR_TOSERVER ? l->http_request_body_limit
                                             : l->http_response_body_limit;
    if (cap > UINT32_MAX)
        cap = UINT32_MAX;
    if (!m->body_truncated) {
        size_t room = cap > m->body.len ? (size_t)(cap - m->body.len) : 0;
        if (room > 0)
            vg_http_str_append(&m->body, data, len < room ? len : room, (uint32_t)cap);
        if (len > room) {
            m->body_truncated = true; /* inspection stops here; the file goes on */
            ctr_inc(b->ctx, c_ctr[C_BODY_LIMIT]);
        }
    }
    if (!m->file_open && !m->file_logged) {
        /* Suricata opens files for every response body and for POST/PUT
         * request bodies. */
        if (b->dir == VG_DIR_TOSERVER && !vg_http_str_ieq(&b->tx->method, "POST") &&
            !vg_http_str_ieq(&b->tx->method, "PUT"))
            return;
        m->fh = vg_app_file_open(&m->file);
        m->file_open = true;
        m->file.file_id = ++b->s->next_file_id;
        m->file.tx = b->tx;
        m->file.tx_id = b->tx->tx_id;
        /* name: Content-Disposition filename= of the response, else the URI path */
        const vg_http_header_t *cd =
            b->dir == VG_DIR_TOCLIENT ? vg_http_header_get(m, "content-disposition") : NULL;
        bool named = false;
        if (cd != NULL) {
            const uint8_t *v = cd->value.p;
            size_t n = cd->value.len;
            for (size_t i = 0; i + 9 <= n; i++) {
                if (!mem_ieq(v + i, 9, "filename="))
                    continue;
                size_t st = i + 9, e;
                if (st < n && v[st] == '"') {
                    st++;
                    for (e = st; e < n && v[e] != '"'; e++)
                        ;
                } else {
                    for (e = st; e < n && v[e] != ';' && v[e] != ' '; e++)
                        ;
                }
                if (e > st) {
                    vg_http_str_set(&m->filename, v + st, e - st,
                                    (uint32_t)l->http_max_header_line);
                    named = true;
                }
                break;
            }
        }
        if (!named)
            vg_http_str_set(&m->filename, b->tx->path_norm.p, b->tx->path_norm.len,
                            (uint32_t)l->http_max_header_line);
        m->file.filename = (const char *)m->filename.p;
        m->file.filename_len = m->filename.len;
    }
    if (m->file_open)
        vg_app_file_data(&m->file, m->fh, data, len);
}

/* Message body bytes after dechunking. */
static void
body_data(vg_app_ctx_t *ctx, http_state_t *s, int dir, const uint8_t *data, size_t len)
{
    http_dir_t *d = &s->d[dir];
    vg_http_tx_t *tx = d->tx;
    if (tx == NULL || len == 0)
        return;
    vg_http_msg_t *m = dir == VG_DIR_TOSERVER ? &tx->req : &tx->resp;
    body_sink_t b = {ctx, s, tx, m, dir};
    m->message_len += len;
    if (d->bomb)
        return;
    if (d->dec != NULL) {
        int rc = vg_http_decoder_feed(d->dec, data, len, ctx->limits->http_decompress_limit,
                                      ctx->limits->http_decompress_ratio, entity_data, &b);
        if (rc == VG_OK)
            return;
        if (rc == VG_HTTP_DEC_BOMB) {
            d->bomb = true;
            ctr_inc(ctx, c_ctr[C_DECOMPRESS_BOMB]);
            anomaly(ctx, s, dir, tx, AN_COMPRESSION_BOMB);
            return;
        }
        if (!d->dec_failed_reported) {
            d->dec_failed_reported = true;
            ctr_inc(ctx, c_ctr[C_DECOMPRESS_FAILED]);
            anomaly(ctx, s, dir, tx, AN_GZIP_DECOMPRESSION_FAILED);
        }
    }
    entity_data(&b, data, len);
}

static void
body_gap(vg_app_ctx_t *ctx, http_state_t *s, int dir, size_t len)
{
    http_dir_t *d = &s->d[dir];
    vg_http_tx_t *tx = d->tx;
    if (tx == NULL)
        return;
    vg_http_msg_t *m = dir == VG_DIR_TOSERVER ? &tx->req : &tx->resp;
    m->message_len += len;
    if (d->dec != NULL) {
        /* a compressed stream cannot resume after missing bytes */
        d->bomb = true;
    }
    if (m->file_open)
        vg_app_file_gap(&m->file, m->fh, len);
}

/* The message of direction `dir` is complete. */
static void
msg_done(vg_app_ctx_t *ctx, http_state_t *s, int dir)
{
    http_dir_t *d = &s->d[dir];
    vg_http_tx_t *tx = d->tx;
    vg_http_decoder_free(d->dec);
    d->dec = NULL;
    d->bomb = false;
    d->dec_failed_reported = false;
    d->st = ST_LINE;
    if (tx == NULL)
        return;
    vg_http_msg_t *m = dir == VG_DIR_TOSERVER ? &tx->req : &tx->resp;
    m->complete = true;
    file_finish(ctx, s, tx, m, dir, !m->file.gaps);
    d->tx = NULL;
    tx_maybe_emit(ctx, s, tx, dir, false);
}

/* ------------------------------------------------------------ headers */

static void
build_norm_headers(vg_http_msg_t *m, int dir, uint32_t cap)
{
    /* Suricata's http.header / http.response_header: "Name: value\r\n" per
     * header, Cookie (request) / Set-Cookie (response) left out because
     * they have their own buffers. */
    const char *skip = dir == VG_DIR_TOSERVER ? "cookie" : "set-cookie";
    m->headers_norm.len = 0;
    for (uint32_t i = 0; i < m->nhdrs; i++) {
        const vg_http_header_t *h = &m->hdrs[i];
        if (vg_http_str_ieq(&h->name, skip))
            continue;
        vg_http_str_append(&m->headers_norm, h->name.p, h->name.len, cap);
        vg_http_str_append(&m->headers_norm, ": ", 2, cap);
        vg_http_str_append(&m->headers_norm, h->value.p, h->value.len, cap);
        vg_http_str_append(&m->headers_norm, "\r\n", 2, cap);
    }
}

/* One complete (unfolded) header line, terminator stripped. */
static void
add_header(vg_app_ctx_t *ctx, http_state_t *s, int dir, const uint8_t *p, size_t n)
{
    http_dir_t *d = &s->d[dir];
    vg_http_tx_t *tx = d->tx;
    if (tx == NULL)
        return;
    vg_http_msg_t *m = dir == VG_DIR_TOSERVER ? &tx->req : &tx->resp;
    const vg_limits_t *l = ctx->limits;
    uint32_t cap = (uint32_t)VG_MIN(l->http_max_header_line, UINT32_MAX);
    bool req = dir == VG_DIR_TOSERVER;
    if (p == NULL) {
        p = (const uint8_t *)"";
        n = 0;
    }
    const uint8_t *colon = n ? memchr(p, ':', n) : NULL;
    size_t nlen, vs;
    if (colon == NULL) {
        anomaly(ctx, s, dir, tx, req ? AN_REQUEST_FIELD_MISSING_COLON
                                     : AN_RESPONSE_FIELD_MISSING_COLON);
        nlen = 0;  /* libhtp: empty name, the whole line is the value */
        vs = 0;
    } else {
        nlen = (size_t)(colon - p);
        vs = nlen + 1;
    }
    size_t ne = nlen;
    while (ne > 0 && (p[ne - 1] == ' ' || p[ne - 1] == '\t'))
        ne--;
    bool bad = colon != NULL && ne == 0;
    for (size_t i = 0; i < ne && !bad; i++)
        if (!is_token(p[i]))
            bad = true;
    if (bad)
        anomaly(ctx, s, dir, tx, req ? AN_REQUEST_HEADER_INVALID : AN_RESPONSE_HEADER_INVALID);
    while (vs < n && (p[vs] == ' ' || p[vs] == '\t'))
        vs++;
    size_t ve = n;
    while (ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t' || p[ve - 1] == '\r'))
        ve--;

    /* repeated header: join values (libhtp), except Content-Length */
    for (uint32_t i = 0; i < m->nhdrs; i++) {
        vg_http_header_t *h = &m->hdrs[i];
        if (h->name.len != ne)
            continue;
        bool same = true;
        for (size_t k = 0; k < ne && same; k++)
            same = lc(h->name.p[k]) == lc(p[k]);
        if (!same)
            continue;
        if (mem_ieq(p, ne, "content-length")) {
            if (h->value.len != ve - vs || (ve > vs && memcmp(h->value.p, p + vs, ve - vs) != 0))
                anomaly(ctx, s, dir, tx,
                        req ? AN_DUPLICATE_CONTENT_LENGTH_FIELD_IN_REQUEST
                            : AN_DUPLICATE_CONTENT_LENGTH_FIELD_IN_RESPONSE);
            return;
        }
        vg_http_str_append(&h->value, ", ", 2, cap);
        vg_http_str_append(&h->value, p + vs, ve - vs, cap);
        return;
    }
    if (m->nhdrs >= l->http_max_headers) {
        if (!d->toomany_reported) {
            d->toomany_reported = true;
            anomaly(ctx, s, dir, tx, req ? AN_REQUEST_TOO_MANY_HEADERS
                                         : AN_RESPONSE_TOO_MANY_HEADERS);
        }
        return;
    }
    if (m->nhdrs == m->hdrs_cap) {
        uint32_t nc = m->hdrs_cap ? m->hdrs_cap * 2 : 16;
        vg_http_header_t *nh = realloc(m->hdrs, nc * sizeof(*nh));
        if (nh == NULL) {
            ctr_inc(ctx, c_ctr[C_ENOMEM]);
            return;
        }
        m->hdrs = nh;
        m->hdrs_cap = nc;
    }
    vg_http_header_t *h = &m->hdrs[m->nhdrs++];
    memset(h, 0, sizeof(*h));
    vg_http_str_set(&h->name, p, ne, cap);
    vg_http_str_set(&h->value, p + vs, ve - vs, cap);
}

static void
flush_pending(vg_app_ctx_t *ctx, http_state_t *s, int dir)
{
    http_dir_t *d = &s->d[dir];
    if (!d->have_pending)
        return;
    add_header(ctx, s, dir, d->pending.p, d->pending.len);
    d->have_pending = false;
    d->pending.len = 0;
}

/* Host, URL and header buffers once the request headers are known. */
static void
request_headers_done(vg_app_ctx_t *ctx, http_state_t *s, vg_http_tx_t *tx)
{
    const vg_limits_t *l = ctx->limits;
    uint32_t cap = (uint32_t)VG_MIN(l->http_max_header_line, UINT32_MAX);
    const vg_http_header_t *h = vg_http_header_get(&tx->req, "host");
    if (tx->host_raw.len == 0 && h != NULL) {
        vg_http_str_set(&tx->host_raw, h->value.p, h->value.len, cap);
        vg_http_host_normalize(h->value.p, h->value.len, cap, &tx->host, &tx->port);
        if (tx->port == -2)
            anomaly(ctx, s, VG_DIR_TOSERVER, tx, AN_INVALID_AUTHORITY_PORT);
    } else if (h == NULL && tx->host_raw.len == 0 && vg_http_str_ieq(&tx->protocol, "HTTP/1.1")) {
        anomaly(ctx, s, VG_DIR_TOSERVER, tx, AN_MISSING_HOST_HEADER);
    }
    if (tx->port < 0)
        tx->port = -1;
    tx->url_full.len = 0;
    vg_http_str_append(&tx->url_full, "http://", 7, cap);
    vg_http_str_append(&tx->url_full, tx->host.p, tx->host.len, cap);
    vg_http_str_append(&tx->url_full, tx->uri_norm.p, tx->uri_norm.len, cap);
    build_norm_headers(&tx->req, VG_DIR_TOSERVER, (uint32_t)VG_MIN(l->http_max_header_block,
                                                                    UINT32_MAX));
}

static void parse_dir(vg_app_ctx_t *ctx, http_state_t *s, int dir, const uint8_t *p, size_t n);

/* CONNECT answered: parse the client bytes held meanwhile, now, so that they
 * come before any later response bytes (they are in the client's order). */
static void
replay_held(vg_app_ctx_t *ctx, http_state_t *s)
{
    vg_http_str_t held = s->d[0].held;
    s->d[0].held = (vg_http_str_t){0};
    if (held.len > 0)
        parse_dir(ctx, s, VG_DIR_TOSERVER, held.p, held.len);
    vg_http_str_free(&held);
}

/* Choose the body framing after the header block of `dir`. */
static void
headers_done(vg_app_ctx_t *ctx, http_state_t *s, int dir)
{
    http_dir_t *d = &s->d[dir];
    vg_http_tx_t *tx = d->tx;
    bool req = dir == VG_DIR_TOSERVER;
    d->hdr_bytes = 0;
    d->block_reported = false;
    d->toomany_reported = false;
    if (tx == NULL) {
        d->st = ST_LINE;
        return;
    }
    vg_http_msg_t *m = req ? &tx->req : &tx->resp;
    m->headers_done = true;
    if (req) {
        request_headers_done(ctx, s, tx);
    } else {
        build_norm_headers(m, dir, (uint32_t)VG_MIN(ctx->limits->http_max_header_block,
                                                    UINT32_MAX));
        /* interim response: the final one follows on the same tx */
        if (tx->status >= 100 && tx->status < 200 && tx->status != 101) {
            msg_fini(&tx->resp);
            tx->has_response_line = false;
            tx->status = -1;
            tx->status_raw.len = tx->status_msg.len = tx->resp_protocol.len = 0;
            d->st = ST_LINE;
            return;
        }
    }

    const vg_http_header_t *te = vg_http_header_get(m, "transfer-encoding");
    const vg_http_header_t *cl = vg_http_header_get(m, "content-length");
    const vg_http_header_t *ce = vg_http_header_get(m, "content-encoding");
    bool chunked = false;
    if (te != NULL) {
        if (value_has_token(te->value.p, te->value.len, "chunked")) {
            chunked = true;
            if (!req && vg_http_str_ieq(&tx->resp_protocol, "HTTP/1.0"))
                anomaly(ctx, s, dir, tx, AN_RESPONSE_CHUNKED_OLD_PROTO);
        } else {
            anomaly(ctx, s, dir, tx, req ? AN_INVALID_TRANSFER_ENCODING_VALUE_IN_REQUEST
                                         : AN_INVALID_TRANSFER_ENCODING_VALUE_IN_RESPONSE);
        }
    }
    int64_t clv = -1;
    if (cl != NULL && !chunked) {
        clv = parse_cl(&cl->value);
        if (clv < 0)
            anomaly(ctx, s, dir, tx, req ? AN_INVALID_CONTENT_LENGTH_FIELD_IN_REQUEST
                                         : AN_INVALID_CONTENT_LENGTH_FIELD_IN_RESPONSE);
    }
    if (ce != NULL) {
        int enc = vg_http_encoding_parse(ce->value.p, ce->value.len);
        if (enc != VG_HTTP_ENC_NONE) {
            d->dec = vg_http_decoder_new(enc);
            if (d->dec == NULL)
                ctr_inc(ctx, c_ctr[C_ENOMEM]);
        }
    }

    if (req) {
        if (tx->is_connect) {
            /* the request is complete; the request side waits for the
             * status: 2xx turns the connection into a tunnel */
            tx->req.complete = true;
            d->tx = NULL;
            d->st = ST_CONNECT_WAIT;
            return;
        }
        if (chunked) {
            d->st = ST_CHUNK_SIZE;
        } else if (clv > 0) {
            d->remaining = (uint64_t)clv;
            d->st = ST_BODY_CL;
        } else {
            msg_done(ctx, s, dir);
        }
        return;
    }

    /* response */
    int st = tx->status;
    if (st == 101) {
        ctr_inc(ctx, c_ctr[C_TUNNEL]);
        msg_done(ctx, s, dir);
        s->d[0].st = ST_TUNNEL;
        s->d[1].st = ST_TUNNEL;
        return;
    }
    if (tx->is_connect) {
        if (st >= 200 && st < 300) {
            ctr_inc(ctx, c_ctr[C_TUNNEL]);
            msg_done(ctx, s, dir);
            s->d[0].st = ST_TUNNEL_PROBE;
            s->d[1].st = ST_TUNNEL_PROBE;
            replay_held(ctx, s); /* client bytes sent early: probed as tunnel data */
            return;
        }
        s->d[0].st = ST_LINE;
        replay_held(ctx, s);
    }
    if (tx->is_head || st == 204 || st == 304 || (st >= 100 && st < 200)) {
        msg_done(ctx, s, dir);
    } else if (chunked) {
        d->st = ST_CHUNK_SIZE;
    } else if (clv >= 0) {
        if (clv == 0) {
            msg_done(ctx, s, dir);
        } else {
            d->remaining = (uint64_t)clv;
            d->st = ST_BODY_CL;
        }
    } else {
        d->st = ST_BODY_EOF;
    }
}

/* ---------------------------------------------------------- start lines */

/* True when bytes other than SP/HT follow in the same delivery: a real
 * HTTP/0.9 client sends the request line and nothing else, so libhtp
 * takes a protocol-less line followed by more as 1.x with the protocol
 * missing (REQUEST_LINE_MISSING_PROTOCOL, suricata-verify
 * http-not09-spaces). */
static bool
more_than_spaces(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return true;
    return false;
}

/* `more`: more_than_spaces() of what follows the line in this delivery. */
static bool
parse_request_line(vg_app_ctx_t *ctx, http_state_t *s, const uint8_t *p, size_t n, bool more)
{
    const vg_limits_t *l = ctx->limits;
    uint32_t cap = (uint32_t)VG_MIN(l->http_max_header_line, UINT32_MAX);
    size_t i = 0;
    bool leading_ws = false;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) {
        i++;
        leading_ws = true;
    }
    if (i == n)
        return false; /* empty line between requests: ignored, as libhtp */
    if (s->ntx >= l->http_max_pipelined) {
        /* too many unanswered requests (one-sided capture, or a flood):
         * log the oldest as it is and go on, unless the response side is
         * still filling it */
        ctr_inc(ctx, c_ctr[C_PIPELINE_LIMIT]);
        vg_http_tx_t *old = s->head;
        if (old == NULL || old == s->d[1].tx || old == s->d[0].tx) {
            s->d[0].st = ST_DEAD;
            return false;
        }
        tx_maybe_emit(ctx, s, old, VG_DIR_TOSERVER, true);
    }
    vg_http_tx_t *tx = tx_new(ctx, s);
    if (tx == NULL) {
        s->d[0].st = ST_DEAD;
        return false;
    }
    s->d[0].tx = tx;
    ctr_inc(ctx, c_ctr[C_REQUESTS]);
    if (leading_ws)
        anomaly(ctx, s, VG_DIR_TOSERVER, tx, AN_REQUEST_LINE_LEADING_WHITESPACE);
    size_t ms = i;
    while (i < n && p[i] != ' ' && p[i] != '\t')
        i++;
    vg_http_str_set(&tx->method, p + ms, i - ms, cap);
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    /* URI up to the last whitespace run (libhtp tolerates spaces inside
     * the URI when a protocol follows) */
    size_t us = i, ue = n;
    size_t last_ws = n;
    for (size_t k = n; k > us; k--) {
        if (p[k - 1] == ' ' || p[k - 1] == '\t') {
            last_ws = k - 1;
            break;
        }
    }
    size_t ps = n;
    if (last_ws < n && n - (last_ws + 1) >= 5 && mem_ieq(p + last_ws + 1, 5, "HTTP/")) {
        ue = last_ws;
        while (ue > us && (p[ue - 1] == ' ' || p[ue - 1] == '\t'))
            ue--;
        ps = last_ws + 1;
    } else if (last_ws < n) {
        /* something after the URI that does not look like a protocol */
        ue = us;
        while (ue < n && p[ue] != ' ' && p[ue] != '\t')
            ue++;
        ps = ue;
        while (ps < n && (p[ps] == ' ' || p[ps] == '\t'))
            ps++;
    }
    vg_http_str_set(&tx->uri_raw, p + us, ue - us, cap);
    vg_http_str_set(&tx->protocol, p + ps, n - ps, cap);

    bool method_ok = tx->method.len > 0;
    for (uint32_t k = 0; k < tx->method.len && method_ok; k++)
        method_ok = is_token(tx->method.p[k]);
    tx->is_head = vg_http_str_ieq(&tx->method, "HEAD");
    tx->is_connect = vg_http_str_ieq(&tx->method, "CONNECT");

    if (tx->is_connect && tx->uri_raw.len > 0 && tx->uri_raw.p[0] != '/') {
        /* authority form: host:port ("CONNECT /" is an origin form: no host,
         * suricata-verify bug-7851-01) */
        vg_http_str_set(&tx->host_raw, tx->uri_raw.p, tx->uri_raw.len, cap);
        vg_http_str_set(&tx->uri_norm, tx->uri_raw.p, tx->uri_raw.len, cap);
        vg_http_host_normalize(tx->uri_raw.p, tx->uri_raw.len, cap, &tx->host, &tx->port);
    } else {
        vg_http_str_t auth = {0};
        vg_http_uri_normalize(tx->uri_raw.p, tx->uri_raw.len, cap, &tx->uri_norm,
                              &tx->path_norm, &auth);
        if (auth.len > 0) {
            vg_http_str_set(&tx->host_raw, auth.p, auth.len, cap);
            vg_http_host_normalize(auth.p, auth.len, cap, &tx->host, &tx->port);
        }
        vg_http_str_free(&auth);
    }

    if (tx->protocol.len == 0 && more) {
        anomaly(ctx, s, VG_DIR_TOSERVER, tx, AN_REQUEST_LINE_MISSING_PROTOCOL);
        if (!method_ok || tx->uri_raw.len == 0)
            anomaly(ctx, s, VG_DIR_TOSERVER, tx, AN_REQUEST_LINE_INVALID);
        s->d[0].st = ST_HEADERS;
        return true;
    }
    if (tx->protocol.len == 0) {
        /* HTTP/0.9 simple request: no headers, no body; the response is
         * raw body up to connection close */
        tx->is_09 = true;
        if (!method_ok || tx->uri_raw.len == 0)
            anomaly(ctx, s, VG_DIR_TOSERVER, tx, AN_REQUEST_LINE_INVALID);
        request_headers_done(ctx, s, tx);
        tx->req.headers_done = true;
        msg_done(ctx, s, VG_DIR_TOSERVER);
        return true;
    }
    if (!method_ok || tx->uri_raw.len == 0 || tx->protocol.len < 5 ||
        !mem_ieq(tx->protocol.p, 5, "HTTP/"))
        anomaly(ctx, s, VG_DIR_TOSERVER, tx, AN_REQUEST_LINE_INVALID);
    s->d[0].st = ST_HEADERS;
    return true;
}

/* Returns false when the line is not a status line (treated as body). */
static bool
parse_status_line(vg_app_ctx_t *ctx, http_state_t *s, vg_http_tx_t *tx, const uint8_t *p,
                  size_t n)
{
    uint32_t cap = (uint32_t)VG_MIN(ctx->limits->http_max_header_line, UINT32_MAX);
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (n - i < 4 || !mem_ieq(p + i, 4, "HTTP"))
        return false;
    size_t ps = i;
    while (i < n && p[i] != ' ' && p[i] != '\t')
        i++;
    vg_http_str_set(&tx->resp_protocol, p + ps, i - ps, cap);
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    size_t ss = i;
    while (i < n && p[i] != ' ' && p[i] != '\t')
        i++;
    vg_http_str_set(&tx->status_raw, p + ss, i - ss, cap);
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    vg_http_str_set(&tx->status_msg, p + i, n - i, cap);
    tx->has_response_line = true;
    int v = 0;
    bool ok = tx->status_raw.len == 3;
    for (uint32_t k = 0; k < tx->status_raw.len && ok; k++) {
        ok = tx->status_raw.p[k] >= '0' && tx->status_raw.p[k] <= '9';
        v = v * 10 + (tx->status_raw.p[k] - '0');
    }
    if (ok && v >= 100) {
        tx->status = v;
    } else {
        tx->status = -1;
        anomaly(ctx, s, VG_DIR_TOCLIENT, tx, AN_RESPONSE_INVALID_STATUS);
    }
    return true;
}

/* ------------------------------------------------------------- lines */

/* Collect bytes up to and including LF into d->line (capped). Returns bytes
 * consumed; *done when the line is complete. */
static size_t
take_line(vg_app_ctx_t *ctx, http_state_t *s, int dir, const uint8_t *p, size_t n, bool *done)
{
    http_dir_t *d = &s->d[dir];
    const uint8_t *lf = memchr(p, '\n', n);
    size_t take = lf ? (size_t)(lf - p) + 1 : n;
    uint32_t cap = (uint32_t)VG_MIN(ctx->limits->http_max_header_line, UINT32_MAX);
    *done = lf != NULL;
    size_t room = d->line.len < cap ? cap - d->line.len : 0;
    size_t keep = take < room ? take : room;
    if (keep > 0 && vg_http_str_append(&d->line, p, keep, cap) != VG_OK)
        keep = 0;
    if (keep < take && !d->line_overflow) {
        d->line_overflow = true;
        ctr_inc(ctx, c_ctr[C_LINE_TRUNCATED]);
        anomaly(ctx, s, dir, d->tx,
                dir == VG_DIR_TOSERVER ? AN_REQUEST_FIELD_TOO_LONG : AN_RESPONSE_FIELD_TOO_LONG);
    }
    return take;
}

/* Length of the line without its CRLF / LF. */
static size_t
line_content_len(const vg_http_str_t *line)
{
    size_t n = line->len;
    if (n > 0 && line->p[n - 1] == '\n')
        n--;
    if (n > 0 && line->p[n - 1] == '\r')
        n--;
    return n;
}

static void
line_reset(http_dir_t *d)
{
    d->line.len = 0;
    d->line_overflow = false;
}

/* A complete header (or trailer) line in d->line. */
static void
header_line(vg_app_ctx_t *ctx, http_state_t *s, int dir, bool trailer)
{
    http_dir_t *d = &s->d[dir];
    size_t n = line_content_len(&d->line);
    const uint8_t *p = d->line.p;
    vg_http_tx_t *tx = d->tx;
    bool req = dir == VG_DIR_TOSERVER;
    if (tx != NULL && !trailer) {
        vg_http_msg_t *m = req ? &tx->req : &tx->resp;
        uint64_t block = ctx->limits->http_max_header_block;
        d->hdr_bytes += d->line.len;
        if (d->hdr_bytes > block && !d->block_reported) {
            d->block_reported = true;
            ctr_inc(ctx, c_ctr[C_HEADER_BLOCK_LIMIT]);
            anomaly(ctx, s, dir, tx, req ? AN_REQUEST_FIELD_TOO_LONG : AN_RESPONSE_FIELD_TOO_LONG);
        }
        vg_http_str_append(&m->headers_raw, d->line.p, d->line.len,
                           (uint32_t)VG_MIN(block, UINT32_MAX));
    }
    if (n == 0) {
        if (!trailer)
            flush_pending(ctx, s, dir);
        d->have_pending = false;
        d->pending.len = 0;
        line_reset(d);
        if (trailer)
            msg_done(ctx, s, dir);
        else
            headers_done(ctx, s, dir);
        return;
    }
    if (trailer) {
        line_reset(d); /* trailers are read and dropped */
        return;
    }
    uint32_t cap = (uint32_t)VG_MIN(ctx->limits->http_max_header_line, UINT32_MAX);
    if (p[0] == ' ' || p[0] == '\t') {
        if (d->have_pending) {
            /* folded continuation: joined to the previous line as sent */
            vg_http_str_append(&d->pending, p, n, cap);
            line_reset(d);
            return;
        }
        anomaly(ctx, s, dir, tx, req ? AN_INVALID_REQUEST_FIELD_FOLDING
                                     : AN_INVALID_RESPONSE_FIELD_FOLDING);
        size_t k = 0;
        while (k < n && (p[k] == ' ' || p[k] == '\t'))
            k++;
        p += k;
        n -= k;
    } else {
        flush_pending(ctx, s, dir);
    }
    vg_http_str_set(&d->pending, p, n, cap);
    d->have_pending = true;
    line_reset(d);
}

/* Parse a chunk-size line; false if invalid. */
static bool
chunk_size(vg_app_ctx_t *ctx, http_state_t *s, int dir, const uint8_t *p, size_t n,
           uint64_t *out)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    uint64_t v = 0;
    size_t digits = 0;
    for (; i < n; i++) {
        int c = lc(p[i]), h;
        if (c >= '0' && c <= '9')
            h = c - '0';
        else if (c >= 'a' && c <= 'f')
            h = c - 'a' + 10;
        else
            break;
        if (v >> 58)
            return false; /* would overflow */
        v = v * 16 + (uint64_t)h;
        digits++;
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (digits == 0)
        return false;
    if (i < n) {
        if (p[i] != ';')
            return false;
        if (dir == VG_DIR_TOSERVER)
            anomaly(ctx, s, dir, s->d[dir].tx, AN_REQUEST_CHUNK_EXTENSION);
    }
    *out = v;
    return true;
}

/* --------------------------------------------------------------- parse */

static bool probe_request(const uint8_t *data, size_t len, bool *partial);
static void http_reset(http_state_t *s);
static void resp09_to_body(vg_app_ctx_t *ctx, http_state_t *s);

/* The client sent the start of a request line without its LF and the
 * server answers (or the connection closes): take the partial line as the
 * request line, as libhtp does at close (suricata-verify bug-3844). True
 * when a tx was opened. */
static bool
force_request_line(vg_app_ctx_t *ctx, http_state_t *s)
{
    http_dir_t *d = &s->d[VG_DIR_TOSERVER];
    if (d->st != ST_LINE || d->line.len == 0)
        return false;
    vg_http_str_t l = d->line;
    d->line = (vg_http_str_t){0};
    line_reset(d);
    uint32_t before = s->ntx;
    parse_request_line(ctx, s, l.p, line_content_len(&l), false);
    vg_http_str_free(&l);
    return s->ntx > before;
}

/* Process bytes of one direction. */
static void
parse_dir(vg_app_ctx_t *ctx, http_state_t *s, int dir, const uint8_t *p, size_t n)
{
    http_dir_t *d = &s->d[dir];
    bool req = dir == VG_DIR_TOSERVER;
    while (n > 0) {
        bool done = false;
        size_t used = 0;
        switch (d->st) {
        case ST_DEAD:
        case ST_TUNNEL:
            return;
        case ST_TUNNEL_PROBE: {
            /* stray line ends after the CONNECT exchange are not tunnel data */
            if (p[0] == '\r' || p[0] == '\n') {
                used = 1;
                break;
            }
            bool partial = false;
            bool http = req ? probe_request(p, n, &partial)
                            : (n >= 5 ? memcmp(p, "HTTP/", 5) == 0 : memcmp(p, "HTTP/", n) == 0);
            if (http || partial) {
                /* a new HTTP conversation inside the tunnel: Suricata
                 * restarts the parser, so tx ids start over */
                http_reset(s);
                continue;
            }
            s->d[0].st = ST_TUNNEL;
            s->d[1].st = ST_TUNNEL;
            /* not HTTP: hand these bytes and the rest of the flow to
             * protocol detection (TLS through a proxy, bug-2430) */
            vg_app_layer_change_proto(ctx, dir, p, n);
            return;
        }
        case ST_CONNECT_WAIT:
            vg_http_str_append(&d->held, p, n,
                               (uint32_t)VG_MIN(ctx->limits->http_max_header_block, UINT32_MAX));
            return;
        case ST_LINE:
            if (!req) {
                /* find the tx this response belongs to; stray line ends
                 * between responses are skipped first (libhtp) */
                if (d->tx == NULL && d->line.len == 0 && (p[0] == '\r' || p[0] == '\n')) {
                    used = 1;
                    break;
                }
                if (d->tx == NULL) {
                    vg_http_tx_t *t = s->head;
                    while (t && (t->resp.complete || t->emitted))
                        t = t->next;
                    if (t == NULL && force_request_line(ctx, s))
                        continue; /* retry with the tx just opened */
                    if (t == NULL) {
                        if (s->ntx >= ctx->limits->http_max_pipelined) {
                            ctr_inc(ctx, c_ctr[C_PIPELINE_LIMIT]);
                            d->st = ST_DEAD;
                            return;
                        }
                        t = tx_new(ctx, s);
                        if (t == NULL) {
                            d->st = ST_DEAD;
                            return;
                        }
                        t->req.complete = true; /* nothing will ever come */
                        anomaly(ctx, s, dir, t, AN_UNABLE_TO_MATCH_RESPONSE_TO_REQUEST);
                    }
                    d->tx = t;
                    ctr_inc(ctx, c_ctr[C_RESPONSES]);
                    if (t->is_09) {
                        d->st = ST_RESP09;
                        continue;
                    }
                }
            }
            used = take_line(ctx, s, dir, p, n, &done);
            if (done) {
                size_t ln = line_content_len(&d->line);
                if (req) {
                    parse_request_line(ctx, s, d->line.p, ln,
                                       more_than_spaces(p + used, n - used));
                    line_reset(d);
                } else if (ln == 0) {
                    line_reset(d); /* empty lines before a status line */
                } else if (!parse_status_line(ctx, s, d->tx, d->line.p, ln)) {
                    /* not a status line: libhtp treats the response as a
                     * body up to connection close */
                    ctr_inc(ctx, c_ctr[C_NOT_HTTP_RESPONSE]);
                    d->st = ST_BODY_EOF;
                    vg_http_str_t l = d->line;
                    d->line = (vg_http_str_t){0};
                    line_reset(d);
                    body_data(ctx, s, dir, l.p, l.len);
                    vg_http_str_free(&l);
                } else {
                    line_reset(d);
                    d->st = ST_HEADERS;
                }
            }
            break;
        case ST_HEADERS:
        case ST_TRAILERS:
            /* a pending header is flushed only when the next line does not
             * start with whitespace, so folding works across chunks */
            used = take_line(ctx, s, dir, p, n, &done);
            if (done)
                header_line(ctx, s, dir, d->st == ST_TRAILERS);
            break;
        case ST_BODY_CL:
        case ST_CHUNK_DATA: {
            size_t k = d->remaining < n ? (size_t)d->remaining : n;
            body_data(ctx, s, dir, p, k);
            d->remaining -= k;
            used = k;
            if (d->remaining == 0) {
                if (d->st == ST_BODY_CL)
                    msg_done(ctx, s, dir);
                else
                    d->st = ST_CHUNK_END;
            }
            break;
        }
        case ST_CHUNK_END:
            used = take_line(ctx, s, dir, p, n, &done);
            if (done) {
                line_reset(d);
                d->st = ST_CHUNK_SIZE;
            }
            break;
        case ST_CHUNK_SIZE:
            used = take_line(ctx, s, dir, p, n, &done);
            if (done) {
                size_t ln = line_content_len(&d->line);
                uint64_t sz = 0;
                if (ln == 0) {
                    line_reset(d); /* tolerate stray empty lines */
                    break;
                }
                bool ok = chunk_size(ctx, s, dir, d->line.p, ln, &sz);
                line_reset(d);
                if (!ok) {
                    anomaly(ctx, s, dir, d->tx,
                            req ? AN_INVALID_REQUEST_CHUNK_LEN : AN_INVALID_RESPONSE_CHUNK_LEN);
                    /* cannot resynchronize: the rest is body (response) or
                     * nothing more we can frame (request) */
                    if (req)
                        d->st = ST_DEAD;
                    else
                        d->st = ST_BODY_EOF;
                } else if (sz == 0) {
                    d->st = ST_TRAILERS;
                } else {
                    d->remaining = sz;
                    d->st = ST_CHUNK_DATA;
                }
            }
            break;
        case ST_BODY_EOF:
            body_data(ctx, s, dir, p, n);
            used = n;
            break;
        case ST_RESP09: {
            /* A 0.9 request normally gets a raw body, but servers answer
             * what looked like 0.9 (a broken request line) with a 1.x
             * status line: decide on the first 5 bytes, kept in d->line. */
            static const char http5[] = "HTTP/";
            size_t have = d->line.len;
            size_t k = 0;
            while (k < n && have + k < 5 && lc(p[k]) == lc((unsigned char)http5[have + k]))
                k++;
            if (have + k == 5) {
                d->st = ST_LINE; /* the buffered prefix starts the status line */
                vg_http_str_append(&d->line, p, k, (uint32_t)ctx->limits->http_max_header_line);
                used = k;
                break;
            }
            if (k == n) { /* still a prefix: wait for more */
                vg_http_str_append(&d->line, p, k, (uint32_t)ctx->limits->http_max_header_line);
                used = k;
                break;
            }
            d->st = ST_BODY_EOF;
            vg_http_str_t l = d->line;
            d->line = (vg_http_str_t){0};
            line_reset(d);
            body_data(ctx, s, dir, l.p, l.len);
            vg_http_str_free(&l);
            used = 0;
            break;
        }
        default:
            return;
        }
        p += used;
        n -= used;
    }
}

static void
parse_gap(vg_app_ctx_t *ctx, http_state_t *s, int dir, size_t len)
{
    http_dir_t *d = &s->d[dir];
    switch (d->st) {
    case ST_BODY_CL:
    case ST_CHUNK_DATA: {
        size_t k = d->remaining < len ? (size_t)d->remaining : len;
        body_gap(ctx, s, dir, k);
        d->remaining -= k;
        if (k < len)
            break; /* the gap runs past this message: framing lost */
        if (d->remaining == 0) {
            if (d->st == ST_BODY_CL)
                msg_done(ctx, s, dir);
            else
                d->st = ST_CHUNK_END;
        }
        return;
    }
    case ST_BODY_EOF:
        body_gap(ctx, s, dir, len);
        return;
    case ST_TUNNEL:
    case ST_DEAD:
        return;
    default:
        break;
    }
    /* lost framing: this direction is over for us */
    ctr_inc(ctx, c_ctr[C_GAP_ABORT]);
    if (d->tx != NULL) {
        vg_http_msg_t *m = dir == VG_DIR_TOSERVER ? &d->tx->req : &d->tx->resp;
        m->file.gaps = true;
    }
    d->st = ST_DEAD;
}

/* -------------------------------------------------------------- vtable */

static const char *const methods[] = {
    "GET",    "POST",     "HEAD",      "PUT",   "DELETE", "OPTIONS", "CONNECT", "TRACE",
    "PATCH",  "PROPFIND", "PROPPATCH", "MKCOL", "COPY",   "MOVE",    "LOCK",    "UNLOCK",
    "SEARCH", "REPORT",   "CHECKOUT",  "MERGE", "SUBSCRIBE", "NOTIFY", "M-SEARCH",
};

/* A request starts with a known method and a space. *partial when the
 * bytes are a prefix of one. */
static bool
probe_request(const uint8_t *data, size_t len, bool *partial)
{
    *partial = false;
    for (size_t i = 0; i < VG_ARRAY_LEN(methods); i++) {
        size_t m = strlen(methods[i]);
        if (len > m) {
            if (memcmp(data, methods[i], m) == 0 && (data[m] == ' ' || data[m] == '\t'))
                return true;
        } else if (memcmp(data, methods[i], len) == 0) {
            *partial = true;
        }
    }
    return false;
}

static int
http_probe(const uint8_t *data, size_t len, int dir, bool is_tcp)
{
    if (!is_tcp || len == 0)
        return len == 0 ? VG_AGAIN : VG_DECLINED;
    if (dir == VG_DIR_TOSERVER) {
        bool partial = false;
        if (probe_request(data, len, &partial))
            return VG_OK;
        return partial ? VG_AGAIN : VG_DECLINED;
    }
    size_t k = len < 5 ? len : 5;
    if (memcmp(data, "HTTP/", k) != 0)
        return VG_DECLINED;
    return len < 5 ? VG_AGAIN : VG_OK;
}

static void *
http_state_new(vg_app_ctx_t *ctx)
{
    (void)ctx;
    http_state_t *s = calloc(1, sizeof(*s));
    return s;
}

static void
dir_fini(http_dir_t *d)
{
    vg_http_str_free(&d->line);
    vg_http_str_free(&d->pending);
    vg_http_str_free(&d->held);
    vg_http_decoder_free(d->dec);
    memset(d, 0, sizeof(*d));
}

/* Drop every tx and all direction state (tunnel restart); tx ids restart. */
static void
http_reset(http_state_t *s)
{
    while (s->head) {
        vg_http_tx_t *t = s->head;
        s->head = t->next;
        tx_free(t);
    }
    s->tail = NULL;
    s->ntx = 0;
    s->next_tx_id = 0;
    dir_fini(&s->d[0]);
    dir_fini(&s->d[1]);
}

static void
http_state_free(void *state)
{
    http_state_t *s = state;
    if (s == NULL)
        return;
    http_reset(s);
    free(s);
}

static int
http_parse(vg_app_ctx_t *ctx, void *state, int dir, const uint8_t *data, size_t len,
           unsigned flags)
{
    http_state_t *s = state;
    if (s == NULL || ctx == NULL || ctx->limits == NULL || (dir != 0 && dir != 1))
        return VG_EINVAL;
    if (flags & VG_APP_GAP)
        parse_gap(ctx, s, dir, len);
    else if (data != NULL && len > 0)
        parse_dir(ctx, s, dir, data, len);
    if ((flags & VG_APP_EOF) && dir == VG_DIR_TOSERVER)
        force_request_line(ctx, s);
    if ((flags & VG_APP_EOF) && dir == VG_DIR_TOCLIENT)
        resp09_to_body(ctx, s);
    if ((flags & VG_APP_EOF) && dir == VG_DIR_TOCLIENT && s->d[1].st == ST_BODY_EOF)
        msg_done(ctx, s, VG_DIR_TOCLIENT); /* body delimited by close */
    return VG_OK;
}

/* The response to a 0.9 request ended while we still wondered whether it
 * starts with a status line: what we held is body. */
static void
resp09_to_body(vg_app_ctx_t *ctx, http_state_t *s)
{
    http_dir_t *d = &s->d[VG_DIR_TOCLIENT];
    if (d->st == ST_LINE && d->tx != NULL && d->line.len > 0) {
        /* a status line cut by the close still counts (as the request
         * line in force_request_line) */
        if (parse_status_line(ctx, s, d->tx, d->line.p, line_content_len(&d->line)))
            d->st = ST_HEADERS;
        line_reset(d);
        return;
    }
    if (d->st != ST_RESP09 || d->tx == NULL)
        return;
    vg_http_str_t l = d->line;
    d->line = (vg_http_str_t){0};
    line_reset(d);
    d->st = ST_BODY_EOF;
    body_data(ctx, s, VG_DIR_TOCLIENT, l.p, l.len);
    vg_http_str_free(&l);
}

static void
http_flush(vg_app_ctx_t *ctx, void *state)
{
    http_state_t *s = state;
    if (s == NULL)
        return;
    force_request_line(ctx, s);
    resp09_to_body(ctx, s);
    if (s->d[1].st == ST_BODY_EOF && s->d[1].tx != NULL)
        msg_done(ctx, s, VG_DIR_TOCLIENT);
    if (s->d[0].have_pending && s->d[0].tx != NULL)
        flush_pending(ctx, s, VG_DIR_TOSERVER);
    while (s->head) {
        vg_http_tx_t *t = s->head;
        if (!t->req.headers_done)
            request_headers_done(ctx, s, t);
        tx_maybe_emit(ctx, s, t, VG_DIR_TOCLIENT, true);
    }
}

/* Instances of a per-direction buffer, request first, absent ones skipped. */
static int
pick2(const vg_http_str_t *a, bool has_a, const vg_http_str_t *b, bool has_b, uint32_t index,
      const uint8_t **data, uint32_t *len)
{
    const vg_http_str_t *v[2];
    uint32_t k = 0;
    if (has_a)
        v[k++] = a;
    if (has_b)
        v[k++] = b;
    if (index >= k)
        return VG_DECLINED;
    *data = v[index]->p ? v[index]->p : (const uint8_t *)"";
    *len = v[index]->len;
    return VG_OK;
}

static int
one(const vg_http_str_t *a, bool has, uint32_t index, const uint8_t **data, uint32_t *len)
{
    return pick2(a, has, NULL, false, index, data, len);
}

static int
hdr_buf(const vg_http_msg_t *m, const char *name, uint32_t index, const uint8_t **data,
        uint32_t *len)
{
    const vg_http_header_t *h = vg_http_header_get(m, name);
    return one(h ? &h->value : NULL, h != NULL, index, data, len);
}

static int
file_digest(const vg_http_tx_t *tx, vg_buffer_id_t id, uint32_t index, const uint8_t **data,
            uint32_t *len)
{
    const vg_app_file_t *f[2];
    uint32_t k = 0;
    unsigned want = id == VG_BUF_FILE_MD5    ? VG_FILE_DIGEST_MD5
                    : id == VG_BUF_FILE_SHA1 ? VG_FILE_DIGEST_SHA1
                                             : VG_FILE_DIGEST_SHA256;
    if (tx->resp.file.digests & want)
        f[k++] = &tx->resp.file;
    if (tx->req.file.digests & want)
        f[k++] = &tx->req.file;
    if (index >= k)
        return VG_DECLINED;
    if (id == VG_BUF_FILE_MD5) {
        *data = f[index]->md5;
        *len = 16;
    } else if (id == VG_BUF_FILE_SHA1) {
        *data = f[index]->sha1;
        *len = 20;
    } else {
        *data = f[index]->sha256;
        *len = 32;
    }
    return VG_OK;
}

static int
http_get_buffer(const void *txp, vg_buffer_id_t id, uint32_t index, const uint8_t **data,
                uint32_t *len)
{
    const vg_http_tx_t *tx = txp;
    if (tx == NULL)
        return VG_DECLINED;
    const vg_http_msg_t *rq = &tx->req, *rs = &tx->resp;
    switch (id) {
    case VG_BUF_HTTP_URI:
        return one(&tx->uri_norm, tx->uri_raw.len > 0, index, data, len);
    case VG_BUF_HTTP_URI_RAW:
        return one(&tx->uri_raw, tx->uri_raw.len > 0, index, data, len);
    case VG_BUF_HTTP_METHOD:
        return one(&tx->method, tx->method.len > 0, index, data, len);
    case VG_BUF_HTTP_HOST:
        return one(&tx->host, tx->host_raw.len > 0, index, data, len);
    case VG_BUF_HTTP_HOST_RAW:
        return one(&tx->host_raw, tx->host_raw.len > 0, index, data, len);
    case VG_BUF_HTTP_USER_AGENT:
        return hdr_buf(rq, "user-agent", index, data, len);
    case VG_BUF_HTTP_COOKIE:
        return hdr_buf(rq, "cookie", index, data, len);
    case VG_BUF_HTTP_REFERER:
        return hdr_buf(rq, "referer", index, data, len);
    case VG_BUF_HTTP_HEADER:
        return one(&rq->headers_norm, rq->headers_norm.len > 0, index, data, len);
    case VG_BUF_HTTP_RESPONSE_HEADER:
        return one(&rs->headers_norm, rs->headers_norm.len > 0, index, data, len);
    case VG_BUF_HTTP_HEADER_RAW:
        return pick2(&rq->headers_raw, rq->headers_raw.len > 0, &rs->headers_raw,
                     rs->headers_raw.len > 0, index, data, len);
    case VG_BUF_HTTP_REQUEST_BODY:
        return one(&rq->body, rq->body.len > 0, index, data, len);
    case VG_BUF_HTTP_RESPONSE_BODY:
        return one(&rs->body, rs->body.len > 0, index, data, len);
    case VG_BUF_FILE_DATA:
        return pick2(&rs->body, rs->body.len > 0, &rq->body,
                     rq->body.len > 0 && (rq->file_open || rq->file_logged), index, data, len);
    case VG_BUF_HTTP_STAT_CODE:
        return one(&tx->status_raw, tx->status_raw.len > 0, index, data, len);
    case VG_BUF_HTTP_STAT_MSG:
        return one(&tx->status_msg, tx->has_response_line && tx->status_msg.len > 0, index,
                   data, len);
    case VG_BUF_HTTP_CONTENT_TYPE: {
        const vg_http_header_t *a = vg_http_header_get(rq, "content-type");
        const vg_http_header_t *b = vg_http_header_get(rs, "content-type");
        return pick2(a ? &a->value : NULL, a != NULL, b ? &b->value : NULL, b != NULL, index,
                     data, len);
    }
    case VG_BUF_HTTP_PROTOCOL:
        return pick2(&tx->protocol, tx->protocol.len > 0, &tx->resp_protocol,
                     tx->resp_protocol.len > 0, index, data, len);
    case VG_BUF_HTTP_URL_FULL:
        return one(&tx->url_full, tx->host.len > 0 && tx->url_full.len > 0, index, data, len);
    case VG_BUF_FILE_MD5:
    case VG_BUF_FILE_SHA1:
    case VG_BUF_FILE_SHA256:
        return file_digest(tx, id, index, data, len);
    default:
        return VG_DECLINED;
    }
}

static void
http_counters(void)
{
    if (!ctr_registered)
        http_register_counters();
}

const vg_app_parser_t vg_app_parser_http = {
    .proto = VG_ALPROTO_HTTP,
    .name = "http",
    .tcp = true,
    .udp = false,
    .ports = {80, 8080, 3128, 0},
    .probe = http_probe,
    .state_new = http_state_new,
    .state_free = http_state_free,
    .parse = http_parse,
    .flush = http_flush,
    .get_buffer = http_get_buffer,
    .register_counters = http_counters,
};
