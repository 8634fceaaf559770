#!/usr/bin/env python3
"""End-to-end tests of `vigil attribute` on generated EVE scenarios.

The scenarios (make_scenario.py) use indicator values of one group (APT28,
G0007) from the data pack's iocs.json (ESET/Unit 42 sources) and ATT&CK from
attack-enterprise.json. Skips cleanly when ../shared/intel is absent.
Usage: test_attrib_e2e.py VIGIL INTEL_DIR
Last line: "N passed, N failed, N skipped".
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
WORDS = ["almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely",
         "very likely", "almost certain"]
results = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, cond, detail=""):
    if cond:
        results["passed"] += 1
        print("ok   %s" % name)
    else:
        results["failed"] += 1
        print("FAIL %s %s" % (name, detail))


def run(vigil, intel, args, stdin=None):
    cmd = [vigil, "attribute", "--intel", os.path.join(intel, "attack-enterprise.json"),
           "--intel", os.path.join(intel, "iocs.json")] + args
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def scenario(intel, kind, tmp):
    out = os.path.join(tmp, kind + ".json")
    subprocess.run([sys.executable, os.path.join(HERE, "make_scenario.py"),
                    os.path.join(intel, "iocs.json"), kind, out], check=True)
    return out


def body(out):
    """The report's lines after its handling banner ("TLP:... — this report is
    built from ..." and a blank line), which leads when any evidence is marked."""
    lines = out.splitlines()
    if lines and lines[0].startswith("TLP:"):
        lines = lines[2:] if len(lines) > 1 and lines[1] == "" else lines[1:]
    return lines


def judgement(logdir):
    with open(os.path.join(logdir, "attribution.json")) as f:
        recs = [json.loads(line) for line in f if line.strip()]
    return recs


def check_stix_marked(objs, tlp, uuid, label):
    """The bundle holds the TLP 2.0 marking-definition of `tlp` and statement
    marking-definitions, and every incident, sighting and attributed-to
    relationship references the TLP and every statement."""
    tlp_id = "marking-definition--" + uuid
    mdefs = {o["id"]: o for o in objs if o["type"] == "marking-definition"}
    t = mdefs.get(tlp_id, {})
    ext = t.get("extensions", {}).get(
        "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d", {})
    check("%s: STIX TLP 2.0 marking-definition for %s" % (label, tlp),
          t.get("spec_version") == "2.1" and t.get("name") == tlp and
          ext.get("extension_type") == "property-extension" and
          ext.get("tlp_2_0") == tlp[4:].lower() and "created" in t, t)
    stmts = [i for i, o in mdefs.items() if o.get("definition_type") == "statement" and
             o.get("definition", {}).get("statement")]
    marked = [o for o in objs if o["type"] in ("incident", "sighting", "relationship")]
    check("%s: STIX objects carry object_marking_refs (TLP + statements)" % label,
          stmts and marked and all(set(o.get("object_marking_refs", [])) ==
                                   set([tlp_id] + stmts) for o in marked),
          [(o["type"], o.get("object_marking_refs")) for o in marked][:3])


def main():
    vigil, intel = sys.argv[1], sys.argv[2]
    if not os.path.exists(os.path.join(intel, "attack-enterprise.json")) or \
            not os.path.exists(os.path.join(intel, "iocs.json")):
        print("skip: %s not present (the shared data pack is needed)" % intel)
        results["skipped"] += 6
        print("%d passed, %d failed, %d skipped" % (results["passed"], results["failed"],
                                                    results["skipped"]))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        # 1. APT28 indicators + an alert naming an APT28 family
        eve = scenario(intel, "apt28", tmp)
        logdir = os.path.join(tmp, "log1")
        rc, out, err = run(vigil, intel, ["-l", logdir, eve])
        first = body(out)[0] if body(out) else ""
        check("apt28: exit 0", rc == 0, err)
        check("apt28: one incident, judgement first",
              first.startswith("Incident 1 (2019-05-02 … 2019-05-02, hosts 10.0.0.5): APT28 (G0007) — ")
              and "Incident 2" not in out, first)
        word = first.split(" — ")[-1].split(" (")[0] if " — " in first else ""
        check("apt28: stated likelihood word", word in WORDS and word in
              ("likely", "very likely", "almost certain"), word)
        check("apt28: analytic confidence in its own sentence",
              body(out)[1].startswith("  Analytic confidence: "))
        # iocs.json marks every indicator TLP:WHITE (= TLP:CLEAR) plus its
        # source's licence statement: the report inherits both
        lines = out.splitlines()
        check("apt28: report leads with the TLP of its intel",
              lines and lines[0] == "TLP:CLEAR — this report is built from TLP:CLEAR "
              "intelligence; handle accordingly.", lines[:1])
        check("apt28: handling line right after the judgement, with the licence statement",
              len(body(out)) > 2 and body(out)[2].startswith("  Handling: TLP:CLEAR ") and
              "eset/malware-ioc" in body(out)[2], body(out)[:3])
        check("apt28: aliases named", "Sednit" in out and "Fancy Bear" in out)
        recs = judgement(logdir)
        j = recs[0]["attribution"]["judgement"] if recs else {}
        check("apt28: EVE attribution record names G0007",
              len(recs) == 1 and recs[0]["event_type"] == "attribution" and
              j.get("actor", {}).get("attack_id") == "G0007" and j.get("likelihood") == word, recs)
        ev = recs[0]["attribution"]["evidence"] if recs else []
        check("apt28: evidence has indicators with sources and weights",
              any(e["type"] == "indicator" and e.get("source") == "ESET" and e["weight_db"] > 0
                  for e in ev))
        check("apt28: repeated lookups merged into one unit",
              any(e["type"] == "indicator" and e["count"] == 6 for e in ev))
        with open(os.path.join(logdir, "attribution-stix.json")) as f:
            bundle = json.load(f)
        objs = bundle["objects"]
        rels = [o for o in objs if o["type"] == "relationship"]
        check("apt28: STIX attributed-to G0007 with confidence",
              len(rels) == 1 and rels[0]["relationship_type"] == "attributed-to" and
              rels[0]["target_ref"] == "intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c" and
              rels[0]["confidence"] in (5, 15, 30, 50, 70, 85, 95), rels)
        check("apt28: STIX sightings of the indicators",
              sum(1 for o in objs if o["type"] == "sighting") >= 3)
        a1 = recs[0]["attribution"] if recs else {}
        check("apt28: EVE attribution tlp TLP:CLEAR and the licence statements",
              a1.get("tlp") == "TLP:CLEAR" and
              any("eset/malware-ioc" in m for m in a1.get("markings", [])), a1.get("markings"))
        check_stix_marked(objs, "TLP:CLEAR", "94868c89-83c2-464b-929b-a1a8aa3c8487",
                          "apt28 (TLP:CLEAR)")

        # 1b. the same plus one vigil intel record marked TLP:AMBER with its own
        # licence statement (fields `tlp` / `markings` of the intel object):
        # the incident and the whole report become TLP:AMBER
        amber = {"timestamp": "2019-05-02T03:30:00.000000+0000", "event_type": "intel",
                 "src_ip": "10.0.0.5", "src_port": 49100, "dest_ip": "198.51.100.77",
                 "dest_port": 443, "proto": "TCP",
                 "intel": {"indicator_id": "indicator--0c0ffee0-0000-4000-8000-000000000001",
                           "indicator_type": "ip", "indicator": "198.51.100.77",
                           "seen": {"where": "flow.dest_ip", "value": "198.51.100.77"},
                           "source": "Vendor X", "confidence": 80,
                           "actors": [{"name": "APT28"}],
                           "tlp": "TLP:AMBER",
                           "markings": ["source license: vendor-x/private-feed (test)"]}}
        eve_amber = os.path.join(tmp, "amber.json")
        with open(eve) as f, open(eve_amber, "w") as g:
            g.write(f.read())
            g.write(json.dumps(amber) + "\n")
        logdir = os.path.join(tmp, "log1b")
        rc, out, err = run(vigil, intel, ["-l", logdir, eve_amber])
        lines = out.splitlines()
        check("amber intel: report's first line says TLP:AMBER",
              rc == 0 and lines and lines[0] == "TLP:AMBER — this report is built from "
              "TLP:AMBER intelligence; handle accordingly.", lines[:1])
        check("amber intel: still one incident, judgement right after the banner",
              body(out) and body(out)[0].startswith("Incident 1 (") and "APT28 (G0007)" in
              body(out)[0] and "Incident 2" not in out, body(out)[:1])
        check("amber intel: incident handling TLP:AMBER with both sources' statements",
              len(body(out)) > 2 and body(out)[2].startswith("  Handling: TLP:AMBER ") and
              "vendor-x/private-feed" in body(out)[2] and "eset/malware-ioc" in body(out)[2],
              body(out)[:3])
        recs = judgement(logdir)
        a1 = recs[0]["attribution"] if recs else {}
        check("amber intel: EVE attribution tlp TLP:AMBER, statements unioned",
              len(recs) == 1 and a1.get("tlp") == "TLP:AMBER" and
              "source license: vendor-x/private-feed (test)" in a1.get("markings", []) and
              any("eset/malware-ioc" in m for m in a1.get("markings", [])), a1.get("markings"))
        with open(os.path.join(logdir, "attribution-stix.json")) as f:
            objs = json.load(f)["objects"]
        check_stix_marked(objs, "TLP:AMBER", "55d920b0-5e8b-4f79-9ee9-91f868d9b421",
                          "amber intel")

        # 2. indicators only: one evidence type never goes above "likely"
        eve = scenario(intel, "apt28-ioc", tmp)
        logdir = os.path.join(tmp, "log2")
        rc, out, err = run(vigil, intel, ["-l", logdir, eve])
        recs = judgement(logdir)
        j = recs[0]["attribution"]["judgement"] if recs else {}
        check("apt28 indicators only: G0007, at most likely",
              j.get("actor", {}).get("attack_id") == "G0007" and j["probability"] <= 0.79 and
              "single_evidence_type" in recs[0]["attribution"]["flags"], j)

        # 3. commodity tool only: unknown actor
        eve = scenario(intel, "commodity", tmp)
        logdir = os.path.join(tmp, "log3")
        rc, out, err = run(vigil, intel, ["-l", logdir, eve])
        recs = judgement(logdir)
        check("commodity (Cobalt Strike): unknown actor",
              rc == 0 and ": unknown actor — " in body(out)[0] and recs and
              recs[0]["attribution"]["judgement"]["unknown"] is True, out[:300])

        # 4. planted artefacts of another group: conflict flagged, capped
        eve = scenario(intel, "falseflag", tmp)
        logdir = os.path.join(tmp, "log4")
        rc, out, err = run(vigil, intel, ["-l", logdir, eve])
        recs = judgement(logdir)
        a = recs[0]["attribution"] if recs else {}
        check("false flag: flagged and capped at roughly even chance",
              "false_flag_suspected" in a.get("flags", []) and
              a["judgement"]["probability"] <= 0.55 and "possible false flag" in out, a)

        # 5. broken lines and stdin
        junk = '{"event_type":"alert",\nnot json\n[1]\n{"event_type":"alert","alert":5}\n'
        with open(eve) as f:
            good = f.read()
        rc, out, err = run(vigil, intel, ["-"], stdin=junk + good)
        check("stdin with broken lines: still attributes, counts errors",
              rc == 0 and "APT28 (G0007)" in out and "3 not JSON" in err, err)

        # 6. usage errors
        p = subprocess.run([vigil, "attribute"], capture_output=True, text=True)
        p2 = subprocess.run([vigil, "attribute", "--bogus", "x"], capture_output=True, text=True)
        check("usage errors exit 1", p.returncode == 1 and p2.returncode == 1)
    print("%d passed, %d failed, %d skipped" % (results["passed"], results["failed"],
                                                results["skipped"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
