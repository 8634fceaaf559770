/* decode.c - decoder context, per-packet entry point, link layers
 * (Ethernet, 802.1Q/802.1ad, Linux SLL/SLL2, BSD null/loop, raw IP) and the
 * tunnel helper that decodes an inner packet. */
#include "decode/decode_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
vg_decode_ctx_init(vg_decode_ctx_t *d, const vg_limits_t *limits, vg_counters_t *counters)
{
    if (d == NULL || limits == NULL || counters == NULL)
        return VG_EINVAL;
    memset(d, 0, sizeof(*d));
    d->snaplen = (uint32_t)VG_MIN(limits->snaplen, UINT32_MAX);
    d->max_layers = (uint32_t)VG_MIN(limits->max_decode_layers, 255);
    d->csum = VG_CSUM_NONE;
    d->vxlan_enabled = true;
    d->n_vxlan_ports = 1;
    d->vxlan_ports[0] = 4789;
    d->counters = counters;

    vg_decode_counters_t *id = &d->id;
    id->pkts = vg_counter_register("decoder.pkts");
    id->bytes = vg_counter_register("decoder.bytes");
    id->invalid = vg_counter_register("decoder.invalid");
    id->ethernet = vg_counter_register("decoder.ethernet");
    id->vlan = vg_counter_register("decoder.vlan");
    id->vlan_qinq = vg_counter_register("decoder.vlan_qinq");
    id->sll = vg_counter_register("decoder.sll");
    id->sll2 = vg_counter_register("decoder.sll2");
    id->null = vg_counter_register("decoder.null");
    id->raw = vg_counter_register("decoder.raw");
    id->ipv4 = vg_counter_register("decoder.ipv4");
    id->ipv6 = vg_counter_register("decoder.ipv6");
    id->tcp = vg_counter_register("decoder.tcp");
    id->udp = vg_counter_register("decoder.udp");
    id->icmpv4 = vg_counter_register("decoder.icmpv4");
    id->icmpv6 = vg_counter_register("decoder.icmpv6");
    id->gre = vg_counter_register("decoder.gre");
    id->vxlan = vg_counter_register("decoder.vxlan");
    id->ipv4_in_ipv6 = vg_counter_register("decoder.ipv4_in_ipv6");
    id->ipv6_in_ipv6 = vg_counter_register("decoder.ipv6_in_ipv6");
    id->ipv6_in_ipv4 = vg_counter_register("decoder.ipv6_in_ipv4");
    id->ipv4_in_ipv4 = vg_counter_register("decoder.ipv4_in_ipv4");
    id->unknown_ethertype = vg_counter_register("decoder.unknown_ethertype");
    id->ppp = vg_counter_register("decoder.ppp");
    id->pppoe = vg_counter_register("decoder.pppoe");
    id->mpls = vg_counter_register("decoder.mpls");
    id->erspan = vg_counter_register("decoder.erspan");
    char name[96];
    for (int ev = 0; ev < VG_EV_MAX; ev++) {
        if (vg_decode_event_layer((vg_decode_event_t)ev) != VG_EV_LAYER_DECODE)
            continue;
        /* Suricata's stats name: decoder.event.<event>, beside the per-layer packet
         * counters (decoder.ipv4), which an event object would otherwise shadow */
        snprintf(name, sizeof(name), "decoder.event.%s", vg_decode_event_name((vg_decode_event_t)ev));
        id->event[ev] = vg_counter_register(name);
    }
    return VG_OK;
}

void
vg_decode_reset(vg_packet_t *p)
{
    bool keep_vlan = (p->flags & VG_PKT_REASSEMBLED) != 0;
    uint32_t keep_flags = p->flags & (VG_PKT_REASSEMBLED | VG_PKT_PSEUDO);
    uint8_t vlan_n = p->vlan_n;
    uint8_t recur = p->recursion_level;
    uint32_t tlen = p->tunnel_len;
    uint16_t vid[VG_PKT_MAX_VLAN];
    memcpy(vid, p->vlan_id, sizeof(vid));
    /* Everything between `flags` and `buf` is decode or flow state. */
    memset(&p->flags, 0, offsetof(vg_packet_t, buf) - offsetof(vg_packet_t, flags));
    p->flags = keep_flags;
    if (keep_vlan) {
        /* a datagram rebuilt by defrag keeps the flow key parts of the
         * layers that were stripped off (vlan, tunnel depth) */
        p->vlan_n = vlan_n;
        memcpy(p->vlan_id, vid, sizeof(vid));
        p->recursion_level = recur;
        p->tunnel_len = tlen;
    }
}

/* --- link layers ----------------------------------------------------- */

static int
decode_vlan(vg_decode_ctx_t *d, vg_packet_t *p, uint16_t outer_type, vg_cur_t c, uint32_t depth)
{
    if (decode_depth_check(d, p, depth) != VG_OK)
        return VG_DECLINED;
    decode_count(d, outer_type == ETHERTYPE_VLAN ? d->id.vlan : d->id.vlan_qinq);
    uint16_t tci = vg_cur_u16(&c);
    uint16_t type = vg_cur_u16(&c);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_VLAN_HEADER_TOO_SMALL);
    /* Suricata keys flows on at most three vlan ids; a fourth tag is an
     * anomaly that stops decoding. */
    if (p->vlan_n >= VG_PKT_MAX_VLAN)
        return decode_fail(d, p, VG_EV_VLAN_TOO_MANY_LAYERS);
    p->vlan_id[p->vlan_n++] = tci & 0x0fff;
    if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ_AD || type == ETHERTYPE_QINQ)
        return decode_vlan(d, p, type, c, depth + 1);
    if (type < 0x0600) { /* an 802.3 length, not an ethertype */
        decode_event(d, p, VG_EV_VLAN_UNKNOWN_TYPE);
        return VG_OK;
    }
    return decode_ethertype(d, p, type, c, depth);
}

/* PPP payload after the protocol field (RFC 1661; numbers from IANA). */
static int
decode_ppp_proto(vg_decode_ctx_t *d, vg_packet_t *p, uint16_t proto, vg_cur_t c, uint32_t depth)
{
    switch (proto) {
    case 0x0021: /* IPv4 */
        if (vg_cur_left(&c) < 20)
            return decode_fail(d, p, VG_EV_PPPIPV4_PKT_TOO_SMALL);
        return decode_ipv4(d, p, c, depth);
    case 0x0057: /* IPv6 */
        if (vg_cur_left(&c) < 40)
            return decode_fail(d, p, VG_EV_PPPIPV6_PKT_TOO_SMALL);
        return decode_ipv6(d, p, c, depth);
    case 0xc021:
    case 0xc023:
    case 0xc223:
    case 0xc025:
    case 0xc227: /* LCP PAP CHAP LQR EAP */
    case 0x8021:
    case 0x8057:
    case 0x80fd:
    case 0x80fb:
    case 0x8281: /* NCPs, CCP */
    case 0x00fd:
    case 0x00fb:
    case 0x003d: /* compressed data, multilink */
    case 0x002d:
    case 0x002f: /* Van Jacobson: not decoded */
        return VG_OK;
    default:
        return decode_fail(d, p, VG_EV_PPP_UNSUP_PROTO);
    }
}

/* DLT_PPP: optional address/control (ff 03), then the protocol: 2 bytes,
 * or 1 byte when protocol field compression is on (RFC 1661 6.5: protocol
 * numbers have an even first and an odd last octet, so an odd first octet
 * is a compressed field). */
static int
decode_ppp(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth)
{
    decode_count(d, d->id.ppp);
    if (vg_cur_left(&c) < 2)
        return decode_fail(d, p, VG_EV_PPP_PKT_TOO_SMALL);
    if (vg_cur_peek_at(&c, 0) == 0xff && vg_cur_peek_at(&c, 1) == 0x03)
        vg_cur_skip(&c, 2);
    uint16_t proto = (vg_cur_peek_at(&c, vg_cur_pos(&c)) & 1) ? vg_cur_u8(&c) : vg_cur_u16(&c);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_PPP_PKT_TOO_SMALL);
    return decode_ppp_proto(d, p, proto, c, depth);
}

/* PPPoE (RFC 2516): ver/type, code, session id, length, then for the
 * session stage a PPP protocol. Discovery packets carry no IP. */
static int
decode_pppoe(vg_decode_ctx_t *d, vg_packet_t *p, uint16_t type, vg_cur_t c, uint32_t depth)
{
    decode_count(d, d->id.pppoe);
    vg_cur_skip(&c, 1); /* version 1, type 1 */
    uint8_t code = vg_cur_u8(&c);
    vg_cur_skip(&c, 2); /* session id */
    uint16_t len = vg_cur_u16(&c);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_PPPOE_PKT_TOO_SMALL);
    if (type == ETHERTYPE_PPPOE_DISC)
        return VG_OK;
    if (code != 0)
        return decode_fail(d, p, VG_EV_PPPOE_WRONG_CODE);
    if (len < 2 || vg_cur_left(&c) < 2)
        return decode_fail(d, p, VG_EV_PPPOE_PKT_TOO_SMALL);
    uint16_t proto = vg_cur_u16(&c);
    /* the PPPoE length bounds the payload (ethernet padding follows) */
    size_t plen = VG_MIN((size_t)len - 2, vg_cur_left(&c));
    return decode_ppp_proto(d, p, proto, vg_cur_make(vg_cur_ptr(&c), plen), depth);
}

/* MPLS label stack (RFC 3032) down to the bottom-of-stack entry, then the
 * payload: reserved labels as RFC 3032 defines them, otherwise guessed from
 * the first nibble (4, 6, or 0 for an ethernet pseudowire with control
 * word, RFC 4448), the way Suricata does. */
static int
decode_mpls(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth)
{
    if (decode_depth_check(d, p, depth) != VG_OK)
        return VG_DECLINED; /* pseudowires can nest ethernet/MPLS */
    decode_count(d, d->id.mpls);
    uint32_t shim;
    /* each entry is 4 bytes, so the stack walk ends with the packet */
    do {
        if (vg_cur_left(&c) < 4)
            return decode_fail(d, p, VG_EV_MPLS_HEADER_TOO_SMALL);
        shim = vg_cur_u32(&c);
    } while ((shim & 0x100) == 0);
    uint32_t label = shim >> 12;
    switch (label) {
    case 0: /* IPv4 explicit null */
        return decode_ipv4(d, p, c, depth);
    case 1:
        return decode_fail(d, p, VG_EV_MPLS_BAD_LABEL_ROUTER_ALERT);
    case 2: /* IPv6 explicit null */
        return decode_ipv6(d, p, c, depth);
    case 3:
        return decode_fail(d, p, VG_EV_MPLS_BAD_LABEL_IMPLICIT_NULL);
    default:
        break;
    }
    if (label < 16)
        return decode_fail(d, p, VG_EV_MPLS_BAD_LABEL_RESERVED);
    if (vg_cur_left(&c) < 1)
        return decode_fail(d, p, VG_EV_MPLS_PKT_TOO_SMALL);
    switch (vg_cur_peek_at(&c, vg_cur_pos(&c)) >> 4) {
    case 4:
        return decode_ipv4(d, p, c, depth);
    case 6:
        return decode_ipv6(d, p, c, depth);
    case 0:
        if (vg_cur_left(&c) < 4 + 14)
            return decode_fail(d, p, VG_EV_MPLS_PKT_TOO_SMALL);
        vg_cur_skip(&c, 4);
        return decode_ethernet(d, p, c, depth + 1);
    default:
        decode_event(d, p, VG_EV_MPLS_UNKNOWN_PAYLOAD_TYPE);
        return VG_OK;
    }
}

int
decode_ethertype(vg_decode_ctx_t *d, vg_packet_t *p, uint16_t type, vg_cur_t c, uint32_t depth)
{
    switch (type) {
    case ETHERTYPE_IPV4:
        return decode_ipv4(d, p, c, depth);
    case ETHERTYPE_IPV6:
        return decode_ipv6(d, p, c, depth);
    case ETHERTYPE_VLAN:
    case ETHERTYPE_QINQ_AD:
    case ETHERTYPE_QINQ:
        return decode_vlan(d, p, type, c, depth + 1);
    case ETHERTYPE_PPPOE_DISC:
    case ETHERTYPE_PPPOE_SESS:
        return decode_pppoe(d, p, type, c, depth);
    case ETHERTYPE_MPLS_UC:
    case ETHERTYPE_MPLS_MC:
        return decode_mpls(d, p, c, depth + 1);
    default:
        /* ARP, LLDP, 802.3 lengths...: valid link traffic with no IP layer. */
        if (type >= 0x0600 && type != ETHERTYPE_ARP)
            decode_count(d, d->id.unknown_ethertype);
        return VG_OK;
    }
}

int
decode_ethernet(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth)
{
    decode_count(d, d->id.ethernet);
    uint8_t dst[6], src[6];
    vg_cur_copy(&c, dst, sizeof(dst));
    vg_cur_copy(&c, src, sizeof(src));
    uint16_t type = vg_cur_u16(&c);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_ETHERNET_PKT_TOO_SMALL);
    memcpy(p->eth_dst, dst, 6);
    memcpy(p->eth_src, src, 6);
    p->has_eth = true;
    return decode_ethertype(d, p, type, c, depth);
}

/* Linux cooked v1: pkttype(2) arphrd(2) addrlen(2) addr(8) protocol(2). */
static int
decode_sll(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c)
{
    decode_count(d, d->id.sll);
    vg_cur_skip(&c, 14);
    uint16_t proto = vg_cur_u16(&c);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_SLL_PKT_TOO_SMALL);
    return decode_ethertype(d, p, proto, c, 0);
}

/* Linux cooked v2: protocol(2) reserved(2) ifindex(4) arphrd(2) pkttype(1)
 * addrlen(1) addr(8). */
static int
decode_sll2(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c)
{
    decode_count(d, d->id.sll2);
    uint16_t proto = vg_cur_u16(&c);
    vg_cur_skip(&c, 18);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_SLL2_PKT_TOO_SMALL);
    return decode_ethertype(d, p, proto, c, 0);
}

/* BSD loopback: a 4-byte address family in the capturing host's byte order
 * (DLT_NULL) or network order (DLT_LOOP). We accept either order for both:
 * captures travel between machines. AF_INET is 2 everywhere; AF_INET6 is 24
 * (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
static int
decode_null(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c)
{
    decode_count(d, d->id.null);
    uint32_t af = vg_cur_u32(&c);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_LTNULL_PKT_TOO_SMALL);
    uint32_t swapped =
        ((af & 0xff) << 24) | ((af & 0xff00) << 8) | ((af >> 8) & 0xff00) | (af >> 24);
    uint32_t fam = af < 256 ? af : swapped;
    switch (fam) {
    case 2:
        return decode_ipv4(d, p, c, 0);
    case 24:
    case 28:
    case 30:
        return decode_ipv6(d, p, c, 0);
    default:
        return decode_fail(d, p, VG_EV_LTNULL_UNSUPPORTED_TYPE);
    }
}

static int
decode_raw(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, int force_ver)
{
    decode_count(d, d->id.raw);
    if (force_ver == 4)
        return decode_ipv4(d, p, c, 0);
    if (force_ver == 6)
        return decode_ipv6(d, p, c, 0);
    uint8_t b = vg_cur_peek_at(&c, 0);
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_IPV4_PKT_TOO_SMALL);
    switch (b >> 4) {
    case 4:
        return decode_ipv4(d, p, c, 0);
    case 6:
        return decode_ipv6(d, p, c, 0);
    default:
        return decode_fail(d, p, VG_EV_IPRAW_INVALID_IPV);
    }
}

int
decode_inner(vg_decode_ctx_t *d, vg_packet_t *p, int ver, uint16_t ethertype, vg_cur_t c,
             uint32_t depth)
{
    if (decode_depth_check(d, p, depth) != VG_OK)
        return VG_DECLINED;
    /* Keep the outer decode so a broken inner packet still leaves a usable
     * outer one (Suricata handles the outer packet's flow either way). */
    vg_packet_t saved = *p;
    /* the inner packet is one tunnel deeper and has no link header of
     * its own unless the tunnel carries ethernet (decode_ethernet sets it) */
    if (p->recursion_level < UINT8_MAX)
        p->recursion_level++;
    p->tunnel_len = (uint32_t)vg_cur_left(&c);
    p->has_eth = false;
    int rc;
    if (ver == 4)
        rc = decode_ipv4(d, p, c, depth);
    else if (ver == 6)
        rc = decode_ipv6(d, p, c, depth);
    else if (ver == -1)
        rc = decode_ethernet(d, p, c, depth);
    else
        rc = decode_ethertype(d, p, ethertype, c, depth);
    if (rc == VG_OK && p->ip_ver != 0 && (p->l3 != saved.l3)) {
        if (saved.recursion_level == 0) {
            p->root.src = saved.src;
            p->root.dst = saved.dst;
            p->root.sp = saved.sp;
            p->root.dp = saved.dp;
            p->root.proto = saved.proto;
            p->root.ip_ver = saved.ip_ver;
            p->root.ttl = saved.ttl;
            p->root.vlan_n = saved.vlan_n;
            p->root.has_l4 = (saved.flags & VG_PKT_HAS_L4) != 0;
            p->root.has_eth = saved.has_eth;
            memcpy(p->root.eth_src, saved.eth_src, 6);
            memcpy(p->root.eth_dst, saved.eth_dst, 6);
        }
        return VG_OK;
    }
    /* Inner layer unusable or not IP: restore outer fields, keep events. */
    uint8_t n = p->n_events;
    uint16_t ev[VG_PKT_MAX_EVENTS];
    memcpy(ev, p->events, sizeof(ev));
    *p = saved;
    p->n_events = n;
    memcpy(p->events, ev, sizeof(ev));
    return VG_OK;
}

int
vg_decode_csum_parse(const char *s, vg_csum_mode_t *out)
{
    if (s == NULL || out == NULL)
        return VG_EINVAL;
    if (strcmp(s, "all") == 0 || strcmp(s, "yes") == 0)
        *out = VG_CSUM_ALL;
    else if (strcmp(s, "none") == 0 || strcmp(s, "no") == 0 || strcmp(s, "auto") == 0)
        *out = VG_CSUM_NONE;
    else
        return VG_EINVAL;
    return VG_OK;
}

int
vg_decode_set_vxlan_ports(vg_decode_ctx_t *d, const char *ports)
{
    if (d == NULL || ports == NULL)
        return VG_EINVAL;
    uint16_t v[VG_DECODE_MAX_VXLAN_PORTS];
    uint8_t n = 0;
    const char *s = ports;
    while (*s) {
        if (*s == '[' || *s == ']' || *s == ',' || *s == ' ') {
            s++;
            continue;
        }
        char *end;
        unsigned long port = strtoul(s, &end, 10);
        if (end == s || port == 0 || port > 65535 || n == VG_DECODE_MAX_VXLAN_PORTS)
            return VG_EINVAL;
        v[n++] = (uint16_t)port;
        s = end;
    }
    if (n == 0)
        return VG_EINVAL;
    memcpy(d->vxlan_ports, v, n * sizeof(v[0]));
    d->n_vxlan_ports = n;
    return VG_OK;
}

bool
vg_decode_linktype_supported(int linktype)
{
    switch (linktype) {
    case VG_DLT_EN10MB:
    case VG_DLT_PPP:
    case VG_DLT_LINUX_SLL:
    case VG_DLT_LINUX_SLL2:
    case VG_DLT_NULL:
    case VG_DLT_LOOP:
    case VG_DLT_RAW:
    case VG_DLT_RAW_OPENBSD:
    case VG_LINKTYPE_RAW:
    case VG_LINKTYPE_IPV4:
    case VG_LINKTYPE_IPV6:
        return true;
    default:
        return false;
    }
}

int
vg_decode_packet(vg_decode_ctx_t *d, vg_packet_t *p)
{
    if (d == NULL || p == NULL)
        return VG_EINVAL;
    vg_decode_reset(p);
    /* Only captured packets count: a datagram rebuilt by defrag was already
     * counted fragment by fragment (Suricata counts it as a pseudo packet). */
    if (!(p->flags & (VG_PKT_PSEUDO | VG_PKT_REASSEMBLED))) {
        decode_count(d, d->id.pkts);
        /* Suricata counts captured bytes (GET_PKT_LEN), not wire length */
        vg_counter_add(d->counters, d->id.bytes, p->caplen);
    }
    vg_cur_t c = vg_cur_make(p->data, p->data ? p->caplen : 0);
    int rc;
    switch (p->linktype) {
    case VG_DLT_EN10MB:
        rc = decode_ethernet(d, p, c, 0);
        break;
    case VG_DLT_PPP:
        rc = decode_ppp(d, p, c, 0);
        break;
    case VG_DLT_LINUX_SLL:
        rc = decode_sll(d, p, c);
        break;
    case VG_DLT_LINUX_SLL2:
        rc = decode_sll2(d, p, c);
        break;
    case VG_DLT_NULL:
    case VG_DLT_LOOP:
        rc = decode_null(d, p, c);
        break;
    case VG_DLT_RAW:
    case VG_DLT_RAW_OPENBSD:
    case VG_LINKTYPE_RAW:
        rc = decode_raw(d, p, c, 0);
        break;
    case VG_LINKTYPE_IPV4:
        rc = decode_raw(d, p, c, 4);
        break;
    case VG_LINKTYPE_IPV6:
        rc = decode_raw(d, p, c, 6);
        break;
    default:
        /* counted once, as decoder.unsupported_linktype, by the event */
        rc = decode_fail(d, p, VG_EV_UNSUPPORTED_LINKTYPE);
        break;
    }
    (void)rc;
    if (p->flags & VG_PKT_INVALID)
        decode_count(d, d->id.invalid);
    return VG_OK;
}

int
decode_l4(vg_decode_ctx_t *d, vg_packet_t *p, uint8_t proto, vg_cur_t c, uint32_t depth)
{
    switch (proto) {
    case VG_IPPROTO_TCP:
        return decode_tcp(d, p, c);
    case VG_IPPROTO_UDP:
        return decode_udp(d, p, c, depth);
    case VG_IPPROTO_ICMP:
        return p->ip_ver == 4 ? decode_icmpv4(d, p, c) : VG_OK;
    case VG_IPPROTO_ICMPV6:
        return p->ip_ver == 6 ? decode_icmpv6(d, p, c) : VG_OK;
    case VG_IPPROTO_GRE:
        return decode_gre(d, p, c, depth);
    default:
        /* Other protocols (SCTP, ESP, OSPF...) still form flows on addresses. */
        p->l4 = vg_cur_ptr(&c);
        p->l4_len = (uint32_t)vg_cur_left(&c);
        return VG_OK;
    }
}
