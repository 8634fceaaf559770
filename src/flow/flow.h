/* flow.h - the flow record and the per-worker flow table.
 *
 * A flow is keyed by (vlan ids, proto, addresses, ports) and is
 * bidirectional: the side that sent the first packet is the client, so
 * key.src/sp are the client's ("toserver" = client -> server). A worker
 * owns its table; no locks. Lifetime: flow (STYLE.md) - the record, its
 * stream state and its app-layer state die together at timeout, eviction
 * or end of run, after the end callback has logged them.
 */
#ifndef VG_FLOW_H
#define VG_FLOW_H

#include "core/core.h"
#include "core/core_counters.h"
#include "core/core_limits.h"
#include "decode/decode_packet.h"

typedef struct vg_flow_key {
    vg_addr_t src;   /* client */
    vg_addr_t dst;   /* server */
    uint16_t sp;
    uint16_t dp;
    uint16_t vlan_id[VG_PKT_MAX_VLAN]; /* outer first; 0 = absent (as the packet's vlan_n) */
    uint8_t proto;
    uint8_t icmp_type; /* ICMP flows: type/code instead of ports (Suricata semantics) */
    uint8_t icmp_code; /* ICMP flows: first packet's code (not part of the lookup) */
    uint8_t recursion_level; /* tunnel depth (packet's recursion_level) while
                              * decoder.recursion-level.use-for-tracking, else 0 */
} vg_flow_key_t;

typedef enum {
    VG_FLOW_STATE_NEW = 0,         /* EVE flow.state "new" */
    VG_FLOW_STATE_ESTABLISHED,     /* "established" */
    VG_FLOW_STATE_CLOSED,          /* "closed" */
} vg_flow_state_t;

typedef enum {
    VG_FLOW_END_TIMEOUT = 0,       /* EVE flow.reason "timeout" */
    VG_FLOW_END_FORCED,            /* "forced": evicted (memcap/emergency) */
    VG_FLOW_END_SHUTDOWN,          /* "shutdown": end of run */
} vg_flow_end_reason_t;

/* Application protocols known to the app layer (src/app). */
typedef enum {
    VG_ALPROTO_UNKNOWN = 0,
    VG_ALPROTO_FAILED,
    VG_ALPROTO_HTTP,
    VG_ALPROTO_TLS,
    VG_ALPROTO_DNS,
    VG_ALPROTO_SSH,      /* detection only (src/app/app_ssh.c) */
    VG_ALPROTO_MAX
} vg_alproto_t;

#define VG_FLOW_F_SEEN_TOCLIENT  (1u << 0)
#define VG_FLOW_F_ALERTED        (1u << 1)
#define VG_FLOW_F_EMERGENCY      (1u << 2)
#define VG_FLOW_F_LOGGED         (1u << 3)
#define VG_FLOW_F_GAP_TS         (1u << 4)  /* stream: a gap in the toserver stream (EVE tcp.ts_gap) */
#define VG_FLOW_F_GAP_TC         (1u << 5)  /* stream: a gap in the toclient stream (EVE tcp.tc_gap) */

struct vg_tcp_session;   /* src/stream */
struct vg_app_flow;      /* src/app */

typedef struct vg_flow {
    vg_flow_key_t key;
    uint64_t flow_id;            /* EVE flow_id: stable for the flow, < 2^53 */
    uint32_t hash;               /* symmetric hash of the key */
    vg_time_us_t start;          /* first packet */
    vg_time_us_t last;           /* last packet */
    uint64_t pkts[2];            /* [VG_DIR_TOSERVER], [VG_DIR_TOCLIENT] */
    uint64_t bytes[2];           /* wire bytes incl. link header, as Suricata counts */
    uint8_t state;               /* vg_flow_state_t */
    uint8_t end_reason;          /* vg_flow_end_reason_t, set when the flow ends */
    uint8_t flags;               /* VG_FLOW_F_* */
    uint8_t ip_ver;
    uint8_t tcp_flags[2];        /* OR of TCP flags seen per direction (EVE tcp.*) */
    uint16_t alproto;            /* vg_alproto_t once detected */
    uint16_t alproto_ts;         /* detected in toserver direction */
    uint16_t alproto_tc;         /* detected in toclient direction */
    struct vg_tcp_session *tcp;  /* owned by src/stream; NULL for non-TCP */
    struct vg_app_flow *app;     /* owned by src/app; NULL until data arrives */
    void *intel;                 /* owned by src/intel (per-flow dedupe of hits) */
    char community_id[36];       /* "1:" + base64(sha1) = 30 chars; "" until computed */

    /* worker-private linkage (flow table) */
    struct vg_flow *hnext;
    struct vg_flow *lru_prev;
    struct vg_flow *lru_next;

    /* --- additions (flow owner) --- */
    struct vg_flow_table *table; /* owning table (memory accounting helper) */
    uint64_t mem_extra;          /* bytes charged by stream/app via vg_flow_mem_add */
    uint8_t icmp_type_tc;        /* first toclient ICMP packet's type/code (EVE response_icmp_*) */
    uint8_t icmp_code_tc;
    uint8_t tcp_state;           /* last TCP state set by src/stream (survives f->tcp being freed) */
    uint8_t lru_class;           /* worker-private: which timeout list the flow is on */
    uint8_t min_ttl[2];          /* per direction, for EVE ts/tc ttl fields */
    uint8_t max_ttl[2];
    uint16_t alproto_orig;       /* src/app: protocol before a protocol change (HTTP
                                  * CONNECT -> TLS); EVE flow app_proto_orig */
    /* MAC addresses seen on the flow, for EVE ether (Suricata's MacSet):
     * side VG_FLOW_MAC_SRC is the client's (toserver source, toclient
     * destination), VG_FLOW_MAC_DST the server's; each in order of first
     * sight, up to flow.max-mac-addresses. Read with vg_flow_mac(). */
    uint8_t n_macs[2];
    uint8_t mac_first[2][6];
    uint8_t *mac_more[2];        /* (max - 1) * 6 bytes, allocated at the 2nd MAC */
} vg_flow_t;

enum { VG_FLOW_MAC_SRC = 0, VG_FLOW_MAC_DST = 1 };

/* The i-th MAC (i < f->n_macs[side]) of a flow side, 6 bytes. */
static inline const uint8_t *
vg_flow_mac(const vg_flow_t *f, int side, size_t i)
{
    return i == 0 ? f->mac_first[side] : f->mac_more[side] + (i - 1) * 6;
}

typedef struct vg_flow_table vg_flow_table_t;

/* Called when a flow ends (timeout, eviction, end of run) before its memory
 * is released: the owner flushes stream/app state and logs the flow.
 * f->end_reason is set before the call. The callback must release what
 * other stages hang on the flow (vg_stream_flow_end() frees f->tcp; the
 * app layer frees f->app; intel f->intel): the flow stage does not know
 * their types and frees only the record. */
typedef void (*vg_flow_end_cb)(void *user, vg_flow_t *flow);

/* Create a worker's table. Limits are read at creation. NULL on ENOMEM. */
vg_flow_table_t *vg_flow_table_new(const vg_limits_t *limits, vg_counters_t *counters,
                                   vg_flow_end_cb on_end, void *user);
/* Ends every remaining flow with reason SHUTDOWN (calling on_end), then frees. */
void vg_flow_table_free(vg_flow_table_t *t);

/* Find or create the flow of a decoded packet (VG_PKT_HAS_L4 or plain IP),
 * update counters/timestamps/state, and set p->flow and p->dir.
 * Returns VG_OK, VG_DECLINED (packet not flow-trackable), VG_ENOMEM (memcap
 * hit and emergency eviction could not make room; counted). */
int vg_flow_handle_packet(vg_flow_table_t *t, vg_packet_t *p);

/* End flows idle past their timeout as of `now` (packet time). Cheap when
 * nothing is due; call once per packet or per batch. */
void vg_flow_timeout_sweep(vg_flow_table_t *t, vg_time_us_t now);

/* Reverse a flow's roles: the server becomes the client (Suricata's
 * FlowSwap, used when an app parser sees that the first packet was a
 * response, e.g. a DNS answer). Swaps the key's endpoints and every
 * per-direction field; the flow stays in its bucket (the hash is
 * symmetric). Only for flows without a TCP session (f->tcp == NULL): TCP
 * direction is settled by the handshake. The caller flips p->dir of the
 * packet in hand. Returns VG_OK or VG_DECLINED (TCP session present). */
int vg_flow_swap(vg_flow_t *f);

/* Mark a flow closed (FIN/RST seen both ways) so the closed timeout applies. */
void vg_flow_set_state(vg_flow_t *f, vg_flow_state_t st);

/* Number of live flows (tests, stats). */
size_t vg_flow_table_count(const vg_flow_table_t *t);

/* Memory accounting for per-flow state owned by other stages (app parsers,
 * stream): charge `n` bytes to the flow table's flow.memcap. Returns VG_OK,
 * or VG_ENOMEM (nothing charged; counted as flow.memcap) when the charge
 * would exceed the memcap: the caller must then not keep the memory.
 * Whatever is still charged when the flow is freed is released then.
 * A flow that belongs to no table (f->table NULL, e.g. unit tests) is
 * never refused. */
int vg_flow_mem_add(vg_flow_t *f, size_t n);
void vg_flow_mem_sub(vg_flow_t *f, size_t n);

/* Bytes currently charged to the table's memcap (records, buckets, extra). */
uint64_t vg_flow_table_memuse(const vg_flow_table_t *t);

/* End every flow now with reason SHUTDOWN (on_end called for each), keeping
 * the table usable. vg_flow_table_free does this too. */
void vg_flow_table_flush(vg_flow_table_t *t);

/* Symmetric hash of a packet's flow key: same value for both directions.
 * Used by the reader to pick the worker; seed fixed per run. */
uint32_t vg_flow_hash_packet(const vg_packet_t *p);

/* Community ID v1 (corelight spec) with the given seed, written into out
 * (>= 36 bytes), e.g. "1:LQU9qZlK+B5F3KDmev6m5PMibrg=". */
void vg_flow_community_id(const vg_flow_key_t *k, uint16_t seed, char *out, size_t outlen);
void vg_flow_community_id_raw(const vg_addr_t *src, const vg_addr_t *dst, uint16_t sp,
                              uint16_t dp, uint8_t proto, uint16_t seed, char *out, size_t outlen);

/* "TCP", "UDP", "ICMP", "IPv6-ICMP", ... as Suricata prints `proto`,
 * or the number as decimal text for unknown protocols. buf >= 8 bytes. */
const char *vg_flow_proto_name(uint8_t proto, char *buf, size_t buflen);

#endif
