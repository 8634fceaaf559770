/* Unit tests for src/stream/stream_defrag.c (kept beside the decoder tests
 * because they share the packet builders): in-order and out-of-order
 * reassembly for IPv4 and IPv6, each overlap policy on the classic
 * overlapping-fragment layout, limits, timeouts and keying by vlan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "decode/decode.h"
#include "pkt_build.h"
#include "stream/stream_defrag.h"

#include <stdio.h>
#include <string.h>

static vg_limits_t lim;
static vg_counters_t counters;
static vg_decode_ctx_t dc;
static vg_defrag_t *df;

static const uint8_t SRC4[4] = {10, 0, 0, 1}, DST4[4] = {10, 0, 0, 2};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t DST6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

typedef struct fpkt {
    uint8_t b[2048];
    vg_packet_t p;
} fpkt_t;

static fpkt_t F[16];
static vg_packet_t OUT;

static int
setup(void **state)
{
    (void)state;
    vg_limits_defaults(&lim);
    memset(&counters, 0, sizeof(counters));
    assert_int_equal(vg_decode_ctx_init(&dc, &lim, &counters), VG_OK);
    df = vg_defrag_new(&lim, &counters);
    assert_non_null(df);
    memset(&OUT, 0, sizeof(OUT));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    vg_defrag_free(df);
    vg_packet_fini(&OUT);
    return 0;
}

static uint64_t
ctr(const char *name)
{
    vg_counter_id_t id;
    return vg_counter_find(name, &id) == VG_OK ? counters.v[id] : (uint64_t)-1;
}

/* IPv4 fragment i: `len` bytes of `fill` at byte offset `off`, with MF, id,
 * protocol UDP, at time ts (seconds). Decoded, ready for defrag. */
static vg_packet_t *
frag4(int i, uint16_t id, uint16_t off, bool mf, const uint8_t *data, size_t len, int ts)
{
    fpkt_t *f = &F[i];
    size_t n = build_ipv4(f->b, VG_IPPROTO_UDP, SRC4, DST4, data, len,
                          (uint16_t)((mf ? 0x2000 : 0) | (off / 8)));
    f->b[4] = (uint8_t)(id >> 8);
    f->b[5] = (uint8_t)id;
    f->b[10] = f->b[11] = 0;
    pb_put16(f->b + 10, pb_csum(f->b, 20, 0));
    memset(&f->p, 0, sizeof(f->p));
    f->p.data = f->b;
    f->p.caplen = f->p.wirelen = (uint32_t)n;
    f->p.linktype = VG_DLT_RAW;
    f->p.ts = (vg_time_us_t)ts * 1000000;
    f->p.pcap_cnt = (uint64_t)i + 1;
    assert_int_equal(vg_decode_packet(&dc, &f->p), VG_OK);
    assert_true(f->p.flags & VG_PKT_IS_FRAGMENT);
    return &f->p;
}

/* A UDP datagram of 8 header + 24 data bytes split into three 16/8/8 parts. */
static uint8_t dgram[32];

static void
make_dgram(void)
{
    uint8_t data[24];
    for (int i = 0; i < 24; i++)
        data[i] = (uint8_t)('a' + i);
    build_udp(dgram, 1000, 2000, data, 24);
}

static void
test_ipv4_in_order_and_reverse(void **state)
{
    (void)state;
    make_dgram();
    assert_int_equal(vg_defrag_handle(df, frag4(0, 7, 0, true, dgram, 16, 1), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(1, 7, 16, true, dgram + 16, 8, 1), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_trackers(df), 1);
    assert_int_equal(vg_defrag_handle(df, frag4(2, 7, 24, false, dgram + 24, 8, 2), &OUT), VG_OK);
    assert_int_equal(vg_defrag_trackers(df), 0);
    assert_int_equal(vg_defrag_memuse(df), 0);
    assert_true(OUT.flags & VG_PKT_REASSEMBLED);
    assert_int_equal(OUT.linktype, 12);
    assert_int_equal(OUT.pcap_cnt, 3); /* the completing fragment's */
    assert_int_equal(OUT.ts, 2000000);
    assert_int_equal(OUT.caplen, 20 + 32);
    /* decodes as a whole UDP packet with a valid IP checksum */
    dc.csum = VG_CSUM_ALL;
    assert_int_equal(vg_decode_packet(&dc, &OUT), VG_OK);
    dc.csum = VG_CSUM_NONE;
    assert_false(OUT.flags & (VG_PKT_IS_FRAGMENT | VG_PKT_INVALID | VG_PKT_IPV4_CSUM_BAD));
    assert_true(OUT.flags & VG_PKT_REASSEMBLED);
    assert_int_equal(OUT.sp, 1000);
    assert_int_equal(OUT.dp, 2000);
    assert_int_equal(OUT.payload_len, 24);
    assert_memory_equal(OUT.payload, dgram + 8, 24);
    assert_int_equal(ctr("defrag.ipv4.fragments"), 3);
    assert_int_equal(ctr("defrag.ipv4.reassembled"), 1);

    /* reverse order: last fragment first */
    assert_int_equal(vg_defrag_handle(df, frag4(3, 8, 24, false, dgram + 24, 8, 3), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(4, 8, 16, true, dgram + 16, 8, 3), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(5, 8, 0, true, dgram, 16, 3), &OUT), VG_OK);
    assert_int_equal(vg_decode_packet(&dc, &OUT), VG_OK);
    assert_memory_equal(OUT.payload, dgram + 8, 24);
    /* a packet that is not a fragment is declined */
    uint8_t u[64];
    size_t n = build_ipv4(u, VG_IPPROTO_UDP, SRC4, DST4, dgram, 32, 0);
    vg_packet_t np;
    memset(&np, 0, sizeof(np));
    np.data = u;
    np.caplen = (uint32_t)n;
    np.linktype = VG_DLT_RAW;
    vg_decode_packet(&dc, &np);
    assert_int_equal(vg_defrag_handle(df, &np, &OUT), VG_DECLINED);
}

/* Classic overlap layout (after Novak's target-based reassembly tests), in
 * 8-byte units: A [0,2) "A", B [2,4) "B", then C [1,3) "C" overlaps the end
 * of A and the start of B, D [0,1) "D" overlaps A's start, and the last
 * fragment E [4,5) "E". Data bytes at unit k say who won unit k. */
static void
run_overlap(vg_defrag_policy_t pol, const char *want)
{
    vg_defrag_set_policy(df, pol);
    uint8_t a[16], b[16], c[16], d[8], e[8];
    memset(a, 'A', 16);
    memset(b, 'B', 16);
    memset(c, 'C', 16);
    memset(d, 'D', 8);
    memset(e, 'E', 8);
    assert_int_equal(vg_defrag_handle(df, frag4(0, 99, 8, true, c, 16, 1), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(1, 99, 16, true, b, 16, 1), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(2, 99, 0, true, a, 16, 1), &OUT), VG_AGAIN);
    /* overlap is tagged on the fragment that overlapped */
    bool tagged = false;
    for (unsigned i = 0; i < F[2].p.n_events; i++)
        tagged |= F[2].p.events[i] == VG_EV_IPV4_FRAG_OVERLAP;
    assert_true(tagged);
    assert_int_equal(vg_defrag_handle(df, frag4(3, 99, 0, true, d, 8, 1), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(4, 99, 32, false, e, 8, 1), &OUT), VG_OK);
    char got[6];
    for (int k = 0; k < 5; k++)
        got[k] = (char)OUT.data[20 + k * 8];
    got[5] = '\0';
    if (strcmp(got, want) != 0)
        fail_msg("policy %d: got %s want %s", pol, got, want);
}

/* Arrival: C[1,3) B[2,4) A[0,2) D[0,1) E[4,5).
 * first: unit0 A (first to cover it), 1 C, 2 C, 3 B, 4 E.
 * last:  unit0 D, 1 A, 2 B, 3 B, 4 E.
 * bsd:   new wins only if it starts before the old one: B vs C at unit 2: B
 *        starts after C -> C; A starts before C -> A takes unit 1; D vs A:
 *        same start -> A. Result A A C B E.
 * linux: as bsd, plus same start and not shorter: D vs A (shorter) -> A.
 *        Result A A C B E.
 * windows: new wins only if it starts before and covers the old one's end:
 *        A [0,2) vs C [1,3): A ends first -> C keeps 1. Result A C C B E. */
static void
test_overlap_policies(void **state)
{
    (void)state;
    run_overlap(VG_DEFRAG_FIRST, "ACCBE");
    run_overlap(VG_DEFRAG_LAST, "DABBE");
    run_overlap(VG_DEFRAG_BSD, "AACBE");
    run_overlap(VG_DEFRAG_LINUX, "AACBE");
    run_overlap(VG_DEFRAG_WINDOWS, "ACCBE");
    vg_defrag_policy_t pol;
    assert_int_equal(vg_defrag_policy_parse("solaris", &pol), VG_OK);
    assert_int_equal(pol, VG_DEFRAG_SOLARIS);
    assert_int_equal(vg_defrag_policy_parse("bsd", &pol), VG_OK);
    assert_int_equal(pol, VG_DEFRAG_BSD);
    assert_int_equal(vg_defrag_policy_parse("hpux", &pol), VG_EINVAL);
}

static void
test_ipv6_with_dstopts(void **state)
{
    (void)state;
    make_dgram();
    /* IPv6 | dest opts (PadN) | fragment | data: dstopts stay in front */
    const uint8_t pad[6] = {0x01, 0x04, 0, 0, 0, 0};
    fpkt_t *f[2] = {&F[0], &F[1]};
    for (int i = 0; i < 2; i++) {
        size_t off = i == 0 ? 0 : 16, len = i == 0 ? 16 : 16;
        size_t n = build_frag6(f[i]->b, VG_IPPROTO_UDP, (uint16_t)off, i == 0, 0x01020304,
                               dgram + off, len);
        n = build_ext(f[i]->b, 44, pad, 6, f[i]->b, n);
        n = build_ipv6(f[i]->b, 60, SRC6, DST6, f[i]->b, n);
        memset(&f[i]->p, 0, sizeof(f[i]->p));
        f[i]->p.data = f[i]->b;
        f[i]->p.caplen = (uint32_t)n;
        f[i]->p.linktype = VG_DLT_RAW;
        f[i]->p.vlan_n = 1;
        f[i]->p.vlan_id[0] = i == 0 ? 5 : 5;
        vg_decode_packet(&dc, &f[i]->p);
        assert_true(f[i]->p.flags & VG_PKT_IS_FRAGMENT);
    }
    /* vlan ids come from the link layer; decode of raw IP cleared them, set again */
    F[0].p.vlan_n = F[1].p.vlan_n = 1;
    F[0].p.vlan_id[0] = F[1].p.vlan_id[0] = 5;
    assert_int_equal(vg_defrag_handle(df, &F[1].p, &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, &F[0].p, &OUT), VG_OK);
    assert_int_equal(OUT.caplen, 40 + 8 + 32);
    assert_int_equal(vg_decode_packet(&dc, &OUT), VG_OK);
    assert_int_equal(OUT.ip_ver, 6);
    assert_false(OUT.flags & (VG_PKT_IS_FRAGMENT | VG_PKT_INVALID));
    assert_int_equal(OUT.dp, 2000);
    assert_int_equal(OUT.payload_len, 24);
    assert_int_equal(OUT.vlan_n, 1); /* kept on the reassembled packet */
    assert_int_equal(OUT.vlan_id[0], 5);
    assert_int_equal(ctr("defrag.ipv6.reassembled"), 1);
}

static void
test_vlan_keys_and_timeout(void **state)
{
    (void)state;
    make_dgram();
    vg_packet_t *a = frag4(0, 1, 0, true, dgram, 16, 10);
    a->vlan_n = 1;
    a->vlan_id[0] = 100;
    assert_int_equal(vg_defrag_handle(df, a, &OUT), VG_AGAIN);
    /* same id, other vlan: a different datagram, does not complete */
    vg_packet_t *b = frag4(1, 1, 16, false, dgram + 16, 16, 11);
    b->vlan_n = 1;
    b->vlan_id[0] = 200;
    assert_int_equal(vg_defrag_handle(df, b, &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_trackers(df), 2);
    /* 61 s later (default timeout 60 s) both trackers are gone */
    vg_defrag_timeout(df, 72 * 1000000LL);
    assert_int_equal(vg_defrag_trackers(df), 0);
    assert_int_equal(ctr("defrag.timeouts"), 2);
    assert_int_equal(vg_defrag_memuse(df), 0);
}

static void
test_limits(void **state)
{
    (void)state;
    make_dgram();
    /* too large: offset 65528 + 16 bytes */
    vg_packet_t *p = frag4(0, 3, 65528, true, dgram, 16, 1);
    assert_int_equal(vg_defrag_handle(df, p, &OUT), VG_DECLINED);
    bool tl = false;
    for (unsigned i = 0; i < p->n_events; i++)
        tl |= p->events[i] == VG_EV_IPV4_FRAG_PKT_TOO_LARGE;
    assert_true(tl);
    /* max trackers */
    vg_defrag_free(df);
    lim.defrag_max_frags = 2;
    lim.defrag_max_frags_per_dgram = 3;
    df = vg_defrag_new(&lim, &counters);
    assert_int_equal(vg_defrag_handle(df, frag4(0, 1, 0, true, dgram, 8, 1), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(1, 2, 0, true, dgram, 8, 1), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(2, 3, 0, true, dgram, 8, 1), &OUT), VG_DECLINED);
    assert_int_equal(ctr("defrag.max_trackers_reached"), 1);
    /* per-datagram fragment cap: the 4th fragment of id 1 drops the tracker */
    assert_int_equal(vg_defrag_handle(df, frag4(3, 1, 8, true, dgram, 8, 1), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(4, 1, 16, true, dgram, 8, 1), &OUT), VG_AGAIN);
    assert_int_equal(vg_defrag_handle(df, frag4(5, 1, 24, true, dgram, 8, 1), &OUT), VG_DECLINED);
    assert_int_equal(ctr("defrag.max_frags_reached"), 1);
    assert_int_equal(vg_defrag_trackers(df), 1);
    /* memcap */
    vg_defrag_free(df);
    lim.defrag_max_frags = 100;
    lim.defrag_memcap = 300;
    df = vg_defrag_new(&lim, &counters);
    int rc = VG_AGAIN;
    for (int i = 0; i < 10 && rc == VG_AGAIN; i++)
        rc = vg_defrag_handle(df, frag4(i, (uint16_t)(50 + i), 0, true, dgram, 16, 1), &OUT);
    assert_int_equal(rc, VG_DECLINED);
    assert_true(ctr("defrag.memcap_exceeded") >= 1);
    assert_true(vg_defrag_memuse(df) <= 300);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ipv4_in_order_and_reverse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ipv6_with_dstopts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vlan_keys_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
