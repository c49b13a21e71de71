#!/usr/bin/env python3
"""Measure kite under QEMU: time to the prompt, idle host CPU at the
prompt, and serial receive throughput through `rxcheck`.

    python3 scripts/bench.py [--arch x86_64|aarch64] [--idle-seconds 10]

Numbers, not verdicts: the machines are shared and noisy, so nothing here
fails on a threshold; it fails only if the guest misbehaves (a wrong CRC).
"""
import argparse
import os
import re
import sys
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import kite  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time of a process, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def bench(arch, idle_seconds, sizes):
    t0 = time.monotonic()
    g = kite.Guest(arch)
    try:
        g.expect(re.escape(kite.PROMPT), timeout=60)
        boot = time.monotonic() - t0
        print("%s: QEMU start to prompt %.2f s" % (arch, boot))

        time.sleep(1)
        c0, w0 = cpu_seconds(g.proc.pid), time.monotonic()
        time.sleep(idle_seconds)
        c1, w1 = cpu_seconds(g.proc.pid), time.monotonic()
        print("%s: idle at the prompt: %.1f%% of one host CPU over %.0f s"
              % (arch, 100 * (c1 - c0) / (w1 - w0), w1 - w0))

        for size in sizes:
            data = os.urandom(size)
            g.send("rxcheck %d\r" % size)
            g.expect("rxcheck: send %d bytes" % size)
            t = time.monotonic()
            g.send(data.decode("latin-1"))
            m = g.expect(r"rxcheck: (\d+) bytes crc32 ([0-9a-f]{8})",
                         timeout=600)
            dt = time.monotonic() - t
            ok = (int(m.group(1)) == size
                  and int(m.group(2), 16) == zlib.crc32(data))
            print("%s: rxcheck %d bytes: %s, %.2f s, %.0f KiB/s"
                  % (arch, size, "intact" if ok else "CORRUPT", dt,
                     size / 1024 / dt))
            if not ok:
                return False
            g.expect(re.escape(kite.PROMPT))
        return True
    finally:
        g.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--arch", default="x86_64")
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--sizes", default="65536,1048576,4194304")
    a = ap.parse_args()
    ok = bench(a.arch, a.idle_seconds, [int(s) for s in a.sizes.split(",")])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
