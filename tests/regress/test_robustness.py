#!/usr/bin/env python3
"""The whole pipeline (capture -> decode -> defrag -> flow -> stream -> app
-> EVE) over every capture of a folder of malformed/odd inputs: vigil must
exit 0 (a broken capture is reported, not fatal), never crash, and write
only valid JSON lines, each with a timestamp and an event_type.

Usage: test_robustness.py VIGIL DIR [--threads N]
Prints "N passed, N failed, N skipped"; skips when DIR is absent.
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    vigil, folder = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    if not os.path.isdir(folder):
        print(f"{folder} absent: skipped")
        print("0 passed, 0 failed, 1 skipped")
        return 77
    passed = failed = skipped = 0
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not (name.endswith(".pcap") or name.endswith(".pcapng") or name.endswith(".cap")):
            continue
        with tempfile.TemporaryDirectory() as out:
            try:
                p = subprocess.run([vigil, "-k", "none", "-r", path, "-l", out] + extra,
                                   capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired:
                failed += 1
                print(f"FAIL {name}: timeout")
                continue
            why = None
            if p.returncode != 0:
                why = f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
            else:
                eve = os.path.join(out, "eve.json")
                with open(eve) as fh:
                    for i, line in enumerate(fh):
                        try:
                            r = json.loads(line)
                        except ValueError as e:
                            why = f"line {i + 1} not JSON: {e}"
                            break
                        if "timestamp" not in r or "event_type" not in r:
                            why = f"line {i + 1} lacks timestamp/event_type"
                            break
            if why:
                failed += 1
                print(f"FAIL {name}: {why}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
