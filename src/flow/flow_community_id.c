/* flow_community_id.c - Community ID v1 (corelight/community-id-spec).
 *
 * id = "1:" + base64(sha1(seed(2, network order) . saddr . daddr . proto(1)
 *                         . 0(1) . sport(2) . dport(2)))
 * with the endpoints ordered so the smaller (address, port) comes first.
 * ICMP and ICMPv6 use the spec's type/code "port equivalents": a type with
 * a request/response counterpart gives (type, counterpart type) and may be
 * reordered; any other type gives (type, code) and is never reordered
 * (one-way). Protocols without ports hash no port bytes at all.
 */
#include "flow/flow_private.h"
#include "util/util_digest.h"

#include <openssl/evp.h>
#include <string.h>

/* Request/response pairs of the spec (mirroring Zeek). -1: none. */
static int
cid_icmp4_counterpart(uint8_t type)
{
    switch (type) {
    case 8: return 0;    /* echo -> echo reply */
    case 0: return 8;
    case 13: return 14;  /* timestamp */
    case 14: return 13;
    case 15: return 16;  /* information */
    case 16: return 15;
    case 10: return 9;   /* router solicitation -> advertisement */
    case 9: return 10;
    case 17: return 18;  /* address mask */
    case 18: return 17;
    default: return -1;
    }
}

static int
cid_icmp6_counterpart(uint8_t type)
{
    switch (type) {
    case 128: return 129; /* echo */
    case 129: return 128;
    case 130: return 131; /* MLD query / report */
    case 131: return 130;
    case 133: return 134; /* router solicit / advert */
    case 134: return 133;
    case 135: return 136; /* neighbor solicit / advert */
    case 136: return 135;
    case 139: return 140; /* who-are-you (node information) */
    case 140: return 139;
    case 144: return 145; /* home agent address discovery */
    case 145: return 144;
    default: return -1;
    }
}

int
flow_icmp_counterpart(uint8_t proto, uint8_t type)
{
    return proto == VG_IPPROTO_ICMP ? cid_icmp4_counterpart(type) : cid_icmp6_counterpart(type);
}

static void
cid_base64(const uint8_t *in, size_t n, char *out, size_t outlen)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        char q[4] = { tab[(v >> 18) & 63], tab[(v >> 12) & 63],
                      i + 1 < n ? tab[(v >> 6) & 63] : '=', i + 2 < n ? tab[v & 63] : '=' };
        for (int j = 0; j < 4; j++)
            if (o + 1 < outlen)
                out[o++] = q[j];
    }
    if (outlen > 0)
        out[o] = '\0';
}

void
vg_flow_community_id_raw(const vg_addr_t *src, const vg_addr_t *dst, uint16_t sp, uint16_t dp,
                         uint8_t proto, uint16_t seed, char *out, size_t outlen)
{
    bool ports = true;
    bool one_way = false;
    if (outlen == 0)
        return;
    out[0] = '\0';

    if (proto == VG_IPPROTO_ICMP || proto == VG_IPPROTO_ICMPV6) {
        /* sp = type, dp = code on input */
        int cp = flow_icmp_counterpart(proto, (uint8_t)sp);
        if (cp >= 0)
            dp = (uint16_t)cp;
        else
            one_way = true;
    } else if (!flow_proto_has_ports(proto)) {
        ports = false;
        sp = dp = 0;
    }

    const vg_addr_t *a = src, *b = dst;
    uint16_t ap = sp, bp = dp;
    if (!one_way && flow_endpoint_cmp(a, ap, b, bp) > 0) {
        a = dst;
        b = src;
        ap = dp;
        bp = sp;
    }

    size_t alen = (src->family == 6) ? 16 : 4;
    uint8_t buf[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, a->b, alen);
    n += alen;
    memcpy(buf + n, b->b, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0;
    if (ports) {
        buf[n++] = (uint8_t)(ap >> 8);
        buf[n++] = (uint8_t)ap;
        buf[n++] = (uint8_t)(bp >> 8);
        buf[n++] = (uint8_t)bp;
    }

    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (EVP_Digest(buf, n, md, &mdlen, vg_digest_md(VG_DIGEST_SHA1), NULL) != 1 || mdlen != 20)
        return; /* leaves "" : libcrypto failure, nothing sensible to print */
    if (outlen < 3)
        return;
    out[0] = '1';
    out[1] = ':';
    cid_base64(md, mdlen, out + 2, outlen - 2);
}

void
vg_flow_community_id(const vg_flow_key_t *k, uint16_t seed, char *out, size_t outlen)
{
    uint16_t sp = k->sp, dp = k->dp;
    if (k->proto == VG_IPPROTO_ICMP || k->proto == VG_IPPROTO_ICMPV6) {
        sp = k->icmp_type;
        dp = k->icmp_code;
    }
    vg_flow_community_id_raw(&k->src, &k->dst, sp, dp, k->proto, seed, out, outlen);
}
