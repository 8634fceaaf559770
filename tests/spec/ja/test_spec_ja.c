/* test_spec_ja.c - JA3 / JA4 published vectors, run through the TLS parser
 * (a ClientHello is built from the vector's fields, parsed, and the
 * fingerprint compared with the published string and hash).
 *
 * Sources:
 *  [SF]  salesforce/ja3 README.md, "How it works":
 *        769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0
 *          --> ada70206e40642a3e4461f35503241d5
 *        769,4-5-10-9-100-98-3-6-19-18-99,,, --> de350869b8c85de67a350c8d186f11e6
 *  [SV19] OISF/suricata-verify tests/tls/tls13-draft19/test.yaml (tls.ja3.hash/string)
 *  [SV28] OISF/suricata-verify tests/tls/tls13-draft28/test.yaml (tls.ja3.hash/string)
 *  [FOX] FoxIO-LLC/ja4 technical_details/JA4.md: the "Example" ClientHello
 *        (ciphers/extensions/signature algorithms in original order) gives
 *        t13d1516h2_8daaf6152771_e5627efa2ab1; without signature algorithms
 *        the c part is 6d807ffa2a79; the ALPN rules ("0xAB" -> "ab",
 *        "0xAB 0xCD" -> "ad", "0x30 0xAB" -> "3b", "0x30 0x31 0xAB 0xCD" -> "3d",
 *        "0x30 0xAB 0xCD 0x31" -> "01"); no ciphers -> 000000000000.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app_tls.h"

static vg_limits_t lim;
static vg_counters_t ctrs;

static void
nop_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    (void)ctx;
    (void)ev;
}

/* ClientHello builder (record + handshake). */
typedef struct hb {
    uint8_t b[8192];
    size_t n;
} hb_t;

static void u8(hb_t *h, unsigned v) { h->b[h->n++] = (uint8_t)v; }
static void u16(hb_t *h, unsigned v) { u8(h, v >> 8); u8(h, v & 0xff); }
static void
patch(hb_t *h, size_t at, int w)
{
    size_t len = h->n - at - (size_t)w;
    for (int i = w - 1; i >= 0; i--) {
        h->b[at + (size_t)i] = (uint8_t)len;
        len >>= 8;
    }
}

typedef struct chspec {
    unsigned version;
    const unsigned *ciphers;
    size_t nc;
    const unsigned *exts; /* in order; bodies below are used for 0, 10, 11, 13, 16, 43 */
    size_t ne;
    const unsigned *groups;
    size_t ng;
    const unsigned *pf;
    size_t npf;
    const unsigned *sig;
    size_t ns;
    const uint8_t *alpn;  /* first ALPN protocol */
    size_t alpn_len;
    const unsigned *sv;
    size_t nsv;
} chspec_t;

static void
build_ch(const chspec_t *s, hb_t *h)
{
    h->n = 0;
    u8(h, 22);
    u16(h, 0x0301);
    size_t rl = h->n;
    u16(h, 0);
    u8(h, 1);
    size_t ml = h->n;
    u8(h, 0);
    u16(h, 0);
    u16(h, s->version);
    for (int i = 0; i < 32; i++)
        u8(h, i);
    u8(h, 0);
    u16(h, (unsigned)(s->nc * 2));
    for (size_t i = 0; i < s->nc; i++)
        u16(h, s->ciphers[i]);
    u8(h, 1);
    u8(h, 0);
    if (s->ne > 0) {
        size_t el = h->n;
        u16(h, 0);
        for (size_t i = 0; i < s->ne; i++) {
            unsigned t = s->exts[i];
            u16(h, t);
            size_t l = h->n;
            u16(h, 0);
            if (t == 0) {
                u16(h, 14);
                u8(h, 0);
                u16(h, 11);
                memcpy(h->b + h->n, "example.com", 11);
                h->n += 11;
            } else if (t == 10 && s->groups) {
                u16(h, (unsigned)(s->ng * 2));
                for (size_t k = 0; k < s->ng; k++)
                    u16(h, s->groups[k]);
            } else if (t == 11 && s->pf) {
                u8(h, (unsigned)s->npf);
                for (size_t k = 0; k < s->npf; k++)
                    u8(h, s->pf[k]);
            } else if (t == 13 && s->sig) {
                u16(h, (unsigned)(s->ns * 2));
                for (size_t k = 0; k < s->ns; k++)
                    u16(h, s->sig[k]);
            } else if (t == 16 && s->alpn) {
                u16(h, (unsigned)(s->alpn_len + 1));
                u8(h, (unsigned)s->alpn_len);
                memcpy(h->b + h->n, s->alpn, s->alpn_len);
                h->n += s->alpn_len;
            } else if (t == 43 && s->sv) {
                u8(h, (unsigned)(s->nsv * 2));
                for (size_t k = 0; k < s->nsv; k++)
                    u16(h, s->sv[k]);
            }
            patch(h, l, 2);
        }
        patch(h, el, 2);
    }
    patch(h, ml, 3);
    patch(h, rl, 2);
}

/* Parse a built ClientHello; return the client side (valid until free). */
static void *
parse_ch(const chspec_t *s, const vg_tls_side_t **side)
{
    hb_t h;
    build_ch(s, &h);
    vg_app_ctx_t c = {.limits = &lim, .counters = &ctrs, .emit = nop_emit};
    void *st = vg_app_parser_tls.state_new(&c);
    assert_non_null(st);
    assert_int_equal(vg_app_parser_tls.parse(&c, st, 0, h.b, h.n, 0), VG_OK);
    *side = &((const vg_tls_tx_t *)st)->client;
    return st;
}

/* Split "a-b-c" into numbers. */
static size_t
parse_list(const char *s, size_t n, unsigned *out, size_t cap)
{
    size_t k = 0;
    const char *e = s + n;
    while (s < e && k < cap) {
        out[k++] = (unsigned)strtoul(s, (char **)&s, 10);
        if (s < e && *s == '-')
            s++;
    }
    return k;
}

/* Build a ClientHello from a JA3 string and check string and hash. */
static void
check_ja3(const char *ja3, const char *md5)
{
    static unsigned v[5][256];
    size_t nv[5] = {0};
    const char *p = ja3;
    for (int f = 0; f < 5; f++) {
        const char *q = strchr(p, ',');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        nv[f] = parse_list(p, n, v[f], 256);
        p = q ? q + 1 : p + n;
    }
    chspec_t s = {.version = v[0][0], .ciphers = v[1], .nc = nv[1], .exts = v[2], .ne = nv[2],
                  .groups = v[3], .ng = nv[3], .pf = v[4], .npf = nv[4]};
    const vg_tls_side_t *side;
    void *st = parse_ch(&s, &side);
    assert_non_null(side->ja3_str);
    assert_string_equal(side->ja3_str, ja3);
    assert_string_equal(side->ja3_hash, md5);
    vg_app_parser_tls.state_free(st);
}

static void
test_ja3_salesforce_readme(void **state)
{
    (void)state;
    check_ja3("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0",
              "ada70206e40642a3e4461f35503241d5");
    check_ja3("769,4-5-10-9-100-98-3-6-19-18-99,,,", "de350869b8c85de67a350c8d186f11e6");
}

static void
test_ja3_suricata_verify(void **state)
{
    (void)state;
    /* [SV19] */
    check_ja3("771,4866-255,0-11-10-35-13-22-23-43-45-40,29-23-25-24,0-1-2",
              "0e870cb29dd59424064948532781a7f6");
    check_ja3("771,4866-255,0-11-10-35-13-22-23-43-45-40-42-41,29-23-25-24,0-1-2",
              "30e5035b2d6787e7b319f75c36c438fe");
    check_ja3("771,49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-"
              "49191-103-49162-49172-57-49161-49171-51-157-156-4866-4867-4865-61-60-53-47-255,"
              "0-11-10-35-13-22-23-43-45-40-42-41,29-23-25-24,0-1-2",
              "e6ae7b5efb58894bd43d6fa73420d267");
    /* [SV28] */
    check_ja3("771,4866-4867-4865-4868-49196-52393-49325-49162-49195-49324-49161-49200-52392-"
              "49172-49199-49171-157-49309-53-156-49308-47-159-52394-49311-57-158-49310-51,"
              "5-10-11-13-22-23-35-51-43-65281-0-45-41,23,0",
              "d00857e0c8e7a7f35e446508c6233460");
    check_ja3("771,4866-4867-4865-4868-49196-52393-49325-49162-49195-49324-49161-49200-52392-"
              "49172-49199-49171-157-49309-53-156-49308-47-159-52394-49311-57-158-49310-51,"
              "5-10-11-13-22-23-35-51-43-65281-0-45,23,0",
              "43202faa1c8c1760d6f7f4bd9adde4ab");
}

static void
test_ja3_grease_removed(void **state)
{
    (void)state;
    /* GREASE in ciphers, extensions and groups does not change JA3 */
    static const unsigned c[] = {0x1a1a, 47, 53};
    static const unsigned e[] = {0x2a2a, 0, 10, 11};
    static const unsigned g[] = {0x3a3a, 23, 24, 25};
    static const unsigned pf[] = {0};
    chspec_t s = {.version = 769, .ciphers = c, .nc = 3, .exts = e, .ne = 4, .groups = g,
                  .ng = 4, .pf = pf, .npf = 1};
    const vg_tls_side_t *side;
    void *st = parse_ch(&s, &side);
    assert_string_equal(side->ja3_str, "769,47-53,0-10-11,23-24-25,0");
    vg_app_parser_tls.state_free(st);
}

/* [FOX] the JA4.md example ClientHello, fields in original order */
static const unsigned fox_c[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
static const unsigned fox_e[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                                 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
static const unsigned fox_s[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
static const unsigned fox_sv[] = {0x0304, 0x0303};

static void
test_ja4_foxio_example(void **state)
{
    (void)state;
    chspec_t s = {.version = 0x0303, .ciphers = fox_c, .nc = 15, .exts = fox_e, .ne = 16,
                  .sig = fox_s, .ns = 8, .alpn = (const uint8_t *)"h2", .alpn_len = 2,
                  .sv = fox_sv, .nsv = 2};
    const vg_tls_side_t *side;
    void *st = parse_ch(&s, &side);
    assert_string_equal(side->ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    vg_app_parser_tls.state_free(st);

    /* GREASE anywhere is ignored */
    static const unsigned gc[] = {0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
                                  0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const unsigned ge[] = {0xdada, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017,
                                  0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01,
                                  0x000b, 0x000a, 0x0015, 0xfafa};
    static const unsigned gsv[] = {0x7a7a, 0x0304, 0x0303};
    chspec_t g = {.version = 0x0303, .ciphers = gc, .nc = 16, .exts = ge, .ne = 18, .sig = fox_s,
                  .ns = 8, .alpn = (const uint8_t *)"h2", .alpn_len = 2, .sv = gsv, .nsv = 3};
    st = parse_ch(&g, &side);
    assert_string_equal(side->ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    vg_app_parser_tls.state_free(st);
}

static void
test_ja4_compute_rules(void **state)
{
    (void)state;
    uint16_t c[15], e[16];
    for (int i = 0; i < 15; i++)
        c[i] = (uint16_t)fox_c[i];
    for (int i = 0; i < 16; i++)
        e[i] = (uint16_t)fox_e[i];
    char out[40];
    /* no signature algorithms: c part hashes the extensions alone */
    vg_tls_ja4_compute('t', 0x0304, true, c, 15, e, 16, NULL, 0, (const uint8_t *)"h2", 2, out);
    assert_string_equal(out, "t13d1516h2_8daaf6152771_6d807ffa2a79");
    /* no ciphers, no extensions */
    vg_tls_ja4_compute('t', 0x0303, false, NULL, 0, NULL, 0, NULL, 0, NULL, 0, out);
    assert_string_equal(out, "t12i000000_000000000000_000000000000");
    /* ALPN first/last character rules */
    static const struct {
        uint8_t b[4];
        uint32_t n;
        const char *two;
    } alpn[] = {
        {{0xab}, 1, "ab"},
        {{0xab, 0xcd}, 2, "ad"},
        {{0x30, 0xab}, 2, "3b"},
        {{0x30, 0x31, 0xab, 0xcd}, 4, "3d"},
        {{0x30, 0xab, 0xcd, 0x31}, 4, "01"},
        {{'h', 't', 't', 'p'}, 4, "hp"},
        {{'x'}, 1, "xx"},
    };
    for (size_t i = 0; i < sizeof(alpn) / sizeof(alpn[0]); i++) {
        vg_tls_ja4_compute('t', 0x0303, true, c, 1, e, 1, NULL, 0, alpn[i].b, alpn[i].n, out);
        assert_memory_equal(out + 8, alpn[i].two, 2);
    }
    /* versions */
    vg_tls_ja4_compute('t', 0x0300, true, c, 1, e, 1, NULL, 0, NULL, 0, out);
    assert_memory_equal(out, "ts3d0101", 8);
    vg_tls_ja4_compute('t', 0x1234, true, c, 1, e, 1, NULL, 0, NULL, 0, out);
    assert_memory_equal(out, "t00d0101", 8);
}

int
main(void)
{
    vg_limits_defaults(&lim);
    vg_app_parser_tls.register_counters();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ja3_salesforce_readme),
        cmocka_unit_test(test_ja3_suricata_verify),
        cmocka_unit_test(test_ja3_grease_removed),
        cmocka_unit_test(test_ja4_foxio_example),
        cmocka_unit_test(test_ja4_compute_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
