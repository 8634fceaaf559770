/* decode_tunnel.c - GRE (version 0; version 1/PPTP is recognised, not
 * decoded) and VXLAN. Both decode into the inner packet via decode_inner. */
#include "decode/decode_int.h"

#define GRE_C 0x8000
#define GRE_R 0x4000
#define GRE_K 0x2000
#define GRE_S 0x1000
#define GRE_RECUR 0x0700
#define GRE_FLAGS 0x00f8
#define GRE_VER 0x0007

#define ETHERTYPE_ERSPAN 0x88be

/* ERSPAN type II (GRE protocol 0x88be with a sequence number): version 1,
 * a vlan id that becomes one of the packet's vlan ids (Suricata does the
 * same), then the mirrored ethernet frame. Type I (no sequence number) is
 * not decoded, as Suricata's default. */
static int
decode_erspan2(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth)
{
    if (decode_depth_check(d, p, depth) != VG_OK)
        return VG_DECLINED;
    decode_count(d, d->id.erspan);
    /* Suricata's tunnel packet starts at the ERSPAN header */
    uint32_t erspan_len = (uint32_t)vg_cur_left(&c);
    uint8_t recur = p->recursion_level;
    uint16_t vv = vg_cur_u16(&c);
    vg_cur_skip(&c, 6);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_ERSPAN_HEADER_TOO_SMALL);
    if ((vv >> 12) != 1)
        return decode_fail(d, p, VG_EV_ERSPAN_UNSUPPORTED_VERSION);
    uint16_t vlan = vv & 0x0fff;
    uint8_t vlan_before = p->vlan_n;
    if (vlan != 0) {
        if (p->vlan_n >= VG_PKT_MAX_VLAN)
            return decode_fail(d, p, VG_EV_ERSPAN_TOO_MANY_VLAN_LAYERS);
        p->vlan_id[p->vlan_n++] = vlan;
    }
    int rc = decode_inner(d, p, -1, 0, c, depth);
    if (p->recursion_level > recur) {
        p->tunnel_len = erspan_len;
        if (recur == 0)
            p->root.vlan_n = vlan_before; /* the carrier is outside the mirror */
    } else {
        /* inner frame unusable: the GRE carrier stays, without the
         * mirrored traffic's vlan id (Suricata puts it on the tunnel packet) */
        p->vlan_n = vlan_before;
    }
    return rc;
}

int
decode_gre(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth)
{
    decode_count(d, d->id.gre);
    p->l4 = vg_cur_ptr(&c);
    p->l4_len = (uint32_t)vg_cur_left(&c);
    uint16_t fl = vg_cur_u16(&c);
    uint16_t type = vg_cur_u16(&c);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_GRE_PKT_TOO_SMALL);
    uint16_t ver = fl & GRE_VER;
    if (ver == 1)
        return VG_OK; /* enhanced GRE (PPTP) carries PPP: not decoded */
    if (ver != 0)
        return decode_fail(d, p, VG_EV_GRE_WRONG_VERSION);
    if (fl & GRE_RECUR)
        return decode_fail(d, p, VG_EV_GRE_VERSION0_RECUR);
    if (fl & GRE_FLAGS)
        return decode_fail(d, p, VG_EV_GRE_VERSION0_FLAGS);
    size_t opt = 0;
    if (fl & (GRE_C | GRE_R))
        opt += 4;
    if (fl & GRE_K)
        opt += 4;
    if (fl & GRE_S)
        opt += 4;
    if (opt > vg_cur_left(&c))
        return decode_fail(d, p, VG_EV_GRE_VERSION0_HDR_TOO_BIG);
    vg_cur_skip(&c, opt);
    if (fl & GRE_R) {
        /* source route entries until the NULL entry; each is at least 4
         * bytes so the loop ends with the packet */
        for (;;) {
            uint16_t af = vg_cur_u16(&c);
            vg_cur_skip(&c, 1);
            uint8_t sre_len = vg_cur_u8(&c);
            if (!vg_cur_ok(&c))
                return decode_fail(d, p, VG_EV_GRE_VERSION0_MALFORMED_SRE_HDR);
            if (af == 0 && sre_len == 0)
                break;
            vg_cur_skip(&c, sre_len);
            if (!vg_cur_ok(&c))
                return decode_fail(d, p, VG_EV_GRE_VERSION0_MALFORMED_SRE_HDR);
        }
    }
    vg_cur_t in = vg_cur_make(vg_cur_ptr(&c), vg_cur_left(&c));
    if (type == ETHERTYPE_ERSPAN && (fl & GRE_S))
        return decode_erspan2(d, p, in, depth + 1);
    switch (type) {
    case ETHERTYPE_IPV4:
        return decode_inner(d, p, 4, 0, in, depth + 1);
    case ETHERTYPE_IPV6:
        return decode_inner(d, p, 6, 0, in, depth + 1);
    case ETHERTYPE_TEB:
        return decode_inner(d, p, -1, 0, in, depth + 1);
    case ETHERTYPE_VLAN:
    case ETHERTYPE_QINQ_AD:
    case ETHERTYPE_QINQ:
        return decode_inner(d, p, 0, type, in, depth + 1);
    default:
        return VG_OK; /* ERSPAN, PPP, ...: not decoded */
    }
}

int
decode_vxlan(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth)
{
    uint8_t flags = vg_cur_u8(&c);
    uint32_t res1 = vg_cur_u24(&c);
    vg_cur_skip(&c, 3); /* VNI */
    uint8_t res2 = vg_cur_u8(&c);
    /* Not a VXLAN header (wrong flags, reserved bits set, or too short):
     * leave the packet as plain UDP, as Suricata does. */
    if (!vg_cur_ok(&c) || flags != 0x08 || res1 != 0 || res2 != 0)
        return VG_OK;
    decode_count(d, d->id.vxlan);
    uint16_t et = (uint16_t)((vg_cur_peek_at(&c, vg_cur_pos(&c) + 12) << 8) |
                             vg_cur_peek_at(&c, vg_cur_pos(&c) + 13));
    if (!vg_cur_ok(&c))
        return VG_OK;
    if (et != ETHERTYPE_IPV4 && et != ETHERTYPE_IPV6 && et != ETHERTYPE_ARP &&
        et != ETHERTYPE_VLAN && et != ETHERTYPE_QINQ_AD && et != ETHERTYPE_QINQ) {
        decode_event(d, p, VG_EV_VXLAN_UNKNOWN_PAYLOAD_TYPE);
        return VG_OK;
    }
    return decode_inner(d, p, -1, 0, vg_cur_make(vg_cur_ptr(&c), vg_cur_left(&c)), depth);
}
