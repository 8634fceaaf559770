/* stream_private.h - TCP session and reassembly internals shared by
 * stream_tcp.c (state machine) and stream_reassembly.c (segment queue and
 * delivery). Not an API. */
#ifndef VG_STREAM_PRIVATE_H
#define VG_STREAM_PRIVATE_H

#include "stream/stream.h"

/* Serial-number arithmetic (RFC 1982) on 32-bit sequence numbers. */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)
#define SEQ_MAX(a, b) (SEQ_GT(a, b) ? (a) : (b))
#define SEQ_MIN(a, b) (SEQ_LT(a, b) ? (a) : (b))

/* A queued, not yet delivered piece of one direction's byte stream. */
typedef struct stream_seg {
    struct stream_seg *next;
    uint32_t seq;
    uint32_t len;
    uint8_t data[];
} stream_seg_t;

/* per-direction flags */
#define SD_F_SEEN       0x0001  /* a packet from this side was seen */
#define SD_F_BASE       0x0002  /* base_seq is known */
#define SD_F_SYN        0x0004  /* SYN seen from this side */
#define SD_F_FIN        0x0008  /* FIN seen (fin_seq valid) */
#define SD_F_RST        0x0010
#define SD_F_STARTED    0x0020  /* first delivery done (VG_STREAM_START sent) */
#define SD_F_EOF        0x0040  /* EOF delivered: nothing more for this side */
#define SD_F_DEPTH      0x0080  /* reassembly depth reached */
#define SD_F_WSCALE     0x0100  /* this side offered window scaling */
#define SD_F_NEXTWIN    0x0200  /* next_win valid */
#define SD_F_TS         0x0400  /* last_ts valid (this side sends TCP timestamps) */
#define SD_F_ZERO_TS    0x0800  /* its SYN carried tsval 0: timestamps not checked */
#define SD_F_RST_RECV   0x1000  /* this side was sent a MD5/AO-signed RST (unverifiable) */

typedef struct stream_dir {
    uint32_t isn;
    uint32_t base_seq;   /* first byte not yet delivered */
    uint32_t next_seq;   /* end of the highest data (or SYN/FIN) sent */
    uint32_t last_ack;   /* highest ACK the peer sent for this side's data */
    uint32_t next_win;   /* highest seq the peer's window allows this side */
    uint32_t fin_seq;    /* seq of the FIN */
    uint32_t window;     /* window this side advertises (scaled) */
    uint16_t flags;      /* SD_F_* */
    uint8_t wscale;      /* shift this side announced */
    uint32_t last_ts;    /* highest valid TSval seen from this side */
    vg_time_us_t last_ts_time; /* packet time of that TSval (PAWS 24-day rule) */
    uint32_t nsegs;
    uint64_t delivered;  /* bytes delivered incl. gaps (depth accounting) */
    stream_seg_t *segs;  /* sorted by seq, non-overlapping */
    stream_seg_t *tail;  /* last of segs: in-order data appends in O(1) */
} stream_dir_t;

#define SSN_F_MIDSTREAM 0x01
#define SSN_F_WSCALE    0x02  /* both sides offered window scaling */
#define SSN_F_ASYNC     0x04  /* only one side is visible (async-oneside) */
#define SSN_F_TFO       0x08  /* the SYN carried data (TCP Fast Open) */
#define SSN_F_TIMESTAMP 0x10  /* both sides use TCP timestamps: PAWS checks apply */

struct vg_tcp_session {
    uint8_t state;        /* vg_tcp_state_t */
    uint8_t flags;        /* SSN_F_* */
    uint8_t pstate;       /* state before a RST closed the session (resumable RST) */
    stream_dir_t d[2];    /* [VG_DIR_TOSERVER] client's bytes, [VG_DIR_TOCLIENT] server's */
};

struct vg_stream_ctx {
    vg_counters_t *ctr;
    vg_stream_data_cb cb;
    void *user;
    uint64_t memcap;        /* sessions */
    uint64_t ra_memcap;     /* segments */
    uint64_t mem;
    uint64_t ra_mem;
    uint64_t depth;         /* 0: unlimited */
    uint64_t max_segs;
    bool midstream;
    bool async_oneside;

    vg_counter_id_t c_sessions, c_ssn_memcap_drop, c_syn, c_synack, c_rst, c_pseudo,
        c_invalid_checksum, c_midstream_pickups, c_reassembly_gap, c_overlap, c_overlap_diff,
        c_insert_fail, c_segment_memcap_drop, c_ra_memcap, c_depth_reached, c_ack_unseen,
        c_no_session, c_max_segs, c_invalid_ack, c_retrans, c_rst_invalid, c_invalid_ts;

    /* Spare full-size segments (stream_reassembly.c, RA_POOL_*): bulk data
     * arrives in ~MSS-sized pieces, too big for glibc's per-thread cache, so
     * malloc/free per segment was ~6% of all instructions. */
    stream_seg_t *seg_pool;
    uint32_t seg_pool_n;
};

/* --- stream_reassembly.c --- */

/* Free the context's spare segments (vg_stream_ctx_free). */
void stream_ra_pool_free(vg_stream_ctx_t *s);

/* Queue payload [seq, seq+len) of direction `dir`: the parts already
 * delivered or already queued are dropped (first data wins; differing
 * bytes raise stream.reassembly_overlap_different_data on p). Enforces
 * max-segments (forcing delivery) and the reassembly memcap. */
void stream_ra_insert(vg_stream_ctx_t *s, vg_flow_t *f, vg_packet_t *p, int dir, uint32_t seq,
                      const uint8_t *data, uint32_t len);

/* Deliver direction `dir` up to (not including) sequence `upto`: queued
 * bytes in order, holes as gaps. With `eof`, EOF is signalled afterwards.
 * `p` is the triggering packet passed to the consumer (NULL at end of
 * run); `evp` is the same packet when events may be tagged on it, or NULL. */
void stream_ra_deliver(vg_stream_ctx_t *s, vg_flow_t *f, const vg_packet_t *p, vg_packet_t *evp,
                       int dir, uint32_t upto, bool eof);

/* Deliver everything queued for `dir` (holes become gaps), then EOF when
 * `eof` is set. */
void stream_ra_flush(vg_stream_ctx_t *s, vg_flow_t *f, const vg_packet_t *p, vg_packet_t *evp,
                     int dir, bool eof);

/* Free the queued segments of one direction. */
void stream_ra_free(vg_stream_ctx_t *s, stream_dir_t *d);

#endif
