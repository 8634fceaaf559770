#!/usr/bin/env python3
"""Write a capture for the attribution end-to-end test through `vigil -r`.

apt28:     a host resolves APT28 domains (DNS query + answer), fetches a URL
           from one over HTTP, opens TLS to another (ClientHello with SNI),
           and connects to an APT28 IP: indicator values taken at run time
           from the data pack's iocs.json (ESET/Unit 42 sources, single-group
           claims, no warninglist flags; the selection is make_scenario.py's).
commodity: the same kinds of traffic to names that only a commodity-tool
           indicator file (Cobalt Strike, written by the test) points at,
           plus ordinary browsing.
family:    the same kinds of traffic to names whose indicator (written by
           the family test, tests/attrib/family_intel.json) indicates only
           a malware family, Sakula (S0074, Deep Panda's).
Plain Python (no scapy): Ethernet/IPv4/TCP/UDP with correct checksums and
fixed timestamps, so the file is the same on every run.
Usage: make_pcap_scenario.py IOCS.json KIND OUT.pcap
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_scenario import pick_apt28  # noqa: E402

T0 = 1556762400  # 2019-05-02T02:00:00Z, inside the indicators' validity


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.t = T0 * 1000000

    def packet(self, src, dst, proto, l4):
        ipid = (self.t // 1000) & 0xFFFF
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ipid, 0x4000, 64, proto, 0,
                          ip4(src), ip4(dst))
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        frame = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + hdr + l4
        self.t += 1000
        self.f.write(struct.pack("<IIII", self.t // 1000000, self.t % 1000000, len(frame),
                                 len(frame)))
        self.f.write(frame)

    def udp(self, src, dst, sp, dp, payload):
        l4 = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload
        ph = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, len(l4))
        c = csum(ph + l4) or 0xFFFF
        self.packet(src, dst, 17, l4[:6] + struct.pack("!H", c) + l4[8:])

    def tcp(self, src, dst, sp, dp, seq, ack, flags, payload=b""):
        l4 = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
        ph = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(l4))
        c = csum(ph + l4)
        self.packet(src, dst, 6, l4[:16] + struct.pack("!H", c) + l4[18:])

    def session(self, cli, srv, sp, dp, request, response):
        """3-way handshake, one request/response with ACKs, FIN both ways."""
        cs, ss = 1000, 5000
        self.tcp(cli, srv, sp, dp, cs, 0, 0x02)
        self.tcp(srv, cli, dp, sp, ss, cs + 1, 0x12)
        cs += 1
        ss += 1
        self.tcp(cli, srv, sp, dp, cs, ss, 0x10)
        if request:
            self.tcp(cli, srv, sp, dp, cs, ss, 0x18, request)
            cs += len(request)
            self.tcp(srv, cli, dp, sp, ss, cs, 0x10)
        if response:
            self.tcp(srv, cli, dp, sp, ss, cs, 0x18, response)
            ss += len(response)
            self.tcp(cli, srv, sp, dp, cs, ss, 0x10)
        self.tcp(cli, srv, sp, dp, cs, ss, 0x11)
        self.tcp(srv, cli, dp, sp, ss, cs + 1, 0x11)
        self.tcp(cli, srv, sp, dp, cs + 1, ss + 1, 0x10)

    def close(self):
        self.f.close()


def dns(qid, name, answer_ip=None):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0\0\1\0\1"
    flags = 0x8180 if answer_ip else 0x0100
    msg = struct.pack("!HHHHHH", qid, flags, 1, 1 if answer_ip else 0, 0, 0) + q
    if answer_ip:
        msg += b"\xc0\x0c\0\1\0\1\0\0\x0e\x10\0\4" + ip4(answer_ip)
    return msg


def client_hello(sni):
    name = sni.encode()
    sni_ext = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    exts = sni_ext + bytes.fromhex("000a00080006001d00170018" "000b00020100")
    body = b"\x03\x03" + bytes(range(32)) + b"\0" + struct.pack("!H", 4) + b"\xc0\x2f\xc0\x2b"
    body += b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def main():
    iocs, kind, out = sys.argv[1:4]
    host, resolver = "10.0.0.5", "10.0.0.1"
    if kind == "apt28":
        doms, ips = pick_apt28(iocs)
        assert len(doms) >= 3 and ips, "not enough APT28 indicators in %s" % iocs
        c2_ip = ips[0]
    elif kind == "commodity":
        doms = ["beacon.cs-demo.example", "cdn.cs-demo.example", "update.cs-demo.example"]
        c2_ip = "198.51.100.77"
    elif kind == "family":
        doms = ["sak-c2.example", "www.sak-c2.example", "cdn.sak-c2.example"]
        c2_ip = "198.51.100.78"
    else:
        raise SystemExit("unknown kind %s" % kind)
    p = Pcap(out)
    p.udp(host, resolver, 53001, 53, dns(0x1001, doms[0]))
    p.udp(resolver, host, 53, 53001, dns(0x1001, doms[0], "203.0.113.7"))
    req = ("GET /update.php?id=42 HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0\r\n"
           "Accept: */*\r\n\r\n" % doms[1]).encode()
    resp = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
    p.session(host, "203.0.113.7", 49001, 80, req, resp)
    p.session(host, "203.0.113.8", 49002, 443, client_hello(doms[2]), b"")
    p.session(host, c2_ip, 49003, 443, b"", b"")
    # ordinary traffic that carries no evidence
    p.udp(host, resolver, 53002, 53, dns(0x1002, "www.example.org"))
    p.udp(resolver, host, 53, 53002, dns(0x1002, "www.example.org", "192.0.2.80"))
    p.session(host, "192.0.2.80", 49004, 80,
              b"GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n",
              b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    p.close()


if __name__ == "__main__":
    main()
