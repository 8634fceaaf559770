/* decode_icmp.c - ICMPv4 and ICMPv6: type/code validation and the embedded
 * IP header of error messages (decoded for events only; the flow stays the
 * ICMP packet's own). */
#include "decode/decode_int.h"

static void
icmp_set(vg_decode_ctx_t *d, vg_packet_t *p, const uint8_t *start, uint32_t len, uint8_t type,
         uint8_t code, uint8_t proto)
{
    p->icmp_type = type;
    p->icmp_code = code;
    p->l4 = start;
    p->l4_len = len;
    p->payload = start + 8;
    p->payload_len = len - 8;
    p->flags |= VG_PKT_HAS_L4;
    if (d->csum == VG_CSUM_ALL) {
        uint32_t s = proto == VG_IPPROTO_ICMPV6 ? decode_pseudo_sum(p, proto, len) : 0;
        if (vg_csum_fold(vg_csum_add(s, start, len)) != 0)
            p->flags |= VG_PKT_L4_CSUM_BAD;
    }
}

int
decode_icmpv4(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c)
{
    decode_count(d, d->id.icmpv4);
    const uint8_t *start = vg_cur_ptr(&c);
    uint32_t len = (uint32_t)vg_cur_left(&c);
    uint8_t type = vg_cur_u8(&c);
    uint8_t code = vg_cur_u8(&c);
    vg_cur_skip(&c, 6);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_ICMPV4_PKT_TOO_SMALL);
    icmp_set(d, p, start, len, type, code, VG_IPPROTO_ICMP);
    /* max code per type (RFC 792, 1812, 950, 1256, 6918); -1: unknown type */
    int maxcode;
    bool error = false;
    switch (type) {
    case 0:
    case 8:
    case 13:
    case 14:
    case 15:
    case 16:
    case 17:
    case 18:
    case 9:
    case 10:
        maxcode = type == 9 ? 16 : 0;
        break;
    case 3:
        maxcode = 15;
        error = true;
        break;
    case 4:
        maxcode = 0;
        error = true;
        break;
    case 5:
        maxcode = 3;
        error = true;
        break;
    case 11:
        maxcode = 1;
        error = true;
        break;
    case 12:
        maxcode = 2;
        error = true;
        break;
    default:
        maxcode = -1;
        break;
    }
    if (maxcode < 0) {
        decode_event(d, p, VG_EV_ICMPV4_UNKNOWN_TYPE);
        return VG_OK;
    }
    if (code > maxcode) {
        decode_event(d, p, VG_EV_ICMPV4_UNKNOWN_CODE);
        return VG_OK;
    }
    /* The offending datagram (an IPv4 header and 8 bytes of its payload) is
     * looked at, as Suricata does, only for a known code and when any of it
     * is present (suricata-verify output-eve-anomaly-01 counts on that). */
    if (error && vg_cur_left(&c) > 0) {
        if (vg_cur_left(&c) < 20) {
            decode_event(d, p, VG_EV_ICMPV4_IPV4_TRUNC_PKT);
        } else {
            uint8_t vhl = vg_cur_peek_at(&c, vg_cur_pos(&c));
            if ((vhl >> 4) != 4)
                decode_event(d, p, VG_EV_ICMPV4_IPV4_UNKNOWN_VER);
            else if ((size_t)(vhl & 0x0f) * 4 > vg_cur_left(&c) || (vhl & 0x0f) < 5)
                decode_event(d, p, VG_EV_ICMPV4_IPV4_TRUNC_PKT);
        }
    }
    return VG_OK;
}

int
decode_icmpv6(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c)
{
    decode_count(d, d->id.icmpv6);
    const uint8_t *start = vg_cur_ptr(&c);
    uint32_t len = (uint32_t)vg_cur_left(&c);
    uint8_t type = vg_cur_u8(&c);
    uint8_t code = vg_cur_u8(&c);
    vg_cur_skip(&c, 6);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_ICMPV6_PKT_TOO_SMALL);
    icmp_set(d, p, start, len, type, code, VG_IPPROTO_ICMPV6);
    int maxcode = 255;
    bool error = false;
    switch (type) {
    case 1:
        maxcode = 7;
        error = true;
        break;
    case 2:
        maxcode = 0;
        error = true;
        break;
    case 3:
        maxcode = 1;
        error = true;
        break;
    case 4:
        maxcode = 3;
        error = true;
        break;
    case 128:
    case 129:
        maxcode = 0;
        break;
    default:
        /* informational types assigned by IANA; 100/101/200/201 private
         * experimentation, 127/255 reserved for expansion */
        if (!((type >= 130 && type <= 161) || type == 100 || type == 101 || type == 200 ||
              type == 201 || type == 127 || type == 255)) {
            decode_event(d, p, VG_EV_ICMPV6_UNKNOWN_TYPE);
            return VG_OK;
        }
        break;
    }
    if (code > maxcode) {
        decode_event(d, p, VG_EV_ICMPV6_UNKNOWN_CODE);
        return VG_OK;
    }
    if (error && vg_cur_left(&c) > 0) {
        if (vg_cur_left(&c) < 40) {
            decode_event(d, p, VG_EV_ICMPV6_IPV6_TRUNC_PKT);
        } else if ((vg_cur_peek_at(&c, vg_cur_pos(&c)) >> 4) != 6) {
            decode_event(d, p, VG_EV_ICMPV6_IPV6_UNKNOWN_VER);
        }
    }
    return VG_OK;
}
