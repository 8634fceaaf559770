/* decode.h - packet decoders: link layer to the innermost IP layer and L4.
 *
 * vg_decode_packet() fills the decode section of vg_packet_t (decode_packet.h)
 * from p->data/p->caplen/p->linktype. Tunnels (GRE, VXLAN, IP-in-IP) decode
 * into the inner packet: src/dst/ports/proto describe the innermost IP layer,
 * which is what flows are keyed on. Malformed input is data: each anomaly is
 * tagged on the packet (vg_packet_add_event) and counted as
 * "decoder.event.<event name>"; decoding stops at the broken layer and, if no usable
 * IP layer remains, VG_PKT_INVALID is set.
 *
 * Thread safety: one vg_decode_ctx_t per worker/reader thread. Counter names
 * are registered by vg_decode_ctx_init, which must run at startup before any
 * worker thread (counter registration is not thread safe).
 *
 * Cost: no allocation and no system call per packet.
 */
#ifndef VG_DECODE_H
#define VG_DECODE_H

#include "core/core.h"
#include "core/core_counters.h"
#include "core/core_limits.h"
#include "decode/decode_packet.h"

/* Link types (pcap DLT_ / LINKTYPE_ values) the decoder knows. Values are
 * spelled out so the decoder does not depend on the platform's pcap headers. */
#define VG_DLT_NULL 0
#define VG_DLT_EN10MB 1
#define VG_DLT_PPP 9
#define VG_DLT_RAW 12         /* DLT_RAW on most platforms (LINKTYPE_RAW 101 in files) */
#define VG_DLT_RAW_OPENBSD 14 /* DLT_RAW on OpenBSD */
#define VG_LINKTYPE_RAW 101
#define VG_DLT_LOOP 108
#define VG_DLT_LINUX_SLL 113
#define VG_LINKTYPE_IPV4 228
#define VG_LINKTYPE_IPV6 229
#define VG_DLT_LINUX_SLL2 276

#define VG_DECODE_MAX_VXLAN_PORTS 4

/* Checksum validation, Suricata's -k: "none" never checks, "all" checks IPv4
 * header and TCP/UDP/ICMP checksums and sets VG_PKT_*_CSUM_BAD. */
typedef enum { VG_CSUM_NONE = 0, VG_CSUM_ALL = 1 } vg_csum_mode_t;

/* Counter ids used by the decoders (registered once by vg_decode_ctx_init). */
typedef struct vg_decode_counters {
    vg_counter_id_t pkts, bytes, invalid, ethernet, vlan, vlan_qinq, sll, sll2, null, raw, ipv4,
        ipv6, tcp, udp, icmpv4, icmpv6, gre, vxlan, ipv4_in_ipv6, ipv6_in_ipv6, ipv6_in_ipv4,
        ipv4_in_ipv4, unknown_ethertype, ppp, pppoe, mpls, erspan;
    vg_counter_id_t event[VG_EV_MAX]; /* "decoder.event.<event name>" */
} vg_decode_counters_t;

typedef struct vg_decode_ctx {
    uint32_t snaplen;    /* limits->snaplen */
    uint32_t max_layers; /* limits->max_decode_layers */
    vg_csum_mode_t csum;
    bool vxlan_enabled; /* Suricata decoder.vxlan.enabled (default on) */
    uint8_t n_vxlan_ports;
    uint16_t vxlan_ports[VG_DECODE_MAX_VXLAN_PORTS]; /* default {4789} */
    vg_counters_t *counters;                         /* the owning worker's block; never NULL */
    vg_decode_counters_t id;
} vg_decode_ctx_t;

/* Initialise a decoder context with defaults (checksums off, VXLAN on port
 * 4789) and register the decoder counters. `limits` and `counters` are
 * borrowed and must outlive the context. Returns VG_OK or VG_EINVAL. */
int vg_decode_ctx_init(vg_decode_ctx_t *d, const vg_limits_t *limits, vg_counters_t *counters);

/* Decode p->data (p->caplen bytes, link type p->linktype) into p's decode
 * fields. Resets every decode field first (vlan ids are kept on packets
 * flagged VG_PKT_REASSEMBLED, whose raw-IP bytes have no link layer).
 * Returns VG_OK, also for malformed packets (see p->flags & VG_PKT_INVALID and
 * p->events); VG_EINVAL only for a NULL argument. Pointers set in p point
 * into p->data and never past p->data + p->caplen. */
int vg_decode_packet(vg_decode_ctx_t *d, vg_packet_t *p);

/* Parse Suricata's -k / checksum-validation value: "all" or "none" (also
 * "yes"/"no"; "auto" means none, checksum offloading makes captured sums
 * unreliable). VG_OK or VG_EINVAL. */
int vg_decode_csum_parse(const char *s, vg_csum_mode_t *out);

/* Set the VXLAN UDP destination ports from Suricata's decoder.vxlan.ports
 * syntax ("4789", "[4789, 8472]", "4789,8472"; at most
 * VG_DECODE_MAX_VXLAN_PORTS). VG_OK, or VG_EINVAL (ctx unchanged). */
int vg_decode_set_vxlan_ports(vg_decode_ctx_t *d, const char *ports);

/* True if vg_decode_packet knows link type `linktype` (others decode to
 * VG_PKT_INVALID with the unsupported_linktype event). */
bool vg_decode_linktype_supported(int linktype);

/* Clear the decode and flow fields of p (capture fields and buffer kept). */
void vg_decode_reset(vg_packet_t *p);

/* Internet checksum helpers (RFC 1071), exposed for defrag and tests.
 * vg_csum_add accumulates 16-bit big-endian words; vg_csum_fold folds the
 * 32-bit sum and returns the one's complement. */
uint32_t vg_csum_add(uint32_t sum, const uint8_t *data, size_t len);
uint16_t vg_csum_fold(uint32_t sum);

#endif
