#!/usr/bin/env python3
"""driver.py: runs every benchmark of bench/run.sh and writes docs/benchmarks.md.

usage: driver.py --repo DIR --build DIR --work DIR [--only NAME] [--quick]

Every figure is measured several times, side by side with its baseline or
peer in the same run, so ratios hold on a noisy machine. The raw results go
to WORK/results.json; the table to REPO/docs/benchmarks.md (not with
--only, which prints one figure's results instead). --quick: fewer
repetitions, for trying the script out; its table says so.
"""
import argparse
import datetime
import hashlib
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

FIGURES = ["startup", "memory", "idle", "frames", "store", "upload", "sync-memory", "bytes",
           "collector-ingest", "collector-memory", "collector-pg-ingest", "collector-fleet",
           "collector-export", "collector-dashboard"]
SDL_ENV = {"SDL_VIDEODRIVER": "offscreen", "SDL_RENDER_DRIVER": "software",
           "SDL_FRAMEBUFFER_ACCELERATION": "0", "SDL_AUDIODRIVER": "dummy"}
SDL_ENV_WORDS = " ".join("%s=%s" % kv for kv in SDL_ENV.items())
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
MIB = 1024.0


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def q(words):
    return " ".join(shlex.quote(w) for w in words)


def run(cmd, env=None, check=True, capture=True, timeout=None, input_bytes=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(cmd, env=e, stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None, timeout=timeout,
                       input=input_bytes)
    if check and p.returncode != 0:
        raise SystemExit("bench: command failed (%d): %s\n%s" % (
            p.returncode, q(cmd), (p.stderr or b"").decode(errors="replace")[-2000:]))
    return p


def med(v):
    return statistics.median(v)


def pct(values, p):
    """The p-th percentile (nearest rank) of values."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def summary(values):
    return {"median": med(values), "min": min(values), "max": max(values), "n": len(values),
            "values": values}


class Bench:
    def __init__(self, a):
        self.repo = os.path.abspath(a.repo)
        self.build = os.path.abspath(a.build)
        self.work = os.path.abspath(a.work)
        self.quick = a.quick
        self.kiosk = os.path.join(self.build, "buurtkiosk")
        self.bin = os.path.join(self.build, "bench")
        self.survey = os.path.join(self.repo, "config/surveys/buurtpeiling.json")
        self.font = os.path.join(self.repo, "assets/fonts/NotoSans-Bold.ttf")
        self.results = {}
        self.commands = {}
        self.receiver = None
        self.hf_cmds = []
        os.makedirs(self.work, exist_ok=True)

    def reps(self, normal, quick):
        return quick if self.quick else normal

    def rel(self, path):
        """path relative to the repository when inside it (for the commands shown)."""
        if path.startswith(self.repo + "/"):
            return path[len(self.repo) + 1:]
        return path

    # ---- setup ----

    def start_receiver(self):
        out = open(os.path.join(self.work, "receiver.out"), "w")
        err = open(os.path.join(self.work, "receiver.err"), "w")
        self.receiver = subprocess.Popen(
            [sys.executable, os.path.join(self.repo, "tests/receiver/receiver.py"), "--port", "0",
             "--token", "bench-token", "--idle", "1800"], stdout=out, stderr=err)
        for _ in range(100):
            with open(os.path.join(self.work, "receiver.out")) as f:
                line = f.readline()
            if line.startswith("PORT"):
                w = line.split()
                self.port, self.control_port = int(w[1]), int(w[3])
                break
            time.sleep(0.1)
        else:
            raise SystemExit("bench: the test receiver did not start")
        token = os.path.join(self.work, "token")
        with open(token, "w") as f:
            f.write("bench-token\n")
        os.chmod(token, 0o600)
        src = open(os.path.join(self.repo, "config/buurtkiosk.ini")).read().splitlines()
        out_lines = []
        for line in src:
            key = line.split("=")[0].strip() if "=" in line else None
            if key == "base_url":
                line = "base_url = http://127.0.0.1:%d/buurtkiosk" % self.port
            elif key == "token_file":
                line = "token_file = " + token
            elif key == "directory":
                line = "directory = " + os.path.join(self.repo, "config/surveys")
            elif key == "database":
                line = "database = " + os.path.join(self.work, "kiosk.db")
            out_lines.append(line)
        self.config = os.path.join(self.work, "kiosk.ini")
        with open(self.config, "w") as f:
            f.write("\n".join(out_lines) + "\n")
        self.kiosk_id = next(l.split("=", 1)[1].strip() for l in src
                             if l.strip().startswith("id ="))
        self.batch_max = int(next(l.split("=", 1)[1].strip() for l in src
                                  if l.strip().startswith("batch_max")))

    def stop_receiver(self):
        if self.receiver:
            self.receiver.terminate()
            self.receiver.wait()

    def control(self, obj):
        req = urllib.request.Request("http://127.0.0.1:%d/_control" % self.control_port,
                                     data=json.dumps(obj).encode(), method="POST")
        urllib.request.urlopen(req, timeout=60).read()

    def dump(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/_dump" % self.control_port, timeout=600) as r:
            return json.load(r)

    def backlog(self, n):
        """A cached database of n completed responses, generated again when
        the survey, the generator or the store's code changes. Returns (path,
        bytes of the database)."""
        h = hashlib.sha256()
        core = os.path.join(self.repo, "kiosk/core")
        srcs = [self.survey] + [os.path.join(self.repo, "bench", f) for f in
                                ("gen_backlog.c", "bench_util.c", "bench_util.h")]
        srcs += sorted(os.path.join(core, f) for f in os.listdir(core) if f.startswith("store"))
        for p in srcs:
            with open(p, "rb") as f:
                h.update(f.read())
        cache = os.path.join(self.build, "bench-cache")
        os.makedirs(cache, exist_ok=True)
        path = os.path.join(cache, "backlog-%d-%s.db" % (n, h.hexdigest()[:12]))
        info = path + ".txt"
        if not (os.path.exists(path) and os.path.exists(info)):
            log("generating a backlog of %d responses (cached in %s)" % (n, cache))
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.unlink(path + suffix)
            t = time.monotonic()
            p = run([os.path.join(self.bin, "bench_backlog"), "--survey", self.survey, "--db",
                     path, "--n", str(n), "--fast"])
            with open(info, "w") as f:
                f.write(p.stdout.decode())
            log("  %.0f s" % (time.monotonic() - t))
        words = open(info).read().split()
        return path, int(words[words.index("bytes") + 1])

    def copy_db(self, src, dst):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(dst + suffix):
                os.unlink(dst + suffix)
        shutil.copyfile(src, dst)

    # ---- figures ----

    def hyperfine(self, name, cmd, runs, warmup, prepare=None):
        out = os.path.join(self.work, "hyperfine-%s.json" % name)
        words = ["hyperfine", "--style", "none", "--runs", str(runs), "--warmup", str(warmup),
                 "--export-json", out]
        if prepare:
            words += ["--prepare", prepare]
        words.append(cmd)
        self.hf_cmds.append(q(words))
        run(words)
        with open(out) as f:
            times = json.load(f)["results"][0]["times"]
        return [t * 1000.0 for t in times]

    def fig_startup(self):
        w = self.work
        template, _ = self.backlog(0)
        start_db = os.path.join(w, "start.db")
        shots = os.path.join(w, "shots")
        os.makedirs(shots, exist_ok=True)
        prep_db = "cp %s %s && rm -f %s-wal %s-shm" % (template, start_db, start_db, start_db)
        kiosk = ("env %s %s run --config %s --db %s --size 1920x1080 --replay %s "
                 "--screenshots %s" % (SDL_ENV_WORDS, self.kiosk, self.config, start_db,
                                       os.path.join(self.repo, "bench/replays/question.replay"),
                                       shots))
        attract = kiosk.replace("question.replay", "attract.replay")
        minimal = "env %s %s --font %s --png %s" % (
            SDL_ENV_WORDS, os.path.join(self.bin, "bench_minimal_sdl"), self.font,
            os.path.join(w, "minimal.png"))
        profile = os.path.join(w, "chromium-profile")
        page = "file://" + os.path.join(self.repo, "bench/peer/question.html")
        chromium = "chromium %s --user-data-dir=%s --window-size=1920,1080 --hide-scrollbars " \
                   "--screenshot=%s %s" % (" ".join(CHROMIUM_FLAGS), profile,
                                          os.path.join(w, "peer.png"), page)
        prep_profile = "rm -rf %s && mkdir %s" % (profile, profile)
        n, nc = self.reps(10, 3), self.reps(5, 2)
        log("startup: buurtkiosk (%d runs)" % n)
        r = {"kiosk_ms": summary(self.hyperfine("kiosk", kiosk, n, 2, prep_db))}
        log("startup: chromium (%d runs)" % nc)
        r["chromium_ms"] = summary(self.hyperfine("chromium", chromium, nc, 1, prep_profile))
        log("startup: buurtkiosk attract screen, minimal SDL program")
        r["attract_ms"] = summary(self.hyperfine("attract", attract, n, 2, prep_db))
        r["minimal_ms"] = summary(self.hyperfine("minimal", minimal, n, 2))
        r["ratio"] = r["kiosk_ms"]["median"] / r["chromium_ms"]["median"]
        self.results["startup"] = r
        self.commands["startup"] = list(self.hf_cmds)
        self.startup_cmds = (kiosk, chromium, minimal, prep_db, prep_profile)

    def peakmem(self, cmd_str, prepare=None):
        if prepare:
            subprocess.run(prepare, shell=True, check=True)
        p = run([sys.executable, os.path.join(self.repo, "bench/lib/peakmem.py"), "--"] +
                shlex.split(cmd_str), capture=True)
        r = json.loads(p.stdout.decode().strip().splitlines()[-1])
        if r["rc"] != 0:
            raise SystemExit("bench: exit %d under peakmem: %s" % (r["rc"], cmd_str))
        return r

    def fig_memory(self):
        if not hasattr(self, "startup_cmds"):
            self.fig_startup_commands_only()
        kiosk, chromium, minimal, prep_db, prep_profile = self.startup_cmds
        n = self.reps(3, 2)
        k, c, m, ctot = [], [], [], []
        names = set()
        log("memory: %d runs each of buurtkiosk, chromium, the minimal program" % n)
        for _ in range(n):
            k.append(self.peakmem(kiosk, prep_db)["largest_kib"] / MIB)
            rc = self.peakmem(chromium, prep_profile)
            c.append(rc["largest_kib"] / MIB)
            ctot.append(rc["sum_pss_peak_kib"] / MIB)
            names.add(rc["largest_name"])
            m.append(self.peakmem(minimal)["largest_kib"] / MIB)
        r = {"kiosk_mib": summary(k), "chromium_largest_mib": summary(c),
             "chromium_total_pss_mib": summary(ctot), "chromium_largest_process": sorted(names),
             "minimal_mib": summary(m)}
        r["ratio_chromium"] = med(k) / med(c)
        r["over_minimal_mib"] = med(k) - med(m)
        self.results["memory"] = r
        self.commands["memory"] = [
            "python3 bench/lib/peakmem.py -- " + x for x in (kiosk, chromium, minimal)]

    def fig_startup_commands_only(self):
        # --only memory: the same commands as the startup figure.
        saved = self.hyperfine
        self.hyperfine = lambda *a, **k: [0.0]
        self.fig_startup()
        self.hyperfine = saved
        self.results.pop("startup", None)
        self.commands.pop("startup", None)

    def cpu_idle_once(self, env, seconds, extra_env_desc):
        template, _ = self.backlog(0)
        db = os.path.join(self.work, "idle.db")
        self.copy_db(template, db)
        cmd = [self.kiosk, "run", "--config", self.config, "--db", db, "--size", "1920x1080"]
        e = dict(os.environ)
        e.update(env)
        errf = open(os.path.join(self.work, "idle.err"), "w")
        p = subprocess.Popen(cmd, env=e, stdout=subprocess.DEVNULL, stderr=errf)
        try:
            time.sleep(3)  # started, first frame drawn, first sync pass done
            if p.poll() is not None:
                raise SystemExit("bench: the kiosk exited early; see %s/idle.err" % self.work)
            tck = os.sysconf("SC_CLK_TCK")

            def ticks():
                with open("/proc/%d/stat" % p.pid) as f:
                    s = f.read()
                w = s[s.rfind(")") + 2:].split()
                return int(w[11]) + int(w[12])  # utime + stime
            a, t0 = ticks(), time.monotonic()
            time.sleep(seconds)
            b, t1 = ticks(), time.monotonic()
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.idle_cmd = "env %s %s  # read utime+stime of /proc/PID/stat from 3 s to %d s" % (
            extra_env_desc, q(cmd), 3 + seconds)
        return 100.0 * (b - a) / tck / (t1 - t0)

    def fig_idle(self):
        secs = self.reps(30, 10)
        n = self.reps(3, 1)
        log("idle: %d x %d s on the attract screen (offscreen driver)" % (n, secs))
        v = [self.cpu_idle_once(SDL_ENV, secs, SDL_ENV_WORDS) for _ in range(n)]
        r = {"cpu_pct": summary(v), "seconds": secs}
        cmds = [self.idle_cmd]
        if shutil.which("Xvfb"):
            log("idle: %d x %d s under X11 (Xvfb)" % (self.reps(2, 1), secs))
            disp = ":%d" % (90 + os.getpid() % 9)
            xv = subprocess.Popen(["Xvfb", disp, "-screen", "0", "1920x1080x24", "-nolisten",
                                   "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                time.sleep(1.5)
                xenv = {"DISPLAY": disp, "SDL_VIDEODRIVER": "x11", "SDL_RENDER_DRIVER": "software",
                        "SDL_AUDIODRIVER": "dummy"}
                words = " ".join("%s=%s" % kv for kv in xenv.items())
                r["cpu_pct_x11"] = summary(
                    [self.cpu_idle_once(xenv, secs, words) for _ in range(self.reps(2, 1))])
                cmds.append("Xvfb %s -screen 0 1920x1080x24 &  " % disp + self.idle_cmd)
            finally:
                xv.terminate()
                xv.wait()
        self.results["idle"] = r
        self.commands["idle"] = cmds

    def fig_frames(self):
        template, _ = self.backlog(0)
        db = os.path.join(self.work, "frames.db")
        times = os.path.join(self.work, "frames.txt")
        script = os.path.join(self.repo, "bench/replays/survey.replay")
        n = self.reps(10, 3)
        log("frames: %d replays of a whole survey; the minimal program's clear + present" % n)
        p50, p99, pooled, counts = [], [], [], []
        cmd = [self.kiosk, "run", "--config", self.config, "--db", db, "--size", "1920x1080",
               "--replay", script]
        for _ in range(n):
            self.copy_db(template, db)
            if os.path.exists(times):
                os.unlink(times)
            env = dict(SDL_ENV)
            env["BK_FRAME_TIMES"] = times
            run(cmd, env=env)
            v = [float(x) / 1000.0 for x in open(times).read().split()]
            p50.append(pct(v, 50))
            p99.append(pct(v, 99))
            pooled += v
            counts.append(len(v))
        mp50, mp99 = [], []
        mtimes = os.path.join(self.work, "minimal-frames.txt")
        mcmd = [os.path.join(self.bin, "bench_minimal_sdl"), "--font", self.font, "--frames",
                "300", "--times", mtimes]
        for _ in range(self.reps(5, 2)):
            run(mcmd, env=SDL_ENV)
            v = [float(x) / 1000.0 for x in open(mtimes).read().split()]
            mp50.append(pct(v, 50))
            mp99.append(pct(v, 99))
        r = {"kiosk_p50_ms": summary(p50), "kiosk_p99_ms": summary(p99),
             "kiosk_pooled_p50_ms": pct(pooled, 50), "kiosk_pooled_p99_ms": pct(pooled, 99),
             "kiosk_pooled_max_ms": max(pooled), "frames_per_replay": counts,
             "minimal_p50_ms": summary(mp50), "minimal_p99_ms": summary(mp99)}
        self.results["frames"] = r
        self.commands["frames"] = [
            "env %s BK_FRAME_TIMES=%s %s" % (SDL_ENV_WORDS, times, q(cmd)),
            "env %s %s" % (SDL_ENV_WORDS, q(mcmd))]

    def fig_store(self):
        n_disk, n_tmp = self.reps(100, 30), self.reps(300, 100)
        reps = self.reps(5, 2)
        res = {}
        cmds = []
        for label, base, n in (("disk", self.work, n_disk), ("tmpfs", "/dev/shm", n_tmp)):
            if label == "tmpfs" and not os.path.isdir("/dev/shm"):
                continue
            log("store: %d x %d responses on %s" % (reps, n, label))
            s_med, b_med = [], []
            for i in range(reps):
                d = os.path.join(base, "bk-bench-store-%d" % i)
                shutil.rmtree(d, ignore_errors=True)
                os.makedirs(d)
                so, bo = os.path.join(self.work, "store.txt"), os.path.join(self.work, "bare.txt")
                cmd = [os.path.join(self.bin, "bench_store"), "--survey", self.survey, "--dir", d,
                       "--n", str(n), "--out-store", so, "--out-bare", bo]
                run(cmd)
                s_med.append(med([float(x) / 1000.0 for x in open(so).read().split()]))
                b_med.append(med([float(x) / 1000.0 for x in open(bo).read().split()]))
                shutil.rmtree(d, ignore_errors=True)
            res[label] = {"store_ms": summary(s_med), "bare_ms": summary(b_med),
                          "ratio": med(s_med) / med(b_med), "n": n}
            cmds.append(q(cmd).replace("store-%d" % (reps - 1), "store-$i") +
                        "  # i = 0..%d" % (reps - 1))
        # Transactions the store commits for one response of the demo survey.
        res["transactions_per_response"] = 11
        self.results["store"] = res
        self.commands["store"] = cmds

    def fig_upload(self):
        src, _ = self.backlog(20000)
        w = self.work
        db = os.path.join(w, "upload.db")
        bodies = os.path.join(w, "batches")
        shutil.rmtree(bodies, ignore_errors=True)
        os.makedirs(bodies)
        self.copy_db(src, db)
        version = run([self.kiosk, "--version"]).stdout.decode().split()[-1]
        bcmd = [os.path.join(self.bin, "bench_batches"), "--db", db, "--out", bodies, "--url",
                "http://127.0.0.1:%d/buurtkiosk/v1/batches" % self.port, "--token",
                "bench-token", "--kiosk-id", self.kiosk_id, "--user-agent",
                "buurtkiosk/%s (curl baseline)" % version, "--max", str(self.batch_max)]
        p = run(bcmd)
        words = p.stdout.decode().split()
        n_batches, n_resp = int(words[1]), int(words[3])
        conf = os.path.join(bodies, "curl.conf")
        kcmd = [self.kiosk, "sync", "--config", self.config, "--db", db]
        ccmd = ["curl", "--silent", "--show-error", "--config", conf]
        k, c = [], []
        reps = self.reps(5, 2)
        log("upload: %d x (buurtkiosk sync, curl) of %d responses in %d batches" %
            (reps, n_resp, n_batches))
        for i in range(reps):
            self.copy_db(src, db)
            self.control({"reset": True})
            t = time.monotonic()
            run(kcmd)
            k.append(n_resp / (time.monotonic() - t))
            if i == 0:
                got = len(self.dump()["order"])
                if got != n_resp:
                    raise SystemExit("bench: the receiver got %d of %d" % (got, n_resp))
            self.control({"reset": True})
            t = time.monotonic()
            out = run(ccmd).stdout.decode().split()
            c.append(n_resp / (time.monotonic() - t))
            if len(out) != n_batches or any(code not in ("200", "201") for code in out):
                raise SystemExit("bench: curl baseline got answers %s" % sorted(set(out)))
        self.control({"reset": True})
        r = {"kiosk_per_s": summary(k), "curl_per_s": summary(c), "ratio": med(k) / med(c),
             "responses": n_resp, "batches": n_batches,
             "json_bytes": int(words[5]), "gzip_bytes": int(words[7])}
        self.results["upload"] = r
        self.commands["upload"] = [
            "cp %s %s && %s  # the same batches, gzipped, and curl.conf" % (src, db, q(bcmd)),
            "# before each run: cp %s %s; the receiver reset (POST /_control "
            "{\"reset\": true})" % (src, db), q(kcmd), q(ccmd)]

    def fig_sync_memory(self):
        res = {}
        cmds = []
        for n, reps in ((10000, self.reps(3, 1)), (200000, 1)):
            src, _ = self.backlog(n)
            db = os.path.join(self.work, "syncmem.db")
            cmd = [self.kiosk, "sync", "--config", self.config, "--db", db]
            log("sync memory: %d x %d queued responses" % (reps, n))
            v, secs = [], []
            for _ in range(reps):
                self.copy_db(src, db)
                self.control({"reset": True})
                r = json.loads(run([sys.executable,
                                    os.path.join(self.repo, "bench/lib/peakmem.py"), "--"] +
                                   cmd).stdout.decode().strip().splitlines()[-1])
                if r["rc"] != 0:
                    raise SystemExit("bench: buurtkiosk sync exited %d" % r["rc"])
                v.append(r["largest_kib"] / MIB)
                secs.append(r["wall_s"])
            self.control({"reset": True})
            res[str(n)] = {"peak_mib": summary(v), "seconds": summary(secs)}
            cmds.append("python3 bench/lib/peakmem.py -- %s  # %s holds %d queued" % (
                q(cmd), db, n))
        res["difference_mib"] = res["200000"]["peak_mib"]["median"] - \
            res["10000"]["peak_mib"]["median"]
        self.results["sync-memory"] = res
        self.commands["sync-memory"] = cmds

    def fig_bytes(self):
        _, b0 = self.backlog(0)
        _, b10 = self.backlog(10000)
        self.results["bytes"] = {"empty_bytes": b0, "bytes_10000": b10,
                                 "per_response": (b10 - b0) / 10000.0}
        self.commands["bytes"] = [
            "%s --survey %s --db FILE --n 10000 --fast  # minus the same with --n 0" % (
                os.path.join(self.bin, "bench_backlog"), self.survey)]


    # ---- the collector ----

    def collector_setup(self, tag, db=None):
        """A collector configuration in WORK/collector-TAG/ (its database db,
        or a new one there), the demo survey published and a kiosk added.
        Returns (ini, token)."""
        d = os.path.join(self.work, "collector-" + tag)
        os.makedirs(d, exist_ok=True)
        if db is None:
            db = os.path.join(d, "collector.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.unlink(db + suffix)
        ini = os.path.join(d, "collector.ini")
        with open(ini, "w") as f:
            f.write("[server]\nlisten = 127.0.0.1\nport = 0\n[storage]\ndatabase = %s\n" % db)
        coll = os.path.join(self.build, "buurtkiosk-collector")
        kiosk = "bench-kiosk-%d" % int(time.time() * 1000)
        token = run([coll, "kiosk", "add", kiosk, "--area", "dorst", "--config", ini]
                    ).stdout.decode().strip().splitlines()[-1]
        run([coll, "survey", "publish", self.survey, "--all", "--config", ini])
        return ini, token, kiosk

    def collector_start(self, ini):
        coll = os.path.join(self.build, "buurtkiosk-collector")
        err = open(os.path.join(os.path.dirname(ini), "serve.err"), "w")
        p = subprocess.Popen([coll, "serve", "--config", ini], stdout=subprocess.PIPE,
                             stderr=err)
        line = p.stdout.readline().decode()
        if "listening on http://127.0.0.1:" not in line:
            raise SystemExit("bench: the collector did not start: %r" % line)
        return p, int(line.rsplit(":", 1)[1])

    def collector_stop(self, p):
        p.terminate()
        if p.wait(timeout=60) != 0:
            raise SystemExit("bench: the collector exited %d" % p.returncode)

    def fig_collector_ingest(self):
        ing = os.path.join(self.bin, "bench_ingest")
        ini, token, kiosk = self.collector_setup("ingest")
        direct = os.path.join(self.work, "collector-ingest", "direct.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(direct + suffix):
                os.unlink(direct + suffix)
        p, port = self.collector_start(ini)
        url = "http://127.0.0.1:%d/buurtkiosk/v1/batches" % port
        batches, clients = 200, 4
        reps = self.reps(5, 2)
        log("collector ingest: %d x (HTTP, 4 clients; direct SQLite) of %d batches of 100" %
            (reps, batches))
        h, d, p50, p99 = [], [], [], []
        hcmd = dcmd = None
        try:
            for i in range(reps):
                first = str(i * batches * 100)
                hcmd = [ing, "http", url, token, kiosk, str(batches), str(clients), first]
                r = json.loads(run(hcmd).stdout.decode())
                h.append(r["responses_per_s"])
                p50.append(r["p50_ms"])
                p99.append(r["p99_ms"])
                dcmd = [ing, "direct", direct, kiosk, str(batches), first]
                d.append(json.loads(run(dcmd).stdout.decode())["responses_per_s"])
        finally:
            self.collector_stop(p)
        got = run([os.path.join(self.build, "buurtkiosk-collector"), "status", "--config", ini]
                  ).stdout.decode()
        want = "total: %d responses counted, 0 quarantined" % (reps * batches * 100)
        if want not in got:
            raise SystemExit("bench: the collector does not hold what was sent:\n" + got)
        self.results["collector-ingest"] = {
            "http_per_s": summary(h), "direct_per_s": summary(d), "ratio": med(h) / med(d),
            "p50_ms": summary(p50), "p99_ms": summary(p99), "batches": batches,
            "clients": clients}
        self.commands["collector-ingest"] = [
            "# collector: kiosk add, survey publish config/surveys/buurtpeiling.json --all, serve",
            q(hcmd[:-1]) + " FIRST  # FIRST = rep x 20000",
            q(dcmd[:-1]) + " FIRST"]

    def fig_collector_memory(self):
        ing = os.path.join(self.bin, "bench_ingest")
        res, cmds = {}, []
        cache = os.path.join(self.build, "bench-cache")
        os.makedirs(cache, exist_ok=True)
        h = hashlib.sha256()
        for f in ("bench/bench_ingest.c", "collector/storage/storage_schema.c"):
            h.update(open(os.path.join(self.repo, f), "rb").read())
        for n in (10000, 1000000):
            src = os.path.join(cache, "collector-%d-%s.db" % (n, h.hexdigest()[:12]))
            if not os.path.exists(src):
                log("filling a collector database with %d responses (cached in %s)" % (n, cache))
                t = time.monotonic()
                run([ing, "fill", src + ".tmp", "bench-fill", str(n)])
                os.rename(src + ".tmp", src)
                log("  %.0f s" % (time.monotonic() - t))
            db = os.path.join(self.work, "collector-memory.db")
            self.copy_db(src, db)
            ini, token, kiosk = self.collector_setup("memory-%d" % n, db)
            p, port = self.collector_start(ini)
            try:
                url = "http://127.0.0.1:%d/buurtkiosk/v1/batches" % port
                # A working collector: 50 batches from 4 clients, the surveys
                # fetched, a heartbeat; then its peak resident set.
                run([ing, "http", url, token, kiosk, "50", "4", str(5 * 10 ** 7)])
                base = "http://127.0.0.1:%d/buurtkiosk/v1/kiosks/%s/" % (port, kiosk)
                hdr = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
                urllib.request.urlopen(urllib.request.Request(base + "surveys", headers=hdr),
                                       timeout=60).read()
                body = json.dumps({"kiosk_id": kiosk, "version": "bench", "uptime_s": 1,
                                   "queued": 0, "rejected": 0, "last_error": None}).encode()
                urllib.request.urlopen(urllib.request.Request(base + "status", data=body,
                                                              headers=hdr), timeout=60).read()
                hwm = 0
                for line in open("/proc/%d/status" % p.pid):
                    if line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
            finally:
                self.collector_stop(p)
            res[str(n)] = {"peak_mib": hwm / MIB, "db_bytes": os.path.getsize(src)}
            cmds.append("%s fill DB bench-fill %d; buurtkiosk-collector serve on it; %s http URL "
                        "TOKEN KIOSK 50 4; GET surveys; POST status; VmHWM of serve" % (
                            self.rel(ing), n, self.rel(ing)))
        res["difference_mib"] = res["1000000"]["peak_mib"] - res["10000"]["peak_mib"]
        self.results["collector-memory"] = res
        self.commands["collector-memory"] = cmds


    # ---- the collector on PostgreSQL ----

    def pg_uri(self, dbname):
        """A fresh database dbname on the benchmark's own PostgreSQL cluster
        (tests/pg/cluster.sh, durable: fsync on), started on first use."""
        if not getattr(self, "pg_file", None):
            self.pg_file = os.path.join(self.work, "pg-cluster")
            env = dict(os.environ, BK_PG_FSYNC="on")
            run([os.path.join(self.repo, "tests/pg/cluster.sh"), "start", self.pg_file], env=env)
        host = open(self.pg_file).read().strip()
        admin = "postgresql:///postgres?host=%s&user=postgres" % host
        run(["psql", "-XAtq", "-d", admin, "-c", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % dbname])
        run(["psql", "-XAtq", "-d", admin, "-c", "CREATE DATABASE %s" % dbname])
        return "postgresql:///%s?host=%s&user=postgres" % (dbname, host)

    def pg_stop(self):
        if getattr(self, "pg_file", None):
            run([os.path.join(self.repo, "tests/pg/cluster.sh"), "stop", self.pg_file],
                check=False)
            self.pg_file = None

    def second_instance(self, ini):
        """Another `serve` on the database of ini (its own port)."""
        ini2 = ini.replace(".ini", "-b.ini")
        shutil.copy(ini, ini2)
        return self.collector_start(ini2)

    def fig_collector_pg_ingest(self):
        ing = os.path.join(self.bin, "bench_ingest")
        pgb = os.path.join(self.bin, "bench_pg")
        uri = self.pg_uri("bench_ingest")
        ini, token, kiosk = self.collector_setup("pg-ingest", uri)
        copy_uri = self.pg_uri("bench_copy")
        batches, clients = 200, 4
        reps = self.reps(5, 2)
        log("collector ingest on PostgreSQL: %d x (HTTP, 4 clients; COPY, 4 connections; "
            "two instances) of %d batches of 100" % (reps, batches))
        h, c, two, p50, p99 = [], [], [], [], []
        p, port = self.collector_start(ini)
        p2, port2 = self.second_instance(ini)
        hcmd = ccmd = None
        first = 0
        try:
            for i in range(reps):
                url = "http://127.0.0.1:%d/buurtkiosk/v1/batches" % port
                hcmd = [ing, "http", url, token, kiosk, str(batches), str(clients), str(first)]
                r = json.loads(run(hcmd).stdout.decode())
                first += batches * 100
                h.append(r["responses_per_s"])
                p50.append(r["p50_ms"])
                p99.append(r["p99_ms"])
                ccmd = [pgb, "copy", copy_uri, kiosk, str(batches), str(clients), str(first)]
                c.append(json.loads(run(ccmd).stdout.decode())["responses_per_s"])
                # Two instances at once, each with its own 4 clients.
                t = time.monotonic()
                procs = []
                for pt in (port, port2):
                    u = "http://127.0.0.1:%d/buurtkiosk/v1/batches" % pt
                    procs.append(subprocess.Popen(
                        [ing, "http", u, token, kiosk, str(batches), str(clients), str(first)],
                        stdout=subprocess.PIPE))
                    first += batches * 100
                outs = [pr.communicate()[0] for pr in procs]
                if any(pr.returncode for pr in procs):
                    raise SystemExit("bench: an ingest client failed")
                wall = time.monotonic() - t
                n = sum(json.loads(o.decode())["responses"] for o in outs)
                two.append(n / wall)
        finally:
            self.collector_stop(p2)
            self.collector_stop(p)
        got = run([os.path.join(self.build, "buurtkiosk-collector"), "status", "--config", ini]
                  ).stdout.decode()
        want = "total: %d responses counted, 0 quarantined" % first
        if want not in got:
            raise SystemExit("bench: the collector does not hold what was sent:\n" + got)
        self.results["collector-pg-ingest"] = {
            "http_per_s": summary(h), "copy_per_s": summary(c), "ratio": med(h) / med(c),
            "two_instances_per_s": summary(two), "scaling": med(two) / med(h),
            "p50_ms": summary(p50), "p99_ms": summary(p99), "batches": batches,
            "clients": clients}
        self.commands["collector-pg-ingest"] = [
            "tests/pg/cluster.sh start FILE  # with BK_PG_FSYNC=on; a database per figure",
            "# collector: [storage] database = postgresql:///bench_ingest?host=...; kiosk add, "
            "survey publish, serve (and a second serve on the same database)",
            q(hcmd[:-1]) + " FIRST",
            q(ccmd[:-1]) + " FIRST",
            "# two instances: the same http command against each serve at once"]

    def fig_collector_fleet(self):
        fleet = os.path.join(self.bin, "bench_fleet")
        n, minutes = 1000, 5
        reps = self.reps(3, 1)
        res, cmds = {}, []
        for backend in ("postgresql", "sqlite"):
            if backend == "postgresql":
                db = self.pg_uri("bench_fleet")
            else:
                db = os.path.join(self.work, "collector-fleet", "fleet.db")
                os.makedirs(os.path.dirname(db), exist_ok=True)
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.unlink(db + suffix)
            ini, token, kiosk = self.collector_setup("fleet-" + backend, db)
            run([fleet, "setup", db, str(n)])
            p, port = self.collector_start(ini)
            base = "http://127.0.0.1:%d/buurtkiosk" % port
            out = {}
            first = 0
            try:
                for spm in (4.0, 2.0):
                    rr = []
                    for i in range(reps if spm == 4.0 else 1):
                        cmd = [fleet, "run", base, str(n), str(minutes), str(spm), "32",
                               str(first)]
                        first += n * minutes * 2
                        rr.append(json.loads(run(cmd, check=False).stdout.decode()))
                    log("  fleet %s, %g s per minute: %s" % (backend, spm, rr))
                    out["%gs" % spm] = {
                        "compression": 60.0 / spm,
                        "requests_per_s": summary([r["requests_per_s"] for r in rr]),
                        "responses_per_s": summary([r["responses_per_s"] for r in rr]),
                        "p50_ms": summary([r["p50_ms"] for r in rr]),
                        "p99_ms": summary([r["p99_ms"] for r in rr]),
                        "max_ms": summary([r["max_ms"] for r in rr]),
                        "errors": sum(r["errors"] for r in rr)}
            finally:
                self.collector_stop(p)
            res[backend] = out
            cmds.append("# %s: collector with %s; %s setup DB %d; serve; then" % (
                backend, "database = postgresql:///bench_fleet?host=..." if backend ==
                "postgresql" else "database = fleet.db", self.rel(fleet), n))
            cmds.append("%s run URL %d %d 4 32 FIRST   # and once with 2 s per minute" % (
                self.rel(fleet), n, minutes))
        res["kiosks"], res["minutes"] = n, minutes
        self.results["collector-fleet"] = res
        self.commands["collector-fleet"] = cmds

    def timed(self, cmd, out_path=None):
        """(seconds, peak RSS MiB) of cmd, by /usr/bin/time."""
        tf = os.path.join(self.work, "time.txt")
        stdout = open(out_path, "wb") if out_path else subprocess.DEVNULL
        t = time.monotonic()
        r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf] + cmd, stdout=stdout,
                           stderr=subprocess.PIPE)
        secs = time.monotonic() - t
        if out_path:
            stdout.close()
        if r.returncode != 0:
            raise SystemExit("bench: %s failed: %s" % (q(cmd), r.stderr.decode()[-2000:]))
        return secs, int(open(tf).read().split()[-1]) / MIB

    def fig_collector_export(self):
        coll = os.path.join(self.build, "buurtkiosk-collector")
        n = 1000000
        reps = self.reps(2, 1)
        res, cmds = {}, []
        csv = os.path.join(self.work, "export.csv")
        peer_out = os.path.join(self.work, "export-peer.txt")
        # SQLite: the database the memory figure filled (cached).
        cache = os.path.join(self.build, "bench-cache")
        src = [f for f in os.listdir(cache) if f.startswith("collector-%d-" % n) and
               f.endswith(".db")] if os.path.isdir(cache) else []
        if not src:
            self.fig_collector_memory()
            src = [f for f in os.listdir(cache) if f.startswith("collector-%d-" % n) and
                   f.endswith(".db")]
        sdb = os.path.join(self.work, "collector-export.db")
        self.copy_db(os.path.join(cache, src[0]), sdb)
        uri = self.pg_uri("bench_export")
        log("filling PostgreSQL with %d responses (COPY)" % n)
        t = time.monotonic()
        run([os.path.join(self.bin, "bench_pg"), "fill", uri, "bench-fill", str(n)])
        log("  %.0f s" % (time.monotonic() - t))
        for backend, db in (("sqlite", sdb), ("postgresql", uri)):
            ini, token, kiosk = self.collector_setup("export-" + backend, db)
            ecmd = [coll, "export", "--format", "csv", "--out", csv, "--config", ini]
            if backend == "sqlite":
                pcmd = ["sqlite3", db, "SELECT body FROM responses WHERE quarantine_reason IS NULL"
                        " ORDER BY kiosk_id, seq, response_id"]
            else:
                pcmd = ["psql", "-XAtq", "-d", db, "-c",
                        "COPY (SELECT body FROM responses WHERE quarantine_reason IS NULL"
                        " ORDER BY kiosk_id, seq, response_id) TO STDOUT"]
            es, em, ps, pm = [], [], [], []
            for i in range(reps):
                secs, mib = self.timed(ecmd)
                es.append(secs)
                em.append(mib)
                secs, mib = self.timed(pcmd, peer_out)
                ps.append(secs)
                pm.append(mib)
            rows = sum(1 for _ in open(csv, "rb")) - 1
            if rows != n:
                raise SystemExit("bench: the %s export holds %d rows, not %d" % (backend, rows, n))
            res[backend] = {"export_s": summary(es), "export_peak_mib": summary(em),
                            "peer_s": summary(ps), "peer_peak_mib": summary(pm),
                            "ratio": med(es) / med(ps), "csv_bytes": os.path.getsize(csv)}
            cmds.append(q(ecmd).replace(self.work + "/", "WORK/") + "   # " + backend)
            cmds.append(q(pcmd).replace(self.work + "/", "WORK/") + " > FILE")
        res["responses"] = n
        self.results["collector-export"] = res
        self.commands["collector-export"] = [
            "%s fill postgresql:///bench_export?host=... bench-fill %d" % (
                self.rel(os.path.join(self.bin, "bench_pg")), n)] + cmds


    # ---- the wijkdashboard ----

    def dash_sql(self):
        """The SQL the dashboard's figures run, {"sqlite"|"postgresql": {"counts", "values",
        "cohesion": sql}}, taken from the collector's source (storage_sqlite.c's SQ_DASH_*
        and storage_pg_dash.c's storage_pg_dash_*, their macros expanded by cpp), so that
        the peer runs exactly what the page runs."""
        out = {}
        for backend, f in (("sqlite", "collector/storage/storage_sqlite.c"),
                           ("postgresql", "collector/storage/storage_pg_dash.c")):
            src = open(os.path.join(self.repo, f)).read()
            lines = src.splitlines()
            defines = []
            i = 0
            while i < len(lines):
                if re.match(r"#define (PG_DASH_|DASH_|PG_IN_IDS|TALLY_|PG_TALLY_)", lines[i]):
                    block = [lines[i]]
                    while block[-1].rstrip().endswith("\\"):
                        i += 1
                        block.append(lines[i])
                    defines.append("\n".join(block))
                i += 1
            exprs = {}
            for name in ("counts", "values", "cohesion"):
                if backend == "sqlite":
                    m = re.search(r"\[SQ_DASH_%s\]\s*=\s*(.*?),\s*\n\s*(?:/\*|\[SQ_|\};)" %
                                  name.upper(), src, re.S)
                else:
                    fn = src.index("bk_err storage_pg_dash_%s(" % name)
                    m = re.compile(r"pg_each_row_params\(\s*(?:\(storage_pg \*\)base|st),\s*(.*?),"
                                   r"\s*&p,", re.S).search(src, fn)
                if not m:
                    raise SystemExit("bench: no SQL for the dashboard's %s in %s" % (name, f))
                exprs[name] = m.group(1)
            snippet = "\n".join(defines) + "\n" + "\n".join(
                "@@%s@@ %s @@END@@" % kv for kv in exprs.items()) + "\n"
            pre = run(["cpp", "-P", "-"], capture=True, env=None, check=True,
                      input_bytes=snippet.encode()).stdout.decode()
            out[backend] = {}
            for name in exprs:
                body = re.search(r"@@%s@@(.*?)@@END@@" % name, pre, re.S).group(1)
                out[backend][name] = "".join(
                    json.loads('"%s"' % lit) for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', body))
        return out

    def dash_database(self, n):
        """The cached SQLite database of the dashboard figure: n responses of bench_ingest
        fill-dash (generated again when the generator or the schema changes)."""
        h = hashlib.sha256()
        for f in ("bench/bench_ingest.c", "bench/bench_rows.c", "bench/bench_rows.h",
                  "collector/storage/storage_schema.c"):
            h.update(open(os.path.join(self.repo, f), "rb").read())
        cache = os.path.join(self.build, "bench-cache")
        os.makedirs(cache, exist_ok=True)
        src = os.path.join(cache, "collector-dash-%d-%s.db" % (n, h.hexdigest()[:12]))
        if not os.path.exists(src):
            log("filling a collector database with %d varied responses (cached in %s)" %
                (n, cache))
            t = time.monotonic()
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(src + ".tmp" + suffix):
                    os.unlink(src + ".tmp" + suffix)
            run([os.path.join(self.bin, "bench_ingest"), "fill-dash", src + ".tmp", str(n)])
            # One file, no WAL beside it, so that a plain copy is the database.
            run(["sqlite3", src + ".tmp", "PRAGMA wal_checkpoint(TRUNCATE)"])
            os.rename(src + ".tmp", src)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(src + ".tmp" + suffix):
                    os.unlink(src + ".tmp" + suffix)
            log("  %.0f s" % (time.monotonic() - t))
        return src

    def dash_collector(self, tag, db):
        """A collector in WORK/collector-dashboard-TAG/ on db with the demo's [dashboard]
        and [areas] (config/collector.ini), the demo survey published, an admin. Returns
        the configuration's path."""
        d = os.path.join(self.work, "collector-dashboard-" + tag)
        os.makedirs(d, exist_ok=True)
        demo = open(os.path.join(self.repo, "config/collector.ini")).read().splitlines()
        keep, on = [], False
        for line in demo:
            if line.startswith("["):
                on = line.strip() in ("[dashboard]", "[areas]")
            if on:
                keep.append(line)
        ini = os.path.join(d, "collector.ini")
        with open(ini, "w") as f:
            f.write("[server]\nlisten = 127.0.0.1\nport = 0\n[storage]\ndatabase = %s\n" % db)
            f.write("\n".join(keep) + "\n")
        coll = os.path.join(self.build, "buurtkiosk-collector")
        run([coll, "survey", "publish", self.survey, "--all", "--config", ini])
        run([coll, "user", "add", "bench", "--role", "admin", "--config", ini],
            input_bytes=b"pw-long-enough\n")
        return ini

    @staticmethod
    def dash_login(port):
        """The Cookie header of a logged-in session of user bench."""
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("GET", "/login")
        r = c.getresponse()
        page = r.read().decode()
        pre = re.search(r"bk_pre=([0-9a-f]+)", r.getheader("Set-Cookie") or "")
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        if r.status != 200 or not pre or not csrf or pre.group(1) != csrf.group(1):
            raise SystemExit("bench: GET /login answered %d without its CSRF token" % r.status)
        form = urllib.parse.urlencode({"username": "bench", "password": "pw-long-enough",
                                       "csrf": csrf.group(1), "lang": "nl"})
        c.request("POST", "/login", body=form,
                  headers={"Content-Type": "application/x-www-form-urlencoded",
                           "Cookie": "bk_pre=" + pre.group(1)})
        r = c.getresponse()
        r.read()
        sess = re.search(r"bk_session=([^;]+)", " ".join(
            v for k, v in r.getheaders() if k.lower() == "set-cookie"))
        if r.status != 303 or not sess:
            raise SystemExit("bench: POST /login answered %d without a session" % r.status)
        c.close()
        return "bk_session=" + sess.group(1)

    @staticmethod
    def dash_get(port, path, cookie, n):
        """n GETs of path on one keep-alive connection: (milliseconds each, last body)."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        times, body = [], b""
        for _ in range(n):
            t = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            r = conn.getresponse()
            body = r.read()
            times.append((time.perf_counter() - t) * 1000.0)
            if r.status != 200:
                raise SystemExit("bench: GET %s answered %d: %s" % (path, r.status, body[:300]))
        conn.close()
        return times, body

    def dash_sets(self, area):
        """The statements the two pages run, in order, each (query, parameters $1/?1 ...):
        the per-area page (web_page_area: counts of the area, counts of its survey, the
        tallies of its 7 counted questions, the cohesion score) and the overview
        (web_page_overview: counts of the last 6 months, the score of the last 12), all
        read from the dashboard's tallies (kept up to date by the collector before each
        page)."""
        # Months as the kiosks send them (UTC), inclusive; None is open.
        month0 = time.strftime("%Y-%m", time.gmtime())

        def month(add):
            y, m = int(month0[:4]), int(month0[5:]) + add
            while m < 1:
                y, m = y - 1, m + 12
            return "%04d-%02d" % (y, m)
        counted = json.dumps(["q1", "q2", "q3", "q4", "q5", "q6", "q7"], separators=(",", ":"))
        base = [area, None, 0, None, None, None, None]
        page = [("counts", base + [1, 1]),
                ("counts", [area, "buurtpeiling"] + base[2:] + [1, 1]),
                ("values", [area, "buurtpeiling"] + base[2:] + [0, 0, counted]),
                ("cohesion", [area, "buurtpeiling"] + base[2:] + [0, 0])]
        overview = [("counts", [None, None, 0, None, None, month(-5), None, 1, 1]),
                    ("cohesion", [None, "buurtpeiling", 0, None, None, month(-11), None, 0, 0])]
        return {"page": page, "overview": overview}

    @staticmethod
    def sql_literal(v):
        if v is None:
            return "NULL"
        if isinstance(v, int):
            return str(v)
        return "'" + v.replace("'", "''") + "'"

    def sqlite_params(self, params):
        """sqlite3's dot commands binding params to ?1, ?2, ..."""
        return ['.param set ?%d "%s"' % (
            i + 1, self.sql_literal(v).replace("\\", "\\\\").replace('"', '\\"'))
            for i, v in enumerate(params)]

    def dash_peer_script(self, backend, sql, steps, iters):
        """A script for sqlite3 or psql that runs steps (dash_sets) iters times with a
        timer on each statement, results to /dev/null."""
        out = []
        if backend == "sqlite":
            out.append(".output /dev/null")
            out.append(".timer on")
            for _ in range(iters):
                out.append(".param clear")
                for name, params in steps:
                    out += self.sqlite_params(params)
                    out.append(sql[name] + ";")
        else:
            # PQexecParams (the collector) plans every statement with its values:
            # force_custom_plan makes EXECUTE do the same.
            out.append("SET plan_cache_mode = force_custom_plan;")
            for name in sorted(set(n for n, _ in steps)):
                out.append("PREPARE dash_%s AS %s;" % (name, sql[name]))
            out.append("\\o /dev/null")
            out.append("\\timing on")
            for _ in range(iters):
                for name, params in steps:
                    out.append("EXECUTE dash_%s(%s);" % (
                        name, ", ".join(self.sql_literal(v) for v in params)))
        return "\n".join(out) + "\n"

    def dash_peer(self, backend, db, sql, steps, iters, script_path):
        """Runs the peer: per iteration the sum of its statements' times (ms), and each
        statement's times."""
        with open(script_path, "w") as f:
            f.write(self.dash_peer_script(backend, sql, steps, iters))
        if backend == "sqlite":
            cmd = ["sqlite3", db]
            pat = re.compile(r"^Run Time: real ([0-9.]+)")
            scale = 1000.0
        else:
            cmd = ["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", db]
            pat = re.compile(r"^Time: ([0-9.]+) ms")
            scale = 1.0
        with open(script_path, "rb") as f:
            p = subprocess.run(cmd, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0 or p.stderr.strip():
            raise SystemExit("bench: %s failed: %s" % (q(cmd), p.stderr.decode()[-2000:]))
        t = [float(m.group(1)) * scale for m in
             (pat.match(l) for l in p.stdout.decode().splitlines()) if m]
        k = len(steps)
        if len(t) != k * iters:
            raise SystemExit("bench: %s printed %d times, not %d" % (q(cmd), len(t), k * iters))
        per_iter = [sum(t[i * k:(i + 1) * k]) for i in range(iters)]
        per_stmt = [[t[i * k + j] for i in range(iters)] for j in range(k)]
        return per_iter, per_stmt, cmd

    def dash_plans(self, backend, db, sql, steps, path):
        """EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (ANALYZE, BUFFERS) (PostgreSQL) of each of
        the page's statements, into path (for the notes; not timed)."""
        out = []
        if backend == "sqlite":
            for name, params in steps:
                script = "\n".join(self.sqlite_params(params))
                script += "\nEXPLAIN QUERY PLAN " + sql[name] + ";\n"
                p = run(["sqlite3", db], input_bytes=script.encode())
                out.append("-- %s %s\n%s" % (name, params, p.stdout.decode()))
        else:
            for name, params in steps:
                script = "SET plan_cache_mode = force_custom_plan;\nPREPARE s AS %s;\n" \
                         "EXPLAIN (ANALYZE, BUFFERS) EXECUTE s(%s);\n" % (
                             sql[name], ", ".join(self.sql_literal(v) for v in params))
                p = run(["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", db],
                        input_bytes=script.encode())
                out.append("-- %s %s\n%s" % (name, params, p.stdout.decode()))
        with open(path, "w") as f:
            f.write("\n".join(out))

    def fig_collector_dashboard(self):
        n, area = 1000000, "dorst"
        rounds = self.reps(3, 1)
        sql = self.dash_sql()
        sets = self.dash_sets(area)
        src = self.dash_database(n)
        sdb = os.path.join(self.work, "collector-dashboard.db")
        self.copy_db(src, sdb)
        uri = self.pg_uri("bench_dash")
        log("filling PostgreSQL with the same %d responses (COPY)" % n)
        t = time.monotonic()
        run([os.path.join(self.bin, "bench_pg"), "fill-dash", uri, str(n)])
        fill_s = time.monotonic() - t
        log("  %.0f s" % fill_s)
        res, cmds = {"responses": n, "area": area, "pg_fill_s": fill_s}, []
        for backend, db in (("sqlite", sdb), ("postgresql", uri)):
            ini = self.dash_collector(backend, db)
            d = os.path.dirname(ini)
            if backend == "sqlite":
                check = run(["sqlite3", db, "SELECT count(*), sum(flags NOT LIKE '%\"rapid\"%' "
                             "AND flags NOT LIKE '%\"repeat\"%') FROM responses WHERE area = "
                             "'" + area + "'"]).stdout.decode().split("|")
            else:
                check = run(["psql", "-XAtq", "-d", db, "-c",
                             "SELECT count(*), sum(CASE WHEN flags NOT LIKE '%\"rapid\"%' AND "
                             "flags NOT LIKE '%\"repeat\"%' THEN 1 ELSE 0 END) FROM responses "
                             "WHERE area = '" + area + "'"]).stdout.decode().split("|")
            in_area, unflagged = int(check[0]), int(check[1])
            t = time.monotonic()
            p, port = self.collector_start(ini)
            start_s = time.monotonic() - t
            page_t, over_t, peer_t, over_peer_t = [], [], [], []
            stmt_t = [[] for _ in sets["page"]]
            try:
                cookie = self.dash_login(port)
                # Warm-up. A slow page gets fewer requests a round (about 20 s of them,
                # at least 1: 3 in all) and fewer warm-ups, so that the figure stays
                # within minutes.
                # The first page adds every stored response to the tallies (once,
                # after an upgrade or an import): recorded on its own.
                catch_up, _ = self.dash_get(port, "/area/" + area, cookie, 1)
                log("collector dashboard on %s: the first page, tallying %d responses: %.1f s" %
                    (backend, n, catch_up[0] / 1000.0))
                first, _ = self.dash_get(port, "/area/" + area, cookie, 1)
                slow = first[0] > 2000
                per_round = max(1, min(5, int(20000 / first[0])))
                discard = 0 if slow else 1
                self.dash_get(port, "/area/" + area, cookie, 0 if slow else 2)
                self.dash_get(port, "/", cookie, 1 if slow else 2)
                log("collector dashboard on %s: first GET /area/%s %.0f ms; %d x (%d GET "
                    "/area/%s, the peer, %d GET /, the peer)" % (
                        backend, area, first[0], rounds, per_round, area, per_round))
                for i in range(rounds):
                    v, body = self.dash_get(port, "/area/" + area, cookie, per_round)
                    page_t += v
                    it, st, pcmd = self.dash_peer(backend, db, sql[backend], sets["page"],
                                                  per_round + discard,
                                                  os.path.join(d, "peer-page.sql"))
                    peer_t += it[discard:]  # the first one warms the client up
                    for j, x in enumerate(st):
                        stmt_t[j] += x[discard:]
                    v, obody = self.dash_get(port, "/", cookie, per_round)
                    over_t += v
                    it, _, _ = self.dash_peer(backend, db, sql[backend], sets["overview"],
                                              per_round + discard,
                                              os.path.join(d, "peer-overview.sql"))
                    over_peer_t += it[discard:]
            finally:
                self.collector_stop(p)
            m = re.search(rb'<p id="summary"><strong>(\d+)</strong>', body)
            if not m or int(m.group(1)) != unflagged:
                raise SystemExit("bench: /area/%s shows %s responses, the database has %d "
                                 "(not flagged)" % (area, m.group(1) if m else None, unflagged))
            self.dash_plans(backend, db, sql[backend], sets["page"],
                            os.path.join(d, "plans.txt"))
            res[backend] = {
                "page_ms": summary(page_t), "peer_ms": summary(peer_t),
                "ratio": med(page_t) / med(peer_t),
                "overview_ms": summary(over_t), "overview_peer_ms": summary(over_peer_t),
                "overview_ratio": med(over_t) / med(over_peer_t),
                "statements_ms": {"%d-%s" % (j + 1, sets["page"][j][0]): summary(x)
                                  for j, x in enumerate(stmt_t)},
                "page_bytes": len(body), "overview_bytes": len(obody),
                "area_responses": in_area, "area_shown": unflagged, "serve_start_s": start_s,
                "first_page_ms": first[0], "catch_up_ms": catch_up[0], "slow": slow}
            cmds.append("# %s: collector on %s ([dashboard] and [areas] of "
                        "config/collector.ini), survey publish config/surveys/buurtpeiling.json "
                        "--all, user add bench --role admin, serve; log in (GET and POST "
                        "/login), then on one keep-alive connection" % (
                            backend, "WORK/collector-dashboard.db" if backend == "sqlite"
                            else "postgresql:///bench_dash?host=..."))
            cmds.append("GET /area/%s   # and GET /, in %d rounds of %d after %s warm-ups" % (
                area, rounds, per_round, "1 (and 1)" if slow else "3 (and 2)"))
            cmds.append(q(pcmd).replace(self.work + "/", "WORK/") + " < " +
                        os.path.join(d, "peer-page.sql").replace(self.work + "/", "WORK/") +
                        "   # the page's 4 statements, %d times%s; and peer-overview.sql" % (
                            per_round + discard, " (the first not counted)" if discard else ""))
        res["sqlite_fill_cmd"] = "%s fill-dash DB %d" % (
            self.rel(os.path.join(self.bin, "bench_ingest")), n)
        self.results["collector-dashboard"] = res
        self.commands["collector-dashboard"] = [
            "%s fill-dash DB %d   # cached in bench-cache/" % (
                self.rel(os.path.join(self.bin, "bench_ingest")), n),
            "%s fill-dash postgresql:///bench_dash?host=... %d" % (
                self.rel(os.path.join(self.bin, "bench_pg")), n)] + cmds


# ---- the table ----

def fmt(v, unit="", digits=None):
    if digits is None:
        digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 10 else 2
    return ("%." + str(digits) + "f%s") % (v, unit)


def mr(s, unit="", digits=None):
    """median (min–max)"""
    return "%s (%s–%s)" % (fmt(s["median"], unit, digits), fmt(s["min"], "", digits),
                           fmt(s["max"], "", digits))


def verdict(ok):
    return "**met**" if ok else "**missed**"


def write_doc(b, path, started, elapsed):
    R = b.results
    rows = []
    only = "bench/run.sh --only "
    if "startup" in R:
        s = R["startup"]
        rows.append(("Start to first frame, 1920x1080 (question 3 on screen, saved as PNG)",
                     mr(s["kiosk_ms"], " ms"), "Chromium headless screenshot of the peer page: " +
                     mr(s["chromium_ms"], " ms"), fmt(s["ratio"], "x", 3), "≤ 1/8 (0.125x)",
                     verdict(s["ratio"] <= 0.125), only + "startup"))
        rows.append(("… the attract screen only; and the minimal SDL2+ttf program",
                     mr(s["attract_ms"], " ms"), "minimal program: " + mr(s["minimal_ms"], " ms"),
                     fmt(s["attract_ms"]["median"] / s["minimal_ms"]["median"], "x"), "—",
                     "recorded", only + "startup"))
    if "memory" in R:
        m = R["memory"]
        rows.append(("Peak memory of that run (largest process, RSS)", mr(m["kiosk_mib"], " MiB"),
                     "Chromium's largest process: " + mr(m["chromium_largest_mib"], " MiB") +
                     " (all its processes: %s MiB PSS)" % fmt(m["chromium_total_pss_mib"]["median"]),
                     fmt(m["ratio_chromium"], "x", 3), "≤ 1/4 (0.25x)",
                     verdict(m["ratio_chromium"] <= 0.25), only + "memory"))
        rows.append(("… against the minimal SDL2+SDL2_ttf program", mr(m["kiosk_mib"], " MiB"),
                     "minimal program: " + mr(m["minimal_mib"], " MiB"),
                     "+" + fmt(m["over_minimal_mib"], " MiB"), "≤ minimal + 30 MiB",
                     verdict(m["over_minimal_mib"] <= 30), only + "memory"))
    if "idle" in R:
        i = R["idle"]
        rows.append(("CPU while waiting on the attract screen, %d s (SDL offscreen driver)" %
                     i["seconds"], mr(i["cpu_pct"], " %", 2), "—", "—", "< 1% of one core",
                     verdict(i["cpu_pct"]["median"] < 1.0), only + "idle"))
        if "cpu_pct_x11" in i:
            rows.append(("… the same under X11 (Xvfb), where SDL can block in its event wait",
                         mr(i["cpu_pct_x11"], " %", 2), "—", "—", "< 1% of one core",
                         verdict(i["cpu_pct_x11"]["median"] < 1.0), only + "idle"))
    if "frames" in R:
        f = R["frames"]
        rows.append(("Frame time, whole survey replayed, software renderer, 1920x1080: p50",
                     mr(f["kiosk_p50_ms"], " ms"), "minimal clear + present: " +
                     mr(f["minimal_p50_ms"], " ms"),
                     fmt(f["kiosk_p50_ms"]["median"] / f["minimal_p50_ms"]["median"], "x"), "—",
                     "recorded", only + "frames"))
        rows.append(("… p99", mr(f["kiosk_p99_ms"], " ms"), "minimal clear + present: " +
                     mr(f["minimal_p99_ms"], " ms"),
                     fmt(f["kiosk_p99_ms"]["median"] / f["minimal_p99_ms"]["median"], "x"),
                     "p99 < 8 ms", verdict(f["kiosk_p99_ms"]["median"] < 8.0), only + "frames"))
    if "store" in R:
        s = R["store"]
        d = s["disk"]
        rows.append(("Storing one completed response of 8 answers (store's commit path: %d "
                     "transactions), disk" % s["transactions_per_response"],
                     mr(d["store_ms"], " ms"), "bare SQLite insert of one row, one transaction: " +
                     mr(d["bare_ms"], " ms"), fmt(d["ratio"], "x"), "≤ 1.5x",
                     verdict(d["ratio"] <= 1.5), only + "store"))
        rows.append(("… per transaction (response time / %d), disk" %
                     s["transactions_per_response"],
                     fmt(d["store_ms"]["median"] / s["transactions_per_response"], " ms"),
                     "bare: " + fmt(d["bare_ms"]["median"], " ms"),
                     fmt(d["ratio"] / s["transactions_per_response"], "x"), "—", "recorded",
                     only + "store"))
        if "tmpfs" in s:
            t = s["tmpfs"]
            rows.append(("… the same on tmpfs (no fsync cost)", mr(t["store_ms"], " ms", 3),
                         "bare: " + mr(t["bare_ms"], " ms", 3), fmt(t["ratio"], "x"), "—",
                         "recorded", only + "store"))
    if "upload" in R:
        u = R["upload"]
        rows.append(("Uploading a backlog of %d responses (%d batches) to the test receiver on "
                     "loopback" % (u["responses"], u["batches"]),
                     mr(u["kiosk_per_s"], " responses/s", 0),
                     "curl posting the same batch bodies: " + mr(u["curl_per_s"],
                                                                 " responses/s", 0),
                     fmt(u["ratio"], "x"), "≥ 0.8x", verdict(u["ratio"] >= 0.8), only + "upload"))
    if "sync-memory" in R:
        s = R["sync-memory"]
        rows.append(("Peak memory of `buurtkiosk sync` at 10,000 and 200,000 queued responses",
                     "10,000: %s; 200,000: %s" % (mr(s["10000"]["peak_mib"], " MiB"),
                                                  mr(s["200000"]["peak_mib"], " MiB")), "—",
                     "difference %s" % fmt(s["difference_mib"], " MiB"), "within 10 MiB",
                     verdict(abs(s["difference_mib"]) <= 10), only + "sync-memory"))
    if "bytes" in R:
        by = R["bytes"]
        rows.append(("Database bytes per stored response (demo survey, every question answered)",
                     fmt(by["per_response"], " bytes", 0), "—", "—", "recorded", "recorded",
                     only + "bytes"))

    if "collector-ingest" in R:
        c = R["collector-ingest"]
        rows.append(("Collector: ingest over HTTP on loopback (batches of 100 responses of 8 "
                     "answers, %d clients in parallel, keep-alive)" % c["clients"],
                     mr(c["http_per_s"], " responses/s", 0),
                     "the same rows inserted straight into the collector's SQLite tables, one "
                     "transaction per batch, same pragmas: " + mr(c["direct_per_s"],
                                                                  " responses/s", 0),
                     fmt(c["ratio"], "x"), "≥ 0.5x", verdict(c["ratio"] >= 0.5),
                     only + "collector-ingest"))
        rows.append(("… request latency of those uploads: p50; p99",
                     "%s; %s" % (mr(c["p50_ms"], " ms"), mr(c["p99_ms"], " ms")), "—", "—",
                     "recorded", "recorded", only + "collector-ingest"))
    if "collector-memory" in R:
        m = R["collector-memory"]
        rows.append(("Collector: peak memory (VmHWM of serve) taking 5,000 responses, with "
                     "10,000 and with 1,000,000 stored",
                     "10,000: %s; 1,000,000: %s" % (fmt(m["10000"]["peak_mib"], " MiB"),
                                                    fmt(m["1000000"]["peak_mib"], " MiB")),
                     "—", "difference %s" % fmt(m["difference_mib"], " MiB"), "within 10 MiB",
                     verdict(abs(m["difference_mib"]) <= 10), only + "collector-memory"))

    if "collector-pg-ingest" in R:
        c = R["collector-pg-ingest"]
        rows.append(("Collector on PostgreSQL: ingest over HTTP on loopback (batches of 100 "
                     "responses of 8 answers, %d clients, keep-alive; fsync on)" % c["clients"],
                     mr(c["http_per_s"], " responses/s", 0),
                     "the same rows loaded with COPY straight into the same tables, one "
                     "transaction per batch, %d connections: " % c["clients"] +
                     mr(c["copy_per_s"], " responses/s", 0),
                     fmt(c["ratio"], "x"), "≥ 0.3x", verdict(c["ratio"] >= 0.3),
                     only + "collector-pg-ingest"))
        rows.append(("… two instances on the one database, each with its own %d clients"
                     % c["clients"], mr(c["two_instances_per_s"], " responses/s", 0),
                     "one instance: " + mr(c["http_per_s"], " responses/s", 0),
                     fmt(c["scaling"], "x"), "—", "recorded", only + "collector-pg-ingest"))
        rows.append(("… request latency, one instance: p50; p99",
                     "%s; %s" % (mr(c["p50_ms"], " ms"), mr(c["p99_ms"], " ms")), "—", "—",
                     "recorded", "recorded", only + "collector-pg-ingest"))
    if "collector-fleet" in R:
        fl = R["collector-fleet"]
        for backend in ("postgresql", "sqlite"):
            if backend not in fl:
                continue
            for key in ("4s", "2s"):
                f = fl[backend].get(key)
                if not f:
                    continue
                ok = f["p99_ms"]["median"] < 100 and f["errors"] == 0
                rows.append(("Collector on %s: %d simulated kiosks, each a batch of 2 responses "
                             "and a heartbeat per simulated minute, %d minutes compressed %gx: "
                             "p99 latency from when each send was due; errors" % (
                                 "PostgreSQL" if backend == "postgresql" else "SQLite",
                                 fl["kiosks"], fl["minutes"], f["compression"]),
                             "%s; %d errors" % (mr(f["p99_ms"], " ms"), f["errors"]),
                             "offered load, all of it taken: %s requests/s (%s responses/s)" % (
                                 fmt(f["requests_per_s"]["median"], "", 0),
                                 fmt(f["responses_per_s"]["median"], "", 0)),
                             "—", "p99 < 100 ms, 0 errors", verdict(ok),
                             only + "collector-fleet"))
    if "collector-export" in R:
        e = R["collector-export"]
        for backend in ("sqlite", "postgresql"):
            if backend not in e:
                continue
            x = e[backend]
            ok = x["export_s"]["median"] < 60 and x["export_peak_mib"]["max"] < 100
            rows.append(("Collector on %s: export of %s stored responses to CSV "
                         "(`export --format csv`): time; peak memory" % (
                             "PostgreSQL" if backend == "postgresql" else "SQLite",
                             "{:,}".format(e["responses"])),
                         "%s; %s" % (mr(x["export_s"], " s"), mr(x["export_peak_mib"], " MiB")),
                         "the database's own client writing the stored bodies, same order (%s): "
                         "%s; %s" % ("psql COPY TO STDOUT" if backend == "postgresql" else
                                     "sqlite3", mr(x["peer_s"], " s"),
                                     mr(x["peer_peak_mib"], " MiB")),
                         fmt(x["ratio"], "x"), "< 60 s, < 100 MiB", verdict(ok),
                         only + "collector-export"))

    if "collector-dashboard" in R:
        d = R["collector-dashboard"]

        def ms(x):
            """median (min–max) in ms, or in s from 10 s on"""
            if x["median"] >= 10000:
                return mr({k: x[k] / 1000.0 for k in ("median", "min", "max")}, " s")
            return mr(x, " ms")
        for backend in ("sqlite", "postgresql"):
            if backend not in d:
                continue
            x = d[backend]
            name = "PostgreSQL" if backend == "postgresql" else "SQLite"
            client = "psql" if backend == "postgresql" else "sqlite3"
            rows.append(("Collector on %s: the wijkdashboard's per-area page (`GET /area/%s`, "
                         "logged in, keep-alive; %d requests), %s responses stored (13 areas, "
                         "12 months; %s of them in %s)" % (
                             name, d["area"], x["page_ms"]["n"], "{:,}".format(d["responses"]),
                             "{:,}".format(x["area_responses"]), d["area"]),
                         ms(x["page_ms"]),
                         "the page's 4 aggregate statements, the same SQL and values, run by "
                         "%s on the same database: %s" % (client, ms(x["peer_ms"])),
                         fmt(x["ratio"], "x"), "< 300 ms",
                         verdict(x["page_ms"]["median"] < 300), only + "collector-dashboard"))
            if "catch_up_ms" in x:
                rows.append(("… the first page after they were stored: it adds all %s to the "
                             "dashboard's tallies first (once; later pages add what came in "
                             "since)" % "{:,}".format(d["responses"]),
                             fmt(x["catch_up_ms"] / 1000.0, " s"), "—", "—", "—", "recorded",
                             only + "collector-dashboard"))
            rows.append(("… the overview (`GET /`: every area, counts of the last 6 months, "
                         "the cohesion score of the last 12)", ms(x["overview_ms"]),
                         "its 2 statements by %s: %s" % (client, ms(x["overview_peer_ms"])),
                         fmt(x["overview_ratio"], "x"), "—", "recorded",
                         only + "collector-dashboard"))

    env = R.get("environment", {})
    lines = []
    lines.append("# Benchmarks")
    lines.append("")
    lines.append("Written by `bench/run.sh` on %s (%.0f minutes)%s. Do not edit by hand: run "
                 "`bench/run.sh` again." % (started, elapsed / 60.0,
                                            "; **--quick: fewer repetitions**" if b.quick else ""))
    lines.append("")
    lines.append("Machine: %s. Load average when the run began: %s. Every figure is measured "
                 "several times next to its baseline or peer in the same run; compare the "
                 "ratios, not the absolute numbers, with other machines." % (
                     env.get("machine", "?"), env.get("loadavg", "?")))
    lines.append("")
    lines.append("Software: %s." % env.get("software", "?"))
    lines.append("")
    lines.append("| figure | Buurtkiosk: median (min–max) | measured against: median (min–max) "
                 "| ratio | target | | reproduce |")
    lines.append("|---|---|---|---|---|---|---|")
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") if i < 6 else "`%s`" % c
                                         for i, c in enumerate(r)) + " |")
    lines.append("")
    notes = R.get("notes_md")
    if notes:
        lines.append(notes)
        lines.append("")
    lines.append("## Repetitions and raw values")
    lines.append("")
    lines.append("```json")
    raw = {k: v for k, v in R.items() if k not in ("notes_md",)}
    lines.append(json.dumps(raw, indent=1, sort_keys=True, default=str))
    lines.append("```")
    lines.append("")
    lines.append("## The exact commands")
    lines.append("")
    lines.append("`bench/run.sh` builds with `cmake -S . -B build-bench "
                 "-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBK_TESTS=OFF -DBK_BENCH=ON`, starts the "
                 "test receiver (`tests/receiver/receiver.py --port 0`), writes the kiosk "
                 "configuration `%s` (config/buurtkiosk.ini pointed at the receiver) and runs, "
                 "per figure:" % b.rel(b.config))
    lines.append("")
    for name in FIGURES:
        if name in b.commands:
            lines.append("**%s**" % name)
            lines.append("")
            lines.append("```sh")
            for c in b.commands[name]:
                c = c.replace("file://" + b.repo + "/", "file://$PWD/")
                lines.append(c.replace(b.repo + "/", ""))
            lines.append("```")
            lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def environment():
    def out(cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  timeout=30).stdout.decode().strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(open("/proc/meminfo").readline().split()[1]) // 1024
    osname = "Linux"
    if os.path.exists("/etc/os-release"):
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip().strip('"')
    pk = out(["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", "libsdl2-2.0-0",
              "libsdl2-ttf-2.0-0", "libsqlite3-0", "libcurl4", "chromium", "hyperfine"])
    return {"machine": "%s, %d cores, %d MiB, %s, kernel %s" % (
        cpu, os.cpu_count(), mem, osname, platform.release()),
        "loadavg": " ".join(open("/proc/loadavg").read().split()[:3]),
        "software": "; ".join(pk.splitlines())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--only", choices=FIGURES)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--notes", help="markdown file with the notes under the table")
    ap.add_argument("--render-only", action="store_true",
                    help="write docs/benchmarks.md again from WORK/results.json (new notes)")
    a = ap.parse_args()
    b = Bench(a)
    if a.render_only:
        with open(os.path.join(b.work, "results.json")) as f:
            saved = json.load(f)
        b.results, b.commands = saved["results"], saved["commands"]
        b.config = os.path.join(b.work, "kiosk.ini")
        b.quick = saved.get("quick", False)
        if a.notes and os.path.exists(a.notes):
            b.results["notes_md"] = open(a.notes).read().strip()
        write_doc(b, os.path.join(b.repo, "docs/benchmarks.md"), saved["started"],
                  saved["elapsed"])
        log("wrote docs/benchmarks.md from %s/results.json" % b.work)
        return
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.monotonic()
    b.results["environment"] = environment()
    b.start_receiver()
    try:
        for name in FIGURES:
            if a.only and name != a.only:
                continue
            getattr(b, "fig_" + name.replace("-", "_"))()
    finally:
        b.stop_receiver()
        b.pg_stop()
    elapsed = time.monotonic() - t0
    if a.notes and os.path.exists(a.notes):
        b.results["notes_md"] = open(a.notes).read().strip()
    with open(os.path.join(b.work, "results.json"), "w") as f:
        json.dump({"results": b.results, "commands": b.commands, "started": started,
                   "elapsed": elapsed, "quick": b.quick}, f, indent=1, default=str)
    if a.only:
        print(json.dumps(b.results.get(a.only), indent=1, default=str))
        log("results in %s/results.json (docs/benchmarks.md is written by a full run)" % b.work)
        return
    write_doc(b, os.path.join(b.repo, "docs/benchmarks.md"), started, elapsed)
    log("wrote docs/benchmarks.md in %.0f s" % elapsed)


if __name__ == "__main__":
    main()
