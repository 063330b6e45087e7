#!/usr/bin/python3
"""The collector's bad-input table: raw HTTP requests that are wrong in
every way a kiosk, a proxy or an attacker can make them wrong, each with the
answer it must get, and afterwards proof that nothing already stored
changed (the export, byte for byte, the status counts and the surveys'
ETag), that the server still serves, and that its database is sound.

The table is also the documentation: docs/collector.md carries it between
the markers below, and this test fails when the two differ
(`bad_input.py --markdown` prints the table to paste).

Usage: bad_input.py COLLECTOR_BINARY SOURCE_DIR [--markdown]
Standard library only (Debian's /usr/bin/python3).
"""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testdb import Database  # noqa: E402

BEGIN = "<!-- bad-input-table begin (tests/collector/bad_input.py) -->"
END = "<!-- bad-input-table end -->"
KIOSK = "kiosk-badinput-01"
OTHER = "kiosk-badinput-02"
BASE = "/buurtkiosk"
TIMEOUT_S = 2  # [server] request_timeout_s of this test's collector


def uuid4(n):
    return "%08x-0000-4000-8000-%012x" % (0x10000000 + n, n)


def response(n, **over):
    r = {
        "response_id": uuid4(n), "seq": n, "survey_id": "buurtpeiling",
        "survey_version": 1, "mode": "survey", "status": "complete",
        "language": "nl", "area": "dorst",
        "started_at": "2026-11-29T10:02:11.020Z",
        "completed_at": "2026-11-29T10:04:40.512Z", "flags": [],
        "answers": [{"question_id": "q1", "value": 4},
                    {"question_id": "q8", "value": "Meer bankjes"}],
    }
    r.update(over)
    return r


def batch(n, responses=None, **over):
    b = {"protocol": 1, "batch_id": uuid4(900000 + n), "kiosk_id": KIOSK,
         "created_at": "2026-11-29T13:45:12.345Z",
         "responses": responses if responses is not None else [response(n)]}
    b.update(over)
    return b


def js(o):
    return json.dumps(o).encode()


def request(method, path, body=b"", token="K", ctype="application/json",
            extra=None, idem=None):
    """A raw HTTP/1.1 request; token "K" is the kiosk's own."""
    h = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1",
         "Connection: close"]
    if token:
        h.append("Authorization: Bearer %s" % token)
    if ctype:
        h.append("Content-Type: %s" % ctype)
    if idem:
        h.append("Idempotency-Key: %s" % idem)
    if body or method == "POST":
        h.append("Content-Length: %d" % len(body))
    for x in extra or []:
        h.append(x)
    return ("\r\n".join(h) + "\r\n\r\n").encode() + body


def post(body, **kw):
    return request("POST", BASE + "/v1/batches", body, **kw)


def bomb():
    """256 MiB of zeros as gzip (about 250 KiB, under max_body_bytes),
    compressed a MiB at a time."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    mib = b"\0" * (1 << 20)
    return b"".join([z.compress(mib) for _ in range(256)] + [z.flush()])


class Server:
    def __init__(self, binary, ini):
        self.proc = subprocess.Popen([binary, "serve", "--config", ini],
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        if "listening on http://127.0.0.1:" not in line:
            raise SystemExit("collector did not start: %r" % line)
        self.port = int(line.rsplit(":", 1)[1])

    def exchange(self, raw, wait=10.0):
        """Sends raw, returns the status code (int), or "closed" when the
        server closed the connection without an answer."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=wait)
        try:
            try:
                s.sendall(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass
            data = b""
            try:
                while b"\r\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except (ConnectionResetError, socket.timeout):
                pass
        finally:
            s.close()
        if not data.startswith(b"HTTP/1."):
            return "closed"
        return int(data.split(b" ", 2)[1])

    def vm_hwm_kib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def stop(self):
        self.proc.terminate()
        rc = self.proc.wait(timeout=30)
        if rc != 0:
            raise SystemExit("collector exited %d on SIGTERM" % rc)


def chunked(body, token):
    """A POST of body in 64 KiB chunks, without Content-Length."""
    h = ("POST %s/v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
         "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
         "Transfer-Encoding: chunked\r\n\r\n" % (BASE, token)).encode()
    parts = [h]
    for i in range(0, len(body), 65536):
        c = body[i:i + 65536]
        parts.append(b"%x\r\n" % len(c) + c + b"\r\n")
    parts.append(b"0\r\n\r\n")
    return b"".join(parts)


def slow_body(srv, token):
    """Headers at once, then the body at one byte a second: the server
    closes the connection once request_timeout_s has passed."""
    body = js(batch(50))
    head = post(body, token=token)[: -len(body)]
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=TIMEOUT_S + 10)
    s.sendall(head)
    status = "closed"
    try:
        for i in range(len(body)):
            s.sendall(body[i:i + 1])
            s.settimeout(1.0)
            try:
                data = s.recv(4096)
                if data.startswith(b"HTTP/1."):
                    status = int(data.split(b" ", 2)[1])
                    break
                if not data:
                    break
            except socket.timeout:
                pass
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.close()
    if status == "closed":
        late = time.monotonic() - t0 - TIMEOUT_S
        return "closed within 2 s" if late < 2.0 else "closed %.1f s late" % late
    return status


def slow_headers(srv, token):
    """Headers at one byte a second; meanwhile another kiosk is served.
    Returns that other request's status."""
    raw = post(js(batch(51)), token=token)
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    stop = threading.Event()

    def dribble():
        for i in range(len(raw)):
            if stop.is_set():
                return
            try:
                s.sendall(raw[i:i + 1])
            except OSError:
                return
            time.sleep(1.0)

    t = threading.Thread(target=dribble)
    t.start()
    time.sleep(2.5)
    other = srv.exchange(request("GET", BASE + "/v1/kiosks/%s/surveys" % KIOSK, token=token))
    stop.set()
    t.join()
    s.close()
    return other


def cases(tokens):
    """(name, request bytes or a function of the server, expected)."""
    K, O, R = tokens["own"], tokens["other"], tokens["revoked"]
    good = js(batch(1))
    bad_utf8 = js(batch(2)).replace(b"Meer bankjes", b"Meer \xff\xfe bankjes")
    overlong = js(batch(3)).replace(b"Meer bankjes", b"Meer \xc0\xaf bankjes")
    t = [
        ("not JSON at all", post(b"hello, collector", token=K), 400),
        ("truncated JSON", post(good[: len(good) // 2], token=K), 400),
        ("empty body", post(b"", token=K), 400),
        ("a NUL byte in the body", post(good[:20] + b"\0" + good[20:], token=K), 400),
        ("JSON array, not an object", post(b"[1,2,3]", token=K), 400),
        ("trailing garbage after the object", post(good + b"}", token=K), 400),
        ("protocol 2", post(js(batch(4, protocol=2)), token=K), 422),
        ("protocol as a string", post(js(batch(5, protocol="1")), token=K), 422),
        ("batch_id not a UUID", post(js(batch(6, batch_id="12345")), token=K), 422),
        ("Idempotency-Key is not the batch_id",
         post(js(batch(7)), token=K, idem=uuid4(1)), 422),
        ("kiosk_id missing",
         post(js({k: v for k, v in batch(8).items() if k != "kiosk_id"}), token=K), 422),
        ("another kiosk's kiosk_id", post(js(batch(9, kiosk_id=OTHER)), token=K), 403),
        ("created_at not RFC 3339", post(js(batch(10, created_at="29-11-2026")), token=K), 422),
        ("responses not an array", post(js(batch(11, responses={"a": 1})), token=K), 422),
        ("response_id a version 1 UUID",
         post(js(batch(12, [response(12, response_id="6ba7b810-9dad-11d1-80b4-00c04fd430c8")])),
              token=K), 422),
        ("seq a string", post(js(batch(13, [response(13, seq="13")])), token=K), 422),
        ("seq negative", post(js(batch(14, [response(14, seq=-1)])), token=K), 422),
        ("survey_version a string",
         post(js(batch(15, [response(15, survey_version="1")])), token=K), 422),
        ("mode unknown", post(js(batch(16, [response(16, mode="vote")])), token=K), 422),
        ("status started", post(js(batch(17, [response(17, status="started")])), token=K), 422),
        ("language not a language",
         post(js(batch(18, [response(18, language="Dutch!")])), token=K), 422),
        ("area a number", post(js(batch(19, [response(19, area=7)])), token=K), 422),
        ("started_at month 13, hour 25",
         post(js(batch(20, [response(20, started_at="2026-13-29T25:02:11.000Z")])), token=K),
         422),
        ("completed_at 0000-00-00T00:00:00.000Z",
         post(js(batch(21, [response(21, completed_at="0000-00-00T00:00:00.000Z")])), token=K),
         422),
        ("an answer value that is an object",
         post(js(batch(22, [response(22, answers=[{"question_id": "q1", "value": {}}])])),
              token=K), 422),
        ("an answer value that is a fraction",
         post(js(batch(23, [response(23, answers=[{"question_id": "q1", "value": 3.5}])])),
              token=K), 422),
        ("flags not an array", post(js(batch(24, [response(24, flags="rapid")])), token=K), 422),
        ("a question_id of 10,000 characters",
         post(js(batch(25, [response(25, answers=[{"question_id": "q" * 10000, "value": 1}])])),
              token=K), 422),
        ("a text answer of 2 MiB (over max_body_bytes)",
         post(js(batch(26, [response(26, answers=[{"question_id": "q8",
                                                   "value": "x" * (2 << 20)}])])), token=K),
         413),
        ("invalid UTF-8 in a text answer", post(bad_utf8, token=K), 400),
        ("overlong UTF-8 (C0 AF) in a text answer", post(overlong, token=K), 400),
        ("101 responses (over max_responses)",
         post(js(batch(27, [response(1000 + i) for i in range(101)])), token=K), 413),
        ("a gzip bomb (256 MiB of zeros in 250 KiB)",
         post(bomb(), token=K, extra=["Content-Encoding: gzip"]), 413),
        ("Content-Encoding gzip on a body that is not gzip",
         post(good, token=K, extra=["Content-Encoding: gzip"]), 400),
        ("Content-Encoding br", post(good, token=K, extra=["Content-Encoding: br"]), 415),
        ("Content-Type text/plain", post(good, token=K, ctype="text/plain"), 415),
        ("no Authorization", post(good, token=None), 401),
        ("an unknown token", post(good, token="not-a-token"), 401),
        ("a revoked token", post(good, token=R), 401),
        ("another kiosk's token for this kiosk's batch", post(good, token=O), 403),
        ("Content-Length larger than max_body_bytes",
         post(b"", token=K, extra=["Content-Length: 99999999999"])
         .replace(b"Content-Length: 0\r\n", b""), 413),
        ("Content-Length not a number",
         post(b"", token=K, extra=["Content-Length: 12abc"])
         .replace(b"Content-Length: 0\r\n", b""), 400),
        ("headers of 64 KiB", post(good, token=K, extra=["X-Padding: " + "a" * 65536]),
         431),
        ("a request line that is not HTTP", b"HELLO COLLECTOR\r\n\r\n", 400),
        ("a chunked body larger than max_body_bytes (no Content-Length)",
         chunked(js(batch(28, [response(2000, answers=[{"question_id": "q8",
                                                       "value": "y" * (3 << 19)}])])), K),
         413),
        ("a body sent at one byte a second (request_timeout_s = 2)",
         lambda srv: slow_body(srv, K), "closed within 2 s"),
        ("headers sent at one byte a second: another kiosk is served meanwhile",
         lambda srv: slow_headers(srv, K), 200),
        ("an unknown path", request("GET", BASE + "/v1/nothing", token=K), 404),
        ("a path outside base_path", request("GET", "/etc/passwd", token=K), 404),
        ("a path with ..", request("GET", BASE + "/v1/kiosks/../../../etc/passwd", token=K), 404),
        ("GET /v1/batches", request("GET", BASE + "/v1/batches", token=K), 405),
        ("DELETE a kiosk's surveys",
         request("DELETE", BASE + "/v1/kiosks/%s/surveys" % KIOSK, token=K), 405),
        ("another kiosk's surveys", request("GET", BASE + "/v1/kiosks/%s/surveys" % OTHER,
                                            token=K), 403),
        ("a heartbeat that is not JSON",
         request("POST", BASE + "/v1/kiosks/%s/status" % KIOSK, b"{{", token=K), 400),
        ("a heartbeat for another kiosk",
         request("POST", BASE + "/v1/kiosks/%s/status" % OTHER,
                 js({"kiosk_id": OTHER, "queued": 1}), token=K), 403),
    ]
    return t


def markdown(rows):
    out = ["| # | Request | Answer |", "|---|---|---|"]
    for i, (name, _, expect) in enumerate(rows, 1):
        out.append("| %d | %s | %s |" % (i, name, expect))
    return "\n".join(out)


def snapshot(binary, ini, d):
    path = os.path.join(d, "snapshot.jsonl")
    subprocess.run([binary, "export", "--format", "jsonl", "--out", path,
                    "--with-quarantined", "--config", ini], check=True,
                   stdout=subprocess.DEVNULL)
    with open(path, "rb") as f:
        data = f.read()
    status = subprocess.run([binary, "status", "--config", ini], check=True,
                            stdout=subprocess.PIPE).stdout
    kiosks = subprocess.run([binary, "kiosk", "list", "--config", ini], check=True,
                            stdout=subprocess.PIPE).stdout
    return hashlib.sha256(data).hexdigest(), data.count(b"\n"), status, kiosks


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    binary, src = sys.argv[1], sys.argv[2]
    want_markdown = "--markdown" in sys.argv
    d = tempfile.mkdtemp(prefix="bk-badinput-")
    db = Database(d)
    try:
        ini = os.path.join(d, "collector.ini")
        with open(ini, "w") as f:
            f.write("[server]\nlisten = 127.0.0.1\nport = 0\nrequest_timeout_s = %d\n"
                    "[storage]\ndatabase = %s\n"
                    "[limits]\nmax_body_bytes = 1MiB\nmax_inflated_bytes = 4MiB\n"
                    "max_responses = 100\n" % (TIMEOUT_S, db.name))

        def cli(*args):
            return subprocess.run([binary] + list(args) + ["--config", ini], check=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
                                  ).stdout.decode().strip().splitlines()[-1]

        tokens = {"own": cli("kiosk", "add", KIOSK, "--area", "dorst"),
                  "other": cli("kiosk", "add", OTHER),
                  "revoked": cli("kiosk", "add", "kiosk-badinput-03")}
        cli("kiosk", "revoke", "kiosk-badinput-03")
        cli("survey", "publish", os.path.join(src, "config/surveys/buurtpeiling.json"), "--all")

        rows = cases(tokens)
        table = markdown(rows)
        if want_markdown:
            print(table)
            return 0

        srv = Server(binary, ini)
        # What is stored before: a good batch (one response counted, one
        # quarantined) and a heartbeat.
        first = js(batch(0, [response(1), response(2, answers=[{"question_id": "q1",
                                                                   "value": 99}])]))
        assert srv.exchange(post(first, token=tokens["own"])) == 200
        hb = js({"kiosk_id": KIOSK, "version": "0.1.0", "uptime_s": 5, "queued": 0,
                 "rejected": 0, "last_error": None})
        assert srv.exchange(request("POST", BASE + "/v1/kiosks/%s/status" % KIOSK, hb,
                                    token=tokens["own"])) == 204
        before = snapshot(binary, ini, d)

        failures = 0
        hwm_before = srv.vm_hwm_kib()
        for i, (name, raw, expect) in enumerate(rows, 1):
            got = raw(srv) if callable(raw) else srv.exchange(raw)
            ok = got == expect
            failures += not ok
            print("%-3d %-70s %-6s %s" % (i, name[:70], got, "ok" if ok else
                                          "WANTED %s" % expect))
        hwm_after = srv.vm_hwm_kib()
        print("peak memory (VmHWM): %d KiB before the table, %d KiB after "
              "(max_inflated_bytes 4 MiB, a 256 MiB bomb)" % (hwm_before, hwm_after))

        after = snapshot(binary, ini, d)
        if after[0] != before[0] or after[2] != before[2] or after[3] != before[3]:
            print("FAIL: stored data changed:\nbefore %r\nafter  %r" % (before, after))
            failures += 1
        else:
            print("stored data unchanged: %d responses, export sha256 %s" %
                  (before[1], before[0][:16]))
        # Still serving, and the good batch again is a duplicate.
        if srv.exchange(post(first, token=tokens["own"])) != 200:
            print("FAIL: the server no longer takes a good batch")
            failures += 1
        srv.stop()
        check = db.check()
        if check != "ok":
            print("FAIL: the database's check: %s" % check)
            failures += 1

        doc = open(os.path.join(src, "docs/collector.md"), encoding="utf-8").read()
        if BEGIN not in doc or END not in doc or \
                doc.split(BEGIN, 1)[1].split(END, 1)[0].strip() != table:
            print("FAIL: docs/collector.md's bad-input table differs from this test's; "
                  "paste the output of `%s %s %s --markdown` between its markers" %
                  (sys.argv[0], binary, src))
            failures += 1
        print("%d requests, %d failures" % (len(rows), failures))
        return 1 if failures else 0
    finally:
        db.drop()
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
