#!/usr/bin/env python3
"""Generates input.pcap (deterministic): two HTTP connections whose request
line has no protocol. Port 8001: "GET /a" followed, in the same segment, by
a header: not HTTP/0.9, libhtp's REQUEST_LINE_MISSING_PROTOCOL. Port 8002:
"GET /b" alone, a real 0.9 request answered by a raw body. Run with
/usr/bin/python3 (scapy)."""
from scapy.all import IP, TCP, Ether, wrpcap

pk = []
t = [1700000000.0]


def add(p):
    p.time = t[0]
    t[0] += 0.001
    pk.append(p)


def conn(sport, dport, req, resp):
    c, s = "192.0.2.10", "192.0.2.80"
    e1, e2 = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02"), \
        Ether(src="02:00:00:00:00:02", dst="02:00:00:00:00:01")
    add(e1 / IP(src=c, dst=s) / TCP(sport=sport, dport=dport, flags="S", seq=1000))
    add(e2 / IP(src=s, dst=c) / TCP(sport=dport, dport=sport, flags="SA", seq=5000, ack=1001))
    add(e1 / IP(src=c, dst=s) / TCP(sport=sport, dport=dport, flags="A", seq=1001, ack=5001))
    add(e1 / IP(src=c, dst=s) / TCP(sport=sport, dport=dport, flags="PA", seq=1001, ack=5001) / req)
    add(e2 / IP(src=s, dst=c) / TCP(sport=dport, dport=sport, flags="PA", seq=5001,
                                    ack=1001 + len(req)) / resp)
    add(e2 / IP(src=s, dst=c) / TCP(sport=dport, dport=sport, flags="FA", seq=5001 + len(resp),
                                    ack=1001 + len(req)))
    add(e1 / IP(src=c, dst=s) / TCP(sport=sport, dport=dport, flags="FA", seq=1001 + len(req),
                                    ack=5002 + len(resp)))
    add(e2 / IP(src=s, dst=c) / TCP(sport=dport, dport=sport, flags="A", seq=5002 + len(resp),
                                    ack=1002 + len(req)))


conn(40001, 8001, b"GET /a\r\nHost: example.org\r\n\r\n",
     b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
conn(40002, 8002, b"GET /b\r\n", b"<html>raw</html>\n")
wrpcap("input.pcap", pk)
