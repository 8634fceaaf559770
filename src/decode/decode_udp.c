/* decode_udp.c - UDP header; hands VXLAN ports to the tunnel decoder. */
#include "decode/decode_int.h"

int
decode_udp(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth)
{
    decode_count(d, d->id.udp);
    const uint8_t *start = vg_cur_ptr(&c);
    uint32_t len = (uint32_t)vg_cur_left(&c);
    uint16_t sp = vg_cur_u16(&c);
    uint16_t dp = vg_cur_u16(&c);
    uint16_t ulen = vg_cur_u16(&c);
    uint16_t sum = vg_cur_u16(&c);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_UDP_HLEN_TOO_SMALL);
    /* Same checks and order as Suricata. A zero length is a jumbogram
     * (RFC 2675) only on IPv6 with more than 65535 bytes. */
    bool jumbo = ulen == 0 && p->ip_ver == 6 && len > 65535;
    if (!jumbo) {
        if (len < ulen)
            return decode_fail(d, p, VG_EV_UDP_PKT_TOO_SMALL);
        if (ulen < 8)
            return decode_fail(d, p, VG_EV_UDP_LEN_INVALID);
        if (len != ulen)
            return decode_fail(d, p, VG_EV_UDP_HLEN_INVALID);
    }
    p->sp = sp;
    p->dp = dp;
    p->l4 = start;
    p->l4_len = len;
    p->payload = start + 8;
    p->payload_len = len - 8;
    p->flags |= VG_PKT_HAS_L4;
    if (d->csum == VG_CSUM_ALL && (sum != 0 || p->ip_ver == 6) &&
        vg_csum_fold(vg_csum_add(decode_pseudo_sum(p, VG_IPPROTO_UDP, len), start, len)) != 0)
        p->flags |= VG_PKT_L4_CSUM_BAD;
    if (d->vxlan_enabled) {
        for (uint8_t i = 0; i < d->n_vxlan_ports; i++) {
            if (dp == d->vxlan_ports[i])
                return decode_vxlan(d, p, vg_cur_make(start + 8, len - 8), depth + 1);
        }
    }
    return VG_OK;
}
