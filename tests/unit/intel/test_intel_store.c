/* test_intel_store.c - loaders (STIX 2.1/2.0/JSON Lines, MISP, Zeek) on the
 * committed fixtures and on the shared intel pack (skipped when absent),
 * format detection, and broken input (clear error, no crash). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "intel/intel_int.h"
#include "vg_config.h"

#define DATA VG_SOURCE_ROOT "/tests/unit/intel/data/"
#define SHARED VG_SOURCE_ROOT "/../shared/intel/"

typedef struct notes {
    size_t n;
    char last[600];
    char all[8192];
} notes_t;

static void
on_note(void *user, const char *msg)
{
    notes_t *n = user;
    n->n++;
    snprintf(n->last, sizeof(n->last), "%s", msg);
    size_t l = strlen(n->all);
    snprintf(n->all + l, sizeof(n->all) - l, "%s\n", msg);
}

static vg_intel_store_t *
load(const char *path, int want_rc, notes_t *nt, char *err, size_t errlen)
{
    vg_intel_store_t *s = vg_intel_store_new();
    assert_non_null(s);
    vg_intel_store_set_options(s, false, false, 1700000000LL * 1000000);
    int rc = vg_intel_load_file(s, path, VG_INTEL_FMT_AUTO, on_note, nt, err, errlen);
    if (rc != want_rc)
        fail_msg("%s: rc %d, expected %d: %s", path, rc, want_rc, err);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    return s;
}

/* the one indicator of `type` matching `value` (must be exactly one) */
static const vg_indicator_t *
one(const vg_intel_store_t *s, vg_ioc_type_t type, const char *value)
{
    const vg_indicator_t *out[8];
    size_t n = vg_intel_match(s, type, value, strlen(value), 0, out, 8);
    if (n != 1)
        fail_msg("%s %s: %zu matches, expected 1", vg_ioc_type_name(type), value, n);
    return out[0];
}

static size_t
count(const vg_intel_store_t *s, vg_ioc_type_t type, const char *value)
{
    const vg_indicator_t *out[8];
    return vg_intel_match(s, type, value, strlen(value), 0, out, 8);
}

static bool
have_actor(const vg_indicator_t *d, const char *name)
{
    for (size_t i = 0; i < d->n_actors; i++)
        if (d->actors[i].name && strcmp(d->actors[i].name, name) == 0)
            return true;
    return false;
}

/* IPv4 prefixes of every length around the /20 granularity of the lookup
 * shortcut: addresses at both edges of each prefix match, the neighbours
 * just outside do not, and host indicators next to prefixes still match. */
static void
test_ipv4_prefix_edges(void **state)
{
    (void)state;
    static const char zeek[] = "#fields\tindicator\tindicator_type\n"
                               "10.0.0.0/8\tIntel::SUBNET\n"
                               "172.16.0.0/12\tIntel::SUBNET\n"
                               "192.0.2.0/28\tIntel::SUBNET\n"
                               "198.51.96.0/20\tIntel::SUBNET\n"
                               "203.0.113.0/21\tIntel::SUBNET\n"
                               "100.64.0.7\tIntel::ADDR\n";
    vg_intel_store_t *s = vg_intel_store_new();
    char err[256];
    assert_int_equal(vg_intel_load_buf(s, "edges.dat", zeek, sizeof(zeek) - 1, VG_INTEL_FMT_AUTO,
                                       NULL, NULL, err, sizeof(err)),
                     VG_OK);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    static const struct {
        const char *ip;
        size_t want;
    } c[] = {
        {"10.0.0.0", 1},        {"10.255.255.255", 1}, {"9.255.255.255", 0},  {"11.0.0.0", 0},
        {"172.16.0.1", 1},      {"172.31.255.254", 1}, {"172.15.255.255", 0}, {"172.32.0.0", 0},
        {"192.0.2.0", 1},       {"192.0.2.15", 1},     {"192.0.2.16", 0},     {"192.0.1.255", 0},
        {"198.51.96.0", 1},     {"198.51.111.255", 1}, {"198.51.112.0", 0},   {"198.51.95.255", 0},
        /* 203.0.113.0/21 is 203.0.112.0/21: host bits of a prefix are dropped */
        {"203.0.111.255", 0},   {"203.0.112.0", 1},    {"203.0.119.255", 1},  {"203.0.120.0", 0},
        {"100.64.0.7", 1},      {"100.64.0.8", 0},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        uint8_t a[4];
        const vg_indicator_t *out[4];
        assert_int_equal(inet_pton(AF_INET, c[i].ip, a), 1);
        size_t n = vg_intel_match(s, VG_IOC_IP, a, 4, 0, out, 4);
        if (n != c[i].want)
            fail_msg("%s: %zu matches, expected %zu", c[i].ip, n, c[i].want);
    }
    vg_intel_store_free(s);
}

static void
test_stix_fixture(void **state)
{
    (void)state;
    notes_t nt = {0};
    char err[512];
    vg_intel_store_t *s = load(DATA "small.stix.json", VG_OK, &nt, err, sizeof(err));
    const vg_intel_load_report_t *r = vg_intel_store_report(s);
    assert_int_equal(r->last_format, VG_INTEL_FMT_STIX);
    assert_int_equal(vg_intel_store_count(s), 9);
    assert_int_equal(r->objects_seen, 20);
    assert_int_equal(r->objects_by_type[0], 11);     /* indicator */
    assert_int_equal(r->objects_by_type[1], 5);      /* relationship */
    assert_int_equal(r->indicators_skipped_revoked, 2); /* revoked:true + revoked-by */
    assert_int_equal(r->patterns_unsupported, 2);    /* yara + FOLLOWEDBY */
    assert_int_equal(r->indicators_with_port, 1);
    assert_int_equal(r->indicators_by_type[VG_IOC_DOMAIN], 2);
    assert_int_equal(nt.n, 2);
    assert_non_null(strstr(nt.all, "small.stix.json: indicator--00000000-0000-4000-8000-000000000007: "
                                   "unsupported: pattern_type 'yara'"));
    assert_non_null(strstr(nt.all, "indicator--00000000-0000-4000-8000-000000000008: unsupported: "
                                   "FOLLOWEDBY"));

    const vg_indicator_t *d = one(s, VG_IOC_DOMAIN, "evil.example");
    assert_string_equal(d->value, "evil.example");
    assert_string_equal(d->id, "indicator--00000000-0000-4000-8000-000000000001");
    assert_string_equal(d->source, "Test Vendor");   /* created_by_ref -> identity name */
    assert_int_equal(d->confidence, 80);
    assert_string_equal(d->warning, "parent-domain-in:test");
    assert_int_equal(d->valid_from, 1704067200LL * 1000000);
    assert_int_equal(d->n_actors, 2);
    assert_true(have_actor(d, "APT-TEST-1"));
    assert_true(have_actor(d, "APT-TEST-2"));
    assert_string_equal(d->pattern, "[domain-name:value = 'Evil.Example.']");

    /* the CIDR indicator: linked to the campaign and, through attributed-to, its group */
    uint8_t a4[4] = {198, 51, 100, 77};
    const vg_indicator_t *out[4];
    assert_int_equal(vg_intel_match(s, VG_IOC_IP, a4, 4, 0, out, 4), 1);
    assert_string_equal(out[0]->value, "198.51.100.0/24");
    assert_string_equal(out[0]->source, "maltrail,eset"); /* no created_by_ref */
    assert_int_equal(out[0]->n_actors, 2);
    assert_true(have_actor(out[0], "Operation Test"));
    assert_true(have_actor(out[0], "APT-TEST-2"));
    assert_int_equal(out[0]->confidence, -1);

    /* expired indicator loads (not told to skip) and is reported expired */
    d = one(s, VG_IOC_DOMAIN, "old.example");
    assert_true(vg_indicator_expired(d, 1700000000LL * 1000000));
    /* revoked-by: withdrawn */
    assert_int_equal(count(s, VG_IOC_DOMAIN, "withdrawn.example"), 0);
    /* revoked: true */
    assert_int_equal(count(s, VG_IOC_CERT_SHA1, "0102030405060708090a0b0c0d0e0f1011121314"), 0);
    assert_int_equal(count(s, VG_IOC_URL, "http://bad.example/path/x.php?a=1"), 1);
    assert_int_equal(count(s, VG_IOC_JA3, "e7d705a3286e19ea42f587b344ee6865"), 1);
    assert_int_equal(count(s, VG_IOC_MD5, "0123456789ABCDEF0123456789abcdef"), 1);
    vg_intel_store_free(s);
}

static void
test_skip_expired(void **state)
{
    (void)state;
    vg_intel_store_t *s = vg_intel_store_new();
    vg_intel_store_set_options(s, true, false, 1700000000LL * 1000000);
    char err[512];
    assert_int_equal(vg_intel_load_file(s, DATA "small.stix.json", VG_INTEL_FMT_AUTO, NULL, NULL,
                                        err, sizeof(err)), VG_OK);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    assert_int_equal(vg_intel_store_report(s)->indicators_skipped_expired, 1);
    assert_int_equal(count(s, VG_IOC_DOMAIN, "old.example"), 0);
    assert_int_equal(vg_intel_store_count(s), 8);
    vg_intel_store_free(s);
}

static void
test_stix20_and_lines(void **state)
{
    (void)state;
    notes_t nt = {0};
    char err[512];
    vg_intel_store_t *s = load(DATA "small.stix20.json", VG_OK, &nt, err, sizeof(err));
    assert_int_equal(vg_intel_store_count(s), 2);
    assert_int_equal(count(s, VG_IOC_DOMAIN, "legacy.example"), 1);
    assert_int_equal(count(s, VG_IOC_SHA1, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"), 1);
    vg_intel_store_free(s);
    s = load(DATA "small.stix.jsonl", VG_OK, &nt, err, sizeof(err));
    assert_int_equal(vg_intel_store_count(s), 1);
    uint8_t a[4] = {192, 0, 2, 55};
    const vg_indicator_t *out[2];
    assert_int_equal(vg_intel_match(s, VG_IOC_IP, a, 4, 0, out, 2), 1);
    assert_int_equal(out[0]->n_actors, 1);
    assert_string_equal(out[0]->actors[0].name, "LinesActor");
    vg_intel_store_free(s);
}

static void
test_misp_fixture(void **state)
{
    (void)state;
    notes_t nt = {0};
    char err[512];
    vg_intel_store_t *s = load(DATA "small.misp.json", VG_OK, &nt, err, sizeof(err));
    const vg_intel_load_report_t *r = vg_intel_store_report(s);
    assert_int_equal(r->last_format, VG_INTEL_FMT_MISP);
    assert_int_equal(vg_intel_store_count(s), 10);
    assert_int_equal(r->indicators_skipped_deleted, 1);
    assert_int_equal(r->indicators_skipped_invalid, 1);
    assert_int_equal(r->attributes_ignored, 2);      /* comment, filename */
    assert_int_equal(r->indicators_not_ids, 1);
    assert_non_null(strstr(nt.last, "a0000000-0000-4000-8000-00000000000a: invalid ip value"));
    const vg_indicator_t *d = one(s, VG_IOC_DOMAIN, "misp-evil.example");
    assert_string_equal(d->source, "Test Org");
    assert_false(d->to_ids);
    assert_int_equal(d->n_actors, 1);
    assert_string_equal(d->actors[0].name, "APT 28");
    assert_string_equal(d->description, "Test event");
    /* ip-dst|port */
    uint8_t a[4] = {192, 0, 2, 11};
    const vg_indicator_t *out[2];
    assert_int_equal(vg_intel_match(s, VG_IOC_IP, a, 4, 4444, out, 2), 1);
    assert_int_equal(out[0]->port, 4444);
    assert_int_equal(vg_intel_match(s, VG_IOC_IP, a, 4, 80, out, 2), 0);
    /* domain|ip gives both */
    assert_int_equal(count(s, VG_IOC_DOMAIN, "both.example"), 1);
    uint8_t b[4] = {192, 0, 2, 12};
    assert_int_equal(vg_intel_match(s, VG_IOC_IP, b, 4, 0, out, 2), 1);
    /* https default port dropped; filename|sha256; object attributes; email case */
    assert_int_equal(count(s, VG_IOC_URL, "https://misp-evil.example/dl"), 1);
    assert_int_equal(count(s, VG_IOC_SHA256, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"), 1);
    assert_int_equal(count(s, VG_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e"), 1);
    d = one(s, VG_IOC_EMAIL, "phish@example.com");
    assert_int_equal(d->n_actors, 2); /* event tag + attribute tag */
    assert_true(have_actor(d, "Sofacy"));
    vg_intel_store_free(s);

    /* ids-only: to_ids=false attributes are dropped */
    s = vg_intel_store_new();
    vg_intel_store_set_options(s, false, true, 0);
    assert_int_equal(vg_intel_load_file(s, DATA "small.misp.json", VG_INTEL_FMT_AUTO, NULL, NULL,
                                        err, sizeof(err)), VG_OK);
    vg_intel_store_freeze(s);
    assert_int_equal(vg_intel_store_count(s), 9);
    assert_int_equal(vg_intel_store_report(s)->indicators_skipped_ids, 1);
    vg_intel_store_free(s);
}

static void
test_zeek_fixture(void **state)
{
    (void)state;
    notes_t nt = {0};
    char err[512];
    vg_intel_store_t *s = load(DATA "small.intel.dat", VG_OK, &nt, err, sizeof(err));
    const vg_intel_load_report_t *r = vg_intel_store_report(s);
    assert_int_equal(r->last_format, VG_INTEL_FMT_ZEEK);
    assert_int_equal(vg_intel_store_count(s), 8);
    assert_int_equal(r->patterns_unsupported, 1); /* Intel::SOFTWARE */
    assert_int_equal(r->errors, 1);               /* short line */
    assert_non_null(strstr(nt.all, "zeek:small.intel.dat:11: unsupported: indicator_type "
                                   "'Intel::SOFTWARE'"));
    assert_non_null(strstr(nt.all, "zeek:small.intel.dat:13: 2 fields"));
    uint8_t a[4] = {198, 18, 0, 5};
    const vg_indicator_t *out[2];
    assert_int_equal(vg_intel_match(s, VG_IOC_IP, a, 4, 0, out, 2), 1);
    assert_string_equal(out[0]->source, "zeek-feed");
    assert_string_equal(out[0]->description, "C2 server");
    assert_string_equal(out[0]->id, "zeek:small.intel.dat:3");
    assert_int_equal(out[0]->n_actors, 1);
    assert_string_equal(out[0]->actors[0].name, "APT-Z");
    uint8_t b[4] = {10, 99, 200, 1};
    assert_int_equal(vg_intel_match(s, VG_IOC_IP, b, 4, 0, out, 2), 1);
    const vg_indicator_t *d = one(s, VG_IOC_DOMAIN, "zeek-evil.example");
    assert_string_equal(d->description, "phish\tdomain"); /* \x09 decoded */
    /* Zeek URLs have no scheme: the seen URL with one matches */
    assert_int_equal(count(s, VG_IOC_URL, "http://zeek-evil.example/gate.php"), 1);
    assert_int_equal(count(s, VG_IOC_SHA1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"), 1);
    assert_int_equal(count(s, VG_IOC_CERT_SHA1, "01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14"), 1);
    assert_int_equal(count(s, VG_IOC_EMAIL, "BAD@zeek.example"), 1);
    assert_int_equal(count(s, VG_IOC_JA3, "e7d705a3286e19ea42f587b344ee6865"), 1);
    vg_intel_store_free(s);
}

static void
test_detect(void **state)
{
    (void)state;
    assert_int_equal(vg_intel_detect_format("#fields\tindicator", 17), VG_INTEL_FMT_ZEEK);
    assert_int_equal(vg_intel_detect_format("#separator \\x09\n", 16), VG_INTEL_FMT_ZEEK);
    assert_int_equal(vg_intel_detect_format("# c\n#fields\tx\n", 14), VG_INTEL_FMT_ZEEK);
    assert_int_equal(vg_intel_detect_format(" {\"Event\": {}}", 15), VG_INTEL_FMT_MISP);
    assert_int_equal(vg_intel_detect_format("{ \"response\": []}", 17), VG_INTEL_FMT_MISP);
    assert_int_equal(vg_intel_detect_format("[{\"Event\": {}}]", 15), VG_INTEL_FMT_MISP);
    assert_int_equal(vg_intel_detect_format("\xef\xbb\xbf{\"type\": \"bundle\"}", 21),
                     VG_INTEL_FMT_STIX);
    assert_int_equal(vg_intel_detect_format("hello", 5), VG_INTEL_FMT_AUTO);
    assert_int_equal(vg_intel_detect_format("", 0), VG_INTEL_FMT_AUTO);
}

/* Broken input: each must fail (or load) with a message naming the file,
 * never crash. */
typedef struct bad {
    const char *text;
    int rc;
    const char *err;    /* substring of errbuf when rc != VG_OK */
} bad_t;

static void
test_broken(void **state)
{
    (void)state;
    static const bad_t bads[] = {
        {"{\"type\": \"bundle\", \"objects\": [", VG_EINVAL, "bad.json:"},
        {"{\"type\": \"bundle\", \"objects\": 5}", VG_EINVAL, "not an array"},
        {"{\"objects\": []}", VG_EINVAL, "no 'type'"},
        {"{\"type\": \"indicator\", \"id\": \"indicator--1\", \"pattern\": 5}", VG_OK, NULL},
        {"{\"type\": \"indicator\", \"id\": 7, \"pattern\": \"[ipv4-addr:value = '1.2.3.4']\"}",
         VG_OK, NULL},
        {"{\"type\": \"bundle\", \"objects\": [1, \"x\", null, {\"type\": 3}]}", VG_OK, NULL},
        {"{\"type\": \"relationship\", \"id\": \"relationship--1\", \"source_ref\": 1}", VG_OK, NULL},
        {"{\"Event\": {\"Attribute\": 5}}", VG_OK, NULL},
        {"{\"Event\": {\"Attribute\": [5, {\"type\": 1}, {\"type\": \"ip-dst\", \"value\": []}]}}",
         VG_OK, NULL},
        {"{\"Event\": 3}", VG_EINVAL, "not a MISP event"},
        {"{\"response\": \"x\"}", VG_EINVAL, "neither a list"},
        {"[1, 2, [3]]", VG_OK, NULL},
        {"[{\"Event\": {\"Attribute\": [{\"type\": \"ip-dst\", \"value\": \"1.2.3.4\"}]", VG_EINVAL,
         "bad.json:"},
        {"#fields\tfoo\tbar\n", VG_EINVAL, "lacks 'indicator'"},
        {"#separator \\x09\nIntel::ADDR\t1.2.3.4\n", VG_EINVAL, "before the #fields"},
        {"#fields\tindicator\tindicator_type\n1.2.3.4\tIntel::ADDR\n1.2.3.4", VG_OK, NULL},
        {"plain text", VG_EINVAL, "unknown intel format"},
        {"", VG_EINVAL, "unknown intel format"},
    };
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        vg_intel_store_t *s = vg_intel_store_new();
        char err[512] = "";
        notes_t nt = {0};
        int rc = vg_intel_load_buf(s, "bad.json", bads[i].text, strlen(bads[i].text),
                                   VG_INTEL_FMT_AUTO, on_note, &nt, err, sizeof(err));
        if (rc != bads[i].rc)
            fail_msg("bad %zu: rc %d, expected %d (%s)", i, rc, bads[i].rc, err);
        if (bads[i].err && strstr(err, bads[i].err) == NULL)
            fail_msg("bad %zu: error '%s' lacks '%s'", i, err, bads[i].err);
        if (rc != VG_OK)
            assert_non_null(strstr(err, "bad.json"));
        assert_int_equal(vg_intel_store_freeze(s), VG_OK);
        vg_intel_store_free(s);
    }
}

static void
test_huge_and_deep(void **state)
{
    (void)state;
    /* a 1 MB domain string: refused as invalid, noted with the id, no crash */
    size_t L = 1 << 20;
    char *big = malloc(L + 256);
    int o = sprintf(big, "{\"type\": \"indicator\", \"id\": \"indicator--big\", \"pattern\": "
                         "\"[domain-name:value = '");
    memset(big + o, 'a', L);
    o += (int)L;
    o += sprintf(big + o, "']\"}");
    vg_intel_store_t *s = vg_intel_store_new();
    char err[512];
    notes_t nt = {0};
    assert_int_equal(vg_intel_load_buf(s, "big.json", big, (size_t)o, VG_INTEL_FMT_AUTO, on_note,
                                       &nt, err, sizeof(err)), VG_OK);
    assert_int_equal(vg_intel_store_report(s)->patterns_unsupported, 1); /* over max-pattern-length */
    assert_non_null(strstr(nt.last, "big.json: indicator--big: unsupported: pattern of"));
    vg_intel_store_free(s);
    free(big);

    /* deep JSON nesting: jansson refuses it; we say so */
    size_t D = 100000;
    char *deep = malloc(2 * D + 1);
    memset(deep, '[', D);
    memset(deep + D, ']', D);
    deep[2 * D] = 0;
    s = vg_intel_store_new();
    assert_int_not_equal(vg_intel_load_buf(s, "deep.json", deep, 2 * D, VG_INTEL_FMT_AUTO, NULL,
                                           NULL, err, sizeof(err)), VG_OK);
    assert_non_null(strstr(err, "deep.json"));
    vg_intel_store_free(s);
    free(deep);

    /* file size limit */
    s = vg_intel_store_new();
    vg_limits_t lim;
    vg_limits_defaults(&lim);
    lim.intel_max_file_bytes = 100;
    vg_intel_store_set_limits(s, &lim);
    assert_int_equal(vg_intel_load_file(s, DATA "small.stix.json", VG_INTEL_FMT_AUTO, NULL, NULL,
                                        err, sizeof(err)), VG_EINVAL);
    assert_non_null(strstr(err, "intel.max-file-size"));
    vg_intel_store_free(s);

    /* indicator limit */
    s = vg_intel_store_new();
    vg_limits_defaults(&lim);
    lim.intel_max_indicators = 3;
    vg_intel_store_set_limits(s, &lim);
    assert_int_equal(vg_intel_load_file(s, DATA "small.stix.json", VG_INTEL_FMT_AUTO, NULL, NULL,
                                        err, sizeof(err)), VG_EINVAL);
    assert_non_null(strstr(err, "intel.max-indicators"));
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    assert_int_equal(vg_intel_store_count(s), 3);
    vg_intel_store_free(s);

    /* truncated copies of every fixture: error or partial load, never a crash */
    const char *files[] = {DATA "small.stix.json", DATA "small.misp.json", DATA "small.intel.dat",
                           DATA "small.stix.jsonl"};
    for (size_t f = 0; f < 4; f++) {
        FILE *fp = fopen(files[f], "rb");
        assert_non_null(fp);
        char buf[16384];
        size_t n = fread(buf, 1, sizeof(buf), fp);
        fclose(fp);
        for (size_t cut = 0; cut < n; cut += 37) {
            s = vg_intel_store_new();
            int rc = vg_intel_load_buf(s, "cut", buf, cut, VG_INTEL_FMT_AUTO, NULL, NULL, err,
                                       sizeof(err));
            if (rc != VG_OK)
                assert_non_null(strstr(err, "cut"));
            assert_int_equal(vg_intel_store_freeze(s), VG_OK);
            vg_intel_store_free(s);
        }
    }
    /* a missing file */
    s = vg_intel_store_new();
    assert_int_equal(vg_intel_load_file(s, DATA "nope.json", VG_INTEL_FMT_AUTO, NULL, NULL, err,
                                        sizeof(err)), VG_EIO);
    assert_non_null(strstr(err, "nope.json"));
    vg_intel_store_free(s);
}

static void
test_stix_array(void **state)
{
    (void)state;
    const char *t = "[{\"type\": \"indicator\", \"id\": \"indicator--arr\", \"pattern\": "
                    "\"[domain-name:value = 'arr.example']\"}, {\"type\": \"intrusion-set\", "
                    "\"id\": \"intrusion-set--arr\", \"name\": \"ArrActor\"}, "
                    "{\"type\": \"relationship\", \"id\": \"relationship--arr\", "
                    "\"relationship_type\": \"indicates\", \"source_ref\": \"indicator--arr\", "
                    "\"target_ref\": \"intrusion-set--arr\"}]";
    vg_intel_store_t *s = vg_intel_store_new();
    char err[256];
    assert_int_equal(vg_intel_load_buf(s, "arr.json", t, strlen(t), VG_INTEL_FMT_AUTO, NULL, NULL,
                                       err, sizeof(err)), VG_OK);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    assert_int_equal(vg_intel_store_report(s)->last_format, VG_INTEL_FMT_STIX);
    const vg_indicator_t *d = one(s, VG_IOC_DOMAIN, "arr.example");
    assert_int_equal(d->n_actors, 1);
    assert_string_equal(d->actors[0].name, "ArrActor");
    vg_intel_store_free(s);
}

static void
test_duplicates_across_files(void **state)
{
    (void)state;
    vg_intel_store_t *s = vg_intel_store_new();
    char err[512];
    for (int i = 0; i < 2; i++)
        assert_int_equal(vg_intel_load_file(s, DATA "small.stix20.json", VG_INTEL_FMT_AUTO, NULL,
                                            NULL, err, sizeof(err)), VG_OK);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    assert_int_equal(vg_intel_store_count(s), 2);
    assert_int_equal(vg_intel_store_report(s)->indicators_skipped_dup, 2);
    assert_int_equal(count(s, VG_IOC_DOMAIN, "legacy.example"), 1);
    vg_intel_store_free(s);
}

/* ---- the shared intel pack ---- */

static bool
shared_present(void)
{
    if (access(SHARED "iocs.json", R_OK) == 0)
        return true;
    print_message("SKIP: %s not present\n", SHARED);
    return false;
}

static void
test_shared_iocs(void **state)
{
    (void)state;
    if (!shared_present()) {
        skip();
        return;
    }
    notes_t nt = {0};
    char err[512];
    vg_intel_store_t *s = load(SHARED "iocs.json", VG_OK, &nt, err, sizeof(err));
    const vg_intel_load_report_t *r = vg_intel_store_report(s);
    assert_int_equal(r->objects_seen, 12537);
    assert_int_equal(r->objects_by_type[0], 6254);
    assert_int_equal(r->objects_by_type[1], 6260);
    assert_int_equal(vg_intel_store_count(s), 6254);
    assert_int_equal(r->indicators_with_port, 854);
    assert_int_equal(r->patterns_unsupported, 0);
    assert_int_equal(nt.n, 0);
    assert_int_equal(r->indicators_with_actors, 6254);
    assert_int_equal(r->actor_links, 6260);
    assert_int_equal(r->actors_named, 7);
    /* the six double-claimed indicators (README section 4.1) */
    static const struct { const char *d, *a, *b; } dbl[] = {
        {"powerpolymerindustry.com", "APT29", "APT28"}, {"varuhusmc.org", "APT29", "APT28"},
        {"ministernetwork.org", "APT29", "APT28"},      {"esetsmart.org", "APT28", "Sandworm Team"},
        {"um10eset.net", "APT28", "Sandworm Team"},     {"systeminfor.com", "APT32", "Mustang Panda"},
    };
    size_t two = 0;
    for (size_t i = 0; i < vg_intel_store_count(s); i++)
        if (vg_intel_store_get(s, i)->n_actors == 2)
            two++;
    assert_int_equal(two, 6);
    for (size_t i = 0; i < 6; i++) {
        const vg_indicator_t *d = one(s, VG_IOC_DOMAIN, dbl[i].d);
        assert_int_equal(d->n_actors, 2);
        if (!have_actor(d, dbl[i].a) || !have_actor(d, dbl[i].b))
            fail_msg("%s: actors %s / %s", dbl[i].d, d->actors[0].name, d->actors[1].name);
    }
    /* a subdomain of an indicator matches through the parent walk */
    const vg_indicator_t *out[4];
    size_t n = vg_intel_match(s, VG_IOC_DOMAIN, "www.powerpolymerindustry.com.", 29, 0, out, 4);
    assert_int_equal(n, 1);
    /* SEKOIA indicators: source attribution and the 100 that expired on 2022-01-01 */
    {
        size_t sek = 0, expired = 0, with_until = 0;
        for (size_t i = 0; i < vg_intel_store_count(s); i++) {
            const vg_indicator_t *d = vg_intel_store_get(s, i);
            assert_non_null(d->source);
            if (strcmp(d->source, "SEKOIA.IO") == 0)
                sek++;
            if (d->valid_until)
                with_until++;
            if (vg_indicator_expired(d, 1700000000LL * 1000000))
                expired++;
        }
        /* 96 expired on 2022-01-01, 4 file hashes are valid until 2026-11-07 */
        assert_int_equal(with_until, 100);
        assert_int_equal(expired, 96);
        assert_true(sek >= 100);
    }
    vg_intel_store_free(s);
}

static void
test_shared_samples(void **state)
{
    (void)state;
    if (!shared_present()) {
        skip();
        return;
    }
    static const struct {
        const char *path;
        size_t loaded, unsupported, with_actors;
        vg_intel_format_t fmt;
    } smp[] = {
        {"samples/stix21/sekoia/2021-11-10_APT31_STIX2.jsonl", 106, 2, 106, VG_INTEL_FMT_STIX},
        {"samples/stix21/oasis-cti-stix2-json-schemas/apt1.json", 10, 2, 7, VG_INTEL_FMT_STIX},
        {"samples/stix21/oasis-cti-stix2-json-schemas/poisonivy.json", 64, 2, 57, VG_INTEL_FMT_STIX},
        {"samples/stix21/oasis-cti-stix2-json-schemas/indicator-to-campaign-relationship.json", 1,
         0, 1, VG_INTEL_FMT_STIX},
        {"samples/stix21/oasis-cti-stix2-json-schemas/malicious-email-indicator-with-attachment.json",
         0, 2, 0, VG_INTEL_FMT_STIX},
        {"samples/stix21/oasis-cti-stix2-json-schemas/interop-objectmarking-test.json", 0, 0, 0,
         VG_INTEL_FMT_STIX},
        {"samples/stix20/unit42/2024-03-25-Playful-Taurus-Mistake-in-2022.json", 5, 0, 0,
         VG_INTEL_FMT_STIX},
        {"samples/misp/eset/sednit_2019-05-23_Zebrocy.misp.json", 11, 0, 11, VG_INTEL_FMT_MISP},
        {"samples/misp/eset/sednit_2017-05-09_Trump_Attack_on_Syria.misp.json", 15, 0, 15,
         VG_INTEL_FMT_MISP},
        {"attack-enterprise.json", 0, 0, 0, VG_INTEL_FMT_STIX},
    };
    for (size_t i = 0; i < sizeof(smp) / sizeof(smp[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s%s", SHARED, smp[i].path);
        notes_t nt = {0};
        char err[512];
        vg_intel_store_t *s = load(path, VG_OK, &nt, err, sizeof(err));
        const vg_intel_load_report_t *r = vg_intel_store_report(s);
        if (vg_intel_store_count(s) != smp[i].loaded || r->patterns_unsupported != smp[i].unsupported ||
            r->indicators_with_actors != smp[i].with_actors || r->last_format != smp[i].fmt)
            fail_msg("%s: loaded %zu unsupported %zu with actors %zu fmt %d", smp[i].path,
                     vg_intel_store_count(s), r->patterns_unsupported, r->indicators_with_actors,
                     r->last_format);
        vg_intel_store_free(s);
    }
    /* details: MISP galaxy tag -> actor; ATT&CK objects counted */
    notes_t nt = {0};
    char err[512];
    vg_intel_store_t *s =
        load(SHARED "samples/misp/eset/sednit_2019-05-23_Zebrocy.misp.json", VG_OK, &nt, err,
             sizeof(err));
    const vg_indicator_t *d = vg_intel_store_get(s, 0);
    assert_string_equal(d->source, "ESET");
    assert_string_equal(d->actors[0].name, "Sofacy");
    vg_intel_store_free(s);
    s = load(SHARED "attack-enterprise.json", VG_OK, &nt, err, sizeof(err));
    assert_int_equal(vg_intel_store_report(s)->objects_seen, 19486);
    assert_int_equal(vg_intel_store_report(s)->objects_by_type[1], 17770);
    assert_int_equal(vg_intel_store_report(s)->objects_by_type[2], 172);
    vg_intel_store_free(s);
}

/* Write `text` to a temp file; returns its path (static buffer). */
static const char *
write_tmp(const char *text, size_t len)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/vg-intel-big-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

/* Same indicators, report and error from the file (a Zeek file over one
 * read chunk is parsed chunk by chunk) as from the buffer (one pass). */
static void
check_file_vs_buf(const char *text, size_t len, int want_rc)
{
    const char *path = write_tmp(text, len);
    char err1[512] = "", err2[512] = "";
    vg_intel_store_t *a = vg_intel_store_new(), *b = vg_intel_store_new();
    int rc1 = vg_intel_load_file(a, path, VG_INTEL_FMT_AUTO, NULL, NULL, err1, sizeof(err1));
    int rc2 = vg_intel_load_buf(b, path, text, len, VG_INTEL_FMT_AUTO, NULL, NULL, err2,
                                sizeof(err2));
    unlink(path);
    assert_int_equal(rc1, want_rc);
    assert_int_equal(rc2, want_rc);
    assert_string_equal(err1, err2);
    assert_int_equal(vg_intel_store_freeze(a), VG_OK);
    assert_int_equal(vg_intel_store_freeze(b), VG_OK);
    assert_int_equal(vg_intel_store_count(a), vg_intel_store_count(b));
    assert_memory_equal(vg_intel_store_report(a), vg_intel_store_report(b),
                        sizeof(vg_intel_load_report_t));
    for (size_t i = 0; i < vg_intel_store_count(a); i++) {
        const vg_indicator_t *x = vg_intel_store_get(a, i), *y = vg_intel_store_get(b, i);
        assert_string_equal(x->id, y->id);
        assert_string_equal(x->value, y->value);
        assert_int_equal(x->type, y->type);
        assert_string_equal(x->description, y->description);
    }
    vg_intel_store_free(a);
    vg_intel_store_free(b);
}

static void
test_zeek_big_file(void **state)
{
    (void)state;
    /* ~6.5 MB: more than one 4 MB read chunk, CRLF on every third line so
     * line ends straddle the chunk boundary in both forms */
    size_t cap = 16u << 20, o = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    o += (size_t)snprintf(t, cap, "# comment\n#fields\tindicator\tindicator_type\tmeta.desc\n");
    for (unsigned i = 0; i < 160000; i++)
        o += (size_t)snprintf(t + o, cap - o, "10.%u.%u.%u\tIntel::ADDR\td\\x41 %u%s", i >> 16,
                              (i >> 8) & 255, i & 255, i, i % 3 ? "\n" : "\r\n");
    size_t body = o;
    check_file_vs_buf(t, o, VG_OK);
    check_file_vs_buf(t, o - 1, VG_OK); /* no final line end */
    /* a line longer than a whole chunk: the same error, with its length */
    memset(t + o, 'x', 5u << 20);
    o += 5u << 20;
    o += (size_t)snprintf(t + o, cap - o, "\tIntel::URL\td\r\n1.2.3.4\tIntel::ADDR\td\n");
    check_file_vs_buf(t, o, VG_EINVAL);
    /* over-long last line without a line end, ending in CR */
    o = body + (5u << 20);
    t[o++] = '\r';
    check_file_vs_buf(t, o, VG_EINVAL);
    free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_prefix_edges),
        cmocka_unit_test(test_stix_fixture),
        cmocka_unit_test(test_skip_expired),
        cmocka_unit_test(test_stix20_and_lines),
        cmocka_unit_test(test_misp_fixture),
        cmocka_unit_test(test_zeek_fixture),
        cmocka_unit_test(test_zeek_big_file),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_huge_and_deep),
        cmocka_unit_test(test_stix_array),
        cmocka_unit_test(test_duplicates_across_files),
        cmocka_unit_test(test_shared_iocs),
        cmocka_unit_test(test_shared_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
