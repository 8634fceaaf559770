/* output_eve.c - the common EVE record header (vg_eve_begin/vg_eve_end).
 *
 * Field order follows Suricata 8.0's CreateEveHeader: timestamp, flow_id,
 * pcap_cnt, event_type, vlan, src_ip, src_port, dest_ip, dest_port, proto,
 * icmp_type, icmp_code, community_id.
 */
#include "output/output_eve.h"

#include <string.h>

/* Ports are printed for the protocols that have them (Suricata prints
 * them for TCP, UDP and SCTP). */
static bool
eve_has_ports(uint8_t proto)
{
    return proto == VG_IPPROTO_TCP || proto == VG_IPPROTO_UDP || proto == VG_IPPROTO_SCTP;
}

static bool
eve_is_icmp(uint8_t proto)
{
    return proto == VG_IPPROTO_ICMP || proto == VG_IPPROTO_ICMPV6;
}

void
vg_eve_begin(vg_jw_t *jw, const vg_eve_cfg_t *cfg, const char *event_type, vg_time_us_t ts,
             const vg_flow_t *f, const vg_packet_t *p, vg_eve_addr_mode_t mode)
{
    vg_jw_reset(jw);
    vg_jw_open_object(jw, NULL);
    vg_jw_ts(jw, "timestamp", ts);
    if (f != NULL)
        vg_jw_uint(jw, "flow_id", f->flow_id);
    if (p != NULL && p->pcap_cnt != 0 && !(p->flags & VG_PKT_PSEUDO))
        vg_jw_uint(jw, "pcap_cnt", p->pcap_cnt);
    vg_jw_str(jw, "event_type", event_type);

    /* Packet mode needs a packet; without one the flow decides. */
    if (mode == VG_EVE_ADDR_PACKET && p == NULL)
        mode = VG_EVE_ADDR_FLOW;
    if (mode != VG_EVE_ADDR_PACKET && f == NULL) {
        if (p == NULL)
            return;
        mode = VG_EVE_ADDR_PACKET;
    }

    const vg_addr_t *src, *dst;
    uint16_t sp, dp;
    uint8_t proto;
    /* as many ids as the packet and the flow key keep (arrays may grow) */
    uint16_t vlan[VG_ARRAY_LEN(p->vlan_id) + VG_ARRAY_LEN(f->key.vlan_id)];
    int n_vlan = 0;
    if (mode == VG_EVE_ADDR_PACKET) {
        src = &p->src;
        dst = &p->dst;
        sp = p->sp;
        dp = p->dp;
        proto = p->proto;
        n_vlan = VG_MIN(p->vlan_n, (int)VG_ARRAY_LEN(p->vlan_id));
        for (int i = 0; i < n_vlan; i++)
            vlan[i] = p->vlan_id[i];
    } else {
        bool rev = mode == VG_EVE_ADDR_FLOW_REVERSE;
        src = rev ? &f->key.dst : &f->key.src;
        dst = rev ? &f->key.src : &f->key.dst;
        sp = rev ? f->key.dp : f->key.sp;
        dp = rev ? f->key.sp : f->key.dp;
        proto = f->key.proto;
        /* the flow key stores vlan ids outer first; 0 = no tag at that level */
        for (size_t i = 0; i < VG_ARRAY_LEN(f->key.vlan_id); i++)
            if (f->key.vlan_id[i] != 0)
                vlan[n_vlan++] = f->key.vlan_id[i];
    }
    if (n_vlan > 0) {
        vg_jw_open_array(jw, "vlan");
        for (int i = 0; i < n_vlan; i++)
            vg_jw_uint(jw, NULL, vlan[i]);
        vg_jw_close_array(jw);
    }
    if (src->family == 0 && dst->family == 0)
        return; /* not an IP packet: no address fields */
    char a[64];
    vg_jw_str(jw, "src_ip", vg_addr_format_eve(src, a, sizeof(a)));
    if (eve_has_ports(proto))
        vg_jw_uint(jw, "src_port", sp);
    vg_jw_str(jw, "dest_ip", vg_addr_format_eve(dst, a, sizeof(a)));
    if (eve_has_ports(proto))
        vg_jw_uint(jw, "dest_port", dp);
    char pn[16];
    vg_jw_str(jw, "proto", vg_flow_proto_name(proto, pn, sizeof(pn)));
    if (eve_is_icmp(proto)) {
        if (p != NULL && (p->flags & VG_PKT_HAS_L4) && p->proto == proto) {
            vg_jw_uint(jw, "icmp_type", p->icmp_type);
            vg_jw_uint(jw, "icmp_code", p->icmp_code);
        } else if (f != NULL) {
            vg_jw_uint(jw, "icmp_type", f->key.icmp_type);
        }
    }
    if (cfg != NULL && cfg->community_id) {
        char cid[40];
        if (f != NULL)
            vg_flow_community_id(&f->key, cfg->community_id_seed, cid, sizeof(cid));
        else
            vg_flow_community_id_raw(src, dst, sp, dp, proto, cfg->community_id_seed, cid,
                                     sizeof(cid));
        if (cid[0])
            vg_jw_str(jw, "community_id", cid);
    }
}

int
vg_eve_end(vg_jw_t *jw)
{
    vg_jw_close_object(jw);
    return vg_jw_finish(jw);
}
