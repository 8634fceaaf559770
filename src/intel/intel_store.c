/* intel_store.c - the indicator store: arena, add, freeze (indexes and
 * actor links), lookups.
 *
 * Loading appends records; freeze() resolves STIX references (identity
 * names for `source`, `indicates` / `attributed-to` / `revoked-by`
 * relationships for `actors`) across every file loaded, drops duplicates,
 * and builds the match indexes: one PATRICIA tree per address family for
 * IPs/CIDRs, one open-addressing table (xxh3 of type + normalized value)
 * for everything else. Records with the same key are chained through
 * `chain[]`, so a lookup is one probe plus a short walk and never
 * allocates. After freeze nothing is written: any thread may match.
 */
#include "intel/intel_int.h"
#include "util/util_utf8.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

#define V4_COVER_BITS (1u << 20) /* IPv4 /20 blocks (see v4_cover_add) */

#define ARENA_CHUNK (256u * 1024u)

/* The marking fields sit in padding: the indicator stays 128 bytes on LP64
 * (1M of them are most of the store). */
_Static_assert(sizeof(void *) != 8 || sizeof(vg_indicator_t) == 128,
               "vg_indicator_t grew: check the field layout");
_Static_assert(VG_INTEL_MAX_MARKINGS <= UINT8_MAX, "n_markings is a uint8_t");

static const char *const type_names[VG_IOC_TYPE_MAX] = {
    "ip", "domain", "url", "md5", "sha1", "sha256", "cert_sha1", "cert_sha256",
    "ja3", "ja3s", "ja4", "email", "user_agent",
};
static const char *const zeek_names[VG_IOC_TYPE_MAX] = {
    "Intel::ADDR", "Intel::DOMAIN", "Intel::URL", "Intel::FILE_HASH", "Intel::FILE_HASH",
    "Intel::FILE_HASH", "Intel::CERT_HASH", "Intel::CERT_HASH", "Intel::JA3", "Intel::JA3S",
    "Intel::JA4", "Intel::EMAIL", "Intel::USER_AGENT",
};

const char *
vg_ioc_type_name(vg_ioc_type_t t)
{
    return (unsigned)t < VG_IOC_TYPE_MAX ? type_names[t] : "unknown";
}

const char *
vg_ioc_type_zeek_name(vg_ioc_type_t t)
{
    return (unsigned)t < VG_IOC_TYPE_MAX ? zeek_names[t] : "Intel::UNKNOWN";
}

static const char *const obj_type_names[VG_INTEL_OBJ_TYPES] = {
    "indicator", "relationship", "intrusion-set", "malware", "campaign", "identity",
    "threat-actor", "tool", "attack-pattern", "marking-definition", "report",
    "cyber-observable", "misp-event", "misp-attribute", "zeek-line", "other",
};

const char *
vg_intel_report_type_name(size_t i)
{
    return i < VG_INTEL_OBJ_TYPES ? obj_type_names[i] : "other";
}

const char *
vg_intel_format_name(vg_intel_format_t f)
{
    switch (f) {
    case VG_INTEL_FMT_STIX: return "stix";
    case VG_INTEL_FMT_MISP: return "misp";
    case VG_INTEL_FMT_ZEEK: return "zeek";
    default: return "auto";
    }
}

void
intel_count_obj(vg_intel_store_t *s, const char *t)
{
    static const char *const sco[] = {"ipv4-addr", "ipv6-addr", "domain-name", "url", "file",
                                      "email-addr", "network-traffic", "x509-certificate",
                                      "artifact", "observed-data"};
    size_t idx = VG_INTEL_OBJ_TYPES - 1;
    if (t != NULL) {
        for (size_t i = 0; i + 1 < VG_INTEL_OBJ_TYPES; i++)
            if (i != 11 && strcmp(t, obj_type_names[i]) == 0)
                idx = i;
        for (size_t i = 0; i < VG_ARRAY_LEN(sco); i++)
            if (strcmp(t, sco[i]) == 0)
                idx = 11;
    }
    s->rep.objects_by_type[idx]++;
    s->rep.objects_seen++;
}

/* ---- arena ---- */

static char *
arena_alloc(vg_intel_store_t *s, size_t n)
{
    intel_chunk_t *c = s->arena;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        intel_chunk_t *nc = malloc(sizeof(*nc) + cap);
        if (nc == NULL)
            return NULL;
        nc->used = 0;
        nc->cap = cap;
        /* a big one-off string goes behind the current chunk so the
         * current chunk's free space stays usable */
        if (c != NULL && n > ARENA_CHUNK) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            s->arena = nc;
        }
        s->arena_bytes += sizeof(*nc) + cap;
        c = nc;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

const char *
intel_strndup(vg_intel_store_t *s, const char *p, size_t n)
{
    if (p == NULL)
        return NULL;
    char *d = arena_alloc(s, n + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

const char *
intel_strdup(vg_intel_store_t *s, const char *p)
{
    return p ? intel_strndup(s, p, strlen(p)) : NULL;
}

void
intel_note(vg_intel_store_t *s, const char *id, const char *fmt, ...)
{
    if (s->note == NULL)
        return;
    char what[400], msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof(msg), "%s: %s: %s", s->cur_file ? s->cur_file : "?",
             id ? id : "(no id)", what);
    s->note(s->note_user, msg);
}

/* ---- store ---- */

vg_intel_store_t *
vg_intel_store_new(void)
{
    vg_intel_store_t *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    vg_limits_defaults(&s->limits);
    return s;
}

void
vg_intel_store_free(vg_intel_store_t *s)
{
    if (s == NULL)
        return;
    intel_chunk_t *c = s->arena;
    while (c) {
        intel_chunk_t *n = c->next;
        free(c);
        c = n;
    }
    free(s->recs);
    free(s->rels);
    free(s->names);
    free(s->pactors);
    free(s->markdefs);
    free(s->mrefs);
    free(s->interns);
    free(s->inds);
    free(s->actor_arr);
    free(s->slots);
    free(s->absent);
    free(s->v4_cover);
    free(s->chain);
    free(s->live);
    vg_radix_free(s->r4);
    vg_radix_free(s->r6);
    free(s);
}

void
vg_intel_store_set_limits(vg_intel_store_t *s, const vg_limits_t *limits)
{
    if (limits)
        s->limits = *limits;
}

void
vg_intel_store_set_options(vg_intel_store_t *s, bool skip_expired, bool misp_ids_only,
                           vg_time_us_t now_us)
{
    s->skip_expired = skip_expired;
    s->misp_ids_only = misp_ids_only;
    s->now = now_us;
}

const vg_intel_load_report_t *
vg_intel_store_report(const vg_intel_store_t *s)
{
    return &s->rep;
}

size_t
vg_intel_store_count(const vg_intel_store_t *s)
{
    return s->frozen ? s->n_live : s->n_recs;
}

const vg_indicator_t *
vg_intel_store_get(const vg_intel_store_t *s, size_t i)
{
    if (!s->frozen || i >= s->n_live)
        return NULL;
    return &s->inds[s->live[i]];
}

size_t
vg_intel_store_bytes(const vg_intel_store_t *s)
{
    return s->arena_bytes + s->cap_recs * sizeof(intel_rec_t) +
           s->cap_inds * sizeof(vg_indicator_t) + s->n_recs * 2 * sizeof(uint32_t) +
           s->n_slots * sizeof(intel_slot_t) + s->absent_blocks * 64 +
           (s->v4_cover ? V4_COVER_BITS / 8 : 0) + vg_radix_bytes(s->r4) +
           vg_radix_bytes(s->r6) +
           s->cap_rels * sizeof(intel_rel_t) + s->cap_names * sizeof(intel_name_t) +
           s->cap_interns * sizeof(intel_intern_t) + s->cap_mrefs * sizeof(intel_mref_t) +
           s->cap_markdefs * sizeof(intel_markdef_t);
}

static bool
grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *n = realloc(*arr, nc * elem);
    if (n == NULL)
        return false;
    *arr = n;
    *cap = nc;
    return true;
}

uint64_t
intel_key_hash(vg_ioc_type_t type, const char *v, size_t n)
{
    return XXH3_64bits_withSeed(v, n, (uint64_t)type * 0x9e3779b97f4a7c15ull + 1);
}

/* ---- normalization ---- */

/* ASCII classes as the C locale defines them (vigil never calls
 * setlocale), inlined: normalization runs once per indicator at load and
 * once per looked-up value, and the libc calls were a visible share. */
static inline bool
asc_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}
static inline bool
asc_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}
static inline bool
asc_xdigit(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
static inline char
asc_lower(unsigned char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
}

/* Strict dotted quad (four 0..255 decimals, no leading zeros): a subset of
 * what inet_pton(AF_INET) accepts, with the same result, so the common case
 * skips libc. Anything else falls through to inet_pton. */
static bool
ip4_parse_fast(const char *a, uint8_t out[4])
{
    for (int part = 0; part < 4; part++) {
        unsigned v = 0, nd = 0;
        while (*a >= '0' && *a <= '9' && nd < 4) {
            v = v * 10 + (unsigned)(*a++ - '0');
            nd++;
        }
        if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && a[-(int)nd] == '0'))
            return false;
        out[part] = (uint8_t)v;
        if (part < 3 && *a++ != '.')
            return false;
    }
    return *a == '\0';
}

/* inet_ntop(AF_INET) without stdio: "a.b.c.d". out has room for 16. */
static size_t
ip4_format(const uint8_t a[4], char *out)
{
    size_t o = 0;
    for (int i = 0; i < 4; i++) {
        unsigned v = a[i];
        if (v >= 100)
            out[o++] = (char)('0' + v / 100);
        if (v >= 10)
            out[o++] = (char)('0' + v / 10 % 10);
        out[o++] = (char)('0' + v % 10);
        if (i < 3)
            out[o++] = '.';
    }
    out[o] = '\0';
    return o;
}

static bool
parse_ip(const char *v, size_t n, uint8_t addr[16], int *family, int *prefix, uint16_t *port)
{
    char tmp[80];
    while (n && asc_space((unsigned char)*v)) {
        v++;
        n--;
    }
    while (n && asc_space((unsigned char)v[n - 1]))
        n--;
    if (n == 0 || n >= sizeof(tmp))
        return false;
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    *port = 0;
    *prefix = -1;
    char *a = tmp;
    /* "[v6]:port" */
    if (a[0] == '[') {
        char *e = strchr(a, ']');
        if (e == NULL)
            return false;
        *e = '\0';
        if (e[1] == ':' || e[1] == '|') {
            char *end;
            long p = strtol(e + 2, &end, 10);
            if (*end || p < 0 || p > 65535 || e[2] == '\0')
                return false;
            *port = (uint16_t)p;
        } else if (e[1] != '\0') {
            return false;
        }
        a++;
    }
    /* "a.b.c.d|port" (MISP ip-dst|port) */
    char *bar = strchr(a, '|');
    if (bar) {
        char *end;
        long p = strtol(bar + 1, &end, 10);
        if (*end || p < 0 || p > 65535 || bar[1] == '\0')
            return false;
        *port = (uint16_t)p;
        *bar = '\0';
    }
    char *slash = strchr(a, '/');
    if (slash) {
        char *end;
        long p = strtol(slash + 1, &end, 10);
        if (*end || slash[1] == '\0' || p < 0 || p > 128)
            return false;
        *prefix = (int)p;
        *slash = '\0';
    }
    char *colon = strchr(a, ':');
    if (colon && strchr(colon + 1, ':') == NULL && strchr(a, '.')) {
        /* "a.b.c.d:port" */
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p < 0 || p > 65535 || colon[1] == '\0')
            return false;
        *port = (uint16_t)p;
        *colon = '\0';
    }
    memset(addr, 0, 16);
    if (ip4_parse_fast(a, addr) || inet_pton(AF_INET, a, addr) == 1) {
        *family = 4;
        if (*prefix > 32)
            return false;
        if (*prefix < 0)
            *prefix = 32;
    } else if (inet_pton(AF_INET6, a, addr) == 1) {
        *family = 6;
        if (*prefix < 0)
            *prefix = 128;
    } else {
        return false;
    }
    /* clear host bits so 10.1.2.3/8 is 10.0.0.0/8 */
    int bits = *prefix, total = *family == 4 ? 32 : 128;
    for (int i = bits; i < total; i++)
        addr[i >> 3] &= (uint8_t)~(0x80 >> (i & 7));
    return true;
}

static size_t
hash_hex_len(vg_ioc_type_t t)
{
    switch (t) {
    case VG_IOC_MD5: case VG_IOC_JA3: case VG_IOC_JA3S: return 32;
    case VG_IOC_SHA1: case VG_IOC_CERT_SHA1: return 40;
    case VG_IOC_SHA256: case VG_IOC_CERT_SHA256: return 64;
    default: return 0;
    }
}

/* What normalize() found out about an IP value (so intel_add need not
 * parse the normalized text again). */
typedef struct ip_info {
    uint8_t addr[16];
    int family, prefix;
} ip_info_t;

/* vg_intel_normalize(), also giving the output length (*outn) and, for
 * VG_IOC_IP, the parsed address (ip may be NULL). */
static int
normalize(vg_ioc_type_t type, const char *value, size_t len, char *out, size_t outlen,
          uint16_t *port, const char **why, size_t *outn, ip_info_t *ip)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    *why = NULL;
    if (port)
        *port = 0;
    if (value == NULL || outlen < 2) {
        *why = "empty value";
        return VG_EINVAL;
    }
    const char *v = value;
    size_t n = len;
    if (type != VG_IOC_USER_AGENT) {
        while (n && asc_space((unsigned char)*v)) {
            v++;
            n--;
        }
        while (n && asc_space((unsigned char)v[n - 1]))
            n--;
    }
    if (n == 0) {
        *why = "empty value";
        return VG_EINVAL;
    }
    switch (type) {
    case VG_IOC_IP: {
        uint8_t a[16];
        int fam, pfx;
        uint16_t pt;
        if (!parse_ip(v, n, a, &fam, &pfx, &pt)) {
            *why = "not an IP address or CIDR";
            return VG_EINVAL;
        }
        char txt[64];
        size_t tl;
        if (fam == 4) {
            tl = ip4_format(a, txt);
        } else {
            inet_ntop(AF_INET6, a, txt, sizeof(txt));
            tl = strlen(txt);
        }
        int full = fam == 4 ? 32 : 128;
        /* txt, then "/n" unless it is a host address */
        char sfx[8];
        size_t sl = 0;
        if (pfx != full) {
            sfx[sl++] = '/';
            if (pfx >= 100)
                sfx[sl++] = (char)('0' + pfx / 100);
            if (pfx >= 10)
                sfx[sl++] = (char)('0' + pfx / 10 % 10);
            sfx[sl++] = (char)('0' + pfx % 10);
        }
        if (tl + sl >= outlen) {
            *why = "value too long";
            return VG_EINVAL;
        }
        memcpy(out, txt, tl);
        memcpy(out + tl, sfx, sl);
        out[tl + sl] = '\0';
        *outn = tl + sl;
        if (port)
            *port = pt;
        if (ip) {
            memcpy(ip->addr, a, 16);
            ip->family = fam;
            ip->prefix = pfx;
        }
        return VG_OK;
    }
    case VG_IOC_DOMAIN: {
        if (n >= 2 && v[0] == '*' && v[1] == '.') { /* wildcard: we match subdomains anyway */
            v += 2;
            n -= 2;
        }
        while (n && v[n - 1] == '.')
            n--;
        if (n == 0 || n > 253 || n >= outlen) {
            *why = n == 0 ? "empty domain" : "domain longer than 253 characters";
            return VG_EINVAL;
        }
        size_t label = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)v[i];
            if (c == '.') {
                if (label == 0) {
                    *why = "empty label in domain";
                    return VG_EINVAL;
                }
                label = 0;
            } else if (asc_alnum(c) || c == '-' || c == '_') {
                if (++label > 63) {
                    *why = "domain label longer than 63 characters";
                    return VG_EINVAL;
                }
            } else {
                *why = "character not allowed in a domain name";
                return VG_EINVAL;
            }
            out[i] = asc_lower(c);
        }
        out[n] = '\0';
        *outn = n;
        return VG_OK;
    }
    case VG_IOC_URL: {
        /* scheme://[user@]host[:port]/path?query#frag -> host[:port]/path?query */
        const char *p = v, *end = v + n;
        const char *scheme = NULL;
        size_t scheme_len = 0;
        for (const char *q = v; q + 2 < end && q < v + 16; q++) {
            if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
                scheme = v;
                scheme_len = (size_t)(q - v);
                p = q + 3;
                break;
            }
            if (!asc_alnum((unsigned char)*q) && *q != '+' && *q != '-' && *q != '.')
                break;
        }
        const char *host = p;
        while (p < end && *p != '/' && *p != '?' && *p != '#')
            p++;
        const char *host_end = p;
        for (const char *q = host; q < host_end; q++) /* drop userinfo */
            if (*q == '@')
                host = q + 1;
        if (host == host_end) {
            *why = "URL without a host";
            return VG_EINVAL;
        }
        const char *colon = NULL;
        for (const char *q = host; q < host_end; q++)
            if (*q == ':' && host[0] != '[')
                colon = q;
        size_t hl = (size_t)((colon ? colon : host_end) - host);
        bool drop_port = false;
        if (colon) {
            size_t pl = (size_t)(host_end - colon - 1);
            bool https = scheme && scheme_len == 5 && strncasecmp(scheme, "https", 5) == 0;
            if ((pl == 2 && strncmp(colon + 1, "80", 2) == 0 && !https) ||
                (pl == 3 && strncmp(colon + 1, "443", 3) == 0 && https) || pl == 0)
                drop_port = true;
        }
        const char *frag = memchr(p, '#', (size_t)(end - p));
        const char *path_end = frag ? frag : end;
        size_t need = hl + (colon && !drop_port ? (size_t)(host_end - colon) : 0) +
                      (p < path_end ? (size_t)(path_end - p) : 0) + 2;
        if (need > outlen) {
            *why = "URL too long";
            return VG_EINVAL;
        }
        size_t o = 0;
        for (size_t i = 0; i < hl; i++)
            out[o++] = asc_lower((unsigned char)host[i]);
        while (o && out[o - 1] == '.')
            o--;
        if (colon && !drop_port) {
            memcpy(out + o, colon, (size_t)(host_end - colon));
            o += (size_t)(host_end - colon);
        }
        if (p >= path_end || *p != '/')
            out[o++] = '/';
        if (p < path_end) {
            memcpy(out + o, p, (size_t)(path_end - p));
            o += (size_t)(path_end - p);
        }
        out[o] = '\0';
        *outn = o;
        return VG_OK;
    }
    case VG_IOC_MD5: case VG_IOC_SHA1: case VG_IOC_SHA256: case VG_IOC_CERT_SHA1:
    case VG_IOC_CERT_SHA256: case VG_IOC_JA3: case VG_IOC_JA3S: {
        size_t want = hash_hex_len(type), o = 0;
        for (size_t i = 0; i < n; i++) {
            if (v[i] == ':' && (type == VG_IOC_CERT_SHA1 || type == VG_IOC_CERT_SHA256))
                continue;
            if (o + 1 >= outlen || !asc_xdigit((unsigned char)v[i])) {
                *why = "not a hex digest";
                return VG_EINVAL;
            }
            out[o++] = asc_lower((unsigned char)v[i]);
        }
        if (o != want) {
            *why = "hex digest of the wrong length for its type";
            return VG_EINVAL;
        }
        out[o] = '\0';
        *outn = o;
        return VG_OK;
    }
    case VG_IOC_JA4:
    case VG_IOC_EMAIL: {
        if (n >= outlen) {
            *why = "value too long";
            return VG_EINVAL;
        }
        for (size_t i = 0; i < n; i++)
            out[i] = asc_lower((unsigned char)v[i]);
        out[n] = '\0';
        if (type == VG_IOC_EMAIL && memchr(out, '@', n) == NULL) {
            *why = "email address without '@'";
            return VG_EINVAL;
        }
        *outn = n;
        return VG_OK;
    }
    case VG_IOC_USER_AGENT:
        if (n >= outlen) {
            *why = "value too long";
            return VG_EINVAL;
        }
        memcpy(out, v, n);
        out[n] = '\0';
        *outn = n;
        return VG_OK;
    default:
        *why = "unknown indicator type";
        return VG_EINVAL;
    }
}

int
vg_intel_normalize(vg_ioc_type_t type, const char *value, size_t len, char *out, size_t outlen,
                   uint16_t *port, const char **why)
{
    size_t outn;
    return normalize(type, value, len, out, outlen, port, why, &outn, NULL);
}

/* ---- adding ---- */

int
intel_add(vg_intel_store_t *s, const intel_add_t *a)
{
    if (s->frozen)
        return VG_EINVAL;
    if (s->n_recs >= s->limits.intel_max_indicators)
        return VG_EINVAL;
    if (s->skip_expired && a->valid_until != 0 && a->valid_until <= s->now) {
        s->rep.indicators_skipped_expired++;
        return VG_DECLINED;
    }
    size_t cap = a->value_len * 2 + 80;
    char sbuf[1024];
    char *norm = cap <= sizeof(sbuf) ? sbuf : malloc(cap);
    if (norm == NULL)
        return VG_ENOMEM;
    uint16_t port = 0;
    const char *why = NULL;
    size_t normn;
    ip_info_t ip;
    int rc = normalize(a->type, a->value, a->value_len, norm, cap, &port, &why, &normn, &ip);
    if (rc != VG_OK) {
        s->rep.indicators_skipped_invalid++;
        intel_note(s, a->id, "invalid %s value '%.80s': %s", vg_ioc_type_name(a->type),
                   a->value, why);
        if (norm != sbuf)
            free(norm);
        return VG_DECLINED;
    }
    if (a->port)
        port = a->port;
    if (!grow((void **)&s->recs, &s->cap_recs, s->n_recs + 1, sizeof(intel_rec_t)) ||
        !grow((void **)&s->inds, &s->cap_inds, s->n_recs + 1, sizeof(vg_indicator_t))) {
        if (norm != sbuf)
            free(norm);
        return VG_ENOMEM;
    }
    intel_rec_t *r = &s->recs[s->n_recs];
    memset(r, 0, sizeof(*r));
    vg_indicator_t *ind = &s->inds[s->n_recs];
    memset(ind, 0, sizeof(*ind));
    ind->type = a->type;
    /* the stored value is a C string: it ends at the first NUL (a JSON
     * value may hold one) */
    size_t vl = strlen(norm);
    ind->value = intel_strndup(s, norm, vl);
    r->value_len = (uint32_t)vl;
    if (norm != sbuf)
        free(norm);
    ind->port = port;
    ind->id = intel_strdup(s, a->id);
    /* consecutive indicators usually share source and description (one
     * feed, one MISP event): keep one copy */
    if (a->source && s->last_source && strcmp(a->source, s->last_source) == 0) {
        ind->source = s->last_source;
    } else {
        ind->source = intel_strdup(s, a->source);
        s->last_source = ind->source;
    }
    ind->source_file = s->cur_file;
    ind->confidence = a->confidence;
    ind->valid_from = a->valid_from;
    ind->valid_until = a->valid_until;
    if (a->description && s->last_desc && strcmp(a->description, s->last_desc) == 0) {
        ind->description = s->last_desc;
    } else {
        ind->description = intel_strdup(s, a->description);
        s->last_desc = ind->description;
    }
    ind->warning = intel_strdup(s, a->warning);
    ind->pattern = intel_strdup(s, a->pattern);
    ind->to_ids = a->to_ids;
    ind->format = a->format;
    ind->tlp = a->tlp;
    r->created_by = intel_strdup(s, a->created_by);
    if (ind->value == NULL)
        return VG_ENOMEM;
    if (a->type == VG_IOC_IP) {
        /* the address as parsed by normalize(): the same as parsing the
         * normalized text again */
        memcpy(r->addr, ip.addr, 16);
        r->family = (uint8_t)ip.family;
        r->prefix = (uint8_t)ip.prefix;
    }
    if (a->n_actors) {
        size_t n = VG_MIN(a->n_actors, 64u);
        if (!grow((void **)&s->pactors, &s->cap_pactors, s->n_pactors + n,
                  sizeof(vg_intel_actor_ref_t)))
            return VG_ENOMEM;
        r->actor_first = (uint32_t)s->n_pactors;
        r->actor_n = (uint16_t)n;
        for (size_t i = 0; i < n; i++) {
            s->pactors[s->n_pactors].id = intel_strdup(s, a->actors[i].id);
            s->pactors[s->n_pactors].name = intel_strdup(s, a->actors[i].name);
            s->n_pactors++;
        }
    }
    s->n_recs++;
    s->rep.indicators_loaded++;
    s->rep.indicators_by_type[a->type]++;
    if (a->type == VG_IOC_IP && port)
        s->rep.indicators_with_port++;
    if (!a->to_ids)
        s->rep.indicators_not_ids++;
    return VG_OK;
}

int
intel_add_rel(vg_intel_store_t *s, const char *src, const char *dst, const char *type)
{
    if (!grow((void **)&s->rels, &s->cap_rels, s->n_rels + 1, sizeof(intel_rel_t)))
        return VG_ENOMEM;
    intel_rel_t *r = &s->rels[s->n_rels];
    r->src = intel_strdup(s, src);
    r->dst = intel_strdup(s, dst);
    r->type = intel_strdup(s, type);
    if (!r->src || !r->dst || !r->type)
        return VG_ENOMEM;
    s->n_rels++;
    return VG_OK;
}

int
intel_add_name(vg_intel_store_t *s, const char *id, const char *name, const char *type)
{
    if (!grow((void **)&s->names, &s->cap_names, s->n_names + 1, sizeof(intel_name_t)))
        return VG_ENOMEM;
    intel_name_t *n = &s->names[s->n_names];
    n->id = intel_strdup(s, id);
    n->name = intel_strdup(s, name);
    n->type = intel_strdup(s, type);
    if (!n->id || !n->name || !n->type)
        return VG_ENOMEM;
    s->n_names++;
    return VG_OK;
}

/* ---- markings ----
 * A feed marks thousands of indicators with the same few definitions, so
 * marking ids, statement texts and each indicator's set of texts are kept
 * once (interned) and indicators point at the shared copy. */
enum { INTERN_STR = 1, INTERN_SET = 2 };

/* Arena memory aligned for a pointer array. */
static void *
arena_alloc_ptrs(vg_intel_store_t *s, size_t n)
{
    char *p = arena_alloc(s, n + sizeof(void *) - 1);
    if (p == NULL)
        return NULL;
    uintptr_t u = ((uintptr_t)p + sizeof(void *) - 1) & ~(uintptr_t)(sizeof(void *) - 1);
    return (void *)u;
}

/* The interned copy of n bytes at p (kind keeps strings and sets apart). */
static const void *
intern(vg_intel_store_t *s, uint8_t kind, const void *p, size_t n)
{
    if (n > UINT32_MAX)
        return NULL;
    uint64_t h = XXH3_64bits_withSeed(p, n, kind);
    if ((s->n_interns + 1) * 2 > s->cap_interns) {
        size_t nc = s->cap_interns ? s->cap_interns * 2 : 64;
        intel_intern_t *nt = calloc(nc, sizeof(*nt));
        if (nt == NULL)
            return NULL;
        for (size_t i = 0; i < s->cap_interns; i++) {
            if (s->interns[i].p == NULL)
                continue;
            size_t pos = (size_t)s->interns[i].h & (nc - 1);
            while (nt[pos].p != NULL)
                pos = (pos + 1) & (nc - 1);
            nt[pos] = s->interns[i];
        }
        free(s->interns);
        s->interns = nt;
        s->cap_interns = nc;
    }
    size_t mask = s->cap_interns - 1, pos = (size_t)h & mask;
    while (s->interns[pos].p != NULL) {
        const intel_intern_t *e = &s->interns[pos];
        if (e->h == h && e->kind == kind && e->len == n && memcmp(e->p, p, n) == 0)
            return e->p;
        pos = (pos + 1) & mask;
    }
    const void *d;
    if (kind == INTERN_STR) {
        d = intel_strndup(s, p, n);
    } else {
        void *m = arena_alloc_ptrs(s, n ? n : 1);
        if (m != NULL)
            memcpy(m, p, n);
        d = m;
    }
    if (d == NULL)
        return NULL;
    s->interns[pos] = (intel_intern_t){.h = h, .p = d, .len = (uint32_t)n, .kind = kind};
    s->n_interns++;
    return d;
}

const char *
intel_intern_str(vg_intel_store_t *s, const char *p, size_t n)
{
    if (p == NULL)
        return NULL;
    return intern(s, INTERN_STR, p, vg_utf8_cut(p, n, VG_INTEL_MARKING_MAX));
}

int
intel_add_markdef(vg_intel_store_t *s, const char *id, vg_tlp_t tlp, const char *text,
                  size_t text_len)
{
    if (!grow((void **)&s->markdefs, &s->cap_markdefs, s->n_markdefs + 1,
              sizeof(intel_markdef_t)))
        return VG_ENOMEM;
    intel_markdef_t *m = &s->markdefs[s->n_markdefs];
    m->id = intel_intern_str(s, id, strlen(id));
    m->text = text ? intel_intern_str(s, text, text_len) : NULL;
    m->tlp = tlp;
    if (m->id == NULL || (text && m->text == NULL))
        return VG_ENOMEM;
    s->n_markdefs++;
    return VG_OK;
}

int
intel_add_mref(vg_intel_store_t *s, uint32_t first, uint32_t n, const char *ref)
{
    if (!grow((void **)&s->mrefs, &s->cap_mrefs, s->n_mrefs + 1, sizeof(intel_mref_t)))
        return VG_ENOMEM;
    intel_mref_t *m = &s->mrefs[s->n_mrefs];
    m->first = first;
    m->n = n;
    /* marking ids are longer than the text bound only in hostile input;
     * such an id is cut and then resolves to nothing */
    m->ref = intel_intern_str(s, ref, strlen(ref));
    if (m->ref == NULL)
        return VG_ENOMEM;
    s->n_mrefs++;
    return VG_OK;
}

/* ---- freeze ---- */

/* A temporary string -> chain-of-indexes map. */
typedef struct strmap {
    uint32_t *heads;
    uint32_t *next;
    size_t mask;
} strmap_t;

static bool
strmap_build(strmap_t *m, size_t n, const char *(*key)(const void *ctx, size_t i), const void *ctx)
{
    size_t sz = 16;
    while (sz < n * 2)
        sz <<= 1;
    m->mask = sz - 1;
    m->heads = malloc(sz * sizeof(uint32_t));
    m->next = malloc((n ? n : 1) * sizeof(uint32_t));
    if (!m->heads || !m->next)
        return false;
    memset(m->heads, 0xff, sz * sizeof(uint32_t));
    for (size_t i = n; i-- > 0;) { /* reverse, so chains run in insertion order */
        const char *k = key(ctx, i);
        if (k == NULL) {
            m->next[i] = UINT32_MAX;
            continue;
        }
        size_t h = (size_t)XXH3_64bits(k, strlen(k)) & m->mask;
        m->next[i] = m->heads[h];
        m->heads[h] = (uint32_t)i;
    }
    return true;
}

static uint32_t
strmap_first(const strmap_t *m, const char *k, const char *(*key)(const void *ctx, size_t i),
             const void *ctx)
{
    if (k == NULL)
        return UINT32_MAX;
    uint32_t i = m->heads[(size_t)XXH3_64bits(k, strlen(k)) & m->mask];
    while (i != UINT32_MAX && strcmp(key(ctx, i), k) != 0)
        i = m->next[i];
    return i;
}

static uint32_t
strmap_next(const strmap_t *m, uint32_t i, const char *k,
            const char *(*key)(const void *ctx, size_t i), const void *ctx)
{
    i = m->next[i];
    while (i != UINT32_MAX && strcmp(key(ctx, i), k) != 0)
        i = m->next[i];
    return i;
}

static void
strmap_free(strmap_t *m)
{
    free(m->heads);
    free(m->next);
}

static const char *
rec_id(const void *ctx, size_t i)
{
    return ((const vg_intel_store_t *)ctx)->inds[i].id;
}
static const char *
name_id(const void *ctx, size_t i)
{
    return ((const vg_intel_store_t *)ctx)->names[i].id;
}
static const char *
rel_src(const void *ctx, size_t i)
{
    return ((const vg_intel_store_t *)ctx)->rels[i].src;
}

static const char *
lookup_name(const vg_intel_store_t *s, const strmap_t *nm, const char *id)
{
    uint32_t i = strmap_first(nm, id, name_id, s);
    return i == UINT32_MAX ? NULL : s->names[i].name;
}

static bool
is_actor_type(const char *id)
{
    return strncmp(id, "intrusion-set--", 15) == 0 || strncmp(id, "malware--", 9) == 0 ||
           strncmp(id, "campaign--", 10) == 0 || strncmp(id, "threat-actor--", 14) == 0 ||
           strncmp(id, "tool--", 6) == 0;
}

static bool
same_key(const vg_indicator_t *a, const vg_indicator_t *b)
{
    return a->type == b->type && a->port == b->port && strcmp(a->value, b->value) == 0;
}

/* Insert record i into the chain starting at *head; drop it when an
 * identical indicator (same key and id) is already there. */
static void
chain_insert(vg_intel_store_t *s, uint32_t *head, uint32_t i)
{
    uint32_t *link = head;
    int guard = 0;
    while (*link != UINT32_MAX) {
        const vg_indicator_t *o = &s->inds[*link];
        if (guard++ < 64 && same_key(o, &s->inds[i]) &&
            ((o->id == NULL && s->inds[i].id == NULL) ||
             (o->id && s->inds[i].id && strcmp(o->id, s->inds[i].id) == 0))) {
            s->recs[i].dead = true;
            s->rep.indicators_skipped_dup++;
            s->rep.indicators_loaded--;
            s->rep.indicators_by_type[s->inds[i].type]--;
            if (s->inds[i].type == VG_IOC_IP && s->inds[i].port)
                s->rep.indicators_with_port--;
            return;
        }
        link = &s->chain[*link];
    }
    *link = i;
}

/* Does record i go into the hash table (everything but IP prefixes)? If so
 * *h gets its key hash: the raw address for a host IP, else type + value. */
static inline bool
hash_bound(const vg_intel_store_t *s, size_t i, uint64_t *h)
{
    const intel_rec_t *r = &s->recs[i];
    const vg_indicator_t *d = &s->inds[i];
    if (d->type == VG_IOC_IP) {
        if (r->prefix != (r->family == 4 ? 32 : 128))
            return false;
        *h = intel_key_hash(VG_IOC_IP, (const char *)r->addr, r->family == 4 ? 4 : 16);
        return true;
    }
    *h = intel_key_hash(d->type, d->value, r->value_len);
    return true;
}

static void absent_build(vg_intel_store_t *s);

/* IPv4 prefixes mark the /20 blocks they touch in a 128 KiB bitmap: most
 * looked-up addresses fall in a block no prefix touches and skip the radix
 * walk (a chain of cache misses) for one bit test. Without memory for the
 * bitmap every lookup walks the tree, as before. */
static void
v4_cover_add(vg_intel_store_t *s, const uint8_t *addr, unsigned prefix)
{
    if (s->v4_cover == NULL) {
        s->v4_cover = calloc(V4_COVER_BITS / 64, sizeof(uint64_t));
        if (s->v4_cover == NULL)
            return;
    }
    uint32_t a = ((uint32_t)addr[0] << 24) | ((uint32_t)addr[1] << 16) | ((uint32_t)addr[2] << 8) |
                 addr[3];
    uint32_t first = a >> 12;
    uint32_t n = prefix >= 20 ? 1u : 1u << (20 - prefix);
    first &= ~(n - 1); /* a prefix shorter than /20 starts on its own boundary */
    for (uint32_t b = first; b < first + n && b < V4_COVER_BITS; b++)
        s->v4_cover[b >> 6] |= 1ull << (b & 63);
}

static const char *
markdef_id(const void *ctx, size_t i)
{
    return ((const vg_intel_store_t *)ctx)->markdefs[i].id;
}

/* Give each STIX indicator record what its non-well-known marking refs
 * resolve to, against the marking definitions of every file loaded: the
 * most restrictive TLP and up to VG_INTEL_MAX_MARKINGS statement texts
 * (one interned set per distinct combination). A ref to no definition, or
 * to one that is neither TLP nor statement, is counted unresolved.
 * VG_OK or VG_ENOMEM. */
static int
markings_resolve(vg_intel_store_t *s)
{
    if (s->n_mrefs == 0)
        return VG_OK;
    strmap_t md = {0};
    if (!strmap_build(&md, s->n_markdefs, markdef_id, s)) {
        strmap_free(&md);
        return VG_ENOMEM;
    }
    int rc = VG_OK;
    for (size_t i = 0, j; i < s->n_mrefs && rc == VG_OK; i = j) {
        /* the refs of one indicator object are consecutive, same range */
        const char *texts[VG_INTEL_MAX_MARKINGS];
        size_t nt = 0;
        vg_tlp_t tlp = VG_TLP_NONE;
        for (j = i; j < s->n_mrefs && s->mrefs[j].first == s->mrefs[i].first &&
                    s->mrefs[j].n == s->mrefs[i].n;
             j++) {
            uint32_t k = strmap_first(&md, s->mrefs[j].ref, markdef_id, s);
            if (k == UINT32_MAX) {
                s->rep.markings_unresolved++;
                continue;
            }
            const intel_markdef_t *m = &s->markdefs[k];
            tlp = vg_tlp_max(tlp, m->tlp);
            if (m->text == NULL)
                continue;
            bool dup = false;
            for (size_t x = 0; x < nt && !dup; x++)
                dup = texts[x] == m->text; /* interned: same text, same pointer */
            if (dup)
                continue;
            if (nt < VG_INTEL_MAX_MARKINGS)
                texts[nt++] = m->text;
            else
                s->rep.markings_dropped++;
        }
        const char *const *set = NULL;
        if (nt > 0) {
            set = intern(s, INTERN_SET, texts, nt * sizeof(texts[0]));
            if (set == NULL) {
                rc = VG_ENOMEM;
                break;
            }
        }
        const intel_mref_t *g = &s->mrefs[i];
        for (size_t r = g->first; r < (size_t)g->first + g->n && r < s->n_recs; r++) {
            s->inds[r].tlp = vg_tlp_max(s->inds[r].tlp, tlp);
            if (nt > 0) {
                s->inds[r].markings = set;
                s->inds[r].n_markings = (uint8_t)nt;
            }
        }
    }
    strmap_free(&md);
    return rc;
}

int
vg_intel_store_freeze(vg_intel_store_t *s)
{
    if (s->frozen)
        return VG_OK;
    size_t n = s->n_recs;
    int rc = VG_ENOMEM;
    strmap_t ids = {0}, nm = {0}, rsrc = {0};
    /* indicator ids are only looked up through relationships: a file
     * without any (Zeek, MISP) needs no id map */
    if (!strmap_build(&ids, s->n_rels ? n : 0, rec_id, s) ||
        !strmap_build(&nm, s->n_names, name_id, s) || !strmap_build(&rsrc, s->n_rels, rel_src, s))
        goto out;
    if (markings_resolve(s) != VG_OK)
        goto out;

    /* revoked-by: the source is withdrawn */
    for (size_t r = 0; r < s->n_rels; r++) {
        if (strcmp(s->rels[r].type, "revoked-by") != 0)
            continue;
        for (uint32_t i = strmap_first(&ids, s->rels[r].src, rec_id, s); i != UINT32_MAX;
             i = strmap_next(&ids, i, s->rels[r].src, rec_id, s)) {
            if (!s->recs[i].dead) {
                s->recs[i].dead = true;
                s->rep.indicators_skipped_revoked++;
                s->rep.indicators_loaded--;
                s->rep.indicators_by_type[s->inds[i].type]--;
                if (s->inds[i].type == VG_IOC_IP && s->inds[i].port)
                    s->rep.indicators_with_port--;
            }
        }
    }

    /* actor refs per record: indicates targets (+ one attributed-to hop) and
     * by-name refs. Pass 0 counts the relationship targets (duplicates
     * included), which sizes each record's run in actor_arr (off[i]); pass 1
     * fills them, deduplicated; the by-name refs are appended in the
     * per-record pass below. Only recs and rels are read here, not inds. */
    /* one block for both, freed at the end of freeze: two separate 4 MB
     * blocks may land in the brk heap under the long-lived arrays and
     * leave a hole there that is never returned */
    uint32_t *off = calloc(2 * n + 1, sizeof(uint32_t));
    if (off == NULL)
        goto out;
    uint32_t *cnt = off + n + 1;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            size_t total = 0;
            for (size_t i = 0; i < n; i++) {
                size_t c = cnt[i] + s->recs[i].actor_n;
                off[i] = (uint32_t)total;
                total += c;
                cnt[i] = 0;
            }
            off[n] = (uint32_t)total;
            s->actor_arr = calloc(total ? total : 1, sizeof(vg_intel_actor_ref_t));
            if (s->actor_arr == NULL) {
                free(off);
                goto out;
            }
        }
        for (size_t r = 0; r < s->n_rels; r++) {
            if (strcmp(s->rels[r].type, "indicates") != 0 || !is_actor_type(s->rels[r].dst))
                continue;
            for (uint32_t i = strmap_first(&ids, s->rels[r].src, rec_id, s); i != UINT32_MAX;
                 i = strmap_next(&ids, i, s->rels[r].src, rec_id, s)) {
                const char *targets[9];
                size_t nt = 0;
                targets[nt++] = s->rels[r].dst;
                for (uint32_t a = strmap_first(&rsrc, s->rels[r].dst, rel_src, s);
                     a != UINT32_MAX && nt < VG_ARRAY_LEN(targets);
                     a = strmap_next(&rsrc, a, s->rels[r].dst, rel_src, s))
                    if (strcmp(s->rels[a].type, "attributed-to") == 0)
                        targets[nt++] = s->rels[a].dst;
                for (size_t t = 0; t < nt; t++) {
                    if (pass == 1) {
                        vg_intel_actor_ref_t *base = s->actor_arr + off[i];
                        bool dup = false;
                        for (uint32_t k = 0; k < cnt[i] && !dup; k++)
                            dup = strcmp(base[k].id, targets[t]) == 0;
                        if (dup)
                            continue;
                        base[cnt[i]].id = targets[t];
                        base[cnt[i]].name = lookup_name(s, &nm, targets[t]);
                    }
                    cnt[i]++;
                }
            }
        }
    }

    /* final arrays and indexes */
    if (s->inds == NULL || s->cap_inds > n) { /* give back the growth slack */
        vg_indicator_t *ni = realloc(s->inds, (n ? n : 1) * sizeof(vg_indicator_t));
        if (ni == NULL)
            goto out_cnt;
        s->inds = ni;
        s->cap_inds = n ? n : 1;
    }
    s->chain = malloc((n ? n : 1) * sizeof(uint32_t));
    s->live = malloc((n ? n : 1) * sizeof(uint32_t));
    size_t ns = 16;
    while (ns < n * 2)
        ns <<= 1;
    s->slots = malloc(ns * sizeof(intel_slot_t));
    s->n_slots = ns;
    s->r4 = vg_radix_new(32);
    s->r6 = vg_radix_new(128);
    if (!s->chain || !s->live || !s->slots || !s->r4 || !s->r6)
        goto out_cnt;
    for (size_t i = 0; i < ns; i++)
        s->slots[i].first = UINT32_MAX;
    for (size_t i = 0; i < n; i++)
        s->chain[i] = UINT32_MAX;

    /* One pass over the records does the rest, so the 120-byte indicators
     * are streamed through once: by-name actor refs, source, index insert,
     * live list. Hash-table slots are random accesses into a table of 2n
     * slots, so the hash of the record PF ahead is computed early and its
     * slot prefetched. */
    enum { PF = 16 };
    uint64_t ring[PF];
    bool ring_hashed[PF];
    s->n_live = 0;
    size_t with_actors = 0, links = 0;
    for (size_t i = 0; i < PF && i < n; i++) {
        ring_hashed[i] = hash_bound(s, i, &ring[i]);
        if (ring_hashed[i])
            __builtin_prefetch(&s->slots[(size_t)ring[i] & (ns - 1)], 1);
    }
    for (size_t i = 0; i < n; i++) {
        /* ring[i % PF] holds record i: take it, then refill it with i + PF */
        bool hashed = ring_hashed[i % PF];
        uint64_t h = ring[i % PF];
        if (i + PF < n) {
            size_t j = i + PF;
            ring_hashed[j % PF] = hash_bound(s, j, &ring[j % PF]);
            if (ring_hashed[j % PF])
                __builtin_prefetch(&s->slots[(size_t)ring[j % PF] & (ns - 1)], 1);
        }
        intel_rec_t *r = &s->recs[i];
        vg_indicator_t *d = &s->inds[i];
        vg_intel_actor_ref_t *base = s->actor_arr + off[i];
        for (uint16_t k = 0; k < r->actor_n; k++)
            base[cnt[i]++] = s->pactors[r->actor_first + k];
        d->actors = base;
        d->n_actors = cnt[i];
        /* source: the creating identity's name wins over x_vigil_sources */
        const char *nmv = r->created_by ? lookup_name(s, &nm, r->created_by) : NULL;
        if (nmv)
            d->source = nmv;
        else if (d->source == NULL)
            d->source = r->created_by;
        if (d->source == NULL && d->source_file) {
            const char *b = strrchr(d->source_file, '/');
            d->source = b ? b + 1 : d->source_file;
        }
        if (r->dead)
            continue;
        /* host addresses go into the hash table (one probe at lookup);
         * only real prefixes go into the radix trees */
        if (!hashed) {
            uint32_t *slot = vg_radix_insert(r->family == 4 ? s->r4 : s->r6, r->addr, r->prefix);
            if (slot == NULL)
                goto out_cnt;
            chain_insert(s, slot, (uint32_t)i);
            if (r->family == 4)
                v4_cover_add(s, r->addr, r->prefix);
        } else {
            size_t pos = (size_t)h & (ns - 1);
            while (s->slots[pos].first != UINT32_MAX && s->slots[pos].h != h)
                pos = (pos + 1) & (ns - 1);
            /* distinct keys with the same 64-bit hash share a slot; lookups
             * compare the value, so that only costs a longer chain */
            s->slots[pos].h = h;
            chain_insert(s, &s->slots[pos].first, (uint32_t)i);
        }
        if (r->dead) /* a duplicate */
            continue;
        s->live[s->n_live++] = (uint32_t)i;
        s->rep.indicators_by_tlp[d->tlp <= VG_TLP_RED ? d->tlp : VG_TLP_NONE]++;
        if (d->n_actors) {
            with_actors++;
            links += d->n_actors;
        }
    }
    free(off);
    off = NULL;
    /* lookup shortcuts; only worth their 0.8 MB when there are prefixes */
    if (vg_radix_count(s->r4) > 0)
        vg_radix_finish(s->r4);
    if (vg_radix_count(s->r6) > 0)
        vg_radix_finish(s->r6);
    s->rep.indicators_with_actors = with_actors;
    s->rep.actor_links = links;
    /* distinct actors referenced */
    s->rep.actors_named = 0;
    if (links > 0) {
        size_t na = links;
        const char **all = malloc((na ? na : 1) * sizeof(char *));
        if (all) {
            size_t k = 0;
            for (size_t i = 0; i < s->n_live; i++) {
                const vg_indicator_t *d = &s->inds[s->live[i]];
                for (size_t j = 0; j < d->n_actors; j++)
                    all[k++] = d->actors[j].id ? d->actors[j].id : d->actors[j].name;
            }
            size_t distinct = 0;
            size_t sz = 16;
            while (sz < k * 2)
                sz <<= 1;
            const char **set = calloc(sz, sizeof(char *));
            if (set) {
                for (size_t i = 0; i < k; i++) {
                    if (all[i] == NULL)
                        continue;
                    size_t h = (size_t)XXH3_64bits(all[i], strlen(all[i])) & (sz - 1);
                    while (set[h] && strcmp(set[h], all[i]) != 0)
                        h = (h + 1) & (sz - 1);
                    if (!set[h]) {
                        set[h] = all[i];
                        distinct++;
                    }
                }
                free(set);
            }
            s->rep.actors_named = distinct;
            free(all);
        }
    }
    /* the load-time records are no longer needed */
    free(s->recs);
    s->recs = NULL;
    s->cap_recs = 0;
    free(s->markdefs);
    s->markdefs = NULL;
    s->n_markdefs = s->cap_markdefs = 0;
    free(s->mrefs);
    s->mrefs = NULL;
    s->n_mrefs = s->cap_mrefs = 0;
    free(s->interns);
    s->interns = NULL;
    s->n_interns = s->cap_interns = 0;
    absent_build(s);
    s->frozen = true;
    rc = VG_OK;
out_cnt:
    free(off);
out:
    strmap_free(&ids);
    strmap_free(&nm);
    strmap_free(&rsrc);
    return rc;
}

/* ---- absent-key filter ----
 * Nearly every lookup misses (one in a hundred or fewer values seen on the
 * wire is listed), and a miss in the hash table is one random access into
 * 32+ MB of slots per million indicators: a cache and TLB miss that costs
 * more than the rest of the lookup, several times per domain (each parent
 * label is a key). A blocked Bloom filter (one 64-byte block per key, six
 * bits set in it, ~12 bits per key: ~1.5 MB per million keys) answers
 * most misses from one cache line. No false negatives: every key in the
 * table is added. */
#define ABSENT_BITS_PER_KEY 12
#define ABSENT_K 6
#define ABSENT_HUGE_PAGE ((size_t)2 << 20)

static inline const uint64_t *
absent_block(const vg_intel_store_t *s, uint64_t h)
{
    /* the slot position uses h's low bits; the block comes from a remix */
    uint64_t g = (h ^ (h >> 31)) * 0x9e3779b97f4a7c15ull;
    return s->absent + (size_t)((g >> 32) & (s->absent_blocks - 1)) * 8;
}

static void
absent_add(vg_intel_store_t *s, uint64_t h)
{
    uint64_t *b = (uint64_t *)absent_block(s, h);
    for (unsigned i = 0; i < ABSENT_K; i++) {
        unsigned bit = (unsigned)(h >> (9 * i)) & 511u;
        b[bit >> 6] |= 1ull << (bit & 63);
    }
}

/* false: the key is certainly not in the table */
static inline bool
absent_maybe(const vg_intel_store_t *s, uint64_t h)
{
    if (s->absent_blocks == 0)
        return true;
    const uint64_t *b = absent_block(s, h);
    for (unsigned i = 0; i < ABSENT_K; i++) {
        unsigned bit = (unsigned)(h >> (9 * i)) & 511u;
        if (!(b[bit >> 6] & (1ull << (bit & 63))))
            return false;
    }
    return true;
}

/* Build the filter over the used slots (after the table is final). Without
 * memory for it lookups simply go to the table. */
static void
absent_build(vg_intel_store_t *s)
{
    size_t keys = 0;
    for (size_t i = 0; i < s->n_slots; i++)
        keys += s->slots[i].first != UINT32_MAX;
    size_t blocks = 1;
    while (blocks * 512 < keys * ABSENT_BITS_PER_KEY)
        blocks <<= 1;
    /* Probes land on random blocks between packets, after the capture data
     * has pushed the filter out of the caches and its 4 KiB pages out of
     * the TLB; in one 2 MiB huge page (per million keys) at least the
     * page walk goes. Small filters stay in ordinary pages. */
    size_t bytes = blocks * 64, align = 64;
    if (bytes >= ABSENT_HUGE_PAGE / 2) {
        align = ABSENT_HUGE_PAGE;
        bytes = (bytes + ABSENT_HUGE_PAGE - 1) & ~(size_t)(ABSENT_HUGE_PAGE - 1);
    }
    s->absent = aligned_alloc(align, bytes);
    if (s->absent == NULL)
        return;
#ifdef MADV_HUGEPAGE
    if (align == ABSENT_HUGE_PAGE)
        (void)madvise(s->absent, bytes, MADV_HUGEPAGE); /* advice only */
#endif
    memset(s->absent, 0, bytes);
    s->absent_blocks = blocks;
    for (size_t i = 0; i < s->n_slots; i++)
        if (s->slots[i].first != UINT32_MAX)
            absent_add(s, s->slots[i].h);
}

/* ---- matching ---- */

static size_t
emit_chain(const vg_intel_store_t *s, uint32_t i, vg_ioc_type_t type, const char *v, size_t vn,
           uint16_t port, const vg_indicator_t **out, size_t max_out, size_t total)
{
    for (; i != UINT32_MAX; i = s->chain[i]) {
        const vg_indicator_t *d = &s->inds[i];
        if (type != VG_IOC_IP) {
            if (d->type != type || strncmp(d->value, v, vn) != 0 || d->value[vn] != '\0')
                continue;
        } else {
            if (d->port != 0 && d->port != port)
                continue;
            if (v != NULL) {
                /* host-address key from the hash table: confirm the address
                 * (only on a hash hit, so the text parse is off the miss path) */
                uint8_t a[16];
                if (d->type != VG_IOC_IP ||
                    inet_pton(vn == 4 ? AF_INET : AF_INET6, d->value, a) != 1 ||
                    memcmp(a, v, vn) != 0)
                    continue;
            }
        }
        if (total < max_out)
            out[total] = d;
        total++;
    }
    return total;
}

static size_t
match_key_hashed(const vg_intel_store_t *s, uint64_t h, vg_ioc_type_t type, const char *v,
                 size_t vn, uint16_t port, const vg_indicator_t **out, size_t max_out,
                 size_t total)
{
    if (!absent_maybe(s, h))
        return total;
    size_t mask = s->n_slots - 1, pos = (size_t)h & mask;
    while (s->slots[pos].first != UINT32_MAX) {
        if (s->slots[pos].h == h)
            return emit_chain(s, s->slots[pos].first, type, v, vn, port, out, max_out, total);
        pos = (pos + 1) & mask;
    }
    return total;
}

static size_t
match_key(const vg_intel_store_t *s, vg_ioc_type_t type, const char *v, size_t vn, uint16_t port,
          const vg_indicator_t **out, size_t max_out, size_t total)
{
    return match_key_hashed(s, intel_key_hash(type, v, vn), type, v, vn, port, out, max_out,
                            total);
}

size_t
vg_intel_match(const vg_intel_store_t *s, vg_ioc_type_t type, const void *value, size_t len,
               uint16_t port, const vg_indicator_t **out, size_t max_out)
{
    if (s == NULL || !s->frozen || value == NULL || (unsigned)type >= VG_IOC_TYPE_MAX)
        return 0;
    if (type == VG_IOC_IP) {
        if (len != 4 && len != 16)
            return 0;
        size_t total = match_key(s, VG_IOC_IP, (const char *)value, len, port, out, max_out, 0);
        const vg_radix_t *rt = len == 4 ? s->r4 : s->r6;
        if (vg_radix_count(rt) == 0)
            return total;
        if (len == 4 && s->v4_cover != NULL) {
            const uint8_t *a = value;
            uint32_t blk = ((uint32_t)a[0] << 12) | ((uint32_t)a[1] << 4) | (a[2] >> 4);
            if (!(s->v4_cover[blk >> 6] & (1ull << (blk & 63))))
                return total; /* no prefix anywhere near: skip the tree walk */
        }
        uint32_t vals[130];
        size_t nv = vg_radix_lookup_all(rt, value, vals, VG_ARRAY_LEN(vals));
        for (size_t i = 0; i < nv && i < VG_ARRAY_LEN(vals); i++)
            total = emit_chain(s, vals[i], type, NULL, 0, port, out, max_out, total);
        return total;
    }
    char buf[8192];
    const char *v = value;
    size_t hl = hash_hex_len(type);
    /* raw digests (file hashes, cert fingerprints) are hex-encoded first */
    if (hl && len == hl / 2) {
        static const char hx[] = "0123456789abcdef";
        const uint8_t *b = value;
        for (size_t i = 0; i < len; i++) {
            buf[2 * i] = hx[b[i] >> 4];
            buf[2 * i + 1] = hx[b[i] & 15];
        }
        buf[2 * len] = '\0';
        return match_key(s, type, buf, 2 * len, port, out, max_out, 0);
    }
    if (len >= sizeof(buf) / 2 - 2)
        return 0; /* longer than anything worth matching; values are bounded at load */
    const char *why;
    if (vg_intel_normalize(type, v, len, buf, sizeof(buf), NULL, &why) != VG_OK)
        return 0;
    size_t n = strlen(buf);
    if (type != VG_IOC_DOMAIN)
        return match_key(s, type, buf, n, port, out, max_out, 0);
    /* the name, then each parent: a.b.evil.com, b.evil.com, evil.com, com.
     * The filter blocks of all of them are fetched first, so their cache
     * misses overlap instead of queueing one per label. */
    enum { SUFFIX_BATCH = 16 };
    size_t offs[SUFFIX_BATCH];
    uint64_t hs[SUFFIX_BATCH];
    size_t total = 0;
    for (size_t off = 0; off < n;) {
        size_t k = 0;
        while (k < SUFFIX_BATCH && off < n) {
            offs[k] = off;
            hs[k] = intel_key_hash(type, buf + off, n - off);
            if (s->absent_blocks)
                __builtin_prefetch(absent_block(s, hs[k]));
            k++;
            const char *dot = memchr(buf + off, '.', n - off);
            off = dot ? (size_t)(dot - buf) + 1 : n;
        }
        for (size_t i = 0; i < k; i++)
            total = match_key_hashed(s, hs[i], type, buf + offs[i], n - offs[i], port, out,
                                     max_out, total);
    }
    return total;
}
