/* decode_int.h - shared between the decoder files of src/decode only.
 *
 * Every layer decoder takes a cursor over exactly the bytes of its layer
 * (to the end of the enclosing IP payload or of the capture) and the current
 * encapsulation depth. Return values: VG_OK when the layer was usable,
 * VG_DECLINED when it was malformed (the event is already tagged).
 */
#ifndef VG_DECODE_INT_H
#define VG_DECODE_INT_H

#include "decode/decode.h"
#include "util/util_cursor.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ_AD 0x88a8
#define ETHERTYPE_QINQ 0x9100
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_TEB 0x6558 /* GRE transparent ethernet bridging */
#define ETHERTYPE_PPPOE_DISC 0x8863
#define ETHERTYPE_PPPOE_SESS 0x8864
#define ETHERTYPE_MPLS_UC 0x8847
#define ETHERTYPE_MPLS_MC 0x8848

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_IPIP_ 4
#define IPPROTO_IPV6_ 41
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_ESP_ 50
#define IPPROTO_AH_ 51
#define IPPROTO_NONE_ 59
#define IPPROTO_DSTOPTS_ 60
#define IPPROTO_MH_ 135

/* Tag an anomaly and bump decoder.<name>. */
static inline void
decode_event(vg_decode_ctx_t *d, vg_packet_t *p, vg_decode_event_t ev)
{
    vg_packet_add_event(p, ev);
    vg_counter_inc(d->counters, d->id.event[ev]);
}

/* Tag an anomaly that stops decoding of this layer. */
static inline int
decode_fail(vg_decode_ctx_t *d, vg_packet_t *p, vg_decode_event_t ev)
{
    decode_event(d, p, ev);
    p->flags |= VG_PKT_INVALID;
    return VG_DECLINED;
}

static inline void
decode_count(vg_decode_ctx_t *d, vg_counter_id_t id)
{
    vg_counter_inc(d->counters, id);
}

/* One more encapsulation layer; VG_DECLINED (and the event) past the limit. */
static inline int
decode_depth_check(vg_decode_ctx_t *d, vg_packet_t *p, uint32_t depth)
{
    if (depth > d->max_layers) {
        return decode_fail(d, p, VG_EV_TOO_MANY_LAYERS);
    }
    return VG_OK;
}

int decode_ethernet(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth);
int decode_ethertype(vg_decode_ctx_t *d, vg_packet_t *p, uint16_t type, vg_cur_t c, uint32_t depth);
int decode_ipv4(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth);
int decode_ipv6(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth);
/* L4 dispatch shared by IPv4 and IPv6 (c covers the IP payload). */
int decode_l4(vg_decode_ctx_t *d, vg_packet_t *p, uint8_t proto, vg_cur_t c, uint32_t depth);
int decode_tcp(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c);
int decode_udp(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth);
int decode_icmpv4(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c);
int decode_icmpv6(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c);
int decode_gre(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth);
int decode_vxlan(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c, uint32_t depth);
/* Decode an encapsulated packet (IP version `ver` 4 or 6, or an ethertype
 * when ver == 0). If the inner layer is unusable the outer decode is
 * restored (its flow still counts) and only the events are kept. */
int decode_inner(vg_decode_ctx_t *d, vg_packet_t *p, int ver, uint16_t ethertype, vg_cur_t c,
                 uint32_t depth);

/* Pseudo-header sums for L4 checksums of the current IP layer. */
uint32_t decode_pseudo_sum(const vg_packet_t *p, uint8_t proto, uint32_t l4len);

#endif
