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
    bool files_force_hash;      /* types.files.force-hash set: fileinfo logs md5/sha1/sha256 */
} vg_eve_cfg_t;

/* Where src_ip/dest_ip come from. */
typedef enum {
    VG_EVE_ADDR_PACKET = 0,     /* the packet's own direction (alerts, anomalies) */
    VG_EVE_ADDR_FLOW,           /* the flow's client -> server (flow, http, tls) */
    VG_EVE_ADDR_FLOW_REVERSE,   /* server -> client (e.g. a dns response) */
} vg_eve_addr_mode_t;

/* Open a record and write the common header fields in Suricata's order:
 * timestamp, flow_id (if f), in_iface?, pcap_cnt (if p and p->pcap_cnt),
 * event_type, (vlan), src_ip, src_port, dest_ip, dest_port, proto,
 * (icmp_type/code), (community_id if cfg->community_id and f).
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

#endif
