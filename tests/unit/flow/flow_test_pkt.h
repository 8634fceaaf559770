/* flow_test_pkt.h - build decoded packets directly for flow/stream unit
 * tests (no wire bytes: the fields decode would fill). */
#ifndef VG_FLOW_TEST_PKT_H
#define VG_FLOW_TEST_PKT_H

#include <arpa/inet.h>
#include <string.h>

#include "decode/decode_packet.h"

static inline vg_addr_t
tp_addr(const char *s)
{
    vg_addr_t a;
    memset(&a, 0, sizeof(a));
    if (strchr(s, ':') != NULL) {
        inet_pton(AF_INET6, s, a.b);
        a.family = 6;
    } else {
        inet_pton(AF_INET, s, a.b);
        a.family = 4;
    }
    return a;
}

/* A decoded L4 packet src:sp -> dst:dp, caplen = 54 + payload. */
static inline void
tp_l4(vg_packet_t *p, uint64_t cnt, vg_time_us_t ts, uint8_t proto, const char *src, uint16_t sp,
      const char *dst, uint16_t dp)
{
    memset(p, 0, sizeof(*p));
    p->pcap_cnt = cnt;
    p->ts = ts;
    p->src = tp_addr(src);
    p->dst = tp_addr(dst);
    p->ip_ver = p->src.family;
    p->proto = proto;
    p->sp = sp;
    p->dp = dp;
    p->ttl = 64;
    p->flags = VG_PKT_HAS_L4;
    p->caplen = p->wirelen = 54;
}

static inline void
tp_tcp(vg_packet_t *p, uint64_t cnt, vg_time_us_t ts, const char *src, uint16_t sp,
       const char *dst, uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack,
       const void *payload, uint32_t len)
{
    tp_l4(p, cnt, ts, VG_IPPROTO_TCP, src, sp, dst, dp);
    p->tcp.flags = flags;
    p->tcp.seq = seq;
    p->tcp.ack = ack;
    p->tcp.win = 65535;
    p->tcp.hlen = 20;
    p->payload = (const uint8_t *)payload;
    p->payload_len = len;
    p->caplen = p->wirelen = 54 + len;
}

#endif
