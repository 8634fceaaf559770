/* core_counters.c - registry of counter names. Registration happens once at
 * startup (single-threaded); afterwards the table is read-only. */
#include "core/core_counters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *counter_names[VG_COUNTERS_MAX];
static size_t counter_n;

vg_counter_id_t
vg_counter_register(const char *dotted_name)
{
    vg_counter_id_t id;
    if (vg_counter_find(dotted_name, &id) == VG_OK)
        return id;
    if (counter_n >= VG_COUNTERS_MAX) {
        fprintf(stderr, "vigil: too many counters (max %d) registering %s\n", VG_COUNTERS_MAX,
                dotted_name);
        abort(); /* programming error: raise VG_COUNTERS_MAX */
    }
    counter_names[counter_n] = strdup(dotted_name);
    if (counter_names[counter_n] == NULL)
        abort();
    return (vg_counter_id_t)counter_n++;
}

size_t
vg_counter_count(void)
{
    return counter_n;
}

const char *
vg_counter_name(vg_counter_id_t id)
{
    return id < counter_n ? counter_names[id] : "?";
}

int
vg_counter_find(const char *dotted_name, vg_counter_id_t *out)
{
    for (size_t i = 0; i < counter_n; i++) {
        if (strcmp(counter_names[i], dotted_name) == 0) {
            *out = (vg_counter_id_t)i;
            return VG_OK;
        }
    }
    return VG_DECLINED;
}

void
vg_counters_merge(vg_counters_t *dst, const vg_counters_t *src)
{
    for (size_t i = 0; i < counter_n; i++)
        dst->v[i] += src->v[i];
}
