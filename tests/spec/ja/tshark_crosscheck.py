#!/usr/bin/env python3
"""Cross-check vigil's TLS ClientHello parsing (SNI, JA3) against tshark.

For every pcap of the shared corpora (suricata-verify tests and pcaps,
corpora/traffic; .gz decompressed and the .zip opened with password
"infected" into a temporary directory that is removed afterwards) it runs
  tls_pcap_dump FILE                  (our parser, one line per ClientHello)
  tshark -r FILE -Y tls.handshake.type==1 -T fields -e ... ja3 ...
and compares, per TCP flow (first ClientHello of the flow), the SNI and the
JA3 hash. Flows only one side saw are listed separately (tshark only
dissects TLS on ports it knows or detects heuristically; our dump parses
every TCP flow whose bytes look like TLS).

Usage: tshark_crosscheck.py --dump build/tests/unit/app/tls_pcap_dump --shared ../shared [-v]
Prints per-file disagreements and a closing "N passed, N failed, N skipped"
line (a file passes when every flow seen by both agrees on SNI and JA3).
Skips cleanly when tshark or ../shared is absent.
"""
import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile


def collect(shared, tmp):
    files = []
    sv = os.path.join(shared, "corpora", "suricata-verify")
    for root, _, names in os.walk(sv):
        for n in sorted(names):
            if n.endswith((".pcap", ".pcapng")):
                files.append(os.path.join(root, n))
    tr = os.path.join(shared, "corpora", "traffic")
    if os.path.isdir(tr):
        for n in sorted(os.listdir(tr)):
            p = os.path.join(tr, n)
            if n.endswith((".pcap", ".pcapng")):
                files.append(p)
            elif n.endswith(".gz"):
                out = os.path.join(tmp, n[:-3])
                with gzip.open(p, "rb") as fi, open(out, "wb") as fo:
                    shutil.copyfileobj(fi, fo)
                files.append(out)
            elif n.endswith(".zip"):
                try:
                    with zipfile.ZipFile(p) as z:
                        for m in z.namelist():
                            if m.endswith((".pcap", ".pcapng")):
                                out = os.path.join(tmp, os.path.basename(m))
                                with z.open(m, pwd=b"infected") as fi, open(out, "wb") as fo:
                                    shutil.copyfileobj(fi, fo)
                                files.append(out)
                except (RuntimeError, zipfile.BadZipFile, NotImplementedError) as e:
                    print(f"SKIP {n}: {e}")
    return files


def norm_key(src, sp, dst, dp):
    return (src, int(sp), dst, int(dp))


def run_dump(dump, path):
    r = subprocess.run([dump, path], capture_output=True, text=True, errors="replace",
                       timeout=300)
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) < 3:
            continue
        a = parts[0].split(" ")
        k = norm_key(a[0], a[1], a[2], a[3])
        if k not in out:
            ja3s = parts[4] if len(parts) > 4 and parts[4] != "-" else ""
            out[k] = (parts[1] if parts[1] != "-" else "", parts[2], ja3s)
    return out


def run_tshark(path):
    """One tshark pass: ClientHello (type 1) and ServerHello (type 2) fields."""
    cmd = ["tshark", "-r", path, "-Y", "tls.handshake.type==1 || tls.handshake.type==2",
           "-T", "fields", "-E", "separator=\t", "-e", "ip.src", "-e", "ipv6.src",
           "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport",
           "-e", "tls.handshake.type", "-e", "tls.handshake.extensions_server_name",
           "-e", "tls.handshake.ja3", "-e", "tls.handshake.ja3s"]
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=600)
    out = {}
    server = []
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) < 10 or not f[2]:
            continue  # not over TCP (QUIC/DTLS)
        src = (f[0] or f[1]).split(",")[-1]
        dst = (f[3] or f[4]).split(",")[-1]
        types = f[6].split(",")
        if "1" in types and f[8]:
            k = norm_key(src, f[2].split(",")[0], dst, f[5].split(",")[0])
            if k not in out:
                out[k] = (f[7].split(",")[0], f[8].split(",")[0], "")
        if "2" in types and f[9]:
            server.append((norm_key(dst, f[5].split(",")[0], src, f[2].split(",")[0]),
                           f[9].split(",")[0]))
    for k, ja3s in server:
        if k in out and not out[k][2]:
            out[k] = (out[k][0], out[k][1], ja3s)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--only", default="", help="only files whose path contains this")
    a = ap.parse_args()
    if shutil.which("tshark") is None or not os.path.isdir(os.path.join(a.shared, "corpora")):
        print("tshark or the shared corpora are absent: skipped")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    tmp = tempfile.mkdtemp(prefix="vg-tls-xcheck-")
    npass = nfail = nskip = 0
    agree = {"sni": 0, "ja3": 0, "ja3s": 0}
    n_ja3s = 0
    both = only_ours = only_tshark = 0
    try:
        for path in collect(a.shared, tmp):
            if a.only and a.only not in path:
                continue
            try:
                ours = run_dump(a.dump, path)
                theirs = run_tshark(path)
            except subprocess.TimeoutExpired:
                print(f"SKIP {path}: timed out (loaded machine)")
                nskip += 1
                continue
            if not ours and not theirs:
                nskip += 1
                continue
            bad = []
            for k, (sni_t, ja3_t, ja3s_t) in theirs.items():
                if k not in ours:
                    only_tshark += 1
                    bad.append(f"  only tshark: {k} sni={sni_t!r} ja3={ja3_t}")
                    continue
                both += 1
                sni_o, ja3_o, ja3s_o = ours[k]
                agree["sni"] += sni_o == sni_t
                agree["ja3"] += ja3_o == ja3_t
                ja3s_bad = False
                if ja3s_t:
                    n_ja3s += 1
                    agree["ja3s"] += ja3s_o == ja3s_t
                    ja3s_bad = ja3s_o != ja3s_t
                if sni_o != sni_t or ja3_o != ja3_t or ja3s_bad:
                    bad.append(f"  {k}: sni ours={sni_o!r} tshark={sni_t!r}; "
                               f"ja3 ours={ja3_o} tshark={ja3_t}; "
                               f"ja3s ours={ja3s_o} tshark={ja3s_t}")
            extra = [k for k in ours if k not in theirs]
            only_ours += len(extra)
            name = os.path.relpath(path, a.shared) if path.startswith(a.shared) else \
                os.path.basename(path)
            mism = [b for b in bad if not b.startswith("  only")]
            if mism:
                nfail += 1
                print(f"FAIL {name}")
                for b in bad:
                    print(b)
            else:
                npass += 1
                if a.v or bad or extra:
                    print(f"PASS {name} ({len(theirs)} tshark, {len(ours)} ours)")
                    for b in bad:
                        print(b)
                    for k in extra:
                        print(f"  only ours: {k} sni={ours[k][0]!r} ja3={ours[k][1]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"flows seen by both: {both}; SNI agree {agree['sni']}/{both}; "
          f"JA3 agree {agree['ja3']}/{both}; JA3S agree {agree['ja3s']}/{n_ja3s}; only tshark: {only_tshark}; only ours: {only_ours}")
    print(f"{npass} passed, {nfail} failed, {nskip} skipped")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
