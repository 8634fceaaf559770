/* output_eve_dns.c - the EVE "dns" object, version 3, as Suricata 8.0.
 *
 * Field order and presence follow Suricata 8's v3 logger (rust/src/dns/
 * log.rs, read for behaviour): version, type, tx_id, id, flags (hex, no
 * padding), qr/aa/tc/rd/ra/z only when set, opcode, rcode, queries[],
 * answers[] (detailed), grouped{} (when there are answers), authorities[],
 * additionals[] (OPT records without options are skipped). Names and
 * TXT/NULL data are written as Suricata's set_string_from_bytes does
 * (vg_jw_str_bytes).
 *
 * Suricata keeps `grouped` in a hash map, so its key order varies; here
 * keys come in order of first appearance, which is a valid instance.
 */
#include <stdio.h>
#include <stdlib.h>

#include "app/app_dns.h"
#include "output/output_eve.h"

static void
dns_rrtype(vg_jw_t *jw, const char *key, uint16_t t)
{
    const char *n = vg_dns_rrtype_name(t);
    if (n != NULL) {
        vg_jw_str(jw, key, n);
    } else {
        char buf[8];
        snprintf(buf, sizeof(buf), "%u", (unsigned)t);
        vg_jw_str(jw, key, buf);
    }
}

/* Suricata's dns_print_addr: dotted quad, or eight groups of four
 * lowercase hex digits (not RFC 5952 compressed); "" for other lengths. */
static void
dns_addr(vg_jw_t *jw, const char *key, const uint8_t *a, size_t n)
{
    char buf[48];
    if (n == 4) {
        snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    } else if (n == 16) {
        size_t o = 0;
        for (int i = 0; i < 16; i += 2)
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%02x%02x", i ? ":" : "", a[i],
                                  a[i + 1]);
    } else {
        buf[0] = '\0';
    }
    vg_jw_str(jw, key, buf);
}

static void
dns_name(vg_jw_t *jw, const char *key, const vg_dns_name_t *n)
{
    vg_jw_str_bytes(jw, key, n->s, n->len);
}

static void
dns_soa(vg_jw_t *jw, const char *key, const vg_dns_rr_t *rr)
{
    vg_jw_open_object(jw, key);
    dns_name(jw, "mname", &rr->name2);
    if (rr->name2.truncated)
        vg_jw_bool(jw, "mname_truncated", true);
    dns_name(jw, "rname", &rr->name3);
    if (rr->name3.truncated)
        vg_jw_bool(jw, "rname_truncated", true);
    vg_jw_uint(jw, "serial", rr->u32[0]);
    vg_jw_uint(jw, "refresh", rr->u32[1]);
    vg_jw_uint(jw, "retry", rr->u32[2]);
    vg_jw_uint(jw, "expire", rr->u32[3]);
    vg_jw_uint(jw, "minimum", rr->u32[4]);
    vg_jw_close_object(jw);
}

static void
dns_srv(vg_jw_t *jw, const char *key, const vg_dns_rr_t *rr)
{
    vg_jw_open_object(jw, key);
    vg_jw_uint(jw, "priority", rr->u16[0]);
    vg_jw_uint(jw, "weight", rr->u16[1]);
    vg_jw_uint(jw, "port", rr->u16[2]);
    dns_name(jw, "name", &rr->name2);
    vg_jw_close_object(jw);
}

static void
dns_sshfp(vg_jw_t *jw, const char *key, const vg_dns_rr_t *rr)
{
    vg_jw_open_object(jw, key);
    vg_jw_hex(jw, "fingerprint", rr->data, rr->data_len, true);
    vg_jw_uint(jw, "algo", rr->u16[0]);
    vg_jw_uint(jw, "type", rr->u16[1]);
    vg_jw_close_object(jw);
}

/* One record of answers/authorities/additionals. */
static void
dns_rr_detail(vg_jw_t *jw, const vg_dns_rr_t *rr)
{
    vg_jw_open_object(jw, NULL);
    dns_name(jw, "rrname", &rr->name);
    if (rr->name.truncated)
        vg_jw_bool(jw, "rrname_truncated", true);
    dns_rrtype(jw, "rrtype", rr->rrtype);
    vg_jw_uint(jw, "ttl", rr->ttl);
    switch (rr->kind) {
    case VG_DNS_RD_ADDR:
        dns_addr(jw, "rdata", rr->data, rr->data_len);
        break;
    case VG_DNS_RD_NAME:
        dns_name(jw, "rdata", &rr->name2);
        if (rr->name2.truncated)
            vg_jw_bool(jw, "rdata_truncated", true);
        break;
    case VG_DNS_RD_TXT:
    case VG_DNS_RD_NULL:
        vg_jw_str_bytes(jw, "rdata", rr->data, rr->data_len);
        break;
    case VG_DNS_RD_SOA:
        dns_soa(jw, "soa", rr);
        break;
    case VG_DNS_RD_SSHFP:
        dns_sshfp(jw, "sshfp", rr);
        break;
    case VG_DNS_RD_SRV:
        dns_srv(jw, "srv", rr);
        break;
    case VG_DNS_RD_OPT: {
        vg_jw_open_array(jw, "opt");
        size_t o = 0;
        while (o + 4 <= rr->data_len) {
            unsigned code = ((unsigned)rr->data[o] << 8) | rr->data[o + 1];
            size_t olen = ((size_t)rr->data[o + 2] << 8) | rr->data[o + 3];
            if (o + 4 + olen > rr->data_len)
                break;
            vg_jw_open_object(jw, NULL);
            vg_jw_uint(jw, "code", code);
            vg_jw_hex(jw, "data", rr->data + o + 4, olen, false);
            vg_jw_close_object(jw);
            o += 4 + olen;
        }
        vg_jw_close_array(jw);
        break;
    }
    default:
        break;
    }
    vg_jw_close_object(jw);
}

static bool
dns_groupable(const vg_dns_rr_t *rr)
{
    switch (rr->kind) {
    case VG_DNS_RD_ADDR:
    case VG_DNS_RD_NAME:
    case VG_DNS_RD_TXT:
    case VG_DNS_RD_NULL:
    case VG_DNS_RD_SOA:
    case VG_DNS_RD_SSHFP:
    case VG_DNS_RD_SRV:
        return vg_dns_rrtype_name(rr->rrtype) != NULL;
    default:
        return false;
    }
}

static void
dns_grouped_item(vg_jw_t *jw, const vg_dns_rr_t *rr)
{
    switch (rr->kind) {
    case VG_DNS_RD_ADDR:
        dns_addr(jw, NULL, rr->data, rr->data_len);
        break;
    case VG_DNS_RD_NAME:
        dns_name(jw, NULL, &rr->name2);
        break;
    case VG_DNS_RD_TXT:
    case VG_DNS_RD_NULL:
        vg_jw_str_bytes(jw, NULL, rr->data, rr->data_len);
        break;
    case VG_DNS_RD_SOA:
        dns_soa(jw, NULL, rr);
        break;
    case VG_DNS_RD_SSHFP:
        dns_sshfp(jw, NULL, rr);
        break;
    case VG_DNS_RD_SRV:
        dns_srv(jw, NULL, rr);
        break;
    default:
        break;
    }
}

static void
dns_grouped(vg_jw_t *jw, const vg_dns_tx_t *tx)
{
    vg_jw_open_object(jw, "grouped");
    for (uint16_t i = 0; i < tx->n_answers; i++) {
        const vg_dns_rr_t *rr = &tx->answers[i];
        if (!dns_groupable(rr))
            continue;
        bool seen = false;
        for (uint16_t j = 0; j < i && !seen; j++)
            seen = dns_groupable(&tx->answers[j]) && tx->answers[j].rrtype == rr->rrtype;
        if (seen)
            continue;
        vg_jw_open_array(jw, vg_dns_rrtype_name(rr->rrtype));
        for (uint16_t j = i; j < tx->n_answers; j++)
            if (tx->answers[j].rrtype == rr->rrtype && dns_groupable(&tx->answers[j]))
                dns_grouped_item(jw, &tx->answers[j]);
        vg_jw_close_array(jw);
    }
    vg_jw_close_object(jw);
}

void
vg_eve_dns_tx(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const vg_app_event_t *ev)
{
    const vg_dns_tx_t *tx = ev->tx;
    if (tx == NULL)
        return;
    bool grouped = cfg == NULL || cfg->dns_v3_grouped;
    uint16_t fl = tx->flags;

    vg_jw_open_object(jw, "dns");
    vg_jw_int(jw, "version", 3);
    vg_jw_str(jw, "type", tx->is_response ? "response" : "request");
    vg_jw_uint(jw, "tx_id", tx->tx_id);
    vg_jw_uint(jw, "id", tx->id);
    char hex[8];
    snprintf(hex, sizeof(hex), "%x", (unsigned)fl);
    vg_jw_str(jw, "flags", hex);
    if (fl & 0x8000)
        vg_jw_bool(jw, "qr", true);
    if (fl & 0x0400)
        vg_jw_bool(jw, "aa", true);
    if (fl & 0x0200)
        vg_jw_bool(jw, "tc", true);
    if (fl & 0x0100)
        vg_jw_bool(jw, "rd", true);
    if (fl & 0x0080)
        vg_jw_bool(jw, "ra", true);
    if (fl & 0x0040)
        vg_jw_bool(jw, "z", true);
    vg_jw_uint(jw, "opcode", (fl >> 11) & 0xf);
    const char *rc = vg_dns_rcode_name(fl & 0xf);
    if (rc != NULL) {
        vg_jw_str(jw, "rcode", rc);
    } else {
        char num[4];
        snprintf(num, sizeof(num), "%u", (unsigned)(fl & 0xf));
        vg_jw_str(jw, "rcode", num);
    }

    if (tx->n_queries > 0) {
        vg_jw_open_array(jw, "queries");
        for (uint16_t i = 0; i < tx->n_queries; i++) {
            const vg_dns_query_t *q = &tx->queries[i];
            vg_jw_open_object(jw, NULL);
            dns_name(jw, "rrname", &q->name);
            dns_rrtype(jw, "rrtype", q->rrtype);
            if (q->name.truncated)
                vg_jw_bool(jw, "rrname_truncated", true);
            vg_jw_close_object(jw);
        }
        vg_jw_close_array(jw);
    }
    if (tx->n_answers > 0) {
        vg_jw_open_array(jw, "answers");
        for (uint16_t i = 0; i < tx->n_answers; i++)
            dns_rr_detail(jw, &tx->answers[i]);
        vg_jw_close_array(jw);
        if (grouped)
            dns_grouped(jw, tx);
    }
    if (tx->n_authorities > 0) {
        vg_jw_open_array(jw, "authorities");
        for (uint16_t i = 0; i < tx->n_authorities; i++)
            dns_rr_detail(jw, &tx->authorities[i]);
        vg_jw_close_array(jw);
    }
    bool open = false;
    for (uint16_t i = 0; i < tx->n_additionals; i++) {
        const vg_dns_rr_t *rr = &tx->additionals[i];
        if (rr->kind == VG_DNS_RD_OPT && rr->data_len == 0)
            continue;
        if (!open) {
            vg_jw_open_array(jw, "additionals");
            open = true;
        }
        dns_rr_detail(jw, rr);
    }
    if (open)
        vg_jw_close_array(jw);
    vg_jw_close_object(jw);
}

vg_eve_addr_mode_t
vg_eve_dns_addr_mode(const vg_app_event_t *ev)
{
    /* Suricata 8 (v3): a record's src is the message's sender, so
     * responses are written server -> client. */
    return ev->dir == VG_DIR_TOCLIENT ? VG_EVE_ADDR_FLOW_REVERSE : VG_EVE_ADDR_FLOW;
}
