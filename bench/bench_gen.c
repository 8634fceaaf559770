/* bench_gen.c - write a deterministic capture of mixed, realistic traffic
 * for `make bench`: many hosts doing DNS lookups, HTTP/1.1 requests with
 * bodies, TLS 1.2 handshakes (real ClientHello with SNI, a real self-signed
 * certificate), bulk TCP transfers with ACK clocking, and plain UDP.
 * Sessions are interleaved (up to CONCURRENCY at once) so the flow table
 * and reassembly see realistic overlap. Checksums are correct.
 *
 * usage: bench_gen OUT.pcap [TARGET_MB] [SEED]
 * Same arguments, same bytes: a fixed PRNG and fixed clock.
 */
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/rsa.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONCURRENCY 256
#define MSS 1448

static uint64_t rng_state;

static uint64_t
rnd(void)
{
    /* xorshift64*: fast, deterministic */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static uint32_t
rnd_range(uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static FILE *out;
static uint64_t now_us = 1700000000ULL * 1000000ULL;
static uint64_t bytes_written, pkts_written;

static void
pcap_header(void)
{
    struct {
        uint32_t magic;
        uint16_t vmaj, vmin;
        int32_t zone;
        uint32_t sigfigs, snaplen, linktype;
    } h = {0xa1b2c3d4, 2, 4, 0, 0, 262144, 1};
    fwrite(&h, sizeof(h), 1, out);
}

static void
pcap_packet(const uint8_t *data, uint32_t len)
{
    now_us += rnd_range(1, 40);
    uint32_t rec[4] = {(uint32_t)(now_us / 1000000), (uint32_t)(now_us % 1000000), len, len};
    fwrite(rec, sizeof(rec), 1, out);
    fwrite(data, 1, len, out);
    bytes_written += len + 16;
    pkts_written++;
}

static uint16_t
csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

/* Build Ethernet + IPv4 + TCP/UDP around payload and write it. */
static void
emit_ip(uint32_t src, uint32_t dst, uint8_t proto, uint16_t sp, uint16_t dp, uint32_t seq,
        uint32_t ack, uint8_t flags, const uint8_t *payload, uint32_t plen)
{
    static uint8_t pkt[65600];
    static uint16_t ipid;
    uint8_t *eth = pkt;
    /* MACs derived from the IPs so each host has a stable address */
    uint8_t smac[6] = {0x02, 0, (uint8_t)(src >> 24), (uint8_t)(src >> 16), (uint8_t)(src >> 8), (uint8_t)src};
    uint8_t dmac[6] = {0x02, 0, (uint8_t)(dst >> 24), (uint8_t)(dst >> 16), (uint8_t)(dst >> 8), (uint8_t)dst};
    memcpy(eth, dmac, 6);
    memcpy(eth + 6, smac, 6);
    eth[12] = 0x08;
    eth[13] = 0x00;
    uint8_t *ip = eth + 14;
    uint32_t l4len = (proto == 6 ? 20 : 8) + plen;
    uint16_t tot = (uint16_t)(20 + l4len);
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ipid++;
    ip[4] = (uint8_t)(ipid >> 8);
    ip[5] = (uint8_t)ipid;
    ip[6] = 0x40; /* DF */
    ip[8] = 64;
    ip[9] = proto;
    uint32_t s = htonl(src), d = htonl(dst);
    memcpy(ip + 12, &s, 4);
    memcpy(ip + 16, &d, 4);
    uint16_t ipc = csum_fold(csum_add(0, ip, 20));
    ip[10] = (uint8_t)(ipc >> 8);
    ip[11] = (uint8_t)ipc;
    uint8_t *l4 = ip + 20;
    if (proto == 6) {
        memset(l4, 0, 20);
        l4[0] = (uint8_t)(sp >> 8);
        l4[1] = (uint8_t)sp;
        l4[2] = (uint8_t)(dp >> 8);
        l4[3] = (uint8_t)dp;
        uint32_t nseq = htonl(seq), nack = htonl(ack);
        memcpy(l4 + 4, &nseq, 4);
        memcpy(l4 + 8, &nack, 4);
        l4[12] = 5 << 4;
        l4[13] = flags;
        l4[14] = 0xff;
        l4[15] = 0xff;
        memcpy(l4 + 20, payload, plen);
    } else {
        l4[0] = (uint8_t)(sp >> 8);
        l4[1] = (uint8_t)sp;
        l4[2] = (uint8_t)(dp >> 8);
        l4[3] = (uint8_t)dp;
        l4[4] = (uint8_t)(l4len >> 8);
        l4[5] = (uint8_t)l4len;
        l4[6] = l4[7] = 0;
        memcpy(l4 + 8, payload, plen);
    }
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = proto;
    pseudo[10] = (uint8_t)(l4len >> 8);
    pseudo[11] = (uint8_t)l4len;
    uint16_t c = csum_fold(csum_add(csum_add(0, pseudo, 12), l4, l4len));
    if (proto == 17 && c == 0)
        c = 0xffff;
    uint8_t *cp = l4 + (proto == 6 ? 16 : 6);
    cp[0] = (uint8_t)(c >> 8);
    cp[1] = (uint8_t)c;
    pcap_packet(pkt, 14 + tot);
}

/* ---------- content ---------- */

static const char *words[] = {"mail", "cdn", "api", "static", "news", "shop", "login", "img", "video",
                              "docs", "update", "files", "portal", "app", "search", "assets"};
static const char *tlds[] = {"example.com", "example.net", "example.org", "test.invalid", "corp.local"};

static int
make_name(char *buf, size_t n)
{
    return snprintf(buf, n, "%s%u.%s", words[rnd() % 16], (unsigned)(rnd() % 5000),
                    tlds[rnd() % 5]);
}

static uint8_t cert_der[2048];
static int cert_len;

static void
make_cert(void)
{
    EVP_PKEY *k = EVP_RSA_gen(1024);
    X509 *x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1234567);
    ASN1_TIME_set(X509_getm_notBefore(x), 1600000000);
    ASN1_TIME_set(X509_getm_notAfter(x), 1900000000);
    X509_set_pubkey(x, k);
    X509_NAME *nm = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1, 0);
    X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC, (const unsigned char *)"Bench Inc", -1, -1, 0);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"bench.example.com", -1, -1, 0);
    X509_set_issuer_name(x, nm);
    X509_sign(x, k, EVP_sha256());
    unsigned char *p = cert_der;
    cert_len = i2d_X509(x, &p);
    X509_free(x);
    EVP_PKEY_free(k);
}

/* ---------- sessions ---------- */

enum { S_DNS, S_HTTP, S_TLS, S_BULK, S_UDP };

typedef struct sess {
    int kind;
    int step;
    uint32_t cli, srv;
    uint16_t cp, sp;
    uint32_t cseq, sseq;
    uint32_t left;       /* bytes of server data still to send */
    uint32_t unacked;    /* segments since last ACK */
    char name[64];
    int active;
} sess_t;

static uint32_t
client_ip(void)
{
    return (10u << 24) | (rnd_range(0, 63) << 16) | (rnd_range(0, 255) << 8) | rnd_range(2, 254);
}

static uint32_t
server_ip(void)
{
    return (uint32_t)((rnd_range(20, 220) << 24) | (rnd_range(0, 255) << 16) | (rnd_range(0, 255) << 8) |
                      rnd_range(1, 254));
}

static void
sess_start(sess_t *s)
{
    memset(s, 0, sizeof(*s));
    uint32_t r = (uint32_t)(rnd() % 100);
    s->kind = r < 35 ? S_DNS : r < 70 ? S_HTTP : r < 90 ? S_TLS : r < 93 ? S_BULK : S_UDP;
    s->cli = client_ip();
    s->srv = s->kind == S_DNS ? (10u << 24 | 250u << 16 | 0 << 8 | 53) : server_ip();
    s->cp = (uint16_t)rnd_range(1025, 65000);
    s->sp = s->kind == S_DNS ? 53 : s->kind == S_HTTP ? 80 : s->kind == S_TLS ? 443 : s->kind == S_BULK ? 9000 : 7000;
    s->cseq = (uint32_t)rnd();
    s->sseq = (uint32_t)rnd();
    make_name(s->name, sizeof(s->name));
    s->active = 1;
    if (s->kind == S_HTTP)
        s->left = rnd_range(200, 120000);
    else if (s->kind == S_BULK)
        s->left = rnd_range(50000, 2000000);
    else if (s->kind == S_TLS)
        s->left = rnd_range(2000, 60000);
    else if (s->kind == S_UDP)
        s->left = rnd_range(2, 40);
}

static size_t
dns_msg(uint8_t *b, const char *name, uint16_t id, int resp, uint32_t addr)
{
    size_t n = 0;
    b[n++] = (uint8_t)(id >> 8);
    b[n++] = (uint8_t)id;
    b[n++] = resp ? 0x81 : 0x01;
    b[n++] = resp ? 0x80 : 0x00;
    b[n++] = 0;
    b[n++] = 1;
    b[n++] = 0;
    b[n++] = resp ? 1 : 0;
    memset(b + n, 0, 4);
    n += 4;
    const char *p = name;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        b[n++] = (uint8_t)l;
        memcpy(b + n, p, l);
        n += l;
        p += l + (dot ? 1 : 0);
    }
    b[n++] = 0;
    b[n++] = 0;
    b[n++] = 1;
    b[n++] = 0;
    b[n++] = 1;
    if (resp) {
        uint8_t ans[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4};
        memcpy(b + n, ans, sizeof(ans));
        n += sizeof(ans);
        uint32_t a = htonl(addr);
        memcpy(b + n, &a, 4);
        n += 4;
    }
    return n;
}

static size_t
client_hello(uint8_t *b, const char *sni)
{
    size_t sl = strlen(sni);
    uint8_t *p = b;
    p[0] = 0x16; p[1] = 3; p[2] = 1; /* record header, length later */
    uint8_t *hs = p + 5;
    hs[0] = 1; /* ClientHello, length later */
    uint8_t *q = hs + 4;
    *q++ = 3; *q++ = 3;
    for (int i = 0; i < 32; i++)
        *q++ = (uint8_t)rnd();
    *q++ = 0; /* session id */
    static const uint16_t ciphers[] = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    *q++ = 0; *q++ = sizeof(ciphers);
    for (size_t i = 0; i < sizeof(ciphers) / 2; i++) { *q++ = (uint8_t)(ciphers[i] >> 8); *q++ = (uint8_t)ciphers[i]; }
    *q++ = 1; *q++ = 0; /* compression null */
    uint8_t *extlen = q; q += 2;
    uint8_t *e0 = q;
    /* server_name */
    *q++ = 0; *q++ = 0; *q++ = 0; *q++ = (uint8_t)(sl + 5);
    *q++ = 0; *q++ = (uint8_t)(sl + 3); *q++ = 0; *q++ = 0; *q++ = (uint8_t)sl;
    memcpy(q, sni, sl); q += sl;
    /* supported_groups */
    static const uint8_t groups[] = {0, 10, 0, 8, 0, 6, 0, 0x1d, 0, 0x17, 0, 0x18};
    memcpy(q, groups, sizeof(groups)); q += sizeof(groups);
    /* ec_point_formats */
    static const uint8_t pf[] = {0, 11, 0, 2, 1, 0};
    memcpy(q, pf, sizeof(pf)); q += sizeof(pf);
    /* ALPN h2, http/1.1 */
    static const uint8_t alpn[] = {0, 16, 0, 14, 0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    memcpy(q, alpn, sizeof(alpn)); q += sizeof(alpn);
    size_t el = (size_t)(q - e0);
    extlen[0] = (uint8_t)(el >> 8); extlen[1] = (uint8_t)el;
    size_t hl = (size_t)(q - hs - 4);
    hs[1] = 0; hs[2] = (uint8_t)(hl >> 8); hs[3] = (uint8_t)hl;
    size_t rl = hl + 4;
    p[3] = (uint8_t)(rl >> 8); p[4] = (uint8_t)rl;
    return rl + 5;
}

static size_t
server_flight(uint8_t *b)
{
    /* ServerHello + Certificate + ServerHelloDone in one record */
    uint8_t *p = b;
    p[0] = 0x16; p[1] = 3; p[2] = 3;
    uint8_t *q = p + 5;
    /* ServerHello */
    uint8_t *sh = q;
    *q++ = 2; q += 3;
    *q++ = 3; *q++ = 3;
    for (int i = 0; i < 32; i++) *q++ = (uint8_t)rnd();
    *q++ = 0; *q++ = 0xc0; *q++ = 0x2f; *q++ = 0;
    *q++ = 0; *q++ = 5; *q++ = 0xff; *q++ = 1; *q++ = 0; *q++ = 1; *q++ = 0; /* renegotiation_info */
    size_t shl = (size_t)(q - sh - 4);
    sh[1] = 0; sh[2] = (uint8_t)(shl >> 8); sh[3] = (uint8_t)shl;
    /* Certificate */
    uint8_t *ce = q;
    *q++ = 11; q += 3;
    size_t listlen = (size_t)cert_len + 3;
    *q++ = 0; *q++ = (uint8_t)(listlen >> 8); *q++ = (uint8_t)listlen;
    *q++ = 0; *q++ = (uint8_t)(cert_len >> 8); *q++ = (uint8_t)cert_len;
    memcpy(q, cert_der, (size_t)cert_len); q += cert_len;
    size_t cel = (size_t)(q - ce - 4);
    ce[1] = 0; ce[2] = (uint8_t)(cel >> 8); ce[3] = (uint8_t)cel;
    /* ServerHelloDone */
    *q++ = 14; *q++ = 0; *q++ = 0; *q++ = 0;
    size_t rl = (size_t)(q - p - 5);
    p[3] = (uint8_t)(rl >> 8); p[4] = (uint8_t)rl;
    return rl + 5;
}

static uint8_t filler[65536];

/* Send `len` bytes from client (dir 0) or server (dir 1) as MSS segments;
 * the receiver ACKs every second segment. */
static void
tcp_send(sess_t *s, int dir, const uint8_t *data, uint32_t len)
{
    uint32_t off = 0;
    while (off < len) {
        uint32_t n = len - off > MSS ? MSS : len - off;
        if (dir == 0) {
            emit_ip(s->cli, s->srv, 6, s->cp, s->sp, s->cseq, s->sseq, 0x18, data + off, n);
            s->cseq += n;
        } else {
            emit_ip(s->srv, s->cli, 6, s->sp, s->cp, s->sseq, s->cseq, 0x18, data + off, n);
            s->sseq += n;
        }
        off += n;
        if (++s->unacked >= 2 || off >= len) {
            if (dir == 0)
                emit_ip(s->srv, s->cli, 6, s->sp, s->cp, s->sseq, s->cseq, 0x10, NULL, 0);
            else
                emit_ip(s->cli, s->srv, 6, s->cp, s->sp, s->cseq, s->sseq, 0x10, NULL, 0);
            s->unacked = 0;
        }
    }
}

/* Advance a session by one step; returns 0 when it is finished. */
static int
sess_step(sess_t *s)
{
    uint8_t buf[4096];
    switch (s->kind) {
    case S_DNS: {
        uint16_t id = (uint16_t)(s->cseq);
        size_t n = dns_msg(buf, s->name, id, s->step == 1, s->cseq | 0x01000000u);
        if (s->step == 0)
            emit_ip(s->cli, s->srv, 17, s->cp, 53, 0, 0, 0, buf, (uint32_t)n);
        else
            emit_ip(s->srv, s->cli, 17, 53, s->cp, 0, 0, 0, buf, (uint32_t)n);
        return ++s->step < 2;
    }
    case S_UDP: {
        uint32_t n = rnd_range(40, 1200);
        if (rnd() & 1)
            emit_ip(s->cli, s->srv, 17, s->cp, s->sp, 0, 0, 0, filler, n);
        else
            emit_ip(s->srv, s->cli, 17, s->sp, s->cp, 0, 0, 0, filler, n);
        return --s->left > 0;
    }
    default:
        break;
    }
    /* TCP sessions: handshake, exchange, close */
    switch (s->step) {
    case 0:
        emit_ip(s->cli, s->srv, 6, s->cp, s->sp, s->cseq++, 0, 0x02, NULL, 0);
        break;
    case 1:
        emit_ip(s->srv, s->cli, 6, s->sp, s->cp, s->sseq++, s->cseq, 0x12, NULL, 0);
        break;
    case 2:
        emit_ip(s->cli, s->srv, 6, s->cp, s->sp, s->cseq, s->sseq, 0x10, NULL, 0);
        break;
    case 3:
        if (s->kind == S_HTTP) {
            int n = snprintf((char *)buf, sizeof(buf),
                             "GET /%s/%u/index.html?q=%u HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 "
                             "(X11; Linux x86_64) bench\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                             words[rnd() % 16], (unsigned)(rnd() % 1000), (unsigned)(rnd() % 100000), s->name);
            tcp_send(s, 0, buf, (uint32_t)n);
        } else if (s->kind == S_TLS) {
            tcp_send(s, 0, buf, (uint32_t)client_hello(buf, s->name));
        } else {
            tcp_send(s, 0, (const uint8_t *)"BULK\n", 5);
        }
        break;
    case 4:
        if (s->kind == S_HTTP) {
            int n = snprintf((char *)buf, sizeof(buf),
                             "HTTP/1.1 200 OK\r\nServer: bench\r\nContent-Type: text/html\r\n"
                             "Content-Length: %u\r\n\r\n", s->left);
            tcp_send(s, 1, buf, (uint32_t)n);
        } else if (s->kind == S_TLS) {
            tcp_send(s, 1, buf, (uint32_t)server_flight(buf));
        }
        break;
    case 5: {
        /* body / application data in chunks of up to 16 segments per step */
        uint32_t n = s->left > 16 * MSS ? 16 * MSS : s->left;
        if (s->kind == S_TLS) {
            /* application data records */
            uint8_t rec[16 * MSS];
            uint32_t body = n > 5 ? n - 5 : n;
            rec[0] = 0x17; rec[1] = 3; rec[2] = 3; rec[3] = (uint8_t)(body >> 8); rec[4] = (uint8_t)body;
            memcpy(rec + 5, filler, body);
            tcp_send(s, (s->left & 1), rec, body + 5);
        } else {
            tcp_send(s, 1, filler, n);
        }
        s->left -= n;
        if (s->left > 0)
            return 1; /* stay in this step */
        break;
    }
    case 6:
        emit_ip(s->srv, s->cli, 6, s->sp, s->cp, s->sseq++, s->cseq, 0x11, NULL, 0);
        break;
    case 7:
        emit_ip(s->cli, s->srv, 6, s->cp, s->sp, s->cseq++, s->sseq, 0x11, NULL, 0);
        break;
    case 8:
        emit_ip(s->srv, s->cli, 6, s->sp, s->cp, s->sseq, s->cseq, 0x10, NULL, 0);
        return 0;
    }
    s->step++;
    return 1;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s OUT.pcap [TARGET_MB] [SEED]\n", argv[0]);
        return 1;
    }
    uint64_t target = (argc > 2 ? strtoull(argv[2], NULL, 10) : 1024) * 1024ULL * 1024ULL;
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) : 0x5eed5eed5eedULL;
    if (rng_state == 0)
        rng_state = 1;
    out = fopen(argv[1], "wb");
    if (!out) {
        perror(argv[1]);
        return 1;
    }
    static char obuf[1 << 20];
    setvbuf(out, obuf, _IOFBF, sizeof(obuf));
    for (size_t i = 0; i < sizeof(filler); i++)
        filler[i] = (uint8_t)("The quick brown fox jumps over the lazy dog. "[i % 45]);
    make_cert();
    pcap_header();
    static sess_t sess[CONCURRENCY];
    for (int i = 0; i < CONCURRENCY; i++)
        sess_start(&sess[i]);
    while (bytes_written < target) {
        sess_t *s = &sess[rnd() % CONCURRENCY];
        if (!sess_step(s))
            sess_start(s);
    }
    /* finish open sessions so flows end cleanly */
    for (int i = 0; i < CONCURRENCY; i++)
        while (sess_step(&sess[i]))
            ;
    fclose(out);
    fprintf(stderr, "bench_gen: wrote %s: %llu packets, %llu bytes\n", argv[1],
            (unsigned long long)pkts_written, (unsigned long long)bytes_written);
    return 0;
}
