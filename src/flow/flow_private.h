/* flow_private.h - helpers shared by the files of src/flow (not an API). */
#ifndef VG_FLOW_PRIVATE_H
#define VG_FLOW_PRIVATE_H

#include "flow/flow.h"

/* The address/port tuple of a packet in a canonical (direction-free)
 * order, the input of the symmetric hash. */
typedef struct flow_canon {
    uint8_t lo[16];
    uint8_t hi[16];
    uint16_t lo_port;
    uint16_t hi_port;
    uint16_t vlan[VG_PKT_MAX_VLAN];
    uint8_t proto;
    uint8_t family;
    uint8_t pad[2];
} flow_canon_t;

/* The i-th vlan id of a packet as the flow key keeps it (0 when absent). */
static inline uint16_t
flow_packet_vlan(const vg_packet_t *p, size_t i)
{
    return i < p->vlan_n && i < VG_PKT_MAX_VLAN ? p->vlan_id[i] : 0;
}

/* True when the protocol's flows are keyed by ports. */
static inline bool
flow_proto_has_ports(uint8_t proto)
{
    return proto == VG_IPPROTO_TCP || proto == VG_IPPROTO_UDP || proto == VG_IPPROTO_SCTP;
}

/* Request/response counterpart of an ICMP/ICMPv6 type (echo <-> echo
 * reply, ...), -1 if none: the spec tables of Community ID, which are also
 * what Suricata's ICMPv4/6GetCounterpart pair up. */
int flow_icmp_counterpart(uint8_t proto, uint8_t type);

/* Ports of a packet as used in the flow key. ICMP/ICMPv6 use Suricata's
 * "ports": (type, counterpart type or 0), so a request and its reply meet
 * in one flow while a request in the other direction starts another one
 * (suricata-verify flow-pkt-recursion). 0/0 for protocols without ports
 * and for an SCTP packet whose header was not decoded. */
static inline void
flow_packet_ports(const vg_packet_t *p, uint16_t *sp, uint16_t *dp)
{
    if (flow_proto_has_ports(p->proto) && (p->flags & VG_PKT_HAS_L4)) {
        *sp = p->sp;
        *dp = p->dp;
    } else if ((p->proto == VG_IPPROTO_ICMP || p->proto == VG_IPPROTO_ICMPV6) &&
               (p->flags & VG_PKT_HAS_L4)) {
        int cp = flow_icmp_counterpart(p->proto, p->icmp_type);
        *sp = p->icmp_type;
        *dp = cp >= 0 ? (uint16_t)cp : 0;
    } else {
        *sp = 0;
        *dp = 0;
    }
}

/* Compare (addr, port) endpoints as the community id spec orders them:
 * address bytes (network order) first, then port. <0, 0, >0. */
int flow_endpoint_cmp(const vg_addr_t *a, uint16_t ap, const vg_addr_t *b, uint16_t bp);

void flow_canon_from_packet(const vg_packet_t *p, flow_canon_t *c);
uint32_t flow_canon_hash(const flow_canon_t *c);

/* flow_id from the number of the packet that created the flow: a bijection
 * on 53 bits, so distinct packets give distinct ids (see NOTES.md). */
uint64_t flow_id_from_packet(uint64_t pcap_cnt, uint32_t hash, vg_time_us_t ts);

#endif
