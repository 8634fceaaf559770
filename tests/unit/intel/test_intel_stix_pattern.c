/* test_intel_stix_pattern.c - the STIX patterning parser: a table of valid,
 * unsupported and invalid patterns (STIX 2.1 section 9 grammar). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/intel_int.h"

typedef struct pcase {
    const char *pattern;
    int rc;                 /* VG_OK, VG_DECLINED, VG_EINVAL */
    size_t n;               /* alternatives when VG_OK */
    vg_ioc_type_t type;     /* of the first alternative */
    const char *value;      /* of the first alternative */
    uint16_t port;
} pcase_t;

static const pcase_t cases[] = {
    /* every supported path */
    {"[ipv4-addr:value = '198.51.100.1']", VG_OK, 1, VG_IOC_IP, "198.51.100.1", 0},
    {"[ipv4-addr:value = '198.51.100.0/24']", VG_OK, 1, VG_IOC_IP, "198.51.100.0/24", 0},
    {"[ipv6-addr:value = '2001:db8::/32']", VG_OK, 1, VG_IOC_IP, "2001:db8::/32", 0},
    {"[ipv6-addr:value = '2001:db8::1']", VG_OK, 1, VG_IOC_IP, "2001:db8::1", 0},
    {"[domain-name:value = 'evil.example']", VG_OK, 1, VG_IOC_DOMAIN, "evil.example", 0},
    {"[url:value = 'http://evil.example/a']", VG_OK, 1, VG_IOC_URL, "http://evil.example/a", 0},
    {"[email-addr:value = 'a@b.example']", VG_OK, 1, VG_IOC_EMAIL, "a@b.example", 0},
    {"[email-message:from_ref.value = 'a@b.example']", VG_OK, 1, VG_IOC_EMAIL, "a@b.example", 0},
    {"[file:hashes.'MD5' = 'x']", VG_OK, 1, VG_IOC_MD5, "x", 0},
    {"[file:hashes.MD5 = 'x']", VG_OK, 1, VG_IOC_MD5, "x", 0},
    {"[file:hashes.md5 = 'x']", VG_OK, 1, VG_IOC_MD5, "x", 0},
    {"[file:hashes.'SHA-1' = 'x']", VG_OK, 1, VG_IOC_SHA1, "x", 0},
    {"[file:hashes.'SHA-256' = 'x']", VG_OK, 1, VG_IOC_SHA256, "x", 0},
    {"[file:hashes.SHA256 = 'x']", VG_OK, 1, VG_IOC_SHA256, "x", 0},
    {"[artifact:hashes.'SHA-256' = 'x']", VG_OK, 1, VG_IOC_SHA256, "x", 0},
    {"[x509-certificate:hashes.'SHA-1' = 'x']", VG_OK, 1, VG_IOC_CERT_SHA1, "x", 0},
    {"[x509-certificate:hashes.'SHA-256' = 'x']", VG_OK, 1, VG_IOC_CERT_SHA256, "x", 0},
    {"[x-ja3:hash = 'x']", VG_OK, 1, VG_IOC_JA3, "x", 0},
    {"[x-ja3s:hash = 'x']", VG_OK, 1, VG_IOC_JA3S, "x", 0},
    {"[x-ja4:value = 'x']", VG_OK, 1, VG_IOC_JA4, "x", 0},
    {"[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'Evil/1.0']",
     VG_OK, 1, VG_IOC_USER_AGENT, "Evil/1.0", 0},
    /* ip:port as iocs.json writes it, and shorter forms */
    {"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
     "'203.0.113.7' AND network-traffic:dst_port = 8443]", VG_OK, 1, VG_IOC_IP, "203.0.113.7", 8443},
    {"[network-traffic:dst_ref.value = '203.0.113.7' AND network-traffic:dst_port = 80]", VG_OK, 1,
     VG_IOC_IP, "203.0.113.7", 80},
    {"[network-traffic:dst_ref.type = 'ipv6-addr' AND network-traffic:dst_ref.value = '2001:db8::5']",
     VG_OK, 1, VG_IOC_IP, "2001:db8::5", 0},
    {"[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '2001:db8::5']",
     VG_DECLINED, 0, 0, NULL, 0},
    {"[network-traffic:dst_ref.value = '203.0.113.7' AND network-traffic:dst_port = 70000]",
     VG_DECLINED, 0, 0, NULL, 0},
    {"[network-traffic:dst_port = 443]", VG_DECLINED, 0, 0, NULL, 0},
    /* OR inside and between observations, IN, whitespace, parentheses */
    {"[domain-name:value = 'a.example' OR ipv4-addr:value = '192.0.2.1']", VG_OK, 2, VG_IOC_DOMAIN,
     "a.example", 0},
    {"[domain-name:value = 'a.example'] OR [domain-name:value = 'b.example']", VG_OK, 2,
     VG_IOC_DOMAIN, "a.example", 0},
    {"([domain-name:value = 'a.example'] OR ([url:value = 'http://x/']))", VG_OK, 2, VG_IOC_DOMAIN,
     "a.example", 0},
    {"[domain-name:value IN ('a.example', 'b.example', 'a.example')]", VG_OK, 2, VG_IOC_DOMAIN,
     "a.example", 0},
    {"[ ipv4-addr:value = '192.0.2.1' ]", VG_OK, 1, VG_IOC_IP, "192.0.2.1", 0},
    {"[(domain-name:value = 'a.example')]", VG_OK, 1, VG_IOC_DOMAIN, "a.example", 0},
    {"[domain-name:value = 'a.example' AND domain-name:value = 'a.example']", VG_OK, 1,
     VG_IOC_DOMAIN, "a.example", 0},
    {"[(domain-name:value = 'a.example' OR domain-name:value = 'b.example') AND "
     "network-traffic:dst_port = 53]", VG_DECLINED, 0, 0, NULL, 0},
    /* hashes of one file / certificate ANDed, with its other properties
     * (MISP's STIX export): each hash a key, the properties implied */
    {"[file:hashes.MD5 = 'a' AND file:hashes.'SHA-256' = 'b']", VG_OK, 2, VG_IOC_MD5, "a", 0},
    {"[file:name = 'x.exe' AND file:hashes.'SHA-1' = 'b' AND file:size = 1234]", VG_OK, 1,
     VG_IOC_SHA1, "b", 0},
    {"[file:hashes.SSDEEP = 's' AND file:hashes.'SHA-256' = 'b']", VG_OK, 1, VG_IOC_SHA256, "b", 0},
    {"[file:size > 100 AND file:hashes.MD5 = 'a' AND file:hashes.MD5 = 'A']", VG_OK, 1,
     VG_IOC_MD5, "a", 0},
    {"[x509-certificate:serial_number = '01' AND x509-certificate:hashes.'SHA-1' = 'c']", VG_OK, 1,
     VG_IOC_CERT_SHA1, "c", 0},
    {"[x509-certificate:issuer = 'CN=x' AND x509-certificate:serial_number = '01']", VG_DECLINED, 0,
     0, NULL, 0},
    {"[file:hashes.MD5 = 'a' AND file:hashes.MD5 = 'b']", VG_DECLINED, 0, 0, NULL, 0},
    {"[file:hashes.MD5 = 'a' AND file:hashes.'SHA-1' != 'b']", VG_DECLINED, 0, 0, NULL, 0},
    {"[file:hashes.MD5 = 'a' AND domain-name:value = 'x.example']", VG_DECLINED, 0, 0, NULL, 0},
    {"[file:hashes.MD5 = 'a' AND x509-certificate:hashes.'SHA-1' = 'c']", VG_DECLINED, 0, 0, NULL,
     0},
    {"[file:name = 'a.exe' AND file:size = 3]", VG_DECLINED, 0, 0, NULL, 0},
    /* escapes */
    {"[url:value = 'http://x/it\\'s']", VG_OK, 1, VG_IOC_URL, "http://x/it's", 0},
    {"[url:value = 'http://x/a\\\\b']", VG_OK, 1, VG_IOC_URL, "http://x/a\\b", 0},
    /* partial support: one branch unsupported, the other kept */
    {"[file:hashes.MD5 = 'x' OR file:hashes.SSDEEP = 'y']", VG_OK, 1, VG_IOC_MD5, "x", 0},
    {"[file:name = 'a.exe'] OR [domain-name:value = 'c.example']", VG_OK, 1, VG_IOC_DOMAIN,
     "c.example", 0},
    /* valid but unsupported */
    {"[file:name = 'a.exe']", VG_DECLINED, 0, 0, NULL, 0},
    {"[domain-name:value != 'a.example']", VG_DECLINED, 0, 0, NULL, 0},
    {"[domain-name:value NOT = 'a.example']", VG_DECLINED, 0, 0, NULL, 0},
    {"[domain-name:value LIKE '%.example']", VG_DECLINED, 0, 0, NULL, 0},
    {"[email-message:subject MATCHES '^Invoice']", VG_DECLINED, 0, 0, NULL, 0},
    {"[ipv4-addr:value ISSUBSET '198.51.100.0/24']", VG_DECLINED, 0, 0, NULL, 0},
    {"[file:size > 100]", VG_DECLINED, 0, 0, NULL, 0},
    {"[file:hashes.MD5 = h'0011']", VG_DECLINED, 0, 0, NULL, 0},
    {"[artifact:payload_bin = b'aGVsbG8=']", VG_DECLINED, 0, 0, NULL, 0},
    {"[domain-name:value NOT IN ('a.example')]", VG_DECLINED, 0, 0, NULL, 0},
    {"EXISTS [file:name = 'x']", VG_EINVAL, 0, 0, NULL, 0},
    {"[EXISTS file:name]", VG_DECLINED, 0, 0, NULL, 0},
    {"[ipv4-addr:value = '192.0.2.1'] AND [domain-name:value = 'x.example']", VG_DECLINED, 0, 0,
     NULL, 0},
    {"[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [domain-name:value = 'x.example']", VG_DECLINED, 0,
     0, NULL, 0},
    {"[ipv4-addr:value = '192.0.2.1'] WITHIN 300 SECONDS", VG_DECLINED, 0, 0, NULL, 0},
    {"[ipv4-addr:value = '192.0.2.1'] REPEATS 5 TIMES", VG_DECLINED, 0, 0, NULL, 0},
    {"[ipv4-addr:value = '192.0.2.1'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00Z'",
     VG_DECLINED, 0, 0, NULL, 0},
    {"[ipv4-addr:value = '192.0.2.1' AND domain-name:value = 'x.example']", VG_DECLINED, 0, 0, NULL,
     0},
    {"[ipv4-addr:value = '2001:db8::1']", VG_DECLINED, 0, 0, NULL, 0},
    {"[ipv6-addr:value = '192.0.2.1']", VG_DECLINED, 0, 0, NULL, 0},
    {"[x509-certificate:hashes.MD5 = 'x']", VG_DECLINED, 0, 0, NULL, 0},
    /* syntax errors */
    {"", VG_EINVAL, 0, 0, NULL, 0},
    {"[", VG_EINVAL, 0, 0, NULL, 0},
    {"[]", VG_EINVAL, 0, 0, NULL, 0},
    {"[domain-name:value = 'a.example'", VG_EINVAL, 0, 0, NULL, 0},
    {"[domain-name:value = 'a.example]", VG_EINVAL, 0, 0, NULL, 0},
    {"[domain-name:value = a.example]", VG_EINVAL, 0, 0, NULL, 0},
    {"[domain-name:value 'a.example']", VG_EINVAL, 0, 0, NULL, 0},
    {"domain-name:value = 'a.example'", VG_EINVAL, 0, 0, NULL, 0},
    {"[domain-name:value = 'a\\x']", VG_EINVAL, 0, 0, NULL, 0},
    {"[domain-name:value = 'a'] garbage", VG_EINVAL, 0, 0, NULL, 0},
    {"[domain-name:value IN ('a', )]", VG_EINVAL, 0, 0, NULL, 0},
    {"[domain-name:value IN 'a']", VG_EINVAL, 0, 0, NULL, 0},
    {"[file:hashes.MD5 = h'001']", VG_EINVAL, 0, 0, NULL, 0},
    {"[file:hashes.MD5 = b'!!']", VG_EINVAL, 0, 0, NULL, 0},
    {"[ipv4-addr:value = '1'] START t'nonsense' STOP t'2016-07-01T00:00:00Z'", VG_EINVAL, 0, 0,
     NULL, 0},
    {"[ipv4-addr:value = '1'] WITHIN SECONDS", VG_EINVAL, 0, 0, NULL, 0},
    {"[ipv4-addr:value = '1'] OR", VG_EINVAL, 0, 0, NULL, 0},
    {"rule x { condition: true }", VG_EINVAL, 0, 0, NULL, 0},
};

static void
test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const pcase_t *c = &cases[i];
        vg_stix_parsed_t r;
        char why[256];
        int rc = vg_stix_pattern_parse(c->pattern, strlen(c->pattern), 8192, &r, why, sizeof(why));
        if (rc != c->rc)
            fail_msg("case %zu '%s': rc %d, expected %d (%s)", i, c->pattern, rc, c->rc, why);
        if (rc == VG_OK) {
            if (r.n != c->n)
                fail_msg("case %zu '%s': %zu alternatives, expected %zu", i, c->pattern, r.n, c->n);
            assert_int_equal(r.alts[0].type, c->type);
            assert_string_equal(r.alts[0].value, c->value);
            assert_int_equal(r.alts[0].port, c->port);
        } else {
            assert_true(why[0] != '\0'); /* every refusal says why */
        }
        vg_stix_parsed_fini(&r);
    }
}

static void
test_partial_counts(void **state)
{
    (void)state;
    const char *p = "[file:hashes.MD5 = 'a' OR file:hashes.'SHA-256' = 'b' OR file:hashes.SSDEEP "
                    "= 'c' OR file:size = 3]";
    vg_stix_parsed_t r;
    char why[256];
    assert_int_equal(vg_stix_pattern_parse(p, strlen(p), 0, &r, why, sizeof(why)), VG_OK);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.n_unsupported, 2);
    assert_int_equal(r.alts[1].type, VG_IOC_SHA256);
    assert_non_null(strstr(r.first_unsupported, "SSDEEP"));
    vg_stix_parsed_fini(&r);
}

/* The keys of a hashed-file conjunction, in order, and why a name alone is
 * refused. */
static void
test_hashed_object(void **state)
{
    (void)state;
    const char *p = "[file:name = 'x.exe' AND file:hashes.MD5 = 'a' AND file:hashes.'SHA-1' = 'b' "
                    "AND file:hashes.'SHA-256' = 'c']";
    vg_stix_parsed_t r;
    char why[256];
    assert_int_equal(vg_stix_pattern_parse(p, strlen(p), 0, &r, why, sizeof(why)), VG_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.alts[0].type, VG_IOC_MD5);
    assert_int_equal(r.alts[1].type, VG_IOC_SHA1);
    assert_string_equal(r.alts[1].value, "b");
    assert_int_equal(r.alts[2].type, VG_IOC_SHA256);
    assert_string_equal(r.alts[2].value, "c");
    vg_stix_parsed_fini(&r);
    p = "[file:name = 'CBricksDoc']";
    assert_int_equal(vg_stix_pattern_parse(p, strlen(p), 0, &r, why, sizeof(why)), VG_DECLINED);
    assert_non_null(strstr(why, "file:name"));
    assert_non_null(strstr(why, "hash"));
    vg_stix_parsed_fini(&r);
}

static void
test_limits(void **state)
{
    (void)state;
    vg_stix_parsed_t r;
    char why[256];
    /* length limit */
    const char *p = "[domain-name:value = 'a.example']";
    assert_int_equal(vg_stix_pattern_parse(p, strlen(p), 10, &r, why, sizeof(why)), VG_EINVAL);
    assert_non_null(strstr(why, "max-pattern-length"));
    vg_stix_parsed_fini(&r);
    /* deep nesting: refused, no stack overflow */
    size_t depth = 5000;
    char *deep = malloc(depth * 2 + 64);
    size_t o = 0;
    for (size_t i = 0; i < depth; i++)
        deep[o++] = '(';
    o += (size_t)sprintf(deep + o, "[ipv4-addr:value = '1.2.3.4']");
    for (size_t i = 0; i < depth; i++)
        deep[o++] = ')';
    assert_int_equal(vg_stix_pattern_parse(deep, o, 0, &r, why, sizeof(why)), VG_EINVAL);
    assert_non_null(strstr(why, "nesting"));
    vg_stix_parsed_fini(&r);
    free(deep);
    /* a long string literal (over the lexer's chunk size) survives intact */
    size_t L = 3000;
    char *lng = malloc(L + 64);
    o = (size_t)sprintf(lng, "[url:value = 'http://x/");
    for (size_t i = 0; i < L; i++)
        lng[o++] = (char)('a' + i % 26);
    o += (size_t)sprintf(lng + o, "']");
    assert_int_equal(vg_stix_pattern_parse(lng, o, 0, &r, why, sizeof(why)), VG_OK);
    assert_int_equal(strlen(r.alts[0].value), L + 9);
    assert_int_equal(r.alts[0].value[9], 'a');
    assert_int_equal(r.alts[0].value[L + 8], (char)('a' + (L - 1) % 26));
    vg_stix_parsed_fini(&r);
    free(lng);
    /* an IN set that expands past the alternative limit */
    size_t n = 1100;
    char *big = malloc(n * 8 + 64);
    o = (size_t)sprintf(big, "[domain-name:value IN (");
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(big + o, "%s'd%zu'", i ? "," : "", i);
    o += (size_t)sprintf(big + o, ")]");
    assert_int_not_equal(vg_stix_pattern_parse(big, o, 0, &r, why, sizeof(why)), VG_OK);
    vg_stix_parsed_fini(&r);
    free(big);
    /* NUL inside the pattern is a syntax error, not a truncation */
    const char nul[] = "[domain-name:value = 'a']\0junk";
    assert_int_equal(vg_stix_pattern_parse(nul, sizeof(nul) - 1, 0, &r, why, sizeof(why)),
                     VG_EINVAL);
    vg_stix_parsed_fini(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_partial_counts),
        cmocka_unit_test(test_hashed_object),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
