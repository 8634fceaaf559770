/* attrib_incident.c - grouping evidence into incidents.
 *
 * Two observations belong to one incident when they share an internal
 * host or a piece of external infrastructure (IP or name) and are within
 * attrib_incident_window_s of the incident's time span. Incidents that
 * become linked through a later observation are merged (union-find; the
 * merged one is marked dead and its units move to the root). Bounded by
 * attrib_max_incidents and attrib_max_evidence (units per incident);
 * what does not fit is counted and dropped.
 *
 * Handling markings travel with the evidence: a unit keeps the most
 * restrictive TLP and the union of statements of every sighting merged
 * into it, an incident those of all its units, so a report built from
 * TLP:AMBER intel says so.
 */
#include "attrib/attrib_int.h"

#include <stdlib.h>
#include <string.h>

vg_attrib_engine_t *
vg_attrib_engine_new(const vg_attrib_kb_t *kb, const vg_intel_store_t *intel,
                     const vg_limits_t *limits)
{
    if (kb == NULL || !kb->frozen)
        return NULL;
    vg_attrib_engine_t *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return NULL;
    e->kb = kb;
    e->intel = intel;
    if (limits != NULL)
        e->limits = *limits;
    else
        vg_limits_defaults(&e->limits);
    attrib_params_default(&e->params);
    attrib_map_init(&e->host_map);
    attrib_map_init(&e->infra_map);
    return e;
}

void
vg_attrib_engine_free(vg_attrib_engine_t *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->n_inc; i++)
        free(e->inc[i].units);
    free(e->inc);
    attrib_map_fini(&e->host_map);
    attrib_map_fini(&e->infra_map);
    free(e);
}

void
vg_attrib_engine_match_protocols(vg_attrib_engine_t *e, bool on)
{
    if (e != NULL)
        e->no_protocols = !on;
}

void
vg_attrib_engine_stats(const vg_attrib_engine_t *e, vg_attrib_stats_t *out)
{
    memset(out, 0, sizeof(*out));
    if (e == NULL)
        return;
    out->lines = e->lines;
    out->json_errors = e->json_errors;
    out->type_errors = e->type_errors;
    out->evidence_records = e->evidence_records;
    out->skipped_cheap = e->skipped_cheap;
    out->incidents_dropped = e->incidents_dropped;
    out->units_dropped = e->units_dropped;
}

int
attrib_incident_root(vg_attrib_engine_t *e, int i)
{
    while (i >= 0 && e->inc[i].parent != i) {
        int p = e->inc[i].parent;
        e->inc[i].parent = e->inc[p].parent; /* path halving */
        i = p;
    }
    return i;
}

uint32_t
attrib_marks_intern(attrib_marks_t *m, const char *text, size_t len)
{
    if (m == NULL || text == NULL || len == 0)
        return 0;
    len = vg_utf8_cut(text, len, ATTRIB_MARK_LEN - 1);
    if (len == 0)
        return 0;
    for (size_t i = 0; i < m->n; i++)
        if (strncmp(m->text[i], text, len) == 0 && m->text[i][len] == '\0')
            return 1u << i;
    if (m->n >= ATTRIB_MARKS_MAX) {
        m->dropped++;
        return 0;
    }
    memcpy(m->text[m->n], text, len);
    m->text[m->n][len] = '\0';
    return 1u << m->n++;
}

uint32_t
attrib_marks_union(uint32_t a, uint32_t b)
{
    int n = __builtin_popcount(a);
    for (int i = 0; i < ATTRIB_MARKS_MAX && n < ATTRIB_MARKS_PER_INC; i++) {
        uint32_t bit = 1u << i;
        if ((b & bit) && !(a & bit)) {
            a |= bit;
            n++;
        }
    }
    return a;
}

void
attrib_marks_statements(const attrib_incident_t *inc, char *buf, size_t n)
{
    if (n == 0)
        return;
    buf[0] = '\0';
    for (int i = 0; inc->mtab != NULL && i < ATTRIB_MARKS_MAX; i++) {
        if (!(inc->marks & (1u << i)) || (size_t)i >= inc->mtab->n)
            continue;
        size_t l = strlen(buf);
        snprintf(buf + l, n - l, "%s%s", l ? "; " : "", inc->mtab->text[i]);
    }
}

static bool
in_window(const vg_attrib_engine_t *e, const attrib_incident_t *inc, vg_time_us_t ts)
{
    int64_t w = (int64_t)e->limits.attrib_incident_window_s * 1000000;
    return ts + w >= inc->first && ts <= inc->last + w;
}

static void
add_str(char (*arr)[80], size_t *n, size_t max, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(arr[i], s) == 0)
            return;
    if (*n < max)
        snprintf(arr[(*n)++], 80, "%s", s);
}

static void
add_host(attrib_incident_t *inc, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return;
    for (size_t i = 0; i < inc->n_hosts; i++)
        if (strcmp(inc->hosts[i], s) == 0)
            return;
    if (inc->n_hosts < ATTRIB_MAX_HOSTS)
        snprintf(inc->hosts[inc->n_hosts++], sizeof(inc->hosts[0]), "%s", s);
}

/* Add or merge a unit (same type and key: count it, widen its time span).
 * One family is one unit however it was seen (rule metadata, several
 * indicators linking it); it stays from_indicator only while every sighting
 * came through an indicator link, and then describes the independent one. */
static void
add_unit(vg_attrib_engine_t *e, attrib_incident_t *inc, const attrib_unit_t *u)
{
    /* before the bounds: a unit dropped for room still restricts handling */
    inc->tlp = vg_tlp_max(inc->tlp, u->tlp);
    inc->marks = attrib_marks_union(inc->marks, u->marks);
    for (size_t i = 0; i < inc->n_units; i++) {
        attrib_unit_t *x = &inc->units[i];
        if (x->type == u->type && strcmp(x->key, u->key) == 0) {
            x->count += u->count;
            if (u->first < x->first)
                x->first = u->first;
            if (u->last > x->last)
                x->last = u->last;
            x->expired = x->expired && u->expired;
            x->tlp = vg_tlp_max(x->tlp, u->tlp);
            x->marks = attrib_marks_union(x->marks, u->marks);
            if (x->from_indicator && !u->from_indicator) {
                x->from_indicator = false;
                memcpy(x->what, u->what, sizeof(x->what));
                memcpy(x->source, u->source, sizeof(x->source));
            }
            return;
        }
    }
    if (inc->n_units >= e->limits.attrib_max_evidence ||
        e->units_total >= e->limits.attrib_max_units_total) {
        inc->dropped_units++;
        e->units_dropped++;
        return;
    }
    if (inc->n_units == inc->cap_units) {
        size_t nc = inc->cap_units ? inc->cap_units * 2 : 8;
        attrib_unit_t *p = realloc(inc->units, nc * sizeof(*p));
        if (p == NULL) {
            e->units_dropped++;
            return;
        }
        inc->units = p;
        inc->cap_units = nc;
    }
    inc->units[inc->n_units++] = *u;
    e->units_total++;
}

static void
merge(vg_attrib_engine_t *e, int into, int from)
{
    attrib_incident_t *a = &e->inc[into], *b = &e->inc[from];
    /* b's units are re-added (and re-counted) into a */
    e->units_total -= b->n_units < e->units_total ? b->n_units : e->units_total;
    for (size_t i = 0; i < b->n_units; i++)
        add_unit(e, a, &b->units[i]);
    for (size_t i = 0; i < b->n_hosts; i++)
        add_host(a, b->hosts[i]);
    for (size_t i = 0; i < b->n_infra; i++)
        add_str(a->infra, &a->n_infra, ATTRIB_MAX_INFRA, b->infra[i]);
    if (b->first < a->first)
        a->first = b->first;
    if (b->last > a->last)
        a->last = b->last;
    a->records += b->records;
    a->tlp = vg_tlp_max(a->tlp, b->tlp);
    a->marks = attrib_marks_union(a->marks, b->marks);
    a->dropped_units += b->dropped_units;
    free(b->units);
    b->units = NULL;
    b->n_units = b->cap_units = 0;
    b->dead = true;
    b->parent = into;
}

int
attrib_incident_add(vg_attrib_engine_t *e, const attrib_obs_t *o)
{
    int ih = -1, ix = -1;
    e->units_seen++;
    if (o->host[0] != '\0') {
        ih = attrib_map_get(&e->host_map, o->host);
        ih = attrib_incident_root(e, ih);
        if (ih >= 0 && !in_window(e, &e->inc[ih], o->ts))
            ih = -1;
    }
    if (o->infra[0] != '\0') {
        ix = attrib_map_get(&e->infra_map, o->infra);
        ix = attrib_incident_root(e, ix);
        if (ix >= 0 && !in_window(e, &e->inc[ix], o->ts))
            ix = -1;
    }
    int id;
    if (ih >= 0 && ix >= 0 && ih != ix) {
        /* the observation links two incidents: merge into the older */
        int keep = ih < ix ? ih : ix, gone = ih < ix ? ix : ih;
        merge(e, keep, gone);
        id = keep;
    } else if (ih >= 0) {
        id = ih;
    } else if (ix >= 0) {
        id = ix;
    } else {
        if (e->n_inc >= e->limits.attrib_max_incidents) {
            e->incidents_dropped++;
            return VG_ENOMEM;
        }
        if (e->n_inc == e->cap_inc) {
            size_t nc = e->cap_inc ? e->cap_inc * 2 : 16;
            attrib_incident_t *p = realloc(e->inc, nc * sizeof(*p));
            if (p == NULL) {
                e->incidents_dropped++;
                return VG_ENOMEM;
            }
            e->inc = p;
            e->cap_inc = nc;
        }
        id = (int)e->n_inc++;
        attrib_incident_t *inc = &e->inc[id];
        memset(inc, 0, sizeof(*inc));
        inc->parent = id;
        inc->first = inc->last = o->ts;
        inc->mtab = &e->marks;
    }
    attrib_incident_t *inc = &e->inc[id];
    if (o->ts < inc->first)
        inc->first = o->ts;
    if (o->ts > inc->last)
        inc->last = o->ts;
    inc->records++;
    add_host(inc, o->host);
    add_str(inc->infra, &inc->n_infra, ATTRIB_MAX_INFRA, o->infra);
    add_unit(e, inc, &o->unit);
    if (o->host[0] != '\0')
        attrib_map_set(&e->host_map, o->host, id);
    if (o->infra[0] != '\0')
        attrib_map_set(&e->infra_map, o->infra, id);
    return VG_OK;
}
