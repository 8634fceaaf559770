/* test_app_dns.c - DNS parser: names, rrtypes, truncation, TCP framing,
 * matching, limits, events. Fixtures in dns_fixtures.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app_dns.h"
#include "dns_fixtures.h"

/* ---- a recording ctx ---- */

typedef struct rec {
    int kind;
    int dir;
    uint64_t tx_id;
    bool is_response, unsolicited;
    uint16_t id;
    char qname[300];
    uint16_t n_answers;
    uint32_t events;
    const char *anomaly;
} rec_t;

static rec_t recs[64];
static size_t n_recs;
static vg_limits_t lim;
static vg_counters_t ctrs;
static vg_flow_t flow;

static void
rec_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    (void)ctx;
    if (n_recs >= 64)
        return;
    rec_t *r = &recs[n_recs++];
    memset(r, 0, sizeof(*r));
    r->kind = ev->kind;
    r->dir = ev->dir;
    r->tx_id = ev->tx_id;
    r->anomaly = ev->anomaly;
    const vg_dns_tx_t *tx = ev->tx;
    if (ev->kind == VG_APP_EV_TX && tx != NULL) {
        r->is_response = tx->is_response;
        r->unsolicited = tx->unsolicited;
        r->id = tx->id;
        r->n_answers = tx->n_answers;
        r->events = tx->events;
        if (tx->n_queries > 0)
            snprintf(r->qname, sizeof(r->qname), "%.*s", tx->queries[0].name.len,
                     (const char *)tx->queries[0].name.s);
    }
}

static vg_app_ctx_t
mkctx(uint8_t proto)
{
    memset(&flow, 0, sizeof(flow));
    flow.key.proto = proto;
    vg_app_ctx_t c = {.limits = &lim, .counters = &ctrs, .flow = &flow, .emit = rec_emit};
    n_recs = 0;
    return c;
}

static uint64_t
ctr(const char *name)
{
    vg_counter_id_t id;
    if (vg_counter_find(name, &id) != VG_OK)
        return 0;
    return ctrs.v[id];
}

static int
setup(void **state)
{
    (void)state;
    vg_limits_defaults(&lim);
    memset(&ctrs, 0, sizeof(ctrs));
    vg_app_parser_dns.register_counters();
    return 0;
}

static size_t
count_kind(int kind)
{
    size_t n = 0;
    for (size_t i = 0; i < n_recs; i++)
        n += recs[i].kind == kind;
    return n;
}

static bool
has_anomaly(const char *name)
{
    for (size_t i = 0; i < n_recs; i++)
        if (recs[i].kind == VG_APP_EV_ANOMALY && strcmp(recs[i].anomaly, name) == 0)
            return true;
    return false;
}

/* ---- message parsing ---- */

static void
test_query(void **state)
{
    (void)state;
    vg_dns_tx_t *tx;
    uint32_t ev;
    assert_int_equal(vg_dns_parse_message(&lim, fx_query, sizeof(fx_query), false, &tx, &ev),
                     VG_OK);
    assert_int_equal(tx->id, 36146);
    assert_int_equal(tx->n_queries, 1);
    assert_int_equal(tx->queries[0].name.len, strlen("www.suricata-ids.org"));
    assert_memory_equal(tx->queries[0].name.s, "www.suricata-ids.org", 20);
    assert_int_equal(tx->queries[0].rrtype, 1);
    assert_int_equal(tx->events, 0);
    const uint8_t *d;
    uint32_t l;
    assert_int_equal(vg_app_parser_dns.get_buffer(tx, VG_BUF_DNS_QUERY, 0, &d, &l), VG_OK);
    assert_int_equal(l, 20);
    assert_int_equal(vg_app_parser_dns.get_buffer(tx, VG_BUF_DNS_QUERY, 1, &d, &l), VG_DECLINED);
    vg_dns_tx_free(tx);
}

static void
test_response_compressed(void **state)
{
    (void)state;
    vg_dns_tx_t *tx;
    uint32_t ev;
    assert_int_equal(
        vg_dns_parse_message(&lim, fx_response, sizeof(fx_response), true, &tx, &ev), VG_OK);
    assert_int_equal(tx->n_answers, 3);
    const vg_dns_rr_t *a = tx->answers;
    assert_int_equal(a[0].rrtype, 5);
    assert_int_equal(a[0].ttl, 3544);
    assert_int_equal(a[0].name.len, 20);
    assert_memory_equal(a[0].name2.s, "suricata-ids.org", 16);
    assert_int_equal(a[0].name2.len, 16);
    assert_int_equal(a[1].kind, VG_DNS_RD_ADDR);
    assert_int_equal(a[1].data_len, 4);
    assert_memory_equal(a[1].data, "\xc0\x00\x4e\x18", 4);
    const uint8_t *d;
    uint32_t l;
    assert_int_equal(vg_app_parser_dns.get_buffer(tx, VG_BUF_DNS_ANSWER_ADDR, 1, &d, &l), VG_OK);
    assert_memory_equal(d, "\xc0\x00\x4e\x19", 4);
    assert_int_equal(vg_app_parser_dns.get_buffer(tx, VG_BUF_DNS_ANSWER_DATA, 0, &d, &l), VG_OK);
    assert_int_equal(l, 16);
    assert_int_equal(vg_app_parser_dns.get_buffer(tx, VG_BUF_DNS_ANSWER_NAME, 2, &d, &l), VG_OK);
    assert_int_equal(l, 16);
    vg_dns_tx_free(tx);
}

static void
test_all_types(void **state)
{
    (void)state;
    vg_dns_tx_t *tx;
    uint32_t ev;
    assert_int_equal(
        vg_dns_parse_message(&lim, fx_alltypes, sizeof(fx_alltypes), true, &tx, &ev), VG_OK);
    assert_int_equal(tx->n_answers, 10); /* TXT's two strings are two records */
    const vg_dns_rr_t *a = tx->answers;
    assert_int_equal(a[0].kind, VG_DNS_RD_ADDR);
    assert_int_equal(a[0].data_len, 16);
    assert_int_equal(a[1].kind, VG_DNS_RD_NAME); /* MX */
    assert_int_equal(a[1].name2.len, 8);
    assert_memory_equal(a[1].name2.s, "mail.a.b", 8);
    assert_memory_equal(a[2].name2.s, "ns1.a.b", 7);
    assert_int_equal(a[3].name2.len, 1); /* PTR x */
    assert_int_equal(a[4].kind, VG_DNS_RD_TXT);
    assert_int_equal(a[4].data_len, 2);
    assert_int_equal(a[5].kind, VG_DNS_RD_TXT);
    assert_int_equal(a[5].data_len, 3);
    assert_memory_equal(a[5].data, "yo\x01", 3);
    assert_int_equal(a[6].kind, VG_DNS_RD_SRV);
    assert_int_equal(a[6].u16[0], 20);
    assert_int_equal(a[6].u16[2], 5060);
    assert_memory_equal(a[6].name2.s, "sip.a.b", 7);
    assert_int_equal(a[7].kind, VG_DNS_RD_NULL);
    assert_int_equal(a[7].data_len, 3);
    assert_int_equal(a[8].kind, VG_DNS_RD_RAW);
    assert_int_equal(a[8].rrtype, 65);
    assert_int_equal(a[9].kind, VG_DNS_RD_SSHFP);
    assert_int_equal(a[9].u16[0], 1);
    assert_int_equal(a[9].data_len, 2);
    assert_int_equal(tx->n_authorities, 1);
    assert_int_equal(tx->authorities[0].kind, VG_DNS_RD_SOA);
    assert_memory_equal(tx->authorities[0].name2.s, "ns.a.b", 6);
    assert_memory_equal(tx->authorities[0].name3.s, "host.a.b", 8);
    assert_int_equal(tx->authorities[0].u32[0], 1);
    assert_int_equal(tx->authorities[0].u32[4], 5);
    assert_int_equal(tx->n_additionals, 1);
    assert_int_equal(tx->additionals[0].kind, VG_DNS_RD_OPT);
    assert_int_equal(tx->additionals[0].name.len, 0); /* root */
    assert_int_equal(tx->events, 0);
    vg_dns_tx_free(tx);
}

/* Build a one-question message whose question name is `name` bytes. */
static size_t
mk_query_with_name(uint8_t *out, const uint8_t *name, size_t nlen)
{
    static const uint8_t hdr[] = {0, 1, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    memcpy(out, hdr, 12);
    memcpy(out + 12, name, nlen);
    memcpy(out + 12 + nlen, "\x00\x01\x00\x01", 4);
    return 12 + nlen + 4;
}

static void
test_pointer_to_itself(void **state)
{
    (void)state;
    uint8_t m[64];
    /* 12: c0 0c -> points at itself */
    size_t n = mk_query_with_name(m, (const uint8_t *)"\xc0\x0c", 2);
    vg_dns_tx_t *tx;
    uint32_t ev;
    assert_int_equal(vg_dns_parse_message(&lim, m, n, false, &tx, &ev), VG_EINVAL);
    assert_int_equal(ev, VG_DNS_EV_MALFORMED_DATA);
    assert_null(tx);
}

static void
test_pointer_loop_after_jump(void **state)
{
    (void)state;
    uint8_t m[64];
    /* 12: 01 'a' c0 11 ; 17(0x11): 01 'b' c0 0c -> a.b.a.b... loop */
    const uint8_t name[] = {1, 'a', 0xc0, 0x14};
    size_t n = mk_query_with_name(m, name, sizeof(name));
    /* append the loop target at 20 (0x14): 01 'b' c0 0c */
    memcpy(m + n, "\x01" "b" "\xc0\x0c", 4);
    n += 4;
    vg_dns_tx_t *tx;
    uint32_t ev;
    assert_int_equal(vg_dns_parse_message(&lim, m, n, false, &tx, &ev), VG_OK);
    assert_true(tx->events & VG_DNS_EV_INFINITE_LOOP);
    assert_true(tx->queries[0].name.len > 3);
    assert_memory_equal(tx->queries[0].name.s, "a.b.a.b", 7);
    vg_dns_tx_free(tx);
}

static void
test_forward_pointer(void **state)
{
    (void)state;
    uint8_t m[64];
    /* question name points forward to offset 18, past the question */
    size_t n = mk_query_with_name(m, (const uint8_t *)"\xc0\x12", 2);
    memcpy(m + n, "\x03" "fwd" "\x00", 5);
    n += 5;
    vg_dns_tx_t *tx;
    uint32_t ev;
    assert_int_equal(vg_dns_parse_message(&lim, m, n, false, &tx, &ev), VG_OK);
    assert_int_equal(tx->queries[0].name.len, 3);
    assert_memory_equal(tx->queries[0].name.s, "fwd", 3);
    vg_dns_tx_free(tx);
}

static void
test_bad_label_type(void **state)
{
    (void)state;
    uint8_t m[64];
    size_t n = mk_query_with_name(m, (const uint8_t *)"\x41" "abc\x00", 5);
    vg_dns_tx_t *tx;
    uint32_t ev;
    assert_int_equal(vg_dns_parse_message(&lim, m, n, false, &tx, &ev), VG_EINVAL);
}

static void
test_every_prefix(void **state)
{
    (void)state;
    const uint8_t *msgs[] = {fx_query, fx_response, fx_alltypes};
    size_t lens[] = {sizeof(fx_query), sizeof(fx_response), sizeof(fx_alltypes)};
    for (size_t m = 0; m < 3; m++) {
        for (size_t n = 0; n <= lens[m]; n++) {
            /* a heap copy of exactly n bytes so ASan catches any over-read */
            uint8_t *cp = malloc(n ? n : 1);
            memcpy(cp, msgs[m], n);
            vg_dns_tx_t *tx = NULL;
            uint32_t ev = 0;
            int rc = vg_dns_parse_message(&lim, cp, n, m != 0, &tx, &ev);
            if (n == lens[m]) {
                assert_int_equal(rc, VG_OK);
            } else {
                /* cut messages: not DNS (header), malformed, or a flagged
                 * section; never a clean parse of the full message */
                assert_true(rc == VG_DECLINED || rc == VG_EINVAL || rc == VG_OK);
                if (rc == VG_EINVAL)
                    assert_int_equal(ev, VG_DNS_EV_MALFORMED_DATA);
                if (rc == VG_OK)
                    assert_true(tx->events &
                                (VG_DNS_EV_INVALID_ADDITIONALS | VG_DNS_EV_INVALID_AUTHORITIES));
            }
            vg_dns_tx_free(tx);
            free(cp);
        }
    }
}

static void
test_limits(void **state)
{
    (void)state;
    vg_dns_tx_t *tx;
    uint32_t ev;
    /* name length */
    lim.dns_max_name_len = 10;
    assert_int_equal(vg_dns_parse_message(&lim, fx_query, sizeof(fx_query), false, &tx, &ev),
                     VG_OK);
    assert_int_equal(tx->queries[0].name.len, 10);
    assert_true(tx->queries[0].name.truncated);
    assert_true(tx->events & VG_DNS_EV_NAME_TOO_LONG);
    vg_dns_tx_free(tx);
    vg_limits_defaults(&lim);
    /* records per section */
    lim.dns_max_records = 2;
    assert_int_equal(
        vg_dns_parse_message(&lim, fx_response, sizeof(fx_response), true, &tx, &ev), VG_OK);
    assert_int_equal(tx->n_answers, 2);
    assert_true(ev & VG_DNS_PARSE_DROPPED);
    vg_dns_tx_free(tx);
    vg_limits_defaults(&lim);
    /* pointers: a->b chain of 2 pointers with max 1 */
    lim.dns_max_pointers = 1;
    assert_int_equal(
        vg_dns_parse_message(&lim, fx_alltypes, sizeof(fx_alltypes), true, &tx, &ev), VG_OK);
    assert_true(tx->events == 0); /* every name here uses at most one pointer */
    vg_dns_tx_free(tx);
    vg_limits_defaults(&lim);
    /* labels */
    lim.dns_max_labels = 2;
    assert_int_equal(vg_dns_parse_message(&lim, fx_query, sizeof(fx_query), false, &tx, &ev),
                     VG_EINVAL);
    vg_limits_defaults(&lim);
}

/* ---- the parser on a flow ---- */

static void
test_udp_request_response(void **state)
{
    (void)state;
    vg_app_ctx_t c = mkctx(VG_IPPROTO_UDP);
    void *st = vg_app_parser_dns.state_new(&c);
    uint64_t before = ctr("app_layer.dns.unsolicited_response");
    assert_int_equal(vg_app_parser_dns.parse(&c, st, VG_DIR_TOSERVER, fx_query, sizeof(fx_query), 0),
                     VG_OK);
    assert_int_equal(vg_app_parser_dns.parse(&c, st, VG_DIR_TOCLIENT, fx_response,
                                             sizeof(fx_response), 0),
                     VG_OK);
    /* an unsolicited response: same bytes again, the request is consumed */
    assert_int_equal(vg_app_parser_dns.parse(&c, st, VG_DIR_TOCLIENT, fx_response,
                                             sizeof(fx_response), 0),
                     VG_OK);
    assert_int_equal(count_kind(VG_APP_EV_TX), 3);
    assert_int_equal(recs[0].tx_id, 0);
    assert_false(recs[0].is_response);
    assert_string_equal(recs[0].qname, "www.suricata-ids.org");
    assert_int_equal(recs[1].tx_id, 1);
    assert_true(recs[1].is_response);
    assert_false(recs[1].unsolicited);
    assert_true(recs[2].unsolicited);
    assert_int_equal(ctr("app_layer.dns.unsolicited_response") - before, 1);
    vg_app_parser_dns.flush(&c, st);
    vg_app_parser_dns.state_free(st);
}

static void
test_udp_events(void **state)
{
    (void)state;
    vg_app_ctx_t c = mkctx(VG_IPPROTO_UDP);
    void *st = vg_app_parser_dns.state_new(&c);
    /* a flow whose first datagram is a response: roles reversed, as
     * Suricata reverses the flow; later datagrams follow the new roles */
    vg_app_parser_dns.parse(&c, st, VG_DIR_TOSERVER, fx_response, sizeof(fx_response), 0);
    assert_int_equal(count_kind(VG_APP_EV_TX), 1);
    assert_true(recs[0].is_response);
    assert_int_equal(recs[0].dir, VG_DIR_TOSERVER);
    vg_app_parser_dns.parse(&c, st, VG_DIR_TOCLIENT, fx_query, sizeof(fx_query), 0);
    assert_int_equal(count_kind(VG_APP_EV_TX), 2);
    assert_false(recs[1].is_response);
    vg_app_parser_dns.state_free(st);
    c = mkctx(VG_IPPROTO_UDP);
    st = vg_app_parser_dns.state_new(&c);
    vg_app_parser_dns.parse(&c, st, VG_DIR_TOSERVER, fx_query, sizeof(fx_query), 0);
    n_recs = 0;
    /* after a request, a response sent to the server: not_a_request, no tx */
    vg_app_parser_dns.parse(&c, st, VG_DIR_TOSERVER, fx_response, sizeof(fx_response), 0);
    assert_int_equal(count_kind(VG_APP_EV_TX), 0);
    assert_true(has_anomaly("not_a_request"));
    /* a query sent to the client: a tx flagged not_a_response */
    n_recs = 0;
    vg_app_parser_dns.parse(&c, st, VG_DIR_TOCLIENT, fx_query, sizeof(fx_query), 0);
    assert_int_equal(count_kind(VG_APP_EV_TX), 1);
    assert_true(has_anomaly("not_a_response"));
    /* z flag and opcode 9 */
    uint8_t m[sizeof(fx_query)];
    memcpy(m, fx_query, sizeof(m));
    m[2] = 0x48; /* opcode 9 */
    m[3] = 0x40; /* z */
    n_recs = 0;
    vg_app_parser_dns.parse(&c, st, VG_DIR_TOSERVER, m, sizeof(m), 0);
    assert_int_equal(count_kind(VG_APP_EV_TX), 1);
    assert_true(has_anomaly("z_flag_set"));
    assert_true(has_anomaly("invalid_opcode"));
    /* malformed body: cut inside the question, header still plausible */
    n_recs = 0;
    vg_app_parser_dns.parse(&c, st, VG_DIR_TOSERVER, fx_query, sizeof(fx_query) - 3, 0);
    assert_int_equal(count_kind(VG_APP_EV_TX), 0);
    assert_true(has_anomaly("malformed_data"));
    assert_true(ctr("app_layer.dns.event.malformed_data") >= 1);
    /* not DNS at all: ignored silently on UDP */
    n_recs = 0;
    vg_app_parser_dns.parse(&c, st, VG_DIR_TOSERVER, (const uint8_t *)"GET / HTTP/1.1\r\n", 16, 0);
    assert_int_equal(n_recs, 0);
    vg_app_parser_dns.state_free(st);
}

static void
test_tcp_split_everywhere(void **state)
{
    (void)state;
    /* stream: [len][query][len][query with id 2] */
    uint8_t s[2 * (2 + sizeof(fx_query))];
    size_t n = 0;
    for (int k = 0; k < 2; k++) {
        s[n++] = 0;
        s[n++] = (uint8_t)sizeof(fx_query);
        memcpy(s + n, fx_query, sizeof(fx_query));
        if (k == 1)
            s[n + 1] = 2;
        n += sizeof(fx_query);
    }
    for (size_t cut = 0; cut <= n; cut++) {
        for (size_t cut2 = cut; cut2 <= n; cut2 += 7) {
            vg_app_ctx_t c = mkctx(VG_IPPROTO_TCP);
            void *st = vg_app_parser_dns.state_new(&c);
            uint8_t *a = malloc(cut + 1), *b = malloc(cut2 - cut + 1), *d = malloc(n - cut2 + 1);
            memcpy(a, s, cut);
            memcpy(b, s + cut, cut2 - cut);
            memcpy(d, s + cut2, n - cut2);
            assert_int_equal(vg_app_parser_dns.parse(&c, st, 0, a, cut, 0), VG_OK);
            assert_int_equal(vg_app_parser_dns.parse(&c, st, 0, b, cut2 - cut, 0), VG_OK);
            assert_int_equal(vg_app_parser_dns.parse(&c, st, 0, d, n - cut2, 0), VG_OK);
            assert_int_equal(count_kind(VG_APP_EV_TX), 2);
            assert_int_equal(recs[0].id, 36146);
            assert_int_equal(recs[1].id, 36146 - 0x32 + 2);
            assert_string_equal(recs[1].qname, "www.suricata-ids.org");
            free(a);
            free(b);
            free(d);
            vg_app_parser_dns.state_free(st);
        }
    }
}

static void
test_tcp_gap_and_limits(void **state)
{
    (void)state;
    uint8_t s[2 + sizeof(fx_query)];
    s[0] = 0;
    s[1] = (uint8_t)sizeof(fx_query);
    memcpy(s + 2, fx_query, sizeof(fx_query));
    vg_app_ctx_t c = mkctx(VG_IPPROTO_TCP);
    void *st = vg_app_parser_dns.state_new(&c);
    /* half a message, a gap, then garbage (ignored), then a whole message */
    vg_app_parser_dns.parse(&c, st, 0, s, 10, 0);
    vg_app_parser_dns.parse(&c, st, 0, NULL, 100, VG_APP_GAP);
    assert_int_equal(vg_app_parser_dns.parse(&c, st, 0, (const uint8_t *)"\x00\x05zzzzz", 7, 0), VG_OK);
    assert_int_equal(count_kind(VG_APP_EV_TX), 0);
    assert_int_equal(vg_app_parser_dns.parse(&c, st, 0, s, sizeof(s), 0), VG_OK);
    assert_int_equal(count_kind(VG_APP_EV_TX), 1);
    vg_app_parser_dns.state_free(st);

    /* a length prefix over dns_max_tcp_msg stops the parser, counted */
    lim.dns_max_tcp_msg = 16;
    c = mkctx(VG_IPPROTO_TCP);
    st = vg_app_parser_dns.state_new(&c);
    uint64_t before = ctr("app_layer.dns.tcp_message_too_large");
    assert_int_equal(vg_app_parser_dns.parse(&c, st, 0, s, sizeof(s), 0), VG_EINVAL);
    assert_int_equal(ctr("app_layer.dns.tcp_message_too_large") - before, 1);
    vg_app_parser_dns.state_free(st);
    vg_limits_defaults(&lim);

    /* pending requests bounded */
    lim.dns_max_pending_tx = 2;
    c = mkctx(VG_IPPROTO_UDP);
    st = vg_app_parser_dns.state_new(&c);
    before = ctr("app_layer.dns.pending_dropped");
    for (int i = 0; i < 3; i++)
        vg_app_parser_dns.parse(&c, st, 0, fx_query, sizeof(fx_query), 0);
    assert_int_equal(ctr("app_layer.dns.pending_dropped") - before, 1);
    vg_app_parser_dns.state_free(st);
    vg_limits_defaults(&lim);
}

static void
test_probe(void **state)
{
    (void)state;
    bool req;
    assert_int_equal(vg_dns_probe(fx_query, sizeof(fx_query), false, &req), VG_OK);
    assert_true(req);
    assert_int_equal(vg_dns_probe(fx_response, sizeof(fx_response), false, &req), VG_OK);
    assert_false(req);
    assert_int_equal(vg_dns_probe(fx_query, 5, false, &req), VG_AGAIN);
    uint8_t s[2 + sizeof(fx_query)];
    s[0] = 0;
    s[1] = (uint8_t)sizeof(fx_query);
    memcpy(s + 2, fx_query, sizeof(fx_query));
    assert_int_equal(vg_dns_probe(s, sizeof(s), true, &req), VG_OK);
    assert_int_equal(vg_dns_probe(s, 20, true, &req), VG_OK); /* header plausible */
    assert_int_equal(vg_dns_probe(s, 1, true, &req), VG_AGAIN);
    /* HTTP request/response, a TLS ClientHello record, SSH banner */
    static const struct {
        const char *b;
        size_t n;
    } not_dns[] = {
        {"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", 37},
        {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 38},
        {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" "0123456789abcdef0123456789abcdef", 43},
        {"SSH-2.0-OpenSSH_8.9\r\n", 21},
    };
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(vg_dns_probe((const uint8_t *)not_dns[i].b, not_dns[i].n, false, &req),
                         VG_DECLINED);
        assert_int_not_equal(
            vg_dns_probe((const uint8_t *)not_dns[i].b, not_dns[i].n, true, &req), VG_OK);
    }
}

static void
test_names(void **state)
{
    (void)state;
    assert_string_equal(vg_dns_rrtype_name(28), "AAAA");
    assert_string_equal(vg_dns_rrtype_name(65), "HTTPS");
    assert_null(vg_dns_rrtype_name(64)); /* SVCB: a number, as Suricata */
    assert_string_equal(vg_dns_rcode_name(3), "NXDOMAIN");
    assert_null(vg_dns_rcode_name(12));
    assert_string_equal(vg_dns_event_name(8), "infinite_loop");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_response_compressed),
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_pointer_to_itself),
        cmocka_unit_test(test_pointer_loop_after_jump),
        cmocka_unit_test(test_forward_pointer),
        cmocka_unit_test(test_bad_label_type),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_udp_request_response),
        cmocka_unit_test(test_udp_events),
        cmocka_unit_test(test_tcp_split_everywhere),
        cmocka_unit_test(test_tcp_gap_and_limits),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
