/* fuzz_app_detect.c - libFuzzer harness for the dispatcher: detection on
 * split TCP deliveries and UDP datagrams, then parsing by whichever parser
 * claims the flow, then flow end.
 *
 * Byte 0: bit 0 = UDP, bits 1-4 = chunk size (0: whole), bit 5 = port 53
 * (else 80), bit 6 = insert a gap before the third chunk. The rest is
 * split into chunks alternating direction every other chunk.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "stream/stream.h"

static vg_limits_t lim;
static vg_counters_t ctrs;
static vg_app_layer_t *al;

static void
fz_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    (void)ctx;
    (void)ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (al == NULL) {
        vg_limits_defaults(&lim);
        lim.app_probe_depth = 256; /* reach the depth limit often */
        al = vg_app_layer_new(&lim, &ctrs, NULL, fz_emit, NULL);
        if (al == NULL)
            return 0;
    }
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    bool is_udp = mode & 1;
    size_t chunk = (mode >> 1) & 0xf;
    if (chunk == 0)
        chunk = size ? size : 1;
    vg_flow_t f;
    memset(&f, 0, sizeof(f));
    f.key.proto = is_udp ? VG_IPPROTO_UDP : VG_IPPROTO_TCP;
    f.key.sp = 40000;
    f.key.dp = (mode & 0x20) ? 53 : 80;
    size_t k = 0;
    for (size_t off = 0; off < size; off += chunk, k++) {
        size_t n = size - off < chunk ? size - off : chunk;
        int dir = (int)((k / 2) & 1);
        uint8_t *cp = malloc(n);
        memcpy(cp, data + off, n);
        if (is_udp) {
            vg_packet_t p;
            memset(&p, 0, sizeof(p));
            p.flow = &f;
            p.dir = (uint8_t)dir;
            p.proto = VG_IPPROTO_UDP;
            p.payload = cp;
            p.payload_len = (uint32_t)n;
            vg_app_layer_on_udp(al, &p);
        } else {
            if ((mode & 0x40) && k == 2)
                vg_app_layer_on_stream(al, &f, NULL, dir, NULL, 7, VG_STREAM_GAP);
            vg_app_layer_on_stream(al, &f, NULL, dir, cp, (uint32_t)n, VG_STREAM_DATA);
        }
        free(cp);
    }
    if (!is_udp)
        vg_app_layer_on_stream(al, &f, NULL, 0, NULL, 0, VG_STREAM_EOF);
    vg_app_layer_flow_end(al, &f, NULL);
    return 0;
}
