/* test_app_http.c - HTTP parser framing, transactions, files, anomalies.
 *
 * Every fixture is a list of (direction, bytes) segments. Each is run
 * three ways and must give the same event log: whole segments, one byte
 * per call, and each segment split in two at every offset. The event log
 * is a compact text of what the parser emitted (txs with method, uri,
 * status, body lengths; files; anomalies), compared with the expected text
 * written by hand from the HTTP/1.1 RFCs and libhtp's documented
 * behaviour.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "app/app_http.h"

typedef struct seg {
    int dir;            /* 0 toserver, 1 toclient */
    const char *data;
    size_t len;         /* 0: strlen(data) */
    unsigned flags;     /* VG_APP_EOF / VG_APP_GAP */
} seg_t;

typedef struct rec {
    char log[16384];
    size_t n;
    /* last tx's buffers, captured while the tx is alive */
    char host[256], uri[512], header[2048], resp_body[4096], cookie[256], url_full[512];
    uint32_t resp_body_len;
    int port;
    uint8_t md5[16];
    bool has_md5;
    uint8_t sha256[32];
    bool has_sha256;
} rec_t;

static void logf_(rec_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
logf_(rec_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(r->log + r->n, sizeof(r->log) - r->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        r->n += (size_t)k < sizeof(r->log) - r->n ? (size_t)k : 0;
}

static void
copybuf(const vg_http_tx_t *tx, vg_buffer_id_t id, char *dst, size_t cap)
{
    const uint8_t *d;
    uint32_t l;
    dst[0] = '\0';
    if (vg_app_parser_http.get_buffer(tx, id, 0, &d, &l) == VG_OK) {
        size_t n = l < cap - 1 ? l : cap - 1;
        memcpy(dst, d, n);
        dst[n] = '\0';
    }
}

static void
on_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    rec_t *r = ctx->user;
    const vg_http_tx_t *tx = ev->tx;
    switch (ev->kind) {
    case VG_APP_EV_TX:
        logf_(r, "tx%llu %.*s %.*s %d req=%llu resp=%llu|", (unsigned long long)ev->tx_id,
              (int)tx->method.len, tx->method.p ? (const char *)tx->method.p : "",
              (int)tx->uri_norm.len, tx->uri_norm.p ? (const char *)tx->uri_norm.p : "",
              tx->status, (unsigned long long)tx->req.entity_len,
              (unsigned long long)tx->resp.entity_len);
        copybuf(tx, VG_BUF_HTTP_HOST, r->host, sizeof(r->host));
        copybuf(tx, VG_BUF_HTTP_URI, r->uri, sizeof(r->uri));
        copybuf(tx, VG_BUF_HTTP_HEADER, r->header, sizeof(r->header));
        copybuf(tx, VG_BUF_HTTP_COOKIE, r->cookie, sizeof(r->cookie));
        copybuf(tx, VG_BUF_HTTP_URL_FULL, r->url_full, sizeof(r->url_full));
        copybuf(tx, VG_BUF_HTTP_RESPONSE_BODY, r->resp_body, sizeof(r->resp_body));
        r->resp_body_len = tx->resp.body.len;
        r->port = tx->port;
        {
            const uint8_t *d;
            uint32_t l;
            r->has_md5 = vg_app_parser_http.get_buffer(tx, VG_BUF_FILE_MD5, 0, &d, &l) == VG_OK;
            if (r->has_md5)
                memcpy(r->md5, d, 16);
            r->has_sha256 =
                vg_app_parser_http.get_buffer(tx, VG_BUF_FILE_SHA256, 0, &d, &l) == VG_OK;
            if (r->has_sha256)
                memcpy(r->sha256, d, 32);
        }
        break;
    case VG_APP_EV_FILE: {
        const vg_app_file_t *f = ev->file;
        logf_(r, "file%u tx%llu %.*s %llu %s%s|", f->file_id, (unsigned long long)f->tx_id,
              (int)f->filename_len, f->filename ? f->filename : "", (unsigned long long)f->size,
              f->complete ? "CLOSED" : "TRUNCATED", f->gaps ? " gaps" : "");
        break;
    }
    case VG_APP_EV_ANOMALY:
        logf_(r, "%s|", ev->anomaly);
        break;
    }
}

static vg_limits_t g_limits;

/* mode 0: whole segments; 1: byte by byte; 2: split every segment at `k`. */
static void
run(const seg_t *segs, size_t nseg, int mode, size_t k, rec_t *r)
{
    memset(r, 0, sizeof(*r));
    vg_counters_t *ctrs = calloc(1, sizeof(*ctrs));
    vg_app_ctx_t ctx = {.limits = &g_limits, .counters = ctrs, .emit = on_emit, .user = r};
    void *st = vg_app_parser_http.state_new(&ctx);
    assert_non_null(st);
    for (size_t i = 0; i < nseg; i++) {
        const seg_t *s = &segs[i];
        size_t len = s->len ? s->len : (s->data ? strlen(s->data) : 0);
        const uint8_t *p = (const uint8_t *)s->data;
        if (s->flags & VG_APP_GAP) {
            vg_app_parser_http.parse(&ctx, st, s->dir, NULL, len, s->flags);
            continue;
        }
        if (mode == 0 || len == 0) {
            vg_app_parser_http.parse(&ctx, st, s->dir, p, len, s->flags);
        } else if (mode == 1) {
            for (size_t j = 0; j < len; j++)
                vg_app_parser_http.parse(&ctx, st, s->dir, p + j, 1,
                                         j + 1 == len ? s->flags : 0);
        } else {
            size_t cut = k < len ? k : len;
            if (cut > 0)
                vg_app_parser_http.parse(&ctx, st, s->dir, p, cut, cut == len ? s->flags : 0);
            if (cut < len)
                vg_app_parser_http.parse(&ctx, st, s->dir, p + cut, len - cut, s->flags);
        }
    }
    vg_app_parser_http.flush(&ctx, st);
    vg_app_parser_http.state_free(st);
    free(ctrs);
}

/* Run all modes, check they agree, and compare with `expect`. */
static void
check(const seg_t *segs, size_t nseg, const char *expect)
{
    static rec_t a, b;
    run(segs, nseg, 0, 0, &a);
    assert_string_equal(a.log, expect);
    run(segs, nseg, 1, 0, &b);
    assert_string_equal(b.log, expect);
    size_t maxlen = 0;
    for (size_t i = 0; i < nseg; i++) {
        size_t l = segs[i].len ? segs[i].len : (segs[i].data ? strlen(segs[i].data) : 0);
        maxlen = l > maxlen ? l : maxlen;
    }
    for (size_t k = 1; k < maxlen; k++) {
        run(segs, nseg, 2, k, &b);
        if (strcmp(a.log, b.log) != 0) {
            fprintf(stderr, "split at %zu differs:\n  %s\n  %s\n", k, a.log, b.log);
            fail();
        }
    }
}

#define CHECK(segs, expect) check(segs, sizeof(segs) / sizeof(segs[0]), expect)

static int
setup(void **state)
{
    (void)state;
    vg_limits_defaults(&g_limits);
    vg_app_parser_http.register_counters();
    return 0;
}

/* ---- framing ---- */

static void
t_simple_get(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "GET /index.html HTTP/1.1\r\nHost: www.Example.com:8080\r\nUser-Agent: t\r\n"
            "Cookie: a=b\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/html\r\n\r\nhello"},
    };
    CHECK(s, "file1 tx0 /index.html 5 CLOSED|tx0 GET /index.html 200 req=0 resp=5|");
    static rec_t r;
    run(s, 2, 0, 0, &r);
    assert_string_equal(r.host, "www.example.com");
    assert_int_equal(r.port, 8080);
    assert_string_equal(r.cookie, "a=b");
    /* http.header: normalized, Cookie left out (it has its own buffer) */
    assert_string_equal(r.header, "Host: www.Example.com:8080\r\nUser-Agent: t\r\n");
    assert_string_equal(r.url_full, "http://www.example.com/index.html");
    assert_string_equal(r.resp_body, "hello");
    /* md5("hello") */
    static const uint8_t md5_hello[16] = {0x5d, 0x41, 0x40, 0x2a, 0xbc, 0x4b, 0x2a, 0x76,
                                          0xb9, 0x71, 0x9d, 0x91, 0x10, 0x17, 0xc5, 0x92};
    assert_true(r.has_md5);
    assert_memory_equal(r.md5, md5_hello, 16);
}

/* Hashing switched off (a run where nothing reads file digests): same file
 * record, same size and state, no digest buffer. */
static void
t_file_hashing_off(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
    };
    vg_app_file_set_hashing(false);
    CHECK(s, "file1 tx0 /index.html 5 CLOSED|tx0 GET /index.html 200 req=0 resp=5|");
    static rec_t r;
    run(s, 2, 0, 0, &r);
    vg_app_file_set_hashing(true);
    assert_false(r.has_md5);
    assert_string_equal(r.resp_body, "hello");
}

/* Only SHA-256 configured (a feed of SHA-256 indicators): the file carries
 * exactly that digest, with the right value, and no MD5 buffer. */
static void
t_file_sha256_only(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "GET /index.html HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"},
    };
    vg_app_file_set_digests(VG_FILE_DIGEST_SHA256);
    static rec_t r;
    run(s, 2, 0, 0, &r);
    vg_app_file_set_hashing(true);
    assert_false(r.has_md5);
    assert_true(r.has_sha256);
    /* sha256("hello") */
    static const uint8_t sha256_hello[32] = {
        0x2c, 0xf2, 0x4d, 0xba, 0x5f, 0xb0, 0xa3, 0x0e, 0x26, 0xe8, 0x3b, 0x2a, 0xc5, 0xb9, 0xe2, 0x9e,
        0x1b, 0x16, 0x1e, 0x5c, 0x1f, 0xa7, 0x42, 0x5e, 0x73, 0x04, 0x33, 0x62, 0x93, 0x8b, 0x98, 0x24};
    assert_memory_equal(r.sha256, sha256_hello, 32);
}

static void
t_pipelining(void **state)
{
    (void)state;
    /* two requests before any response; responses matched in order */
    seg_t s[] = {
        {0, "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nA"
            "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nBB"},
    };
    CHECK(s, "file1 tx0 /a 1 CLOSED|tx0 GET /a 200 req=0 resp=1|"
             "file2 tx1 /b 2 CLOSED|tx1 GET /b 404 req=0 resp=2|");
    /* suricata-verify http-async: a stray LF after a response body, before
     * the next request arrives, is not a response of its own */
    seg_t s2[] = {
        {0, "GET /1 HTTP/1.0\r\n\r\n"},
        {1, "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nA\n"},
        {0, "GET /2 HTTP/1.0\r\n\r\n"},
        {1, "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nB"},
    };
    CHECK(s2, "file1 tx0 /1 1 CLOSED|tx0 GET /1 200 req=0 resp=1|"
              "file2 tx1 /2 1 CLOSED|tx1 GET /2 200 req=0 resp=1|");
}

static void
t_chunked(void **state)
{
    (void)state;
    /* chunk extensions and a trailer; response hex sizes in both cases */
    seg_t s[] = {
        {0, "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3;name=val\r\nabc\r\n0\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "a\r\n0123456789\r\nA \r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n"},
    };
    CHECK(s, "REQUEST_CHUNK_EXTENSION|file1 tx0 /up 3 CLOSED|file2 tx0 /up 20 CLOSED|"
             "tx0 POST /up 200 req=3 resp=20|");
}

static void
t_bad_chunk_len(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc", 0, VG_APP_EOF},
    };
    /* the rest of the response becomes body up to close, as libhtp */
    CHECK(s, "INVALID_RESPONSE_CHUNK_LEN|file1 tx0 / 3 CLOSED|tx0 GET / 200 req=0 resp=3|");
    seg_t s2[] = {
        {0, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nabc"},
    };
    CHECK(s2, "INVALID_REQUEST_CHUNK_LEN|tx0 POST / -1 req=0 resp=0|");
}

static void
t_no_body_statuses(void **state)
{
    (void)state;
    /* HEAD, 204 and 304 carry no body even with Content-Length */
    seg_t s[] = {
        {0, "HEAD /h HTTP/1.1\r\nHost: h\r\n\r\nGET /n HTTP/1.1\r\nHost: h\r\n\r\n"
            "GET /m HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
            "HTTP/1.1 204 No Content\r\n\r\n"
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"},
    };
    CHECK(s, "tx0 HEAD /h 200 req=0 resp=0|tx1 GET /n 204 req=0 resp=0|"
             "tx2 GET /m 304 req=0 resp=0|");
}

static void
t_interim_1xx(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "POST /p HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"},
        {1, "HTTP/1.1 100 Continue\r\n\r\n"},
        {0, "ok"},
        {1, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"},
    };
    CHECK(s, "file1 tx0 /p 2 CLOSED|tx0 POST /p 201 req=2 resp=0|");
}

static void
t_eof_body(void **state)
{
    (void)state;
    /* HTTP/1.0 response without length: body ends with the connection */
    seg_t s[] = {
        {0, "GET /x HTTP/1.0\r\n\r\n"},
        {1, "HTTP/1.0 200 OK\r\n\r\nsome data", 0, VG_APP_EOF},
    };
    CHECK(s, "file1 tx0 /x 9 CLOSED|tx0 GET /x 200 req=0 resp=9|");
    /* without EOF, flush at flow end completes it the same way */
    seg_t s2[] = {
        {0, "GET /x HTTP/1.0\r\n\r\n"},
        {1, "HTTP/1.0 200 OK\r\n\r\nsome data"},
    };
    CHECK(s2, "file1 tx0 /x 9 CLOSED|tx0 GET /x 200 req=0 resp=9|");
}

static void
t_incomplete_at_flush(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"},
    };
    CHECK(s, "file1 tx0 /x 3 TRUNCATED|tx0 GET /x 200 req=0 resp=3|");
    /* request without a response is still logged at flow end */
    seg_t s2[] = {{0, "GET /only HTTP/1.1\r\nHost: h\r\n\r\n"}};
    CHECK(s2, "tx0 GET /only -1 req=0 resp=0|");
}

static void
t_connect(void **state)
{
    (void)state;
    /* after CONNECT + 2xx, plain HTTP inside the tunnel starts over at
     * tx_id 0 (suricata-verify http-connect-simple) */
    seg_t s[] = {
        {0, "CONNECT example.com:80 HTTP/1.1\r\nHost: example.com:80\r\n\r\n"},
        {1, "HTTP/1.1 200 Connection established\r\n\r\n"},
        {0, "GET /in HTTP/1.1\r\nHost: example.com\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"},
    };
    CHECK(s, "tx0 CONNECT example.com:80 200 req=0 resp=0|"
             "file1 tx0 /in 2 CLOSED|tx0 GET /in 200 req=0 resp=2|");
    /* suricata-verify http-connect-simple: inner response without length */
    seg_t s4[] = {
        {0, "CONNECT abc:443 HTTP/1.1\r\nUser-Agent: Victor/1.0\r\n\r\n\n"},
        {1, "HTTP/1.1 200 OK\r\nServer: VictorServer/1.0\r\n\r\n\n"},
        {0, "GET / HTTP/1.1\r\nUser-Agent: Victor/1.0\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nServer: VictorServer/1.0\r\n\r\n"},
    };
    CHECK(s4, "tx0 CONNECT abc:443 200 req=0 resp=0|MISSING_HOST_HEADER|"
              "tx0 GET / 200 req=0 resp=0|");
    /* TLS inside: opaque, nothing more */
    seg_t s2[] = {
        {0, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\n\r\n"},
        {0, "\x16\x03\x01\x00\x05hello", 10},
        {1, "\x16\x03\x03\x00\x02hi", 7},
    };
    CHECK(s2, "tx0 CONNECT example.com:443 200 req=0 resp=0|");
    /* refused CONNECT: the connection goes on as HTTP */
    seg_t s3[] = {
        {0, "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"},
        {1, "HTTP/1.1 407 Proxy Auth\r\nContent-Length: 0\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
    };
    CHECK(s3, "tx0 CONNECT a:443 407 req=0 resp=0|tx1 GET / 200 req=0 resp=0|");
}

static void
t_http09(void **state)
{
    (void)state;
    /* simple request: no protocol, no headers; response is raw body */
    seg_t s[] = {
        {0, "GET /old\r\n"},
        {1, "<html>old</html>", 0, VG_APP_EOF},
    };
    CHECK(s, "file1 tx0 /old 16 CLOSED|tx0 GET /old -1 req=0 resp=16|");
    /* short body that is a prefix of "HTTP/" is still body */
    seg_t s2[] = {{0, "GET /\r\n"}, {1, "HT", 0, VG_APP_EOF}};
    CHECK(s2, "file1 tx0 / 2 CLOSED|tx0 GET / -1 req=0 resp=2|");
    /* a broken request line (looks like 0.9) answered with a 1.x status
     * line: parsed as a response (suricata-verify http-request-invalid,
     * where tshark shows the 400) */
    seg_t s3[] = {
        {0, "login=foo&password=bar3\r\n"},
        {1, "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad"},
    };
    CHECK(s3, "REQUEST_LINE_INVALID|file1 tx0  3 CLOSED|"
              "tx0 login=foo&password=bar3  400 req=0 resp=3|");
}

static void
t_unterminated_request_line(void **state)
{
    (void)state;
    /* suricata-verify bug-3844: "GET /" without LF, then a response, then
     * RST: the partial line is the (0.9) request line */
    seg_t s[] = {
        {0, "GET /"},
        {1, "HTTP/1.1 200 OK", 0, VG_APP_EOF},
    };
    CHECK(s, "tx0 GET / 200 req=0 resp=0|");
    seg_t s2[] = {{0, "GET /x HTTP/1.1", 0, VG_APP_EOF}};
    CHECK(s2, "MISSING_HOST_HEADER|tx0 GET /x -1 req=0 resp=0|");
}

static void
t_unmatched_response(void **state)
{
    (void)state;
    seg_t s[] = {{1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}};
    CHECK(s, "UNABLE_TO_MATCH_RESPONSE_TO_REQUEST|tx0   200 req=0 resp=0|");
}

static void
t_duplicate_cl(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
    };
    CHECK(s, "DUPLICATE_CONTENT_LENGTH_FIELD_IN_REQUEST|file1 tx0 / 3 CLOSED|"
             "tx0 POST / 200 req=3 resp=0|");
    seg_t s2[] = {
        {0, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: x1\r\n\r\n"},
    };
    CHECK(s2, "INVALID_CONTENT_LENGTH_FIELD_IN_REQUEST|tx0 POST / -1 req=0 resp=0|");
}

static void
t_headers_fold_repeat(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\nX-Long: a\r\n  b\r\nx-a: two\r\n"
            "NoColon\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
    };
    CHECK(s, "REQUEST_FIELD_MISSING_COLON|tx0 GET / 200 req=0 resp=0|");
    static rec_t r;
    run(s, 2, 0, 0, &r);
    assert_string_equal(r.header, "Host: h\r\nX-A: one, two\r\nX-Long: a  b\r\n: NoColon\r\n");
}

static void
t_missing_host_and_bad_line(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "GET / HTTP/1.1\r\n\r\n G@T / HTTP/1.1\r\nHost: h\r\n\r\n"},
    };
    CHECK(s, "MISSING_HOST_HEADER|REQUEST_LINE_LEADING_WHITESPACE|REQUEST_LINE_INVALID|"
             "tx0 GET / -1 req=0 resp=0|tx1 G@T / -1 req=0 resp=0|");
}

static void
t_status_string(void **state)
{
    (void)state;
    /* suricata-verify http1-noint-status: status "2XX" is kept as a string */
    seg_t s[] = {
        {0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 2XX OK\r\nContent-Length: 0\r\n\r\n"},
    };
    CHECK(s, "RESPONSE_INVALID_STATUS|tx0 GET / -1 req=0 resp=0|");
}

/* ---- limits ---- */

static void
t_line_too_long(void **state)
{
    (void)state;
    vg_limits_t save = g_limits;
    g_limits.http_max_header_line = 64;
    seg_t s[] = {
        {0, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: "
            "0123456789012345678901234567890123456789012345678901234567890123456789\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
    };
    CHECK(s, "REQUEST_FIELD_TOO_LONG|tx0 GET / 200 req=0 resp=0|");
    g_limits.http_max_header_line = save.http_max_header_line;
    g_limits.http_max_headers = 2;
    seg_t s2[] = {
        {0, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"},
    };
    CHECK(s2, "REQUEST_TOO_MANY_HEADERS|tx0 GET / -1 req=0 resp=0|");
    g_limits = save;
}

static void
t_pipeline_limit(void **state)
{
    (void)state;
    vg_limits_t save = g_limits;
    g_limits.http_max_pipelined = 2;
    /* client side only: the oldest unanswered request is logged to make
     * room, parsing goes on */
    seg_t s[] = {{0, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
                     "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n"}};
    CHECK(s, "tx0 GET /1 -1 req=0 resp=0|tx1 GET /2 -1 req=0 resp=0|tx2 GET /3 -1 req=0 resp=0|");
    g_limits = save;
}

static void
t_body_limit(void **state)
{
    (void)state;
    vg_limits_t save = g_limits;
    g_limits.http_response_body_limit = 4;
    seg_t s[] = {
        {0, "GET /f HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"},
    };
    /* inspection buffer stops at the limit, the file does not */
    CHECK(s, "file1 tx0 /f 10 CLOSED|tx0 GET /f 200 req=0 resp=10|");
    static rec_t r;
    run(s, 2, 0, 0, &r);
    assert_int_equal(r.resp_body_len, 4);
    g_limits = save;
}

static void
t_gap_in_body(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "GET /g HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123"},
        {1, NULL, 3, VG_APP_GAP},
        {1, "789"},
        {0, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
    };
    CHECK(s, "file1 tx0 /g 10 TRUNCATED gaps|tx0 GET /g 200 req=0 resp=7|"
             "tx1 GET /next 200 req=0 resp=0|");
}

/* ---- compression ---- */

static size_t
zcompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int window_bits)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t got = cap - z.avail_out;
    deflateEnd(&z);
    return got;
}

/* Response with Content-Encoding `enc` and a body compressed with `wbits`. */
static void
compressed_case(const char *enc, int wbits)
{
    static const char text[] = "The quick brown fox jumps over the lazy dog. "
                               "The quick brown fox jumps over the lazy dog.";
    uint8_t z[512];
    size_t zn = zcompress((const uint8_t *)text, strlen(text), z, sizeof(z), wbits);
    char hdr[256];
    snprintf(hdr, sizeof(hdr),
             "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %zu\r\n\r\n",
             enc, zn);
    seg_t s[] = {
        {0, "GET /z HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, hdr},
        {1, (const char *)z, zn},
    };
    char expect[256];
    snprintf(expect, sizeof(expect), "file1 tx0 /z %zu CLOSED|tx0 GET /z 200 req=0 resp=%zu|",
             strlen(text), strlen(text));
    CHECK(s, expect);
    static rec_t r;
    run(s, 3, 0, 0, &r);
    assert_string_equal(r.resp_body, text);
}

static void
t_gzip(void **state)
{
    (void)state;
    compressed_case("gzip", 15 + 16);
}

static void
t_deflate_zlib_and_raw(void **state)
{
    (void)state;
    compressed_case("deflate", 15);   /* RFC 1950 wrapper */
    compressed_case("deflate", -15);  /* raw, as many servers send */
}

static void
t_gzip_not_compressed(void **state)
{
    (void)state;
    seg_t s[] = {
        {0, "GET /z HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 11\r\n\r\nnot gzipped"},
    };
    /* decoding fails: anomaly, and the bytes are passed through as sent */
    CHECK(s, "GZIP_DECOMPRESSION_FAILED|file1 tx0 /z 11 CLOSED|tx0 GET /z 200 req=0 resp=11|");
}

static void
bomb_case(uint64_t limit, uint64_t ratio, size_t plain)
{
    vg_limits_t save = g_limits;
    g_limits.http_decompress_limit = limit;
    g_limits.http_decompress_ratio = ratio;
    uint8_t *zeros = calloc(1, plain);
    uint8_t *z = malloc(plain / 100 + 1024);
    assert_non_null(zeros);
    assert_non_null(z);
    size_t zn = zcompress(zeros, plain, z, plain / 100 + 1024, 15 + 16);
    char hdr[256];
    snprintf(hdr, sizeof(hdr),
             "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
             zn);
    seg_t s[] = {
        {0, "GET /bomb HTTP/1.1\r\nHost: h\r\n\r\n"},
        {1, hdr},
        {1, (const char *)z, zn},
    };
    static rec_t r;
    run(s, 3, 0, 0, &r);
    /* the bomb is reported and decompression stops at or before the limit */
    assert_non_null(strstr(r.log, "COMPRESSION_BOMB|"));
    assert_non_null(strstr(r.log, "tx0 GET /bomb 200"));
    unsigned long long resp = 0;
    const char *p = strstr(r.log, "resp=");
    assert_non_null(p);
    resp = strtoull(p + 5, NULL, 10);
    assert_true(resp <= limit);
    assert_true(resp < plain);
    run(s, 3, 1, 0, &r); /* byte by byte: same verdict */
    assert_non_null(strstr(r.log, "COMPRESSION_BOMB|"));
    free(zeros);
    free(z);
    g_limits = save;
}

static void
t_bomb_limit(void **state)
{
    (void)state;
    bomb_case(1u << 20, 0, 4u << 20);   /* 4 MiB of zeros, 1 MiB cap */
}

static void
t_bomb_ratio(void **state)
{
    (void)state;
    bomb_case(64u << 20, 100, 4u << 20); /* ratio ~1000 > 100 */
}

/* ---- hostile input ---- */

static void
t_garbage(void **state)
{
    (void)state;
    /* random bytes and NULs both ways must neither crash nor leak */
    uint8_t buf[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
        if (i % 97 == 0)
            buf[i] = '\n';
    }
    seg_t s[] = {
        {0, "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"},
        {0, (const char *)buf, sizeof(buf)},
        {1, (const char *)buf, sizeof(buf)},
    };
    static rec_t r;
    run(s, 3, 0, 0, &r);
    assert_non_null(strstr(r.log, "tx0 GET /"));
    run(s, 3, 1, 0, &r);
    assert_non_null(strstr(r.log, "tx0 GET /"));
}

static void
t_probe(void **state)
{
    (void)state;
    const vg_app_parser_t *p = &vg_app_parser_http;
    assert_int_equal(p->probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16, 0, true), VG_OK);
    assert_int_equal(p->probe((const uint8_t *)"GE", 2, 0, true), VG_AGAIN);
    assert_int_equal(p->probe((const uint8_t *)"\x16\x03\x01", 3, 0, true), VG_DECLINED);
    assert_int_equal(p->probe((const uint8_t *)"HTTP/1.1 200", 12, 1, true), VG_OK);
    assert_int_equal(p->probe((const uint8_t *)"HTT", 3, 1, true), VG_AGAIN);
    assert_int_equal(p->probe((const uint8_t *)"SSH-2.0", 7, 1, true), VG_DECLINED);
    assert_int_equal(p->probe((const uint8_t *)"GET / HTTP/1.1", 14, 0, false), VG_DECLINED);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_simple_get),
        cmocka_unit_test(t_file_hashing_off),
        cmocka_unit_test(t_file_sha256_only),
        cmocka_unit_test(t_pipelining),
        cmocka_unit_test(t_chunked),
        cmocka_unit_test(t_bad_chunk_len),
        cmocka_unit_test(t_no_body_statuses),
        cmocka_unit_test(t_interim_1xx),
        cmocka_unit_test(t_eof_body),
        cmocka_unit_test(t_incomplete_at_flush),
        cmocka_unit_test(t_connect),
        cmocka_unit_test(t_http09),
        cmocka_unit_test(t_unterminated_request_line),
        cmocka_unit_test(t_unmatched_response),
        cmocka_unit_test(t_duplicate_cl),
        cmocka_unit_test(t_headers_fold_repeat),
        cmocka_unit_test(t_missing_host_and_bad_line),
        cmocka_unit_test(t_status_string),
        cmocka_unit_test(t_line_too_long),
        cmocka_unit_test(t_pipeline_limit),
        cmocka_unit_test(t_body_limit),
        cmocka_unit_test(t_gap_in_body),
        cmocka_unit_test(t_gzip),
        cmocka_unit_test(t_deflate_zlib_and_raw),
        cmocka_unit_test(t_gzip_not_compressed),
        cmocka_unit_test(t_bomb_limit),
        cmocka_unit_test(t_bomb_ratio),
        cmocka_unit_test(t_garbage),
        cmocka_unit_test(t_probe),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
