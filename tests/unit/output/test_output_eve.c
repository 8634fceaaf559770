/* Unit tests for output_eve.c, output_eve_flow.c, output_eve_anomaly.c and
 * output_eve_stats.c. Oracle: jansson parses every record; field values
 * are Suricata's (suricata-verify expectations, e.g. bug-6733 for the TCP
 * flow object) and the Community ID is computed independently with the
 * corelight algorithm (python hashlib) for the same tuple. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/core_counters.h"
#include "output/output_eve.h"
#include "output/output_sink.h"

static void
v4(vg_addr_t *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
    memset(a, 0, sizeof(*a));
    a->b[0] = x;
    a->b[1] = y;
    a->b[2] = z;
    a->b[3] = w;
    a->family = 4;
}

static void
make_flow(vg_flow_t *f)
{
    memset(f, 0, sizeof(*f));
    v4(&f->key.src, 10, 0, 0, 10);
    v4(&f->key.dst, 93, 184, 216, 34);
    f->key.sp = 50100;
    f->key.dp = 80;
    f->key.proto = 6;
    f->flow_id = 1234567890123ull;
    f->start = 1700000000101000LL;
    f->last = 1700000002110000LL;
    f->pkts[0] = 6;
    f->pkts[1] = 4;
    f->bytes[0] = 467;
    f->bytes[1] = 412;
    f->state = VG_FLOW_STATE_CLOSED;
    f->end_reason = VG_FLOW_END_SHUTDOWN;
    f->tcp_flags[0] = 0x1b;
    f->tcp_flags[1] = 0x12;
    f->alproto = VG_ALPROTO_HTTP;
}

static json_t *
parse(vg_jw_t *jw)
{
    json_error_t e;
    json_t *j = json_loadb(jw->buf, jw->len, 0, &e);
    if (j == NULL)
        fail_msg("not JSON: %s: %.*s", e.text, (int)jw->len, jw->buf);
    return j;
}

static const char *
jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
test_header_flow_modes(void **state)
{
    (void)state;
    vg_jw_t jw;
    vg_flow_t f;
    make_flow(&f);
    f.key.vlan_id[0] = 100;
    vg_eve_cfg_t cfg = {.community_id = true};
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);

    vg_eve_begin(&jw, &cfg, "http", f.last, &f, NULL, VG_EVE_ADDR_FLOW);
    assert_int_equal(vg_eve_end(&jw), VG_OK);
    /* Suricata's header order */
    const char *order[] = {"\"timestamp\"", "\"flow_id\"", "\"event_type\"", "\"vlan\"",
                           "\"src_ip\"", "\"src_port\"", "\"dest_ip\"", "\"dest_port\"",
                           "\"proto\"", "\"community_id\""};
    const char *prev = jw.buf;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        const char *at = strstr(jw.buf, order[i]);
        assert_non_null(at);
        assert_true(at >= prev);
        prev = at;
    }
    json_t *j = parse(&jw);
    assert_string_equal(jstr(j, "timestamp"), "2023-11-14T22:13:22.110000+0000");
    assert_int_equal(json_integer_value(json_object_get(j, "flow_id")), 1234567890123ll);
    assert_string_equal(jstr(j, "src_ip"), "10.0.0.10");
    assert_int_equal(json_integer_value(json_object_get(j, "src_port")), 50100);
    assert_string_equal(jstr(j, "dest_ip"), "93.184.216.34");
    assert_string_equal(jstr(j, "proto"), "TCP");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(j, "vlan"), 0)), 100);
    assert_string_equal(jstr(j, "community_id"), "1:cBnXVQNRynLiJUXCziMXS7Z1XVQ=");
    assert_null(json_object_get(j, "pcap_cnt"));
    json_decref(j);

    /* reverse: server -> client */
    vg_eve_begin(&jw, NULL, "dns", f.last, &f, NULL, VG_EVE_ADDR_FLOW_REVERSE);
    assert_int_equal(vg_eve_end(&jw), VG_OK);
    j = parse(&jw);
    assert_string_equal(jstr(j, "src_ip"), "93.184.216.34");
    assert_int_equal(json_integer_value(json_object_get(j, "src_port")), 80);
    assert_int_equal(json_integer_value(json_object_get(j, "dest_port")), 50100);
    assert_null(json_object_get(j, "community_id"));
    json_decref(j);
    vg_jw_fini(&jw);
}

static void
test_header_packet_ipv6_icmp(void **state)
{
    (void)state;
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    p.pcap_cnt = 7;
    p.ts = 1700000000000001LL;
    p.ip_ver = 6;
    p.proto = VG_IPPROTO_ICMPV6;
    p.flags = VG_PKT_HAS_L4;
    p.src.family = p.dst.family = 6;
    p.src.b[0] = 0x20;
    p.src.b[1] = 0x01;
    p.src.b[2] = 0x0d;
    p.src.b[3] = 0xb8;
    p.src.b[15] = 1;
    memcpy(p.dst.b, p.src.b, 16);
    p.dst.b[15] = 2;
    p.icmp_type = 128;
    p.vlan_n = 2;
    p.vlan_id[0] = 1;
    p.vlan_id[1] = 10;
    vg_eve_begin(&jw, NULL, "anomaly", p.ts, NULL, &p, VG_EVE_ADDR_PACKET);
    assert_int_equal(vg_eve_end(&jw), VG_OK);
    json_t *j = parse(&jw);
    assert_int_equal(json_integer_value(json_object_get(j, "pcap_cnt")), 7);
    /* Suricata 8.0 PrintInet: eight zero-padded groups, no "::" */
    assert_string_equal(jstr(j, "src_ip"), "2001:0db8:0000:0000:0000:0000:0000:0001");
    assert_string_equal(jstr(j, "dest_ip"), "2001:0db8:0000:0000:0000:0000:0000:0002");
    assert_string_equal(jstr(j, "proto"), "IPv6-ICMP");
    assert_null(json_object_get(j, "src_port"));
    assert_int_equal(json_integer_value(json_object_get(j, "icmp_type")), 128);
    assert_int_equal(json_integer_value(json_object_get(j, "icmp_code")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "vlan")), 2);
    assert_null(json_object_get(j, "flow_id"));
    json_decref(j);
    vg_jw_fini(&jw);
}

static void
test_flow_record(void **state)
{
    (void)state;
    vg_jw_t jw;
    vg_flow_t f;
    make_flow(&f);
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);
    assert_int_equal(vg_eve_flow_record(&jw, NULL, &f, f.last, "closed"), VG_OK);
    json_t *j = parse(&jw);
    assert_string_equal(jstr(j, "event_type"), "flow");
    assert_string_equal(jstr(j, "app_proto"), "http");
    json_t *fl = json_object_get(j, "flow");
    assert_int_equal(json_integer_value(json_object_get(fl, "pkts_toserver")), 6);
    assert_int_equal(json_integer_value(json_object_get(fl, "bytes_toclient")), 412);
    assert_string_equal(jstr(fl, "start"), "2023-11-14T22:13:20.101000+0000");
    assert_string_equal(jstr(fl, "end"), "2023-11-14T22:13:22.110000+0000");
    assert_int_equal(json_integer_value(json_object_get(fl, "age")), 2);
    assert_string_equal(jstr(fl, "state"), "closed");
    assert_string_equal(jstr(fl, "reason"), "shutdown");
    assert_true(json_is_false(json_object_get(fl, "alerted")));
    json_t *t = json_object_get(j, "tcp");
    assert_string_equal(jstr(t, "tcp_flags"), "1b");
    assert_string_equal(jstr(t, "tcp_flags_ts"), "1b");
    assert_string_equal(jstr(t, "tcp_flags_tc"), "12");
    assert_true(json_is_true(json_object_get(t, "syn")));
    assert_true(json_is_true(json_object_get(t, "fin")));
    assert_null(json_object_get(t, "rst"));
    assert_string_equal(jstr(t, "state"), "closed");
    json_decref(j);

    /* bug-6733: a lone SYN; UDP flows have no tcp object; failed detection */
    f.tcp_flags[0] = 0x02;
    f.tcp_flags[1] = 0;
    f.alproto = VG_ALPROTO_UNKNOWN;
    assert_int_equal(vg_eve_flow_record(&jw, NULL, &f, f.last, "syn_sent"), VG_OK);
    j = parse(&jw);
    assert_null(json_object_get(j, "app_proto"));
    assert_string_equal(jstr(json_object_get(j, "tcp"), "tcp_flags_tc"), "00");
    assert_string_equal(jstr(json_object_get(j, "tcp"), "state"), "syn_sent");
    json_decref(j);
    f.key.proto = 17;
    f.alproto = VG_ALPROTO_FAILED;
    assert_int_equal(vg_eve_flow_record(&jw, NULL, &f, f.last, NULL), VG_OK);
    j = parse(&jw);
    assert_null(json_object_get(j, "tcp"));
    assert_string_equal(jstr(j, "app_proto"), "failed");
    assert_string_equal(jstr(j, "proto"), "UDP");
    json_decref(j);
    vg_jw_fini(&jw);
}

static void
test_anomaly_records(void **state)
{
    (void)state;
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    uint8_t raw[4] = {1, 2, 3, 4};
    p.data = raw;
    p.caplen = 4;
    p.linktype = 1;
    p.pcap_cnt = 3;
    p.ip_ver = 4;
    v4(&p.src, 1, 2, 3, 4);
    v4(&p.dst, 5, 6, 7, 8);
    p.proto = 1;
    assert_int_equal(vg_eve_packet_anomaly(&jw, NULL, &p, VG_EV_ICMPV4_UNKNOWN_CODE, true),
                     VG_OK);
    json_t *j = parse(&jw);
    json_t *a = json_object_get(j, "anomaly");
    assert_string_equal(jstr(a, "type"), "decode");
    assert_string_equal(jstr(a, "event"), "decoder.icmpv4.unknown_code");
    assert_string_equal(jstr(j, "packet"), "AQIDBA==");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "packet_info"),
                                                        "linktype")), 1);
    json_decref(j);

    assert_int_equal(vg_eve_packet_anomaly(&jw, NULL, &p, VG_EV_STREAM_PKT_INVALID_TIMESTAMP,
                                           false), VG_OK);
    j = parse(&jw);
    a = json_object_get(j, "anomaly");
    assert_string_equal(jstr(a, "type"), "stream");
    assert_string_equal(jstr(a, "event"), "stream.pkt_invalid_timestamp");
    assert_null(json_object_get(j, "packet"));
    json_decref(j);

    vg_flow_t f;
    make_flow(&f);
    vg_app_event_t ev = {.kind = VG_APP_EV_ANOMALY, .proto = VG_ALPROTO_HTTP,
                         .anomaly = "REQUEST_LINE_MISSING_PROTOCOL"};
    assert_int_equal(vg_eve_applayer_anomaly(&jw, NULL, &f, NULL, &ev), VG_OK);
    j = parse(&jw);
    a = json_object_get(j, "anomaly");
    assert_string_equal(jstr(a, "type"), "applayer");
    assert_string_equal(jstr(a, "app_proto"), "http");
    assert_string_equal(jstr(a, "layer"), "proto_parser");
    json_decref(j);
    ev.anomaly = "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS";
    assert_int_equal(vg_eve_applayer_anomaly(&jw, NULL, &f, NULL, &ev), VG_OK);
    j = parse(&jw);
    assert_string_equal(jstr(json_object_get(j, "anomaly"), "layer"), "proto_detect");
    json_decref(j);
    vg_jw_fini(&jw);
}

static void
test_stats_nesting(void **state)
{
    (void)state;
    vg_counter_id_t pkts = vg_counter_register("decoder.pkts");
    vg_counter_id_t trunc = vg_counter_register("decoder.event.ipv4.trunc_pkt");
    vg_counter_id_t ev = vg_counter_register("flow.memcap_evicted");
    vg_counter_id_t gap = vg_counter_register("tcp.reassembly_gap");
    /* a name that is also a parent: the children win, the JSON stays valid */
    vg_counter_register("zz.both");
    vg_counter_id_t child = vg_counter_register("zz.both.child");
    static vg_counters_t c;
    memset(&c, 0, sizeof(c));
    c.v[pkts] = 93;
    c.v[trunc] = 2;
    c.v[ev] = 5;
    c.v[gap] = 1;
    c.v[child] = 9;
    vg_jw_t jw;
    assert_int_equal(vg_jw_init(&jw, 1 << 16), VG_OK);
    assert_int_equal(vg_eve_stats_record(&jw, NULL, 1700000000000000LL, &c, 12), VG_OK);
    json_t *j = parse(&jw);
    assert_string_equal(jstr(j, "event_type"), "stats");
    json_t *s = json_object_get(j, "stats");
    assert_int_equal(json_integer_value(json_object_get(s, "uptime")), 12);
    json_t *dec = json_object_get(s, "decoder");
    assert_int_equal(json_integer_value(json_object_get(dec, "pkts")), 93);
    json_t *evs = json_object_get(json_object_get(dec, "event"), "ipv4");
    assert_int_equal(json_integer_value(json_object_get(evs, "trunc_pkt")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "flow"),
                                                        "memcap_evicted")), 5);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "tcp"),
                                                        "reassembly_gap")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(s, "zz"),
                                                                        "both"), "child")), 9);
    json_decref(j);
    vg_jw_fini(&jw);
}

static void
test_sink_file(void **state)
{
    (void)state;
    char path[] = "/tmp/vg-sink-test.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    vg_sink_cfg_t cfg = {.type = VG_SINK_FILE, .path = path, .append = false};
    vg_sink_t *s;
    char err[256];
    assert_int_equal(vg_sink_open(&s, &cfg, err, sizeof(err)), VG_OK);
    assert_int_equal(vg_sink_write(s, "{\"a\":1}", 7), VG_OK);
    assert_int_equal(vg_sink_write(s, "{\"b\":2}", 7), VG_OK);
    vg_sink_close(s);
    cfg.append = true;
    assert_int_equal(vg_sink_open(&s, &cfg, err, sizeof(err)), VG_OK);
    assert_int_equal(vg_sink_write(s, "{}", 2), VG_OK);
    vg_sink_close(s);
    FILE *fp = fopen(path, "r");
    char buf[64] = {0};
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    unlink(path);
    assert_int_equal(n, 19);
    assert_string_equal(buf, "{\"a\":1}\n{\"b\":2}\n{}\n");

    vg_sink_type_t t;
    assert_int_equal(vg_sink_type_parse("unix_dgram", &t), VG_OK);
    assert_int_equal(t, VG_SINK_UNIX_DGRAM);
    assert_int_equal(vg_sink_type_parse("syslog", &t), VG_EINVAL);
    cfg.path = "/nonexistent-dir/eve.json";
    assert_int_equal(vg_sink_open(&s, &cfg, err, sizeof(err)), VG_EIO);
    assert_non_null(strstr(err, "/nonexistent-dir/eve.json: cannot open"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_flow_modes),
        cmocka_unit_test(test_header_packet_ipv6_icmp),
        cmocka_unit_test(test_flow_record),
        cmocka_unit_test(test_anomaly_records),
        cmocka_unit_test(test_stats_nesting),
        cmocka_unit_test(test_sink_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
