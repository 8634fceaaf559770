/* attrib_eve_input.c - EVE records (vigil's or Suricata's) to evidence.
 *
 * What counts as evidence:
 *  - alert: ATT&CK technique ids and malware families from rule metadata
 *    (alert.metadata.mitre_technique_id / malware_family, arrays of
 *    strings), and technique ids written in the signature ("T1071.001");
 *  - intel: hits written by vigil's intel matcher (intel.indicator_id,
 *    intel.actors[{id,name}], intel.malware[{id,name}], intel.source,
 *    intel.confidence, ...);
 *  - any indicator hit whose indicator `indicates` a malware or tool
 *    (STIX relationship, MISP malware galaxy) also yields a software unit
 *    for that family, marked from_indicator (attrib_int.h);
 *  - handling markings: an intel record's `tlp` (a TLP name) and
 *    `markings` (statement texts), a KB indicator's object_marking_refs;
 *    every unit derived from them carries them (alerts carry none);
 *  - protocol records (dns, http, tls, quic, fileinfo, flow): their
 *    names, URLs, hashes, fingerprints and external addresses are matched
 *    against the KB's own indicators and the intel store, if any. That is
 *    how Suricata's EVE, which has no intel records, gets attributed.
 * Everything else is skipped before JSON parsing, so the live writer can
 * feed every record cheaply. Input is untrusted: broken JSON and wrong
 * member types are counted, never fatal.
 */
#include "attrib/attrib_int.h"
#include "intel/intel.h"
#include "intel/intel_stix.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- helpers ----------------------------------------------------------- */

/* EVE timestamp "2022-03-01T10:00:00.123456+0000" (or RFC 3339 with Z or
 * +hh:mm) to microseconds; 0 if it does not parse. */
static vg_time_us_t
eve_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (s == NULL)
        return 0;
    int y, mo, d, h, mi, se, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6)
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    int64_t t = (int64_t)timegm(&tm);
    int64_t us = 0;
    const char *p = s + n;
    if (*p == '.') {
        int digits = 0;
        for (p++; isdigit((unsigned char)*p); p++, digits++)
            if (digits < 6)
                us = us * 10 + (*p - '0');
        for (; digits < 6; digits++)
            us *= 10;
    }
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        int oh = 0, om = 0;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
            sscanf(p + 1, "%2d%2d", &oh, &om);
        t -= sign * (oh * 3600 + om * 60);
    }
    return t * 1000000 + us;
}

static bool
ip_internal(const char *ip)
{
    unsigned char b[16];
    if (ip == NULL)
        return false;
    if (inet_pton(AF_INET, ip, b) == 1)
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
               (b[0] == 192 && b[1] == 168) || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
               (b[0] == 100 && (b[1] & 0xc0) == 64);
    if (inet_pton(AF_INET6, ip, b) == 1)
        return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
               (memcmp(b, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0);
    return false;
}

static const char *
jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void
copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* Per-record context: endpoints and time. */
typedef struct rec {
    vg_attrib_engine_t *e;
    vg_time_us_t ts;
    const char *src, *dst;
    int dport, sport;
    char host[48];   /* internal side */
    char ext[48];    /* external side (may be empty) */
} rec_t;

static void
rec_emit(rec_t *r, attrib_unit_t *u, const char *infra)
{
    attrib_obs_t *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return;
    o->ts = r->ts;
    copy(o->host, sizeof(o->host), r->host);
    copy(o->infra, sizeof(o->infra), infra && infra[0] ? infra : r->ext);
    o->unit = *u;
    o->unit.first = o->unit.last = r->ts;
    o->unit.count = 1;
    if (o->unit.valid_from == 0)
        o->unit.valid_from = 0;
    attrib_incident_add(r->e, o);
    free(o);
}

static void
item_unit(rec_t *r, int item, const char *how, const char *sig)
{
    const vg_attrib_kb_t *kb = r->e->kb;
    attrib_unit_t u;
    memset(&u, 0, sizeof(u));
    u.item = item;
    u.type = kb->items[item].kind == ATTRIB_ITEM_SOFT ? ATTRIB_EV_SOFTWARE : ATTRIB_EV_TECHNIQUE;
    u.confidence = -1;
    copy(u.key, sizeof(u.key), kb->items[item].ext);
    snprintf(u.what, sizeof(u.what), "%s %s (%s) from %s \"%.80s\"",
             u.type == ATTRIB_EV_SOFTWARE ? "software" : "technique", kb->items[item].ext,
             kb->items[item].name, how, sig ? sig : "");
    copy(u.source, sizeof(u.source),
         strcmp(how, "alert") == 0 ? "rule metadata" : "rule signature text");
    rec_emit(r, &u, NULL);
}

/* ---- alerts ------------------------------------------------------------- */

static void
alert_strings(rec_t *r, json_t *arr, bool software, const char *sig)
{
    size_t i;
    json_t *v;
    if (json_is_string(arr)) { /* tolerate a bare string */
        json_t *tmp = json_array();
        json_array_append(tmp, arr);
        alert_strings(r, tmp, software, sig);
        json_decref(tmp);
        return;
    }
    if (arr != NULL && !json_is_array(arr)) {
        r->e->type_errors++;
        return;
    }
    json_array_foreach(arr, i, v) {
        const char *s = json_string_value(v);
        if (s == NULL) {
            r->e->type_errors++;
            continue;
        }
        int it = software ? attrib_kb_find_software(r->e->kb, s)
                          : attrib_kb_find_item_ext(r->e->kb, s);
        if (it >= 0)
            item_unit(r, it, "alert", sig);
    }
}

/* Words too generic to name a family on their own in a signature. */
static bool
generic_word(const char *norm)
{
    static const char *const words[] = {"expand", "carbon", "mosquito", "ransom", "backdoor",
                                        "trojan", "downloader", "loader", "stealer", "remote",
                                        "command", "checkin", "beacon", "systeminfo"};
    for (size_t i = 0; i < VG_ARRAY_LEN(words); i++)
        if (strcmp(norm, words[i]) == 0)
            return true;
    return false;
}

static void
signature_software(rec_t *r, const char *sig)
{
    const char *w[64];
    size_t wl[64], nw = 0;
    for (const char *p = sig; *p != '\0' && nw < VG_ARRAY_LEN(w);) {
        while (*p != '\0' && !isalnum((unsigned char)*p))
            p++;
        const char *b = p;
        while (*p != '\0' && (isalnum((unsigned char)*p) || *p == '-' || *p == '.' || *p == '_'))
            p++;
        if (p > b) {
            w[nw] = b;
            wl[nw++] = (size_t)(p - b);
        }
    }
    int found[4];
    size_t nf = 0;
    for (size_t i = 0; i < nw; i++) {
        for (size_t k = 3; k >= 1; k--) {
            if (i + k > nw)
                continue;
            char buf[128], norm[128];
            size_t len = (size_t)(w[i + k - 1] + wl[i + k - 1] - w[i]);
            if (len >= sizeof(buf))
                continue;
            memcpy(buf, w[i], len);
            buf[len] = '\0';
            attrib_norm_name(buf, norm, sizeof(norm));
            if (strlen(norm) < 6 || generic_word(norm))
                continue;
            int it = attrib_map_get(&r->e->kb->soft_by_name, norm);
            if (it < 0)
                continue;
            bool dup = false;
            for (size_t f = 0; f < nf; f++)
                dup |= found[f] == it;
            if (!dup && nf < VG_ARRAY_LEN(found)) {
                found[nf++] = it;
                item_unit(r, it, "alert signature", sig);
            }
            i += k - 1;
            break;
        }
    }
}

static void
do_alert(rec_t *r, json_t *root)
{
    json_t *a = json_object_get(root, "alert");
    if (!json_is_object(a)) {
        r->e->type_errors++;
        return;
    }
    const char *sig = jstr(a, "signature");
    json_t *md = json_object_get(a, "metadata");
    if (json_is_object(md)) {
        alert_strings(r, json_object_get(md, "mitre_technique_id"), false, sig);
        alert_strings(r, json_object_get(md, "malware_family"), true, sig);
    }
    /* software family names written in the signature ("ET MALWARE Zebrocy
     * CnC Checkin"), when the rule metadata names none: runs of one to
     * three words, at least 6 letters/digits normalized, looked up among
     * ATT&CK software names and aliases. */
    if (sig != NULL && !(json_is_object(md) && json_object_get(md, "malware_family") != NULL))
        signature_software(r, sig);
    /* technique ids written in the signature text */
    for (const char *p = sig; p != NULL && (p = strchr(p, 'T')) != NULL; p++) {
        if (!(isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
              isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4])) ||
            (p != sig && isalnum((unsigned char)p[-1])))
            continue;
        char id[16];
        size_t n = 5;
        if (p[5] == '.' && isdigit((unsigned char)p[6]) && isdigit((unsigned char)p[7]) &&
            isdigit((unsigned char)p[8]))
            n = 9;
        memcpy(id, p, n);
        id[n] = '\0';
        int it = attrib_kb_find_item_ext(r->e->kb, id);
        if (it >= 0 && r->e->kb->items[it].kind == ATTRIB_ITEM_TECH)
            item_unit(r, it, "alert signature", sig);
    }
}

/* ---- indicators ----------------------------------------------------------- */

/* Add the KB indicator's markings to u: its TLP, its statements interned
 * in the engine's table. */
static void
unit_marks_from_kb_ioc(vg_attrib_engine_t *e, const attrib_ioc_t *c, attrib_unit_t *u)
{
    const vg_attrib_kb_t *kb = e->kb;
    u->tlp = vg_tlp_max(u->tlp, c->tlp);
    for (int k = 0; k < c->n_mdefs; k++) {
        const char *st = kb->mdefs[c->mdefs[k]].statement;
        if (st != NULL)
            u->marks = attrib_marks_union(u->marks,
                                          attrib_marks_intern(&e->marks, st, strlen(st)));
    }
}

static void
unit_from_kb_ioc(const vg_attrib_kb_t *kb, const attrib_ioc_t *c, attrib_unit_t *u)
{
    copy(u->indicator_id, sizeof(u->indicator_id), c->id);
    copy(u->key, sizeof(u->key), c->id);
    copy(u->source, sizeof(u->source), c->source);
    u->confidence = c->confidence;
    u->vendor = c->vendor;
    u->n_sources = c->n_sources;
    u->warning = c->warning != NULL;
    u->valid_from = c->valid_from;
    for (int i = 0; i < c->n_groups && u->n_groups < ATTRIB_UNIT_MAX_GROUPS; i++)
        u->groups[u->n_groups++] = c->groups[i];
    (void)kb;
}

/* ---- families linked to indicators ---------------------------------------- */

#define FAM_MAX 8
typedef struct fam_ref {
    int item;        /* ATT&CK software item, -1 when ATT&CK does not list it */
    char name[64];
} fam_ref_t;

/* Add a family once: same ATT&CK item, or (no item) same normalized name.
 * A family ATT&CK does not list is named without a trailing "(...)":
 * feeds tag variants by sample hash ("PIVY Variant (808e21d6...)"), and
 * the variants of one family are one family. */
static void
fam_add(fam_ref_t *f, size_t *n, int item, const char *name_in)
{
    char a[64], b[64], name[64];
    copy(name, sizeof(name), name_in);
    char *par = strrchr(name, '(');
    if (item < 0 && par != NULL && par > name) {
        *par = '\0';
        for (char *e = par - 1; e >= name && *e == ' '; e--)
            *e = '\0';
    }
    attrib_norm_name(name, a, sizeof(a));
    if (item < 0 && a[0] == '\0')
        return;
    for (size_t i = 0; i < *n; i++) {
        if (item >= 0 && f[i].item == item)
            return;
        attrib_norm_name(f[i].name, b, sizeof(b));
        if (item < 0 && f[i].item < 0 && strcmp(a, b) == 0)
            return;
    }
    if (*n >= FAM_MAX)
        return;
    f[*n].item = item;
    copy(f[*n].name, sizeof(f[0].name), name);
    (*n)++;
}

static void
fam_add_kb(const vg_attrib_kb_t *kb, fam_ref_t *f, size_t *n, int fam)
{
    const attrib_family_t *kf = &kb->fams[fam];
    fam_add(f, n, kf->item, kf->item >= 0 ? kb->items[kf->item].name : kf->name);
}

/* "misp-galaxy:<galaxy>=..." tags of malware/tool galaxies (the intel
 * store keeps such a tag as the reference's id). */
static bool
software_galaxy(const char *id)
{
    static const char *const gal[] = {"malpedia", "mitre-malware", "mitre-tool",
                                      "mitre-enterprise-attack-malware",
                                      "mitre-enterprise-attack-tool", "mitre-mobile-attack-malware",
                                      "mitre-mobile-attack-tool", "tool", "rat", "ransomware",
                                      "backdoor", "banker", "stealer", "botnet", "android",
                                      "exploit-kit"};
    if (id == NULL || strncmp(id, "misp-galaxy:", 12) != 0)
        return false;
    const char *g = id + 12;
    size_t gl = strcspn(g, "=");
    for (size_t i = 0; i < VG_ARRAY_LEN(gal); i++)
        if (strlen(gal[i]) == gl && strncmp(g, gal[i], gl) == 0)
            return true;
    return false;
}

/* A reference to a malware family or tool (STIX malware/tool object or a
 * MISP software galaxy cluster) rather than an actor. */
static bool
software_id(const char *id)
{
    return id != NULL && (strncmp(id, "malware--", 9) == 0 || strncmp(id, "tool--", 6) == 0 ||
                          software_galaxy(id));
}

enum { REF_ACTOR = 0, REF_GROUP = 1, REF_SOFTWARE = 2 };

/* Sort one intel reference ({id, name} of intel.actors / intel.malware or
 * a store indicator's actors): an intrusion set of the KB (REF_GROUP,
 * *g set), a malware/tool family (REF_SOFTWARE, added to f), or an actor
 * the KB does not know (REF_ACTOR). The store lists malware and tools an
 * indicator `indicates` among its "actors"; they are families, not
 * competing actors. A bare name (MISP galaxy cluster, Zeek meta.actor) is
 * a group when the KB knows it as one, else a family when ATT&CK lists
 * software by that name. software forces the family reading. */
static int
classify_ref(const vg_attrib_kb_t *kb, const char *id, const char *name, bool software, int *g,
             fam_ref_t *f, size_t *nf)
{
    *g = -1;
    if (id == NULL && name == NULL)
        return REF_ACTOR;
    bool soft_id = software_id(id);
    if (!software && !soft_id) {
        *g = attrib_kb_find_group(kb, id);
        if (*g < 0)
            *g = attrib_kb_find_group(kb, name);
        if (*g >= 0)
            return REF_GROUP;
        bool actor_id = id != NULL && (strncmp(id, "intrusion-set--", 15) == 0 ||
                                       strncmp(id, "threat-actor--", 14) == 0 ||
                                       strncmp(id, "campaign--", 10) == 0 ||
                                       strncmp(id, "misp-galaxy:", 12) == 0);
        int it = actor_id ? -1 : attrib_kb_resolve_family(kb, name);
        if (it < 0)
            return REF_ACTOR;
        fam_add(f, nf, it, kb->items[it].name);
        return REF_SOFTWARE;
    }
    int fam = attrib_kb_find_family(kb, id);
    if (fam >= 0) {
        fam_add_kb(kb, f, nf, fam);
        return REF_SOFTWARE;
    }
    int it = attrib_kb_resolve_family(kb, name);
    if (it < 0 && id != NULL && !soft_id)
        it = attrib_kb_resolve_family(kb, id);
    fam_add(f, nf, it, it >= 0 ? kb->items[it].name : (name ? name : id));
    return REF_SOFTWARE;
}

/* One software unit per family linked to the indicator hit `ioc` (already
 * emitted): scored like any software unit, marked from_indicator. */
static void
emit_family_units(rec_t *r, const attrib_unit_t *ioc, const fam_ref_t *f, size_t nf,
                  const char *infra)
{
    const vg_attrib_kb_t *kb = r->e->kb;
    for (size_t i = 0; i < nf; i++) {
        attrib_unit_t u;
        memset(&u, 0, sizeof(u));
        u.type = ATTRIB_EV_SOFTWARE;
        u.item = f[i].item;
        u.confidence = -1;
        u.from_indicator = true;
        u.tlp = ioc->tlp; /* the indicator's link: its handling */
        u.marks = ioc->marks;
        copy(u.family, sizeof(u.family), f[i].name);
        copy(u.source, sizeof(u.source), ioc->source);
        copy(u.indicator_id, sizeof(u.indicator_id), ioc->indicator_id);
        copy(u.value, sizeof(u.value), ioc->value);
        if (u.item >= 0) {
            copy(u.key, sizeof(u.key), kb->items[u.item].ext);
            snprintf(u.what, sizeof(u.what),
                     "software %.12s (%.50s) linked to the %.15s indicator %.60s",
                     kb->items[u.item].ext, kb->items[u.item].name, ioc->ioc_type, ioc->value);
        } else {
            char norm[64];
            attrib_norm_name(f[i].name, norm, sizeof(norm));
            snprintf(u.key, sizeof(u.key), "family:%s", norm);
            snprintf(u.what, sizeof(u.what),
                     "software family %.50s (not in ATT&CK) linked to the %.15s indicator %.60s",
                     f[i].name, ioc->ioc_type, ioc->value);
        }
        rec_emit(r, &u, infra);
    }
}

/* Emit the indicator unit u, then a software unit for each linked family. */
static void
emit_ioc_unit(rec_t *r, attrib_unit_t *u, vg_time_us_t valid_until, const char *where,
              const char *seen, const char *infra, const fam_ref_t *fams, size_t n_fams)
{
    u->type = (strcmp(u->ioc_type, "ja3") == 0 || strcmp(u->ioc_type, "ja3s") == 0 ||
               strcmp(u->ioc_type, "ja4") == 0 || strncmp(u->ioc_type, "cert", 4) == 0)
                  ? ATTRIB_EV_INFRA
                  : ATTRIB_EV_INDICATOR;
    u->item = -1;
    u->expired = valid_until != 0 && r->ts > valid_until;
    copy(u->value, sizeof(u->value), seen);
    snprintf(u->what, sizeof(u->what), "%s %.80s matches %s indicator%s", where, seen,
             u->ioc_type, u->expired ? " (expired)" : "");
    rec_emit(r, u, infra);
    emit_family_units(r, u, fams, n_fams, infra);
}

static const char *
ioc_type_short(int t)
{
    switch (t) {
    case VG_IOC_IP: return "ip";
    case VG_IOC_DOMAIN: return "domain";
    case VG_IOC_URL: return "url";
    case VG_IOC_MD5: return "md5";
    case VG_IOC_SHA1: return "sha1";
    case VG_IOC_SHA256: return "sha256";
    case VG_IOC_CERT_SHA1: return "cert-sha1";
    case VG_IOC_CERT_SHA256: return "cert-sha256";
    case VG_IOC_JA3: return "ja3";
    case VG_IOC_JA3S: return "ja3s";
    case VG_IOC_JA4: return "ja4";
    default: return "other";
    }
}

/* Match one observed value against the KB indicators and the intel store. */
static void
match_value(rec_t *r, int type, const char *value, uint16_t port, const char *where,
            const char *infra)
{
    vg_attrib_engine_t *e = r->e;
    const vg_attrib_kb_t *kb = e->kb;
    char norm[512];
    if (value == NULL || value[0] == '\0')
        return;
    size_t n = strlen(value);
    if (n >= sizeof(norm))
        return;
    for (size_t i = 0; i <= n; i++)
        norm[i] = type == VG_IOC_URL ? value[i] : (char)tolower((unsigned char)value[i]);
    if (type == VG_IOC_DOMAIN && n > 0 && norm[n - 1] == '.')
        norm[--n] = '\0';
    char seen_ids[8][96];
    size_t n_seen = 0;
    /* KB indicators (domains: the name, then its parents) */
    const char *cand = norm;
    while (cand != NULL && kb->n_iocs > 0) {
        for (int i = attrib_kb_ioc_first(kb, type, cand); i >= 0; i = attrib_kb_ioc_next(kb, i)) {
            const attrib_ioc_t *c = &kb->iocs[i];
            if (c->port != 0 && port != 0 && c->port != port)
                continue;
            attrib_unit_t u;
            memset(&u, 0, sizeof(u));
            copy(u.ioc_type, sizeof(u.ioc_type), ioc_type_short(type));
            unit_from_kb_ioc(kb, c, &u);
            unit_marks_from_kb_ioc(e, c, &u);
            if (n_seen < 8)
                copy(seen_ids[n_seen++], sizeof(seen_ids[0]), c->id);
            fam_ref_t fams[FAM_MAX];
            size_t nf = 0;
            for (int k = 0; k < c->n_families; k++)
                fam_add_kb(kb, fams, &nf, c->families[k]);
            emit_ioc_unit(r, &u, c->valid_until, where, norm, infra, fams, nf);
        }
        if (type != VG_IOC_DOMAIN)
            break;
        cand = strchr(cand, '.');
        if (cand != NULL) {
            cand++;
            if (strchr(cand, '.') == NULL)
                break; /* never match a bare TLD */
        }
    }
    if (e->intel == NULL)
        return;
    const vg_indicator_t *hits[8];
    unsigned char raw[16];
    const void *v = norm;
    size_t vlen = n;
    if (type == VG_IOC_IP) {
        if (inet_pton(AF_INET, norm, raw) == 1) {
            v = raw;
            vlen = 4;
        } else if (inet_pton(AF_INET6, norm, raw) == 1) {
            v = raw;
            vlen = 16;
        } else {
            return;
        }
    }
    size_t nh = vg_intel_match(e->intel, (vg_ioc_type_t)type, v, vlen, port, hits, 8);
    for (size_t h = 0; h < nh && h < 8; h++) {
        const vg_indicator_t *ind = hits[h];
        bool dup = false;
        for (size_t s = 0; s < n_seen; s++)
            if (ind->id != NULL && strcmp(seen_ids[s], ind->id) == 0)
                dup = true;
        if (dup)
            continue;
        attrib_unit_t u;
        memset(&u, 0, sizeof(u));
        copy(u.ioc_type, sizeof(u.ioc_type), ioc_type_short(type));
        copy(u.indicator_id, sizeof(u.indicator_id), ind->id);
        copy(u.key, sizeof(u.key), ind->id);
        copy(u.source, sizeof(u.source), ind->source);
        u.confidence = ind->confidence;
        u.n_sources = 1;
        u.warning = ind->warning != NULL;
        u.valid_from = ind->valid_from;
        fam_ref_t fams[FAM_MAX];
        size_t nf = 0;
        for (size_t a = 0; a < ind->n_actors; a++) {
            int g;
            int kind = classify_ref(kb, ind->actors[a].id, ind->actors[a].name, false, &g, fams,
                                    &nf);
            if (kind == REF_GROUP && u.n_groups < ATTRIB_UNIT_MAX_GROUPS)
                u.groups[u.n_groups++] = g;
            else if (kind == REF_ACTOR && u.n_actor_names < ATTRIB_UNIT_MAX_GROUPS &&
                     (ind->actors[a].name || ind->actors[a].id))
                copy(u.actor_names[u.n_actor_names++], sizeof(u.actor_names[0]),
                     ind->actors[a].name ? ind->actors[a].name : ind->actors[a].id);
        }
        emit_ioc_unit(r, &u, ind->valid_until, where, norm, infra, fams, nf);
    }
}

/* vigil's own intel hit records */
static void
do_intel(rec_t *r, json_t *root)
{
    json_t *in = json_object_get(root, "intel");
    if (!json_is_object(in)) {
        r->e->type_errors++;
        return;
    }
    const vg_attrib_kb_t *kb = r->e->kb;
    attrib_unit_t u;
    memset(&u, 0, sizeof(u));
    const char *iid = jstr(in, "indicator_id");
    const char *itype = jstr(in, "indicator_type");
    json_t *seen = json_object_get(in, "seen");
    const char *where = jstr(seen, "where");
    const char *value = jstr(seen, "value");
    if (value == NULL)
        value = jstr(in, "indicator");
    copy(u.ioc_type, sizeof(u.ioc_type), itype ? itype : "intel");
    copy(u.key, sizeof(u.key), iid ? iid : (value ? value : "?"));
    copy(u.indicator_id, sizeof(u.indicator_id), iid);
    copy(u.source, sizeof(u.source), jstr(in, "source"));
    json_t *conf = json_object_get(in, "confidence");
    u.confidence = json_is_integer(conf) ? (int)json_integer_value(conf) : -1;
    u.n_sources = 1;
    vg_time_us_t until = 0;
    fam_ref_t fams[FAM_MAX];
    size_t nf = 0;
    int g;
    size_t i;
    json_t *a;
    /* families named by the record: intel.malware, and malware/tool
     * references among intel.actors (the store lists them there) */
    json_array_foreach(json_object_get(in, "malware"), i, a)
        classify_ref(kb, jstr(a, "id"), jstr(a, "name"), true, &g, fams, &nf);
    int32_t enc = attrib_map_get(&kb->by_stix, iid);
    if (enc >= 0 && ATTRIB_ENC_KIND(enc) == ATTRIB_K_IOC) {
        /* the KB knows this indicator: take its provenance and claims */
        const attrib_ioc_t *c = &kb->iocs[ATTRIB_ENC_IDX(enc)];
        unit_from_kb_ioc(kb, c, &u);
        unit_marks_from_kb_ioc(r->e, c, &u);
        until = c->valid_until;
        if (u.confidence < 0)
            u.confidence = c->confidence;
        for (int k = 0; k < c->n_families; k++)
            fam_add_kb(kb, fams, &nf, c->families[k]);
        json_array_foreach(json_object_get(in, "actors"), i, a) {
            const char *id = jstr(a, "id");
            if (software_id(id))
                classify_ref(kb, id, jstr(a, "name"), true, &g, fams, &nf);
        }
    } else {
        u.vendor = false;
        if (json_object_get(in, "warning") != NULL || json_object_get(in, "warninglists") != NULL)
            u.warning = true;
        u.valid_from = eve_time(jstr(in, "valid_from"));
        until = eve_time(jstr(in, "valid_until"));
        json_t *actors = json_object_get(in, "actors");
        json_array_foreach(actors, i, a) {
            const char *id = jstr(a, "id"), *name = jstr(a, "name");
            int kind = classify_ref(kb, id, name, false, &g, fams, &nf);
            if (kind == REF_GROUP && u.n_groups < ATTRIB_UNIT_MAX_GROUPS)
                u.groups[u.n_groups++] = g;
            else if (kind == REF_ACTOR && u.n_actor_names < ATTRIB_UNIT_MAX_GROUPS && (id || name))
                copy(u.actor_names[u.n_actor_names++], sizeof(u.actor_names[0]),
                     name ? name : id);
        }
    }
    /* the record's own markings (optional; an unknown TLP name is none) */
    const char *tlp = jstr(in, "tlp");
    if (tlp != NULL)
        u.tlp = vg_tlp_max(u.tlp, vg_tlp_from_text(tlp, strlen(tlp)));
    json_array_foreach(json_object_get(in, "markings"), i, a) {
        const char *st = json_string_value(a);
        if (st == NULL) {
            r->e->type_errors++;
            continue;
        }
        u.marks = attrib_marks_union(u.marks, attrib_marks_intern(&r->e->marks, st, strlen(st)));
    }
    char wh[64];
    snprintf(wh, sizeof(wh), "%s", where ? where : "intel hit");
    const char *infra = (itype && strcmp(itype, "ip") != 0 && value) ? value : NULL;
    /* the matcher's own verdict on expiry wins over ours */
    json_t *expired = json_object_get(in, "expired");
    if (json_is_boolean(expired))
        until = json_is_true(expired) ? (r->ts > 0 ? r->ts - 1 : 1) : 0;
    emit_ioc_unit(r, &u, until, wh, value ? value : "?", infra, fams, nf);
}

static void
do_protocol(rec_t *r, json_t *root, const char *et)
{
    uint16_t dport = (uint16_t)(r->dport > 0 && r->dport < 65536 ? r->dport : 0);
    /* external address of any record, with the port when it is the server */
    if (r->ext[0] != '\0')
        match_value(r, VG_IOC_IP, r->ext, r->ext[0] && r->dst && strcmp(r->ext, r->dst) == 0
                                                ? dport : 0,
                    "connection to", r->ext);
    if (strcmp(et, "dns") == 0) {
        json_t *d = json_object_get(root, "dns");
        const char *q = jstr(d, "rrname");
        if (q != NULL)
            match_value(r, VG_IOC_DOMAIN, q, 0, "dns query", q);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(d, "queries"), i, x) {
            const char *qq = jstr(x, "rrname");
            match_value(r, VG_IOC_DOMAIN, qq, 0, "dns query", qq);
        }
        json_array_foreach(json_object_get(d, "answers"), i, x) {
            const char *rd = jstr(x, "rdata");
            unsigned char b[16];
            if (rd != NULL && (inet_pton(AF_INET, rd, b) == 1 || inet_pton(AF_INET6, rd, b) == 1))
                match_value(r, VG_IOC_IP, rd, 0, "dns answer", rd);
            else if (rd != NULL)
                match_value(r, VG_IOC_DOMAIN, rd, 0, "dns answer", rd);
        }
    } else if (strcmp(et, "http") == 0) {
        json_t *h = json_object_get(root, "http");
        const char *host = jstr(h, "hostname"), *url = jstr(h, "url");
        match_value(r, VG_IOC_DOMAIN, host, 0, "http host", host);
        if (host != NULL && url != NULL) {
            char full[600];
            snprintf(full, sizeof(full), "http%s://%s%s", dport == 443 ? "s" : "", host, url);
            match_value(r, VG_IOC_URL, full, 0, "http url", host);
            snprintf(full, sizeof(full), "%s%s", host, url);
            match_value(r, VG_IOC_URL, full, 0, "http url", host);
        }
        if (r->e->intel != NULL)
            match_value(r, VG_IOC_USER_AGENT, jstr(h, "http_user_agent"), 0, "http user-agent",
                        host);
    } else if (strcmp(et, "tls") == 0 || strcmp(et, "quic") == 0) {
        json_t *t = json_object_get(root, et);
        const char *sni = jstr(t, "sni");
        match_value(r, VG_IOC_DOMAIN, sni, 0, "tls sni", sni);
        if (r->e->intel != NULL) {
            match_value(r, VG_IOC_JA3, jstr(json_object_get(t, "ja3"), "hash"), 0, "ja3", sni);
            match_value(r, VG_IOC_JA3S, jstr(json_object_get(t, "ja3s"), "hash"), 0, "ja3s", sni);
            const char *ja4 = jstr(t, "ja4");
            if (ja4 == NULL)
                ja4 = jstr(json_object_get(t, "ja4"), "hash");
            match_value(r, VG_IOC_JA4, ja4, 0, "ja4", sni);
            const char *fp = jstr(t, "fingerprint");
            if (fp != NULL) {
                char hex[128];
                size_t o = 0;
                for (const char *p = fp; *p && o + 1 < sizeof(hex); p++)
                    if (*p != ':')
                        hex[o++] = *p;
                hex[o] = '\0';
                match_value(r, VG_IOC_CERT_SHA1, hex, 0, "tls certificate", sni);
            }
        }
    } else if (strcmp(et, "fileinfo") == 0) {
        json_t *f = json_object_get(root, "fileinfo");
        match_value(r, VG_IOC_SHA256, jstr(f, "sha256"), 0, "file sha256", NULL);
        match_value(r, VG_IOC_SHA1, jstr(f, "sha1"), 0, "file sha1", NULL);
        match_value(r, VG_IOC_MD5, jstr(f, "md5"), 0, "file md5", NULL);
    }
}

/* Cheap look at "event_type" without parsing the record. */
static size_t
peek_event_type(const char *line, size_t len, char *out, size_t outlen)
{
    static const char key[] = "\"event_type\"";
    const char *p = memmem(line, len, key, sizeof(key) - 1);
    if (p == NULL)
        return 0;
    const char *end = line + len;
    p += sizeof(key) - 1;
    while (p < end && (*p == ' ' || *p == ':' || *p == '\t'))
        p++;
    if (p >= end || *p != '"')
        return 0;
    p++;
    size_t n = 0;
    while (p + n < end && p[n] != '"' && n + 1 < outlen)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

static bool
is_protocol(const char *et)
{
    static const char *const types[] = {"dns", "http", "tls", "quic", "fileinfo", "flow",
                                        "smtp", "ssh", "netflow"};
    for (size_t i = 0; i < VG_ARRAY_LEN(types); i++)
        if (strcmp(et, types[i]) == 0)
            return true;
    return false;
}

void
attrib_eve_feed(vg_attrib_engine_t *e, const char *line, size_t len)
{
    char et[32];
    e->lines++;
    if (line == NULL || len == 0)
        return;
    bool have_iocs = !e->no_protocols && (e->kb->n_iocs > 0 || e->intel != NULL);
    size_t n = peek_event_type(line, len, et, sizeof(et));
    if (n > 0 && strcmp(et, "alert") != 0 && strcmp(et, "intel") != 0 &&
        !(have_iocs && is_protocol(et))) {
        e->skipped_cheap++;
        return;
    }
    json_error_t jerr;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL || !json_is_object(root)) {
        e->json_errors++;
        json_decref(root);
        return;
    }
    const char *type = jstr(root, "event_type");
    if (type == NULL) {
        e->type_errors++;
        json_decref(root);
        return;
    }
    rec_t r;
    memset(&r, 0, sizeof(r));
    r.e = e;
    r.ts = eve_time(jstr(root, "timestamp"));
    r.src = jstr(root, "src_ip");
    r.dst = jstr(root, "dest_ip");
    json_t *dp = json_object_get(root, "dest_port");
    r.dport = json_is_integer(dp) ? (int)json_integer_value(dp) : 0;
    bool si = ip_internal(r.src), di = ip_internal(r.dst);
    if (si || !di) {
        copy(r.host, sizeof(r.host), r.src);
        if (!di)
            copy(r.ext, sizeof(r.ext), r.dst);
    } else {
        copy(r.host, sizeof(r.host), r.dst);
        if (!si)
            copy(r.ext, sizeof(r.ext), r.src);
    }
    if (r.ext[0] != '\0' && ip_internal(r.ext))
        r.ext[0] = '\0';
    uint64_t before = e->units_seen;
    if (strcmp(type, "alert") == 0) {
        do_alert(&r, root);
        if (have_iocs)
            do_protocol(&r, root, jstr(root, "app_proto") ? jstr(root, "app_proto") : "");
    } else if (strcmp(type, "intel") == 0) {
        do_intel(&r, root);
    } else if (have_iocs && is_protocol(type)) {
        do_protocol(&r, root, type);
    }
    if (e->units_seen != before)
        e->evidence_records++;
    json_decref(root);
}

void
vg_attrib_feed_eve(vg_attrib_engine_t *e, const char *line, size_t len)
{
    if (e == NULL)
        return;
    attrib_eve_feed(e, line, len);
}
