/* Unit tests for stream_tcp.c / stream_reassembly.c with synthetic
 * packets: handshake, midstream, ACK-driven delivery (which packet
 * triggers it), out-of-order, retransmissions, gaps, depth, FIN/RST,
 * sequence wraparound, segment/memcap limits, async one-side, flow end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "flow/flow.h"
#include "stream/stream.h"
#include "../flow/flow_test_pkt.h"

#define CLI "10.0.0.1"
#define SRV "10.0.0.2"
#define CP 40000
#define SP 80
#define MAXD 256

typedef struct delivery {
    int dir;
    uint64_t cnt;     /* pcap_cnt of the triggering packet, 0 for none */
    unsigned flags;
    uint32_t len;
    char data[128];
} delivery_t;

typedef struct harness {
    vg_limits_t l;
    vg_counters_t *c;
    vg_flow_table_t *t;
    vg_stream_ctx_t *s;
    delivery_t d[MAXD];
    int n;
    uint64_t cnt;
    vg_packet_t last;       /* the last packet sent (events) */
    char ts_bytes[4096];    /* concatenated toserver data */
    size_t ts_len;
} harness_t;

static harness_t H;
static vg_counters_t C; /* outlives h_stop so tests can read counters after the flow end */

static void
on_data(void *user, vg_flow_t *f, const vg_packet_t *p, int dir, const uint8_t *data,
        uint32_t len, unsigned flags)
{
    harness_t *h = user;
    (void)f;
    if (h->n < MAXD) {
        delivery_t *d = &h->d[h->n];
        d->dir = dir;
        d->cnt = p ? p->pcap_cnt : 0;
        d->flags = flags;
        d->len = len;
        if (data)
            memcpy(d->data, data, VG_MIN(len, sizeof(d->data) - 1));
    }
    h->n++;
    if (dir == VG_DIR_TOSERVER && data && h->ts_len + len <= sizeof(h->ts_bytes)) {
        memcpy(h->ts_bytes + h->ts_len, data, len);
        h->ts_len += len;
    }
}

static void
on_end(void *user, vg_flow_t *f)
{
    harness_t *h = user;
    vg_stream_flow_end(h->s, f, NULL);
}

static void
h_init(harness_t *h)
{
    memset(h, 0, sizeof(*h));
    vg_limits_defaults(&h->l);
}

static void
h_start(harness_t *h)
{
    memset(&C, 0, sizeof(C));
    h->c = &C;
    h->t = vg_flow_table_new(&h->l, h->c, on_end, h);
    h->s = vg_stream_ctx_new(&h->l, h->c, on_data, h);
    assert_non_null(h->t);
    assert_non_null(h->s);
}

static void
h_stop(harness_t *h)
{
    vg_flow_table_free(h->t);
    assert_int_equal(vg_stream_memuse(h->s), 0);
    assert_int_equal(vg_stream_reassembly_memuse(h->s), 0);
    vg_stream_ctx_free(h->s);
}

/* Send one packet from the client (toserver=1) or the server. */
static int
h_pkt(harness_t *h, int toserver, uint8_t flags, uint32_t seq, uint32_t ack, const char *payload)
{
    uint32_t len = payload ? (uint32_t)strlen(payload) : 0;
    h->cnt++;
    if (toserver)
        tp_tcp(&h->last, h->cnt, (vg_time_us_t)h->cnt * 1000, CLI, CP, SRV, SP, flags, seq, ack,
               payload, len);
    else
        tp_tcp(&h->last, h->cnt, (vg_time_us_t)h->cnt * 1000, SRV, SP, CLI, CP, flags, seq, ack,
               payload, len);
    int rc = vg_flow_handle_packet(h->t, &h->last);
    if (rc != VG_OK)
        return rc;
    return vg_stream_handle_packet(h->s, &h->last);
}

/* Like h_pkt with TCP timestamps (tsval, tsecr). */
static int
h_pkt_ts(harness_t *h, int toserver, uint8_t flags, uint32_t seq, uint32_t ack,
         const char *payload, uint32_t tsval, uint32_t tsecr)
{
    uint32_t len = payload ? (uint32_t)strlen(payload) : 0;
    h->cnt++;
    if (toserver)
        tp_tcp(&h->last, h->cnt, (vg_time_us_t)h->cnt * 1000, CLI, CP, SRV, SP, flags, seq, ack,
               payload, len);
    else
        tp_tcp(&h->last, h->cnt, (vg_time_us_t)h->cnt * 1000, SRV, SP, CLI, CP, flags, seq, ack,
               payload, len);
    h->last.tcp.has_ts = true;
    h->last.tcp.tsval = tsval;
    h->last.tcp.tsecr = tsecr;
    int rc = vg_flow_handle_packet(h->t, &h->last);
    if (rc != VG_OK)
        return rc;
    return vg_stream_handle_packet(h->s, &h->last);
}

/* Like h_pkt with a TCP-MD5 signature option (RFC 2385). */
static int
h_pkt_md5(harness_t *h, int toserver, uint8_t flags, uint32_t seq, uint32_t ack,
          const char *payload)
{
    uint32_t len = payload ? (uint32_t)strlen(payload) : 0;
    h->cnt++;
    if (toserver)
        tp_tcp(&h->last, h->cnt, (vg_time_us_t)h->cnt * 1000, CLI, CP, SRV, SP, flags, seq, ack,
               payload, len);
    else
        tp_tcp(&h->last, h->cnt, (vg_time_us_t)h->cnt * 1000, SRV, SP, CLI, CP, flags, seq, ack,
               payload, len);
    h->last.tcp.has_md5 = true;
    int rc = vg_flow_handle_packet(h->t, &h->last);
    if (rc != VG_OK)
        return rc;
    return vg_stream_handle_packet(h->s, &h->last);
}

static bool
has_event(const vg_packet_t *p, vg_decode_event_t ev)
{
    for (int i = 0; i < p->n_events; i++)
        if (p->events[i] == ev)
            return true;
    return false;
}

static uint64_t
ctr(const char *name)
{
    vg_counter_id_t id;
    if (vg_counter_find(name, &id) != VG_OK)
        return 0;
    return H.c->v[id];
}

#define A VG_TH_ACK
#define PA (VG_TH_ACK | VG_TH_PUSH)
#define CISN 1000u
#define SISN 5000u

/* SYN, SYN/ACK, ACK with the given ISNs. */
static void
handshake(harness_t *h, uint32_t cisn, uint32_t sisn)
{
    assert_int_equal(h_pkt(h, 1, VG_TH_SYN, cisn, 0, NULL), VG_OK);
    assert_int_equal(h_pkt(h, 0, VG_TH_SYN | A, sisn, cisn + 1, NULL), VG_OK);
    assert_int_equal(h_pkt(h, 1, A, cisn + 1, sisn + 1, NULL), VG_OK);
}

static void
test_handshake(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    assert_int_equal(h_pkt(&H, 1, VG_TH_SYN, CISN, 0, NULL), VG_OK);
    vg_flow_t *f = H.last.flow;
    assert_string_equal(vg_stream_state_name(f), "syn_sent");
    assert_int_equal(h_pkt(&H, 0, VG_TH_SYN | A, SISN, CISN + 1, NULL), VG_OK);
    assert_string_equal(vg_stream_state_name(f), "syn_recv");
    assert_int_equal(f->state, VG_FLOW_STATE_NEW);
    assert_int_equal(h_pkt(&H, 1, A, CISN + 1, SISN + 1, NULL), VG_OK);
    assert_string_equal(vg_stream_state_name(f), "established");
    assert_int_equal(f->state, VG_FLOW_STATE_ESTABLISHED);
    assert_int_equal(ctr("tcp.sessions"), 1);
    assert_int_equal(ctr("tcp.syn"), 1);
    assert_int_equal(ctr("tcp.synack"), 1);
    assert_int_equal(H.n, 0);
    h_stop(&H);
}

static void
test_synack_wrong_ack(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    h_pkt(&H, 1, VG_TH_SYN, CISN, 0, NULL);
    h_pkt(&H, 0, VG_TH_SYN | A, SISN, CISN + 77, NULL);
    assert_true(has_event(&H.last, VG_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK));
    assert_string_equal(vg_stream_state_name(H.last.flow), "syn_sent");
    h_stop(&H);
}

/* Client data is delivered with the server's ACK, not with the data. */
static void
test_ack_driven_delivery(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "GET / HTTP/1.0\r\n\r\n"); /* #4 */
    assert_int_equal(H.n, 0);
    h_pkt(&H, 0, PA, SISN + 1, CISN + 1 + 18, "HTTP/1.0 200 OK\r\n\r\n"); /* #5 acks #4 */
    assert_int_equal(H.n, 1);
    assert_int_equal(H.d[0].dir, VG_DIR_TOSERVER);
    assert_int_equal(H.d[0].cnt, 5);
    assert_int_equal(H.d[0].flags, VG_STREAM_DATA | VG_STREAM_START);
    assert_int_equal(H.d[0].len, 18);
    assert_memory_equal(H.d[0].data, "GET / HTTP/1.0\r\n\r\n", 18);
    /* partial ACK delivers only what is acknowledged */
    h_pkt(&H, 1, A, CISN + 19, SISN + 1 + 10, NULL); /* #6 */
    assert_int_equal(H.n, 2);
    assert_int_equal(H.d[1].dir, VG_DIR_TOCLIENT);
    assert_int_equal(H.d[1].cnt, 6);
    assert_int_equal(H.d[1].len, 10);
    assert_memory_equal(H.d[1].data, "HTTP/1.0 2", 10);
    h_pkt(&H, 1, A, CISN + 19, SISN + 1 + 19, NULL); /* #7 */
    assert_int_equal(H.n, 3);
    assert_int_equal(H.d[2].flags, VG_STREAM_DATA);
    assert_int_equal(H.d[2].len, 9);
    assert_int_equal(H.d[2].cnt, 7);
    h_stop(&H);
}

static void
test_out_of_order(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    h_pkt(&H, 1, PA, CISN + 1 + 5, SISN + 1, "world");
    h_pkt(&H, 1, PA, CISN + 1 + 10, SISN + 1, "!!");
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "hello");
    assert_int_equal(H.n, 0);
    h_pkt(&H, 0, A, SISN + 1, CISN + 13, NULL);
    assert_int_equal(H.ts_len, 12);
    assert_memory_equal(H.ts_bytes, "helloworld!!", 12);
    for (int i = 0; i < H.n; i++)
        assert_int_equal(H.d[i].cnt, 7);
    assert_int_equal(ctr("tcp.reassembly_gap"), 0);
    h_stop(&H);
}

static void
test_retransmission(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "abcdef");
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "abcdef"); /* same bytes */
    assert_false(has_event(&H.last, VG_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    assert_int_equal(ctr("tcp.overlap"), 1);
    h_pkt(&H, 1, PA, CISN + 5, SISN + 1, "XXyz"); /* differs on "ef", extends by "yz" */
    assert_true(has_event(&H.last, VG_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    assert_int_equal(ctr("tcp.overlap_diff_data"), 1);
    h_pkt(&H, 0, A, SISN + 1, CISN + 1 + 6, NULL);
    /* first data wins for the overlapped bytes; only acked bytes out */
    assert_int_equal(H.ts_len, 6);
    assert_memory_equal(H.ts_bytes, "abcdef", 6);
    /* a retransmission of delivered bytes is tagged and dropped */
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "abc");
    assert_true(has_event(&H.last, VG_EV_STREAM_PKT_RETRANSMISSION));
    h_pkt(&H, 0, A, SISN + 1, CISN + 1 + 8, NULL);
    assert_int_equal(H.ts_len, 8);
    assert_memory_equal(H.ts_bytes, "abcdefyz", 8);
    h_stop(&H);
}

static void
test_gap(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "aaaaa");
    /* bytes 5..9 lost before the sensor */
    h_pkt(&H, 1, PA, CISN + 11, SISN + 1, "ccccc");
    h_pkt(&H, 0, A, SISN + 1, CISN + 16, NULL); /* #6 acks past the hole */
    assert_int_equal(H.n, 3);
    assert_int_equal(H.d[0].flags & (VG_STREAM_DATA | VG_STREAM_GAP), VG_STREAM_DATA);
    assert_int_equal(H.d[0].len, 5);
    assert_int_equal(H.d[1].flags, VG_STREAM_GAP);
    assert_int_equal(H.d[1].len, 5);
    assert_int_equal(H.d[1].cnt, 6);
    assert_int_equal(H.d[2].flags, VG_STREAM_DATA);
    assert_memory_equal(H.d[2].data, "ccccc", 5);
    assert_int_equal(ctr("tcp.reassembly_gap"), 1);
    assert_true(H.last.flow->flags & VG_FLOW_F_GAP_TS);
    assert_false(H.last.flow->flags & VG_FLOW_F_GAP_TC);
    /* the server ACKs data never seen at all: a gap too */
    h_pkt(&H, 0, A, SISN + 1, CISN + 26, NULL);
    assert_int_equal(H.d[3].flags, VG_STREAM_GAP);
    assert_int_equal(H.d[3].len, 10);
    assert_int_equal(ctr("tcp.ack_unseen_data"), 1);
    h_stop(&H);
}

static void
test_depth(void **state)
{
    (void)state;
    h_init(&H);
    H.l.stream_reassembly_depth = 10;
    h_start(&H);
    handshake(&H, CISN, SISN);
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "0123456");
    h_pkt(&H, 1, PA, CISN + 8, SISN + 1, "789abcdef");
    h_pkt(&H, 0, A, SISN + 1, CISN + 17, NULL);
    assert_int_equal(H.ts_len, 10);
    assert_memory_equal(H.ts_bytes, "0123456789", 10);
    assert_int_equal(H.d[H.n - 1].flags, VG_STREAM_EOF | VG_STREAM_DEPTH);
    assert_int_equal(ctr("tcp.stream_depth_reached"), 1);
    assert_true(has_event(&H.last, VG_EV_STREAM_REASSEMBLY_DEPTH_REACHED));
    int n = H.n;
    h_pkt(&H, 1, PA, CISN + 17, SISN + 1, "more");
    h_pkt(&H, 0, A, SISN + 1, CISN + 21, NULL);
    assert_int_equal(H.n, n);
    assert_int_equal(vg_stream_reassembly_memuse(H.s), 0);
    h_stop(&H);
}

static void
test_fin_close(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    vg_flow_t *f = H.last.flow;
    h_pkt(&H, 1, PA | VG_TH_FIN, CISN + 1, SISN + 1, "bye"); /* #4 */
    assert_string_equal(vg_stream_state_name(f), "fin_wait1");
    h_pkt(&H, 0, A, SISN + 1, CISN + 5, NULL); /* #5: acks data + FIN */
    assert_string_equal(vg_stream_state_name(f), "fin_wait2");
    assert_int_equal(H.n, 2);
    assert_int_equal(H.d[0].cnt, 5);
    assert_int_equal(H.d[0].flags, VG_STREAM_DATA | VG_STREAM_START);
    assert_int_equal(H.d[1].flags, VG_STREAM_EOF);
    assert_int_equal(H.d[1].cnt, 5);
    h_pkt(&H, 0, PA | VG_TH_FIN, SISN + 1, CISN + 5, "ok"); /* #6 */
    assert_string_equal(vg_stream_state_name(f), "time_wait");
    assert_int_equal(f->state, VG_FLOW_STATE_CLOSED);
    h_pkt(&H, 1, A, CISN + 5, SISN + 4, NULL); /* #7 */
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_int_equal(H.n, 4);
    assert_int_equal(H.d[2].dir, VG_DIR_TOCLIENT);
    assert_int_equal(H.d[2].cnt, 7);
    assert_memory_equal(H.d[2].data, "ok", 2);
    assert_int_equal(H.d[3].flags, VG_STREAM_EOF);
    h_stop(&H);
    /* nothing more at flow end: both directions already closed */
    assert_int_equal(H.n, 4);
    assert_int_equal(ctr("tcp.pseudo"), 0);
}

static void
test_server_close_first(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    vg_flow_t *f = H.last.flow;
    h_pkt(&H, 0, A | VG_TH_FIN, SISN + 1, CISN + 1, NULL);
    assert_string_equal(vg_stream_state_name(f), "close_wait");
    h_pkt(&H, 1, A | VG_TH_FIN, CISN + 1, SISN + 2, NULL);
    assert_string_equal(vg_stream_state_name(f), "last_ack");
    assert_int_equal(f->state, VG_FLOW_STATE_CLOSED);
    h_pkt(&H, 0, A, SISN + 2, CISN + 2, NULL);
    assert_string_equal(vg_stream_state_name(f), "closed");
    h_stop(&H);
}

static void
test_rst(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    vg_flow_t *f = H.last.flow;
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "unacked"); /* #4 */
    h_pkt(&H, 0, VG_TH_RST, SISN + 1, 0, NULL);      /* #5 */
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_int_equal(f->state, VG_FLOW_STATE_CLOSED);
    /* ts data + ts EOF; the toclient side never carried data: no EOF */
    assert_int_equal(H.n, 2);
    assert_int_equal(H.d[0].cnt, 5);
    assert_memory_equal(H.d[0].data, "unacked", 7);
    assert_int_equal(H.d[1].flags, VG_STREAM_EOF);
    assert_int_equal(H.d[1].cnt, 5);
    assert_int_equal(ctr("tcp.rst"), 1);
    h_stop(&H);
    assert_int_equal(H.n, 2);
}

static void
test_seq_wraparound(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    uint32_t cisn = 0xfffffff0u;
    handshake(&H, cisn, SISN);
    char buf[41];
    for (int i = 0; i < 40; i++)
        buf[i] = (char)('A' + i % 26);
    buf[40] = 0;
    char part[21];
    memcpy(part, buf + 20, 20);
    part[20] = 0;
    h_pkt(&H, 1, PA, cisn + 1 + 20, SISN + 1, part); /* after the wrap, out of order */
    memcpy(part, buf, 20);
    h_pkt(&H, 1, PA, cisn + 1, SISN + 1, part);      /* spans the wrap */
    h_pkt(&H, 0, A, SISN + 1, cisn + 41, NULL);
    assert_int_equal(H.ts_len, 40);
    assert_memory_equal(H.ts_bytes, buf, 40);
    assert_int_equal(ctr("tcp.reassembly_gap"), 0);
    h_stop(&H);
}

static void
test_midstream(void **state)
{
    (void)state;
    /* off: no session, nothing delivered */
    h_init(&H);
    h_start(&H);
    assert_int_equal(h_pkt(&H, 1, PA, CISN, SISN, "abc"), VG_DECLINED);
    assert_null(H.last.flow->tcp);
    assert_int_equal(h_pkt(&H, 0, A, SISN, CISN + 3, NULL), VG_DECLINED);
    assert_int_equal(ctr("tcp.no_session"), 2);
    h_stop(&H);
    assert_int_equal(H.n, 0);

    /* on: picked up established, delivered on ACK */
    h_init(&H);
    H.l.stream_midstream = 1;
    h_start(&H);
    assert_int_equal(h_pkt(&H, 1, PA, CISN, SISN, "abc"), VG_OK);
    vg_flow_t *f = H.last.flow;
    assert_string_equal(vg_stream_state_name(f), "established");
    assert_int_equal(f->state, VG_FLOW_STATE_ESTABLISHED);
    assert_int_equal(ctr("tcp.midstream_pickups"), 1);
    h_pkt(&H, 0, PA, SISN, CISN + 3, "xy");
    assert_int_equal(H.n, 1);
    assert_int_equal(H.d[0].cnt, 2);
    assert_memory_equal(H.d[0].data, "abc", 3);
    h_stop(&H);
    /* flow end flushes the unacked server bytes with EOF, no packet */
    assert_int_equal(H.d[H.n - 2].dir, VG_DIR_TOCLIENT);
    assert_memory_equal(H.d[H.n - 2].data, "xy", 2);
    assert_int_equal(H.d[H.n - 1].cnt, 0);
    assert_true(H.d[H.n - 1].flags & VG_STREAM_EOF);
}

static void
test_midstream_synack(void **state)
{
    (void)state;
    h_init(&H);
    H.l.stream_midstream = 1;
    h_start(&H);
    assert_int_equal(h_pkt(&H, 0, VG_TH_SYN | A, SISN, CISN + 1, NULL), VG_OK);
    vg_flow_t *f = H.last.flow;
    assert_int_equal(H.last.dir, VG_DIR_TOCLIENT);
    assert_string_equal(vg_stream_state_name(f), "syn_recv");
    h_pkt(&H, 1, A, CISN + 1, SISN + 1, NULL);
    assert_string_equal(vg_stream_state_name(f), "established");
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "hi");
    h_pkt(&H, 0, A, SISN + 1, CISN + 3, NULL);
    assert_int_equal(H.n, 1);
    assert_memory_equal(H.d[0].data, "hi", 2);
    h_stop(&H);
}

static void
test_async_oneside(void **state)
{
    (void)state;
    h_init(&H);
    H.l.stream_async_oneside = 1;
    h_start(&H);
    h_pkt(&H, 1, VG_TH_SYN, CISN, 0, NULL);
    h_pkt(&H, 1, A, CISN + 1, SISN + 1, NULL);
    vg_flow_t *f = H.last.flow;
    assert_string_equal(vg_stream_state_name(f), "established");
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "one"); /* #3 */
    assert_int_equal(H.n, 1);
    assert_int_equal(H.d[0].cnt, 3);
    h_pkt(&H, 1, PA, CISN + 4, SISN + 1, "two");
    assert_int_equal(H.ts_len, 6);
    h_stop(&H);

    /* without async-oneside the same packets deliver nothing until the end */
    h_init(&H);
    h_start(&H);
    h_pkt(&H, 1, VG_TH_SYN, CISN, 0, NULL);
    h_pkt(&H, 1, A, CISN + 1, SISN + 1, NULL);
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "one");
    assert_int_equal(H.n, 0);
    h_stop(&H);
    assert_int_equal(H.n, 0);
}

/* suricata-verify http-async-srv: only the server side is captured, from
 * its SYN/ACK. With stream.async-oneside (and no midstream) Suricata picks
 * the session up there and delivers the server's data; without either
 * there is no session. */
static void
test_async_oneside_server(void **state)
{
    (void)state;
    for (int async = 1; async >= 0; async--) {
        h_init(&H);
        H.l.stream_async_oneside = (uint64_t)async;
        h_start(&H);
        h_pkt(&H, 0, VG_TH_SYN | A, SISN, CISN + 1, NULL);
        vg_flow_t *f = H.last.flow;
        assert_int_equal(H.last.dir, VG_DIR_TOCLIENT);
        h_pkt(&H, 0, A, SISN + 1, CISN + 41, NULL);
        h_pkt(&H, 0, PA, SISN + 1, CISN + 41, "HTTP/1.0 200 OK\r\n\r\n");
        h_pkt(&H, 0, VG_TH_FIN | A, SISN + 20, CISN + 41, NULL);
        if (async) {
            assert_int_equal(ctr("tcp.midstream_pickups"), 1);
            assert_int_equal(ctr("tcp.no_session"), 0);
            assert_non_null(f->tcp);
        } else {
            assert_int_equal(ctr("tcp.no_session"), 4);
            assert_null(f->tcp);
        }
        h_stop(&H);
        /* the server's bytes reach the app layer, at the latest at flow end */
        size_t got = 0;
        for (int i = 0; i < H.n && i < MAXD; i++)
            if (H.d[i].dir == VG_DIR_TOCLIENT)
                got += H.d[i].len;
        assert_int_equal(got, async ? 19 : 0);
    }
}

static void
test_max_segments(void **state)
{
    (void)state;
    h_init(&H);
    H.l.stream_max_segments = 4;
    h_start(&H);
    handshake(&H, CISN, SISN);
    /* every other 2-byte block: 6 segments with holes between them */
    for (int i = 0; i < 6; i++)
        h_pkt(&H, 1, PA, CISN + 1 + 4 * (uint32_t)i + 2, SISN + 1, "zz");
    assert_true(ctr("tcp.max_segments_flush") >= 1);
    assert_true(ctr("tcp.reassembly_gap") >= 4);
    assert_true(H.n > 0);
    /* the bound holds: never more than 4 queued */
    assert_true(vg_stream_reassembly_memuse(H.s) <= 4 * (2 + 64));
    h_stop(&H);
}

static void
test_reassembly_memcap(void **state)
{
    (void)state;
    h_init(&H);
    H.l.stream_reassembly_memcap = 120;
    h_start(&H);
    handshake(&H, CISN, SISN);
    char big[61];
    memset(big, 'q', 60);
    big[60] = 0;
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, big);
    assert_true(vg_stream_reassembly_memuse(H.s) <= 120);
    h_pkt(&H, 1, PA, CISN + 61, SISN + 1, big); /* does not fit */
    assert_int_equal(ctr("tcp.segment_memcap_drop"), 1);
    assert_int_equal(ctr("stream.reassembly_memcap"), 1);
    assert_true(vg_stream_reassembly_memuse(H.s) <= 120);
    h_pkt(&H, 0, A, SISN + 1, CISN + 121, NULL);
    /* 60 bytes data then a 60 byte gap where the dropped segment was */
    assert_int_equal(H.n, 2);
    assert_int_equal(H.d[1].flags, VG_STREAM_GAP);
    assert_int_equal(H.d[1].len, 60);
    h_stop(&H);
}

static void
test_session_memcap(void **state)
{
    (void)state;
    h_init(&H);
    H.l.stream_memcap = 1;
    h_start(&H);
    assert_int_equal(h_pkt(&H, 1, VG_TH_SYN, CISN, 0, NULL), VG_DECLINED);
    assert_int_equal(ctr("tcp.ssn_memcap_drop"), 1);
    h_stop(&H);
}

static void
test_invalid_checksum(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    H.cnt++;
    tp_tcp(&H.last, H.cnt, 1, CLI, CP, SRV, SP, VG_TH_SYN, CISN, 0, NULL, 0);
    H.last.flags |= VG_PKT_L4_CSUM_BAD;
    vg_flow_handle_packet(H.t, &H.last);
    assert_int_equal(vg_stream_handle_packet(H.s, &H.last), VG_DECLINED);
    assert_int_equal(ctr("tcp.invalid_checksum"), 1);
    h_stop(&H);
}

static void
test_flow_end_flush_gap(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "ab");
    h_pkt(&H, 1, PA, CISN + 5, SISN + 1, "ef");
    assert_int_equal(H.n, 0);
    h_stop(&H);
    /* ab, gap 2, ef, EOF (toserver), no packet; toclient had nothing */
    assert_int_equal(H.n, 4);
    assert_int_equal(H.d[0].flags, VG_STREAM_DATA | VG_STREAM_START);
    assert_int_equal(H.d[1].flags, VG_STREAM_GAP);
    assert_int_equal(H.d[1].len, 2);
    assert_int_equal(H.d[2].flags, VG_STREAM_DATA);
    assert_int_equal(H.d[3].flags, VG_STREAM_EOF);
    for (int i = 0; i < 4; i++)
        assert_int_equal(H.d[i].cnt, 0);
    assert_int_equal(ctr("tcp.pseudo"), 1);
}

static void
test_rst_out_of_window_ignored(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    vg_flow_t *f = H.last.flow;
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "data");
    h_pkt(&H, 0, A, SISN + 1, CISN + 5, NULL);
    /* injected RST with a sequence number far from the server's window */
    h_pkt(&H, 0, VG_TH_RST, SISN + 1 + 0x20000000u, 0, NULL);
    assert_string_equal(vg_stream_state_name(f), "established");
    assert_int_equal(ctr("tcp.rst_invalid"), 1);
    /* an in-window RST closes */
    h_pkt(&H, 0, VG_TH_RST, SISN + 1, 0, NULL);
    assert_string_equal(vg_stream_state_name(f), "closed");
    h_stop(&H);
}

/* suricata-verify security-4710-01: the client sends a MD5-signed RST/ACK
 * (exactly in sequence) and then its request as if nothing happened.
 * Suricata cannot check the signature, so the RST's receiver may have
 * dropped it: the session resumes in its old state with the sender's next
 * packet (stream.suspected_rst_inject) and the request is inspected. */
static void
test_rst_md5_resume(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    vg_flow_t *f = H.last.flow;
    h_pkt_md5(&H, 1, VG_TH_RST | A, CISN + 1, SISN + 1, NULL); /* #4 */
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_int_equal(H.n, 0); /* nothing to deliver, and no EOF: it may be refused */
    /* the receiver's own packets do not reopen the session */
    h_pkt(&H, 0, PA, SISN + 1, CISN + 1, "late"); /* #5 */
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_false(has_event(&H.last, VG_EV_STREAM_SUSPECTED_RST_INJECT));
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "GET /"); /* #6 */
    assert_true(has_event(&H.last, VG_EV_STREAM_SUSPECTED_RST_INJECT));
    assert_string_equal(vg_stream_state_name(f), "established");
    assert_int_equal(f->state, VG_FLOW_STATE_CLOSED); /* Suricata keeps the flow state */
    h_pkt(&H, 0, PA, SISN + 1, CISN + 6, "200"); /* #7 */
    assert_false(has_event(&H.last, VG_EV_STREAM_SUSPECTED_RST_INJECT)); /* once */
    assert_int_equal(H.n, 1);
    assert_int_equal(H.d[0].dir, VG_DIR_TOSERVER);
    assert_int_equal(H.d[0].cnt, 7);
    assert_memory_equal(H.d[0].data, "GET /", 5);
    h_pkt(&H, 1, A, CISN + 6, SISN + 4, NULL); /* #8 */
    assert_int_equal(H.n, 2);
    assert_int_equal(H.d[1].dir, VG_DIR_TOCLIENT);
    assert_memory_equal(H.d[1].data, "200", 3);
    /* a RST without signature still ends it, with EOF both ways */
    h_pkt(&H, 1, VG_TH_RST | A, CISN + 6, SISN + 4, NULL); /* #9 */
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_int_equal(H.n, 4);
    assert_int_equal(H.d[2].flags, VG_STREAM_EOF);
    assert_int_equal(H.d[3].flags, VG_STREAM_EOF);
    h_pkt(&H, 1, PA, CISN + 6, SISN + 4, "more"); /* #10 */
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_false(has_event(&H.last, VG_EV_STREAM_SUSPECTED_RST_INJECT));
    h_stop(&H);
    assert_int_equal(H.n, 4);
}

/* A MD5-signed RST nobody contradicts: the session stays closed and the
 * flow end delivers the EOF. An unsigned RST after data (test_rst) gets
 * the EOF with the RST itself. */
static void
test_rst_md5_stays_closed(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    vg_flow_t *f = H.last.flow;
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "req");                /* #4 */
    h_pkt_md5(&H, 0, VG_TH_RST | A, SISN + 1, CISN + 4, NULL);   /* #5 */
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_int_equal(H.n, 1); /* what the RST ACKs, without EOF */
    assert_int_equal(H.d[0].cnt, 5);
    assert_memory_equal(H.d[0].data, "req", 3);
    /* the RST's sender retransmitting it changes nothing */
    h_pkt_md5(&H, 0, VG_TH_RST | A, SISN + 1, CISN + 4, NULL);  /* #6 */
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_int_equal(H.n, 1);
    h_stop(&H);
    assert_int_equal(H.n, 2);
    assert_int_equal(H.d[1].flags, VG_STREAM_EOF);
    assert_int_equal(H.d[1].dir, VG_DIR_TOSERVER);
}

/* Suricata marks the receiver before its sequence check: a signed RST
 * outside the window is ignored, and the sender's next packet still gets
 * the event. */
static void
test_rst_md5_out_of_window(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    vg_flow_t *f = H.last.flow;
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "data");
    h_pkt(&H, 0, A, SISN + 1, CISN + 5, NULL);
    h_pkt_md5(&H, 0, VG_TH_RST, SISN + 1 + 0x20000000u, 0, NULL);
    assert_string_equal(vg_stream_state_name(f), "established");
    assert_int_equal(ctr("tcp.rst_invalid"), 1);
    h_pkt(&H, 1, A, CISN + 5, SISN + 1, NULL); /* the receiver: not suspect */
    assert_false(has_event(&H.last, VG_EV_STREAM_SUSPECTED_RST_INJECT));
    h_pkt(&H, 0, PA, SISN + 1, CISN + 5, "ok");
    assert_true(has_event(&H.last, VG_EV_STREAM_SUSPECTED_RST_INJECT));
    assert_string_equal(vg_stream_state_name(f), "established");
    h_stop(&H);
}

static void
test_invalid_ack(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    handshake(&H, CISN, SISN);
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "abc");
    /* the server ACKs 1 GB the client never could have sent */
    h_pkt(&H, 0, A, SISN + 1, CISN + 0x40000000u, NULL);
    assert_true(has_event(&H.last, VG_EV_STREAM_PKT_INVALID_ACK));
    assert_int_equal(H.n, 0);
    h_pkt(&H, 0, A, SISN + 1, CISN + 4, NULL);
    assert_int_equal(H.n, 1);
    assert_int_equal(H.d[0].len, 3);
    h_stop(&H);
}

/* ISNs more than 2^31 away from 0: serial compares must not use 0 as a
 * baseline anywhere (regression: an in-window RST was judged invalid). */
static void
test_high_isn(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    uint32_t cisn = 0x90000000u, sisn = 0xa0000000u;
    handshake(&H, cisn, sisn);
    vg_flow_t *f = H.last.flow;
    h_pkt(&H, 1, PA, cisn + 1, sisn + 1, "req");
    h_pkt(&H, 0, PA, sisn + 1, cisn + 4, "resp");
    assert_int_equal(H.n, 1);
    h_pkt(&H, 1, A, cisn + 4, sisn + 5, NULL);
    assert_int_equal(H.n, 2);
    h_pkt(&H, 0, VG_TH_RST | A, sisn + 5, cisn + 4, NULL);
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_int_equal(ctr("tcp.rst_invalid"), 0);
    h_stop(&H);
}

/* TCP Fast Open (suricata-verify tcp-fastopen-*): data on the SYN, acked by
 * the SYN/ACK; the server answers before the client's ACK. */
static void
test_fast_open(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    h_pkt(&H, 1, VG_TH_SYN, CISN, 0, "GET /");                        /* #1 */
    h_pkt(&H, 0, VG_TH_SYN | A, SISN, CISN + 6, NULL);                /* #2 */
    vg_flow_t *f = H.last.flow;
    assert_false(has_event(&H.last, VG_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK));
    assert_string_equal(vg_stream_state_name(f), "syn_recv");
    assert_int_equal(H.n, 1);
    assert_int_equal(H.d[0].cnt, 2);
    assert_memory_equal(H.d[0].data, "GET /", 5);
    h_pkt(&H, 0, PA, SISN + 1, CISN + 6, "200 OK");                   /* #3 */
    assert_string_equal(vg_stream_state_name(f), "established");
    h_pkt(&H, 1, A, CISN + 6, SISN + 7, NULL);                        /* #4 */
    assert_int_equal(H.n, 2);
    assert_int_equal(H.d[1].dir, VG_DIR_TOCLIENT);
    assert_int_equal(H.d[1].cnt, 4);
    assert_memory_equal(H.d[1].data, "200 OK", 6);
    h_stop(&H);

    /* cookie refused: the SYN/ACK acks only the SYN, the client resends */
    h_init(&H);
    h_start(&H);
    h_pkt(&H, 1, VG_TH_SYN, CISN, 0, "GET /");
    h_pkt(&H, 0, VG_TH_SYN | A, SISN, CISN + 1, NULL);
    h_pkt(&H, 1, PA, CISN + 1, SISN + 1, "GET /");
    assert_false(has_event(&H.last, VG_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    h_pkt(&H, 0, A, SISN + 1, CISN + 6, NULL);
    assert_int_equal(H.ts_len, 5);
    assert_memory_equal(H.ts_bytes, "GET /", 5);
    /* a SYN/ACK acking more than the SYN carried is still wrong */
    h_stop(&H);
    h_init(&H);
    h_start(&H);
    h_pkt(&H, 1, VG_TH_SYN, CISN, 0, "GET /");
    h_pkt(&H, 0, VG_TH_SYN | A, SISN, CISN + 99, NULL);
    assert_true(has_event(&H.last, VG_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK));
    h_stop(&H);
}

static void
test_rst_in_syn_sent(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    h_pkt(&H, 1, VG_TH_SYN, CISN, 0, NULL);
    vg_flow_t *f = H.last.flow;
    /* a blind RST not answering the SYN is ignored */
    h_pkt(&H, 0, VG_TH_RST | A, 0, CISN + 50, NULL);
    assert_true(has_event(&H.last, VG_EV_STREAM_RST_INVALID_ACK));
    assert_string_equal(vg_stream_state_name(f), "syn_sent");
    /* the refusal (port closed) closes */
    h_pkt(&H, 0, VG_TH_RST | A, 0, CISN + 1, NULL);
    assert_string_equal(vg_stream_state_name(f), "closed");
    assert_int_equal(f->state, VG_FLOW_STATE_CLOSED);
    h_stop(&H);

    /* the client may abort its own attempt */
    h_init(&H);
    h_start(&H);
    h_pkt(&H, 1, VG_TH_SYN, CISN, 0, NULL);
    h_pkt(&H, 1, VG_TH_RST, CISN + 1, 0, NULL);
    assert_string_equal(vg_stream_state_name(H.last.flow), "closed");
    h_stop(&H);
}

/* PAWS as suricata-verify output-eve-anomaly-03: a RST with TSval 0 on a
 * timestamped session is an invalid timestamp and is ignored. */
static void
test_paws(void **state)
{
    (void)state;
    h_init(&H);
    h_start(&H);
    h_pkt_ts(&H, 1, VG_TH_SYN, CISN, 0, NULL, 1000, 0);
    h_pkt_ts(&H, 0, VG_TH_SYN | A, SISN, CISN + 1, NULL, 5000, 1000);
    h_pkt_ts(&H, 1, A, CISN + 1, SISN + 1, NULL, 1001, 5000);
    vg_flow_t *f = H.last.flow;
    h_pkt_ts(&H, 1, PA, CISN + 1, SISN + 1, "abc", 1002, 5000);
    /* an old TSval: replayed/wrapped segment, dropped */
    h_pkt_ts(&H, 1, PA, CISN + 4, SISN + 1, "XYZ", 900, 5000);
    assert_true(has_event(&H.last, VG_EV_STREAM_PKT_INVALID_TIMESTAMP));
    h_pkt_ts(&H, 0, A, SISN + 1, CISN + 4, NULL, 5001, 1002);
    assert_false(has_event(&H.last, VG_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_int_equal(H.ts_len, 3);
    h_pkt_ts(&H, 0, VG_TH_RST, SISN + 1, 0, NULL, 0, 1002);
    assert_true(has_event(&H.last, VG_EV_STREAM_PKT_INVALID_TIMESTAMP));
    assert_string_equal(vg_stream_state_name(f), "established");
    assert_int_equal(ctr("tcp.invalid_timestamp"), 2);
    /* the same RST without timestamps is not checked */
    h_pkt(&H, 0, VG_TH_RST, SISN + 1, 0, NULL);
    assert_string_equal(vg_stream_state_name(f), "closed");
    h_stop(&H);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake),
        cmocka_unit_test(test_synack_wrong_ack),
        cmocka_unit_test(test_ack_driven_delivery),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_retransmission),
        cmocka_unit_test(test_gap),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_fin_close),
        cmocka_unit_test(test_server_close_first),
        cmocka_unit_test(test_rst),
        cmocka_unit_test(test_seq_wraparound),
        cmocka_unit_test(test_midstream),
        cmocka_unit_test(test_midstream_synack),
        cmocka_unit_test(test_async_oneside),
        cmocka_unit_test(test_async_oneside_server),
        cmocka_unit_test(test_max_segments),
        cmocka_unit_test(test_reassembly_memcap),
        cmocka_unit_test(test_session_memcap),
        cmocka_unit_test(test_invalid_checksum),
        cmocka_unit_test(test_flow_end_flush_gap),
        cmocka_unit_test(test_rst_out_of_window_ignored),
        cmocka_unit_test(test_rst_md5_resume),
        cmocka_unit_test(test_rst_md5_stays_closed),
        cmocka_unit_test(test_rst_md5_out_of_window),
        cmocka_unit_test(test_invalid_ack),
        cmocka_unit_test(test_high_isn),
        cmocka_unit_test(test_fast_open),
        cmocka_unit_test(test_rst_in_syn_sent),
        cmocka_unit_test(test_paws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
