#!/usr/bin/env python3
"""The systemd watchdog contract of buurtkiosk.service, with the real binary.

usage: watchdog.py BUURTKIOSK SOURCE_DIR

Plays systemd's part: binds a unix datagram socket, starts `buurtkiosk run`
with NOTIFY_SOCKET pointing at it and WATCHDOG_USEC set (SDL's offscreen
driver, a throwaway configuration and database), and checks that
  1. READY=1 arrives once the kiosk has drawn its first frame;
  2. WATCHDOG=1 keeps arriving, never further apart than WATCHDOG_USEC
     (systemd would kill the kiosk otherwise), from the main process itself
     (NotifyAccess=main);
  3. when the main loop hangs (SIGSTOP), WATCHDOG=1 stops: for twice the
     watchdog time nothing arrives, so systemd would kill and restart it;
  4. after SIGCONT it comes back, and SIGTERM ends it cleanly with
     STOPPING=1 and exit status 0.
Real time passes here (about 8 s): this tests a real process against a
real socket, as systemd sees it.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

WATCHDOG_USEC = 1_000_000  # the kiosk then notifies every 500 ms
WATCHDOG_S = WATCHDOG_USEC / 1e6
START_TIMEOUT_S = 60  # a cold start under ASan on a busy machine

CONFIG = """[kiosk]
id = watchdog-test
languages = nl, en

[display]
fullscreen = false
width = 640
height = 400
dpi = 96

[storage]
database = {db}

[survey]
directory = {surveys}
active = buurtpeiling

[staff]
pin_hash = $argon2id$v=19$m=65536,t=2,p=1$EFiTTSN9Rp4YLX6hQD1ZIw$OtEThA7ym+BeRy9WXJ+1PjXsiJhlXOI+v3rtn4zMk6k
"""

failures = []


def check(ok, message):
    print(("ok:   " if ok else "FAIL: ") + message, flush=True)
    if not ok:
        failures.append(message)


class Notifications:
    """The socket systemd would listen on; yields (time, sender pid, lines)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        # Ask the kernel for the sender's credentials, as systemd does.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)

    def receive(self, timeout):
        """One message within timeout seconds, or None."""
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data, ancdata, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except (socket.timeout, BlockingIOError):
            return None
        pid = None
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("3i", payload[:12])[0]
        return time.monotonic(), pid, data.decode("utf-8", "replace").split("\n")

    def drain(self):
        """Throws away what is queued now; returns how many messages."""
        n = 0
        while self.receive(0.001) is not None:
            n += 1
        return n

    def collect(self, seconds):
        """Every message within the next seconds."""
        end = time.monotonic() + seconds
        out = []
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return out
            m = self.receive(left)
            if m is not None:
                out.append(m)


def process_state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, source = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="bk-watchdog-")
    ini = os.path.join(tmp, "kiosk.ini")
    with open(ini, "w") as f:
        f.write(CONFIG.format(db=os.path.join(tmp, "kiosk.db"),
                              surveys=os.path.join(source, "config", "surveys")))
    notes = Notifications(os.path.join(tmp, "notify"))
    env = dict(os.environ)
    for k in ("WATCHDOG_PID", "JOURNAL_STREAM", "LISTEN_FDS", "LISTEN_PID"):
        env.pop(k, None)
    env.update(NOTIFY_SOCKET=os.path.join(tmp, "notify"), WATCHDOG_USEC=str(WATCHDOG_USEC),
               SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy",
               # SDL's software renderer, and no EGL: this test is about the
               # main loop, not the GPU, and Mesa's software EGL, which the
               # offscreen driver would load, leaks at exit (LeakSanitizer
               # then fails the ASan run for memory that is not ours).
               SDL_RENDER_DRIVER="software", SDL_VIDEO_EGL_DRIVER="/nonexistent/libEGL.so.1")
    log_path = os.path.join(tmp, "kiosk.log")
    log = open(log_path, "w")
    proc = subprocess.Popen([binary, "run", "--config", ini], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        run_checks(proc, notes)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.kill()
            proc.wait()
        log.close()
        if failures:
            with open(log_path) as f:
                print("---- kiosk output ----\n" + f.read(), flush=True)
        subprocess.run(["rm", "-rf", tmp])
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        return 1
    print("all watchdog checks passed", flush=True)
    return 0


def run_checks(proc, notes):
    # 1. READY=1 after the first frame.
    start = time.monotonic()
    ready_at = None
    while ready_at is None and time.monotonic() - start < START_TIMEOUT_S:
        if proc.poll() is not None:
            check(False, f"the kiosk exited with status {proc.returncode} before READY=1")
            return
        m = notes.receive(0.5)
        if m and "READY=1" in m[2]:
            ready_at = m[0]
            check(m[1] == proc.pid, f"READY=1 comes from the kiosk's own process "
                  f"(pid {m[1]}, kiosk {proc.pid})")
    check(ready_at is not None, f"READY=1 within {START_TIMEOUT_S} s "
          f"({(ready_at or time.monotonic()) - start:.1f} s)")
    if ready_at is None:
        return

    # 2. WATCHDOG=1 keeps coming, never further apart than WATCHDOG_USEC.
    window = 3 * WATCHDOG_S
    msgs = [m for m in notes.collect(window) if "WATCHDOG=1" in m[2]]
    times = [ready_at] + [m[0] for m in msgs]
    gap = max(b - a for a, b in zip(times, times[1:])) if len(times) > 1 else window
    check(len(msgs) >= 4, f"{len(msgs)} WATCHDOG=1 in {window:.0f} s while running (want >= 4)")
    check(gap < WATCHDOG_S, f"longest gap between WATCHDOG=1 {gap * 1000:.0f} ms "
          f"(must stay under WATCHDOG_USEC, {WATCHDOG_S * 1000:.0f} ms)")
    check(all(m[1] == proc.pid for m in msgs), "every WATCHDOG=1 comes from the main process")

    # 3. A hung main loop: SIGSTOP, and the notifications stop.
    os.kill(proc.pid, signal.SIGSTOP)
    for _ in range(200):
        if process_state(proc.pid) == "T":
            break
        time.sleep(0.01)
    check(process_state(proc.pid) == "T", "the kiosk is stopped")
    notes.drain()  # sent just before the stop took effect
    silent = notes.collect(2 * WATCHDOG_S)
    hung = [m for m in silent if "WATCHDOG=1" in m[2]]
    check(not hung, f"no WATCHDOG=1 for {2 * WATCHDOG_S:.0f} s while the loop hangs "
          f"({len(hung)} arrived): systemd would restart the kiosk")

    # 4. It comes back, and stops cleanly.
    os.kill(proc.pid, signal.SIGCONT)
    back = [m for m in notes.collect(2 * WATCHDOG_S) if "WATCHDOG=1" in m[2]]
    check(len(back) >= 1, f"WATCHDOG=1 again after SIGCONT ({len(back)} in {2 * WATCHDOG_S:.0f} s)")
    notes.drain()
    proc.send_signal(signal.SIGTERM)
    stopping = False
    end = time.monotonic() + 15
    while time.monotonic() < end and not stopping:
        m = notes.receive(0.2)
        if m and "STOPPING=1" in m[2]:
            stopping = True
    check(stopping, "STOPPING=1 after SIGTERM")
    try:
        rc = proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == 0, f"exit status 0 after SIGTERM (got {rc})")


if __name__ == "__main__":
    sys.exit(main())
