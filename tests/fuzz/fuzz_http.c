/* fuzz_http.c - libFuzzer harness for the HTTP parser.
 *
 * Input: byte 0 picks how the rest is cut and which direction each piece
 * goes to (bit 0-1: chunk size class, bits 2-4: direction pattern, bit 5:
 * gaps, bit 6: EOF at the end, bit 7: tiny limits so the limit paths run).
 * Both directions see data so request/response matching, pipelining,
 * CONNECT tunnels and decompression all get exercised; every emitted tx's
 * buffers are read back so get_buffer is covered too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_http.h"

static volatile uint32_t sink_sum;

static void
on_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    (void)ctx;
    if (ev->kind != VG_APP_EV_TX || ev->tx == NULL)
        return;
    for (int id = 0; id < VG_BUF_MAX; id++) {
        for (uint32_t i = 0; i < 3; i++) {
            const uint8_t *d;
            uint32_t l;
            if (vg_app_parser_http.get_buffer(ev->tx, (vg_buffer_id_t)id, i, &d, &l) != VG_OK)
                break;
            if (l > 0)
                sink_sum += d[0] + d[l - 1];
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vg_limits_t limits;
    static vg_counters_t counters;
    static bool init;
    if (!init) {
        vg_app_parser_http.register_counters();
        init = true;
    }
    if (size < 1)
        return 0;
    uint8_t ctl = data[0];
    data++;
    size--;
    vg_limits_defaults(&limits);
    if (ctl & 0x80) {
        limits.http_max_header_line = 32;
        limits.http_max_headers = 4;
        limits.http_max_header_block = 128;
        limits.http_request_body_limit = 16;
        limits.http_response_body_limit = 16;
        limits.http_decompress_limit = 4096;
        limits.http_decompress_ratio = 4;
        limits.http_max_pipelined = 3;
    }
    vg_app_ctx_t ctx = {.limits = &limits, .counters = &counters, .emit = on_emit};
    void *st = vg_app_parser_http.state_new(&ctx);
    if (st == NULL)
        return 0;
    static const size_t chunk_sizes[4] = {1, 7, 64, 1u << 20};
    size_t chunk = chunk_sizes[ctl & 3];
    unsigned pattern = (ctl >> 2) & 7;
    size_t off = 0, n = 0;
    while (off < size) {
        size_t k = size - off < chunk ? size - off : chunk;
        int dir;
        switch (pattern) {
        case 0: dir = 0; break;
        case 1: dir = 1; break;
        case 2: dir = (int)(n & 1); break;
        case 3: dir = (n % 3) == 2; break;
        default: dir = (data[off] >> (pattern - 4)) & 1; break;
        }
        if ((ctl & 0x20) && (n % 5) == 4)
            vg_app_parser_http.parse(&ctx, st, dir, NULL, k, VG_APP_GAP);
        else
            vg_app_parser_http.parse(&ctx, st, dir, data + off, k, 0);
        off += k;
        n++;
    }
    if (ctl & 0x40) {
        vg_app_parser_http.parse(&ctx, st, 0, NULL, 0, VG_APP_EOF);
        vg_app_parser_http.parse(&ctx, st, 1, NULL, 0, VG_APP_EOF);
    }
    vg_app_parser_http.flush(&ctx, st);
    vg_app_parser_http.state_free(st);
    return 0;
}
