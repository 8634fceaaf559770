/* app_dns.h - DNS over UDP and TCP: messages, transactions, names.
 *
 * As in Suricata 8, every DNS message is its own transaction: a request
 * and its response are two txs (EVE dns.type "request"/"response"), with
 * one tx_id counter per flow shared by both. A tx is complete as soon as
 * its message is parsed, so it is emitted at once and freed after emit().
 *
 * All strings in a tx are copies (never pointers into packet bytes); a tx
 * owns one chunked arena that holds them, so freeing the tx frees all.
 */
#ifndef VG_APP_DNS_H
#define VG_APP_DNS_H

#include "app/app.h"

/* rdata kinds, as Suricata's DNSRData variants. */
typedef enum {
    VG_DNS_RD_NONE = 0,   /* unknown type: not logged beyond rrname/rrtype/ttl */
    VG_DNS_RD_ADDR,       /* A (4 bytes) / AAAA (16 bytes): raw address in data */
    VG_DNS_RD_NAME,       /* CNAME, NS, PTR, MX: decoded target name in name2 */
    VG_DNS_RD_TXT,        /* one TXT character-string in data (one rr per string) */
    VG_DNS_RD_NULL,       /* NULL: raw rdata in data */
    VG_DNS_RD_SOA,        /* mname=name2, rname=name3, serial.. in u32[] */
    VG_DNS_RD_SRV,        /* priority/weight/port in u16[], target in name2 */
    VG_DNS_RD_SSHFP,      /* algo/type in u16[], fingerprint in data */
    VG_DNS_RD_OPT,        /* EDNS OPT: options raw in data (TLV) */
    VG_DNS_RD_RAW,        /* HTTPS/SVCB and other types kept raw (not logged) */
} vg_dns_rdata_kind_t;

/* A decoded name: labels joined by '.', no trailing dot, bytes as on the
 * wire (no case folding, no escaping). The root name is empty (len 0). */
typedef struct vg_dns_name {
    const uint8_t *s;
    uint16_t len;
    bool truncated;       /* longer than dns_max_name_len: cut (EVE *_truncated) */
} vg_dns_name_t;

typedef struct vg_dns_query {
    vg_dns_name_t name;
    uint16_t rrtype;
    uint16_t rrclass;
} vg_dns_query_t;

typedef struct vg_dns_rr {
    vg_dns_name_t name;
    uint16_t rrtype;
    uint16_t rrclass;
    uint32_t ttl;
    uint8_t kind;          /* vg_dns_rdata_kind_t */
    vg_dns_name_t name2;   /* NAME target, SOA mname, SRV target */
    vg_dns_name_t name3;   /* SOA rname */
    const uint8_t *data;   /* ADDR, TXT, NULL, SSHFP, OPT, RAW */
    uint16_t data_len;
    uint16_t u16[3];       /* SRV priority/weight/port; SSHFP algo/type */
    uint32_t u32[5];       /* SOA serial/refresh/retry/expire/minimum */
} vg_dns_rr_t;

/* Anomaly bits of a tx; names as Suricata's DNS app-layer events. */
#define VG_DNS_EV_MALFORMED_DATA       (1u << 0)  /* "malformed_data" */
#define VG_DNS_EV_NOT_A_REQUEST        (1u << 1)  /* "not_a_request" */
#define VG_DNS_EV_NOT_A_RESPONSE       (1u << 2)  /* "not_a_response" */
#define VG_DNS_EV_Z_FLAG_SET           (1u << 3)  /* "z_flag_set" */
#define VG_DNS_EV_INVALID_OPCODE       (1u << 4)  /* "invalid_opcode" */
#define VG_DNS_EV_INVALID_ADDITIONALS  (1u << 5)  /* "invalid_additionals" */
#define VG_DNS_EV_INVALID_AUTHORITIES  (1u << 6)  /* "invalid_authorities" */
#define VG_DNS_EV_NAME_TOO_LONG        (1u << 7)  /* "name_too_long" */
#define VG_DNS_EV_INFINITE_LOOP        (1u << 8)  /* "infinite_loop" */
#define VG_DNS_EV_TOO_MANY_LABELS      (1u << 9)  /* "too_many_labels" */
#define VG_DNS_EV_COUNT 10

/* Suricata event name of bit number `bit` (0..VG_DNS_EV_COUNT-1). */
const char *vg_dns_event_name(unsigned bit);

struct vg_dns_arena;

typedef struct vg_dns_tx {
    uint64_t tx_id;             /* per flow, 0-based, requests and responses alike */
    bool is_response;           /* role of the message (QR bit, or direction) */
    bool unsolicited;           /* response whose id matched no pending request */
    uint16_t id;                /* on-the-wire DNS id */
    uint16_t flags;             /* header flags word */
    uint16_t n_queries, n_answers, n_authorities, n_additionals;
    vg_dns_query_t *queries;
    vg_dns_rr_t *answers;       /* TXT rrs expanded: one entry per string */
    vg_dns_rr_t *authorities;
    vg_dns_rr_t *additionals;
    uint32_t events;            /* VG_DNS_EV_* */
    struct vg_dns_arena *arena; /* owns every byte the tx points to */
} vg_dns_tx_t;

/* Parse one complete DNS message (no TCP length prefix) into a new tx.
 * `as_response` selects request or response rules (Suricata's
 * dns_parse_request/dns_parse_response). Returns VG_OK with *out set (the
 * caller frees it with vg_dns_tx_free), VG_DECLINED when the header does
 * not validate (not DNS), VG_EINVAL when the body is malformed (and
 * *ev_out gets the event bits: malformed_data or not_a_request),
 * VG_ENOMEM. Never reads past `len`. */
#define VG_DNS_PARSE_DROPPED 0x80000000u /* in *ev_out: records over dns_max_records */
int vg_dns_parse_message(const vg_limits_t *limits, const uint8_t *msg, size_t len,
                         bool as_response, vg_dns_tx_t **out, uint32_t *ev_out);
void vg_dns_tx_free(vg_dns_tx_t *tx);

/* Header plausibility as Suricata's probe: VG_OK (DNS; *is_request set),
 * VG_DECLINED, VG_AGAIN (needs more bytes). `tcp` expects the 2-byte
 * length prefix. */
int vg_dns_probe(const uint8_t *data, size_t len, bool tcp, bool *is_request);

/* "A", "AAAA", ... as Suricata's dns_rrtype_string; NULL for types it
 * prints as a number (callers print the number). */
const char *vg_dns_rrtype_name(uint16_t rrtype);
/* "NOERROR", "NXDOMAIN", ...; NULL for codes printed as a number. */
const char *vg_dns_rcode_name(uint16_t rcode);

#endif
