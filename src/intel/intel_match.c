/* intel_match.c - see intel_match.h. */
#include "intel/intel_match.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATCH_MAX_OUT 16       /* indicators reported per looked-up value */
#define MATCH_MAX_INSTANCES 64 /* buffer instances per tx (answers, certs) */
#define DEDUPE_MAX 128         /* (indicator, where) pairs remembered per flow */

typedef struct intel_flow_seen {
    uint32_t n, cap;
    struct {
        const vg_indicator_t *ind;
        const char *where;
    } e[];
} intel_flow_seen_t;

static bool ctr_ok;
static vg_counter_id_t ctr_indicators, ctr_lookups, ctr_hits, ctr_hits_type[VG_IOC_TYPE_MAX], ctr_dups;

void
vg_intel_register_counters(void)
{
    ctr_indicators = vg_counter_register("intel.indicators");
    ctr_lookups = vg_counter_register("intel.lookups");
    ctr_hits = vg_counter_register("intel.hits");
    ctr_dups = vg_counter_register("intel.hits_suppressed");
    for (int t = 0; t < VG_IOC_TYPE_MAX; t++) {
        char name[64];
        snprintf(name, sizeof(name), "intel.hits_by_type.%s", vg_ioc_type_name((vg_ioc_type_t)t));
        ctr_hits_type[t] = vg_counter_register(name);
    }
    ctr_ok = true;
}

void
vg_intel_counters_set_indicators(vg_counters_t *c, const vg_intel_store_t *s)
{
    if (c && s && ctr_ok)
        c->v[ctr_indicators] = vg_intel_store_count(s);
}

void
vg_intel_flow_free(vg_flow_t *f)
{
    if (f == NULL)
        return;
    free(f->intel);
    f->intel = NULL;
}

/* true when (ind, where) was already reported on this flow; else remember it */
static bool
seen_before(vg_flow_t *f, const vg_indicator_t *ind, const char *where)
{
    if (f == NULL)
        return false;
    intel_flow_seen_t *s = f->intel;
    if (s) {
        for (uint32_t i = 0; i < s->n; i++)
            if (s->e[i].ind == ind && strcmp(s->e[i].where, where) == 0)
                return true;
    }
    if (s == NULL || s->n == s->cap) {
        uint32_t nc = s ? s->cap * 2 : 4;
        if (nc > DEDUPE_MAX)
            return false; /* full: report, but stop remembering */
        intel_flow_seen_t *ns = realloc(s, sizeof(*ns) + nc * sizeof(ns->e[0]));
        if (ns == NULL)
            return false;
        if (s == NULL)
            ns->n = 0;
        ns->cap = nc;
        f->intel = s = ns;
    }
    s->e[s->n].ind = ind;
    s->e[s->n].where = where;
    s->n++;
    return false;
}

typedef struct mctx {
    const vg_intel_store_t *s;
    const size_t *by_type; /* indicators loaded per type: no lookup for a type with none */
    vg_flow_t *f;
    vg_counters_t *c;
    vg_intel_hit_cb cb;
    void *user;
    size_t hits;
} mctx_t;

static void
value_text(vg_ioc_type_t type, const uint8_t *v, size_t n, char *out, size_t outlen)
{
    static const char hx[] = "0123456789abcdef";
    if (type == VG_IOC_IP && (n == 4 || n == 16)) {
        inet_ntop(n == 4 ? AF_INET : AF_INET6, v, out, (socklen_t)outlen);
        return;
    }
    bool raw = (type == VG_IOC_MD5 && n == 16) || (type == VG_IOC_SHA1 && n == 20) ||
               (type == VG_IOC_SHA256 && n == 32) || (type == VG_IOC_CERT_SHA1 && n == 20) ||
               (type == VG_IOC_CERT_SHA256 && n == 32);
    if (raw && outlen > 2 * n) {
        for (size_t i = 0; i < n; i++) {
            out[2 * i] = hx[v[i] >> 4];
            out[2 * i + 1] = hx[v[i] & 15];
        }
        out[2 * n] = '\0';
        return;
    }
    size_t k = n < outlen - 1 ? n : outlen - 1;
    memcpy(out, v, k);
    out[k] = '\0';
}

static void
lookup(mctx_t *m, vg_ioc_type_t type, const uint8_t *v, size_t n, uint16_t port,
       const char *where)
{
    const vg_indicator_t *out[MATCH_MAX_OUT];
    if (m->by_type[type] == 0)
        return; /* nothing of this type is loaded: the answer is known */
    if (m->c && ctr_ok)
        vg_counter_inc(m->c, ctr_lookups);
    size_t k = vg_intel_match(m->s, type, v, n, port, out, MATCH_MAX_OUT);
    if (k == 0)
        return;
    char text[1024];
    bool have_text = false;
    for (size_t i = 0; i < k && i < MATCH_MAX_OUT; i++) {
        if (seen_before(m->f, out[i], where)) {
            if (m->c && ctr_ok)
                vg_counter_inc(m->c, ctr_dups);
            continue;
        }
        if (!have_text) {
            value_text(type, v, n, text, sizeof(text));
            have_text = true;
        }
        if (m->c && ctr_ok) {
            vg_counter_inc(m->c, ctr_hits);
            vg_counter_inc(m->c, ctr_hits_type[out[i]->type]);
        }
        vg_intel_hit_t h = {out[i], where, text};
        m->hits++;
        if (m->cb)
            m->cb(m->user, &h);
    }
}

size_t
vg_intel_check_flow(const vg_intel_store_t *s, vg_flow_t *f, vg_counters_t *c,
                    vg_intel_hit_cb cb, void *user)
{
    if (s == NULL || f == NULL)
        return 0;
    mctx_t m = {s, vg_intel_store_report(s)->indicators_by_type, f, c, cb, user, 0};
    const vg_flow_key_t *k = &f->key;
    size_t alen = k->dst.family == 4 ? 4 : k->dst.family == 6 ? 16 : 0;
    if (alen)
        lookup(&m, VG_IOC_IP, k->dst.b, alen, k->dp, "flow.dest_ip");
    alen = k->src.family == 4 ? 4 : k->src.family == 6 ? 16 : 0;
    if (alen)
        lookup(&m, VG_IOC_IP, k->src.b, alen, k->sp, "flow.src_ip");
    return m.hits;
}

/* Look every instance of one buffer up as `type`; an instance equal to
 * `same` (already looked up as the same type in this tx, e.g. the answer
 * name that repeats the query) is not looked up again. */
static void
each_buf_but(mctx_t *m, const vg_app_parser_t *p, const void *tx, vg_buffer_id_t id,
             vg_ioc_type_t type, const char *where, const uint8_t *same, uint32_t same_len)
{
    /* a host name may be an address literal, matched as an IP */
    if (m->by_type[type] == 0 && !(type == VG_IOC_DOMAIN && m->by_type[VG_IOC_IP] > 0))
        return;
    for (uint32_t i = 0; i < MATCH_MAX_INSTANCES; i++) {
        const uint8_t *d = NULL;
        uint32_t n = 0;
        if (p->get_buffer(tx, id, i, &d, &n) != VG_OK || d == NULL)
            break;
        if (n == 0 || (same != NULL && n == same_len && memcmp(d, same, n) == 0))
            continue;
        if (type == VG_IOC_DOMAIN) {
            /* a host that is an address literal is matched as an IP */
            char tmp[64];
            uint8_t a[16];
            if (n < sizeof(tmp)) {
                memcpy(tmp, d, n);
                tmp[n] = '\0';
                if (inet_pton(AF_INET, tmp, a) == 1) {
                    lookup(m, VG_IOC_IP, a, 4, 0, where);
                    continue;
                }
                if (inet_pton(AF_INET6, tmp, a) == 1) {
                    lookup(m, VG_IOC_IP, a, 16, 0, where);
                    continue;
                }
            }
        }
        lookup(m, type, d, n, 0, where);
    }
}

static void
each_buf(mctx_t *m, const vg_app_parser_t *p, const void *tx, vg_buffer_id_t id,
         vg_ioc_type_t type, const char *where)
{
    each_buf_but(m, p, tx, id, type, where, NULL, 0);
}

size_t
vg_intel_check_tx(const vg_intel_store_t *s, vg_flow_t *f, const vg_app_parser_t *parser,
                  const void *tx, vg_alproto_t proto, vg_counters_t *c, vg_intel_hit_cb cb,
                  void *user)
{
    if (s == NULL || parser == NULL || parser->get_buffer == NULL || tx == NULL)
        return 0;
    mctx_t m = {s, vg_intel_store_report(s)->indicators_by_type, f, c, cb, user, 0};
    switch (proto) {
    case VG_ALPROTO_DNS: {
        each_buf(&m, parser, tx, VG_BUF_DNS_QUERY, VG_IOC_DOMAIN, "dns.query");
        /* the first answer's name is nearly always the query again */
        const uint8_t *q = NULL;
        uint32_t qn = 0;
        if (parser->get_buffer(tx, VG_BUF_DNS_QUERY, 0, &q, &qn) != VG_OK)
            q = NULL;
        each_buf_but(&m, parser, tx, VG_BUF_DNS_ANSWER_NAME, VG_IOC_DOMAIN, "dns.answers.rrname",
                     q, qn);
        each_buf(&m, parser, tx, VG_BUF_DNS_ANSWER_DATA, VG_IOC_DOMAIN, "dns.answers.rdata");
        each_buf(&m, parser, tx, VG_BUF_DNS_ANSWER_ADDR, VG_IOC_IP, "dns.answers.addr");
        break;
    }
    case VG_ALPROTO_HTTP:
        each_buf(&m, parser, tx, VG_BUF_HTTP_HOST, VG_IOC_DOMAIN, "http.host");
        each_buf(&m, parser, tx, VG_BUF_HTTP_URL_FULL, VG_IOC_URL, "http.url");
        each_buf(&m, parser, tx, VG_BUF_HTTP_USER_AGENT, VG_IOC_USER_AGENT, "http.user_agent");
        each_buf(&m, parser, tx, VG_BUF_FILE_MD5, VG_IOC_MD5, "fileinfo.md5");
        each_buf(&m, parser, tx, VG_BUF_FILE_SHA1, VG_IOC_SHA1, "fileinfo.sha1");
        each_buf(&m, parser, tx, VG_BUF_FILE_SHA256, VG_IOC_SHA256, "fileinfo.sha256");
        break;
    case VG_ALPROTO_TLS:
        each_buf(&m, parser, tx, VG_BUF_TLS_SNI, VG_IOC_DOMAIN, "tls.sni");
        each_buf(&m, parser, tx, VG_BUF_TLS_CERT_SHA1, VG_IOC_CERT_SHA1, "tls.cert_sha1");
        each_buf(&m, parser, tx, VG_BUF_TLS_CERT_SHA256, VG_IOC_CERT_SHA256, "tls.cert_sha256");
        each_buf(&m, parser, tx, VG_BUF_JA3_HASH, VG_IOC_JA3, "ja3.hash");
        each_buf(&m, parser, tx, VG_BUF_JA3S_HASH, VG_IOC_JA3S, "ja3s.hash");
        each_buf(&m, parser, tx, VG_BUF_JA4_HASH, VG_IOC_JA4, "ja4.hash");
        break;
    default:
        break;
    }
    return m.hits;
}

size_t
vg_intel_check_file(const vg_intel_store_t *s, vg_flow_t *f, const vg_app_file_t *file,
                    vg_counters_t *c, vg_intel_hit_cb cb, void *user)
{
    if (s == NULL || file == NULL || file->digests == 0)
        return 0;
    mctx_t m = {s, vg_intel_store_report(s)->indicators_by_type, f, c, cb, user, 0};
    if (file->digests & VG_FILE_DIGEST_MD5)
        lookup(&m, VG_IOC_MD5, file->md5, 16, 0, "fileinfo.md5");
    if (file->digests & VG_FILE_DIGEST_SHA1)
        lookup(&m, VG_IOC_SHA1, file->sha1, 20, 0, "fileinfo.sha1");
    if (file->digests & VG_FILE_DIGEST_SHA256)
        lookup(&m, VG_IOC_SHA256, file->sha256, 32, 0, "fileinfo.sha256");
    return m.hits;
}
