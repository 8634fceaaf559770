/* decode_packet.h - the packet as it travels the pipeline.
 *
 * Lifetime: packet (STYLE.md). Pointers into `data` (l3, l4, payload) never
 * outlive the packet; stages that keep bytes copy them. The capture stage
 * fills the capture fields and `data`; decode fills the decoded fields and
 * events; flow fills `flow` and `dir`.
 */
#ifndef VG_DECODE_PACKET_H
#define VG_DECODE_PACKET_H

#include "core/core.h"
#include "decode/decode_events.h"

#include <stdlib.h>

/* An IPv4 or IPv6 address. IPv4 lives in the first 4 bytes, the rest are
 * zero, so a key compare is a 16-byte memcmp plus `family`. */
typedef struct vg_addr {
    union {
        uint8_t b[16];
        uint32_t w[4];
    };
    uint8_t family; /* 4 or 6; 0 = none */
} vg_addr_t;

/* Writes "1.2.3.4" or RFC 5952 IPv6 ("2001:db8::1", as Suricata prints it)
 * into buf (>= 46 bytes); returns buf. */
char *vg_addr_format(const vg_addr_t *a, char *buf, size_t buflen);

/* The form Suricata 8.0's EVE prints (PrintInet): IPv4 dotted, IPv6 as eight
 * zero-padded groups without "::" compression ("2001:0db8:0000:...:0001").
 * Dashboards and suricata-verify expectations compare these strings. */
char *vg_addr_format_eve(const vg_addr_t *a, char *buf, size_t buflen);

/* TCP flag bits as on the wire. */
#define VG_TH_FIN 0x01
#define VG_TH_SYN 0x02
#define VG_TH_RST 0x04
#define VG_TH_PUSH 0x08
#define VG_TH_ACK 0x10
#define VG_TH_URG 0x20
#define VG_TH_ECE 0x40
#define VG_TH_CWR 0x80

/* Packet flags. */
#define VG_PKT_IPV4_CSUM_BAD  (1u << 0)  /* only set when checksum checks are on (-k all) */
#define VG_PKT_L4_CSUM_BAD    (1u << 1)
#define VG_PKT_IS_FRAGMENT    (1u << 2)  /* an IP fragment (not yet reassembled) */
#define VG_PKT_REASSEMBLED    (1u << 3)  /* built by defrag from fragments */
#define VG_PKT_HAS_L4         (1u << 4)  /* TCP/UDP/ICMP header decoded; ports valid */
#define VG_PKT_INVALID        (1u << 5)  /* decode stopped; no flow handling */
#define VG_PKT_PSEUDO         (1u << 6)  /* engine-made (flush at end); not counted as captured */
#define VG_PKT_FLOW_HASHED    (1u << 7)  /* flow_hash holds vg_flow_hash_packet() (set by the
                                            dispatcher, so the flow table need not hash again) */

#define VG_PKT_MAX_EVENTS 8

/* VLAN tags kept per packet: Suricata 7+ keys flows on up to three
 * (suricata-verify eve-flow-vlan-02 expects "vlan": [1, 10, 100]); a fourth
 * tag is the vlan.too_many_layers anomaly. */
#define VG_PKT_MAX_VLAN 3

/* IP protocol numbers used throughout. */
#define VG_IPPROTO_ICMP 1
#define VG_IPPROTO_TCP 6
#define VG_IPPROTO_UDP 17
#define VG_IPPROTO_ICMPV6 58
#define VG_IPPROTO_SCTP 132
#define VG_IPPROTO_GRE 47

enum { VG_DIR_TOSERVER = 0, VG_DIR_TOCLIENT = 1 };

struct vg_flow;

typedef struct vg_tcp_hdr_info {
    uint32_t seq;
    uint32_t ack;
    uint16_t win;
    uint16_t mss;
    uint8_t flags;
    uint8_t wscale;
    uint8_t hlen;         /* header length in bytes */
    bool has_mss;
    bool has_wscale;
    bool has_sackok;
    bool has_ts;
    uint32_t tsval;
    uint32_t tsecr;
    bool has_md5;         /* RFC 2385 signature option (the key is out of band: never checked) */
    bool has_ao;          /* RFC 5925 authentication option (likewise) */
} vg_tcp_hdr_info_t;

typedef struct vg_packet {
    /* --- capture --- */
    uint64_t pcap_cnt;        /* 1-based packet number in the capture (Suricata's pcap_cnt) */
    vg_time_us_t ts;
    uint32_t caplen;
    uint32_t wirelen;
    int linktype;             /* DLT_* */
    const uint8_t *data;      /* caplen bytes */

    /* --- decode (innermost IP layer) --- */
    uint32_t flags;           /* VG_PKT_* */
    uint8_t ip_ver;           /* 4, 6 or 0 */
    uint8_t proto;            /* IP protocol of the L4 header */
    uint8_t ttl;              /* TTL / hop limit */
    uint8_t vlan_n;
    uint16_t vlan_id[VG_PKT_MAX_VLAN]; /* outer first, as Suricata's flow key (vlan_n of them) */
    vg_addr_t src;
    vg_addr_t dst;
    uint16_t sp;
    uint16_t dp;
    const uint8_t *l3;
    uint32_t l3_len;          /* bytes from the IP header to the end of the IP payload */
    const uint8_t *l4;
    uint32_t l4_len;
    const uint8_t *payload;   /* L4 payload (TCP/UDP data) */
    uint32_t payload_len;
    uint16_t ip_id;
    uint8_t icmp_type;
    uint8_t icmp_code;
    vg_tcp_hdr_info_t tcp;

    uint8_t n_events;
    uint16_t events[VG_PKT_MAX_EVENTS]; /* vg_decode_event_t values */
    /* Tunnel depth of the decoded (innermost) IP layer: 0 for a plain
     * packet, +1 per tunnel (IP-in-IP, GRE, VXLAN, ERSPAN), as Suricata's
     * recursion_level; part of the flow key while
     * decoder.recursion-level.use-for-tracking is on. */
    uint8_t recursion_level;
    /* With recursion_level > 0: length of the innermost tunnel's packet
     * (from its first inner header to the end of the enclosing payload),
     * what Suricata counts as the tunnel pseudo-packet's length in flow
     * bytes. */
    uint32_t tunnel_len;
    /* With recursion_level > 0: the outermost IP layer (the tunnel root:
     * VXLAN's UDP/4789 packet, the GRE or IP-in-IP carrier). Suricata
     * tracks a flow for it as well (no stream, no app layer). */
    struct {
        vg_addr_t src;
        vg_addr_t dst;
        uint16_t sp;
        uint16_t dp;
        uint8_t proto;
        uint8_t ip_ver;
        uint8_t ttl;
        uint8_t vlan_n;       /* vlan ids (prefix of vlan_id) outside the tunnel */
        bool has_l4;
        bool has_eth;
        uint8_t eth_src[6];
        uint8_t eth_dst[6];
    } root;
    /* MAC addresses of the innermost ethernet header that belongs to the
     * decoded IP layer (has_eth false when that layer has none, e.g. the
     * inner packet of IP-in-IP or GRE): EVE `ether`, as Suricata's ethh. */
    bool has_eth;
    uint8_t eth_src[6];
    uint8_t eth_dst[6];

    /* --- flow --- */
    struct vg_flow *flow;
    uint8_t dir;              /* VG_DIR_TOSERVER / VG_DIR_TOCLIENT relative to the flow */
    uint32_t flow_hash;       /* symmetric 5-tuple hash, also picks the worker */

    /* --- storage: the packet owns a buffer `data` points into --- */
    uint8_t *buf;
    uint32_t buf_size;
} vg_packet_t;

/* Record an anomaly on the packet (kept up to VG_PKT_MAX_EVENTS; the counter
 * is bumped by the caller's decoder regardless). */
static inline void
vg_packet_add_event(vg_packet_t *p, vg_decode_event_t ev)
{
    for (uint8_t i = 0; i < p->n_events; i++)
        if (p->events[i] == ev)
            return;
    if (p->n_events < VG_PKT_MAX_EVENTS)
        p->events[p->n_events++] = (uint16_t)ev;
}

/* Make sure p->buf holds at least `need` bytes (need <= cap), growing it with
 * realloc (geometrically, never past cap). Returns VG_OK or VG_ENOMEM (buffer
 * unchanged). If p->data pointed at p->buf it follows the move. The packet
 * owns the buffer; release it with vg_packet_fini. Not for the per-packet hot
 * path once the buffer has reached its working size (it then does nothing). */
static inline int
vg_packet_reserve(vg_packet_t *p, uint32_t need, uint32_t cap)
{
    if (need > cap)
        return VG_ENOMEM;
    if (p->buf != NULL && p->buf_size >= need)
        return VG_OK;
    uint32_t sz = p->buf_size ? p->buf_size : VG_MIN(2048u, cap);
    while (sz < need)
        sz = sz > cap / 2 ? cap : sz * 2;
    bool data_in_buf = p->data != NULL && p->data == p->buf;
    uint8_t *nb = (uint8_t *)realloc(p->buf, sz);
    if (nb == NULL)
        return VG_ENOMEM;
    p->buf = nb;
    p->buf_size = sz;
    if (data_in_buf)
        p->data = nb;
    return VG_OK;
}

/* Free the packet's own buffer and clear the pointers into it. */
static inline void
vg_packet_fini(vg_packet_t *p)
{
    if (p->data == p->buf)
        p->data = NULL;
    free(p->buf);
    p->buf = NULL;
    p->buf_size = 0;
}

#endif
