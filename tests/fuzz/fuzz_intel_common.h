/* fuzz_intel_common.h - shared body of the intel loader harnesses: load
 * arbitrary bytes in one format into a store with small limits, freeze it,
 * then run a few lookups of every type (so indexes built from fuzzed values
 * are exercised too). */
#ifndef VG_FUZZ_INTEL_COMMON_H
#define VG_FUZZ_INTEL_COMMON_H

#include "intel/intel_int.h"

#include <stdint.h>
#include <string.h>

static void
probe(const vg_intel_store_t *s)
{
    static const uint8_t a4[4] = {10, 1, 2, 3};
    static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8};
    const vg_indicator_t *out[8];
    vg_intel_match(s, VG_IOC_IP, a4, 4, 443, out, 8);
    vg_intel_match(s, VG_IOC_IP, a6, 16, 0, out, 8);
    vg_intel_match(s, VG_IOC_DOMAIN, "www.evil.example.", 17, 0, out, 8);
    vg_intel_match(s, VG_IOC_URL, "http://evil.example/x", 21, 0, out, 8);
    vg_intel_match(s, VG_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e", 32, 0, out, 8);
    for (size_t i = 0; i < vg_intel_store_count(s) && i < 64; i++) {
        const vg_indicator_t *d = vg_intel_store_get(s, i);
        /* every stored value must match itself (IPs excepted: text, not bytes;
         * URLs excepted: a scheme-specific default port such as https:80 is
         * kept when stored but the scheme is gone, so re-normalizing differs) */
        if (d->type != VG_IOC_IP && d->type != VG_IOC_URL &&
            vg_intel_match(s, d->type, d->value, strlen(d->value), d->port, out, 8) == 0)
            __builtin_trap();
    }
}

static int
fuzz_intel_load(const uint8_t *data, size_t size, vg_intel_format_t fmt)
{
    vg_intel_store_t *s = vg_intel_store_new();
    if (s == NULL)
        return 0;
    vg_limits_t lim;
    vg_limits_defaults(&lim);
    lim.intel_max_indicators = 5000;
    lim.intel_max_file_bytes = 1u << 20;
    vg_intel_store_set_limits(s, &lim);
    char err[512];
    vg_intel_load_buf(s, "fuzz", (const char *)data, size, fmt, NULL, NULL, err, sizeof(err));
    if (vg_intel_store_freeze(s) == VG_OK)
        probe(s);
    vg_intel_store_free(s);
    return 0;
}

#endif
