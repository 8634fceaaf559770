#!/usr/bin/python3
"""Generate tests/data/demo.pcap: a small, deterministic, realistic traffic mix.

Needs python3-scapy (Debian: /usr/bin/python3). Every timestamp, address,
port, sequence number and payload is fixed, so running this again writes
the same bytes (the committed demo.pcap is this script's output).

Contents (client -> server), in time order:
  DNS A/AAAA lookups from two hosts (UDP 53), one NXDOMAIN
  HTTP GET with a gzip-encoded response, HTTP POST with a form body
  TLS 1.2 handshake: ClientHello with SNI, ServerHello, Certificate
    (tests/data/demo_cert.der, a self-signed cert made once with openssl)
  an NTP-like UDP exchange, ICMP echo request/reply
  a TCP flow with a retransmitted segment
  a TCP flow whose data segments arrive out of order
  an IPv6 TCP flow (HTTP over IPv6)
  a fragmented UDP datagram (3 IPv4 fragments)
  a VLAN-tagged (802.1Q id 100) HTTP flow

Usage: make_demo_pcap.py [OUT]   (default: demo.pcap beside this script)
"""
import gzip
import os
import random
import struct
import sys

from scapy.all import (DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP, Dot1Q, Ether, IPv6, Raw,
                       fragment, wrpcap)

random.seed(1337)  # nothing below is random, but keep scapy's helpers stable

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1700000000.0  # 2023-11-14T22:13:20Z

MAC = {
    "10.0.0.10": "02:00:00:00:00:0a",
    "10.0.0.11": "02:00:00:00:00:0b",
    "10.0.0.12": "02:00:00:00:00:0c",
    "gw": "02:00:00:00:00:01",
}

packets = []
clock = [T0]


def stamp(pkt, dt=0.001):
    clock[0] += dt
    pkt.time = round(clock[0], 6)
    packets.append(pkt)
    return pkt


def eth(src_ip, vlan=None):
    src = MAC.get(src_ip, MAC["gw"])
    dst = MAC["gw"] if src != MAC["gw"] else MAC["10.0.0.10"]
    e = Ether(src=src, dst=dst)
    if vlan is not None:
        e = e / Dot1Q(vlan=vlan)
    return e


class TcpSession:
    """A TCP conversation with consistent seq/ack numbers."""

    def __init__(self, cip, sip, cport, sport, cseq, sseq, v6=False, vlan=None):
        self.cip, self.sip, self.cport, self.sport = cip, sip, cport, sport
        self.cseq, self.sseq = cseq, sseq
        self.v6, self.vlan = v6, vlan

    def _ip(self, from_client):
        src, dst = (self.cip, self.sip) if from_client else (self.sip, self.cip)
        if self.v6:
            return Ether(src=MAC["10.0.0.10"] if from_client else MAC["gw"],
                         dst=MAC["gw"] if from_client else MAC["10.0.0.10"]) / IPv6(src=src, dst=dst)
        return eth(src if from_client else self.sip, self.vlan) / IP(src=src, dst=dst, id=0)

    def seg(self, from_client, flags, payload=b"", seq=None, dt=0.001):
        if from_client:
            s = self.cseq if seq is None else seq
            t = TCP(sport=self.cport, dport=self.sport, flags=flags, seq=s,
                    ack=self.sseq if "A" in flags else 0, window=64240)
        else:
            s = self.sseq if seq is None else seq
            t = TCP(sport=self.sport, dport=self.cport, flags=flags, seq=s, ack=self.cseq,
                    window=65160)
        p = self._ip(from_client) / t
        if payload:
            p = p / Raw(load=payload)
        return stamp(p, dt)

    def handshake(self):
        self.seg(True, "S")
        self.cseq += 1
        self.seg(False, "SA")
        self.sseq += 1
        self.seg(True, "A")

    def send(self, from_client, data, mss=1400, dt=0.001):
        for i in range(0, len(data), mss):
            chunk = data[i:i + mss]
            self.seg(from_client, "PA", chunk, dt=dt)
            if from_client:
                self.cseq += len(chunk)
            else:
                self.sseq += len(chunk)
        # the peer acknowledges what it got
        self.seg(not from_client, "A")

    def close(self):
        self.seg(True, "FA")
        self.cseq += 1
        self.seg(False, "FA")
        self.sseq += 1
        self.seg(True, "A")


def dns_exchange(client, server, sport, qid, name, qtype, answers, rcode=0):
    q = eth(client) / IP(src=client, dst=server, id=0) / UDP(sport=sport, dport=53) / \
        DNS(id=qid, rd=1, qd=DNSQR(qname=name, qtype=qtype))
    stamp(q, 0.010)
    an = None
    for rr in answers:
        an = rr if an is None else an / rr
    r = eth(server) / IP(src=server, dst=client, id=0) / UDP(sport=53, dport=sport) / \
        DNS(id=qid, qr=1, rd=1, ra=1, rcode=rcode, qd=DNSQR(qname=name, qtype=qtype), an=an)
    stamp(r, 0.015)


def http_response(body, extra_headers=b""):
    return (b"HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: text/html\r\n" +
            extra_headers + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def tls_record(ctype, body):
    return struct.pack("!BHH", ctype, 0x0303, len(body)) + body


def tls_handshake(htype, body):
    return struct.pack("!B", htype) + struct.pack("!I", len(body))[1:] + body


def client_hello(sni):
    rnd = bytes(range(32))
    ciphers = [0xc02f, 0xc030, 0xc02b, 0xc02c, 0x009e, 0xc013, 0xc014, 0x002f, 0x0035]
    cs = b"".join(struct.pack("!H", c) for c in ciphers)
    name = sni.encode()
    sni_ext = struct.pack("!HBH", len(name) + 3, 0, len(name)) + name
    exts = b""
    exts += struct.pack("!HH", 0x0000, len(sni_ext)) + sni_ext
    groups = struct.pack("!HHHH", 6, 0x001d, 0x0017, 0x0018)
    exts += struct.pack("!HH", 0x000a, len(groups)) + groups
    pf = struct.pack("!BB", 1, 0)
    exts += struct.pack("!HH", 0x000b, len(pf)) + pf
    sigs = struct.pack("!HHHH", 6, 0x0401, 0x0501, 0x0804)
    exts += struct.pack("!HH", 0x000d, len(sigs)) + sigs
    alpn = b"\x08http/1.1"
    alpn = struct.pack("!H", len(alpn)) + alpn
    exts += struct.pack("!HH", 0x0010, len(alpn)) + alpn
    body = struct.pack("!H", 0x0303) + rnd + b"\x00" + struct.pack("!H", len(cs)) + cs + \
        b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    return tls_record(22, tls_handshake(1, body))


def server_hello_cert(cert):
    rnd = bytes(range(32, 64))
    exts = struct.pack("!HH", 0xff01, 1) + b"\x00"
    sh = struct.pack("!H", 0x0303) + rnd + b"\x20" + bytes(range(64, 96)) + \
        struct.pack("!HB", 0xc02f, 0) + struct.pack("!H", len(exts)) + exts
    chain = struct.pack("!I", len(cert))[1:] + cert
    cm = struct.pack("!I", len(chain))[1:] + chain
    msgs = tls_handshake(2, sh) + tls_handshake(11, cm) + tls_handshake(14, b"")
    return tls_record(22, msgs)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "demo.pcap")
    with open(os.path.join(HERE, "demo_cert.der"), "rb") as fh:
        cert = fh.read()
    resolver = "10.0.0.53"

    # --- DNS lookups from two hosts ---
    dns_exchange("10.0.0.10", resolver, 40001, 0x1001, "www.example.com", "A",
                 [DNSRR(rrname="www.example.com", type="A", ttl=300, rdata="93.184.216.34")])
    dns_exchange("10.0.0.10", resolver, 40002, 0x1002, "www.vigil-demo.example", "A",
                 [DNSRR(rrname="www.vigil-demo.example", type="A", ttl=60, rdata="198.51.100.7")])
    dns_exchange("10.0.0.11", resolver, 40003, 0x1003, "updates.example.net", "AAAA",
                 [DNSRR(rrname="updates.example.net", type="AAAA", ttl=600,
                        rdata="2001:db8::80")])
    dns_exchange("10.0.0.11", resolver, 40004, 0x1004, "no-such-host.example.org", "A", [],
                 rcode=3)

    # --- HTTP GET with a gzip body ---
    s = TcpSession("10.0.0.10", "93.184.216.34", 50100, 80, 1000, 500000)
    s.handshake()
    s.send(True, b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
                 b"User-Agent: Mozilla/5.0 (X11; Linux x86_64) vigil-demo\r\n"
                 b"Accept: */*\r\nAccept-Encoding: gzip\r\n\r\n")
    page = b"<html><head><title>Example</title></head><body>" + b"hello vigil " * 60 + \
        b"</body></html>"
    gz = gzip.compress(page, mtime=0)
    s.send(False, http_response(gz, b"Content-Encoding: gzip\r\n"))
    s.close()

    # --- HTTP POST ---
    s = TcpSession("10.0.0.11", "93.184.216.34", 50200, 80, 2000, 600000)
    s.handshake()
    form = b"user=alice&action=login&token=0123456789abcdef"
    s.send(True, b"POST /login HTTP/1.1\r\nHost: www.example.com\r\n"
                 b"User-Agent: curl/8.4.0\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: " + str(len(form)).encode() + b"\r\n\r\n" + form)
    s.send(False, http_response(b"<html>welcome alice</html>"))
    s.close()

    # --- TLS 1.2 handshake with SNI and a certificate ---
    s = TcpSession("10.0.0.10", "198.51.100.7", 50300, 443, 3000, 700000)
    s.handshake()
    s.send(True, client_hello("www.vigil-demo.example"))
    s.send(False, server_hello_cert(cert))
    s.send(True, tls_record(20, b"\x01") + tls_record(22, bytes(40)))  # CCS + encrypted Finished
    s.send(False, tls_record(20, b"\x01") + tls_record(22, bytes(40)))
    s.send(True, tls_record(23, bytes(range(200))))
    s.close()

    # --- NTP-like UDP and ICMP echo ---
    ntp_req = b"\x23" + bytes(47)
    stamp(eth("10.0.0.12") / IP(src="10.0.0.12", dst="203.0.113.123", id=0) /
          UDP(sport=123, dport=123) / Raw(ntp_req), 0.05)
    stamp(eth("gw") / IP(src="203.0.113.123", dst="10.0.0.12", id=0) /
          UDP(sport=123, dport=123) / Raw(b"\x24" + bytes(47)), 0.02)
    stamp(eth("10.0.0.12") / IP(src="10.0.0.12", dst="203.0.113.1", id=0) /
          ICMP(type=8, id=7, seq=1) / Raw(b"vigil-ping-0123456789"), 0.05)
    stamp(eth("gw") / IP(src="203.0.113.1", dst="10.0.0.12", id=0) /
          ICMP(type=0, id=7, seq=1) / Raw(b"vigil-ping-0123456789"), 0.01)

    # --- TCP with a retransmitted data segment ---
    s = TcpSession("10.0.0.12", "203.0.113.20", 50400, 8080, 4000, 800000)
    s.handshake()
    req = b"GET /retrans HTTP/1.1\r\nHost: 203.0.113.20:8080\r\n\r\n"
    s.seg(True, "PA", req)
    s.seg(True, "PA", req, dt=0.2)  # retransmission: same seq, same bytes
    s.cseq += len(req)
    s.seg(False, "A")
    s.send(False, http_response(b"retransmitted ok"))
    s.close()

    # --- TCP with out-of-order data segments ---
    s = TcpSession("10.0.0.12", "203.0.113.21", 50500, 8080, 5000, 900000)
    s.handshake()
    req = b"POST /ooo HTTP/1.1\r\nHost: 203.0.113.21:8080\r\nContent-Length: 20\r\n\r\n" + \
        b"out-of-order-body-20"
    a, b = req[:40], req[40:]
    s.seg(True, "PA", b, seq=s.cseq + len(a))  # second half first
    s.seg(True, "PA", a, seq=s.cseq)
    s.cseq += len(req)
    s.seg(False, "A")
    s.send(False, http_response(b"reordered ok"))
    s.close()

    # --- IPv6 HTTP flow ---
    s = TcpSession("2001:db8::10", "2001:db8::80", 50600, 80, 6000, 1000000, v6=True)
    s.handshake()
    s.send(True, b"GET /v6 HTTP/1.1\r\nHost: updates.example.net\r\n\r\n")
    s.send(False, http_response(b"ipv6 ok"))
    s.close()

    # --- fragmented UDP datagram (3 fragments) ---
    big = IP(src="10.0.0.11", dst="203.0.113.50", id=0x4242) / UDP(sport=40500, dport=9999) / \
        Raw(bytes((i * 7) & 0xff for i in range(2400)))
    for frag in fragment(big, fragsize=1000):
        stamp(eth("10.0.0.11") / frag, 0.002)

    # --- VLAN-tagged HTTP flow ---
    s = TcpSession("10.0.0.10", "203.0.113.30", 50700, 80, 7000, 1100000, vlan=100)
    s.handshake()
    s.send(True, b"GET /vlan HTTP/1.1\r\nHost: intranet.example\r\n\r\n")
    s.send(False, http_response(b"vlan ok"))
    s.close()

    wrpcap(out, packets)
    print(f"{out}: {len(packets)} packets")


if __name__ == "__main__":
    main()
