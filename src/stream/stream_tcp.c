/* stream_tcp.c - TCP session tracking (the state machine) and the
 * ACK-driven delivery that feeds the app layer.
 *
 * Model (Suricata IDS mode): every packet of direction X first updates the
 * session state; its ACK then releases the opposite direction's bytes up to
 * the ACK (so records carry the ACKing packet), and only then is X's own
 * payload queued. A FIN's direction gets EOF once the peer ACKs the FIN; a
 * RST flushes both directions with EOF; the flow end flushes the rest.
 * When only one side is visible (stream.async-oneside), bytes are delivered
 * with the packet that carries them.
 */
#include "stream/stream_private.h"

#include <stdlib.h>
#include <string.h>

/* Segments further than this past the delivery point are out of any sane
 * window (max scaled window is 2^30): dropped, counted. */
#define STREAM_MAX_AHEAD 0x40000000u

vg_stream_ctx_t *
vg_stream_ctx_new(const vg_limits_t *limits, vg_counters_t *counters, vg_stream_data_cb cb,
                  void *user)
{
    vg_stream_ctx_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->ctr = counters;
    s->cb = cb;
    s->user = user;
    s->memcap = limits->stream_memcap;
    s->ra_memcap = limits->stream_reassembly_memcap;
    s->depth = limits->stream_reassembly_depth;
    s->max_segs = VG_MAX(limits->stream_max_segments, 1);
    s->midstream = limits->stream_midstream != 0;
    s->async_oneside = limits->stream_async_oneside != 0;

    s->c_sessions = vg_counter_register("tcp.sessions");
    s->c_ssn_memcap_drop = vg_counter_register("tcp.ssn_memcap_drop");
    s->c_syn = vg_counter_register("tcp.syn");
    s->c_synack = vg_counter_register("tcp.synack");
    s->c_rst = vg_counter_register("tcp.rst");
    s->c_pseudo = vg_counter_register("tcp.pseudo");
    s->c_invalid_checksum = vg_counter_register("tcp.invalid_checksum");
    s->c_midstream_pickups = vg_counter_register("tcp.midstream_pickups");
    s->c_reassembly_gap = vg_counter_register("tcp.reassembly_gap");
    s->c_overlap = vg_counter_register("tcp.overlap");
    s->c_overlap_diff = vg_counter_register("tcp.overlap_diff_data");
    s->c_insert_fail = vg_counter_register("tcp.insert_data_normal_fail");
    s->c_segment_memcap_drop = vg_counter_register("tcp.segment_memcap_drop");
    s->c_ra_memcap = vg_counter_register("stream.reassembly_memcap");
    s->c_depth_reached = vg_counter_register("tcp.stream_depth_reached");
    s->c_ack_unseen = vg_counter_register("tcp.ack_unseen_data");
    s->c_no_session = vg_counter_register("tcp.no_session");
    s->c_max_segs = vg_counter_register("tcp.max_segments_flush");
    s->c_invalid_ack = vg_counter_register("tcp.invalid_ack");
    s->c_retrans = vg_counter_register("tcp.retransmission");
    s->c_rst_invalid = vg_counter_register("tcp.rst_invalid");
    s->c_invalid_ts = vg_counter_register("tcp.invalid_timestamp");
    return s;
}

void
vg_stream_ctx_free(vg_stream_ctx_t *s)
{
    if (s != NULL)
        stream_ra_pool_free(s);
    free(s);
}

uint64_t
vg_stream_memuse(const vg_stream_ctx_t *s)
{
    return s->mem;
}

uint64_t
vg_stream_reassembly_memuse(const vg_stream_ctx_t *s)
{
    return s->ra_mem;
}

const char *
vg_stream_state_name(const vg_flow_t *f)
{
    static const char *const names[] = {
        [VG_TCP_NONE] = "none",           [VG_TCP_SYN_SENT] = "syn_sent",
        [VG_TCP_SYN_RECV] = "syn_recv",   [VG_TCP_ESTABLISHED] = "established",
        [VG_TCP_FIN_WAIT1] = "fin_wait1", [VG_TCP_FIN_WAIT2] = "fin_wait2",
        [VG_TCP_TIME_WAIT] = "time_wait", [VG_TCP_LAST_ACK] = "last_ack",
        [VG_TCP_CLOSE_WAIT] = "close_wait", [VG_TCP_CLOSING] = "closing",
        [VG_TCP_CLOSED] = "closed",
    };
    if (f == NULL || f->tcp_state >= VG_ARRAY_LEN(names))
        return "none";
    return names[f->tcp_state];
}

static void
ssn_set_state(vg_flow_t *f, struct vg_tcp_session *ssn, vg_tcp_state_t st)
{
    ssn->state = (uint8_t)st;
    f->tcp_state = (uint8_t)st;
    switch (st) {
    case VG_TCP_ESTABLISHED:
        vg_flow_set_state(f, VG_FLOW_STATE_ESTABLISHED);
        break;
    case VG_TCP_CLOSING:
    case VG_TCP_TIME_WAIT:
    case VG_TCP_LAST_ACK:
    case VG_TCP_CLOSED:
        /* FIN both ways or RST: the closed timeout applies. */
        vg_flow_set_state(f, VG_FLOW_STATE_CLOSED);
        break;
    default:
        break;
    }
}

static struct vg_tcp_session *
ssn_new(vg_stream_ctx_t *s, vg_flow_t *f)
{
    if (s->mem + sizeof(struct vg_tcp_session) > s->memcap) {
        vg_counter_inc(s->ctr, s->c_ssn_memcap_drop);
        return NULL;
    }
    struct vg_tcp_session *ssn = calloc(1, sizeof(*ssn));
    if (ssn == NULL) {
        vg_counter_inc(s->ctr, s->c_ssn_memcap_drop);
        return NULL;
    }
    s->mem += sizeof(*ssn);
    f->tcp = ssn;
    vg_counter_inc(s->ctr, s->c_sessions);
    return ssn;
}

/* Direction state from a SYN or SYN/ACK it sent. */
static void
dir_init_syn(stream_dir_t *d, const vg_packet_t *p)
{
    uint16_t keep = d->flags & (SD_F_STARTED | SD_F_EOF);
    if (VG_NEVER(d->segs != NULL))
        return; /* callers free the queue first; never leak it */
    memset(d, 0, sizeof(*d));
    d->isn = p->tcp.seq;
    d->base_seq = p->tcp.seq + 1;
    d->next_seq = p->tcp.seq + 1;
    d->last_ack = p->tcp.seq + 1; /* serial compares need a real baseline, not 0 */
    d->window = p->tcp.win; /* never scaled on a SYN */
    d->flags = keep | SD_F_SEEN | SD_F_BASE | SD_F_SYN;
    if (p->tcp.has_ts) {
        d->flags |= SD_F_TS | (p->tcp.tsval == 0 ? SD_F_ZERO_TS : 0);
        d->last_ts = p->tcp.tsval;
        d->last_ts_time = p->ts;
    }
    if (p->tcp.has_wscale) {
        d->flags |= SD_F_WSCALE;
        d->wscale = VG_MIN(p->tcp.wscale, 14);
    }
}

/* Direction state from the first sequence number it is known to use next. */
static void
dir_init_at(stream_dir_t *d, uint32_t seq)
{
    d->isn = seq - 1;
    d->base_seq = seq;
    d->next_seq = seq;
    d->last_ack = seq;
    d->flags |= SD_F_BASE;
}

static bool
dir_fin_acked(const stream_dir_t *d, uint32_t ack)
{
    return (d->flags & SD_F_FIN) && SEQ_GT(ack, d->fin_seq);
}

/* Everything queued in both directions goes out, then EOF (RST, close). */
static void
ssn_flush_both(vg_stream_ctx_t *s, vg_flow_t *f, vg_packet_t *p)
{
    stream_ra_flush(s, f, p, p, VG_DIR_TOSERVER, true);
    stream_ra_flush(s, f, p, p, VG_DIR_TOCLIENT, true);
}

/* TCP Fast Open: a SYN may carry data (RFC 7413). It is queued like any
 * other data of the client, right after the SYN's sequence number. */
static void
ssn_syn_data(vg_stream_ctx_t *s, vg_flow_t *f, vg_packet_t *p)
{
    if (p->payload_len == 0 || p->payload == NULL)
        return;
    stream_dir_t *d = &f->tcp->d[p->dir];
    f->tcp->flags |= SSN_F_TFO;
    stream_ra_insert(s, f, p, p->dir, p->tcp.seq + 1, p->payload, p->payload_len);
    if (SEQ_GT(p->tcp.seq + 1 + p->payload_len, d->next_seq))
        d->next_seq = p->tcp.seq + 1 + p->payload_len;
}

/* Pickup without a (complete) handshake. NULL when not allowed: Suricata
 * needs stream.midstream, or for a SYN/ACK (a one-sided capture of the
 * server) stream.async-oneside (suricata-verify http-async-srv). */
static struct vg_tcp_session *
ssn_pickup(vg_stream_ctx_t *s, vg_flow_t *f, vg_packet_t *p, bool synack)
{
    if (!s->midstream && !(synack && s->async_oneside)) {
        vg_counter_inc(s->ctr, s->c_no_session);
        return NULL;
    }
    struct vg_tcp_session *ssn = ssn_new(s, f);
    if (ssn == NULL)
        return NULL;
    ssn->flags |= SSN_F_MIDSTREAM;
    vg_counter_inc(s->ctr, s->c_midstream_pickups);
    return ssn;
}

/* The first packet of a flow's session. Returns VG_OK with f->tcp set and
 * `*more` telling whether the packet needs the common processing too. */
static int
ssn_start(vg_stream_ctx_t *s, vg_flow_t *f, vg_packet_t *p, bool *more)
{
    uint8_t fl = p->tcp.flags;
    int dir = p->dir, rdir = 1 - p->dir;
    struct vg_tcp_session *ssn;
    *more = false;

    if (fl & VG_TH_RST) {
        vg_counter_inc(s->ctr, s->c_no_session);
        return VG_DECLINED;
    }
    if ((fl & (VG_TH_SYN | VG_TH_ACK)) == VG_TH_SYN) {
        ssn = ssn_new(s, f);
        if (ssn == NULL)
            return VG_DECLINED;
        dir_init_syn(&ssn->d[dir], p);
        ssn_set_state(f, ssn, VG_TCP_SYN_SENT);
        ssn_syn_data(s, f, p);
        return VG_OK;
    }
    if ((fl & (VG_TH_SYN | VG_TH_ACK)) == (VG_TH_SYN | VG_TH_ACK)) {
        ssn = ssn_pickup(s, f, p, true);
        if (ssn == NULL)
            return VG_DECLINED;
        dir_init_syn(&ssn->d[dir], p);
        dir_init_at(&ssn->d[rdir], p->tcp.ack);
        if (p->tcp.has_wscale) {
            /* The SYN/ACK only carries wscale if the SYN offered it. */
            ssn->flags |= SSN_F_WSCALE;
        }
        ssn_set_state(f, ssn, VG_TCP_SYN_RECV);
        return VG_OK;
    }
    if (fl & VG_TH_SYN)
        return VG_DECLINED; /* SYN with odd flags and no session: nothing sane to track */
    ssn = ssn_pickup(s, f, p, false);
    if (ssn == NULL)
        return VG_DECLINED;
    dir_init_at(&ssn->d[dir], p->tcp.seq);
    ssn->d[dir].flags |= SD_F_SEEN;
    if (fl & VG_TH_ACK)
        dir_init_at(&ssn->d[rdir], p->tcp.ack);
    if (p->tcp.has_ts && p->tcp.tsecr != 0)
        ssn->flags |= SSN_F_TIMESTAMP; /* the peer echoes timestamps: both use them */
    /* Window scale unknown midstream: assume none (windows only bound ACK
     * validation, which is off for midstream sessions). */
    ssn_set_state(f, ssn, VG_TCP_ESTABLISHED);
    *more = true;
    return VG_OK;
}

/* A non-RST packet on a session closed by a MD5/AO-signed RST, from the
 * RST's sender while its receiver is marked (Suricata
 * StreamTcpPacketStateClosed): the receiver may have refused the RST, so
 * the packet is processed in the state before the RST (the flow state
 * stays closed, as in Suricata). Returns true when it is to be processed. */
static bool
ssn_rst_resume(vg_flow_t *f, struct vg_tcp_session *ssn, const vg_packet_t *p)
{
    int dir = p->dir, rdir = 1 - p->dir;
    if ((p->tcp.flags & VG_TH_RST) || (ssn->d[dir].flags & SD_F_RST_RECV) ||
        !(ssn->d[rdir].flags & SD_F_RST_RECV))
        return false;
    ssn->state = ssn->pstate;
    f->tcp_state = ssn->pstate;
    return true;
}

/* Suricata StreamTcpPacketCheckPostRst: the sender of a MD5/AO-signed RST
 * sends a regular packet after it, as if the RST never was: that looks like
 * an injected RST. The mark is cleared, the packet gets the event. */
static void
ssn_post_rst(struct vg_tcp_session *ssn, vg_packet_t *p)
{
    stream_dir_t *r = &ssn->d[1 - p->dir];
    if ((p->tcp.flags & VG_TH_RST) || !(r->flags & SD_F_RST_RECV))
        return;
    r->flags &= (uint16_t)~SD_F_RST_RECV;
    vg_packet_add_event(p, VG_EV_STREAM_SUSPECTED_RST_INJECT);
}

/* Handshake states. Returns true when the packet goes on to the common
 * processing (session established by it, or a RST). */
static bool
ssn_handshake(vg_stream_ctx_t *s, vg_flow_t *f, vg_packet_t *p)
{
    struct vg_tcp_session *ssn = f->tcp;
    uint8_t fl = p->tcp.flags;
    int dir = p->dir, rdir = 1 - p->dir;

    if (fl & VG_TH_RST)
        return true;
    if (ssn->state == VG_TCP_SYN_SENT) {
        if ((fl & (VG_TH_SYN | VG_TH_ACK)) == (VG_TH_SYN | VG_TH_ACK)) {
            if (!(ssn->d[rdir].flags & SD_F_SYN)) {
                vg_packet_add_event(p, VG_EV_STREAM_3WHS_SYNACK_IN_WRONG_DIRECTION);
                return false;
            }
            /* With Fast Open the SYN/ACK may also acknowledge the SYN's data. */
            uint32_t a = p->tcp.ack, cisn = ssn->d[rdir].isn;
            if (a != cisn + 1 && !((ssn->flags & SSN_F_TFO) && SEQ_GT(a, cisn + 1) &&
                                   SEQ_LEQ(a, ssn->d[rdir].next_seq))) {
                vg_packet_add_event(p, VG_EV_STREAM_3WHS_SYNACK_WITH_WRONG_ACK);
                return false;
            }
            dir_init_syn(&ssn->d[dir], p);
            if ((ssn->d[dir].flags & SD_F_WSCALE) && (ssn->d[rdir].flags & SD_F_WSCALE))
                ssn->flags |= SSN_F_WSCALE;
            if ((ssn->d[dir].flags & SD_F_TS) && (ssn->d[rdir].flags & SD_F_TS))
                ssn->flags |= SSN_F_TIMESTAMP;
            ssn->d[rdir].last_ack = p->tcp.ack;
            /* The SYN/ACK's (unscaled) window bounds what the client may send. */
            ssn->d[rdir].next_win = p->tcp.ack + p->tcp.win;
            ssn->d[rdir].flags |= SD_F_NEXTWIN;
            ssn_set_state(f, ssn, VG_TCP_SYN_RECV);
            if (SEQ_GT(a, cisn + 1))
                stream_ra_deliver(s, f, p, p, rdir, a, false); /* TFO data acked */
            return false;
        }
        if (fl & VG_TH_SYN) {
            /* A SYN again: a retransmission, or a new ISN (client restarted). */
            if ((ssn->d[dir].flags & SD_F_SYN) && p->tcp.seq != ssn->d[dir].isn) {
                stream_ra_free(s, &ssn->d[dir]);
                dir_init_syn(&ssn->d[dir], p);
                ssn_syn_data(s, f, p);
            }
            return false;
        }
        if (s->async_oneside && (ssn->d[dir].flags & SD_F_SYN) && (fl & VG_TH_ACK)) {
            /* The client goes on without a visible SYN/ACK: one-sided. */
            ssn->flags |= SSN_F_ASYNC;
            if (!(ssn->d[rdir].flags & SD_F_BASE))
                dir_init_at(&ssn->d[rdir], p->tcp.ack);
            ssn_set_state(f, ssn, VG_TCP_ESTABLISHED);
            return true;
        }
        return false;
    }
    /* SYN_RECV */
    if (fl & VG_TH_SYN)
        return false; /* retransmitted SYN or SYN/ACK */
    if (!(fl & VG_TH_ACK))
        return false;
    /* The SYN/ACK sender is always the server (the flow table makes the
     * receiver of a first-seen SYN/ACK the client), so the ACK completing
     * the handshake must go toserver. */
    stream_dir_t *synack = &ssn->d[VG_DIR_TOCLIENT];
    if (dir != VG_DIR_TOSERVER) {
        if (ssn->flags & SSN_F_TFO) {
            /* Fast Open: the server may answer the SYN's data before the
             * client's ACK shows up. */
            ssn_set_state(f, ssn, VG_TCP_ESTABLISHED);
            return true;
        }
        if (s->async_oneside) {
            /* Server talks on without the client's ACK visible. */
            ssn->flags |= SSN_F_ASYNC;
            ssn_set_state(f, ssn, VG_TCP_ESTABLISHED);
            return true;
        }
        vg_packet_add_event(p, VG_EV_STREAM_3WHS_ACK_IN_WRONG_DIR);
        return false;
    }
    if (SEQ_LT(p->tcp.ack, synack->isn + 1) || SEQ_GT(p->tcp.ack, synack->next_seq + 1)) {
        vg_packet_add_event(p, VG_EV_STREAM_3WHS_WRONG_SEQ_WRONG_ACK);
        return false;
    }
    if (!(ssn->d[dir].flags & SD_F_BASE))
        dir_init_at(&ssn->d[dir], p->tcp.seq);
    ssn->d[dir].flags |= SD_F_SEEN;
    ssn_set_state(f, ssn, VG_TCP_ESTABLISHED);
    return true;
}

/* FIN/ACK driven closing transitions (Suricata's state names: the side
 * that closes first drives FIN_WAIT*, a server-first close CLOSE_WAIT). */
static void
ssn_closing(vg_stream_ctx_t *s, vg_flow_t *f, vg_packet_t *p)
{
    struct vg_tcp_session *ssn = f->tcp;
    uint8_t fl = p->tcp.flags;
    int dir = p->dir, rdir = 1 - p->dir;
    bool acks_peer_fin = (fl & VG_TH_ACK) && dir_fin_acked(&ssn->d[rdir], p->tcp.ack);
    bool toserver = dir == VG_DIR_TOSERVER;

    switch (ssn->state) {
    case VG_TCP_ESTABLISHED:
        if (fl & VG_TH_FIN)
            ssn_set_state(f, ssn, toserver ? VG_TCP_FIN_WAIT1 : VG_TCP_CLOSE_WAIT);
        break;
    case VG_TCP_FIN_WAIT1:
        if (!toserver && (fl & VG_TH_FIN))
            ssn_set_state(f, ssn, acks_peer_fin ? VG_TCP_TIME_WAIT : VG_TCP_CLOSING);
        else if (!toserver && acks_peer_fin)
            ssn_set_state(f, ssn, VG_TCP_FIN_WAIT2);
        break;
    case VG_TCP_FIN_WAIT2:
        if (!toserver && (fl & VG_TH_FIN))
            ssn_set_state(f, ssn, VG_TCP_TIME_WAIT);
        break;
    case VG_TCP_CLOSING:
        if (!toserver && acks_peer_fin)
            ssn_set_state(f, ssn, VG_TCP_TIME_WAIT);
        break;
    case VG_TCP_CLOSE_WAIT:
        if (toserver && (fl & VG_TH_FIN))
            ssn_set_state(f, ssn, VG_TCP_LAST_ACK);
        break;
    case VG_TCP_TIME_WAIT:
        if (toserver && acks_peer_fin)
            ssn_set_state(f, ssn, VG_TCP_CLOSED);
        break;
    case VG_TCP_LAST_ACK:
        if (!toserver && acks_peer_fin)
            ssn_set_state(f, ssn, VG_TCP_CLOSED);
        break;
    default:
        break;
    }
    if (ssn->state == VG_TCP_CLOSED)
        ssn_flush_both(s, f, p);
}

/* PAWS (RFC 7323 5.3), as Suricata's default policy: once both sides use
 * timestamps, a packet whose TSval is older than the last one of its side
 * is invalid (stream.pkt_invalid_timestamp) and not processed, unless the
 * last one is more than 24 days old and the packet is the next in line. */
#define STREAM_PAWS_24DAYS ((vg_time_us_t)24 * 86400 * 1000000)

static bool
ssn_timestamp_ok(vg_stream_ctx_t *s, struct vg_tcp_session *ssn, vg_packet_t *p)
{
    stream_dir_t *x = &ssn->d[p->dir];
    if (!(ssn->flags & SSN_F_TIMESTAMP) || !p->tcp.has_ts || (x->flags & SD_F_ZERO_TS))
        return true;
    if ((x->flags & SD_F_TS) && SEQ_LT(p->tcp.tsval, x->last_ts) &&
        !(p->tcp.seq == x->next_seq && p->ts > x->last_ts_time + STREAM_PAWS_24DAYS)) {
        vg_packet_add_event(p, VG_EV_STREAM_PKT_INVALID_TIMESTAMP);
        vg_counter_inc(s->ctr, s->c_invalid_ts);
        return false;
    }
    if (!(x->flags & SD_F_TS) || SEQ_GT(p->tcp.tsval, x->last_ts)) {
        x->last_ts = p->tcp.tsval;
        x->flags |= SD_F_TS;
    }
    x->last_ts_time = p->ts;
    return true;
}

int
vg_stream_handle_packet(vg_stream_ctx_t *s, vg_packet_t *p)
{
    vg_flow_t *f = p->flow;
    if (f == NULL || p->proto != VG_IPPROTO_TCP || !(p->flags & VG_PKT_HAS_L4) || p->dir > 1)
        return VG_DECLINED;
    if (p->flags & VG_PKT_L4_CSUM_BAD) {
        vg_counter_inc(s->ctr, s->c_invalid_checksum);
        return VG_DECLINED;
    }
    uint8_t fl = p->tcp.flags;
    int dir = p->dir, rdir = 1 - p->dir;
    if ((fl & (VG_TH_SYN | VG_TH_ACK)) == VG_TH_SYN)
        vg_counter_inc(s->ctr, s->c_syn);
    else if ((fl & (VG_TH_SYN | VG_TH_ACK)) == (VG_TH_SYN | VG_TH_ACK))
        vg_counter_inc(s->ctr, s->c_synack);
    if (fl & VG_TH_RST)
        vg_counter_inc(s->ctr, s->c_rst);

    struct vg_tcp_session *ssn = f->tcp;
    if (ssn == NULL) {
        bool more;
        int rc = ssn_start(s, f, p, &more);
        if (rc != VG_OK || !more)
            return rc;
        ssn = f->tcp;
    } else {
        /* Closed: everything was flushed with EOF and late packets change
         * nothing, unless the RST may have been refused (ssn_rst_resume). */
        if (ssn->state == VG_TCP_CLOSED && !ssn_rst_resume(f, ssn, p))
            return VG_OK;
        if (ssn->state == VG_TCP_SYN_SENT || ssn->state == VG_TCP_SYN_RECV) {
            if (!ssn_handshake(s, f, p))
                return VG_OK;
        }
    }

    ssn_post_rst(ssn, p);
    if (!ssn_timestamp_ok(s, ssn, p))
        return VG_OK;
    stream_dir_t *x = &ssn->d[dir], *r = &ssn->d[rdir];
    x->flags |= SD_F_SEEN;
    if (!(x->flags & SD_F_BASE))
        dir_init_at(x, p->tcp.seq);

    if (fl & VG_TH_RST) {
        /* In SYN_SENT a RST from the peer must answer the SYN (RFC 793);
         * the SYN's sender may abort as it likes. */
        if (ssn->state == VG_TCP_SYN_SENT && (r->flags & SD_F_SYN) &&
            (!(fl & VG_TH_ACK) || p->tcp.ack != r->isn + 1)) {
            vg_packet_add_event(p, VG_EV_STREAM_RST_INVALID_ACK);
            return VG_OK;
        }
        /* Suricata StreamTcpValidateRst marks the receiver of a MD5/AO-
         * signed RST before its sequence check: even a RST refused below
         * makes the sender's next packet suspect (ssn_post_rst). */
        if (p->tcp.has_md5 || p->tcp.has_ao)
            r->flags |= SD_F_RST_RECV;
        /* A RST outside the sender's window is ignored (injected RSTs
         * must not end inspection). */
        if ((x->flags & SD_F_NEXTWIN) && !(ssn->flags & SSN_F_ASYNC) &&
            (SEQ_LT(p->tcp.seq, x->last_ack) ||
             SEQ_GT(p->tcp.seq, SEQ_MAX(x->next_win, x->next_seq)))) {
            vg_counter_inc(s->ctr, s->c_rst_invalid);
            return VG_OK;
        }
        x->flags |= SD_F_RST;
        /* What the RST acknowledges goes out first with this packet. */
        if ((fl & VG_TH_ACK) && (r->flags & SD_F_BASE) && SEQ_GT(p->tcp.ack, r->base_seq) &&
            SEQ_LEQ(p->tcp.ack, r->next_seq + 1))
            stream_ra_deliver(s, f, p, p, rdir, r->flags & SD_F_FIN
                                                    ? SEQ_MIN(p->tcp.ack, r->fin_seq)
                                                    : p->tcp.ack, false);
        if (p->tcp.has_md5 || p->tcp.has_ao) {
            /* Suricata StreamTcpValidateRst: a TCP-MD5/AO signed RST is
             * accepted, but its signature (key out of band) cannot be
             * checked, so the receiver may have dropped it; with the
             * receiver marked above the session can resume (ssn_rst_resume). No
             * EOF yet: it would end the app layer for good; the flow end
             * delivers it if the session stays closed. */
            ssn->pstate = ssn->state;
            ssn_set_state(f, ssn, VG_TCP_CLOSED);
            return VG_OK;
        }
        ssn_set_state(f, ssn, VG_TCP_CLOSED);
        ssn_flush_both(s, f, p);
        return VG_OK;
    }

    /* Window this side advertises (scaled once both sides agreed). */
    x->window = (uint32_t)p->tcp.win << ((ssn->flags & SSN_F_WSCALE) ? x->wscale : 0);

    if (fl & VG_TH_ACK) {
        uint32_t a = p->tcp.ack;
        if (!(r->flags & SD_F_BASE))
            dir_init_at(r, a);
        if (!(ssn->flags & (SSN_F_MIDSTREAM | SSN_F_ASYNC)) && (r->flags & SD_F_NEXTWIN) &&
            SEQ_GT(a, r->next_win) && SEQ_GT(a, r->next_seq + 1)) {
            /* ACKs data far beyond anything the peer could have sent. */
            vg_packet_add_event(p, VG_EV_STREAM_PKT_INVALID_ACK);
            vg_counter_inc(s->ctr, s->c_invalid_ack);
            return VG_OK;
        }
        if (SEQ_GT(a, r->last_ack))
            r->last_ack = a;
        uint32_t nw = a + x->window;
        if (!(r->flags & SD_F_NEXTWIN) || SEQ_GT(nw, r->next_win)) {
            r->next_win = nw;
            r->flags |= SD_F_NEXTWIN;
        }
        if (!(r->flags & SD_F_SEEN)) {
            /* The peer has not been seen (yet, or ever: one-sided capture).
             * Its stream starts where the ACK points; nothing to deliver,
             * and what we never saw of it is not a gap. */
            if (SEQ_GT(a, r->base_seq) && r->segs == NULL) {
                r->base_seq = a;
                if (SEQ_GT(a, r->next_seq))
                    r->next_seq = a;
            }
        } else {
            if (SEQ_GT(a, r->next_seq + ((r->flags & SD_F_FIN) ? 1 : 0)))
                vg_counter_inc(s->ctr, s->c_ack_unseen);
            bool eof = dir_fin_acked(r, a);
            stream_ra_deliver(s, f, p, p, rdir, eof ? r->fin_seq : a, eof);
        }
    }

    uint32_t len = p->payload_len;
    if (len > 0 && !(fl & VG_TH_SYN) && p->payload != NULL) {
        uint32_t seq = p->tcp.seq;
        if (SEQ_GT(seq + len, x->base_seq + STREAM_MAX_AHEAD)) {
            vg_counter_inc(s->ctr, s->c_insert_fail);
        } else {
            stream_ra_insert(s, f, p, dir, seq, p->payload, len);
            if (SEQ_GT(seq + len, x->next_seq))
                x->next_seq = seq + len;
        }
    }
    if ((fl & VG_TH_FIN) && !(x->flags & SD_F_FIN)) {
        x->fin_seq = p->tcp.seq + len;
        x->flags |= SD_F_FIN;
        if (SEQ_GT(x->fin_seq + 1, x->next_seq))
            x->next_seq = x->fin_seq + 1;
    }
    /* One-sided session: nobody will ACK, deliver with the carrying packet. */
    if ((ssn->flags & SSN_F_ASYNC) && !(r->flags & SD_F_SEEN)) {
        if (x->flags & SD_F_FIN)
            stream_ra_flush(s, f, p, p, dir, true);
        else
            stream_ra_flush(s, f, p, p, dir, false);
    }
    ssn_closing(s, f, p);
    return VG_OK;
}

void
vg_stream_flow_end(vg_stream_ctx_t *s, vg_flow_t *f, const vg_packet_t *p)
{
    struct vg_tcp_session *ssn = f->tcp;
    if (ssn == NULL)
        return;
    bool pending = false;
    /* Suricata's pseudo packet: only when there is something to flush
     * (queued bytes, or a started direction that still needs its EOF). */
    for (int i = 0; i < 2; i++)
        if (!(ssn->d[i].flags & SD_F_EOF) &&
            (ssn->d[i].segs != NULL || (ssn->d[i].flags & SD_F_STARTED)))
            pending = true;
    if (pending)
        vg_counter_inc(s->ctr, s->c_pseudo);
    stream_ra_flush(s, f, p, NULL, VG_DIR_TOSERVER, true);
    stream_ra_flush(s, f, p, NULL, VG_DIR_TOCLIENT, true);
    stream_ra_free(s, &ssn->d[0]);
    stream_ra_free(s, &ssn->d[1]);
    s->mem -= VG_MIN(s->mem, sizeof(*ssn));
    free(ssn);
    f->tcp = NULL;
}
