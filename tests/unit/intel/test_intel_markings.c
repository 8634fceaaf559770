/* test_intel_markings.c - marking definitions: STIX TLP 1.0 / 2.0 ids,
 * included TLP and statement definitions (also from a second file),
 * unresolvable refs; MISP tlp:* tags on events and attributes; the EVE
 * intel record's "tlp" and "markings"; the shared iocs.json (skipped when
 * ../shared is absent). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "intel/intel_int.h"
#include "output/output_eve_intel.h"
#include "vg_config.h"

#define SHARED VG_SOURCE_ROOT "/../shared/intel/"

#define TLP1_WHITE "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
#define TLP1_GREEN "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
#define TLP1_AMBER "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
#define TLP1_RED "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
#define TLP2_AMBER_STRICT "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define MY_TLP "marking-definition--11111111-1111-4111-8111-111111111111"
#define MY_STMT "marking-definition--22222222-2222-4222-8222-222222222222"
#define OTHER_STMT "marking-definition--33333333-3333-4333-8333-333333333333"
#define MY_TLP2 "marking-definition--44444444-4444-4444-8444-444444444444"
#define NOWHERE "marking-definition--55555555-5555-4555-8555-555555555555"

static void
load_str(vg_intel_store_t *s, const char *name, const char *doc)
{
    char err[512];
    int rc = vg_intel_load_buf(s, name, doc, strlen(doc), VG_INTEL_FMT_AUTO, NULL, NULL, err,
                               sizeof(err));
    if (rc != VG_OK)
        fail_msg("%s: rc %d: %s", name, rc, err);
}

/* The one indicator for domain `d`. */
static const vg_indicator_t *
dom(const vg_intel_store_t *s, const char *d)
{
    const vg_indicator_t *out[4];
    size_t n = vg_intel_match(s, VG_IOC_DOMAIN, d, strlen(d), 0, out, 4);
    if (n != 1)
        fail_msg("%s: %zu matches", d, n);
    return out[0];
}

static bool
has_marking(const vg_indicator_t *d, const char *text)
{
    for (size_t i = 0; i < d->n_markings; i++)
        if (strcmp(d->markings[i], text) == 0)
            return true;
    return false;
}

#define IND(dom, refs)                                                                    \
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--" dom "\","    \
    "\"pattern_type\":\"stix\",\"pattern\":\"[domain-name:value = '" dom "']\","          \
    "\"valid_from\":\"2020-01-01T00:00:00Z\",\"object_marking_refs\":[" refs "]}"

static const char stix_main[] =
    "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
    IND("white.example", "\"" TLP1_WHITE "\"") ","
    IND("green.example", "\"" TLP1_GREEN "\"") ","
    IND("amber-red.example", "\"" TLP1_AMBER "\",\"" TLP1_RED "\"") ","
    IND("strict.example", "\"" TLP1_GREEN "\",\"" TLP2_AMBER_STRICT "\"") ","
    IND("mytlp.example", "\"" MY_TLP "\"") ","
    IND("mytlp2.example", "\"" MY_TLP2 "\"") ","
    IND("stmt.example", "\"" TLP1_WHITE "\",\"" MY_STMT "\",\"" MY_STMT "\"") ","
    IND("other-file.example", "\"" OTHER_STMT "\",\"" MY_STMT "\"") ","
    IND("nowhere.example", "\"" NOWHERE "\",\"" TLP1_GREEN "\"") ","
    IND("unmarked.example", "") ","
    /* a TLP 1.0 object with a non-standard id */
    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" MY_TLP "\","
    "\"created\":\"2020-01-01T00:00:00Z\",\"definition_type\":\"tlp\",\"name\":\"TLP:AMBER\","
    "\"definition\":{\"tlp\":\"amber\"}},"
    /* a TLP 2.0 extension-style object with a non-standard id */
    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" MY_TLP2 "\","
    "\"created\":\"2022-10-01T00:00:00Z\",\"name\":\"TLP:RED\",\"extensions\":{"
    "\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":{"
    "\"extension_type\":\"property-extension\",\"tlp_2_0\":\"red\"}}},"
    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" MY_STMT "\","
    "\"created\":\"2020-01-01T00:00:00Z\",\"definition_type\":\"statement\","
    "\"name\":\"source license: Example/feed\","
    "\"definition\":{\"statement\":\"IOCs by Example, MIT License\"}}]}";

/* loaded after stix_main: defines the statement stix_main refers to */
static const char stix_second[] =
    "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" OTHER_STMT "\","
    "\"created\":\"2020-01-01T00:00:00Z\",\"definition_type\":\"statement\","
    "\"definition\":{\"statement\":\"Copyright Other Corp.\"}}\n";

static void
test_stix_markings(void **state)
{
    (void)state;
    vg_intel_store_t *s = vg_intel_store_new();
    assert_non_null(s);
    load_str(s, "main.json", stix_main);
    load_str(s, "second.jsonl", stix_second);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    const vg_intel_load_report_t *r = vg_intel_store_report(s);

    assert_int_equal(dom(s, "white.example")->tlp, VG_TLP_CLEAR);
    assert_int_equal(dom(s, "green.example")->tlp, VG_TLP_GREEN);
    assert_int_equal(dom(s, "amber-red.example")->tlp, VG_TLP_RED);
    assert_int_equal(dom(s, "strict.example")->tlp, VG_TLP_AMBER_STRICT);
    assert_int_equal(dom(s, "mytlp.example")->tlp, VG_TLP_AMBER);
    assert_int_equal(dom(s, "mytlp2.example")->tlp, VG_TLP_RED);
    assert_int_equal(dom(s, "unmarked.example")->tlp, VG_TLP_NONE);
    assert_int_equal(dom(s, "unmarked.example")->n_markings, 0);
    assert_null(dom(s, "unmarked.example")->markings);
    assert_int_equal(dom(s, "green.example")->n_markings, 0);

    /* statement: "name: statement", listed twice, kept once */
    const vg_indicator_t *d = dom(s, "stmt.example");
    assert_int_equal(d->tlp, VG_TLP_CLEAR);
    assert_int_equal(d->n_markings, 1);
    assert_string_equal(d->markings[0], "source license: Example/feed: IOCs by Example, MIT License");

    /* a statement defined in the second file; no TLP */
    d = dom(s, "other-file.example");
    assert_int_equal(d->tlp, VG_TLP_NONE);
    assert_int_equal(d->n_markings, 2);
    assert_true(has_marking(d, "Copyright Other Corp."));
    assert_true(has_marking(d, "source license: Example/feed: IOCs by Example, MIT License"));
    /* the same text is one copy shared by both indicators */
    const vg_indicator_t *e = dom(s, "stmt.example");
    assert_ptr_equal(e->markings[0], d->markings[1]); /* listed second there */

    /* an id that resolves to nothing: counted, the rest still applies */
    d = dom(s, "nowhere.example");
    assert_int_equal(d->tlp, VG_TLP_GREEN);
    assert_int_equal(d->n_markings, 0);
    assert_int_equal(r->markings_unresolved, 1);
    assert_int_equal(r->errors, 0);
    assert_int_equal(vg_intel_store_count(s), 10);

    assert_int_equal(r->indicators_by_tlp[VG_TLP_NONE], 2);
    assert_int_equal(r->indicators_by_tlp[VG_TLP_CLEAR], 2);
    assert_int_equal(r->indicators_by_tlp[VG_TLP_GREEN], 2);
    assert_int_equal(r->indicators_by_tlp[VG_TLP_AMBER], 1);
    assert_int_equal(r->indicators_by_tlp[VG_TLP_AMBER_STRICT], 1);
    assert_int_equal(r->indicators_by_tlp[VG_TLP_RED], 2);
    vg_intel_store_free(s);
}

/* Without the second file the statement it defines is unresolved. */
static void
test_stix_marking_missing_file(void **state)
{
    (void)state;
    vg_intel_store_t *s = vg_intel_store_new();
    load_str(s, "main.json", stix_main);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    const vg_intel_load_report_t *r = vg_intel_store_report(s);
    assert_int_equal(r->markings_unresolved, 2);
    const vg_indicator_t *d = dom(s, "other-file.example");
    assert_int_equal(d->n_markings, 1);
    vg_intel_store_free(s);
}

/* An OR pattern's indicators all carry the object's markings; more than
 * VG_INTEL_MAX_MARKINGS statements are bounded; a long statement is cut
 * on a UTF-8 boundary. STIX 2.0 works the same way. */
static void
test_stix_marking_bounds(void **state)
{
    (void)state;
    char big[2048];
    size_t o = (size_t)snprintf(big, sizeof(big),
                                "{\"type\":\"bundle\",\"id\":\"bundle--2\",\"spec_version\":\"2.0\","
                                "\"objects\":[{\"type\":\"indicator\",\"id\":\"indicator--or\","
                                "\"labels\":[\"malicious-activity\"],\"pattern\":\"[domain-name:value"
                                " = 'a.example'] OR [domain-name:value = 'b.example']\","
                                "\"valid_from\":\"2020-01-01T00:00:00Z\",\"object_marking_refs\":[");
    for (int i = 0; i < 6; i++)
        o += (size_t)snprintf(big + o, sizeof(big) - o, "%s\"marking-definition--s%d\"",
                              i ? "," : "", i);
    o += (size_t)snprintf(big + o, sizeof(big) - o, ",\"" TLP1_AMBER "\"]}");
    for (int i = 0; i < 6; i++)
        o += (size_t)snprintf(big + o, sizeof(big) - o,
                              ",{\"type\":\"marking-definition\",\"id\":\"marking-definition--s%d\","
                              "\"created\":\"2017-01-20T00:00:00.000Z\",\"definition_type\":"
                              "\"statement\",\"definition\":{\"statement\":\"Statement %d\"}}",
                              i, i);
    snprintf(big + o, sizeof(big) - o, "]}");
    vg_intel_store_t *s = vg_intel_store_new();
    load_str(s, "bounds.json", big);

    /* one statement of 1000 x "é" (2 bytes each) */
    char *lng = malloc(4096);
    assert_non_null(lng);
    size_t k = (size_t)snprintf(lng, 4096,
                                "{\"type\":\"indicator\",\"id\":\"indicator--long\",\"pattern\":"
                                "\"[domain-name:value = 'long.example']\",\"valid_from\":"
                                "\"2020-01-01T00:00:00Z\",\"object_marking_refs\":["
                                "\"marking-definition--long\"]}\n{\"type\":\"marking-definition\","
                                "\"id\":\"marking-definition--long\",\"definition_type\":"
                                "\"statement\",\"definition\":{\"statement\":\"x");
    for (int i = 0; i < 1000; i++) {
        lng[k++] = (char)0xc3;
        lng[k++] = (char)0xa9;
    }
    snprintf(lng + k, 4096 - k, "\"}}\n");
    load_str(s, "long.jsonl", lng);
    free(lng);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);

    const vg_indicator_t *a = dom(s, "a.example"), *b = dom(s, "b.example");
    assert_int_equal(a->tlp, VG_TLP_AMBER);
    assert_int_equal(b->tlp, VG_TLP_AMBER);
    assert_int_equal(a->n_markings, VG_INTEL_MAX_MARKINGS);
    assert_ptr_equal(a->markings, b->markings); /* one shared set */
    assert_string_equal(a->markings[0], "Statement 0");
    assert_int_equal(vg_intel_store_report(s)->markings_dropped, 2);

    const vg_indicator_t *l = dom(s, "long.example");
    assert_int_equal(l->n_markings, 1);
    size_t n = strlen(l->markings[0]);
    assert_true(n <= VG_INTEL_MARKING_MAX && n >= VG_INTEL_MARKING_MAX - 1);
    /* "x" then whole 2-byte sequences only */
    assert_int_equal((n - 1) % 2, 0);
    assert_int_equal((unsigned char)l->markings[0][n - 1], 0xa9);
    vg_intel_store_free(s);
}

static const char misp_doc[] =
    "{\"Event\":{\"info\":\"ev\",\"Orgc\":{\"name\":\"Org\"},"
    "\"Tag\":[{\"name\":\"tlp:green\"},{\"name\":\"red\"},{\"name\":\"misp:tool=x\"}],"
    "\"Attribute\":["
    "{\"uuid\":\"a1\",\"type\":\"domain\",\"value\":\"ev-only.example\",\"to_ids\":true},"
    "{\"uuid\":\"a2\",\"type\":\"domain\",\"value\":\"attr-amber.example\",\"to_ids\":true,"
    "\"Tag\":[{\"name\":\"TLP:AMBER\"}]},"
    "{\"uuid\":\"a3\",\"type\":\"domain\",\"value\":\"attr-white.example\",\"to_ids\":true,"
    "\"Tag\":[{\"name\":\"tlp:white\"}]}],"
    "\"Object\":[{\"name\":\"domain-ip\",\"Attribute\":["
    "{\"uuid\":\"a4\",\"type\":\"domain\",\"value\":\"obj-red.example\",\"to_ids\":true,"
    "\"Tag\":[{\"name\":\"tlp:red\"}]},"
    "{\"uuid\":\"a5\",\"type\":\"domain\",\"value\":\"obj-plain.example\",\"to_ids\":true}]}]}}";

static const char misp_untagged[] =
    "{\"Event\":{\"info\":\"ev2\",\"Attribute\":["
    "{\"uuid\":\"b1\",\"type\":\"domain\",\"value\":\"untagged.example\"},"
    "{\"uuid\":\"b2\",\"type\":\"domain\",\"value\":\"strict.example\","
    "\"Tag\":[{\"name\":\"tlp:amber+strict\"}]}]}}";

static void
test_misp_tlp(void **state)
{
    (void)state;
    vg_intel_store_t *s = vg_intel_store_new();
    load_str(s, "ev.json", misp_doc);
    load_str(s, "ev2.json", misp_untagged);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    assert_int_equal(dom(s, "ev-only.example")->tlp, VG_TLP_GREEN); /* "red" is no TLP tag */
    assert_int_equal(dom(s, "attr-amber.example")->tlp, VG_TLP_AMBER);
    assert_int_equal(dom(s, "attr-white.example")->tlp, VG_TLP_GREEN); /* event's is stricter */
    assert_int_equal(dom(s, "obj-red.example")->tlp, VG_TLP_RED);
    assert_int_equal(dom(s, "obj-plain.example")->tlp, VG_TLP_GREEN);
    assert_int_equal(dom(s, "untagged.example")->tlp, VG_TLP_NONE);
    assert_int_equal(dom(s, "strict.example")->tlp, VG_TLP_AMBER_STRICT);
    assert_int_equal(dom(s, "obj-red.example")->n_markings, 0);
    vg_intel_store_free(s);
}

/* The intel object of an EVE record as parsed JSON. */
static json_t *
eve_intel(const vg_indicator_t *d)
{
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);
    vg_jw_open_object(&jw, NULL);
    vg_eve_intel_object(&jw, d, "dns.query", d->value);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    json_error_t je;
    json_t *root = json_loadb(jw.buf, jw.len, 0, &je);
    if (root == NULL)
        fail_msg("EVE not JSON: %s: %.*s", je.text, (int)jw.len, jw.buf);
    vg_jw_fini(&jw);
    json_t *in = json_incref(json_object_get(root, "intel"));
    json_decref(root);
    assert_non_null(in);
    return in;
}

static void
test_eve_fields(void **state)
{
    (void)state;
    vg_intel_store_t *s = vg_intel_store_new();
    load_str(s, "main.json", stix_main);
    load_str(s, "second.jsonl", stix_second);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);

    json_t *in = eve_intel(dom(s, "stmt.example"));
    assert_string_equal(json_string_value(json_object_get(in, "tlp")), "TLP:CLEAR");
    json_t *m = json_object_get(in, "markings");
    assert_true(json_is_array(m));
    assert_int_equal(json_array_size(m), 1);
    assert_string_equal(json_string_value(json_array_get(m, 0)),
                        "source license: Example/feed: IOCs by Example, MIT License");
    json_decref(in);

    in = eve_intel(dom(s, "strict.example"));
    assert_string_equal(json_string_value(json_object_get(in, "tlp")), "TLP:AMBER+STRICT");
    assert_null(json_object_get(in, "markings"));
    json_decref(in);

    in = eve_intel(dom(s, "unmarked.example"));
    assert_null(json_object_get(in, "tlp"));
    assert_null(json_object_get(in, "markings"));
    json_decref(in);
    vg_intel_store_free(s);
}

static void
test_shared_iocs_markings(void **state)
{
    (void)state;
    if (access(SHARED "iocs.json", R_OK) != 0) {
        print_message("SKIP: %s not present\n", SHARED "iocs.json");
        skip();
        return;
    }
    vg_intel_store_t *s = vg_intel_store_new();
    char err[512];
    assert_int_equal(vg_intel_load_file(s, SHARED "iocs.json", VG_INTEL_FMT_AUTO, NULL, NULL, err,
                                        sizeof(err)),
                     VG_OK);
    assert_int_equal(vg_intel_store_freeze(s), VG_OK);
    const vg_intel_load_report_t *r = vg_intel_store_report(s);
    size_t n = vg_intel_store_count(s);
    assert_int_equal(n, 6254);
    /* every indicator references the TLP:WHITE id and one to three licences */
    assert_int_equal(r->indicators_by_tlp[VG_TLP_CLEAR], n);
    assert_int_equal(r->markings_unresolved, 0);
    size_t maltrail = 0;
    for (size_t i = 0; i < n; i++) {
        const vg_indicator_t *d = vg_intel_store_get(s, i);
        assert_int_equal(d->tlp, VG_TLP_CLEAR);
        assert_true(d->n_markings >= 1 && d->n_markings <= 3);
        for (size_t k = 0; k < d->n_markings; k++) {
            assert_true(strncmp(d->markings[k], "source license: ", 16) == 0);
            maltrail += strncmp(d->markings[k], "source license: stamparm/maltrail: ", 35) == 0;
        }
    }
    assert_int_equal(maltrail, 5081);
    /* a maltrail-only trail */
    const vg_indicator_t *d = dom(s, "wshnews.com");
    assert_int_equal(d->n_markings, 1);
    assert_true(strstr(d->markings[0], "source license: stamparm/maltrail: ") == d->markings[0]);
    assert_non_null(strstr(d->markings[0], "MIT License"));
    /* SEKOIA's indicators carry the DRL 1.1 statement */
    d = dom(s, "api.ontracting.com");
    assert_int_equal(d->n_markings, 1);
    assert_true(strncmp(d->markings[0], "source license: SEKOIA-IO/Community: ", 37) == 0);
    assert_non_null(strstr(d->markings[0], "Detection Rule License (DRL) 1.1"));
    /* three sources, three licences */
    d = dom(s, "avsvmcloud.com");
    assert_int_equal(d->n_markings, 3);
    vg_intel_store_free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stix_markings),
        cmocka_unit_test(test_stix_marking_missing_file),
        cmocka_unit_test(test_stix_marking_bounds),
        cmocka_unit_test(test_misp_tlp),
        cmocka_unit_test(test_eve_fields),
        cmocka_unit_test(test_shared_iocs_markings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
