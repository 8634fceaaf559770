/* intel_zeek.c - Zeek Intelligence Framework input files (intel.dat).
 *
 * Tab-separated, a `#fields` header naming the columns in any order
 * (`indicator` and `indicator_type` required; meta.source, meta.desc,
 * meta.url, meta.do_notice, meta.if_in ... optional), `-` for an unset
 * field, `#` lines are comments, \xNN escapes decoded as Zeek writes them.
 * Types: Intel::ADDR, Intel::SUBNET, Intel::DOMAIN, Intel::URL (no scheme,
 * as Zeek stores them), Intel::EMAIL, Intel::FILE_HASH (MD5/SHA-1/SHA-256
 * by length), Intel::CERT_HASH (SHA-1 or SHA-256 by length), and the
 * non-standard Intel::JA3, Intel::JA3S, Intel::JA4, Intel::USER_AGENT.
 * Intel::SOFTWARE, USER_NAME, FILE_NAME, PUBKEY_HASH are counted as
 * unsupported. Extension columns (ours): meta.confidence (0..100),
 * meta.cif_confidence (0..10, times 10), meta.actor (comma-separated
 * actor names), meta.valid_until (RFC 3339).
 *
 * Lines are parsed in place in the caller's buffer (fields cut at tabs, no
 * per-line copy), and the loader is fed whole lines so a file can be read
 * in chunks (intel_zeek_feed) as well as from one buffer.
 */
#include "intel/intel_int.h"
#include "intel/intel_stix.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_IND, C_TYPE, C_SOURCE, C_DESC, C_URL, C_CONF, C_CIF, C_ACTOR, C_UNTIL, C_N };
_Static_assert(C_N == VG_ARRAY_LEN(((intel_zeek_t *)0)->col), "intel_zeek_t.col size");

static inline int
hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Decode Zeek's \xNN escapes in place; returns the new length. */
static size_t
unescape(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2]) &&
            isxdigit((unsigned char)s[i + 3])) {
            s[o++] = (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
            i += 3;
            continue;
        }
        s[o++] = s[i];
    }
    s[o] = '\0';
    return o;
}

/* Zeek type names we know, in the order of zeek_type()'s answers. */
enum { Z_ADDR, Z_SUBNET, Z_DOMAIN, Z_URL, Z_EMAIL, Z_FILE_HASH, Z_CERT_HASH, Z_JA3, Z_JA3S, Z_JA4,
       Z_USER_AGENT, Z_N };
static const struct {
    const char *name;
    size_t len;
} zeek_names[Z_N] = {
    {"ADDR", 4}, {"SUBNET", 6}, {"DOMAIN", 6}, {"URL", 3}, {"EMAIL", 5}, {"FILE_HASH", 9},
    {"CERT_HASH", 9}, {"JA3", 3}, {"JA3S", 4}, {"JA4", 3}, {"USER_AGENT", 10},
};

/* t (NUL-terminated, tn bytes) -> our type; *known false when unsupported. */
static vg_ioc_type_t
zeek_type(const char *t, size_t tn, size_t vlen, bool *known)
{
    *known = true;
    int k = Z_N;
    if (tn > 7 && memcmp(t, "Intel::", 7) == 0) {
        for (k = 0; k < Z_N; k++)
            if (tn - 7 == zeek_names[k].len && memcmp(t + 7, zeek_names[k].name, tn - 7) == 0)
                break;
    }
    switch (k) {
    case Z_ADDR: case Z_SUBNET: return VG_IOC_IP;
    case Z_DOMAIN: return VG_IOC_DOMAIN;
    case Z_URL: return VG_IOC_URL;
    case Z_EMAIL: return VG_IOC_EMAIL;
    case Z_FILE_HASH: return vlen == 32 ? VG_IOC_MD5 : vlen == 40 ? VG_IOC_SHA1 : VG_IOC_SHA256;
    case Z_CERT_HASH: return vlen == 64 ? VG_IOC_CERT_SHA256 : VG_IOC_CERT_SHA1;
    case Z_JA3: return VG_IOC_JA3;
    case Z_JA3S: return VG_IOC_JA3S;
    case Z_JA4: return VG_IOC_JA4;
    case Z_USER_AGENT: return VG_IOC_USER_AGENT;
    default: *known = false; return VG_IOC_TYPE_MAX;
    }
}

void
intel_zeek_init(intel_zeek_t *z, const char *name)
{
    memset(z, 0, sizeof(*z));
    for (int i = 0; i < C_N; i++)
        z->col[i] = -1;
    z->name = name;
    const char *base = strrchr(name, '/');
    int w = snprintf(z->id, sizeof(z->id), "zeek:%.60s:0", base ? base + 1 : name);
    z->id_len = w > 0 ? (size_t)w : 0;
    z->idpfx_len = z->id_len ? z->id_len - 1 : 0;
}

/* lineno++ and the decimal digits at the end of z->id with it (cheaper
 * than formatting the number for every line). */
static void
zeek_next_line(intel_zeek_t *z)
{
    z->lineno++;
    size_t i = z->id_len;
    while (i > z->idpfx_len && z->id[i - 1] == '9')
        z->id[--i] = '0';
    if (i > z->idpfx_len) {
        z->id[i - 1]++;
    } else { /* 99 -> 100: one digit more (the id has room: 66 + 20 < 96) */
        memmove(z->id + i + 1, z->id + i, z->id_len - i);
        z->id[i] = '1';
        z->id_len++;
    }
    z->id[z->id_len] = '\0';
}

/* The #fields header line (NUL-terminated at line[n]). */
static int
zeek_fields(intel_zeek_t *z, char *line, char *errbuf, size_t errlen)
{
    z->ncols = 0;
    for (int i = 0; i < C_N; i++)
        z->col[i] = -1;
    char *save = NULL;
    for (char *f = strtok_r(line + 8, "\t", &save); f; f = strtok_r(NULL, "\t", &save)) {
        if (z->ncols >= ZEEK_MAX_COLS) {
            snprintf(errbuf, errlen, "%s:%zu: more than %d columns", z->name, z->lineno,
                     ZEEK_MAX_COLS);
            return VG_EINVAL;
        }
        static const char *const names[C_N] = {
            "indicator", "indicator_type", "meta.source", "meta.desc", "meta.url",
            "meta.confidence", "meta.cif_confidence", "meta.actor", "meta.valid_until"};
        for (int i = 0; i < C_N; i++)
            if (strcmp(f, names[i]) == 0)
                z->col[i] = (int)z->ncols;
        z->ncols++;
    }
    if (z->col[C_IND] < 0 || z->col[C_TYPE] < 0) {
        snprintf(errbuf, errlen, "%s:%zu: #fields lacks 'indicator' or 'indicator_type'",
                 z->name, z->lineno);
        return VG_EINVAL;
    }
    z->have_fields = true;
    return VG_OK;
}

/* One line, already counted in z->lineno, without its line end, n > 0 bytes
 * with line[n] writable (it becomes the terminating NUL). As before the
 * in-place parse, the line ends at its first NUL byte. VG_OK, or an error
 * that stops the load (errbuf set). */
static int
zeek_line(vg_intel_store_t *s, intel_zeek_t *z, char *line, size_t n, char *errbuf,
          size_t errlen)
{
    const char *nul = memchr(line, '\0', n);
    if (nul)
        n = (size_t)(nul - line);
    line[n] = '\0';
    if (line[0] == '#') {
        if (strncmp(line, "#fields", 7) == 0 && (line[7] == '\t' || line[7] == ' '))
            return zeek_fields(z, line, errbuf, errlen);
        return VG_OK;
    }
    if (!z->have_fields) {
        snprintf(errbuf, errlen, "%s:%zu: data before the #fields header line", z->name,
                 z->lineno);
        return VG_EINVAL;
    }
    s->rep.objects_by_type[INTEL_OBJ_ZEEK_LINE]++;
    s->rep.objects_seen++;
    char *f[ZEEK_MAX_COLS];
    size_t fl[ZEEK_MAX_COLS];
    size_t nf = 0;
    char *p = line, *end = line + n;
    f[nf] = p;
    for (;;) {
        char *tab = memchr(p, '\t', (size_t)(end - p));
        if (tab == NULL) {
            fl[nf++] = (size_t)(end - p);
            break;
        }
        *tab = '\0';
        fl[nf++] = (size_t)(tab - p);
        if (nf == ZEEK_MAX_COLS)
            break;
        p = tab + 1;
        f[nf] = p;
    }
    const char *id = z->id;
    if (nf != z->ncols) {
        s->rep.errors++;
        intel_note(s, id, "%zu fields, the #fields header names %zu", nf, z->ncols);
        return VG_OK;
    }
    bool escapes = memchr(line, '\\', n) != NULL; /* rare: look per field only then */
    for (size_t i = 0; i < nf; i++) {
        if ((fl[i] == 1 && f[i][0] == '-') || (fl[i] == 7 && memcmp(f[i], "(empty)", 7) == 0)) {
            f[i][0] = '\0';
            fl[i] = 0;
        } else if (escapes && memchr(f[i], '\\', fl[i]) != NULL) {
            unescape(f[i], fl[i]);
            fl[i] = strlen(f[i]); /* a decoded \x00 ends the value */
        }
    }
    const char *ind = f[z->col[C_IND]], *ty = f[z->col[C_TYPE]];
    size_t ind_len = fl[z->col[C_IND]];
    bool known;
    vg_ioc_type_t t = zeek_type(ty, fl[z->col[C_TYPE]], ind_len, &known);
    if (!known) {
        s->rep.patterns_unsupported++;
        intel_note(s, id, "unsupported: indicator_type '%.40s'", ty);
        return VG_OK;
    }
    intel_add_t a;
    memset(&a, 0, sizeof(a));
    a.type = t;
    a.value = ind;
    a.value_len = ind_len;
    a.id = id;
    a.to_ids = true;
    a.format = VG_INTEL_FMT_ZEEK;
    a.confidence = -1;
    const int *col = z->col;
    a.source = col[C_SOURCE] >= 0 && *f[col[C_SOURCE]] ? f[col[C_SOURCE]] : NULL;
    a.description = col[C_DESC] >= 0 && *f[col[C_DESC]] ? f[col[C_DESC]] : NULL;
    if (col[C_CONF] >= 0 && *f[col[C_CONF]]) {
        long v = strtol(f[col[C_CONF]], NULL, 10);
        a.confidence = v >= 0 && v <= 100 ? (int)v : -1;
    } else if (col[C_CIF] >= 0 && *f[col[C_CIF]]) {
        double v = strtod(f[col[C_CIF]], NULL);
        a.confidence = v >= 0 && v <= 10 ? (int)(v * 10 + 0.5) : -1;
    }
    long long until;
    if (col[C_UNTIL] >= 0 && vg_stix_parse_time(f[col[C_UNTIL]], &until) == 0)
        a.valid_until = until;
    vg_intel_actor_ref_t actors[8];
    size_t na = 0;
    if (col[C_ACTOR] >= 0 && *f[col[C_ACTOR]]) {
        char *save = NULL;
        for (char *tk = strtok_r(f[col[C_ACTOR]], ",", &save); tk && na < 8;
             tk = strtok_r(NULL, ",", &save)) {
            while (*tk == ' ')
                tk++;
            if (*tk) {
                actors[na].id = tk;
                actors[na].name = tk;
                na++;
            }
        }
    }
    a.actors = actors;
    a.n_actors = na;
    int rc = intel_add(s, &a);
    if (rc == VG_EINVAL) {
        snprintf(errbuf, errlen, "%s:%zu: more than intel.max-indicators %llu indicators",
                 z->name, z->lineno, (unsigned long long)s->limits.intel_max_indicators);
        return rc;
    }
    if (rc == VG_ENOMEM) {
        snprintf(errbuf, errlen, "%s: out of memory", z->name);
        return rc;
    }
    return VG_OK;
}

int
intel_zeek_feed(vg_intel_store_t *s, intel_zeek_t *z, char *data, size_t len, bool eof,
                size_t *consumed, char *errbuf, size_t errlen)
{
    size_t pos = 0;
    int rc = VG_OK;
    while (pos < len) {
        char *nl = memchr(data + pos, '\n', len - pos);
        if (nl == NULL && !eof)
            break; /* the rest is a partial line: wait for more */
        size_t end = nl ? (size_t)(nl - data) : len;
        zeek_next_line(z);
        size_t n = end - pos;
        if (n && data[pos + n - 1] == '\r')
            n--;
        if (n > ZEEK_MAX_LINE) {
            snprintf(errbuf, errlen, "%s:%zu: line of %zu bytes, over %u", z->name, z->lineno, n,
                     ZEEK_MAX_LINE);
            rc = VG_EINVAL;
            break;
        }
        char *line = data + pos;
        pos = end + 1;
        if (n == 0)
            continue;
        rc = zeek_line(s, z, line, n, errbuf, errlen);
        if (rc != VG_OK)
            break;
    }
    *consumed = pos < len ? pos : len;
    return rc;
}

int
intel_zeek_finish(intel_zeek_t *z, char *errbuf, size_t errlen)
{
    if (!z->have_fields) {
        snprintf(errbuf, errlen, "%s: no #fields header line (not a Zeek intel file?)", z->name);
        return VG_EINVAL;
    }
    return VG_OK;
}

int
intel_load_zeek(vg_intel_store_t *s, const char *name, char *data, size_t len, char *errbuf,
                size_t errlen)
{
    intel_zeek_t z;
    intel_zeek_init(&z, name);
    size_t used;
    int rc = intel_zeek_feed(s, &z, data, len, true, &used, errbuf, errlen);
    if (rc == VG_OK)
        rc = intel_zeek_finish(&z, errbuf, errlen);
    return rc;
}
