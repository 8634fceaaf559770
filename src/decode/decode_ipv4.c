/* decode_ipv4.c - IPv4 header, options, fragments, L4 dispatch. */
#include "decode/decode_int.h"

#include <string.h>

/* IPv4 option types Suricata validates (RFC 791 and IANA). */
enum {
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_RR = 7,
    OPT_QS = 25,
    OPT_TS = 68,
    OPT_SEC = 130,
    OPT_LSRR = 131,
    OPT_CIPSO = 134,
    OPT_SID = 136,
    OPT_SSRR = 137,
    OPT_RTRALT = 148,
};

static int
opt_index(uint8_t type)
{
    switch (type) {
    case OPT_RR:
        return 0;
    case OPT_QS:
        return 1;
    case OPT_TS:
        return 2;
    case OPT_SEC:
        return 3;
    case OPT_LSRR:
        return 4;
    case OPT_CIPSO:
        return 5;
    case OPT_SID:
        return 6;
    case OPT_SSRR:
        return 7;
    case OPT_RTRALT:
        return 8;
    default:
        return -1;
    }
}

/* Walk the options; anomalies are tagged but never stop the packet, as in
 * Suricata (options do not change where the payload starts). */
static void
ipv4_options(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c)
{
    uint16_t seen = 0;
    while (vg_cur_left(&c) > 0) {
        uint8_t type = vg_cur_u8(&c);
        if (type == OPT_EOL)
            return;
        if (type == OPT_NOP)
            continue;
        if (vg_cur_left(&c) < 1) {
            decode_event(d, p, VG_EV_IPV4_OPT_INVALID_LEN);
            return;
        }
        uint8_t len = vg_cur_u8(&c);
        if (len < 2 || (size_t)len - 2 > vg_cur_left(&c)) {
            decode_event(d, p, VG_EV_IPV4_OPT_INVALID_LEN);
            return;
        }
        vg_cur_t o = vg_cur_sub(&c, (size_t)len - 2);
        int idx = opt_index(type);
        if (idx < 0) {
            decode_event(d, p, VG_EV_IPV4_OPT_UNKNOWN);
            continue;
        }
        if (seen & (1u << idx)) {
            decode_event(d, p, VG_EV_IPV4_OPT_DUPLICATE);
            continue;
        }
        seen |= (uint16_t)(1u << idx);
        uint8_t ptr = vg_cur_peek_at(&o, 0);
        bool malformed = false;
        switch (type) {
        case OPT_RR:
        case OPT_LSRR:
        case OPT_SSRR:
            /* pointer is 1-based from the option start, at least 4, and the
             * route data is whole addresses */
            malformed = len < 3 || (len - 3) % 4 != 0 || ptr < 4 || ptr > len + 1;
            break;
        case OPT_TS:
            malformed = len < 5 || ptr < 5;
            break;
        case OPT_QS:
            malformed = len != 8;
            break;
        case OPT_SID:
        case OPT_RTRALT:
            malformed = len != 4;
            break;
        case OPT_SEC:
        case OPT_CIPSO:
            malformed = len < 3;
            break;
        default:
            break;
        }
        if (malformed)
            decode_event(d, p, VG_EV_IPV4_OPT_MALFORMED);
    }
}

int
decode_ipv4(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth)
{
    decode_count(d, d->id.ipv4);
    const uint8_t *start = vg_cur_ptr(&c);
    size_t avail = vg_cur_left(&c);
    if (avail < 20)
        return decode_fail(d, p, VG_EV_IPV4_PKT_TOO_SMALL);
    uint8_t vhl = vg_cur_u8(&c);
    vg_cur_skip(&c, 1); /* tos */
    uint16_t iplen = vg_cur_u16(&c);
    uint16_t id = vg_cur_u16(&c);
    uint16_t frag = vg_cur_u16(&c);
    uint8_t ttl = vg_cur_u8(&c);
    uint8_t proto = vg_cur_u8(&c);
    vg_cur_skip(&c, 2); /* checksum */
    uint8_t src[4], dst[4];
    vg_cur_copy(&c, src, 4);
    vg_cur_copy(&c, dst, 4);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_IPV4_PKT_TOO_SMALL);
    if ((vhl >> 4) != 4)
        return decode_fail(d, p, VG_EV_IPV4_WRONG_IP_VER);
    uint32_t hlen = (uint32_t)(vhl & 0x0f) * 4;
    if (hlen < 20)
        return decode_fail(d, p, VG_EV_IPV4_HLEN_TOO_SMALL);
    if (iplen < hlen)
        return decode_fail(d, p, VG_EV_IPV4_IPLEN_SMALLER_THAN_HLEN);
    if (iplen > avail)
        return decode_fail(d, p, VG_EV_IPV4_TRUNC_PKT);

    /* Usable header: this is now the innermost IP layer. Ethernet padding
     * past the IP total length is not part of the packet. */
    p->ip_ver = 4;
    memset(&p->src, 0, sizeof(p->src));
    memset(&p->dst, 0, sizeof(p->dst));
    memcpy(p->src.b, src, 4);
    memcpy(p->dst.b, dst, 4);
    p->src.family = p->dst.family = 4;
    p->proto = proto;
    p->ttl = ttl;
    p->ip_id = id;
    p->l3 = start;
    p->l3_len = iplen;
    p->l4 = NULL;
    p->l4_len = 0;
    p->payload = NULL;
    p->payload_len = 0;
    p->sp = p->dp = 0;
    p->icmp_type = p->icmp_code = 0;
    memset(&p->tcp, 0, sizeof(p->tcp));
    p->flags &= ~(VG_PKT_HAS_L4 | VG_PKT_IS_FRAGMENT | VG_PKT_IPV4_CSUM_BAD | VG_PKT_L4_CSUM_BAD);

    vg_cur_t ip = vg_cur_make(start, iplen);
    vg_cur_skip(&ip, 20);
    if (hlen > 20)
        ipv4_options(d, p, vg_cur_sub(&ip, hlen - 20));

    if (d->csum == VG_CSUM_ALL && vg_csum_fold(vg_csum_add(0, start, hlen)) != 0)
        p->flags |= VG_PKT_IPV4_CSUM_BAD;

    uint16_t off = frag & 0x1fff;
    bool mf = (frag & 0x2000) != 0;
    if (off != 0 || mf) {
        /* Fragments go to defrag; L4 is decoded on the reassembled packet. */
        p->flags |= VG_PKT_IS_FRAGMENT;
        if ((uint32_t)off * 8 + (iplen - hlen) > 65535)
            decode_event(d, p, VG_EV_IPV4_FRAG_PKT_TOO_LARGE);
        return VG_OK;
    }
    vg_cur_t pl = vg_cur_make(start + hlen, iplen - hlen);
    switch (proto) {
    case VG_IPPROTO_ICMPV6:
        decode_event(d, p, VG_EV_IPV4_WITH_ICMPV6);
        return VG_OK;
    case IPPROTO_IPV6_:
        decode_count(d, d->id.ipv6_in_ipv4);
        return decode_inner(d, p, 6, 0, pl, depth + 1);
    case IPPROTO_IPIP_:
        decode_count(d, d->id.ipv4_in_ipv4);
        return decode_inner(d, p, 4, 0, pl, depth + 1);
    default:
        decode_l4(d, p, proto, pl, depth);
        return VG_OK;
    }
}
