/* fuzz_dns.c - libFuzzer harness for the DNS parser and its EVE serializer.
 *
 * Byte 0 selects the mode: even = UDP (the rest is one datagram, parsed
 * as a request, then as a response); odd = TCP stream mode (bits 1-7 =
 * chunk size, 0: all at once; the rest is the toserver stream fed in
 * chunks, with a gap inserted when bit 7 of the chunk byte is set). Every
 * emitted tx has its inspection buffers read and is serialized as EVE.
 * Limits are small on odd second bytes so the limit paths run too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_dns.h"
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
    static const vg_buffer_id_t ids[] = {VG_BUF_DNS_QUERY, VG_BUF_DNS_ANSWER_NAME,
                                         VG_BUF_DNS_ANSWER_ADDR, VG_BUF_DNS_ANSWER_DATA};
    for (size_t k = 0; k < 4; k++) {
        for (uint32_t i = 0; i < 4; i++) {
            const uint8_t *d;
            uint32_t l;
            if (vg_app_parser_dns.get_buffer(ev->tx, ids[k], i, &d, &l) == VG_OK && l > 0) {
                volatile uint8_t x = d[0] ^ d[l - 1];
                (void)x;
            }
        }
    }
    vg_eve_cfg_t cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.dns = true;
    cfg.dns_v3_grouped = true;
    vg_jw_reset(&jw);
    vg_jw_open_object(&jw, NULL);
    vg_eve_dns_tx(&jw, &cfg, ev);
    vg_jw_close_object(&jw);
    (void)vg_jw_finish(&jw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!inited) {
        vg_app_parser_dns.register_counters();
        vg_jw_init(&jw, 1u << 20);
        inited = true;
    }
    if (size < 2)
        return 0;
    vg_limits_defaults(&lim);
    if (data[1] & 1) {
        lim.dns_max_name_len = 20;
        lim.dns_max_labels = 4;
        lim.dns_max_pointers = 2;
        lim.dns_max_records = 3;
        lim.dns_max_tcp_msg = 64;
        lim.dns_max_pending_tx = 2;
    }
    uint8_t mode = data[0];
    data += 2;
    size -= 2;
    vg_flow_t f;
    memset(&f, 0, sizeof(f));
    f.key.proto = (mode & 1) ? VG_IPPROTO_TCP : VG_IPPROTO_UDP;
    vg_app_ctx_t ctx = {.limits = &lim, .counters = &ctrs, .flow = &f, .emit = fz_emit};
    void *st = vg_app_parser_dns.state_new(&ctx);
    if (st == NULL)
        return 0;
    /* copies of exact size so ASan sees any over-read */
    if (!(mode & 1)) {
        uint8_t *cp = malloc(size ? size : 1);
        memcpy(cp, data, size);
        vg_app_parser_dns.parse(&ctx, st, VG_DIR_TOSERVER, cp, size, 0);
        vg_app_parser_dns.parse(&ctx, st, VG_DIR_TOCLIENT, cp, size, 0);
        free(cp);
        vg_dns_probe(data, size, false, &(bool){false});
    } else {
        size_t chunk = (mode >> 1) & 0x3f;
        bool gap = mode & 0x80;
        if (chunk == 0)
            chunk = size ? size : 1;
        int dir = 0;
        for (size_t off = 0; off < size; off += chunk) {
            size_t n = size - off < chunk ? size - off : chunk;
            uint8_t *cp = malloc(n);
            memcpy(cp, data + off, n);
            if (gap && off > 0 && (off / chunk) % 3 == 0)
                vg_app_parser_dns.parse(&ctx, st, dir, NULL, 10, VG_APP_GAP);
            vg_app_parser_dns.parse(&ctx, st, dir, cp, n, 0);
            free(cp);
            dir ^= (mode >> 6) & 1; /* alternate directions on some inputs */
        }
        vg_dns_probe(data, size, true, &(bool){false});
    }
    vg_app_parser_dns.flush(&ctx, st);
    vg_app_parser_dns.state_free(st);
    return 0;
}
