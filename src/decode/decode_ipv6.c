/* decode_ipv6.c - IPv6 header, extension headers, jumbograms, L4 dispatch. */
#include "decode/decode_int.h"

#include <string.h>

/* Options of hop-by-hop / destination options headers. `hbh` picks the
 * event names. Returns the jumbo payload length if a jumbo option was seen,
 * else 0. */
static uint32_t
ipv6_options(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, bool hbh)
{
    bool only_pad = true;
    uint32_t jumbo = 0;
    while (vg_cur_left(&c) > 0) {
        uint8_t type = vg_cur_u8(&c);
        if (type == 0) /* Pad1 */
            continue;
        uint8_t len = vg_cur_u8(&c);
        if (!vg_cur_ok(&c) || len > vg_cur_left(&c)) {
            decode_event(d, p, VG_EV_IPV6_EXTHDR_INVALID_OPTLEN);
            return jumbo;
        }
        vg_cur_t o = vg_cur_sub(&c, len);
        switch (type) {
        case 1: /* PadN */
            if (len == 0)
                decode_event(d, p, VG_EV_IPV6_ZERO_LEN_PADN);
            break;
        case 0xc2: /* jumbo payload (hop-by-hop only) */
            only_pad = false;
            if (len != 4)
                decode_event(d, p, VG_EV_IPV6_EXTHDR_INVALID_OPTLEN);
            else
                jumbo = vg_cur_u32(&o);
            break;
        case 0x05: /* router alert */
            only_pad = false;
            if (len != 2)
                decode_event(d, p, VG_EV_IPV6_EXTHDR_INVALID_OPTLEN);
            break;
        case 0xc9: /* home address (dest opts) */
        case 0x04: /* tunnel encapsulation limit */
        case 0x07: /* CALIPSO */
        case 0x26: /* quick start */
        case 0x63: /* RPL */
        case 0x6d: /* MPL */
        case 0x8b: /* ILNP nonce */
        case 0x8c: /* line identification */
            only_pad = false;
            break;
        default:
            only_pad = false;
            decode_event(d, p,
                         hbh ? VG_EV_IPV6_HOPOPTS_UNKNOWN_OPT : VG_EV_IPV6_DSTOPTS_UNKNOWN_OPT);
            break;
        }
    }
    if (only_pad)
        decode_event(d, p, hbh ? VG_EV_IPV6_HOPOPTS_ONLY_PADDING : VG_EV_IPV6_DSTOPTS_ONLY_PADDING);
    return jumbo;
}

int
decode_ipv6(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth)
{
    decode_count(d, d->id.ipv6);
    const uint8_t *start = vg_cur_ptr(&c);
    size_t avail = vg_cur_left(&c);
    if (avail < 40)
        return decode_fail(d, p, VG_EV_IPV6_PKT_TOO_SMALL);
    uint8_t v = vg_cur_u8(&c);
    vg_cur_skip(&c, 3);
    uint32_t plen = vg_cur_u16(&c);
    uint8_t nh = vg_cur_u8(&c);
    uint8_t hlim = vg_cur_u8(&c);
    uint8_t src[16], dst[16];
    vg_cur_copy(&c, src, 16);
    vg_cur_copy(&c, dst, 16);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_IPV6_PKT_TOO_SMALL);
    if ((v >> 4) != 6)
        return decode_fail(d, p, VG_EV_IPV6_WRONG_IP_VER);

    /* A payload length of 0 with a hop-by-hop header may be a jumbogram
     * (RFC 2675): the real length is in the jumbo option, checked below. */
    bool maybe_jumbo = plen == 0 && nh == IPPROTO_HOPOPTS_;
    if (maybe_jumbo)
        plen = (uint32_t)(avail - 40);
    if (40 + (size_t)plen > avail)
        return decode_fail(d, p, VG_EV_IPV6_TRUNC_PKT);

    p->ip_ver = 6;
    memcpy(p->src.b, src, 16);
    memcpy(p->dst.b, dst, 16);
    p->src.family = p->dst.family = 6;
    p->ttl = hlim;
    p->ip_id = 0;
    p->l3 = start;
    p->l3_len = 40 + plen;
    p->l4 = NULL;
    p->l4_len = 0;
    p->payload = NULL;
    p->payload_len = 0;
    p->sp = p->dp = 0;
    p->icmp_type = p->icmp_code = 0;
    memset(&p->tcp, 0, sizeof(p->tcp));
    p->flags &= ~(VG_PKT_HAS_L4 | VG_PKT_IS_FRAGMENT | VG_PKT_IPV4_CSUM_BAD | VG_PKT_L4_CSUM_BAD);
    p->proto = nh;

    vg_cur_t pl = vg_cur_make(start + 40, plen);
    bool seen_hh = false, seen_rh = false, seen_fh = false, seen_dh = false, seen_ah = false,
         seen_eh = false;
    bool first = true;
    /* Each header consumes at least 8 bytes, so the loop is bounded by plen. */
    for (;;) {
        /* After an extension header, whatever follows needs at least two
         * bytes (Suricata: a cut-off chain is ipv6.trunc_exthdr, not an L4
         * anomaly). */
        if (!first && nh != IPPROTO_NONE_ && vg_cur_left(&pl) < 2)
            return decode_fail(d, p, VG_EV_IPV6_TRUNC_EXTHDR);
        switch (nh) {
        case IPPROTO_HOPOPTS_:
        case IPPROTO_DSTOPTS_: {
            bool hbh = nh == IPPROTO_HOPOPTS_;
            if (hbh) {
                if (seen_hh || !first)
                    decode_event(d, p, VG_EV_IPV6_EXTHDR_DUPL_HH);
                seen_hh = true;
            } else {
                if (seen_dh)
                    decode_event(d, p, VG_EV_IPV6_EXTHDR_DUPL_DH);
                seen_dh = true;
            }
            uint8_t next = vg_cur_peek_at(&pl, vg_cur_pos(&pl));
            uint8_t hl = vg_cur_peek_at(&pl, vg_cur_pos(&pl) + 1);
            size_t len = ((size_t)hl + 1) * 8;
            if (!vg_cur_ok(&pl) || len > vg_cur_left(&pl))
                return decode_fail(d, p, VG_EV_IPV6_TRUNC_EXTHDR);
            vg_cur_t h = vg_cur_sub(&pl, len);
            vg_cur_skip(&h, 2);
            uint32_t jumbo = ipv6_options(d, p, h, hbh);
            if (hbh && first && maybe_jumbo) {
                if (jumbo <= 65535 || 40 + (size_t)jumbo > avail)
                    return decode_fail(d, p, VG_EV_IPV6_TRUNC_PKT);
                /* the jumbo length counts from after the fixed header */
                p->l3_len = 40 + jumbo;
                vg_cur_t all = vg_cur_make(start + 40, jumbo);
                vg_cur_skip(&all, len);
                pl = all;
            }
            nh = next;
            break;
        }
        case IPPROTO_ROUTING_: {
            if (seen_rh)
                decode_event(d, p, VG_EV_IPV6_EXTHDR_DUPL_RH);
            seen_rh = true;
            size_t pos = vg_cur_pos(&pl);
            uint8_t next = vg_cur_peek_at(&pl, pos);
            uint8_t hl = vg_cur_peek_at(&pl, pos + 1);
            uint8_t rtype = vg_cur_peek_at(&pl, pos + 2);
            size_t len = ((size_t)hl + 1) * 8;
            if (!vg_cur_ok(&pl) || len > vg_cur_left(&pl))
                return decode_fail(d, p, VG_EV_IPV6_TRUNC_EXTHDR);
            if (rtype == 0)
                decode_event(d, p, VG_EV_IPV6_EXTHDR_RH_TYPE_0);
            vg_cur_skip(&pl, len);
            nh = next;
            break;
        }
        case IPPROTO_FRAGMENT_: {
            if (seen_fh)
                decode_event(d, p, VG_EV_IPV6_EXTHDR_DUPL_FH);
            seen_fh = true;
            uint8_t next = vg_cur_u8(&pl);
            uint8_t res = vg_cur_u8(&pl);
            uint16_t offm = vg_cur_u16(&pl);
            uint32_t id = vg_cur_u32(&pl);
            if (!vg_cur_ok(&pl))
                return decode_fail(d, p, VG_EV_IPV6_TRUNC_EXTHDR);
            if (res != 0 || (offm & 0x0006) != 0)
                decode_event(d, p, VG_EV_IPV6_FH_NON_ZERO_RES_FIELD);
            uint16_t off = offm >> 3;
            bool mf = (offm & 1) != 0;
            if (off == 0 && !mf) {
                /* atomic fragment: carries the whole datagram; decode on */
                decode_event(d, p, VG_EV_IPV6_EXTHDR_USELESS_FH);
                nh = next;
                break;
            }
            p->ip_id = (uint16_t)id;
            p->flags |= VG_PKT_IS_FRAGMENT;
            p->proto = next;
            if (mf && (vg_cur_left(&pl) % 8) != 0)
                decode_event(d, p, VG_EV_IPV6_FRAG_INVALID_LENGTH);
            if ((uint32_t)off * 8 + vg_cur_left(&pl) > 65535)
                decode_event(d, p, VG_EV_IPV6_FRAG_PKT_TOO_LARGE);
            return VG_OK;
        }
        case IPPROTO_AH_: {
            if (seen_ah)
                decode_event(d, p, VG_EV_IPV6_EXTHDR_DUPL_AH);
            seen_ah = true;
            size_t pos = vg_cur_pos(&pl);
            uint8_t next = vg_cur_peek_at(&pl, pos);
            uint8_t hl = vg_cur_peek_at(&pl, pos + 1);
            uint8_t r0 = vg_cur_peek_at(&pl, pos + 2);
            uint8_t r1 = vg_cur_peek_at(&pl, pos + 3);
            size_t len = ((size_t)hl + 2) * 4;
            if (!vg_cur_ok(&pl) || len > vg_cur_left(&pl))
                return decode_fail(d, p, VG_EV_IPV6_TRUNC_EXTHDR);
            if (r0 != 0 || r1 != 0)
                decode_event(d, p, VG_EV_IPV6_EXTHDR_AH_RES_NOT_NULL);
            vg_cur_skip(&pl, len);
            nh = next;
            break;
        }
        case IPPROTO_MH_:
        case 139: /* HIP */
        case 140: /* shim6 */ {
            size_t pos = vg_cur_pos(&pl);
            uint8_t next = vg_cur_peek_at(&pl, pos);
            uint8_t hl = vg_cur_peek_at(&pl, pos + 1);
            size_t len = ((size_t)hl + 1) * 8;
            if (!vg_cur_ok(&pl) || len > vg_cur_left(&pl))
                return decode_fail(d, p, VG_EV_IPV6_TRUNC_EXTHDR);
            vg_cur_skip(&pl, len);
            nh = next;
            break;
        }
        case IPPROTO_ESP_:
            /* encrypted: nothing more to decode */
            if (seen_eh)
                decode_event(d, p, VG_EV_IPV6_EXTHDR_DUPL_EH);
            seen_eh = true;
            p->proto = IPPROTO_ESP_;
            return VG_OK;
        case IPPROTO_NONE_:
            p->proto = IPPROTO_NONE_;
            if (vg_cur_left(&pl) > 0)
                decode_event(d, p, VG_EV_IPV6_DATA_AFTER_NONE_HEADER);
            return VG_OK;
        case VG_IPPROTO_ICMP:
            p->proto = nh;
            decode_event(d, p, VG_EV_IPV6_WITH_ICMPV4);
            return VG_OK;
        case IPPROTO_IPIP_: {
            p->proto = nh;
            decode_count(d, d->id.ipv4_in_ipv6);
            vg_cur_t in = vg_cur_make(vg_cur_ptr(&pl), vg_cur_left(&pl));
            if (vg_cur_left(&pl) < 20)
                decode_event(d, p, VG_EV_IPV4_IN_IPV6_PKT_TOO_SMALL);
            else if ((vg_cur_peek_at(&pl, vg_cur_pos(&pl)) >> 4) != 4)
                decode_event(d, p, VG_EV_IPV4_IN_IPV6_WRONG_IP_VER);
            else
                return decode_inner(d, p, 4, 0, in, depth + 1);
            return VG_OK;
        }
        case IPPROTO_IPV6_: {
            p->proto = nh;
            decode_count(d, d->id.ipv6_in_ipv6);
            vg_cur_t in = vg_cur_make(vg_cur_ptr(&pl), vg_cur_left(&pl));
            if (vg_cur_left(&pl) < 40)
                decode_event(d, p, VG_EV_IPV6_IN_IPV6_PKT_TOO_SMALL);
            else if ((vg_cur_peek_at(&pl, vg_cur_pos(&pl)) >> 4) != 6)
                decode_event(d, p, VG_EV_IPV6_IN_IPV6_WRONG_IP_VER);
            else
                return decode_inner(d, p, 6, 0, in, depth + 1);
            return VG_OK;
        }
        case VG_IPPROTO_TCP:
        case VG_IPPROTO_UDP:
        case VG_IPPROTO_ICMPV6:
        case VG_IPPROTO_GRE:
        case VG_IPPROTO_SCTP:
        default: {
            /* as Suricata: a next header it has no decoder for is an anomaly
             * (but not invalid: the packet still forms a flow) */
            if (nh != VG_IPPROTO_TCP && nh != VG_IPPROTO_UDP && nh != VG_IPPROTO_ICMPV6 &&
                nh != VG_IPPROTO_GRE && nh != VG_IPPROTO_SCTP)
                decode_event(d, p, VG_EV_IPV6_UNKNOWN_NEXT_HEADER);
            p->proto = nh;
            vg_cur_t l4 = vg_cur_make(vg_cur_ptr(&pl), vg_cur_left(&pl));
            decode_l4(d, p, nh, l4, depth);
            return VG_OK;
        }
        }
        first = false;
    }
}
