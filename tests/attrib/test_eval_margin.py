#!/usr/bin/env python3
"""Guard for issue #4's accuracy target: the leave-one-campaign-out
evaluation (vigil attribute --eval) must keep beating the README's TF-IDF
baseline by >= 10 points at top-1 and top-3 (tier all_citations_shared,
full observations), the TF-IDF row must reproduce the data pack's published
figures (26% / 35%), and the engine must not fall behind TF-IDF on the
network-observable subset. Skips without ../shared/intel.
Usage: test_eval_margin.py VIGIL INTEL_DIR
"""
import os
import re
import subprocess
import sys

ROW = re.compile(r"^\| (?P<tier>[^|]+?) \| (?P<model>[^|]+?) \| (?P<t1>\d+) \(\d+%\) \| "
                 r"(?P<t3>\d+) \(\d+%\) \|")


def tables(md):
    """{section title: {(tier, model): (top1, top3)}} for the per-campaign count tables."""
    out, cur = {}, None
    for line in md.splitlines():
        if line.startswith("## "):
            cur = out.setdefault(line[3:].strip(), {})
            continue
        m = ROW.match(line)
        if m and cur is not None:
            cur[(m["tier"].strip(), m["model"].strip())] = (int(m["t1"]), int(m["t3"]))
    return out


def main():
    vigil, intel = sys.argv[1], sys.argv[2]
    if not os.path.exists(os.path.join(intel, "attack-enterprise.json")):
        print("skip: %s not present" % intel)
        print("0 passed, 0 failed, 1 skipped")
        return 0
    md = subprocess.run([vigil, "attribute", "--eval", os.path.join(intel, "attack-enterprise.json"),
                         os.path.join(intel, "eval")], capture_output=True, text=True,
                        timeout=900, check=True).stdout
    t = tables(md)
    full = t.get("Accuracy, observations: full", {})
    net = t.get("Accuracy, observations: network-observable", {})
    n = 23
    ok = fail = 0

    def check(name, cond, detail):
        nonlocal ok, fail
        print(("ok   " if cond else "FAIL ") + name + ": " + detail)
        ok, fail = ok + bool(cond), fail + (not cond)

    eng = full.get(("all_citations_shared", "vigil engine"))
    tf = full.get(("all_citations_shared", "TF-IDF cosine"))
    check("tables parsed", eng is not None and tf is not None, str(sorted(full))[:200])
    if eng and tf:
        check("TF-IDF reproduces the published baseline", tf == (6, 8), "TF-IDF %s of %d" % (tf, n))
        check("top-1 margin >= 10 points", (eng[0] - tf[0]) * 100 / n >= 10,
              "engine %d vs TF-IDF %d of %d" % (eng[0], tf[0], n))
        check("top-3 margin >= 10 points", (eng[1] - tf[1]) * 100 / n >= 10,
              "engine %d vs TF-IDF %d of %d" % (eng[1], tf[1], n))
    ne = net.get(("all_citations_shared", "vigil engine"))
    nt = net.get(("all_citations_shared", "TF-IDF cosine"))
    if ne and nt:
        check("network-observable: engine >= TF-IDF", ne[0] >= nt[0] and ne[1] >= nt[1],
              "engine %s vs TF-IDF %s" % (ne, nt))
    print("%d passed, %d failed, 0 skipped" % (ok, fail))
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
