/* stream_defrag.h - IPv4 and IPv6 fragment reassembly.
 *
 * Runs in the reader right after decode and before flows: a decoded packet
 * with VG_PKT_IS_FRAGMENT goes to vg_defrag_handle(); when a datagram is
 * complete the caller gets a new raw-IP packet to decode and process instead.
 *
 * Trackers are keyed by (family, src, dst, IP id, IPv4 protocol, vlan ids).
 * Overlapping fragments are resolved by an overlap policy (default "bsd", as
 * Suricata), tagged ipv4.frag_overlap / ipv6.frag_overlap on the fragment
 * that overlapped. Limits (core_limits.h): defrag.memcap, defrag.max-frags
 * (trackers alive), defrag.max-frags-per-datagram, defrag.timeout (by packet
 * time). Counters: defrag.ipv4.fragments, defrag.ipv4.reassembled,
 * defrag.ipv6.fragments, defrag.ipv6.reassembled, defrag.max_trackers_reached,
 * defrag.memcap_exceeded, defrag.max_frags_reached, defrag.timeouts.
 *
 * Thread safety: one vg_defrag_t per reader thread; no locking.
 */
#ifndef VG_STREAM_DEFRAG_H
#define VG_STREAM_DEFRAG_H

#include "core/core.h"
#include "core/core_counters.h"
#include "core/core_limits.h"
#include "decode/decode_packet.h"

/* Which data wins where fragments overlap (target-based, after Novak/Suricata).
 * bsd: the new fragment wins only where it starts before the old one.
 * linux: as bsd, and also when both start together and the new one is not
 *        shorter. first: old data always wins. last: new data always wins.
 * windows: old wins unless the new one starts before and reaches at least
 *        the old one's end. solaris: treated as windows (an approximation,
 *        see src/decode/NOTES.md). Decided per pair of fragments. */
typedef enum {
    VG_DEFRAG_BSD = 0,
    VG_DEFRAG_LINUX,
    VG_DEFRAG_FIRST,
    VG_DEFRAG_LAST,
    VG_DEFRAG_WINDOWS,
    VG_DEFRAG_SOLARIS,
} vg_defrag_policy_t;

typedef struct vg_defrag vg_defrag_t;

/* Parse "bsd", "linux", "first", "last", "windows", "solaris" (Suricata's
 * defrag.host-config policy names). VG_OK or VG_EINVAL. */
int vg_defrag_policy_parse(const char *name, vg_defrag_policy_t *out);

/* Create a reassembler. Registers its counters (startup only). `limits` is
 * copied; `counters` is the owning thread's block and must outlive it.
 * Returns NULL on allocation failure. */
vg_defrag_t *vg_defrag_new(const vg_limits_t *limits, vg_counters_t *counters);
void vg_defrag_free(vg_defrag_t *d);
void vg_defrag_set_policy(vg_defrag_t *d, vg_defrag_policy_t policy);

/* Hand a decoded fragment (VG_PKT_IS_FRAGMENT) to the reassembler. Its bytes
 * are copied; anomaly events are added to `frag` itself.
 *  VG_OK:       the datagram is complete: `out` (a different packet, whose
 *               own buffer is grown as needed) holds it as raw IP
 *               (linktype 12), with the ts and pcap_cnt of `frag`, its vlan
 *               ids, and VG_PKT_REASSEMBLED; run vg_decode_packet on it.
 *  VG_AGAIN:    stored, waiting for more fragments.
 *  VG_DECLINED: not a fragment, or dropped (limit, too large, malformed);
 *               the reason is counted and, for bad input, tagged on frag.
 *  VG_ENOMEM:   the output buffer could not be grown.
 * Also expires trackers older than defrag.timeout by frag->ts. */
int vg_defrag_handle(vg_defrag_t *d, vg_packet_t *frag, vg_packet_t *out);

/* Expire trackers whose first fragment is older than the timeout at `now`. */
void vg_defrag_timeout(vg_defrag_t *d, vg_time_us_t now);

/* Trackers alive and bytes held (for tests and stats). */
size_t vg_defrag_trackers(const vg_defrag_t *d);
size_t vg_defrag_memuse(const vg_defrag_t *d);

#endif
