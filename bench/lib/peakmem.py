#!/usr/bin/env python3
"""peakmem.py: peak memory of a command and of every process it starts.

usage: peakmem.py [--interval S] -- COMMAND [ARG...]

Runs COMMAND in a new session and, every --interval seconds (default
0.005), reads VmHWM and VmRSS of every process in that session from /proc.
When COMMAND has exited (and every process it started is gone, at most 10 s
later), prints one JSON object on stdout:

  rc                 COMMAND's exit status
  wall_s             its run time (slowed a little by the polling)
  rusage_maxrss_kib  the largest resident set of COMMAND and of every
                     descendant that was waited for (getrusage: exact)
  largest_kib        the largest peak resident set (VmHWM) of any single
                     process seen, or rusage_maxrss_kib when larger
  largest_name       that process (program name and Chromium's --type)
  sum_rss_peak_kib   the largest sum of VmRSS over all processes at one
                     sample (shared pages count once per process)
  sum_pss_peak_kib   the same with Pss (shared pages divided among the
                     processes that share them): the whole tree's memory
  processes          how many processes were seen
"""
import json
import os
import subprocess
import sys
import time


def session_of(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
    except OSError:
        return None
    rest = data[data.rfind(b")") + 2:].split()
    return int(rest[3])  # state ppid pgrp session


def status_kib(pid):
    hwm = rss = 0
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
    except OSError:
        return None
    return hwm, rss


def pss_kib(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def name_of(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return "?"
    name = os.path.basename(args[0].decode(errors="replace")) if args else "?"
    for a in args:
        if a.startswith(b"--type="):
            name += " " + a.decode(errors="replace")
    return name


def main():
    argv = sys.argv[1:]
    interval = 0.005
    if len(argv) >= 2 and argv[0] == "--interval":
        interval = float(argv[1])
        argv = argv[2:]
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        sys.exit(__doc__)
    start = time.monotonic()
    child = subprocess.Popen(argv, start_new_session=True)
    sid = child.pid
    peak = {}   # pid -> (hwm, name)
    sum_peak = pss_peak = 0
    rc = None
    usage = None
    wall = None
    gone_deadline = None
    while True:
        total = total_pss = 0
        alive = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            if session_of(pid) != sid:
                continue
            st = status_kib(pid)
            if st is None:
                continue
            alive += 1
            hwm, rss = st
            total += rss
            total_pss += pss_kib(pid)
            if pid not in peak or hwm > peak[pid][0]:
                peak[pid] = (hwm, name_of(pid))
        sum_peak = max(sum_peak, total)
        pss_peak = max(pss_peak, total_pss)
        if rc is None:
            pid, status, ru = os.wait4(sid, os.WNOHANG)
            if pid == sid:
                wall = time.monotonic() - start
                rc = os.waitstatus_to_exitcode(status)
                usage = ru
                gone_deadline = time.monotonic() + 10
        if rc is not None and (alive == 0 or time.monotonic() > gone_deadline):
            break
        time.sleep(interval)
    largest_pid = max(peak, key=lambda p: peak[p][0]) if peak else None
    largest = peak[largest_pid][0] if largest_pid else 0
    name = peak[largest_pid][1] if largest_pid else "?"
    if usage.ru_maxrss > largest:
        largest, name = usage.ru_maxrss, os.path.basename(argv[0]) + " (or a child: rusage)"
    print(json.dumps({"rc": rc, "wall_s": round(wall, 4), "rusage_maxrss_kib": usage.ru_maxrss,
                      "largest_kib": largest, "largest_name": name,
                      "sum_rss_peak_kib": sum_peak, "sum_pss_peak_kib": pss_peak, "processes": len(peak)}))


if __name__ == "__main__":
    main()
