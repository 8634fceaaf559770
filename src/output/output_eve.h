/* output_eve.h - EVE JSON records, field for field as Suricata 8.0 writes
 * them (schema: ../shared/corpora/suricata-verify/suricata-8.0/eve-schema.json).
 *
 * Output only serializes: the pipeline decides what happened, these
 * functions turn it into JSON text in a vg_jw_t; a sink (file, unix
 * socket, redis) writes finished lines, one record per line.
 */
#ifndef VG_OUTPUT_EVE_H
#define VG_OUTPUT_EVE_H

#include "core/core.h"
#include "output/output_json.h"
#include "decode/decode_packet.h"
#include "flow/flow.h"
#include "app/app.h"

/* Which EVE types are on (outputs.eve-log.types) and their options. */
typedef struct vg_eve_cfg {
    bool community_id;          /* outputs.eve-log.community-id */
    uint16_t community_id_seed; /* outputs.eve-log.community-id-seed */
    bool flow, netflow, dns, http, tls, fileinfo, anomaly, stats, alert, intel, attribution;
    bool anomaly_decode, anomaly_stream, anomaly_applayer; /* anomaly.types.* */
    bool http_extended;         /* types.http.extended */
    bool tls_extended;          /* types.tls.extended */
    bool stats_totals, stats_threads, stats_deltas;
    bool dns_v3_grouped;        /* dns formats: detailed + grouped, as in suricata.yaml */
    unsigned files_force_hash;  /* types.files.force-hash: VG_FILE_DIGEST_* bits fileinfo logs */
    uint8_t http_dump_headers;  /* types.http.dump-all-headers: bit 0 request, bit 1 response */
    /* tls: types.tls.custom as VG_EVE_TLS_F_* bits (0 = not set: basic or
     * extended from tls_extended); JA3 is logged only when
     * app-layer.protocols.tls.ja3-fingerprints is on (tls_ja3); JA4 unless
     * ja4-fingerprints is off (tls_no_ja4); session-resumption logging is
     * on unless tls_no_session_resumption. */
    uint64_t tls_custom;
    bool tls_ja3, tls_no_ja4, tls_no_session_resumption;
    bool ethernet;              /* outputs.eve-log.ethernet: the "ether" object */
} vg_eve_cfg_t;

/* types.tls.custom field names (Suricata 8 output-json-tls.c). */
#define VG_EVE_TLS_F_VERSION          (1ull << 0)
#define VG_EVE_TLS_F_SUBJECT          (1ull << 1)
#define VG_EVE_TLS_F_ISSUER           (1ull << 2)
#define VG_EVE_TLS_F_SERIAL           (1ull << 3)
#define VG_EVE_TLS_F_FINGERPRINT      (1ull << 4)
#define VG_EVE_TLS_F_NOTBEFORE        (1ull << 5)
#define VG_EVE_TLS_F_NOTAFTER         (1ull << 6)
#define VG_EVE_TLS_F_SNI              (1ull << 7)
#define VG_EVE_TLS_F_CERTIFICATE      (1ull << 8)
#define VG_EVE_TLS_F_CHAIN            (1ull << 9)
#define VG_EVE_TLS_F_SESSION_RESUMED  (1ull << 10)
#define VG_EVE_TLS_F_JA3              (1ull << 11)
#define VG_EVE_TLS_F_JA3S             (1ull << 12)
#define VG_EVE_TLS_F_CLIENT           (1ull << 13)
#define VG_EVE_TLS_F_CLIENT_CERT      (1ull << 14)
#define VG_EVE_TLS_F_CLIENT_CHAIN     (1ull << 15)
#define VG_EVE_TLS_F_JA4              (1ull << 16)
#define VG_EVE_TLS_F_SUBJECTALTNAME   (1ull << 17)
#define VG_EVE_TLS_F_CLIENT_ALPNS     (1ull << 18)
#define VG_EVE_TLS_F_SERVER_ALPNS     (1ull << 19)
#define VG_EVE_TLS_F_CLIENT_HANDSHAKE (1ull << 20)
#define VG_EVE_TLS_F_SERVER_HANDSHAKE (1ull << 21)

/* Bit of a types.tls.custom name ("subject", "not_before", ...), case
 * insensitive; 0 for an unknown name (Suricata warns and ignores it). */
uint64_t vg_eve_tls_custom_field(const char *name);

/* Where src_ip/dest_ip come from. */
typedef enum {
    VG_EVE_ADDR_PACKET = 0,     /* the packet's own direction (alerts, anomalies) */
    VG_EVE_ADDR_FLOW,           /* the flow's client -> server (flow, http, tls) */
    VG_EVE_ADDR_FLOW_REVERSE,   /* server -> client (e.g. a dns response) */
} vg_eve_addr_mode_t;

/* Open a record and write the common header fields in Suricata's order:
 * timestamp, flow_id (if f), in_iface?, pcap_cnt (if p and p->pcap_cnt),
 * event_type, (vlan), src_ip, src_port, dest_ip, dest_port, proto,
 * (icmp_type/code), (community_id if cfg->community_id and f),
 * (ether if cfg->ethernet: src_mac/dest_mac of the packet, oriented as the
 * addresses; for a flow record without packet, src_macs/dest_macs).
 * The object stays open: the caller adds its fields and calls
 * vg_eve_end(). `ts` is the record's time (packet time, or flow end). */
void vg_eve_begin(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const char *event_type, vg_time_us_t ts,
                  const vg_flow_t *f, const vg_packet_t *p, vg_eve_addr_mode_t mode);
/* Close the record; VG_OK if it is complete and within the size cap. */
int vg_eve_end(vg_jw_t *jw);

/* Records and objects. Each writes into an open record. */
void vg_eve_flow_object(vg_jw_t *jw, const vg_flow_t *f);          /* "app_proto", "flow": {...}, "tcp": {...} */
void vg_eve_anomaly_object(vg_jw_t *jw, const char *type, const char *event, const char *app_proto);

/* Per-protocol transaction objects ("dns": {...}, "http": {...}, "tls": {...}),
 * implemented beside each parser in output_eve_<proto>.c. `ev` is what
 * the parser emitted. They may add top-level keys (e.g. tx_id) before the
 * object. */
void vg_eve_dns_tx(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_app_event_t *ev);
void vg_eve_http_tx(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_app_event_t *ev);
void vg_eve_tls_tx(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_app_event_t *ev);
/* fileinfo: "http": {...} of the owning tx, "app_proto", "fileinfo": {...} */
void vg_eve_fileinfo(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_app_event_t *ev);

/* Which address mode a protocol's tx record uses for this event (DNS
 * responses are logged server -> client; the rest client -> server). */
vg_eve_addr_mode_t vg_eve_dns_addr_mode(const vg_app_event_t *ev);

/* ---- whole records written by the pipeline (output_eve_flow.c,
 * output_eve_anomaly.c, output_eve_stats.c). Each resets jw, writes one
 * complete record and returns vg_eve_end()'s result. ---- */

/* A flow record at time `ts` (when it is logged). tcp_state is the
 * session's tcp.state captured before the stream state was freed (NULL:
 * no tcp.state field). */
int vg_eve_flow_record(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_flow_t *f, vg_time_us_t ts,
                       const char *tcp_state);

/* One anomaly record for decoder/stream event `ev` tagged on packet p
 * (p->flow may be NULL). packethdr adds "packet"/"packet_info". */
int vg_eve_packet_anomaly(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_packet_t *p,
                          vg_decode_event_t ev, bool packethdr);

/* An app-layer anomaly record (anomaly.type "applayer"). */
int vg_eve_applayer_anomaly(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_flow_t *f,
                            const vg_packet_t *p, const vg_app_event_t *ev);

/* The stats record: every registered counter of `c`, nested by its dotted
 * name under "stats", plus stats.uptime (seconds). */
int vg_eve_stats_record(vg_jw_t *jw, const vg_eve_cfg_t *cfg, vg_time_us_t ts,
                        const vg_counters_t *c, uint64_t uptime_s);

#endif
