/* fuzz_tls.c - libFuzzer harness for the TLS parser and its EVE serializer.
 *
 * Input: byte 0 = chunk size (0: whole direction at once), bytes 1-2 =
 * length of the client stream (big endian, clamped), then the client
 * stream, then the server stream. The two streams are fed alternately in
 * chunks, then the flow is flushed, every inspection buffer read and the
 * tx serialized as EVE (all fields on).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_tls.h"
#include "output/output_eve.h"

static vg_limits_t lim;
static vg_counters_t ctrs;
static vg_jw_t jw;
static bool inited;

static void
fz_emit(vg_app_ctx_t *ctx, const vg_app_event_t *ev)
{
    (void)ctx;
    if (ev->kind != VG_APP_EV_TX)
        return;
    for (int id = 0; id < VG_BUF_MAX; id++) {
        for (uint32_t i = 0; i < 3; i++) {
            const uint8_t *d;
            uint32_t l;
            if (vg_app_parser_tls.get_buffer(ev->tx, (vg_buffer_id_t)id, i, &d, &l) == VG_OK &&
                l > 0) {
                volatile uint8_t x = d[0] ^ d[l - 1];
                (void)x;
            }
        }
    }
    vg_eve_cfg_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.tls = true;
    cfg.tls_custom = ~0ull;
    cfg.tls_ja3 = true;
    vg_jw_reset(&jw);
    vg_jw_open_object(&jw, NULL);
    vg_eve_tls_tx(&jw, &cfg, ev);
    vg_jw_close_object(&jw);
    (void)vg_jw_finish(&jw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!inited) {
        vg_limits_defaults(&lim);
        vg_app_parser_tls.register_counters();
        vg_jw_init(&jw, 1u << 20);
        inited = true;
    }
    if (size < 3)
        return 0;
    size_t chunk = data[0];
    size_t cl = ((size_t)data[1] << 8) | data[2];
    data += 3;
    size -= 3;
    if (cl > size)
        cl = size;
    const uint8_t *s[2] = {data, data + cl};
    size_t n[2] = {cl, size - cl};
    size_t off[2] = {0, 0};

    vg_flow_t flow;
    memset(&flow, 0, sizeof(flow));
    vg_app_ctx_t ctx = {.limits = &lim, .counters = &ctrs, .flow = &flow, .emit = fz_emit};
    void *st = vg_app_parser_tls.state_new(&ctx);
    if (st == NULL)
        return 0;
    while (off[0] < n[0] || off[1] < n[1]) {
        for (int d = 0; d < 2; d++) {
            if (off[d] >= n[d])
                continue;
            size_t k = chunk ? chunk : n[d] - off[d];
            if (k > n[d] - off[d])
                k = n[d] - off[d];
            /* copy so ASan sees reads past the chunk */
            uint8_t *b = malloc(k);
            if (b == NULL)
                break;
            memcpy(b, s[d] + off[d], k);
            (void)vg_app_parser_tls.parse(&ctx, st, d, b, k, 0);
            free(b);
            off[d] += k;
        }
    }
    (void)vg_app_parser_tls.parse(&ctx, st, 0, NULL, 0, VG_APP_EOF);
    vg_app_parser_tls.flush(&ctx, st);
    vg_app_parser_tls.state_free(st);
    return 0;
}
