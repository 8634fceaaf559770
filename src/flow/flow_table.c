/* flow_table.c - the per-worker flow table: lookup/create, counters,
 * timeouts, memcap and emergency eviction.
 *
 * Layout: a chained hash (flow_hash_size buckets, power of two) and one
 * LRU list per timeout class (protocol class x flow state). Every flow sits
 * on exactly one list, ordered by last-packet time (a packet moves its flow
 * to the tail), so a timeout sweep only looks at list heads and stops at
 * the first flow that is not due: O(expired + classes) per sweep.
 * Emergency eviction takes the oldest head over all lists.
 */
#include "flow/flow_private.h"

#include <stdlib.h>
#include <string.h>

enum { PC_TCP = 0, PC_UDP, PC_ICMP, PC_OTHER, PC_MAX };
#define FLOW_NCLASS (PC_MAX * 3)
#define FLOW_UNLINKED 0xff /* lru_class of a flow being ended: on no list */

typedef struct flow_list {
    vg_flow_t *head; /* oldest */
    vg_flow_t *tail; /* newest */
} flow_list_t;

struct vg_flow_table {
    vg_counters_t *ctr;
    vg_flow_end_cb on_end;
    void *user;

    vg_flow_t **buckets;
    uint32_t mask;
    flow_list_t lru[FLOW_NCLASS];
    vg_time_us_t timeout_us[FLOW_NCLASS];

    vg_flow_t *spare;     /* free records kept for reuse (prealloc) */
    size_t nspare;
    size_t spare_max;
    size_t count;

    uint64_t mem;         /* records (live + spare) + buckets + extra */
    uint64_t memcap;
    uint64_t recovery_pct;
    bool recursion_tracking; /* decoder.recursion-level.use-for-tracking */
    uint8_t max_macs;        /* flow.max-mac-addresses, per side */
    bool emergency;
    vg_time_us_t last_sweep;

    vg_counter_id_t c_total, c_tcp, c_udp, c_icmp4, c_icmp6, c_memcap, c_memcap_evicted,
        c_emerg_entered, c_emerg_over, c_tcp_reuse, c_timeout, c_shutdown, c_declined;
};

static size_t
flow_pc(uint8_t proto)
{
    switch (proto) {
    case VG_IPPROTO_TCP: return PC_TCP;
    case VG_IPPROTO_UDP: return PC_UDP;
    case VG_IPPROTO_ICMP:
    case VG_IPPROTO_ICMPV6: return PC_ICMP;
    default: return PC_OTHER;
    }
}

static size_t
flow_class(const vg_flow_t *f)
{
    size_t st = f->state <= VG_FLOW_STATE_CLOSED ? f->state : VG_FLOW_STATE_CLOSED;
    return flow_pc(f->key.proto) * 3 + st;
}

/* --- LRU lists ---------------------------------------------------------- */

static void
lru_unlink(vg_flow_table_t *t, vg_flow_t *f)
{
    flow_list_t *l = &t->lru[f->lru_class];
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        l->head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        l->tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void
lru_append(vg_flow_table_t *t, vg_flow_t *f)
{
    f->lru_class = (uint8_t)flow_class(f);
    flow_list_t *l = &t->lru[f->lru_class];
    f->lru_next = NULL;
    f->lru_prev = l->tail;
    if (l->tail)
        l->tail->lru_next = f;
    else
        l->head = f;
    l->tail = f;
}

/* --- hash --------------------------------------------------------------- */

static void
hash_unlink(vg_flow_table_t *t, vg_flow_t *f)
{
    vg_flow_t **pp = &t->buckets[f->hash & t->mask];
    while (*pp != NULL && *pp != f)
        pp = &(*pp)->hnext;
    if (VG_ALWAYS(*pp == f))
        *pp = f->hnext;
    f->hnext = NULL;
}

/* The tunnel depth a packet contributes to the flow key: Suricata keys
 * flows on it unless decoder.recursion-level.use-for-tracking is off, so
 * the same tuple seen bare and inside a tunnel forms two flows. */
static uint8_t
flow_packet_recursion(const vg_flow_table_t *t, const vg_packet_t *p)
{
    return t != NULL && t->recursion_tracking ? p->recursion_level : 0;
}

/* 1: same direction as the key, -1: reverse, 0: not this flow. */
static int
flow_match(const vg_flow_t *f, const vg_packet_t *p, uint16_t sp, uint16_t dp)
{
    const vg_flow_key_t *k = &f->key;
    if (k->proto != p->proto || k->src.family != p->src.family ||
        k->recursion_level != flow_packet_recursion(f->table, p))
        return 0;
    for (size_t i = 0; i < VG_PKT_MAX_VLAN; i++)
        if (k->vlan_id[i] != flow_packet_vlan(p, i))
            return 0;
    if (k->sp == sp && k->dp == dp && memcmp(k->src.b, p->src.b, 16) == 0 &&
        memcmp(k->dst.b, p->dst.b, 16) == 0)
        return 1;
    if (k->sp == dp && k->dp == sp && memcmp(k->src.b, p->dst.b, 16) == 0 &&
        memcmp(k->dst.b, p->src.b, 16) == 0)
        return -1;
    return 0;
}

/* --- records ------------------------------------------------------------ */

static void
flow_release(vg_flow_table_t *t, vg_flow_t *f)
{
    /* Charges the owner did not give back are released with the record
     * (the MAC lists are charged there too). */
    t->mem -= VG_MIN(t->mem, f->mem_extra);
    free(f->mac_more[0]);
    free(f->mac_more[1]);
    if (t->nspare < t->spare_max) {
        memset(f, 0, sizeof(*f));
        f->hnext = t->spare;
        t->spare = f;
        t->nspare++;
    } else {
        t->mem -= VG_MIN(t->mem, sizeof(vg_flow_t));
        free(f);
    }
}

/* End one flow: unlink, tell the owner, recycle the record. */
static void
flow_end(vg_flow_table_t *t, vg_flow_t *f, vg_flow_end_reason_t reason)
{
    hash_unlink(t, f);
    lru_unlink(t, f);
    f->lru_class = FLOW_UNLINKED; /* on_end may still call vg_flow_set_state */
    t->count--;
    f->end_reason = (uint8_t)reason;
    if (t->on_end)
        t->on_end(t->user, f);
    flow_release(t, f);
}

static vg_flow_t *
flow_oldest(vg_flow_table_t *t)
{
    vg_flow_t *best = NULL;
    for (size_t i = 0; i < FLOW_NCLASS; i++) {
        vg_flow_t *h = t->lru[i].head;
        if (h && (best == NULL || h->last < best->last))
            best = h;
    }
    return best;
}

/* A record for a new flow: a spare one, or a new allocation within the
 * memcap, or (memcap hit) one freed by evicting the least recently used
 * flows. NULL when nothing can be had. */
static vg_flow_t *
flow_get_record(vg_flow_table_t *t)
{
    if (t->spare == NULL && t->mem + sizeof(vg_flow_t) > t->memcap) {
        vg_counter_inc(t->ctr, t->c_memcap);
        if (!t->emergency) {
            t->emergency = true;
            vg_counter_inc(t->ctr, t->c_emerg_entered);
        }
        /* Evict until a record is free and we are under the cap (app/stream
         * extra charges of the evicted flows count too). */
        while (t->spare == NULL && t->mem + sizeof(vg_flow_t) > t->memcap) {
            vg_flow_t *old = flow_oldest(t);
            if (old == NULL)
                break;
            vg_counter_inc(t->ctr, t->c_memcap_evicted);
            flow_end(t, old, VG_FLOW_END_FORCED);
        }
    }
    vg_flow_t *f = t->spare;
    if (f != NULL) {
        t->spare = f->hnext;
        t->nspare--;
        f->hnext = NULL;
        return f;
    }
    if (t->mem + sizeof(vg_flow_t) > t->memcap)
        return NULL;
    f = calloc(1, sizeof(*f));
    if (f == NULL)
        return NULL;
    t->mem += sizeof(vg_flow_t);
    return f;
}

/* --- public API --------------------------------------------------------- */

vg_flow_table_t *
vg_flow_table_new(const vg_limits_t *limits, vg_counters_t *counters, vg_flow_end_cb on_end,
                  void *user)
{
    vg_flow_table_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    uint64_t want = limits->flow_hash_size ? limits->flow_hash_size : 1;
    uint32_t n = 1;
    while (n < want && n < (1u << 26))
        n <<= 1;
    t->buckets = calloc(n, sizeof(*t->buckets));
    if (t->buckets == NULL) {
        free(t);
        return NULL;
    }
    t->mask = n - 1;
    t->ctr = counters;
    t->on_end = on_end;
    t->user = user;
    t->memcap = limits->flow_memcap;
    t->recovery_pct = VG_MIN(limits->flow_emergency_recovery, 100);
    t->recursion_tracking = limits->flow_recursion_tracking != 0;
    t->max_macs = (uint8_t)VG_MIN(limits->flow_max_macs, 255);
    t->mem = (uint64_t)n * sizeof(*t->buckets) + sizeof(*t);
    t->last_sweep = INT64_MIN;

    static const int pcs[PC_MAX] = { PC_TCP, PC_UDP, PC_ICMP, PC_OTHER };
    for (size_t i = 0; i < PC_MAX; i++) {
        uint64_t to[3];
        switch (pcs[i]) {
        case PC_TCP:
            to[0] = limits->flow_timeout_tcp_new_s;
            to[1] = limits->flow_timeout_tcp_est_s;
            to[2] = limits->flow_timeout_tcp_closed_s;
            break;
        case PC_UDP:
            to[0] = limits->flow_timeout_udp_new_s;
            to[1] = limits->flow_timeout_udp_est_s;
            to[2] = limits->flow_timeout_closed_s;
            break;
        case PC_ICMP:
            to[0] = limits->flow_timeout_icmp_new_s;
            to[1] = limits->flow_timeout_icmp_est_s;
            to[2] = limits->flow_timeout_closed_s;
            break;
        default:
            to[0] = limits->flow_timeout_new_s;
            to[1] = limits->flow_timeout_est_s;
            to[2] = limits->flow_timeout_closed_s;
            break;
        }
        for (size_t s = 0; s < 3; s++)
            t->timeout_us[i * 3 + s] = (vg_time_us_t)VG_MIN(to[s], UINT64_C(1) << 32) * 1000000;
    }

    t->c_total = vg_counter_register("flow.total");
    t->c_tcp = vg_counter_register("flow.tcp");
    t->c_udp = vg_counter_register("flow.udp");
    t->c_icmp4 = vg_counter_register("flow.icmpv4");
    t->c_icmp6 = vg_counter_register("flow.icmpv6");
    t->c_memcap = vg_counter_register("flow.memcap");
    t->c_memcap_evicted = vg_counter_register("flow.memcap_evicted");
    t->c_emerg_entered = vg_counter_register("flow.emerg_mode_entered");
    t->c_emerg_over = vg_counter_register("flow.emerg_mode_over");
    t->c_tcp_reuse = vg_counter_register("flow.tcp_reuse");
    t->c_timeout = vg_counter_register("flow.end.timeout");
    t->c_shutdown = vg_counter_register("flow.end.shutdown");
    t->c_declined = vg_counter_register("flow.untracked_pkts");

    /* Preallocate within the memcap. */
    t->spare_max = limits->flow_prealloc;
    for (size_t i = 0; i < t->spare_max; i++) {
        if (t->mem + sizeof(vg_flow_t) > t->memcap)
            break;
        vg_flow_t *f = calloc(1, sizeof(*f));
        if (f == NULL)
            break;
        t->mem += sizeof(vg_flow_t);
        f->hnext = t->spare;
        t->spare = f;
        t->nspare++;
    }
    return t;
}

void
vg_flow_table_flush(vg_flow_table_t *t)
{
    if (t == NULL)
        return;
    vg_flow_t *f;
    while ((f = flow_oldest(t)) != NULL) {
        vg_counter_inc(t->ctr, t->c_shutdown);
        flow_end(t, f, VG_FLOW_END_SHUTDOWN);
    }
}

void
vg_flow_table_free(vg_flow_table_t *t)
{
    if (t == NULL)
        return;
    vg_flow_table_flush(t);
    while (t->spare) {
        vg_flow_t *f = t->spare;
        t->spare = f->hnext;
        free(f);
    }
    free(t->buckets);
    free(t);
}

size_t
vg_flow_table_count(const vg_flow_table_t *t)
{
    return t->count;
}

uint64_t
vg_flow_table_memuse(const vg_flow_table_t *t)
{
    return t->mem;
}

int
vg_flow_mem_add(vg_flow_t *f, size_t n)
{
    vg_flow_table_t *t = f->table;
    if (t == NULL) {
        /* A flow outside any table (unit tests of other stages): no memcap
         * applies; keep the per-flow tally so add/sub stay balanced. */
        f->mem_extra += n;
        return VG_OK;
    }
    if (t->mem + n > t->memcap) {
        vg_counter_inc(t->ctr, t->c_memcap);
        return VG_ENOMEM;
    }
    t->mem += n;
    f->mem_extra += n;
    return VG_OK;
}

void
vg_flow_mem_sub(vg_flow_t *f, size_t n)
{
    vg_flow_table_t *t = f->table;
    n = VG_MIN(n, f->mem_extra);
    f->mem_extra -= n;
    if (t != NULL)
        t->mem -= VG_MIN(t->mem, n);
}

void
vg_flow_set_state(vg_flow_t *f, vg_flow_state_t st)
{
    if (f->state == st)
        return;
    f->state = (uint8_t)st;
    /* Move to the list of the new timeout class. The flow was just touched
     * by the current packet, so the tail keeps the list time-ordered. */
    if (f->table != NULL && f->lru_class != FLOW_UNLINKED) {
        lru_unlink(f->table, f);
        lru_append(f->table, f);
    }
}

#define FLOW_SWAP(a, b)                                                                       \
    do {                                                                                      \
        __typeof__(a) tmp_ = (a);                                                             \
        (a) = (b);                                                                            \
        (b) = tmp_;                                                                           \
    } while (0)

int
vg_flow_swap(vg_flow_t *f)
{
    if (f->tcp != NULL)
        return VG_DECLINED;
    FLOW_SWAP(f->key.src, f->key.dst);
    FLOW_SWAP(f->key.sp, f->key.dp);
    FLOW_SWAP(f->pkts[0], f->pkts[1]);
    FLOW_SWAP(f->bytes[0], f->bytes[1]);
    FLOW_SWAP(f->tcp_flags[0], f->tcp_flags[1]);
    FLOW_SWAP(f->min_ttl[0], f->min_ttl[1]);
    FLOW_SWAP(f->max_ttl[0], f->max_ttl[1]);
    FLOW_SWAP(f->alproto_ts, f->alproto_tc);
    FLOW_SWAP(f->key.icmp_type, f->icmp_type_tc);
    FLOW_SWAP(f->key.icmp_code, f->icmp_code_tc);
    FLOW_SWAP(f->n_macs[0], f->n_macs[1]);
    uint8_t mac_tmp[6];
    memcpy(mac_tmp, f->mac_first[0], 6);
    memcpy(f->mac_first[0], f->mac_first[1], 6);
    memcpy(f->mac_first[1], mac_tmp, 6);
    FLOW_SWAP(f->mac_more[0], f->mac_more[1]);
    if (f->pkts[1] > 0)
        f->flags |= VG_FLOW_F_SEEN_TOCLIENT;
    else
        f->flags &= (uint8_t)~VG_FLOW_F_SEEN_TOCLIENT;
    return VG_OK;
}

/* Remember a MAC on one side of the flow unless already known. The first
 * is kept in the record; later ones in a list allocated (and charged to
 * flow.memcap) when the second distinct MAC shows up. Past the cap, or
 * when the memcap refuses the list, further MACs are not kept. */
static void
flow_mac_add(vg_flow_table_t *t, vg_flow_t *f, int side, const uint8_t mac[6])
{
    uint8_t n = f->n_macs[side];
    for (uint8_t i = 0; i < n; i++)
        if (memcmp(vg_flow_mac(f, side, i), mac, 6) == 0)
            return;
    if (n >= t->max_macs)
        return;
    if (n == 0) {
        memcpy(f->mac_first[side], mac, 6);
        f->n_macs[side] = 1;
        return;
    }
    if (f->mac_more[side] == NULL) {
        size_t sz = (size_t)(t->max_macs - 1) * 6;
        if (vg_flow_mem_add(f, sz) != VG_OK)
            return;
        f->mac_more[side] = malloc(sz);
        if (f->mac_more[side] == NULL) {
            vg_flow_mem_sub(f, sz);
            return;
        }
    }
    memcpy(f->mac_more[side] + (size_t)(n - 1) * 6, mac, 6);
    f->n_macs[side] = (uint8_t)(n + 1);
}

static void
flow_init_key(vg_flow_t *f, const vg_packet_t *p, uint16_t sp, uint16_t dp, bool swap)
{
    vg_flow_key_t *k = &f->key;
    k->src = swap ? p->dst : p->src;
    k->dst = swap ? p->src : p->dst;
    k->sp = swap ? dp : sp;
    k->dp = swap ? sp : dp;
    for (size_t i = 0; i < VG_PKT_MAX_VLAN; i++)
        k->vlan_id[i] = flow_packet_vlan(p, i);
    k->proto = p->proto;
    k->recursion_level = flow_packet_recursion(f->table, p);
    if (p->proto == VG_IPPROTO_ICMP || p->proto == VG_IPPROTO_ICMPV6) {
        k->icmp_type = p->icmp_type;
        k->icmp_code = p->icmp_code;
    }
}

int
vg_flow_handle_packet(vg_flow_table_t *t, vg_packet_t *p)
{
    if ((p->flags & VG_PKT_INVALID) || (p->ip_ver != 4 && p->ip_ver != 6) ||
        (p->src.family != 4 && p->src.family != 6) || p->src.family != p->dst.family ||
        ((p->flags & VG_PKT_IS_FRAGMENT) && !(p->flags & VG_PKT_REASSEMBLED)) ||
        ((p->proto == VG_IPPROTO_TCP || p->proto == VG_IPPROTO_UDP) &&
         !(p->flags & VG_PKT_HAS_L4))) {
        vg_counter_inc(t->ctr, t->c_declined);
        return VG_DECLINED;
    }

    uint16_t sp, dp;
    flow_packet_ports(p, &sp, &dp);
    /* the reader already hashed it to pick the worker */
    uint32_t h = (p->flags & VG_PKT_FLOW_HASHED) ? p->flow_hash : vg_flow_hash_packet(p);
    p->flow_hash = h;

    vg_flow_t *f = t->buckets[h & t->mask];
    int m = 0;
    for (; f != NULL; f = f->hnext) {
        if (f->hash == h && (m = flow_match(f, p, sp, dp)) != 0)
            break;
    }

    /* TCP port reuse: a fresh SYN on a closed session starts a new flow
     * (Suricata ends the old one and logs it). */
    if (f != NULL && p->proto == VG_IPPROTO_TCP && f->state == VG_FLOW_STATE_CLOSED &&
        (p->tcp.flags & (VG_TH_SYN | VG_TH_ACK | VG_TH_RST)) == VG_TH_SYN) {
        vg_counter_inc(t->ctr, t->c_tcp_reuse);
        flow_end(t, f, VG_FLOW_END_TIMEOUT);
        f = NULL;
    }

    if (f == NULL) {
        f = flow_get_record(t);
        if (f == NULL)
            return VG_ENOMEM; /* counted as flow.memcap */
        /* A SYN/ACK seen first: its receiver opened the connection. */
        bool swap = p->proto == VG_IPPROTO_TCP &&
                    (p->tcp.flags & (VG_TH_SYN | VG_TH_ACK)) == (VG_TH_SYN | VG_TH_ACK);
        f->table = t;
        flow_init_key(f, p, sp, dp, swap);
        f->hash = h;
        f->start = p->ts;
        f->last = p->ts;
        f->ip_ver = p->ip_ver;
        f->flow_id = flow_id_from_packet(p->pcap_cnt, h, p->ts);
        f->state = VG_FLOW_STATE_NEW;
        f->min_ttl[0] = f->min_ttl[1] = 255;
        f->hnext = t->buckets[h & t->mask];
        t->buckets[h & t->mask] = f;
        lru_append(t, f);
        t->count++;
        m = swap ? -1 : 1;
        vg_counter_inc(t->ctr, t->c_total);
        switch (p->proto) {
        case VG_IPPROTO_TCP: vg_counter_inc(t->ctr, t->c_tcp); break;
        case VG_IPPROTO_UDP: vg_counter_inc(t->ctr, t->c_udp); break;
        case VG_IPPROTO_ICMP: vg_counter_inc(t->ctr, t->c_icmp4); break;
        case VG_IPPROTO_ICMPV6: vg_counter_inc(t->ctr, t->c_icmp6); break;
        default: break;
        }
    } else {
        if (p->ts > f->last)
            f->last = p->ts;
        lru_unlink(t, f);
        lru_append(t, f);
    }

    int dir = m > 0 ? VG_DIR_TOSERVER : VG_DIR_TOCLIENT;
    p->flow = f;
    p->dir = (uint8_t)dir;
    f->pkts[dir]++;
    /* a tunneled packet counts the bytes of its tunnel packet, as
     * Suricata's pseudo-packet (suricata-verify decode-erspan-typeII-01) */
    f->bytes[dir] += p->recursion_level > 0 && p->tunnel_len > 0 ? p->tunnel_len : p->caplen;
    if (p->ttl < f->min_ttl[dir])
        f->min_ttl[dir] = p->ttl;
    if (p->ttl > f->max_ttl[dir])
        f->max_ttl[dir] = p->ttl;
    if (p->proto == VG_IPPROTO_TCP)
        f->tcp_flags[dir] |= p->tcp.flags;
    if (p->has_eth && t->max_macs > 0) {
        bool ts = dir == VG_DIR_TOSERVER;
        flow_mac_add(t, f, VG_FLOW_MAC_SRC, ts ? p->eth_src : p->eth_dst);
        flow_mac_add(t, f, VG_FLOW_MAC_DST, ts ? p->eth_dst : p->eth_src);
    }
    if (dir == VG_DIR_TOCLIENT) {
        if (!(f->flags & VG_FLOW_F_SEEN_TOCLIENT) &&
            (p->proto == VG_IPPROTO_ICMP || p->proto == VG_IPPROTO_ICMPV6)) {
            f->icmp_type_tc = p->icmp_type;
            f->icmp_code_tc = p->icmp_code;
        }
        f->flags |= VG_FLOW_F_SEEN_TOCLIENT;
    }
    /* Non-TCP: established once both directions were seen (Suricata). TCP
     * state belongs to the stream engine. */
    if (p->proto != VG_IPPROTO_TCP && f->state == VG_FLOW_STATE_NEW && f->pkts[0] > 0 &&
        f->pkts[1] > 0)
        vg_flow_set_state(f, VG_FLOW_STATE_ESTABLISHED);
    return VG_OK;
}

void
vg_flow_timeout_sweep(vg_flow_table_t *t, vg_time_us_t now)
{
    /* Cheap per packet: real work at most once per second of packet time. */
    if (t->last_sweep != INT64_MIN && now < t->last_sweep + 1000000)
        return;
    t->last_sweep = now;
    for (size_t i = 0; i < FLOW_NCLASS; i++) {
        vg_flow_t *f;
        while ((f = t->lru[i].head) != NULL && now > f->last + t->timeout_us[i]) {
            vg_counter_inc(t->ctr, t->c_timeout);
            flow_end(t, f, VG_FLOW_END_TIMEOUT);
        }
    }
    if (t->emergency && t->mem * 100 <= t->memcap * (100 - t->recovery_pct)) {
        t->emergency = false;
        vg_counter_inc(t->ctr, t->c_emerg_over);
    }
}
