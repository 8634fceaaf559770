/* attrib_kb.c - the actor knowledge base: intrusion sets, techniques,
 * software, campaigns, `uses` profiles and indicators, built from STIX.
 *
 * Loading keeps relationships raw because a bundle may list them before
 * the objects they join (ATT&CK sorts by type: "relationship" < "tool").
 * Freeze resolves them, builds profiles, base rates and indexes; after
 * that the KB is read-only and may be shared by threads.
 */
#include "attrib/attrib_int.h"
#include "intel/intel.h"
#include "intel/intel_stix.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- map ------------------------------------------------------------- */

static uint64_t
map_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

void
attrib_map_init(attrib_map_t *m)
{
    memset(m, 0, sizeof(*m));
}

void
attrib_map_fini(attrib_map_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

static int
map_grow(attrib_map_t *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    char **nk = calloc(ncap, sizeof(*nk));
    int32_t *nv = calloc(ncap, sizeof(*nv));
    if (nk == NULL || nv == NULL) {
        free(nk);
        free(nv);
        return VG_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == NULL)
            continue;
        size_t j = map_hash(m->keys[i], strlen(m->keys[i])) & (ncap - 1);
        while (nk[j] != NULL)
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    return VG_OK;
}

int32_t
attrib_map_getn(const attrib_map_t *m, const char *key, size_t n)
{
    if (m->cap == 0 || key == NULL)
        return -1;
    size_t j = map_hash(key, n) & (m->cap - 1);
    while (m->keys[j] != NULL) {
        if (strncmp(m->keys[j], key, n) == 0 && m->keys[j][n] == '\0')
            return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

int32_t
attrib_map_get(const attrib_map_t *m, const char *key)
{
    return key ? attrib_map_getn(m, key, strlen(key)) : -1;
}

int
attrib_map_put(attrib_map_t *m, const char *key, int32_t val)
{
    if (key == NULL)
        return VG_EINVAL;
    if ((m->n + 1) * 2 > m->cap && map_grow(m) != VG_OK)
        return VG_ENOMEM;
    size_t n = strlen(key);
    size_t j = map_hash(key, n) & (m->cap - 1);
    while (m->keys[j] != NULL) {
        if (strcmp(m->keys[j], key) == 0)
            return VG_OK;
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = strdup(key);
    if (m->keys[j] == NULL)
        return VG_ENOMEM;
    m->vals[j] = val;
    m->n++;
    return VG_OK;
}

int
attrib_map_set(attrib_map_t *m, const char *key, int32_t val)
{
    if (key == NULL)
        return VG_EINVAL;
    if (m->cap > 0) {
        size_t n = strlen(key);
        size_t j = map_hash(key, n) & (m->cap - 1);
        while (m->keys[j] != NULL) {
            if (strcmp(m->keys[j], key) == 0) {
                m->vals[j] = val;
                return VG_OK;
            }
            j = (j + 1) & (m->cap - 1);
        }
    }
    return attrib_map_put(m, key, val);
}

void
attrib_norm_name(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    if (outlen == 0)
        return;
    for (; in != NULL && *in != '\0' && o + 1 < outlen; in++) {
        unsigned char c = (unsigned char)*in;
        if (isalnum(c))
            out[o++] = (char)tolower(c);
    }
    out[o] = '\0';
}

/* ---- growable arrays --------------------------------------------------- */

static int
grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return VG_OK;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, ncap * elem);
    if (p == NULL)
        return VG_ENOMEM;
    memset((char *)p + *cap * elem, 0, (ncap - *cap) * elem);
    *arr = p;
    *cap = ncap;
    return VG_OK;
}

static char *
xstrdup(const char *s)
{
    return strdup(s ? s : "");
}

vg_attrib_kb_t *
vg_attrib_kb_new(void)
{
    vg_attrib_kb_t *kb = calloc(1, sizeof(*kb));
    return kb;
}

void
attrib_profiles_fini(attrib_profiles_t *p)
{
    free(p->mem);
    free(p->par);
    free(p->df);
    free(p->dfp);
    free(p->size);
    memset(p, 0, sizeof(*p));
}

void
vg_attrib_kb_free(vg_attrib_kb_t *kb)
{
    if (kb == NULL)
        return;
    for (size_t i = 0; i < kb->n_items; i++) {
        free(kb->items[i].stix);
        free(kb->items[i].ext);
        free(kb->items[i].name);
    }
    for (size_t i = 0; i < kb->n_groups; i++) {
        attrib_group_t *g = &kb->groups[i];
        free(g->stix);
        free(g->ext);
        free(g->name);
        for (size_t a = 0; a < g->n_aliases; a++)
            free(g->aliases[a]);
        free(g->aliases);
        free(g->country);
        free(g->sponsor);
    }
    for (size_t i = 0; i < kb->n_camps; i++) {
        free(kb->camps[i].stix);
        free(kb->camps[i].ext);
        free(kb->camps[i].name);
    }
    for (size_t i = 0; i < kb->n_rels; i++)
        free(kb->rels[i].id);
    for (size_t i = 0; i < kb->n_iocs; i++) {
        attrib_ioc_t *c = &kb->iocs[i];
        free(c->id);
        free(c->value);
        free(c->source);
        free(c->warning);
    }
    for (size_t i = 0; i < kb->n_fams; i++) {
        attrib_family_t *f = &kb->fams[i];
        free(f->stix);
        free(f->name);
        for (size_t a = 0; a < f->n_aliases; a++)
            free(f->aliases[a]);
        free(f->aliases);
    }
    free(kb->fams);
    attrib_map_fini(&kb->fam_by_stix);
    for (size_t i = 0; i < kb->n_mdefs; i++) {
        free(kb->mdefs[i].id);
        free(kb->mdefs[i].statement);
    }
    free(kb->mdefs);
    attrib_map_fini(&kb->mdef_by_id);
    for (size_t i = 0; i < kb->n_raw; i++) {
        free(kb->raw[i].id);
        free(kb->raw[i].type);
        free(kb->raw[i].src);
        free(kb->raw[i].tgt);
    }
    for (size_t i = 0; i < kb->n_ident; i++)
        free(kb->ident_names[i]);
    free(kb->ident_names);
    free(kb->items);
    free(kb->groups);
    free(kb->camps);
    free(kb->rels);
    free(kb->iocs);
    free(kb->raw);
    free(kb->ioc_next);
    attrib_map_fini(&kb->by_stix);
    attrib_map_fini(&kb->item_by_ext);
    attrib_map_fini(&kb->soft_by_name);
    attrib_map_fini(&kb->group_by_name);
    attrib_map_fini(&kb->ioc_by_value);
    attrib_map_fini(&kb->identity);
    attrib_profiles_fini(&kb->prof);
    free(kb);
}

/* ---- network observability ------------------------------------------- */

/* Techniques a network sensor can see (from rule metadata or traffic).
 * ATT&CK v18 no longer ships x_mitre_data_sources in this bundle, so the
 * rule is ours: three tactics whose techniques are network activity by
 * definition, plus listed techniques from other tactics that show on the
 * wire (exploits of public services, remote services, scans, brute force).
 * A sub-technique inherits its parent's listing. */
static const char *const net_tactics[] = {"command-and-control", "exfiltration",
                                          "lateral-movement"};
static const char *const net_techniques[] = {
    "T1190", "T1133", "T1046", "T1110", "T1595", "T1498", "T1499", "T1557", "T1189",
    "T1210", "T1018", "T1135", "T1021", "T1071", "T1572", "T1090", "T1095", "T1571",
    "T1573", "T1105", "T1041", "T1048", "T1568", "T1102", "T1219", "T1567", "T1001",
    "T1008", "T1104", "T1132", "T1205", "T1029", "T1030", "T1570", "T1583", "T1584",
};

bool
attrib_technique_is_net(const char *ext, const char *const *tactics, size_t n_tactics)
{
    if (ext == NULL)
        return false;
    char parent[16];
    size_t n = strcspn(ext, ".");
    if (n >= sizeof(parent))
        return false;
    memcpy(parent, ext, n);
    parent[n] = '\0';
    /* T1583/T1584 (acquire/compromise infrastructure) are resource
     * development: only their network-facing sub-techniques are kept. */
    if (strcmp(parent, "T1583") == 0 || strcmp(parent, "T1584") == 0)
        return strcmp(ext, "T1583.001") == 0 || strcmp(ext, "T1583.003") == 0 ||
               strcmp(ext, "T1584.005") == 0 || strcmp(ext, "T1584.008") == 0;
    for (size_t i = 0; i < VG_ARRAY_LEN(net_techniques); i++)
        if (strcmp(parent, net_techniques[i]) == 0)
            return true;
    for (size_t t = 0; t < n_tactics; t++)
        for (size_t i = 0; i < VG_ARRAY_LEN(net_tactics); i++)
            if (tactics[t] != NULL && strcmp(tactics[t], net_tactics[i]) == 0)
                return true;
    return false;
}

/* ---- loading ---------------------------------------------------------- */

static const char *
attack_ext_id(json_t *obj)
{
    json_t *refs = json_object_get(obj, "external_references");
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r) {
        const char *sn = vg_stix_str(r, "source_name");
        const char *id = vg_stix_str(r, "external_id");
        if (sn != NULL && id != NULL && strcmp(sn, "mitre-attack") == 0)
            return id;
    }
    return NULL;
}

static bool
obj_dead(json_t *obj)
{
    return json_is_true(json_object_get(obj, "revoked")) ||
           json_is_true(json_object_get(obj, "x_mitre_deprecated"));
}

static long long
obj_time(json_t *obj, const char *key)
{
    long long t = 0;
    const char *s = vg_stix_str(obj, key);
    if (s == NULL || vg_stix_parse_time(s, &t) != 0)
        return 0;
    return t;
}

static int
add_group_name(vg_attrib_kb_t *kb, const char *name, int idx)
{
    char norm[128];
    attrib_norm_name(name, norm, sizeof(norm));
    if (norm[0] == '\0')
        return VG_OK;
    return attrib_map_put(&kb->group_by_name, norm, idx);
}

static int
load_group(vg_attrib_kb_t *kb, json_t *obj, const char *id)
{
    if (attrib_map_get(&kb->by_stix, id) >= 0)
        return VG_OK; /* same intrusion set from another bundle (iocs.json copies them) */
    if (grow((void **)&kb->groups, &kb->cap_groups, kb->n_groups, sizeof(*kb->groups)) != VG_OK)
        return VG_ENOMEM;
    int idx = (int)kb->n_groups;
    attrib_group_t *g = &kb->groups[idx];
    const char *ext = attack_ext_id(obj);
    g->stix = xstrdup(id);
    g->ext = xstrdup(ext);
    g->name = xstrdup(vg_stix_str(obj, "name"));
    json_t *al = json_object_get(obj, "aliases");
    if (json_is_array(al) && json_array_size(al) > 0) {
        g->aliases = calloc(json_array_size(al), sizeof(char *));
        if (g->aliases == NULL)
            return VG_ENOMEM;
        size_t i;
        json_t *a;
        json_array_foreach(al, i, a) {
            if (json_is_string(a) && strcmp(json_string_value(a), g->name) != 0)
                g->aliases[g->n_aliases++] = xstrdup(json_string_value(a));
        }
    }
    kb->n_groups++;
    if (attrib_map_put(&kb->by_stix, id, ATTRIB_ENC(ATTRIB_K_GROUP, idx)) != VG_OK)
        return VG_ENOMEM;
    add_group_name(kb, g->name, idx);
    if (ext != NULL)
        add_group_name(kb, ext, idx);
    for (size_t a = 0; a < g->n_aliases; a++)
        add_group_name(kb, g->aliases[a], idx);
    return VG_OK;
}

static int
load_item(vg_attrib_kb_t *kb, json_t *obj, const char *id, int kind)
{
    const char *ext = attack_ext_id(obj);
    if (ext == NULL || attrib_map_get(&kb->by_stix, id) >= 0)
        return VG_OK; /* only ATT&CK-identified items take part in profiles */
    if (grow((void **)&kb->items, &kb->cap_items, kb->n_items, sizeof(*kb->items)) != VG_OK)
        return VG_ENOMEM;
    int idx = (int)kb->n_items;
    attrib_item_t *it = &kb->items[idx];
    it->stix = xstrdup(id);
    it->ext = xstrdup(ext);
    it->name = xstrdup(vg_stix_str(obj, "name"));
    it->kind = kind;
    it->parent = -1;
    if (kind == ATTRIB_ITEM_TECH) {
        const char *tactics[16];
        size_t nt = 0;
        json_t *kc = json_object_get(obj, "kill_chain_phases");
        size_t i;
        json_t *p;
        json_array_foreach(kc, i, p) {
            if (nt < VG_ARRAY_LEN(tactics))
                tactics[nt++] = vg_stix_str(p, "phase_name");
        }
        it->net = attrib_technique_is_net(ext, tactics, nt);
    }
    kb->n_items++;
    if (attrib_map_put(&kb->by_stix, id, ATTRIB_ENC(ATTRIB_K_ITEM, idx)) != VG_OK ||
        attrib_map_put(&kb->item_by_ext, ext, idx) != VG_OK)
        return VG_ENOMEM;
    if (kind == ATTRIB_ITEM_SOFT) {
        char norm[128];
        attrib_norm_name(it->name, norm, sizeof(norm));
        if (norm[0] != '\0')
            attrib_map_put(&kb->soft_by_name, norm, idx);
        json_t *al = json_object_get(obj, "x_mitre_aliases");
        size_t i;
        json_t *p;
        json_array_foreach(al, i, p) {
            if (!json_is_string(p))
                continue;
            attrib_norm_name(json_string_value(p), norm, sizeof(norm));
            if (norm[0] != '\0')
                attrib_map_put(&kb->soft_by_name, norm, idx);
        }
    }
    return VG_OK;
}

/* Every malware/tool object, ATT&CK or not, becomes a family an indicator
 * can point to. An ATT&CK object is its own software item; others are
 * resolved by name at freeze (when all ATT&CK software is known). */
static int
load_family(vg_attrib_kb_t *kb, json_t *obj, const char *id)
{
    if (attrib_map_get(&kb->fam_by_stix, id) >= 0)
        return VG_OK;
    if (grow((void **)&kb->fams, &kb->cap_fams, kb->n_fams, sizeof(*kb->fams)) != VG_OK)
        return VG_ENOMEM;
    int idx = (int)kb->n_fams;
    attrib_family_t *f = &kb->fams[idx];
    f->stix = xstrdup(id);
    f->name = xstrdup(vg_stix_str(obj, "name"));
    f->item = -1;
    int32_t enc = attrib_map_get(&kb->by_stix, id);
    if (enc >= 0 && ATTRIB_ENC_KIND(enc) == ATTRIB_K_ITEM)
        f->item = ATTRIB_ENC_IDX(enc);
    json_t *al = json_object_get(obj, "aliases");
    if (f->item < 0 && json_is_array(al) && json_array_size(al) > 0) {
        size_t na = json_array_size(al) < 16 ? json_array_size(al) : 16;
        f->aliases = calloc(na, sizeof(char *));
        if (f->aliases == NULL)
            return VG_ENOMEM;
        for (size_t i = 0; i < na; i++) {
            const char *a = json_string_value(json_array_get(al, i));
            if (a != NULL)
                f->aliases[f->n_aliases++] = xstrdup(a);
        }
    }
    kb->n_fams++;
    return attrib_map_put(&kb->fam_by_stix, id, idx);
}

static int
load_campaign(vg_attrib_kb_t *kb, json_t *obj, const char *id)
{
    if (attrib_map_get(&kb->by_stix, id) >= 0)
        return VG_OK;
    if (grow((void **)&kb->camps, &kb->cap_camps, kb->n_camps, sizeof(*kb->camps)) != VG_OK)
        return VG_ENOMEM;
    int idx = (int)kb->n_camps;
    attrib_campaign_t *c = &kb->camps[idx];
    const char *ext = attack_ext_id(obj);
    c->stix = xstrdup(id);
    c->ext = xstrdup(ext);
    c->name = xstrdup(vg_stix_str(obj, "name"));
    c->first = obj_time(obj, "first_seen");
    c->last = obj_time(obj, "last_seen");
    c->created = obj_time(obj, "created");
    c->group = -1;
    kb->n_camps++;
    return attrib_map_put(&kb->by_stix, id, ATTRIB_ENC(ATTRIB_K_CAMP, idx));
}

/* "[domain-name:value = 'x']" and friends (the subset the data pack and
 * common feeds use). Returns VG_OK with type/value/port or VG_DECLINED. */
static int
parse_pattern(const char *pat, int *type, char *value, size_t vlen, uint16_t *port)
{
    static const struct { const char *path; int type; } paths[] = {
        {"ipv4-addr:value", VG_IOC_IP},
        {"ipv6-addr:value", VG_IOC_IP},
        {"domain-name:value", VG_IOC_DOMAIN},
        {"url:value", VG_IOC_URL},
        {"file:hashes.'SHA-256'", VG_IOC_SHA256},
        {"file:hashes.'SHA-1'", VG_IOC_SHA1},
        {"file:hashes.MD5", VG_IOC_MD5},
        {"file:hashes.'MD5'", VG_IOC_MD5},
        {"network-traffic:dst_ref.value", VG_IOC_IP},
    };
    if (pat == NULL || strstr(pat, " OR ") != NULL)
        return VG_DECLINED;
    const char *at = NULL;
    for (size_t i = 0; i < VG_ARRAY_LEN(paths); i++) {
        at = strstr(pat, paths[i].path);
        if (at != NULL) {
            *type = paths[i].type;
            at += strlen(paths[i].path);
            break;
        }
    }
    if (at == NULL)
        return VG_DECLINED;
    const char *q = strchr(at, '\'');
    if (q == NULL)
        return VG_DECLINED;
    q++;
    size_t o = 0;
    for (; *q != '\0' && *q != '\''; q++) {
        if (*q == '\\' && q[1] != '\0')
            q++;
        if (o + 1 >= vlen)
            return VG_DECLINED;
        char c = *q;
        if (*type != VG_IOC_URL)
            c = (char)tolower((unsigned char)c);
        value[o++] = c;
    }
    if (*q != '\'' || o == 0)
        return VG_DECLINED;
    value[o] = '\0';
    *port = 0;
    const char *pp = strstr(pat, "dst_port");
    if (pp != NULL) {
        pp = strchr(pp, '=');
        if (pp != NULL) {
            long v = strtol(pp + 1, NULL, 10);
            if (v > 0 && v < 65536)
                *port = (uint16_t)v;
        }
    }
    return VG_OK;
}

static bool
vendor_source(const char *s)
{
    static const char *const vendors[] = {"eset", "volexity", "unit 42", "unit42", "sekoia",
                                          "palo alto", "mandiant", "microsoft", "crowdstrike"};
    char low[80];
    size_t i = 0;
    for (; s != NULL && s[i] != '\0' && i + 1 < sizeof(low); i++)
        low[i] = (char)tolower((unsigned char)s[i]);
    low[i] = '\0';
    for (size_t v = 0; v < VG_ARRAY_LEN(vendors); v++)
        if (strstr(low, vendors[v]) != NULL)
            return true;
    return false;
}

/* Index of marking definition `id` in kb->mdefs, added (level from the
 * well-known TLP ids, else unknown until its object loads) when new;
 * VG_ENOMEM on allocation failure. */
static int
mdef_ref(vg_attrib_kb_t *kb, const char *id)
{
    int32_t have = attrib_map_get(&kb->mdef_by_id, id);
    if (have >= 0)
        return have;
    if (grow((void **)&kb->mdefs, &kb->cap_mdefs, kb->n_mdefs, sizeof(*kb->mdefs)) != VG_OK)
        return VG_ENOMEM;
    attrib_mdef_t *m = &kb->mdefs[kb->n_mdefs];
    m->id = xstrdup(id);
    m->tlp = vg_tlp_from_marking_id(id);
    m->statement = NULL;
    if (m->id == NULL || attrib_map_put(&kb->mdef_by_id, id, (int32_t)kb->n_mdefs) != VG_OK) {
        free(m->id);
        m->id = NULL;
        return VG_ENOMEM;
    }
    return (int)kb->n_mdefs++;
}

/* A marking-definition object (read by vg_stix_marking_read): its TLP level,
 * or for a statement definition.statement cut to ATTRIB_MARK_LEN - 1 bytes.
 * Other kinds are kept as ids without meaning. */
static int
load_marking(vg_attrib_kb_t *kb, json_t *obj, const char *id)
{
    int md = mdef_ref(kb, id);
    if (md < 0)
        return md;
    attrib_mdef_t *m = &kb->mdefs[md];
    vg_stix_marking_t mk;
    vg_stix_marking_read(obj, &mk);
    vg_tlp_t t = mk.tlp;
    if (mk.is_statement && mk.statement != NULL && m->statement == NULL) {
        m->statement =
            strndup(mk.statement, vg_utf8_cut(mk.statement, strlen(mk.statement), ATTRIB_MARK_LEN - 1));
        if (m->statement == NULL)
            return VG_ENOMEM;
    }
    /* a well-known id keeps its standard level whatever the object says */
    if (m->tlp == VG_TLP_NONE)
        m->tlp = t;
    return VG_OK;
}

static int
load_indicator(vg_attrib_kb_t *kb, json_t *obj, const char *id)
{
    char value[512];
    int type;
    uint16_t port;
    if (attrib_map_get(&kb->by_stix, id) >= 0)
        return VG_OK;
    if (parse_pattern(vg_stix_str(obj, "pattern"), &type, value, sizeof(value), &port) != VG_OK) {
        kb->objects_skipped++;
        return VG_OK;
    }
    if (grow((void **)&kb->iocs, &kb->cap_iocs, kb->n_iocs, sizeof(*kb->iocs)) != VG_OK)
        return VG_ENOMEM;
    int idx = (int)kb->n_iocs;
    attrib_ioc_t *c = &kb->iocs[idx];
    c->id = xstrdup(id);
    c->type = type;
    c->value = xstrdup(value);
    c->port = port;
    c->confidence = (int)vg_stix_int(obj, "confidence", -1);
    c->valid_from = obj_time(obj, "valid_from");
    c->valid_until = obj_time(obj, "valid_until");
    json_t *srcs = json_object_get(obj, "x_vigil_sources");
    c->n_sources = json_is_array(srcs) ? (int)json_array_size(srcs) : 1;
    if (c->n_sources < 1)
        c->n_sources = 1;
    const char *by = vg_stix_str(obj, "created_by_ref");
    int32_t ii = attrib_map_get(&kb->identity, by);
    if (ii >= 0)
        c->source = xstrdup(kb->ident_names[ii]);
    else if (json_is_array(srcs) && json_is_string(json_array_get(srcs, 0)))
        c->source = xstrdup(json_string_value(json_array_get(srcs, 0)));
    else
        c->source = xstrdup(by ? by : "unknown");
    c->vendor = vendor_source(c->source);
    json_t *wl = json_object_get(obj, "x_vigil_warninglists");
    if (json_is_array(wl) && json_array_size(wl) > 0) {
        char buf[256] = "";
        size_t i;
        json_t *w;
        json_array_foreach(wl, i, w) {
            if (!json_is_string(w))
                continue;
            if (buf[0] != '\0')
                strncat(buf, ",", sizeof(buf) - strlen(buf) - 1);
            strncat(buf, json_string_value(w), sizeof(buf) - strlen(buf) - 1);
        }
        c->warning = xstrdup(buf);
    }
    size_t mi;
    json_t *mr;
    json_array_foreach(json_object_get(obj, "object_marking_refs"), mi, mr) {
        if (!json_is_string(mr) || c->n_mdefs >= ATTRIB_IOC_MAX_MARKS)
            continue;
        int md = mdef_ref(kb, json_string_value(mr));
        if (md == VG_ENOMEM)
            return VG_ENOMEM;
        c->mdefs[c->n_mdefs++] = md;
    }
    kb->n_iocs++;
    return attrib_map_put(&kb->by_stix, id, ATTRIB_ENC(ATTRIB_K_IOC, idx));
}

static int
kb_object(json_t *obj, void *user)
{
    vg_attrib_kb_t *kb = user;
    const char *type = vg_stix_str(obj, "type");
    const char *id = vg_stix_str(obj, "id");
    if (type == NULL || id == NULL)
        return 0;
    if (obj_dead(obj)) {
        kb->objects_skipped++;
        return 0;
    }
    int rc = VG_OK;
    if (strcmp(type, "intrusion-set") == 0) {
        rc = load_group(kb, obj, id);
    } else if (strcmp(type, "attack-pattern") == 0) {
        rc = load_item(kb, obj, id, ATTRIB_ITEM_TECH);
    } else if (strcmp(type, "malware") == 0 || strcmp(type, "tool") == 0) {
        rc = load_item(kb, obj, id, ATTRIB_ITEM_SOFT);
        if (rc == VG_OK)
            rc = load_family(kb, obj, id);
    } else if (strcmp(type, "campaign") == 0) {
        rc = load_campaign(kb, obj, id);
    } else if (strcmp(type, "indicator") == 0) {
        rc = load_indicator(kb, obj, id);
    } else if (strcmp(type, "marking-definition") == 0) {
        rc = load_marking(kb, obj, id);
    } else if (strcmp(type, "identity") == 0) {
        if (attrib_map_get(&kb->identity, id) < 0 &&
            grow((void **)&kb->ident_names, &kb->cap_ident, kb->n_ident, sizeof(char *)) == VG_OK) {
            kb->ident_names[kb->n_ident] = xstrdup(vg_stix_str(obj, "name"));
            rc = attrib_map_put(&kb->identity, id, (int32_t)kb->n_ident);
            kb->n_ident++;
        }
    } else if (strcmp(type, "relationship") == 0) {
        const char *rt = vg_stix_str(obj, "relationship_type");
        const char *src = vg_stix_str(obj, "source_ref");
        const char *tgt = vg_stix_str(obj, "target_ref");
        if (rt == NULL || src == NULL || tgt == NULL)
            return 0;
        if (strcmp(rt, "uses") != 0 && strcmp(rt, "attributed-to") != 0 &&
            strcmp(rt, "subtechnique-of") != 0 && strcmp(rt, "indicates") != 0 &&
            strcmp(rt, "revoked-by") != 0)
            return 0;
        if (grow((void **)&kb->raw, &kb->cap_raw, kb->n_raw, sizeof(*kb->raw)) != VG_OK)
            return VG_ENOMEM;
        struct attrib_raw_rel *r = &kb->raw[kb->n_raw++];
        r->id = xstrdup(id);
        r->type = xstrdup(rt);
        r->src = xstrdup(src);
        r->tgt = xstrdup(tgt);
        r->created = obj_time(obj, "created");
    }
    return rc == VG_OK ? 0 : rc;
}

int
vg_attrib_kb_load_stix(vg_attrib_kb_t *kb, const char *path, char *errbuf, size_t errlen)
{
    if (kb == NULL || path == NULL || kb->frozen) {
        snprintf(errbuf, errlen, "%s: knowledge base is frozen or missing", path ? path : "?");
        return VG_EINVAL;
    }
    int rc = vg_stix_foreach_object(path, 0, kb_object, kb, errbuf, errlen);
    if (rc == VG_ENOMEM)
        snprintf(errbuf, errlen, "%s: out of memory while loading", path);
    if (rc == VG_OK)
        kb->files_loaded++;
    return rc;
}

/* Optional actor sponsor file (data/actor-sponsors.json):
 * {"actors":[{"attack_id":"G0007","country":"RU","sponsor":"GRU, Unit 26165","curated":false}]} */
int
vg_attrib_kb_load_sponsors(vg_attrib_kb_t *kb, const char *path, char *errbuf, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL) {
        snprintf(errbuf, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return VG_EINVAL;
    }
    json_t *actors = json_object_get(root, "actors");
    size_t i;
    json_t *a;
    json_array_foreach(actors, i, a) {
        int g = attrib_kb_find_group(kb, vg_stix_str(a, "attack_id"));
        if (g < 0)
            continue;
        attrib_group_t *gr = &kb->groups[g];
        const char *c = vg_stix_str(a, "country");
        const char *s = vg_stix_str(a, "sponsor");
        if (c != NULL && gr->country == NULL)
            gr->country = xstrdup(c);
        if (s != NULL && gr->sponsor == NULL)
            gr->sponsor = xstrdup(s);
        gr->sponsor_curated = json_is_true(json_object_get(a, "curated"));
    }
    json_decref(root);
    return VG_OK;
}

/* ---- freeze ----------------------------------------------------------- */

static int
stix_lookup(const vg_attrib_kb_t *kb, const char *id, int kind)
{
    int32_t v = attrib_map_get(&kb->by_stix, id);
    if (v < 0 || ATTRIB_ENC_KIND(v) != kind)
        return -1;
    return ATTRIB_ENC_IDX(v);
}

int
attrib_profiles_build(const vg_attrib_kb_t *kb, int skip_camp, const attrib_map_t *skip_rels,
                      vg_time_us_t asof_us, attrib_profiles_t *out)
{
    return attrib_profiles_build_ex(kb, skip_camp, skip_rels, asof_us, false, out);
}

int
attrib_profiles_build_ex(const vg_attrib_kb_t *kb, int skip_camp, const attrib_map_t *skip_rels,
                         vg_time_us_t asof_us, bool group_only, attrib_profiles_t *out)
{
    memset(out, 0, sizeof(*out));
    size_t ng = kb->n_groups, ni = kb->n_items;
    out->n_groups = ng;
    out->n_items = ni;
    out->mem = calloc(ng * ni + 1, 1);
    out->par = calloc(ng * ni + 1, 1);
    out->df = calloc(ni + 1, sizeof(int));
    out->dfp = calloc(ni + 1, sizeof(int));
    out->size = calloc(ng + 1, sizeof(int));
    if (!out->mem || !out->par || !out->df || !out->dfp || !out->size) {
        attrib_profiles_fini(out);
        return VG_ENOMEM;
    }
    for (size_t r = 0; r < kb->n_rels; r++) {
        const attrib_rel_t *rel = &kb->rels[r];
        int g = rel->src_group;
        if (rel->src_campaign >= 0) {
            if (rel->src_campaign == skip_camp || group_only)
                continue;
            g = kb->camps[rel->src_campaign].group;
        }
        if (g < 0)
            continue;
        if (skip_rels != NULL && attrib_map_get(skip_rels, rel->id) >= 0)
            continue;
        if (asof_us != 0 && rel->created >= asof_us)
            continue;
        out->mem[(size_t)g * ni + (size_t)rel->item] = 1;
    }
    for (size_t g = 0; g < ng; g++) {
        for (size_t i = 0; i < ni; i++) {
            if (!out->mem[g * ni + i])
                continue;
            out->size[g]++;
            out->df[i]++;
            if (kb->items[i].kind == ATTRIB_ITEM_TECH) {
                int p = kb->items[i].parent >= 0 ? kb->items[i].parent : (int)i;
                out->par[g * ni + (size_t)p] = 1;
            }
        }
        for (size_t i = 0; i < ni; i++)
            if (out->par[g * ni + i])
                out->dfp[i]++;
    }
    return VG_OK;
}

int
vg_attrib_kb_freeze(vg_attrib_kb_t *kb)
{
    if (kb == NULL || kb->frozen)
        return VG_EINVAL;
    /* sub-technique -> parent: by relationship, and by the id's shape as a
     * fallback ("T1071.001" -> "T1071") for bundles without them */
    for (size_t i = 0; i < kb->n_items; i++) {
        attrib_item_t *it = &kb->items[i];
        const char *dot = strchr(it->ext, '.');
        if (it->kind == ATTRIB_ITEM_TECH && dot != NULL)
            it->parent = attrib_map_getn(&kb->item_by_ext, it->ext, (size_t)(dot - it->ext));
    }
    kb->ioc_next = calloc(kb->n_iocs + 1, sizeof(int32_t));
    if (kb->ioc_next == NULL)
        return VG_ENOMEM;
    /* non-ATT&CK malware/tool objects (vendor bundles) named like ATT&CK
     * software are that software */
    for (size_t i = 0; i < kb->n_fams; i++) {
        attrib_family_t *f = &kb->fams[i];
        if (f->item < 0)
            f->item = attrib_kb_resolve_family(kb, f->name);
        for (size_t a = 0; a < f->n_aliases && f->item < 0; a++)
            f->item = attrib_kb_resolve_family(kb, f->aliases[a]);
    }
    for (size_t r = 0; r < kb->n_raw; r++) {
        struct attrib_raw_rel *raw = &kb->raw[r];
        if (strcmp(raw->type, "attributed-to") == 0) {
            int c = stix_lookup(kb, raw->src, ATTRIB_K_CAMP);
            int g = stix_lookup(kb, raw->tgt, ATTRIB_K_GROUP);
            if (c >= 0 && g >= 0)
                kb->camps[c].group = kb->camps[c].group == -1 ? g : -2;
        } else if (strcmp(raw->type, "indicates") == 0) {
            int c = stix_lookup(kb, raw->src, ATTRIB_K_IOC);
            int g = stix_lookup(kb, raw->tgt, ATTRIB_K_GROUP);
            int f = attrib_map_get(&kb->fam_by_stix, raw->tgt);
            if (c >= 0 && g >= 0 && kb->iocs[c].n_groups < ATTRIB_IOC_MAX_GROUPS)
                kb->iocs[c].groups[kb->iocs[c].n_groups++] = g;
            if (c >= 0 && f >= 0) {
                attrib_ioc_t *ic = &kb->iocs[c];
                bool dup = false;
                for (int k = 0; k < ic->n_families; k++)
                    dup |= ic->families[k] == f;
                if (!dup && ic->n_families < ATTRIB_IOC_MAX_FAMILIES)
                    ic->families[ic->n_families++] = f;
            }
        } else if (strcmp(raw->type, "uses") == 0) {
            int item = stix_lookup(kb, raw->tgt, ATTRIB_K_ITEM);
            int g = stix_lookup(kb, raw->src, ATTRIB_K_GROUP);
            int c = stix_lookup(kb, raw->src, ATTRIB_K_CAMP);
            if (item < 0 || (g < 0 && c < 0))
                continue; /* software -> technique: not part of group profiles (leaks) */
            if (grow((void **)&kb->rels, &kb->cap_rels, kb->n_rels, sizeof(*kb->rels)) != VG_OK)
                return VG_ENOMEM;
            attrib_rel_t *rel = &kb->rels[kb->n_rels++];
            rel->id = xstrdup(raw->id);
            rel->src_group = g;
            rel->src_campaign = c;
            rel->item = item;
            rel->created = raw->created;
        }
        /* revoked-by: revoked objects were skipped at load; the bundle we
         * ship has none. subtechnique-of: parents come from the id shape. */
    }
    for (size_t r = 0; r < kb->n_raw; r++) {
        free(kb->raw[r].id);
        free(kb->raw[r].type);
        free(kb->raw[r].src);
        free(kb->raw[r].tgt);
    }
    free(kb->raw);
    kb->raw = NULL;
    kb->n_raw = kb->cap_raw = 0;
    /* indicator TLP: the most restrictive of its markings, now that every
     * file's marking definitions are known */
    for (size_t i = 0; i < kb->n_iocs; i++)
        for (int k = 0; k < kb->iocs[i].n_mdefs; k++)
            kb->iocs[i].tlp = vg_tlp_max(kb->iocs[i].tlp, kb->mdefs[kb->iocs[i].mdefs[k]].tlp);
    /* indicator value index, chained for duplicates across files */
    for (size_t i = 0; i < kb->n_iocs; i++) {
        char key[600];
        kb->ioc_next[i] = -1;
        snprintf(key, sizeof(key), "%d|%s", kb->iocs[i].type, kb->iocs[i].value);
        int32_t head = attrib_map_get(&kb->ioc_by_value, key);
        if (head < 0) {
            if (attrib_map_put(&kb->ioc_by_value, key, (int32_t)i) != VG_OK)
                return VG_ENOMEM;
        } else {
            int32_t j = head;
            while (kb->ioc_next[j] >= 0)
                j = kb->ioc_next[j];
            kb->ioc_next[j] = (int32_t)i;
        }
    }
    int rc = attrib_profiles_build(kb, -1, NULL, 0, &kb->prof);
    if (rc != VG_OK)
        return rc;
    kb->frozen = true;
    return VG_OK;
}

/* ---- lookups ---------------------------------------------------------- */

int
attrib_kb_find_item_ext(const vg_attrib_kb_t *kb, const char *ext)
{
    return attrib_map_get(&kb->item_by_ext, ext);
}

int
attrib_kb_find_software(const vg_attrib_kb_t *kb, const char *name)
{
    char norm[128];
    if (name == NULL)
        return -1;
    int i = attrib_map_get(&kb->item_by_ext, name); /* "S0154" */
    if (i >= 0)
        return kb->items[i].kind == ATTRIB_ITEM_SOFT ? i : -1;
    attrib_norm_name(name, norm, sizeof(norm));
    return norm[0] ? attrib_map_get(&kb->soft_by_name, norm) : -1;
}

int
attrib_kb_find_group(const vg_attrib_kb_t *kb, const char *id_or_name)
{
    char norm[128];
    if (id_or_name == NULL)
        return -1;
    int g = stix_lookup(kb, id_or_name, ATTRIB_K_GROUP);
    if (g >= 0)
        return g;
    attrib_norm_name(id_or_name, norm, sizeof(norm));
    return norm[0] ? attrib_map_get(&kb->group_by_name, norm) : -1;
}

int
attrib_kb_find_family(const vg_attrib_kb_t *kb, const char *stix_id)
{
    return stix_id ? attrib_map_get(&kb->fam_by_stix, stix_id) : -1;
}

/* Software item for a name as given, exact (S-id or normalized name). */
static int
soft_exact(const vg_attrib_kb_t *kb, const char *name, size_t n)
{
    char buf[128];
    while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == ','))
        n--;
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, name, n);
    buf[n] = '\0';
    return attrib_kb_find_software(kb, buf);
}

int
attrib_kb_resolve_family(const vg_attrib_kb_t *kb, const char *name)
{
    if (kb == NULL || name == NULL)
        return -1;
    size_t n = strlen(name);
    int it = soft_exact(kb, name, n);
    if (it >= 0)
        return it;
    /* "XAgentOSX - S0161": the S-id after " - " */
    const char *dash = strstr(name, " - S");
    if (dash != NULL && (it = soft_exact(kb, dash + 3, strlen(dash + 3))) >= 0)
        return it;
    if (dash != NULL && (it = soft_exact(kb, name, (size_t)(dash - name))) >= 0)
        return it;
    /* "HUC Packet Transmit Tool (HTRAN)": before the parenthesis, then inside */
    const char *par = strrchr(name, '(');
    if (par != NULL) {
        n = (size_t)(par - name);
        if ((it = soft_exact(kb, name, n)) >= 0)
            return it;
        const char *close = strchr(par, ')');
        if (close != NULL && (it = soft_exact(kb, par + 1, (size_t)(close - par - 1))) >= 0)
            return it;
    }
    /* "Rekoobe Variant": without a trailing variant word */
    while (n > 0 && name[n - 1] == ' ')
        n--;
    static const char *const suffixes[] = {" variants", " variant"};
    for (size_t s = 0; s < VG_ARRAY_LEN(suffixes); s++) {
        size_t sl = strlen(suffixes[s]);
        if (n > sl && strncasecmp(name + n - sl, suffixes[s], sl) == 0)
            return soft_exact(kb, name, n - sl);
    }
    return -1;
}

int
attrib_kb_find_campaign_ext(const vg_attrib_kb_t *kb, const char *ext)
{
    for (size_t i = 0; i < kb->n_camps; i++)
        if (strcmp(kb->camps[i].ext, ext) == 0)
            return (int)i;
    return -1;
}

int
attrib_kb_ioc_first(const vg_attrib_kb_t *kb, int type, const char *value)
{
    char key[600];
    snprintf(key, sizeof(key), "%d|%s", type, value);
    return attrib_map_get(&kb->ioc_by_value, key);
}

int
attrib_kb_ioc_next(const vg_attrib_kb_t *kb, int idx)
{
    return kb->ioc_next[idx];
}

size_t
vg_attrib_kb_count(const vg_attrib_kb_t *kb, int what)
{
    switch (what) {
    case 0: return kb->n_groups;
    case 1: return kb->n_items;
    case 2: return kb->n_camps;
    case 3: return kb->n_iocs;
    case 4: return kb->n_rels;
    default: return 0;
    }
}
