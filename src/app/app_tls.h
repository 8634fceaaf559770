/* app_tls.h - TLS/SSL parser: records, handshakes, certificates, JA3/JA3S/JA4.
 *
 * One transaction per flow, as Suricata's SSLState (tx_id 0): it carries
 * what the client and the server sent (hello fields, SNI, ALPN, the
 * server's and the client's certificate chain) and is handed to
 * ctx->emit() once, when both directions have finished their handshake
 * (Suricata's TLS_STATE_*_HANDSHAKE_DONE progress) or at flow end.
 *
 * The structures below are read by the EVE serializer
 * (output_eve_tls.c) and by tests; the parser owns them.
 */
#ifndef VG_APP_TLS_H
#define VG_APP_TLS_H

#include "app/app.h"

/* Versions as Suricata keeps them (major byte, minor byte); the 0x7f..
 * and 0xfb.. values are TLS 1.3 drafts. */
#define VG_TLS_VERSION_UNKNOWN 0x0000
#define VG_SSL_VERSION_2 0x0200
#define VG_SSL_VERSION_3 0x0300
#define VG_TLS_VERSION_10 0x0301
#define VG_TLS_VERSION_11 0x0302
#define VG_TLS_VERSION_12 0x0303
#define VG_TLS_VERSION_13 0x0304
#define VG_TLS_VERSION_13_PRE_DRAFT16 0x7f01

/* tx flags (Suricata's SSL_AL_FLAG_* that matter for logging) */
#define VG_TLS_F_CLIENT_HELLO     (1u << 0)
#define VG_TLS_F_SERVER_HELLO     (1u << 1)
#define VG_TLS_F_SESSION_RESUMED  (1u << 2)  /* session id echoed, or session ticket offered */
#define VG_TLS_F_LOG_WITHOUT_CERT (1u << 3)  /* TLS 1.3: no certificate will be visible */
#define VG_TLS_F_CH_VERSION_EXT   (1u << 4)  /* client sent supported_versions */
#define VG_TLS_F_EARLY_DATA       (1u << 5)
#define VG_TLS_F_NEED_CLIENT_CERT (1u << 6)  /* server sent CertificateRequest */
#define VG_TLS_F_SSLV2_CLIENT_HS  (1u << 7)
#define VG_TLS_F_SSLV2_SERVER_HS  (1u << 8)
#define VG_TLS_F_HEARTBEAT        (1u << 9)

typedef struct vg_tls_cert {
    uint8_t *der;       /* owned copy of the DER bytes */
    uint32_t len;
    uint8_t sha1[20];
    uint8_t sha256[32];
} vg_tls_cert_t;

/* What one side (client = toserver, server = toclient) sent. */
typedef struct vg_tls_side {
    uint16_t version;          /* Suricata's connp->version (record, hello, supported_versions) */
    uint16_t hello_version;    /* legacy_version field of the hello */
    bool hello_seen;
    bool ccs_seen;             /* ChangeCipherSpec sent: later handshakes are encrypted */

    /* hello fields (GREASE removed), capped by the tls_max_* limits */
    uint16_t *ciphers;         /* client: offered; server: chosen (1) */
    uint32_t n_ciphers;
    uint16_t *exts;            /* extension types in wire order */
    uint32_t n_exts;
    uint16_t *groups;          /* supported_groups (elliptic curves) */
    uint32_t n_groups;
    uint8_t *ec_pf;            /* ec_point_formats */
    uint32_t n_ec_pf;
    uint16_t *sigalgs;         /* signature_algorithms in wire order (GREASE kept, as JA4 wants) */
    uint32_t n_sigalgs;
    uint16_t sv_max;           /* highest supported_versions value (not GREASE), 0 = none */
    uint16_t hs_version;       /* Suricata's handshake version (EVE *_handshake.version):
                                * client: max(legacy version, first valid supported
                                * version); server: the ServerHello legacy version */
    bool tls_hello;            /* a TLS (not SSLv2) hello was parsed */
    bool has_sni_ext;          /* SNI extension present (JA4 'd') */
    uint8_t session_id[32];
    uint8_t session_id_len;
    uint8_t random[32];

    char *sni;                 /* host_name from the SNI extension (client) */
    uint32_t sni_len;
    char **alpns;              /* ALPN protocol names, NUL-terminated copies */
    uint32_t *alpn_lens;
    uint32_t n_alpns;

    /* certificate chain and the leaf's extracted fields */
    vg_tls_cert_t *certs;
    uint32_t n_certs;
    bool cert_msg_seen;        /* one Certificate message per side is parsed */
    char *subject;             /* Suricata's "C=US, O=..., CN=..." form; may hold NULs */
    uint32_t subject_len;
    char *issuer;
    uint32_t issuer_len;
    char *serial;              /* "0A:1B:..." */
    char fingerprint[60];      /* "aa:bb:..." SHA-1 of the leaf; "" if none */
    int64_t not_before;        /* seconds since the epoch; 0 = absent */
    int64_t not_after;
    char **sans;               /* subjectAltName values */
    uint32_t *san_lens;
    uint32_t n_sans;

    /* fingerprints (computed when the hello is parsed) */
    char *ja3_str;             /* JA3 (client) / JA3S (server) string */
    char ja3_hash[33];         /* md5 hex; "" if none */
    char ja4[37];              /* client only; "" if none */
} vg_tls_side_t;

typedef struct vg_tls_tx {
    uint64_t tx_id;            /* always 0: one tx per flow, as Suricata */
    uint32_t flags;            /* VG_TLS_F_* */
    vg_tls_side_t client;
    vg_tls_side_t server;
    uint32_t n_events;         /* anomalies raised on this flow */
    uint64_t records[2];       /* records seen per direction */
    uint64_t app_records[2];   /* encrypted application-data records per direction */
    uint64_t alerts[2];
    const char *from_proto;    /* "http" when TLS started after a protocol change
                                * (HTTP CONNECT), else NULL: EVE tls.from_proto */
} vg_tls_tx_t;

/* Suricata's name of a version: "TLSv1", "TLS 1.2", "TLS 1.3", "TLS 1.3 draft-28",
 * "SSLv3", "UNDETERMINED", else the number in decimal (Suricata 8's
 * SSLVersionToString). buf >= 24 bytes; returns buf. */
const char *vg_tls_version_name(uint16_t version, char *buf, size_t buflen);

/* Whether Suricata would write a `tls` record for this tx: a leaf certificate
 * with subject and issuer, a resumed session, or TLS 1.3 (no certificate
 * visible). `session_resumption` = outputs.eve-log.types.tls.session-resumption. */
bool vg_tls_tx_loggable(const vg_tls_tx_t *tx, bool session_resumption);

/* GREASE values (draft-davidben-tls-grease): 0x?a?a with equal bytes. */
static inline bool
vg_tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* ---- app_tls_x509.c: certificate fields with OpenSSL ---- */

/* Decode one DER certificate and fill side->subject/issuer/serial/
 * fingerprint/not_before/not_after/sans (all freed by vg_tls_side_fini).
 * Returns VG_OK, VG_EINVAL if the certificate does not decode (nothing is
 * filled), VG_ENOMEM. max_sans caps subjectAltName entries; *sans_capped is
 * set when it was hit. */
int vg_tls_x509_leaf(vg_tls_side_t *side, const uint8_t *der, uint32_t len, uint32_t max_sans,
                     bool *sans_capped);
/* SHA-1 and SHA-256 of a cert (stored in cert->sha1/sha256). */
void vg_tls_cert_digests(vg_tls_cert_t *cert);

/* ---- app_tls_ja.c: JA3/JA3S/JA4 ---- */

/* JA3 of a client hello or JA3S of a server hello (side->ja3_str and
 * side->ja3_hash). VG_OK or VG_ENOMEM. */
int vg_tls_ja3(vg_tls_side_t *side, bool client);
/* JA4 (TLS over TCP, FoxIO JA4.md) of a client hello into side->ja4. */
void vg_tls_ja4(vg_tls_side_t *side);
/* JA4 from explicit fields (used by the above and by the spec vectors).
 * alpn may be NULL. out >= 37 bytes. */
void vg_tls_ja4_compute(char proto, uint16_t version, bool sni, const uint16_t *ciphers,
                        uint32_t n_ciphers, const uint16_t *exts, uint32_t n_exts,
                        const uint16_t *sigalgs, uint32_t n_sigalgs, const uint8_t *alpn,
                        uint32_t alpn_len, char *out);

/* Free everything a side owns (the struct itself is the caller's). */
void vg_tls_side_fini(vg_tls_side_t *side);

#endif
