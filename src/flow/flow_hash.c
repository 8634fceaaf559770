/* flow_hash.c - the symmetric flow hash (worker dispatch, bucket choice)
 * and flow_id generation. */
#include "flow/flow_private.h"

#include <string.h>
#include <xxhash.h>

/* Fixed per build: the hash decides which worker owns a flow, and runs must
 * be deterministic for a given input and thread count (STYLE.md). */
#define FLOW_HASH_SEED 0x76696731u /* "vig1" */

int
flow_endpoint_cmp(const vg_addr_t *a, uint16_t ap, const vg_addr_t *b, uint16_t bp)
{
    size_t n = (a->family == 6 || b->family == 6) ? 16 : 4;
    int c = memcmp(a->b, b->b, n);
    if (c != 0)
        return c;
    return (int)ap - (int)bp;
}

void
flow_canon_from_packet(const vg_packet_t *p, flow_canon_t *c)
{
    uint16_t sp, dp;
    memset(c, 0, sizeof(*c));
    flow_packet_ports(p, &sp, &dp);
    if (flow_endpoint_cmp(&p->src, sp, &p->dst, dp) <= 0) {
        memcpy(c->lo, p->src.b, 16);
        memcpy(c->hi, p->dst.b, 16);
        c->lo_port = sp;
        c->hi_port = dp;
    } else {
        memcpy(c->lo, p->dst.b, 16);
        memcpy(c->hi, p->src.b, 16);
        c->lo_port = dp;
        c->hi_port = sp;
    }
    for (size_t i = 0; i < VG_PKT_MAX_VLAN; i++)
        c->vlan[i] = flow_packet_vlan(p, i);
    c->proto = p->proto;
    c->family = p->src.family;
}

uint32_t
flow_canon_hash(const flow_canon_t *c)
{
    return XXH32(c, sizeof(*c), FLOW_HASH_SEED);
}

uint32_t
vg_flow_hash_packet(const vg_packet_t *p)
{
    flow_canon_t c;
    flow_canon_from_packet(p, &c);
    return flow_canon_hash(&c);
}

#define FLOW_ID_MASK ((UINT64_C(1) << 53) - 1)

/* Every step is invertible on 53-bit values (xor-shift right, multiply by an
 * odd constant mod 2^53), so the whole mix is a bijection. */
static uint64_t
flow_mix53(uint64_t x)
{
    x &= FLOW_ID_MASK;
    x ^= x >> 27;
    x = (x * UINT64_C(0x1e3779b97f4a7c15 | 1)) & FLOW_ID_MASK;
    x ^= x >> 31;
    x = (x * UINT64_C(0x0d6e8feb86659fd9 | 1)) & FLOW_ID_MASK;
    x ^= x >> 26;
    return x;
}

uint64_t
flow_id_from_packet(uint64_t pcap_cnt, uint32_t hash, vg_time_us_t ts)
{
    if (pcap_cnt != 0)
        return flow_mix53(pcap_cnt);
    /* Engine-made packets without a number (tests, pseudo packets): fall
     * back to a hash of key and time; never 0. */
    uint64_t in[2] = { hash, (uint64_t)ts };
    uint64_t id = XXH64(in, sizeof(in), FLOW_HASH_SEED) & FLOW_ID_MASK;
    return id ? id : 1;
}
