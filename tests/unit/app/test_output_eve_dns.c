/* test_output_eve_dns.c - the EVE dns object (v3). Oracle: the field
 * values suricata-verify expects for the same messages (dns-udp-eve-dig)
 * and Suricata 8's v3 field rules; jansson parses every record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "app/app_dns.h"
#include "output/output_eve.h"
#include "dns_fixtures.h"

static json_t *
render(const uint8_t *msg, size_t len, bool response, int dir, char *text, size_t textlen)
{
    vg_limits_t lim;
    vg_limits_defaults(&lim);
    vg_dns_tx_t *tx;
    uint32_t ev;
    assert_int_equal(vg_dns_parse_message(&lim, msg, len, response, &tx, &ev), VG_OK);
    vg_app_event_t e = {.kind = VG_APP_EV_TX, .proto = VG_ALPROTO_DNS, .dir = dir, .tx = tx};
    vg_eve_cfg_t cfg = {.dns = true, .dns_v3_grouped = true};
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);
    vg_jw_open_object(&jw, NULL);
    vg_eve_dns_tx(&jw, &cfg, &e);
    vg_jw_close_object(&jw);
    assert_int_equal(vg_jw_finish(&jw), VG_OK);
    if (text != NULL)
        snprintf(text, textlen, "%s", jw.buf);
    json_error_t err;
    json_t *root = json_loads(jw.buf, 0, &err);
    assert_non_null(root);
    vg_jw_fini(&jw);
    vg_dns_tx_free(tx);
    return root;
}

static const char *
s_at(json_t *root, const char *path)
{
    /* path like "answers.1.rdata" */
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *cur = json_object_get(root, "dns");
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, ".")) {
        if (json_is_array(cur))
            cur = json_array_get(cur, (size_t)atoi(tok));
        else
            cur = json_object_get(cur, tok);
    }
    if (cur == NULL)
        return NULL;
    if (json_is_string(cur))
        return json_string_value(cur);
    static char num[32];
    if (json_is_integer(cur)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(cur));
        return num;
    }
    if (json_is_true(cur))
        return "true";
    if (json_is_false(cur))
        return "false";
    return "?";
}

static void
test_dig_request(void **state)
{
    (void)state;
    char text[2048];
    json_t *r = render(fx_query, sizeof(fx_query), false, VG_DIR_TOSERVER, text, sizeof(text));
    /* exact text: field order as Suricata 8 writes it */
    assert_string_equal(text, "{\"dns\":{\"version\":3,\"type\":\"request\",\"tx_id\":0,"
                              "\"id\":36146,\"flags\":\"100\",\"rd\":true,\"opcode\":0,"
                              "\"rcode\":\"NOERROR\",\"queries\":[{\"rrname\":"
                              "\"www.suricata-ids.org\",\"rrtype\":\"A\"}]}}");
    json_decref(r);
}

static void
test_dig_response(void **state)
{
    (void)state;
    json_t *r = render(fx_response, sizeof(fx_response), true, VG_DIR_TOCLIENT, NULL, 0);
    /* the suricata-verify dns-udp-eve-dig expectations */
    assert_string_equal(s_at(r, "answers.0.rdata"), "suricata-ids.org");
    assert_string_equal(s_at(r, "answers.0.rrname"), "www.suricata-ids.org");
    assert_string_equal(s_at(r, "answers.0.rrtype"), "CNAME");
    assert_string_equal(s_at(r, "answers.0.ttl"), "3544");
    assert_string_equal(s_at(r, "answers.1.rdata"), "192.0.78.24");
    assert_string_equal(s_at(r, "answers.2.rdata"), "192.0.78.25");
    assert_string_equal(s_at(r, "answers.2.ttl"), "244");
    assert_string_equal(s_at(r, "flags"), "81a0");
    assert_string_equal(s_at(r, "grouped.A.0"), "192.0.78.24");
    assert_string_equal(s_at(r, "grouped.A.1"), "192.0.78.25");
    assert_string_equal(s_at(r, "grouped.CNAME.0"), "suricata-ids.org");
    assert_string_equal(s_at(r, "id"), "36146");
    assert_string_equal(s_at(r, "qr"), "true");
    assert_string_equal(s_at(r, "ra"), "true");
    assert_string_equal(s_at(r, "rd"), "true");
    assert_string_equal(s_at(r, "rcode"), "NOERROR");
    assert_string_equal(s_at(r, "queries.0.rrname"), "www.suricata-ids.org");
    assert_string_equal(s_at(r, "type"), "response");
    assert_string_equal(s_at(r, "version"), "3");
    assert_null(s_at(r, "aa"));
    json_decref(r);
    vg_app_event_t e = {.dir = VG_DIR_TOCLIENT};
    assert_int_equal(vg_eve_dns_addr_mode(&e), VG_EVE_ADDR_FLOW_REVERSE);
    e.dir = VG_DIR_TOSERVER;
    assert_int_equal(vg_eve_dns_addr_mode(&e), VG_EVE_ADDR_FLOW);
}

static void
test_all_types_json(void **state)
{
    (void)state;
    json_t *r = render(fx_alltypes, sizeof(fx_alltypes), true, VG_DIR_TOCLIENT, NULL, 0);
    /* Suricata prints AAAA as eight uncompressed groups */
    assert_string_equal(s_at(r, "answers.0.rdata"), "2001:0db8:0000:0000:0000:0000:0000:0001");
    assert_string_equal(s_at(r, "answers.1.rdata"), "mail.a.b");
    assert_string_equal(s_at(r, "answers.2.rdata"), "ns1.a.b");
    assert_string_equal(s_at(r, "answers.3.rdata"), "x");
    assert_string_equal(s_at(r, "answers.4.rdata"), "hi");
    /* valid UTF-8 (a control byte included) is written as text */
    assert_string_equal(s_at(r, "answers.5.rdata"), "yo\x01");
    assert_string_equal(s_at(r, "answers.6.srv.port"), "5060");
    assert_string_equal(s_at(r, "answers.6.srv.name"), "sip.a.b");
    assert_string_equal(s_at(r, "answers.7.rdata"), "a\\xc5b"); /* not UTF-8: \\xNN */
    assert_null(s_at(r, "answers.8.rdata")); /* HTTPS: not logged */
    assert_string_equal(s_at(r, "answers.8.rrtype"), "HTTPS");
    assert_string_equal(s_at(r, "answers.9.sshfp.fingerprint"), "ab:cd");
    assert_string_equal(s_at(r, "grouped.TXT.1"), "yo\x01");
    assert_string_equal(s_at(r, "grouped.MX.0"), "mail.a.b");
    assert_string_equal(s_at(r, "grouped.SRV.0.weight"), "1");
    assert_string_equal(s_at(r, "authorities.0.soa.mname"), "ns.a.b");
    assert_string_equal(s_at(r, "authorities.0.soa.minimum"), "5");
    assert_string_equal(s_at(r, "queries.0.rrtype"), "ANY");
    assert_string_equal(s_at(r, "aa"), "true");
    /* the OPT record without options is skipped: no additionals at all */
    assert_null(s_at(r, "additionals"));
    json_decref(r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dig_request),
        cmocka_unit_test(test_dig_response),
        cmocka_unit_test(test_all_types_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
