/* intel_misp.c - MISP event JSON loader.
 *
 * Shapes: {"Event": {...}}, {"response": [{"Event": {...}}, ...]},
 * {"response": {"Event": ...}}, a list of {"Event": ...} or of bare events.
 * Every Attribute of the event and of its Objects is looked at:
 *   ip-dst, ip-src (CIDR allowed), ip-dst|port, ip-src|port -> ip (+port)
 *   domain, hostname, domain|ip (both halves), hostname|port -> domain/ip
 *   url, link is NOT loaded (reference links, not IOCs), uri is not (a path)
 *   md5, sha1, sha256, filename|md5/sha1/sha256 -> file hashes
 *   x509-fingerprint-sha1/sha256 -> cert hashes; ja3-fingerprint-md5 -> ja3
 *   email, email-src, email-dst -> email; user-agent -> user_agent
 * Other attribute types (text, comment, regkey, yara, ...) are counted as
 * ignored. deleted=true is skipped. to_ids is kept in the indicator; by
 * default to_ids=false attributes are loaded too (vendor exports such as
 * ESET's mark every attribute to_ids=false), unless the store was told
 * misp_ids_only, which is what MISP's own IDS export does.
 * Source = Event.Orgc.name (else Org.name). Actors: Galaxy clusters of
 * the threat-actor / intrusion-set / malpedia galaxies (id = cluster uuid)
 * and misp-galaxy:threat-actor="X" style tags on the event or attribute.
 * TLP: the most restrictive `tlp:*` tag of the event and the attribute.
 */
#include "intel/intel_int.h"
#include "intel/intel_stix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MISP_MAX_ACTORS 16

typedef struct misp_ctx {
    vg_intel_store_t *s;
    const char *name;
    char *errbuf;
    size_t errlen;
    const char *source;
    const char *info;
    vg_intel_actor_ref_t actors[MISP_MAX_ACTORS];
    size_t n_actors;
    vg_tlp_t tlp;          /* of the event's tags */
    int rc;
} misp_ctx_t;

/* The most restrictive `tlp:*` tag in a Tag array (VG_TLP_NONE if none). */
static vg_tlp_t
tags_tlp(const json_t *tags)
{
    vg_tlp_t tlp = VG_TLP_NONE;
    size_t i;
    json_t *t;
    if (!json_is_array(tags))
        return tlp;
    json_array_foreach(tags, i, t) {
        const char *nm = vg_stix_str(t, "name");
        /* only tlp: tags; a bare "red" tag is not a TLP level */
        if (nm != NULL && strncasecmp(nm, "tlp:", 4) == 0)
            tlp = vg_tlp_max(tlp, vg_tlp_from_text(nm, strlen(nm)));
    }
    return tlp;
}

static bool
actor_galaxy(const char *g)
{
    return strcmp(g, "threat-actor") == 0 || strstr(g, "intrusion-set") != NULL ||
           strcmp(g, "malpedia") == 0 || strstr(g, "mitre-malware") != NULL ||
           strstr(g, "mitre-tool") != NULL || strstr(g, "attack-malware") != NULL ||
           strstr(g, "attack-tool") != NULL; /* tools: families for attribution */
}

/* misp-galaxy:threat-actor="APT 28" -> name "APT 28". */
static void
tag_actor(vg_intel_store_t *s, const char *tag, vg_intel_actor_ref_t *out, size_t *n)
{
    if (strncmp(tag, "misp-galaxy:", 12) != 0 || *n >= MISP_MAX_ACTORS)
        return;
    const char *eq = strchr(tag, '=');
    if (eq == NULL)
        return;
    char g[64];
    size_t gl = (size_t)(eq - (tag + 12));
    if (gl >= sizeof(g))
        return;
    memcpy(g, tag + 12, gl);
    g[gl] = '\0';
    if (!actor_galaxy(g))
        return;
    const char *v = eq + 1;
    size_t vl = strlen(v);
    if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
        v++;
        vl -= 2;
    }
    if (vl == 0)
        return;
    const char *nm = intel_strndup(s, v, vl);
    for (size_t i = 0; i < *n; i++)
        if (out[i].name && nm && strcmp(out[i].name, nm) == 0)
            return;
    out[*n].id = intel_strdup(s, tag);
    out[*n].name = nm;
    (*n)++;
}

static void
tags_actors(vg_intel_store_t *s, const json_t *tags, vg_intel_actor_ref_t *out, size_t *n)
{
    size_t i;
    json_t *t;
    if (!json_is_array(tags))
        return;
    json_array_foreach(tags, i, t) {
        const char *nm = vg_stix_str(t, "name");
        if (nm)
            tag_actor(s, nm, out, n);
    }
}

static void
galaxy_actors(vg_intel_store_t *s, const json_t *gal, vg_intel_actor_ref_t *out, size_t *n)
{
    size_t i, j;
    json_t *g, *cl;
    if (!json_is_array(gal))
        return;
    json_array_foreach(gal, i, g) {
        const char *type = vg_stix_str(g, "type");
        if (type == NULL || !actor_galaxy(type))
            continue;
        json_array_foreach(json_object_get(g, "GalaxyCluster"), j, cl) {
            const char *v = vg_stix_str(cl, "value");
            if (v == NULL || *n >= MISP_MAX_ACTORS)
                continue;
            bool dup = false;
            for (size_t k = 0; k < *n && !dup; k++)
                dup = out[k].name && strcmp(out[k].name, v) == 0;
            if (dup)
                continue;
            const char *uuid = vg_stix_str(cl, "uuid");
            out[*n].id = intel_strdup(s, uuid ? uuid : v);
            out[*n].name = intel_strdup(s, v);
            (*n)++;
        }
    }
}

/* MISP writes booleans as true/false, "1"/"0" or 1/0 depending on version. */
static bool
misp_bool(const json_t *v, bool dflt)
{
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    if (json_is_string(v)) {
        const char *t = json_string_value(v);
        return strcmp(t, "1") == 0 || strcmp(t, "true") == 0;
    }
    return dflt;
}

static int
add_one(misp_ctx_t *c, intel_add_t *a, vg_ioc_type_t type, const char *v, size_t vn)
{
    a->type = type;
    a->value = v;
    a->value_len = vn;
    int rc = intel_add(c->s, a);
    if (rc == VG_EINVAL) {
        snprintf(c->errbuf, c->errlen, "%s: %s: more than intel.max-indicators %llu indicators",
                 c->name, a->id ? a->id : "?",
                 (unsigned long long)c->s->limits.intel_max_indicators);
        return rc;
    }
    if (rc == VG_ENOMEM) {
        snprintf(c->errbuf, c->errlen, "%s: out of memory", c->name);
        return rc;
    }
    return VG_OK;
}

static int
misp_attribute(misp_ctx_t *c, const json_t *at)
{
    vg_intel_store_t *s = c->s;
    intel_count_obj(s, "misp-attribute");
    if (!json_is_object(at)) {
        s->rep.errors++;
        intel_note(s, NULL, "Attribute is not an object");
        return VG_OK;
    }
    const char *type = vg_stix_str(at, "type");
    const char *value = vg_stix_str(at, "value");
    const char *uuid = vg_stix_str(at, "uuid");
    if (type == NULL || value == NULL) {
        s->rep.errors++;
        intel_note(s, uuid, "Attribute without a string 'type' and 'value'");
        return VG_OK;
    }
    if (misp_bool(json_object_get(at, "deleted"), false)) {
        s->rep.indicators_skipped_deleted++;
        return VG_OK;
    }
    bool to_ids = misp_bool(json_object_get(at, "to_ids"), true);

    /* map the MISP type */
    vg_ioc_type_t t = VG_IOC_TYPE_MAX;
    const char *v = value;
    size_t vn = strlen(value);
    const char *second = NULL; /* domain|ip: the ip half */
    static const struct { const char *m; vg_ioc_type_t t; } map[] = {
        {"ip-dst", VG_IOC_IP}, {"ip-src", VG_IOC_IP}, {"ip-dst|port", VG_IOC_IP},
        {"ip-src|port", VG_IOC_IP}, {"domain", VG_IOC_DOMAIN}, {"hostname", VG_IOC_DOMAIN},
        {"url", VG_IOC_URL}, {"md5", VG_IOC_MD5}, {"sha1", VG_IOC_SHA1},
        {"sha256", VG_IOC_SHA256}, {"x509-fingerprint-sha1", VG_IOC_CERT_SHA1},
        {"x509-fingerprint-sha256", VG_IOC_CERT_SHA256}, {"ja3-fingerprint-md5", VG_IOC_JA3},
        {"email", VG_IOC_EMAIL}, {"email-src", VG_IOC_EMAIL}, {"email-dst", VG_IOC_EMAIL},
        {"user-agent", VG_IOC_USER_AGENT}, {"filename|md5", VG_IOC_MD5},
        {"filename|sha1", VG_IOC_SHA1}, {"filename|sha256", VG_IOC_SHA256},
        {"domain|ip", VG_IOC_DOMAIN}, {"hostname|port", VG_IOC_DOMAIN},
    };
    for (size_t i = 0; i < VG_ARRAY_LEN(map); i++)
        if (strcmp(type, map[i].m) == 0)
            t = map[i].t;
    if (t == VG_IOC_TYPE_MAX) {
        s->rep.attributes_ignored++;
        return VG_OK;
    }
    if (strncmp(type, "filename|", 9) == 0) {
        const char *bar = strrchr(value, '|');
        if (bar == NULL) {
            s->rep.indicators_skipped_invalid++;
            intel_note(s, uuid, "%s value without '|'", type);
            return VG_OK;
        }
        v = bar + 1;
        vn = strlen(v);
    } else if (strcmp(type, "domain|ip") == 0 || strcmp(type, "hostname|port") == 0) {
        const char *bar = strchr(value, '|');
        if (bar == NULL) {
            s->rep.indicators_skipped_invalid++;
            intel_note(s, uuid, "%s value without '|'", type);
            return VG_OK;
        }
        vn = (size_t)(bar - value);
        if (type[0] == 'd')
            second = bar + 1;
    }
    if (!to_ids && s->misp_ids_only) {
        s->rep.indicators_skipped_ids++;
        return VG_OK;
    }

    vg_intel_actor_ref_t actors[MISP_MAX_ACTORS];
    size_t na = c->n_actors;
    memcpy(actors, c->actors, na * sizeof(actors[0]));
    tags_actors(s, json_object_get(at, "Tag"), actors, &na);
    galaxy_actors(s, json_object_get(at, "Galaxy"), actors, &na);

    char pat[160];
    snprintf(pat, sizeof(pat), "%.40s: %.100s", type, value);
    intel_add_t a;
    memset(&a, 0, sizeof(a));
    a.id = uuid;
    a.source = c->source;
    a.confidence = -1;
    a.to_ids = to_ids;
    a.format = VG_INTEL_FMT_MISP;
    a.pattern = pat;
    const char *comment = vg_stix_str(at, "comment");
    a.description = comment && *comment ? comment : c->info;
    a.actors = actors;
    a.n_actors = na;
    a.tlp = vg_tlp_max(c->tlp, tags_tlp(json_object_get(at, "Tag")));
    long long ts;
    if (vg_stix_parse_time(vg_stix_str(at, "first_seen"), &ts) == 0)
        a.valid_from = ts;
    int rc = add_one(c, &a, t, v, vn);
    if (rc == VG_OK && second)
        rc = add_one(c, &a, VG_IOC_IP, second, strlen(second));
    return rc;
}

static int
misp_attributes(misp_ctx_t *c, const json_t *arr)
{
    size_t i;
    json_t *at;
    if (arr == NULL)
        return VG_OK;
    if (!json_is_array(arr)) {
        c->s->rep.errors++;
        intel_note(c->s, NULL, "'Attribute' is not an array");
        return VG_OK;
    }
    json_array_foreach(arr, i, at) {
        int rc = misp_attribute(c, at);
        if (rc != VG_OK)
            return rc;
    }
    return VG_OK;
}

static int
misp_event(misp_ctx_t *c, const json_t *ev)
{
    vg_intel_store_t *s = c->s;
    if (json_is_object(ev) && json_object_get(ev, "Event"))
        ev = json_object_get(ev, "Event");
    if (!json_is_object(ev)) {
        s->rep.errors++;
        intel_note(s, NULL, "MISP event is not an object");
        return VG_OK;
    }
    intel_count_obj(s, "misp-event");
    const char *src = vg_stix_str(json_object_get(ev, "Orgc"), "name");
    if (src == NULL)
        src = vg_stix_str(json_object_get(ev, "Org"), "name");
    c->source = src;
    c->info = vg_stix_str(ev, "info");
    c->n_actors = 0;
    c->tlp = tags_tlp(json_object_get(ev, "Tag"));
    tags_actors(s, json_object_get(ev, "Tag"), c->actors, &c->n_actors);
    galaxy_actors(s, json_object_get(ev, "Galaxy"), c->actors, &c->n_actors);
    int rc = misp_attributes(c, json_object_get(ev, "Attribute"));
    if (rc != VG_OK)
        return rc;
    json_t *objs = json_object_get(ev, "Object");
    if (json_is_array(objs)) {
        size_t i;
        json_t *o;
        json_array_foreach(objs, i, o) {
            if (!json_is_object(o))
                continue;
            rc = misp_attributes(c, json_object_get(o, "Attribute"));
            if (rc != VG_OK)
                return rc;
        }
    }
    return VG_OK;
}

int
intel_load_misp(vg_intel_store_t *s, const char *name, const char *data, size_t len,
                char *errbuf, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, 0, &jerr);
    if (root == NULL) {
        snprintf(errbuf, errlen, "%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
        return VG_EINVAL;
    }
    misp_ctx_t c;
    memset(&c, 0, sizeof(c));
    c.s = s;
    c.name = name;
    c.errbuf = errbuf;
    c.errlen = errlen;
    int rc = VG_OK;
    json_t *list = NULL;
    if (json_is_array(root)) {
        json_t *first = json_array_get(root, 0);
        if (json_is_object(first) && vg_stix_str(first, "type") && vg_stix_str(first, "id") &&
            !json_object_get(first, "Event") && !json_object_get(first, "Attribute")) {
            rc = intel_load_stix_array(s, name, root, errbuf, errlen);
            json_decref(root);
            return rc;
        }
        list = root;
    } else if (json_is_object(root) && json_object_get(root, "response")) {
        list = json_object_get(root, "response");
        if (json_is_object(list)) {
            rc = misp_event(&c, list);
            list = NULL;
        } else if (!json_is_array(list)) {
            snprintf(errbuf, errlen, "%s: MISP 'response' is neither a list nor an object", name);
            rc = VG_EINVAL;
            list = NULL;
        }
    } else if (json_is_object(root) && json_is_object(json_object_get(root, "Event"))) {
        rc = misp_event(&c, root);
    } else {
        snprintf(errbuf, errlen, "%s: not a MISP event (expected {\"Event\": ...}, "
                 "{\"response\": [...]} or a list of events)", name);
        rc = VG_EINVAL;
    }
    if (list) {
        size_t i;
        json_t *ev;
        json_array_foreach(list, i, ev) {
            rc = misp_event(&c, ev);
            if (rc != VG_OK)
                break;
        }
    }
    json_decref(root);
    return rc;
}
