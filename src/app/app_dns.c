/* app_dns.c - DNS parser (UDP datagrams, TCP length-prefixed streams).
 *
 * Behaviour follows Suricata 8's rust/src/dns (read for semantics, not
 * copied): header validity as its probe, every message a transaction,
 * sections parsed in order, names decompressed with loop and length
 * guards, TXT strings expanded one record each, corrupt authority or
 * additional sections flagged (invalid_authorities/invalid_additionals)
 * while the rest of the message is kept.
 *
 * All wire reads go through vg_cur_t; limits come from core_limits.h:
 * dns_max_name_len, dns_max_labels, dns_max_pointers, dns_max_records,
 * dns_max_tcp_msg, dns_max_pending_tx.
 */
#include "app/app_dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util_cursor.h"

#define DNS_HEADER_LEN 12

#define DNS_T_A 1
#define DNS_T_NS 2
#define DNS_T_CNAME 5
#define DNS_T_SOA 6
#define DNS_T_NULL 10
#define DNS_T_PTR 12
#define DNS_T_MX 15
#define DNS_T_TXT 16
#define DNS_T_AAAA 28
#define DNS_T_SRV 33
#define DNS_T_OPT 41
#define DNS_T_SSHFP 44

/* ---- counters ---- */

static vg_counter_id_t c_ev[VG_DNS_EV_COUNT];
static vg_counter_id_t c_unsolicited, c_pending_dropped, c_records_dropped, c_tcp_too_large,
    c_gap, c_names_truncated, c_memcap;

static const char *const dns_event_names[VG_DNS_EV_COUNT] = {
    "malformed_data",      "not_a_request",       "not_a_response", "z_flag_set",
    "invalid_opcode",      "invalid_additionals", "invalid_authorities", "name_too_long",
    "infinite_loop",       "too_many_labels",
};

const char *
vg_dns_event_name(unsigned bit)
{
    return bit < VG_DNS_EV_COUNT ? dns_event_names[bit] : "unknown";
}

static void
dns_register_counters(void)
{
    char name[96];
    for (unsigned i = 0; i < VG_DNS_EV_COUNT; i++) {
        snprintf(name, sizeof(name), "app_layer.dns.event.%s", dns_event_names[i]);
        c_ev[i] = vg_counter_register(name);
    }
    c_unsolicited = vg_counter_register("app_layer.dns.unsolicited_response");
    c_pending_dropped = vg_counter_register("app_layer.dns.pending_dropped");
    c_records_dropped = vg_counter_register("app_layer.dns.records_dropped");
    c_tcp_too_large = vg_counter_register("app_layer.dns.tcp_message_too_large");
    c_gap = vg_counter_register("app_layer.dns.gap");
    c_names_truncated = vg_counter_register("app_layer.dns.name_truncated");
    c_memcap = vg_counter_register("app_layer.dns.memcap"); /* TCP buffer refused */
}

/* ---- names tables (Suricata's spelling) ---- */

const char *
vg_dns_rrtype_name(uint16_t t)
{
    switch (t) {
    case 1: return "A";
    case 2: return "NS";
    case 3: return "MD";
    case 4: return "MF";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 7: return "MB";
    case 8: return "MG";
    case 9: return "MR";
    case 10: return "NULL";
    case 11: return "WKS";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 14: return "MINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 17: return "RP";
    case 18: return "AFSDB";
    case 19: return "X25";
    case 20: return "ISDN";
    case 21: return "RT";
    case 22: return "NSAP";
    case 23: return "NSAPPTR";
    case 24: return "SIG";
    case 25: return "KEY";
    case 26: return "PX";
    case 27: return "GPOS";
    case 28: return "AAAA";
    case 29: return "LOC";
    case 30: return "NXT";
    case 33: return "SRV";
    case 34: return "ATMA";
    case 35: return "NAPTR";
    case 36: return "KX";
    case 37: return "CERT";
    case 38: return "A6";
    case 39: return "DNAME";
    case 41: return "OPT";
    case 42: return "APL";
    case 43: return "DS";
    case 44: return "SSHFP";
    case 45: return "IPSECKEY";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 49: return "DHCID";
    case 50: return "NSEC3";
    case 51: return "NSEC3PARAM";
    case 52: return "TLSA";
    case 55: return "HIP";
    case 59: return "CDS";
    case 60: return "CDNSKEY";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 249: return "TKEY";
    case 250: return "TSIG";
    case 254: return "MAILA";
    case 255: return "ANY";
    case 256: return "URI";
    default: return NULL;
    }
}

const char *
vg_dns_rcode_name(uint16_t rc)
{
    static const char *const n[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                    "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                    "NXRRSET", "NOTAUTH", "NOTZONE"};
    return rc < VG_ARRAY_LEN(n) ? n[rc] : NULL;
}

/* ---- per-tx storage ---- */

struct vg_dns_arena {
    struct vg_dns_arena *next;
    size_t used;
    size_t cap;
    uint8_t data[];
};

static void *
arena_alloc(vg_dns_tx_t *tx, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    struct vg_dns_arena *a = tx->arena;
    if (a == NULL || a->cap - a->used < n) {
        size_t cap = VG_MAX(n, (size_t)4096);
        struct vg_dns_arena *na = malloc(sizeof(*na) + cap);
        if (na == NULL)
            return NULL;
        na->next = a;
        na->used = 0;
        na->cap = cap;
        tx->arena = na;
        a = na;
    }
    void *p = a->data + a->used;
    a->used += n;
    return p;
}

static const uint8_t *
arena_copy(vg_dns_tx_t *tx, const uint8_t *s, size_t n)
{
    if (n == 0)
        return (const uint8_t *)"";
    uint8_t *d = arena_alloc(tx, n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

void
vg_dns_tx_free(vg_dns_tx_t *tx)
{
    if (tx == NULL)
        return;
    struct vg_dns_arena *a = tx->arena;
    while (a != NULL) {
        struct vg_dns_arena *next = a->next;
        free(a);
        a = next;
    }
    free(tx->queries);
    free(tx->answers);
    free(tx->authorities);
    free(tx->additionals);
    free(tx);
}

/* ---- message parsing ---- */

/* State of one message parse. */
typedef struct dns_parse {
    const vg_limits_t *limits;
    const uint8_t *msg;
    size_t len;
    vg_dns_tx_t *tx;
    uint8_t *scratch;       /* decoded name under construction */
    size_t scratch_cap;     /* dns_max_name_len + one label */
    uint32_t name_flags;    /* VG_DNS_EV_NAME_TOO_LONG | INFINITE_LOOP | TOO_MANY_LABELS */
    bool nomem;
} dns_parse_t;

/* Decode the name at *pos (absolute offset in the message). Bytes before
 * the first compression pointer must lie below `end` (the record or rdata
 * end); pointers may go anywhere in the message. On success *pos is just
 * past the name in the original position (after the first pointer), and
 * the decoded copy is in *out. Returns false when the name is unusable
 * (bad label type, read past end, loop or label limit before any pointer
 * was followed: the end of the name is then unknown). */
static bool
dns_name(dns_parse_t *ps, size_t *pos, size_t end, vg_dns_name_t *out)
{
    vg_cur_t c = vg_cur_make(ps->msg, end);
    vg_cur_seek(&c, *pos);
    size_t nlen = 0;
    bool jumped = false;
    size_t after = 0;
    unsigned labels = 0, pointers = 0;
    bool truncated = false;
    const size_t max_len = ps->limits->dns_max_name_len;

    for (;;) {
        if (vg_cur_left(&c) == 0) {
            if (!vg_cur_ok(&c))
                return false;
            break; /* name runs to the end of the message: Suricata accepts */
        }
        uint8_t l = vg_cur_u8(&c);
        if (l == 0)
            break;
        if ((l & 0xc0) == 0) {
            const uint8_t *label = vg_cur_take(&c, l);
            if (label == NULL)
                return false;
            if (!truncated) {
                if (nlen > 0 && nlen < ps->scratch_cap)
                    ps->scratch[nlen++] = '.';
                size_t room = ps->scratch_cap - nlen;
                size_t n = VG_MIN((size_t)l, room);
                memcpy(ps->scratch + nlen, label, n);
                nlen += n;
            }
            labels++;
        } else if ((l & 0xc0) == 0xc0) {
            uint8_t lo = vg_cur_u8(&c);
            if (!vg_cur_ok(&c))
                return false;
            size_t target = ((size_t)(l & 0x3f) << 8) | lo;
            if (target > ps->len)
                return false;
            size_t here = vg_cur_pos(&c) - 2;
            pointers++;
            if (target == here || pointers > ps->limits->dns_max_pointers) {
                /* pointer to itself or a chain too long: a loop */
                ps->name_flags |= VG_DNS_EV_INFINITE_LOOP;
                if (!jumped)
                    return false;
                break;
            }
            if (!jumped) {
                jumped = true;
                after = vg_cur_pos(&c);
            }
            /* after a jump, reads are bounded by the whole message */
            c = vg_cur_make(ps->msg, ps->len);
            vg_cur_seek(&c, target);
        } else {
            return false; /* 0x40 / 0x80: extended label types, unsupported as Suricata */
        }
        if (labels > ps->limits->dns_max_labels) {
            ps->name_flags |= VG_DNS_EV_TOO_MANY_LABELS;
            if (!jumped)
                return false;
            truncated = true;
            break;
        }
        if (nlen > max_len) {
            nlen = max_len;
            truncated = true;
            if (jumped)
                break;
        }
    }
    if (nlen > max_len) {
        nlen = max_len;
        truncated = true;
    }
    if (truncated && !(ps->name_flags & VG_DNS_EV_TOO_MANY_LABELS))
        ps->name_flags |= VG_DNS_EV_NAME_TOO_LONG;
    out->s = arena_copy(ps->tx, ps->scratch, nlen);
    if (out->s == NULL) {
        ps->nomem = true;
        return false;
    }
    out->len = (uint16_t)VG_MIN(nlen, (size_t)UINT16_MAX);
    out->truncated = truncated;
    *pos = jumped ? after : vg_cur_pos(&c);
    return true;
}

/* A growable array of rrs for one section, capped at dns_max_records. */
typedef struct rr_vec {
    vg_dns_rr_t *v;
    size_t n, cap;
} rr_vec_t;

static vg_dns_rr_t *
rr_push(dns_parse_t *ps, rr_vec_t *vec)
{
    if (vec->n >= ps->limits->dns_max_records)
        return NULL; /* counted by the caller */
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 4;
        vg_dns_rr_t *nv = realloc(vec->v, cap * sizeof(*nv));
        if (nv == NULL) {
            ps->nomem = true;
            return NULL;
        }
        vec->v = nv;
        vec->cap = cap;
    }
    vg_dns_rr_t *rr = &vec->v[vec->n++];
    memset(rr, 0, sizeof(*rr));
    return rr;
}

/* Parse rdata [off, end) of an rr into `rr` (already holding
 * name/type/class/ttl). TXT pushes one more rr per extra string. Returns
 * false when the rdata does not parse (the message is then malformed). */
static bool
dns_rdata(dns_parse_t *ps, rr_vec_t *vec, vg_dns_rr_t *rr, size_t off, size_t end,
          bool *dropped)
{
    vg_cur_t c = vg_cur_make(ps->msg, end);
    vg_cur_seek(&c, off);
    size_t rdlen = end - off;
    size_t pos = off;

    switch (rr->rrtype) {
    case DNS_T_A:
    case DNS_T_AAAA:
        rr->kind = VG_DNS_RD_ADDR;
        break;
    case DNS_T_NULL:
        rr->kind = VG_DNS_RD_NULL;
        break;
    case DNS_T_CNAME:
    case DNS_T_NS:
    case DNS_T_PTR:
        rr->kind = VG_DNS_RD_NAME;
        return dns_name(ps, &pos, end, &rr->name2);
    case DNS_T_MX:
        rr->kind = VG_DNS_RD_NAME;
        if (rdlen < 2)
            return false;
        pos += 2; /* preference */
        return dns_name(ps, &pos, end, &rr->name2);
    case DNS_T_SRV:
        rr->kind = VG_DNS_RD_SRV;
        rr->u16[0] = vg_cur_u16(&c);
        rr->u16[1] = vg_cur_u16(&c);
        rr->u16[2] = vg_cur_u16(&c);
        if (!vg_cur_ok(&c))
            return false;
        pos = vg_cur_pos(&c);
        return dns_name(ps, &pos, end, &rr->name2);
    case DNS_T_SOA:
        rr->kind = VG_DNS_RD_SOA;
        if (!dns_name(ps, &pos, end, &rr->name2) || !dns_name(ps, &pos, end, &rr->name3))
            return false;
        vg_cur_seek(&c, pos);
        for (int i = 0; i < 5; i++)
            rr->u32[i] = vg_cur_u32(&c);
        return vg_cur_ok(&c);
    case DNS_T_SSHFP:
        rr->kind = VG_DNS_RD_SSHFP;
        rr->u16[0] = vg_cur_u8(&c);
        rr->u16[1] = vg_cur_u8(&c);
        if (!vg_cur_ok(&c))
            return false;
        off = vg_cur_pos(&c);
        rdlen = end - off;
        break;
    case DNS_T_OPT: {
        rr->kind = VG_DNS_RD_OPT;
        /* options must be well-formed TLVs */
        while (vg_cur_left(&c) > 0) {
            vg_cur_u16(&c);
            uint16_t olen = vg_cur_u16(&c);
            vg_cur_skip(&c, olen);
            if (!vg_cur_ok(&c))
                return false;
        }
        break;
    }
    case DNS_T_TXT: {
        /* one rr per character-string; at least one string */
        rr->kind = VG_DNS_RD_TXT;
        vg_dns_rr_t proto = *rr;
        bool first = true;
        size_t idx = (size_t)(rr - vec->v);
        do {
            uint8_t sl = vg_cur_u8(&c);
            const uint8_t *s = vg_cur_take(&c, sl);
            if (s == NULL)
                return false;
            const uint8_t *copy = arena_copy(ps->tx, s, sl);
            if (copy == NULL) {
                ps->nomem = true;
                return false;
            }
            vg_dns_rr_t *t;
            if (first) {
                t = &vec->v[idx];
                first = false;
            } else {
                t = rr_push(ps, vec);
                if (t == NULL) {
                    if (ps->nomem)
                        return false;
                    *dropped = true;
                    continue;
                }
                *t = proto;
            }
            t->data = copy;
            t->data_len = sl;
        } while (vg_cur_left(&c) > 0);
        return true;
    }
    default:
        rr->kind = VG_DNS_RD_RAW; /* HTTPS/SVCB and the rest: kept raw, not logged */
        break;
    }
    rr->data = arena_copy(ps->tx, ps->msg + off, rdlen);
    rr->data_len = (uint16_t)rdlen;
    if (rr->data == NULL) {
        ps->nomem = true;
        return false;
    }
    return true;
}

/* Parse `count` resource records starting at *pos into vec. */
static bool
dns_section(dns_parse_t *ps, size_t *pos, unsigned count, rr_vec_t *vec, bool *dropped)
{
    for (unsigned i = 0; i < count; i++) {
        vg_dns_rr_t tmp;
        memset(&tmp, 0, sizeof(tmp));
        if (!dns_name(ps, pos, ps->len, &tmp.name))
            return false;
        vg_cur_t c = vg_cur_make(ps->msg, ps->len);
        vg_cur_seek(&c, *pos);
        tmp.rrtype = vg_cur_u16(&c);
        tmp.rrclass = vg_cur_u16(&c);
        tmp.ttl = vg_cur_u32(&c);
        uint16_t rdlen = vg_cur_u16(&c);
        size_t rd_off = vg_cur_pos(&c);
        vg_cur_skip(&c, rdlen);
        if (!vg_cur_ok(&c))
            return false;
        *pos = vg_cur_pos(&c);
        vg_dns_rr_t *rr = rr_push(ps, vec);
        if (rr == NULL) {
            if (ps->nomem)
                return false;
            /* over dns_max_records: validate and skip without keeping */
            *dropped = true;
            continue;
        }
        *rr = tmp;
        if (!dns_rdata(ps, vec, rr, rd_off, rd_off + rdlen, dropped))
            return false;
    }
    return true;
}

/* Header plausibility (Suricata's probe_header_validity). */
static bool
dns_header_valid(uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar, size_t len,
                 bool *is_request)
{
    size_t nb = (size_t)qd + an + ns + ar;
    if (2 * nb > len)
        return false;
    if (nb == 0 && len > DNS_HEADER_LEN)
        return false;
    *is_request = (flags & 0x8000) == 0;
    if (*is_request && qd == 0)
        return false;
    return true;
}

int
vg_dns_parse_message(const vg_limits_t *limits, const uint8_t *msg, size_t len, bool as_response,
                     vg_dns_tx_t **out, uint32_t *ev_out)
{
    *out = NULL;
    *ev_out = 0;
    vg_cur_t c = vg_cur_make(msg, len);
    uint16_t id = vg_cur_u16(&c);
    uint16_t flags = vg_cur_u16(&c);
    uint16_t qd = vg_cur_u16(&c), an = vg_cur_u16(&c), ns = vg_cur_u16(&c), ar = vg_cur_u16(&c);
    bool is_request;
    if (!vg_cur_ok(&c) || !dns_header_valid(flags, qd, an, ns, ar, len, &is_request))
        return VG_DECLINED;

    vg_dns_tx_t *tx = calloc(1, sizeof(*tx));
    uint8_t *scratch = malloc(limits->dns_max_name_len + 256);
    if (tx == NULL || scratch == NULL) {
        free(tx);
        free(scratch);
        return VG_ENOMEM;
    }
    dns_parse_t ps = {.limits = limits, .msg = msg, .len = len, .tx = tx, .scratch = scratch,
                      .scratch_cap = limits->dns_max_name_len + 256};
    tx->id = id;
    tx->flags = flags;
    tx->is_response = as_response;
    size_t pos = DNS_HEADER_LEN;
    int rc = VG_OK;
    bool dropped = false;

    /* questions */
    size_t nq_keep = VG_MIN((size_t)qd, (size_t)limits->dns_max_records);
    tx->queries = nq_keep ? calloc(nq_keep, sizeof(*tx->queries)) : NULL;
    if (nq_keep && tx->queries == NULL) {
        rc = VG_ENOMEM;
        goto fail_free_tx;
    }
    for (unsigned i = 0; i < qd; i++) {
        vg_dns_query_t q;
        if (!dns_name(&ps, &pos, len, &q.name)) {
            rc = ps.nomem ? VG_ENOMEM : VG_EINVAL;
            goto fail_free_tx;
        }
        vg_cur_seek(&c, pos);
        q.rrtype = vg_cur_u16(&c);
        q.rrclass = vg_cur_u16(&c);
        if (!vg_cur_ok(&c)) {
            rc = VG_EINVAL;
            goto fail_free_tx;
        }
        pos = vg_cur_pos(&c);
        if (i < nq_keep)
            tx->queries[tx->n_queries++] = q;
        else
            dropped = true;
    }

    /* answers: must parse */
    rr_vec_t v_an = {0}, v_ns = {0}, v_ar = {0};
    if (!dns_section(&ps, &pos, an, &v_an, &dropped)) {
        free(v_an.v);
        rc = ps.nomem ? VG_ENOMEM : VG_EINVAL;
        goto fail_free_tx;
    }
    tx->answers = v_an.v;
    tx->n_answers = (uint16_t)v_an.n;
    /* authorities and additionals: a corrupt section is flagged and dropped */
    if (!dns_section(&ps, &pos, ns, &v_ns, &dropped)) {
        free(v_ns.v);
        if (ps.nomem) {
            rc = VG_ENOMEM;
            goto fail_free_tx;
        }
        tx->events |= VG_DNS_EV_INVALID_AUTHORITIES;
    } else {
        tx->authorities = v_ns.v;
        tx->n_authorities = (uint16_t)v_ns.n;
        if (!dns_section(&ps, &pos, ar, &v_ar, &dropped)) {
            free(v_ar.v);
            if (ps.nomem) {
                rc = VG_ENOMEM;
                goto fail_free_tx;
            }
            tx->events |= VG_DNS_EV_INVALID_ADDITIONALS;
        } else {
            tx->additionals = v_ar.v;
            tx->n_additionals = (uint16_t)v_ar.n;
        }
    }
    if (!as_response && (flags & 0x8000)) {
        *ev_out = VG_DNS_EV_NOT_A_REQUEST;
        vg_dns_tx_free(tx);
        free(scratch);
        return VG_EINVAL;
    }
    if (as_response && !(flags & 0x8000))
        tx->events |= VG_DNS_EV_NOT_A_RESPONSE;
    if (flags & 0x0040)
        tx->events |= VG_DNS_EV_Z_FLAG_SET;
    if (((flags >> 11) & 0xf) >= 7)
        tx->events |= VG_DNS_EV_INVALID_OPCODE;
    tx->events |= ps.name_flags;
    /* records over dns_max_records: reported through VG_DNS_EV_DROPPED */
    *ev_out = dropped ? VG_DNS_PARSE_DROPPED : 0;
    free(scratch);
    *out = tx;
    return VG_OK;

fail_free_tx:
    vg_dns_tx_free(tx);
    free(scratch);
    if (rc == VG_EINVAL)
        *ev_out = VG_DNS_EV_MALFORMED_DATA;
    return rc;
}

/* ---- probe ---- */

#define DNS_LIMIT_INIT(field, key, def, why) .field = (def),
static const vg_limits_t dns_default_limits = {VG_LIMITS(DNS_LIMIT_INIT)};
#undef DNS_LIMIT_INIT

int
vg_dns_probe(const uint8_t *data, size_t len, bool tcp, bool *is_request)
{
    vg_cur_t c = vg_cur_make(data, len);
    size_t dlen = len;
    if (tcp) {
        if (len < 2)
            return VG_AGAIN;
        dlen = vg_cur_u16(&c);
        if (dlen < DNS_HEADER_LEN)
            return VG_DECLINED;
    }
    if (vg_cur_left(&c) < DNS_HEADER_LEN)
        return VG_AGAIN;
    vg_cur_u16(&c);
    uint16_t flags = vg_cur_u16(&c);
    uint16_t qd = vg_cur_u16(&c), an = vg_cur_u16(&c), ns = vg_cur_u16(&c), ar = vg_cur_u16(&c);
    if (!dns_header_valid(flags, qd, an, ns, ar, dlen, is_request))
        return VG_DECLINED;
    size_t avail = len - (tcp ? 2 : 0);
    if (avail < dlen) {
        return tcp ? VG_OK : VG_DECLINED;
    }
    /* the whole message is here: it must parse (with default limits, as
     * the probe has no flow context) */
    vg_dns_tx_t *tx = NULL;
    uint32_t ev = 0;
    int rc = vg_dns_parse_message(&dns_default_limits, data + (tcp ? 2 : 0), dlen, !*is_request, &tx, &ev);
    vg_dns_tx_free(tx);
    if (rc == VG_OK)
        return VG_OK;
    return VG_DECLINED;
}

/* ---- per-flow state and the parser vtable ---- */

typedef struct dns_dir {
    uint8_t *buf;        /* TCP: bytes of an incomplete message (length prefix included) */
    size_t len;
    size_t cap;
    bool gap;            /* a gap was seen: resync on the next plausible message */
} dns_dir_t;

typedef struct dns_state {
    uint64_t next_tx_id;
    dns_dir_t dir[2];
    uint16_t *pending;   /* ring of request ids not yet answered (dns_max_pending_tx) */
    size_t pending_head, pending_n, pending_cap;
    bool failed;
    bool roles_set;      /* UDP: direction roles decided on the first message */
    bool reversed;       /* UDP: the flow's first sender is the server */
} dns_state_t;

static void *
dns_state_new(vg_app_ctx_t *ctx)
{
    dns_state_t *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return NULL;
    st->pending_cap = (size_t)VG_MAX(ctx->limits->dns_max_pending_tx, (uint64_t)1);
    return st;
}

static void
dns_state_free(void *state)
{
    dns_state_t *st = state;
    if (st == NULL)
        return;
    free(st->dir[0].buf);
    free(st->dir[1].buf);
    free(st->pending);
    free(st);
}

static void
dns_emit_anomalies(vg_app_ctx_t *ctx, int dir, uint64_t tx_id, const vg_dns_tx_t *tx,
                   uint32_t events)
{
    for (unsigned b = 0; b < VG_DNS_EV_COUNT; b++) {
        if (!(events & (1u << b)))
            continue;
        vg_counter_inc(ctx->counters, c_ev[b]);
        vg_app_event_t ev = {.kind = VG_APP_EV_ANOMALY, .proto = VG_ALPROTO_DNS, .dir = dir,
                             .tx_id = tx_id, .tx = tx, .anomaly = dns_event_names[b]};
        ctx->emit(ctx, &ev);
    }
}

/* Request ids waiting for a response: bounded ring, oldest dropped. */
static void
dns_pending_add(vg_app_ctx_t *ctx, dns_state_t *st, uint16_t id)
{
    if (st->pending == NULL) {
        st->pending = malloc(st->pending_cap * sizeof(uint16_t));
        if (st->pending == NULL)
            return;
    }
    if (st->pending_n == st->pending_cap) {
        st->pending_head = (st->pending_head + 1) % st->pending_cap;
        st->pending_n--;
        vg_counter_inc(ctx->counters, c_pending_dropped);
    }
    st->pending[(st->pending_head + st->pending_n) % st->pending_cap] = id;
    st->pending_n++;
}

static bool
dns_pending_take(dns_state_t *st, uint16_t id)
{
    for (size_t i = 0; i < st->pending_n; i++) {
        size_t at = (st->pending_head + i) % st->pending_cap;
        if (st->pending[at] != id)
            continue;
        /* close the hole by moving later entries back one */
        for (size_t j = i; j + 1 < st->pending_n; j++)
            st->pending[(st->pending_head + j) % st->pending_cap] =
                st->pending[(st->pending_head + j + 1) % st->pending_cap];
        st->pending_n--;
        return true;
    }
    return false;
}

/* Parse one message of direction `dir`. Returns false when the flow's
 * parser should stop (TCP: as Suricata returns an error). */
static bool
dns_handle_message(vg_app_ctx_t *ctx, dns_state_t *st, int dir, const uint8_t *msg, size_t len,
                   bool tcp)
{
    vg_dns_tx_t *tx = NULL;
    uint32_t ev = 0;
    if (!tcp && !st->roles_set && len >= 4) {
        /* Suricata reverses a UDP flow whose first datagram is a response
         * (its probe reports the direction): the sender is the server. */
        st->roles_set = true;
        st->reversed = dir == VG_DIR_TOSERVER && (msg[2] & 0x80) && st->next_tx_id == 0;
    }
    bool as_response = (dir == VG_DIR_TOCLIENT) != st->reversed;
    int rc = vg_dns_parse_message(ctx->limits, msg, len, as_response, &tx, &ev);
    if (rc == VG_DECLINED)
        return !tcp; /* header does not validate: UDP ignores it, TCP gives up */
    if (rc == VG_ENOMEM)
        return false;
    if (rc != VG_OK) {
        /* malformed / not a request: the event goes on the last tx */
        dns_emit_anomalies(ctx, dir, st->next_tx_id ? st->next_tx_id - 1 : 0, NULL, ev);
        return false;
    }
    if (ev & VG_DNS_PARSE_DROPPED)
        vg_counter_inc(ctx->counters, c_records_dropped);
    tx->tx_id = st->next_tx_id++;
    if (!tx->is_response) {
        dns_pending_add(ctx, st, tx->id);
    } else if (!dns_pending_take(st, tx->id)) {
        tx->unsolicited = true;
        vg_counter_inc(ctx->counters, c_unsolicited);
    }
    for (uint16_t i = 0; i < tx->n_queries; i++)
        if (tx->queries[i].name.truncated)
            vg_counter_inc(ctx->counters, c_names_truncated);
    vg_app_event_t e = {.kind = VG_APP_EV_TX, .proto = VG_ALPROTO_DNS, .dir = dir,
                        .tx_id = tx->tx_id, .tx = tx};
    ctx->emit(ctx, &e);
    dns_emit_anomalies(ctx, dir, tx->tx_id, tx, tx->events);
    vg_dns_tx_free(tx);
    return true;
}

/* Grow a direction buffer to at least `cap` bytes, charging the growth to
 * flow.memcap when the flow belongs to a table. False on refusal. */
static bool
dns_dir_grow(vg_app_ctx_t *ctx, dns_dir_t *d, size_t cap)
{
    if (cap <= d->cap)
        return true;
    cap = VG_MAX(cap, (size_t)512);
    vg_flow_t *f = ctx->flow;
    if (f != NULL && f->table != NULL && vg_flow_mem_add(f, cap - d->cap) != VG_OK) {
        vg_counter_inc(ctx->counters, c_memcap);
        return false;
    }
    uint8_t *nb = realloc(d->buf, cap);
    if (nb == NULL) {
        if (f != NULL && f->table != NULL)
            vg_flow_mem_sub(f, cap - d->cap);
        vg_counter_inc(ctx->counters, c_memcap);
        return false;
    }
    d->buf = nb;
    d->cap = cap;
    return true;
}

/* TCP: consume length-prefixed messages from `data`, keeping an
 * incomplete tail in the direction buffer (at most dns_max_tcp_msg + 2). */
static int
dns_parse_tcp(vg_app_ctx_t *ctx, dns_state_t *st, int dir, const uint8_t *data, size_t len)
{
    dns_dir_t *d = &st->dir[dir];
    if (d->gap) {
        /* resync only on something that looks like the start of a message */
        bool req;
        const uint8_t *p = d->len ? d->buf : data;
        int prc = vg_dns_probe(p, d->len ? d->len : len, true, &req);
        if (prc == VG_DECLINED) {
            d->len = 0;
            return VG_OK;
        }
        d->gap = false;
    }
    while (len > 0 || d->len >= 2) {
        const uint8_t *p;
        size_t avail;
        if (d->len > 0) {
            /* top up the buffer with just enough for the current message */
            size_t need = 2;
            if (d->len >= 2)
                need = 2 + (((size_t)d->buf[0] << 8) | d->buf[1]);
            if (d->len < need) {
                size_t take = VG_MIN(need - d->len, len);
                if (d->len + take > d->cap && !dns_dir_grow(ctx, d, need))
                    return VG_EINVAL;
                memcpy(d->buf + d->len, data, take);
                d->len += take;
                data += take;
                len -= take;
                if (d->len < need) {
                    if (len == 0)
                        return VG_OK; /* wait for more */
                    continue;          /* the length prefix just completed */
                }
            }
            if (need == 2 && d->len == 2 && ((d->buf[0] << 8) | d->buf[1]) > 0) {
                /* the prefix just completed: top up the body next */
                if (len == 0)
                    return VG_OK;
                continue;
            }
            p = d->buf;
            avail = d->len;
        } else {
            p = data;
            avail = len;
        }
        if (avail < 2) {
            break; /* one byte of a prefix: buffered below */
        }
        size_t mlen = ((size_t)p[0] << 8) | p[1];
        if (mlen == 0) { /* empty message: skipped as Suricata does */
            if (p == d->buf) {
                memmove(d->buf, d->buf + 2, d->len - 2);
                d->len -= 2;
            } else {
                data += 2;
                len -= 2;
            }
            continue;
        }
        if (mlen > ctx->limits->dns_max_tcp_msg) {
            vg_counter_inc(ctx->counters, c_tcp_too_large);
            dns_emit_anomalies(ctx, dir, st->next_tx_id ? st->next_tx_id - 1 : 0, NULL,
                               VG_DNS_EV_MALFORMED_DATA);
            return VG_EINVAL;
        }
        if (avail < mlen + 2) {
            if (p == data)
                break; /* buffered below */
            return VG_OK;
        }
        if (!dns_handle_message(ctx, st, dir, p + 2, mlen, true))
            return VG_EINVAL;
        if (p == d->buf) {
            /* the buffer held exactly this message (topped up to `need`) */
            d->len = 0;
        } else {
            data += mlen + 2;
            len -= mlen + 2;
        }
    }
    if (len > 0) {
        /* keep the incomplete tail */
        if (d->len + len > d->cap && !dns_dir_grow(ctx, d, d->len + len))
            return VG_EINVAL;
        memcpy(d->buf + d->len, data, len);
        d->len += len;
    }
    return VG_OK;
}

static int
dns_parse(vg_app_ctx_t *ctx, void *state, int dir, const uint8_t *data, size_t len,
          unsigned flags)
{
    dns_state_t *st = state;
    if (st->failed || dir < 0 || dir > 1)
        return VG_EINVAL;
    bool tcp = ctx->flow != NULL ? ctx->flow->key.proto == VG_IPPROTO_TCP
                                 : (ctx->pkt != NULL && ctx->pkt->proto == VG_IPPROTO_TCP);
    if (flags & VG_APP_GAP) {
        vg_counter_inc(ctx->counters, c_gap);
        st->dir[dir].gap = true;
        st->dir[dir].len = 0; /* a message cut by the gap can never complete */
        return VG_OK;
    }
    if (data == NULL || len == 0)
        return VG_OK;
    int rc;
    if (tcp) {
        rc = dns_parse_tcp(ctx, st, dir, data, len);
    } else {
        dns_handle_message(ctx, st, dir, data, len, false);
        rc = VG_OK; /* UDP: one bad datagram does not stop the flow */
    }
    if (rc != VG_OK)
        st->failed = true;
    return rc;
}

static void
dns_flush(vg_app_ctx_t *ctx, void *state)
{
    /* Every message is emitted when parsed; an incomplete TCP message at
     * flow end is dropped, as Suricata does. */
    (void)ctx;
    dns_state_t *st = state;
    st->dir[0].len = 0;
    st->dir[1].len = 0;
}

static int
dns_get_buffer(const void *txv, vg_buffer_id_t id, uint32_t index, const uint8_t **data,
               uint32_t *len)
{
    const vg_dns_tx_t *tx = txv;
    switch (id) {
    case VG_BUF_DNS_QUERY:
        /* Suricata's dns.query: request question names (non-empty) */
        if (index >= tx->n_queries || tx->queries[index].name.len == 0)
            return VG_DECLINED;
        *data = tx->queries[index].name.s;
        *len = tx->queries[index].name.len;
        return VG_OK;
    case VG_BUF_DNS_ANSWER_NAME:
        if (index >= tx->n_answers || tx->answers[index].name.len == 0)
            return VG_DECLINED;
        *data = tx->answers[index].name.s;
        *len = tx->answers[index].name.len;
        return VG_OK;
    case VG_BUF_DNS_ANSWER_ADDR: {
        /* instance n = the n-th A/AAAA answer */
        uint32_t n = 0;
        for (uint16_t i = 0; i < tx->n_answers; i++) {
            const vg_dns_rr_t *rr = &tx->answers[i];
            if (rr->kind != VG_DNS_RD_ADDR || (rr->data_len != 4 && rr->data_len != 16))
                continue;
            if (n++ == index) {
                *data = rr->data;
                *len = rr->data_len;
                return VG_OK;
            }
        }
        return VG_DECLINED;
    }
    case VG_BUF_DNS_ANSWER_DATA: {
        /* instance n = the n-th CNAME/NS/PTR/MX target */
        uint32_t n = 0;
        for (uint16_t i = 0; i < tx->n_answers; i++) {
            const vg_dns_rr_t *rr = &tx->answers[i];
            if (rr->kind != VG_DNS_RD_NAME || rr->name2.len == 0)
                continue;
            if (n++ == index) {
                *data = rr->name2.s;
                *len = rr->name2.len;
                return VG_OK;
            }
        }
        return VG_DECLINED;
    }
    default:
        return VG_DECLINED;
    }
}

static int
dns_probe_cb(const uint8_t *data, size_t len, int dir, bool is_tcp)
{
    bool is_request = false;
    int rc = vg_dns_probe(data, len, is_tcp, &is_request);
    (void)dir;
    return rc;
}

const vg_app_parser_t vg_app_parser_dns = {
    .proto = VG_ALPROTO_DNS,
    .name = "dns",
    .tcp = true,
    .udp = true,
    .ports = {53, 0, 0, 0},
    .probe = dns_probe_cb,
    .state_new = dns_state_new,
    .state_free = dns_state_free,
    .parse = dns_parse,
    .flush = dns_flush,
    .get_buffer = dns_get_buffer,
    .register_counters = dns_register_counters,
};
