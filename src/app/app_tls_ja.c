/* app_tls_ja.c - JA3 / JA3S (salesforce/ja3 README) and JA4 for TLS over
 * TCP (FoxIO-LLC/ja4 technical_details/JA4.md, the BSD-3 part).
 *
 * JA4S, JA4H, JA4X, JA4T... are under the FoxIO License 1.1 and are
 * deliberately not implemented.
 */
#include "app/app_tls.h"
#include "util/util_digest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* Growable text buffer for the JA3 string; stops (and reports) on ENOMEM. */
typedef struct ja_buf {
    char *s;
    size_t len;
    size_t cap;
    bool oom;
} ja_buf_t;

static void
ja_put(ja_buf_t *b, const char *txt, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, txt, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void
ja_put_list16(ja_buf_t *b, const uint16_t *v, uint32_t n)
{
    char tmp[8];
    bool first = true;
    for (uint32_t i = 0; i < n; i++) {
        if (vg_tls_is_grease(v[i]))
            continue;
        int k = snprintf(tmp, sizeof(tmp), "%s%u", first ? "" : "-", (unsigned)v[i]);
        ja_put(b, tmp, (size_t)k);
        first = false;
    }
}

static void
ja_hex(const uint8_t *d, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[2 * n] = '\0';
}

int
vg_tls_ja3(vg_tls_side_t *side, bool client)
{
    ja_buf_t b = {0};
    char tmp[16];
    int k = snprintf(tmp, sizeof(tmp), "%u,", (unsigned)side->hello_version);
    ja_put(&b, tmp, (size_t)k);
    ja_put_list16(&b, side->ciphers, side->n_ciphers);
    ja_put(&b, ",", 1);
    ja_put_list16(&b, side->exts, side->n_exts);
    if (client) {
        ja_put(&b, ",", 1);
        ja_put_list16(&b, side->groups, side->n_groups);
        ja_put(&b, ",", 1);
        bool first = true;
        for (uint32_t i = 0; i < side->n_ec_pf; i++) {
            k = snprintf(tmp, sizeof(tmp), "%s%u", first ? "" : "-", (unsigned)side->ec_pf[i]);
            ja_put(&b, tmp, (size_t)k);
            first = false;
        }
    }
    if (b.oom || b.s == NULL) {
        free(b.s);
        return VG_ENOMEM;
    }
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(b.s, b.len, md, &mdlen, vg_digest_md(VG_DIGEST_MD5), NULL) != 1 || mdlen != 16) {
        free(b.s);
        return VG_ENOMEM;
    }
    free(side->ja3_str);
    side->ja3_str = b.s;
    ja_hex(md, 16, side->ja3_hash);
    return VG_OK;
}

static int
ja4_cmp16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

static const char *
ja4_version(uint16_t v)
{
    switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
    }
}

static bool
ja4_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* sha256 of "a,b,c" (4-hex-digit items) [+ "_" + sigalgs], first 12 hex
 * chars into out (13 bytes). Lists are small (capped by the tls limits). */
static void
ja4_hash_lists(const uint16_t *a, uint32_t na, const uint16_t *s, uint32_t ns, char *out)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    char item[8];
    if (ctx == NULL || EVP_DigestInit_ex(ctx, vg_digest_md(VG_DIGEST_SHA256), NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        memcpy(out, "000000000000", 13);
        return;
    }
    for (uint32_t i = 0; i < na; i++) {
        int k = snprintf(item, sizeof(item), "%s%04x", i ? "," : "", (unsigned)a[i]);
        EVP_DigestUpdate(ctx, item, (size_t)k);
    }
    if (ns > 0) {
        EVP_DigestUpdate(ctx, "_", 1);
        for (uint32_t i = 0; i < ns; i++) {
            int k = snprintf(item, sizeof(item), "%s%04x", i ? "," : "", (unsigned)s[i]);
            EVP_DigestUpdate(ctx, item, (size_t)k);
        }
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    ja_hex(md, mdlen, hex);
    memcpy(out, hex, 12);
    out[12] = '\0';
}

void
vg_tls_ja4_compute(char proto, uint16_t version, bool sni, const uint16_t *ciphers,
                   uint32_t n_ciphers, const uint16_t *exts, uint32_t n_exts,
                   const uint16_t *sigalgs, uint32_t n_sigalgs, const uint8_t *alpn,
                   uint32_t alpn_len, char *out)
{
    /* Copies without GREASE; sorted copies for the hashes. The counts are
     * bounded by tls_max_ciphers / tls_max_extensions upstream. */
    uint16_t *c = malloc(sizeof(uint16_t) * (n_ciphers + 1));
    uint16_t *e = malloc(sizeof(uint16_t) * (n_exts + 1));
    uint16_t *s = malloc(sizeof(uint16_t) * (n_sigalgs + 1));
    if (c == NULL || e == NULL || s == NULL) {
        free(c);
        free(e);
        free(s);
        out[0] = '\0';
        return;
    }
    uint32_t nc = 0, ne_all = 0, ne = 0, ns = 0;
    for (uint32_t i = 0; i < n_ciphers; i++)
        if (!vg_tls_is_grease(ciphers[i]))
            c[nc++] = ciphers[i];
    for (uint32_t i = 0; i < n_exts; i++) {
        if (vg_tls_is_grease(exts[i]))
            continue;
        ne_all++;
        if (exts[i] != 0x0000 && exts[i] != 0x0010)
            e[ne++] = exts[i];
    }
    for (uint32_t i = 0; i < n_sigalgs; i++)
        if (!vg_tls_is_grease(sigalgs[i]))
            s[ns++] = sigalgs[i];
    qsort(c, nc, sizeof(uint16_t), ja4_cmp16);
    qsort(e, ne, sizeof(uint16_t), ja4_cmp16);

    char a_alpn[3] = "00";
    if (alpn != NULL && alpn_len > 0) {
        uint8_t f = alpn[0], l = alpn[alpn_len - 1];
        if (ja4_alnum(f) && ja4_alnum(l)) {
            a_alpn[0] = (char)f;
            a_alpn[1] = (char)l;
        } else {
            static const char hx[] = "0123456789abcdef";
            a_alpn[0] = hx[f >> 4];
            a_alpn[1] = hx[l & 15];
        }
    }
    char hb[13], hc[13];
    if (nc == 0)
        memcpy(hb, "000000000000", 13);
    else
        ja4_hash_lists(c, nc, NULL, 0, hb);
    if (ne == 0)
        memcpy(hc, "000000000000", 13);
    else
        ja4_hash_lists(e, ne, s, ns, hc);
    snprintf(out, 37, "%c%s%c%02u%02u%c%c_%s_%s", proto, ja4_version(version), sni ? 'd' : 'i',
             (unsigned)VG_MIN(nc, 99u), (unsigned)VG_MIN(ne_all, 99u), a_alpn[0], a_alpn[1], hb,
             hc);
    free(c);
    free(e);
    free(s);
}

void
vg_tls_ja4(vg_tls_side_t *side)
{
    uint16_t v = side->sv_max ? side->sv_max : side->hello_version;
    const uint8_t *alpn = NULL;
    uint32_t alpn_len = 0;
    if (side->n_alpns > 0) {
        alpn = (const uint8_t *)side->alpns[0];
        alpn_len = side->alpn_lens[0];
    }
    vg_tls_ja4_compute('t', v, side->has_sni_ext, side->ciphers, side->n_ciphers, side->exts,
                       side->n_exts, side->sigalgs, side->n_sigalgs, alpn, alpn_len, side->ja4);
}
