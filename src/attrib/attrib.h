/* attrib.h - incidents and attribution: from detections and indicator hits
 * to "which actor, how sure, why".
 *
 * One engine serves both paths: live (the EVE writer feeds every record it
 * writes) and offline (`vigil attribute` feeds the lines of EVE files,
 * Suricata's included). The engine reads records, correlates them into
 * incidents, and at the end weighs the evidence of each incident against
 * the knowledge base (intrusion sets from loaded STIX, ATT&CK included).
 */
#ifndef VG_ATTRIB_H
#define VG_ATTRIB_H

#include <stdio.h>
#include "core/core.h"
#include "core/core_limits.h"
#include "intel/intel.h"

typedef struct vg_attrib_kb vg_attrib_kb_t;
typedef struct vg_attrib_engine vg_attrib_engine_t;

/* Knowledge base: built from STIX files (intrusion-set, campaign, malware,
 * tool, attack-pattern, identity, relationship objects). Immutable once
 * built. NULL with errbuf set on failure. */
vg_attrib_kb_t *vg_attrib_kb_new(void);
int vg_attrib_kb_load_stix(vg_attrib_kb_t *kb, const char *path, char *errbuf, size_t errlen);
int vg_attrib_kb_freeze(vg_attrib_kb_t *kb);
void vg_attrib_kb_free(vg_attrib_kb_t *kb);
/* Optional, before freeze or after: actor country/sponsor claims
 * ({"actors":[{"attack_id","country","sponsor","curated"}]}, see
 * data/actor-sponsors.json). VG_OK or VG_EINVAL with errbuf set. */
int vg_attrib_kb_load_sponsors(vg_attrib_kb_t *kb, const char *path, char *errbuf, size_t errlen);
/* Counts for logs: 0 intrusion sets, 1 techniques+software, 2 campaigns,
 * 3 indicators, 4 resolved `uses` relationships. */
size_t vg_attrib_kb_count(const vg_attrib_kb_t *kb, int what);

/* Engine over a frozen KB and (optional) frozen intel store; both borrowed. */
vg_attrib_engine_t *vg_attrib_engine_new(const vg_attrib_kb_t *kb, const vg_intel_store_t *intel,
                                         const vg_limits_t *limits);
void vg_attrib_engine_free(vg_attrib_engine_t *e);

/* Whether protocol records (dns, http, tls, flow, fileinfo, ...) are
 * matched against indicators (default: yes, for Suricata's EVE, which has
 * no intel records). The live path turns it off when vigil's own intel
 * matcher writes `intel` records: then only alert and intel records are
 * parsed, everything else is skipped after a memmem. */
void vg_attrib_engine_match_protocols(vg_attrib_engine_t *e, bool on);

/* Feed one EVE record (one JSON line, not necessarily NUL-terminated).
 * Records that carry no evidence are ignored cheaply. Malformed JSON is
 * counted, never fatal. Single-threaded (the writer thread calls it). */
void vg_attrib_feed_eve(vg_attrib_engine_t *e, const char *line, size_t len);

/* Close incidents and attribute them. For each incident: write one EVE
 * `attribution` record through eve_line (may be NULL), and the text report
 * to `text` (may be NULL). If stix_path is not NULL, write a STIX 2.1
 * bundle (sightings + attributed-to relationships with confidence) there.
 * Returns the number of incidents. */
size_t vg_attrib_finish(vg_attrib_engine_t *e, void (*eve_line)(void *user, const char *line,
                                                               size_t len),
                        void *user, FILE *text, const char *stix_path);

/* Engine counters: lines fed, JSON errors, records with wrong member
 * types, records that carried evidence, incidents and units dropped at
 * the limits. */
typedef struct vg_attrib_stats {
    uint64_t lines, json_errors, type_errors, evidence_records, skipped_cheap;
    uint64_t incidents_dropped, units_dropped;
} vg_attrib_stats_t;
void vg_attrib_engine_stats(const vg_attrib_engine_t *e, vg_attrib_stats_t *out);

/* Leave-one-campaign-out evaluation (attrib_eval.c): KB from attack_path
 * (ATT&CK bundle), campaigns from eval_dir/campaigns.jsonl and
 * eval_dir/campaigns_unattributed.jsonl. Writes a Markdown report to out.
 * Returns VG_OK, or VG_EIO/VG_EINVAL with errbuf set. */
int vg_attrib_eval_run(const char *attack_path, const char *eval_dir, FILE *out, char *errbuf,
                       size_t errlen);

#endif
