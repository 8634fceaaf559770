#!/usr/bin/env python3
"""EVE to redis (outputs.eve-log.filetype: redis) against a real redis-server.

usage: test_redis_sink.py VIGIL PCAP

Starts its own redis-server on a free loopback port (no persistence, its
own temp dir), runs vigil on PCAP once with filetype: regular as the
reference, then once per redis mode, reads the entries back over a raw
RESP connection and asserts they are exactly the reference eve.json lines
(same count, same order where the mode defines one, each valid JSON):

  list (Suricata's default = LPUSH), rpush + pipelining (-c yaml), lpush +
  pipelining, stream (XADD ... * eve <json>), stream with stream-maxlen and
  stream-trim-exact, channel (PUBLISH, read by a SUBSCRIBE connection).

Failure paths, against small fake servers written here:
  - nothing listening at startup: exit 1, one-line reason on stderr;
  - server closes the connection after 10 records: the run ends, exit 0,
    the other records are reported dropped (exact count);
  - server stops answering after PING: the run still ends (bounded socket
    timeouts), every record reported dropped.

Skips (exit 0, "0 passed, 0 failed, 1 skipped") when redis-server is not
installed or vigil was built without hiredis. The server is always killed.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

# One worker thread: records then come in the same order on every run, so
# the order checks can tell LPUSH from RPUSH. Without -c: the built-in
# Suricata defaults minus the stats record (its uptime is wall time, the
# only field that differs between two runs on the same pcap).
BASE = ["--runmode", "single"]
NO_STATS = ["--set", "outputs.1.eve-log.types.6.stats.enabled=no"]
EVE = "outputs.1.eve-log"

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def finish(skipped=0):
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


def skip(why):
    print(f"SKIP redis sink: {why}")
    print("0 passed, 0 failed, 1 skipped")
    sys.exit(0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- minimal RESP client (no redis-py dependency) ----

class Resp:
    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            raise RuntimeError("redis error: " + rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RuntimeError(f"bad RESP type {line!r}")

    def cmd(self, *args):
        self.send(*args)
        return self.reply()


def wait_ping(port, deadline_s=10.0):
    end = time.time() + deadline_s
    while time.time() < end:
        try:
            c = Resp(port, timeout=1.0)
            try:
                if c.cmd("PING") == "PONG":
                    return True
            finally:
                c.close()
        except (OSError, ConnectionError, RuntimeError):
            pass
        time.sleep(0.05)
    return False


# ---- vigil runs ----

def run_vigil(vigil, pcap, logdir, extra, timeout=60):
    os.makedirs(logdir, exist_ok=True)
    args = [vigil, "-r", pcap, "-l", logdir, "-k", "none"] + BASE
    if "-c" not in extra:
        args += NO_STATS
    args += extra
    t0 = time.time()
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", time.time() - t0
    return p.returncode, p.stderr, time.time() - t0


def redis_set(port, key, mode, *more):
    s = ["--set", f"{EVE}.filetype=redis",
         "--set", f"{EVE}.redis.server=127.0.0.1",
         "--set", f"{EVE}.redis.port={port}",
         "--set", f"{EVE}.redis.key={key}"]
    if mode is not None:
        s += ["--set", f"{EVE}.redis.mode={mode}"]
    for kv in more:
        s += ["--set", f"{EVE}.redis.{kv}"]
    return s


def all_json(lines):
    try:
        for ln in lines:
            json.loads(ln)
        return True
    except ValueError:
        return False


def compare(name, got, ref, ordered=True):
    got = [g.decode() if isinstance(g, bytes) else g for g in got]
    check(f"{name}: record count {len(got)} == eve.json {len(ref)}", len(got) == len(ref),
          f"got {len(got)}")
    check(f"{name}: each entry is valid JSON", all_json(got))
    check(f"{name}: same records as eve.json (sorted)", sorted(got) == sorted(ref),
          "first difference: " + next((f"{a!r} != {b!r}" for a, b in
                                       zip(sorted(got), sorted(ref)) if a != b), "count"))
    if ordered:
        check(f"{name}: in write order", got == ref)


# ---- fake servers for the failure paths ----

class FakeRedis(threading.Thread):
    """Answers PING, then replies ':1' to `answer` commands, then either
    closes the connection ('close') or goes silent ('stall'). Listens for
    one connection only: after it, nothing is listening on the port."""

    def __init__(self, answer, then):
        super().__init__(daemon=True)
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.answer, self.then = answer, then
        self.stop = threading.Event()
        self.replied = 0

    def run(self):
        self.lsock.settimeout(20)
        try:
            conn, _ = self.lsock.accept()
        except OSError:
            return
        self.lsock.close()
        conn.settimeout(0.2)
        buf = b""
        try:
            while not self.stop.is_set():
                # a full RESP array command at the head of buf?
                m = re.match(rb"\*(\d+)\r\n", buf)
                cmd = None
                if m:
                    off, parts = m.end(), []
                    for _ in range(int(m.group(1))):
                        m2 = re.match(rb"\$(\d+)\r\n", buf[off:])
                        if not m2:
                            break
                        n = int(m2.group(1))
                        start = off + m2.end()
                        if len(buf) < start + n + 2:
                            break
                        parts.append(buf[start:start + n])
                        off = start + n + 2
                    else:
                        cmd, buf = parts, buf[off:]
                if cmd is None:
                    try:
                        chunk = conn.recv(65536)
                    except socket.timeout:
                        continue
                    if not chunk:
                        break
                    buf += chunk
                    continue
                if cmd[0].upper() == b"PING":
                    conn.sendall(b"+PONG\r\n")
                elif self.replied < self.answer:
                    conn.sendall(b":1\r\n")
                    self.replied += 1
                elif self.then == "close":
                    break
                # 'stall': read on, answer nothing
        finally:
            if self.then == "stall":
                self.stop.wait(30)
            conn.close()


def dropped_from(stderr):
    m = re.search(r"(\d+) records dropped", stderr)
    return int(m.group(1)) if m else None


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    vigil, pcap = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    server = shutil.which("redis-server")
    if server is None:
        skip("redis-server not installed (scripts/install-deps installs it)")
    info = subprocess.run([vigil, "--build-info"], capture_output=True, text=True).stdout
    if "HAVE_HIREDIS" not in info:
        skip("vigil built without hiredis (filetype: redis unavailable)")

    tmp = tempfile.mkdtemp(prefix="vg-redis-")
    port = free_port()
    srv_log = open(os.path.join(tmp, "redis-server.log"), "w")
    srv = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                            "--appendonly", "no", "--dir", tmp],
                           stdout=srv_log, stderr=subprocess.STDOUT)
    try:
        if not wait_ping(port):
            check("redis-server answers PING", False, f"see {tmp}/redis-server.log")
            finish()
        rc, err, _ = run_vigil(vigil, pcap, os.path.join(tmp, "ref"),
                               ["--set", f"{EVE}.filetype=regular"])
        check("reference run (filetype: regular) exits 0", rc == 0, err)
        with open(os.path.join(tmp, "ref", "eve.json")) as f:
            ref = f.read().splitlines()
        check(f"reference eve.json has records ({len(ref)})", len(ref) > 10)
        check("reference eve.json: each line valid JSON", all_json(ref))

        r = Resp(port)

        # list = LPUSH (Suricata's default mode, given here explicitly)
        rc, err, _ = run_vigil(vigil, pcap, os.path.join(tmp, "list"),
                               redis_set(port, "vg-list", "list"))
        check("mode list: exit 0, nothing on stderr", rc == 0 and err == "", err)
        got = r.cmd("LRANGE", "vg-list", 0, -1)
        compare("mode list (LPUSH)", list(reversed(got)), ref)

        # no mode at all: Suricata's default is list (LPUSH)
        run_vigil(vigil, pcap, os.path.join(tmp, "dflt"), redis_set(port, "vg-dflt", None))
        got = r.cmd("LRANGE", "vg-dflt", 0, -1)
        check("no mode: default is LPUSH (newest record at the head)",
              len(got) == len(ref) and got[0].decode() == ref[-1])

        # rpush with pipelining, from a -c yaml (nested keys as Suricata's)
        yml = os.path.join(tmp, "rpush.yaml")
        with open(yml, "w") as f:
            f.write("%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n"
                    "      filetype: redis\n      redis:\n        server: 127.0.0.1\n"
                    f"        port: {port}\n        key: vg-rpush\n        mode: rpush\n"
                    "        pipelining:\n          enabled: yes\n          batch-size: 7\n"
                    "      types:\n        - dns\n        - http\n        - tls\n"
                    "        - files\n        - flow\n        - anomaly\n")
        # its reference: the same yaml with filetype regular
        rc, err, _ = run_vigil(vigil, pcap, os.path.join(tmp, "ref-yaml"),
                               ["-c", yml, "--set", "outputs.0.eve-log.filetype=regular"])
        with open(os.path.join(tmp, "ref-yaml", "eve.json")) as f:
            ref_yaml = f.read().splitlines()
        check(f"-c yaml reference run: exit 0, {len(ref_yaml)} records",
              rc == 0 and len(ref_yaml) > 10, err)
        rc, err, _ = run_vigil(vigil, pcap, os.path.join(tmp, "rpush"), ["-c", yml])
        check("mode rpush + pipelining batch-size 7 (-c yaml): exit 0", rc == 0, err)
        compare("mode rpush + pipelining", r.cmd("LRANGE", "vg-rpush", 0, -1), ref_yaml)

        # lpush with pipelining through --set
        rc, err, _ = run_vigil(vigil, pcap, os.path.join(tmp, "lpush"),
                               redis_set(port, "vg-lpush", "lpush", "pipelining.enabled=yes",
                                         "pipelining.batch-size=5"))
        check("mode lpush + pipelining batch-size 5: exit 0", rc == 0, err)
        compare("mode lpush + pipelining", list(reversed(r.cmd("LRANGE", "vg-lpush", 0, -1))),
                ref)

        # stream: XADD key MAXLEN ~ 100000 * eve <json>
        rc, err, _ = run_vigil(vigil, pcap, os.path.join(tmp, "stream"),
                               redis_set(port, "vg-stream", "stream"))
        check("mode stream: exit 0", rc == 0, err)
        ents = r.cmd("XRANGE", "vg-stream", "-", "+")
        check("mode stream: every entry is one field named 'eve'",
              all(len(e[1]) == 2 and e[1][0] == b"eve" for e in ents))
        compare("mode stream (XADD)", [e[1][1] for e in ents], ref)

        # xadd alias + exact trimming: exactly the last 10 records remain
        rc, err, _ = run_vigil(vigil, pcap, os.path.join(tmp, "xadd"),
                               redis_set(port, "vg-xadd", "xadd", "stream-maxlen=10",
                                         "stream-trim-exact=yes", "pipelining.enabled=yes"))
        check("mode xadd + stream-maxlen 10 + stream-trim-exact: exit 0", rc == 0, err)
        ents = r.cmd("XRANGE", "vg-xadd", "-", "+")
        check("stream-trim-exact: XLEN is exactly 10", r.cmd("XLEN", "vg-xadd") == 10)
        check("stream-maxlen 10: the last 10 records, in order",
              [e[1][1].decode() for e in ents] == ref[-10:])

        # channel: PUBLISH, read by a subscriber that is listening first
        sub = Resp(port, timeout=10.0)
        sub.send("SUBSCRIBE", "vg-chan")
        conf = sub.reply()
        check("subscriber registered", conf[0] == b"subscribe", repr(conf))
        rc, err, _ = run_vigil(vigil, pcap, os.path.join(tmp, "chan"),
                               redis_set(port, "vg-chan", "channel"))
        check("mode channel: exit 0", rc == 0, err)
        msgs = []
        try:
            while len(msgs) < len(ref):
                m = sub.reply()
                if m[0] == b"message" and m[1] == b"vg-chan":
                    msgs.append(m[2])
        except (OSError, ConnectionError) as e:
            print(f"     subscriber stopped after {len(msgs)} messages: {e}")
        sub.close()
        compare("mode channel (PUBLISH)", msgs, ref)
        check("mode channel: PUBLISH leaves no key behind",
              r.cmd("EXISTS", "vg-chan") == 0)
        r.close()

        # ---- failure paths ----
        dead = free_port()
        rc, err, secs = run_vigil(vigil, pcap, os.path.join(tmp, "dead"),
                                  redis_set(dead, "k", "list"), timeout=30)
        lines = err.strip().splitlines()
        check("server down at startup: exit 1", rc == 1, f"rc={rc}")
        check("server down at startup: one-line reason naming the server",
              len(lines) == 1 and f"127.0.0.1:{dead}" in lines[0]
              and "redis" in lines[0], repr(err))
        check("server down at startup: no eve.json written instead",
              not os.path.exists(os.path.join(tmp, "dead", "eve.json")))

        fake = FakeRedis(10, "close")
        fake.start()
        rc, err, secs = run_vigil(vigil, pcap, os.path.join(tmp, "gone"),
                                  redis_set(fake.port, "k", "rpush"), timeout=60)
        fake.stop.set()
        fake.join(5)
        check("server gone mid-run: run ends, exit 0", rc == 0, f"rc={rc} {err}")
        check(f"server gone mid-run: {len(ref) - 10} records reported dropped",
              dropped_from(err) == len(ref) - 10, repr(err))
        check("server gone mid-run: outage warned once, not per record",
              err.count("reconnecting with backoff") == 1, repr(err))

        fake = FakeRedis(0, "stall")
        fake.start()
        rc, err, secs = run_vigil(vigil, pcap, os.path.join(tmp, "stall"),
                                  redis_set(fake.port, "k", "rpush", "pipelining.enabled=yes"),
                                  timeout=60)
        fake.stop.set()
        fake.join(5)
        check(f"server stalls: run still ends ({secs:.1f} s), exit 0", rc == 0 and secs < 30,
              f"rc={rc} {err}")
        check(f"server stalls: all {len(ref)} records reported dropped",
              dropped_from(err) == len(ref), repr(err))
    finally:
        srv.terminate()
        try:
            srv.wait(10)
        except subprocess.TimeoutExpired:
            srv.kill()
            srv.wait()
        srv_log.close()
        if failed == 0:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"     kept {tmp} for inspection")
    finish()


if __name__ == "__main__":
    main()
