/* libFuzzer harness: arbitrary bytes as a pcap/pcapng file, read through the
 * capture layer (fmemopen -> pcap_fopen_offline), every packet decoded, and
 * fragments handed to defrag. Finds bugs in our handling of libpcap's output
 * and in the decoders fed by it. */
#include "capture/capture.h"
#include "decode/decode.h"
#include "stream/stream_defrag.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vg_limits_t lim;
    static vg_counters_t counters;
    static vg_decode_ctx_t dc;
    static bool init;
    if (!init) {
        vg_limits_defaults(&lim);
        lim.defrag_memcap = 1u << 20;
        vg_decode_ctx_init(&dc, &lim, &counters);
        init = true;
    }
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return 0;
    vg_capture_opts_t o = {.limits = &lim};
    vg_capture_t *cap = NULL;
    char err[VG_ERRBUF_SIZE];
    if (vg_capture_open_stream(&cap, f, "fuzz", &o, err, sizeof(err)) != VG_OK)
        return 0;
    /* one reassembler for the whole run (its scratch is large); emptied
     * after each input so inputs stay independent */
    static vg_defrag_t *df;
    if (df == NULL)
        df = vg_defrag_new(&lim, &counters);
    vg_packet_t p, r;
    memset(&p, 0, sizeof(p));
    memset(&r, 0, sizeof(r));
    dc.csum = (data[size - 1] & 1) ? VG_CSUM_ALL : VG_CSUM_NONE;
    /* a capture record is at least 16 bytes, so this ends with the input */
    while (vg_capture_next(cap, &p) == VG_OK) {
        vg_decode_packet(&dc, &p);
        if ((p.flags & VG_PKT_IS_FRAGMENT) && df != NULL &&
            vg_defrag_handle(df, &p, &r) == VG_OK)
            vg_decode_packet(&dc, &r);
    }
    vg_defrag_timeout(df, INT64_MAX);
    vg_packet_fini(&p);
    vg_packet_fini(&r);
    vg_capture_close(cap);
    return 0;
}
