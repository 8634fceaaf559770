/* output_eve.c - the common EVE record header (vg_eve_begin/vg_eve_end).
 *
 * Field order follows Suricata 8.0's CreateEveHeader: timestamp, flow_id,
 * pcap_cnt, event_type, vlan, src_ip, src_port, dest_ip, dest_port, proto,
 * icmp_type, icmp_code, community_id.
 */
#include "output/output_eve.h"

#include <stdio.h>
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

static void
eve_mac(vg_jw_t *jw, const char *key, const uint8_t m[6])
{
    char b[18];
    snprintf(b, sizeof(b), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    vg_jw_str(jw, key, b);
}

/* The "ether" object as Suricata's CreateJSONEther: a record about a packet
 * gets that packet's MACs (swapped when the record is oriented against the
 * packet's direction), or the flow's first MAC pair if the packet has no
 * ethernet header; a flow record gets every MAC seen per side. Nothing
 * when no MAC is known. */
static void
eve_ether(vg_jw_t *jw, const vg_flow_t *f, const vg_packet_t *p, vg_eve_addr_mode_t mode)
{
    if (p != NULL && p->has_eth) {
        bool swap = (mode == VG_EVE_ADDR_FLOW && p->flow != NULL && p->dir == VG_DIR_TOCLIENT) ||
                    (mode == VG_EVE_ADDR_FLOW_REVERSE && p->dir == VG_DIR_TOSERVER);
        vg_jw_open_object(jw, "ether");
        eve_mac(jw, "src_mac", swap ? p->eth_dst : p->eth_src);
        eve_mac(jw, "dest_mac", swap ? p->eth_src : p->eth_dst);
        vg_jw_close_object(jw);
        return;
    }
    if (f == NULL || f->n_macs[VG_FLOW_MAC_SRC] == 0 || f->n_macs[VG_FLOW_MAC_DST] == 0)
        return;
    vg_jw_open_object(jw, "ether");
    if (p != NULL) {
        bool rev = mode == VG_EVE_ADDR_FLOW_REVERSE;
        eve_mac(jw, "src_mac", vg_flow_mac(f, rev ? VG_FLOW_MAC_DST : VG_FLOW_MAC_SRC, 0));
        eve_mac(jw, "dest_mac", vg_flow_mac(f, rev ? VG_FLOW_MAC_SRC : VG_FLOW_MAC_DST, 0));
    } else {
        vg_jw_open_array(jw, "dest_macs");
        for (size_t i = 0; i < f->n_macs[VG_FLOW_MAC_DST]; i++)
            eve_mac(jw, NULL, vg_flow_mac(f, VG_FLOW_MAC_DST, i));
        vg_jw_close_array(jw);
        vg_jw_open_array(jw, "src_macs");
        for (size_t i = 0; i < f->n_macs[VG_FLOW_MAC_SRC]; i++)
            eve_mac(jw, NULL, vg_flow_mac(f, VG_FLOW_MAC_SRC, i));
        vg_jw_close_array(jw);
    }
    vg_jw_close_object(jw);
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
            /* Suricata's CreateEveHeaderFromFlow: the first packet's
             * type/code, and the first reply's once one was seen */
            vg_jw_uint(jw, "icmp_type", f->key.icmp_type);
            vg_jw_uint(jw, "icmp_code", f->key.icmp_code);
            if (f->pkts[VG_DIR_TOCLIENT] > 0) {
                vg_jw_uint(jw, "response_icmp_type", f->icmp_type_tc);
                vg_jw_uint(jw, "response_icmp_code", f->icmp_code_tc);
            }
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
    if (cfg != NULL && cfg->ethernet)
        eve_ether(jw, f, p, mode);
}

int
vg_eve_end(vg_jw_t *jw)
{
    vg_jw_close_object(jw);
    return vg_jw_finish(jw);
}
