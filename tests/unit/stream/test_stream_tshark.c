/* Flow counters and reassembled bytes against tshark over every
 * suricata-verify capture.
 *
 * For each TCP conversation tshark reports (tcp.stream), matched to our
 * flow by its 5-tuple when both sides have exactly one:
 *   - packets and captured bytes (frame.cap_len; we count caplen) in total;
 *   - for "clean" conversations (first packet a SYN, a SYN/ACK seen, no
 *     tcp.analysis flag of any kind, below the reassembly depth): the bytes
 *     delivered per direction equal the sum of tcp.len per direction (RST
 *     payload excluded: not part of the stream, as in Suricata).
 * Skips without ../shared or tshark. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vg_config.h"
#include "capture/capture.h"
#include "decode/decode.h"
#include "flow/flow.h"
#include "stream/stream.h"

#define MAXF 4096

typedef struct conv {
    char key[160];      /* canonical "a:p|b:q" */
    uint64_t pkts, bytes;
    uint64_t pay[2];    /* [0] sent by the first packet's source */
    bool clean;
    int n;              /* conversations/flows with this key */
} conv_t;

typedef struct side {
    conv_t c[MAXF];
    int n;
} side_t;

static side_t ours, theirs;
static vg_stream_ctx_t *g_s;

/* per-flow delivered bytes, keyed by flow_id while the flow lives */
static struct {
    uint64_t id;
    uint64_t b[2];
} live[MAXF];
static int nlive;

static conv_t *
conv_get(side_t *s, const char *key)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->c[i].key, key) == 0)
            return &s->c[i];
    if (s->n >= MAXF)
        return NULL;
    conv_t *c = &s->c[s->n++];
    memset(c, 0, sizeof(*c));
    snprintf(c->key, sizeof(c->key), "%s", key);
    return c;
}

static void
canon_key(char *out, size_t n, const char *a, unsigned ap, const char *b, unsigned bp)
{
    char x[80], y[80];
    snprintf(x, sizeof(x), "%s:%u", a, ap);
    snprintf(y, sizeof(y), "%s:%u", b, bp);
    if (strcmp(x, y) <= 0)
        snprintf(out, n, "%s|%s", x, y);
    else
        snprintf(out, n, "%s|%s", y, x);
}

static void
on_data(void *user, vg_flow_t *f, const vg_packet_t *p, int dir, const uint8_t *data,
        uint32_t len, unsigned flags)
{
    (void)user;
    (void)p;
    (void)data;
    if (!(flags & VG_STREAM_DATA))
        return;
    for (int i = 0; i < nlive; i++) {
        if (live[i].id == f->flow_id) {
            live[i].b[dir] += len;
            return;
        }
    }
    if (nlive < MAXF) {
        live[nlive].id = f->flow_id;
        live[nlive].b[0] = live[nlive].b[1] = 0;
        live[nlive++].b[dir] = len;
    }
}

static void
on_end(void *user, vg_flow_t *f)
{
    (void)user;
    vg_stream_flow_end(g_s, f, NULL);
    if (f->key.proto != VG_IPPROTO_TCP)
        return;
    char a[64], b[64], key[160];
    vg_addr_format(&f->key.src, a, sizeof(a));
    vg_addr_format(&f->key.dst, b, sizeof(b));
    canon_key(key, sizeof(key), a, f->key.sp, b, f->key.dp);
    conv_t *c = conv_get(&ours, key);
    if (c == NULL)
        return;
    c->n++;
    c->pkts += f->pkts[0] + f->pkts[1];
    c->bytes += f->bytes[0] + f->bytes[1];
    for (int i = 0; i < nlive; i++) {
        if (live[i].id == f->flow_id) {
            c->pay[0] += live[i].b[0];
            c->pay[1] += live[i].b[1];
            live[i] = live[--nlive];
            break;
        }
    }
}

static void
run_ours(const char *path)
{
    vg_limits_t l;
    vg_limits_defaults(&l);
    vg_counters_t *c = calloc(1, sizeof(*c));
    vg_decode_ctx_t dc;
    assert_int_equal(vg_decode_ctx_init(&dc, &l, c), VG_OK);
    vg_flow_table_t *t = vg_flow_table_new(&l, c, on_end, NULL);
    g_s = vg_stream_ctx_new(&l, c, on_data, NULL);
    vg_capture_opts_t o = { .limits = &l };
    vg_capture_t *cap = NULL;
    char err[256];
    if (vg_capture_open_file(&cap, path, &o, err, sizeof(err)) == VG_OK) {
        vg_packet_t p;
        memset(&p, 0, sizeof(p));
        while (vg_capture_next(cap, &p) == VG_OK) {
            vg_decode_packet(&dc, &p);
            vg_flow_timeout_sweep(t, p.ts);
            if (vg_flow_handle_packet(t, &p) == VG_OK && p.proto == VG_IPPROTO_TCP)
                vg_stream_handle_packet(g_s, &p);
        }
        vg_capture_close(cap);
        free(p.buf);
    }
    vg_flow_table_free(t);
    vg_stream_ctx_free(g_s);
    free(c);
}

/* tshark's view: one conv per tcp.stream; keyed by tuple. */
static bool
run_tshark(const char *path)
{
    char cmd[2400];
    snprintf(cmd, sizeof(cmd),
             "tshark -n -r '%s' -Y tcp -T fields -E separator='|' -e tcp.stream -e ip.src "
             "-e ipv6.src -e tcp.srcport -e ip.dst -e ipv6.dst -e tcp.dstport -e tcp.len "
             "-e frame.cap_len -e tcp.flags -e tcp.analysis.flags 2>/dev/null",
             path);
    FILE *fp = popen(cmd, "r");
    if (fp == NULL)
        return false;
    static struct {
        conv_t *c;
        char src[80];
        bool bad;
    } st[MAXF];
    static bool seen[MAXF];
    memset(seen, 0, sizeof(seen));
    char line[1024];
    while (fgets(line, sizeof(line), fp)) {
        char *f[11] = { 0 };
        char *s = line;
        for (int i = 0; i < 11; i++) {
            f[i] = s;
            char *bar = s ? strchr(s, '|') : NULL;
            if (bar) {
                *bar = 0;
                s = bar + 1;
            } else {
                s = NULL;
            }
        }
        if (f[10] == NULL)
            continue;
        f[10][strcspn(f[10], "\r\n")] = 0;
        long id = strtol(f[0], NULL, 10);
        if (id < 0 || id >= MAXF)
            continue;
        const char *src = *f[1] ? f[1] : f[2];
        const char *dst = *f[4] ? f[4] : f[5];
        /* tunnels/nesting give several values: leave such conversations out */
        bool nested = strchr(src, ',') || strchr(dst, ',') || strchr(f[3], ',');
        unsigned sp = (unsigned)strtoul(f[3], NULL, 10), dp = (unsigned)strtoul(f[6], NULL, 10);
        if (!seen[id]) {
            char key[160];
            canon_key(key, sizeof(key), src, sp, dst, dp);
            seen[id] = true;
            st[id].c = conv_get(&theirs, key);
            st[id].bad = false;
            snprintf(st[id].src, sizeof(st[id].src), "%s:%u", src, sp);
            if (st[id].c == NULL)
                continue;
            st[id].c->n++;
            st[id].c->clean = (strtoul(f[9], NULL, 16) & 0x12) == 0x02;
            st[id].bad = true; /* until a SYN/ACK shows both sides are visible */
        }
        conv_t *c = st[id].c;
        if (c == NULL)
            continue;
        if (nested)
            c->n += 100; /* never compared */
        char me[100];
        snprintf(me, sizeof(me), "%s:%u", src, sp);
        int dir = strcmp(me, st[id].src) == 0 ? 0 : 1;
        unsigned long tf = strtoul(f[9], NULL, 16);
        c->pkts++;
        c->bytes += strtoull(f[8], NULL, 10);
        /* RST payload is not part of the stream (Suricata, suricata-verify
         * bug-6244-tcp-rst-with-data-02). */
        if (!(tf & 0x04))
            c->pay[dir] += strtoull(f[7], NULL, 10);
        if ((tf & 0x12) == 0x12)
            st[id].bad = false;
        if (*f[10])
            c->clean = false;
    }
    for (int i = 0; i < MAXF; i++)
        if (seen[i] && st[i].c != NULL && st[i].bad)
            st[i].c->clean = false;
    return pclose(fp) == 0;
}

static void
test_against_tshark(void **state)
{
    (void)state;
    char root[1024];
    snprintf(root, sizeof(root), "%s/../shared/corpora/suricata-verify/tests", VG_SOURCE_ROOT);
    struct dirent **ents = NULL;
    int nents = scandir(root, &ents, NULL, alphasort);
    if (nents < 0) {
        printf("skip: %s not found (../shared absent)\n", root);
        skip();
    }
    if (system("tshark -v >/dev/null 2>&1") != 0) {
        for (int i = 0; i < nents; i++)
            free(ents[i]);
        free(ents);
        printf("skip: tshark not installed\n");
        skip();
    }
    unsigned files = 0, compared = 0, clean = 0, mism = 0;
    for (int ei = 0; ei < nents; ei++) {
        struct dirent *e = ents[ei];
        /* tshark costs ~1 s of CPU per capture: the first 40 captures with
         * TCP flows (alphabetical test order) are plenty. */
        if (e->d_name[0] == '.' || files >= 40)
            continue;
        char dir[1400];
        snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name);
        DIR *sub = opendir(dir);
        if (sub == NULL)
            continue;
        struct dirent *g;
        while ((g = readdir(sub)) != NULL) {
            size_t nl = strlen(g->d_name);
            if (nl < 5 || (strcmp(g->d_name + nl - 5, ".pcap") != 0 &&
                           (nl < 7 || strcmp(g->d_name + nl - 7, ".pcapng") != 0)))
                continue;
            char path[1700];
            snprintf(path, sizeof(path), "%s/%s", dir, g->d_name);
            memset(&ours, 0, sizeof(ours));
            memset(&theirs, 0, sizeof(theirs));
            nlive = 0;
            run_ours(path);
            if (ours.n == 0)
                continue; /* no TCP flow: spare the tshark run */
            if (!run_tshark(path))
                continue;
            files++;
            for (int i = 0; i < theirs.n; i++) {
                conv_t *t = &theirs.c[i];
                conv_t *o = NULL;
                for (int j = 0; j < ours.n; j++)
                    if (strcmp(ours.c[j].key, t->key) == 0)
                        o = &ours.c[j];
                if (o == NULL || o->n != 1 || t->n != 1)
                    continue;
                compared++;
                if (o->pkts != t->pkts || o->bytes != t->bytes) {
                    mism++;
                    printf("MISMATCH %s %s: pkts %lu/%lu bytes %lu/%lu\n", g->d_name, t->key,
                           (unsigned long)o->pkts, (unsigned long)t->pkts,
                           (unsigned long)o->bytes, (unsigned long)t->bytes);
                }
                if (t->clean && t->pay[0] + t->pay[1] < (1u << 20)) {
                    clean++;
                    if (o->pay[0] != t->pay[0] || o->pay[1] != t->pay[1]) {
                        mism++;
                        printf("MISMATCH %s %s: delivered %lu/%lu vs tshark %lu/%lu\n",
                               g->d_name, t->key, (unsigned long)o->pay[0],
                               (unsigned long)o->pay[1], (unsigned long)t->pay[0],
                               (unsigned long)t->pay[1]);
                    }
                }
            }
        }
        closedir(sub);
    }
    for (int i = 0; i < nents; i++)
        free(ents[i]);
    free(ents);
    printf("tshark check: %u captures, %u TCP conversations compared, %u clean ones "
           "byte-compared, %u mismatches\n",
           files, compared, clean, mism);
    assert_int_equal(mism, 0);
    assert_true(compared >= 20);
    assert_true(clean >= 10);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_tshark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
