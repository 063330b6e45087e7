#!/usr/bin/env python3
"""Buurtkiosk test receiver: a server for PROTOCOL.md that misbehaves on command.

Python 3 standard library only. It listens on 127.0.0.1 (port 0 unless
--port is given) for the protocol, plain or with TLS (--cert/--key, and
--client-ca to require client certificates), and on a second plain port for
control. When ready it prints one line on stdout:

    PORT <protocol port> CONTROL <control port>

What it implements:
  POST /v1/batches                 de-duplicates on response_id; keeps every
                                   response object; counts duplicates and
                                   conflicts (same id, different content)
  GET  /v1/kiosks/{id}/surveys     the bundle (--surveys FILE or /_control),
                                   with ETag and 304 on If-None-Match
  POST /v1/kiosks/{id}/status      heartbeat, checked, answered 204

Control (on both ports):
  GET  /_dump      everything it holds, as JSON
  GET  /_stats     the same without the responses themselves (counts only)
  POST /_control   JSON object; any of:
        fault: none | 500 | 502 | 503 | 503-retry | 429 | 429-date | 400 | 422 |
               401 | 403 | drop-before-body | drop-after-body | hang | slow | mix
        every: N       the fault hits every N-th batch request (default 1)
        count: N       at most N faults, then behave (default: no limit)
        max_responses: N   answer 413 to any batch of more than N responses
        retry_after: S     seconds for 429/503-retry/429-date (default 1)
        hang_s: S          how long "hang" waits before closing (default 30)
        slow_ms: MS        "slow": store, wait, then answer (default 100)
        mix: [kinds]       what "mix" picks from at random ("ok" = behave)
        seed: N            for "mix"
        surveys: TEXT      the survey bundle to serve (surveys_file: PATH)
        token: TEXT        the bearer token to require
        reset: true        forget every response and counter

It exits by itself after --idle seconds without a request (default 120).
"""

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import socket
import ssl
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 32 * 1024 * 1024
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DEFAULT_MIX = ["ok", "ok", "500", "503", "429", "429-date", "drop-after-body",
               "drop-before-body", "413"]


class State:
    def __init__(self, token, bundle):
        self.lock = threading.Lock()
        self.token = token
        self.bundle = bundle
        self.fault = {"fault": "none", "every": 1, "count": -1, "max_responses": 0,
                      "retry_after": 1, "hang_s": 30, "slow_ms": 100, "mix": DEFAULT_MIX}
        self.rng = random.Random(1)
        self.last_activity = time.monotonic()
        self.reset()

    def reset(self):
        self.responses = {}
        self.order = []
        self.duplicates = 0
        self.conflicts = []
        self.batches = {}
        self.batch_conflicts = 0
        self.requests = 0
        self.batch_requests = 0
        self.batches_stored = 0
        self.faults_served = {}
        self.faults_total = 0
        self.heartbeats = []
        self.survey_requests = 0
        self.survey_not_modified = 0
        self.errors = []
        self.tls_errors = 0
        self.unauthorized = 0

    def touch(self):
        self.last_activity = time.monotonic()

    def dump(self):
        with self.lock:
            return {
                "responses": self.responses,
                "order": self.order,
                "duplicates": self.duplicates,
                "conflicts": self.conflicts,
                "batch_conflicts": self.batch_conflicts,
                "batches": len(self.batches),
                "batches_stored": self.batches_stored,
                "requests": self.requests,
                "batch_requests": self.batch_requests,
                "faults_served": self.faults_served,
                "faults_total": self.faults_total,
                "heartbeats": self.heartbeats,
                "survey_requests": self.survey_requests,
                "survey_not_modified": self.survey_not_modified,
                "errors": self.errors,
                "tls_errors": self.tls_errors,
                "unauthorized": self.unauthorized,
            }

    def pick_fault(self):
        """The fault for this batch request (None = behave)."""
        with self.lock:
            f = self.fault
            self.batch_requests += 1
            kind = f["fault"]
            if kind in ("none", "", None):
                return None
            if f["count"] >= 0 and self.faults_total >= f["count"]:
                return None
            if (self.batch_requests - 1) % max(1, int(f["every"])) != 0:
                return None
            if kind == "mix":
                kind = self.rng.choice(f["mix"])
                if kind == "ok":
                    return None
            self.faults_total += 1
            self.faults_served[kind] = self.faults_served.get(kind, 0) + 1
            return kind

    def store_batch(self, batch):
        """Stores a checked batch; returns (accepted, duplicates, repeated)."""
        canon = json.dumps(batch["responses"], sort_keys=True, separators=(",", ":"))
        accepted = dups = 0
        with self.lock:
            bid = batch["batch_id"]
            repeated = bid in self.batches
            if repeated and self.batches[bid] != canon:
                self.batch_conflicts += 1
            self.batches.setdefault(bid, canon)
            self.batches_stored += 1
            for r in batch["responses"]:
                rid = r["response_id"]
                if rid in self.responses:
                    dups += 1
                    self.duplicates += 1
                    if json.dumps(self.responses[rid], sort_keys=True) != json.dumps(r, sort_keys=True):
                        self.conflicts.append(rid)
                else:
                    accepted += 1
                    self.responses[rid] = r
                    self.order.append(rid)
        return accepted, dups, repeated


def check_response(r, i):
    """Returns the first problem with response object r, or None."""
    p = "responses[%d]" % i
    if not isinstance(r, dict):
        return p + " is not an object"
    want = {"response_id": str, "seq": int, "survey_id": str, "survey_version": int,
            "mode": str, "status": str, "language": str, "started_at": str,
            "completed_at": str, "flags": list, "answers": list}
    for k, t in want.items():
        if k not in r:
            return "%s: missing %s" % (p, k)
        if not isinstance(r[k], t) or (t is int and isinstance(r[k], bool)):
            return "%s.%s has the wrong type" % (p, k)
    if "area" not in r or not (r["area"] is None or isinstance(r["area"], str)):
        return p + ".area must be a string or null"
    extra = set(r) - set(want) - {"area"}
    if extra:
        return "%s: unknown fields %s" % (p, sorted(extra))
    if not UUID_RE.match(r["response_id"]):
        return p + ".response_id is not a UUID v4"
    if r["mode"] not in ("survey", "live"):
        return p + ".mode must be survey or live"
    if r["status"] not in ("complete", "partial"):
        return p + ".status must be complete or partial"
    for k in ("started_at", "completed_at"):
        if not RFC3339_MS.match(r[k]):
            return "%s.%s is not RFC 3339 UTC with milliseconds" % (p, k)
    if not all(isinstance(f, str) for f in r["flags"]):
        return p + ".flags must be strings"
    for j, a in enumerate(r["answers"]):
        if not isinstance(a, dict) or set(a) != {"question_id", "value"}:
            return "%s.answers[%d] must have question_id and value" % (p, j)
        v = a["value"]
        ok = (isinstance(v, int) and not isinstance(v, bool)) or isinstance(v, str) or (
            isinstance(v, list) and all(isinstance(x, str) for x in v))
        if not ok:
            return "%s.answers[%d].value has the wrong type" % (p, j)
    return None


def check_heartbeat(hb):
    types = {"kiosk_id": (str,), "version": (str,), "uptime_s": (int,), "queued": (int,),
             "rejected": (int,), "last_sync_ok_at": (str, type(None)),
             "last_error": (str, type(None)), "survey_id": (str, type(None)),
             "survey_version": (int, type(None)), "disk_free_mb": (int, type(None))}
    if not isinstance(hb, dict):
        return "heartbeat is not an object"
    for k, t in types.items():
        if k not in hb:
            return "heartbeat: missing " + k
        if not isinstance(hb[k], t) or isinstance(hb[k], bool):
            return "heartbeat: %s has the wrong type" % k
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "buurtkiosk-test-receiver"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("receiver: " + (fmt % args) + "\n")

    def setup(self):
        super().setup()
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError) as e:
                st = self.server.state
                with st.lock:
                    st.tls_errors += 1
                if self.server.verbose:
                    sys.stderr.write("receiver: TLS handshake failed: %s\n" % e)
                raise

    # ---- helpers ----

    def send_json(self, code, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_empty(self, code, extra_headers=()):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()

    def read_body(self):
        if self.headers.get("Transfer-Encoding"):
            return None
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            return None
        data = b""
        while len(data) < n:
            chunk = self.rfile.read(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def decoded_body(self):
        raw = self.read_body()
        if raw is None:
            return None, "no readable body (Content-Length required)"
        enc = (self.headers.get("Content-Encoding") or "identity").strip().lower()
        if enc == "gzip":
            try:
                raw = gzip.decompress(raw)
            except OSError as e:
                return None, "bad gzip: %s" % e
        elif enc != "identity":
            return None, "unsupported Content-Encoding " + enc
        return raw, None

    def authorized(self):
        st = self.server.state
        if self.headers.get("Authorization") == "Bearer " + st.token:
            return True
        with st.lock:
            st.unauthorized += 1
        return False

    def drop(self):
        """Closes the connection without answering."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def problem(self, code, msg):
        st = self.server.state
        with st.lock:
            st.errors.append(msg)
        self.send_json(code, {"error": msg})

    # ---- routes ----

    def do_GET(self):
        st = self.server.state
        st.touch()
        if self.path == "/_dump":
            return self.send_json(200, st.dump())
        if self.path == "/_stats":
            d = st.dump()
            for k in ("responses", "order", "heartbeats"):
                d[k] = len(d[k])
            return self.send_json(200, d)
        if self.server.control_only:
            return self.send_json(404, {"error": "control port"})
        with st.lock:
            st.requests += 1
        m = re.fullmatch(r"(?:/[^/]+)*/v1/kiosks/([^/]+)/surveys", self.path)
        if not m:
            return self.send_json(404, {"error": "no such endpoint"})
        if not self.authorized():
            return self.send_json(401, {"error": "invalid token"})
        with st.lock:
            st.survey_requests += 1
            bundle = st.bundle
        if bundle is None:
            return self.send_json(404, {"error": "no surveys"})
        etag = '"%s"' % hashlib.sha256(bundle).hexdigest()[:16]
        if self.headers.get("If-None-Match") == etag:
            with st.lock:
                st.survey_not_modified += 1
            return self.send_empty(304, [("ETag", etag)])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(bundle)))
        self.end_headers()
        self.wfile.write(bundle)

    def do_POST(self):
        st = self.server.state
        st.touch()
        if self.path == "/_control":
            return self.control()
        if self.server.control_only:
            return self.send_json(404, {"error": "control port"})
        with st.lock:
            st.requests += 1
        if re.fullmatch(r"(?:/[^/]+)*/v1/batches", self.path):
            return self.batch()
        if re.fullmatch(r"(?:/[^/]+)*/v1/kiosks/([^/]+)/status", self.path):
            return self.heartbeat()
        self.read_body()
        self.send_json(404, {"error": "no such endpoint"})

    def control(self):
        st = self.server.state
        raw = self.read_body() or b"{}"
        try:
            cmd = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"error": "not JSON"})
        with st.lock:
            if cmd.get("reset"):
                st.reset()
            if "surveys" in cmd:
                st.bundle = None if cmd["surveys"] is None else cmd["surveys"].encode()
            if "surveys_file" in cmd:
                with open(cmd["surveys_file"], "rb") as f:
                    st.bundle = f.read()
            if "token" in cmd:
                st.token = cmd["token"]
            if "seed" in cmd:
                st.rng = random.Random(cmd["seed"])
            for k in ("fault", "every", "count", "max_responses", "retry_after", "hang_s",
                      "slow_ms", "mix"):
                if k in cmd:
                    st.fault[k] = cmd[k]
            if "fault" in cmd:
                st.faults_total = 0
        self.send_json(200, {"ok": True})

    def batch(self):
        st = self.server.state
        if not self.authorized():
            self.read_body()
            return self.send_json(401, {"error": "invalid token"})
        kind = st.pick_fault()
        if kind == "drop-before-body":
            return self.drop()
        body, err = self.decoded_body()
        if err:
            return self.problem(400, err)
        try:
            batch = json.loads(body)
        except ValueError as e:
            return self.problem(400, "not JSON: %s" % e)
        msg = self.check_batch(batch)
        if msg:
            return self.problem(422, msg)
        n = len(batch["responses"])
        if kind == "413" and st.fault["fault"] == "mix" and n < 2:
            kind = None  # one response cannot be split: "mix" must not reject it
        limit = int(st.fault.get("max_responses") or 0)
        if (limit and n > limit) or kind == "413":
            if kind != "413":
                with st.lock:
                    st.faults_total += 1
                    st.faults_served["413"] = st.faults_served.get("413", 0) + 1
            return self.send_json(413, {"error": "batch too large: %d responses" % n})
        ra = str(st.fault.get("retry_after", 1))
        if kind in ("500", "502", "503"):
            return self.send_json(int(kind), {"error": "simulated failure"})
        if kind == "503-retry":
            return self.send_json(503, {"error": "busy"}, [("Retry-After", ra)])
        if kind == "429":
            return self.send_json(429, {"error": "slow down"}, [("Retry-After", ra)])
        if kind == "429-date":
            when = formatdate(time.time() + float(ra), usegmt=True)
            return self.send_json(429, {"error": "slow down"}, [("Retry-After", when)])
        if kind in ("400", "422"):
            return self.send_json(int(kind), {"error": "simulated rejection of batch %s" %
                                              batch["batch_id"]})
        if kind in ("401", "403"):
            return self.send_json(int(kind), {"error": "token revoked"})
        if kind == "hang":
            deadline = time.monotonic() + float(st.fault.get("hang_s", 30))
            while time.monotonic() < deadline:
                time.sleep(0.05)
            return self.drop()
        accepted, dups, repeated = st.store_batch(batch)
        if kind == "drop-after-body":
            return self.drop()
        if kind == "slow":
            time.sleep(float(st.fault.get("slow_ms", 100)) / 1000.0)
        self.send_json(200 if repeated else 201,
                       {"batch_id": batch["batch_id"], "accepted": accepted, "duplicates": dups})

    def check_batch(self, b):
        if not isinstance(b, dict):
            return "body is not an object"
        for k, t in (("protocol", int), ("batch_id", str), ("kiosk_id", str),
                     ("created_at", str), ("responses", list)):
            if not isinstance(b.get(k), t):
                return "missing or wrong %s" % k
        if b["protocol"] != 1:
            return "protocol must be 1"
        if self.headers.get("Idempotency-Key") != b["batch_id"]:
            return "Idempotency-Key does not match batch_id"
        if not (self.headers.get("User-Agent") or "").startswith("buurtkiosk/"):
            return "User-Agent must be buurtkiosk/<version>"
        if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            return "Content-Type must be application/json"
        if not RFC3339_MS.match(b["created_at"]):
            return "created_at is not RFC 3339 with milliseconds"
        if not b["responses"]:
            return "empty batch"
        seen = set()
        for i, r in enumerate(b["responses"]):
            msg = check_response(r, i)
            if msg:
                return msg
            if r["response_id"] in seen:
                return "response %s twice in one batch" % r["response_id"]
            seen.add(r["response_id"])
        return None

    def heartbeat(self):
        st = self.server.state
        if not self.authorized():
            self.read_body()
            return self.send_json(401, {"error": "invalid token"})
        body, err = self.decoded_body()
        if err:
            return self.problem(400, err)
        try:
            hb = json.loads(body)
        except ValueError:
            return self.problem(400, "heartbeat is not JSON")
        msg = check_heartbeat(hb)
        if msg:
            return self.problem(400, msg)
        with st.lock:
            st.heartbeats.append(hb)
        self.send_empty(204)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, state, tls=None, control_only=False, verbose=False):
        self.state = state
        self.tls = tls
        self.control_only = control_only
        self.verbose = verbose
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.tls:
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description="Buurtkiosk test receiver")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", default="test-token")
    ap.add_argument("--surveys", help="survey bundle file to serve")
    ap.add_argument("--cert", help="server certificate (PEM): serve HTTPS")
    ap.add_argument("--key", help="server key (PEM)")
    ap.add_argument("--client-ca", help="require client certificates from this CA")
    ap.add_argument("--fault", help="initial fault (see /_control)")
    ap.add_argument("--every", type=int, default=1)
    ap.add_argument("--max-responses", type=int, default=0)
    ap.add_argument("--retry-after", default="1")
    ap.add_argument("--hang-s", type=float, default=30)
    ap.add_argument("--slow-ms", type=float, default=100)
    ap.add_argument("--idle", type=float, default=120, help="exit after this many idle seconds")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    bundle = None
    if a.surveys:
        with open(a.surveys, "rb") as f:
            bundle = f.read()
    state = State(a.token, bundle)
    if a.fault:
        state.fault.update({"fault": a.fault, "every": a.every})
    state.fault.update({"max_responses": a.max_responses, "retry_after": a.retry_after,
                        "hang_s": a.hang_s, "slow_ms": a.slow_ms})
    tls = None
    if a.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(a.cert, a.key)
        if a.client_ca:
            tls.verify_mode = ssl.CERT_REQUIRED
            tls.load_verify_locations(a.client_ca)
    main_srv = Server(("127.0.0.1", a.port), state, tls=tls, verbose=a.verbose)
    ctl_srv = Server(("127.0.0.1", 0), state, control_only=True, verbose=a.verbose)
    for srv in (main_srv, ctl_srv):
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True).start()
    print("PORT %d CONTROL %d" % (main_srv.server_address[1], ctl_srv.server_address[1]),
          flush=True)
    try:
        while time.monotonic() - state.last_activity < a.idle:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
