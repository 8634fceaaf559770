/* decode_events.h - every packet-level anomaly vigil can tag, with
 * Suricata's event names (EVE anomaly.event and the stats counter name
 * "decoder.<name>" / "stream.<name>").
 *
 * X(ENUM, "suricata.name", layer) where layer is DECODE or STREAM (EVE
 * anomaly.type "decode" / "stream"). Add new events at the end of their
 * group; names must match Suricata's where Suricata has the event.
 */
#ifndef VG_DECODE_EVENTS_H
#define VG_DECODE_EVENTS_H

#define VG_DECODE_EVENTS(X)                                                   \
    X(NONE,                         "none",                          DECODE)  \
    /* link */                                                                \
    X(ETHERNET_PKT_TOO_SMALL,       "ethernet.pkt_too_small",        DECODE)  \
    X(SLL_PKT_TOO_SMALL,            "sll.pkt_too_small",             DECODE)  \
    X(SLL2_PKT_TOO_SMALL,           "sll2.pkt_too_small",            DECODE)  \
    X(LTNULL_PKT_TOO_SMALL,         "ltnull.pkt_too_small",          DECODE)  \
    X(LTNULL_UNSUPPORTED_TYPE,      "ltnull.unsupported_type",       DECODE)  \
    X(VLAN_HEADER_TOO_SMALL,        "vlan.header_too_small",         DECODE)  \
    X(VLAN_UNKNOWN_TYPE,            "vlan.unknown_type",             DECODE)  \
    X(VLAN_TOO_MANY_LAYERS,         "vlan.too_many_layers",          DECODE)  \
    X(IPRAW_INVALID_IPV,            "ipraw.invalid_ip_version",      DECODE)  \
    X(TOO_MANY_LAYERS,              "too_many_layers",               DECODE)  \
    X(UNSUPPORTED_LINKTYPE,         "unsupported_linktype",          DECODE)  \
    /* ipv4 */                                                                \
    X(IPV4_PKT_TOO_SMALL,           "ipv4.pkt_too_small",            DECODE)  \
    X(IPV4_HLEN_TOO_SMALL,          "ipv4.hlen_too_small",           DECODE)  \
    X(IPV4_IPLEN_SMALLER_THAN_HLEN, "ipv4.iplen_smaller_than_hlen",  DECODE)  \
    X(IPV4_TRUNC_PKT,               "ipv4.trunc_pkt",                DECODE)  \
    X(IPV4_OPT_INVALID,             "ipv4.opt_invalid",              DECODE)  \
    X(IPV4_OPT_INVALID_LEN,         "ipv4.opt_invalid_len",          DECODE)  \
    X(IPV4_OPT_MALFORMED,           "ipv4.opt_malformed",            DECODE)  \
    X(IPV4_OPT_PAD_REQUIRED,        "ipv4.opt_pad_required",         DECODE)  \
    X(IPV4_OPT_EOL_REQUIRED,        "ipv4.opt_eol_required",         DECODE)  \
    X(IPV4_OPT_DUPLICATE,           "ipv4.opt_duplicate",            DECODE)  \
    X(IPV4_OPT_UNKNOWN,             "ipv4.opt_unknown",              DECODE)  \
    X(IPV4_WRONG_IP_VER,            "ipv4.wrong_ip_version",         DECODE)  \
    X(IPV4_WITH_ICMPV6,             "ipv4.icmpv6",                   DECODE)  \
    X(IPV4_FRAG_PKT_TOO_LARGE,      "ipv4.frag_pkt_too_large",       DECODE)  \
    X(IPV4_FRAG_OVERLAP,            "ipv4.frag_overlap",             DECODE)  \
    X(IPV4_FRAG_IGNORED,            "ipv4.frag_ignored",             DECODE)  \
    /* icmpv4 */                                                              \
    X(ICMPV4_PKT_TOO_SMALL,         "icmpv4.pkt_too_small",          DECODE)  \
    X(ICMPV4_UNKNOWN_TYPE,          "icmpv4.unknown_type",           DECODE)  \
    X(ICMPV4_UNKNOWN_CODE,          "icmpv4.unknown_code",           DECODE)  \
    X(ICMPV4_IPV4_TRUNC_PKT,        "icmpv4.ipv4_trunc_pkt",         DECODE)  \
    X(ICMPV4_IPV4_UNKNOWN_VER,      "icmpv4.ipv4_unknown_ver",       DECODE)  \
    /* ipv6 */                                                                \
    X(IPV6_PKT_TOO_SMALL,           "ipv6.pkt_too_small",            DECODE)  \
    X(IPV6_TRUNC_PKT,               "ipv6.trunc_pkt",                DECODE)  \
    X(IPV6_TRUNC_EXTHDR,            "ipv6.trunc_exthdr",             DECODE)  \
    X(IPV6_EXTHDR_DUPL_FH,          "ipv6.exthdr_dupl_fh",           DECODE)  \
    X(IPV6_EXTHDR_USELESS_FH,       "ipv6.exthdr_useless_fh",        DECODE)  \
    X(IPV6_EXTHDR_DUPL_RH,          "ipv6.exthdr_dupl_rh",           DECODE)  \
    X(IPV6_EXTHDR_DUPL_HH,          "ipv6.exthdr_dupl_hh",           DECODE)  \
    X(IPV6_EXTHDR_DUPL_DH,          "ipv6.exthdr_dupl_dh",           DECODE)  \
    X(IPV6_EXTHDR_DUPL_AH,          "ipv6.exthdr_dupl_ah",           DECODE)  \
    X(IPV6_EXTHDR_DUPL_EH,          "ipv6.exthdr_dupl_eh",           DECODE)  \
    X(IPV6_EXTHDR_INVALID_OPTLEN,   "ipv6.exthdr_invalid_optlen",    DECODE)  \
    X(IPV6_WRONG_IP_VER,            "ipv6.wrong_ip_version",         DECODE)  \
    X(IPV6_EXTHDR_AH_RES_NOT_NULL,  "ipv6.exthdr_ah_res_not_null",   DECODE)  \
    X(IPV6_HOPOPTS_UNKNOWN_OPT,     "ipv6.hopopts_unknown_opt",      DECODE)  \
    X(IPV6_HOPOPTS_ONLY_PADDING,    "ipv6.hopopts_only_padding",     DECODE)  \
    X(IPV6_DSTOPTS_UNKNOWN_OPT,     "ipv6.dstopts_unknown_opt",      DECODE)  \
    X(IPV6_DSTOPTS_ONLY_PADDING,    "ipv6.dstopts_only_padding",     DECODE)  \
    X(IPV6_EXTHDR_RH_TYPE_0,        "ipv6.rh_type_0",                DECODE)  \
    X(IPV6_ZERO_LEN_PADN,           "ipv6.zero_len_padn",            DECODE)  \
    X(IPV6_FH_NON_ZERO_RES_FIELD,   "ipv6.fh_non_zero_reserved_field", DECODE) \
    X(IPV6_DATA_AFTER_NONE_HEADER,  "ipv6.data_after_none_header",   DECODE)  \
    X(IPV6_UNKNOWN_NEXT_HEADER,     "ipv6.unknown_next_header",      DECODE)  \
    X(IPV6_WITH_ICMPV4,             "ipv6.icmpv4",                   DECODE)  \
    X(IPV6_FRAG_PKT_TOO_LARGE,      "ipv6.frag_pkt_too_large",       DECODE)  \
    X(IPV6_FRAG_OVERLAP,            "ipv6.frag_overlap",             DECODE)  \
    X(IPV6_FRAG_INVALID_LENGTH,     "ipv6.frag_invalid_length",      DECODE)  \
    X(IPV6_FRAG_IGNORED,            "ipv6.frag_ignored",             DECODE)  \
    /* icmpv6 */                                                              \
    X(ICMPV6_UNKNOWN_TYPE,          "icmpv6.unknown_type",           DECODE)  \
    X(ICMPV6_UNKNOWN_CODE,          "icmpv6.unknown_code",           DECODE)  \
    X(ICMPV6_PKT_TOO_SMALL,         "icmpv6.pkt_too_small",          DECODE)  \
    X(ICMPV6_IPV6_UNKNOWN_VER,      "icmpv6.ipv6_unknown_version",   DECODE)  \
    X(ICMPV6_IPV6_TRUNC_PKT,        "icmpv6.ipv6_trunc_pkt",         DECODE)  \
    /* tcp / udp */                                                           \
    X(TCP_PKT_TOO_SMALL,            "tcp.pkt_too_small",             DECODE)  \
    X(TCP_HLEN_TOO_SMALL,           "tcp.hlen_too_small",            DECODE)  \
    X(TCP_INVALID_OPTLEN,           "tcp.invalid_optlen",            DECODE)  \
    X(TCP_OPT_INVALID_LEN,          "tcp.opt_invalid_len",           DECODE)  \
    X(TCP_OPT_DUPLICATE,            "tcp.opt_duplicate",             DECODE)  \
    X(UDP_PKT_TOO_SMALL,            "udp.pkt_too_small",             DECODE)  \
    X(UDP_HLEN_TOO_SMALL,           "udp.hlen_too_small",            DECODE)  \
    X(UDP_HLEN_INVALID,             "udp.hlen_invalid",              DECODE)  \
    X(UDP_LEN_INVALID,              "udp.len_invalid",               DECODE)  \
    /* tunnels */                                                             \
    X(GRE_PKT_TOO_SMALL,            "gre.pkt_too_small",             DECODE)  \
    X(GRE_WRONG_VERSION,            "gre.wrong_version",             DECODE)  \
    X(VXLAN_UNKNOWN_PAYLOAD_TYPE,   "vxlan.unknown_payload_type",    DECODE)  \
    X(GRE_VERSION0_RECUR,           "gre.version0_recur",            DECODE)  \
    X(GRE_VERSION0_FLAGS,           "gre.version0_flags",            DECODE)  \
    X(GRE_VERSION0_HDR_TOO_BIG,     "gre.version0_hdr_too_big",      DECODE)  \
    X(GRE_VERSION0_MALFORMED_SRE_HDR, "gre.version0_malformed_sre_hdr", DECODE) \
    X(IPV4_IN_IPV6_PKT_TOO_SMALL,   "ipv6.ipv4_in_ipv6_too_small",   DECODE)  \
    X(IPV4_IN_IPV6_WRONG_IP_VER,    "ipv6.ipv4_in_ipv6_wrong_version", DECODE) \
    X(IPV6_IN_IPV6_PKT_TOO_SMALL,   "ipv6.ipv6_in_ipv6_too_small",   DECODE)  \
    X(IPV6_IN_IPV6_WRONG_IP_VER,    "ipv6.ipv6_in_ipv6_wrong_version", DECODE) \
    /* ppp / pppoe */                                                         \
    X(PPP_PKT_TOO_SMALL,            "ppp.pkt_too_small",             DECODE)  \
    X(PPPIPV4_PKT_TOO_SMALL,        "ppp.ip4_pkt_too_small",         DECODE)  \
    X(PPPIPV6_PKT_TOO_SMALL,        "ppp.ip6_pkt_too_small",         DECODE)  \
    X(PPP_UNSUP_PROTO,              "ppp.unsup_proto",               DECODE)  \
    X(PPPOE_PKT_TOO_SMALL,          "pppoe.pkt_too_small",           DECODE)  \
    X(PPPOE_WRONG_CODE,             "pppoe.wrong_code",              DECODE)  \
    /* mpls */                                                                \
    X(MPLS_HEADER_TOO_SMALL,        "mpls.header_too_small",         DECODE)  \
    X(MPLS_PKT_TOO_SMALL,           "mpls.pkt_too_small",            DECODE)  \
    X(MPLS_BAD_LABEL_ROUTER_ALERT,  "mpls.bad_label_router_alert",   DECODE)  \
    X(MPLS_BAD_LABEL_IMPLICIT_NULL, "mpls.bad_label_implicit_null",  DECODE)  \
    X(MPLS_BAD_LABEL_RESERVED,      "mpls.bad_label_reserved",       DECODE)  \
    X(MPLS_UNKNOWN_PAYLOAD_TYPE,    "mpls.unknown_payload_type",     DECODE)  \
    /* erspan */                                                              \
    X(ERSPAN_HEADER_TOO_SMALL,      "erspan.header_too_small",       DECODE)  \
    X(ERSPAN_UNSUPPORTED_VERSION,   "erspan.unsupported_version",    DECODE)  \
    X(ERSPAN_TOO_MANY_VLAN_LAYERS,  "erspan.too_many_vlan_layers",   DECODE)  \
    /* stream (set by src/stream) */                                          \
    X(STREAM_3WHS_ACK_IN_WRONG_DIR, "stream.3whs_ack_in_wrong_dir",  STREAM)  \
    X(STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION, "stream.3whs_synack_in_wrong_direction", STREAM) \
    X(STREAM_3WHS_SYNACK_WITH_WRONG_ACK, "stream.3whs_synack_with_wrong_ack", STREAM) \
    X(STREAM_3WHS_WRONG_SEQ_WRONG_ACK, "stream.3whs_wrong_seq_wrong_ack", STREAM) \
    X(STREAM_PKT_INVALID_ACK,       "stream.pkt_invalid_ack",        STREAM)  \
    X(STREAM_PKT_INVALID_TIMESTAMP, "stream.pkt_invalid_timestamp",  STREAM)  \
    X(STREAM_PKT_BROKEN_ACK,        "stream.pkt_broken_ack",         STREAM)  \
    X(STREAM_RST_INVALID_ACK,       "stream.rst_invalid_ack",        STREAM)  \
    X(STREAM_FIN_OUT_OF_WINDOW,     "stream.fin_out_of_window",      STREAM)  \
    X(STREAM_PKT_RETRANSMISSION,    "stream.pkt_retransmission",     STREAM)  \
    X(STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA, "stream.reassembly_overlap_different_data", STREAM) \
    X(STREAM_REASSEMBLY_SEQ_GAP,    "stream.reassembly_seq_gap",     STREAM)  \
    X(STREAM_REASSEMBLY_DEPTH_REACHED, "stream.reassembly_depth_reached", STREAM) \
    X(STREAM_MEMCAP,                "stream.memcap",                 STREAM)  \
    X(STREAM_PKT_SPURIOUS_RETRANSMISSION, "stream.pkt_spurious_retransmission", STREAM) \
    X(STREAM_SUSPECTED_RST_INJECT,  "stream.suspected_rst_inject",   STREAM)

typedef enum {
#define VG_DECODE_EVENT_ENUM(e, name, layer) VG_EV_##e,
    VG_DECODE_EVENTS(VG_DECODE_EVENT_ENUM)
#undef VG_DECODE_EVENT_ENUM
    VG_EV_MAX
} vg_decode_event_t;

typedef enum { VG_EV_LAYER_DECODE, VG_EV_LAYER_STREAM } vg_event_layer_t;

/* "ipv4.trunc_pkt" for VG_EV_IPV4_TRUNC_PKT. */
const char *vg_decode_event_name(vg_decode_event_t ev);
vg_event_layer_t vg_decode_event_layer(vg_decode_event_t ev);

#endif
