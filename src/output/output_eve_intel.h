/* output_eve_intel.h - the EVE `intel` record (event_type "intel"), the
 * counterpart of Zeek's intel.log.
 *
 * A record is the usual header (vg_eve_begin with event_type "intel":
 * timestamp, flow_id, addresses, ports, proto, community_id) followed by
 *   "intel": {"indicator", "indicator_type" (ours: "domain"), "zeek_type"
 *   ("Intel::DOMAIN"), "seen": {"where", "value"}, "source", "indicator_id",
 *   "confidence"?, "valid_from"?, "valid_until"?, "expired"?, "description"?,
 *   "warning"?, "tlp"? ("TLP:AMBER": the most restrictive TLP marking, when
 *   known), "markings"?: ["source license: ...: ..."] (statement markings,
 *   when any), "to_ids"? (MISP only), "format", "source_file",
 *   "actors": [{"id", "name"}], "malware"?: [{"id", "name"}] (the malware/tool
 *   references among actors, when any), "matched_at"?}
 * `source` is always written: DRL 1.1 (SEKOIA, signature-base) requires
 * alerts based on their indicators to keep the author attribution.
 */
#ifndef VG_OUTPUT_EVE_INTEL_H
#define VG_OUTPUT_EVE_INTEL_H

#include "intel/intel.h"
#include "output/output_json.h"

/* Write the "intel" object into an open record. seen_value may be NULL. */
void vg_eve_intel_object(vg_jw_t *jw, const vg_indicator_t *ind, const char *where,
                         const char *seen_value);

/* Same, with the match time: adds "matched_at" and "expired" (valid_until
 * at or before matched_at). */
void vg_eve_intel_object_at(vg_jw_t *jw, const vg_indicator_t *ind, const char *where,
                            const char *seen_value, vg_time_us_t matched_at);

#endif
