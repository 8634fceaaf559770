/* app_layer.c - the app-layer dispatcher: parser registry, protocol
 * detection per flow, feeding parsers, tx/flow/error counters.
 *
 * Per flow (f->app) it keeps, for each direction, the bytes seen while
 * probing (at most app-layer.probe-depth, since TCP delivery may split a
 * request anywhere) and whether detection gave up there. Once a parser
 * claims the flow, the buffered bytes are replayed to it in arrival order
 * and live data follows. Suricata semantics for "failed": UDP fails on the
 * first datagram no parser claims; TCP fails once both directions gave up
 * (probes declined, probe depth reached, gap or EOF before detection).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/app_detect.h"
#include "stream/stream.h"

/* Parsers built into this binary. HTTP and TLS live in their own
 * libraries; meson defines VG_HAVE_APP_<X> when their source exists. */
static const vg_app_parser_t *
layer_parser_table(vg_alproto_t proto)
{
    switch (proto) {
    case VG_ALPROTO_DNS:
        return &vg_app_parser_dns;
#if defined(VG_HAVE_APP_HTTP) && VG_HAVE_APP_HTTP
    case VG_ALPROTO_HTTP:
        return &vg_app_parser_http;
#endif
#if defined(VG_HAVE_APP_TLS) && VG_HAVE_APP_TLS
    case VG_ALPROTO_TLS:
        return &vg_app_parser_tls;
#endif
#if defined(VG_HAVE_APP_SSH) && VG_HAVE_APP_SSH
    case VG_ALPROTO_SSH:
        return &vg_app_parser_ssh;
#endif
    default:
        return NULL;
    }
}

const vg_app_parser_t *
vg_app_parser_get(vg_alproto_t proto)
{
    return layer_parser_table(proto);
}

const char *
vg_alproto_name(vg_alproto_t proto)
{
    switch (proto) {
    case VG_ALPROTO_HTTP: return "http";
    case VG_ALPROTO_TLS: return "tls";
    case VG_ALPROTO_DNS: return "dns";
    case VG_ALPROTO_SSH: return "ssh";
    case VG_ALPROTO_FAILED: return "failed";
    default: return "unknown";
    }
}

const char *
vg_buffer_name(vg_buffer_id_t id)
{
    static const char *const names[VG_BUF_MAX] = {
        [VG_BUF_HTTP_URI] = "http.uri",
        [VG_BUF_HTTP_URI_RAW] = "http.uri.raw",
        [VG_BUF_HTTP_METHOD] = "http.method",
        [VG_BUF_HTTP_HOST] = "http.host",
        [VG_BUF_HTTP_HOST_RAW] = "http.host.raw",
        [VG_BUF_HTTP_USER_AGENT] = "http.user_agent",
        [VG_BUF_HTTP_HEADER] = "http.header",
        [VG_BUF_HTTP_HEADER_RAW] = "http.header.raw",
        [VG_BUF_HTTP_COOKIE] = "http.cookie",
        [VG_BUF_HTTP_REQUEST_BODY] = "http.request_body",
        [VG_BUF_HTTP_STAT_CODE] = "http.stat_code",
        [VG_BUF_HTTP_STAT_MSG] = "http.stat_msg",
        [VG_BUF_HTTP_RESPONSE_HEADER] = "http.response_header",
        [VG_BUF_HTTP_RESPONSE_BODY] = "http.response_body",
        [VG_BUF_HTTP_CONTENT_TYPE] = "http.content_type",
        [VG_BUF_HTTP_REFERER] = "http.referer",
        [VG_BUF_HTTP_PROTOCOL] = "http.protocol",
        [VG_BUF_HTTP_URL_FULL] = "http.url",
        [VG_BUF_FILE_DATA] = "file.data",
        [VG_BUF_FILE_MD5] = "file.md5",
        [VG_BUF_FILE_SHA1] = "file.sha1",
        [VG_BUF_FILE_SHA256] = "file.sha256",
        [VG_BUF_DNS_QUERY] = "dns.query",
        [VG_BUF_DNS_ANSWER_NAME] = "dns.answers.rrname",
        [VG_BUF_DNS_ANSWER_ADDR] = "dns.answers.addr",
        [VG_BUF_DNS_ANSWER_DATA] = "dns.response.rrname",
        [VG_BUF_TLS_SNI] = "tls.sni",
        [VG_BUF_TLS_CERT_SUBJECT] = "tls.cert_subject",
        [VG_BUF_TLS_CERT_ISSUER] = "tls.cert_issuer",
        [VG_BUF_TLS_CERT_SERIAL] = "tls.cert_serial",
        [VG_BUF_TLS_CERT_FINGERPRINT] = "tls.cert_fingerprint",
        [VG_BUF_TLS_CERT_SHA256] = "tls.cert_sha256",
        [VG_BUF_TLS_CERT_SHA1] = "tls.cert_sha1",
        [VG_BUF_JA3_HASH] = "ja3.hash",
        [VG_BUF_JA3_STRING] = "ja3.string",
        [VG_BUF_JA3S_HASH] = "ja3s.hash",
        [VG_BUF_JA3S_STRING] = "ja3s.string",
        [VG_BUF_JA4_HASH] = "ja4.hash",
    };
    if ((unsigned)id >= VG_BUF_MAX || names[id] == NULL)
        return "unknown";
    return names[id];
}

/* ---- dispatcher ---- */

enum { DET_PROBING = 0, DET_GAVE_UP, DET_DONE };

struct vg_app_flow {
    uint8_t det[2];            /* DET_* per direction */
    uint8_t *probe_buf[2];     /* bytes seen while probing (<= app_probe_depth) */
    uint32_t probe_len[2];
    uint64_t probe_seq[2];     /* arrival order of the first buffered byte */
    const vg_app_parser_t *parser;
    void *state;
    bool parser_failed;
    bool seen_data[2];
    vg_flow_t *flow;                    /* owner, for memory accounting */
    size_t probe_charged[2];            /* bytes charged to flow.memcap (vg_flow_mem_add) */
    bool change_req;                    /* vg_app_layer_change_proto() was called */
    const vg_app_parser_t *orig_parser; /* the parser before a protocol change */
    void *orig_state;
};

/* Counter ids per protocol and transport (Suricata's names: a protocol
 * on both transports gets a _tcp/_udp suffix: app_layer.flow.dns_udp). */
typedef struct layer_ctrs {
    vg_counter_id_t flow[2], tx[2], err[2]; /* [0] tcp, [1] udp */
} layer_ctrs_t;

struct vg_app_layer {
    const vg_limits_t *limits;
    vg_counters_t *counters;
    bool enabled[VG_ALPROTO_MAX];
    void (*emit)(vg_app_ctx_t *ctx, const vg_app_event_t *ev);
    void *user;
    layer_ctrs_t ctr[VG_ALPROTO_MAX];
    vg_counter_id_t failed_tcp, failed_udp, probe_nomem;
    uint64_t seq;
};

/* The ctx handed to parsers, with a way back to the dispatcher so tx
 * events can be counted before they reach the worker. */
typedef struct layer_ctx {
    vg_app_ctx_t ctx;
    vg_app_layer_t *al;
    bool udp;
} layer_ctx_t;

static void
layer_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    layer_ctx_t *lc = (layer_ctx_t *)ctx;
    if (ev->kind == VG_APP_EV_TX && (unsigned)ev->proto < VG_ALPROTO_MAX)
        vg_counter_inc(lc->al->counters, lc->al->ctr[ev->proto].tx[lc->udp]);
    if (lc->al->emit != NULL)
        lc->al->emit(ctx, ev);
}

static void
layer_ctx_init(layer_ctx_t *lc, vg_app_layer_t *al, vg_flow_t *f, const vg_packet_t *p)
{
    lc->ctx.limits = al->limits;
    lc->ctx.counters = al->counters;
    lc->ctx.flow = f;
    lc->ctx.pkt = p;
    lc->ctx.emit = layer_emit;
    lc->ctx.user = al->user;
    lc->al = al;
    lc->udp = f->key.proto == VG_IPPROTO_UDP;
}

vg_app_layer_t *
vg_app_layer_new(const vg_limits_t *limits, vg_counters_t *counters,
                 const bool enabled[VG_ALPROTO_MAX],
                 void (*emit)(vg_app_ctx_t *ctx, const vg_app_event_t *ev), void *user)
{
    vg_app_layer_t *al = calloc(1, sizeof(*al));
    if (al == NULL)
        return NULL;
    al->limits = limits;
    al->counters = counters;
    al->emit = emit;
    al->user = user;
    char name[96];
    for (int p = VG_ALPROTO_HTTP; p < VG_ALPROTO_MAX; p++) {
        const vg_app_parser_t *ap = vg_app_parser_get((vg_alproto_t)p);
        al->enabled[p] = ap != NULL && (enabled == NULL || enabled[p]);
        if (ap == NULL)
            continue;
        for (int u = 0; u < 2; u++) {
            const char *sfx = "";
            if (ap->tcp && ap->udp)
                sfx = u ? "_udp" : "_tcp";
            snprintf(name, sizeof(name), "app_layer.flow.%s%s", ap->name, sfx);
            al->ctr[p].flow[u] = vg_counter_register(name);
            snprintf(name, sizeof(name), "app_layer.tx.%s%s", ap->name, sfx);
            al->ctr[p].tx[u] = vg_counter_register(name);
            snprintf(name, sizeof(name), "app_layer.error.%s%s.parser", ap->name, sfx);
            al->ctr[p].err[u] = vg_counter_register(name);
        }
        if (ap->register_counters != NULL)
            ap->register_counters();
    }
    al->failed_tcp = vg_counter_register("app_layer.flow.failed_tcp");
    al->failed_udp = vg_counter_register("app_layer.flow.failed_udp");
    /* probe buffer refused: malloc failure or flow.memcap */
    al->probe_nomem = vg_counter_register("app_layer.probe_nomem");
    return al;
}

void
vg_app_layer_free(vg_app_layer_t *al)
{
    free(al);
}

static struct vg_app_flow *
layer_flow(vg_flow_t *f)
{
    if (f->app == NULL) {
        f->app = calloc(1, sizeof(struct vg_app_flow));
        if (f->app != NULL)
            f->app->flow = f;
    }
    return f->app;
}

static void
layer_free_probe(struct vg_app_flow *af, int dir)
{
    free(af->probe_buf[dir]);
    af->probe_buf[dir] = NULL;
    af->probe_len[dir] = 0;
    if (af->probe_charged[dir] > 0 && af->flow != NULL && af->flow->table != NULL)
        vg_flow_mem_sub(af->flow, af->probe_charged[dir]);
    af->probe_charged[dir] = 0;
}

static void
layer_set_failed(vg_app_layer_t *al, vg_flow_t *f, struct vg_app_flow *af)
{
    layer_free_probe(af, 0);
    layer_free_probe(af, 1);
    if (af->orig_parser != NULL) {
        /* nothing recognised inside the tunnel: the flow stays what it was */
        f->alproto = f->alproto_orig;
        f->alproto_orig = VG_ALPROTO_UNKNOWN;
        if (f->alproto_ts == VG_ALPROTO_UNKNOWN)
            f->alproto_ts = f->alproto;
        if (f->alproto_tc == VG_ALPROTO_UNKNOWN)
            f->alproto_tc = f->alproto;
        af->det[0] = af->det[1] = DET_DONE;
        return;
    }
    f->alproto = VG_ALPROTO_FAILED;
    vg_counter_inc(al->counters, f->key.proto == VG_IPPROTO_UDP ? al->failed_udp : al->failed_tcp);
    layer_free_probe(af, 0);
    layer_free_probe(af, 1);
}

static void layer_switch(layer_ctx_t *lc, vg_flow_t *f, struct vg_app_flow *af);

/* The first bytes of direction `dir` once the flow's protocol was found on
 * the other side (TCP). Suricata detects each direction on its own: when
 * this side is recognised as another protocol it raises
 * APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS and keeps the protocol whose
 * parser already has data (the running one), recording this side's own
 * protocol (EVE app_proto_ts/tc); otherwise this side takes the flow's
 * protocol. The bytes are only looked at, not consumed. */
static void
layer_detect_other_dir(layer_ctx_t *lc, vg_flow_t *f, int dir, const uint8_t *data, size_t len)
{
    uint16_t *side = dir == VG_DIR_TOSERVER ? &f->alproto_ts : &f->alproto_tc;
    if (*side != VG_ALPROTO_UNKNOWN)
        return;
    vg_alproto_t proto = VG_ALPROTO_UNKNOWN;
    if (f->key.proto == VG_IPPROTO_TCP && data != NULL && len > 0 &&
        vg_app_detect(lc->al->enabled, data, len, dir, true, f->key.dp, f->key.sp, &proto) ==
            VG_OK &&
        proto != f->alproto) {
        *side = (uint16_t)proto;
        vg_app_event_t ev = {
            .kind = VG_APP_EV_ANOMALY,
            .proto = (vg_alproto_t)f->alproto,
            .dir = dir,
            .anomaly = "APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS",
        };
        layer_emit(&lc->ctx, &ev);
        return;
    }
    *side = f->alproto;
}

/* Feed the parser; count and latch a parser error; carry out a protocol
 * change the parser asked for. */
static void
layer_feed(layer_ctx_t *lc, vg_flow_t *f, struct vg_app_flow *af, int dir, const uint8_t *data,
           size_t len, unsigned flags)
{
    if (af->parser == NULL || af->state == NULL || af->parser_failed)
        return;
    int rc = af->parser->parse(&lc->ctx, af->state, dir, data, len, flags);
    if (rc < 0) {
        af->parser_failed = true;
        vg_counter_inc(lc->al->counters, lc->al->ctr[af->parser->proto].err[lc->udp]);
    }
    if (af->change_req)
        layer_switch(lc, f, af);
}

/* A parser claimed the flow: create its state and replay buffered bytes,
 * older direction first. */
static void
layer_detected(layer_ctx_t *lc, vg_flow_t *f, struct vg_app_flow *af, vg_alproto_t proto,
               int dir)
{
    vg_app_layer_t *al = lc->al;
    f->alproto = (uint16_t)proto;
    if (dir == VG_DIR_TOSERVER)
        f->alproto_ts = (uint16_t)proto;
    else
        f->alproto_tc = (uint16_t)proto;
    af->det[0] = af->det[1] = DET_DONE;
    af->parser = vg_app_parser_get(proto);
    vg_counter_inc(al->counters, al->ctr[proto].flow[lc->udp]);
    af->state = af->parser->state_new(&lc->ctx);
    if (af->state == NULL) {
        af->parser_failed = true;
        vg_counter_inc(al->counters, al->ctr[proto].err[lc->udp]);
    }
    int first = dir ^ 1;
    if (af->probe_len[first] == 0 ||
        (af->probe_len[dir] > 0 && af->probe_seq[dir] < af->probe_seq[first]))
        first = dir;
    for (int k = 0; k < 2; k++) {
        int d = k == 0 ? first : first ^ 1;
        if (af->probe_len[d] > 0) {
            if (d != dir)
                layer_detect_other_dir(lc, f, d, af->probe_buf[d], af->probe_len[d]);
            layer_feed(lc, f, af, d, af->probe_buf[d], af->probe_len[d], 0);
        }
        layer_free_probe(af, d);
    }
}

/* Append up to the probe depth to the direction's probe buffer; returns
 * how many bytes were taken. Gives the direction up on ENOMEM. */
static size_t
layer_buffer(vg_app_layer_t *al, struct vg_app_flow *af, int dir, const uint8_t *data,
             size_t len)
{
    size_t depth = (size_t)al->limits->app_probe_depth;
    size_t room = depth > af->probe_len[dir] ? depth - af->probe_len[dir] : 0;
    size_t take = VG_MIN(len, room);
    if (take == 0)
        return 0;
    /* probe buffers count against flow.memcap (flows built by hand in
     * tests have no table: nothing to charge) */
    if (af->flow != NULL && af->flow->table != NULL) {
        if (vg_flow_mem_add(af->flow, take) != VG_OK) {
            vg_counter_inc(al->counters, al->probe_nomem);
            af->det[dir] = DET_GAVE_UP;
            layer_free_probe(af, dir);
            return 0;
        }
        af->probe_charged[dir] += take;
    }
    uint8_t *nb = realloc(af->probe_buf[dir], af->probe_len[dir] + take);
    if (nb == NULL) {
        vg_counter_inc(al->counters, al->probe_nomem);
        af->det[dir] = DET_GAVE_UP;
        layer_free_probe(af, dir);
        return 0;
    }
    if (af->probe_len[dir] == 0)
        af->probe_seq[dir] = ++al->seq;
    memcpy(nb + af->probe_len[dir], data, take);
    af->probe_buf[dir] = nb;
    af->probe_len[dir] += (uint32_t)take;
    return take;
}

/* Run detection on the direction's probe buffer (TCP). True when a parser
 * claimed the flow (buffered bytes already replayed to it); otherwise the
 * direction may have given up (declined, or probe depth reached). */
static bool
layer_probe(layer_ctx_t *lc, vg_flow_t *f, struct vg_app_flow *af, int dir)
{
    vg_app_layer_t *al = lc->al;
    if (af->probe_len[dir] == 0)
        return false;
    vg_alproto_t proto = VG_ALPROTO_UNKNOWN;
    int rc = vg_app_detect(al->enabled, af->probe_buf[dir], af->probe_len[dir], dir,
                           f->key.proto == VG_IPPROTO_TCP, f->key.dp, f->key.sp, &proto);
    if (rc == VG_OK) {
        layer_detected(lc, f, af, proto, dir);
        return true;
    }
    if (rc == VG_DECLINED || af->probe_len[dir] >= al->limits->app_probe_depth) {
        af->det[dir] = DET_GAVE_UP;
        layer_free_probe(af, dir);
    }
    return false;
}

void
vg_app_layer_change_proto(vg_app_ctx_t *ctx, int dir, const uint8_t *data, size_t len)
{
    vg_flow_t *f = ctx != NULL ? ctx->flow : NULL;
    if (f == NULL || f->app == NULL || dir < 0 || dir > 1)
        return;
    struct vg_app_flow *af = f->app;
    if (af->parser == NULL || af->orig_parser != NULL || ctx->emit != layer_emit)
        return; /* not from a running parser, or a second change */
    layer_ctx_t *lc = (layer_ctx_t *)ctx;
    if (!af->change_req) {
        af->change_req = true;
        layer_free_probe(af, 0);
        layer_free_probe(af, 1);
        af->det[0] = af->det[1] = DET_PROBING;
    }
    if (data != NULL && len > 0)
        layer_buffer(lc->al, af, dir, data, len);
}

/* Carry out a requested protocol change: park the old parser, detect
 * again on what it handed back. */
static void
layer_switch(layer_ctx_t *lc, vg_flow_t *f, struct vg_app_flow *af)
{
    af->change_req = false;
    af->orig_parser = af->parser;
    af->orig_state = af->state;
    af->parser = NULL;
    af->state = NULL;
    af->parser_failed = false;
    af->seen_data[0] = af->probe_len[0] > 0;
    af->seen_data[1] = af->probe_len[1] > 0;
    f->alproto_orig = f->alproto;
    f->alproto = VG_ALPROTO_UNKNOWN;
    /* both directions are detected afresh (Suricata's
     * AppLayerProtoDetectReset), so the flow record does not show the old
     * protocol as a per-direction one */
    f->alproto_ts = VG_ALPROTO_UNKNOWN;
    f->alproto_tc = VG_ALPROTO_UNKNOWN;
    /* probe the older buffer first */
    int first = (af->probe_len[1] > 0 &&
                 (af->probe_len[0] == 0 || af->probe_seq[1] < af->probe_seq[0])) ? 1 : 0;
    for (int k = 0; k < 2 && af->parser == NULL; k++) {
        int d = k == 0 ? first : first ^ 1;
        if (af->det[d] == DET_PROBING)
            layer_probe(lc, f, af, d);
    }
}

void
vg_app_layer_on_stream(void *alv, vg_flow_t *f, const vg_packet_t *p, int dir,
                       const uint8_t *data, uint32_t len, unsigned flags)
{
    vg_app_layer_t *al = alv;
    if (al == NULL || f == NULL || dir < 0 || dir > 1)
        return;
    struct vg_app_flow *af = layer_flow(f);
    if (af == NULL)
        return;
    layer_ctx_t lc;
    layer_ctx_init(&lc, al, f, p);
    unsigned pflags = 0;
    if (flags & VG_STREAM_GAP)
        pflags |= VG_APP_GAP;
    if (flags & VG_STREAM_EOF)
        pflags |= VG_APP_EOF;
    bool has_data = (flags & VG_STREAM_GAP) == 0 && data != NULL && len > 0;

    if (af->parser != NULL) {
        if (has_data && !af->seen_data[dir])
            layer_detect_other_dir(&lc, f, dir, data, len);
        if (has_data)
            af->seen_data[dir] = true;
        if (has_data || pflags)
            layer_feed(&lc, f, af, dir, has_data ? data : NULL, (flags & VG_STREAM_GAP) ? len
                                                                : (has_data ? len : 0), pflags);
        return;
    }
    if (f->alproto == VG_ALPROTO_FAILED || af->det[dir] != DET_PROBING) {
        goto check_failed;
    }
    if (flags & VG_STREAM_GAP) {
        /* a hole before detection: this direction cannot be detected */
        af->det[dir] = DET_GAVE_UP;
        layer_free_probe(af, dir);
        goto check_failed;
    }
    if (has_data) {
        af->seen_data[dir] = true;
        size_t take = layer_buffer(al, af, dir, data, len);
        if (af->det[dir] == DET_PROBING && layer_probe(&lc, f, af, dir)) {
            if (take < len) /* bytes past the probe depth */
                layer_feed(&lc, f, af, dir, data + take, len - take, 0);
            if (pflags & VG_APP_EOF)
                layer_feed(&lc, f, af, dir, NULL, 0, VG_APP_EOF);
            return;
        }
    }
    if ((flags & VG_STREAM_EOF) && af->det[dir] == DET_PROBING) {
        af->det[dir] = DET_GAVE_UP;
        layer_free_probe(af, dir);
    }
check_failed:
    if (f->alproto == VG_ALPROTO_UNKNOWN && af->det[0] == DET_GAVE_UP &&
        af->det[1] == DET_GAVE_UP && (af->seen_data[0] || af->seen_data[1]))
        layer_set_failed(al, f, af);
}

void
vg_app_layer_on_udp(vg_app_layer_t *al, vg_packet_t *p)
{
    vg_flow_t *f = p != NULL ? p->flow : NULL;
    if (al == NULL || f == NULL || p->payload == NULL || p->payload_len == 0)
        return;
    struct vg_app_flow *af = layer_flow(f);
    if (af == NULL)
        return;
    int dir = p->dir;
    layer_ctx_t lc;
    layer_ctx_init(&lc, al, f, p);
    if (af->parser == NULL) {
        if (f->alproto == VG_ALPROTO_FAILED)
            return;
        vg_alproto_t proto = VG_ALPROTO_UNKNOWN;
        int rc = vg_app_detect(al->enabled, p->payload, p->payload_len, dir, false, f->key.dp,
                               f->key.sp, &proto);
        if (rc != VG_OK) {
            /* Suricata: UDP detection is decided on the first datagram */
            layer_set_failed(al, f, af);
            return;
        }
        layer_detected(&lc, f, af, proto, dir);
    }
    if (dir == VG_DIR_TOSERVER && f->alproto_ts == VG_ALPROTO_UNKNOWN)
        f->alproto_ts = f->alproto;
    if (dir == VG_DIR_TOCLIENT && f->alproto_tc == VG_ALPROTO_UNKNOWN)
        f->alproto_tc = f->alproto;
    layer_feed(&lc, f, af, dir, p->payload, p->payload_len, 0);
}

void
vg_app_layer_flow_end(vg_app_layer_t *al, vg_flow_t *f, const vg_packet_t *p)
{
    if (f == NULL || f->app == NULL)
        return;
    struct vg_app_flow *af = f->app;
    /* the parser before a protocol change first: its txs came first */
    if (al != NULL && af->orig_parser != NULL && af->orig_state != NULL &&
        af->orig_parser->flush != NULL) {
        layer_ctx_t lc;
        layer_ctx_init(&lc, al, f, p);
        af->orig_parser->flush(&lc.ctx, af->orig_state);
    }
    if (al != NULL && af->parser != NULL && af->state != NULL) {
        layer_ctx_t lc;
        layer_ctx_init(&lc, al, f, p);
        if (af->parser->flush != NULL)
            af->parser->flush(&lc.ctx, af->state);
    }
    if (af->orig_parser != NULL && af->orig_state != NULL)
        af->orig_parser->state_free(af->orig_state);
    if (af->parser != NULL && af->state != NULL)
        af->parser->state_free(af->state);
    layer_free_probe(af, 0);
    layer_free_probe(af, 1);
    free(af);
    f->app = NULL;
}
