#!/usr/bin/env python3
"""Output must not depend on the run mode or the number of worker threads:
run each capture with --runmode single and autofp with 1, 2 and 3 workers
and compare the sorted EVE lines (stats.uptime removed: it is wall time).

Usage: test_determinism.py VIGIL PCAP...
Prints "N passed, N failed, N skipped".
"""
import json
import os
import subprocess
import sys
import tempfile

MODES = [["--runmode", "single"], ["--runmode=autofp", "--threads", "1"],
         ["--threads", "2"], ["--runmode", "workers", "--threads", "3"]]


def run(vigil, pcap, mode):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([vigil, "-k", "none", "-r", pcap, "-l", out] + mode, check=True,
                       capture_output=True)
        lines = []
        with open(os.path.join(out, "eve.json")) as fh:
            for line in fh:
                r = json.loads(line)
                if r["event_type"] == "stats":
                    r["stats"].pop("uptime", None)
                lines.append(json.dumps(r, sort_keys=True))
        return sorted(lines)


def main():
    vigil, pcaps = sys.argv[1], [p for p in sys.argv[2:] if os.path.exists(p)]
    skipped = len(sys.argv[2:]) - len(pcaps)
    passed = failed = 0
    for pcap in pcaps:
        base = run(vigil, pcap, MODES[0])
        for mode in MODES[1:]:
            got = run(vigil, pcap, mode)
            if got == base and base:
                passed += 1
            else:
                failed += 1
                diff = set(base) ^ set(got)
                print(f"FAIL {os.path.basename(pcap)} {' '.join(mode)}: {len(base)} vs {len(got)} "
                      f"lines, {len(diff)} differ, e.g. {sorted(diff)[:1]}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
