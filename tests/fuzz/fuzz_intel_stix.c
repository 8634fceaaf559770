/* fuzz_intel_stix.c - the stix intel loader on arbitrary bytes, then freeze
 * and lookups (fuzz_intel_common.h).
 * The same bytes also go through the STIX pattern parser. */
#include "fuzz_intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_stix_parsed_t p;
    char why[256];
    vg_stix_pattern_parse((const char *)data, size, 8192, &p, why, sizeof(why));
    vg_stix_parsed_fini(&p);
    return fuzz_intel_load(data, size, VG_INTEL_FMT_STIX);
}
