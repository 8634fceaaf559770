#!/usr/bin/env python3
"""Generates input.pcap (deterministic: fixed addresses and timestamps).

A DNS query/answer whose answer comes back through a second router MAC
(the flow keeps every MAC per side), then an ICMP echo 10.1.1.1 ->
10.2.2.2 seen bare and its reply seen inside an IPv4-in-IPv6 tunnel
(two flows while decoder.recursion-level.use-for-tracking is on).
Run with /usr/bin/python3 (scapy)."""
from scapy.all import DNS, DNSQR, DNSRR, ICMP, IP, IPv6, UDP, Ether, wrpcap

A, B, C = "02:00:00:00:00:0a", "02:00:00:00:00:0b", "02:00:00:00:00:0c"
pk = []
q = Ether(src=A, dst=B) / IP(src="192.0.2.1", dst="198.51.100.53") / UDP(sport=40000, dport=53) / \
    DNS(id=0x1234, rd=1, qd=DNSQR(qname="example.org"))
r = Ether(src=C, dst=A) / IP(src="198.51.100.53", dst="192.0.2.1") / UDP(sport=53, dport=40000) / \
    DNS(id=0x1234, qr=1, ra=1, qd=DNSQR(qname="example.org"),
        an=DNSRR(rrname="example.org", rdata="203.0.113.7"))
pk += [q, r]
e = Ether(src=A, dst=B) / IP(src="10.1.1.1", dst="10.2.2.2") / ICMP(type=8, id=7, seq=1)
t = Ether(src=B, dst=A) / IPv6(src="fd00::2", dst="fd00::1") / \
    IP(src="10.2.2.2", dst="10.1.1.1") / ICMP(type=0, id=7, seq=1)
pk += [e, t]
for i, p in enumerate(pk):
    p.time = 1700000000 + i
wrpcap("input.pcap", pk)
