/* flow_util.c - protocol names as Suricata prints EVE `proto`.
 *
 * Suricata prints the IANA protocol keyword (its util-proto-name table:
 * "TCP", "UDP", "ICMP", "IPv6-ICMP", "GRE", "SCTP", ...) and the decimal
 * number for protocols it has no name for. */
#include "flow/flow.h"

#include <stdio.h>

static const char *
flow_iana_name(uint8_t proto)
{
    switch (proto) {
    case 0: return "HOPOPT";
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 4: return "IPv4";
    case 6: return "TCP";
    case 8: return "EGP";
    case 9: return "IGP";
    case 17: return "UDP";
    case 27: return "RDP";
    case 33: return "DCCP";
    case 41: return "IPv6";
    case 43: return "IPv6-Route";
    case 44: return "IPv6-Frag";
    case 46: return "RSVP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "IPv6-ICMP";
    case 59: return "IPv6-NoNxt";
    case 60: return "IPv6-Opts";
    case 88: return "EIGRP";
    case 89: return "OSPFIGP";
    case 94: return "IPIP";
    case 97: return "ETHERIP";
    case 103: return "PIM";
    case 108: return "IPComp";
    case 112: return "VRRP";
    case 115: return "L2TP";
    case 132: return "SCTP";
    case 135: return "Mobility Header";
    case 136: return "UDPLite";
    case 137: return "MPLS-in-IP";
    default: return NULL;
    }
}

const char *
vg_flow_proto_name(uint8_t proto, char *buf, size_t buflen)
{
    const char *n = flow_iana_name(proto);
    if (n != NULL)
        return n;
    if (buf == NULL || buflen == 0)
        return "";
    snprintf(buf, buflen, "%u", (unsigned)proto);
    return buf;
}
