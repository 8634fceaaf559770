/* decode_tcp.c - TCP header and options (MSS, window scale, SACK-permitted,
 * timestamps) into p->tcp. */
#include "decode/decode_int.h"

#include <string.h>

enum {
    TCPOPT_EOL = 0,
    TCPOPT_NOP = 1,
    TCPOPT_MSS = 2,
    TCPOPT_WS = 3,
    TCPOPT_SACKOK = 4,
    TCPOPT_SACK = 5,
    TCPOPT_TS = 8,
    TCPOPT_MD5 = 19,
    TCPOPT_AO = 29
};

static void
tcp_options(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c)
{
    vg_tcp_hdr_info_t *t = &p->tcp;
    bool seen_sack = false;
    while (vg_cur_left(&c) > 0) {
        uint8_t type = vg_cur_u8(&c);
        if (type == TCPOPT_EOL)
            return;
        if (type == TCPOPT_NOP)
            continue;
        uint8_t len = vg_cur_u8(&c);
        if (!vg_cur_ok(&c) || len < 2 || (size_t)len - 2 > vg_cur_left(&c)) {
            decode_event(d, p, VG_EV_TCP_OPT_INVALID_LEN);
            return;
        }
        vg_cur_t o = vg_cur_sub(&c, (size_t)len - 2);
        bool dup = false, bad = false;
        switch (type) {
        case TCPOPT_MSS:
            dup = t->has_mss;
            bad = len != 4;
            if (!dup && !bad) {
                t->has_mss = true;
                t->mss = vg_cur_u16(&o);
            }
            break;
        case TCPOPT_WS:
            dup = t->has_wscale;
            bad = len != 3;
            if (!dup && !bad) {
                t->has_wscale = true;
                t->wscale = vg_cur_u8(&o);
            }
            break;
        case TCPOPT_SACKOK:
            dup = t->has_sackok;
            bad = len != 2;
            if (!dup && !bad)
                t->has_sackok = true;
            break;
        case TCPOPT_SACK:
            dup = seen_sack;
            /* 0-4 blocks of two sequence numbers (an empty SACK is
             * accepted, as Suricata does: suricata-verify tcp-empty-sack) */
            bad = len > 34 || (len - 2) % 8 != 0;
            seen_sack = true;
            break;
        case TCPOPT_TS:
            dup = t->has_ts;
            bad = len != 10;
            if (!dup && !bad) {
                t->has_ts = true;
                t->tsval = vg_cur_u32(&o);
                t->tsecr = vg_cur_u32(&o);
            }
            break;
        case TCPOPT_MD5:
            /* Recorded for the stream engine's RST handling (Suricata
             * decode-tcp.c: fixed length 18, AO at least 4). */
            bad = len != 18;
            if (!bad)
                t->has_md5 = true;
            break;
        case TCPOPT_AO:
            bad = len < 4;
            if (!bad)
                t->has_ao = true;
            break;
        default:
            break;
        }
        if (bad)
            decode_event(d, p, VG_EV_TCP_OPT_INVALID_LEN);
        else if (dup)
            decode_event(d, p, VG_EV_TCP_OPT_DUPLICATE);
    }
}

int
decode_tcp(vg_decode_ctx_t *d, vg_packet_t *p, vg_cur_t c)
{
    decode_count(d, d->id.tcp);
    const uint8_t *start = vg_cur_ptr(&c);
    uint32_t len = (uint32_t)vg_cur_left(&c);
    uint16_t sp = vg_cur_u16(&c);
    uint16_t dp = vg_cur_u16(&c);
    uint32_t seq = vg_cur_u32(&c);
    uint32_t ack = vg_cur_u32(&c);
    uint8_t off = vg_cur_u8(&c);
    uint8_t flags = vg_cur_u8(&c);
    uint16_t win = vg_cur_u16(&c);
    vg_cur_skip(&c, 4); /* checksum, urgent pointer */
    if (!vg_cur_ok(&c))
        return decode_fail(d, p, VG_EV_TCP_PKT_TOO_SMALL);
    uint32_t hlen = (uint32_t)(off >> 4) * 4;
    if (hlen < 20)
        return decode_fail(d, p, VG_EV_TCP_HLEN_TOO_SMALL);
    if (hlen > len)
        return decode_fail(d, p, VG_EV_TCP_PKT_TOO_SMALL);
    memset(&p->tcp, 0, sizeof(p->tcp));
    p->tcp.seq = seq;
    p->tcp.ack = ack;
    p->tcp.win = win;
    p->tcp.flags = flags;
    p->tcp.hlen = (uint8_t)hlen;
    if (hlen > 20)
        tcp_options(d, p, vg_cur_sub(&c, hlen - 20));
    p->sp = sp;
    p->dp = dp;
    p->l4 = start;
    p->l4_len = len;
    p->payload = start + hlen;
    p->payload_len = len - hlen;
    p->flags |= VG_PKT_HAS_L4;
    if (d->csum == VG_CSUM_ALL &&
        vg_csum_fold(vg_csum_add(decode_pseudo_sum(p, VG_IPPROTO_TCP, len), start, len)) != 0)
        p->flags |= VG_PKT_L4_CSUM_BAD;
    return VG_OK;
}
