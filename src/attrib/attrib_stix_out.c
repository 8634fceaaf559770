/* attrib_stix_out.c - the judgements as a STIX 2.1 bundle: an identity for
 * vigil, one `incident` per incident, a `sighting` per indicator hit
 * (sighting_of_ref = the indicator when it has a STIX id), and an
 * `attributed-to` relationship incident -> intrusion-set carrying the
 * STIX confidence (5/15/30/50/70/85/95) when an actor is named.
 *
 * Handling: every object derived from marked evidence (incident,
 * sightings, attributed-to) carries object_marking_refs = the incident's
 * most restrictive TLP (TLP 2.0 marking-definition, included once) plus
 * one statement marking-definition per statement (included once).
 *
 * Ids are deterministic (UUIDv4-shaped, from a hash of the content), so a
 * run over the same input produces the same bundle.
 */
#include "attrib/attrib_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* TLP 2.0 extension definition (OASIS CTI TC): marking-definition
 * objects of the five TLP 2.0 levels carry it as a property extension */
#define TLP2_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

struct attrib_stix_out {
    json_t *objects;
    json_t *marks_done; /* marking-definition ids already in objects */
    char identity[64];
    char now[32];
};

static void
make_id(const char *type, const char *seed1, long long seed2, char *out, size_t n)
{
    uint64_t h1 = 1469598103934665603ull, h2 = 0x84222325cbf29ce4ull;
    for (const char *p = seed1; p && *p; p++) {
        h1 = (h1 ^ (unsigned char)*p) * 1099511628211ull;
        h2 = (h2 ^ (unsigned char)*p) * 0x100000001b3ull + 7;
    }
    h1 ^= (uint64_t)seed2 * 0x9e3779b97f4a7c15ull;
    h2 ^= (uint64_t)seed2 + 0x632be59bd9b4e019ull;
    h2 = (h2 ^ (h2 >> 29)) * 0xbf58476d1ce4e5b9ull;
    snprintf(out, n, "%s--%08x-%04x-4%03x-%04x-%012llx", type, (unsigned)(h1 >> 32),
             (unsigned)(h1 >> 16) & 0xffff, (unsigned)h1 & 0xfff,
             (unsigned)(0x8000 | ((h2 >> 48) & 0x3fff)),
             (unsigned long long)(h2 & 0xffffffffffffull));
}

attrib_stix_out_t *
attrib_stix_out_new(void)
{
    attrib_stix_out_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->objects = json_array();
    s->marks_done = json_object();
    make_id("identity", "vigil network sensor", 0, s->identity, sizeof(s->identity));
    /* a fixed created time keeps output reproducible */
    snprintf(s->now, sizeof(s->now), "2026-01-01T00:00:00.000Z");
    json_t *id = json_object();
    json_object_set_new(id, "type", json_string("identity"));
    json_object_set_new(id, "spec_version", json_string("2.1"));
    json_object_set_new(id, "id", json_string(s->identity));
    json_object_set_new(id, "created", json_string(s->now));
    json_object_set_new(id, "modified", json_string(s->now));
    json_object_set_new(id, "name", json_string("vigil"));
    json_object_set_new(id, "identity_class", json_string("system"));
    json_array_append_new(s->objects, id);
    return s;
}

static void
stix_time(vg_time_us_t t, char *buf, size_t n)
{
    attrib_fmt_time(t, buf, n);
}

static json_t *
sdo(attrib_stix_out_t *s, const char *type, const char *id)
{
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "spec_version", json_string("2.1"));
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "created", json_string(s->now));
    json_object_set_new(o, "modified", json_string(s->now));
    json_object_set_new(o, "created_by_ref", json_string(s->identity));
    return o;
}

/* The TLP 2.0 marking-definition object of level t, as the extension
 * defines it (fixed id, created 2022-10-01, name, tlp_2_0 property). */
static json_t *
tlp2_object(vg_tlp_t t)
{
    static const char *const words[] = {
        [VG_TLP_CLEAR] = "clear", [VG_TLP_GREEN] = "green", [VG_TLP_AMBER] = "amber",
        [VG_TLP_AMBER_STRICT] = "amber+strict", [VG_TLP_RED] = "red",
    };
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string("marking-definition"));
    json_object_set_new(o, "spec_version", json_string("2.1"));
    json_object_set_new(o, "id", json_string(vg_tlp_marking_id(t)));
    json_object_set_new(o, "created", json_string("2022-10-01T00:00:00.000Z"));
    json_object_set_new(o, "name", json_string(vg_tlp_name(t)));
    json_t *ext = json_object(), *prop = json_object();
    json_object_set_new(prop, "extension_type", json_string("property-extension"));
    json_object_set_new(prop, "tlp_2_0", json_string(words[t]));
    json_object_set_new(ext, TLP2_EXT, prop);
    json_object_set_new(o, "extensions", ext);
    return o;
}

/* object_marking_refs for objects of inc (NULL when unmarked); the
 * marking-definition objects are added to the bundle the first time. */
static json_t *
marking_refs(attrib_stix_out_t *s, const attrib_incident_t *inc)
{
    if (inc->tlp == VG_TLP_NONE && inc->marks == 0)
        return NULL;
    json_t *refs = json_array();
    if (inc->tlp != VG_TLP_NONE) {
        const char *id = vg_tlp_marking_id(inc->tlp);
        if (json_object_get(s->marks_done, id) == NULL) {
            json_array_append_new(s->objects, tlp2_object(inc->tlp));
            json_object_set_new(s->marks_done, id, json_true());
        }
        json_array_append_new(refs, json_string(id));
    }
    for (size_t i = 0; inc->mtab != NULL && i < inc->mtab->n; i++) {
        if (!(inc->marks & (1u << i)))
            continue;
        const char *text = inc->mtab->text[i];
        char id[96];
        make_id("marking-definition", text, 0, id, sizeof(id));
        if (json_object_get(s->marks_done, id) == NULL) {
            json_t *m = json_object();
            json_object_set_new(m, "type", json_string("marking-definition"));
            json_object_set_new(m, "spec_version", json_string("2.1"));
            json_object_set_new(m, "id", json_string(id));
            json_object_set_new(m, "created", json_string(s->now));
            json_object_set_new(m, "created_by_ref", json_string(s->identity));
            json_object_set_new(m, "definition_type", json_string("statement"));
            json_t *def = json_object();
            json_object_set_new(def, "statement", json_string(text));
            json_object_set_new(m, "definition", def);
            json_array_append_new(s->objects, m);
            json_object_set_new(s->marks_done, id, json_true());
        }
        json_array_append_new(refs, json_string(id));
    }
    return refs;
}

void
attrib_stix_out_add(attrib_stix_out_t *s, const vg_attrib_kb_t *kb, const attrib_incident_t *inc,
                    int num, const attrib_result_t *r)
{
    if (s == NULL)
        return;
    char inc_id[96], id[96], t1[32], t2[32], name[128], desc[512];
    json_t *refs = marking_refs(s, inc);
    make_id("incident", inc->hosts[0], inc->first ^ ((long long)num << 40), inc_id,
            sizeof(inc_id));
    json_t *o = sdo(s, "incident", inc_id);
    snprintf(name, sizeof(name), "vigil incident %d", num);
    json_object_set_new(o, "name", json_string(name));
    stix_time(inc->first, t1, sizeof(t1));
    stix_time(inc->last, t2, sizeof(t2));
    if (r->judged >= 0)
        snprintf(desc, sizeof(desc), "%s … %s: %s — %s (%.0f%%); analytic confidence %s.", t1,
                 t2, kb->groups[r->judged].name, r->word, 100 * r->p_judged, r->analytic);
    else
        snprintf(desc, sizeof(desc), "%s … %s: unknown actor (P(unknown) %.0f%%).", t1, t2,
                 100 * r->p_unknown);
    json_object_set_new(o, "description", json_string(desc));
    if (refs != NULL)
        json_object_set(o, "object_marking_refs", refs);
    json_array_append_new(s->objects, o);
    for (size_t i = 0; i < inc->n_units; i++) {
        const attrib_unit_t *u = &inc->units[i];
        if ((u->type != ATTRIB_EV_INDICATOR && u->type != ATTRIB_EV_INFRA) ||
            strncmp(u->indicator_id, "indicator--", 11) != 0)
            continue;
        make_id("sighting", u->indicator_id, inc->first + (long long)i, id, sizeof(id));
        json_t *sg = sdo(s, "sighting", id);
        json_object_set_new(sg, "sighting_of_ref", json_string(u->indicator_id));
        stix_time(u->first, t1, sizeof(t1));
        stix_time(u->last, t2, sizeof(t2));
        json_object_set_new(sg, "first_seen", json_string(t1));
        json_object_set_new(sg, "last_seen", json_string(t2));
        json_object_set_new(sg, "count", json_integer(u->count));
        json_t *where = json_array();
        json_array_append_new(where, json_string(s->identity));
        json_object_set_new(sg, "where_sighted_refs", where);
        json_object_set_new(sg, "description", json_string(u->what));
        if (refs != NULL)
            json_object_set(sg, "object_marking_refs", refs);
        json_array_append_new(s->objects, sg);
    }
    if (r->judged >= 0) {
        make_id("relationship", kb->groups[r->judged].stix, inc->first + num, id, sizeof(id));
        json_t *rel = sdo(s, "relationship", id);
        json_object_set_new(rel, "relationship_type", json_string("attributed-to"));
        json_object_set_new(rel, "source_ref", json_string(inc_id));
        json_object_set_new(rel, "target_ref", json_string(kb->groups[r->judged].stix));
        json_object_set_new(rel, "confidence", json_integer(r->stix_confidence));
        snprintf(desc, sizeof(desc), "%s (P = %.2f); analytic confidence %s.", r->word,
                 r->p_judged, r->analytic);
        json_object_set_new(rel, "description", json_string(desc));
        if (refs != NULL)
            json_object_set(rel, "object_marking_refs", refs);
        json_array_append_new(s->objects, rel);
    }
    json_decref(refs);
}

int
attrib_stix_out_write(attrib_stix_out_t *s, const char *path)
{
    if (s == NULL)
        return VG_EINVAL;
    char id[96];
    make_id("bundle", path, (long long)json_array_size(s->objects), id, sizeof(id));
    json_t *b = json_object();
    json_object_set_new(b, "type", json_string("bundle"));
    json_object_set_new(b, "id", json_string(id));
    json_object_set(b, "objects", s->objects);
    int rc = json_dump_file(b, path, JSON_INDENT(1)) == 0 ? VG_OK : VG_EIO;
    json_decref(b);
    return rc;
}

void
attrib_stix_out_free(attrib_stix_out_t *s)
{
    if (s == NULL)
        return;
    json_decref(s->objects);
    json_decref(s->marks_done);
    free(s);
}
