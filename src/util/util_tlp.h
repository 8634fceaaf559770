/* util_tlp.h - Traffic Light Protocol levels, as threat intel marks them.
 *
 * Intel carries handling restrictions: STIX 2.x `object_marking_refs` to
 * TLP marking definitions (TLP 1.0 objects with definition_type "tlp", or
 * the TLP 2.0 extension's objects, usually referenced by their well-known
 * ids without being included), MISP `tlp:*` tags. Everything vigil derives
 * from an indicator (intel records, attribution reports, STIX exports)
 * inherits the most restrictive level of what it was built from, so an
 * analyst does not forward TLP:RED evidence by accident.
 *
 * Levels, least to most restrictive: CLEAR (TLP 1.0 WHITE), GREEN, AMBER,
 * AMBER+STRICT, RED. NONE = no TLP marking known.
 */
#ifndef VG_UTIL_TLP_H
#define VG_UTIL_TLP_H

#include <stdbool.h>
#include <stddef.h>

typedef enum vg_tlp {
    VG_TLP_NONE = 0,
    VG_TLP_CLEAR,
    VG_TLP_GREEN,
    VG_TLP_AMBER,
    VG_TLP_AMBER_STRICT,
    VG_TLP_RED,
} vg_tlp_t;

/* "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"
 * (TLP 2.0 names), NULL for VG_TLP_NONE. */
const char *vg_tlp_name(vg_tlp_t t);

/* The level of a well-known TLP marking-definition id (the four STIX 2.1
 * TLP 1.0 ids and the five TLP 2.0 extension ids), else VG_TLP_NONE. */
vg_tlp_t vg_tlp_from_marking_id(const char *id);

/* The level named by text, case-insensitive: "TLP:AMBER", "tlp:amber",
 * "amber", "TLP:AMBER+STRICT", "white" (= CLEAR), "tlp:ex:..." none;
 * `len` bytes of `s` (no NUL needed). VG_TLP_NONE when not a TLP level. */
vg_tlp_t vg_tlp_from_text(const char *s, size_t len);

/* The more restrictive of two levels (NONE counts as least). */
static inline vg_tlp_t
vg_tlp_max(vg_tlp_t a, vg_tlp_t b)
{
    return a > b ? a : b;
}

/* The STIX marking-definition id vigil uses when it writes level t: the TLP
 * 2.0 extension ids for all five levels. NULL for VG_TLP_NONE. */
const char *vg_tlp_marking_id(vg_tlp_t t);

#endif
