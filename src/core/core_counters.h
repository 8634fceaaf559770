/* core_counters.h - named counters ("decoder.ipv4.trunc_pkt", "flow.memcap_evicted").
 *
 * Every counter is a dotted name registered once, at startup, before any
 * worker thread runs (registration is not thread safe; lookups are). Each
 * worker owns a vg_counters_t block and bumps it without locks; blocks are
 * summed when stats are written. The dotted name maps onto the nested
 * object of the EVE `stats` record ("decoder.ipv4.trunc_pkt" becomes
 * stats.decoder.ipv4.trunc_pkt).
 */
#ifndef VG_CORE_COUNTERS_H
#define VG_CORE_COUNTERS_H

#include "core/core.h"

#define VG_COUNTERS_MAX 2048

typedef uint16_t vg_counter_id_t;

/* Register (or find) a counter by name; returns its id. Idempotent: the same
 * name always gives the same id. Names are copied. Aborts the process only if
 * VG_COUNTERS_MAX is exceeded, which is a programming error, not input. */
vg_counter_id_t vg_counter_register(const char *dotted_name);

/* Number of registered counters and the name of one. */
size_t vg_counter_count(void);
const char *vg_counter_name(vg_counter_id_t id);

/* Lookup without registering; returns VG_DECLINED if unknown. */
int vg_counter_find(const char *dotted_name, vg_counter_id_t *out);

typedef struct vg_counters {
    uint64_t v[VG_COUNTERS_MAX];
} vg_counters_t;

static inline void
vg_counter_add(vg_counters_t *c, vg_counter_id_t id, uint64_t n)
{
    c->v[id] += n;
}

static inline void
vg_counter_inc(vg_counters_t *c, vg_counter_id_t id)
{
    c->v[id]++;
}

/* dst += src, element-wise (used to merge worker blocks). */
void vg_counters_merge(vg_counters_t *dst, const vg_counters_t *src);

#endif
