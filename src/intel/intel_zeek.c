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
 */
#include "intel/intel_int.h"
#include "intel/intel_stix.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZEEK_MAX_COLS 64
#define ZEEK_MAX_LINE (1u << 20)

enum { C_IND, C_TYPE, C_SOURCE, C_DESC, C_URL, C_CONF, C_CIF, C_ACTOR, C_UNTIL, C_N };

/* Decode Zeek's \xNN escapes in place; returns the new length. */
static size_t
unescape(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2]) &&
            isxdigit((unsigned char)s[i + 3])) {
            char h[3] = {s[i + 2], s[i + 3], 0};
            s[o++] = (char)strtol(h, NULL, 16);
            i += 3;
            continue;
        }
        s[o++] = s[i];
    }
    s[o] = '\0';
    return o;
}

static vg_ioc_type_t
zeek_type(const char *t, size_t vlen, bool *known)
{
    *known = true;
    if (!strcmp(t, "Intel::ADDR") || !strcmp(t, "Intel::SUBNET"))
        return VG_IOC_IP;
    if (!strcmp(t, "Intel::DOMAIN"))
        return VG_IOC_DOMAIN;
    if (!strcmp(t, "Intel::URL"))
        return VG_IOC_URL;
    if (!strcmp(t, "Intel::EMAIL"))
        return VG_IOC_EMAIL;
    if (!strcmp(t, "Intel::FILE_HASH"))
        return vlen == 32 ? VG_IOC_MD5 : vlen == 40 ? VG_IOC_SHA1 : VG_IOC_SHA256;
    if (!strcmp(t, "Intel::CERT_HASH"))
        return vlen == 64 ? VG_IOC_CERT_SHA256 : VG_IOC_CERT_SHA1;
    if (!strcmp(t, "Intel::JA3"))
        return VG_IOC_JA3;
    if (!strcmp(t, "Intel::JA3S"))
        return VG_IOC_JA3S;
    if (!strcmp(t, "Intel::JA4"))
        return VG_IOC_JA4;
    if (!strcmp(t, "Intel::USER_AGENT"))
        return VG_IOC_USER_AGENT;
    *known = false;
    return VG_IOC_TYPE_MAX;
}

int
intel_load_zeek(vg_intel_store_t *s, const char *name, const char *data, size_t len,
                char *errbuf, size_t errlen)
{
    int col[C_N];
    for (int i = 0; i < C_N; i++)
        col[i] = -1;
    size_t ncols = 0;
    bool have_fields = false;
    size_t lineno = 0, pos = 0;
    char *line = NULL;
    size_t line_cap = 0;
    int rc = VG_OK;
    while (pos < len) {
        size_t end = pos;
        while (end < len && data[end] != '\n')
            end++;
        lineno++;
        size_t n = end - pos;
        if (n && data[pos + n - 1] == '\r')
            n--;
        if (n > ZEEK_MAX_LINE) {
            snprintf(errbuf, errlen, "%s:%zu: line of %zu bytes, over %u", name, lineno, n,
                     ZEEK_MAX_LINE);
            rc = VG_EINVAL;
            break;
        }
        if (n + 1 > line_cap) {
            char *nl = realloc(line, n + 1);
            if (nl == NULL) {
                snprintf(errbuf, errlen, "%s: out of memory", name);
                rc = VG_ENOMEM;
                break;
            }
            line = nl;
            line_cap = n + 1;
        }
        memcpy(line, data + pos, n);
        line[n] = '\0';
        pos = end + 1;
        if (n == 0)
            continue;
        if (line[0] == '#') {
            if (strncmp(line, "#fields", 7) == 0 && (line[7] == '\t' || line[7] == ' ')) {
                ncols = 0;
                for (int i = 0; i < C_N; i++)
                    col[i] = -1;
                char *save = NULL;
                for (char *f = strtok_r(line + 8, "\t", &save); f; f = strtok_r(NULL, "\t", &save)) {
                    if (ncols >= ZEEK_MAX_COLS) {
                        snprintf(errbuf, errlen, "%s:%zu: more than %d columns", name, lineno,
                                 ZEEK_MAX_COLS);
                        rc = VG_EINVAL;
                        goto out;
                    }
                    static const char *const names[C_N] = {
                        "indicator", "indicator_type", "meta.source", "meta.desc", "meta.url",
                        "meta.confidence", "meta.cif_confidence", "meta.actor",
                        "meta.valid_until"};
                    for (int i = 0; i < C_N; i++)
                        if (strcmp(f, names[i]) == 0)
                            col[i] = (int)ncols;
                    ncols++;
                }
                if (col[C_IND] < 0 || col[C_TYPE] < 0) {
                    snprintf(errbuf, errlen, "%s:%zu: #fields lacks 'indicator' or "
                             "'indicator_type'", name, lineno);
                    rc = VG_EINVAL;
                    goto out;
                }
                have_fields = true;
            }
            continue;
        }
        if (!have_fields) {
            snprintf(errbuf, errlen, "%s:%zu: data before the #fields header line", name, lineno);
            rc = VG_EINVAL;
            goto out;
        }
        intel_count_obj(s, "zeek-line");
        char *f[ZEEK_MAX_COLS];
        size_t nf = 0;
        char *p = line;
        f[nf++] = p;
        for (; *p; p++) {
            if (*p == '\t') {
                *p = '\0';
                if (nf == ZEEK_MAX_COLS)
                    break;
                f[nf++] = p + 1;
            }
        }
        char id[96];
        const char *base = strrchr(name, '/');
        snprintf(id, sizeof(id), "zeek:%.60s:%zu", base ? base + 1 : name, lineno);
        if (nf != ncols) {
            s->rep.errors++;
            intel_note(s, id, "%zu fields, the #fields header names %zu", nf, ncols);
            continue;
        }
        for (size_t i = 0; i < nf; i++) {
            if (strcmp(f[i], "-") == 0 || strcmp(f[i], "(empty)") == 0)
                f[i][0] = '\0';
            else
                unescape(f[i], strlen(f[i]));
        }
        const char *ind = f[col[C_IND]], *ty = f[col[C_TYPE]];
        bool known;
        vg_ioc_type_t t = zeek_type(ty, strlen(ind), &known);
        if (!known) {
            s->rep.patterns_unsupported++;
            intel_note(s, id, "unsupported: indicator_type '%.40s'", ty);
            continue;
        }
        intel_add_t a;
        memset(&a, 0, sizeof(a));
        a.type = t;
        a.value = ind;
        a.value_len = strlen(ind);
        a.id = id;
        a.to_ids = true;
        a.format = VG_INTEL_FMT_ZEEK;
        a.confidence = -1;
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
        rc = intel_add(s, &a);
        if (rc == VG_EINVAL) {
            snprintf(errbuf, errlen, "%s:%zu: more than intel.max-indicators %llu indicators",
                     name, lineno, (unsigned long long)s->limits.intel_max_indicators);
            goto out;
        }
        if (rc == VG_ENOMEM) {
            snprintf(errbuf, errlen, "%s: out of memory", name);
            goto out;
        }
        rc = VG_OK;
    }
    if (rc == VG_OK && !have_fields) {
        snprintf(errbuf, errlen, "%s: no #fields header line (not a Zeek intel file?)", name);
        rc = VG_EINVAL;
    }
out:
    free(line);
    return rc;
}
