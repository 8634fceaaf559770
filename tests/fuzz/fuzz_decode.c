/* libFuzzer harness for the decoders and defrag.
 * Input: byte 0 picks the link type (and bit 7 turns checksum checks on),
 * then packets as [2-byte big-endian length][bytes]... All packets share
 * one defrag context, so fragment sequences, overlaps and reassembly of
 * tunnelled fragments are reachable; reassembled datagrams are decoded. */
#include "decode/decode.h"
#include "stream/stream_defrag.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
    VG_DLT_EN10MB, VG_DLT_LINUX_SLL, VG_DLT_LINUX_SLL2, VG_DLT_NULL,      VG_DLT_LOOP,
    VG_DLT_RAW,    VG_LINKTYPE_RAW,  VG_LINKTYPE_IPV4,  VG_LINKTYPE_IPV6, VG_DLT_RAW_OPENBSD,
    VG_DLT_PPP,
};

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
        lim.defrag_max_frags_per_dgram = 32;
        vg_decode_ctx_init(&dc, &lim, &counters);
        init = true;
    }
    if (size < 1)
        return 0;
    int lt = linktypes[(data[0] & 0x7f) % (sizeof(linktypes) / sizeof(linktypes[0]))];
    dc.csum = (data[0] & 0x80) ? VG_CSUM_ALL : VG_CSUM_NONE;
    /* one reassembler for the whole run (its scratch is large); emptied
     * after each input so inputs stay independent */
    static vg_defrag_t *df;
    if (df == NULL)
        df = vg_defrag_new(&lim, &counters);
    vg_packet_t r;
    memset(&r, 0, sizeof(r));
    size_t off = 1;
    int64_t ts = 0;
    while (off < size) {
        size_t len = size - off;
        if (len >= 2) {
            size_t l = (size_t)data[off] << 8 | data[off + 1];
            off += 2;
            len = VG_MIN(l, size - off);
        } else {
            off = size - len;
        }
        /* copy so ASan sees the exact packet bounds */
        uint8_t *b = malloc(len ? len : 1);
        if (b == NULL)
            break;
        memcpy(b, data + off, len);
        off += len;
        vg_packet_t p;
        memset(&p, 0, sizeof(p));
        p.data = b;
        p.caplen = p.wirelen = (uint32_t)len;
        p.linktype = lt;
        p.ts = ts;
        ts += 1000;
        vg_decode_packet(&dc, &p);
        if ((p.flags & VG_PKT_IS_FRAGMENT) && df != NULL && vg_defrag_handle(df, &p, &r) == VG_OK)
            vg_decode_packet(&dc, &r);
        free(b);
    }
    vg_defrag_timeout(df, INT64_MAX);
    vg_packet_fini(&r);
    return 0;
}
