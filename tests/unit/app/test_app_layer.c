/* test_app_layer.c - the dispatcher: detection per flow, buffering across
 * deliveries, "failed" decisions, counters, enabled[], flow end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app.h"
#include "stream/stream.h"
#include "dns_fixtures.h"

static vg_limits_t lim;
static vg_counters_t ctrs;
static int n_tx;
static int n_anom;
static const char *last_anom;

/* When set, the next DNS tx hands these bytes over as a protocol change
 * (the emit callback runs inside the DNS parser's parse()). */
static const uint8_t *change_bytes;
static size_t change_len;

static void
emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    assert_non_null(ctx->flow);
    if (ev->kind == VG_APP_EV_TX)
        n_tx++;
    if (ev->kind == VG_APP_EV_ANOMALY) {
        n_anom++;
        last_anom = ev->anomaly;
    }
    if (ev->kind == VG_APP_EV_TX && change_bytes != NULL) {
        vg_app_layer_change_proto(ctx, ev->dir, change_bytes, change_len);
        change_bytes = NULL;
    }
}

static uint64_t
ctr(const char *name)
{
    vg_counter_id_t id;
    return vg_counter_find(name, &id) == VG_OK ? ctrs.v[id] : 0;
}

static vg_app_layer_t *
mk(const bool *enabled)
{
    vg_limits_defaults(&lim);
    memset(&ctrs, 0, sizeof(ctrs));
    n_tx = 0;
    n_anom = 0;
    last_anom = NULL;
    vg_app_layer_t *al = vg_app_layer_new(&lim, &ctrs, enabled, emit, NULL);
    assert_non_null(al);
    return al;
}

static void
mkflow(vg_flow_t *f, uint8_t proto, uint16_t dp)
{
    memset(f, 0, sizeof(*f));
    f->key.proto = proto;
    f->key.sp = 40000;
    f->key.dp = dp;
}

static void
udp(vg_app_layer_t *al, vg_flow_t *f, int dir, const uint8_t *b, size_t n)
{
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    p.flow = f;
    p.dir = (uint8_t)dir;
    p.proto = VG_IPPROTO_UDP;
    p.payload = b;
    p.payload_len = (uint32_t)n;
    vg_app_layer_on_udp(al, &p);
}

static void
test_udp_dns(void **state)
{
    (void)state;
    vg_app_layer_t *al = mk(NULL);
    vg_flow_t f;
    mkflow(&f, VG_IPPROTO_UDP, 53);
    udp(al, &f, 0, fx_query, sizeof(fx_query));
    udp(al, &f, 1, fx_response, sizeof(fx_response));
    assert_int_equal(f.alproto, VG_ALPROTO_DNS);
    assert_int_equal(f.alproto_ts, VG_ALPROTO_DNS);
    assert_int_equal(f.alproto_tc, VG_ALPROTO_DNS);
    assert_int_equal(n_tx, 2);
    assert_int_equal(ctr("app_layer.flow.dns_udp"), 1);
    assert_int_equal(ctr("app_layer.tx.dns_udp"), 2);
    vg_app_layer_flow_end(al, &f, NULL);
    assert_null(f.app);
    vg_app_layer_free(al);
}

static void
test_udp_failed_and_disabled(void **state)
{
    (void)state;
    vg_app_layer_t *al = mk(NULL);
    vg_flow_t f;
    mkflow(&f, VG_IPPROTO_UDP, 137);
    /* NetBIOS name service registration: DNS wire format, but on port 137
     * Suricata does not probe DNS and the flow ends "failed" (bug-1158) */
    uint8_t nbns[12 + 34 + 4];
    memcpy(nbns, "\x80\x01\x29\x10\x00\x01\x00\x00\x00\x00\x00\x00", 12);
    nbns[12] = 32;
    memset(nbns + 13, 'E', 32);
    nbns[45] = 0;
    memcpy(nbns + 46, "\x00\x20\x00\x01", 4);
    udp(al, &f, 0, nbns, sizeof(nbns));
    assert_int_equal(f.alproto, VG_ALPROTO_FAILED);
    assert_int_equal(ctr("app_layer.flow.failed_udp"), 1);
    udp(al, &f, 0, fx_query, sizeof(fx_query)); /* decided: no second chance */
    assert_int_equal(n_tx, 0);
    vg_app_layer_flow_end(al, &f, NULL);
    vg_app_layer_free(al);

    bool en[VG_ALPROTO_MAX] = {true, true, true, true, false};
    al = mk(en);
    mkflow(&f, VG_IPPROTO_UDP, 53);
    udp(al, &f, 0, fx_query, sizeof(fx_query));
    assert_int_equal(f.alproto, VG_ALPROTO_FAILED);
    assert_int_equal(n_tx, 0);
    vg_app_layer_flow_end(al, &f, NULL);
    vg_app_layer_free(al);
}

static void
test_tcp_byte_by_byte(void **state)
{
    (void)state;
    vg_app_layer_t *al = mk(NULL);
    vg_flow_t f;
    mkflow(&f, VG_IPPROTO_TCP, 53);
    uint8_t s[2 + sizeof(fx_query)];
    s[0] = 0;
    s[1] = (uint8_t)sizeof(fx_query);
    memcpy(s + 2, fx_query, sizeof(fx_query));
    for (size_t i = 0; i < sizeof(s); i++) {
        uint8_t *b = malloc(1);
        b[0] = s[i];
        vg_app_layer_on_stream(al, &f, NULL, 0, b, 1, VG_STREAM_DATA | (i ? 0 : VG_STREAM_START));
        free(b);
    }
    assert_int_equal(f.alproto, VG_ALPROTO_DNS);
    assert_int_equal(n_tx, 1);
    assert_int_equal(ctr("app_layer.flow.dns_tcp"), 1);
    /* a second message, whole */
    vg_app_layer_on_stream(al, &f, NULL, 0, s, sizeof(s), VG_STREAM_DATA);
    assert_int_equal(n_tx, 2);
    vg_app_layer_flow_end(al, &f, NULL);
    vg_app_layer_free(al);
}

static void
test_tcp_failed(void **state)
{
    (void)state;
    vg_app_layer_t *al = mk(NULL);
    vg_flow_t f;
    /* SMTP: a protocol without a parser (SSH was the example until its
     * detection-only parser arrived) */
    mkflow(&f, VG_IPPROTO_TCP, 25);
    static const uint8_t ssh_c[] = "EHLO client.example\r\n";
    static const uint8_t ssh_s[] = "220 mail.example ESMTP\r\n";
    vg_app_layer_on_stream(al, &f, NULL, 1, ssh_s, sizeof(ssh_s) - 1, VG_STREAM_DATA);
    assert_int_not_equal(f.alproto, VG_ALPROTO_FAILED); /* one side is not enough */
    vg_app_layer_on_stream(al, &f, NULL, 0, ssh_c, sizeof(ssh_c) - 1, VG_STREAM_DATA);
    assert_int_equal(f.alproto, VG_ALPROTO_FAILED);
    assert_int_equal(ctr("app_layer.flow.failed_tcp"), 1);
    vg_app_layer_flow_end(al, &f, NULL);

    /* a gap before detection: that side gives up; EOF on the other too */
    mkflow(&f, VG_IPPROTO_TCP, 53);
    vg_app_layer_on_stream(al, &f, NULL, 0, NULL, 100, VG_STREAM_GAP);
    vg_app_layer_on_stream(al, &f, NULL, 1, ssh_s, 4, VG_STREAM_DATA | VG_STREAM_EOF);
    assert_int_equal(f.alproto, VG_ALPROTO_FAILED);
    vg_app_layer_flow_end(al, &f, NULL);
    vg_app_layer_free(al);
}

static void
test_protocol_change(void **state)
{
    (void)state;
    vg_app_layer_t *al = mk(NULL);
    vg_flow_t f;
    mkflow(&f, VG_IPPROTO_TCP, 53);
    uint8_t s[2 + sizeof(fx_query)];
    s[0] = 0;
    s[1] = (uint8_t)sizeof(fx_query);
    memcpy(s + 2, fx_query, sizeof(fx_query));
    /* the DNS parser hands over bytes that are DNS again: re-detected */
    change_bytes = s;
    change_len = sizeof(s);
    vg_app_layer_on_stream(al, &f, NULL, 0, s, sizeof(s), VG_STREAM_DATA);
    assert_int_equal(f.alproto_orig, VG_ALPROTO_DNS);
    assert_int_equal(f.alproto, VG_ALPROTO_DNS);
    assert_int_equal(n_tx, 2); /* the first message, then the handed-over one */
    assert_int_equal(ctr("app_layer.flow.dns_tcp"), 2);
    /* later bytes go to the new parser; a second change is refused */
    change_bytes = s;
    vg_app_layer_on_stream(al, &f, NULL, 0, s, sizeof(s), VG_STREAM_DATA);
    assert_int_equal(n_tx, 3);
    change_bytes = NULL;
    vg_app_layer_flow_end(al, &f, NULL);
    assert_null(f.app);

    /* handed-over bytes nobody claims: the flow keeps its protocol */
    mkflow(&f, VG_IPPROTO_TCP, 53);
    static const uint8_t junk[] = "\x00\x05junk and more junk";
    change_bytes = junk;
    change_len = sizeof(junk) - 1;
    vg_app_layer_on_stream(al, &f, NULL, 0, s, sizeof(s), VG_STREAM_DATA);
    vg_app_layer_on_stream(al, &f, NULL, 1, junk, sizeof(junk) - 1, VG_STREAM_DATA);
    assert_int_equal(f.alproto, VG_ALPROTO_DNS);
    assert_int_equal(f.alproto_orig, VG_ALPROTO_UNKNOWN);
    /* per-direction protocols come back with the old protocol */
    assert_int_equal(f.alproto_ts, VG_ALPROTO_DNS);
    assert_int_equal(f.alproto_tc, VG_ALPROTO_DNS);
    vg_app_layer_flow_end(al, &f, NULL);

    /* DNS both ways, then HTTP handed over by the client: both directions
     * are detected afresh (Suricata's AppLayerProtoDetectReset), so the
     * server side is not left marked as DNS (EVE would print app_proto_tc) */
    mkflow(&f, VG_IPPROTO_TCP, 53);
    vg_app_layer_on_stream(al, &f, NULL, 0, s, sizeof(s), VG_STREAM_DATA);
    vg_app_layer_on_stream(al, &f, NULL, 1, s, sizeof(s), VG_STREAM_DATA);
    assert_int_equal(f.alproto_tc, VG_ALPROTO_DNS);
    static const uint8_t get[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    change_bytes = get;
    change_len = sizeof(get) - 1;
    vg_app_layer_on_stream(al, &f, NULL, 0, s, sizeof(s), VG_STREAM_DATA);
    assert_int_equal(f.alproto, VG_ALPROTO_HTTP);
    assert_int_equal(f.alproto_orig, VG_ALPROTO_DNS);
    assert_int_equal(f.alproto_ts, VG_ALPROTO_HTTP);
    assert_int_equal(f.alproto_tc, VG_ALPROTO_UNKNOWN);
    change_bytes = NULL;
    vg_app_layer_flow_end(al, &f, NULL);
    vg_app_layer_free(al);
}

/* suricata-verify output-eve-anomaly-02: HTTP from the client, an SSH
 * banner back. Each direction is detected on its own; the disagreement is
 * APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS and the flow stays HTTP (its
 * parser already had data), the server side recorded as SSH. A plain SSH
 * session (banner both ways, detection only) is "ssh" with no anomaly. */
static void
test_mismatch_both_directions(void **state)
{
    (void)state;
    vg_app_layer_t *al = mk(NULL);
    vg_flow_t f;
    mkflow(&f, VG_IPPROTO_TCP, 22);
    static const uint8_t get[] = "GET / HTTP/1.1\r\nHost: 10.16.1.1:22\r\n\r\n";
    static const uint8_t banner[] = "SSH-2.0-OpenSSH_6.6.1\r\n";
    vg_app_layer_on_stream(al, &f, NULL, 0, get, sizeof(get) - 1, VG_STREAM_DATA);
    assert_int_equal(f.alproto, VG_ALPROTO_HTTP);
    assert_int_equal(n_anom, 0);
    vg_app_layer_on_stream(al, &f, NULL, 1, banner, sizeof(banner) - 1, VG_STREAM_DATA);
    assert_int_equal(n_anom, 1);
    assert_string_equal(last_anom, "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS");
    assert_int_equal(f.alproto, VG_ALPROTO_HTTP);
    assert_int_equal(f.alproto_ts, VG_ALPROTO_HTTP);
    assert_int_equal(f.alproto_tc, VG_ALPROTO_SSH);
    /* later data of that side raises nothing more */
    vg_app_layer_on_stream(al, &f, NULL, 1, banner, sizeof(banner) - 1, VG_STREAM_DATA);
    assert_int_equal(n_anom, 1);
    vg_app_layer_flow_end(al, &f, NULL);

    /* an HTTP response back: same protocol, no anomaly */
    mkflow(&f, VG_IPPROTO_TCP, 80);
    static const uint8_t resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    vg_app_layer_on_stream(al, &f, NULL, 0, get, sizeof(get) - 1, VG_STREAM_DATA);
    vg_app_layer_on_stream(al, &f, NULL, 1, resp, sizeof(resp) - 1, VG_STREAM_DATA);
    assert_int_equal(n_anom, 1);
    assert_int_equal(f.alproto_tc, VG_ALPROTO_HTTP);
    vg_app_layer_flow_end(al, &f, NULL);

    /* SSH both ways, banner split across deliveries */
    mkflow(&f, VG_IPPROTO_TCP, 2222);
    vg_app_layer_on_stream(al, &f, NULL, 1, banner, 2, VG_STREAM_DATA);
    assert_int_equal(f.alproto, VG_ALPROTO_UNKNOWN);
    vg_app_layer_on_stream(al, &f, NULL, 1, banner + 2, sizeof(banner) - 3, VG_STREAM_DATA);
    assert_int_equal(f.alproto, VG_ALPROTO_SSH);
    vg_app_layer_on_stream(al, &f, NULL, 0, banner, sizeof(banner) - 1, VG_STREAM_DATA);
    assert_int_equal(f.alproto_ts, VG_ALPROTO_SSH);
    assert_int_equal(n_anom, 1);
    assert_string_equal(vg_alproto_name(VG_ALPROTO_SSH), "ssh");
    vg_app_layer_flow_end(al, &f, NULL);
    vg_app_layer_free(al);
}

static void
test_names(void **state)
{
    (void)state;
    assert_string_equal(vg_alproto_name(VG_ALPROTO_FAILED), "failed");
    assert_string_equal(vg_alproto_name(VG_ALPROTO_DNS), "dns");
    assert_string_equal(vg_buffer_name(VG_BUF_DNS_QUERY), "dns.query");
    assert_string_equal(vg_buffer_name(VG_BUF_HTTP_URI), "http.uri");
    assert_ptr_equal(vg_app_parser_get(VG_ALPROTO_DNS), &vg_app_parser_dns);
    assert_null(vg_app_parser_get(VG_ALPROTO_FAILED));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp_dns),
        cmocka_unit_test(test_udp_failed_and_disabled),
        cmocka_unit_test(test_tcp_byte_by_byte),
        cmocka_unit_test(test_tcp_failed),
        cmocka_unit_test(test_protocol_change),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_mismatch_both_directions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
