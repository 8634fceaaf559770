/* Unit tests for handling markings (TLP, statements) in attribution:
 * KB indicators' object_marking_refs, intel records' tlp/markings, their
 * propagation into units and incidents, the bounds, and the three outputs.
 * fixture_marks.json (on top of fixture_kb.json) marks indicators with the
 * well-known TLP 2.0 AMBER+STRICT id, a TLP 1.0 object (green), a TLP 2.0
 * extension object known only by its name (TLP:RED) and a statement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "test_attrib_common.h"

#define STMT_TEXT "Test IOCs (https://example.org/vendor-feed), CC-BY-4.0"

static vg_attrib_kb_t *
marks_kb(void)
{
    char err[VG_ERRBUF_SIZE];
    vg_attrib_kb_t *kb = vg_attrib_kb_new();
    assert_non_null(kb);
    if (vg_attrib_kb_load_stix(kb, ATTRIB_FIXTURE, err, sizeof(err)) != VG_OK ||
        vg_attrib_kb_load_stix(kb, ATTRIB_FIXTURE_MARKS, err, sizeof(err)) != VG_OK)
        fail_msg("fixture: %s", err);
    assert_int_equal(vg_attrib_kb_freeze(kb), VG_OK);
    return kb;
}

static void
feed(vg_attrib_engine_t *e, const char *s)
{
    vg_attrib_feed_eve(e, s, strlen(s));
}

static attrib_incident_t *
only_incident(vg_attrib_engine_t *e)
{
    attrib_incident_t *one = NULL;
    for (size_t i = 0; i < e->n_inc; i++) {
        if (e->inc[i].dead || e->inc[i].n_units == 0)
            continue;
        assert_null(one); /* exactly one live incident */
        one = &e->inc[i];
    }
    assert_non_null(one);
    return one;
}

static const attrib_ioc_t *
kb_ioc(const vg_attrib_kb_t *kb, const char *id)
{
    int32_t enc = attrib_map_get(&kb->by_stix, id);
    assert_true(enc >= 0 && ATTRIB_ENC_KIND(enc) == ATTRIB_K_IOC);
    return &kb->iocs[ATTRIB_ENC_IDX(enc)];
}

static bool
has_mark(const attrib_incident_t *inc, uint32_t marks, const char *text)
{
    for (size_t i = 0; i < inc->mtab->n; i++)
        if ((marks & (1u << i)) && strcmp(inc->mtab->text[i], text) == 0)
            return true;
    return false;
}

/* Every way a KB indicator names its TLP, resolved at freeze even when the
 * definitions come after the indicators. */
static void
test_kb_indicator_tlp(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = marks_kb();
    assert_int_equal(kb_ioc(kb, "indicator--5000a001-0000-4000-8000-000000000000")->tlp,
                     VG_TLP_AMBER_STRICT);
    assert_int_equal(kb_ioc(kb, "indicator--5000a002-0000-4000-8000-000000000000")->tlp,
                     VG_TLP_GREEN);
    /* by name; the other reference has no definition anywhere: no level */
    assert_int_equal(kb_ioc(kb, "indicator--5000a003-0000-4000-8000-000000000000")->tlp,
                     VG_TLP_RED);
    assert_int_equal(kb_ioc(kb, "indicator--5000a004-0000-4000-8000-000000000000")->tlp,
                     VG_TLP_NONE);
    assert_int_equal(kb_ioc(kb, "indicator--50000001-0000-4000-8000-000000000000")->tlp,
                     VG_TLP_NONE);
    const attrib_ioc_t *c = kb_ioc(kb, "indicator--5000a001-0000-4000-8000-000000000000");
    assert_int_equal(c->n_mdefs, 2);
    assert_string_equal(kb->mdefs[c->mdefs[1]].statement, STMT_TEXT);
    vg_attrib_kb_free(kb);
}

/* Offline path (Suricata EVE): a DNS record hitting the AMBER+STRICT
 * indicator gives a unit, and an incident, with that TLP and the
 * statement; an alert on the same host adds no marking. */
static void
test_offline_kb_marks(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = marks_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"dns\",\"src_ip\":"
            "\"10.1.1.1\",\"dest_ip\":\"10.1.1.53\",\"dns\":{\"rrname\":\"strict-c2.example\"}}");
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:05Z\",\"event_type\":\"alert\",\"src_ip\":"
            "\"10.1.1.1\",\"dest_ip\":\"192.0.2.1\",\"alert\":{\"metadata\":"
            "{\"mitre_technique_id\":[\"T1105\"]}}}");
    attrib_incident_t *inc = only_incident(e);
    assert_int_equal(inc->n_units, 2);
    for (size_t i = 0; i < inc->n_units; i++) {
        const attrib_unit_t *u = &inc->units[i];
        if (u->type == ATTRIB_EV_INDICATOR) {
            assert_int_equal(u->tlp, VG_TLP_AMBER_STRICT);
            assert_true(has_mark(inc, u->marks, STMT_TEXT));
        } else {
            assert_int_equal(u->tlp, VG_TLP_NONE);
            assert_int_equal(u->marks, 0);
        }
    }
    assert_int_equal(inc->tlp, VG_TLP_AMBER_STRICT);
    assert_true(has_mark(inc, inc->marks, STMT_TEXT));
    vg_attrib_engine_free(e);

    /* an unmarked indicator leaves everything unmarked */
    e = vg_attrib_engine_new(kb, NULL, NULL);
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"dns\",\"src_ip\":"
            "\"10.1.1.1\",\"dest_ip\":\"10.1.1.53\",\"dns\":{\"rrname\":\"plain-c2.example\"}}");
    inc = only_incident(e);
    assert_int_equal(inc->tlp, VG_TLP_NONE);
    assert_int_equal(inc->marks, 0);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

static void
intel_line(char *buf, size_t n, const char *ts, const char *iid, const char *value,
           const char *tlp, const char *markings)
{
    snprintf(buf, n,
             "{\"timestamp\":\"%s\",\"event_type\":\"intel\",\"src_ip\":\"10.2.2.2\","
             "\"dest_ip\":\"%s\",\"intel\":{\"indicator_id\":\"%s\",\"indicator_type\":\"ip\","
             "\"indicator\":\"%s\",\"seen\":{\"where\":\"flow.dest_ip\",\"value\":\"%s\"},"
             "\"source\":\"Feed\",\"actors\":[{\"name\":\"Alpha Group\"}]%s%s%s%s%s}}",
             ts, value, iid, value, value, tlp ? ",\"tlp\":\"" : "", tlp ? tlp : "",
             tlp ? "\"" : "", markings ? ",\"markings\":" : "", markings ? markings : "");
}

/* vigil intel records: a TLP:AMBER and a TLP:CLEAR record in one incident
 * make it TLP:AMBER; statements are unioned, each once; a unit merged from
 * a CLEAR and an AMBER sighting is AMBER. */
static void
test_intel_record_marks(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = marks_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    char line[1024];
    intel_line(line, sizeof(line), "2019-05-02T10:00:00Z", "indicator--aa", "192.0.2.10",
               "TLP:CLEAR", "[\"source license: A\",\"shared statement\"]");
    feed(e, line);
    intel_line(line, sizeof(line), "2019-05-02T10:01:00Z", "indicator--bb", "192.0.2.11",
               "TLP:AMBER", "[\"source license: B\",\"shared statement\",7]");
    feed(e, line);
    /* no markings at all: optional fields */
    intel_line(line, sizeof(line), "2019-05-02T10:02:00Z", "indicator--cc", "192.0.2.12", NULL,
               NULL);
    feed(e, line);
    attrib_incident_t *inc = only_incident(e);
    assert_int_equal(inc->n_units, 3);
    assert_int_equal(inc->units[0].tlp, VG_TLP_CLEAR);
    assert_int_equal(inc->units[1].tlp, VG_TLP_AMBER);
    assert_int_equal(inc->units[2].tlp, VG_TLP_NONE);
    assert_int_equal(inc->units[2].marks, 0);
    assert_int_equal(inc->tlp, VG_TLP_AMBER);
    assert_int_equal(__builtin_popcount(inc->marks), 3);
    assert_true(has_mark(inc, inc->marks, "source license: A"));
    assert_true(has_mark(inc, inc->marks, "source license: B"));
    assert_true(has_mark(inc, inc->marks, "shared statement"));
    assert_int_equal(e->marks.n, 3);

    /* the CLEAR indicator seen again under AMBER: the merged unit is AMBER */
    intel_line(line, sizeof(line), "2019-05-02T10:03:00Z", "indicator--aa", "192.0.2.10",
               "tlp:amber", NULL);
    feed(e, line);
    inc = only_incident(e);
    assert_int_equal(inc->n_units, 3);
    assert_int_equal(inc->units[0].count, 2);
    assert_int_equal(inc->units[0].tlp, VG_TLP_AMBER);
    /* wrong types and unknown levels are no markings, never fatal */
    intel_line(line, sizeof(line), "2019-05-02T10:04:00Z", "indicator--dd", "192.0.2.13",
               "TLP:EX:CHR", "{\"a\":1}");
    feed(e, line);
    inc = only_incident(e);
    assert_int_equal(inc->units[3].tlp, VG_TLP_NONE);
    assert_int_equal(inc->tlp, VG_TLP_AMBER);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

/* An intel record for a KB indicator: the record's and the KB's markings
 * both count (most restrictive TLP, union). */
static void
test_intel_record_kb_indicator(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = marks_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    char line[1024];
    intel_line(line, sizeof(line), "2019-05-02T10:00:00Z",
               "indicator--5000a002-0000-4000-8000-000000000000", "198.51.100.99", "TLP:CLEAR",
               "[\"record statement\"]");
    feed(e, line);
    attrib_incident_t *inc = only_incident(e);
    assert_int_equal(inc->units[0].tlp, VG_TLP_GREEN); /* KB: green > record: clear */
    assert_true(has_mark(inc, inc->marks, "record statement"));
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

/* Bounds: at most ATTRIB_MARKS_MAX distinct statements per engine (more are
 * counted), ATTRIB_MARKS_PER_INC per incident, each cut to
 * ATTRIB_MARK_LEN - 1 bytes. */
static void
test_marks_bounded(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = marks_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    char line[2048], marks[700], ip[32];
    for (int i = 0; i < 40; i++) {
        if (i == 0) {
            char big[600];
            memset(big, 'x', sizeof(big) - 1);
            big[sizeof(big) - 1] = '\0';
            snprintf(marks, sizeof(marks), "[\"%s\"]", big);
        } else {
            snprintf(marks, sizeof(marks), "[\"statement %d\"]", i);
        }
        snprintf(ip, sizeof(ip), "192.0.2.%d", 100 + i);
        char iid[32];
        snprintf(iid, sizeof(iid), "indicator--%d", i);
        intel_line(line, sizeof(line), "2019-05-02T10:00:00Z", iid, ip, "TLP:GREEN", marks);
        feed(e, line);
    }
    assert_int_equal(e->marks.n, ATTRIB_MARKS_MAX);
    assert_int_equal(e->marks.dropped, 40 - ATTRIB_MARKS_MAX);
    assert_int_equal(strlen(e->marks.text[0]), ATTRIB_MARK_LEN - 1);
    attrib_incident_t *inc = only_incident(e);
    assert_int_equal(__builtin_popcount(inc->marks), ATTRIB_MARKS_PER_INC);
    assert_int_equal(inc->tlp, VG_TLP_GREEN);
    assert_int_equal(attrib_marks_union(0xffu, 0xff00u), 0xffu);
    /* a cut never splits a UTF-8 sequence: 300 two-byte characters keep 127 */
    attrib_marks_t *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    char utf[601];
    for (int i = 0; i < 300; i++)
        memcpy(utf + 2 * i, "\xc3\xa9", 2);
    utf[600] = '\0';
    assert_int_equal(attrib_marks_intern(m, utf, 600), 1u);
    assert_int_equal(strlen(m->text[0]), 254);
    json_t *js = json_string(m->text[0]);
    assert_non_null(js); /* valid UTF-8 */
    json_decref(js);
    assert_int_equal(attrib_marks_intern(m, utf, 600), 1u); /* the same text again */
    assert_int_equal(attrib_marks_intern(m, "", 0), 0u);
    assert_int_equal(m->n, 1);
    free(m);
    assert_int_equal(attrib_marks_union(0x1u, 0x6u), 0x7u);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

typedef struct {
    char lines[4][8192];
    int n;
} eve_sink_t;

static void
sink(void *user, const char *line, size_t len)
{
    eve_sink_t *s = user;
    if (s->n < 4 && len < sizeof(s->lines[0])) {
        memcpy(s->lines[s->n], line, len);
        s->lines[s->n][len] = '\0';
        s->n++;
    }
}

/* The three outputs of an incident built from TLP:AMBER evidence (plus the
 * AMBER+STRICT KB indicator in a second incident: the report's banner is
 * the worst of all). */
static void
test_marked_outputs(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = marks_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    char line[1024];
    intel_line(line, sizeof(line), "2019-05-02T10:00:00Z", "indicator--aa", "192.0.2.10",
               "TLP:AMBER", "[\"source license: A\"]");
    feed(e, line);
    intel_line(line, sizeof(line), "2019-05-02T10:01:00Z", "indicator--bb", "192.0.2.11",
               "TLP:CLEAR", NULL);
    feed(e, line);
    feed(e, "{\"timestamp\":\"2019-06-02T10:00:00Z\",\"event_type\":\"dns\",\"src_ip\":"
            "\"10.9.9.9\",\"dest_ip\":\"10.9.9.53\",\"dns\":{\"rrname\":\"strict-c2.example\"}}");
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    assert_non_null(f);
    char stix[] = "/tmp/vg-attrib-marks-XXXXXX";
    int fd = mkstemp(stix);
    assert_true(fd >= 0);
    close(fd);
    eve_sink_t s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(vg_attrib_finish(e, sink, &s, f, stix), 2);
    fclose(f);

    /* text: the banner with the worst TLP leads; each incident's handling
     * comes right after its judgement and analytic-confidence lines */
    const char *banner = "TLP:AMBER+STRICT — this report is built from TLP:AMBER+STRICT "
                         "intelligence; handle accordingly.\n\nIncident 1 (";
    assert_memory_equal(text, banner, strlen(banner));
    const char *l2 = strstr(text, "  Analytic confidence: ");
    assert_non_null(l2);
    const char *l3 = strchr(l2, '\n') + 1;
    const char *h1 = "  Handling: TLP:AMBER (the most restrictive TLP of its evidence); "
                     "statement markings: source license: A.\n";
    assert_memory_equal(l3, h1, strlen(h1));
    assert_non_null(strstr(text, "  Handling: TLP:AMBER+STRICT (the most restrictive TLP of its "
                                 "evidence); statement markings: " STMT_TEXT ".\n"));
    free(text);

    /* EVE: tlp and markings per incident */
    assert_int_equal(s.n, 2);
    json_t *r = json_loads(s.lines[0], 0, NULL);
    assert_non_null(r);
    json_t *a = json_object_get(r, "attribution");
    assert_string_equal(json_string_value(json_object_get(a, "tlp")), "TLP:AMBER");
    json_t *mk = json_object_get(a, "markings");
    assert_int_equal(json_array_size(mk), 1);
    assert_string_equal(json_string_value(json_array_get(mk, 0)), "source license: A");
    json_decref(r);

    /* STIX: TLP 2.0 marking-definitions, a statement definition, and
     * object_marking_refs on incident, sightings and relationships */
    json_t *b = json_load_file(stix, 0, NULL);
    unlink(stix);
    assert_non_null(b);
    json_t *objs = json_object_get(b, "objects");
    const char *amber = vg_tlp_marking_id(VG_TLP_AMBER);
    const char *strict = vg_tlp_marking_id(VG_TLP_AMBER_STRICT);
    int n_tlp = 0, n_stmt = 0, n_incident = 0;
    size_t i;
    json_t *o;
    json_array_foreach(objs, i, o) {
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *id = json_string_value(json_object_get(o, "id"));
        if (strcmp(type, "marking-definition") == 0) {
            assert_string_equal(json_string_value(json_object_get(o, "spec_version")), "2.1");
            assert_non_null(json_object_get(o, "created"));
            if (strcmp(id, amber) == 0 || strcmp(id, strict) == 0) {
                json_t *ext = json_object_get(
                    json_object_get(o, "extensions"),
                    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
                assert_string_equal(json_string_value(json_object_get(ext, "tlp_2_0")),
                                    strcmp(id, amber) == 0 ? "amber" : "amber+strict");
                n_tlp++;
            } else {
                assert_string_equal(
                    json_string_value(json_object_get(o, "definition_type")), "statement");
                n_stmt++;
            }
        } else if (strcmp(type, "incident") == 0) {
            json_t *refs = json_object_get(o, "object_marking_refs");
            assert_int_equal(json_array_size(refs), 2); /* the TLP + one statement */
            const char *t0 = json_string_value(json_array_get(refs, 0));
            assert_string_equal(t0, n_incident == 0 ? amber : strict);
            n_incident++;
        } else if (strcmp(type, "sighting") == 0 || strcmp(type, "relationship") == 0) {
            assert_true(json_array_size(json_object_get(o, "object_marking_refs")) >= 1);
        }
    }
    assert_int_equal(n_tlp, 2);
    assert_int_equal(n_stmt, 2);
    assert_int_equal(n_incident, 2);
    json_decref(b);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

/* Nothing marked: no banner, no Handling line, no tlp/markings members,
 * no marking-definitions. */
static void
test_unmarked_outputs(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = marks_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"dns\",\"src_ip\":"
            "\"10.1.1.1\",\"dest_ip\":\"10.1.1.53\",\"dns\":{\"rrname\":\"plain-c2.example\"}}");
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    char stix[] = "/tmp/vg-attrib-marks-XXXXXX";
    int fd = mkstemp(stix);
    assert_true(fd >= 0);
    close(fd);
    eve_sink_t s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(vg_attrib_finish(e, sink, &s, f, stix), 1);
    fclose(f);
    assert_memory_equal(text, "Incident 1 (", 12);
    assert_null(strstr(text, "Handling:"));
    free(text);
    assert_null(strstr(s.lines[0], "\"tlp\""));
    assert_null(strstr(s.lines[0], "\"markings\""));
    json_t *b = json_load_file(stix, 0, NULL);
    unlink(stix);
    assert_non_null(b);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(b, "objects"), i, o) {
        assert_string_not_equal(json_string_value(json_object_get(o, "type")),
                                "marking-definition");
        assert_null(json_object_get(o, "object_marking_refs"));
    }
    json_decref(b);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kb_indicator_tlp),
        cmocka_unit_test(test_offline_kb_marks),
        cmocka_unit_test(test_intel_record_marks),
        cmocka_unit_test(test_intel_record_kb_indicator),
        cmocka_unit_test(test_marks_bounded),
        cmocka_unit_test(test_marked_outputs),
        cmocka_unit_test(test_unmarked_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
