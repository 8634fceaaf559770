/* output_eve_stats.c - the EVE `stats` record: every registered counter,
 * nested by its dotted name ("decoder.event.ipv4.trunc_pkt" ->
 * stats.decoder.event.ipv4.trunc_pkt), as Suricata's stats.totals. */
#include "output/output_eve.h"
#include "core/core_counters.h"

#include <stdlib.h>
#include <string.h>

/* Order names segment by segment: '.' sorts before every other character,
 * so "a.b" comes right before "a.b.c" and after "a" and before "a-b". */
static int
stats_cmp(const void *a, const void *b)
{
    const char *x = vg_counter_name(*(const vg_counter_id_t *)a);
    const char *y = vg_counter_name(*(const vg_counter_id_t *)b);
    for (;; x++, y++) {
        unsigned cx = (unsigned char)*x, cy = (unsigned char)*y;
        if (cx == '.')
            cx = 1;
        if (cy == '.')
            cy = 1;
        if (cx != cy)
            return cx < cy ? -1 : 1;
        if (cx == 0)
            return 0;
    }
}

/* True if `name` is "prefix" followed by ".". */
static bool
stats_is_parent(const char *prefix, const char *name)
{
    size_t n = strlen(prefix);
    return strncmp(prefix, name, n) == 0 && name[n] == '.';
}

#define STATS_MAX_DEPTH 16

int
vg_eve_stats_record(vg_jw_t *jw, const vg_eve_cfg_t *cfg, vg_time_us_t ts,
                    const vg_counters_t *c, uint64_t uptime_s)
{
    (void)cfg;
    size_t n = vg_counter_count();
    vg_counter_id_t *ids = malloc((n ? n : 1) * sizeof(*ids));
    if (ids == NULL)
        return VG_ENOMEM;
    for (size_t i = 0; i < n; i++)
        ids[i] = (vg_counter_id_t)i;
    qsort(ids, n, sizeof(*ids), stats_cmp);

    vg_jw_reset(jw);
    vg_jw_open_object(jw, NULL);
    vg_jw_ts(jw, "timestamp", ts);
    vg_jw_str(jw, "event_type", "stats");
    vg_jw_open_object(jw, "stats");
    vg_jw_uint(jw, "uptime", uptime_s);

    /* open[] holds the segments of the objects currently open under "stats" */
    char open_seg[STATS_MAX_DEPTH][128];
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = vg_counter_name(ids[i]);
        if (strcmp(name, "uptime") == 0)
            continue;
        /* a name that is also a parent of the next one would make a
         * duplicate key: the children win (Suricata never registers both) */
        if (i + 1 < n && stats_is_parent(name, vg_counter_name(ids[i + 1])))
            continue;
        char segs[STATS_MAX_DEPTH][128];
        int nseg = 0;
        const char *s = name;
        while (nseg < STATS_MAX_DEPTH) {
            const char *dot = strchr(s, '.');
            size_t len = dot ? (size_t)(dot - s) : strlen(s);
            if (len >= sizeof(segs[0]))
                len = sizeof(segs[0]) - 1;
            memcpy(segs[nseg], s, len);
            segs[nseg][len] = '\0';
            nseg++;
            if (dot == NULL)
                break;
            s = dot + 1;
        }
        int common = 0;
        while (common < depth && common < nseg - 1 && strcmp(open_seg[common], segs[common]) == 0)
            common++;
        while (depth > common) {
            vg_jw_close_object(jw);
            depth--;
        }
        while (depth < nseg - 1) {
            vg_jw_open_object(jw, segs[depth]);
            memcpy(open_seg[depth], segs[depth], sizeof(open_seg[0]));
            depth++;
        }
        vg_jw_uint(jw, segs[nseg - 1], c->v[ids[i]]);
    }
    while (depth > 0) {
        vg_jw_close_object(jw);
        depth--;
    }
    free(ids);
    vg_jw_close_object(jw); /* stats */
    return vg_eve_end(jw);
}
