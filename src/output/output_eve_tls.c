/* output_eve_tls.c - the EVE "tls" object, field for field as Suricata 8.0
 * (output-json-tls.c) writes it: which fields depend on types.tls
 * (basic / extended / custom) and on the JA3/JA4 switches; the order is
 * Suricata's.
 */
#include "output/output_eve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/app_tls.h"

/* Suricata's BASIC_FIELDS and EXTENDED_FIELDS. */
#define TLS_BASIC (VG_EVE_TLS_F_SUBJECT | VG_EVE_TLS_F_ISSUER | VG_EVE_TLS_F_SUBJECTALTNAME)
#define TLS_EXTENDED                                                                              \
    (TLS_BASIC | VG_EVE_TLS_F_VERSION | VG_EVE_TLS_F_SERIAL | VG_EVE_TLS_F_FINGERPRINT |          \
     VG_EVE_TLS_F_NOTBEFORE | VG_EVE_TLS_F_NOTAFTER | VG_EVE_TLS_F_JA3 | VG_EVE_TLS_F_JA3S |       \
     VG_EVE_TLS_F_JA4 | VG_EVE_TLS_F_CLIENT | VG_EVE_TLS_F_CLIENT_ALPNS |                         \
     VG_EVE_TLS_F_SERVER_ALPNS | VG_EVE_TLS_F_SNI)

static const struct {
    const char *name;
    uint64_t bit;
} tls_custom_names[] = {
    {"version", VG_EVE_TLS_F_VERSION},
    {"subject", VG_EVE_TLS_F_SUBJECT},
    {"issuer", VG_EVE_TLS_F_ISSUER},
    {"serial", VG_EVE_TLS_F_SERIAL},
    {"fingerprint", VG_EVE_TLS_F_FINGERPRINT},
    {"not_before", VG_EVE_TLS_F_NOTBEFORE},
    {"not_after", VG_EVE_TLS_F_NOTAFTER},
    {"sni", VG_EVE_TLS_F_SNI},
    {"certificate", VG_EVE_TLS_F_CERTIFICATE},
    {"chain", VG_EVE_TLS_F_CHAIN},
    {"session_resumed", VG_EVE_TLS_F_SESSION_RESUMED},
    {"ja3", VG_EVE_TLS_F_JA3},
    {"ja3s", VG_EVE_TLS_F_JA3S},
    {"client", VG_EVE_TLS_F_CLIENT},
    {"client_certificate", VG_EVE_TLS_F_CLIENT_CERT},
    {"client_chain", VG_EVE_TLS_F_CLIENT_CHAIN},
    {"ja4", VG_EVE_TLS_F_JA4},
    {"subjectaltname", VG_EVE_TLS_F_SUBJECTALTNAME},
    {"client_alpns", VG_EVE_TLS_F_CLIENT_ALPNS},
    {"server_alpns", VG_EVE_TLS_F_SERVER_ALPNS},
    {"client_handshake", VG_EVE_TLS_F_CLIENT_HANDSHAKE},
    {"server_handshake", VG_EVE_TLS_F_SERVER_HANDSHAKE},
};

uint64_t
vg_eve_tls_custom_field(const char *name)
{
    for (size_t i = 0; i < VG_ARRAY_LEN(tls_custom_names); i++)
        if (strcasecmp(name, tls_custom_names[i].name) == 0)
            return tls_custom_names[i].bit;
    return 0;
}

/* The fields this configuration logs (Suricata's OutputTlsInitCtx). */
static uint64_t
tls_fields(const vg_eve_cfg_t *cfg)
{
    uint64_t f;
    if (cfg->tls_custom != 0)
        f = cfg->tls_custom;
    else
        f = cfg->tls_extended ? TLS_EXTENDED : TLS_BASIC;
    if (!cfg->tls_no_session_resumption)
        f |= VG_EVE_TLS_F_SESSION_RESUMED;
    if (f & (VG_EVE_TLS_F_CLIENT_CERT | VG_EVE_TLS_F_CLIENT_CHAIN))
        f |= VG_EVE_TLS_F_CLIENT;
    return f;
}

static void
tls_time(vg_jw_t *jw, const char *key, int64_t secs)
{
    char buf[32];
    struct tm tm;
    time_t t = (time_t)secs;
    if (gmtime_r(&t, &tm) == NULL)
        return;
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    vg_jw_str(jw, key, buf);
}

/* Base64 (RFC 4648, padded) of one certificate as a JSON string. */
static void
tls_b64(vg_jw_t *jw, const char *key, const uint8_t *d, uint32_t n)
{
    static const char tb[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t olen = ((size_t)n + 2) / 3 * 4;
    char stackbuf[4096];
    char *o = olen + 1 <= sizeof(stackbuf) ? stackbuf : malloc(olen + 1);
    if (o == NULL)
        return;
    size_t w = 0;
    for (uint32_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)d[i + 1] << 8;
        if (i + 2 < n)
            v |= d[i + 2];
        o[w++] = tb[(v >> 18) & 63];
        o[w++] = tb[(v >> 12) & 63];
        o[w++] = i + 1 < n ? tb[(v >> 6) & 63] : '=';
        o[w++] = i + 2 < n ? tb[v & 63] : '=';
    }
    o[w] = '\0';
    vg_jw_strn(jw, key, o, w);
    if (o != stackbuf)
        free(o);
}

static void
tls_chain(vg_jw_t *jw, const char *key, const vg_tls_side_t *s)
{
    if (s->n_certs == 0)
        return;
    vg_jw_open_array(jw, key);
    for (uint32_t i = 0; i < s->n_certs; i++)
        tls_b64(jw, NULL, s->certs[i].der, s->certs[i].len);
    vg_jw_close_array(jw);
}

static void
tls_alpns(vg_jw_t *jw, const char *key, const vg_tls_side_t *s)
{
    if (s->n_alpns == 0)
        return;
    vg_jw_open_array(jw, key);
    for (uint32_t i = 0; i < s->n_alpns; i++)
        vg_jw_strn(jw, NULL, s->alpns[i], s->alpn_lens[i]);
    vg_jw_close_array(jw);
}

static void
tls_u16_array(vg_jw_t *jw, const char *key, const uint16_t *v, uint32_t n)
{
    if (n == 0)
        return;
    vg_jw_open_array(jw, key);
    for (uint32_t i = 0; i < n; i++)
        vg_jw_uint(jw, NULL, v[i]);
    vg_jw_close_array(jw);
}

/* handshake "version": Suricata writes it only for a version it names */
static void
tls_hs_version(vg_jw_t *jw, uint16_t v)
{
    char vbuf[32];
    if (v == 0)
        return;
    vg_tls_version_name(v, vbuf, sizeof(vbuf));
    if (vbuf[0] >= '0' && vbuf[0] <= '9')
        return;
    vg_jw_str(jw, "version", vbuf);
}

void
vg_eve_tls_tx(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_app_event_t *ev)
{
    const vg_tls_tx_t *tx = ev->tx;
    if (tx == NULL)
        return;
    const vg_tls_side_t *cl = &tx->client, *sv = &tx->server;
    uint64_t f = tls_fields(cfg);
    char vbuf[32];

    vg_jw_open_object(jw, "tls");
    if ((f & VG_EVE_TLS_F_SUBJECT) && sv->subject)
        vg_jw_strn(jw, "subject", sv->subject, sv->subject_len);
    if ((f & VG_EVE_TLS_F_ISSUER) && sv->issuer)
        vg_jw_strn(jw, "issuerdn", sv->issuer, sv->issuer_len);
    if ((f & VG_EVE_TLS_F_SUBJECTALTNAME) && sv->n_sans > 0) {
        vg_jw_open_array(jw, "subjectaltname");
        for (uint32_t i = 0; i < sv->n_sans; i++)
            vg_jw_strn(jw, NULL, sv->sans[i], sv->san_lens[i]);
        vg_jw_close_array(jw);
    }
    /* resumed only when no certificate was seen and not TLS 1.3 */
    if ((f & VG_EVE_TLS_F_SESSION_RESUMED) && (tx->flags & VG_TLS_F_SESSION_RESUMED) &&
        sv->subject == NULL && sv->issuer == NULL && (tx->flags & VG_TLS_F_SERVER_HELLO) &&
        !(tx->flags & VG_TLS_F_LOG_WITHOUT_CERT))
        vg_jw_bool(jw, "session_resumed", true);
    if ((f & VG_EVE_TLS_F_SERIAL) && sv->serial)
        vg_jw_str(jw, "serial", sv->serial);
    if ((f & VG_EVE_TLS_F_FINGERPRINT) && sv->fingerprint[0])
        vg_jw_str(jw, "fingerprint", sv->fingerprint);
    if ((f & VG_EVE_TLS_F_SNI) && cl->sni)
        vg_jw_strn(jw, "sni", cl->sni, cl->sni_len);
    /* the server's version; when the server never spoke, the client's
     * (Suricata >= 8.0.3, suricata-verify bug-5713-01) */
    if (f & VG_EVE_TLS_F_VERSION)
        vg_jw_str(jw, "version", vg_tls_version_name(sv->version ? sv->version : cl->version,
                                                     vbuf, sizeof(vbuf)));
    if ((f & VG_EVE_TLS_F_NOTBEFORE) && sv->not_before != 0)
        tls_time(jw, "notbefore", sv->not_before);
    if ((f & VG_EVE_TLS_F_NOTAFTER) && sv->not_after != 0)
        tls_time(jw, "notafter", sv->not_after);
    if ((f & VG_EVE_TLS_F_CERTIFICATE) && sv->n_certs > 0)
        tls_b64(jw, "certificate", sv->certs[0].der, sv->certs[0].len);
    if (f & VG_EVE_TLS_F_CHAIN)
        tls_chain(jw, "chain", sv);
    if ((f & VG_EVE_TLS_F_JA3) && cfg->tls_ja3 && cl->ja3_str) {
        vg_jw_open_object(jw, "ja3");
        vg_jw_str(jw, "hash", cl->ja3_hash);
        vg_jw_str(jw, "string", cl->ja3_str);
        vg_jw_close_object(jw);
    }
    if ((f & VG_EVE_TLS_F_JA3S) && cfg->tls_ja3 && sv->ja3_str) {
        vg_jw_open_object(jw, "ja3s");
        vg_jw_str(jw, "hash", sv->ja3_hash);
        vg_jw_str(jw, "string", sv->ja3_str);
        vg_jw_close_object(jw);
    }
    if ((f & VG_EVE_TLS_F_JA4) && !cfg->tls_no_ja4 && cl->ja4[0])
        vg_jw_str(jw, "ja4", cl->ja4);
    if (f & VG_EVE_TLS_F_CLIENT_ALPNS)
        tls_alpns(jw, "client_alpns", cl);
    if (f & VG_EVE_TLS_F_SERVER_ALPNS)
        tls_alpns(jw, "server_alpns", sv);
    /* Suricata's handshake params: written once a TLS hello was parsed; the
     * version key only for a known version */
    if ((f & VG_EVE_TLS_F_CLIENT_HANDSHAKE) && cl->tls_hello) {
        vg_jw_open_object(jw, "client_handshake");
        tls_hs_version(jw, cl->hs_version);
        tls_u16_array(jw, "ciphers", cl->ciphers, cl->n_ciphers);
        tls_u16_array(jw, "exts", cl->exts, cl->n_exts);
        tls_u16_array(jw, "sig_algs", cl->sigalgs, cl->n_sigalgs);
        vg_jw_close_object(jw);
    }
    if ((f & VG_EVE_TLS_F_SERVER_HANDSHAKE) && sv->tls_hello) {
        vg_jw_open_object(jw, "server_handshake");
        tls_hs_version(jw, sv->hs_version);
        vg_jw_uint(jw, "cipher", sv->n_ciphers ? sv->ciphers[0] : 0);
        tls_u16_array(jw, "exts", sv->exts, sv->n_exts);
        vg_jw_close_object(jw);
    }
    if ((f & VG_EVE_TLS_F_CLIENT) && (cl->subject || cl->issuer)) {
        vg_jw_open_object(jw, "client");
        if (cl->subject)
            vg_jw_strn(jw, "subject", cl->subject, cl->subject_len);
        if (cl->issuer)
            vg_jw_strn(jw, "issuerdn", cl->issuer, cl->issuer_len);
        if (cl->fingerprint[0])
            vg_jw_str(jw, "fingerprint", cl->fingerprint);
        if (cl->serial)
            vg_jw_str(jw, "serial", cl->serial);
        if (cl->not_before)
            tls_time(jw, "notbefore", cl->not_before);
        if (cl->not_after)
            tls_time(jw, "notafter", cl->not_after);
        if ((f & VG_EVE_TLS_F_CLIENT_CERT) && cl->n_certs > 0)
            tls_b64(jw, "certificate", cl->certs[0].der, cl->certs[0].len);
        if (f & VG_EVE_TLS_F_CLIENT_CHAIN)
            tls_chain(jw, "chain", cl);
        vg_jw_close_object(jw);
    }
    if (tx->from_proto != NULL)
        vg_jw_str(jw, "from_proto", tx->from_proto);
    vg_jw_close_object(jw);
}
