/* core_limits.h - every limit vigil enforces, in one place.
 *
 * Each limit has a field name, the Suricata-style YAML key that sets it
 * (so `--set stream.reassembly.depth=1mb` and a suricata.yaml work), a
 * default and a one-line reason. Byte sizes accept Suricata's suffixes
 * (kb, mb, gb) when read from config. Hitting a limit is always counted
 * under a named counter by the module that enforces it.
 *
 * To add a limit: add one X() line below; the config loader, `--set`
 * and `vigil --build-info` pick it up automatically.
 */
#ifndef VG_CORE_LIMITS_H
#define VG_CORE_LIMITS_H

#include <stddef.h>
#include <stdint.h>

/*  X(field,                     yaml key,                                  default,          why) */
#define VG_LIMITS(X)                                                                              \
    /* capture / packets */                                                                       \
    X(max_pending_packets,       "max-pending-packets",                     1024,             "packets in flight between reader and workers") \
    X(snaplen,                   "pcap.snaplen",                            262144,           "largest packet accepted from capture") \
    X(max_decode_layers,         "decoder.max-layers",                      16,               "encapsulation depth (vlan, tunnels) before giving up") \
    /* defrag */                                                                                  \
    X(defrag_memcap,             "defrag.memcap",                           32u << 20,        "bytes held by IP fragment reassembly") \
    X(defrag_max_frags,          "defrag.max-frags",                        65535,            "fragment trackers alive at once") \
    X(defrag_timeout_s,          "defrag.timeout",                          60,               "seconds a fragment tracker waits for the rest") \
    X(defrag_max_frags_per_dgram,"defrag.max-frags-per-datagram",           128,              "fragments one datagram may use (overlap attacks)") \
    /* flow */                                                                                    \
    X(flow_memcap,               "flow.memcap",                             128u << 20,       "bytes held by the flow table") \
    X(flow_hash_size,            "flow.hash-size",                          65536,            "buckets in the flow hash") \
    X(flow_prealloc,             "flow.prealloc",                           10000,            "flows allocated up front") \
    X(flow_emergency_recovery,   "flow.emergency-recovery",                 30,               "percent of flows to free in emergency") \
    X(flow_timeout_new_s,        "flow-timeouts.default.new",               30,               "idle timeout of a flow not yet established") \
    X(flow_timeout_est_s,        "flow-timeouts.default.established",       300,              "idle timeout of an established flow") \
    X(flow_timeout_closed_s,     "flow-timeouts.default.closed",            0,                "timeout of a closed flow") \
    X(flow_timeout_tcp_new_s,    "flow-timeouts.tcp.new",                   60,               "idle timeout, TCP not established") \
    X(flow_timeout_tcp_est_s,    "flow-timeouts.tcp.established",           600,              "idle timeout, TCP established") \
    X(flow_timeout_tcp_closed_s, "flow-timeouts.tcp.closed",                60,               "timeout after FIN/RST") \
    X(flow_timeout_udp_new_s,    "flow-timeouts.udp.new",                   30,               "idle timeout, one-sided UDP") \
    X(flow_timeout_udp_est_s,    "flow-timeouts.udp.established",           300,              "idle timeout, two-sided UDP") \
    X(flow_timeout_icmp_new_s,   "flow-timeouts.icmp.new",                  30,               "idle timeout, one-sided ICMP") \
    X(flow_timeout_icmp_est_s,   "flow-timeouts.icmp.established",          300,              "idle timeout, two-sided ICMP") \
    X(flow_recursion_tracking,   "decoder.recursion-level.use-for-tracking", 1,               "tunnel depth is part of the flow key (bool, Suricata default yes)") \
    X(flow_max_macs,             "flow.max-mac-addresses",                  16,               "MAC addresses kept per flow side for EVE ether (0 = none)") \
    /* stream */                                                                                  \
    X(stream_memcap,             "stream.memcap",                           64u << 20,        "bytes held by TCP session state") \
    X(stream_reassembly_memcap,  "stream.reassembly.memcap",                256u << 20,       "bytes held in out-of-order/unacked segments") \
    X(stream_reassembly_depth,   "stream.reassembly.depth",                 1u << 20,         "bytes per direction reassembled; 0 = unlimited") \
    X(stream_max_segments,       "stream.reassembly.max-segments",          4096,             "queued segments per direction before gap-forcing") \
    X(stream_midstream,          "stream.midstream",                        0,                "pick up sessions without a 3-way handshake (bool)") \
    X(stream_async_oneside,      "stream.async-oneside",                    0,                "accept one-sided TCP sessions (bool)") \
    /* app-layer common */                                                                        \
    X(app_max_tx,                "app-layer.max-tx",                        256,              "open transactions per flow per protocol") \
    X(app_probe_depth,           "app-layer.probe-depth",                   4096,             "bytes looked at for protocol detection per direction") \
    /* dns */                                                                                     \
    X(dns_max_name_len,          "app-layer.protocols.dns.max-name-length", 1025,             "decoded name length (RFC 1035 allows 255)") \
    X(dns_max_labels,            "app-layer.protocols.dns.max-labels",      128,              "labels per name") \
    X(dns_max_pointers,          "app-layer.protocols.dns.max-pointers",    32,               "compression pointers followed per name (loops)") \
    X(dns_max_records,           "app-layer.protocols.dns.max-records",     256,              "records parsed per message section") \
    X(dns_max_tcp_msg,           "app-layer.protocols.dns.tcp.max-message", 65535,            "DNS-over-TCP message size") \
    X(dns_max_pending_tx,        "app-layer.protocols.dns.max-pending",     512,              "unanswered queries tracked per flow") \
    /* http */                                                                                    \
    X(http_max_headers,          "app-layer.protocols.http.max-headers",    256,              "headers per request or response") \
    X(http_max_header_line,      "app-layer.protocols.http.max-header-line",16384,            "bytes in one header line or request line") \
    X(http_max_header_block,     "app-layer.protocols.http.max-header-block",65536,           "bytes in all headers of one message") \
    X(http_request_body_limit,   "app-layer.protocols.http.libhtp.default-config.request-body-limit",  102400, "request body bytes kept for inspection") \
    X(http_response_body_limit,  "app-layer.protocols.http.libhtp.default-config.response-body-limit", 102400, "response body bytes kept for inspection") \
    X(http_decompress_limit,     "app-layer.protocols.http.libhtp.default-config.decompression-limit", 10u << 20, "decompressed bytes per body (bombs)") \
    X(http_decompress_ratio,     "app-layer.protocols.http.decompression-ratio", 2048,        "max decompressed/compressed ratio per body") \
    X(http_max_pipelined,        "app-layer.protocols.http.max-pipelined", 64,                "requests waiting for responses per flow") \
    /* tls */                                                                                     \
    X(tls_max_record,            "app-layer.protocols.tls.max-record",     18432,            "TLS record size (2^14 + 2048)") \
    X(tls_max_handshake,         "app-layer.protocols.tls.max-handshake",  65536,            "bytes of one handshake message kept") \
    X(tls_max_certs,             "app-layer.protocols.tls.max-certificates", 16,             "certificates parsed per chain") \
    X(tls_max_extensions,        "app-layer.protocols.tls.max-extensions", 256,              "extensions per hello") \
    X(tls_max_ciphers,           "app-layer.protocols.tls.max-ciphers",    512,              "cipher suites per hello") \
    X(tls_max_sans,              "app-layer.protocols.tls.max-subjectaltnames", 1024,        "subjectAltName entries kept per certificate") \
    /* files */                                                                                   \
    X(file_max_open,             "file.max-open",                           64,               "files tracked per flow") \
    /* intel */                                                                                   \
    X(intel_max_file_bytes,      "intel.max-file-size",                     1u << 30,         "bytes in one intel file") \
    X(intel_max_pattern_len,     "intel.max-pattern-length",                8192,             "characters in one STIX pattern") \
    X(intel_max_indicators,      "intel.max-indicators",                    20000000,         "indicators loaded in total") \
    /* attribution */                                                                             \
    X(attrib_incident_window_s,  "attribution.incident-window",             86400,            "seconds that link two events into one incident") \
    X(attrib_max_incidents,      "attribution.max-incidents",               100000,           "incidents tracked at once") \
    X(attrib_max_evidence,       "attribution.max-evidence",                4096,             "evidence units per incident") \
    X(attrib_max_units_total,    "attribution.max-units-total",             262144,           "evidence units held across all incidents (~1.5 KB each)") \
    /* output */                                                                                  \
    X(output_max_record,         "outputs.eve-log.max-record",              1u << 20,         "bytes in one EVE record before truncation") \
    X(output_max_string,         "outputs.eve-log.max-string",              65536,            "bytes of one string value before truncation")

typedef struct vg_limits {
#define VG_LIMIT_FIELD(field, key, def, why) uint64_t field;
    VG_LIMITS(VG_LIMIT_FIELD)
#undef VG_LIMIT_FIELD
} vg_limits_t;

/* Fill every field with its default. */
void vg_limits_defaults(vg_limits_t *l);

/* Set a limit by its YAML key; value parsed with size suffixes (kb/mb/gb),
 * booleans (yes/no/true/false) and durations in seconds.
 * Returns VG_OK, VG_DECLINED if the key is not a limit, VG_EINVAL if the
 * value does not parse (errbuf explains). */
int vg_limits_set(vg_limits_t *l, const char *key, const char *value, char *errbuf,
                  size_t errlen);

/* Parse "10mb", "1gb", "4096", "yes" into a number. VG_OK or VG_EINVAL. */
int vg_limits_parse_value(const char *value, uint64_t *out);

/* Iterate: number of limits, and the key/default/why of the i-th. */
size_t vg_limits_count(void);
const char *vg_limits_key(size_t i);
uint64_t vg_limits_get(const vg_limits_t *l, size_t i);
const char *vg_limits_why(size_t i);

#endif
