/* Unit tests for flow_table.c and flow_hash.c: direction assignment,
 * counters, symmetric hash, flow_id, timeouts, emergency eviction, ICMP,
 * TCP port reuse, memory accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "flow/flow.h"
#include "flow_test_pkt.h"

#define S(x) ((vg_time_us_t)(x) * 1000000)

/* Records every ended flow. */
typedef struct ended {
    int n;
    uint64_t ids[256];
    uint8_t reasons[256];
    uint16_t sp[256];
} ended_t;

static void
on_end(void *user, vg_flow_t *f)
{
    ended_t *e = user;
    if (e->n < 256) {
        e->ids[e->n] = f->flow_id;
        e->reasons[e->n] = f->end_reason;
        e->sp[e->n] = f->key.sp;
    }
    e->n++;
}

static uint64_t
ctr(const vg_counters_t *c, const char *name)
{
    vg_counter_id_t id;
    if (vg_counter_find(name, &id) != VG_OK)
        return 0;
    return c->v[id];
}

static void
test_direction_and_counters(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    ended_t e = { 0 };
    vg_flow_table_t *t = vg_flow_table_new(&l, c, on_end, &e);
    assert_non_null(t);
    vg_packet_t p;

    tp_tcp(&p, 1, S(100), "10.0.0.1", 40000, "10.0.0.2", 80, VG_TH_SYN, 1000, 0, NULL, 0);
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
    vg_flow_t *f = p.flow;
    assert_non_null(f);
    assert_int_equal(p.dir, VG_DIR_TOSERVER);
    tp_tcp(&p, 2, S(100) + 10, "10.0.0.2", 80, "10.0.0.1", 40000, VG_TH_SYN | VG_TH_ACK, 5000,
           1001, NULL, 0);
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
    assert_ptr_equal(p.flow, f);
    assert_int_equal(p.dir, VG_DIR_TOCLIENT);
    tp_tcp(&p, 3, S(100) + 20, "10.0.0.1", 40000, "10.0.0.2", 80, VG_TH_ACK | VG_TH_PUSH, 1001,
           5001, "abcd", 4);
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);

    assert_int_equal(vg_flow_table_count(t), 1);
    assert_int_equal(f->pkts[0], 2);
    assert_int_equal(f->pkts[1], 1);
    assert_int_equal(f->bytes[0], 54 + 58);
    assert_int_equal(f->bytes[1], 54);
    assert_int_equal(f->tcp_flags[0], VG_TH_SYN | VG_TH_ACK | VG_TH_PUSH);
    assert_int_equal(f->tcp_flags[1], VG_TH_SYN | VG_TH_ACK);
    assert_int_equal(f->start, S(100));
    assert_int_equal(f->last, S(100) + 20);
    char a[8];
    (void)a;
    assert_int_equal(f->key.sp, 40000);
    assert_int_equal(f->key.dp, 80);
    assert_true(f->flags & VG_FLOW_F_SEEN_TOCLIENT);
    /* TCP state is the stream's business: still new */
    assert_int_equal(f->state, VG_FLOW_STATE_NEW);
    assert_int_equal(ctr(c, "flow.tcp"), 1);

    vg_flow_table_free(t);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.reasons[0], VG_FLOW_END_SHUTDOWN);
    free(c);
}

static void
test_synack_first_swaps(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_flow_table_t *t = vg_flow_table_new(&l, c, NULL, NULL);
    vg_packet_t p;
    tp_tcp(&p, 1, S(1), "10.0.0.2", 80, "10.0.0.1", 40000, VG_TH_SYN | VG_TH_ACK, 5000, 1001,
           NULL, 0);
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
    assert_int_equal(p.dir, VG_DIR_TOCLIENT);
    assert_int_equal(p.flow->key.sp, 40000);
    assert_int_equal(p.flow->key.dp, 80);
    assert_memory_equal(p.flow->key.src.b, tp_addr("10.0.0.1").b, 4);
    assert_int_equal(p.flow->pkts[VG_DIR_TOCLIENT], 1);
    /* a plain ACK first: its sender is the client */
    tp_tcp(&p, 2, S(1), "10.0.0.9", 80, "10.0.0.1", 40001, VG_TH_ACK, 5000, 1001, NULL, 0);
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
    assert_int_equal(p.dir, VG_DIR_TOSERVER);
    assert_int_equal(p.flow->key.sp, 80);
    vg_flow_table_free(t);
    free(c);
}

static void
test_symmetric_hash(void **state)
{
    (void)state;
    vg_packet_t a, b;
    tp_l4(&a, 1, 0, VG_IPPROTO_UDP, "192.168.1.52", 54585, "8.8.8.8", 53);
    tp_l4(&b, 2, 0, VG_IPPROTO_UDP, "8.8.8.8", 53, "192.168.1.52", 54585);
    assert_int_equal(vg_flow_hash_packet(&a), vg_flow_hash_packet(&b));
    tp_l4(&a, 1, 0, VG_IPPROTO_TCP, "2001:db8::1", 1234, "2001:db8::2", 443);
    tp_l4(&b, 2, 0, VG_IPPROTO_TCP, "2001:db8::2", 443, "2001:db8::1", 1234);
    assert_int_equal(vg_flow_hash_packet(&a), vg_flow_hash_packet(&b));
    /* same addresses, swapped port roles: a different flow, different hash */
    tp_l4(&b, 2, 0, VG_IPPROTO_TCP, "2001:db8::1", 443, "2001:db8::2", 1234);
    assert_int_not_equal(vg_flow_hash_packet(&a), vg_flow_hash_packet(&b));

    /* distribution over 16 workers: 16000 client ports to one server */
    unsigned bins[16] = { 0 };
    for (unsigned i = 0; i < 16000; i++) {
        char ip[32];
        snprintf(ip, sizeof(ip), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        tp_l4(&a, 1, 0, VG_IPPROTO_TCP, ip, (uint16_t)(1024 + i), "10.255.0.1", 80);
        bins[vg_flow_hash_packet(&a) % 16]++;
    }
    for (int i = 0; i < 16; i++) {
        assert_true(bins[i] > 800);
        assert_true(bins[i] < 1200);
    }
}

/* Run the same 50 UDP flows through a fresh table; returns the ids. */
static void
run_ids(uint64_t *ids, int n)
{
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_flow_table_t *t = vg_flow_table_new(&l, c, NULL, NULL);
    vg_packet_t p;
    for (int i = 0; i < n; i++) {
        tp_l4(&p, (uint64_t)(i * 3 + 1), S(10) + i, VG_IPPROTO_UDP, "10.0.0.1",
              (uint16_t)(5000 + i), "10.0.0.2", 53);
        assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
        ids[i] = p.flow->flow_id;
    }
    vg_flow_table_free(t);
    free(c);
}

static void
test_flow_id(void **state)
{
    (void)state;
    uint64_t a[50], b[50];
    run_ids(a, 50);
    run_ids(b, 50);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(a[i], b[i]);
        assert_true(a[i] != 0);
        assert_true(a[i] < (UINT64_C(1) << 53));
        for (int j = 0; j < i; j++)
            assert_int_not_equal(a[i], a[j]);
    }
}

static void
test_timeouts(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    ended_t e = { 0 };
    vg_flow_table_t *t = vg_flow_table_new(&l, c, on_end, &e);
    vg_packet_t p;

    /* flow A: UDP one-sided (new, 30 s); flow B: UDP both ways (established, 300 s) */
    tp_l4(&p, 1, S(1000), VG_IPPROTO_UDP, "10.0.0.1", 1111, "10.0.0.2", 53);
    vg_flow_handle_packet(t, &p);
    tp_l4(&p, 2, S(1000), VG_IPPROTO_UDP, "10.0.0.1", 2222, "10.0.0.2", 53);
    vg_flow_handle_packet(t, &p);
    tp_l4(&p, 3, S(1000), VG_IPPROTO_UDP, "10.0.0.2", 53, "10.0.0.1", 2222);
    vg_flow_handle_packet(t, &p);
    assert_int_equal(p.flow->state, VG_FLOW_STATE_ESTABLISHED);
    /* flow C: TCP, closed by the stream (tcp closed timeout 60 s) */
    tp_tcp(&p, 4, S(1000), "10.0.0.1", 3333, "10.0.0.2", 80, VG_TH_SYN, 1, 0, NULL, 0);
    vg_flow_handle_packet(t, &p);
    vg_flow_set_state(p.flow, VG_FLOW_STATE_CLOSED);
    /* flow D: TCP new (60 s) */
    tp_tcp(&p, 5, S(1000), "10.0.0.1", 4444, "10.0.0.2", 80, VG_TH_SYN, 1, 0, NULL, 0);
    vg_flow_handle_packet(t, &p);
    assert_int_equal(vg_flow_table_count(t), 4);

    vg_flow_timeout_sweep(t, S(1030)); /* exactly at the timeout: not yet */
    assert_int_equal(e.n, 0);
    vg_flow_timeout_sweep(t, S(1031));
    assert_int_equal(e.n, 1);
    assert_int_equal(e.sp[0], 1111);
    assert_int_equal(e.reasons[0], VG_FLOW_END_TIMEOUT);
    vg_flow_timeout_sweep(t, S(1031) + 500000); /* <1 s later: no work */
    vg_flow_timeout_sweep(t, S(1061));
    assert_int_equal(e.n, 3);
    assert_int_equal(vg_flow_table_count(t), 1);
    vg_flow_timeout_sweep(t, S(1299));
    assert_int_equal(e.n, 3);
    vg_flow_timeout_sweep(t, S(1301));
    assert_int_equal(e.n, 4);
    assert_int_equal(e.sp[3], 2222);
    assert_int_equal(vg_flow_table_count(t), 0);
    assert_int_equal(ctr(c, "flow.end.timeout"), 4);
    vg_flow_table_free(t);
    assert_int_equal(e.n, 4);
    free(c);
}

static void
test_activity_defers_timeout(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    ended_t e = { 0 };
    vg_flow_table_t *t = vg_flow_table_new(&l, c, on_end, &e);
    vg_packet_t p;
    for (int i = 0; i < 10; i++) {
        tp_l4(&p, (uint64_t)i + 1, S(20 * i), VG_IPPROTO_UDP, "10.0.0.1", 1111, "10.0.0.2", 53);
        vg_flow_handle_packet(t, &p);
        vg_flow_timeout_sweep(t, S(20 * i));
    }
    assert_int_equal(e.n, 0);
    vg_flow_timeout_sweep(t, S(180 + 31));
    assert_int_equal(e.n, 1);
    vg_flow_table_free(t);
    free(c);
}

static void
test_emergency_eviction(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    l.flow_prealloc = 0;
    l.flow_hash_size = 64;
    /* room for 10 records next to the table and its buckets */
    vg_counters_t *c = calloc(1, sizeof(*c));
    l.flow_memcap = 1u << 20;
    vg_flow_table_t *probe = vg_flow_table_new(&l, c, NULL, NULL);
    uint64_t base = vg_flow_table_memuse(probe);
    vg_flow_table_free(probe);
    l.flow_memcap = base + 10 * sizeof(vg_flow_t);

    ended_t e = { 0 };
    vg_flow_table_t *t = vg_flow_table_new(&l, c, on_end, &e);
    vg_packet_t p;
    for (int i = 0; i < 25; i++) {
        tp_l4(&p, (uint64_t)i + 1, S(100) + i, VG_IPPROTO_UDP, "10.0.0.1", (uint16_t)(1000 + i),
              "10.0.0.2", 53);
        assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
        assert_true(vg_flow_table_count(t) <= 10);
        assert_true(vg_flow_table_memuse(t) <= l.flow_memcap);
    }
    assert_int_equal(vg_flow_table_count(t), 10);
    assert_int_equal(e.n, 15);
    /* least recently used first, reason forced */
    for (int i = 0; i < 15; i++) {
        assert_int_equal(e.sp[i], 1000 + i);
        assert_int_equal(e.reasons[i], VG_FLOW_END_FORCED);
    }
    assert_int_equal(ctr(c, "flow.memcap_evicted"), 15);
    assert_int_equal(ctr(c, "flow.emerg_mode_entered"), 1);
    /* touching the oldest survivor protects it */
    tp_l4(&p, 99, S(200), VG_IPPROTO_UDP, "10.0.0.1", 1015, "10.0.0.2", 53);
    vg_flow_handle_packet(t, &p);
    tp_l4(&p, 100, S(200), VG_IPPROTO_UDP, "10.0.0.1", 2000, "10.0.0.2", 53);
    vg_flow_handle_packet(t, &p);
    assert_int_equal(e.sp[15], 1016);
    vg_flow_table_free(t);
    assert_int_equal(e.n, 26);
    free(c);
}

static void
test_icmp_flow(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_flow_table_t *t = vg_flow_table_new(&l, c, NULL, NULL);
    vg_packet_t p;
    tp_l4(&p, 1, S(1), VG_IPPROTO_ICMP, "192.168.0.89", 0, "192.168.0.1", 0);
    p.icmp_type = 8;
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
    vg_flow_t *f = p.flow;
    tp_l4(&p, 2, S(1), VG_IPPROTO_ICMP, "192.168.0.1", 0, "192.168.0.89", 0);
    p.icmp_type = 0;
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
    assert_ptr_equal(p.flow, f);
    assert_int_equal(p.dir, VG_DIR_TOCLIENT);
    assert_int_equal(f->state, VG_FLOW_STATE_ESTABLISHED);
    assert_int_equal(f->key.icmp_type, 8);
    assert_int_equal(f->icmp_type_tc, 0);
    /* the community id of the flow: spec vector (baseline_deflt.json) */
    char cid[40];
    vg_flow_community_id(&f->key, 0, cid, sizeof(cid));
    assert_string_equal(cid, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
    vg_flow_table_free(t);
    free(c);
}

static void
test_tcp_reuse_and_declined(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    ended_t e = { 0 };
    vg_flow_table_t *t = vg_flow_table_new(&l, c, on_end, &e);
    vg_packet_t p;
    tp_tcp(&p, 1, S(1), "10.0.0.1", 40000, "10.0.0.2", 80, VG_TH_SYN, 1, 0, NULL, 0);
    vg_flow_handle_packet(t, &p);
    vg_flow_t *f = p.flow;
    uint64_t id1 = f->flow_id;
    vg_flow_set_state(f, VG_FLOW_STATE_CLOSED);
    tp_tcp(&p, 2, S(2), "10.0.0.1", 40000, "10.0.0.2", 80, VG_TH_SYN, 999, 0, NULL, 0);
    vg_flow_handle_packet(t, &p);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.ids[0], id1);
    assert_int_not_equal(p.flow->flow_id, id1);
    assert_int_equal(vg_flow_table_count(t), 1);
    assert_int_equal(ctr(c, "flow.tcp_reuse"), 1);

    tp_tcp(&p, 3, S(2), "10.0.0.1", 40000, "10.0.0.2", 80, VG_TH_SYN, 999, 0, NULL, 0);
    p.flags = VG_PKT_INVALID;
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_DECLINED);
    tp_tcp(&p, 4, S(2), "10.0.0.1", 40000, "10.0.0.2", 80, VG_TH_SYN, 999, 0, NULL, 0);
    p.flags = 0; /* TCP without a decoded header */
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_DECLINED);
    /* a protocol without ports: keyed by addresses */
    tp_l4(&p, 5, S(2), 46, "10.1.12.1", 0, "10.1.12.2", 0);
    p.flags = 0;
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
    vg_flow_table_free(t);
    free(c);
}

static void
test_mem_accounting(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    l.flow_prealloc = 2;
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_flow_table_t *t = vg_flow_table_new(&l, c, NULL, NULL);
    vg_packet_t p;
    tp_l4(&p, 1, S(1), VG_IPPROTO_UDP, "10.0.0.1", 1, "10.0.0.2", 2);
    vg_flow_handle_packet(t, &p);
    uint64_t m0 = vg_flow_table_memuse(t);
    assert_int_equal(vg_flow_mem_add(p.flow, 1000), VG_OK);
    assert_int_equal(vg_flow_table_memuse(t), m0 + 1000);
    vg_flow_mem_sub(p.flow, 400);
    assert_int_equal(vg_flow_table_memuse(t), m0 + 600);
    assert_int_equal(vg_flow_mem_add(p.flow, l.flow_memcap), VG_ENOMEM);
    assert_int_equal(vg_flow_table_memuse(t), m0 + 600);
    /* leftovers are released with the flow */
    vg_flow_table_flush(t);
    assert_int_equal(vg_flow_table_memuse(t), m0);
    vg_flow_table_free(t);
    free(c);
}

static void
test_proto_names(void **state)
{
    (void)state;
    char b[8];
    assert_string_equal(vg_flow_proto_name(6, b, sizeof(b)), "TCP");
    assert_string_equal(vg_flow_proto_name(17, b, sizeof(b)), "UDP");
    assert_string_equal(vg_flow_proto_name(1, b, sizeof(b)), "ICMP");
    assert_string_equal(vg_flow_proto_name(58, b, sizeof(b)), "IPv6-ICMP");
    assert_string_equal(vg_flow_proto_name(132, b, sizeof(b)), "SCTP");
    assert_string_equal(vg_flow_proto_name(47, b, sizeof(b)), "GRE");
    assert_string_equal(vg_flow_proto_name(253, b, sizeof(b)), "253");
}

static vg_flow_table_t *g_t;

static void
on_end_touchy(void *user, vg_flow_t *f)
{
    ended_t *e = user;
    e->n++;
    /* what an owner may do while a flow ends: change state, give memory back */
    vg_flow_set_state(f, VG_FLOW_STATE_CLOSED);
    vg_flow_mem_sub(f, 100);
}

static void
test_on_end_may_touch_flow(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    ended_t e = { 0 };
    g_t = vg_flow_table_new(&l, c, on_end_touchy, &e);
    vg_packet_t p;
    for (int i = 0; i < 3; i++) {
        tp_l4(&p, (uint64_t)i + 1, S(1), VG_IPPROTO_UDP, "10.0.0.1", (uint16_t)(100 + i),
              "10.0.0.2", 53);
        vg_flow_handle_packet(g_t, &p);
        assert_int_equal(vg_flow_mem_add(p.flow, 100), VG_OK);
    }
    uint64_t before = vg_flow_table_memuse(g_t);
    vg_flow_timeout_sweep(g_t, S(100));
    assert_int_equal(e.n, 3);
    assert_int_equal(vg_flow_table_count(g_t), 0);
    assert_int_equal(vg_flow_table_memuse(g_t), before - 300);
    /* the table still works */
    tp_l4(&p, 9, S(101), VG_IPPROTO_UDP, "10.0.0.1", 100, "10.0.0.2", 53);
    assert_int_equal(vg_flow_handle_packet(g_t, &p), VG_OK);
    assert_int_equal(vg_flow_table_count(g_t), 1);
    vg_flow_table_free(g_t);
    assert_int_equal(e.n, 4);
    free(c);
}

/* Vlan ids are part of the key (up to VG_PKT_MAX_VLAN, as Suricata 7+). */
static void
test_vlan_key(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_flow_table_t *t = vg_flow_table_new(&l, c, NULL, NULL);
    vg_packet_t p;
    uint16_t tags[][3] = { { 1, 10, 100 }, { 1, 10, 101 }, { 1, 10, 0 } };
    uint8_t ns[] = { 3, 3, 2 };
    vg_flow_t *fl[3];
    for (int i = 0; i < 3; i++) {
        tp_l4(&p, (uint64_t)i + 1, S(1), VG_IPPROTO_UDP, "10.0.0.1", 1, "10.0.0.2", 2);
        p.vlan_n = ns[i];
        memcpy(p.vlan_id, tags[i], sizeof(uint16_t) * ns[i]);
        assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
        fl[i] = p.flow;
    }
    assert_int_equal(vg_flow_table_count(t), 3);
    assert_int_equal(fl[0]->key.vlan_id[2], 100);
    assert_int_equal(fl[1]->key.vlan_id[2], 101);
    /* the reply on the innermost-100 path finds the first flow */
    tp_l4(&p, 9, S(1), VG_IPPROTO_UDP, "10.0.0.2", 2, "10.0.0.1", 1);
    p.vlan_n = 3;
    memcpy(p.vlan_id, tags[0], sizeof(uint16_t) * 3);
    assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
    assert_ptr_equal(p.flow, fl[0]);
    assert_int_equal(p.dir, VG_DIR_TOCLIENT);
    vg_flow_table_free(t);
    free(c);
}

/* suricata-verify flow-pkt-recursion (use-for-tracking=false expectation):
 * 1->2 echo, 2->1 reply, 2->1 echo, 1->2 reply make two ICMP flows of one
 * packet each way. */
static void
test_icmp_type_keying(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_flow_table_t *t = vg_flow_table_new(&l, c, NULL, NULL);
    vg_packet_t p;
    const char *src[] = { "1.1.1.1", "2.2.2.2", "2.2.2.2", "1.1.1.1" };
    const char *dst[] = { "2.2.2.2", "1.1.1.1", "1.1.1.1", "2.2.2.2" };
    uint8_t type[] = { 8, 0, 8, 0 };
    vg_flow_t *fl[4];
    uint8_t dir[4];
    for (int i = 0; i < 4; i++) {
        tp_l4(&p, (uint64_t)i + 1, S(1), VG_IPPROTO_ICMP, src[i], 0, dst[i], 0);
        p.icmp_type = type[i];
        assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
        fl[i] = p.flow;
        dir[i] = p.dir;
    }
    assert_int_equal(vg_flow_table_count(t), 2);
    assert_ptr_equal(fl[0], fl[1]);
    assert_ptr_equal(fl[2], fl[3]);
    assert_ptr_not_equal(fl[0], fl[2]);
    assert_int_equal(dir[1], VG_DIR_TOCLIENT);
    assert_int_equal(dir[3], VG_DIR_TOCLIENT);
    assert_int_equal(fl[0]->pkts[0], 1);
    assert_int_equal(fl[0]->pkts[1], 1);
    /* one-way types (unreachable) between the same hosts: a flow of their own */
    tp_l4(&p, 5, S(1), VG_IPPROTO_ICMP, "2.2.2.2", 0, "1.1.1.1", 0);
    p.icmp_type = 3;
    p.icmp_code = 1;
    vg_flow_handle_packet(t, &p);
    assert_int_equal(vg_flow_table_count(t), 3);
    /* ICMPv6 echo pair */
    tp_l4(&p, 6, S(1), VG_IPPROTO_ICMPV6, "fe80::1", 0, "fe80::2", 0);
    p.icmp_type = 128;
    vg_flow_handle_packet(t, &p);
    vg_flow_t *f6 = p.flow;
    tp_l4(&p, 7, S(1), VG_IPPROTO_ICMPV6, "fe80::2", 0, "fe80::1", 0);
    p.icmp_type = 129;
    vg_flow_handle_packet(t, &p);
    assert_ptr_equal(p.flow, f6);
    assert_int_equal(p.dir, VG_DIR_TOCLIENT);
    vg_flow_table_free(t);
    free(c);
}

static void
test_swap(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_flow_table_t *t = vg_flow_table_new(&l, c, NULL, NULL);
    vg_packet_t p;
    /* a DNS answer seen first */
    tp_l4(&p, 1, S(1), VG_IPPROTO_UDP, "8.8.8.8", 53, "10.0.0.1", 5555);
    p.caplen = 100;
    vg_flow_handle_packet(t, &p);
    vg_flow_t *f = p.flow;
    assert_int_equal(f->key.sp, 53);
    assert_int_equal(vg_flow_swap(f), VG_OK);
    p.dir = VG_DIR_TOCLIENT;
    assert_int_equal(f->key.sp, 5555);
    assert_int_equal(f->key.dp, 53);
    assert_int_equal(f->pkts[VG_DIR_TOCLIENT], 1);
    assert_int_equal(f->bytes[VG_DIR_TOCLIENT], 100);
    assert_int_equal(f->pkts[VG_DIR_TOSERVER], 0);
    assert_true(f->flags & VG_FLOW_F_SEEN_TOCLIENT);
    /* the next query finds the same flow, now toserver */
    tp_l4(&p, 2, S(2), VG_IPPROTO_UDP, "10.0.0.1", 5555, "8.8.8.8", 53);
    vg_flow_handle_packet(t, &p);
    assert_ptr_equal(p.flow, f);
    assert_int_equal(p.dir, VG_DIR_TOSERVER);
    assert_int_equal(f->state, VG_FLOW_STATE_ESTABLISHED);
    vg_flow_table_free(t);
    free(c);
}

/* suricata-verify ids-tunnel-pkt-flows-recursion-*: the same ICMP exchange
 * seen bare and inside a tunnel forms separate flows while
 * decoder.recursion-level.use-for-tracking is on (the default), and joins
 * when it is off. */
static void
test_recursion_key(void **state)
{
    (void)state;
    for (int tracking = 1; tracking >= 0; tracking--) {
        vg_limits_t l;
        vg_limits_defaults(&l);
        assert_int_equal(l.flow_recursion_tracking, 1);
        l.flow_recursion_tracking = (uint64_t)tracking;
        vg_counters_t *c = calloc(1, sizeof(*c));
        vg_flow_table_t *t = vg_flow_table_new(&l, c, NULL, NULL);
        vg_packet_t p;
        const char *src[] = { "1.1.1.1", "2.2.2.2", "2.2.2.2", "1.1.1.1" };
        const char *dst[] = { "2.2.2.2", "1.1.1.1", "1.1.1.1", "2.2.2.2" };
        uint8_t type[] = { 8, 0, 8, 0 };
        uint8_t recur[] = { 0, 1, 1, 0 };
        for (int i = 0; i < 4; i++) {
            tp_l4(&p, (uint64_t)i + 1, S(1), VG_IPPROTO_ICMP, src[i], 0, dst[i], 0);
            p.icmp_type = type[i];
            p.recursion_level = recur[i];
            assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
            assert_int_equal(p.flow->key.recursion_level, tracking ? recur[i] : 0);
        }
        assert_int_equal(vg_flow_table_count(t), tracking ? 4 : 2);
        vg_flow_table_free(t);
        free(c);
    }
}

static void
tp_mac(uint8_t m[6], uint8_t last)
{
    static const uint8_t base[6] = { 0x00, 0x00, 0x0c, 0x01, 0x01, 0x00 };
    memcpy(m, base, 6);
    m[5] = last;
}

/* suricata-verify mac-eve-multiple: MACs per side (client side = toserver
 * source and toclient destination), deduplicated, in order of first
 * sight; capped by flow.max-mac-addresses; swapped with the flow; the
 * list memory is charged to the table and released with the flow. */
static void
test_macs(void **state)
{
    (void)state;
    vg_limits_t l;
    vg_limits_defaults(&l);
    l.flow_max_macs = 3;
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_flow_table_t *t = vg_flow_table_new(&l, c, NULL, NULL);
    uint64_t mem0 = vg_flow_table_memuse(t);
    vg_packet_t p;
    /* (toserver?, eth src, eth dst) as the first frames of multi_mac.pcap */
    struct { bool ts; uint8_t s, d; } fr[] = {
        { true, 0x13, 0x14 }, { false, 0x12, 0x11 }, { true, 0x11, 0x14 },
        { false, 0x14, 0x11 }, { false, 0x14, 0x13 }, { true, 0x15, 0x16 },
        { true, 0x17, 0x18 },
    };
    vg_flow_t *f = NULL;
    for (size_t i = 0; i < VG_ARRAY_LEN(fr); i++) {
        if (fr[i].ts)
            tp_l4(&p, i + 1, S(1), VG_IPPROTO_UDP, "1.1.1.14", 5000, "1.1.1.11", 53);
        else
            tp_l4(&p, i + 1, S(1), VG_IPPROTO_UDP, "1.1.1.11", 53, "1.1.1.14", 5000);
        p.has_eth = true;
        tp_mac(p.eth_src, fr[i].s);
        tp_mac(p.eth_dst, fr[i].d);
        assert_int_equal(vg_flow_handle_packet(t, &p), VG_OK);
        f = p.flow;
    }
    /* src side: 13, 11, 15 (17 is past the cap); dst side: 14, 12, 16 */
    uint8_t want_src[] = { 0x13, 0x11, 0x15 }, want_dst[] = { 0x14, 0x12, 0x16 };
    assert_int_equal(f->n_macs[VG_FLOW_MAC_SRC], 3);
    assert_int_equal(f->n_macs[VG_FLOW_MAC_DST], 3);
    for (size_t i = 0; i < 3; i++) {
        uint8_t m[6];
        tp_mac(m, want_src[i]);
        assert_memory_equal(vg_flow_mac(f, VG_FLOW_MAC_SRC, i), m, 6);
        tp_mac(m, want_dst[i]);
        assert_memory_equal(vg_flow_mac(f, VG_FLOW_MAC_DST, i), m, 6);
    }
    assert_true(vg_flow_table_memuse(t) >= mem0 + 2 * 2 * 6);
    assert_int_equal(vg_flow_swap(f), VG_OK);
    uint8_t m[6];
    tp_mac(m, 0x12);
    assert_memory_equal(vg_flow_mac(f, VG_FLOW_MAC_SRC, 1), m, 6);
    tp_mac(m, 0x13);
    assert_memory_equal(vg_flow_mac(f, VG_FLOW_MAC_DST, 0), m, 6);
    /* a packet without ethernet adds nothing; a flow with one MAC pair
     * allocates nothing */
    tp_l4(&p, 20, S(1), VG_IPPROTO_UDP, "9.9.9.9", 1, "8.8.8.8", 2);
    p.has_eth = true;
    tp_mac(p.eth_src, 1);
    tp_mac(p.eth_dst, 2);
    vg_flow_handle_packet(t, &p);
    assert_int_equal(p.flow->n_macs[0], 1);
    assert_null(p.flow->mac_more[0]);
    tp_l4(&p, 21, S(1), VG_IPPROTO_UDP, "9.9.9.9", 1, "8.8.8.8", 2);
    vg_flow_handle_packet(t, &p);
    assert_int_equal(p.flow->n_macs[0], 1);
    vg_flow_table_flush(t);
    assert_int_equal(vg_flow_table_memuse(t), mem0);
    vg_flow_table_free(t);
    free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direction_and_counters),
        cmocka_unit_test(test_synack_first_swaps),
        cmocka_unit_test(test_symmetric_hash),
        cmocka_unit_test(test_flow_id),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_activity_defers_timeout),
        cmocka_unit_test(test_emergency_eviction),
        cmocka_unit_test(test_icmp_flow),
        cmocka_unit_test(test_tcp_reuse_and_declined),
        cmocka_unit_test(test_mem_accounting),
        cmocka_unit_test(test_proto_names),
        cmocka_unit_test(test_on_end_may_touch_flow),
        cmocka_unit_test(test_vlan_key),
        cmocka_unit_test(test_icmp_type_keying),
        cmocka_unit_test(test_swap),
        cmocka_unit_test(test_recursion_key),
        cmocka_unit_test(test_macs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
