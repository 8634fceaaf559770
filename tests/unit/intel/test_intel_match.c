/* test_intel_match.c - matchers (LPM, parent domains, case, trailing dots,
 * URL normalization, hash case, ports), the worker helpers (flow / tx /
 * file with per-flow dedupe and counters) and the EVE intel object. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/intel_int.h"
#include "intel/intel_match.h"
#include "output/output_eve_intel.h"
#include "vg_config.h"

static const char zeek[] =
    "#fields\tindicator\tindicator_type\tmeta.source\n"
    "10.0.0.0/8\tIntel::SUBNET\tA\n"
    "10.1.0.0/16\tIntel::SUBNET\tB\n"
    "10.1.2.3\tIntel::ADDR\tC\n"
    "0.0.0.0/0\tIntel::SUBNET\tDEFAULT6\n"
    "2001:db8::/32\tIntel::SUBNET\tD\n"
    "2001:db8:0:1::1\tIntel::ADDR\tE\n"
    "Example.COM.\tIntel::DOMAIN\tF\n"
    "deep.a.b.example.org\tIntel::DOMAIN\tG\n"
    "evil.example/x/y.php?q=1\tIntel::URL\tH\n"
    "evil.example:8080/p\tIntel::URL\tI\n"
    "ABCDEF0123456789ABCDEF0123456789\tIntel::FILE_HASH\tJ\n"
    "t13d1516h2_8daaf6152771_b186095e22b6\tIntel::JA4\tK\n"
    "Evil-UA/1.0\tIntel::USER_AGENT\tL\n";

static vg_intel_store_t *
mk(const char *text, size_t len)
{
    vg_intel_store_t *s = vg_intel_store_new();
    char err[512];
    if (vg_intel_load_buf(s, "t.dat", text, len, VG_INTEL_FMT_AUTO, NULL, NULL, err,
                          sizeof(err)) != VG_OK)
        fail_msg("load: %s", err);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    return s;
}

static size_t
ip4(const vg_intel_store_t *s, const char *a, uint16_t port, const vg_indicator_t **out)
{
    uint8_t b[4];
    assert_int_equal(inet_pton(AF_INET, a, b), 1);
    return vg_intel_match(s, VG_IOC_IP, b, 4, port, out, 8);
}

static size_t
ip6(const vg_intel_store_t *s, const char *a, const vg_indicator_t **out)
{
    uint8_t b[16];
    assert_int_equal(inet_pton(AF_INET6, a, b), 1);
    return vg_intel_match(s, VG_IOC_IP, b, 16, 0, out, 8);
}

static size_t
txt(const vg_intel_store_t *s, vg_ioc_type_t t, const char *v, const vg_indicator_t **out)
{
    return vg_intel_match(s, t, v, strlen(v), 0, out, 8);
}

static void
test_lpm(void **state)
{
    (void)state;
    vg_intel_store_t *s = mk(zeek, sizeof(zeek) - 1);
    const vg_indicator_t *o[8];
    /* longest prefix first, every containing prefix reported */
    assert_int_equal(ip4(s, "10.1.2.3", 0, o), 4);
    assert_string_equal(o[0]->source, "C");
    assert_string_equal(o[1]->source, "B");
    assert_string_equal(o[2]->source, "A");
    assert_string_equal(o[3]->source, "DEFAULT6");
    assert_int_equal(ip4(s, "10.1.2.4", 0, o), 3);
    assert_string_equal(o[0]->source, "B");
    assert_int_equal(ip4(s, "10.2.0.0", 0, o), 2);
    assert_int_equal(ip4(s, "11.0.0.0", 0, o), 1); /* only /0 */
    assert_int_equal(ip4(s, "9.255.255.255", 0, o), 1);
    /* max_out smaller than the matches: total still returned */
    uint8_t b[4] = {10, 1, 2, 3};
    assert_int_equal(vg_intel_match(s, VG_IOC_IP, b, 4, 0, o, 1), 4);
    assert_string_equal(o[0]->source, "C");
    /* v6: v4 prefixes never match v6 addresses */
    assert_int_equal(ip6(s, "2001:db8:0:1::1", o), 2);
    assert_string_equal(o[0]->source, "E");
    assert_int_equal(ip6(s, "2001:db8:ffff::", o), 1);
    assert_int_equal(ip6(s, "2001:db9::", o), 0);
    assert_int_equal(ip6(s, "::a01:203", o), 0);
    /* bad lengths */
    assert_int_equal(vg_intel_match(s, VG_IOC_IP, b, 5, 0, o, 8), 0);
    vg_intel_store_free(s);
}

static void
test_ports(void **state)
{
    (void)state;
    const char *t = "#fields\tindicator\tindicator_type\n203.0.113.5\tIntel::ADDR\n";
    vg_intel_store_t *s = vg_intel_store_new();
    char err[256];
    assert_int_equal(vg_intel_load_buf(s, "a", t, strlen(t), VG_INTEL_FMT_AUTO, NULL, NULL, err,
                                       sizeof(err)), VG_OK);
    const char *st = "[network-traffic:dst_ref.value = '203.0.113.7' AND "
                     "network-traffic:dst_port = 443]";
    char js[512];
    snprintf(js, sizeof(js), "{\"type\":\"indicator\",\"id\":\"indicator--p\",\"pattern\":\"%s\"}",
             st);
    assert_int_equal(vg_intel_load_buf(s, "b", js, strlen(js), VG_INTEL_FMT_AUTO, NULL, NULL, err,
                                       sizeof(err)), VG_OK);
    vg_intel_store_freeze(s);
    const vg_indicator_t *o[8];
    assert_int_equal(ip4(s, "203.0.113.7", 443, o), 1);
    assert_int_equal(o[0]->port, 443);
    assert_int_equal(ip4(s, "203.0.113.7", 80, o), 0);
    assert_int_equal(ip4(s, "203.0.113.7", 0, o), 0);  /* port unknown: port-bound ones do not match */
    assert_int_equal(ip4(s, "203.0.113.5", 12345, o), 1);
    vg_intel_store_free(s);
}

static void
test_domains(void **state)
{
    (void)state;
    vg_intel_store_t *s = mk(zeek, sizeof(zeek) - 1);
    const vg_indicator_t *o[8];
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "example.com", o), 1);
    assert_string_equal(o[0]->value, "example.com");
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "EXAMPLE.com.", o), 1);
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "www.Example.Com", o), 1);
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "a.b.c.example.com..", o), 1);
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "notexample.com", o), 0); /* label boundary */
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "example.com.evil", o), 0);
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "com", o), 0);              /* parents do not match children */
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "a.b.example.org", o), 0);
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "x.deep.a.b.example.org", o), 1);
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "", o), 0);
    assert_int_equal(txt(s, VG_IOC_DOMAIN, ".", o), 0);
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "bad name.example.com", o), 0);
    /* an over-long name is no match, not a crash */
    char big[3000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    assert_int_equal(txt(s, VG_IOC_DOMAIN, big, o), 0);
    vg_intel_store_free(s);
}

static void
test_urls_hashes(void **state)
{
    (void)state;
    vg_intel_store_t *s = mk(zeek, sizeof(zeek) - 1);
    const vg_indicator_t *o[8];
    assert_int_equal(txt(s, VG_IOC_URL, "evil.example/x/y.php?q=1", o), 1);
    assert_int_equal(txt(s, VG_IOC_URL, "http://evil.example/x/y.php?q=1", o), 1);
    assert_int_equal(txt(s, VG_IOC_URL, "HTTP://EVIL.example:80/x/y.php?q=1", o), 1);
    assert_int_equal(txt(s, VG_IOC_URL, "https://evil.example:443/x/y.php?q=1#frag", o), 1);
    assert_int_equal(txt(s, VG_IOC_URL, "http://evil.example/X/y.php?q=1", o), 0); /* path case kept */
    assert_int_equal(txt(s, VG_IOC_URL, "http://evil.example/x/y.php?q=2", o), 0);
    assert_int_equal(txt(s, VG_IOC_URL, "http://evil.example:8080/p", o), 1);
    assert_int_equal(txt(s, VG_IOC_URL, "http://evil.example/p", o), 0);
    assert_int_equal(txt(s, VG_IOC_URL, "http://user@evil.example:8080/p", o), 1);
    /* normalization itself */
    char out[256];
    uint16_t port;
    assert_int_equal(vg_intel_normalize(VG_IOC_URL, "HTTPS://A.Example", 17, out, sizeof(out),
                                        &port, NULL), VG_OK);
    assert_string_equal(out, "a.example/");
    assert_int_equal(vg_intel_normalize(VG_IOC_URL, "https://a.example:80/", 21, out, sizeof(out),
                                        &port, NULL), VG_OK);
    assert_string_equal(out, "a.example:80/"); /* 80 is not https's default */
    assert_int_equal(vg_intel_normalize(VG_IOC_URL, "http:///x", 9, out, sizeof(out), &port,
                                        NULL), VG_EINVAL);
    assert_int_equal(vg_intel_normalize(VG_IOC_IP, "10.1.2.3/8", 10, out, sizeof(out), &port,
                                        NULL), VG_OK);
    assert_string_equal(out, "10.0.0.0/8");
    assert_int_equal(vg_intel_normalize(VG_IOC_IP, "[2001:db8::1]:443", 17, out, sizeof(out),
                                        &port, NULL), VG_OK);
    assert_string_equal(out, "2001:db8::1");
    assert_int_equal(port, 443);
    assert_int_equal(vg_intel_normalize(VG_IOC_IP, "1.2.3.4:99999", 13, out, sizeof(out), &port,
                                        NULL), VG_EINVAL);
    assert_int_equal(vg_intel_normalize(VG_IOC_IP, "1.2.3.4/33", 10, out, sizeof(out), &port,
                                        NULL), VG_EINVAL);
    assert_int_equal(vg_intel_normalize(VG_IOC_MD5, "abc", 3, out, sizeof(out), &port, NULL),
                     VG_EINVAL);
    /* hashes: case-insensitive, raw digests too */
    assert_int_equal(txt(s, VG_IOC_MD5, "abcdef0123456789abcdef0123456789", o), 1);
    assert_int_equal(txt(s, VG_IOC_MD5, "ABCDEF0123456789ABCDEF0123456789", o), 1);
    uint8_t raw[16] = {0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89,
                       0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89};
    assert_int_equal(vg_intel_match(s, VG_IOC_MD5, raw, 16, 0, o, 8), 1);
    raw[15] ^= 1;
    assert_int_equal(vg_intel_match(s, VG_IOC_MD5, raw, 16, 0, o, 8), 0);
    /* the same hex under another type does not match */
    assert_int_equal(txt(s, VG_IOC_JA3, "abcdef0123456789abcdef0123456789", o), 0);
    assert_int_equal(txt(s, VG_IOC_JA4, "T13D1516H2_8DAAF6152771_B186095E22B6", o), 1);
    assert_int_equal(txt(s, VG_IOC_USER_AGENT, "Evil-UA/1.0", o), 1);
    assert_int_equal(txt(s, VG_IOC_USER_AGENT, "evil-ua/1.0", o), 0);
    vg_intel_store_free(s);
}

/* ---- worker helpers with a fake parser ---- */

typedef struct fake_tx {
    const char *bufs[VG_BUF_MAX][3];
    uint32_t lens[VG_BUF_MAX][3];
} fake_tx_t;

static int
fake_get(const void *txp, vg_buffer_id_t id, uint32_t index, const uint8_t **data, uint32_t *len)
{
    const fake_tx_t *tx = txp;
    if (index >= 3 || tx->bufs[id][index] == NULL)
        return VG_DECLINED;
    *data = (const uint8_t *)tx->bufs[id][index];
    *len = tx->lens[id][index] ? tx->lens[id][index] : (uint32_t)strlen(tx->bufs[id][index]);
    return VG_OK;
}

typedef struct hits {
    size_t n;
    char where[16][32];
    char value[16][128];
    const vg_indicator_t *ind[16];
} hits_t;

static void
on_hit(void *user, const vg_intel_hit_t *h)
{
    hits_t *x = user;
    if (x->n < 16) {
        snprintf(x->where[x->n], 32, "%s", h->where);
        snprintf(x->value[x->n], 128, "%s", h->value);
        x->ind[x->n] = h->ind;
    }
    x->n++;
}

static void
test_worker_helpers(void **state)
{
    (void)state;
    vg_intel_register_counters();
    static vg_counters_t ctr;
    memset(&ctr, 0, sizeof(ctr));
    vg_intel_store_t *s = mk(zeek, sizeof(zeek) - 1);
    vg_app_parser_t parser;
    memset(&parser, 0, sizeof(parser));
    parser.get_buffer = fake_get;
    vg_flow_t f;
    memset(&f, 0, sizeof(f));
    /* flow: client 192.0.2.1:5555 -> server 10.1.2.3:443 */
    f.key.src.family = 4;
    inet_pton(AF_INET, "192.0.2.1", f.key.src.b);
    f.key.dst.family = 4;
    inet_pton(AF_INET, "10.1.2.3", f.key.dst.b);
    f.key.sp = 5555;
    f.key.dp = 443;
    hits_t h = {0};
    /* dest: /32, /16, /8 and /0; src only /0 */
    assert_int_equal(vg_intel_check_flow(s, &f, &ctr, on_hit, &h), 5);
    assert_string_equal(h.where[0], "flow.dest_ip");
    assert_string_equal(h.value[0], "10.1.2.3");
    assert_string_equal(h.ind[0]->source, "C");
    assert_string_equal(h.where[4], "flow.src_ip");
    /* second time: deduped */
    assert_int_equal(vg_intel_check_flow(s, &f, &ctr, on_hit, &h), 0);
    assert_int_equal(h.n, 5);

    fake_tx_t tx;
    memset(&tx, 0, sizeof(tx));
    tx.bufs[VG_BUF_DNS_QUERY][0] = "WWW.example.com.";
    tx.bufs[VG_BUF_DNS_QUERY][1] = "benign.example";
    tx.bufs[VG_BUF_DNS_ANSWER_ADDR][0] = "\x0a\x01\x02\x03";
    tx.lens[VG_BUF_DNS_ANSWER_ADDR][0] = 4;
    memset(&h, 0, sizeof(h));
    assert_int_equal(vg_intel_check_tx(s, &f, &parser, &tx, VG_ALPROTO_DNS, &ctr, on_hit, &h), 1 + 4);
    assert_string_equal(h.where[0], "dns.query");
    assert_string_equal(h.value[0], "WWW.example.com.");
    assert_string_equal(h.where[1], "dns.answers.addr");
    assert_string_equal(h.value[1], "10.1.2.3");

    memset(&tx, 0, sizeof(tx));
    tx.bufs[VG_BUF_HTTP_HOST][0] = "10.1.2.3"; /* IP literal host: matched as an IP */
    tx.bufs[VG_BUF_HTTP_URL_FULL][0] = "http://evil.example/x/y.php?q=1";
    tx.bufs[VG_BUF_HTTP_USER_AGENT][0] = "Evil-UA/1.0";
    tx.bufs[VG_BUF_FILE_MD5][0] = "\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89";
    tx.lens[VG_BUF_FILE_MD5][0] = 16;
    memset(&h, 0, sizeof(h));
    vg_flow_t g;
    memset(&g, 0, sizeof(g));
    assert_int_equal(vg_intel_check_tx(s, &g, &parser, &tx, VG_ALPROTO_HTTP, &ctr, on_hit, &h),
                     4 + 1 + 1 + 1);
    assert_string_equal(h.where[0], "http.host");
    assert_string_equal(h.where[4], "http.url");
    assert_string_equal(h.where[5], "http.user_agent");
    assert_string_equal(h.where[6], "fileinfo.md5");
    assert_string_equal(h.value[6], "abcdef0123456789abcdef0123456789");

    memset(&tx, 0, sizeof(tx));
    tx.bufs[VG_BUF_TLS_SNI][0] = "cdn.example.com";
    tx.bufs[VG_BUF_JA4_HASH][0] = "t13d1516h2_8daaf6152771_b186095e22b6";
    memset(&h, 0, sizeof(h));
    assert_int_equal(vg_intel_check_tx(s, &g, &parser, &tx, VG_ALPROTO_TLS, &ctr, on_hit, &h), 2);
    assert_string_equal(h.where[0], "tls.sni");
    assert_string_equal(h.where[1], "ja4.hash");
    /* same indicator seen in another place on the same flow is reported */
    memset(&tx, 0, sizeof(tx));
    tx.bufs[VG_BUF_DNS_QUERY][0] = "cdn.example.com";
    memset(&h, 0, sizeof(h));
    assert_int_equal(vg_intel_check_tx(s, &g, &parser, &tx, VG_ALPROTO_DNS, &ctr, on_hit, &h), 1);

    vg_app_file_t file;
    memset(&file, 0, sizeof(file));
    file.digests = VG_FILE_DIGEST_MD5;
    memcpy(file.md5, "\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89", 16);
    vg_flow_t k;
    memset(&k, 0, sizeof(k));
    memset(&h, 0, sizeof(h));
    assert_int_equal(vg_intel_check_file(s, &k, &file, &ctr, on_hit, &h), 1);
    assert_string_equal(h.where[0], "fileinfo.md5");

    /* an answer name that repeats the query is not looked up again; a
     * different one is (it hits the same parent domain, as rrname) */
    vg_counter_id_t id;
    assert_int_equal(vg_counter_find("intel.lookups", &id), VG_OK);
    vg_flow_t d;
    memset(&d, 0, sizeof(d));
    memset(&tx, 0, sizeof(tx));
    tx.bufs[VG_BUF_DNS_QUERY][0] = "cdn.example.com";
    tx.bufs[VG_BUF_DNS_ANSWER_NAME][0] = "cdn.example.com";
    tx.bufs[VG_BUF_DNS_ANSWER_NAME][1] = "edge.example.com";
    uint64_t before = ctr.v[id];
    memset(&h, 0, sizeof(h));
    assert_int_equal(vg_intel_check_tx(s, &d, &parser, &tx, VG_ALPROTO_DNS, &ctr, on_hit, &h), 2);
    assert_string_equal(h.where[0], "dns.query");
    assert_string_equal(h.where[1], "dns.answers.rrname");
    assert_string_equal(h.value[1], "edge.example.com");
    assert_int_equal(ctr.v[id] - before, 2);
    /* no JA3 indicators loaded: a JA3 buffer costs no lookup */
    memset(&tx, 0, sizeof(tx));
    tx.bufs[VG_BUF_JA3_HASH][0] = "e7d705a3286e19ea42f587b344ee6865";
    before = ctr.v[id];
    memset(&h, 0, sizeof(h));
    assert_int_equal(vg_intel_check_tx(s, &d, &parser, &tx, VG_ALPROTO_TLS, &ctr, on_hit, &h), 0);
    assert_int_equal(ctr.v[id] - before, 0);
    vg_intel_flow_free(&d);

    assert_int_equal(vg_counter_find("intel.hits", &id), VG_OK);
    assert_int_equal(ctr.v[id], 5 + 5 + 7 + 2 + 1 + 1 + 2);
    assert_int_equal(vg_counter_find("intel.hits_by_type.domain", &id), VG_OK);
    assert_int_equal(ctr.v[id], 5);
    assert_int_equal(vg_counter_find("intel.lookups", &id), VG_OK);
    assert_true(ctr.v[id] >= 15);
    vg_intel_counters_set_indicators(&ctr, s);
    assert_int_equal(vg_counter_find("intel.indicators", &id), VG_OK);
    assert_int_equal(ctr.v[id], 13);
    vg_intel_flow_free(&f);
    vg_intel_flow_free(&g);
    vg_intel_flow_free(&k);
    assert_null(f.intel);
    vg_intel_store_free(s);
}

static void
test_eve_object(void **state)
{
    (void)state;
    vg_intel_store_t *s = vg_intel_store_new();
    char err[512];
    assert_int_equal(vg_intel_load_file(s, VG_SOURCE_ROOT "/tests/unit/intel/data/small.stix.json",
                                        VG_INTEL_FMT_AUTO, NULL, NULL, err, sizeof(err)), VG_OK);
    vg_intel_store_freeze(s);
    const vg_indicator_t *o[4];
    assert_int_equal(txt(s, VG_IOC_DOMAIN, "a.evil.example", o), 1);
    vg_jw_t jw;
    vg_jw_init(&jw, 1 << 16);
    vg_jw_open_object(&jw, NULL);
    vg_eve_intel_object_at(&jw, o[0], "dns.query", "a.evil.example", 1735689600LL * 1000000);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    json_error_t je;
    json_t *root = json_loadb(jw.buf, jw.len, 0, &je);
    if (root == NULL)
        fail_msg("bad JSON: %s: %.*s", je.text, (int)jw.len, jw.buf);
    json_t *in = json_object_get(root, "intel");
    assert_string_equal(json_string_value(json_object_get(in, "indicator")), "evil.example");
    assert_string_equal(json_string_value(json_object_get(in, "indicator_type")), "domain");
    assert_string_equal(json_string_value(json_object_get(in, "zeek_type")), "Intel::DOMAIN");
    assert_string_equal(json_string_value(json_object_get(json_object_get(in, "seen"), "where")),
                        "dns.query");
    assert_string_equal(json_string_value(json_object_get(json_object_get(in, "seen"), "value")),
                        "a.evil.example");
    assert_string_equal(json_string_value(json_object_get(in, "source")), "Test Vendor");
    assert_string_equal(json_string_value(json_object_get(in, "indicator_id")),
                        "indicator--00000000-0000-4000-8000-000000000001");
    assert_int_equal(json_integer_value(json_object_get(in, "confidence")), 80);
    assert_int_equal(json_array_size(json_object_get(in, "actors")), 2);
    assert_non_null(json_object_get(in, "matched_at"));
    assert_non_null(json_object_get(in, "valid_from"));
    assert_null(json_object_get(in, "expired")); /* no valid_until */
    json_decref(root);
    vg_jw_fini(&jw);
    vg_intel_store_free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lpm),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_urls_hashes),
        cmocka_unit_test(test_worker_helpers),
        cmocka_unit_test(test_eve_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
