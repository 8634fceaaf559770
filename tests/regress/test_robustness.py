#!/usr/bin/env python3
"""The whole pipeline (capture -> decode -> defrag -> flow -> stream -> app
-> EVE) over every capture below one or more folders (recursively; .gz and
the password-protected .zip of the shared traffic corpus are unpacked into
a temporary directory): vigil must exit 0 (a broken capture is reported,
not fatal; a file no pcap reader can open at all - bad magic or version -
exits 1 with one line naming it), never crash, and write only valid JSON
lines, each with a timestamp and an event_type. Run in the sanitizer build, any memory error
or leak makes vigil exit non-zero and fails the capture.

Usage: test_robustness.py VIGIL DIR [DIR...] [-- VIGIL-OPTIONS...]
Prints "N passed, N failed, N skipped"; skips (exit 77) when no DIR exists.
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

CAPTURE_EXT = (".pcap", ".pcapng", ".cap")


def captures(folders, tmp):
    """Yield (display name, path) for every capture below the folders."""
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, folder)
                if name.endswith(CAPTURE_EXT):
                    yield rel, path
                elif name.endswith(".gz") and name[:-3].endswith(CAPTURE_EXT):
                    out = os.path.join(tmp, name[:-3])
                    with gzip.open(path) as src, open(out, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    yield rel, out
                elif name.endswith(".zip"):
                    with zipfile.ZipFile(path) as z:
                        for member in z.namelist():
                            if member.endswith(CAPTURE_EXT):
                                z.extract(member, tmp, pwd=b"infected")
                                yield rel + ":" + member, os.path.join(tmp, member)


def check_one(vigil, path, extra):
    with tempfile.TemporaryDirectory() as out:
        try:
            p = subprocess.run([vigil, "-k", "none", "-r", path, "-l", out] + extra,
                               capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return "timeout"
        err = p.stderr.strip()
        if "Sanitizer" in err or "runtime error" in err:
            return f"sanitizer: {err[-300:]}"
        if p.returncode == 1 and len(err.splitlines()) == 1 and err.startswith(f"vigil: {path}: "):
            return None  # a file no reader can open: one clear line naming it, exit 1
        if p.returncode != 0:
            return f"exit {p.returncode}: {err[-300:]}"
        with open(os.path.join(out, "eve.json")) as fh:
            for i, line in enumerate(fh):
                try:
                    r = json.loads(line)
                except ValueError as e:
                    return f"line {i + 1} not JSON: {e}"
                if "timestamp" not in r or "event_type" not in r:
                    return f"line {i + 1} lacks timestamp/event_type"
    return None


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    vigil, folders = args[0], [f for f in args[1:] if os.path.isdir(f)]
    if not folders:
        print(f"{', '.join(args[1:])} absent: skipped")
        print("0 passed, 0 failed, 1 skipped")
        return 77
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in captures(folders, tmp):
            why = check_one(vigil, path, extra)
            if why:
                failed += 1
                print(f"FAIL {name}: {why}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed, 0 skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
