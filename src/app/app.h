/* app.h - the application layer: protocol detection, parsers, transactions
 * and inspection buffers.
 *
 * Data arrives from the stream stage (TCP, in order, per direction) or
 * straight from the worker (UDP, one datagram at a time). The dispatcher
 * (app_layer.c) detects the protocol by content (probing parsers on the
 * first bytes of each direction, port hint as fallback), then feeds a
 * parser. Parsers are resumable state machines: they keep what they need
 * across calls, never look past `len`, and turn malformed input into
 * anomaly events, never crashes.
 *
 * When a transaction is complete (or the flow ends), the parser hands it
 * to ctx->emit(); the worker then runs detection/intel on the tx's
 * inspection buffers and writes its EVE record. The tx is only borrowed
 * for the duration of emit(); the parser frees it afterwards.
 */
#ifndef VG_APP_H
#define VG_APP_H

#include "core/core.h"
#include "core/core_counters.h"
#include "core/core_limits.h"
#include "decode/decode_packet.h"
#include "flow/flow.h"

/* Inspection buffers: names and semantics as Suricata's sticky buffers. */
typedef enum {
    VG_BUF_HTTP_URI = 0,        /* http.uri (normalized) */
    VG_BUF_HTTP_URI_RAW,        /* http.uri.raw */
    VG_BUF_HTTP_METHOD,
    VG_BUF_HTTP_HOST,           /* http.host (normalized: lowercase, no port) */
    VG_BUF_HTTP_HOST_RAW,
    VG_BUF_HTTP_USER_AGENT,
    VG_BUF_HTTP_HEADER,         /* normalized request headers "Name: value\r\n"... */
    VG_BUF_HTTP_HEADER_RAW,
    VG_BUF_HTTP_COOKIE,
    VG_BUF_HTTP_REQUEST_BODY,
    VG_BUF_HTTP_STAT_CODE,
    VG_BUF_HTTP_STAT_MSG,
    VG_BUF_HTTP_RESPONSE_HEADER,
    VG_BUF_HTTP_RESPONSE_BODY,  /* == file.data for HTTP (decompressed) */
    VG_BUF_HTTP_CONTENT_TYPE,
    VG_BUF_HTTP_REFERER,
    VG_BUF_HTTP_PROTOCOL,
    VG_BUF_HTTP_URL_FULL,       /* "http://host/uri" for intel URL matching */
    VG_BUF_FILE_DATA,
    VG_BUF_FILE_MD5,            /* raw digests of a transferred body */
    VG_BUF_FILE_SHA1,
    VG_BUF_FILE_SHA256,
    VG_BUF_DNS_QUERY,           /* dns.query: each question name (index = question #) */
    VG_BUF_DNS_ANSWER_NAME,     /* each answer rrname */
    VG_BUF_DNS_ANSWER_ADDR,     /* each A/AAAA answer: 4 or 16 raw bytes */
    VG_BUF_DNS_ANSWER_DATA,     /* each CNAME/NS/PTR/MX target name */
    VG_BUF_TLS_SNI,
    VG_BUF_TLS_CERT_SUBJECT,
    VG_BUF_TLS_CERT_ISSUER,
    VG_BUF_TLS_CERT_SERIAL,
    VG_BUF_TLS_CERT_FINGERPRINT, /* "aa:bb:..." SHA-1 of the leaf, as Suricata */
    VG_BUF_TLS_CERT_SHA256,      /* raw SHA-256 of each cert (index = chain position) */
    VG_BUF_TLS_CERT_SHA1,        /* raw SHA-1 of each cert */
    VG_BUF_JA3_HASH,
    VG_BUF_JA3_STRING,
    VG_BUF_JA3S_HASH,
    VG_BUF_JA3S_STRING,
    VG_BUF_JA4_HASH,
    VG_BUF_MAX
} vg_buffer_id_t;

/* Suricata's buffer name for a buffer id ("http.uri"). */
const char *vg_buffer_name(vg_buffer_id_t id);

/* What a parser hands to ctx->emit(). */
typedef enum {
    VG_APP_EV_TX = 1,      /* a complete (or final) transaction: log it */
    VG_APP_EV_FILE,        /* a finished file (HTTP body): fileinfo record */
    VG_APP_EV_ANOMALY,     /* an app-layer anomaly (EVE anomaly.type "applayer") */
} vg_app_event_kind_t;

struct vg_app_ctx;

typedef struct vg_app_event {
    vg_app_event_kind_t kind;
    vg_alproto_t proto;
    int dir;                 /* direction that completed it */
    uint64_t tx_id;          /* 0-based per flow per protocol, as Suricata's tx_id */
    const void *tx;          /* protocol's tx struct (TX, ANOMALY: may be NULL) */
    const void *file;        /* vg_app_file_t for FILE */
    const char *anomaly;     /* ANOMALY: Suricata event name, e.g. "request_header_invalid" */
    bool suppress_log;       /* TX: inspect, but write no EVE record (Suricata's logger
                              * would skip it, e.g. TLS without certificate) */
} vg_app_event_t;

/* Which digests of a file are computed / valid (vg_app_file_t.digests). */
enum {
    VG_FILE_DIGEST_MD5 = 1u << 0,
    VG_FILE_DIGEST_SHA1 = 1u << 1,
    VG_FILE_DIGEST_SHA256 = 1u << 2,
    VG_FILE_DIGEST_ALL = (1u << 3) - 1u,
};

/* A transferred body (fileinfo). Owned by the parser. */
typedef struct vg_app_file {
    const char *filename;     /* as Suricata: the URI path for HTTP */
    size_t filename_len;
    uint64_t size;
    bool complete;            /* state CLOSED vs TRUNCATED */
    bool gaps;
    uint8_t md5[16];
    uint8_t sha1[20];
    uint8_t sha256[32];
    uint8_t digests;          /* VG_FILE_DIGEST_* bits: which of md5/sha1/sha256 are valid */
    const char *magic;        /* NULL unless libmagic-like detection */
    uint32_t file_id;         /* per flow, from 1 */
    const void *tx;           /* the tx it belongs to (for the http object in fileinfo) */
    uint64_t tx_id;
} vg_app_file_t;

/* Worker-provided context passed to every parser call. */
typedef struct vg_app_ctx {
    const vg_limits_t *limits;
    vg_counters_t *counters;
    vg_flow_t *flow;
    const vg_packet_t *pkt;  /* packet that delivered the data; may be NULL at end of run */
    void (*emit)(struct vg_app_ctx *ctx, const vg_app_event_t *ev);
    void *user;              /* the worker */
} vg_app_ctx_t;

/* Flags for parse(). */
#define VG_APP_GAP 0x01   /* `len` bytes missing here; data is NULL */
#define VG_APP_EOF 0x02   /* this direction ended (data may also be present) */

/* A protocol parser. One static instance per protocol. */
typedef struct vg_app_parser {
    vg_alproto_t proto;
    const char *name;          /* "http", "tls", "dns": EVE app_proto and config key */
    bool tcp;                  /* runs over TCP */
    bool udp;                  /* runs over UDP */
    uint16_t ports[4];         /* port hints (0 = unused) */

    /* Look at the first bytes of one direction. VG_OK: this protocol;
     * VG_DECLINED: not this protocol; VG_AGAIN: cannot tell yet. `dir` says
     * which side sent the bytes. Must not keep pointers. */
    int (*probe)(const uint8_t *data, size_t len, int dir, bool is_tcp);

    /* Per-flow state. NULL on ENOMEM (counted by caller). */
    void *(*state_new)(vg_app_ctx_t *ctx);
    void (*state_free)(void *state);

    /* Feed bytes of one direction (TCP: in order; UDP: one datagram).
     * Returns VG_OK; VG_EINVAL when the parser cannot go on for this flow
     * (it has already emitted an anomaly and whatever txs it could). */
    int (*parse)(vg_app_ctx_t *ctx, void *state, int dir, const uint8_t *data, size_t len,
                 unsigned flags);

    /* Flow end: emit every tx still pending (incomplete ones included,
     * as Suricata logs them at flow end). */
    void (*flush)(vg_app_ctx_t *ctx, void *state);

    /* Inspection buffer `id`, instance `index` (0..n-1) of a tx. VG_OK with
     * data/len set, or VG_DECLINED when the tx has no such buffer/index. */
    int (*get_buffer)(const void *tx, vg_buffer_id_t id, uint32_t index, const uint8_t **data,
                      uint32_t *len);

    /* Register this parser's counters (called once at startup). */
    void (*register_counters)(void);
} vg_app_parser_t;

/* Parsers provided by src/app/app_<proto>.c */
extern const vg_app_parser_t vg_app_parser_dns;
extern const vg_app_parser_t vg_app_parser_http;
extern const vg_app_parser_t vg_app_parser_tls;
extern const vg_app_parser_t vg_app_parser_ssh; /* detection only */

/* The parser of a protocol, or NULL. */
const vg_app_parser_t *vg_app_parser_get(vg_alproto_t proto);
/* "http", "tls", "dns", "failed", "unknown". */
const char *vg_alproto_name(vg_alproto_t proto);

/* ---- dispatcher (app_layer.c) ---- */

typedef struct vg_app_layer vg_app_layer_t;

/* Per-worker dispatcher. enabled[proto] from app-layer.protocols.*.enabled. */
vg_app_layer_t *vg_app_layer_new(const vg_limits_t *limits, vg_counters_t *counters,
                                 const bool enabled[VG_ALPROTO_MAX],
                                 void (*emit)(vg_app_ctx_t *ctx, const vg_app_event_t *ev),
                                 void *user);
void vg_app_layer_free(vg_app_layer_t *al);

/* Stream delivery (signature matches vg_stream_data_cb; pass the app layer
 * as `user`). Detects the protocol and feeds the parser. */
void vg_app_layer_on_stream(void *al, vg_flow_t *f, const vg_packet_t *p, int dir,
                            const uint8_t *data, uint32_t len, unsigned flags);

/* A UDP datagram of flow p->flow. */
void vg_app_layer_on_udp(vg_app_layer_t *al, vg_packet_t *p);

/* Flow end: flush the parser (emitting pending txs) and free app state. */
void vg_app_layer_flow_end(vg_app_layer_t *al, vg_flow_t *f, const vg_packet_t *p);

/* Protocol change (e.g. HTTP CONNECT answered 2xx, then TLS inside), as
 * Suricata's protocol change: called by the running parser from inside its
 * parse() when the bytes `data`/`len` of direction `dir`, and every later
 * byte of the flow in both directions, are no longer its protocol. Once
 * parse() returns, the dispatcher runs detection again on them (data is
 * copied, up to app-layer.probe-depth); the old parser gets no more bytes
 * but keeps its state until flow end (pending txs are flushed then).
 * f->alproto_orig keeps the old protocol; if nothing is detected the flow
 * keeps its old app_proto. At most one change per flow. */
void vg_app_layer_change_proto(vg_app_ctx_t *ctx, int dir, const uint8_t *data, size_t len);

#endif
