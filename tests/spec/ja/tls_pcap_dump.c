/* tls_pcap_dump.c - feed every TCP flow of a pcap through the TLS parser
 * and print one line per ClientHello, for the tshark cross-check
 * (tshark_crosscheck.py):
 *   <client ip> <client port> <server ip> <server port> \t <sni or -> \t <ja3 md5> \t
 *   <ja3 string> \t <ja3s md5 or -> \t <ja3s string or ->
 * printed at the end of the file (so the ServerHello is included).
 *
 * Reassembly is deliberately simple (this is a test tool, not the engine):
 * per direction the next expected sequence number; in-order data is fed,
 * retransmitted bytes are trimmed, out-of-order segments are held (up to
 * 64 per direction) until the hole is filled. The client is the side
 * that sent the SYN (else the first packet's sender).
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_tls.h"

#define MAX_FLOWS 4096
#define MAX_HELD 64

typedef struct held {
    uint32_t seq;
    uint8_t *d;
    uint32_t n;
} held_t;

typedef struct dflow {
    uint8_t a[16], b[16]; /* a = client */
    uint16_t ap, bp;
    int fam;
    bool used;
    bool seq_set[2];
    uint32_t next[2];
    held_t held[2][MAX_HELD];
    void *st;
    bool printed;
    bool dead;
} dflow_t;

static dflow_t flows[MAX_FLOWS];
static vg_limits_t lim;
static vg_counters_t ctrs;

static void
nop_emit(vg_app_ctx_t *c, const vg_app_event_t *e)
{
    (void)c;
    (void)e;
}

static void
addr_str(int fam, const uint8_t *a, char *buf, size_t n)
{
    inet_ntop(fam == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)n);
}

static void
print_flow(dflow_t *f)
{
    const vg_tls_tx_t *tx = f->st;
    if (f->printed || tx == NULL || tx->client.ja3_str == NULL)
        return;
    f->printed = true;
    char sa[64], sb[64];
    addr_str(f->fam, f->a, sa, sizeof(sa));
    addr_str(f->fam, f->b, sb, sizeof(sb));
    printf("%s %u %s %u\t%.*s\t%s\t%s\t%s\t%s\n", sa, f->ap, sb, f->bp,
           tx->client.sni ? (int)tx->client.sni_len : 1, tx->client.sni ? tx->client.sni : "-",
           tx->client.ja3_hash, tx->client.ja3_str,
           tx->server.ja3_str ? tx->server.ja3_hash : "-",
           tx->server.ja3_str ? tx->server.ja3_str : "-");
}

static void
deliver(dflow_t *f, int dir, const uint8_t *d, uint32_t n)
{
    if (f->dead || n == 0)
        return;
    vg_app_ctx_t c = {.limits = &lim, .counters = &ctrs, .emit = nop_emit};
    if (f->st == NULL)
        f->st = vg_app_parser_tls.state_new(&c);
    if (f->st == NULL)
        return;
    (void)vg_app_parser_tls.parse(&c, f->st, dir, d, n, 0);
}

static void
segment(dflow_t *f, int dir, uint32_t seq, const uint8_t *d, uint32_t n, bool syn)
{
    if (syn) {
        f->next[dir] = seq + 1;
        f->seq_set[dir] = true;
        return;
    }
    if (n == 0)
        return;
    if (!f->seq_set[dir]) {
        f->next[dir] = seq;
        f->seq_set[dir] = true;
    }
    int32_t diff = (int32_t)(seq - f->next[dir]);
    if (diff > 0) {
        for (int i = 0; i < MAX_HELD; i++) {
            if (f->held[dir][i].d == NULL) {
                f->held[dir][i].d = malloc(n);
                if (f->held[dir][i].d == NULL)
                    return;
                memcpy(f->held[dir][i].d, d, n);
                f->held[dir][i].n = n;
                f->held[dir][i].seq = seq;
                return;
            }
        }
        return;
    }
    if ((uint32_t)(-diff) >= n)
        return; /* retransmission */
    d += -diff;
    n -= (uint32_t)(-diff);
    deliver(f, dir, d, n);
    f->next[dir] += n;
    bool progress = true;
    while (progress) {
        progress = false;
        for (int i = 0; i < MAX_HELD; i++) {
            held_t *h = &f->held[dir][i];
            if (h->d == NULL)
                continue;
            int32_t hd = (int32_t)(h->seq - f->next[dir]);
            if (hd <= 0) {
                if ((uint32_t)(-hd) < h->n) {
                    deliver(f, dir, h->d + (-hd), h->n - (uint32_t)(-hd));
                    f->next[dir] += h->n - (uint32_t)(-hd);
                }
                free(h->d);
                h->d = NULL;
                progress = true;
            }
        }
    }
}

static dflow_t *
lookup(int fam, const uint8_t *s, const uint8_t *d, uint16_t sp, uint16_t dp, int *dir)
{
    size_t al = fam == 4 ? 4 : 16;
    for (int i = 0; i < MAX_FLOWS; i++) {
        dflow_t *f = &flows[i];
        if (!f->used || f->fam != fam)
            continue;
        if (!memcmp(f->a, s, al) && !memcmp(f->b, d, al) && f->ap == sp && f->bp == dp) {
            *dir = 0;
            return f;
        }
        if (!memcmp(f->a, d, al) && !memcmp(f->b, s, al) && f->ap == dp && f->bp == sp) {
            *dir = 1;
            return f;
        }
    }
    for (int i = 0; i < MAX_FLOWS; i++) {
        dflow_t *f = &flows[i];
        if (f->used)
            continue;
        memset(f, 0, sizeof(*f));
        f->used = true;
        f->fam = fam;
        memcpy(f->a, s, al);
        memcpy(f->b, d, al);
        f->ap = sp;
        f->bp = dp;
        *dir = 0;
        return f;
    }
    return NULL;
}

static void
on_ip(const uint8_t *p, uint32_t n)
{
    if (n < 20)
        return;
    int v = p[0] >> 4;
    const uint8_t *src, *dst, *l4;
    uint32_t l4n;
    int fam;
    if (v == 4) {
        uint32_t hl = (uint32_t)(p[0] & 15) * 4;
        uint32_t tl = ((uint32_t)p[2] << 8) | p[3];
        if (p[9] != 6 || hl < 20 || tl > n || tl < hl || (((p[6] & 0x1f) << 8) | p[7]) != 0 ||
            (p[6] & 0x20))
            return;
        src = p + 12;
        dst = p + 16;
        l4 = p + hl;
        l4n = tl - hl;
        fam = 4;
    } else if (v == 6) {
        if (n < 40 || p[6] != 6)
            return;
        uint32_t pl = ((uint32_t)p[4] << 8) | p[5];
        if (40 + pl > n)
            pl = n - 40;
        src = p + 8;
        dst = p + 24;
        l4 = p + 40;
        l4n = pl;
        fam = 6;
    } else {
        return;
    }
    if (l4n < 20)
        return;
    uint16_t sp = (uint16_t)((l4[0] << 8) | l4[1]), dp = (uint16_t)((l4[2] << 8) | l4[3]);
    uint32_t seq = ((uint32_t)l4[4] << 24) | ((uint32_t)l4[5] << 16) | ((uint32_t)l4[6] << 8) |
                   l4[7];
    uint32_t off = (uint32_t)(l4[12] >> 4) * 4;
    uint8_t fl = l4[13];
    if (off < 20 || off > l4n)
        return;
    bool syn = (fl & 0x02) != 0, ack = (fl & 0x10) != 0;
    int dir;
    dflow_t *f;
    if (syn && ack)
        f = lookup(fam, dst, src, dp, sp, &dir), dir = f ? 1 - dir : 0;
    else
        f = lookup(fam, src, dst, sp, dp, &dir);
    if (f == NULL)
        return;
    segment(f, dir, seq, l4 + off, l4n - off, syn);
}

static void
on_pkt(u_char *user, const struct pcap_pkthdr *h, const u_char *d)
{
    int dlt = *(int *)user;
    uint32_t n = h->caplen;
    uint32_t off;
    uint16_t et = 0;
    switch (dlt) {
    case DLT_EN10MB:
        if (n < 14)
            return;
        et = (uint16_t)((d[12] << 8) | d[13]);
        off = 14;
        while ((et == 0x8100 || et == 0x88a8) && n >= off + 4) {
            et = (uint16_t)((d[off + 2] << 8) | d[off + 3]);
            off += 4;
        }
        if (et != 0x0800 && et != 0x86dd)
            return;
        break;
    case DLT_LINUX_SLL:
        off = 16;
        break;
    case DLT_NULL:
    case DLT_LOOP:
        off = 4;
        break;
    case DLT_RAW:
    case 228: /* DLT_IPV4 */
    case 229: /* DLT_IPV6 */
        off = 0;
        break;
    default:
        return;
    }
    if (n <= off)
        return;
    on_ip(d + off, n - off);
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s file.pcap\n", argv[0]);
        return 2;
    }
    vg_limits_defaults(&lim);
    vg_app_parser_tls.register_counters();
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(argv[1], err);
    if (pc == NULL) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int dlt = pcap_datalink(pc);
    pcap_loop(pc, -1, on_pkt, (u_char *)&dlt);
    pcap_close(pc);
    for (int i = 0; i < MAX_FLOWS; i++) {
        print_flow(&flows[i]);
        if (flows[i].st)
            vg_app_parser_tls.state_free(flows[i].st);
        for (int d = 0; d < 2; d++)
            for (int k = 0; k < MAX_HELD; k++)
                free(flows[i].held[d][k].d);
    }
    return 0;
}
