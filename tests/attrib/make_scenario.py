#!/usr/bin/env python3
"""Build EVE scenarios for the attribution end-to-end test from the data pack.

apt28:      DNS/HTTP/TLS records for indicator values of ONE group (APT28, G0007)
            taken at run time from iocs.json (ESET = BSD-2, Unit 42 / maltrail = MIT
            sources only, single-group claims, no warninglist flags), plus one alert
            whose rule metadata names an APT28 technique and malware family.
apt28-ioc:  the same indicator records without the alert (one evidence type).
commodity:  alerts naming only Cobalt Strike and common C2 techniques.
falseflag:  APT28 indicators + alerts naming rare software families of another group (Lazarus).
Usage: make_scenario.py IOCS.json KIND OUT.json
"""
import json
import sys


def ts(hour, sec):
    """2019-05-02, hour:minute:second - every scenario fits in one day."""
    return "2019-05-02T%02d:%02d:%02d.000000+0000" % (hour, sec // 60 % 60, sec % 60)


def pick_apt28(iocs_path):
    objs = json.load(open(iocs_path))["objects"]
    byid = {o["id"]: o for o in objs}
    g = [o for o in objs if o["type"] == "intrusion-set" and o["name"] == "APT28"][0]["id"]
    claims = {}
    for r in objs:
        if r["type"] == "relationship" and r.get("relationship_type") == "indicates":
            claims.setdefault(r["source_ref"], []).append(r["target_ref"])
    doms, ips = [], []
    for iid, tg in sorted(claims.items()):
        o = byid[iid]
        if tg != [g] or o.get("x_vigil_warninglists"):
            continue
        if not set(o.get("x_vigil_sources", [])) & {"eset", "unit42"}:
            continue
        p = o["pattern"]
        if p.startswith("[domain-name:value = '"):
            doms.append(p.split("'")[1])
        elif p.startswith("[ipv4-addr:value = '"):
            ips.append(p.split("'")[1])
    return doms[:4], ips[:1]


def rec(t, et, src, dst, sp, dp, proto="TCP", **kw):
    r = {"timestamp": t, "flow_id": 1000 + sp, "event_type": et, "src_ip": src,
         "src_port": sp, "dest_ip": dst, "dest_port": dp, "proto": proto}
    r.update(kw)
    return r


def alert(t, sig, sid, meta):
    return rec(t, "alert", "10.0.0.5", "198.51.100.20", 50000 + sid % 1000, 443,
               alert={"action": "allowed", "gid": 1, "signature_id": sid, "rev": 1,
                      "signature": sig, "category": "A Network Trojan was detected",
                      "severity": 1, "metadata": meta})


def main():
    iocs, kind, out = sys.argv[1], sys.argv[2], sys.argv[3]
    recs = []
    if kind in ("apt28", "apt28-ioc", "falseflag"):
        doms, ips = pick_apt28(iocs)
        assert len(doms) >= 3, "not enough APT28 indicators in %s" % iocs
        recs.append(rec(ts(2, 1), "dns", "10.0.0.5", "10.0.0.1", 53001, 53, "UDP",
                        dns={"type": "query", "id": 1, "rrname": doms[0], "rrtype": "A"}))
        recs.append(rec(ts(2, 2), "http", "10.0.0.5", "203.0.113.7", 49001, 80,
                        http={"hostname": doms[1], "url": "/update.php", "http_method": "POST",
                              "http_user_agent": "Mozilla/5.0", "status": 200}))
        recs.append(rec(ts(3, 3), "tls", "10.0.0.5", "203.0.113.8", 49002, 443,
                        tls={"sni": doms[2], "version": "TLS 1.2",
                             "ja3": {"hash": "e7d705a3286e19ea42f587b344ee6865"}}))
        if ips:
            recs.append(rec(ts(3, 4), "flow", "10.0.0.5", ips[0], 49003, 443,
                            flow={"pkts_toserver": 5, "pkts_toclient": 4}))
        # repeated lookups: correlated, must not inflate
        for i in range(5):
            recs.append(rec(ts(4, 10 + i), "dns", "10.0.0.5", "10.0.0.1", 53010 + i, 53, "UDP",
                            dns={"type": "query", "id": 2 + i, "rrname": doms[0], "rrtype": "A"}))
    if kind == "apt28":
        recs.append(alert(ts(3, 5), "ET MALWARE Zebrocy CnC Checkin", 2030001,
                          {"malware_family": ["Zebrocy"], "mitre_technique_id": ["T1071.001"],
                           "mitre_tactic_id": ["TA0011"]}))
    if kind == "falseflag":
        # strong artefacts of another group (Lazarus' BLINDINGCAN and HOPLIGHT)
        # next to APT28 indicators: the engine must flag the conflict
        recs.append(alert(ts(3, 6), "ET MALWARE BLINDINGCAN CnC", 2030002,
                          {"malware_family": ["BLINDINGCAN"], "mitre_technique_id": ["T1071.001"]}))
        recs.append(alert(ts(3, 7), "ET MALWARE HOPLIGHT CnC", 2030003,
                          {"malware_family": ["HOPLIGHT"]}))
    if kind == "commodity":
        for i, (sig, tech) in enumerate([("ET MALWARE Cobalt Strike Beacon Observed", "T1071.001"),
                                         ("ET MALWARE Cobalt Strike Malleable C2", "T1573.002"),
                                         ("ET INFO Cobalt Strike stager download", "T1105")]):
            recs.append(alert(ts(5, i), sig, 2031000 + i,
                              {"malware_family": ["Cobalt Strike"],
                               "mitre_technique_id": [tech]}))
    # noise that carries no evidence
    recs.append(rec(ts(2, 30), "flow", "10.0.0.9", "192.0.2.80", 40000, 80,
                    flow={"pkts_toserver": 1}))
    with open(out, "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
