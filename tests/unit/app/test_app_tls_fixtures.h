/* test_app_tls_fixtures.h - builders for TLS wire bytes used by the TLS
 * unit tests: records, handshake messages, hellos with chosen fields, and
 * a self-signed certificate made with OpenSSL at test time (so the
 * expected subject/serial/dates are known exactly).
 *
 * Wire layouts (RFC 5246 / 8446):
 *   record    = type(1) version(2) length(2) body
 *   handshake = type(1) length(3) body
 *   ClientHello body = version(2) random(32) sid_len(1) sid
 *                      cipher_len(2) ciphers compr_len(1) compr
 *                      ext_len(2) { type(2) len(2) data }*
 */
#ifndef TEST_APP_TLS_FIXTURES_H
#define TEST_APP_TLS_FIXTURES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

typedef struct tb {
    uint8_t b[65536];
    size_t n;
} tb_t;

static inline void tb_u8(tb_t *t, uint8_t v) { t->b[t->n++] = v; }
static inline void tb_u16(tb_t *t, uint16_t v) { tb_u8(t, (uint8_t)(v >> 8)); tb_u8(t, (uint8_t)v); }
static inline void tb_u24(tb_t *t, uint32_t v) { tb_u8(t, (uint8_t)(v >> 16)); tb_u16(t, (uint16_t)v); }
static inline void tb_bytes(tb_t *t, const void *p, size_t n) { memcpy(t->b + t->n, p, n); t->n += n; }
/* Back-patch a length field of `w` bytes at `at` with the bytes written since at+w. */
static inline void
tb_patch(tb_t *t, size_t at, int w)
{
    size_t len = t->n - at - (size_t)w;
    for (int i = w - 1; i >= 0; i--) {
        t->b[at + (size_t)i] = (uint8_t)len;
        len >>= 8;
    }
}

/* hello description */
typedef struct hello {
    uint16_t version;
    const uint16_t *ciphers;
    size_t n_ciphers;
    const char *sni;             /* NULL: no SNI extension */
    const char *const *alpn;     /* NULL-terminated list, or NULL */
    const uint16_t *groups;
    size_t n_groups;
    const uint8_t *pf;
    size_t n_pf;
    const uint16_t *sigalgs;
    size_t n_sigalgs;
    const uint16_t *sv;          /* supported_versions list */
    size_t n_sv;
    uint16_t sv_server;          /* ServerHello supported_versions value (0: none) */
    const uint16_t *extra_exts;  /* empty extensions of these types, appended in order */
    size_t n_extra;
    const uint8_t *sid;
    uint8_t sid_len;
    bool no_exts;
} hello_t;

/* Build a ClientHello (client=true) or ServerHello handshake message into t. */
static inline void
tb_hello(tb_t *t, const hello_t *h, bool client)
{
    tb_u8(t, client ? 1 : 2);
    size_t hl = t->n;
    tb_u24(t, 0);
    tb_u16(t, h->version);
    for (int i = 0; i < 32; i++)
        tb_u8(t, (uint8_t)(client ? 0x11 : 0x22));
    tb_u8(t, h->sid_len);
    if (h->sid_len)
        tb_bytes(t, h->sid, h->sid_len);
    if (client) {
        tb_u16(t, (uint16_t)(h->n_ciphers * 2));
        for (size_t i = 0; i < h->n_ciphers; i++)
            tb_u16(t, h->ciphers[i]);
        tb_u8(t, 1);
        tb_u8(t, 0);
    } else {
        tb_u16(t, h->n_ciphers ? h->ciphers[0] : 0x002f);
        tb_u8(t, 0);
    }
    if (!h->no_exts) {
        size_t el = t->n;
        tb_u16(t, 0);
        if (h->sni) {
            tb_u16(t, 0x0000);
            size_t a = t->n;
            tb_u16(t, 0);
            if (client) {
                size_t b = t->n;
                tb_u16(t, 0);
                tb_u8(t, 0);
                tb_u16(t, (uint16_t)strlen(h->sni));
                tb_bytes(t, h->sni, strlen(h->sni));
                tb_patch(t, b, 2);
            }
            tb_patch(t, a, 2);
        }
        if (h->groups) {
            tb_u16(t, 0x000a);
            size_t a = t->n;
            tb_u16(t, 0);
            tb_u16(t, (uint16_t)(h->n_groups * 2));
            for (size_t i = 0; i < h->n_groups; i++)
                tb_u16(t, h->groups[i]);
            tb_patch(t, a, 2);
        }
        if (h->pf) {
            tb_u16(t, 0x000b);
            size_t a = t->n;
            tb_u16(t, 0);
            tb_u8(t, (uint8_t)h->n_pf);
            tb_bytes(t, h->pf, h->n_pf);
            tb_patch(t, a, 2);
        }
        if (h->sigalgs) {
            tb_u16(t, 0x000d);
            size_t a = t->n;
            tb_u16(t, 0);
            tb_u16(t, (uint16_t)(h->n_sigalgs * 2));
            for (size_t i = 0; i < h->n_sigalgs; i++)
                tb_u16(t, h->sigalgs[i]);
            tb_patch(t, a, 2);
        }
        if (h->alpn) {
            tb_u16(t, 0x0010);
            size_t a = t->n;
            tb_u16(t, 0);
            size_t b = t->n;
            tb_u16(t, 0);
            for (const char *const *p = h->alpn; *p; p++) {
                tb_u8(t, (uint8_t)strlen(*p));
                tb_bytes(t, *p, strlen(*p));
            }
            tb_patch(t, b, 2);
            tb_patch(t, a, 2);
        }
        if (client && h->sv) {
            tb_u16(t, 0x002b);
            size_t a = t->n;
            tb_u16(t, 0);
            tb_u8(t, (uint8_t)(h->n_sv * 2));
            for (size_t i = 0; i < h->n_sv; i++)
                tb_u16(t, h->sv[i]);
            tb_patch(t, a, 2);
        }
        if (!client && h->sv_server) {
            tb_u16(t, 0x002b);
            tb_u16(t, 2);
            tb_u16(t, h->sv_server);
        }
        for (size_t i = 0; i < h->n_extra; i++) {
            tb_u16(t, h->extra_exts[i]);
            tb_u16(t, 0);
        }
        tb_patch(t, el, 2);
    }
    tb_patch(t, hl, 3);
}

/* Certificate message carrying `n` DER certs. */
static inline void
tb_certificate(tb_t *t, const uint8_t *const *der, const size_t *len, size_t n)
{
    tb_u8(t, 11);
    size_t hl = t->n;
    tb_u24(t, 0);
    size_t cl = t->n;
    tb_u24(t, 0);
    for (size_t i = 0; i < n; i++) {
        tb_u24(t, (uint32_t)len[i]);
        tb_bytes(t, der[i], len[i]);
    }
    tb_patch(t, cl, 3);
    tb_patch(t, hl, 3);
}

/* Wrap handshake bytes [from, to) of src into records of at most `frag`
 * body bytes each, appended to out. */
static inline void
tb_records(tb_t *out, uint8_t type, uint16_t ver, const uint8_t *src, size_t n, size_t frag)
{
    size_t off = 0;
    do {
        size_t k = n - off < frag ? n - off : frag;
        tb_u8(out, type);
        tb_u16(out, ver);
        tb_u16(out, (uint16_t)k);
        tb_bytes(out, src + off, k);
        off += k;
    } while (off < n);
}

/* A self-signed EC certificate: subject = issuer =
 * "C=US, ST=Test State, O=Vigil Test, CN=test.example" (+ SAN DNS names),
 * serial 0x00c7d4288b (DER keeps the leading 00 since 0xc7 has the top bit),
 * notBefore 2016-08-17T07:37:06, notAfter 2030-01-01T00:00:00.
 * Returns malloc'd DER (caller frees) and its length. */
static inline uint8_t *
make_cert(size_t *len)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER *sn = ASN1_INTEGER_new();
    BIGNUM *bn = BN_new();
    BN_hex2bn(&bn, "C7D4288B");
    BN_to_ASN1_INTEGER(bn, sn);
    X509_set_serialNumber(x, sn);
    ASN1_TIME_set(X509_getm_notBefore(x), 1471419426); /* 2016-08-17T07:37:06Z */
    ASN1_TIME_set(X509_getm_notAfter(x), 1893456000);  /* 2030-01-01T00:00:00Z */
    X509_NAME *nm = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(nm, "C", MBSTRING_ASC, (const unsigned char *)"US", -1, -1, 0);
    X509_NAME_add_entry_by_txt(nm, "ST", MBSTRING_ASC, (const unsigned char *)"Test State", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC, (const unsigned char *)"Vigil Test", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"test.example",
                               -1, -1, 0);
    X509_set_issuer_name(x, nm);
    X509_set_pubkey(x, key);
    X509_EXTENSION *ext =
        X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, "DNS:test.example,DNS:www.test.example");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    X509_sign(x, key, EVP_sha256());
    unsigned char *der = NULL;
    int l = i2d_X509(x, &der);
    uint8_t *out = malloc((size_t)l);
    memcpy(out, der, (size_t)l);
    *len = (size_t)l;
    OPENSSL_free(der);
    BN_free(bn);
    ASN1_INTEGER_free(sn);
    X509_free(x);
    EVP_PKEY_free(key);
    return out;
}

#endif
