#!/usr/bin/env python3
"""One tshark oracle over every shared capture (vigil issues #2 and #3).

For each capture of ../shared/corpora (suricata-verify tests/ and pcaps/,
traffic/; .gz decompressed and the .zip opened with password "infected"
into a temporary directory that is removed afterwards) vigil runs once and
tshark runs once (one `-T fields` pass carrying every per-packet field the
four checks need; conversations are derived from those fields, so no
second `-z conv` pass is needed). Four checks per capture:

  flow  per TCP/UDP conversation, packets and bytes in each direction
        (vigil flow records vs tshark's per-packet frame.len summed per
        tcp.stream / udp.stream, which is what `-z conv,tcp` prints, but
        exact instead of rounded to kB), and the client side (vigil's
        src_ip = first packet's sender; TCP: receiver of a leading SYN/ACK)
  dns   set of query names on port 53 (dns.queries[].rrname vs dns.qry.name)
  http  multiset of requests (host, uri) and of response status codes
  tls   multiset of ClientHello (sni, ja3 hash)

Every difference is classified: a class listed in JUSTIFIED (documented in
tests/oracle/DIFFERENCES.md) keeps the (capture, check) test passing; any
other difference fails it. A (capture, check) pair with nothing to compare
on either side is skipped.

usage: oracle.py VIGIL [--shared DIR] [--jobs 2] [--report FILE]
                 [--max-mb 20] [--only SUBSTR] [-v]
Last line: "N passed, N failed, N skipped". Exit 0 iff nothing failed,
77 (meson's skip code) when tshark or the shared corpora are absent.
"""
import argparse
import collections
import datetime
import gzip
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SHARED = os.path.abspath(os.path.join(HERE, '..', '..', '..', 'shared'))
CAPTURE_EXT = ('.pcap', '.pcapng', '.pcap_', '.cap', '.pcap.gz', '.pcapng.gz', '.pcap.zip')
TSHARK_TIMEOUT = 600
VIGIL_TIMEOUT = 600
AGG = '\x1f'  # occurrence separator: never appears in a URI or a DNS name
# stream.reassembly.depth of the default (Suricata 8) configuration vigil
# runs with: application data beyond it in a direction is not parsed.
STREAM_DEPTH = 1024 * 1024

# vigil runs with the settings tshark effectively has: sessions picked up
# midstream and one-sided are still dissected, JA3 is computed.
VIGIL_ARGS = ['-k', 'none',
              '--set', 'stream.midstream=true',
              '--set', 'stream.async-oneside=true',
              '--set', 'app-layer.protocols.tls.ja3-fingerprints=yes']

FIELDS = ['frame.number', 'frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.protocols',
          'ip.src', 'ip.dst', 'ip.len', 'ip.flags.mf', 'ip.frag_offset',
          'ipv6.src', 'ipv6.dst', 'ipv6.plen', 'ipv6.fraghdr.nxt',
          'tcp.srcport', 'tcp.dstport', 'tcp.stream', 'tcp.flags', 'tcp.len',
          'tcp.reassembled_in', 'tcp.seq',
          'udp.srcport', 'udp.dstport', 'udp.stream',
          'dns.qry.name',
          'http.host', 'http.request.uri', 'http.response.code',
          'tls.handshake.type', 'tls.handshake.extensions_server_name', 'tls.handshake.ja3']
FI = {f: i for i, f in enumerate(FIELDS)}

# Difference classes that do not fail a test; each is explained in
# DIFFERENCES.md. Anything else is "unexplained" and fails.
JUSTIFIED = {
    'flow:ipfrag': 'IP fragments: tshark counts the frame that completed reassembly '
                   '(its frame.len), vigil one reassembled datagram (Suricata does the same)',
    'flow:tunnel-inner-bytes': 'tunnelled flow: vigil, like Suricata, counts the inner packet '
                               '(from the inner IP header, or the inner ethernet header for '
                               'VXLAN/ERSPAN/TEB), tshark the whole outer frame',
    'flow:snaplen': 'snaplen-truncated frames: vigil counts captured bytes (frame.cap_len), '
                    'tshark on-wire bytes (frame.len)',
    'flow:icmp-error': 'ICMP errors quoting the flow are counted on the quoted flow by vigil '
                       '(as Suricata does); tshark counts them in no TCP/UDP conversation',
    'flow:split-timeout': 'vigil (like Suricata) starts a new flow when the gap exceeds the '
                          'flow timeout of the state (Suricata 8 defaults: TCP 60/600/60 s, '
                          'UDP 30/300 s); tshark keeps one stream; per-direction sums agree',
    'flow:split-tcp-reuse': 'TCP: a new SYN after a RST/FIN-closed session starts a new '
                            'flow in vigil, as in Suricata; tshark keeps one tcp.stream; '
                            'per-direction sums agree',
    'flow:merged': 'tshark splits the port pair into several tcp.streams where vigil keeps '
                   'one flow (e.g. TCP split handshake, suricata-verify '
                   'tcp-split-handshake-02-5whs); per-direction sums agree',
    'flow:decoder-invalid': 'vigil\'s decoder rejected packets of this conversation as invalid '
                            '(counted in stats decoder.invalid); tshark counts them',
    'dns:non-port53-transport': 'name only carried inside a tunnel or ICMP quote',
    'http:tshark-port': 'HTTP on a port tshark does not dissect as HTTP by default '
                        '(vigil detects HTTP by content, like Suricata)',
    'http:tshark-other-dissector': 'tshark dissects the conversation as another protocol '
                                   'chosen by port (e.g. DNS for port 53)',
    'http:tshark-undissected': 'the sender\'s direction has TCP payload tshark never '
                               'dissected (a PDU still incomplete when the capture ended, or '
                               'segments it flags out-of-order because the reply was '
                               'captured before the request); vigil reassembles by sequence '
                               'number and libhtp logs the (partial) transaction',
    'http:after-rst': 'message sent after the peer\'s RST (it had not received it yet): '
                      'tshark dissects it, vigil (like Suricata) ends reassembly at the RST',
    'http:stream-depth': 'message beyond stream.reassembly.depth (1 MiB) of its direction: '
                         'tshark dissects it, vigil (like Suricata) stops reassembly there',
    'http:after-rst+stream-depth': 'both of the above in one conversation',
    'http:connect-tunnel': 'response inside an HTTP CONNECT tunnel: tshark dissects the '
                           'tunnelled request but shows the response as data; vigil, like '
                           'Suricata, parses the tunnelled HTTP as a new transaction',
    'http:uri-space': 'URI with a space (suricata-verify http-uri-spaces): tshark ends the '
                      'URI at the first space, libhtp/Suricata at the last',
    'http:invalid-request-line': 'libhtp logs an invalid request line as a transaction '
                                 'without URI (anomaly REQUEST_LINE_INVALID); tshark '
                                 'dissects no request',
    'http:non-numeric-status': 'tshark reads "2XX" as status 2; Suricata logs no numeric '
                               'status (status_string only)',
    'tls:sslv2-hello': 'SSLv2-format ClientHello: tshark computes no JA3 and has no SNI; '
                       'vigil, like Suricata, logs no ja3/sni for it',
    'tls:tshark-port': 'TLS on a port tshark does not dissect as TLS by default',
}

# Known vigil gaps, explicit and narrow: (capture path suffix, check,
# substring of the difference) -> reason. A difference matching an entry is
# reported as "allowlisted" and does not fail the test. Each is listed in
# DIFFERENCES.md ("Known vigil gaps"); remove the entry when fixed.
ALLOWLIST = {
}


def field_list(row, name):
    v = row[FI[name]] if FI[name] < len(row) else ''
    return v.split(AGG) if v != '' else []


def as_int(v, default=0):
    try:
        return int(v, 0) if isinstance(v, str) and v.startswith('0x') else int(v)
    except (TypeError, ValueError):
        return default


def truthy(v):
    return v in ('1', 'True', 'true')


class Layer:
    """One TCP/UDP header as tshark saw it inside a frame."""
    __slots__ = ('proto', 'src', 'dst', 'sport', 'dport', 'stream', 'depth', 'in_icmp',
                 'flags', 'iplen', 'frag')


def parse_frame(row):
    """Walk frame.protocols, pairing each ip/ipv6 token with its address
    occurrence and each tcp/udp token with its port occurrence."""
    protos = row[FI['frame.protocols']].split(':')
    ip4 = list(zip(field_list(row, 'ip.src'), field_list(row, 'ip.dst')))
    ip4len = field_list(row, 'ip.len')
    ip4mf = field_list(row, 'ip.flags.mf')
    ip4off = field_list(row, 'ip.frag_offset')
    ip6 = list(zip(field_list(row, 'ipv6.src'), field_list(row, 'ipv6.dst')))
    ip6len = field_list(row, 'ipv6.plen')
    tcp = list(zip(field_list(row, 'tcp.srcport'), field_list(row, 'tcp.dstport')))
    tcps = field_list(row, 'tcp.stream')
    tcpf = field_list(row, 'tcp.flags')
    udp = list(zip(field_list(row, 'udp.srcport'), field_list(row, 'udp.dstport')))
    udps = field_list(row, 'udp.stream')
    i4 = i6 = it = iu = 0
    cur = None
    curlen = 0
    frag = bool(field_list(row, 'ipv6.fraghdr.nxt'))
    in_icmp = False
    inner_eth = False
    layers = []
    nip = 0
    for tok in protos:
        if tok == 'ip' and i4 < len(ip4):
            cur = ip4[i4]
            curlen = as_int(ip4len[i4]) if i4 < len(ip4len) else 0
            if (i4 < len(ip4mf) and truthy(ip4mf[i4])) or (i4 < len(ip4off) and
                                                             as_int(ip4off[i4]) > 0):
                frag = True
            i4 += 1
            nip += 1
        elif tok == 'ipv6' and i6 < len(ip6):
            cur = ip6[i6]
            curlen = as_int(ip6len[i6]) + 40 if i6 < len(ip6len) else 0
            i6 += 1
            nip += 1
        elif tok in ('icmp', 'icmpv6'):
            in_icmp = True
        elif tok == 'eth' and nip > 0:
            inner_eth = True  # VXLAN, ERSPAN, GRE/TEB: the inner packet starts at ethernet
        elif tok in ('tcp', 'udp') and cur is not None:
            if tok == 'tcp':
                if it >= len(tcp):
                    continue
                sp, dp = tcp[it]
                st = tcps[it] if it < len(tcps) and not in_icmp else None
                fl = as_int(tcpf[it]) if it < len(tcpf) else 0
                it += 1
            else:
                if iu >= len(udp):
                    continue
                sp, dp = udp[iu]
                st = udps[iu] if iu < len(udps) and not in_icmp else None
                fl = 0
                iu += 1
            lay = Layer()
            lay.proto = tok.upper()
            lay.src, lay.dst = norm_ip(cur[0]), norm_ip(cur[1])
            lay.sport, lay.dport = as_int(sp), as_int(dp)
            lay.stream = st
            lay.depth = nip
            lay.in_icmp = in_icmp
            lay.flags = fl
            lay.iplen = curlen + (14 if inner_eth else 0)
            lay.frag = frag
            layers.append(lay)
    return layers


def tshark_pass(pcap):
    args = ['tshark', '-n', '-r', pcap, '-T', 'fields', '-E', 'occurrence=a',
            '-E', 'aggregator=' + AGG, '-E', 'separator=/t', '-E', 'quote=n']
    for f in FIELDS:
        args += ['-e', f]
    out = subprocess.run(args, capture_output=True, timeout=TSHARK_TIMEOUT)
    if out.returncode != 0 and not out.stdout:
        raise RuntimeError('tshark failed: %s' % out.stderr.decode('utf-8', 'replace')[-300:])
    rows = []
    for line in out.stdout.decode('utf-8', 'replace').split('\n'):
        if line:
            rows.append(line.split('\t'))
    return rows


def vigil_pass(vigil, pcap, logdir):
    os.makedirs(logdir, exist_ok=True)
    p = subprocess.run([vigil, '-r', pcap, '-l', logdir] + VIGIL_ARGS,
                       capture_output=True, timeout=VIGIL_TIMEOUT)
    recs = []
    path = os.path.join(logdir, 'eve.json')
    if os.path.exists(path):
        with open(path, errors='replace') as fh:
            for line in fh:
                try:
                    recs.append(json.loads(line))
                except ValueError:
                    pass
    return p.returncode, recs


def norm_ip(a):
    """Canonical text of an address: vigil prints IPv6 as Suricata 8 does
    (eight zero-padded groups), tshark compressed."""
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def pair_key(proto, a, ap, b, bp):
    ea, eb = (norm_ip(a), ap), (norm_ip(b), bp)
    return (proto,) + ((ea, eb) if ea <= eb else (eb, ea))


def conv_name(k):
    return '%s:%s-%s:%s' % (k[1][0], k[1][1], k[2][0], k[2][1])


def uri_host(u):
    """Host of an absolute-form or authority-form (CONNECT) request
    target, as libhtp fills hostname from it when there is no Host header."""
    if '://' in u:
        u = u.split('://', 1)[1].split('/', 1)[0]
    elif u.startswith('/') or u == '*':
        return ''
    return norm_host(u.rsplit('@', 1)[-1])


def norm_host(h):
    h = (h or '').strip().lower()
    if h.startswith('['):
        end = h.find(']')
        h = h[:end + 1] if end >= 0 else h
    elif h.count(':') == 1:
        h = h.split(':', 1)[0]
    return h.rstrip('.')


def norm_dns(n):
    if n in ('<Root>', '<root>', '.'):
        return ''
    return n.rstrip('.') if n != '' else n


# ------------------------------------------------------------------ flows


def tshark_convs(frames):
    """{stream key: conv dict} from parsed frames, plus ICMP-quote counts
    per directed tuple."""
    convs = {}
    icmpq = collections.Counter()
    for fr in frames:
        for lay in fr['layers']:
            if lay.in_icmp:
                icmpq[(lay.proto, lay.src, lay.sport, lay.dst, lay.dport)] += 1
                continue
            if lay.stream is None:
                continue
            k = (lay.proto, lay.stream)
            c = convs.get(k)
            if c is None:
                c = convs[k] = {'proto': lay.proto, 'a': (lay.src, lay.sport),
                                'b': (lay.dst, lay.dport), 'pkts': [0, 0], 'bytes': [0, 0],
                                'caplen': [0, 0], 'iplen': [0, 0], 'frag': False,
                                'trunc': False, 'depth': lay.depth, 'start': fr['t'],
                                'first_flags': lay.flags, 'first_src': (lay.src, lay.sport)}
            d = 0 if (lay.src, lay.sport) == c['a'] else 1
            c['pkts'][d] += 1
            c['bytes'][d] += fr['len']
            c['caplen'][d] += fr['caplen']
            c['iplen'][d] += lay.iplen
            c['frag'] = c['frag'] or lay.frag
            c['trunc'] = c['trunc'] or fr['caplen'] < fr['len']
            c['depth'] = max(c['depth'], lay.depth)
    return convs, icmpq


def expected_client(c):
    """Suricata's rule: the first packet's sender is the client, except a
    leading TCP SYN/ACK, whose receiver is."""
    if c['proto'] == 'TCP' and (c['first_flags'] & 0x12) == 0x12:
        return c['b'] if c['first_src'] == c['a'] else c['a']
    return c['first_src']


def directed(c, a):
    """(pkts a->b, bytes a->b, pkts b->a, bytes b->a) for endpoint a."""
    if c['a'] == a:
        return c['pkts'][0], c['bytes'][0], c['pkts'][1], c['bytes'][1]
    return c['pkts'][1], c['bytes'][1], c['pkts'][0], c['bytes'][0]


def vflow_directed(f, a):
    fl = f['flow']
    src = (norm_ip(f['src_ip']), f['src_port'])
    ts = (fl.get('pkts_toserver', 0), fl.get('bytes_toserver', 0),
          fl.get('pkts_toclient', 0), fl.get('bytes_toclient', 0))
    if src == a:
        return ts
    return ts[2], ts[3], ts[0], ts[1]


def eve_time(ts):
    try:
        return datetime.datetime.strptime(ts, '%Y-%m-%dT%H:%M:%S.%f%z').timestamp()
    except (TypeError, ValueError):
        return None


# flow-timeouts of the default (Suricata 8) configuration, per state
FLOW_TIMEOUT = {'TCP': {'new': 60, 'established': 600, 'closed': 60},
                'UDP': {'new': 30, 'established': 300, 'closed': 0}}


def split_class(proto, vl):
    """Why vigil has a different number of flows than tshark has streams
    for one address/port pair whose per-direction sums agree."""
    if len(vl) < 2:
        return 'flow:merged'
    timeout = tcp_reuse = True
    for a, b in zip(vl, vl[1:]):
        e, st = eve_time(a['flow'].get('end')), eve_time(b['flow'].get('start'))
        limit = FLOW_TIMEOUT[proto].get(a['flow'].get('state'), 600)
        if e is None or st is None or st - e < limit:
            timeout = False
            # TCP: a new SYN on a session closed by RST/FIN starts a new flow
            t = a.get('tcp', {})
            if not (proto == 'TCP' and (t.get('rst') or t.get('fin'))
                    and b.get('tcp', {}).get('syn')):
                tcp_reuse = False
    if timeout:
        return 'flow:split-timeout'
    if proto == 'TCP' and tcp_reuse:
        return 'flow:split-tcp-reuse'
    return 'flow:split-other'


def check_flows(frames, recs, stats):
    convs, icmpq = tshark_convs(frames)
    vflows = collections.defaultdict(list)
    for r in recs:
        if r.get('event_type') == 'flow' and r.get('proto') in ('TCP', 'UDP') \
                and 'src_port' in r:
            vflows[pair_key(r['proto'], r['src_ip'], r['src_port'], r['dest_ip'],
                            r['dest_port'])].append(r)
    tgroups = collections.defaultdict(list)
    for c in convs.values():
        tgroups[pair_key(c['proto'], c['a'][0], c['a'][1], c['b'][0], c['b'][1])].append(c)
    invalid = as_int(stats.get('decoder', {}).get('invalid', 0)) if stats else 0
    res = {'agree': 0, 'classes': collections.Counter(), 'diffs': []}
    for key in sorted(set(tgroups) | set(vflows), key=str):
        tl = sorted(tgroups.get(key, []), key=lambda c: c['start'])
        vl = sorted(vflows.get(key, []), key=lambda r: r['flow'].get('start', ''))
        a = (key[1][0], key[1][1])
        n = max(len(tl), 1)
        desc = '%s %s:%s <-> %s:%s' % (key[0], key[1][0], key[1][1], key[2][0], key[2][1])
        if not tl:
            # vigil-only: a flow tshark has no conversation for
            cls = 'flow:vigil-only'
            res['classes'][cls] += 1
            res['diffs'].append((cls, desc, 'vigil %d flow(s), tshark none' % len(vl), 1))
            continue
        tsum = [sum(x) for x in zip(*(directed(c, a) for c in tl))]
        vsum = [sum(x) for x in zip(*(vflow_directed(f, a) for f in vl))] if vl else None
        if len(tl) == len(vl) and all(directed(c, a) == vflow_directed(f, a)
                                      for c, f in zip(tl, vl)):
            bad_dir = [f for c, f in zip(tl, vl)
                       if (norm_ip(f['src_ip']), f['src_port']) != expected_client(c)]
            if not bad_dir:
                res['agree'] += n
            else:
                cls = 'flow:direction'
                res['classes'][cls] += n
                res['diffs'].append((cls, desc, 'vigil client %s:%s, expected %s:%s' % (
                    bad_dir[0]['src_ip'], bad_dir[0]['src_port'],
                    *expected_client(tl[0])), n))
            continue
        if not vl:
            cls = 'flow:tshark-only'
            if invalid and tsum[0] + tsum[2] <= invalid:
                cls = 'flow:decoder-invalid'
            res['classes'][cls] += n
            res['diffs'].append((cls, desc, 'tshark pkts/bytes a->b,b->a %s, vigil none' % (
                tuple(tsum),), n))
            continue
        got, want = tuple(vsum), tuple(tsum)
        detail = 'vigil %d flow(s) %s, tshark %d conv(s) %s' % (len(vl), got, len(tl), want)
        cls = None
        if got == want:
            cls = split_class(key[0], vl)
        else:
            frag = any(c['frag'] for c in tl)
            trunc = any(c['trunc'] for c in tl)
            depth = max(c['depth'] for c in tl)
            q_ab = icmpq.get((key[0], key[1][0], key[1][1], key[2][0], key[2][1]), 0)
            q_ba = icmpq.get((key[0], key[2][0], key[2][1], key[1][0], key[1][1]), 0)
            if frag:
                cls = 'flow:ipfrag'
            elif (q_ab or q_ba) and got[0] + got[2] - want[0] - want[2] in \
                    (q_ab + q_ba, q_ab, q_ba):
                cls = 'flow:icmp-error'
            elif depth > 1 and got[0] == want[0] and got[2] == want[2]:
                # inner flow: vigil bytes should be the inner IP lengths
                ip_ab = sum(c['iplen'][0 if c['a'] == a else 1] for c in tl)
                ip_ba = sum(c['iplen'][1 if c['a'] == a else 0] for c in tl)
                if (got[1], got[3]) == (ip_ab, ip_ba):
                    cls = 'flow:tunnel-inner-bytes'
                else:
                    cls = 'flow:tunnel-unexplained'
            elif trunc and got[0] == want[0] and got[2] == want[2]:
                cap_ab = sum(c['caplen'][0 if c['a'] == a else 1] for c in tl)
                cap_ba = sum(c['caplen'][1 if c['a'] == a else 0] for c in tl)
                cls = 'flow:snaplen' if (got[1], got[3]) == (cap_ab, cap_ba) else \
                    'flow:snaplen-unexplained'
            elif invalid and 0 < (want[0] + want[2]) - (got[0] + got[2]) <= invalid:
                cls = 'flow:decoder-invalid'
            else:
                cls = 'flow:counts'
        res['classes'][cls] += n
        res['diffs'].append((cls, desc, detail, n))
    res['total'] = sum(len(v) for v in tgroups.values())
    return res


# ------------------------------------------------------------------ app layers


def check_sets(name, tset, vset, justify):
    """Compare two Counters; justify(item, side, t, v) -> class or None."""
    res = {'agree': 0, 'classes': collections.Counter(), 'diffs': []}
    for item in sorted(set(tset) | set(vset), key=str):
        t, v = tset.get(item, 0), vset.get(item, 0)
        if t == v:
            res['agree'] += 1
            continue
        side = 'tshark' if t > v else 'vigil'
        why = justify(item, side, t, v)
        cls = why or ('%s:%s-only' % (name, side) if min(t, v) == 0 else '%s:count' % name)
        res['classes'][cls] += 1
        res['diffs'].append((cls, repr(item), 'tshark %d, vigil %d' % (t, v), 1))
    res['total'] = len(set(tset) | set(vset))
    return res


def check_dns(frames, recs):
    tnames = collections.Counter()
    for fr in frames:
        if not fr['dns']:
            continue
        lay = [x for x in fr['layers'] if not x.in_icmp]
        if lay and 53 in (lay[-1].sport, lay[-1].dport):
            for n in fr['dns']:
                tnames[norm_dns(n)] = 1
    vnames = collections.Counter()
    for r in recs:
        if r.get('event_type') != 'dns' or 53 not in (r.get('src_port'), r.get('dest_port')):
            continue
        d = r.get('dns', {})
        for q in d.get('queries', []) or []:
            if 'rrname' in q:
                vnames[norm_dns(q['rrname'])] = 1
        if 'rrname' in d:  # older one-query-per-record layout
            vnames[norm_dns(d['rrname'])] = 1
    if not tnames and not vnames:
        return None
    return check_sets('dns', tnames, vnames, lambda item, side, t, v: None)


def http_ports():
    """TCP ports tshark dissects as HTTP without heuristics."""
    ports = {80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710}
    try:
        out = subprocess.run(['tshark', '-G', 'currentprefs'], capture_output=True,
                             text=True, timeout=120).stdout
        for line in out.splitlines():
            if line.startswith('#http.tcp.port:') or line.startswith('http.tcp.port:'):
                for part in line.split(':', 1)[1].split(','):
                    part = part.strip()
                    if '-' in part:
                        lo, hi = part.split('-')
                        ports |= set(range(int(lo), int(hi) + 1))
                    elif part.isdigit():
                        ports.add(int(part))
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return ports


HTTP_PORTS = set()
TLS_PORTS = {443, 261, 271, 324, 443, 448, 465, 563, 614, 636, 853, 989, 990, 992, 993, 994,
             995, 1443, 2221, 2252, 2376, 3269, 3713, 4433, 4443, 5061, 5349, 5684, 7000, 8443,
             8883, 9001, 10161, 10162, 10636, 19999, 3389, 5432, 587, 25, 110, 143, 21}


def conv_apps(frames):
    """{conv: protocols tshark dissected above TCP in it}."""
    apps = collections.defaultdict(set)
    for fr in frames:
        lay = [x for x in fr['layers'] if not x.in_icmp and x.proto == 'TCP']
        if lay and fr['apps']:
            apps[pair_key('TCP', lay[-1].src, lay[-1].sport, lay[-1].dst,
                          lay[-1].dport)].add(fr['apps'])
    return apps


def check_http(frames, recs):
    tapp = conv_apps(frames)
    treq, tst = collections.Counter(), collections.Counter()
    # first RST each endpoint of a conversation sent. Data the RST's peer
    # sends afterwards (it had not received the RST yet) is not reassembled
    # by vigil or Suricata; data the RST's own sender goes on sending makes
    # Suricata 8 suspect an injected RST and resume (security-4710), which
    # is not justified here.
    rst_at = {}
    for fr in frames:
        lay = [x for x in fr['layers'] if not x.in_icmp and x.proto == 'TCP']
        if lay and (lay[-1].flags & 0x04):
            rst_at.setdefault((pair_key('TCP', lay[-1].src, lay[-1].sport, lay[-1].dst,
                                        lay[-1].dport), (lay[-1].src, lay[-1].sport)), fr['n'])
    after_rst = collections.Counter()
    beyond_depth = collections.Counter()
    connect = set()
    tconv = set()
    for fr in frames:
        if not (fr['http_uri'] or fr['http_code']):
            continue
        lay = [x for x in fr['layers'] if not x.in_icmp and x.proto == 'TCP']
        if not lay:
            continue
        k = pair_key('TCP', lay[-1].src, lay[-1].sport, lay[-1].dst, lay[-1].dport)
        tconv.add(k)
        hosts, uris = fr['http_host'], fr['http_uri']
        peer = (lay[-1].dst, lay[-1].dport)
        late = rst_at.get((k, peer), fr['n']) < fr['n']
        deep = fr['seq'] > STREAM_DEPTH
        for i, u in enumerate(uris):
            h = hosts[i] if len(hosts) == len(uris) else (hosts[0] if hosts else '')
            item = (conv_name(k), 'req', norm_host(h) or uri_host(u), u)
            treq[item] += 1
            after_rst[item] += late
            beyond_depth[item] += deep
            if not u.startswith('/') and '://' not in u and u != '*':
                connect.add(conv_name(k))
        for code in fr['http_code']:
            item = (conv_name(k), 'status', code)
            tst[item] += 1
            after_rst[item] += late
            beyond_depth[item] += deep
    orphan = set()  # (conv, sender endpoint) with a never-dissected segment
    for fr in frames:
        if fr['orphan']:
            lay = fr['layers'][-1]
            orphan.add((pair_key('TCP', lay.src, lay.sport, lay.dst, lay.dport),
                        (lay.src, lay.sport)))
    bad_reqline = set()
    for r in recs:
        if r.get('event_type') == 'anomaly' and \
                (r.get('anomaly') or {}).get('event') == 'REQUEST_LINE_INVALID':
            bad_reqline.add(conv_name(pair_key('TCP', r['src_ip'], r['src_port'],
                                               r['dest_ip'], r['dest_port'])))
    vreq = collections.Counter()
    vconv = {}
    vside = {}
    for r in recs:
        if r.get('event_type') != 'http' or r.get('proto') != 'TCP':
            continue
        vside[conv_name(pair_key('TCP', r['src_ip'], r['src_port'], r['dest_ip'],
                                 r['dest_port']))] = ((norm_ip(r['src_ip']), r['src_port']),
                                                      (norm_ip(r['dest_ip']), r['dest_port']))
        h = r.get('http', {})
        k = pair_key('TCP', r['src_ip'], r['src_port'], r['dest_ip'], r['dest_port'])
        if 'http_method' in h or 'url' in h:
            item = (conv_name(k), 'req', norm_host(h.get('hostname', '')), h.get('url', ''))
            vreq[item] += 1
            vconv.setdefault(item, set()).add(k)
        if 'status' in h:
            item = (conv_name(k), 'status', str(h['status']))
            vreq[item] += 1
            vconv.setdefault(item, set()).add(k)
    treq.update(tst)
    if not treq and not vreq:
        return None

    def justify(item, side, t, v):
        if side == 'tshark' and t - v <= beyond_depth[item]:
            return 'http:stream-depth'
        if side == 'tshark' and t - v <= after_rst[item]:
            return 'http:after-rst'
        if side == 'tshark' and t - v <= after_rst[item] + beyond_depth[item]:
            return 'http:after-rst+stream-depth'
        if side == 'vigil' and item[1] == 'status' and item[0] in connect:
            return 'http:connect-tunnel'
        if item[1] == 'req':
            # request line "GET /uri afterspace HTTP/1.1": tshark's URI ends
            # at the first space, libhtp's (Suricata's) at the last one
            other = vreq if side == 'tshark' else treq
            for o in other:
                if o[:3] == item[:3] and o[3] != item[3] and (
                        o[3].startswith(item[3] + ' ') if side == 'tshark' else
                        item[3].startswith(o[3] + ' ')):
                    return 'http:uri-space'
        if side == 'vigil':
            ks = vconv.get(item, set())
            if ks and all(k not in tconv and k[1][1] not in HTTP_PORTS
                          and k[2][1] not in HTTP_PORTS for k in ks):
                return 'http:tshark-port'
            if ks and all(k not in tconv and tapp.get(k, set()) - {'http', 'data'}
                          for k in ks):
                return 'http:tshark-other-dissector'
            if item[1] == 'req' and item[3] == '' and item[0] in bad_reqline:
                return 'http:invalid-request-line'
            ends = vside.get(item[0])
            if ends and ks:
                k = next(iter(ks))
                sender = ends[0] if item[1] == 'req' else ends[1]
                if (k, sender) in orphan:
                    return 'http:tshark-undissected'
        if side == 'tshark' and item[1] == 'status' and not (
                len(item[2]) == 3 and item[2].isdigit()):
            return 'http:non-numeric-status'
        return None
    return check_sets('http', treq, vreq, justify)


def check_tls(frames, recs):
    tch = collections.Counter()
    tconv = set()
    for fr in frames:
        if '1' not in fr['tls_type']:
            continue
        lay = [x for x in fr['layers'] if not x.in_icmp and x.proto == 'TCP']
        if not lay:
            continue
        k = pair_key('TCP', lay[-1].src, lay[-1].sport, lay[-1].dst, lay[-1].dport)
        tconv.add(k)
        n_ch = fr['tls_type'].count('1')
        ja3 = fr['ja3']
        sni = fr['sni']
        for i in range(max(n_ch, len(ja3))):
            j = ja3[i] if i < len(ja3) else ''
            s = sni[i] if len(sni) == max(n_ch, len(ja3)) else (sni[0] if sni else '')
            tch[(conv_name(k), s.lower(), j)] += 1
    vch = collections.Counter()
    vconv = {}
    for r in recs:
        if r.get('event_type') != 'tls' or r.get('proto') != 'TCP':
            continue
        t = r.get('tls', {})
        ja3 = (t.get('ja3') or {}).get('hash', '')
        sni = (t.get('sni') or '').lower()
        if not ja3 and not sni:
            continue  # no ClientHello seen (e.g. server side only)
        k = pair_key('TCP', r['src_ip'], r['src_port'], r['dest_ip'], r['dest_port'])
        item = (conv_name(k), sni, ja3)
        vch[item] += 1
        vconv.setdefault(item, set()).add(k)
    if not tch and not vch:
        return None

    def justify(item, side, t, v):
        if side == 'tshark' and item[2] == '' and item[1] == '':
            return 'tls:sslv2-hello'
        if side == 'vigil':
            ks = vconv.get(item, set())
            if ks and all(k not in tconv and k[1][1] not in TLS_PORTS
                          and k[2][1] not in TLS_PORTS for k in ks):
                return 'tls:tshark-port'
        return None
    return check_sets('tls', tch, vch, justify)


# ------------------------------------------------------------------ driver


def materialize(path, tmp):
    base = os.path.basename(path)
    if path.endswith('.gz'):
        out = os.path.join(tmp, base[:-3])
        with gzip.open(path, 'rb') as src, open(out, 'wb') as dst:
            shutil.copyfileobj(src, dst)
        return out
    if path.endswith('.zip'):
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n.endswith(('.pcap', '.pcapng')):
                    z.extract(n, tmp, pwd=b'infected')
                    return os.path.join(tmp, n)
        return None
    return path


def collect(shared):
    corp = os.path.join(shared, 'corpora')
    out = []
    for base in (os.path.join(corp, 'suricata-verify', 'tests'),
                 os.path.join(corp, 'suricata-verify', 'pcaps'),
                 os.path.join(corp, 'traffic')):
        for dirpath, _, files in os.walk(base):
            for f in sorted(files):
                if f.endswith(CAPTURE_EXT):
                    out.append(os.path.join(dirpath, f))
    return sorted(set(out))


def run_one(vigil, path, shared, max_mb):
    name = os.path.relpath(path, os.path.join(shared, 'corpora'))
    res = {'name': name, 'checks': {}, 'note': None}
    if os.path.getsize(path) > max_mb * 1024 * 1024:
        res['note'] = 'skipped: large'
        return res
    with tempfile.TemporaryDirectory(prefix='vg-oracle-') as tmp:
        try:
            pcap = materialize(path, tmp)
        except (OSError, zipfile.BadZipFile, RuntimeError) as e:
            res['note'] = 'skipped: cannot open (%s)' % e
            return res
        if pcap is None:
            res['note'] = 'skipped: no capture in archive'
            return res
        t0 = time.time()
        try:
            rc, recs = vigil_pass(vigil, pcap, os.path.join(tmp, 'log'))
        except subprocess.TimeoutExpired:
            res['note'] = 'vigil timeout'
            res['vigil_fail'] = True
            return res
        t1 = time.time()
        try:
            rows = tshark_pass(pcap)
        except subprocess.TimeoutExpired:
            res['note'] = 'skipped: tshark timeout'
            return res
        except RuntimeError as e:
            res['note'] = 'skipped: %s' % e
            return res
        res['time'] = (t1 - t0, time.time() - t1)
    if rc != 0:
        res['vigil_rc'] = rc
    frames = []
    for row in rows:
        if len(row) < len(FIELDS):
            row = row + [''] * (len(FIELDS) - len(row))
        try:
            fr = {'n': as_int(row[FI['frame.number']]),
                  't': float(row[FI['frame.time_epoch']] or 0),
                  'len': as_int(row[FI['frame.len']]),
                  'caplen': as_int(row[FI['frame.cap_len']]),
                  'layers': parse_frame(row),
                  'dns': field_list(row, 'dns.qry.name'),
                  'http_host': field_list(row, 'http.host'),
                  'http_uri': field_list(row, 'http.request.uri'),
                  'http_code': field_list(row, 'http.response.code'),
                  'tls_type': field_list(row, 'tls.handshake.type'),
                  'sni': field_list(row, 'tls.handshake.extensions_server_name'),
                  'ja3': field_list(row, 'tls.handshake.ja3'),
                  'seq': as_int((field_list(row, 'tcp.seq') or ['0'])[-1])}
            # a TCP segment tshark held for desegmentation and never
            # dissected (the PDU did not complete before the capture ended)
            pr = row[FI['frame.protocols']].split(':')
            fr['apps'] = pr[pr.index('tcp') + 1] if 'tcp' in pr and pr.index('tcp') + 1 < len(pr) \
                else ''
            fr['orphan'] = (fr['layers'] and fr['layers'][-1].proto == 'TCP'
                            and not fr['layers'][-1].in_icmp
                            and fr['layers'][-1] is not None
                            and as_int((field_list(row, 'tcp.len') or ['0'])[-1]) > 0
                            and not field_list(row, 'tcp.reassembled_in')
                            and row[FI['frame.protocols']].endswith(':tcp'))
        except (IndexError, ValueError):
            continue
        frames.append(fr)
    stats = {}
    for r in recs:
        if r.get('event_type') == 'stats':
            stats = r.get('stats', {})
    res['checks']['flow'] = check_flows(frames, recs, stats) if frames else None
    res['checks']['dns'] = check_dns(frames, recs)
    res['checks']['http'] = check_http(frames, recs)
    res['checks']['tls'] = check_tls(frames, recs)
    return res


ALLOW_USED = set()


def allowlisted(capname, check, desc, detail):
    for key, reason in ALLOWLIST.items():
        cap, chk, sub = key
        if capname.endswith(cap) and chk == check and (sub in desc or sub in detail):
            ALLOW_USED.add(key)
            return reason
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('vigil')
    ap.add_argument('--shared', default=DEFAULT_SHARED)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--report')
    ap.add_argument('--max-mb', type=float, default=20)
    ap.add_argument('--only')
    ap.add_argument('-v', action='store_true')
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if shutil.which('tshark') is None or not os.path.isdir(os.path.join(args.shared, 'corpora')):
        print('skipped: tshark or %s/corpora absent' % args.shared)
        print('0 passed, 0 failed, 1 skipped')
        return 77
    if not os.access(args.vigil, os.X_OK):
        print('vigil binary %s not executable' % args.vigil)
        return 2
    HTTP_PORTS.update(http_ports())
    caps = collect(args.shared)
    if args.only:
        caps = [c for c in caps if any(o in c for o in args.only.split(','))]
    t0 = time.time()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        results = list(ex.map(lambda p: run_one(args.vigil, p, args.shared, args.max_mb), caps))
    elapsed = time.time() - t0

    passed = failed = skipped = 0
    summary = {c: {'tests_pass': 0, 'tests_fail': 0, 'tests_skip': 0, 'items': 0, 'agree': 0,
                   'justified': collections.Counter(), 'unexplained': collections.Counter()}
               for c in ('flow', 'dns', 'http', 'tls')}
    report = ['# vigil vs tshark: differences', '',
              'Generated by tests/oracle/oracle.py. Classes: see DIFFERENCES.md.', '']
    for res in results:
        name = res['name']
        if res.get('vigil_fail'):
            failed += 4
            print('FAIL %s: %s' % (name, res['note']))
            report.append('## %s\n\n- FAIL: %s\n' % (name, res['note']))
            continue
        if res['note']:
            skipped += 4
            for c in summary:
                summary[c]['tests_skip'] += 1
            print('SKIP %s: %s' % (name, res['note']))
            continue
        cap_lines = []
        for check, r in res['checks'].items():
            s = summary[check]
            if r is None:
                skipped += 1
                s['tests_skip'] += 1
                continue
            s['items'] += r['total']
            s['agree'] += r['agree']
            bad = False
            for cls, desc, detail, _ in r['diffs']:
                why = allowlisted(name, check, desc, detail)
                if cls in JUSTIFIED:
                    tag = 'justified'
                elif why:
                    tag = 'allowlisted'
                else:
                    tag = 'UNEXPLAINED'
                    bad = True
                cap_lines.append('%s %s [%s] %s: %s%s' % (
                    tag, check, cls, desc, detail, (' (%s)' % why) if tag == 'allowlisted'
                    else ''))
            for cls, desc, detail, n in r['diffs']:
                if cls in JUSTIFIED:
                    s['justified'][cls] += n
                elif allowlisted(name, check, desc, detail):
                    s['justified']['allowlisted ' + cls] += n
                else:
                    s['unexplained'][cls] += n
            if bad:
                failed += 1
                s['tests_fail'] += 1
            else:
                passed += 1
                s['tests_pass'] += 1
        if cap_lines:
            fails = any(l.startswith('UNEXPLAINED') for l in cap_lines)
            print('%s %s: %d difference(s)' % ('FAIL' if fails else 'note', name, len(cap_lines)))
            for l in cap_lines:
                if args.v or l.startswith('UNEXPLAINED'):
                    print('    ' + l)
            report.append('## %s\n' % name)
            report.extend('- ' + l for l in cap_lines)
            report.append('')
        if res.get('vigil_rc'):
            print('note %s: vigil exit code %d' % (name, res['vigil_rc']))

    print()
    print('%-5s %6s %7s %9s %11s   %s' % ('check', 'items', 'agree', 'justified', 'unexplained',
                                         'tests pass/fail/skip'))
    table = ['', '## Summary', '', '| check | items | agree | justified | unexplained | '
             'tests pass/fail/skip |', '|---|---|---|---|---|---|']
    for c, s in summary.items():
        j, u = sum(s['justified'].values()), sum(s['unexplained'].values())
        print('%-5s %6d %7d %9d %11d   %d/%d/%d' % (c, s['items'], s['agree'], j, u,
                                                  s['tests_pass'], s['tests_fail'],
                                                  s['tests_skip']))
        table.append('| %s | %d | %d | %d | %d | %d/%d/%d |' % (
            c, s['items'], s['agree'], j, u, s['tests_pass'], s['tests_fail'], s['tests_skip']))
        for cls, n in sorted(s['justified'].items()) + sorted(s['unexplained'].items()):
            tag = 'justified' if cls in JUSTIFIED else \
                'known vigil gap' if cls.startswith('allowlisted') else 'unexplained'
            print('      %-28s %5d  %s' % (cls, n, tag))
            table.append('| | %s: %d (%s) | | | | |' % (cls, n, tag))
    print('flow items are tshark conversations ("N of M agree exactly"); dns/http/tls items '
          'are distinct names / requests / ClientHellos')
    print('captures: %d, elapsed %.0f s' % (len(results), elapsed))
    if not args.only:
        for key in ALLOWLIST:
            if key not in ALLOW_USED:
                print('note: allowlist entry %s matched nothing: the gap looks fixed, '
                      'remove it' % (key,))
    if args.report:
        with open(args.report, 'w') as fh:
            fh.write('\n'.join(report + table) + '\n')
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
