/* app_tls_x509.c - the certificate fields Suricata logs, decoded with
 * OpenSSL's d2i_X509 and rendered the way Suricata 8 (Rust x509-parser
 * 0.16) renders them:
 *  - names: RDNs joined with ", ", multi-valued RDNs with " + ", each
 *    "ABBR=value"; ABBR is CN/C/L/ST/O/OU/DC/Email, else the OID
 *    registry's short name, else "OID(1.2.3)"; string values are taken
 *    verbatim (must be UTF-8, else the whole name becomes
 *    "<X509Error: Invalid X.509 name>"), non-string values as upper hex;
 *  - serial: the raw DER INTEGER content bytes, "%02X" joined with ':';
 *  - fingerprint: SHA-1 of the DER, "%02x" joined with ':';
 *  - validity: seconds since the epoch (printed by the serializer).
 */
#include "app/app_tls.h"
#include "util/util_utf8.h"
#include "util/util_digest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Attribute short names: x509-parser's abbreviation map, then the
 * oid-registry "x509"/"pkcs9" short names it falls back to. */
static const struct {
    const char *oid;
    const char *name;
} x509_attr_names[] = {
    {"2.5.4.3", "CN"},
    {"2.5.4.6", "C"},
    {"2.5.4.7", "L"},
    {"2.5.4.8", "ST"},
    {"2.5.4.10", "O"},
    {"2.5.4.11", "OU"},
    {"0.9.2342.19200300.100.1.25", "DC"},
    {"1.2.840.113549.1.9.1", "Email"},
    {"2.5.4.0", "objectClass"},
    {"2.5.4.1", "aliasedEntryName"},
    {"2.5.4.2", "knowledgeInformation"},
    {"2.5.4.4", "surname"},
    {"2.5.4.5", "serialNumber"},
    {"2.5.4.9", "streetAddress"},
    {"2.5.4.12", "title"},
    {"2.5.4.13", "description"},
    {"2.5.4.14", "searchGuide"},
    {"2.5.4.15", "businessCategory"},
    {"2.5.4.16", "postalAddress"},
    {"2.5.4.17", "postalCode"},
    {"2.5.4.41", "name"},
    {"2.5.4.42", "givenName"},
    {"2.5.4.43", "initials"},
    {"2.5.4.44", "generationQualifier"},
    {"2.5.4.45", "uniqueIdentifier"},
    {"2.5.4.46", "dnQualifier"},
    {"1.2.840.113549.1.9.2", "unstructuredName"},
    {"1.3.6.1.4.1.311.60.2.1.1", "msJurisdictionLocality"},
    {"1.3.6.1.4.1.311.60.2.1.2", "msJurisdictionStateOrProvince"},
    {"1.3.6.1.4.1.311.60.2.1.3", "msJurisdictionCountry"},
};

typedef struct xbuf {
    char *s;
    size_t len;
    size_t cap;
    bool oom;
} xbuf_t;

static void
xput(xbuf_t *b, const void *p, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->s, cap);
        if (q == NULL) {
            b->oom = true;
            return;
        }
        b->s = q;
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
xputs(xbuf_t *b, const char *s)
{
    xput(b, s, strlen(s));
}

static bool
x509_is_string_type(int t)
{
    switch (t) {
    case V_ASN1_NUMERICSTRING:
    case V_ASN1_BMPSTRING:
    case V_ASN1_VISIBLESTRING:
    case V_ASN1_PRINTABLESTRING:
    case V_ASN1_GENERALSTRING:
    case V_ASN1_OBJECT_DESCRIPTOR:
    case V_ASN1_GRAPHICSTRING:
    case V_ASN1_T61STRING:
    case V_ASN1_VIDEOTEXSTRING:
    case V_ASN1_UTF8STRING:
    case V_ASN1_IA5STRING:
        return true;
    default:
        return false;
    }
}

/* Render an X509_NAME; returns false when a string value is not UTF-8
 * (x509-parser then fails the whole name). */
static bool
x509_name_render(const X509_NAME *nm, xbuf_t *b)
{
    int n = X509_NAME_entry_count(nm);
    int prev_set = -1;
    for (int i = 0; i < n; i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(nm, i);
        int set = X509_NAME_ENTRY_set(e);
        if (i > 0)
            xputs(b, set == prev_set ? " + " : ", ");
        prev_set = set;

        char oid[128];
        const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
        OBJ_obj2txt(oid, sizeof(oid), obj, 1);
        const char *abbr = NULL;
        for (size_t k = 0; k < VG_ARRAY_LEN(x509_attr_names); k++) {
            if (strcmp(oid, x509_attr_names[k].oid) == 0) {
                abbr = x509_attr_names[k].name;
                break;
            }
        }
        if (abbr != NULL) {
            xputs(b, abbr);
        } else {
            xputs(b, "OID(");
            xputs(b, oid);
            xputs(b, ")");
        }
        xputs(b, "=");

        const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
        const uint8_t *d = ASN1_STRING_get0_data(v);
        int dl = ASN1_STRING_length(v);
        if (dl < 0)
            dl = 0;
        if (x509_is_string_type(ASN1_STRING_type(v))) {
            if (!vg_utf8_valid(d, (size_t)dl))
                return false;
            xput(b, d, (size_t)dl);
        } else {
            static const char hx[] = "0123456789ABCDEF";
            for (int k = 0; k < dl; k++) {
                char h[2] = {hx[d[k] >> 4], hx[d[k] & 15]};
                xput(b, h, 2);
            }
        }
    }
    return true;
}

static int
x509_name_string(const X509_NAME *nm, char **out, uint32_t *out_len)
{
    xbuf_t b = {0};
    if (!x509_name_render(nm, &b)) {
        b.len = 0;
        b.oom = false;
        xputs(&b, "<X509Error: Invalid X.509 name>");
    }
    if (b.s == NULL && !b.oom)
        xput(&b, "", 0);
    if (b.oom) {
        free(b.s);
        return VG_ENOMEM;
    }
    *out = b.s;
    *out_len = (uint32_t)b.len;
    return VG_OK;
}

static int
x509_time(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return VG_EINVAL;
    *out = (int64_t)timegm(&tm);
    return VG_OK;
}

static void
x509_free_sans(vg_tls_side_t *side)
{
    for (uint32_t i = 0; i < side->n_sans; i++)
        free(side->sans[i]);
    free(side->sans);
    free(side->san_lens);
    side->sans = NULL;
    side->san_lens = NULL;
    side->n_sans = 0;
}

static int
x509_leaf_parse(vg_tls_side_t *side, const uint8_t *der, uint32_t len, uint32_t max_sans,
                bool *sans_capped)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    *sans_capped = false;
    if (x == NULL)
        return VG_EINVAL;

    int rc = VG_EINVAL;
    char *subject = NULL, *issuer = NULL, *serial = NULL;
    uint32_t subject_len = 0, issuer_len = 0;
    int64_t nb = 0, na = 0;
    unsigned char *ider = NULL;

    if (x509_name_string(X509_get_subject_name(x), &subject, &subject_len) != VG_OK) {
        rc = VG_ENOMEM;
        goto out_free;
    }
    if (x509_name_string(X509_get_issuer_name(x), &issuer, &issuer_len) != VG_OK) {
        rc = VG_ENOMEM;
        goto out_free;
    }
    if (x509_time(X509_get0_notBefore(x), &nb) != VG_OK ||
        x509_time(X509_get0_notAfter(x), &na) != VG_OK)
        goto out_free;

    /* Serial: the INTEGER's content octets as on the wire (DER keeps the
     * leading 00 of a positive number whose top bit is set). */
    int ilen = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &ider);
    if (ilen < 2)
        goto out_free;
    {
        const uint8_t *q = ider;
        size_t off = 1, clen;
        if (q[1] & 0x80) {
            size_t nl = q[1] & 0x7f;
            clen = 0;
            for (size_t k = 0; k < nl && 2 + k < (size_t)ilen; k++)
                clen = (clen << 8) | q[2 + k];
            off = 2 + nl;
        } else {
            clen = q[1];
            off = 2;
        }
        if (off + clen > (size_t)ilen)
            goto out_free;
        serial = malloc(clen * 3 + 1);
        if (serial == NULL) {
            rc = VG_ENOMEM;
            goto out_free;
        }
        size_t w = 0;
        for (size_t k = 0; k < clen; k++) {
            if (k)
                serial[w++] = ':';
            snprintf(serial + w, 3, "%02X", q[off + k]);
            w += 2;
        }
        serial[w] = '\0';
    }

    /* subjectAltName: DNS names, in order. */
    x509_free_sans(side);
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (gens != NULL) {
        int ng = sk_GENERAL_NAME_num(gens);
        for (int i = 0; i < ng; i++) {
            const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
            if (g->type != GEN_DNS)
                continue;
            if (side->n_sans >= max_sans) {
                *sans_capped = true;
                break;
            }
            const uint8_t *d = ASN1_STRING_get0_data(g->d.dNSName);
            int dl = ASN1_STRING_length(g->d.dNSName);
            if (dl < 0)
                dl = 0;
            char **ns = realloc(side->sans, sizeof(char *) * (side->n_sans + 1));
            if (ns == NULL)
                break;
            side->sans = ns;
            uint32_t *nl = realloc(side->san_lens, sizeof(uint32_t) * (side->n_sans + 1));
            if (nl == NULL)
                break;
            side->san_lens = nl;
            char *c = malloc((size_t)dl + 1);
            if (c == NULL)
                break;
            memcpy(c, d, (size_t)dl);
            c[dl] = '\0';
            side->sans[side->n_sans] = c;
            side->san_lens[side->n_sans] = (uint32_t)dl;
            side->n_sans++;
        }
        GENERAL_NAMES_free(gens);
    }

    uint8_t sha1[20];
    if (vg_digest(VG_DIGEST_SHA1, der, len, sha1) != VG_OK) {
        rc = VG_ENOMEM;
        goto out_free;
    }
    {
        size_t w = 0;
        for (int i = 0; i < 20; i++) {
            if (i)
                side->fingerprint[w++] = ':';
            snprintf(side->fingerprint + w, 3, "%02x", sha1[i]);
            w += 2;
        }
        side->fingerprint[w] = '\0';
    }

    free(side->subject);
    free(side->issuer);
    free(side->serial);
    side->subject = subject;
    side->subject_len = subject_len;
    side->issuer = issuer;
    side->issuer_len = issuer_len;
    side->serial = serial;
    side->not_before = nb;
    side->not_after = na;
    subject = issuer = serial = NULL;
    rc = VG_OK;

out_free:
    free(subject);
    free(issuer);
    free(serial);
    OPENSSL_free(ider);
    X509_free(x);
    return rc;
}

/* ---- parsed-leaf cache ----
 *
 * Why: with OpenSSL 3, d2i_X509() also decodes the subject public key
 * through the provider decoder machinery (OSSL_DECODER_CTX_new_for_pkey:
 * ~300,000 instructions and dozens of lock round trips per certificate),
 * which made certificate parsing the largest single cost of the TLS parser
 * on the benchmark capture. Servers send the same leaf to every client, so
 * the fields extracted from a leaf are kept, keyed by the exact DER bytes
 * (compared in full: no hash collision can hand out another cert's fields).
 *
 * Process-wide, direct-mapped, X509_CACHE_SLOTS entries, each at most
 * X509_CACHE_MAX_ENTRY bytes (bigger leaves are parsed every time), so the
 * cache never holds more than ~1 MiB. One mutex: lookups happen once per
 * TLS session per side, not per packet. Entries live until the process
 * exits (still reachable then, nothing to free). */
#define X509_CACHE_SLOTS 64
#define X509_CACHE_MAX_ENTRY (16u * 1024u)

typedef struct x509_cached {
    uint8_t *der;
    uint32_t der_len;
    uint32_t max_sans; /* the cap the entry was made with (part of the key) */
    bool sans_capped;
    char *subject;
    uint32_t subject_len;
    char *issuer;
    uint32_t issuer_len;
    char *serial;
    char fingerprint[60];
    int64_t not_before, not_after;
    char **sans;
    uint32_t *san_lens;
    uint32_t n_sans;
} x509_cached_t;

static pthread_mutex_t x509_cache_mu = PTHREAD_MUTEX_INITIALIZER;
static x509_cached_t x509_cache[X509_CACHE_SLOTS];

static size_t
x509_cache_slot(const uint8_t *der, uint32_t len)
{
    /* FNV-1a over the tail (signature bytes: they differ between certs) */
    uint64_t h = 0xcbf29ce484222325ull ^ len;
    uint32_t from = len > 64 ? len - 64 : 0;
    for (uint32_t i = from; i < len; i++)
        h = (h ^ der[i]) * 0x100000001b3ull;
    return (size_t)(h % X509_CACHE_SLOTS);
}

static void
x509_cached_clear(x509_cached_t *e)
{
    free(e->der);
    free(e->subject);
    free(e->issuer);
    free(e->serial);
    for (uint32_t i = 0; i < e->n_sans; i++)
        free(e->sans[i]);
    free(e->sans);
    free(e->san_lens);
    memset(e, 0, sizeof(*e));
}

static char *
x509_memdup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Fill side from a cached entry as x509_leaf_parse() would. true on a hit
 * (all copies made); false on a miss or ENOMEM (side untouched then). */
static bool
x509_cache_get(vg_tls_side_t *side, const uint8_t *der, uint32_t len, uint32_t max_sans,
               bool *sans_capped)
{
    bool hit = false;
    pthread_mutex_lock(&x509_cache_mu);
    const x509_cached_t *e = &x509_cache[x509_cache_slot(der, len)];
    if (e->der == NULL || e->der_len != len || e->max_sans != max_sans ||
        memcmp(e->der, der, len) != 0)
        goto out;
    char *subject = x509_memdup(e->subject, e->subject_len);
    char *issuer = x509_memdup(e->issuer, e->issuer_len);
    char *serial = x509_memdup(e->serial, strlen(e->serial));
    char **sans = e->n_sans ? calloc(e->n_sans, sizeof(char *)) : NULL;
    uint32_t *san_lens = e->n_sans ? malloc(sizeof(uint32_t) * e->n_sans) : NULL;
    bool ok = subject && issuer && serial && (e->n_sans == 0 || (sans && san_lens));
    for (uint32_t i = 0; ok && i < e->n_sans; i++) {
        sans[i] = x509_memdup(e->sans[i], e->san_lens[i]);
        san_lens[i] = e->san_lens[i];
        ok = sans[i] != NULL;
    }
    if (!ok) {
        free(subject);
        free(issuer);
        free(serial);
        for (uint32_t i = 0; sans != NULL && i < e->n_sans; i++)
            free(sans[i]);
        free(sans);
        free(san_lens);
        goto out;
    }
    x509_free_sans(side);
    side->sans = sans;
    side->san_lens = san_lens;
    side->n_sans = e->n_sans;
    free(side->subject);
    free(side->issuer);
    free(side->serial);
    side->subject = subject;
    side->subject_len = e->subject_len;
    side->issuer = issuer;
    side->issuer_len = e->issuer_len;
    side->serial = serial;
    side->not_before = e->not_before;
    side->not_after = e->not_after;
    memcpy(side->fingerprint, e->fingerprint, sizeof(side->fingerprint));
    *sans_capped = e->sans_capped;
    hit = true;
out:
    pthread_mutex_unlock(&x509_cache_mu);
    return hit;
}

/* Remember what x509_leaf_parse() just put in side (best effort). */
static void
x509_cache_put(const vg_tls_side_t *side, const uint8_t *der, uint32_t len, uint32_t max_sans,
               bool sans_capped)
{
    size_t need = (size_t)len + side->subject_len + side->issuer_len + strlen(side->serial);
    for (uint32_t i = 0; i < side->n_sans; i++)
        need += side->san_lens[i] + sizeof(char *) + sizeof(uint32_t);
    if (need > X509_CACHE_MAX_ENTRY)
        return;
    x509_cached_t n = {0};
    n.der = malloc(len);
    n.subject = x509_memdup(side->subject, side->subject_len);
    n.issuer = x509_memdup(side->issuer, side->issuer_len);
    n.serial = x509_memdup(side->serial, strlen(side->serial));
    n.sans = side->n_sans ? calloc(side->n_sans, sizeof(char *)) : NULL;
    n.san_lens = side->n_sans ? malloc(sizeof(uint32_t) * side->n_sans) : NULL;
    bool ok = n.der && n.subject && n.issuer && n.serial &&
              (side->n_sans == 0 || (n.sans && n.san_lens));
    for (uint32_t i = 0; ok && i < side->n_sans; i++) {
        n.sans[i] = x509_memdup(side->sans[i], side->san_lens[i]);
        n.san_lens[i] = side->san_lens[i];
        ok = n.sans[i] != NULL;
        n.n_sans = i + 1; /* so a failure frees what was made */
    }
    if (!ok) {
        x509_cached_clear(&n);
        return;
    }
    memcpy(n.der, der, len);
    n.der_len = len;
    n.max_sans = max_sans;
    n.sans_capped = sans_capped;
    n.subject_len = side->subject_len;
    n.issuer_len = side->issuer_len;
    n.not_before = side->not_before;
    n.not_after = side->not_after;
    memcpy(n.fingerprint, side->fingerprint, sizeof(n.fingerprint));
    pthread_mutex_lock(&x509_cache_mu);
    x509_cached_t *e = &x509_cache[x509_cache_slot(der, len)];
    x509_cached_t old = *e;
    *e = n;
    pthread_mutex_unlock(&x509_cache_mu);
    x509_cached_clear(&old);
}

int
vg_tls_x509_leaf(vg_tls_side_t *side, const uint8_t *der, uint32_t len, uint32_t max_sans,
                 bool *sans_capped)
{
    if (der != NULL && len > 0 && x509_cache_get(side, der, len, max_sans, sans_capped))
        return VG_OK;
    int rc = x509_leaf_parse(side, der, len, max_sans, sans_capped);
    if (rc == VG_OK && der != NULL && len > 0 && side->subject != NULL && side->issuer != NULL &&
        side->serial != NULL)
        x509_cache_put(side, der, len, max_sans, *sans_capped);
    return rc;
}

void
vg_tls_cert_digests(vg_tls_cert_t *cert)
{
    if (vg_digest(VG_DIGEST_SHA1, cert->der, cert->len, cert->sha1) != VG_OK)
        memset(cert->sha1, 0, sizeof(cert->sha1));
    if (vg_digest(VG_DIGEST_SHA256, cert->der, cert->len, cert->sha256) != VG_OK)
        memset(cert->sha256, 0, sizeof(cert->sha256));
}
