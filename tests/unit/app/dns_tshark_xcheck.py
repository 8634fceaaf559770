#!/usr/bin/env python3
"""Cross-check DNS question names against tshark.

For every pcap under ../shared/corpora/suricata-verify/tests and
../shared/corpora/traffic that tshark says contains DNS, compare the set
of question names our parser extracts (dns_pcap_names, which drives
app_dns.c directly) with `tshark -Y dns -T fields -e dns.qry.name`.
Skips cleanly when the corpora or tshark are absent. Prints
"N passed, N failed, N skipped".
"""
import gzip
import re
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
SHARED = os.environ.get("VG_SHARED", os.path.join(ROOT, "..", "shared"))

# Justified differences: pcap path relative to corpora/ -> names dropped
# from tshark's side before comparing, with the reason.
KNOWN = {
    # DNS inside VXLAN (UDP 4789): the harness decodes no tunnels; the
    # parser is not involved.
    "suricata-verify/tests/vxlan-decoder-01/input.pcap": {"drop": {"localhost"}},
}


def tshark_names(path):
    try:
        out = subprocess.run(["tshark", "-n", "-r", path, "-Y", "dns", "-T", "fields",
                              "-e", "dns.qry.name"],
                             capture_output=True, text=True, errors="replace", timeout=600)
    except subprocess.TimeoutExpired:
        return None
    names = set()
    for line in out.stdout.splitlines():
        for n in line.split(","):
            if n and n != "<Root>":
                names.add(n)
    return names


def our_names(tool, path):
    """(names, packets on port 53), or (None, 0) for an undecoded link type."""
    out = subprocess.run([tool, path], capture_output=True, text=True, errors="replace",
                         timeout=300)
    if out.returncode == 3:
        return None, 0
    m = re.search(r"port53 (\d+)", out.stderr)
    return {n for n in out.stdout.splitlines() if n}, int(m.group(1)) if m else -1


def main():
    tool = sys.argv[1] if len(sys.argv) > 1 else None
    corp = os.path.join(SHARED, "corpora")
    if not tool or not os.path.isdir(corp) or shutil.which("tshark") is None:
        print("skip: ../shared corpora or tshark absent")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    pcaps = []
    for base in (os.path.join(corp, "suricata-verify", "tests"),
                 os.path.join(corp, "suricata-verify", "pcaps"),
                 os.path.join(corp, "traffic")):
        for dirpath, _, files in os.walk(base):
            for f in sorted(files):
                if f.endswith((".pcap", ".pcapng", ".pcap.gz", ".pcap.zip", ".pcap_")):
                    pcaps.append(os.path.join(dirpath, f))
    passed = failed = skipped = 0
    total_names = agree_names = 0
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for i, p in enumerate(sorted(set(pcaps))):
            path = p
            if p.endswith(".gz"):
                path = os.path.join(tmp, "%d.pcap" % i)
                with gzip.open(p) as src, open(path, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            elif p.endswith(".zip"):
                with zipfile.ZipFile(p) as z:
                    member = z.namelist()[0]
                    path = os.path.join(tmp, "%d.pcap" % i)
                    with z.open(member, pwd=b"infected") as src, open(path, "wb") as dst:
                        shutil.copyfileobj(src, dst)
            ours, n53 = our_names(tool, path)
            # tshark is slow on big captures: ask it only where DNS can be
            # (a packet on port 53, or a link type our harness cannot read)
            if ours is None or n53 != 0:
                jobs.append((p, path, ours))
        with ThreadPoolExecutor(max_workers=2) as ex:
            results = list(ex.map(lambda j: tshark_names(j[1]), jobs))
        for (p, path, ours), theirs in zip(jobs, results):
            rel = os.path.relpath(p, corp)
            if theirs is None:
                print("SKIP %s: tshark timed out" % rel)
                skipped += 1
                continue
            if not theirs:
                continue
            if ours is None:
                print("SKIP %s: link type not decoded by the harness" % rel)
                skipped += 1
                continue
            theirs -= KNOWN.get(rel, {}).get("drop", set())
            total_names += len(theirs)
            agree_names += len(theirs & ours)
            if ours == theirs:
                passed += 1
            else:
                failed += 1
                print("FAIL %s: only tshark %s; only ours %s" % (
                    rel, sorted(theirs - ours)[:5], sorted(ours - theirs)[:5]))
    print("names: %d of %d tshark names also found by vigil" % (agree_names, total_names))
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
