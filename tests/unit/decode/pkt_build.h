/* pkt_build.h - tiny packet builders for the decoder and defrag tests.
 * Each builder writes a header in front of an already-built payload, so
 * packets are assembled inside-out with correct lengths and checksums:
 *   n = build_udp(b, 1234, 53, payload, plen);   -> UDP + payload at b
 *   n = build_ipv4(b, 17, src, dst, b, n, 0);    -> IPv4 + UDP
 *   n = build_eth(b, 0x0800, b, n);              -> Ethernet + ...
 * Buffers are static scratch; each builder copies its input first so
 * in-place use is fine. Test-only code. */
#ifndef PKT_BUILD_H
#define PKT_BUILD_H

#include <stdint.h>
#include <string.h>

static uint8_t pb_tmp[70000];

static inline uint16_t
pb_csum(const uint8_t *d, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(d[i] << 8) | d[i + 1];
    if (n & 1)
        s += (uint32_t)d[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static inline void
pb_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void
pb_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* prepend `hlen` header bytes `h` to payload (pl, n) into out */
static inline size_t
pb_wrap(uint8_t *out, const uint8_t *h, size_t hlen, const uint8_t *pl, size_t n)
{
    if (n > 0)
        memcpy(pb_tmp, pl, n);
    memcpy(out, h, hlen);
    if (n > 0)
        memcpy(out + hlen, pb_tmp, n);
    return hlen + n;
}

/* Ethernet II: dst 00:11:22:33:44:55, src 66:77:88:99:aa:bb. */
static inline size_t
build_eth(uint8_t *out, uint16_t type, const uint8_t *pl, size_t n)
{
    uint8_t h[14] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
    pb_put16(h + 12, type);
    return pb_wrap(out, h, 14, pl, n);
}

/* 802.1Q / 802.1ad tag: TPID is written by the enclosing header's type;
 * this writes TCI + inner type. */
static inline size_t
build_vlan(uint8_t *out, uint16_t vid, uint16_t inner_type, const uint8_t *pl, size_t n)
{
    uint8_t h[4];
    pb_put16(h, vid);
    pb_put16(h + 2, inner_type);
    return pb_wrap(out, h, 4, pl, n);
}

/* IPv4 with options `opt` (optlen multiple of 4), TTL 64, id 0x1234,
 * `frag` = flags|offset field. Valid header checksum. */
static inline size_t
build_ipv4_opt(uint8_t *out, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
               const uint8_t *pl, size_t n, uint16_t frag, const uint8_t *opt, size_t optlen)
{
    uint8_t h[60];
    size_t hl = 20 + optlen;
    memset(h, 0, sizeof(h));
    h[0] = (uint8_t)(0x40 | (hl / 4));
    pb_put16(h + 2, (uint16_t)(hl + n));
    pb_put16(h + 4, 0x1234);
    pb_put16(h + 6, frag);
    h[8] = 64;
    h[9] = proto;
    memcpy(h + 12, src, 4);
    memcpy(h + 16, dst, 4);
    if (optlen)
        memcpy(h + 20, opt, optlen);
    pb_put16(h + 10, pb_csum(h, hl, 0));
    return pb_wrap(out, h, hl, pl, n);
}

static inline size_t
build_ipv4(uint8_t *out, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
           const uint8_t *pl, size_t n, uint16_t frag)
{
    return build_ipv4_opt(out, proto, src, dst, pl, n, frag, NULL, 0);
}

/* IPv6, hop limit 64; `nh` is the first next header. */
static inline size_t
build_ipv6(uint8_t *out, uint8_t nh, const uint8_t src[16], const uint8_t dst[16],
           const uint8_t *pl, size_t n)
{
    uint8_t h[40];
    memset(h, 0, sizeof(h));
    h[0] = 0x60;
    pb_put16(h + 4, (uint16_t)n);
    h[6] = nh;
    h[7] = 64;
    memcpy(h + 8, src, 16);
    memcpy(h + 24, dst, 16);
    return pb_wrap(out, h, 40, pl, n);
}

/* A generic 8-byte-unit extension header (hop-by-hop, dest opts, routing):
 * next header, length, then `body` (6 + 8k bytes). */
static inline size_t
build_ext(uint8_t *out, uint8_t nh, const uint8_t *body, size_t blen, const uint8_t *pl, size_t n)
{
    uint8_t h[64];
    h[0] = nh;
    h[1] = (uint8_t)((blen + 2) / 8 - 1);
    memcpy(h + 2, body, blen);
    return pb_wrap(out, h, blen + 2, pl, n);
}

static inline size_t
build_frag6(uint8_t *out, uint8_t nh, uint16_t off_bytes, int mf, uint32_t id, const uint8_t *pl,
            size_t n)
{
    uint8_t h[8] = {nh, 0};
    pb_put16(h + 2, (uint16_t)((off_bytes / 8) << 3 | (mf ? 1 : 0)));
    pb_put32(h + 4, id);
    return pb_wrap(out, h, 8, pl, n);
}

/* TCP with options, seq 1000, ack 0, window 8192; checksum left 0. */
static inline size_t
build_tcp(uint8_t *out, uint16_t sp, uint16_t dp, uint8_t flags, const uint8_t *opt, size_t optlen,
          const uint8_t *pl, size_t n)
{
    uint8_t h[60];
    size_t hl = 20 + optlen;
    memset(h, 0, sizeof(h));
    pb_put16(h, sp);
    pb_put16(h + 2, dp);
    pb_put32(h + 4, 1000);
    h[12] = (uint8_t)((hl / 4) << 4);
    h[13] = flags;
    pb_put16(h + 14, 8192);
    if (optlen)
        memcpy(h + 20, opt, optlen);
    return pb_wrap(out, h, hl, pl, n);
}

static inline size_t
build_udp(uint8_t *out, uint16_t sp, uint16_t dp, const uint8_t *pl, size_t n)
{
    uint8_t h[8] = {0};
    pb_put16(h, sp);
    pb_put16(h + 2, dp);
    pb_put16(h + 4, (uint16_t)(8 + n));
    return pb_wrap(out, h, 8, pl, n);
}

/* ICMP(v4/v6) header: type, code, checksum 0, 4 bytes rest. */
static inline size_t
build_icmp(uint8_t *out, uint8_t type, uint8_t code, const uint8_t *pl, size_t n)
{
    uint8_t h[8] = {type, code, 0, 0, 0, 1, 0, 1};
    return pb_wrap(out, h, 8, pl, n);
}

/* Fix the TCP/UDP checksum of an IPv4 packet at ip (header length hl). */
static inline void
pb_fix_l4_csum4(uint8_t *ip, size_t l4_csum_off)
{
    size_t hl = (size_t)(ip[0] & 0x0f) * 4;
    size_t tot = (size_t)(ip[2] << 8 | ip[3]);
    uint8_t *l4 = ip + hl;
    size_t n = tot - hl;
    l4[l4_csum_off] = l4[l4_csum_off + 1] = 0;
    uint32_t s = 0;
    for (int i = 12; i < 20; i += 2)
        s += (uint32_t)(ip[i] << 8) | ip[i + 1];
    s += ip[9];
    s += (uint32_t)n;
    pb_put16(l4 + l4_csum_off, pb_csum(l4, n, s));
}

#endif
