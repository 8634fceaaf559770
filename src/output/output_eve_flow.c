/* output_eve_flow.c - the EVE `flow` record, as Suricata 8.0's
 * output-json-flow.c writes it: app_proto, flow {...}, tcp {...}. */
#include "output/output_eve.h"
#include "stream/stream.h"

#include <stdio.h>

static const char *
flow_state_name(uint8_t st)
{
    switch (st) {
    case VG_FLOW_STATE_NEW:
        return "new";
    case VG_FLOW_STATE_ESTABLISHED:
        return "established";
    case VG_FLOW_STATE_CLOSED:
        return "closed";
    default:
        return "new";
    }
}

static const char *
flow_reason_name(uint8_t r)
{
    switch (r) {
    case VG_FLOW_END_FORCED:
        return "forced";
    case VG_FLOW_END_SHUTDOWN:
        return "shutdown";
    default:
        return "timeout";
    }
}

static const char *
flow_alproto_name(uint16_t a)
{
    switch (a) {
    case VG_ALPROTO_HTTP:
        return "http";
    case VG_ALPROTO_TLS:
        return "tls";
    case VG_ALPROTO_DNS:
        return "dns";
    case VG_ALPROTO_SSH:
        return "ssh";
    case VG_ALPROTO_FAILED:
        return "failed";
    default:
        return NULL;
    }
}

static void
flow_hex_flags(vg_jw_t *jw, const char *key, uint8_t v)
{
    char b[4];
    snprintf(b, sizeof(b), "%02x", v);
    vg_jw_str(jw, key, b);
}

static void
flow_object(vg_jw_t *jw, const vg_flow_t *f, const char *tcp_state)
{
    const char *ap = flow_alproto_name(f->alproto);
    if (ap != NULL)
        vg_jw_str(jw, "app_proto", ap);
    /* Suricata adds the per-direction protocol only when it differs */
    const char *ap_ts = flow_alproto_name(f->alproto_ts);
    const char *ap_tc = flow_alproto_name(f->alproto_tc);
    if (ap_ts != NULL && f->alproto_ts != f->alproto)
        vg_jw_str(jw, "app_proto_ts", ap_ts);
    if (ap_tc != NULL && f->alproto_tc != f->alproto)
        vg_jw_str(jw, "app_proto_tc", ap_tc);
    /* the protocol before a protocol change (HTTP CONNECT -> TLS) */
    const char *ap_orig = flow_alproto_name(f->alproto_orig);
    if (ap_orig != NULL)
        vg_jw_str(jw, "app_proto_orig", ap_orig);

    vg_jw_open_object(jw, "flow");
    vg_jw_uint(jw, "pkts_toserver", f->pkts[VG_DIR_TOSERVER]);
    vg_jw_uint(jw, "pkts_toclient", f->pkts[VG_DIR_TOCLIENT]);
    vg_jw_uint(jw, "bytes_toserver", f->bytes[VG_DIR_TOSERVER]);
    vg_jw_uint(jw, "bytes_toclient", f->bytes[VG_DIR_TOCLIENT]);
    vg_jw_ts(jw, "start", f->start);
    vg_jw_ts(jw, "end", f->last);
    /* age in whole seconds between the truncated start and end seconds */
    int64_t age = f->last / 1000000 - f->start / 1000000;
    vg_jw_int(jw, "age", age < 0 ? 0 : age);
    if (f->flags & VG_FLOW_F_EMERGENCY)
        vg_jw_bool(jw, "emergency", true);
    vg_jw_str(jw, "state", flow_state_name(f->state));
    vg_jw_str(jw, "reason", flow_reason_name(f->end_reason));
    vg_jw_bool(jw, "alerted", (f->flags & VG_FLOW_F_ALERTED) != 0);
    vg_jw_close_object(jw);

    if (f->key.proto != VG_IPPROTO_TCP)
        return;
    uint8_t ts = f->tcp_flags[VG_DIR_TOSERVER], tc = f->tcp_flags[VG_DIR_TOCLIENT];
    uint8_t all = ts | tc;
    vg_jw_open_object(jw, "tcp");
    flow_hex_flags(jw, "tcp_flags", all);
    flow_hex_flags(jw, "tcp_flags_ts", ts);
    flow_hex_flags(jw, "tcp_flags_tc", tc);
    if (all & VG_TH_SYN)
        vg_jw_bool(jw, "syn", true);
    if (all & VG_TH_FIN)
        vg_jw_bool(jw, "fin", true);
    if (all & VG_TH_RST)
        vg_jw_bool(jw, "rst", true);
    if (all & VG_TH_PUSH)
        vg_jw_bool(jw, "psh", true);
    if (all & VG_TH_ACK)
        vg_jw_bool(jw, "ack", true);
    if (all & VG_TH_URG)
        vg_jw_bool(jw, "urg", true);
    if (all & VG_TH_ECE)
        vg_jw_bool(jw, "ecn", true);
    if (all & VG_TH_CWR)
        vg_jw_bool(jw, "cwr", true);
    if (tcp_state != NULL)
        vg_jw_str(jw, "state", tcp_state);
    vg_jw_close_object(jw);
}

void
vg_eve_flow_object(vg_jw_t *jw, const vg_flow_t *f)
{
    flow_object(jw, f, f->tcp != NULL ? vg_stream_state_name(f) : NULL);
}

int
vg_eve_flow_record(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_flow_t *f, vg_time_us_t ts,
                   const char *tcp_state)
{
    vg_eve_begin(jw, cfg, "flow", ts, f, NULL, VG_EVE_ADDR_FLOW);
    flow_object(jw, f, tcp_state);
    return vg_eve_end(jw);
}
