/* bench_pcap_read.c - the baseline: a bare libpcap read loop over a file
 * that touches every packet's bytes (a byte sum, so the read cannot be
 * optimized away). vigil's throughput is reported as a ratio of this. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
        return 1;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t pkts = 0, bytes = 0, sum = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        pkts++;
        bytes += h->caplen;
        for (uint32_t i = 0; i < h->caplen; i += 64)
            sum += d[i];
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("{\"pkts\": %llu, \"bytes\": %llu, \"seconds\": %.6f, \"checksum\": %llu}\n",
           (unsigned long long)pkts, (unsigned long long)bytes, s, (unsigned long long)sum);
    pcap_close(p);
    return 0;
}
