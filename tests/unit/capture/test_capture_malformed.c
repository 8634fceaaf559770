/* Robustness: every capture in ../shared/corpora/malformed (and its
 * libpcap/ subfolder) goes through capture -> decode -> defrag -> decode.
 * Nothing may crash or leak (this runs under ASan+UBSan in the san build),
 * each file must end within a bounded number of packets, and files libpcap
 * cannot read, truncated files and unsupported link types must be reported,
 * not fatal. Skips (and says so) when ../shared is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "stream/stream_defrag.h"
#include "vg_config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PKTS_PER_FILE 200000

typedef struct stats {
    unsigned files, opened, open_failed, truncated, unsupported, pkts, invalid, reassembled,
        events;
} stats_t;

static void
on_warn(void *user, const char *msg)
{
    stats_t *st = user;
    if (strstr(msg, "truncated/corrupt") != NULL)
        st->truncated++;
    printf("  warning: %s\n", msg);
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
run_file(const char *path, stats_t *st, vg_decode_ctx_t *dc, vg_defrag_t *df,
         const vg_limits_t *lim)
{
    vg_capture_opts_t o = {.limits = lim, .warn = on_warn, .warn_user = st};
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    st->files++;
    if (vg_capture_open_file(&cap, path, &o, err, sizeof(err)) != VG_OK) {
        st->open_failed++;
        printf("  cannot open: %s\n", err);
        return;
    }
    st->opened++;
    vg_packet_t p, r;
    memset(&p, 0, sizeof(p));
    memset(&r, 0, sizeof(r));
    unsigned n = 0;
    int linktype = -1;
    int rc;
    while ((rc = vg_capture_next(cap, &p)) == VG_OK) {
        assert_true(++n <= MAX_PKTS_PER_FILE); /* no hang */
        assert_true(p.caplen <= lim->snaplen);
        assert_int_equal(p.pcap_cnt, n);
        if (p.linktype != linktype) {
            linktype = p.linktype;
            if (!vg_decode_linktype_supported(linktype)) {
                st->unsupported++;
                printf("  unsupported link type %d: %s\n", linktype, path);
            }
        }
        assert_int_equal(vg_decode_packet(dc, &p), VG_OK);
        /* every pointer the decoder set stays inside the capture */
        if (p.l3 != NULL)
            assert_true(p.l3 >= p.data && p.l3 + p.l3_len <= p.data + p.caplen);
        if (p.l4 != NULL)
            assert_true(p.l4 >= p.data && p.l4 + p.l4_len <= p.data + p.caplen);
        if (p.payload != NULL)
            assert_true(p.payload >= p.data && p.payload + p.payload_len <= p.data + p.caplen);
        st->pkts++;
        st->events += p.n_events;
        if (p.flags & VG_PKT_INVALID)
            st->invalid++;
        if (p.flags & VG_PKT_IS_FRAGMENT) {
            if (vg_defrag_handle(df, &p, &r) == VG_OK) {
                st->reassembled++;
                assert_int_equal(vg_decode_packet(dc, &r), VG_OK);
                if (r.l3 != NULL)
                    assert_true(r.l3 + r.l3_len <= r.data + r.caplen);
            }
        }
    }
    assert_int_equal(rc, VG_DECLINED);
    vg_packet_fini(&p);
    vg_packet_fini(&r);
    vg_capture_close(cap);
}

static void
run_dir(const char *dir, stats_t *st, vg_decode_ctx_t *dc, vg_defrag_t *df, const vg_limits_t *lim)
{
    DIR *dh = opendir(dir);
    assert_non_null(dh);
    char *names[1024];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL && n < 1024) {
        const char *e = strrchr(de->d_name, '.');
        /* every capture-looking file, including ones libpcap may refuse */
        if (e == NULL || (strcmp(e, ".pcap") != 0 && strcmp(e, ".pcapng") != 0 &&
                          strcmp(e, ".cap") != 0))
            continue;
        names[n++] = strdup(de->d_name);
    }
    closedir(dh);
    qsort(names, n, sizeof(char *), name_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        run_file(path, st, dc, df, lim);
        free(names[i]);
    }
}

static void
test_malformed_corpus(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/../shared/corpora/malformed", VG_SOURCE_ROOT);
    const char *env = getenv("VG_SHARED_DIR");
    if (env != NULL)
        snprintf(dir, sizeof(dir), "%s/corpora/malformed", env);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("SKIP: %s not found (../shared absent)\n", dir);
        skip();
    }
    vg_limits_t lim;
    vg_limits_defaults(&lim);
    static vg_counters_t counters;
    vg_decode_ctx_t dc;
    assert_int_equal(vg_decode_ctx_init(&dc, &lim, &counters), VG_OK);
    dc.csum = VG_CSUM_ALL; /* exercise the checksum paths too */
    vg_defrag_t *df = vg_defrag_new(&lim, &counters);
    assert_non_null(df);
    stats_t st;
    memset(&st, 0, sizeof(st));
    run_dir(dir, &st, &dc, df, &lim);
    unsigned top_pkts = st.pkts + st.reassembled;
    unsigned top_reasm = st.reassembled;

    /* the same folder as one continuous stream: every packet once, pcap_cnt
     * running on across files, corrupt files skipped with a warning */
    vg_capture_opts_t o = {.limits = &lim, .warn = on_warn, .warn_user = &st};
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    assert_int_equal(vg_capture_open_dir(&cap, dir, &o, err, sizeof(err)), VG_OK);
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    uint64_t n = 0;
    while (vg_capture_next(cap, &p) == VG_OK) {
        assert_int_equal(p.pcap_cnt, ++n);
        assert_true(n <= 10u * MAX_PKTS_PER_FILE);
    }
    vg_packet_fini(&p);
    vg_capture_close(cap);
    printf("malformed corpus as one folder stream: %llu packets\n", (unsigned long long)n);
    assert_int_equal(n, top_pkts - top_reasm);

    char sub[4200];
    snprintf(sub, sizeof(sub), "%s/libpcap", dir);
    if (stat(sub, &sb) == 0)
        run_dir(sub, &st, &dc, df, &lim);
    vg_defrag_free(df);
    printf("malformed corpus: %u files, %u opened, %u not readable by libpcap, %u truncated, "
           "%u with unsupported link types, %u packets (%u invalid, %u events), %u reassembled\n",
           st.files, st.opened, st.open_failed, st.truncated, st.unsupported, st.pkts, st.invalid,
           st.events, st.reassembled);
    assert_true(st.files > 300);
    assert_true(st.pkts > 1000);
    /* decoder.pkts counts captured packets only, not the datagrams defrag
     * rebuilds (4f7a24f, as Suricata and tshark count) */
    assert_int_equal(counters.v[dc.id.pkts], st.pkts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
