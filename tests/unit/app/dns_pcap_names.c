/* dns_pcap_names.c - test harness: read a pcap, feed every DNS payload
 * (UDP or TCP, port 53) to the DNS parser directly, print each question
 * name of every parsed message, one per line (printable form).
 *
 * Only what the cross-check needs: Ethernet/802.1Q, Linux SLL, raw IP,
 * BSD loopback; IPv4/IPv6 without extension headers or fragments; TCP
 * streams joined per direction in sequence order (retransmissions and
 * out-of-order segments dropped). Used by dns_tshark_xcheck.py.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_dns.h"
#include "util/util_cursor.h"

static void
emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    (void)ctx;
    const vg_dns_tx_t *tx = ev->tx;
    if (ev->kind != VG_APP_EV_TX || tx == NULL)
        return;
    for (uint16_t i = 0; i < tx->n_queries; i++) {
        const vg_dns_name_t *n = &tx->queries[i].name;
        for (uint16_t k = 0; k < n->len; k++) {
            uint8_t c = n->s[k];
            if (c >= 0x20 && c < 0x7f && c != '\\')
                putchar(c);
            else
                printf("\\x%02x", c);
        }
        putchar('\n');
    }
}

/* One TCP direction: the flow key, the parser state, the next sequence. */
typedef struct tcp_dir {
    uint8_t key[40];
    void *st;
    uint32_t next_seq;
    bool have_seq;
    vg_flow_t flow;
} tcp_dir_t;

#define MAX_TCP 4096
static tcp_dir_t tcps[MAX_TCP];
static size_t n_tcp;
static vg_limits_t lim;
static vg_counters_t ctrs;
static unsigned long n_port53; /* packets to/from port 53 (reported on stderr) */

static tcp_dir_t *
tcp_get(const uint8_t *key)
{
    for (size_t i = 0; i < n_tcp; i++)
        if (memcmp(tcps[i].key, key, sizeof(tcps[i].key)) == 0)
            return &tcps[i];
    if (n_tcp == MAX_TCP)
        return NULL;
    tcp_dir_t *t = &tcps[n_tcp++];
    memcpy(t->key, key, sizeof(t->key));
    t->flow.key.proto = VG_IPPROTO_TCP;
    vg_app_ctx_t c = {.limits = &lim, .counters = &ctrs, .flow = &t->flow, .emit = emit};
    t->st = vg_app_parser_dns.state_new(&c);
    return t;
}

static void
handle_l4(uint8_t proto, const uint8_t *src, const uint8_t *dst, size_t alen, vg_cur_t *c)
{
    if (proto == 17) {
        uint16_t sp = vg_cur_u16(c), dp = vg_cur_u16(c);
        uint16_t ulen = vg_cur_u16(c);
        vg_cur_skip(c, 2);
        if (!vg_cur_ok(c) || (sp != 53 && dp != 53) || ulen < 8)
            return;
        n_port53++;
        size_t n = VG_MIN((size_t)ulen - 8, vg_cur_left(c));
        vg_flow_t f = {0};
        f.key.proto = VG_IPPROTO_UDP;
        vg_app_ctx_t ctx = {.limits = &lim, .counters = &ctrs, .flow = &f, .emit = emit};
        void *st = vg_app_parser_dns.state_new(&ctx);
        vg_app_parser_dns.parse(&ctx, st, dp == 53 ? 0 : 1, vg_cur_ptr(c), n, 0);
        vg_app_parser_dns.state_free(st);
    } else if (proto == 6) {
        uint16_t sp = vg_cur_u16(c), dp = vg_cur_u16(c);
        uint32_t seq = vg_cur_u32(c);
        vg_cur_skip(c, 4);
        uint8_t off = vg_cur_u8(c);
        uint8_t flags = vg_cur_u8(c);
        if (!vg_cur_ok(c) || (sp != 53 && dp != 53))
            return;
        n_port53++;
        size_t hl = (size_t)(off >> 4) * 4;
        if (hl < 20 || hl - 14 > vg_cur_left(c))
            return;
        vg_cur_skip(c, hl - 14);
        uint8_t key[40] = {0};
        memcpy(key, src, alen);
        memcpy(key + 16, dst, alen);
        key[32] = (uint8_t)(sp >> 8);
        key[33] = (uint8_t)sp;
        key[34] = (uint8_t)(dp >> 8);
        key[35] = (uint8_t)dp;
        tcp_dir_t *t = tcp_get(key);
        if (t == NULL)
            return;
        if (flags & 0x02) { /* SYN */
            t->next_seq = seq + 1;
            t->have_seq = true;
            return;
        }
        size_t n = vg_cur_left(c);
        if (n == 0)
            return;
        if (!t->have_seq) {
            t->next_seq = seq;
            t->have_seq = true;
        }
        if (seq != t->next_seq)
            return; /* retransmission or out of order: dropped */
        t->next_seq = seq + (uint32_t)n;
        vg_app_ctx_t ctx = {.limits = &lim, .counters = &ctrs, .flow = &t->flow, .emit = emit};
        vg_app_parser_dns.parse(&ctx, t->st, dp == 53 ? 0 : 1, vg_cur_ptr(c), n, 0);
    }
}

static void
handle_ip(vg_cur_t *c)
{
    if (vg_cur_left(c) < 1)
        return;
    uint8_t v = vg_cur_peek_at(c, vg_cur_pos(c)) >> 4;
    if (v == 4) {
        uint8_t vhl = vg_cur_u8(c);
        vg_cur_skip(c, 1);
        uint16_t tot = vg_cur_u16(c);
        vg_cur_skip(c, 2);
        uint16_t frag = vg_cur_u16(c);
        vg_cur_skip(c, 1);
        uint8_t proto = vg_cur_u8(c);
        vg_cur_skip(c, 2);
        uint8_t src[4], dst[4];
        vg_cur_copy(c, src, 4);
        vg_cur_copy(c, dst, 4);
        size_t hl = (size_t)(vhl & 15) * 4;
        if (!vg_cur_ok(c) || hl < 20 || (frag & 0x3fff) != 0 || tot < hl)
            return;
        vg_cur_skip(c, hl - 20);
        size_t left = VG_MIN((size_t)tot - hl, vg_cur_left(c));
        vg_cur_t l4 = vg_cur_sub(c, left);
        handle_l4(proto, src, dst, 4, &l4);
    } else if (v == 6) {
        vg_cur_skip(c, 4);
        uint16_t plen = vg_cur_u16(c);
        uint8_t nh = vg_cur_u8(c);
        vg_cur_skip(c, 1);
        uint8_t src[16], dst[16];
        vg_cur_copy(c, src, 16);
        vg_cur_copy(c, dst, 16);
        if (!vg_cur_ok(c))
            return;
        vg_cur_t l4 = vg_cur_sub(c, VG_MIN((size_t)plen, vg_cur_left(c)));
        handle_l4(nh, src, dst, 16, &l4);
    }
}

static void
handle_eth_type(uint16_t et, vg_cur_t *c)
{
    while (et == 0x8100 || et == 0x88a8) {
        vg_cur_skip(c, 2);
        et = vg_cur_u16(c);
    }
    if (vg_cur_ok(c) && (et == 0x0800 || et == 0x86dd))
        handle_ip(c);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s file.pcap\n", argv[0]);
        return 2;
    }
    vg_limits_defaults(&lim);
    vg_app_parser_dns.register_counters();
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(argv[1], err);
    if (pc == NULL) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int dlt = pcap_datalink(pc);
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        vg_cur_t c = vg_cur_make(data, h->caplen);
        switch (dlt) {
        case DLT_EN10MB: {
            vg_cur_skip(&c, 12);
            uint16_t et = vg_cur_u16(&c);
            handle_eth_type(et, &c);
            break;
        }
        case DLT_LINUX_SLL: {
            vg_cur_skip(&c, 14);
            uint16_t et = vg_cur_u16(&c);
            handle_eth_type(et, &c);
            break;
        }
        case DLT_RAW:
        case 101:
        case DLT_IPV4:
        case DLT_IPV6:
            handle_ip(&c);
            break;
        case DLT_NULL:
        case DLT_LOOP:
            vg_cur_skip(&c, 4);
            handle_ip(&c);
            break;
        default:
            fprintf(stderr, "unsupported linktype %d\n", dlt);
            pcap_close(pc);
            return 3;
        }
    }
    pcap_close(pc);
    for (size_t i = 0; i < n_tcp; i++)
        vg_app_parser_dns.state_free(tcps[i].st);
    fprintf(stderr, "port53 %lu\n", n_port53);
    return 0;
}
