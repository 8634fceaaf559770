/* test_app_tls_eve.c - the EVE "tls" object (output_eve_tls.c): fields and
 * their order for basic / extended / custom configurations, JA3/JA4
 * switches, session_resumed, client certificate, TLS 1.3 without cert. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "app/app_tls.h"
#include "output/output_eve.h"
#include "test_app_tls_fixtures.h"

static vg_limits_t lim;
static vg_counters_t ctrs;
static int n_tx;

static void
rec_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    (void)ctx;
    if (ev->kind == VG_APP_EV_TX)
        n_tx++;
}

static void *
handshake(bool tls13)
{
    static const uint16_t cs[] = {0xc02f, 0x1301};
    static const char *const alpn[] = {"h2", "http/1.1", NULL};
    static const uint16_t sv[] = {0x0304};
    vg_app_ctx_t c = {.limits = &lim, .counters = &ctrs, .emit = rec_emit};
    void *st = vg_app_parser_tls.state_new(&c);
    tb_t hs = {.n = 0}, r = {.n = 0};
    hello_t ch = {.version = 0x0303, .ciphers = cs, .n_ciphers = 2, .sni = "eve.example",
                  .alpn = alpn, .sv = tls13 ? sv : NULL, .n_sv = tls13 ? 1 : 0};
    tb_hello(&hs, &ch, true);
    tb_records(&r, 22, 0x0301, hs.b, hs.n, 16384);
    vg_app_parser_tls.parse(&c, st, 0, r.b, r.n, 0);
    hs.n = 0;
    r.n = 0;
    static const char *const salpn[] = {"h2", NULL};
    hello_t sh = {.version = 0x0303, .ciphers = tls13 ? cs + 1 : cs, .n_ciphers = 1,
                  .alpn = tls13 ? NULL : salpn, .sv_server = tls13 ? 0x0304 : 0};
    tb_hello(&hs, &sh, false);
    size_t dlen = 0;
    uint8_t *der = NULL;
    if (!tls13) {
        der = make_cert(&dlen);
        const uint8_t *ders[1] = {der};
        size_t lens[1] = {dlen};
        tb_certificate(&hs, ders, lens, 1);
    }
    tb_records(&r, 22, 0x0303, hs.b, hs.n, 16384);
    vg_app_parser_tls.parse(&c, st, 1, r.b, r.n, 0);
    free(der);
    vg_app_parser_tls.flush(&c, st);
    return st;
}

/* Serialize the tx with cfg; return the parsed "tls" object (caller decrefs root). */
static json_t *
eve(void *st, const vg_eve_cfg_t *cfg, json_t **root, char *text, size_t tlen)
{
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 20), VG_OK);
    vg_app_event_t ev = {.kind = VG_APP_EV_TX, .proto = VG_ALPROTO_TLS, .tx = st};
    vg_jw_open_object(&jw, NULL);
    vg_eve_tls_tx(&jw, cfg, &ev);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    snprintf(text, tlen, "%s", jw.buf);
    json_error_t err;
    *root = json_loads(jw.buf, 0, &err);
    vg_jw_fini(&jw);
    assert_non_null(*root);
    json_t *t = json_object_get(*root, "tls");
    assert_non_null(t);
    return t;
}

static int
setup(void **state)
{
    (void)state;
    vg_limits_defaults(&lim);
    static bool reg;
    if (!reg) {
        vg_app_parser_tls.register_counters();
        reg = true;
    }
    return 0;
}

static const char *
jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return v ? json_string_value(v) : NULL;
}

static void
test_extended_default(void **state)
{
    (void)state;
    void *st = handshake(false);
    vg_eve_cfg_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.tls = true;
    cfg.tls_extended = true;
    json_t *root;
    char text[8192];
    json_t *t = eve(st, &cfg, &root, text, sizeof(text));
    assert_string_equal(jstr(t, "subject"), "C=US, ST=Test State, O=Vigil Test, CN=test.example");
    assert_string_equal(jstr(t, "issuerdn"), "C=US, ST=Test State, O=Vigil Test, CN=test.example");
    assert_string_equal(jstr(t, "serial"), "00:C7:D4:28:8B");
    assert_string_equal(jstr(t, "sni"), "eve.example");
    assert_string_equal(jstr(t, "version"), "TLS 1.2");
    assert_string_equal(jstr(t, "notbefore"), "2016-08-17T07:37:06");
    assert_string_equal(jstr(t, "notafter"), "2030-01-01T00:00:00");
    assert_int_equal(strlen(jstr(t, "fingerprint")), 59);
    assert_string_equal(json_string_value(json_array_get(json_object_get(t, "subjectaltname"), 0)),
                        "test.example");
    assert_string_equal(json_string_value(json_array_get(json_object_get(t, "client_alpns"), 1)),
                        "http/1.1");
    assert_string_equal(json_string_value(json_array_get(json_object_get(t, "server_alpns"), 0)),
                        "h2");
    /* JA3 only when ja3-fingerprints is on; JA4 by default */
    assert_null(json_object_get(t, "ja3"));
    assert_non_null(jstr(t, "ja4"));
    assert_memory_equal(jstr(t, "ja4"), "t12d0202h2_", 11);
    /* not in extended: certificate, chain, handshake objects, session_resumed */
    assert_null(json_object_get(t, "certificate"));
    assert_null(json_object_get(t, "chain"));
    assert_null(json_object_get(t, "client_handshake"));
    assert_null(json_object_get(t, "session_resumed"));
    /* Suricata's key order */
    const char *order[] = {"\"subject\"", "\"issuerdn\"", "\"subjectaltname\"", "\"serial\"",
                           "\"fingerprint\"", "\"sni\"", "\"version\"", "\"notbefore\"",
                           "\"notafter\"", "\"ja4\"", "\"client_alpns\"", "\"server_alpns\""};
    const char *prev = text;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *p = strstr(text, order[i]);
        assert_non_null(p);
        assert_true(p > prev);
        prev = p;
    }
    json_decref(root);

    /* ja3 on */
    cfg.tls_ja3 = true;
    t = eve(st, &cfg, &root, text, sizeof(text));
    assert_string_equal(jstr(json_object_get(t, "ja3"), "string"), "771,49199-4865,0-16,,");
    assert_string_equal(jstr(json_object_get(t, "ja3s"), "string"), "771,49199,16");
    assert_int_equal(strlen(jstr(json_object_get(t, "ja3"), "hash")), 32);
    json_decref(root);

    /* basic (extended off): subject, issuerdn, subjectaltname only */
    cfg.tls_extended = false;
    t = eve(st, &cfg, &root, text, sizeof(text));
    assert_int_equal(json_object_size(t), 3);
    json_decref(root);
    vg_app_parser_tls.state_free(st);
}

static void
test_custom(void **state)
{
    (void)state;
    void *st = handshake(false);
    vg_eve_cfg_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.tls = true;
    const char *names[] = {"sni", "version", "chain", "certificate", "client_handshake",
                           "server_handshake", "bogus"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        cfg.tls_custom |= vg_eve_tls_custom_field(names[i]);
    assert_int_equal(vg_eve_tls_custom_field("bogus"), 0);
    assert_int_equal(vg_eve_tls_custom_field("NOT_BEFORE"), VG_EVE_TLS_F_NOTBEFORE);
    json_t *root;
    char text[16384];
    json_t *t = eve(st, &cfg, &root, text, sizeof(text));
    assert_null(json_object_get(t, "subject"));
    assert_string_equal(jstr(t, "sni"), "eve.example");
    assert_int_equal(json_array_size(json_object_get(t, "chain")), 1);
    assert_string_equal(jstr(t, "certificate"),
                        json_string_value(json_array_get(json_object_get(t, "chain"), 0)));
    json_t *chs = json_object_get(t, "client_handshake");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(chs, "ciphers"), 0)),
                     0xc02f);
    assert_string_equal(jstr(chs, "version"), "TLS 1.2");
    json_t *shs = json_object_get(t, "server_handshake");
    assert_int_equal(json_integer_value(json_object_get(shs, "cipher")), 0xc02f);
    json_decref(root);
    vg_app_parser_tls.state_free(st);
}

static void
test_tls13_no_cert(void **state)
{
    (void)state;
    n_tx = 0;
    void *st = handshake(true);
    assert_int_equal(n_tx, 1);
    assert_true(vg_tls_tx_loggable(st, true));
    vg_eve_cfg_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.tls = true;
    cfg.tls_extended = true;
    json_t *root;
    char text[8192];
    json_t *t = eve(st, &cfg, &root, text, sizeof(text));
    assert_string_equal(jstr(t, "version"), "TLS 1.3");
    assert_null(json_object_get(t, "subject"));
    assert_null(json_object_get(t, "session_resumed"));
    assert_memory_equal(jstr(t, "ja4"), "t13d", 4);
    json_decref(root);
    /* handshake objects: the client's version includes supported_versions,
     * the server's is the ServerHello legacy version (Suricata) */
    cfg.tls_custom = VG_EVE_TLS_F_CLIENT_HANDSHAKE | VG_EVE_TLS_F_SERVER_HANDSHAKE;
    t = eve(st, &cfg, &root, text, sizeof(text));
    assert_string_equal(jstr(json_object_get(t, "client_handshake"), "version"), "TLS 1.3");
    assert_string_equal(jstr(json_object_get(t, "server_handshake"), "version"), "TLS 1.2");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(t, "server_handshake"),
                                                        "cipher")),
                     0x1301);
    json_decref(root);
    vg_app_parser_tls.state_free(st);
}

static void
test_resumed(void **state)
{
    (void)state;
    /* client offers session id X; server echoes it: resumed, no certificate */
    static const uint8_t sid[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    static const uint16_t cs[] = {0xc02f};
    vg_app_ctx_t c = {.limits = &lim, .counters = &ctrs, .emit = rec_emit};
    void *st = vg_app_parser_tls.state_new(&c);
    tb_t hs = {.n = 0}, r = {.n = 0};
    hello_t ch = {.version = 0x0303, .ciphers = cs, .n_ciphers = 1, .sid = sid, .sid_len = 32};
    tb_hello(&hs, &ch, true);
    tb_records(&r, 22, 0x0301, hs.b, hs.n, 16384);
    vg_app_parser_tls.parse(&c, st, 0, r.b, r.n, 0);
    hs.n = r.n = 0;
    tb_hello(&hs, &ch, false);
    tb_records(&r, 22, 0x0303, hs.b, hs.n, 16384);
    vg_app_parser_tls.parse(&c, st, 1, r.b, r.n, 0);
    vg_app_parser_tls.flush(&c, st);
    assert_true(vg_tls_tx_loggable(st, true));
    assert_false(vg_tls_tx_loggable(st, false));
    vg_eve_cfg_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.tls = true;
    cfg.tls_extended = true;
    json_t *root;
    char text[8192];
    json_t *t = eve(st, &cfg, &root, text, sizeof(text));
    assert_true(json_is_true(json_object_get(t, "session_resumed")));
    json_decref(root);
    cfg.tls_no_session_resumption = true;
    t = eve(st, &cfg, &root, text, sizeof(text));
    assert_null(json_object_get(t, "session_resumed"));
    json_decref(root);
    vg_app_parser_tls.state_free(st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_extended_default, setup),
        cmocka_unit_test_setup(test_custom, setup),
        cmocka_unit_test_setup(test_tls13_no_cert, setup),
        cmocka_unit_test_setup(test_resumed, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
