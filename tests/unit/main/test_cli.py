#!/usr/bin/env python3
"""CLI behaviour of the vigil binary: exit codes and one-line messages for
usage/config errors, informational options, -T, -v, rules warning,
truncated captures, and the unix socket sinks.

Usage: test_cli.py VIGIL SOURCE_ROOT
Prints "N passed, N failed, N skipped".
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading

VIGIL, ROOT = sys.argv[1], sys.argv[2]
DEMO = os.path.join(ROOT, "tests", "data", "demo.pcap")
results = {"passed": 0, "failed": 0, "skipped": 0}


def run(args, **kw):
    return subprocess.run([VIGIL] + args, capture_output=True, text=True, timeout=60, **kw)


def check(name, cond, detail=""):
    if cond:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAIL {name}: {detail}")


def usage_error(name, args, pattern):
    p = run(args)
    lines = p.stderr.strip().splitlines()
    check(name, p.returncode == 1 and len(lines) == 1 and re.search(pattern, lines[0]),
          f"rc={p.returncode} stderr={p.stderr!r}")


def eve(outdir):
    with open(os.path.join(outdir, "eve.json")) as fh:
        return [json.loads(l) for l in fh if l.strip()]


def main():
    tmp = tempfile.mkdtemp(prefix="vg-cli-")
    usage_error("unknown long option", ["--bogus"], r"unknown option --bogus")
    usage_error("unknown short option", ["-Z"], r"unknown option -Z")
    usage_error("bad -k", ["-k", "maybe", "-r", DEMO], r"-k 'maybe': expected none or all")
    usage_error("no input", [], r"no input.*expected -r")
    usage_error("bad runmode", ["--runmode=fast", "-r", DEMO], r"--runmode 'fast'")
    usage_error("bad threads", ["--threads", "0", "-r", DEMO], r"--threads '0'")
    usage_error("bad --set", ["--set", "novalue", "-r", DEMO], r"--set 'novalue': expected key=value")
    usage_error("-r and -i", ["-r", DEMO, "-i", "lo"], r"-r and -i")
    usage_error("missing value", ["-r"], r"needs a value")
    usage_error("missing pcap", ["-r", os.path.join(tmp, "none.pcap"), "-l", tmp], r"none\.pcap")
    usage_error("bad logdir", ["-r", DEMO, "-l", os.path.join(tmp, "nodir")], r"not a directory")
    usage_error("bad --set value", ["-r", DEMO, "-l", tmp, "--set", "flow.memcap=lots"],
                r"--set:0: flow\.memcap: bad value 'lots'")
    usage_error("missing intel", ["-r", DEMO, "-l", tmp, "--intel", os.path.join(tmp, "x.json")],
                r"--intel")

    p = run(["-V"])
    check("-V", p.returncode == 0 and re.match(r"vigil \d+\.\d+\.\d+", p.stdout), p.stdout)
    p = run(["--help"])
    check("--help", p.returncode == 0 and "-r <path>" in p.stdout, p.stdout[:80])
    p = run(["--build-info"])
    keys = re.findall(r'X\(\w+,\s+"([^"]+)"', open(os.path.join(ROOT, "src/core/core_limits.h")).read())
    check("--build-info lists every limit",
          p.returncode == 0 and "Features:" in p.stdout and keys and
          all(f"  {k} = " in p.stdout for k in keys), f"{len(keys)} keys")

    good = os.path.join(tmp, "good.yaml")
    with open(good, "w") as fh:
        fh.write("%YAML 1.1\n---\nunknown-section:\n  foo: bar\nflow:\n  memcap: 64mb\n")
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as fh:
        fh.write("%YAML 1.1\n---\nflow:\n  memcap: 1\n bad\n")
    p = run(["-T", "-c", good])
    check("-T good", p.returncode == 0, p.stderr)
    p = run(["-T", "-c", bad])
    check("-T bad: file:line", p.returncode == 1 and re.search(re.escape(bad) + r":\d+: ", p.stderr),
          p.stderr)
    p = run(["-T", "-v", "-c", good])
    check("-v lists unused keys", "unknown-section.foo" in p.stderr and "flow.memcap" not in p.stderr,
          p.stderr)

    # rules: accepted with a warning; both --runmode forms
    rules = os.path.join(tmp, "x.rules")
    open(rules, "w").write("alert ip any any -> any any (sid:1;)\n")
    out = tempfile.mkdtemp(dir=tmp)
    p = run(["-k", "none", "-S", rules, "--runmode", "single", "-r", DEMO, "-l", out])
    check("-S warns and runs", p.returncode == 0 and "rules are not supported" in p.stderr
          and len(eve(out)) > 10, p.stderr)
    out = tempfile.mkdtemp(dir=tmp)
    p = run(["--runmode=workers", "--init-errors-fatal", "--disable-detection", "-r", DEMO, "-l", out])
    check("--runmode=workers", p.returncode == 0 and len(eve(out)) > 10, p.stderr)

    # built-in defaults keep Suricata's list indices: outputs.1 is eve-log
    out = tempfile.mkdtemp(dir=tmp)
    p = run(["-r", DEMO, "-l", out, "--set", "outputs.1.eve-log.community-id=yes"])
    recs = eve(out)
    check("defaults: outputs.1.eve-log", p.returncode == 0 and
          all("community_id" in r for r in recs if r["event_type"] == "flow") and
          any(r["event_type"] == "flow" for r in recs), p.stderr)

    # a truncated capture: reported with its offset, what is readable is processed, exit 0
    data = open(DEMO, "rb").read()
    trunc = os.path.join(tmp, "trunc.pcap")
    open(trunc, "wb").write(data[: len(data) // 2 + 7])
    out = tempfile.mkdtemp(dir=tmp)
    p = run(["-r", trunc, "-l", out])
    recs = eve(out)
    check("truncated capture", p.returncode == 0 and "trunc.pcap" in p.stderr and
          re.search(r"offset \d+", p.stderr) and any(r["event_type"] == "flow" for r in recs),
          f"rc={p.returncode} {p.stderr!r}")

    # reference: the file sink
    out = tempfile.mkdtemp(dir=tmp)
    run(["-k", "none", "-r", DEMO, "-l", out])
    want = len(eve(out))

    for kind, stype in (("unix_stream", socket.SOCK_STREAM), ("unix_dgram", socket.SOCK_DGRAM)):
        path = os.path.join(tmp, kind + ".sock")
        srv = socket.socket(socket.AF_UNIX, stype)
        srv.bind(path)
        got = []
        if stype == socket.SOCK_STREAM:
            srv.listen(1)
            srv.settimeout(10.0)

            def serve():
                try:
                    conn, _ = srv.accept()
                except socket.timeout:
                    return
                buf = b""
                while True:
                    d = conn.recv(65536)
                    if not d:
                        break
                    buf += d
                got.extend(l for l in buf.split(b"\n") if l)
            th = threading.Thread(target=serve)
            th.start()
        else:
            srv.settimeout(3.0)

            def serve():
                try:
                    while True:
                        got.extend(l for l in srv.recv(1 << 20).split(b"\n") if l)
                except socket.timeout:
                    pass
            th = threading.Thread(target=serve)
            th.start()
        p = run(["-k", "none", "-r", DEMO, "-l", tmp,
                 "--set", f"outputs.1.eve-log.filetype={kind}",
                 "--set", f"outputs.1.eve-log.filename={path}"])
        th.join(10)
        srv.close()
        ok = p.returncode == 0 and len(got) == want and all(json.loads(l) for l in got)
        check(f"{kind} sink", ok, f"rc={p.returncode} got {len(got)} want {want} {p.stderr!r}")

    print(f"{results['passed']} passed, {results['failed']} failed, {results['skipped']} skipped")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
