/* fuzz_intel_misp.c - the misp intel loader on arbitrary bytes, then freeze
 * and lookups (fuzz_intel_common.h). */
#include "fuzz_intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_intel_load(data, size, VG_INTEL_FMT_MISP);
}
