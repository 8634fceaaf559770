/* app_tls.c - TLS 1.0-1.3 / SSLv3 (and SSLv2 hello) over reassembled TCP.
 *
 * Three resumable layers per direction, each keeping only what it needs
 * across calls, so any chunking of the stream gives the same result:
 *   record layer    5-byte header (or SSLv2 2/3-byte header), then the
 *                   body streamed through without buffering, except
 *                   alerts/heartbeats (first bytes) and SSLv2 records;
 *   handshake layer 4-byte message header, then the message collected
 *                   (bounded by tls_max_handshake) across records;
 *   messages        ClientHello/ServerHello/Certificate/CertificateRequest
 *                   parsed with the bounded cursor once complete.
 * Semantics follow Suricata 8's app-layer-ssl.c: event names, which
 * record errors are fatal, the version kept per side, when the single
 * tx is complete (both sides past their handshake), and what is logged.
 */
#include "app/app_tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_cursor.h"

/* ---- anomalies (Suricata's tls_decoder_event_table names) ---- */

#define TLS_EVENTS(X)                                                          \
    X(INVALID_SSLV2_HEADER)                                                    \
    X(INVALID_TLS_HEADER)                                                      \
    X(INVALID_RECORD_VERSION)                                                  \
    X(INVALID_RECORD_TYPE)                                                     \
    X(INVALID_RECORD_LENGTH)                                                   \
    X(INVALID_HANDSHAKE_MESSAGE)                                               \
    X(HEARTBEAT_MESSAGE)                                                       \
    X(INVALID_HEARTBEAT_MESSAGE)                                               \
    X(OVERFLOW_HEARTBEAT_MESSAGE)                                              \
    X(DATALEAK_HEARTBEAT_MISMATCH)                                             \
    X(HANDSHAKE_INVALID_LENGTH)                                                \
    X(MULTIPLE_SNI_EXTENSIONS)                                                 \
    X(INVALID_SNI_TYPE)                                                        \
    X(INVALID_SNI_LENGTH)                                                      \
    X(TOO_MANY_RECORDS_IN_PACKET)                                              \
    X(INVALID_ALERT_MESSAGE)                                                   \
    X(INVALID_CERTIFICATE)                                                     \
    X(CERTIFICATE_INVALID_LENGTH)                                              \
    X(CERTIFICATE_INVALID_DER)                                                 \
    X(ERROR_MESSAGE_ENCOUNTERED)                                               \
    X(TOO_MANY_SUBJECT_ALTERNATIVE_NAMES)                                      \
    X(INVALID_SSL_RECORD)

typedef enum {
#define TLS_EV_ENUM(n) TLS_EV_##n,
    TLS_EVENTS(TLS_EV_ENUM)
#undef TLS_EV_ENUM
        TLS_EV_COUNT
} tls_event_t;

static const char *const tls_event_names[TLS_EV_COUNT] = {
#define TLS_EV_NAME(n) #n,
    TLS_EVENTS(TLS_EV_NAME)
#undef TLS_EV_NAME
};

static vg_counter_id_t c_ev[TLS_EV_COUNT];
static vg_counter_id_t c_records, c_app_records, c_handshakes, c_certs, c_lim_record,
    c_lim_handshake, c_lim_certs, c_lim_ciphers, c_lim_exts, c_lim_sans, c_enomem, c_gap,
    c_parse_error;
static bool c_registered;

static void
tls_register_counters(void)
{
    char name[96];
    for (unsigned i = 0; i < TLS_EV_COUNT; i++) {
        size_t k = (size_t)snprintf(name, sizeof(name), "app_layer.tls.event.");
        for (const char *p = tls_event_names[i]; *p && k + 1 < sizeof(name); p++)
            name[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        name[k] = '\0';
        c_ev[i] = vg_counter_register(name);
    }
    c_records = vg_counter_register("app_layer.tls.records");
    c_app_records = vg_counter_register("app_layer.tls.encrypted_records");
    c_handshakes = vg_counter_register("app_layer.tls.handshake_messages");
    c_certs = vg_counter_register("app_layer.tls.certificates");
    c_lim_record = vg_counter_register("app_layer.tls.limit.max_record");
    c_lim_handshake = vg_counter_register("app_layer.tls.limit.max_handshake");
    c_lim_certs = vg_counter_register("app_layer.tls.limit.max_certificates");
    c_lim_ciphers = vg_counter_register("app_layer.tls.limit.max_ciphers");
    c_lim_exts = vg_counter_register("app_layer.tls.limit.max_extensions");
    c_lim_sans = vg_counter_register("app_layer.tls.limit.max_subjectaltnames");
    c_enomem = vg_counter_register("app_layer.tls.enomem");
    c_gap = vg_counter_register("app_layer.tls.gap");
    c_parse_error = vg_counter_register("app_layer.tls.parse_error");
    c_registered = true;
}

/* ---- state ---- */

enum { TLS_PROG_IN_PROGRESS = 0, TLS_PROG_HANDSHAKE_DONE = 1, TLS_PROG_FINISHED = 2 };

/* record content types */
#define TLS_CT_CCS 20
#define TLS_CT_ALERT 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPDATA 23
#define TLS_CT_HEARTBEAT 24

/* handshake types */
#define TLS_HS_HELLO_REQUEST 0
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_NEW_SESSION_TICKET 4
#define TLS_HS_CERTIFICATE 11
#define TLS_HS_SERVER_KEY_EXCHANGE 12
#define TLS_HS_CERTIFICATE_REQUEST 13
#define TLS_HS_SERVER_HELLO_DONE 14
#define TLS_HS_CERTIFICATE_VERIFY 15
#define TLS_HS_CLIENT_KEY_EXCHANGE 16
#define TLS_HS_FINISHED 20
#define TLS_HS_CERTIFICATE_URL 21
#define TLS_HS_CERTIFICATE_STATUS 22

/* SSLv2 message types */
#define SSLV2_MT_ERROR 0
#define SSLV2_MT_CLIENT_HELLO 1
#define SSLV2_MT_SERVER_HELLO 4

#define TLS_SSLV2_MAX 32768u /* an SSLv2 record cannot be longer (15-bit length) */

typedef struct tls_dir {
    /* record layer */
    uint8_t hdr[5];
    uint8_t hdr_have;
    uint8_t hdr_need;       /* 5 for TLS; 2 or 3 (+1 msg type) for SSLv2 */
    bool sslv2;
    uint8_t rec_type;
    uint32_t rec_len;       /* body length */
    uint32_t rec_left;      /* body bytes still to come */
    bool in_body;
    uint8_t rec_small[8];   /* first bytes of an alert/heartbeat body */
    uint32_t rec_small_have;
    uint8_t *v2buf;         /* SSLv2 record body */
    uint32_t v2have;
    /* handshake layer */
    uint8_t hs_hdr[4];
    uint8_t hs_hdr_have;
    uint32_t hs_len;
    uint32_t hs_have;
    uint8_t *hs_buf;        /* NULL while skipping a message */
    bool hs_skip;
    uint8_t progress;
    bool dead;
} tls_dir_t;

typedef struct tls_state {
    vg_tls_tx_t tx;
    tls_dir_t d[2];
    bool ccs_any;           /* a ChangeCipherSpec in either direction (Suricata's global flag) */
    bool emitted;
    bool hb_inflight;
    bool hb_dir;            /* direction that sent the in-flight heartbeat */
    uint32_t hb_record_len;
    unsigned records_this_call;
} tls_state_t;

/* ---- helpers ---- */

static void
tls_event(vg_app_ctx_t *ctx, tls_state_t *st, int dir, tls_event_t e)
{
    st->tx.n_events++;
    if (c_registered)
        vg_counter_inc(ctx->counters, c_ev[e]);
    if (ctx->emit != NULL) {
        vg_app_event_t ev = {.kind = VG_APP_EV_ANOMALY, .proto = VG_ALPROTO_TLS, .dir = dir,
                             .tx_id = 0, .tx = &st->tx, .anomaly = tls_event_names[e]};
        ctx->emit(ctx, &ev);
    }
}

static void
tls_count(vg_app_ctx_t *ctx, vg_counter_id_t id)
{
    if (c_registered)
        vg_counter_inc(ctx->counters, id);
}

static bool
tls_version_valid(uint16_t v)
{
    if (v >= 0x0300 && v <= 0x0304)
        return true;
    if (v >= 0x7f10 && v <= 0x7f1c)
        return true;
    switch (v) {
    case 0x7f01:
    case 0xfb14:
    case 0xfb15:
    case 0xfb16:
    case 0xfb17:
    case 0xfb1a:
        return true;
    default:
        return false;
    }
}

const char *
vg_tls_version_name(uint16_t v, char *buf, size_t buflen)
{
    const char *s = NULL;
    switch (v) {
    case VG_TLS_VERSION_UNKNOWN: s = "UNDETERMINED"; break;
    case VG_SSL_VERSION_2: s = "SSLv2"; break;
    case VG_SSL_VERSION_3: s = "SSLv3"; break;
    case VG_TLS_VERSION_10: s = "TLSv1"; break;
    case VG_TLS_VERSION_11: s = "TLS 1.1"; break;
    case VG_TLS_VERSION_12: s = "TLS 1.2"; break;
    case VG_TLS_VERSION_13: s = "TLS 1.3"; break;
    case VG_TLS_VERSION_13_PRE_DRAFT16: s = "TLS 1.3 draft-<16"; break;
    case 0xfb14: s = "TLS 1.3 draft-20-fb"; break;
    case 0xfb15: s = "TLS 1.3 draft-21-fb"; break;
    case 0xfb16: s = "TLS 1.3 draft-22-fb"; break;
    case 0xfb17: s = "TLS 1.3 draft-23-fb"; break;
    case 0xfb1a: s = "TLS 1.3 draft-26-fb"; break;
    default: break;
    }
    if (s != NULL)
        snprintf(buf, buflen, "%s", s);
    else if (v >= 0x7f10 && v <= 0x7f1c)
        snprintf(buf, buflen, "TLS 1.3 draft-%u", (unsigned)(v & 0xff));
    else
        snprintf(buf, buflen, "%u", (unsigned)v);
    return buf;
}

bool
vg_tls_tx_loggable(const vg_tls_tx_t *tx, bool session_resumption)
{
    if (tx->server.subject != NULL && tx->server.issuer != NULL)
        return true;
    if ((tx->flags & VG_TLS_F_SESSION_RESUMED) && session_resumption)
        return true;
    return (tx->flags & VG_TLS_F_LOG_WITHOUT_CERT) != 0;
}

static void
tls_strs_free(char **v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void
vg_tls_side_fini(vg_tls_side_t *s)
{
    free(s->ciphers);
    free(s->exts);
    free(s->groups);
    free(s->ec_pf);
    free(s->sigalgs);
    free(s->sni);
    tls_strs_free(s->alpns, s->n_alpns);
    free(s->alpn_lens);
    for (uint32_t i = 0; i < s->n_certs; i++)
        free(s->certs[i].der);
    free(s->certs);
    free(s->subject);
    free(s->issuer);
    free(s->serial);
    tls_strs_free(s->sans, s->n_sans);
    free(s->san_lens);
    free(s->ja3_str);
    memset(s, 0, sizeof(*s));
}

/* Append v to a u16 array capped at `cap`; *capped set when the cap is hit. */
static bool
tls_push16(uint16_t **arr, uint32_t *n, uint16_t v, uint64_t cap, bool *capped)
{
    if (*n >= cap) {
        *capped = true;
        return true;
    }
    uint16_t *p = realloc(*arr, sizeof(uint16_t) * (*n + 1));
    if (p == NULL)
        return false;
    p[*n] = v;
    *arr = p;
    (*n)++;
    return true;
}

/* ---- ClientHello / ServerHello ---- */

/* Extension bodies. Each returns false on a fatal-for-this-hello length
 * problem (Suricata stops reading the extensions there). */
static bool
tls_ext_sni(vg_app_ctx_t *ctx, tls_state_t *st, int dir, vg_tls_side_t *side, vg_cur_t c)
{
    if (vg_cur_left(&c) == 0)
        return true;
    vg_cur_skip(&c, 2); /* list length */
    uint8_t type = vg_cur_u8(&c);
    if (!vg_cur_ok(&c)) {
        tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return false;
    }
    if (type != 0) {
        tls_event(ctx, st, dir, TLS_EV_INVALID_SNI_TYPE);
        return false;
    }
    uint16_t len = vg_cur_u16(&c);
    if (!vg_cur_ok(&c)) {
        tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return false;
    }
    if (len == 0 || len > 255 || len > vg_cur_left(&c)) {
        tls_event(ctx, st, dir, TLS_EV_INVALID_SNI_LENGTH);
        return false;
    }
    if (side->sni != NULL) {
        tls_event(ctx, st, dir, TLS_EV_MULTIPLE_SNI_EXTENSIONS);
        return true;
    }
    const uint8_t *p = vg_cur_take(&c, len);
    char *s = malloc((size_t)len + 1);
    if (s == NULL) {
        tls_count(ctx, c_enomem);
        return false;
    }
    memcpy(s, p, len);
    s[len] = '\0';
    side->sni = s;
    side->sni_len = len;
    return true;
}

static bool
tls_ext_alpn(vg_app_ctx_t *ctx, tls_state_t *st, int dir, vg_tls_side_t *side, vg_cur_t c)
{
    if (vg_cur_left(&c) == 0)
        return true;
    uint16_t total = vg_cur_u16(&c);
    if (!vg_cur_ok(&c) || total > vg_cur_left(&c)) {
        tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return false;
    }
    vg_cur_t l = vg_cur_sub(&c, total);
    while (vg_cur_left(&l) > 0) {
        uint8_t n = vg_cur_u8(&l);
        if (n > vg_cur_left(&l))
            break; /* Suricata skips a protocol that overruns the list */
        const uint8_t *p = vg_cur_take(&l, n);
        if (n == 0)
            continue; /* Suricata keeps no empty protocol name */
        if (side->n_alpns >= ctx->limits->tls_max_extensions)
            break;
        char **na = realloc(side->alpns, sizeof(char *) * (side->n_alpns + 1));
        if (na == NULL)
            return false;
        side->alpns = na;
        uint32_t *nl = realloc(side->alpn_lens, sizeof(uint32_t) * (side->n_alpns + 1));
        if (nl == NULL)
            return false;
        side->alpn_lens = nl;
        char *s = malloc((size_t)n + 1);
        if (s == NULL)
            return false;
        if (n)
            memcpy(s, p, n);
        s[n] = '\0';
        side->alpns[side->n_alpns] = s;
        side->alpn_lens[side->n_alpns] = n;
        side->n_alpns++;
    }
    return true;
}

static bool
tls_ext_supported_versions(vg_app_ctx_t *ctx, tls_state_t *st, int dir, vg_tls_side_t *side,
                           vg_cur_t c, bool client_hello)
{
    if (vg_cur_left(&c) == 0)
        return true;
    if (client_hello) {
        uint8_t n = vg_cur_u8(&c);
        if (!vg_cur_ok(&c) || n < 2 || n > vg_cur_left(&c)) {
            tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
            return false;
        }
        bool picked = false;
        for (uint32_t i = 0; i + 1 < n; i += 2) {
            uint16_t v = vg_cur_u16(&c);
            if (!vg_tls_is_grease(v) && v > side->sv_max)
                side->sv_max = v;
            /* Suricata: the first (preferred) valid version is the client's */
            if (!picked && tls_version_valid(v)) {
                side->version = v;
                if (v > side->hs_version)
                    side->hs_version = v;
                picked = true;
            }
        }
        st->tx.flags |= VG_TLS_F_CH_VERSION_EXT;
    } else {
        uint16_t v = vg_cur_u16(&c);
        if (!vg_cur_ok(&c)) {
            tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
            return false;
        }
        if ((st->tx.flags & VG_TLS_F_CH_VERSION_EXT) && v > VG_TLS_VERSION_12)
            st->tx.flags |= VG_TLS_F_LOG_WITHOUT_CERT;
        side->version = v;
        side->sv_max = v;
    }
    return true;
}

static bool
tls_ext_list16(vg_app_ctx_t *ctx, tls_state_t *st, int dir, vg_cur_t c, uint16_t **arr,
               uint32_t *n, bool drop_grease, bool even)
{
    if (vg_cur_left(&c) == 0)
        return true;
    uint16_t len = vg_cur_u16(&c);
    if (!vg_cur_ok(&c) || len > vg_cur_left(&c) || (even && (len & 1))) {
        tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return false;
    }
    bool capped = false;
    for (uint32_t i = 0; i + 1 < len; i += 2) {
        uint16_t v = vg_cur_u16(&c);
        if (drop_grease && vg_tls_is_grease(v))
            continue;
        if (!tls_push16(arr, n, v, ctx->limits->tls_max_extensions * 4, &capped))
            return false;
    }
    if (capped)
        tls_count(ctx, c_lim_exts);
    return true;
}

static void
tls_parse_hello(vg_app_ctx_t *ctx, tls_state_t *st, int dir, const uint8_t *msg, uint32_t len,
                bool client_hello)
{
    vg_tls_side_t *side = dir == VG_DIR_TOSERVER ? &st->tx.client : &st->tx.server;
    vg_tls_tx_t *tx = &st->tx;
    const vg_limits_t *lim = ctx->limits;
    vg_cur_t c = vg_cur_make(msg, len);
    bool first_hello = !side->hello_seen;

    uint16_t version = vg_cur_u16(&c);
    if (!vg_cur_ok(&c)) {
        tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return;
    }
    side->hello_seen = true;
    side->tls_hello = true;
    side->version = version;
    if (first_hello)
        side->hello_version = version;
    if (!vg_tls_is_grease(version) && version > side->hs_version)
        side->hs_version = version;
    tx->flags |= client_hello ? VG_TLS_F_CLIENT_HELLO : VG_TLS_F_SERVER_HELLO;
    if (!client_hello && (version == VG_TLS_VERSION_13 || (version >> 8) == 0x7f))
        tx->flags |= VG_TLS_F_LOG_WITHOUT_CERT;
    if (version >= 0x7f01 && version < 0x7f10)
        side->version = VG_TLS_VERSION_13_PRE_DRAFT16;
    else if (version == VG_TLS_VERSION_13)
        side->version = VG_TLS_VERSION_13_PRE_DRAFT16;

    vg_cur_copy(&c, side->random, 32);
    if (!vg_cur_ok(&c)) {
        tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
        return;
    }

    /* TLS 1.3 drafts 1-21 removed session id and compression from the
     * ServerHello (the LOG_WITHOUT_CERT flag was just set for them). */
    bool v13_draft_sh = !client_hello && (tx->flags & VG_TLS_F_LOG_WITHOUT_CERT);
    if (!v13_draft_sh) {
        uint8_t sl = vg_cur_u8(&c);
        const uint8_t *sid = vg_cur_take(&c, sl);
        if (!vg_cur_ok(&c)) {
            tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
            return;
        }
        if (sl > 0 && side->session_id_len == 0 && sl <= 32) {
            memcpy(side->session_id, sid, sl);
            side->session_id_len = sl;
            if (!client_hello && tx->client.session_id_len == sl &&
                memcmp(tx->client.session_id, sid, sl) == 0)
                tx->flags |= VG_TLS_F_SESSION_RESUMED;
        }
    }

    /* ciphers: only the first hello of a side feeds the fingerprints */
    bool capped = false;
    if (client_hello) {
        uint16_t cl = vg_cur_u16(&c);
        if (!vg_cur_ok(&c) || cl > vg_cur_left(&c) || (cl & 1)) {
            tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
            return;
        }
        for (uint32_t i = 0; i < cl; i += 2) {
            uint16_t cs = vg_cur_u16(&c);
            if (first_hello && !vg_tls_is_grease(cs) &&
                !tls_push16(&side->ciphers, &side->n_ciphers, cs, lim->tls_max_ciphers,
                            &capped)) {
                tls_count(ctx, c_enomem);
                return;
            }
        }
        if (capped)
            tls_count(ctx, c_lim_ciphers);
    } else {
        uint16_t cs = vg_cur_u16(&c);
        if (!vg_cur_ok(&c)) {
            tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
            return;
        }
        if (first_hello && !vg_tls_is_grease(cs) &&
            !tls_push16(&side->ciphers, &side->n_ciphers, cs, 1, &capped)) {
            tls_count(ctx, c_enomem);
            return;
        }
    }

    if (!v13_draft_sh) {
        if (client_hello) {
            uint8_t ml = vg_cur_u8(&c);
            vg_cur_skip(&c, ml);
        } else {
            vg_cur_skip(&c, 1);
        }
        if (!vg_cur_ok(&c)) {
            tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
            return;
        }
    }

    /* extensions are optional */
    if (vg_cur_left(&c) >= 2) {
        uint16_t el = vg_cur_u16(&c);
        if (el > vg_cur_left(&c)) {
            tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
            goto fingerprints;
        }
        vg_cur_t ec = vg_cur_sub(&c, el);
        uint32_t n_ext = 0;
        while (vg_cur_left(&ec) > 0) {
            uint16_t type = vg_cur_u16(&ec);
            uint16_t l = vg_cur_u16(&ec);
            if (!vg_cur_ok(&ec) || l > vg_cur_left(&ec)) {
                tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
                break;
            }
            vg_cur_t body = vg_cur_sub(&ec, l);
            if (++n_ext > lim->tls_max_extensions) {
                tls_count(ctx, c_lim_exts);
                break;
            }
            bool ok = true;
            switch (type) {
            case 0x0000:
                if (client_hello)
                    side->has_sni_ext = true;
                if (client_hello && first_hello)
                    ok = tls_ext_sni(ctx, st, dir, side, body);
                break;
            case 0x000a:
                if (client_hello && first_hello)
                    ok = tls_ext_list16(ctx, st, dir, body, &side->groups, &side->n_groups, true,
                                        false);
                break;
            case 0x000b:
                if (client_hello && first_hello && vg_cur_left(&body) > 0) {
                    uint8_t n = vg_cur_u8(&body);
                    const uint8_t *p = vg_cur_take(&body, n);
                    if (p == NULL) {
                        tls_event(ctx, st, dir, TLS_EV_HANDSHAKE_INVALID_LENGTH);
                        ok = false;
                        break;
                    }
                    uint8_t *np = realloc(side->ec_pf, (size_t)side->n_ec_pf + n + 1);
                    if (np == NULL) {
                        ok = false;
                        break;
                    }
                    side->ec_pf = np;
                    memcpy(side->ec_pf + side->n_ec_pf, p, n);
                    side->n_ec_pf += n;
                }
                break;
            case 0x000d:
                if (client_hello && first_hello)
                    ok = tls_ext_list16(ctx, st, dir, body, &side->sigalgs, &side->n_sigalgs,
                                        false, true);
                break;
            case 0x0010:
                if (first_hello)
                    ok = tls_ext_alpn(ctx, st, dir, side, body);
                break;
            case 0x002a:
                if (client_hello)
                    tx->flags |= VG_TLS_F_EARLY_DATA;
                break;
            case 0x002b:
                ok = tls_ext_supported_versions(ctx, st, dir, side, body, client_hello);
                break;
            case 0x0023:
                /* a session ticket offered: resumption, unless a certificate
                 * shows up later (checked when logging) */
                if (client_hello)
                    tx->flags |= VG_TLS_F_SESSION_RESUMED;
                break;
            default:
                break;
            }
            if (first_hello && !vg_tls_is_grease(type)) {
                bool cap = false;
                if (!tls_push16(&side->exts, &side->n_exts, type, lim->tls_max_extensions, &cap))
                    tls_count(ctx, c_enomem);
            }
            if (!ok)
                break;
        }
    }

fingerprints:
    if (first_hello) {
        if (vg_tls_ja3(side, client_hello) != VG_OK)
            tls_count(ctx, c_enomem);
        if (client_hello)
            vg_tls_ja4(side);
    }
}

/* ---- Certificate ---- */

static void
tls_parse_certificate(vg_app_ctx_t *ctx, tls_state_t *st, int dir, const uint8_t *msg,
                      uint32_t len)
{
    vg_tls_side_t *side = dir == VG_DIR_TOSERVER ? &st->tx.client : &st->tx.server;
    if (side->cert_msg_seen)
        return; /* one chain per side, as Suricata (renegotiation resends it) */
    side->cert_msg_seen = true;

    vg_cur_t c = vg_cur_make(msg, len);
    uint32_t chain = vg_cur_u24(&c);
    if (!vg_cur_ok(&c) || chain > vg_cur_left(&c)) {
        tls_event(ctx, st, dir, TLS_EV_INVALID_CERTIFICATE);
        return;
    }
    vg_cur_t cc = vg_cur_sub(&c, chain);
    uint32_t idx = 0;
    bool extract_event = false;
    while (vg_cur_left(&cc) > 0) {
        uint32_t cl = vg_cur_u24(&cc);
        if (!vg_cur_ok(&cc) || cl > vg_cur_left(&cc)) {
            tls_event(ctx, st, dir, TLS_EV_INVALID_CERTIFICATE);
            return;
        }
        const uint8_t *der = vg_cur_take(&cc, cl);
        tls_count(ctx, c_certs);
        if (idx == 0 && side->subject == NULL) {
            bool sans_capped = false;
            int rc = vg_tls_x509_leaf(side, der, cl, (uint32_t)VG_MIN(ctx->limits->tls_max_sans,
                                                                      UINT32_MAX), &sans_capped);
            if (rc == VG_ENOMEM) {
                tls_count(ctx, c_enomem);
            } else if (rc != VG_OK && !extract_event) {
                tls_event(ctx, st, dir, TLS_EV_CERTIFICATE_INVALID_DER);
                extract_event = true;
            }
            /* counted only: Suricata 8.0 has no anomaly event for this */
            if (sans_capped)
                tls_count(ctx, c_lim_sans);
        }
        idx++;
        if (side->n_certs >= ctx->limits->tls_max_certs) {
            tls_count(ctx, c_lim_certs);
            continue;
        }
        vg_tls_cert_t *nc = realloc(side->certs, sizeof(*nc) * (side->n_certs + 1));
        if (nc == NULL) {
            tls_count(ctx, c_enomem);
            return;
        }
        side->certs = nc;
        vg_tls_cert_t *cert = &side->certs[side->n_certs];
        cert->der = malloc(cl ? cl : 1);
        if (cert->der == NULL) {
            tls_count(ctx, c_enomem);
            return;
        }
        memcpy(cert->der, der, cl);
        cert->len = cl;
        vg_tls_cert_digests(cert);
        side->n_certs++;
    }
}

/* ---- progress and emission ---- */

static void
tls_set_progress(tls_state_t *st, int dir, uint8_t p)
{
    if (p > st->d[dir].progress)
        st->d[dir].progress = p;
}

static void
tls_emit_tx(vg_app_ctx_t *ctx, tls_state_t *st, int dir)
{
    if (st->emitted)
        return;
    st->emitted = true;
    /* app_layer.tx.tls is counted by the dispatcher */
    if (ctx->emit == NULL)
        return;
    vg_app_event_t ev = {.kind = VG_APP_EV_TX, .proto = VG_ALPROTO_TLS, .dir = dir, .tx_id = 0,
                         .tx = &st->tx};
    ev.suppress_log = !vg_tls_tx_loggable(&st->tx, true);
    ctx->emit(ctx, &ev);
}

/* Suricata marks both sides' handshake done once the certificate the flow
 * waits for (the server's, or the client's after a CertificateRequest)
 * has subject and issuer. */
static void
tls_check_done(vg_app_ctx_t *ctx, tls_state_t *st, int dir)
{
    const vg_tls_tx_t *tx = &st->tx;
    if ((tx->flags & VG_TLS_F_NEED_CLIENT_CERT) && tx->client.subject && tx->client.issuer) {
        tls_set_progress(st, 0, TLS_PROG_HANDSHAKE_DONE);
        tls_set_progress(st, 1, TLS_PROG_HANDSHAKE_DONE);
    } else if (!(tx->flags & VG_TLS_F_NEED_CLIENT_CERT) && tx->server.subject &&
               tx->server.issuer) {
        tls_set_progress(st, 0, TLS_PROG_HANDSHAKE_DONE);
        tls_set_progress(st, 1, TLS_PROG_HANDSHAKE_DONE);
    }
    if (st->d[0].progress >= TLS_PROG_HANDSHAKE_DONE &&
        st->d[1].progress >= TLS_PROG_HANDSHAKE_DONE)
        tls_emit_tx(ctx, st, dir);
}

/* ---- handshake layer ---- */

static bool
tls_hs_type_supported(uint8_t t)
{
    switch (t) {
    case TLS_HS_HELLO_REQUEST:
    case TLS_HS_CLIENT_HELLO:
    case TLS_HS_SERVER_HELLO:
    case TLS_HS_NEW_SESSION_TICKET:
    case TLS_HS_CERTIFICATE:
    case TLS_HS_SERVER_KEY_EXCHANGE:
    case TLS_HS_CERTIFICATE_REQUEST:
    case TLS_HS_SERVER_HELLO_DONE:
    case TLS_HS_CERTIFICATE_VERIFY:
    case TLS_HS_CLIENT_KEY_EXCHANGE:
    case TLS_HS_FINISHED:
    case TLS_HS_CERTIFICATE_URL:
    case TLS_HS_CERTIFICATE_STATUS:
        return true;
    default:
        return false;
    }
}

static void
tls_hs_message(vg_app_ctx_t *ctx, tls_state_t *st, int dir, uint8_t type, const uint8_t *m,
               uint32_t len)
{
    tls_count(ctx, c_handshakes);
    switch (type) {
    case TLS_HS_CLIENT_HELLO:
        tls_parse_hello(ctx, st, dir, m, len, true);
        break;
    case TLS_HS_SERVER_HELLO:
        tls_parse_hello(ctx, st, dir, m, len, false);
        break;
    case TLS_HS_CERTIFICATE:
        tls_parse_certificate(ctx, st, dir, m, len);
        break;
    case TLS_HS_CERTIFICATE_REQUEST:
        if (dir == VG_DIR_TOCLIENT)
            st->tx.flags |= VG_TLS_F_NEED_CLIENT_CERT;
        break;
    default:
        break;
    }
}

/* Feed handshake-record body bytes. Messages may span records and calls. */
static void
tls_hs_feed(vg_app_ctx_t *ctx, tls_state_t *st, int dir, const uint8_t *p, uint32_t n)
{
    tls_dir_t *d = &st->d[dir];
    while (n > 0) {
        if (d->hs_hdr_have < 4) {
            d->hs_hdr[d->hs_hdr_have++] = *p++;
            n--;
            if (d->hs_hdr_have < 4)
                continue;
            d->hs_len = ((uint32_t)d->hs_hdr[1] << 16) | ((uint32_t)d->hs_hdr[2] << 8) |
                        d->hs_hdr[3];
            d->hs_have = 0;
            d->hs_skip = false;
            free(d->hs_buf);
            d->hs_buf = NULL;
            if (!tls_hs_type_supported(d->hs_hdr[0])) {
                /* after a ChangeCipherSpec these are encrypted Finished bytes */
                bool enc = d == &st->d[dir] &&
                           ((dir == 0 && st->tx.client.ccs_seen) ||
                            (dir == 1 && st->tx.server.ccs_seen));
                if (!enc)
                    tls_event(ctx, st, dir, TLS_EV_INVALID_HANDSHAKE_MESSAGE);
                d->hs_skip = true;
            } else if (d->hs_len > ctx->limits->tls_max_handshake) {
                tls_count(ctx, c_lim_handshake);
                d->hs_skip = true;
            } else if (d->hs_len > 0) {
                d->hs_buf = malloc(d->hs_len);
                if (d->hs_buf == NULL) {
                    tls_count(ctx, c_enomem);
                    d->hs_skip = true;
                }
            }
            if (d->hs_len == 0) {
                if (!d->hs_skip)
                    tls_hs_message(ctx, st, dir, d->hs_hdr[0], NULL, 0);
                d->hs_hdr_have = 0;
            }
            continue;
        }
        uint32_t want = d->hs_len - d->hs_have;
        uint32_t take = VG_MIN(want, n);
        if (!d->hs_skip && d->hs_buf != NULL)
            memcpy(d->hs_buf + d->hs_have, p, take);
        d->hs_have += take;
        p += take;
        n -= take;
        if (d->hs_have == d->hs_len) {
            if (!d->hs_skip && d->hs_buf != NULL)
                tls_hs_message(ctx, st, dir, d->hs_hdr[0], d->hs_buf, d->hs_len);
            free(d->hs_buf);
            d->hs_buf = NULL;
            d->hs_hdr_have = 0;
        }
    }
}

/* ---- record layer ---- */

/* Handle a complete SSLv2 record (body = msg type + data). */
static void
tls_sslv2_record(vg_app_ctx_t *ctx, tls_state_t *st, int dir, const uint8_t *b, uint32_t n)
{
    vg_tls_side_t *side = dir == VG_DIR_TOSERVER ? &st->tx.client : &st->tx.server;
    vg_cur_t c = vg_cur_make(b, n);
    uint8_t mt = vg_cur_u8(&c);
    switch (mt) {
    case SSLV2_MT_ERROR:
        tls_event(ctx, st, dir, TLS_EV_ERROR_MESSAGE_ENCOUNTERED);
        break;
    case SSLV2_MT_CLIENT_HELLO: {
        uint16_t v = vg_cur_u16(&c);
        vg_cur_skip(&c, 4);
        if (!vg_cur_ok(&c)) {
            tls_event(ctx, st, dir, TLS_EV_INVALID_SSL_RECORD);
            return;
        }
        st->tx.flags |= VG_TLS_F_CLIENT_HELLO | VG_TLS_F_SSLV2_CLIENT_HS;
        side->version = v;
        if (!side->hello_seen)
            side->hello_version = v;
        side->hello_seen = true;
        break;
    }
    case SSLV2_MT_SERVER_HELLO:
        st->tx.flags |= VG_TLS_F_SERVER_HELLO | VG_TLS_F_SSLV2_SERVER_HS;
        break;
    default:
        break;
    }
}

/* A complete TLS record body was seen for non-streamed types. */
static int
tls_small_record_done(vg_app_ctx_t *ctx, tls_state_t *st, int dir)
{
    tls_dir_t *d = &st->d[dir];
    if (d->rec_type == TLS_CT_ALERT) {
        st->tx.alerts[dir]++;
        if (d->rec_len < 2) {
            tls_event(ctx, st, dir, TLS_EV_INVALID_ALERT_MESSAGE);
            return VG_EINVAL;
        }
        if (d->rec_len == 2 && d->rec_small[0] == 2) {
            /* fatal alert: the tx is finished */
            tls_set_progress(st, 0, TLS_PROG_FINISHED);
            tls_set_progress(st, 1, TLS_PROG_FINISHED);
        }
    }
    return VG_OK;
}

static int
tls_heartbeat_start(vg_app_ctx_t *ctx, tls_state_t *st, int dir)
{
    tls_dir_t *d = &st->d[dir];
    st->tx.flags |= VG_TLS_F_HEARTBEAT;
    if (d->rec_len < 3)
        return VG_OK;
    uint8_t type = d->rec_small[0];
    uint16_t plen = (uint16_t)((d->rec_small[1] << 8) | d->rec_small[2]);
    if (!st->ccs_any && type != 1 && type != 2) {
        tls_event(ctx, st, dir, TLS_EV_INVALID_HEARTBEAT_MESSAGE);
        return VG_EINVAL;
    }
    if (!st->hb_inflight) {
        st->hb_inflight = true;
        st->hb_dir = dir;
        if (st->ccs_any) {
            st->hb_record_len = d->rec_len;
            return VG_OK;
        }
        if ((uint32_t)plen + 3 > d->rec_len) {
            tls_event(ctx, st, dir, TLS_EV_OVERFLOW_HEARTBEAT_MESSAGE);
            return VG_EINVAL;
        }
        if (d->rec_len - plen - 3 < 16) {
            tls_event(ctx, st, dir, TLS_EV_INVALID_HEARTBEAT_MESSAGE);
            return VG_EINVAL;
        }
    } else if (st->hb_dir == dir) {
        tls_event(ctx, st, dir, TLS_EV_INVALID_HEARTBEAT_MESSAGE);
        return VG_EINVAL;
    } else {
        st->hb_inflight = false;
        if (st->ccs_any && st->hb_record_len > 0 && st->hb_record_len < d->rec_len) {
            tls_event(ctx, st, dir, TLS_EV_DATALEAK_HEARTBEAT_MISMATCH);
            st->hb_record_len = 0;
            return VG_EINVAL;
        }
        st->hb_record_len = 0;
    }
    return VG_OK;
}

/* Validate a just-completed TLS record header. VG_OK to go on, VG_DECLINED
 * to drop the rest of this chunk (tolerated bad type), VG_EINVAL fatal. */
static int
tls_record_header(vg_app_ctx_t *ctx, tls_state_t *st, int dir)
{
    tls_dir_t *d = &st->d[dir];
    vg_tls_side_t *side = dir == VG_DIR_TOSERVER ? &st->tx.client : &st->tx.server;
    uint16_t prev = side->version;
    d->rec_type = d->hdr[0];
    uint16_t rv = (uint16_t)((d->hdr[1] << 8) | d->hdr[2]);
    d->rec_len = (uint32_t)((d->hdr[3] << 8) | d->hdr[4]);
    d->rec_left = d->rec_len;
    d->rec_small_have = 0;
    st->tx.records[dir]++;
    tls_count(ctx, c_records);
    /* the record version is the side's version until its hello says otherwise */
    if (!side->hello_seen || side->version == VG_TLS_VERSION_UNKNOWN)
        side->version = rv;

    bool known = d->rec_type >= TLS_CT_CCS && d->rec_type <= TLS_CT_HEARTBEAT;
    if (!known) {
        tls_event(ctx, st, dir, TLS_EV_INVALID_RECORD_TYPE);
        if (prev == VG_TLS_VERSION_10 || prev == VG_TLS_VERSION_11) {
            side->version = prev;
            return VG_DECLINED;
        }
        return VG_EINVAL;
    }
    if (d->rec_len == 0) {
        tls_event(ctx, st, dir, TLS_EV_INVALID_RECORD_LENGTH);
        return VG_EINVAL;
    }
    if (!tls_version_valid(side->version)) {
        tls_event(ctx, st, dir, TLS_EV_INVALID_RECORD_VERSION);
        return VG_EINVAL;
    }
    if (d->rec_len > ctx->limits->tls_max_record) {
        tls_count(ctx, c_lim_record);
        tls_event(ctx, st, dir, TLS_EV_INVALID_RECORD_LENGTH);
        return VG_EINVAL;
    }
    /* Suricata rejects any handshake record under 4 bytes; we only when no
     * message is in progress, so a tiny last fragment of a message that
     * spans records is accepted. */
    if (d->rec_type == TLS_CT_HANDSHAKE && d->rec_len < 4 && !st->ccs_any &&
        d->hs_hdr_have == 0) {
        tls_event(ctx, st, dir, TLS_EV_INVALID_SSL_RECORD);
        return VG_EINVAL;
    }
    switch (d->rec_type) {
    case TLS_CT_CCS:
        st->ccs_any = true;
        side->ccs_seen = true;
        if (dir == VG_DIR_TOSERVER)
            tls_set_progress(st, dir, TLS_PROG_HANDSHAKE_DONE);
        break;
    case TLS_CT_APPDATA:
        st->tx.app_records[dir]++;
        tls_count(ctx, c_app_records);
        /* 0-RTT data before the ServerHello does not end the handshake */
        if (!((st->tx.flags & VG_TLS_F_EARLY_DATA) && !(st->tx.flags & VG_TLS_F_SERVER_HELLO)))
            tls_set_progress(st, dir, TLS_PROG_HANDSHAKE_DONE);
        break;
    default:
        break;
    }
    return VG_OK;
}

/* Is this record's handshake content to be parsed? After a ChangeCipherSpec
 * handshake records are encrypted, except TLS 1.3 middlebox-compat CCS sent
 * by the client before the ServerHello (Suricata's rule). */
static bool
tls_hs_parse_ok(const tls_state_t *st)
{
    if (!st->ccs_any)
        return true;
    return (st->tx.flags & VG_TLS_F_CLIENT_HELLO) && st->tx.client.version > VG_TLS_VERSION_12 &&
           !(st->tx.flags & VG_TLS_F_SERVER_HELLO);
}

static int
tls_parse_dir(vg_app_ctx_t *ctx, tls_state_t *st, int dir, const uint8_t *data, size_t len)
{
    tls_dir_t *d = &st->d[dir];
    vg_cur_t c = vg_cur_make(data, len);
    size_t max_records = VG_MAX(len / 6, 1);
    unsigned records = 0;

    while (vg_cur_left(&c) > 0) {
        if (!d->in_body) {
            if (d->hdr_have == 0) {
                if (++records > max_records + 1) {
                    tls_event(ctx, st, dir, TLS_EV_TOO_MANY_RECORDS_IN_PACKET);
                    return VG_EINVAL;
                }
                uint8_t b0 = vg_cur_ptr(&c)[0];
                vg_tls_side_t *side = dir == VG_DIR_TOSERVER ? &st->tx.client : &st->tx.server;
                d->sslv2 = (b0 & 0xc0) != 0;
                if (d->sslv2) {
                    side->version = VG_SSL_VERSION_2;
                    d->hdr_need = (b0 & 0x80) ? 2 : 3;
                } else {
                    if (side->version == VG_SSL_VERSION_2)
                        side->version = VG_TLS_VERSION_UNKNOWN;
                    d->hdr_need = 5;
                }
            }
            while (d->hdr_have < d->hdr_need && vg_cur_left(&c) > 0)
                d->hdr[d->hdr_have++] = vg_cur_u8(&c);
            if (d->hdr_have < d->hdr_need)
                return VG_OK;
            d->hdr_have = 0;
            if (d->sslv2) {
                uint32_t l = d->hdr_need == 2 ? (uint32_t)(((d->hdr[0] & 0x7f) << 8) | d->hdr[1])
                                              : (uint32_t)(((d->hdr[0] & 0x3f) << 8) | d->hdr[1]);
                if (l == 0) {
                    tls_event(ctx, st, dir, TLS_EV_INVALID_SSLV2_HEADER);
                    return VG_EINVAL;
                }
                st->tx.records[dir]++;
                tls_count(ctx, c_records);
                d->rec_len = l;
                d->rec_left = l;
                d->v2have = 0;
                free(d->v2buf);
                d->v2buf = malloc(VG_MIN(l, TLS_SSLV2_MAX));
                if (d->v2buf == NULL) {
                    tls_count(ctx, c_enomem);
                    return VG_EINVAL;
                }
            } else {
                int rc = tls_record_header(ctx, st, dir);
                if (rc == VG_DECLINED)
                    return VG_OK; /* Suricata drops the rest of the data */
                if (rc != VG_OK)
                    return rc;
            }
            d->in_body = true;
        }

        uint32_t take = (uint32_t)VG_MIN((size_t)d->rec_left, vg_cur_left(&c));
        const uint8_t *p = vg_cur_take(&c, take);
        if (d->sslv2) {
            memcpy(d->v2buf + d->v2have, p, take);
            d->v2have += take;
        } else {
            switch (d->rec_type) {
            case TLS_CT_HANDSHAKE:
                if (tls_hs_parse_ok(st))
                    tls_hs_feed(ctx, st, dir, p, take);
                break;
            case TLS_CT_ALERT:
            case TLS_CT_HEARTBEAT: {
                uint32_t room = (uint32_t)sizeof(d->rec_small) - d->rec_small_have;
                uint32_t k = VG_MIN(room, take);
                memcpy(d->rec_small + d->rec_small_have, p, k);
                bool had3 = d->rec_small_have >= 3;
                d->rec_small_have += k;
                if (d->rec_type == TLS_CT_HEARTBEAT && !had3 &&
                    (d->rec_small_have >= 3 || d->rec_left == take)) {
                    int rc = tls_heartbeat_start(ctx, st, dir);
                    if (rc != VG_OK)
                        return rc;
                }
                break;
            }
            default:
                break;
            }
        }
        d->rec_left -= take;
        if (d->rec_left == 0) {
            d->in_body = false;
            if (d->sslv2) {
                tls_sslv2_record(ctx, st, dir, d->v2buf, d->v2have);
                free(d->v2buf);
                d->v2buf = NULL;
            } else {
                int rc = tls_small_record_done(ctx, st, dir);
                if (rc != VG_OK)
                    return rc;
            }
        }
    }
    return VG_OK;
}

/* ---- vtable ---- */

static int
tls_probe(const uint8_t *data, size_t len, int dir, bool is_tcp)
{
    if (!is_tcp || len == 0)
        return VG_DECLINED;
    vg_cur_t c = vg_cur_make(data, len);
    uint8_t b0 = vg_cur_u8(&c);
    if (b0 == TLS_CT_HANDSHAKE || (b0 >= TLS_CT_CCS && b0 <= TLS_CT_APPDATA)) {
        if (len < 3)
            return VG_AGAIN;
        uint8_t maj = vg_cur_u8(&c);
        uint8_t min = vg_cur_u8(&c);
        if (maj == 3 && min <= 4)
            return b0 == TLS_CT_HANDSHAKE ? VG_OK : VG_OK;
        return VG_DECLINED;
    }
    /* SSLv2 ClientHello: 2-byte header with the top bit, msg type 1, version 0x0002/0x03xx */
    if ((b0 & 0x80) && dir == VG_DIR_TOSERVER) {
        if (len < 5)
            return VG_AGAIN;
        vg_cur_skip(&c, 1);
        uint8_t mt = vg_cur_u8(&c);
        uint8_t vmaj = vg_cur_u8(&c);
        if (mt == SSLV2_MT_CLIENT_HELLO && (vmaj == 0 || vmaj == 3))
            return VG_OK;
    }
    return VG_DECLINED;
}

static void *
tls_state_new(vg_app_ctx_t *ctx)
{
    tls_state_t *st = calloc(1, sizeof(tls_state_t));
    /* started inside a tunnel (the dispatcher set alproto_orig before
     * detecting us): Suricata logs the original protocol as from_proto */
    if (st != NULL && ctx != NULL && ctx->flow != NULL) {
        switch (ctx->flow->alproto_orig) {
        case VG_ALPROTO_HTTP: st->tx.from_proto = "http"; break;
        case VG_ALPROTO_DNS: st->tx.from_proto = "dns"; break;
        default: break;
        }
    }
    return st;
}

static void
tls_state_free(void *state)
{
    tls_state_t *st = state;
    if (st == NULL)
        return;
    for (int i = 0; i < 2; i++) {
        free(st->d[i].hs_buf);
        free(st->d[i].v2buf);
    }
    vg_tls_side_fini(&st->tx.client);
    vg_tls_side_fini(&st->tx.server);
    free(st);
}

static int
tls_parse(vg_app_ctx_t *ctx, void *state, int dir, const uint8_t *data, size_t len,
          unsigned flags)
{
    tls_state_t *st = state;
    if (st == NULL || dir < 0 || dir > 1)
        return VG_EINVAL;
    tls_dir_t *d = &st->d[dir];
    int rc = VG_OK;
    if (flags & VG_APP_GAP) {
        /* a hole in the stream: record framing is lost for this direction */
        tls_count(ctx, c_gap);
        d->dead = true;
    } else if (!d->dead && data != NULL && len > 0) {
        rc = tls_parse_dir(ctx, st, dir, data, len);
        if (rc != VG_OK) {
            tls_count(ctx, c_parse_error);
            d->dead = true;
        }
    }
    if (flags & VG_APP_EOF)
        tls_set_progress(st, dir, TLS_PROG_FINISHED);
    tls_check_done(ctx, st, dir);
    return rc == VG_OK ? VG_OK : VG_EINVAL;
}

static void
tls_flush(vg_app_ctx_t *ctx, void *state)
{
    tls_state_t *st = state;
    if (st == NULL || st->emitted)
        return;
    if (st->tx.records[0] == 0 && st->tx.records[1] == 0)
        return;
    tls_set_progress(st, 0, TLS_PROG_FINISHED);
    tls_set_progress(st, 1, TLS_PROG_FINISHED);
    tls_emit_tx(ctx, st, VG_DIR_TOCLIENT);
}

/* Inspection buffers, Suricata's sticky-buffer semantics: cert buffers are
 * the server's leaf; the per-cert digests index the server chain. */
static int
tls_get_buffer(const void *txp, vg_buffer_id_t id, uint32_t index, const uint8_t **data,
               uint32_t *len)
{
    const vg_tls_tx_t *tx = txp;
    const vg_tls_side_t *cl = &tx->client, *sv = &tx->server;
    const char *s = NULL;
    uint32_t n = 0;
    if (tx == NULL)
        return VG_DECLINED;
    switch (id) {
    case VG_BUF_TLS_SNI:
        s = cl->sni;
        n = cl->sni_len;
        break;
    case VG_BUF_TLS_CERT_SUBJECT:
        s = sv->subject;
        n = sv->subject_len;
        break;
    case VG_BUF_TLS_CERT_ISSUER:
        s = sv->issuer;
        n = sv->issuer_len;
        break;
    case VG_BUF_TLS_CERT_SERIAL:
        s = sv->serial;
        n = s ? (uint32_t)strlen(s) : 0;
        break;
    case VG_BUF_TLS_CERT_FINGERPRINT:
        s = sv->fingerprint[0] ? sv->fingerprint : NULL;
        n = s ? (uint32_t)strlen(s) : 0;
        break;
    case VG_BUF_TLS_CERT_SHA256:
    case VG_BUF_TLS_CERT_SHA1:
        if (index >= sv->n_certs)
            return VG_DECLINED;
        *data = id == VG_BUF_TLS_CERT_SHA1 ? sv->certs[index].sha1 : sv->certs[index].sha256;
        *len = id == VG_BUF_TLS_CERT_SHA1 ? 20 : 32;
        return VG_OK;
    case VG_BUF_JA3_HASH:
        s = cl->ja3_hash[0] ? cl->ja3_hash : NULL;
        n = s ? 32 : 0;
        break;
    case VG_BUF_JA3_STRING:
        s = cl->ja3_str;
        n = s ? (uint32_t)strlen(s) : 0;
        break;
    case VG_BUF_JA3S_HASH:
        s = sv->ja3_hash[0] ? sv->ja3_hash : NULL;
        n = s ? 32 : 0;
        break;
    case VG_BUF_JA3S_STRING:
        s = sv->ja3_str;
        n = s ? (uint32_t)strlen(s) : 0;
        break;
    case VG_BUF_JA4_HASH:
        s = cl->ja4[0] ? cl->ja4 : NULL;
        n = s ? (uint32_t)strlen(s) : 0;
        break;
    default:
        return VG_DECLINED;
    }
    if (s == NULL || index != 0)
        return VG_DECLINED;
    *data = (const uint8_t *)s;
    *len = n;
    return VG_OK;
}

const vg_app_parser_t vg_app_parser_tls = {
    .proto = VG_ALPROTO_TLS,
    .name = "tls",
    .tcp = true,
    .udp = false,
    .ports = {443, 0, 0, 0},
    .probe = tls_probe,
    .state_new = tls_state_new,
    .state_free = tls_state_free,
    .parse = tls_parse,
    .flush = tls_flush,
    .get_buffer = tls_get_buffer,
    .register_counters = tls_register_counters,
};
