/* stream_defrag.c - IP fragment reassembly (see stream_defrag.h).
 *
 * A tracker keeps a copy of each fragment's data in arrival order. When the
 * last fragment has been seen, the first one (offset 0) is present and the
 * ranges cover [0, end) without a hole, the datagram is rebuilt by "painting"
 * each fragment's bytes in arrival order into a scratch buffer, where a byte
 * already written is overwritten only if the policy lets the newer fragment
 * win over the fragment that wrote it. That makes every policy one small
 * predicate and keeps reassembly O(datagram bytes).
 */
#include "stream/stream_defrag.h"

#include "util/util_cursor.h"

#include <stdlib.h>
#include <string.h>

#define DEFRAG_HASH_SIZE 4096 /* power of two */
#define DEFRAG_MAX_DGRAM 65535u
#define DEFRAG_NO_OWNER 0xffff
#define DLT_RAW_IP 12

typedef struct defrag_frag {
    uint32_t off;
    uint32_t len;
    uint8_t *data;
} defrag_frag_t;

typedef struct defrag_key {
    uint8_t family;
    uint8_t proto; /* IPv4 protocol; 0 for IPv6 */
    uint8_t vlan_n;
    uint16_t vlan[VG_PKT_MAX_VLAN];
    uint32_t id;
    uint8_t src[16];
    uint8_t dst[16];
} defrag_key_t;

typedef struct defrag_tracker {
    defrag_key_t key;
    struct defrag_tracker *hnext;
    struct defrag_tracker *older, *newer; /* age list, oldest first */
    vg_time_us_t first_ts;
    defrag_frag_t *frags;
    uint32_t n_frags, cap_frags;
    uint8_t *hdr; /* unfragmentable part, from the offset-0 fragment */
    uint32_t hdr_len;
    uint32_t nh_off; /* IPv6: byte of hdr that must carry v6_next */
    uint8_t v6_next;
    bool seen_last;
    uint32_t end; /* data length, known once the last fragment is seen */
    size_t mem;
} defrag_tracker_t;

struct vg_defrag {
    vg_limits_t lim;
    vg_defrag_policy_t policy;
    vg_counters_t *counters;
    defrag_tracker_t *buckets[DEFRAG_HASH_SIZE];
    defrag_tracker_t *oldest, *newest;
    size_t n_trackers;
    size_t mem;
    uint16_t *owner;  /* scratch: which fragment wrote each byte */
    uint8_t *scratch; /* scratch: painted data */
    vg_counter_id_t c_v4_frags, c_v4_reasm, c_v6_frags, c_v6_reasm, c_max_trackers, c_memcap,
        c_max_frags, c_timeouts;
};

int
vg_defrag_policy_parse(const char *name, vg_defrag_policy_t *out)
{
    static const struct {
        const char *n;
        vg_defrag_policy_t p;
    } tab[] = {{"bsd", VG_DEFRAG_BSD},        {"bsd-right", VG_DEFRAG_LINUX},
               {"linux", VG_DEFRAG_LINUX},    {"first", VG_DEFRAG_FIRST},
               {"last", VG_DEFRAG_LAST},      {"windows", VG_DEFRAG_WINDOWS},
               {"solaris", VG_DEFRAG_SOLARIS}};
    if (name == NULL || out == NULL)
        return VG_EINVAL;
    for (size_t i = 0; i < VG_ARRAY_LEN(tab); i++) {
        if (strcmp(name, tab[i].n) == 0) {
            *out = tab[i].p;
            return VG_OK;
        }
    }
    return VG_EINVAL;
}

vg_defrag_t *
vg_defrag_new(const vg_limits_t *limits, vg_counters_t *counters)
{
    if (limits == NULL || counters == NULL)
        return NULL;
    vg_defrag_t *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->owner = malloc(sizeof(uint16_t) * (DEFRAG_MAX_DGRAM + 1));
    d->scratch = malloc(DEFRAG_MAX_DGRAM + 1);
    if (d->owner == NULL || d->scratch == NULL) {
        vg_defrag_free(d);
        return NULL;
    }
    d->lim = *limits;
    d->policy = VG_DEFRAG_BSD;
    d->counters = counters;
    d->c_v4_frags = vg_counter_register("defrag.ipv4.fragments");
    d->c_v4_reasm = vg_counter_register("defrag.ipv4.reassembled");
    d->c_v6_frags = vg_counter_register("defrag.ipv6.fragments");
    d->c_v6_reasm = vg_counter_register("defrag.ipv6.reassembled");
    d->c_max_trackers = vg_counter_register("defrag.max_trackers_reached");
    d->c_memcap = vg_counter_register("defrag.memcap_exceeded");
    d->c_max_frags = vg_counter_register("defrag.max_frags_reached");
    d->c_timeouts = vg_counter_register("defrag.timeouts");
    return d;
}

void
vg_defrag_set_policy(vg_defrag_t *d, vg_defrag_policy_t policy)
{
    if (d != NULL)
        d->policy = policy;
}

static uint32_t
key_hash(const defrag_key_t *k)
{
    /* FNV-1a over the key fields; the key is built zeroed so padding is stable */
    const uint8_t *b = (const uint8_t *)k;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < sizeof(*k); i++)
        h = (h ^ b[i]) * 16777619u;
    return h & (DEFRAG_HASH_SIZE - 1);
}

static void
tracker_free(vg_defrag_t *d, defrag_tracker_t *t)
{
    /* unlink from its bucket and the age list */
    defrag_tracker_t **pp = &d->buckets[key_hash(&t->key)];
    while (*pp != NULL && *pp != t)
        pp = &(*pp)->hnext;
    if (*pp == t)
        *pp = t->hnext;
    if (t->older)
        t->older->newer = t->newer;
    else
        d->oldest = t->newer;
    if (t->newer)
        t->newer->older = t->older;
    else
        d->newest = t->older;
    for (uint32_t i = 0; i < t->n_frags; i++)
        free(t->frags[i].data);
    free(t->frags);
    free(t->hdr);
    d->mem -= t->mem;
    d->n_trackers--;
    free(t);
}

void
vg_defrag_free(vg_defrag_t *d)
{
    if (d == NULL)
        return;
    while (d->oldest != NULL)
        tracker_free(d, d->oldest);
    free(d->owner);
    free(d->scratch);
    free(d);
}

void
vg_defrag_timeout(vg_defrag_t *d, vg_time_us_t now)
{
    if (d == NULL)
        return;
    uint64_t tmo = d->lim.defrag_timeout_s * 1000000u;
    /* unsigned difference: capture timestamps may be anything, even negative */
    while (d->oldest != NULL && now > d->oldest->first_ts &&
           (uint64_t)now - (uint64_t)d->oldest->first_ts > tmo) {
        vg_counter_inc(d->counters, d->c_timeouts);
        tracker_free(d, d->oldest);
    }
}

size_t
vg_defrag_trackers(const vg_defrag_t *d)
{
    return d ? d->n_trackers : 0;
}

size_t
vg_defrag_memuse(const vg_defrag_t *d)
{
    return d ? d->mem : 0;
}

/* What one fragment packet says about itself. */
typedef struct frag_info {
    uint8_t family;
    uint32_t id;
    uint8_t proto;
    uint32_t off; /* data offset in bytes */
    bool mf;
    const uint8_t *data;
    uint32_t len;
    const uint8_t *hdr; /* unfragmentable part (offset-0 fragment only matters) */
    uint32_t hdr_len;
    uint32_t nh_off;
    uint8_t v6_next;
} frag_info_t;

/* Parse the fragment's IP header(s) from p->l3 (bounded by p->l3_len, which
 * the decoder guarantees lies within the capture). VG_OK or VG_DECLINED. */
static int
frag_parse(const vg_packet_t *p, frag_info_t *fi)
{
    vg_cur_t c = vg_cur_make(p->l3, p->l3_len);
    memset(fi, 0, sizeof(*fi));
    if (p->l3 == NULL || !(p->flags & VG_PKT_IS_FRAGMENT))
        return VG_DECLINED;
    if (p->ip_ver == 4) {
        uint8_t vhl = vg_cur_u8(&c);
        vg_cur_skip(&c, 3);
        fi->id = vg_cur_u16(&c);
        uint16_t fo = vg_cur_u16(&c);
        vg_cur_skip(&c, 1);
        fi->proto = vg_cur_u8(&c);
        uint32_t hlen = (uint32_t)(vhl & 0x0f) * 4;
        if (!vg_cur_ok(&c) || hlen < 20 || hlen > p->l3_len)
            return VG_DECLINED;
        fi->family = 4;
        fi->off = (uint32_t)(fo & 0x1fff) * 8;
        fi->mf = (fo & 0x2000) != 0;
        fi->hdr = p->l3;
        fi->hdr_len = hlen;
        fi->data = p->l3 + hlen;
        fi->len = p->l3_len - hlen;
        return VG_OK;
    }
    if (p->ip_ver != 6)
        return VG_DECLINED;
    vg_cur_skip(&c, 6);
    uint8_t nh = vg_cur_u8(&c);
    size_t nh_off = 6;
    size_t pos = 40;
    /* headers before the fragment header form the unfragmentable part */
    while (vg_cur_ok(&c) && (nh == 0 || nh == 43 || nh == 60 || nh == 135)) {
        uint8_t next = vg_cur_peek_at(&c, pos);
        uint8_t hl = vg_cur_peek_at(&c, pos + 1);
        nh_off = pos;
        nh = next;
        pos += ((size_t)hl + 1) * 8;
    }
    if (!vg_cur_ok(&c) || nh != 44 || pos + 8 > p->l3_len)
        return VG_DECLINED;
    vg_cur_seek(&c, pos);
    fi->v6_next = vg_cur_u8(&c);
    vg_cur_skip(&c, 1);
    uint16_t offm = vg_cur_u16(&c);
    fi->id = vg_cur_u32(&c);
    if (!vg_cur_ok(&c))
        return VG_DECLINED;
    fi->family = 6;
    fi->off = (uint32_t)(offm >> 3) * 8;
    fi->mf = (offm & 1) != 0;
    fi->hdr = p->l3;
    fi->hdr_len = (uint32_t)pos;
    fi->nh_off = (uint32_t)nh_off;
    fi->data = p->l3 + pos + 8;
    fi->len = p->l3_len - (uint32_t)pos - 8;
    return VG_OK;
}

/* Does the newer fragment `n` overwrite the older `o` where they overlap? */
static bool
policy_new_wins(vg_defrag_policy_t pol, const defrag_frag_t *n, const defrag_frag_t *o)
{
    uint32_t n_end = n->off + n->len, o_end = o->off + o->len;
    switch (pol) {
    case VG_DEFRAG_FIRST:
        return false;
    case VG_DEFRAG_LAST:
        return true;
    case VG_DEFRAG_LINUX:
        return n->off < o->off || (n->off == o->off && n_end >= o_end);
    case VG_DEFRAG_WINDOWS:
    case VG_DEFRAG_SOLARIS:
        return n->off < o->off && n_end >= o_end;
    case VG_DEFRAG_BSD:
    default:
        return n->off < o->off;
    }
}

/* Is [0, end) covered without a hole? */
static bool
tracker_complete(const defrag_tracker_t *t)
{
    if (!t->seen_last || t->hdr == NULL)
        return false;
    uint32_t covered = 0;
    /* n_frags is bounded by max-frags-per-datagram, so the quadratic scan
     * stays small; it runs once per arriving fragment */
    bool progress = true;
    while (covered < t->end && progress) {
        progress = false;
        for (uint32_t i = 0; i < t->n_frags; i++) {
            const defrag_frag_t *f = &t->frags[i];
            if (f->off <= covered && f->off + f->len > covered) {
                covered = f->off + f->len;
                progress = true;
            }
        }
    }
    return covered >= t->end;
}

static int
tracker_build(vg_defrag_t *d, defrag_tracker_t *t, const vg_packet_t *frag, vg_packet_t *out)
{
    uint32_t end = t->end;
    for (uint32_t i = 0; i < end; i++)
        d->owner[i] = DEFRAG_NO_OWNER;
    for (uint32_t k = 0; k < t->n_frags; k++) {
        const defrag_frag_t *f = &t->frags[k];
        uint32_t stop = VG_MIN(f->off + f->len, end);
        for (uint32_t i = f->off; i < stop; i++) {
            uint16_t o = d->owner[i];
            if (o == DEFRAG_NO_OWNER || policy_new_wins(d->policy, f, &t->frags[o])) {
                d->owner[i] = (uint16_t)k;
                d->scratch[i] = f->data[i - f->off];
            }
        }
    }
    uint32_t total = t->hdr_len + end;
    if (vg_packet_reserve(out, total, t->hdr_len + DEFRAG_MAX_DGRAM + 1) != VG_OK)
        return VG_ENOMEM;
    memcpy(out->buf, t->hdr, t->hdr_len);
    memcpy(out->buf + t->hdr_len, d->scratch, end);
    if (t->key.family == 4) {
        out->buf[2] = (uint8_t)(total >> 8);
        out->buf[3] = (uint8_t)total;
        out->buf[6] &= 0x40; /* keep DF, clear MF and the offset */
        out->buf[7] = 0;
        out->buf[10] = out->buf[11] = 0;
        uint32_t s = 0;
        for (uint32_t i = 0; i + 1 < t->hdr_len; i += 2)
            s += (uint32_t)(out->buf[i] << 8) | out->buf[i + 1];
        while (s >> 16)
            s = (s & 0xffff) + (s >> 16);
        out->buf[10] = (uint8_t)(~s >> 8);
        out->buf[11] = (uint8_t)~s;
    } else {
        uint32_t plen = total - 40;
        out->buf[4] = (uint8_t)(plen >> 8);
        out->buf[5] = (uint8_t)plen;
        out->buf[t->nh_off] = t->v6_next;
    }
    vg_time_us_t ts = frag->ts;
    uint64_t cnt = frag->pcap_cnt;
    out->data = out->buf;
    out->caplen = out->wirelen = total;
    out->linktype = DLT_RAW_IP;
    out->ts = ts;
    out->pcap_cnt = cnt;
    out->flags = VG_PKT_REASSEMBLED;
    out->vlan_n = frag->vlan_n;
    memcpy(out->vlan_id, frag->vlan_id, sizeof(out->vlan_id));
    /* tunnel depth is part of the flow key (decode keeps it for
     * reassembled packets, as the vlan ids) */
    out->recursion_level = frag->recursion_level;
    out->tunnel_len = 0;
    return VG_OK;
}

int
vg_defrag_handle(vg_defrag_t *d, vg_packet_t *frag, vg_packet_t *out)
{
    if (d == NULL || frag == NULL || out == NULL || frag == out)
        return VG_EINVAL;
    frag_info_t fi;
    if (frag_parse(frag, &fi) != VG_OK)
        return VG_DECLINED;
    vg_defrag_timeout(d, frag->ts);
    bool v4 = fi.family == 4;
    vg_counter_inc(d->counters, v4 ? d->c_v4_frags : d->c_v6_frags);

    /* the datagram may not grow past 64k (the IPv4 total length field, the
     * IPv6 payload length field counting the unfragmentable extension headers) */
    uint32_t hdr_extra = v4 ? fi.hdr_len : fi.hdr_len - 40;
    if (fi.off + fi.len + hdr_extra > DEFRAG_MAX_DGRAM) {
        vg_packet_add_event(frag,
                            v4 ? VG_EV_IPV4_FRAG_PKT_TOO_LARGE : VG_EV_IPV6_FRAG_PKT_TOO_LARGE);
        return VG_DECLINED;
    }
    if (fi.len == 0)
        return VG_DECLINED; /* nothing to place */

    defrag_key_t k;
    memset(&k, 0, sizeof(k));
    k.family = fi.family;
    k.proto = v4 ? fi.proto : 0;
    k.vlan_n = frag->vlan_n;
    for (unsigned i = 0; i < VG_PKT_MAX_VLAN && i < frag->vlan_n; i++)
        k.vlan[i] = frag->vlan_id[i];
    k.id = fi.id;
    memcpy(k.src, frag->src.b, 16);
    memcpy(k.dst, frag->dst.b, 16);
    uint32_t b = key_hash(&k);
    defrag_tracker_t *t = d->buckets[b];
    while (t != NULL && memcmp(&t->key, &k, sizeof(k)) != 0)
        t = t->hnext;

    size_t need = sizeof(defrag_frag_t) + fi.len + (fi.off == 0 ? fi.hdr_len : 0) +
                  (t == NULL ? sizeof(defrag_tracker_t) : 0);
    if (d->mem + need > d->lim.defrag_memcap) {
        vg_counter_inc(d->counters, d->c_memcap);
        return VG_DECLINED;
    }
    if (t == NULL) {
        if (d->n_trackers >= d->lim.defrag_max_frags) {
            vg_counter_inc(d->counters, d->c_max_trackers);
            return VG_DECLINED;
        }
        t = calloc(1, sizeof(*t));
        if (t == NULL)
            return VG_ENOMEM;
        t->key = k;
        t->first_ts = frag->ts;
        t->hnext = d->buckets[b];
        d->buckets[b] = t;
        t->older = d->newest;
        if (d->newest)
            d->newest->newer = t;
        else
            d->oldest = t;
        d->newest = t;
        t->mem = sizeof(*t);
        d->mem += t->mem;
        d->n_trackers++;
    }
    if (t->n_frags >= d->lim.defrag_max_frags_per_dgram || t->n_frags >= DEFRAG_NO_OWNER) {
        /* an overlap/flood attack: give the datagram up */
        vg_counter_inc(d->counters, d->c_max_frags);
        vg_packet_add_event(frag, v4 ? VG_EV_IPV4_FRAG_IGNORED : VG_EV_IPV6_FRAG_IGNORED);
        tracker_free(d, t);
        return VG_DECLINED;
    }
    if (t->seen_last && fi.off + fi.len > t->end) {
        /* data past the end the last fragment announced */
        vg_packet_add_event(frag, v4 ? VG_EV_IPV4_FRAG_OVERLAP : VG_EV_IPV6_FRAG_OVERLAP);
    }
    for (uint32_t i = 0; i < t->n_frags; i++) {
        const defrag_frag_t *o = &t->frags[i];
        if (fi.off < o->off + o->len && o->off < fi.off + fi.len) {
            vg_packet_add_event(frag, v4 ? VG_EV_IPV4_FRAG_OVERLAP : VG_EV_IPV6_FRAG_OVERLAP);
            break;
        }
    }
    if (t->n_frags == t->cap_frags) {
        uint32_t nc = t->cap_frags ? t->cap_frags * 2 : 4;
        defrag_frag_t *nf = realloc(t->frags, nc * sizeof(*nf));
        if (nf == NULL)
            return VG_ENOMEM;
        t->frags = nf;
        t->cap_frags = nc;
    }
    uint8_t *copy = malloc(fi.len);
    if (copy == NULL)
        return VG_ENOMEM;
    memcpy(copy, fi.data, fi.len);
    t->frags[t->n_frags++] = (defrag_frag_t){fi.off, fi.len, copy};
    t->mem += sizeof(defrag_frag_t) + fi.len;
    d->mem += sizeof(defrag_frag_t) + fi.len;
    if (fi.off == 0 && t->hdr == NULL) {
        t->hdr = malloc(fi.hdr_len);
        if (t->hdr == NULL)
            return VG_ENOMEM;
        memcpy(t->hdr, fi.hdr, fi.hdr_len);
        t->hdr_len = fi.hdr_len;
        t->nh_off = fi.nh_off;
        t->v6_next = fi.v6_next;
        t->mem += fi.hdr_len;
        d->mem += fi.hdr_len;
    }
    if (!fi.mf && !t->seen_last) {
        t->seen_last = true;
        t->end = fi.off + fi.len;
    }
    if (!tracker_complete(t))
        return VG_AGAIN;
    if (t->hdr_len + t->end > DEFRAG_MAX_DGRAM + (v4 ? 0 : 40)) {
        vg_packet_add_event(frag,
                            v4 ? VG_EV_IPV4_FRAG_PKT_TOO_LARGE : VG_EV_IPV6_FRAG_PKT_TOO_LARGE);
        tracker_free(d, t);
        return VG_DECLINED;
    }
    int rc = tracker_build(d, t, frag, out);
    if (rc == VG_OK)
        vg_counter_inc(d->counters, v4 ? d->c_v4_reasm : d->c_v6_reasm);
    tracker_free(d, t);
    return rc;
}
