/* output_eve_anomaly.c - EVE `anomaly` records: decoder and stream events
 * tagged on packets, and app-layer events from parsers, as Suricata 8.0's
 * output-json-anomaly.c writes them (one record per event). */
#include "output/output_eve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
anomaly_base64(vg_jw_t *jw, const char *key, const uint8_t *d, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    char *out = malloc(((n + 2) / 3) * 4 + 1);
    if (out == NULL)
        return;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)d[i + 1] << 8;
        if (i + 2 < n)
            v |= d[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    vg_jw_strn(jw, key, out, o);
    free(out);
}

void
vg_eve_anomaly_object(vg_jw_t *jw, const char *type, const char *event, const char *app_proto)
{
    vg_jw_open_object(jw, "anomaly");
    if (app_proto != NULL)
        vg_jw_str(jw, "app_proto", app_proto);
    vg_jw_str(jw, "type", type);
    vg_jw_str(jw, "event", event);
    if (strcmp(type, "applayer") == 0) {
        /* detection-phase events are Suricata's APPLAYER_* names */
        vg_jw_str(jw, "layer", strncmp(event, "APPLAYER_", 9) == 0 ? "proto_detect"
                                                                    : "proto_parser");
    }
    vg_jw_close_object(jw);
}

int
vg_eve_packet_anomaly(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_packet_t *p,
                      vg_decode_event_t ev, bool packethdr)
{
    bool stream = vg_decode_event_layer(ev) == VG_EV_LAYER_STREAM;
    char name[128];
    /* stream event names already carry "stream."; decoder events get "decoder." */
    snprintf(name, sizeof(name), "%s%s", stream ? "" : "decoder.", vg_decode_event_name(ev));
    vg_eve_begin(jw, cfg, "anomaly", p->ts, p->flow, p, VG_EVE_ADDR_PACKET);
    vg_jw_str(jw, "pkt_src", "wire/pcap");
    if (packethdr && p->data != NULL) {
        anomaly_base64(jw, "packet", p->data, p->caplen);
        vg_jw_open_object(jw, "packet_info");
        vg_jw_uint(jw, "linktype", (uint64_t)p->linktype);
        vg_jw_close_object(jw);
    }
    vg_eve_anomaly_object(jw, stream ? "stream" : "decode", name, NULL);
    return vg_eve_end(jw);
}

int
vg_eve_applayer_anomaly(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_flow_t *f,
                        const vg_packet_t *p, const vg_app_event_t *ev)
{
    vg_time_us_t ts = p != NULL ? p->ts : (f != NULL ? f->last : 0);
    vg_eve_begin(jw, cfg, "anomaly", ts, f, p, VG_EVE_ADDR_FLOW);
    if (ev->tx != NULL)
        vg_jw_uint(jw, "tx_id", ev->tx_id);
    const char *ap = NULL;
    switch (ev->proto) {
    case VG_ALPROTO_HTTP:
        ap = "http";
        break;
    case VG_ALPROTO_TLS:
        ap = "tls";
        break;
    case VG_ALPROTO_DNS:
        ap = "dns";
        break;
    case VG_ALPROTO_SSH:
        ap = "ssh";
        break;
    default:
        break;
    }
    vg_eve_anomaly_object(jw, "applayer", ev->anomaly ? ev->anomaly : "unknown", ap);
    return vg_eve_end(jw);
}
