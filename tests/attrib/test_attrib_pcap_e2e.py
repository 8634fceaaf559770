#!/usr/bin/env python3
"""End to end through the packet path: `vigil -r capture --intel ...`.

A capture generated at run time (make_pcap_scenario.py) with DNS, HTTP, TLS
and a TCP connection to indicator values of APT28 (G0007) from the data
pack must be attributed to APT28 in eve.json's `attribution` record and in
attribution.txt; the same kinds of traffic to names that only a commodity
tool's indicator (Cobalt Strike, S0154) points at must come out "unknown
actor". Skips cleanly without ../shared/intel.
Usage: test_attrib_pcap_e2e.py VIGIL INTEL_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
res = {"passed": 0, "failed": 0, "skipped": 0}

# A commodity-tool indicator file: the domain indicates ATT&CK's Cobalt Strike
# (malware--a788..., S0154), which many groups and criminals use.
CS_BUNDLE = {"type": "bundle", "id": "bundle--6c1f3a4e-0000-4000-8000-000000000001", "objects": [
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--6c1f3a4e-0000-4000-8000-000000000002",
     "created": "2019-01-01T00:00:00.000Z", "modified": "2019-01-01T00:00:00.000Z",
     "valid_from": "2019-01-01T00:00:00Z", "pattern_type": "stix",
     "pattern": "[domain-name:value = 'cs-demo.example']", "indicator_types": ["malicious-activity"],
     "confidence": 80},
    {"type": "relationship", "spec_version": "2.1", "id": "relationship--6c1f3a4e-0000-4000-8000-000000000003",
     "created": "2019-01-01T00:00:00.000Z", "modified": "2019-01-01T00:00:00.000Z",
     "relationship_type": "indicates", "source_ref": "indicator--6c1f3a4e-0000-4000-8000-000000000002",
     "target_ref": "malware--a7881f21-e978-4fe4-af56-92c9416a2616"}]}


def check(name, cond, detail=""):
    res["passed" if cond else "failed"] += 1
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else " " + detail))


def body(text):
    """Report lines after the handling banner ("TLP:... — this report is built
    from ..." and a blank line), which leads when the intel is marked."""
    lines = text.splitlines() if text else []
    if lines and lines[0].startswith("TLP:"):
        lines = lines[2:] if len(lines) > 1 and lines[1] == "" else lines[1:]
    return lines


def run_case(vigil, intel, kind, tmp, extra_intel=()):
    pcap = os.path.join(tmp, kind + ".pcap")
    subprocess.run([sys.executable, os.path.join(HERE, "make_pcap_scenario.py"),
                    os.path.join(intel, "iocs.json"), kind, pcap], check=True)
    out = os.path.join(tmp, kind)
    os.makedirs(out)
    cmd = [vigil, "-r", pcap, "-l", out, "-k", "none",
           "--intel", os.path.join(intel, "attack-enterprise.json"),
           "--intel", os.path.join(intel, "iocs.json")]
    for f in extra_intel:
        cmd += ["--intel", f]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    check("%s: vigil exits 0" % kind, p.returncode == 0, p.stderr[-500:])
    recs = []
    with open(os.path.join(out, "eve.json")) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    text = open(os.path.join(out, "attribution.txt")).read() \
        if os.path.exists(os.path.join(out, "attribution.txt")) else ""
    return recs, text


def main():
    vigil, intel = sys.argv[1], sys.argv[2]
    if not all(os.path.exists(os.path.join(intel, f)) for f in ("attack-enterprise.json", "iocs.json")):
        print("skip: %s not present (the shared data pack is needed)" % intel)
        print("0 passed, 0 failed, 1 skipped")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        recs, text = run_case(vigil, intel, "apt28", tmp)
        hits = [r for r in recs if r.get("event_type") == "intel"]
        where = {r["intel"]["seen"]["where"] for r in hits}
        check("apt28: intel hits in DNS, HTTP, TLS and flow",
              {"dns.query", "http.host", "tls.sni", "flow.dest_ip"} <= where, str(sorted(where)))
        check("apt28: every hit names APT28 and its source",
              hits and all(any(a.get("name") == "APT28" for a in r["intel"].get("actors", []))
                           and r["intel"].get("source") for r in hits))
        att = [r for r in recs if r.get("event_type") == "attribution"]
        check("apt28: one attribution record", len(att) == 1, str(len(att)))
        if att:
            j = att[0]["attribution"]["judgement"]
            check("apt28: judgement is APT28 (G0007)", j.get("actor", {}).get("attack_id") == "G0007", str(j)[:300])
            check("apt28: likelihood word and STIX confidence stated",
                  j.get("likelihood") in ("likely", "very likely", "almost certain", "roughly even chance")
                  and isinstance(j.get("stix_confidence"), int), str(j)[:300])
            check("apt28: one evidence type never exceeds 'likely'",
                  j.get("likelihood") in ("likely", "roughly even chance"), j.get("likelihood", ""))
            # live path: intel records of iocs.json indicators (TLP:WHITE + a
            # licence statement) -> the attribution inherits both
            a0 = att[0]["attribution"]
            check("apt28: live attribution inherits TLP:CLEAR and the licence statement",
                  a0.get("tlp") == "TLP:CLEAR" and a0.get("markings"), str(a0.get("markings")))
        check("apt28: text report's first line is the TLP banner",
              text.startswith("TLP:CLEAR — this report is built from TLP:CLEAR intelligence"),
              text[:120])
        check("apt28: text report leads with the judgement",
              body(text) and body(text)[0].startswith("Incident 1") and
              "APT28 (G0007)" in body(text)[0], text[:200])

        cs = os.path.join(tmp, "cs-intel.json")
        with open(cs, "w") as f:
            json.dump(CS_BUNDLE, f)
        recs, text = run_case(vigil, intel, "commodity", tmp, [cs])
        hits = [r for r in recs if r.get("event_type") == "intel"]
        check("commodity: the Cobalt Strike indicator is hit", len(hits) > 0)
        att = [r for r in recs if r.get("event_type") == "attribution"]
        check("commodity: attributed to unknown actor",
              len(att) == 1 and att[0]["attribution"]["judgement"].get("unknown") is True,
              str(att)[:300])
        check("commodity: text report says unknown actor",
              "unknown actor" in body(text)[0] if body(text) else False, text[:200])
    print("%d passed, %d failed, %d skipped" % (res["passed"], res["failed"], res["skipped"]))
    return 1 if res["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
