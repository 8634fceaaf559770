/* Unit tests for attrib_report.c and attrib_stix_out.c: the text leads
 * with the judgement, the EVE record and the STIX bundle carry it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "test_attrib_common.h"

static json_t *eve_records;

static void
collect(void *user, const char *line, size_t len)
{
    (void)user;
    json_error_t err;
    json_t *o = json_loadb(line, len, 0, &err);
    assert_non_null(o);
    json_array_append_new(eve_records, o);
}

static void
feed(vg_attrib_engine_t *e, const char *s)
{
    vg_attrib_feed_eve(e, s, strlen(s));
}

static void
test_reports(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    char err[VG_ERRBUF_SIZE];
    /* sponsor claims (the file format of data/actor-sponsors.json) */
    char sp[] = "/tmp/vg-attrib-sponsors-XXXXXX";
    int fd = mkstemp(sp);
    assert_true(fd >= 0);
    const char *js = "{\"actors\":[{\"attack_id\":\"G9001\",\"country\":\"RU\","
                     "\"sponsor\":\"Test Unit 1\",\"curated\":false}]}";
    assert_int_equal(write(fd, js, strlen(js)), (ssize_t)strlen(js));
    close(fd);
    assert_int_equal(vg_attrib_kb_load_sponsors(kb, sp, err, sizeof(err)), VG_OK);
    unlink(sp);

    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    e->params.temperature = 1.0;
    /* incident 1: host 10.0.0.5, Alpha Group indicators + its software */
    feed(e, "{\"timestamp\":\"2022-03-01T10:00:00.000000+0000\",\"event_type\":\"dns\","
            "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"rrname\":\"alpha-c2.example\"}}");
    feed(e, "{\"timestamp\":\"2022-03-02T09:00:00.000000+0000\",\"event_type\":\"flow\","
            "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"198.51.100.7\",\"dest_port\":443}");
    feed(e, "{\"timestamp\":\"2022-03-01T20:00:00.000000+0000\",\"event_type\":\"alert\","
            "\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"198.51.100.7\",\"alert\":{\"signature\":\"x\","
            "\"metadata\":{\"malware_family\":[\"AlphaRAT\"],\"mitre_technique_id\":[\"T1572\"]}}}");
    /* incident 2 (later, other host): commodity only */
    feed(e, "{\"timestamp\":\"2022-04-01T10:00:00.000000+0000\",\"event_type\":\"alert\","
            "\"src_ip\":\"10.0.0.77\",\"dest_ip\":\"192.0.2.200\",\"alert\":{\"signature\":\"CS\","
            "\"metadata\":{\"malware_family\":[\"Cobalt Strike\"]}}}");

    char *text = NULL;
    size_t tlen = 0;
    FILE *mf = open_memstream(&text, &tlen);
    char stix[] = "/tmp/vg-attrib-stix-XXXXXX";
    fd = mkstemp(stix);
    close(fd);
    eve_records = json_array();
    assert_int_equal(vg_attrib_finish(e, collect, NULL, mf, stix), 2);
    fclose(mf);

    /* text: leads with the judgement, confidence in its own sentence */
    assert_true(strncmp(text, "Incident 1 (2022-03-01 … 2022-03-02, hosts 10.0.0.5): "
                              "Alpha Group (G9001) — ", 70) == 0);
    char *line2 = strchr(text, '\n') + 1;
    assert_true(strncmp(line2, "  Analytic confidence: ", 23) == 0);
    assert_non_null(strstr(text, "Also known as: Fancy Test, ALPHA BEAR."));
    assert_non_null(strstr(text, "Publicly associated with Russia (Test Unit 1)."));
    assert_non_null(strstr(text, "What would change the judgement:"));
    assert_non_null(strstr(text, " dB  software   software S9001 (AlphaRAT)"));
    char *inc2 = strstr(text, "Incident 2 (2022-04-01 … 2022-04-01, hosts 10.0.0.77): unknown actor");
    assert_non_null(inc2);

    /* EVE */
    assert_int_equal(json_array_size(eve_records), 2);
    json_t *r1 = json_array_get(eve_records, 0);
    assert_string_equal(json_string_value(json_object_get(r1, "event_type")), "attribution");
    json_t *a = json_object_get(r1, "attribution");
    assert_int_equal(json_integer_value(json_object_get(a, "incident_id")), 1);
    json_t *j = json_object_get(a, "judgement");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "actor"),
                                                          "attack_id")), "G9001");
    double p = json_real_value(json_object_get(j, "probability"));
    assert_string_equal(json_string_value(json_object_get(j, "likelihood")), attrib_icd_word(p));
    assert_int_equal(json_integer_value(json_object_get(j, "stix_confidence")),
                     attrib_stix_confidence(p));
    assert_string_equal(json_string_value(json_object_get(j, "sponsor")), "Test Unit 1");
    assert_true(json_array_size(json_object_get(a, "evidence")) >= 4);
    assert_string_equal(json_string_value(json_object_get(r1, "timestamp")),
                        "2022-03-01T10:00:00.000000+0000");
    json_t *j2 = json_object_get(json_object_get(json_array_get(eve_records, 1), "attribution"),
                                 "judgement");
    assert_true(json_is_null(json_object_get(j2, "actor")));
    assert_true(json_is_true(json_object_get(j2, "unknown")));

    /* STIX: identity, incidents, sightings of the two indicators, one attributed-to */
    json_error_t jerr;
    json_t *b = json_load_file(stix, 0, &jerr);
    assert_non_null(b);
    unlink(stix);
    size_t i, n_sight = 0, n_attr = 0, n_inc = 0, n_ident = 0;
    json_t *o;
    json_array_foreach(json_object_get(b, "objects"), i, o) {
        const char *t = json_string_value(json_object_get(o, "type"));
        assert_string_equal(json_string_value(json_object_get(o, "spec_version")), "2.1");
        if (strcmp(t, "sighting") == 0) {
            n_sight++;
            assert_true(strncmp(json_string_value(json_object_get(o, "sighting_of_ref")),
                                "indicator--", 11) == 0);
        } else if (strcmp(t, "relationship") == 0) {
            n_attr++;
            assert_string_equal(json_string_value(json_object_get(o, "relationship_type")),
                                "attributed-to");
            assert_string_equal(json_string_value(json_object_get(o, "target_ref")),
                                "intrusion-set--20000001-0000-4000-8000-000000000000");
            assert_int_equal(json_integer_value(json_object_get(o, "confidence")),
                             attrib_stix_confidence(p));
        } else if (strcmp(t, "incident") == 0) {
            n_inc++;
        } else if (strcmp(t, "identity") == 0) {
            n_ident++;
        }
    }
    assert_int_equal(n_sight, 2);
    assert_int_equal(n_attr, 1);
    assert_int_equal(n_inc, 2);
    assert_int_equal(n_ident, 1);
    json_decref(b);
    json_decref(eve_records);
    free(text);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_reports)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
