/* Cross-check against an independent decoder: for the capture files of
 * ../shared/corpora/suricata-verify/tests, every packet's innermost
 * addresses and ports as vg_decode_packet sees them must equal what tshark
 * reports (last occurrence of ip.src/ipv6.src/..., i.e. the innermost layer,
 * with IP reassembly off). Packets inside encapsulations vigil does not
 * decode (ERSPAN, PPP, MPLS, Geneve, GTP, L2TP, Teredo...) and ICMP errors'
 * quoted headers are left out. Skips, saying so, when ../shared or tshark is
 * missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "decode/decode.h"
#include "vg_config.h"

#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILES 20
#define MAX_FILE_BYTES (256 * 1024)

static char *files[4096];
static size_t n_files;

static void
collect(const char *dir, int depth)
{
    DIR *dh = opendir(dir);
    if (dh == NULL || depth > 4)
        goto out;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL && n_files < 4096) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            collect(path, depth + 1);
        } else if (st.st_size <= MAX_FILE_BYTES && (strstr(de->d_name, ".pcap") != NULL)) {
            files[n_files++] = strdup(path);
        }
    }
out:
    if (dh != NULL)
        closedir(dh);
}

static int
cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* last comma-separated value of a tshark field, or "" */
static const char *
last_of(char *field)
{
    char *c = strrchr(field, ',');
    return c ? c + 1 : field;
}

/* is `v` one of the comma-separated values of `list`? */
static bool
in_list(const char *list, const char *v)
{
    size_t n = strlen(v);
    for (const char *s = list; s != NULL && *s;) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (len == n && strncmp(s, v, n) == 0)
            return true;
        s = c ? c + 1 : NULL;
    }
    return false;
}

static bool
skip_protocols(const char *protos)
{
    static const char *const unsupported[] = {":erspan", ":geneve", ":gtp",
                                              ":l2tp", ":teredo", ":ayiya", ":nsh",
                                              ":pptp", ":etherip", ":pwethheur", ":ipx", NULL};
    for (int i = 0; unsupported[i]; i++)
        if (strstr(protos, unsupported[i]) != NULL)
            return true;
    return false;
}

static void
test_against_tshark(void **state)
{
    (void)state;
    char root[4096];
    snprintf(root, sizeof(root), "%s/../shared/corpora/suricata-verify/tests", VG_SOURCE_ROOT);
    struct stat st;
    if (stat(root, &st) != 0) {
        printf("SKIP: %s not found (../shared absent)\n", root);
        skip();
    }
    if (system("tshark -v >/dev/null 2>&1") != 0) {
        printf("SKIP: tshark not installed\n");
        skip();
    }
    collect(root, 0);
    qsort(files, n_files, sizeof(char *), cmp);
    vg_limits_t lim;
    vg_limits_defaults(&lim);
    static vg_counters_t counters;
    vg_decode_ctx_t dc;
    vg_decode_ctx_init(&dc, &lim, &counters);
    unsigned compared = 0, skipped = 0, mismatches = 0, used_files = 0, v6 = 0, tunneled = 0,
             vlans = 0;
    /* spread the sample over the sorted list */
    size_t step = n_files > MAX_FILES ? (n_files + MAX_FILES - 1) / MAX_FILES : 1;
    /* every capture of these tests (tunnels, vlan, PPP, defrag, raw/null/sll link
     * types, a few IPv6 extension header and fragment cases), plus a sample */
    static const char *const always[] = {"vxlan", "gre", "vlan", "defrag", "ipv4", "sll",
                                         "null", "raw", "pppoe", "fragments-1", "covert",
                                         "ipv6-tcp", NULL};
    for (size_t fi = 0; fi < n_files; fi++) {
        const char *path = files[fi];
        bool want = fi % step == 0;
        for (int a = 0; always[a] && !want; a++)
            want = strstr(path + strlen(root), always[a]) != NULL;
        if (!want)
            continue;
        if (strchr(path, '\'') != NULL)
            continue;
        char cmd[8192];
        snprintf(cmd, sizeof(cmd),
                 "tshark -n -r '%s' -o ip.defragment:FALSE -o ipv6.defragment:FALSE "
                 "-T fields -E separator=/t -E occurrence=a -e frame.number -e frame.protocols "
                 "-e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport "
                 "-e udp.srcport -e udp.dstport -e vlan.id 2>/dev/null",
                 path);
        FILE *ts = popen(cmd, "r");
        assert_non_null(ts);
        char perr[PCAP_ERRBUF_SIZE];
        pcap_t *pc = pcap_open_offline(path, perr);
        if (pc == NULL) {
            pclose(ts);
            continue;
        }
        used_files++;
        char line[65536];
        while (fgets(line, sizeof(line), ts) != NULL) {
            struct pcap_pkthdr *h;
            const u_char *data;
            if (pcap_next_ex(pc, &h, &data) != 1)
                break;
            line[strcspn(line, "\n")] = '\0';
            char *f[11] = {0};
            char *s = line;
            for (int i = 0; i < 11; i++) {
                f[i] = s;
                s = s ? strchr(s, '\t') : NULL;
                if (s)
                    *s++ = '\0';
            }
            vg_packet_t p;
            memset(&p, 0, sizeof(p));
            p.data = data;
            p.caplen = h->caplen;
            p.wirelen = h->len;
            p.linktype = pcap_datalink(pc);
            vg_decode_packet(&dc, &p);
            if (f[1] == NULL || skip_protocols(f[1]) || p.ip_ver == 0 ||
                (p.flags & VG_PKT_INVALID)) {
                skipped++;
                if (getenv("VG_TSHARK_DEBUG"))
                    printf("skip %s #%s ipver %u inv %d (%s)\n", path, f[0], p.ip_ver,
                           (p.flags & VG_PKT_INVALID) != 0, f[1] ? f[1] : "");
                continue;
            }
            char src[64], dst[64];
            vg_addr_format(&p.src, src, sizeof(src));
            vg_addr_format(&p.dst, dst, sizeof(dst));
            const char *want_src = last_of(p.ip_ver == 4 ? f[2] : f[4]);
            const char *want_dst = last_of(p.ip_ver == 4 ? f[3] : f[5]);
            bool ok = strcmp(src, want_src) == 0 && strcmp(dst, want_dst) == 0;
            if (p.proto == VG_IPPROTO_ICMP || p.proto == VG_IPPROTO_ICMPV6) {
                /* an ICMP error quotes an IP header that tshark lists after
                 * the real one: ours must be one of the listed addresses */
                const char *all_src = p.ip_ver == 4 ? f[2] : f[4];
                const char *all_dst = p.ip_ver == 4 ? f[3] : f[5];
                ok = in_list(all_src, src) && in_list(all_dst, dst);
            }
            if (ok && (p.flags & VG_PKT_HAS_L4) && !(p.flags & VG_PKT_IS_FRAGMENT) &&
                (p.proto == VG_IPPROTO_TCP || p.proto == VG_IPPROTO_UDP)) {
                int o = p.proto == VG_IPPROTO_TCP ? 6 : 8;
                ok = f[o] && f[o + 1] && (unsigned)atoi(last_of(f[o])) == p.sp &&
                     (unsigned)atoi(last_of(f[o + 1])) == p.dp;
            }
            if (ok) {
                /* vlan ids, outer first, as tshark lists them */
                char vl[64] = "";
                size_t vn = 0;
                for (unsigned i = 0; i < p.vlan_n; i++)
                    vn += (size_t)snprintf(vl + vn, sizeof(vl) - vn, "%s%u", i ? "," : "",
                                           p.vlan_id[i]);
                ok = strcmp(vl, f[10] ? f[10] : "") == 0;
                vlans += p.vlan_n > 0;
            }
            if (!ok) {
                mismatches++;
                if (mismatches <= 20)
                    printf("MISMATCH %s #%s: vigil %s:%u -> %s:%u vlans %u, tshark ip %s/%s "
                           "ipv6 %s/%s ports %s/%s %s/%s vlan %s (%s)\n",
                           path, f[0], src, p.sp, dst, p.dp, p.vlan_n, f[2], f[3], f[4], f[5],
                           f[6] ? f[6] : "", f[7] ? f[7] : "", f[8] ? f[8] : "",
                           f[9] ? f[9] : "", f[10] ? f[10] : "", f[1]);
            } else {
                compared++;
                v6 += p.ip_ver == 6;
                tunneled += p.l3 != p.data + (p.linktype == 1 ? 14 : 0) && p.linktype == 1;
            }
        }
        pcap_close(pc);
        pclose(ts);
    }
    for (size_t i = 0; i < n_files; i++)
        free(files[i]);
    printf("tshark cross-check: %u files, %u packets agree (%u IPv6, %u with vlan tags, %u not "
           "right after an ethernet header: vlan/tunnels), %u mismatches, %u skipped\n",
           used_files, compared, v6, vlans, tunneled, mismatches, skipped);
    assert_true(compared > 500);
    assert_int_equal(mismatches, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_tshark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
