#!/usr/bin/env python3
"""The test receiver (tests/receiver/receiver.py) that also checks Retry-After.

Same command line, ports and control as receiver.py. In addition it notes
every answer that carries a Retry-After header (seconds or an HTTP date) and,
for every later upload (POST /v1/batches), whether it came before the time
every later request of the protocol (uploads, survey checks, heartbeats),
whether it came before the time the server asked for. /_dump and /_stats
then also hold:

  retry_after_served      answers with Retry-After
  retry_after_checked     requests that came after such an answer
  retry_after_violations  requests that came too early (must be 0)
  retry_after_min_margin_ms  the smallest margin seen (how early the
                          kiosk could have been and still been on time)
  retry_after_early       the first few violations, for the failure message
  request_log             every request of the protocol: {"t": arrival in ms
                          on the receiver's monotonic clock, "path", "code":
                          the status answered, or null when the connection
                          was dropped}
"""

import importlib.util
import os
import sys
import threading
import time
from email.utils import parsedate_to_datetime

HERE = os.path.dirname(os.path.abspath(__file__))
RECEIVER = os.path.join(HERE, "..", "..", "receiver", "receiver.py")

spec = importlib.util.spec_from_file_location("receiver", RECEIVER)
receiver = importlib.util.module_from_spec(spec)
spec.loader.exec_module(receiver)

lock = threading.Lock()
log = []
ra = {"mono": 0.0, "wall": 0.0, "served": 0, "checked": 0, "violations": 0,
      "min_margin_ms": None, "early": []}


def note_retry_after(value):
    """The server just asked the kiosk to wait: until when, on both clocks."""
    now_mono, now_wall = time.monotonic(), time.time()
    value = value.strip()
    with lock:
        ra["served"] += 1
        if value.isdigit():
            ra["mono"] = max(ra["mono"], now_mono + int(value))
        else:
            ra["wall"] = max(ra["wall"], parsedate_to_datetime(value).timestamp())


def check_request(path):
    """A request of the protocol arrived: was it on time?"""
    now_mono, now_wall = time.monotonic(), time.time()
    with lock:
        if not ra["served"]:
            return
        ra["checked"] += 1
        margin = min(now_mono - ra["mono"], now_wall - ra["wall"]) * 1000.0
        if ra["min_margin_ms"] is None or margin < ra["min_margin_ms"]:
            ra["min_margin_ms"] = margin
        if margin < 0:
            ra["violations"] += 1
            if len(ra["early"]) < 5:
                ra["early"].append("%s %.0f ms before Retry-After allowed it" % (path, -margin))


orig_send_json = receiver.Handler.send_json
orig_send_empty = receiver.Handler.send_empty
orig_get = receiver.Handler.do_GET
orig_post = receiver.Handler.do_POST
orig_dump = receiver.State.dump
orig_reset = receiver.State.reset


def send_json(self, code, obj, extra_headers=()):
    self.bk_code = code
    for k, v in extra_headers:
        if k.lower() == "retry-after":
            note_retry_after(v)
    return orig_send_json(self, code, obj, extra_headers)


def send_empty(self, code, extra_headers=()):
    self.bk_code = code
    for k, v in extra_headers:
        if k.lower() == "retry-after":
            note_retry_after(v)
    return orig_send_empty(self, code, extra_headers)


def logged(self, method, orig):
    if self.path.startswith("/_") or self.server.control_only:
        return orig(self)
    t = time.monotonic() * 1000.0
    check_request(method + " " + self.path)
    self.bk_code = None
    try:
        return orig(self)
    finally:
        with lock:
            log.append({"t": t, "path": method + " " + self.path, "code": self.bk_code})


def do_GET(self):
    return logged(self, "GET", orig_get)


def do_POST(self):
    return logged(self, "POST", orig_post)


def reset(self):
    orig_reset(self)
    with lock:
        del log[:]
        ra.update({"mono": 0.0, "wall": 0.0, "served": 0, "checked": 0, "violations": 0,
                   "min_margin_ms": None, "early": []})


def dump(self):
    d = orig_dump(self)
    with lock:
        d["retry_after_served"] = ra["served"]
        d["retry_after_checked"] = ra["checked"]
        d["retry_after_violations"] = ra["violations"]
        d["retry_after_min_margin_ms"] = ra["min_margin_ms"]
        d["retry_after_early"] = list(ra["early"])
        d["request_log"] = list(log)
    return d


receiver.Handler.send_json = send_json
receiver.Handler.send_empty = send_empty
receiver.Handler.do_GET = do_GET
receiver.Handler.do_POST = do_POST
receiver.State.dump = dump
receiver.State.reset = reset

if __name__ == "__main__":
    sys.argv[0] = RECEIVER
    receiver.main()
