/* Unit tests for src/capture: pcap and pcapng files, nanosecond pcaps,
 * truncated files (reported with byte offset and packet count, packets kept),
 * folders (mtime order, one continuous pcap_cnt, per-file link type), the
 * snaplen cap, open errors, and a live capture on loopback (skipped when the
 * interface cannot be opened). Fixture captures are written with libpcap's
 * own dumper into a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture/capture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256];
static vg_limits_t lim;
static char warned[1024];
static unsigned n_warned;

static void
on_warn(void *user, const char *msg)
{
    (void)user;
    snprintf(warned, sizeof(warned), "%s", msg);
    n_warned++;
}

static vg_capture_opts_t
opts(void)
{
    vg_capture_opts_t o = {.limits = &lim, .warn = on_warn, .warn_user = NULL};
    return o;
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/vg-capture-test-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    vg_limits_defaults(&lim);
    warned[0] = '\0';
    n_warned = 0;
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Write n packets of sizes len[i] (bytes = i+1 repeated), ts = base + i s,
 * sub-second `frac` (micro- or nanoseconds per `prec`). Returns the path. */
static const char *
write_pcap(const char *name, int dlt, int prec, int n, const uint32_t *len, uint32_t frac)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, 65535, prec);
    assert_non_null(dead);
    pcap_dumper_t *dp = pcap_dump_open(dead, path);
    assert_non_null(dp);
    static uint8_t data[4096];
    for (int i = 0; i < n; i++) {
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof(h));
        h.ts.tv_sec = 1700000000 + i;
        h.ts.tv_usec = (suseconds_t)frac;
        h.caplen = h.len = len[i];
        memset(data, i + 1, len[i]);
        pcap_dump((u_char *)dp, &h, data);
    }
    pcap_dump_close(dp);
    pcap_close(dead);
    return path;
}

static void
test_pcap_file(void **state)
{
    (void)state;
    const uint32_t len[3] = {60, 1514, 42};
    const char *path = write_pcap("a.pcap", DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, 3, len, 250);
    vg_capture_opts_t o = opts();
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    assert_int_equal(vg_capture_open_file(&cap, path, &o, err, sizeof(err)), VG_OK);
    assert_string_equal(vg_capture_current_file(cap), path);
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    for (int i = 0; i < 3; i++) {
        assert_int_equal(vg_capture_next(cap, &p), VG_OK);
        assert_int_equal(p.pcap_cnt, (uint64_t)i + 1);
        assert_int_equal(p.ts, (1700000000LL + i) * 1000000 + 250);
        assert_int_equal(p.caplen, len[i]);
        assert_int_equal(p.wirelen, len[i]);
        assert_int_equal(p.linktype, DLT_EN10MB);
        assert_ptr_equal(p.data, p.buf); /* the packet owns its bytes */
        assert_true(p.buf_size >= len[i]);
        assert_int_equal(p.data[0], i + 1);
        assert_int_equal(p.data[len[i] - 1], i + 1);
    }
    assert_int_equal(vg_capture_next(cap, &p), VG_DECLINED);
    assert_int_equal(vg_capture_next(cap, &p), VG_DECLINED);
    assert_int_equal(vg_capture_warnings(cap), 0);
    vg_capture_close(cap);
    vg_packet_fini(&p);
    assert_null(p.buf);
}

static void
test_nanosecond_pcap(void **state)
{
    (void)state;
    const uint32_t len[1] = {64};
    const char *path =
        write_pcap("ns.pcap", DLT_RAW, PCAP_TSTAMP_PRECISION_NANO, 1, len, 123456789);
    vg_capture_opts_t o = opts();
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    assert_int_equal(vg_capture_open_path(&cap, path, &o, err, sizeof(err)), VG_OK);
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_int_equal(p.ts, 1700000000LL * 1000000 + 123456); /* truncated to µs */
    assert_int_equal(p.linktype, DLT_RAW);
    vg_capture_close(cap);
    vg_packet_fini(&p);
}

static void
test_truncated_file(void **state)
{
    (void)state;
    const uint32_t len[3] = {100, 200, 300};
    const char *path = write_pcap("t.pcap", DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, 3, len, 0);
    /* cut the last record short by 10 bytes */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 10), 0);
    vg_capture_opts_t o = opts();
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    assert_int_equal(vg_capture_open_file(&cap, path, &o, err, sizeof(err)), VG_OK);
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_int_equal(p.caplen, 200);
    assert_int_equal(vg_capture_next(cap, &p), VG_DECLINED);
    /* 24-byte file header + two records of 16 + 100 and 16 + 200 bytes */
    char want[600];
    snprintf(want, sizeof(want), "%s: truncated/corrupt at byte offset %d (after packet 2)", path,
             24 + 116 + 216);
    assert_int_equal(n_warned, 1);
    assert_int_equal(strncmp(warned, want, strlen(want)), 0);
    assert_string_equal(vg_capture_last_warning(cap), warned);
    vg_capture_close(cap);
    vg_packet_fini(&p);
}

static void
set_mtime(const char *path, time_t t)
{
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void
test_folder(void **state)
{
    (void)state;
    const uint32_t one[1] = {80}, two[2] = {40, 41};
    set_mtime(write_pcap("b-older.pcap", DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, 1, one, 0),
              1000);
    set_mtime(write_pcap("a-newer.pcap", DLT_RAW, PCAP_TSTAMP_PRECISION_MICRO, 2, two, 0), 2000);
    /* newest: a corrupt file (bad header after the magic) and a text file */
    char path[512];
    snprintf(path, sizeof(path), "%s/c-corrupt.pcap", tmpdir);
    FILE *f = fopen(path, "wb");
    fwrite("\xd4\xc3\xb2\xa1\xff\xff", 1, 6, f);
    fclose(f);
    set_mtime(path, 3000);
    snprintf(path, sizeof(path), "%s/notes.txt", tmpdir);
    f = fopen(path, "w");
    fputs("not a capture\n", f);
    fclose(f);

    vg_capture_opts_t o = opts();
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    assert_int_equal(vg_capture_open_path(&cap, tmpdir, &o, err, sizeof(err)), VG_OK);
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_int_equal(p.pcap_cnt, 1);
    assert_int_equal(p.caplen, 80);
    assert_int_equal(p.linktype, DLT_EN10MB);
    assert_non_null(strstr(vg_capture_current_file(cap), "b-older.pcap"));
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_int_equal(p.pcap_cnt, 2); /* keeps counting across files */
    assert_int_equal(p.linktype, DLT_RAW);
    assert_non_null(strstr(vg_capture_current_file(cap), "a-newer.pcap"));
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_int_equal(p.pcap_cnt, 3);
    assert_int_equal(p.caplen, 41);
    /* the corrupt file is reported and skipped; then the end */
    assert_int_equal(vg_capture_next(cap, &p), VG_DECLINED);
    assert_int_equal(n_warned, 1);
    assert_non_null(strstr(warned, "c-corrupt.pcap"));
    vg_capture_close(cap);
    vg_packet_fini(&p);
}

static void
test_pcapng(void **state)
{
    (void)state;
    /* Section header, interface description (ethernet, snaplen 0), one
     * enhanced packet block: interface 0, ts 1700000000.5 s in µs units,
     * 5 captured bytes of 60 on the wire, padded to 8. Little endian. */
    static const uint8_t ng[] = {
        0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
        1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0,
        6, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0,
        /* ts = 1700000000500000 µs = high 0x00060a24, low 0x1825e120 */
        0x24, 0x0a, 0x06, 0x00, 0x20, 0xe1, 0x25, 0x18,
        5, 0, 0, 0, 60, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 40, 0, 0, 0,
    };
    char path[512];
    snprintf(path, sizeof(path), "%s/x.pcapng", tmpdir);
    FILE *f = fopen(path, "wb");
    assert_int_equal(fwrite(ng, 1, sizeof(ng), f), sizeof(ng));
    fclose(f);
    vg_capture_opts_t o = opts();
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    if (vg_capture_open_file(&cap, path, &o, err, sizeof(err)) != VG_OK)
        fail_msg("%s", err);
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_int_equal(p.pcap_cnt, 1);
    assert_int_equal(p.caplen, 5);
    assert_int_equal(p.wirelen, 60);
    assert_int_equal(p.ts, 1700000000500000LL);
    assert_int_equal(p.linktype, DLT_EN10MB);
    assert_memory_equal(p.data, "hello", 5);
    assert_int_equal(vg_capture_next(cap, &p), VG_DECLINED);
    vg_capture_close(cap);

    /* regression (fuzz_pcap): a timestamp near 2^64 µs must not overflow the
     * conversion; it is clamped */
    uint8_t big[sizeof(ng)];
    memcpy(big, ng, sizeof(ng));
    memset(big + 60, 0xff, 4); /* high 32 bits of the timestamp */
    f = fopen(path, "wb");
    assert_int_equal(fwrite(big, 1, sizeof(big), f), sizeof(big));
    fclose(f);
    assert_int_equal(vg_capture_open_file(&cap, path, &o, err, sizeof(err)), VG_OK);
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_true(p.ts > 0);
    vg_capture_close(cap);
    vg_packet_fini(&p);
}

static void
test_snaplen_and_errors(void **state)
{
    (void)state;
    const uint32_t len[1] = {1000};
    const char *path = write_pcap("big.pcap", DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, 1, len, 0);
    lim.snaplen = 100;
    vg_capture_opts_t o = opts();
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    assert_int_equal(vg_capture_open_file(&cap, path, &o, err, sizeof(err)), VG_OK);
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_int_equal(p.caplen, 100);
    assert_int_equal(p.wirelen, 1000);
    assert_true(p.buf_size <= 100);
    vg_capture_close(cap);
    vg_packet_fini(&p);

    char missing[512];
    snprintf(missing, sizeof(missing), "%s/nope.pcap", tmpdir);
    assert_int_equal(vg_capture_open_path(&cap, missing, &o, err, sizeof(err)), VG_EINVAL);
    assert_non_null(strstr(err, "nope.pcap"));
    assert_int_equal(vg_capture_open_file(&cap, missing, &o, err, sizeof(err)), VG_EINVAL);
    char empty[512];
    snprintf(empty, sizeof(empty), "%s/empty", tmpdir);
    assert_int_equal(mkdir(empty, 0700), 0);
    assert_int_equal(vg_capture_open_dir(&cap, empty, &o, err, sizeof(err)), VG_EINVAL);
    assert_non_null(strstr(err, "no pcap"));
}

static void
test_stream_and_stop(void **state)
{
    (void)state;
    const uint32_t len[3] = {10, 20, 30};
    const char *path = write_pcap("s.pcap", DLT_EN10MB, PCAP_TSTAMP_PRECISION_MICRO, 3, len, 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    vg_capture_opts_t o = opts();
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    assert_int_equal(vg_capture_open_stream(&cap, f, "stdin", &o, err, sizeof(err)), VG_OK);
    assert_string_equal(vg_capture_current_file(cap), "stdin");
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    assert_int_equal(vg_capture_next(cap, &p), VG_OK);
    assert_int_equal(p.caplen, 10);
    vg_capture_stop(cap); /* as from a signal handler: the source ends */
    assert_int_equal(vg_capture_next(cap, &p), VG_DECLINED);
    vg_capture_close(cap);
    /* a stream that is not a capture: refused, and the FILE is closed */
    f = fmemopen((void *)"not a pcap at all, really", 25, "rb");
    assert_int_equal(vg_capture_open_stream(&cap, f, "junk", &o, err, sizeof(err)), VG_EINVAL);
    assert_non_null(strstr(err, "junk: "));
    vg_packet_fini(&p);
}

static void
test_live_loopback(void **state)
{
    (void)state;
    vg_capture_opts_t o = opts();
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    if (vg_capture_open_live(&cap, "lo", &o, err, sizeof(err)) != VG_OK) {
        printf("SKIP: cannot capture on lo: %s\n", err);
        skip();
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const char marker[] = "vigil-capture-test-marker";
    vg_packet_t p;
    memset(&p, 0, sizeof(p));
    bool seen = false;
    time_t t0 = time(NULL);
    while (!seen && time(NULL) - t0 < 5) {
        sendto(s, marker, sizeof(marker), 0, (struct sockaddr *)&to, sizeof(to));
        int rc;
        for (int i = 0; i < 20 && !seen; i++) {
            rc = vg_capture_next(cap, &p);
            assert_true(rc == VG_OK || rc == VG_AGAIN);
            if (rc == VG_OK && p.caplen >= sizeof(marker) &&
                memmem(p.data, p.caplen, marker, sizeof(marker) - 1) != NULL)
                seen = true;
        }
    }
    close(s);
    assert_true(seen);
    assert_true(p.pcap_cnt >= 1);
    assert_true(p.ts > 1700000000LL * 1000000);
    static vg_counters_t c;
    vg_capture_update_counters(cap, &c);
    vg_counter_id_t id;
    assert_int_equal(vg_counter_find("capture.kernel_packets", &id), VG_OK);
    assert_true(c.v[id] >= 1);
    vg_capture_stop(cap);
    assert_int_equal(vg_capture_next(cap, &p), VG_DECLINED);
    vg_capture_close(cap);
    vg_packet_fini(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pcap_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nanosecond_pcap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pcapng, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snaplen_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_and_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_live_loopback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
