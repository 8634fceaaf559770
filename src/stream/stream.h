/* stream.h - TCP session tracking and reassembly.
 *
 * The stream stage turns TCP packets of a flow into in-order byte streams,
 * one per direction, and hands them to a consumer (the app layer) through
 * a callback. It never calls back into decode or flow.
 *
 * Delivery semantics follow Suricata in IDS mode: bytes sent in one
 * direction are delivered once they are acknowledged by the other side
 * (or at FIN/RST/flow end, when whatever is contiguous is flushed). Holes
 * that will never be filled (the peer ACKed past them, segment limit,
 * memcap, end of flow) are reported as gaps. The packet passed along with
 * each delivery is the one that caused it (for pcap_cnt/timestamps).
 */
#ifndef VG_STREAM_H
#define VG_STREAM_H

#include "core/core.h"
#include "core/core_counters.h"
#include "core/core_limits.h"
#include "decode/decode_packet.h"
#include "flow/flow.h"

/* flags on a delivery */
#define VG_STREAM_DATA   0x01   /* data/len holds in-order bytes */
#define VG_STREAM_GAP    0x02   /* `len` bytes are missing before what follows; data NULL */
#define VG_STREAM_EOF    0x04   /* direction closed (FIN/RST/flow end); no more data */
#define VG_STREAM_START  0x08   /* first delivery of this direction */
#define VG_STREAM_DEPTH  0x10   /* with EOF: stream.reassembly.depth reached, the rest is not inspected */

/* TCP session states, named as Suricata's EVE tcp.state (f->tcp_state). */
typedef enum {
    VG_TCP_NONE = 0,
    VG_TCP_SYN_SENT,
    VG_TCP_SYN_RECV,
    VG_TCP_ESTABLISHED,
    VG_TCP_FIN_WAIT1,
    VG_TCP_FIN_WAIT2,
    VG_TCP_TIME_WAIT,
    VG_TCP_LAST_ACK,
    VG_TCP_CLOSE_WAIT,
    VG_TCP_CLOSING,
    VG_TCP_CLOSED,
} vg_tcp_state_t;

/* Consumer of reassembled bytes. dir is VG_DIR_TOSERVER/TOCLIENT; `p` is
 * the packet that triggered delivery (may be a packet of the opposite
 * direction, e.g. the ACK). data is valid only during the call. */
typedef void (*vg_stream_data_cb)(void *user, vg_flow_t *f, const vg_packet_t *p, int dir,
                                  const uint8_t *data, uint32_t len, unsigned flags);

typedef struct vg_stream_ctx vg_stream_ctx_t;

/* Per-worker context. NULL on ENOMEM. */
vg_stream_ctx_t *vg_stream_ctx_new(const vg_limits_t *limits, vg_counters_t *counters,
                                   vg_stream_data_cb cb, void *user);
void vg_stream_ctx_free(vg_stream_ctx_t *s);

/* Track one TCP packet of flow p->flow (p->dir set by flow). Creates the
 * session on first use, updates TCP state (and the flow state), queues
 * payload, delivers newly in-order acknowledged bytes, and tags stream
 * anomalies on p. Returns VG_OK; VG_DECLINED if the packet is not
 * accepted (e.g. no SYN and midstream off), counted. */
int vg_stream_handle_packet(vg_stream_ctx_t *s, vg_packet_t *p);

/* The flow is ending: deliver what is contiguous in both directions,
 * report trailing gaps and EOF, then free the session (f->tcp = NULL).
 * `p` may be NULL (end of run). */
void vg_stream_flow_end(vg_stream_ctx_t *s, vg_flow_t *f, const vg_packet_t *p);

/* TCP state name as Suricata's EVE tcp.state ("established", "closed", ...).
 * Reads f->tcp_state, so it still answers after vg_stream_flow_end(). */
const char *vg_stream_state_name(const vg_flow_t *f);

/* Bytes held by the context: sessions (stream.memcap) and queued segments
 * (stream.reassembly.memcap). For stats and tests. */
uint64_t vg_stream_memuse(const vg_stream_ctx_t *s);
uint64_t vg_stream_reassembly_memuse(const vg_stream_ctx_t *s);

#endif
