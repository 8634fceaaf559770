/* Unit tests for the decoders: every link type, IPv4/IPv6 (options, ext
 * headers, jumbograms), TCP/UDP/ICMP, GRE/VXLAN/IP-in-IP tunnels, and each
 * anomaly event with its decoder.<name> counter. Packets are built with
 * pkt_build.h (inside-out, real lengths and checksums) or written as
 * commented bytes where the exact layout matters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "decode/decode.h"
#include "pkt_build.h"

#include <stdio.h>
#include <string.h>

static vg_limits_t lim;
static vg_counters_t counters;
static vg_decode_ctx_t dc;
static vg_packet_t P;
static uint8_t B[70000];

static const uint8_t SRC4[4] = {10, 0, 0, 1}, DST4[4] = {10, 0, 0, 2};
static const uint8_t OSRC4[4] = {192, 168, 1, 1}, ODST4[4] = {192, 168, 1, 2};
/* 2001:db8::1 and 2001:db8::2 */
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t DST6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

static int
setup(void **state)
{
    (void)state;
    vg_limits_defaults(&lim);
    memset(&counters, 0, sizeof(counters));
    assert_int_equal(vg_decode_ctx_init(&dc, &lim, &counters), VG_OK);
    memset(&P, 0, sizeof(P));
    return 0;
}

static vg_packet_t *
dec(int linktype, const uint8_t *b, size_t n)
{
    memset(&P, 0, sizeof(P));
    P.data = b;
    P.caplen = P.wirelen = (uint32_t)n;
    P.linktype = linktype;
    assert_int_equal(vg_decode_packet(&dc, &P), VG_OK);
    /* invariant: nothing points past the capture */
    if (P.l3)
        assert_true(P.l3 >= b && P.l3 + P.l3_len <= b + n);
    if (P.l4)
        assert_true(P.l4 >= b && P.l4 + P.l4_len <= b + n);
    if (P.payload)
        assert_true(P.payload + P.payload_len <= b + n);
    return &P;
}

static bool
has_event(const vg_packet_t *p, vg_decode_event_t ev)
{
    for (unsigned i = 0; i < p->n_events; i++)
        if (p->events[i] == ev)
            return true;
    return false;
}

static uint64_t
ctr(const char *name)
{
    vg_counter_id_t id;
    if (vg_counter_find(name, &id) != VG_OK)
        return (uint64_t)-1;
    return counters.v[id];
}

/* assert one event, the invalid flag state and the counter decoder.<name> */
static void
expect_event(const vg_packet_t *p, vg_decode_event_t ev, bool invalid)
{
    if (!has_event(p, ev))
        fail_msg("missing event %s", vg_decode_event_name(ev));
    assert_int_equal((p->flags & VG_PKT_INVALID) != 0, invalid);
    char name[96];
    snprintf(name, sizeof(name), "decoder.event.%s", vg_decode_event_name(ev));
    assert_true(ctr(name) >= 1);
}

static size_t
eth_ipv4_tcp(uint8_t *b, const uint8_t *opt, size_t optlen, const char *payload)
{
    size_t n = build_tcp(b, 40000, 80, VG_TH_SYN, opt, optlen, (const uint8_t *)payload,
                         strlen(payload));
    n = build_ipv4(b, VG_IPPROTO_TCP, SRC4, DST4, b, n, 0x4000);
    pb_fix_l4_csum4(b, 16);
    return build_eth(b, 0x0800, b, n);
}

/* --- link layers ----------------------------------------------------- */

static void
test_eth_ipv4_tcp_options(void **state)
{
    (void)state;
    /* MSS 1460, NOP, wscale 7, SACK-permitted, timestamps 1/2 */
    const uint8_t opt[] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0};
    size_t n = eth_ipv4_tcp(B, opt, sizeof(opt), "hello");
    vg_packet_t *p = dec(VG_DLT_EN10MB, B, n);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->proto, VG_IPPROTO_TCP);
    assert_memory_equal(p->src.b, SRC4, 4);
    assert_memory_equal(p->dst.b, DST4, 4);
    assert_int_equal(p->src.family, 4);
    assert_int_equal(p->sp, 40000);
    assert_int_equal(p->dp, 80);
    assert_int_equal(p->ttl, 64);
    assert_int_equal(p->ip_id, 0x1234);
    assert_true(p->flags & VG_PKT_HAS_L4);
    assert_false(p->flags & (VG_PKT_INVALID | VG_PKT_IS_FRAGMENT));
    assert_int_equal(p->tcp.flags, VG_TH_SYN);
    assert_int_equal(p->tcp.seq, 1000);
    assert_int_equal(p->tcp.win, 8192);
    assert_int_equal(p->tcp.hlen, 44);
    assert_true(p->tcp.has_mss && p->tcp.has_wscale && p->tcp.has_sackok && p->tcp.has_ts);
    assert_int_equal(p->tcp.mss, 1460);
    assert_int_equal(p->tcp.wscale, 7);
    assert_int_equal(p->tcp.tsval, 1);
    assert_int_equal(p->tcp.tsecr, 2);
    assert_int_equal(p->payload_len, 5);
    assert_memory_equal(p->payload, "hello", 5);
    assert_int_equal(p->l3_len, 20 + 44 + 5);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(ctr("decoder.pkts"), 1);
    assert_int_equal(ctr("decoder.bytes"), n);
    assert_int_equal(ctr("decoder.ethernet"), 1);
    assert_int_equal(ctr("decoder.ipv4"), 1);
    assert_int_equal(ctr("decoder.tcp"), 1);
}

static void
test_eth_padding_and_too_small(void **state)
{
    (void)state;
    size_t n = eth_ipv4_tcp(B, NULL, 0, "");
    /* a 54-byte frame padded to the 60-byte ethernet minimum */
    memset(B + n, 0xee, 6);
    vg_packet_t *p = dec(VG_DLT_EN10MB, B, n + 6);
    assert_int_equal(p->l3_len, 40); /* the IP total length, not the frame */
    assert_int_equal(p->payload_len, 0);
    assert_false(p->flags & VG_PKT_INVALID);

    p = dec(VG_DLT_EN10MB, B, 13);
    expect_event(p, VG_EV_ETHERNET_PKT_TOO_SMALL, true);
    assert_int_equal(ctr("decoder.invalid"), 1);
    /* ARP: valid link traffic without an IP layer */
    uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1};
    n = build_eth(B, 0x0806, arp, sizeof(arp));
    p = dec(VG_DLT_EN10MB, B, n);
    assert_int_equal(p->ip_ver, 0);
    assert_int_equal(p->flags & VG_PKT_INVALID, 0);
}

static void
test_vlan_qinq(void **state)
{
    (void)state;
    uint8_t udp[16];
    size_t n = build_udp(udp, 1000, 2000, (const uint8_t *)"abcdefgh", 8);
    n = build_ipv4(B, VG_IPPROTO_UDP, SRC4, DST4, udp, n, 0);
    n = build_vlan(B, 0x2000 | 100, 0x0800, B, n); /* PCP 1, vid 100 */
    n = build_eth(B, 0x8100, B, n);
    vg_packet_t *p = dec(VG_DLT_EN10MB, B, n);
    assert_int_equal(p->vlan_n, 1);
    assert_int_equal(p->vlan_id[0], 100);
    assert_int_equal(p->dp, 2000);
    assert_int_equal(ctr("decoder.vlan"), 1);

    /* 802.1ad outer 10, 802.1Q inner 20 */
    n = build_ipv4(B, VG_IPPROTO_UDP, SRC4, DST4, udp, 16, 0);
    n = build_vlan(B, 20, 0x0800, B, n);
    n = build_vlan(B, 10, 0x8100, B, n);
    n = build_eth(B, 0x88a8, B, n);
    p = dec(VG_DLT_EN10MB, B, n);
    assert_int_equal(p->vlan_n, 2);
    assert_int_equal(p->vlan_id[0], 10);
    assert_int_equal(p->vlan_id[1], 20);
    assert_true(p->flags & VG_PKT_HAS_L4);
    assert_int_equal(ctr("decoder.vlan_qinq"), 1);

    /* three tags, as suricata-verify eve-flow-vlan-02 ([1, 10, 100]) */
    n = build_ipv4(B, VG_IPPROTO_UDP, SRC4, DST4, udp, 16, 0);
    n = build_vlan(B, 100, 0x0800, B, n);
    n = build_vlan(B, 10, 0x8100, B, n);
    n = build_vlan(B, 1, 0x8100, B, n);
    n = build_eth(B, 0x8100, B, n);
    p = dec(VG_DLT_EN10MB, B, n);
    assert_int_equal(p->vlan_n, 3);
    assert_int_equal(p->vlan_id[0], 1);
    assert_int_equal(p->vlan_id[1], 10);
    assert_int_equal(p->vlan_id[2], 100);
    assert_int_equal(p->n_events, 0);
    /* four tags: Suricata keeps three; the fourth is an anomaly */
    n = build_ipv4(B, VG_IPPROTO_UDP, SRC4, DST4, udp, 16, 0);
    n = build_vlan(B, 40, 0x0800, B, n);
    n = build_vlan(B, 30, 0x8100, B, n);
    n = build_vlan(B, 20, 0x8100, B, n);
    n = build_vlan(B, 10, 0x8100, B, n);
    n = build_eth(B, 0x8100, B, n);
    p = dec(VG_DLT_EN10MB, B, n);
    expect_event(p, VG_EV_VLAN_TOO_MANY_LAYERS, true);

    /* tag cut short */
    n = build_eth(B, 0x8100, (const uint8_t *)"\x00\x64", 2);
    p = dec(VG_DLT_EN10MB, B, n);
    expect_event(p, VG_EV_VLAN_HEADER_TOO_SMALL, true);
    /* an 802.3 length where an ethertype belongs */
    n = build_vlan(B, 5, 0x0100, udp, 16);
    n = build_eth(B, 0x8100, B, n);
    p = dec(VG_DLT_EN10MB, B, n);
    expect_event(p, VG_EV_VLAN_UNKNOWN_TYPE, false);
}

static void
test_sll_sll2(void **state)
{
    (void)state;
    uint8_t ip[64];
    size_t n = build_udp(ip, 53, 5353, NULL, 0);
    n = build_ipv4(ip, VG_IPPROTO_UDP, SRC4, DST4, ip, n, 0);
    /* SLL: pkttype 0 (to us), ARPHRD_ETHER 1, addr len 6, addr, proto 0x0800 */
    uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
    n = pb_wrap(B, sll, 16, ip, 28);
    vg_packet_t *p = dec(VG_DLT_LINUX_SLL, B, n);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->sp, 53);
    assert_int_equal(ctr("decoder.sll"), 1);
    p = dec(VG_DLT_LINUX_SLL, B, 15);
    expect_event(p, VG_EV_SLL_PKT_TOO_SMALL, true);

    /* SLL2: proto 0x0800, reserved, ifindex 2, ARPHRD 1, pkttype 0, addrlen 6, addr[8] */
    uint8_t sll2[20] = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0};
    n = pb_wrap(B, sll2, 20, ip, 28);
    p = dec(VG_DLT_LINUX_SLL2, B, n);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->dp, 5353);
    p = dec(VG_DLT_LINUX_SLL2, B, 19);
    expect_event(p, VG_EV_SLL2_PKT_TOO_SMALL, true);
}

static void
test_null_loop_raw(void **state)
{
    (void)state;
    uint8_t ip4[64], ip6[96];
    size_t n4 = build_udp(ip4, 1, 2, NULL, 0);
    n4 = build_ipv4(ip4, VG_IPPROTO_UDP, SRC4, DST4, ip4, n4, 0);
    size_t n6 = build_udp(ip6, 3, 4, NULL, 0);
    n6 = build_ipv6(ip6, VG_IPPROTO_UDP, SRC6, DST6, ip6, n6);

    /* AF_INET = 2 little-endian (DLT_NULL written on x86) */
    size_t n = pb_wrap(B, (const uint8_t *)"\x02\x00\x00\x00", 4, ip4, n4);
    assert_int_equal(dec(VG_DLT_NULL, B, n)->ip_ver, 4);
    /* AF_INET = 2 big-endian (DLT_LOOP / big-endian writer) */
    n = pb_wrap(B, (const uint8_t *)"\x00\x00\x00\x02", 4, ip4, n4);
    assert_int_equal(dec(VG_DLT_LOOP, B, n)->ip_ver, 4);
    /* AF_INET6 values 24 (BSD), 28 (FreeBSD), 30 (macOS), both orders */
    const uint8_t afs[][4] = {{24, 0, 0, 0}, {0, 0, 0, 28}, {30, 0, 0, 0}, {0, 0, 0, 24}};
    for (size_t i = 0; i < 4; i++) {
        n = pb_wrap(B, afs[i], 4, ip6, n6);
        vg_packet_t *p = dec(VG_DLT_NULL, B, n);
        assert_int_equal(p->ip_ver, 6);
        assert_int_equal(p->dp, 4);
    }
    n = pb_wrap(B, (const uint8_t *)"\x07\x00\x00\x00", 4, ip4, n4);
    expect_event(dec(VG_DLT_NULL, B, n), VG_EV_LTNULL_UNSUPPORTED_TYPE, true);
    expect_event(dec(VG_DLT_NULL, B, 3), VG_EV_LTNULL_PKT_TOO_SMALL, true);

    /* raw IP under every link type number that means it */
    const int raw[] = {VG_DLT_RAW, VG_DLT_RAW_OPENBSD, VG_LINKTYPE_RAW};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(dec(raw[i], ip4, n4)->ip_ver, 4);
        assert_int_equal(dec(raw[i], ip6, n6)->ip_ver, 6);
    }
    assert_int_equal(dec(VG_LINKTYPE_IPV4, ip4, n4)->sp, 1);
    assert_int_equal(dec(VG_LINKTYPE_IPV6, ip6, n6)->sp, 3);
    /* LINKTYPE_IPV4 carrying IPv6: the IPv4 decoder sees the wrong version */
    expect_event(dec(VG_LINKTYPE_IPV4, ip6, n6), VG_EV_IPV4_WRONG_IP_VER, true);
    expect_event(dec(VG_LINKTYPE_IPV6, ip4, n4), VG_EV_IPV6_PKT_TOO_SMALL, true);
    uint8_t bad[20] = {0x50};
    expect_event(dec(VG_DLT_RAW, bad, 20), VG_EV_IPRAW_INVALID_IPV, true);
    expect_event(dec(147, ip4, n4), VG_EV_UNSUPPORTED_LINKTYPE, true);
    assert_int_equal(ctr("decoder.event.unsupported_linktype"), 1);
    assert_true(vg_decode_linktype_supported(1) && !vg_decode_linktype_supported(147));
}

static void
test_ppp_pppoe(void **state)
{
    (void)state;
    uint8_t ip[64];
    size_t n4 = build_udp(ip, 11, 12, NULL, 0);
    n4 = build_ipv4(ip, VG_IPPROTO_UDP, SRC4, DST4, ip, n4, 0);
    /* DLT_PPP: address ff, control 03, protocol 0x0021 (IPv4) */
    size_t n = pb_wrap(B, (const uint8_t *)"\xff\x03\x00\x21", 4, ip, n4);
    vg_packet_t *p = dec(VG_DLT_PPP, B, n);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->dp, 12);
    assert_int_equal(ctr("decoder.ppp"), 1);
    /* without address/control */
    n = pb_wrap(B, (const uint8_t *)"\x00\x21", 2, ip, n4);
    assert_int_equal(dec(VG_DLT_PPP, B, n)->sp, 11);
    /* protocol field compression: a single 0x21 */
    n = pb_wrap(B, (const uint8_t *)"\x21", 1, ip, n4);
    assert_int_equal(dec(VG_DLT_PPP, B, n)->sp, 11);
    expect_event(dec(VG_DLT_PPP, B, 1), VG_EV_PPP_PKT_TOO_SMALL, true);
    expect_event(dec(VG_DLT_PPP, (const uint8_t *)"\xff\x03\x00", 3), VG_EV_PPP_PKT_TOO_SMALL,
                 true);
    n = pb_wrap(B, (const uint8_t *)"\xff\x03\x00\x21", 4, ip, 10);
    expect_event(dec(VG_DLT_PPP, B, n), VG_EV_PPPIPV4_PKT_TOO_SMALL, true);
    n = pb_wrap(B, (const uint8_t *)"\xff\x03\x00\x57", 4, ip, 20);
    expect_event(dec(VG_DLT_PPP, B, n), VG_EV_PPPIPV6_PKT_TOO_SMALL, true);
    n = pb_wrap(B, (const uint8_t *)"\xff\x03\x12\x34", 4, ip, n4);
    expect_event(dec(VG_DLT_PPP, B, n), VG_EV_PPP_UNSUP_PROTO, true);
    /* LCP is valid PPP without IP */
    n = pb_wrap(B, (const uint8_t *)"\xff\x03\xc0\x21", 4, ip, 8);
    p = dec(VG_DLT_PPP, B, n);
    assert_int_equal(p->ip_ver, 0);
    assert_false(p->flags & VG_PKT_INVALID);

    /* PPPoE session: ver/type 0x11, code 0, session 1, length 2 + IP, PPP IPv4 */
    uint8_t hdr[8] = {0x11, 0x00, 0x00, 0x01, 0, 0, 0x00, 0x21};
    pb_put16(hdr + 4, (uint16_t)(2 + n4));
    n = pb_wrap(B, hdr, 8, ip, n4);
    n = build_eth(B, 0x8864, B, n);
    memset(B + n, 0, 10); /* ethernet padding past the PPPoE length */
    p = dec(VG_DLT_EN10MB, B, n + 10);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->dp, 12);
    assert_int_equal(ctr("decoder.pppoe"), 1);
    hdr[1] = 0x09; /* PADI code in a session packet */
    n = pb_wrap(B, hdr, 8, ip, n4);
    n = build_eth(B, 0x8864, B, n);
    expect_event(dec(VG_DLT_EN10MB, B, n), VG_EV_PPPOE_WRONG_CODE, true);
    n = build_eth(B, 0x8864, hdr, 4);
    expect_event(dec(VG_DLT_EN10MB, B, n), VG_EV_PPPOE_PKT_TOO_SMALL, true);
}

static void
test_mpls(void **state)
{
    (void)state;
    uint8_t ip[64];
    size_t n4 = build_udp(ip, 21, 22, NULL, 0);
    n4 = build_ipv4(ip, VG_IPPROTO_UDP, SRC4, DST4, ip, n4, 0);
    /* two labels: 100 (not bottom), 200 (bottom of stack), TTL 64 */
    const uint8_t two[8] = {0x00, 0x06, 0x40, 0x40, 0x00, 0x0c, 0x81, 0x40};
    size_t n = pb_wrap(B, two, 8, ip, n4);
    n = build_eth(B, 0x8847, B, n);
    vg_packet_t *p = dec(VG_DLT_EN10MB, B, n);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->dp, 22);
    assert_int_equal(ctr("decoder.mpls"), 1);
    /* explicit-null IPv4 label 0 */
    n = pb_wrap(B, (const uint8_t *)"\x00\x00\x01\x40", 4, ip, n4);
    n = build_eth(B, 0x8847, B, n);
    assert_int_equal(dec(VG_DLT_EN10MB, B, n)->sp, 21);
    /* reserved labels */
    n = pb_wrap(B, (const uint8_t *)"\x00\x00\x11\x40", 4, ip, n4);
    n = build_eth(B, 0x8847, B, n);
    expect_event(dec(VG_DLT_EN10MB, B, n), VG_EV_MPLS_BAD_LABEL_ROUTER_ALERT, true);
    n = pb_wrap(B, (const uint8_t *)"\x00\x00\x31\x40", 4, ip, n4);
    n = build_eth(B, 0x8847, B, n);
    expect_event(dec(VG_DLT_EN10MB, B, n), VG_EV_MPLS_BAD_LABEL_IMPLICIT_NULL, true);
    n = pb_wrap(B, (const uint8_t *)"\x00\x00\x71\x40", 4, ip, n4);
    n = build_eth(B, 0x8847, B, n);
    expect_event(dec(VG_DLT_EN10MB, B, n), VG_EV_MPLS_BAD_LABEL_RESERVED, true);
    /* no bottom of stack before the end */
    n = build_eth(B, 0x8847, two, 4);
    expect_event(dec(VG_DLT_EN10MB, B, n), VG_EV_MPLS_HEADER_TOO_SMALL, true);
    n = build_eth(B, 0x8847, two, 8);
    expect_event(dec(VG_DLT_EN10MB, B, n), VG_EV_MPLS_PKT_TOO_SMALL, true);
    uint8_t odd[8] = {0x90};
    n = pb_wrap(B, two, 8, odd, 8);
    n = build_eth(B, 0x8847, B, n);
    expect_event(dec(VG_DLT_EN10MB, B, n), VG_EV_MPLS_UNKNOWN_PAYLOAD_TYPE, false);
    /* ethernet pseudowire: control word 0, then an ethernet frame */
    n = build_eth(B, 0x0800, ip, n4);
    n = pb_wrap(B, (const uint8_t *)"\x00\x00\x00\x00", 4, B, n);
    n = pb_wrap(B, two, 8, B, n);
    n = build_eth(B, 0x8847, B, n);
    p = dec(VG_DLT_EN10MB, B, n);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->dp, 22);
    /* pseudowires nested past decoder.max-layers stop, not recurse on */
    n = build_eth(B, 0x0800, ip, n4);
    for (int i = 0; i < 40; i++) {
        n = pb_wrap(B, (const uint8_t *)"\x00\x0c\x81\x40\x00\x00\x00\x00", 8, B, n);
        n = build_eth(B, 0x8847, B, n);
    }
    expect_event(dec(VG_DLT_EN10MB, B, n), VG_EV_TOO_MANY_LAYERS, true);
}

/* --- IPv4 ------------------------------------------------------------ */

static void
test_ipv4_header_events(void **state)
{
    (void)state;
    uint8_t ip[64];
    size_t n = build_udp(ip, 1, 2, (const uint8_t *)"xxxx", 4);
    n = build_ipv4(ip, VG_IPPROTO_UDP, SRC4, DST4, ip, n, 0);
    /* fewer than 20 bytes */
    expect_event(dec(VG_DLT_RAW, ip, 19), VG_EV_IPV4_PKT_TOO_SMALL, true);
    /* total length 32 but only 31 captured */
    expect_event(dec(VG_DLT_RAW, ip, 31), VG_EV_IPV4_TRUNC_PKT, true);
    assert_int_equal(ctr("decoder.event.ipv4.trunc_pkt"), 1);
    uint8_t c[64];
    memcpy(c, ip, n);
    c[0] = 0x44; /* IHL 4 = 16 bytes */
    expect_event(dec(VG_LINKTYPE_IPV4, c, n), VG_EV_IPV4_HLEN_TOO_SMALL, true);
    memcpy(c, ip, n);
    c[2] = 0;
    c[3] = 16; /* total length 16 < header 20 */
    expect_event(dec(VG_DLT_RAW, c, n), VG_EV_IPV4_IPLEN_SMALLER_THAN_HLEN, true);
    memcpy(c, ip, n);
    c[0] = 0x55;
    expect_event(dec(VG_LINKTYPE_IPV4, c, n), VG_EV_IPV4_WRONG_IP_VER, true);
    /* ICMPv6 inside IPv4 */
    n = build_icmp(c, 128, 0, NULL, 0);
    n = build_ipv4(c, VG_IPPROTO_ICMPV6, SRC4, DST4, c, n, 0);
    expect_event(dec(VG_DLT_RAW, c, n), VG_EV_IPV4_WITH_ICMPV6, false);
}

static void
test_ipv4_options(void **state)
{
    (void)state;
    uint8_t pl[8] = {0};
    /* record route: len 7, ptr 4 (one slot), then EOL */
    const uint8_t rr[8] = {7, 7, 4, 0, 0, 0, 0, 0};
    size_t n = build_ipv4_opt(B, 253, SRC4, DST4, pl, 8, 0, rr, 8);
    vg_packet_t *p = dec(VG_DLT_RAW, B, n);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->proto, 253);
    /* router alert twice -> duplicate */
    const uint8_t ra2[8] = {148, 4, 0, 0, 148, 4, 0, 0};
    n = build_ipv4_opt(B, 253, SRC4, DST4, pl, 8, 0, ra2, 8);
    expect_event(dec(VG_DLT_RAW, B, n), VG_EV_IPV4_OPT_DUPLICATE, false);
    /* unknown option 0x9e */
    const uint8_t unk[4] = {0x9e, 4, 0, 0};
    n = build_ipv4_opt(B, 253, SRC4, DST4, pl, 8, 0, unk, 4);
    expect_event(dec(VG_DLT_RAW, B, n), VG_EV_IPV4_OPT_UNKNOWN, false);
    /* option length 1 */
    const uint8_t badlen[4] = {7, 1, 0, 0};
    n = build_ipv4_opt(B, 253, SRC4, DST4, pl, 8, 0, badlen, 4);
    expect_event(dec(VG_DLT_RAW, B, n), VG_EV_IPV4_OPT_INVALID_LEN, false);
    /* option length past the header */
    const uint8_t toolong[4] = {68, 40, 5, 0};
    n = build_ipv4_opt(B, 253, SRC4, DST4, pl, 8, 0, toolong, 4);
    expect_event(dec(VG_DLT_RAW, B, n), VG_EV_IPV4_OPT_INVALID_LEN, false);
    /* record route with pointer 3 (< 4) */
    const uint8_t badptr[8] = {7, 7, 3, 0, 0, 0, 0, 0};
    n = build_ipv4_opt(B, 253, SRC4, DST4, pl, 8, 0, badptr, 8);
    expect_event(dec(VG_DLT_RAW, B, n), VG_EV_IPV4_OPT_MALFORMED, false);
}

static void
test_checksums(void **state)
{
    (void)state;
    size_t n = eth_ipv4_tcp(B, NULL, 0, "data");
    dc.csum = VG_CSUM_ALL;
    vg_packet_t *p = dec(VG_DLT_EN10MB, B, n);
    assert_false(p->flags & (VG_PKT_IPV4_CSUM_BAD | VG_PKT_L4_CSUM_BAD));
    B[14 + 10] ^= 0xff; /* IP checksum */
    p = dec(VG_DLT_EN10MB, B, n);
    assert_true(p->flags & VG_PKT_IPV4_CSUM_BAD);
    assert_false(p->flags & VG_PKT_L4_CSUM_BAD);
    B[14 + 10] ^= 0xff;
    B[n - 1] ^= 1; /* payload byte: TCP checksum now wrong */
    p = dec(VG_DLT_EN10MB, B, n);
    assert_true(p->flags & VG_PKT_L4_CSUM_BAD);
    dc.csum = VG_CSUM_NONE;
    p = dec(VG_DLT_EN10MB, B, n);
    assert_false(p->flags & VG_PKT_L4_CSUM_BAD);
    /* RFC 1071 example words 0001 f203 f4f5 f6f7 sum to ddf2 -> ~ = 220d */
    const uint8_t w[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(vg_csum_fold(vg_csum_add(0, w, sizeof(w))), 0x220d);
}

static void
test_ipv4_fragment(void **state)
{
    (void)state;
    uint8_t pl[16] = {0};
    size_t n = build_ipv4(B, VG_IPPROTO_UDP, SRC4, DST4, pl, 16, 0x2000); /* MF, offset 0 */
    vg_packet_t *p = dec(VG_DLT_RAW, B, n);
    assert_true(p->flags & VG_PKT_IS_FRAGMENT);
    assert_false(p->flags & (VG_PKT_HAS_L4 | VG_PKT_INVALID));
    assert_int_equal(p->sp, 0);
    assert_int_equal(ctr("decoder.udp"), 0); /* L4 of a fragment is not decoded */
    /* offset 8190*8 + 16 bytes > 65535 */
    n = build_ipv4(B, VG_IPPROTO_UDP, SRC4, DST4, pl, 16, 8190);
    expect_event(dec(VG_DLT_RAW, B, n), VG_EV_IPV4_FRAG_PKT_TOO_LARGE, false);
}

/* --- IPv6 ------------------------------------------------------------ */

static void
test_ipv6_basic_and_events(void **state)
{
    (void)state;
    uint8_t b[200];
    size_t n = build_udp(b, 5000, 53, (const uint8_t *)"q", 1);
    n = build_ipv6(b, VG_IPPROTO_UDP, SRC6, DST6, b, n);
    vg_packet_t *p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->ip_ver, 6);
    assert_int_equal(p->src.family, 6);
    assert_memory_equal(p->src.b, SRC6, 16);
    assert_int_equal(p->proto, VG_IPPROTO_UDP);
    assert_int_equal(p->ttl, 64);
    assert_int_equal(p->payload_len, 1);
    assert_int_equal(ctr("decoder.ipv6"), 1);
    assert_int_equal(ctr("decoder.udp"), 1);
    expect_event(dec(VG_DLT_RAW, b, 39), VG_EV_IPV6_PKT_TOO_SMALL, true);
    expect_event(dec(VG_DLT_RAW, b, n - 1), VG_EV_IPV6_TRUNC_PKT, true);
    b[0] = 0x70;
    expect_event(dec(VG_LINKTYPE_IPV6, b, n), VG_EV_IPV6_WRONG_IP_VER, true);
    /* a protocol with no decoder (OSPF 89): anomaly, still a valid packet */
    n = build_ipv6(b, 89, SRC6, DST6, (const uint8_t *)"ospf", 4);
    vg_packet_t *q = dec(VG_DLT_RAW, b, n);
    expect_event(q, VG_EV_IPV6_UNKNOWN_NEXT_HEADER, false);
    assert_int_equal(q->proto, 89);
    /* ICMPv4 after IPv6 */
    n = build_icmp(b, 8, 0, NULL, 0);
    n = build_ipv6(b, VG_IPPROTO_ICMP, SRC6, DST6, b, n);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_IPV6_WITH_ICMPV4, false);
}

static void
test_ipv6_exthdrs(void **state)
{
    (void)state;
    uint8_t b[400];
    /* hop-by-hop with router alert (05 02 0000) + PadN(0) ... then dest opts
     * with an unknown option type 0x1e, then TCP */
    const uint8_t hbh[6] = {0x05, 0x02, 0, 0, 0x01, 0x00};
    const uint8_t dst[6] = {0x1e, 0x04, 1, 2, 3, 4};
    size_t n = build_tcp(b, 1, 2, VG_TH_ACK, NULL, 0, NULL, 0);
    n = build_ext(b, VG_IPPROTO_TCP, dst, 6, b, n);
    n = build_ext(b, 60, hbh, 6, b, n);
    n = build_ipv6(b, 0, SRC6, DST6, b, n);
    vg_packet_t *p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->proto, VG_IPPROTO_TCP);
    assert_int_equal(p->dp, 2);
    assert_true(p->flags & VG_PKT_HAS_L4);
    expect_event(p, VG_EV_IPV6_ZERO_LEN_PADN, false);
    expect_event(p, VG_EV_IPV6_DSTOPTS_UNKNOWN_OPT, false);

    /* hop-by-hop holding only padding; then a second hop-by-hop */
    const uint8_t pad[6] = {0x01, 0x04, 0, 0, 0, 0};
    n = build_udp(b, 1, 2, NULL, 0);
    n = build_ext(b, VG_IPPROTO_UDP, pad, 6, b, n);
    n = build_ext(b, 0, pad, 6, b, n);
    n = build_ipv6(b, 0, SRC6, DST6, b, n);
    p = dec(VG_DLT_RAW, b, n);
    expect_event(p, VG_EV_IPV6_HOPOPTS_ONLY_PADDING, false);
    expect_event(p, VG_EV_IPV6_EXTHDR_DUPL_HH, false);
    assert_int_equal(p->sp, 1);

    /* routing header type 0 (deprecated, RFC 5095), segments left 0 */
    const uint8_t rh0[6] = {0, 0, 0, 0, 0, 0};
    n = build_udp(b, 1, 2, NULL, 0);
    n = build_ext(b, VG_IPPROTO_UDP, rh0, 6, b, n);
    n = build_ipv6(b, 43, SRC6, DST6, b, n);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_IPV6_EXTHDR_RH_TYPE_0, false);

    /* truncated extension header: length says 16 bytes, 8 present */
    uint8_t t[48];
    n = build_ext(t, VG_IPPROTO_UDP, pad, 6, NULL, 0);
    t[1] = 1;
    n = build_ipv6(t, 60, SRC6, DST6, t, n);
    expect_event(dec(VG_DLT_RAW, t, n), VG_EV_IPV6_TRUNC_EXTHDR, true);

    /* ESP stops decoding; no-next-header with bytes after it */
    uint8_t esp[16] = {0, 0, 0, 1, 0, 0, 0, 1};
    n = build_ipv6(b, 50, SRC6, DST6, esp, 16);
    p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->proto, 50);
    assert_false(p->flags & (VG_PKT_HAS_L4 | VG_PKT_INVALID));
    n = build_ipv6(b, 59, SRC6, DST6, esp, 4);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_IPV6_DATA_AFTER_NONE_HEADER, false);

    /* AH with non-zero reserved field, then UDP */
    uint8_t ah[64];
    n = build_udp(ah, 7, 8, NULL, 0);
    const uint8_t ahh[12] = {VG_IPPROTO_UDP, 2, 0, 1, 0, 0, 0, 9, 0, 0, 0, 1}; /* len 2 -> 16 bytes */
    uint8_t full[16];
    memcpy(full, ahh, 12);
    memset(full + 12, 0, 4);
    n = pb_wrap(ah, full, 16, ah, n);
    n = build_ipv6(b, 51, SRC6, DST6, ah, n);
    p = dec(VG_DLT_RAW, b, n);
    expect_event(p, VG_EV_IPV6_EXTHDR_AH_RES_NOT_NULL, false);
    assert_int_equal(p->dp, 8);
}

static void
test_ipv6_fragments(void **state)
{
    (void)state;
    uint8_t b[200];
    uint8_t pl[16] = {0};
    size_t n = build_frag6(b, VG_IPPROTO_UDP, 0, 1, 0xabcdef01, pl, 16);
    n = build_ipv6(b, 44, SRC6, DST6, b, n);
    vg_packet_t *p = dec(VG_DLT_RAW, b, n);
    assert_true(p->flags & VG_PKT_IS_FRAGMENT);
    assert_false(p->flags & VG_PKT_HAS_L4);
    assert_int_equal(p->proto, VG_IPPROTO_UDP);
    /* MF set but 12 bytes: not a multiple of 8 */
    n = build_frag6(b, VG_IPPROTO_UDP, 0, 1, 1, pl, 12);
    n = build_ipv6(b, 44, SRC6, DST6, b, n);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_IPV6_FRAG_INVALID_LENGTH, false);
    /* atomic fragment (offset 0, no MF): decoded as a whole packet */
    uint8_t u[16];
    size_t un = build_udp(u, 9, 10, NULL, 0);
    n = build_frag6(b, VG_IPPROTO_UDP, 0, 0, 2, u, un);
    n = build_ipv6(b, 44, SRC6, DST6, b, n);
    p = dec(VG_DLT_RAW, b, n);
    expect_event(p, VG_EV_IPV6_EXTHDR_USELESS_FH, false);
    assert_int_equal(p->dp, 10);
    assert_false(p->flags & VG_PKT_IS_FRAGMENT);
    /* non-zero reserved bits, and two fragment headers */
    n = build_frag6(b, 44, 0, 0, 3, NULL, 0);
    b[1] = 1;
    uint8_t inner[32];
    size_t in = build_frag6(inner, VG_IPPROTO_UDP, 8, 1, 3, pl, 16);
    memcpy(b + n, inner, in);
    n = build_ipv6(b, 44, SRC6, DST6, b, n + in);
    p = dec(VG_DLT_RAW, b, n);
    expect_event(p, VG_EV_IPV6_FH_NON_ZERO_RES_FIELD, false);
    expect_event(p, VG_EV_IPV6_EXTHDR_DUPL_FH, false);
}

static void
test_ipv6_jumbogram(void **state)
{
    (void)state;
    /* RFC 2675: payload length 0, hop-by-hop jumbo option with 70000 */
    static uint8_t j[70100];
    size_t plen = 70000;
    memset(j, 0, sizeof(j));
    j[0] = 0x60;
    j[6] = 0; /* hop-by-hop */
    j[7] = 1;
    memcpy(j + 8, SRC6, 16);
    memcpy(j + 24, DST6, 16);
    uint8_t *h = j + 40;
    h[0] = VG_IPPROTO_UDP;
    h[1] = 0;
    h[2] = 0xc2;
    h[3] = 4;
    pb_put32(h + 4, (uint32_t)plen);
    uint8_t *u = h + 8;
    pb_put16(u, 1);
    pb_put16(u + 2, 2);
    pb_put16(u + 4, 0); /* UDP jumbo: length 0 */
    vg_packet_t *p = dec(VG_DLT_RAW, j, 40 + plen);
    assert_false(p->flags & VG_PKT_INVALID);
    assert_int_equal(p->l3_len, 40 + plen);
    assert_int_equal(p->dp, 2);
    assert_int_equal(p->payload_len, plen - 16);
    /* payload length 0 without a jumbo option: truncated */
    h[2] = 1;
    h[3] = 4;
    expect_event(dec(VG_DLT_RAW, j, 40 + plen), VG_EV_IPV6_TRUNC_PKT, true);
}

/* --- L4 -------------------------------------------------------------- */

static void
test_tcp_events(void **state)
{
    (void)state;
    uint8_t b[128];
    size_t n = build_ipv4(b, VG_IPPROTO_TCP, SRC4, DST4, (const uint8_t *)"0123456789", 10, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_TCP_PKT_TOO_SMALL, true);
    n = build_tcp(b, 1, 2, 0, NULL, 0, NULL, 0);
    b[12] = 0x40; /* data offset 4 -> 16 bytes */
    n = build_ipv4(b, VG_IPPROTO_TCP, SRC4, DST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_TCP_HLEN_TOO_SMALL, true);
    n = build_tcp(b, 1, 2, 0, NULL, 0, NULL, 0);
    b[12] = 0x60; /* data offset 24 bytes, only 20 present */
    n = build_ipv4(b, VG_IPPROTO_TCP, SRC4, DST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_TCP_PKT_TOO_SMALL, true);
    /* MSS with length 3 */
    const uint8_t badmss[4] = {2, 3, 5, 1};
    n = build_tcp(b, 1, 2, 0, badmss, 4, NULL, 0);
    n = build_ipv4(b, VG_IPPROTO_TCP, SRC4, DST4, b, n, 0);
    vg_packet_t *p = dec(VG_DLT_RAW, b, n);
    expect_event(p, VG_EV_TCP_OPT_INVALID_LEN, false);
    assert_true(p->flags & VG_PKT_HAS_L4);
    assert_false(p->tcp.has_mss);
    /* two MSS options */
    const uint8_t dup[8] = {2, 4, 1, 0, 2, 4, 2, 0};
    n = build_tcp(b, 1, 2, 0, dup, 8, NULL, 0);
    n = build_ipv4(b, VG_IPPROTO_TCP, SRC4, DST4, b, n, 0);
    p = dec(VG_DLT_RAW, b, n);
    expect_event(p, VG_EV_TCP_OPT_DUPLICATE, false);
    assert_int_equal(p->tcp.mss, 256);
    /* option running past the header */
    const uint8_t over[4] = {8, 10, 0, 0};
    n = build_tcp(b, 1, 2, 0, over, 4, NULL, 0);
    n = build_ipv4(b, VG_IPPROTO_TCP, SRC4, DST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_TCP_OPT_INVALID_LEN, false);
}

static void
test_udp_events(void **state)
{
    (void)state;
    uint8_t b[128];
    size_t n = build_ipv4(b, VG_IPPROTO_UDP, SRC4, DST4, (const uint8_t *)"1234567", 7, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_UDP_HLEN_TOO_SMALL, true);
    n = build_udp(b, 1, 2, (const uint8_t *)"abcd", 4);
    pb_put16(b + 4, 20); /* claims 20, has 12 */
    n = build_ipv4(b, VG_IPPROTO_UDP, SRC4, DST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_UDP_PKT_TOO_SMALL, true);
    n = build_udp(b, 1, 2, (const uint8_t *)"abcd", 4);
    pb_put16(b + 4, 4); /* below the header size */
    n = build_ipv4(b, VG_IPPROTO_UDP, SRC4, DST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_UDP_LEN_INVALID, true);
    n = build_udp(b, 1, 2, (const uint8_t *)"abcd", 4);
    pb_put16(b + 4, 10); /* shorter than the IP payload */
    n = build_ipv4(b, VG_IPPROTO_UDP, SRC4, DST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_UDP_HLEN_INVALID, true);
}

static void
test_icmpv4(void **state)
{
    (void)state;
    uint8_t b[200];
    size_t n = build_icmp(b, 8, 0, (const uint8_t *)"ping", 4);
    n = build_ipv4(b, VG_IPPROTO_ICMP, SRC4, DST4, b, n, 0);
    vg_packet_t *p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->icmp_type, 8);
    assert_int_equal(p->icmp_code, 0);
    assert_true(p->flags & VG_PKT_HAS_L4);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(ctr("decoder.icmpv4"), 1);
    n = build_ipv4(b, VG_IPPROTO_ICMP, SRC4, DST4, (const uint8_t *)"\x08\x00\x00", 3, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ICMPV4_PKT_TOO_SMALL, true);
    n = build_icmp(b, 99, 0, NULL, 0);
    n = build_ipv4(b, VG_IPPROTO_ICMP, SRC4, DST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ICMPV4_UNKNOWN_TYPE, false);
    n = build_icmp(b, 3, 16, (const uint8_t *)"\x65", 1); /* dest unreachable code 16 */
    n = build_ipv4(b, VG_IPPROTO_ICMP, SRC4, DST4, b, n, 0);
    p = dec(VG_DLT_RAW, b, n);
    expect_event(p, VG_EV_ICMPV4_UNKNOWN_CODE, false);
    /* with an unknown code the quoted datagram is not looked at */
    assert_int_equal(p->n_events, 1);
    n = build_icmp(b, 3, 1, (const uint8_t *)"\x45\x00", 2); /* quote cut at 2 bytes */
    n = build_ipv4(b, VG_IPPROTO_ICMP, SRC4, DST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ICMPV4_IPV4_TRUNC_PKT, false);
    n = build_icmp(b, 3, 1, NULL, 0); /* no quote at all: no event */
    n = build_ipv4(b, VG_IPPROTO_ICMP, SRC4, DST4, b, n, 0);
    assert_int_equal(dec(VG_DLT_RAW, b, n)->n_events, 0);
    /* port unreachable quoting an IPv4/UDP packet: clean */
    uint8_t q[64];
    size_t qn = build_udp(q, 33000, 53, NULL, 0);
    qn = build_ipv4(q, VG_IPPROTO_UDP, DST4, SRC4, q, qn, 0);
    n = build_icmp(b, 3, 3, q, qn);
    n = build_ipv4(b, VG_IPPROTO_ICMP, SRC4, DST4, b, n, 0);
    p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->n_events, 0);
    assert_int_equal(p->icmp_code, 3);
    q[0] = 0x65;
    n = build_icmp(b, 11, 0, q, qn);
    n = build_ipv4(b, VG_IPPROTO_ICMP, SRC4, DST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ICMPV4_IPV4_UNKNOWN_VER, false);
}

static void
test_icmpv6(void **state)
{
    (void)state;
    uint8_t b[200];
    size_t n = build_icmp(b, 128, 0, NULL, 0);
    n = build_ipv6(b, VG_IPPROTO_ICMPV6, SRC6, DST6, b, n);
    vg_packet_t *p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->icmp_type, 128);
    assert_true(p->flags & VG_PKT_HAS_L4);
    assert_int_equal(p->n_events, 0);
    n = build_ipv6(b, VG_IPPROTO_ICMPV6, SRC6, DST6, (const uint8_t *)"\x80\x00", 2);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ICMPV6_PKT_TOO_SMALL, true);
    n = build_icmp(b, 50, 0, NULL, 0);
    n = build_ipv6(b, VG_IPPROTO_ICMPV6, SRC6, DST6, b, n);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ICMPV6_UNKNOWN_TYPE, false);
    n = build_icmp(b, 129, 5, NULL, 0);
    n = build_ipv6(b, VG_IPPROTO_ICMPV6, SRC6, DST6, b, n);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ICMPV6_UNKNOWN_CODE, false);
    n = build_icmp(b, 1, 4, (const uint8_t *)"short", 5); /* unreachable, quote too short */
    n = build_ipv6(b, VG_IPPROTO_ICMPV6, SRC6, DST6, b, n);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ICMPV6_IPV6_TRUNC_PKT, false);
    uint8_t q[48] = {0x45};
    n = build_icmp(b, 3, 0, q, 48);
    n = build_ipv6(b, VG_IPPROTO_ICMPV6, SRC6, DST6, b, n);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ICMPV6_IPV6_UNKNOWN_VER, false);
}

/* --- tunnels --------------------------------------------------------- */

static void
test_gre(void **state)
{
    (void)state;
    uint8_t b[300];
    size_t n = build_tcp(b, 1111, 2222, VG_TH_SYN, NULL, 0, NULL, 0);
    n = build_ipv4(b, VG_IPPROTO_TCP, SRC4, DST4, b, n, 0);
    /* GRE v0 with key: flags 0x2000, proto 0x0800, key 42 */
    const uint8_t gre[8] = {0x20, 0x00, 0x08, 0x00, 0, 0, 0, 42};
    n = pb_wrap(b, gre, 8, b, n);
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, b, n, 0);
    n = build_eth(b, 0x0800, b, n);
    vg_packet_t *p = dec(VG_DLT_EN10MB, b, n);
    assert_memory_equal(p->src.b, SRC4, 4); /* innermost */
    assert_int_equal(p->sp, 1111);
    assert_int_equal(p->proto, VG_IPPROTO_TCP);
    assert_int_equal(ctr("decoder.gre"), 1);
    assert_int_equal(ctr("decoder.ipv4"), 2);

    /* GRE version 2 */
    const uint8_t g2[4] = {0x00, 0x02, 0x08, 0x00};
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, g2, 4, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_GRE_WRONG_VERSION, true);
    const uint8_t grec[4] = {0x01, 0x00, 0x08, 0x00}; /* recursion control 1 */
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, grec, 4, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_GRE_VERSION0_RECUR, true);
    const uint8_t gfl[4] = {0x00, 0x08, 0x08, 0x00}; /* reserved flag bit */
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, gfl, 4, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_GRE_VERSION0_FLAGS, true);
    const uint8_t gbig[6] = {0xb0, 0x00, 0x08, 0x00, 0, 0}; /* C+K+S: 12 more bytes */
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, gbig, 6, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_GRE_VERSION0_HDR_TOO_BIG, true);
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, gbig, 3, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_GRE_PKT_TOO_SMALL, true);

    /* ERSPAN type II: GRE with sequence number, proto 0x88be; version 1,
     * vlan 23, session 1, index 0; then the mirrored frame (as
     * suricata-verify decode-erspan-typeII-01: flow vlan [23]) */
    uint8_t mir[200];
    size_t mn = build_icmp(mir, 8, 0, NULL, 0);
    mn = build_ipv4(mir, VG_IPPROTO_ICMP, SRC4, DST4, mir, mn, 0);
    mn = build_eth(mir, 0x0800, mir, mn);
    const uint8_t ers[16] = {0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 7, /* GRE S, seq 7 */
                             0x10, 0x17, 0x00, 0x01, 0, 0, 0, 0};
    n = pb_wrap(b, ers, 16, mir, mn);
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, b, n, 0);
    p = dec(VG_DLT_RAW, b, n);
    assert_memory_equal(p->src.b, SRC4, 4);
    assert_int_equal(p->proto, VG_IPPROTO_ICMP);
    assert_int_equal(p->vlan_n, 1);
    assert_int_equal(p->vlan_id[0], 23);
    assert_int_equal(ctr("decoder.erspan"), 1);
    /* Suricata's tunnel packet starts at the ERSPAN header (8 bytes before
     * the mirrored frame): decode-erspan-typeII-01 counts 122-byte packets */
    assert_int_equal(p->recursion_level, 1);
    assert_int_equal(p->tunnel_len, 8 + mn);
    /* the GRE carrier is outside the mirror: no vlan id */
    assert_int_equal(p->root.proto, VG_IPPROTO_GRE);
    assert_int_equal(p->root.vlan_n, 0);
    /* an unusable mirrored frame leaves the carrier, without the vlan id */
    n = pb_wrap(b, ers, 16, (const uint8_t *)"\x00\x01", 2);
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, b, n, 0);
    p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->proto, VG_IPPROTO_GRE);
    assert_int_equal(p->recursion_level, 0);
    assert_int_equal(p->vlan_n, 0);
    uint8_t bad[16];
    memcpy(bad, ers, 16);
    bad[8] = 0x20; /* version 2 */
    n = pb_wrap(b, bad, 16, mir, mn);
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, b, n, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ERSPAN_UNSUPPORTED_VERSION, true);
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, ers, 12, 0);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_ERSPAN_HEADER_TOO_SMALL, true);

    /* transparent ethernet bridging: GRE -> Ethernet -> IPv6/UDP */
    uint8_t in[200];
    size_t inn = build_udp(in, 7, 9, NULL, 0);
    inn = build_ipv6(in, VG_IPPROTO_UDP, SRC6, DST6, in, inn);
    inn = build_eth(in, 0x86dd, in, inn);
    const uint8_t teb[4] = {0, 0, 0x65, 0x58};
    n = pb_wrap(b, teb, 4, in, inn);
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, b, n, 0);
    p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->ip_ver, 6);
    assert_int_equal(p->dp, 9);

    /* inner packet broken: the outer packet stays usable, events kept */
    const uint8_t g0[4] = {0, 0, 0x08, 0x00};
    uint8_t junk[12] = {0x45};
    n = pb_wrap(b, g0, 4, junk, sizeof(junk));
    n = build_ipv4(b, VG_IPPROTO_GRE, OSRC4, ODST4, b, n, 0);
    p = dec(VG_DLT_RAW, b, n);
    assert_memory_equal(p->src.b, OSRC4, 4);
    assert_int_equal(p->proto, VG_IPPROTO_GRE);
    assert_false(p->flags & VG_PKT_INVALID);
    assert_true(has_event(p, VG_EV_IPV4_PKT_TOO_SMALL));
}

static void
test_vxlan(void **state)
{
    (void)state;
    uint8_t b[300];
    size_t n = build_udp(b, 3333, 4444, (const uint8_t *)"in", 2);
    n = build_ipv4(b, VG_IPPROTO_UDP, SRC4, DST4, b, n, 0);
    n = build_eth(b, 0x0800, b, n);
    const uint8_t vx[8] = {0x08, 0, 0, 0, 0, 0, 7, 0}; /* I flag, VNI 7 */
    n = pb_wrap(b, vx, 8, b, n);
    n = build_udp(b, 55555, 4789, b, n);
    n = build_ipv4(b, VG_IPPROTO_UDP, OSRC4, ODST4, b, n, 0);
    n = build_eth(b, 0x0800, b, n);
    vg_packet_t *p = dec(VG_DLT_EN10MB, b, n);
    assert_memory_equal(p->src.b, SRC4, 4);
    assert_int_equal(p->sp, 3333);
    assert_int_equal(p->payload_len, 2);
    assert_int_equal(ctr("decoder.vxlan"), 1);
    /* one tunnel deep; the MACs are the inner frame's (here equal to the
     * outer ones: same builder) */
    assert_int_equal(p->recursion_level, 1);
    assert_int_equal(p->tunnel_len, 14 + 20 + 8 + 2); /* the inner frame */
    /* the carrier (tunnel root) is kept for its own flow */
    assert_int_equal(p->root.ip_ver, 4);
    assert_memory_equal(p->root.src.b, OSRC4, 4);
    assert_int_equal(p->root.proto, VG_IPPROTO_UDP);
    assert_int_equal(p->root.dp, 4789);
    assert_true(p->root.has_l4);
    assert_true(p->has_eth);
    static const uint8_t mac_dst[6] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
    static const uint8_t mac_src[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
    assert_memory_equal(p->eth_dst, mac_dst, 6);
    assert_memory_equal(p->eth_src, mac_src, 6);
    dc.vxlan_enabled = false;
    p = dec(VG_DLT_EN10MB, b, n);
    assert_memory_equal(p->src.b, OSRC4, 4);
    assert_int_equal(p->dp, 4789);
    assert_int_equal(p->recursion_level, 0);
    dc.vxlan_enabled = true;
    /* VXLAN on another port only */
    assert_int_equal(vg_decode_set_vxlan_ports(&dc, "[8472, 4790]"), VG_OK);
    assert_int_equal(dc.n_vxlan_ports, 2);
    assert_int_equal(dec(VG_DLT_EN10MB, b, n)->dp, 4789); /* not decoded as VXLAN */
    assert_int_equal(vg_decode_set_vxlan_ports(&dc, "4789"), VG_OK);
    assert_int_equal(dec(VG_DLT_EN10MB, b, n)->sp, 3333);
    assert_int_equal(vg_decode_set_vxlan_ports(&dc, "70000"), VG_EINVAL);
    assert_int_equal(vg_decode_set_vxlan_ports(&dc, "1,2,3,4,5"), VG_EINVAL);
    assert_int_equal(vg_decode_set_vxlan_ports(&dc, "x"), VG_EINVAL);
    assert_int_equal(dc.n_vxlan_ports, 1);
    vg_csum_mode_t m;
    assert_int_equal(vg_decode_csum_parse("all", &m), VG_OK);
    assert_int_equal(m, VG_CSUM_ALL);
    assert_int_equal(vg_decode_csum_parse("none", &m), VG_OK);
    assert_int_equal(m, VG_CSUM_NONE);
    assert_int_equal(vg_decode_csum_parse("some", &m), VG_EINVAL);
    /* inner ethertype that is neither IP nor ARP */
    b[14 + 20 + 8 + 8 + 12] = 0x88;
    b[14 + 20 + 8 + 8 + 13] = 0xcc;
    p = dec(VG_DLT_EN10MB, b, n);
    expect_event(p, VG_EV_VXLAN_UNKNOWN_PAYLOAD_TYPE, false);
    assert_int_equal(p->dp, 4789);
}

static void
test_ip_in_ip(void **state)
{
    (void)state;
    uint8_t b[300];
    /* 6in4 */
    size_t n = build_udp(b, 1, 2, NULL, 0);
    n = build_ipv6(b, VG_IPPROTO_UDP, SRC6, DST6, b, n);
    n = build_ipv4(b, 41, OSRC4, ODST4, b, n, 0);
    vg_packet_t *p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->ip_ver, 6);
    assert_int_equal(p->dp, 2);
    assert_int_equal(ctr("decoder.ipv6_in_ipv4"), 1);
    /* 4in6 */
    n = build_udp(b, 3, 4, NULL, 0);
    n = build_ipv4(b, VG_IPPROTO_UDP, SRC4, DST4, b, n, 0);
    n = build_ipv6(b, 4, SRC6, DST6, b, n);
    p = dec(VG_DLT_RAW, b, n);
    assert_int_equal(p->ip_ver, 4);
    assert_int_equal(p->dp, 4);
    assert_int_equal(p->recursion_level, 1);
    assert_int_equal(p->tunnel_len, 20 + 8); /* the inner IPv4 packet */
    /* over ethernet: the inner IPv4 packet has no link header of its own,
     * so no MACs (Suricata logs none for such tunnel packets) */
    n = build_eth(b, 0x86dd, b, n);
    p = dec(VG_DLT_EN10MB, b, n);
    assert_int_equal(p->dp, 4);
    assert_int_equal(p->recursion_level, 1);
    assert_false(p->has_eth);
    /* a broken inner packet leaves the outer one: depth 0, MACs back */
    b[14 + 40] = 0x65; /* inner version 6 in a 4in6 tunnel */
    p = dec(VG_DLT_EN10MB, b, n);
    assert_true(has_event(p, VG_EV_IPV4_IN_IPV6_WRONG_IP_VER));
    assert_int_equal(p->recursion_level, 0);
    assert_true(p->has_eth);
    /* 4in6 too small, wrong version; 6in6 likewise */
    n = build_ipv6(b, 4, SRC6, DST6, (const uint8_t *)"\x45\x00", 2);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_IPV4_IN_IPV6_PKT_TOO_SMALL, false);
    uint8_t z[40] = {0x60};
    n = build_ipv6(b, 4, SRC6, DST6, z, 20);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_IPV4_IN_IPV6_WRONG_IP_VER, false);
    n = build_ipv6(b, 41, SRC6, DST6, z, 20);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_IPV6_IN_IPV6_PKT_TOO_SMALL, false);
    z[0] = 0x45;
    n = build_ipv6(b, 41, SRC6, DST6, z, 40);
    expect_event(dec(VG_DLT_RAW, b, n), VG_EV_IPV6_IN_IPV6_WRONG_IP_VER, false);

    /* 20 nested IPIP layers exceed decoder.max-layers (16) */
    n = build_udp(B, 1, 2, NULL, 0);
    n = build_ipv4(B, VG_IPPROTO_UDP, SRC4, DST4, B, n, 0);
    for (int i = 0; i < 20; i++)
        n = build_ipv4(B, 4, OSRC4, ODST4, B, n, 0);
    p = dec(VG_DLT_RAW, B, n);
    assert_true(has_event(p, VG_EV_TOO_MANY_LAYERS));
    assert_int_equal(ctr("decoder.event.too_many_layers"), 1);
}

static void
test_reset_between_packets(void **state)
{
    (void)state;
    size_t n = eth_ipv4_tcp(B, NULL, 0, "x");
    vg_packet_t *p = dec(VG_DLT_EN10MB, B, n);
    assert_true(p->flags & VG_PKT_HAS_L4);
    /* decoding a broken packet into the same struct clears the old fields */
    P.data = B;
    P.caplen = 10;
    assert_int_equal(vg_decode_packet(&dc, &P), VG_OK);
    assert_int_equal(P.ip_ver, 0);
    assert_int_equal(P.sp, 0);
    assert_null(P.l3);
    assert_int_equal(P.n_events, 1);
    assert_int_equal(vg_decode_packet(NULL, &P), VG_EINVAL);
}

/* --- address formatting ---------------------------------------------- */

static void
fmt_check(const char *in, const char *want)
{
    vg_addr_t a;
    memset(&a, 0, sizeof(a));
    a.family = 6;
    /* parse with a tiny helper: inet_pton is fine in a test */
    extern int inet_pton(int, const char *, void *);
    assert_int_equal(inet_pton(10 /* AF_INET6 */, in, a.b), 1);
    char buf[64];
    assert_string_equal(vg_addr_format(&a, buf, sizeof(buf)), want);
}

static void
test_addr_format(void **state)
{
    (void)state;
    vg_addr_t a;
    memset(&a, 0, sizeof(a));
    a.family = 4;
    memcpy(a.b, (uint8_t[]){192, 0, 2, 255}, 4);
    char buf[64];
    assert_string_equal(vg_addr_format(&a, buf, sizeof(buf)), "192.0.2.255");
    /* RFC 5952 section 4 rules */
    fmt_check("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
    fmt_check("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");   /* first of equal runs */
    fmt_check("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"); /* single 0 not shortened */
    fmt_check("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");         /* longest run */
    fmt_check("::", "::");
    fmt_check("::1", "::1");
    fmt_check("fe80::", "fe80::");
    fmt_check("::ffff:1.2.3.4", "::ffff:102:304");
    fmt_check("2001:DB8:aaaa:bbbb:cccc:dddd:eeee:ffff", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff");
    a.family = 0;
    assert_string_equal(vg_addr_format(&a, buf, sizeof(buf)), "");
}

/* EVE prints Suricata 8.0's PrintInet form: no "::", every group 4 digits */
static void
test_addr_format_eve(void **state)
{
    (void)state;
    vg_addr_t a;
    memset(&a, 0, sizeof(a));
    a.family = 6;
    a.b[0] = 0x20;
    a.b[1] = 0x01;
    a.b[2] = 0x0d;
    a.b[3] = 0xb8;
    a.b[15] = 0x01;
    char buf[64];
    assert_string_equal(vg_addr_format_eve(&a, buf, sizeof(buf)),
                        "2001:0db8:0000:0000:0000:0000:0000:0001");
    a.family = 4;
    memcpy(a.b, (uint8_t[]){10, 0, 0, 1}, 4);
    assert_string_equal(vg_addr_format_eve(&a, buf, sizeof(buf)), "10.0.0.1");
}

/* Both forms are formatted by hand: every byte value in every position
 * against inet_ntop (IPv4) / printf (EVE IPv6), and buffers one byte short
 * (truncated like snprintf). */
static void
test_addr_format_exhaustive(void **state)
{
    (void)state;
    vg_addr_t a;
    memset(&a, 0, sizeof(a));
    char buf[64], want[64];
    a.family = 4;
    for (unsigned v = 0; v < 256; v++) {
        for (int pos = 0; pos < 4; pos++) {
            memcpy(a.b, (uint8_t[]){(uint8_t)(255 - v), 7, 100, 9}, 4);
            a.b[pos] = (uint8_t)v;
            assert_non_null(inet_ntop(AF_INET, a.b, want, sizeof(want)));
            assert_string_equal(vg_addr_format(&a, buf, sizeof(buf)), want);
            assert_string_equal(vg_addr_format(&a, buf, strlen(want) + 1), want);
            vg_addr_format(&a, buf, strlen(want)); /* one short: snprintf's truncation */
            assert_int_equal(strlen(buf), strlen(want) - 1);
            assert_memory_equal(buf, want, strlen(want) - 1);
        }
    }
    a.family = 6;
    for (unsigned v = 0; v < 256; v++) {
        for (int i = 0; i < 16; i++)
            a.b[i] = (uint8_t)(v * 31 + (unsigned)i * 17);
        size_t n = 0;
        for (int i = 0; i < 16; i++)
            n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%02x", (i && !(i & 1)) ? ":" : "",
                                  a.b[i]);
        assert_string_equal(vg_addr_format_eve(&a, buf, sizeof(buf)), want);
        assert_string_equal(vg_addr_format_eve(&a, buf, 40), want);
        vg_addr_format_eve(&a, buf, 39);
        assert_int_equal(strlen(buf), 38);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_eth_ipv4_tcp_options, setup),
        cmocka_unit_test_setup(test_eth_padding_and_too_small, setup),
        cmocka_unit_test_setup(test_vlan_qinq, setup),
        cmocka_unit_test_setup(test_sll_sll2, setup),
        cmocka_unit_test_setup(test_null_loop_raw, setup),
        cmocka_unit_test_setup(test_ppp_pppoe, setup),
        cmocka_unit_test_setup(test_mpls, setup),
        cmocka_unit_test_setup(test_ipv4_header_events, setup),
        cmocka_unit_test_setup(test_ipv4_options, setup),
        cmocka_unit_test_setup(test_checksums, setup),
        cmocka_unit_test_setup(test_ipv4_fragment, setup),
        cmocka_unit_test_setup(test_ipv6_basic_and_events, setup),
        cmocka_unit_test_setup(test_ipv6_exthdrs, setup),
        cmocka_unit_test_setup(test_ipv6_fragments, setup),
        cmocka_unit_test_setup(test_ipv6_jumbogram, setup),
        cmocka_unit_test_setup(test_tcp_events, setup),
        cmocka_unit_test_setup(test_udp_events, setup),
        cmocka_unit_test_setup(test_icmpv4, setup),
        cmocka_unit_test_setup(test_icmpv6, setup),
        cmocka_unit_test_setup(test_gre, setup),
        cmocka_unit_test_setup(test_vxlan, setup),
        cmocka_unit_test_setup(test_ip_in_ip, setup),
        cmocka_unit_test_setup(test_reset_between_packets, setup),
        cmocka_unit_test_setup(test_addr_format, setup),
        cmocka_unit_test_setup(test_addr_format_eve, setup),
        cmocka_unit_test_setup(test_addr_format_exhaustive, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
