/* test_app_tls.c - TLS parser: hellos, certificates, record/handshake
 * framing at every split point, SSLv2 hello, TLS 1.3, GREASE, malformed
 * fields, limits. Fixtures are built in test_app_tls_fixtures.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app_tls.h"
#include "test_app_tls_fixtures.h"

#include <openssl/evp.h>

/* ---- a recording ctx ---- */

static vg_limits_t lim;
static vg_counters_t ctrs;
static vg_flow_t flow;
static int n_tx;
static bool last_suppress;
static char anomalies[64][48];
static int n_anom;

static void
rec_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    (void)ctx;
    if (ev->kind == VG_APP_EV_TX) {
        n_tx++;
        last_suppress = ev->suppress_log;
    } else if (ev->kind == VG_APP_EV_ANOMALY && n_anom < 64) {
        snprintf(anomalies[n_anom++], sizeof(anomalies[0]), "%s", ev->anomaly);
    }
}

static vg_app_ctx_t
mkctx(void)
{
    vg_app_ctx_t c = {.limits = &lim, .counters = &ctrs, .flow = &flow, .emit = rec_emit};
    return c;
}

static int
setup(void **state)
{
    (void)state;
    vg_limits_defaults(&lim);
    memset(&ctrs, 0, sizeof(ctrs));
    n_tx = 0;
    n_anom = 0;
    last_suppress = false;
    static bool reg;
    if (!reg) {
        vg_app_parser_tls.register_counters();
        reg = true;
    }
    return 0;
}

static bool
has_anomaly(const char *name)
{
    for (int i = 0; i < n_anom; i++)
        if (strcmp(anomalies[i], name) == 0)
            return true;
    return false;
}

static uint64_t
counter(const char *name)
{
    vg_counter_id_t id;
    if (vg_counter_find(name, &id) != VG_OK)
        return 0;
    return ctrs.v[id];
}

/* Feed `n` bytes of one direction in pieces of `step` (0 = all at once). */
static int
feed(void *st, int dir, const uint8_t *p, size_t n, size_t step)
{
    vg_app_ctx_t c = mkctx();
    int rc = VG_OK;
    if (step == 0)
        step = n;
    for (size_t off = 0; off < n; off += step) {
        size_t k = n - off < step ? n - off : step;
        int r = vg_app_parser_tls.parse(&c, st, dir, p + off, k, 0);
        if (r != VG_OK)
            rc = r;
    }
    return rc;
}

/* ---- common flights ---- */

static const uint16_t ch_ciphers[] = {0xc02b, 0xc02f, 0x009e, 0x0033, 0x002f};
static const uint16_t ch_groups[] = {0x001d, 0x0017, 0x0018};
static const uint8_t ch_pf[] = {0};
static const uint16_t ch_sig[] = {0x0403, 0x0804, 0x0401};
static const char *const ch_alpn[] = {"h2", "http/1.1", NULL};

static void
client_flight(tb_t *out, size_t frag)
{
    hello_t h = {.version = 0x0303, .ciphers = ch_ciphers, .n_ciphers = 5, .sni = "www.example.org",
                 .alpn = ch_alpn, .groups = ch_groups, .n_groups = 3, .pf = ch_pf, .n_pf = 1,
                 .sigalgs = ch_sig, .n_sigalgs = 3};
    tb_t hs = {.n = 0};
    tb_hello(&hs, &h, true);
    tb_records(out, 22, 0x0301, hs.b, hs.n, frag);
}

/* ServerHello + Certificate + ServerHelloDone; `frag` splits the handshake
 * bytes into records of that size (so one message may span records and
 * several messages share a record). */
static void
server_flight(tb_t *out, const uint8_t *der, size_t dlen, size_t frag)
{
    static const uint16_t sc[] = {0xc02f};
    static const char *const sa[] = {"h2", NULL};
    hello_t h = {.version = 0x0303, .ciphers = sc, .n_ciphers = 1, .alpn = sa};
    tb_t hs = {.n = 0};
    tb_hello(&hs, &h, false);
    const uint8_t *ders[1] = {der};
    size_t lens[1] = {dlen};
    tb_certificate(&hs, ders, lens, 1);
    tb_u8(&hs, 14); /* ServerHelloDone */
    tb_u24(&hs, 0);
    tb_records(out, 22, 0x0303, hs.b, hs.n, frag);
}

/* ---- tests ---- */

static void
test_client_hello_fields(void **state)
{
    (void)state;
    tb_t r = {.n = 0};
    client_flight(&r, 16384);
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, r.b, r.n, 0), VG_OK);
    const vg_tls_tx_t *tx = st; /* tx is the first member of the state */
    assert_string_equal(tx->client.sni, "www.example.org");
    assert_int_equal(tx->client.n_ciphers, 5);
    assert_int_equal(tx->client.n_alpns, 2);
    assert_string_equal(tx->client.alpns[1], "http/1.1");
    /* JA3: version,ciphers,extensions,groups,point formats (decimal) */
    assert_string_equal(tx->client.ja3_str,
                        "771,49195-49199-158-51-47,0-10-11-13-16,29-23-24,0");
    /* JA4: t 12 d 05 ciphers 05 exts h2 */
    assert_memory_equal(tx->client.ja4, "t12d0505h2_", 11);
    const uint8_t *d;
    uint32_t l;
    assert_int_equal(vg_app_parser_tls.get_buffer(tx, VG_BUF_TLS_SNI, 0, &d, &l), VG_OK);
    assert_int_equal(l, 15);
    assert_memory_equal(d, "www.example.org", 15);
    assert_int_equal(vg_app_parser_tls.get_buffer(tx, VG_BUF_JA3_HASH, 0, &d, &l), VG_OK);
    assert_int_equal(l, 32);
    assert_int_equal(vg_app_parser_tls.get_buffer(tx, VG_BUF_TLS_CERT_SUBJECT, 0, &d, &l),
                     VG_DECLINED);
    assert_int_equal(n_tx, 0);
    vg_app_parser_tls.state_free(st);
}

/* Full TLS 1.2 handshake with a certificate; the fields must be the same
 * whatever the record fragmentation and the stream chunking. */
static void
check_full(size_t frag, size_t step)
{
    size_t dlen;
    uint8_t *der = make_cert(&dlen);
    tb_t cf = {.n = 0}, sf = {.n = 0};
    client_flight(&cf, frag);
    server_flight(&sf, der, dlen, frag);
    n_tx = 0;
    n_anom = 0;
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, cf.b, cf.n, step), VG_OK);
    assert_int_equal(feed(st, 1, sf.b, sf.n, step), VG_OK);
    const vg_tls_tx_t *tx = st;
    assert_int_equal(n_tx, 1);
    assert_false(last_suppress);
    assert_int_equal(n_anom, 0);
    assert_non_null(tx->server.subject);
    assert_string_equal(tx->server.subject, "C=US, ST=Test State, O=Vigil Test, CN=test.example");
    assert_string_equal(tx->server.issuer, "C=US, ST=Test State, O=Vigil Test, CN=test.example");
    assert_string_equal(tx->server.serial, "00:C7:D4:28:8B");
    assert_int_equal(tx->server.not_before, 1471419426);
    assert_int_equal(tx->server.n_sans, 2);
    assert_string_equal(tx->server.sans[1], "www.test.example");
    /* fingerprint: SHA-1 of the DER as "aa:bb:..." */
    uint8_t md[20];
    unsigned int ml;
    EVP_Digest(der, dlen, md, &ml, EVP_sha1(), NULL);
    char fp[60];
    size_t w = 0;
    for (int i = 0; i < 20; i++)
        w += (size_t)snprintf(fp + w, sizeof(fp) - w, i ? ":%02x" : "%02x", md[i]);
    assert_string_equal(tx->server.fingerprint, fp);
    assert_int_equal(tx->server.version, 0x0303);
    assert_string_equal(tx->server.ja3_str, "771,49199,16");
    assert_int_equal(tx->server.n_certs, 1);
    const uint8_t *d;
    uint32_t l;
    assert_int_equal(vg_app_parser_tls.get_buffer(tx, VG_BUF_TLS_CERT_SHA1, 0, &d, &l), VG_OK);
    assert_int_equal(l, 20);
    assert_memory_equal(d, md, 20);
    assert_int_equal(vg_app_parser_tls.get_buffer(tx, VG_BUF_TLS_CERT_SHA1, 1, &d, &l),
                     VG_DECLINED);
    vg_app_parser_tls.state_free(st);
    free(der);
}

static void
test_full_handshake_at_once(void **state)
{
    (void)state;
    check_full(16384, 0);
}

static void
test_byte_at_a_time(void **state)
{
    (void)state;
    check_full(16384, 1);
}

static void
test_message_over_records(void **state)
{
    (void)state;
    /* 100-byte records: the certificate message spans several records,
     * and record boundaries fall inside message headers */
    check_full(100, 0);
    check_full(100, 7);
    check_full(5, 0);
}

static void
test_every_split_point(void **state)
{
    (void)state;
    size_t dlen;
    uint8_t *der = make_cert(&dlen);
    tb_t sf = {.n = 0}, cf = {.n = 0};
    client_flight(&cf, 16384);
    server_flight(&sf, der, dlen, 16384);
    for (size_t cut = 1; cut < sf.n; cut++) {
        n_tx = 0;
        vg_app_ctx_t c = mkctx();
        void *st = vg_app_parser_tls.state_new(&c);
        assert_int_equal(feed(st, 0, cf.b, cf.n, 0), VG_OK);
        assert_int_equal(vg_app_parser_tls.parse(&c, st, 1, sf.b, cut, 0), VG_OK);
        assert_int_equal(vg_app_parser_tls.parse(&c, st, 1, sf.b + cut, sf.n - cut, 0), VG_OK);
        const vg_tls_tx_t *tx = st;
        assert_int_equal(n_tx, 1);
        assert_string_equal(tx->server.serial, "00:C7:D4:28:8B");
        vg_app_parser_tls.state_free(st);
    }
    free(der);
}

static void
test_sslv2_client_hello(void **state)
{
    (void)state;
    /* SSLv2-compatible ClientHello: 2-byte header (top bit set), msg type 1,
     * version 3.1, cipher_spec_len 3, session_id_len 0, challenge_len 16 */
    uint8_t v2[] = {0x80, 0x1c, 0x01, 0x03, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10,
                    0x00, 0x00, 0x2f, /* cipher spec */
                    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    assert_int_equal(sizeof(v2), 2 + 0x1c);
    assert_int_equal(vg_app_parser_tls.probe(v2, sizeof(v2), 0, true), VG_OK);
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, v2, sizeof(v2), 1), VG_OK);
    const vg_tls_tx_t *tx = st;
    assert_true(tx->flags & VG_TLS_F_SSLV2_CLIENT_HS);
    assert_int_equal(tx->client.version, 0x0301);
    /* the server answers in TLS: a later TLS record is parsed normally */
    size_t dlen;
    uint8_t *der = make_cert(&dlen);
    tb_t sf = {.n = 0};
    server_flight(&sf, der, dlen, 16384);
    assert_int_equal(feed(st, 1, sf.b, sf.n, 0), VG_OK);
    assert_int_equal(n_tx, 1);
    assert_non_null(tx->server.subject);
    vg_app_parser_tls.state_free(st);
    free(der);
}

static void
test_tls13(void **state)
{
    (void)state;
    static const uint16_t sv[] = {0x3a3a, 0x0304, 0x0303};
    static const uint16_t cs[] = {0x2a2a, 0x1301, 0x1302};
    hello_t ch = {.version = 0x0303, .ciphers = cs, .n_ciphers = 3, .sni = "tls13.example",
                  .sv = sv, .n_sv = 3};
    tb_t hs = {.n = 0}, cr = {.n = 0}, sr = {.n = 0};
    tb_hello(&hs, &ch, true);
    tb_records(&cr, 22, 0x0301, hs.b, hs.n, 16384);
    hello_t sh = {.version = 0x0303, .ciphers = cs + 1, .n_ciphers = 1, .sv_server = 0x0304};
    hs.n = 0;
    tb_hello(&hs, &sh, false);
    tb_records(&sr, 22, 0x0303, hs.b, hs.n, 16384);
    uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    uint8_t app[] = {23, 3, 3, 0, 4, 0xde, 0xad, 0xbe, 0xef};
    tb_bytes(&sr, ccs, sizeof(ccs));
    tb_bytes(&sr, app, sizeof(app));
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, cr.b, cr.n, 0), VG_OK);
    assert_int_equal(feed(st, 1, sr.b, sr.n, 0), VG_OK);
    assert_int_equal(n_tx, 0); /* the client has not finished its handshake yet */
    assert_int_equal(feed(st, 0, ccs, sizeof(ccs), 0), VG_OK);
    assert_int_equal(feed(st, 0, app, sizeof(app), 0), VG_OK);
    assert_int_equal(n_tx, 1);
    assert_false(last_suppress); /* TLS 1.3 is logged without certificate */
    const vg_tls_tx_t *tx = st;
    char vb[32];
    assert_string_equal(vg_tls_version_name(tx->server.version, vb, sizeof(vb)), "TLS 1.3");
    assert_null(tx->server.subject);
    /* GREASE removed from JA3, highest supported version in JA4 */
    assert_string_equal(tx->client.ja3_str, "771,4865-4866,0-43,,");
    assert_memory_equal(tx->client.ja4, "t13d0202", 8);
    assert_int_equal(n_anom, 0);
    vg_app_parser_tls.state_free(st);
}

static void
test_no_cert_not_loggable(void **state)
{
    (void)state;
    tb_t cf = {.n = 0};
    client_flight(&cf, 16384);
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, cf.b, cf.n, 0), VG_OK);
    vg_app_parser_tls.flush(&c, st);
    assert_int_equal(n_tx, 1);
    assert_true(last_suppress); /* Suricata writes no tls record without cert */
    vg_app_parser_tls.flush(&c, st);
    assert_int_equal(n_tx, 1); /* once */
    vg_app_parser_tls.state_free(st);
}

static void
test_bad_sni_and_lengths(void **state)
{
    (void)state;
    /* SNI with length 0 */
    tb_t hs = {.n = 0}, r = {.n = 0};
    hello_t h = {.version = 0x0303, .ciphers = ch_ciphers, .n_ciphers = 2, .sni = ""};
    tb_hello(&hs, &h, true);
    tb_records(&r, 22, 0x0301, hs.b, hs.n, 16384);
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, r.b, r.n, 0), VG_OK);
    assert_true(has_anomaly("INVALID_SNI_LENGTH"));
    vg_app_parser_tls.state_free(st);

    /* extension block longer than the message */
    n_anom = 0;
    hs.n = 0;
    r.n = 0;
    hello_t h2 = {.version = 0x0303, .ciphers = ch_ciphers, .n_ciphers = 2, .sni = "a.b"};
    tb_hello(&hs, &h2, true);
    size_t ext_len_at = 4 + 2 + 32 + 1 + 2 + 4 + 2;
    hs.b[ext_len_at] = 0x7f; /* extensions length now overruns */
    tb_records(&r, 22, 0x0301, hs.b, hs.n, 16384);
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, r.b, r.n, 0), VG_OK);
    assert_true(has_anomaly("HANDSHAKE_INVALID_LENGTH"));
    vg_app_parser_tls.state_free(st);

    /* truncated hello: message length says more than the random */
    n_anom = 0;
    uint8_t trunc[] = {22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0xaa, 0xbb};
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, trunc, sizeof(trunc), 0), VG_OK);
    assert_true(has_anomaly("HANDSHAKE_INVALID_LENGTH"));
    vg_app_parser_tls.state_free(st);
}

static void
test_multiple_sni(void **state)
{
    (void)state;
    /* hand-built extension block with two SNI extensions */
    tb_t hs = {.n = 0}, r = {.n = 0};
    tb_u8(&hs, 1);
    size_t hl = hs.n;
    tb_u24(&hs, 0);
    tb_u16(&hs, 0x0303);
    for (int i = 0; i < 32; i++)
        tb_u8(&hs, 0);
    tb_u8(&hs, 0);
    tb_u16(&hs, 2);
    tb_u16(&hs, 0x002f);
    tb_u8(&hs, 1);
    tb_u8(&hs, 0);
    size_t el = hs.n;
    tb_u16(&hs, 0);
    for (int k = 0; k < 2; k++) {
        const char *n = k ? "second.example" : "first.example";
        tb_u16(&hs, 0);
        tb_u16(&hs, (uint16_t)(strlen(n) + 5));
        tb_u16(&hs, (uint16_t)(strlen(n) + 3));
        tb_u8(&hs, 0);
        tb_u16(&hs, (uint16_t)strlen(n));
        tb_bytes(&hs, n, strlen(n));
    }
    tb_patch(&hs, el, 2);
    tb_patch(&hs, hl, 3);
    tb_records(&r, 22, 0x0301, hs.b, hs.n, 16384);
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, r.b, r.n, 0), VG_OK);
    assert_true(has_anomaly("MULTIPLE_SNI_EXTENSIONS"));
    const vg_tls_tx_t *tx = st;
    assert_string_equal(tx->client.sni, "first.example");
    vg_app_parser_tls.state_free(st);
}

static void
test_limits(void **state)
{
    (void)state;
    /* too many ciphers: kept up to the limit, counted */
    lim.tls_max_ciphers = 3;
    tb_t cf = {.n = 0};
    client_flight(&cf, 16384);
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, cf.b, cf.n, 0), VG_OK);
    const vg_tls_tx_t *tx = st;
    assert_int_equal(tx->client.n_ciphers, 3);
    assert_int_equal(counter("app_layer.tls.limit.max_ciphers"), 1);
    vg_app_parser_tls.state_free(st);

    /* too many extensions */
    lim.tls_max_extensions = 2;
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, cf.b, cf.n, 0), VG_OK);
    tx = st;
    assert_int_equal(tx->client.n_exts, 2);
    assert_true(counter("app_layer.tls.limit.max_extensions") >= 1);
    vg_app_parser_tls.state_free(st);

    /* handshake message over tls_max_handshake: skipped and counted */
    vg_limits_defaults(&lim);
    lim.tls_max_handshake = 64;
    size_t dlen;
    uint8_t *der = make_cert(&dlen);
    tb_t sf = {.n = 0};
    server_flight(&sf, der, dlen, 16384);
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 1, sf.b, sf.n, 0), VG_OK);
    tx = st;
    assert_null(tx->server.subject);
    assert_true(counter("app_layer.tls.limit.max_handshake") >= 1);
    vg_app_parser_tls.state_free(st);
    free(der);

    /* subjectAltName entries over tls_max_sans: kept up to the limit, counted */
    vg_limits_defaults(&lim);
    lim.tls_max_sans = 1;
    der = make_cert(&dlen);
    sf.n = 0;
    server_flight(&sf, der, dlen, 16384);
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 1, sf.b, sf.n, 0), VG_OK);
    tx = st;
    assert_int_equal(tx->server.n_sans, 1);
    assert_string_equal(tx->server.sans[0], "test.example");
    assert_int_equal(counter("app_layer.tls.limit.max_subjectaltnames"), 1);
    vg_app_parser_tls.state_free(st);
    free(der);

    /* record over tls_max_record: fatal, counted */
    vg_limits_defaults(&lim);
    lim.tls_max_record = 100;
    n_anom = 0;
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, cf.b, cf.n, 0), VG_EINVAL);
    assert_true(has_anomaly("INVALID_RECORD_LENGTH"));
    assert_int_equal(counter("app_layer.tls.limit.max_record"), 1);
    vg_app_parser_tls.state_free(st);
    vg_limits_defaults(&lim);
}

/* The parsed-leaf cache (app_tls_x509.c): the same DER a second time gives
 * exactly the fields of the first parse; the SAN cap is part of the key;
 * a different certificate is not served from another's entry. */
static void
side_equal(const vg_tls_side_t *a, const vg_tls_side_t *b)
{
    assert_int_equal(a->subject_len, b->subject_len);
    assert_memory_equal(a->subject, b->subject, a->subject_len);
    assert_int_equal(a->issuer_len, b->issuer_len);
    assert_memory_equal(a->issuer, b->issuer, a->issuer_len);
    assert_string_equal(a->serial, b->serial);
    assert_string_equal(a->fingerprint, b->fingerprint);
    assert_true(a->not_before == b->not_before && a->not_after == b->not_after);
    assert_int_equal(a->n_sans, b->n_sans);
    for (uint32_t i = 0; i < a->n_sans; i++) {
        assert_int_equal(a->san_lens[i], b->san_lens[i]);
        assert_memory_equal(a->sans[i], b->sans[i], a->san_lens[i]);
    }
}

static void
test_x509_cache(void **state)
{
    (void)state;
    size_t dlen, dlen2;
    uint8_t *der = make_cert(&dlen);
    uint8_t *der2 = make_cert(&dlen2); /* fresh key: different DER */
    vg_tls_side_t a, b, c;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memset(&c, 0, sizeof(c));
    bool capped = true;
    assert_int_equal(vg_tls_x509_leaf(&a, der, (uint32_t)dlen, 16, &capped), VG_OK);
    assert_false(capped);
    assert_int_equal(a.n_sans, 2);
    assert_int_equal(vg_tls_x509_leaf(&b, der, (uint32_t)dlen, 16, &capped), VG_OK);
    assert_false(capped);
    side_equal(&a, &b);
    /* parsing into a side that already holds fields replaces them */
    assert_int_equal(vg_tls_x509_leaf(&b, der, (uint32_t)dlen, 16, &capped), VG_OK);
    side_equal(&a, &b);
    /* another SAN cap: not the cached entry's result */
    assert_int_equal(vg_tls_x509_leaf(&c, der, (uint32_t)dlen, 1, &capped), VG_OK);
    assert_true(capped);
    assert_int_equal(c.n_sans, 1);
    assert_int_equal(vg_tls_x509_leaf(&c, der, (uint32_t)dlen, 1, &capped), VG_OK);
    assert_true(capped);
    assert_int_equal(c.n_sans, 1);
    /* a different certificate gets its own fields */
    assert_int_equal(vg_tls_x509_leaf(&c, der2, (uint32_t)dlen2, 16, &capped), VG_OK);
    assert_int_equal(c.n_sans, 2);
    assert_string_not_equal(c.fingerprint, a.fingerprint);
    assert_int_equal(vg_tls_x509_leaf(&c, der, (uint32_t)dlen, 16, &capped), VG_OK);
    side_equal(&a, &c);
    /* a truncated DER is still refused (not served from the cache) */
    assert_int_equal(vg_tls_x509_leaf(&c, der, (uint32_t)dlen - 1, 16, &capped), VG_EINVAL);
    vg_tls_side_fini(&a);
    vg_tls_side_fini(&b);
    vg_tls_side_fini(&c);
    free(der);
    free(der2);
}

static void
test_bad_records(void **state)
{
    (void)state;
    vg_app_ctx_t c = mkctx();
    /* unknown content type on a TLS 1.2 record: fatal */
    uint8_t bad[] = {0x19, 3, 3, 0, 2, 0, 0};
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, bad, sizeof(bad), 0), VG_EINVAL);
    assert_true(has_anomaly("INVALID_RECORD_TYPE"));
    /* once dead, later data is ignored without more events */
    int before = n_anom;
    assert_int_equal(feed(st, 0, bad, sizeof(bad), 0), VG_OK);
    assert_int_equal(n_anom, before);
    vg_app_parser_tls.state_free(st);

    /* bad record version */
    n_anom = 0;
    uint8_t badv[] = {22, 9, 9, 0, 4, 1, 0, 0, 0};
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, badv, sizeof(badv), 0), VG_EINVAL);
    assert_true(has_anomaly("INVALID_RECORD_VERSION"));
    vg_app_parser_tls.state_free(st);

    /* unknown handshake type */
    n_anom = 0;
    uint8_t badhs[] = {22, 3, 3, 0, 4, 99, 0, 0, 0};
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, badhs, sizeof(badhs), 0), VG_OK);
    assert_true(has_anomaly("INVALID_HANDSHAKE_MESSAGE"));
    vg_app_parser_tls.state_free(st);

    /* fatal alert finishes the tx */
    n_anom = 0;
    n_tx = 0;
    tb_t cf = {.n = 0};
    client_flight(&cf, 16384);
    uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, cf.b, cf.n, 0), VG_OK);
    assert_int_equal(feed(st, 1, alert, sizeof(alert), 1), VG_OK);
    assert_int_equal(n_tx, 1);
    vg_app_parser_tls.state_free(st);

    /* heartbeat whose payload length overruns the record (CVE-2014-0160) */
    n_anom = 0;
    uint8_t hb[] = {24, 3, 2, 0, 3, 1, 0x40, 0x00};
    st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, hb, sizeof(hb), 0), VG_EINVAL);
    assert_true(has_anomaly("OVERFLOW_HEARTBEAT_MESSAGE"));
    vg_app_parser_tls.state_free(st);

    /* garbage must never crash; a gap kills the direction */
    uint8_t junk[300];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    st = vg_app_parser_tls.state_new(&c);
    (void)feed(st, 0, junk, sizeof(junk), 3);
    assert_int_equal(vg_app_parser_tls.parse(&c, st, 1, NULL, 100, VG_APP_GAP), VG_OK);
    vg_app_parser_tls.flush(&c, st);
    vg_app_parser_tls.state_free(st);
}

static void
test_probe_and_versions(void **state)
{
    (void)state;
    uint8_t ch[] = {22, 3, 1, 0, 10};
    assert_int_equal(vg_app_parser_tls.probe(ch, sizeof(ch), 0, true), VG_OK);
    assert_int_equal(vg_app_parser_tls.probe(ch, 2, 0, true), VG_AGAIN);
    assert_int_equal(vg_app_parser_tls.probe((const uint8_t *)"GET / HTTP/1.1", 14, 0, true),
                     VG_DECLINED);
    assert_int_equal(vg_app_parser_tls.probe(ch, sizeof(ch), 0, false), VG_DECLINED);
    char b[32];
    assert_string_equal(vg_tls_version_name(0x0301, b, sizeof(b)), "TLSv1");
    assert_string_equal(vg_tls_version_name(0x0302, b, sizeof(b)), "TLS 1.1");
    assert_string_equal(vg_tls_version_name(0x0300, b, sizeof(b)), "SSLv3");
    assert_string_equal(vg_tls_version_name(0x7f13, b, sizeof(b)), "TLS 1.3 draft-19");
    assert_string_equal(vg_tls_version_name(0x7f1c, b, sizeof(b)), "TLS 1.3 draft-28");
    assert_string_equal(vg_tls_version_name(0, b, sizeof(b)), "UNDETERMINED");
    assert_string_equal(vg_tls_version_name(0x1234, b, sizeof(b)), "4660");
    assert_true(vg_tls_is_grease(0x0a0a));
    assert_true(vg_tls_is_grease(0xfafa));
    assert_false(vg_tls_is_grease(0x0a1a));
    assert_false(vg_tls_is_grease(0x1301));
}

static void
test_client_certificate(void **state)
{
    (void)state;
    /* server: ServerHello, Certificate, CertificateRequest, ServerHelloDone;
     * the tx completes only once the client's certificate is parsed */
    size_t dlen;
    uint8_t *der = make_cert(&dlen);
    static const uint16_t sc[] = {0xc02f};
    hello_t sh = {.version = 0x0303, .ciphers = sc, .n_ciphers = 1};
    tb_t hs = {.n = 0}, sr = {.n = 0}, cr = {.n = 0}, cf = {.n = 0};
    tb_hello(&hs, &sh, false);
    const uint8_t *ders[1] = {der};
    size_t lens[1] = {dlen};
    tb_certificate(&hs, ders, lens, 1);
    tb_u8(&hs, 13); /* CertificateRequest: types(1) sigalgs(2) CAs(2), all empty */
    tb_u24(&hs, 5);
    tb_u8(&hs, 0);
    tb_u16(&hs, 0);
    tb_u16(&hs, 0);
    tb_u8(&hs, 14);
    tb_u24(&hs, 0);
    tb_records(&sr, 22, 0x0303, hs.b, hs.n, 16384);
    hs.n = 0;
    tb_certificate(&hs, ders, lens, 1);
    tb_records(&cr, 22, 0x0303, hs.b, hs.n, 16384);
    client_flight(&cf, 16384);
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 0, cf.b, cf.n, 0), VG_OK);
    assert_int_equal(feed(st, 1, sr.b, sr.n, 0), VG_OK);
    const vg_tls_tx_t *tx = st;
    assert_true(tx->flags & VG_TLS_F_NEED_CLIENT_CERT);
    assert_int_equal(n_tx, 0); /* waits for the client certificate */
    assert_int_equal(feed(st, 0, cr.b, cr.n, 3), VG_OK);
    assert_int_equal(n_tx, 1);
    assert_string_equal(tx->client.serial, "00:C7:D4:28:8B");
    assert_int_equal(tx->client.n_certs, 1);
    assert_int_equal(n_anom, 0);
    vg_app_parser_tls.state_free(st);
    free(der);
}

static void
test_tls13_draft_server_hello(void **state)
{
    (void)state;
    /* draft-19 ServerHello: version 0x7f13, random, cipher, extensions;
     * no session id and no compression method (removed in drafts 1-21) */
    tb_t hs = {.n = 0}, r = {.n = 0};
    tb_u8(&hs, 2);
    size_t hl = hs.n;
    tb_u24(&hs, 0);
    tb_u16(&hs, 0x7f13);
    for (int i = 0; i < 32; i++)
        tb_u8(&hs, 0x33);
    tb_u16(&hs, 0x1302);
    tb_u16(&hs, 6);    /* extensions: key_share (40) with 2 bytes */
    tb_u16(&hs, 40);
    tb_u16(&hs, 2);
    tb_u16(&hs, 0x001d);
    tb_patch(&hs, hl, 3);
    tb_records(&r, 22, 0x0301, hs.b, hs.n, 16384);
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    assert_int_equal(feed(st, 1, r.b, r.n, 0), VG_OK);
    const vg_tls_tx_t *tx = st;
    char vb[32];
    assert_string_equal(vg_tls_version_name(tx->server.version, vb, sizeof(vb)),
                        "TLS 1.3 draft-19");
    assert_true(tx->flags & VG_TLS_F_LOG_WITHOUT_CERT);
    assert_int_equal(tx->server.n_ciphers, 1);
    assert_int_equal(tx->server.ciphers[0], 0x1302);
    assert_int_equal(tx->server.n_exts, 1);
    assert_int_equal(n_anom, 0);
    vg_app_parser_tls.state_free(st);
}

static void
test_from_proto(void **state)
{
    (void)state;
    /* TLS detected after an HTTP CONNECT: the dispatcher sets alproto_orig */
    flow.alproto_orig = VG_ALPROTO_HTTP;
    vg_app_ctx_t c = mkctx();
    void *st = vg_app_parser_tls.state_new(&c);
    const vg_tls_tx_t *tx = st;
    assert_non_null(tx->from_proto);
    assert_string_equal(tx->from_proto, "http");
    vg_app_parser_tls.state_free(st);
    flow.alproto_orig = VG_ALPROTO_UNKNOWN;
    st = vg_app_parser_tls.state_new(&c);
    tx = st;
    assert_null(tx->from_proto);
    vg_app_parser_tls.state_free(st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_client_hello_fields, setup),
        cmocka_unit_test_setup(test_full_handshake_at_once, setup),
        cmocka_unit_test_setup(test_byte_at_a_time, setup),
        cmocka_unit_test_setup(test_message_over_records, setup),
        cmocka_unit_test_setup(test_every_split_point, setup),
        cmocka_unit_test_setup(test_sslv2_client_hello, setup),
        cmocka_unit_test_setup(test_tls13, setup),
        cmocka_unit_test_setup(test_no_cert_not_loggable, setup),
        cmocka_unit_test_setup(test_bad_sni_and_lengths, setup),
        cmocka_unit_test_setup(test_multiple_sni, setup),
        cmocka_unit_test_setup(test_limits, setup),
        cmocka_unit_test_setup(test_x509_cache, setup),
        cmocka_unit_test_setup(test_bad_records, setup),
        cmocka_unit_test_setup(test_probe_and_versions, setup),
        cmocka_unit_test_setup(test_client_certificate, setup),
        cmocka_unit_test_setup(test_tls13_draft_server_hello, setup),
        cmocka_unit_test_setup(test_from_proto, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
