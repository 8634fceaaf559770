/* main_worker.c - what one worker does with a packet.
 *
 *   flow (vg_flow_handle_packet)
 *     -> TCP: stream (vg_stream_handle_packet) -> app (vg_app_layer_on_stream)
 *     -> UDP: app (vg_app_layer_on_udp)
 *   -> anomaly records for the decoder/stream events tagged on the packet
 *
 * App-layer events come back through worker_on_app_event (tx, file,
 * anomaly records); flows that end come back through worker_on_flow_end
 * (stream flush -> app flush -> flow record). Records are serialized into
 * the worker's own JSON writer and appended to its output buffer, which is
 * delivered in batches (to the writer thread, or straight to the sink in
 * single mode). A worker owns its flows: nothing here takes a lock.
 *
 * Modules that are not in this build (see src/main/meson.build) are
 * compiled out; vg_worker_init refuses to run without flow tracking.
 */
#include "main/main_int.h"

#include "core/core_log.h"
#ifdef VG_HAVE_APP
#include "app/app_dns.h"
#endif
#if defined(VG_HAVE_INTEL_MATCH) && defined(VG_HAVE_EVE_INTEL)
#define WORKER_INTEL 1
#include "intel/intel_match.h"
#include "output/output_eve_intel.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WORKER_OUT_BATCH (256u << 10) /* deliver once this many bytes wait */

void
vg_worker_flush(vg_worker_t *w)
{
    if (w->out_len == 0)
        return;
    w->deliver(w->deliver_user, w, w->out, w->out_len);
    w->out_len = 0;
}

void
vg_worker_emit_record(vg_worker_t *w, int eve_end_rc)
{
    if (eve_end_rc != VG_OK) {
        /* over outputs.eve-log.max-record: counted and dropped */
        vg_counter_inc(w->counters, w->c_truncated);
        return;
    }
    size_t need = w->out_len + w->jw.len + 1;
    if (need > w->out_cap) {
        size_t ncap = w->out_cap ? w->out_cap : 65536;
        while (ncap < need)
            ncap *= 2;
        char *n = realloc(w->out, ncap);
        if (n == NULL) {
            vg_counter_inc(w->counters, w->c_truncated);
            return;
        }
        w->out = n;
        w->out_cap = ncap;
    }
    memcpy(w->out + w->out_len, w->jw.buf, w->jw.len);
    w->out_len += w->jw.len;
    w->out[w->out_len++] = '\n';
    vg_counter_inc(w->counters, w->c_records);
    if (w->out_len >= WORKER_OUT_BATCH)
        vg_worker_flush(w);
}

#ifdef WORKER_INTEL
/* What the intel matcher found: one `intel` record per (indicator, where)
 * per flow (the matcher dedupes). Uses w->jw, so it must run before the
 * caller starts its own record. */
typedef struct worker_hit_ctx {
    vg_worker_t *w;
    vg_flow_t *f;
    const vg_packet_t *p;
    vg_time_us_t ts;
} worker_hit_ctx_t;

static void
worker_on_intel_hit(void *user, const vg_intel_hit_t *hit)
{
    worker_hit_ctx_t *h = user;
    vg_worker_t *w = h->w;
    if (!w->cfg->eve_enabled)
        return;
    vg_eve_begin(&w->jw, &w->cfg->eve, "intel", h->ts, h->f, h->p, VG_EVE_ADDR_FLOW);
    vg_eve_intel_object_at(&w->jw, hit->ind, hit->where, hit->value, h->ts);
    vg_worker_emit_record(w, vg_eve_end(&w->jw));
}
#endif

#ifdef VG_HAVE_APP
/* Suricata's types.dns filters: requests/responses, and `types: [a, mx]`
 * which keeps a tx when one of its query types is listed. */
static bool
worker_dns_wanted(const vg_run_cfg_t *cfg, const vg_app_event_t *ev)
{
    const vg_dns_tx_t *tx = ev->tx;
    if (tx == NULL)
        return false;
    if (tx->is_response ? !cfg->dns_responses : !cfg->dns_requests)
        return false;
    if (cfg->n_dns_types == 0)
        return true;
    for (uint16_t i = 0; i < tx->n_queries; i++) {
        const char *name = vg_dns_rrtype_name(tx->queries[i].rrtype);
        for (size_t j = 0; name != NULL && j < cfg->n_dns_types; j++)
            if (strcasecmp(name, cfg->dns_types[j]) == 0)
                return true;
    }
    return false;
}

static bool
worker_tx_enabled(const vg_eve_cfg_t *e, vg_alproto_t proto)
{
    switch (proto) {
    case VG_ALPROTO_DNS:
        return e->dns;
    case VG_ALPROTO_HTTP:
        return e->http;
    case VG_ALPROTO_TLS:
        return e->tls;
    default:
        return false;
    }
}

/* Where transactions are handled: every complete tx, finished file and
 * app-layer anomaly of this worker's flows passes here (ctx->user is the
 * worker). Intel matching plugs in here: run the matcher on the tx's
 * inspection buffers (parser->get_buffer) before the tx record is
 * written, emit intel records, and set VG_FLOW_F_ALERTED on a hit. The
 * tx is only borrowed for the duration of this call. */
static void
worker_on_app_event(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    vg_worker_t *w = ctx->user;
    const vg_run_cfg_t *cfg = w->cfg;
    const vg_eve_cfg_t *e = &cfg->eve;
    vg_flow_t *f = ctx->flow;
    const vg_packet_t *p = ctx->pkt;
    vg_time_us_t ts = p != NULL ? p->ts : w->now;

#ifdef WORKER_INTEL
    if (cfg->intel_store != NULL && f != NULL) {
        worker_hit_ctx_t h = {w, f, p, ts};
        if (ev->kind == VG_APP_EV_TX && ev->tx != NULL)
            vg_intel_check_tx(cfg->intel_store, f, vg_app_parser_get(ev->proto), ev->tx,
                              ev->proto, w->counters, worker_on_intel_hit, &h);
        else if (ev->kind == VG_APP_EV_FILE && ev->file != NULL)
            vg_intel_check_file(cfg->intel_store, f, ev->file, w->counters, worker_on_intel_hit,
                                &h);
    }
#endif
    if (!cfg->eve_enabled)
        return;
    switch (ev->kind) {
    case VG_APP_EV_TX: {
        if (!worker_tx_enabled(e, ev->proto) || ev->suppress_log)
            return;
        switch (ev->proto) {
#ifdef VG_HAVE_EVE_DNS
        case VG_ALPROTO_DNS:
            if (!worker_dns_wanted(cfg, ev))
                return;
            vg_eve_begin(&w->jw, e, "dns", ts, f, p, vg_eve_dns_addr_mode(ev));
            vg_eve_dns_tx(&w->jw, e, ev);
            break;
#endif
#ifdef VG_HAVE_EVE_HTTP
        case VG_ALPROTO_HTTP:
            vg_eve_begin(&w->jw, e, "http", ts, f, p, VG_EVE_ADDR_FLOW);
            vg_eve_http_tx(&w->jw, e, ev);
            break;
#endif
#ifdef VG_HAVE_EVE_TLS
        case VG_ALPROTO_TLS:
            vg_eve_begin(&w->jw, e, "tls", ts, f, p, VG_EVE_ADDR_FLOW);
            vg_eve_tls_tx(&w->jw, e, ev);
            break;
#endif
        default:
            return; /* no serializer for this protocol in this build */
        }
        vg_worker_emit_record(w, vg_eve_end(&w->jw));
        return;
    }
    case VG_APP_EV_FILE:
#ifdef VG_HAVE_EVE_FILEINFO
        if (!e->fileinfo)
            return;
        vg_eve_begin(&w->jw, e, "fileinfo", ts, f, p, VG_EVE_ADDR_FLOW);
        vg_eve_fileinfo(&w->jw, e, ev);
        vg_worker_emit_record(w, vg_eve_end(&w->jw));
#endif
        return;
    case VG_APP_EV_ANOMALY:
        if (!e->anomaly || !e->anomaly_applayer)
            return;
        vg_worker_emit_record(w, vg_eve_applayer_anomaly(&w->jw, e, f, p, ev));
        return;
    }
}
#endif

#if defined(VG_HAVE_STREAM) && !defined(VG_HAVE_APP)
/* No app layer in this build: reassembled bytes have no consumer. */
static void
worker_stream_sink(void *user, vg_flow_t *f, const vg_packet_t *p, int dir, const uint8_t *data,
                   uint32_t len, unsigned flags)
{
    (void)user, (void)f, (void)p, (void)dir, (void)data, (void)len, (void)flags;
}
#endif

/* A flow ends (timeout, eviction, end of run): flush its stream and app
 * state so pending transactions are logged, then log the flow record. */
static void
worker_on_flow_end(void *user, vg_flow_t *f)
{
    vg_worker_t *w = user;
    const char *tcp_state = NULL;
#ifdef VG_HAVE_STREAM
    if (f->tcp != NULL) {
        tcp_state = vg_stream_state_name(f); /* static string; survives the session */
        vg_stream_flow_end(w->stream, f, NULL);
    }
#endif
#ifdef VG_HAVE_APP
    vg_app_layer_flow_end(w->app, f, NULL);
#endif
    if (w->cfg->eve_enabled && w->cfg->eve.flow) {
        vg_worker_emit_record(w, vg_eve_flow_record(&w->jw, &w->cfg->eve, f, w->now, tcp_state));
        vg_counter_inc(w->counters, w->c_flows_logged);
    }
#ifdef WORKER_INTEL
    vg_intel_flow_free(f);
#endif
}

int
vg_worker_init(vg_worker_t *w, const vg_run_cfg_t *cfg, unsigned id,
               vg_worker_deliver_fn deliver, void *deliver_user, char *errbuf, size_t errlen)
{
    memset(w, 0, sizeof(*w));
    w->id = id;
    w->cfg = cfg;
    w->deliver = deliver;
    w->deliver_user = deliver_user;
    w->counters = calloc(1, sizeof(*w->counters));
    if (w->counters == NULL || vg_jw_init(&w->jw, cfg->limits.output_max_record) != VG_OK) {
        snprintf(errbuf, errlen, "out of memory");
        return VG_ENOMEM;
    }
    w->c_records = vg_counter_register("output.eve.records");
    w->c_truncated = vg_counter_register("output.eve.record_too_large");
    w->c_flows_logged = vg_counter_register("output.eve.flows");
#ifndef VG_HAVE_FLOW_TABLE
    snprintf(errbuf, errlen, "flow tracking is not available in this build (src/flow/flow_table.c "
             "missing)");
    return VG_EINVAL;
#else
#ifdef VG_HAVE_APP
    w->app = vg_app_layer_new(&cfg->limits, w->counters, cfg->app_enabled, worker_on_app_event, w);
    if (w->app == NULL) {
        snprintf(errbuf, errlen, "out of memory (app layer)");
        return VG_ENOMEM;
    }
#endif
#ifdef VG_HAVE_STREAM
#ifdef VG_HAVE_APP
    w->stream = vg_stream_ctx_new(&cfg->limits, w->counters, vg_app_layer_on_stream, w->app);
#else
    w->stream = vg_stream_ctx_new(&cfg->limits, w->counters, worker_stream_sink, w);
#endif
    if (w->stream == NULL) {
        snprintf(errbuf, errlen, "out of memory (stream)");
        return VG_ENOMEM;
    }
#endif
    w->flows = vg_flow_table_new(&cfg->limits, w->counters, worker_on_flow_end, w);
    if (w->flows == NULL) {
        snprintf(errbuf, errlen, "out of memory (flow table)");
        return VG_ENOMEM;
    }
    return VG_OK;
#endif
}

static void
worker_anomalies(vg_worker_t *w, const vg_packet_t *p)
{
    const vg_eve_cfg_t *e = &w->cfg->eve;
    if (!w->cfg->eve_enabled || !e->anomaly || (!e->anomaly_decode && !e->anomaly_stream))
        return;
    for (uint8_t i = 0; i < p->n_events; i++) {
        vg_decode_event_t ev = (vg_decode_event_t)p->events[i];
        bool stream = vg_decode_event_layer(ev) == VG_EV_LAYER_STREAM;
        if (stream ? !e->anomaly_stream : !e->anomaly_decode)
            continue;
        vg_worker_emit_record(w, vg_eve_packet_anomaly(&w->jw, e, p, ev,
                                                      w->cfg->anomaly_packethdr));
    }
}

#ifdef VG_HAVE_FLOW_TABLE
/* The tunnel root of a decoded tunnel packet (VXLAN's UDP/4789 carrier,
 * GRE, IP-in-IP) forms its own flow, as Suricata's FlowSetupPacket on the
 * root packet: counted and logged, no stream, no app layer
 * (suricata-verify vxlan-decoder-02/04 count the outer flows). It is kept
 * by the worker of the inner flow. */
static void
worker_root_flow(vg_worker_t *w, const vg_packet_t *p)
{
    vg_packet_t o = *p; /* a view: o.buf is not o's to free */
    o.src = p->root.src;
    o.dst = p->root.dst;
    o.sp = p->root.sp;
    o.dp = p->root.dp;
    o.proto = p->root.proto;
    o.ip_ver = p->root.ip_ver;
    o.ttl = p->root.ttl;
    o.vlan_n = p->root.vlan_n;
    o.has_eth = p->root.has_eth;
    memcpy(o.eth_src, p->root.eth_src, 6);
    memcpy(o.eth_dst, p->root.eth_dst, 6);
    o.flags = (p->flags & ~(VG_PKT_HAS_L4 | VG_PKT_FLOW_HASHED)) |
              (p->root.has_l4 ? VG_PKT_HAS_L4 : 0);
    o.recursion_level = 0;
    o.tunnel_len = 0;
    o.payload = NULL;
    o.payload_len = 0;
    o.n_events = 0;
    o.flow = NULL;
    /* flow_id comes from the packet number: the inner flow may take this
     * packet's; the root flow's id then comes from its key and time */
    o.pcap_cnt = 0;
    (void)vg_flow_handle_packet(w->flows, &o);
}
#endif

void
vg_worker_packet(vg_worker_t *w, vg_packet_t *p)
{
    w->now = p->ts;
#ifdef VG_HAVE_FLOW_TABLE
    if (p->recursion_level > 0 && p->root.ip_ver != 0 && !(p->flags & VG_PKT_INVALID))
        worker_root_flow(w, p);
    if (!(p->flags & (VG_PKT_INVALID | VG_PKT_IS_FRAGMENT)) && p->ip_ver != 0) {
        if (vg_flow_handle_packet(w->flows, p) == VG_OK && p->flow != NULL) {
#ifdef WORKER_INTEL
            vg_flow_t *f = p->flow;
            if (w->cfg->intel_store != NULL && f->pkts[0] + f->pkts[1] == 1) {
                worker_hit_ctx_t h = {w, f, p, p->ts};
                vg_intel_check_flow(w->cfg->intel_store, f, w->counters, worker_on_intel_hit,
                                    &h);
            }
#endif
            if (p->proto == VG_IPPROTO_TCP && (p->flags & VG_PKT_HAS_L4)) {
#ifdef VG_HAVE_STREAM
                (void)vg_stream_handle_packet(w->stream, p);
#endif
            } else if (p->proto == VG_IPPROTO_UDP && (p->flags & VG_PKT_HAS_L4)) {
#ifdef VG_HAVE_APP
                vg_app_layer_on_udp(w->app, p);
#endif
            }
        }
    }
#endif
    worker_anomalies(w, p);
    p->flow = NULL; /* the packet goes back to the pool; the flow stays here */
}

void
vg_worker_tick(vg_worker_t *w, vg_time_us_t now)
{
    w->now = now;
#ifdef VG_HAVE_FLOW_TABLE
    vg_flow_timeout_sweep(w->flows, now);
#endif
}

void
vg_worker_finish(vg_worker_t *w, vg_time_us_t now)
{
    w->now = now;
#ifdef VG_HAVE_FLOW_TABLE
    /* ends every flow with reason shutdown through worker_on_flow_end */
    vg_flow_table_free(w->flows);
    w->flows = NULL;
#endif
    vg_worker_flush(w);
}

void
vg_worker_fini(vg_worker_t *w)
{
#ifdef VG_HAVE_FLOW_TABLE
    if (w->flows != NULL) {
        vg_flow_table_free(w->flows);
        w->flows = NULL;
    }
#endif
#ifdef VG_HAVE_STREAM
    if (w->stream != NULL)
        vg_stream_ctx_free(w->stream);
#endif
#ifdef VG_HAVE_APP
    if (w->app != NULL)
        vg_app_layer_free(w->app);
#endif
    vg_jw_fini(&w->jw);
    free(w->out);
    free(w->counters);
    memset(w, 0, sizeof(*w));
}
