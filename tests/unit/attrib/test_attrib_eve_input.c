/* Unit tests for attrib_eve_input.c and attrib_incident.c: evidence from
 * alerts, intel records and protocol records; robustness against broken
 * input; incident correlation and limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_attrib_common.h"

static void
feed(vg_attrib_engine_t *e, const char *s)
{
    vg_attrib_feed_eve(e, s, strlen(s));
}

static size_t
live_incidents(vg_attrib_engine_t *e)
{
    size_t n = 0;
    for (size_t i = 0; i < e->n_inc; i++)
        n += !e->inc[i].dead && e->inc[i].n_units > 0;
    return n;
}

static attrib_incident_t *
first_live(vg_attrib_engine_t *e)
{
    for (size_t i = 0; i < e->n_inc; i++)
        if (!e->inc[i].dead && e->inc[i].n_units > 0)
            return &e->inc[i];
    return NULL;
}

static void
test_broken_input(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    assert_non_null(e);
    feed(e, "{\"event_type\":\"alert\",");           /* truncated */
    feed(e, "not json at all");                      /* no event_type: parsed, fails */
    feed(e, "[1,2,3]");                              /* not an object */
    feed(e, "{\"event_type\":\"alert\",\"alert\":\"x\"}");      /* alert of wrong type */
    feed(e, "{\"event_type\":\"alert\",\"alert\":{\"metadata\":{\"mitre_technique_id\":5,"
            "\"malware_family\":[1,null,{}]}}}");
    feed(e, "{\"event_type\":7}");
    feed(e, "{\"event_type\":\"intel\",\"intel\":[]}");
    feed(e, "{\"event_type\":\"dns\",\"dns\":{\"rrname\":12,\"answers\":\"x\"},\"src_ip\":3}");
    vg_attrib_feed_eve(e, "", 0);
    vg_attrib_feed_eve(NULL, "{}", 2);
    vg_attrib_stats_t st;
    vg_attrib_engine_stats(e, &st);
    assert_int_equal(st.lines, 9);
    assert_int_equal(st.json_errors, 3);
    assert_true(st.type_errors >= 5);
    assert_int_equal(st.evidence_records, 0);
    assert_int_equal(live_incidents(e), 0);
    assert_int_equal(vg_attrib_finish(e, NULL, NULL, NULL, NULL), 0);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

static void
test_cheap_skip(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = vg_attrib_kb_new();
    assert_int_equal(vg_attrib_kb_freeze(kb), VG_OK);
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    /* no indicators anywhere: protocol records are skipped without parsing */
    feed(e, "{\"event_type\": \"dns\", \"broken");
    feed(e, "{\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\"}");
    feed(e, "{\"event_type\":\"stats\"}");
    vg_attrib_stats_t st;
    vg_attrib_engine_stats(e, &st);
    assert_int_equal(st.skipped_cheap, 3);
    assert_int_equal(st.json_errors, 0);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);

    /* with indicators, protocol records are parsed unless turned off */
    kb = fixture_kb();
    e = vg_attrib_engine_new(kb, NULL, NULL);
    feed(e, "{\"event_type\": \"dns\", \"broken");
    vg_attrib_engine_stats(e, &st);
    assert_int_equal(st.json_errors, 1);
    vg_attrib_engine_match_protocols(e, false);
    feed(e, "{\"event_type\": \"dns\", \"broken");
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"dns\",\"src_ip\":"
            "\"10.1.1.1\",\"dest_ip\":\"10.1.1.53\",\"dns\":{\"rrname\":\"alpha-c2.example\"}}");
    vg_attrib_engine_stats(e, &st);
    assert_int_equal(st.json_errors, 1);
    assert_int_equal(st.skipped_cheap, 2);
    assert_int_equal(st.evidence_records, 0);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

static void
test_alert_metadata(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00.000000+0000\",\"event_type\":\"alert\","
            "\"src_ip\":\"10.1.1.1\",\"dest_ip\":\"192.0.2.1\",\"dest_port\":443,"
            "\"alert\":{\"signature\":\"ET MALWARE AlphaRAT beacon (T1105)\","
            "\"metadata\":{\"mitre_technique_id\":[\"T1071.001\"],"
            "\"malware_family\":[\"Alpha Backdoor\",\"unknown-family\"]}}}");
    attrib_incident_t *inc = first_live(e);
    assert_non_null(inc);
    assert_int_equal(inc->n_units, 3); /* T1071.001, AlphaRAT, T1105 from the signature */
    assert_string_equal(inc->hosts[0], "10.1.1.1");
    assert_string_equal(inc->infra[0], "192.0.2.1");
    bool soft = false;
    for (size_t i = 0; i < inc->n_units; i++)
        if (inc->units[i].type == ATTRIB_EV_SOFTWARE &&
            strcmp(kb->items[inc->units[i].item].ext, "S9001") == 0)
            soft = true;
    assert_true(soft);
    assert_int_equal(inc->first, 1556791200000000LL);
    vg_attrib_engine_free(e);

    /* no metadata: the family name in the signature counts (alias, two
     * words), generic words do not */
    e = vg_attrib_engine_new(kb, NULL, NULL);
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"alert\","
            "\"src_ip\":\"10.1.1.1\",\"dest_ip\":\"192.0.2.1\","
            "\"alert\":{\"signature\":\"ET MALWARE Alpha Backdoor Loader CnC\"}}");
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:01Z\",\"event_type\":\"alert\","
            "\"src_ip\":\"10.1.1.1\",\"dest_ip\":\"192.0.2.1\","
            "\"alert\":{\"signature\":\"ET INFO Remote Command Loader\"}}");
    inc = first_live(e);
    assert_non_null(inc);
    assert_int_equal(inc->n_units, 1);
    assert_string_equal(kb->items[inc->units[0].item].ext, "S9001");
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

static void
test_protocol_matches(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    int ga = attrib_kb_find_group(kb, "G9001");
    /* a subdomain of an indicator domain, with a trailing dot and capitals */
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"dns\",\"src_ip\":\"10.1.1.1\","
            "\"dest_ip\":\"10.1.1.53\",\"dns\":{\"queries\":[{\"rrname\":\"WWW.Alpha-C2.example.\"}]}}");
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:01Z\",\"event_type\":\"http\",\"src_ip\":\"10.1.1.1\","
            "\"dest_ip\":\"192.0.2.50\",\"dest_port\":80,"
            "\"http\":{\"hostname\":\"alpha-c2.example\",\"url\":\"/gate.php\"}}");
    /* ip:port indicator: matches only on its port */
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:02Z\",\"event_type\":\"flow\",\"src_ip\":\"10.1.1.1\","
            "\"dest_ip\":\"203.0.113.9\",\"dest_port\":8443}");
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:03Z\",\"event_type\":\"flow\",\"src_ip\":\"10.1.1.2\","
            "\"dest_ip\":\"203.0.113.9\",\"dest_port\":80}");
    /* TLD alone never matches */
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:04Z\",\"event_type\":\"dns\",\"src_ip\":\"10.1.1.3\","
            "\"dest_ip\":\"10.1.1.53\",\"dns\":{\"rrname\":\"example\"}}");
    assert_int_equal(live_incidents(e), 1);
    attrib_incident_t *inc = first_live(e);
    /* domain (merged: dns + http host), URL, ip:port */
    assert_int_equal(inc->n_units, 3);
    for (size_t i = 0; i < inc->n_units; i++) {
        assert_int_equal(inc->units[i].type, ATTRIB_EV_INDICATOR);
        assert_int_equal(inc->units[i].groups[0], ga);
    }
    assert_int_equal(inc->units[0].count, 2);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

static void
test_intel_record(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    int gb = attrib_kb_find_group(kb, "G9002");
    /* an indicator the KB does not know, naming its actor by name */
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"intel\","
            "\"src_ip\":\"10.2.2.2\",\"dest_ip\":\"192.0.2.9\",\"intel\":{\"indicator\":"
            "\"bad.example\",\"indicator_type\":\"domain\",\"indicator_id\":\"indicator--x\","
            "\"source\":\"Some Feed\",\"confidence\":80,\"seen\":{\"where\":\"dns.query\","
            "\"value\":\"bad.example\"},\"actors\":[{\"id\":\"intrusion-set--nope\","
            "\"name\":\"Beta Panda\"},{\"name\":\"Not In KB\"}]}}");
    attrib_incident_t *inc = first_live(e);
    assert_non_null(inc);
    assert_int_equal(inc->n_units, 1);
    assert_int_equal(inc->units[0].n_groups, 1);
    assert_int_equal(inc->units[0].groups[0], gb);
    assert_int_equal(inc->units[0].n_actor_names, 1);
    assert_string_equal(inc->units[0].actor_names[0], "Not In KB");
    assert_int_equal(inc->units[0].confidence, 80);
    assert_string_equal(inc->units[0].source, "Some Feed");
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

static void
alert_rec(char *buf, size_t n, const char *ts, const char *src, const char *dst)
{
    snprintf(buf, n, "{\"timestamp\":\"%s\",\"event_type\":\"alert\",\"src_ip\":\"%s\","
             "\"dest_ip\":\"%s\",\"alert\":{\"metadata\":{\"mitre_technique_id\":"
             "[\"T1105\"]}}}", ts, src, dst);
}

static void
test_incident_window_and_merge(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb();
    vg_limits_t lim;
    vg_limits_defaults(&lim);
    lim.attrib_incident_window_s = 3600;
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, &lim);
    char buf[512];
    /* two hosts, two external addresses: two incidents */
    alert_rec(buf, sizeof(buf), "2019-05-02T10:00:00Z", "10.0.0.1", "192.0.2.1");
    feed(e, buf);
    alert_rec(buf, sizeof(buf), "2019-05-02T10:10:00Z", "10.0.0.2", "192.0.2.2");
    feed(e, buf);
    assert_int_equal(live_incidents(e), 2);
    /* host 1 talks to host 2's server: links both incidents */
    alert_rec(buf, sizeof(buf), "2019-05-02T10:20:00Z", "10.0.0.1", "192.0.2.2");
    feed(e, buf);
    assert_int_equal(live_incidents(e), 1);
    attrib_incident_t *inc = first_live(e);
    assert_int_equal(inc->n_hosts, 2);
    assert_int_equal(inc->n_units, 1); /* same technique: one unit, counted 3 times */
    assert_int_equal(inc->units[0].count, 3);
    /* outside the window: a new incident for the same host */
    alert_rec(buf, sizeof(buf), "2019-05-02T13:00:00Z", "10.0.0.1", "192.0.2.1");
    feed(e, buf);
    assert_int_equal(live_incidents(e), 2);
    vg_attrib_engine_free(e);

    /* limits: incidents */
    lim.attrib_max_incidents = 2;
    e = vg_attrib_engine_new(kb, NULL, &lim);
    for (int i = 0; i < 5; i++) {
        char host[32], ext[32];
        snprintf(host, sizeof(host), "10.9.0.%d", i);
        snprintf(ext, sizeof(ext), "192.0.2.%d", 100 + i);
        alert_rec(buf, sizeof(buf), "2019-05-02T10:00:00Z", host, ext);
        feed(e, buf);
    }
    vg_attrib_stats_t st;
    vg_attrib_engine_stats(e, &st);
    assert_int_equal(live_incidents(e), 2);
    assert_int_equal(st.incidents_dropped, 3);
    vg_attrib_engine_free(e);

    /* limits: units per incident and in total */
    lim.attrib_max_incidents = 100;
    lim.attrib_max_evidence = 2;
    lim.attrib_max_units_total = 3;
    e = vg_attrib_engine_new(kb, NULL, &lim);
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"alert\","
            "\"src_ip\":\"10.7.0.1\",\"dest_ip\":\"192.0.2.1\",\"alert\":{\"metadata\":"
            "{\"mitre_technique_id\":[\"T1105\",\"T1572\",\"T1071.001\"]}}}");
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"alert\","
            "\"src_ip\":\"10.7.0.2\",\"dest_ip\":\"192.0.2.2\",\"alert\":{\"metadata\":"
            "{\"mitre_technique_id\":[\"T1105\",\"T1572\"]}}}");
    vg_attrib_engine_stats(e, &st);
    assert_int_equal(e->inc[0].n_units, 2);   /* per-incident cap */
    assert_int_equal(e->inc[1].n_units, 1);   /* total cap */
    assert_int_equal(st.units_dropped, 2);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

static void
dns_rec(char *buf, size_t n, const char *ts, const char *host, const char *name)
{
    snprintf(buf, n, "{\"timestamp\":\"%s\",\"event_type\":\"dns\",\"src_ip\":\"%s\","
             "\"dest_ip\":\"10.1.1.53\",\"dns\":{\"rrname\":\"%s\"}}", ts, host, name);
}

/* Units of one type (and, for software, one ATT&CK id or family name). */
static size_t
count_units(const attrib_incident_t *inc, int type, const attrib_unit_t **last)
{
    size_t n = 0;
    for (size_t i = 0; i < inc->n_units; i++)
        if (inc->units[i].type == type) {
            n++;
            if (last != NULL)
                *last = &inc->units[i];
        }
    return n;
}

/* Score one incident; the log-odds of group g against U goes to *lo. */
static void
score_inc(const vg_attrib_kb_t *kb, const attrib_incident_t *inc, int g, double *lo,
          attrib_result_t *r)
{
    attrib_params_t p;
    attrib_params_default(&p);
    double *rank = calloc(kb->n_groups, sizeof(double));
    assert_non_null(rank);
    assert_int_equal(attrib_score_units(kb, &kb->prof, &p, inc->units, inc->n_units, r, rank),
                     VG_OK);
    *lo = rank[g];
    free(rank);
}

/* An indicator that indicates a rare family (AlphaRAT: one group's) gives
 * a software unit that raises that group; one that indicates Cobalt
 * Strike (5 of 5 groups) stays near zero. */
static void
test_indicator_family_units(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb_families();
    int ga = attrib_kb_find_group(kb, "G9001");
    char buf[512];
    double lo_fam, lo_base;
    attrib_result_t r;

    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    dns_rec(buf, sizeof(buf), "2019-05-02T10:00:00Z", "10.3.3.3", "alpha-fam.example");
    feed(e, buf);
    attrib_incident_t *inc = first_live(e);
    assert_non_null(inc);
    assert_int_equal(inc->n_units, 2);
    const attrib_unit_t *ind = NULL, *sw = NULL;
    assert_int_equal(count_units(inc, ATTRIB_EV_INDICATOR, &ind), 1);
    assert_int_equal(count_units(inc, ATTRIB_EV_SOFTWARE, &sw), 1);
    assert_int_equal(ind->n_groups + ind->n_actor_names, 0); /* the family is no actor */
    assert_string_equal(kb->items[sw->item].ext, "S9001");
    assert_true(sw->from_indicator);
    assert_string_equal(sw->indicator_id, "indicator--90000001-0000-4000-8000-000000000000");
    assert_non_null(strstr(sw->what, "S9001"));
    score_inc(kb, inc, ga, &lo_fam, &r);
    assert_int_equal(r.top[0].group, ga);
    attrib_result_fini(&r);
    /* the same indicator unit without its family: Alpha is no better off
     * than any other group */
    attrib_unit_t only = *ind;
    attrib_incident_t one = *inc;
    one.units = &only;
    one.n_units = 1;
    score_inc(kb, &one, ga, &lo_base, &r);
    attrib_result_fini(&r);
    assert_true(lo_fam > lo_base + 0.5);
    vg_attrib_engine_free(e);

    /* a vendor malware object named "AlphaRAT Variant (...)" is AlphaRAT */
    e = vg_attrib_engine_new(kb, NULL, NULL);
    dns_rec(buf, sizeof(buf), "2019-05-02T10:00:00Z", "10.3.3.3", "vendor-fam.example");
    feed(e, buf);
    inc = first_live(e);
    assert_int_equal(count_units(inc, ATTRIB_EV_SOFTWARE, &sw), 1);
    assert_string_equal(kb->items[sw->item].ext, "S9001");
    vg_attrib_engine_free(e);

    /* Cobalt Strike: damped to ~0 for every group, the actor stays unknown */
    e = vg_attrib_engine_new(kb, NULL, NULL);
    dns_rec(buf, sizeof(buf), "2019-05-02T10:00:00Z", "10.3.3.4", "cs-fam.example");
    feed(e, buf);
    inc = first_live(e);
    assert_int_equal(count_units(inc, ATTRIB_EV_SOFTWARE, &sw), 1);
    assert_string_equal(kb->items[sw->item].ext, "S0154");
    score_inc(kb, inc, ga, &lo_fam, &r);
    assert_int_equal(r.judged, -1);
    attrib_params_t p;
    attrib_params_default(&p);
    for (size_t g = 0; g < kb->n_groups; g++)
        assert_true(fabs(attrib_item_llr(kb, &kb->prof, &p, g, sw->item)) <= 0.21);
    for (size_t i = 0; i < inc->n_units; i++)
        assert_true(fabs(r.unit_llr[i]) < 0.1);
    attrib_result_fini(&r);
    vg_attrib_engine_free(e);

    /* a family ATT&CK does not list stays named, without a score */
    e = vg_attrib_engine_new(kb, NULL, NULL);
    dns_rec(buf, sizeof(buf), "2019-05-02T10:00:00Z", "10.3.3.5", "zeta-fam.example");
    feed(e, buf);
    inc = first_live(e);
    assert_int_equal(count_units(inc, ATTRIB_EV_SOFTWARE, &sw), 1);
    assert_int_equal(sw->item, -1);
    assert_string_equal(sw->family, "Zeta Door");
    assert_string_equal(sw->key, "family:zetadoor");
    score_inc(kb, inc, ga, &lo_fam, &r);
    assert_int_equal(r.judged, -1);
    char *eve = attrib_report_eve(kb, inc, 1, &r, 0);
    assert_non_null(eve);
    assert_non_null(strstr(eve, "\"families\":[{\"name\":\"Zeta Door\"}]"));
    free(eve);
    attrib_result_fini(&r);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

/* One family is one unit: rule metadata naming AlphaRAT and an indicator
 * linked to AlphaRAT in one incident; the unit is then independent. */
static void
test_family_once(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb_families();
    char buf[512];
    for (int order = 0; order < 2; order++) {
        vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
        dns_rec(buf, sizeof(buf), "2019-05-02T10:00:00Z", "10.4.4.4", "alpha-fam.example");
        if (order == 0)
            feed(e, buf);
        feed(e, "{\"timestamp\":\"2019-05-02T10:00:01Z\",\"event_type\":\"alert\","
                "\"src_ip\":\"10.4.4.4\",\"dest_ip\":\"192.0.2.1\",\"alert\":{\"signature\":"
                "\"x\",\"metadata\":{\"malware_family\":[\"AlphaRAT\"]}}}");
        if (order == 1)
            feed(e, buf);
        attrib_incident_t *inc = first_live(e);
        assert_int_equal(live_incidents(e), 1);
        const attrib_unit_t *sw = NULL;
        assert_int_equal(count_units(inc, ATTRIB_EV_SOFTWARE, &sw), 1);
        assert_int_equal(sw->count, 2);
        assert_false(sw->from_indicator);
        assert_string_equal(sw->source, "rule metadata");
        vg_attrib_engine_free(e);
    }
    /* one record hitting two indicators that link the same family */
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    dns_rec(buf, sizeof(buf), "2019-05-02T10:00:00Z", "10.4.4.5", "alpha-fam.example");
    feed(e, buf);
    dns_rec(buf, sizeof(buf), "2019-05-02T10:00:02Z", "10.4.4.5", "vendor-fam.example");
    feed(e, buf);
    attrib_incident_t *inc = first_live(e);
    assert_int_equal(count_units(inc, ATTRIB_EV_INDICATOR, NULL), 2);
    assert_int_equal(count_units(inc, ATTRIB_EV_SOFTWARE, NULL), 1);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

/* vigil's intel records: malware/tool references among intel.actors and in
 * intel.malware are families, not competing actors. */
static void
test_intel_record_families(void **state)
{
    (void)state;
    vg_attrib_kb_t *kb = fixture_kb_families();
    int gb = attrib_kb_find_group(kb, "G9002");
    vg_attrib_engine_t *e = vg_attrib_engine_new(kb, NULL, NULL);
    feed(e, "{\"timestamp\":\"2019-05-02T10:00:00Z\",\"event_type\":\"intel\","
            "\"src_ip\":\"10.5.5.5\",\"dest_ip\":\"192.0.2.9\",\"intel\":{\"indicator\":"
            "\"x.example\",\"indicator_type\":\"domain\",\"indicator_id\":\"indicator--y\","
            "\"source\":\"Feed\",\"seen\":{\"where\":\"dns.query\",\"value\":\"x.example\"},"
            "\"actors\":[{\"id\":\"intrusion-set--nope\",\"name\":\"Beta Group\"},"
            "{\"id\":\"malware--vendor\",\"name\":\"Alpha Backdoor\"},"
            "{\"id\":\"misp-galaxy:malpedia=\\\"Zeta Door\\\"\",\"name\":\"Zeta Door\"},"
            "{\"name\":\"BetaLoader\"},{\"name\":\"Omega Crew\"}],"
            "\"malware\":[{\"id\":\"malware--vendor\",\"name\":\"Alpha Backdoor\"},"
            "{\"id\":\"tool--other\",\"name\":\"Alpha Backdoor\"},{\"name\":7},7]}}");
    attrib_incident_t *inc = first_live(e);
    assert_non_null(inc);
    const attrib_unit_t *ind = NULL;
    assert_int_equal(count_units(inc, ATTRIB_EV_INDICATOR, &ind), 1);
    assert_int_equal(ind->n_groups, 1);
    assert_int_equal(ind->groups[0], gb);
    assert_int_equal(ind->n_actor_names, 1); /* Omega Crew only */
    assert_string_equal(ind->actor_names[0], "Omega Crew");
    /* AlphaRAT (once), BetaLoader (a bare name ATT&CK lists), Zeta Door */
    assert_int_equal(count_units(inc, ATTRIB_EV_SOFTWARE, NULL), 3);
    bool alpha = false, beta = false, zeta = false;
    for (size_t i = 0; i < inc->n_units; i++) {
        const attrib_unit_t *u = &inc->units[i];
        if (u->type != ATTRIB_EV_SOFTWARE)
            continue;
        assert_true(u->from_indicator);
        alpha |= u->item >= 0 && strcmp(kb->items[u->item].ext, "S9001") == 0;
        beta |= u->item >= 0 && strcmp(kb->items[u->item].ext, "S9002") == 0;
        zeta |= u->item < 0 && strcmp(u->family, "Zeta Door") == 0;
    }
    assert_true(alpha && beta && zeta);
    vg_attrib_engine_free(e);
    vg_attrib_kb_free(kb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken_input),     cmocka_unit_test(test_cheap_skip),
        cmocka_unit_test(test_alert_metadata),   cmocka_unit_test(test_protocol_matches),
        cmocka_unit_test(test_intel_record),     cmocka_unit_test(test_incident_window_and_merge),
        cmocka_unit_test(test_indicator_family_units), cmocka_unit_test(test_family_once),
        cmocka_unit_test(test_intel_record_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
