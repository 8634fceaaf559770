/* intel_match.h - what the worker calls to match flows, transactions and
 * files against a frozen intel store.
 *
 * Each helper looks the relevant values up (addresses, names, URLs,
 * hashes, fingerprints), counts intel.lookups / intel.hits /
 * intel.hits.<type> in the worker's counter block, and calls `cb` once per
 * (indicator, where) per flow: repeated hits on the same flow are
 * suppressed through f->intel, which the worker releases with
 * vg_intel_flow_free() when the flow ends. Lookups never allocate; the
 * first hit of a flow allocates its small dedupe table. Thread safety: any
 * number of workers may share the store; each only touches its own flows
 * and counters.
 */
#ifndef VG_INTEL_MATCH_H
#define VG_INTEL_MATCH_H

#include "intel/intel.h"
#include "app/app.h"
#include "core/core_counters.h"
#include "flow/flow.h"

typedef struct vg_intel_hit {
    const vg_indicator_t *ind;
    const char *where;     /* "flow.dest_ip", "dns.query", "http.host", "tls.sni", ... */
    const char *value;     /* the value as seen, as text (IP text, lowercase hex digest);
                              valid only during the callback */
} vg_intel_hit_t;

typedef void (*vg_intel_hit_cb)(void *user, const vg_intel_hit_t *hit);

/* Register intel.indicators, intel.lookups, intel.hits and
 * intel.hits.<type> (once, at startup, before workers run). */
void vg_intel_register_counters(void);

/* Write intel.indicators (a gauge: the store's indicator count) into one
 * counter block. Call it for ONE block only (e.g. worker 0's), since
 * blocks are summed when stats are written. */
void vg_intel_counters_set_indicators(vg_counters_t *c, const vg_intel_store_t *s);

/* Both flow addresses: the server (key.dst) with the server port as
 * "flow.dest_ip", the client (key.src) with its port as "flow.src_ip".
 * Call once per flow (e.g. on its first packet). Returns hits reported. */
size_t vg_intel_check_flow(const vg_intel_store_t *s, vg_flow_t *f, vg_counters_t *c,
                           vg_intel_hit_cb cb, void *user);

/* One app-layer transaction, through parser->get_buffer:
 *   DNS:  dns.query, dns.answers.rrname, dns.answers.rdata (names),
 *         dns.answers.addr (A/AAAA)
 *   HTTP: http.host (domain, or IP when a literal), http.url, http.user_agent,
 *         fileinfo.md5/sha1/sha256 (bodies with digests)
 *   TLS:  tls.sni, tls.cert_sha1 / tls.cert_sha256 (every cert of the
 *         chain), ja3.hash, ja3s.hash, ja4.hash
 * Returns hits reported. */
size_t vg_intel_check_tx(const vg_intel_store_t *s, vg_flow_t *f, const vg_app_parser_t *parser,
                         const void *tx, vg_alproto_t proto, vg_counters_t *c,
                         vg_intel_hit_cb cb, void *user);

/* A finished file (VG_APP_EV_FILE): its MD5/SHA-1/SHA-256 as
 * fileinfo.md5 / fileinfo.sha1 / fileinfo.sha256. */
size_t vg_intel_check_file(const vg_intel_store_t *s, vg_flow_t *f, const vg_app_file_t *file,
                           vg_counters_t *c, vg_intel_hit_cb cb, void *user);

/* Release f->intel (flow end). Safe when it is NULL. */
void vg_intel_flow_free(vg_flow_t *f);

#endif
