#!/usr/bin/env python3
"""Run suricata-verify style tests against vigil.

A test is a directory with a test.yaml (format: ../shared/corpora/SURICATA-VERIFY.md):
pcap + optional suricata.yaml + optional rules + `checks`. The runner builds
the command line suricata-verify would give Suricata, runs vigil instead,
and evaluates the checks on the resulting eve.json. Our own regression
tests under tests/regress/ use the same format, so one runner serves both.

Target version is Suricata 8.0.7: `requires` are evaluated against it; a
test whose requirements are unmet is skipped, a check whose requirements
are unmet is not counted.

Usage:
  svrun.py --vigil build/vigil [--shared ../shared] [--index-filter rules:none]
           [--min-pass-rate 0.85] [--json out.json] [-v] DIR_OR_TEST...
Prints one line per test and a closing "N passed, N failed, N skipped".
Exit status: 0 when every test passed, or when --min-pass-rate is given and
the pass rate over non-skipped tests reaches it; 1 otherwise.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover
    print("svrun: python3-yaml is required (scripts/install-deps installs it)", file=sys.stderr)
    sys.exit(2)

TARGET_VERSION = (8, 0, 7)
# Build features vigil has; extended from `vigil --build-info` ("Features:" line).
BASE_FEATURES = set()


def parse_version(v):
    parts = [int(x) for x in re.findall(r"\d+", str(v))]
    return parts


def version_cmp(target, spec):
    """Compare TARGET (3 ints) with a spec where missing parts are 0."""
    spec = (spec + [0, 0, 0])[:3]
    t = list(target)
    return (t > spec) - (t < spec)


def requires_met(req, test_dir, features):
    """Return (met: bool, reason)."""
    if not req:
        return True, ""
    if not isinstance(req, dict):
        return True, ""
    for key, val in req.items():
        if key == "min-version":
            if version_cmp(TARGET_VERSION, parse_version(val)) < 0:
                return False, f"min-version {val}"
        elif key == "lt-version":
            if version_cmp(TARGET_VERSION, parse_version(val)) >= 0:
                return False, f"lt-version {val}"
        elif key == "gt-version":
            if version_cmp(TARGET_VERSION, parse_version(val)) <= 0:
                return False, f"gt-version {val}"
        elif key == "version":
            want = parse_version(val)
            if list(TARGET_VERSION[: len(want)]) != want:
                return False, f"version {val}"
        elif key == "features":
            for f in val or []:
                if f not in features:
                    return False, f"feature {f}"
        elif key == "env":
            for e in val or []:
                if e not in os.environ:
                    return False, f"env {e}"
        elif key == "files":
            for f in val or []:
                if not os.path.exists(os.path.join(test_dir, f)):
                    return False, f"file {f}"
        elif key == "pcap":
            pass
        elif key == "script":
            for s in val or []:
                if subprocess.run(s, shell=True, cwd=test_dir,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
                    return False, f"script {s}"
        elif key in ("os", "arch"):
            import platform
            have = platform.system().lower() if key == "os" else platform.machine()
            vals = val if isinstance(val, list) else [val]
            if not any(str(x).lower() in have.lower() for x in vals):
                return False, f"{key} {val}"
        elif key == "lambda":
            return False, "lambda requirement not evaluated"
        # unknown keys: ignored, as the reference runner does
    return True, ""


_MISSING = object()
_IDX = re.compile(r"^(.*?)\[(-?\d+)\]$")


def get_path(obj, path):
    """Dotted path with name[N] segments; returns _MISSING when absent."""
    cur = obj
    for seg in path.split("."):
        m = _IDX.match(seg)
        name, idx = (m.group(1), int(m.group(2))) if m else (seg, None)
        if name:
            if not isinstance(cur, dict) or name not in cur:
                return _MISSING
            cur = cur[name]
        if idx is not None:
            if not isinstance(cur, list) or idx >= len(cur) or idx < -len(cur):
                return _MISSING
            cur = cur[idx]
        if cur is None:
            return _MISSING
    return cur


def typed_equal(expected, actual):
    # Python semantics (1 == 1.0, True == 1) as in the reference runner, but
    # strings never equal numbers.
    if isinstance(expected, str) != isinstance(actual, str):
        return False
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return expected == actual
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(typed_equal(a, b) for a, b in zip(expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(typed_equal(expected[k], actual[k]) for k in expected)
    return expected == actual


def match_one(record, key, expected):
    if key == "has-key":
        keys = expected if isinstance(expected, list) else [expected]
        return all(get_path(record, k) is not _MISSING for k in keys)
    if key == "not-has-key":
        keys = expected if isinstance(expected, list) else [expected]
        return all(get_path(record, k) is _MISSING for k in keys)
    for op in ("__len", "__contains", "__find", "__startswith", "__endswith",
               "__gte", "__gt", "__lte", "__lt"):
        if key.endswith("." + op):
            val = get_path(record, key[: -len(op) - 1])
            if val is _MISSING:
                return False
            if op == "__len":
                n = len(val) if isinstance(val, (list, dict, str)) else -1
                return n == expected
            if op == "__contains":
                try:
                    return expected in val
                except TypeError:
                    return False
            if op == "__find":
                return isinstance(val, str) and str(expected) in val
            if op == "__startswith":
                return isinstance(val, str) and val.startswith(str(expected))
            if op == "__endswith":
                return isinstance(val, str) and val.endswith(str(expected))
            num = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)
            if not (num(val) and num(expected)):
                return False
            return {"__gt": val > expected, "__gte": val >= expected,
                    "__lt": val < expected, "__lte": val <= expected}[op]
    val = get_path(record, key)
    if val is _MISSING:
        return False
    return typed_equal(expected, val)


def load_eve(path):
    records = []
    bad = 0
    if not os.path.exists(path):
        return records, bad
    with open(path, "rb") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                records.append(json.loads(line))
            except ValueError:
                bad += 1
    return records, bad


class Result:
    def __init__(self, name):
        self.name = name
        self.status = "PASS"
        self.reasons = []

    def fail(self, why):
        self.status = "FAIL"
        self.reasons.append(why)


def find_pcap(test_dir, cfg):
    if "pcap" in cfg:
        p = cfg["pcap"]
        if p is False:
            return None
        return os.path.normpath(os.path.join(test_dir, p))
    req = cfg.get("requires") or {}
    if isinstance(req, dict) and req.get("pcap") is False:
        return None
    pcaps = sorted(glob.glob(os.path.join(test_dir, "*.pcap")) + glob.glob(os.path.join(test_dir, "*.pcapng")))
    if len(pcaps) != 1:
        raise ValueError(f"expected exactly one pcap in {test_dir}, found {len(pcaps)}")
    return pcaps[0]


def build_command(vigil, test_dir, cfg, outdir, shared):
    sv = os.path.join(shared, "corpora", "suricata-verify") if shared else None
    srcdir_cfg = os.path.join(sv, "suricata-8.0") if sv else None
    args = []
    for a in cfg.get("args") or []:
        args += str(a).split()
    cmd = [vigil] + args
    if srcdir_cfg:
        cmd += ["--set", f"classification-file={srcdir_cfg}/classification.config",
                "--set", f"reference-config-file={srcdir_cfg}/reference.config"]
    cmd += ["--init-errors-fatal", "-l", outdir]
    if "ips" in os.path.basename(test_dir):
        cmd += ["--simulate-ips"]
    own_yaml = os.path.join(test_dir, "suricata.yaml")
    if os.path.exists(own_yaml):
        cmd += ["-c", own_yaml]
    elif srcdir_cfg and os.path.exists(os.path.join(srcdir_cfg, "suricata.yaml")):
        cmd += ["-c", os.path.join(srcdir_cfg, "suricata.yaml")]
    pcap = find_pcap(test_dir, cfg)
    if pcap:
        cmd += ["-r", pcap]
    rules = cfg.get("rules", None)
    if "rules" in cfg:
        if rules:
            cmd += ["-S", os.path.join(test_dir, rules)]
        else:
            cmd += ["--disable-detection"]
    else:
        rfiles = sorted(glob.glob(os.path.join(test_dir, "*.rules")))
        if not rfiles:
            cmd += ["--disable-detection"]
        elif len(rfiles) == 1:
            cmd += ["-S", rfiles[0]]
        else:
            cmd += ["-S", rfiles[0]]  # firewall/td pairs are not supported
    return cmd


def run_test(vigil, test_dir, shared, features, verbose=False, keep=None, timeout=300):
    name = os.path.relpath(test_dir, os.path.dirname(os.path.dirname(test_dir))) if False else test_dir
    res = Result(name)
    with open(os.path.join(test_dir, "test.yaml")) as fh:
        cfg = yaml.safe_load(fh) or {}
    ok, why = requires_met(cfg.get("requires"), test_dir, features)
    if not ok:
        res.status = "SKIP"
        res.reasons.append(why)
        return res
    skip = cfg.get("skip")
    if skip is True:
        res.status = "SKIP"
        res.reasons.append("skip: true")
        return res
    outdir = keep or tempfile.mkdtemp(prefix="svrun-")
    os.makedirs(outdir, exist_ok=True)
    try:
        env = dict(os.environ, TZ="UTC", TEST_DIR=test_dir, OUTPUT_DIR=outdir)
        for k, v in (cfg.get("env") or {}).items() if isinstance(cfg.get("env"), dict) else []:
            env[k] = str(v)
        if "command" in cfg:
            command = str(cfg["command"])
            command = command.replace("${SRCDIR}/src/suricata", vigil).replace("./src/suricata", vigil)
            command = command.replace("${TEST_DIR}", test_dir).replace("${OUTPUT_DIR}", outdir)
            command = command.replace("${SRCDIR}", os.path.join(shared or "", "corpora", "suricata-verify", "suricata-8.0"))
            proc = subprocess.run(command, shell=True, cwd=outdir, env=env, capture_output=True, timeout=timeout)
            cmd_text = command
        else:
            try:
                cmd = build_command(vigil, test_dir, cfg, outdir, shared)
            except ValueError as e:
                res.fail(str(e))
                return res
            cmd_text = " ".join(shlex.quote(c) for c in cmd)
            proc = subprocess.run(cmd, cwd=outdir, env=env, capture_output=True, timeout=timeout)
        if verbose:
            print("  $ " + cmd_text)
        want_rc = cfg.get("exit-code", 0)
        if proc.returncode != want_rc:
            tail = proc.stderr.decode(errors="replace").strip().splitlines()[-3:]
            res.fail(f"exit code {proc.returncode}, expected {want_rc}: {' | '.join(tail)}")
            return res
        eve_cache = {}
        n_checks = 0
        for i, check in enumerate(cfg.get("checks") or []):
            if not isinstance(check, dict):
                continue
            if "filter" in check:
                flt = check["filter"]
                ok, _ = requires_met(flt.get("requires"), test_dir, features)
                if not ok:
                    continue
                n_checks += 1
                fname = flt.get("filename", "eve.json")
                if fname not in eve_cache:
                    eve_cache[fname] = load_eve(os.path.join(outdir, fname))
                records, bad = eve_cache[fname]
                if bad:
                    res.fail(f"{fname}: {bad} lines are not JSON")
                match = flt.get("match") or {}
                n = sum(1 for r in records if all(match_one(r, k, v) for k, v in match.items()))
                if n != flt.get("count"):
                    res.fail(f"check {i}: {n} records match, expected {flt.get('count')}: {json.dumps(match, default=str)[:300]}")
            elif "shell" in check:
                sh = check["shell"]
                ok, _ = requires_met(sh.get("requires"), test_dir, features)
                if not ok:
                    continue
                n_checks += 1
                p = subprocess.run(sh["args"], shell=True, cwd=outdir, env=env, capture_output=True)
                if "expect" in sh:
                    if p.stdout.decode(errors="replace").strip() != str(sh["expect"]):
                        res.fail(f"check {i}: shell output {p.stdout.decode(errors='replace').strip()!r} != {sh['expect']!r}")
                elif p.returncode:
                    res.fail(f"check {i}: shell exited {p.returncode}")
            elif "stats" in check:
                n_checks += 1
                records, _ = eve_cache.setdefault("eve.json", load_eve(os.path.join(outdir, "eve.json")))
                stats = [r for r in records if r.get("event_type") == "stats"]
                if not stats:
                    res.fail(f"check {i}: no stats record")
                    continue
                last = {"stats": stats[-1].get("stats", {})}
                for k, v in check["stats"].items():
                    if not match_one(last, "stats." + k, v):
                        res.fail(f"check {i}: stats {k} != {v}")
            elif "file-compare" in check:
                n_checks += 1
                fc = check["file-compare"]
                a = os.path.join(outdir, fc["filename"])
                b = os.path.join(test_dir, fc["expected"])
                if not (os.path.exists(a) and open(a, "rb").read() == open(b, "rb").read()):
                    res.fail(f"check {i}: {fc['filename']} differs from {fc['expected']}")
        if n_checks == 0 and not cfg.get("checks"):
            pass  # passes on exit code alone, as in suricata-verify
        return res
    except subprocess.TimeoutExpired:
        res.fail(f"timed out after {timeout}s")
        return res
    finally:
        if keep is None:
            shutil.rmtree(outdir, ignore_errors=True)


def discover(paths):
    tests = []
    for p in paths:
        p = os.path.abspath(p)
        if os.path.exists(os.path.join(p, "test.yaml")):
            tests.append(p)
            continue
        for root, dirs, files in os.walk(p):
            if "test.yaml" in files:
                tests.append(root)
                dirs[:] = []  # do not descend below a test
            dirs.sort()
    return sorted(tests)


def index_filter(tests, shared, expr):
    idx = os.path.join(shared, "corpora", "suricata-verify", "INDEX.tsv")
    keep = set()
    with open(idx) as fh:
        header = fh.readline().rstrip("\n").split("\t")
        for line in fh:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            if expr in row.get("features", "").split(","):
                keep.add(row["name"])
    base = os.path.join(shared, "corpora", "suricata-verify", "tests")
    return [t for t in tests if os.path.relpath(t, base) in keep]


def vigil_features(vigil):
    feats = set(BASE_FEATURES)
    try:
        out = subprocess.run([vigil, "--build-info"], capture_output=True, timeout=20).stdout.decode()
        for line in out.splitlines():
            if line.lower().startswith("features:"):
                feats.update(line.split(":", 1)[1].split())
    except Exception:
        pass
    return feats


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--shared", default=None, help="path to ../shared (default: next to the repo)")
    ap.add_argument("--index-filter", default=None, help="keep suricata-verify tests whose INDEX.tsv features contain this tag")
    ap.add_argument("--min-pass-rate", type=float, default=None)
    ap.add_argument("--json", default=None, help="write per-test results here")
    ap.add_argument("--keep", default=None, help="keep outputs under this dir")
    ap.add_argument("--skip-missing", action="store_true", help="report 0 tests (skipped) when the test dirs do not exist")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    vigil = os.path.abspath(a.vigil)
    shared = a.shared
    if shared is None:
        here = os.path.dirname(os.path.abspath(__file__))
        shared = os.path.normpath(os.path.join(here, "..", "..", "..", "shared"))
    missing = [p for p in a.paths if not os.path.exists(p)]
    if missing:
        if a.skip_missing:
            print(f"svrun: {', '.join(missing)} not present (../shared missing?): skipping")
            print("0 passed, 0 failed, 1 skipped")
            return 0
        print(f"svrun: no such path: {', '.join(missing)}", file=sys.stderr)
        return 2
    tests = discover(a.paths)
    if a.index_filter:
        tests = index_filter(tests, shared, a.index_filter)
    feats = vigil_features(vigil)
    results = []
    for t in tests:
        keep = os.path.join(a.keep, os.path.basename(t)) if a.keep else None
        r = run_test(vigil, t, shared, feats, a.verbose, keep)
        r.name = os.path.relpath(t, os.path.dirname(os.path.commonpath(tests)) if len(tests) > 1 else os.path.dirname(t))
        results.append(r)
        line = f"{r.status} {r.name}"
        if r.reasons:
            line += ": " + "; ".join(r.reasons[:3])
        print(line, flush=True)
    npass = sum(r.status == "PASS" for r in results)
    nfail = sum(r.status == "FAIL" for r in results)
    nskip = sum(r.status == "SKIP" for r in results)
    ran = npass + nfail
    rate = npass / ran if ran else 0.0
    if a.json:
        with open(a.json, "w") as fh:
            json.dump([{"name": r.name, "status": r.status, "reasons": r.reasons} for r in results], fh, indent=1)
    if a.min_pass_rate is not None:
        print(f"pass rate {npass}/{ran} = {rate:.1%} (required {a.min_pass_rate:.0%})")
        ok = rate >= a.min_pass_rate
        # As a suite this counts as one test: the rate is the outcome.
        print(f"{1 if ok else 0} passed, {0 if ok else 1} failed")
        return 0 if ok else 1
    print(f"{npass} passed, {nfail} failed, {nskip} skipped")
    return 0 if nfail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
