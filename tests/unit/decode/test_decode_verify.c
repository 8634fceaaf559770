/* Oracle test against suricata-verify expectations: for every test in
 * ../shared/corpora/suricata-verify/tests whose rules are decode-event
 * signatures (`decode-event:<name>; ... sid:N`) or whose checks count
 * decoder anomalies (`anomaly.event: decoder.<name>`, `anomaly.type:
 * decode`), run its capture through capture -> decode -> defrag -> decode and
 * compare the number of packets carrying each event with the expected count.
 * Only filter blocks whose match keys we can evaluate from the decoder alone
 * are used. Skips (saying so) when ../shared is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "stream/stream_defrag.h"
#include "vg_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SIDS 64

typedef struct sidmap {
    unsigned sid[MAX_SIDS];
    char ev[MAX_SIDS][64];
    int n;
} sidmap_t;

static char sv_root[4096];

/* Read `decode-event:<name>; ... sid:<n>;` rules from every *.rules file of dir. */
static void
read_rules(const char *dir, sidmap_t *m)
{
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "cat '%s'/*.rules 2>/dev/null", dir);
    FILE *f = popen(cmd, "r");
    if (f == NULL)
        return;
    char line[4096];
    while (fgets(line, sizeof(line), f) != NULL && m->n < MAX_SIDS) {
        if (line[0] == '#')
            continue;
        const char *de = strstr(line, "decode-event:");
        const char *sid = strstr(line, " sid:");
        if (de == NULL || sid == NULL)
            continue;
        de += strlen("decode-event:");
        while (*de == ' ')
            de++;
        size_t k = 0;
        while (de[k] && de[k] != ';' && k < 63)
            k++;
        memcpy(m->ev[m->n], de, k);
        m->ev[m->n][k] = '\0';
        m->sid[m->n] = (unsigned)atoi(sid + 5);
        m->n++;
    }
    pclose(f);
}

static const char *
sid_event(const sidmap_t *m, unsigned sid)
{
    for (int i = 0; i < m->n; i++)
        if (m->sid[i] == sid)
            return m->ev[i];
    return NULL;
}

/* Packets carrying event `name` (NULL: any decode-layer event, counting each
 * event once, as EVE writes one anomaly record per event). */
typedef struct run {
    unsigned by_event[VG_EV_MAX];
    unsigned decode_events;
    bool ok;
} run_t;

static void
count_events(const vg_packet_t *p, run_t *r)
{
    for (unsigned i = 0; i < p->n_events; i++) {
        if (vg_decode_event_layer((vg_decode_event_t)p->events[i]) != VG_EV_LAYER_DECODE)
            continue;
        r->by_event[p->events[i]]++;
        r->decode_events++;
    }
}

static void
run_pcap(const char *path, run_t *r)
{
    static vg_counters_t counters;
    vg_limits_t lim;
    vg_limits_defaults(&lim);
    vg_decode_ctx_t dc;
    vg_decode_ctx_init(&dc, &lim, &counters);
    vg_defrag_t *df = vg_defrag_new(&lim, &counters);
    vg_capture_opts_t o = {.limits = &lim};
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    memset(r, 0, sizeof(*r));
    if (vg_capture_open_file(&cap, path, &o, err, sizeof(err)) != VG_OK) {
        vg_defrag_free(df);
        return;
    }
    vg_packet_t p, out;
    memset(&p, 0, sizeof(p));
    memset(&out, 0, sizeof(out));
    while (vg_capture_next(cap, &p) == VG_OK) {
        vg_decode_packet(&dc, &p);
        if (p.flags & VG_PKT_IS_FRAGMENT) {
            int rc = vg_defrag_handle(df, &p, &out);
            count_events(&p, r);
            if (rc == VG_OK) {
                vg_decode_packet(&dc, &out);
                count_events(&out, r);
            }
        } else {
            count_events(&p, r);
        }
    }
    r->ok = true;
    vg_packet_fini(&p);
    vg_packet_fini(&out);
    vg_capture_close(cap);
    vg_defrag_free(df);
}

static int
event_by_name(const char *name)
{
    for (int e = 0; e < VG_EV_MAX; e++)
        if (strcmp(vg_decode_event_name((vg_decode_event_t)e), name) == 0)
            return e;
    return -1;
}

/* pcap path of a test from INDEX.tsv (name TAB ... TAB pcap in column 8) */
static bool
index_pcap(const char *test, char *out, size_t outlen)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/INDEX.tsv", sv_root);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    char line[8192];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        char *col[10] = {0};
        char *s = line;
        for (int i = 0; i < 10 && s; i++) {
            col[i] = s;
            s = strchr(s, '\t');
            if (s)
                *s++ = '\0';
        }
        if (col[0] && col[7] && strcmp(col[0], test) == 0 && strcmp(col[7], "-") != 0) {
            snprintf(out, outlen, "%s/%s", sv_root, col[7]);
            found = true;
        }
    }
    fclose(f);
    return found;
}

static unsigned n_checked, n_failed, n_tests;

/* One filter block: count + what it matches. */
typedef struct block {
    int count;
    unsigned sid;
    char anomaly_event[256];
    bool decode_type;
    bool other_key;
    bool is_alert, is_anomaly;
} block_t;

static void
check_block(const char *test, const block_t *b, const sidmap_t *m, const run_t *r)
{
    if (b->count < 0 || b->other_key)
        return;
    const char *ev = NULL;
    unsigned got;
    if (b->is_alert && b->sid == 0 && m->n > 0 && b->count == 0) {
        /* "no alert at all": none of the rules' events may occur */
        got = 0;
        for (int i = 0; i < m->n; i++) {
            int e = event_by_name(m->ev[i]);
            if (e >= 0)
                got += r->by_event[e];
        }
        n_checked++;
        if (got != 0)
            n_failed++;
        printf("%s: events of all %d rules = %u %s\n", test, m->n, got, got ? "FAILED" : "ok");
        return;
    }
    if (b->is_alert && b->sid != 0) {
        ev = sid_event(m, b->sid);
        if (ev == NULL)
            return;
    } else if (b->is_anomaly && b->anomaly_event[0]) {
        if (strncmp(b->anomaly_event, "decoder.", 8) != 0)
            return;
        ev = b->anomaly_event + 8;
    } else if (b->is_anomaly && b->decode_type) {
        ev = NULL;
    } else {
        return;
    }
    if (ev != NULL) {
        int e = event_by_name(ev);
        if (e < 0) {
            printf("%s: event %s not implemented (expected %d)\n", test, ev, b->count);
            n_checked++;
            n_failed++;
            return;
        }
        got = r->by_event[e];
    } else {
        got = r->decode_events;
    }
    n_checked++;
    if ((int)got != b->count) {
        n_failed++;
        printf("%s: %s expected %d, got %u\n", test, ev ? ev : "decode anomalies", b->count, got);
    } else {
        printf("%s: %s = %u ok\n", test, ev ? ev : "decode anomalies", got);
    }
}

static void
check_test(const char *dir, const char *name)
{
    char yaml[8192];
    snprintf(yaml, sizeof(yaml), "%s/test.yaml", dir);
    FILE *f = fopen(yaml, "r");
    if (f == NULL)
        return;
    sidmap_t m;
    memset(&m, 0, sizeof(m));
    read_rules(dir, &m);
    char line[4096];
    bool relevant = m.n > 0;
    /* first pass: is this test about decoder anomalies at all? */
    while (!relevant && fgets(line, sizeof(line), f) != NULL)
        relevant = strstr(line, "anomaly.event: decoder.") || strstr(line, "anomaly.type: decode");
    if (!relevant) {
        fclose(f);
        return;
    }
    char pcap[4400];
    if (!index_pcap(name, pcap, sizeof(pcap))) {
        fclose(f);
        return;
    }
    run_t r;
    run_pcap(pcap, &r);
    if (!r.ok) {
        fclose(f);
        return;
    }
    if (getenv("VG_VERIFY_DEBUG")) {
        for (int e = 0; e < VG_EV_MAX; e++)
            if (r.by_event[e])
                printf("  %s: %s x%u\n", name, vg_decode_event_name((vg_decode_event_t)e),
                       r.by_event[e]);
    }
    n_tests++;
    rewind(f);
    block_t b;
    bool in_block = false;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (strncmp(s, "- filter:", 9) == 0 || strncmp(s, "- shell:", 8) == 0 ||
            strncmp(s, "- stats:", 8) == 0) {
            if (in_block)
                check_block(name, &b, &m, &r);
            memset(&b, 0, sizeof(b));
            b.count = -1;
            in_block = strncmp(s, "- filter:", 9) == 0;
            continue;
        }
        if (!in_block)
            continue;
        char key[128], val[256];
        if (sscanf(s, "%127[^:]: %255s", key, val) != 2)
            continue; /* "match:" and other structure lines */
        if (strcmp(key, "count") == 0)
            b.count = atoi(val);
        else if (strcmp(key, "event_type") == 0) {
            b.is_alert = strcmp(val, "alert") == 0;
            b.is_anomaly = strcmp(val, "anomaly") == 0;
        } else if (strcmp(key, "alert.signature_id") == 0)
            b.sid = (unsigned)atoi(val);
        else if (strcmp(key, "anomaly.event") == 0) {
            snprintf(b.anomaly_event, sizeof(b.anomaly_event), "%s", val);
            b.is_anomaly = true;
        } else if (strcmp(key, "anomaly.type") == 0) {
            b.decode_type = strcmp(val, "decode") == 0;
            b.is_anomaly = true;
            if (!b.decode_type)
                b.other_key = true;
        } else if (strcmp(key, "packet_info.linktype") == 0 || strcmp(key, "has-key") == 0 ||
                   strcmp(key, "alert.rev") == 0 || strcmp(key, "alert.gid") == 0) {
            /* implied by the capture / not about the decoder */
        } else if (strcmp(key, "min-version") == 0 || strcmp(key, "lt-version") == 0) {
            b.other_key = true;
        } else {
            b.other_key = true;
        }
    }
    if (in_block)
        check_block(name, &b, &m, &r);
    fclose(f);
}

static void
walk(const char *dir, const char *rel, int depth)
{
    char cmd[4300];
    snprintf(cmd, sizeof(cmd), "ls '%s'", dir);
    FILE *ls = popen(cmd, "r");
    if (ls == NULL)
        return;
    char name[1024];
    while (fgets(name, sizeof(name), ls) != NULL) {
        name[strcspn(name, "\n")] = '\0';
        char path[5400], r2[2100];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        snprintf(r2, sizeof(r2), "%s%s%s", rel, rel[0] ? "/" : "", name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        char y[5500];
        snprintf(y, sizeof(y), "%s/test.yaml", path);
        if (stat(y, &st) == 0)
            check_test(path, r2);
        else if (depth < 3)
            walk(path, r2, depth + 1);
    }
    pclose(ls);
}

static void
test_suricata_verify_decoder_events(void **state)
{
    (void)state;
    snprintf(sv_root, sizeof(sv_root), "%s/../shared/corpora/suricata-verify", VG_SOURCE_ROOT);
    char tests[4200];
    snprintf(tests, sizeof(tests), "%s/tests", sv_root);
    struct stat st;
    if (stat(tests, &st) != 0) {
        printf("SKIP: %s not found (../shared absent)\n", tests);
        skip();
    }
    walk(tests, "", 0);
    printf("suricata-verify decoder events: %u tests, %u checks, %u failed\n", n_tests, n_checked,
           n_failed);
    assert_true(n_checked >= 20);
    assert_int_equal(n_failed, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suricata_verify_decoder_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
