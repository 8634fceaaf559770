/* stream_reassembly.c - per-direction segment queue and in-order delivery.
 *
 * Each direction keeps the bytes it has sent but the consumer has not yet
 * received, as a sorted list of non-overlapping segments (copies: packets
 * do not outlive their processing). New data only fills what is missing:
 * the first copy of a byte wins (BSD-like "first" policy for IDS use), and
 * a retransmission carrying different bytes raises
 * stream.reassembly_overlap_different_data. Delivery walks the list from
 * base_seq; a hole before the delivery limit is reported as a gap.
 *
 * Bounds: segments per direction (stream.reassembly.max-segments: when
 * reached, everything queued is delivered at once, holes as gaps), bytes
 * per context (stream.reassembly.memcap: the new data is dropped and
 * counted), and the reassembly depth (past it nothing is queued).
 */
#include "stream/stream_private.h"

#include <stdlib.h>
#include <string.h>

static void
ra_ev(vg_packet_t *evp, vg_decode_event_t ev)
{
    if (evp != NULL)
        vg_packet_add_event(evp, ev);
}

/* Segments whose length is in (RA_POOL_MIN, RA_POOL_DATA] get a block of
 * RA_POOL_DATA data bytes, and go back to a per-context free list (at most
 * RA_POOL_MAX blocks, ~1 MiB) instead of free(). A segment's len never
 * changes after it is made, so len alone tells which blocks are pooled.
 * Memory accounting (ra_mem, the memcap) still counts sizeof + len: pooled
 * blocks are at most 2x that, and only for segments over RA_POOL_MIN. */
#define RA_POOL_MIN 1024u
#define RA_POOL_DATA 2048u
#define RA_POOL_MAX 512u

static bool
ra_pooled(uint32_t len)
{
    return len > RA_POOL_MIN && len <= RA_POOL_DATA;
}

static stream_seg_t *
ra_seg_alloc(vg_stream_ctx_t *s, uint32_t len)
{
    if (!ra_pooled(len))
        return malloc(sizeof(stream_seg_t) + len);
    stream_seg_t *seg = s->seg_pool;
    if (seg != NULL) {
        s->seg_pool = seg->next;
        s->seg_pool_n--;
        return seg;
    }
    return malloc(sizeof(stream_seg_t) + RA_POOL_DATA);
}

static void
ra_seg_free(vg_stream_ctx_t *s, stream_dir_t *d, stream_seg_t *seg)
{
    s->ra_mem -= VG_MIN(s->ra_mem, sizeof(*seg) + seg->len);
    d->nsegs--;
    if (ra_pooled(seg->len) && s->seg_pool_n < RA_POOL_MAX) {
        seg->next = s->seg_pool;
        s->seg_pool = seg;
        s->seg_pool_n++;
        return;
    }
    free(seg);
}

void
stream_ra_pool_free(vg_stream_ctx_t *s)
{
    while (s->seg_pool != NULL) {
        stream_seg_t *n = s->seg_pool->next;
        free(s->seg_pool);
        s->seg_pool = n;
    }
    s->seg_pool_n = 0;
}

void
stream_ra_free(vg_stream_ctx_t *s, stream_dir_t *d)
{
    while (d->segs != NULL) {
        stream_seg_t *n = d->segs->next;
        ra_seg_free(s, d, d->segs);
        d->segs = n;
    }
    d->tail = NULL;
}

#ifdef VG_DEBUG
/* Queue invariants (debug/fuzz builds): sorted, non-overlapping, no fully
 * delivered segment left, count and tail right. */
static void
ra_check(const stream_dir_t *d)
{
    uint32_t n = 0;
    const stream_seg_t *last = NULL;
    for (const stream_seg_t *g = d->segs; g != NULL; g = g->next) {
        VG_ALWAYS(g->len > 0);
        /* the head may be partly delivered, but never entirely */
        VG_ALWAYS(SEQ_GT(g->seq + g->len, d->base_seq));
        if (last != NULL)
            VG_ALWAYS(SEQ_GEQ(g->seq, last->seq + last->len));
        last = g;
        n++;
    }
    VG_ALWAYS(n == d->nsegs);
    VG_ALWAYS(last == d->tail);
}
#else
#define ra_check(d) ((void)0)
#endif

/* Drop the head segment (fully delivered or stale). */
static void
ra_pop(vg_stream_ctx_t *s, stream_dir_t *d)
{
    stream_seg_t *seg = d->segs;
    d->segs = seg->next;
    if (d->segs == NULL)
        d->tail = NULL;
    ra_seg_free(s, d, seg);
}

/* Hand one piece to the consumer, adding START on the first call. */
static void
ra_emit(vg_stream_ctx_t *s, vg_flow_t *f, const vg_packet_t *p, stream_dir_t *d, int dir,
        const uint8_t *data, uint32_t len, unsigned flags)
{
    if (!(d->flags & SD_F_STARTED)) {
        flags |= VG_STREAM_START;
        d->flags |= SD_F_STARTED;
    }
    if (flags & VG_STREAM_EOF)
        d->flags |= SD_F_EOF;
    if (s->cb)
        s->cb(s->user, f, p, dir, data, len, flags);
}

/* Depth reached: stop this direction for good. */
static void
ra_depth_reached(vg_stream_ctx_t *s, vg_flow_t *f, const vg_packet_t *p, vg_packet_t *evp,
                 stream_dir_t *d, int dir)
{
    d->flags |= SD_F_DEPTH;
    stream_ra_free(s, d);
    vg_counter_inc(s->ctr, s->c_depth_reached);
    ra_ev(evp, VG_EV_STREAM_REASSEMBLY_DEPTH_REACHED);
    ra_emit(s, f, p, d, dir, NULL, 0, VG_STREAM_EOF | VG_STREAM_DEPTH);
}

void
stream_ra_deliver(vg_stream_ctx_t *s, vg_flow_t *f, const vg_packet_t *p, vg_packet_t *evp,
                  int dir, uint32_t upto, bool eof)
{
    stream_dir_t *d = &f->tcp->d[dir];
    if (d->flags & SD_F_EOF)
        return;
    while ((d->flags & SD_F_BASE) && SEQ_LT(d->base_seq, upto)) {
        uint64_t room = UINT64_MAX;
        if (s->depth) {
            if (d->delivered >= s->depth) {
                ra_depth_reached(s, f, p, evp, d, dir);
                return;
            }
            room = s->depth - d->delivered;
        }
        stream_seg_t *seg = d->segs;
        if (seg != NULL && SEQ_LEQ(seg->seq, d->base_seq)) {
            uint32_t off = d->base_seq - seg->seq;
            if (VG_NEVER(off >= seg->len)) { /* queue invariant broken: drop the stale seg */
                ra_pop(s, d);
                continue;
            }
            uint32_t n = VG_MIN(seg->len - off, upto - d->base_seq);
            n = (uint32_t)VG_MIN((uint64_t)n, room);
            ra_emit(s, f, p, d, dir, seg->data + off, n, VG_STREAM_DATA);
            d->base_seq += n;
            d->delivered += n;
            if (off + n == seg->len)
                ra_pop(s, d);
        } else {
            uint32_t hole_end = seg != NULL ? SEQ_MIN(seg->seq, upto) : upto;
            uint32_t n = hole_end - d->base_seq;
            n = (uint32_t)VG_MIN((uint64_t)n, room);
            vg_counter_inc(s->ctr, s->c_reassembly_gap);
            ra_ev(evp, VG_EV_STREAM_REASSEMBLY_SEQ_GAP);
            f->flags |= dir == VG_DIR_TOSERVER ? VG_FLOW_F_GAP_TS : VG_FLOW_F_GAP_TC;
            ra_emit(s, f, p, d, dir, NULL, n, VG_STREAM_GAP);
            d->base_seq += n;
            d->delivered += n;
        }
        if (s->depth && d->delivered >= s->depth) {
            ra_depth_reached(s, f, p, evp, d, dir);
            return;
        }
    }
    ra_check(d);
    if (eof) {
        /* A direction that never delivered anything closes silently: the
         * consumer has no state for it. */
        if (d->flags & SD_F_STARTED)
            ra_emit(s, f, p, d, dir, NULL, 0, VG_STREAM_EOF);
        else
            d->flags |= SD_F_EOF;
    }
}

void
stream_ra_flush(vg_stream_ctx_t *s, vg_flow_t *f, const vg_packet_t *p, vg_packet_t *evp,
                int dir, bool eof)
{
    stream_dir_t *d = &f->tcp->d[dir];
    uint32_t upto = d->tail != NULL ? d->tail->seq + d->tail->len : d->base_seq;
    stream_ra_deliver(s, f, p, evp, dir, upto, eof);
}

/* Put a copy of [seq, seq+len) after `prev` (NULL: at the head).
 * Returns the new segment, or NULL when the memcap refused it. */
static stream_seg_t *
ra_link_new(vg_stream_ctx_t *s, vg_packet_t *p, stream_dir_t *d, stream_seg_t *prev,
            uint32_t seq, const uint8_t *data, uint32_t len)
{
    size_t sz = sizeof(stream_seg_t) + len;
    if (s->ra_mem + sz > s->ra_memcap) {
        vg_counter_inc(s->ctr, s->c_ra_memcap);
        vg_counter_inc(s->ctr, s->c_segment_memcap_drop);
        vg_counter_inc(s->ctr, s->c_insert_fail);
        ra_ev(p, VG_EV_STREAM_MEMCAP);
        return NULL;
    }
    stream_seg_t *seg = ra_seg_alloc(s, len);
    if (seg == NULL) {
        vg_counter_inc(s->ctr, s->c_insert_fail);
        return NULL;
    }
    s->ra_mem += sz;
    seg->seq = seq;
    seg->len = len;
    memcpy(seg->data, data, len);
    if (prev != NULL) {
        seg->next = prev->next;
        prev->next = seg;
    } else {
        seg->next = d->segs;
        d->segs = seg;
    }
    if (seg->next == NULL)
        d->tail = seg;
    d->nsegs++;
    return seg;
}

void
stream_ra_insert(vg_stream_ctx_t *s, vg_flow_t *f, vg_packet_t *p, int dir, uint32_t seq,
                 const uint8_t *data, uint32_t len)
{
    stream_dir_t *d = &f->tcp->d[dir];
    if (len == 0 || (d->flags & (SD_F_EOF | SD_F_DEPTH)) || !(d->flags & SD_F_BASE))
        return;

    /* Bytes already handed to the consumer: a retransmission. */
    if (SEQ_LEQ(seq + len, d->base_seq)) {
        vg_packet_add_event(p, VG_EV_STREAM_PKT_RETRANSMISSION);
        vg_counter_inc(s->ctr, s->c_retrans);
        return;
    }
    if (SEQ_LT(seq, d->base_seq)) {
        uint32_t skip = d->base_seq - seq;
        seq += skip;
        data += skip;
        len -= skip;
    }
    /* Nothing past the depth is kept. */
    if (s->depth) {
        uint64_t off = d->delivered + (uint32_t)(seq - d->base_seq);
        if (off >= s->depth)
            return;
        if (off + len > s->depth)
            len = (uint32_t)(s->depth - off);
    }

    stream_seg_t *prev = NULL, *cur = d->segs;
    if (d->tail != NULL && SEQ_GEQ(seq, d->tail->seq + d->tail->len)) {
        prev = d->tail; /* in-order arrival: append without walking */
        cur = NULL;
    }
    while (len > 0) {
        while (cur != NULL && SEQ_LEQ(cur->seq + cur->len, seq)) {
            prev = cur;
            cur = cur->next;
        }
        if (cur == NULL || SEQ_LT(seq, cur->seq)) {
            /* The missing piece before `cur` (or everything left). */
            uint32_t n = cur == NULL ? len : VG_MIN(len, cur->seq - seq);
            if (d->nsegs >= s->max_segs) {
                /* Too many pieces: deliver what is queued (holes as gaps)
                 * and place the rest against the new base. */
                vg_counter_inc(s->ctr, s->c_max_segs);
                stream_ra_flush(s, f, p, p, dir, false);
                if (d->flags & (SD_F_EOF | SD_F_DEPTH))
                    return;
                stream_ra_insert(s, f, p, dir, seq, data, len);
                return;
            }
            stream_seg_t *seg = ra_link_new(s, p, d, prev, seq, data, n);
            if (seg == NULL)
                return; /* memcap: the rest of this packet is dropped, a gap follows */
            prev = seg;
            seq += n;
            data += n;
            len -= n;
            continue;
        }
        /* seq lies inside `cur`: the bytes are already queued. */
        uint32_t off = seq - cur->seq;
        uint32_t n = VG_MIN(len, cur->len - off);
        vg_counter_inc(s->ctr, s->c_overlap);
        if (memcmp(cur->data + off, data, n) != 0) {
            vg_counter_inc(s->ctr, s->c_overlap_diff);
            vg_packet_add_event(p, VG_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA);
        }
        seq += n;
        data += n;
        len -= n;
        prev = cur;
        cur = cur->next;
    }
    ra_check(d);
}
