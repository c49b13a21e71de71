#!/usr/bin/env python3
"""Measure kite under QEMU. Numbers, not verdicts (docs/bench.md).

    python3 scripts/bench.py [--arch x86_64|aarch64] [--idle-seconds 10]
                             [--sections idle,latency,receive,boot,ipi,aml]

Per port (x86_64 on QEMU pc, AArch64 on virt with GICv3, unless --machine
or --gic say otherwise), in one run:

1. Idle: host CPU time of the QEMU process while kite sits at its prompt,
   side by side with a floor guest measured over the same window: kite
   booted with `haltboot`, which halts the CPU with interrupts off right
   after the first message (kern/main.c), so no timer and no device runs.
   The ratio kite/floor is the number the issue's goal names (within
   1.5x). Timer interrupts at idle are the difference of `irqstat`'s
   timer line over the window, against the guest's own clock (`uptime`).
2. Latency: the guest's `bench` command (kern/latency.c), a table in
   clocksource cycles: median, p99, max.
3. Serial receive through `rxcheck`: by interrupt and by polling (the
   reference), then by interrupt with 4 threads spinning (`spin 4 S`):
   the rate against the idle one, and bytes lost (must be 0: the count,
   the CRC-32 and serialstat's overrun and dropped counters).
4. Boot time with 1, 4 and 8 CPUs (issue 11): host time from starting
   QEMU to the shell prompt, and the kernel's own figure from its boot
   line `smp: N of M CPUs online in X ms` (bring-up alone); best of 3.
5. IPIs with 4 CPUs: the `ipi>reply` (IPI round trip) and
   `ipi-wake>thread` (reschedule-IPI wake-up) rows of the guest's
   `bench` table, median/p99/max in clocksource cycles.
6. aml (on the host, no QEMU, once): the load time of the corpus machine
   with the most AML, and of the largest one acpiexec loads in under 2 s,
   in build/host/amldump, load alone and load + initialize (_REG,
   _STA/_INI), against acpiexec on the same tables measured in the same
   run (scripts/aml_corpus.py bench()).

CPU time comes from /proc/PID/task/*/schedstat (nanoseconds, every
thread of QEMU), with /proc/PID/stat's utime+stime (1/CLK_TCK s) beside
it: at a floor of a few ms per second, clock ticks alone are too coarse.

The polled rxcheck spins on the UART's status register, and every access
takes QEMU's big lock, which QEMU's I/O thread needs to deliver the next
bytes: on an idle host it gets about what the line allows, on a loaded
one much less (hence best-of-rounds, and the ratio can exceed 100%).

Nothing here fails on a threshold: the machines are shared and noisy.
It fails only if a guest misbehaves (a wrong CRC, lost bytes, no prompt).
"""
import argparse
import glob
import os
import re
import sys
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import kite  # noqa: E402
import test_threads  # noqa: E402  (ps's table)

CLK_TCK = os.sysconf("SC_CLK_TCK")
PORTS = {"x86_64": {"machine": "pc"}, "aarch64": {"gic": "3"}}


class Misbehaved(Exception):
    """The guest did something wrong (not merely slow)."""


def cpu_stat(pid):
    """User + system CPU seconds of a process, from /proc/PID/stat
    (dead threads included; 1/CLK_TCK resolution)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def cpu_threads(pid):
    """{tid: CPU seconds} of each live thread, from schedstat (ns)."""
    out = {}
    for path in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            with open(path) as f:
                out[path] = int(f.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            pass  # the thread ended meanwhile
    return out


class CpuWindow:
    """CPU time of one process over a window, two ways."""

    def __init__(self, pid):
        self.pid = pid

    def start(self):
        self.s0, self.t0 = cpu_stat(self.pid), cpu_threads(self.pid)

    def stop(self):
        self.s1, self.t1 = cpu_stat(self.pid), cpu_threads(self.pid)
        # A thread born in the window counts from 0; one that died in it
        # is lost to schedstat (but not to stat).
        self.ns = sum(v - self.t0.get(k, 0.0) for k, v in self.t1.items())
        self.ticks = self.s1 - self.s0


def timer_interrupts(g):
    """The sum over CPUs of irqstat's timer line(s), and the guest's
    uptime in seconds, read one right after the other."""
    stat = g.command("irqstat")
    up = g.command("uptime")
    timers = [line for line in kite.irqstat(stat)[1]
              if "timer" in line.actions]
    total, seen = sum(line.total for line in timers), bool(timers)
    m = re.search(r"up (\d+)\.(\d+) s", up)
    if not seen or not m:
        raise Misbehaved("no timer line in irqstat or no uptime:\n%s%s"
                         % (stat, up))
    return total, int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2))


def pct(seconds, wall):
    return 100.0 * seconds / wall


# The floor guests: kite booted with `haltboot` (halted, interrupts off,
# before any timer or device starts). On the PC the firmware (SeaBIOS)
# leaves PIT channel 0 ticking at 18.2 Hz, which QEMU keeps emulating
# with the CPU halted and interrupts off, and which kite stops: so the
# PC also gets a strict floor, the same guest on a machine without a PIT.
FLOORS = {
    "x86_64": [("haltboot", ""), ("haltboot, pit=off", "-machine pit=off")],
    "aarch64": [("haltboot", "")],
}


def idle(arch, port, seconds, g):
    """Idle CPU of g (at its prompt) against the floor guests, run over
    the same window; returns {name: (kite/floor ratio)}."""
    floors = []
    try:
        for name, extra in FLOORS[arch]:
            opts = dict(port)
            opts["extra"] = (opts.get("extra", "") + " " + extra).strip()
            floors.append((name, kite.Guest(arch, cmdline="haltboot",
                                            **opts)))
        for _, f in floors:
            f.expect("haltboot: halting", timeout=60)
        # Let all settle: the floors' boot firmware, kite's last output.
        time.sleep(1)
        ticks0, up0 = timer_interrupts(g)
        windows = [CpuWindow(g.proc.pid)] + [CpuWindow(f.proc.pid)
                                             for _, f in floors]
        w0 = time.monotonic()
        for w in windows:
            w.start()
        time.sleep(seconds)
        for w in windows:
            w.stop()
        wall = time.monotonic() - w0
        ticks1, up1 = timer_interrupts(g)
    finally:
        for _, f in floors:
            f.close()
    kw, ratios = windows[0], {}
    print("%s: idle host CPU over %.1f s: kite %.3f%% of one core "
          "(utime+stime at %d Hz: %.1f%%)"
          % (arch, wall, pct(kw.ns, wall), CLK_TCK, pct(kw.ticks, wall)))
    for (name, _), fw in zip(floors, windows[1:]):
        ratios[name] = kw.ns / fw.ns if fw.ns > 0 else float("inf")
        print("%s:   floor (%s) %.3f%% (%.1f%%): kite/floor = %.1fx, "
              "kite - floor = %.2f ms of host CPU per second"
              % (arch, name, pct(fw.ns, wall), pct(fw.ticks, wall),
                 ratios[name], 1000 * (kw.ns - fw.ns) / wall))
    guest_s = up1 - up0
    print("%s: timer interrupts at idle: %d in %.2f s of guest time "
          "(%.1f/s)" % (arch, ticks1 - ticks0, guest_s,
                        (ticks1 - ticks0) / guest_s if guest_s > 0 else 0))
    return ratios


LAT_ROW = re.compile(r"^\s*([a-z][\w>:-]*)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)"
                     r"\s+(\d+)\s*$", re.M)


def latency(arch, g):
    """The guest's `bench` table: {name: (n, min, median, p99, max)}."""
    out = g.command("bench", timeout=120)
    if "unknown command" in out:
        print("%s: latency: no `bench` command in this kernel" % arch)
        return {}
    print("%s: bench (in the guest):" % arch)
    for line in out.rstrip().splitlines():
        print("%s:   %s" % (arch, line))
    rows = {m.group(1): tuple(int(x) for x in m.groups()[1:])
            for m in LAT_ROW.finditer(out)}
    if not rows:
        raise Misbehaved("`bench` printed no table:\n" + out)
    return rows


def serial_counters(g):
    stat = g.command("serialstat")
    m = re.search(r"overrun (\d+) .*dropped (\d+)", stat)
    if not m:
        raise Misbehaved("serialstat without counters:\n" + stat)
    return int(m.group(1)), int(m.group(2))


def rxcheck(g, arch, size, mode, label=None):
    """Send size random bytes to `rxcheck`: (KiB/s, seconds). Raises
    Misbehaved if bytes were lost or changed."""
    data = os.urandom(size)
    g.send("rxcheck %d%s\r" % (size, " poll" if mode == "poll" else ""))
    g.expect("rxcheck: send %d bytes" % size)
    t = time.monotonic()
    g.send(data.decode("latin-1"))
    try:
        m = g.expect(r"rxcheck: (\d+) bytes crc32 ([0-9a-f]{8})",
                     timeout=max(120, size / 1024))
    except kite.Timeout:
        # Bytes lost: the guest waits for more. Fill it up to end the run.
        filler = 0
        while filler < size:
            g.send("\0" * 64)
            filler += 64
            try:
                g.expect(r"rxcheck: (\d+) bytes", timeout=1)
                break
            except kite.Timeout:
                pass
        raise Misbehaved("%s: rxcheck %s: bytes lost (%d filler bytes "
                         "ended it)" % (arch, label or mode, filler))
    dt = time.monotonic() - t
    ok = (int(m.group(1)) == size
          and int(m.group(2), 16) == zlib.crc32(data))
    g.expect(re.escape(kite.PROMPT))
    print("%s: rxcheck %d bytes %s: %s, %.2f s, %.0f KiB/s"
          % (arch, size, label or ("by interrupt" if mode == "irq"
                                   else "by polling"),
             "intact" if ok else "CORRUPT", dt, size / 1024 / dt))
    if not ok:
        raise Misbehaved("%s: rxcheck %s: corrupt" % (arch, label or mode))
    return size / 1024 / dt, dt


def receive(arch, g, size, rounds):
    best = {"irq": 0.0, "poll": 0.0}
    for _ in range(rounds):
        for mode in ("irq", "poll"):
            best[mode] = max(best[mode], rxcheck(g, arch, size, mode)[0])
    print("%s: receive by interrupt %.0f KiB/s, by polling %.0f KiB/s "
          "(best of %d): interrupt/poll = %.0f%%"
          % (arch, best["irq"], best["poll"], rounds,
             100 * best["irq"] / best["poll"]))
    return best


def spin_cpu_ms(g):
    """CPU-MS summed over the spin threads in `ps`."""
    rows = test_threads.ps_rows(g.command("ps"))
    return sum(r["cpu_ms"] for name, rs in rows.items()
               if test_threads.SPIN.search(name) for r in rs)


def receive_spinning(arch, g, size, idle_rate, spin_seconds):
    """rxcheck while `spin 4 S` runs; the rate against idle_rate."""
    before = serial_counters(g)
    out = g.command("spin 4 %d" % spin_seconds)
    if "unknown command" in out:
        print("%s: receive with 4 threads spinning: no `spin` command in "
              "this kernel" % arch)
        return None
    t0 = time.monotonic()
    spun0 = spin_cpu_ms(g)
    rate, dt = rxcheck(g, arch, size, "irq", "with 4 threads spinning")
    spun = spin_cpu_ms(g) - spun0
    inside = time.monotonic() - t0 < spin_seconds
    after = serial_counters(g)
    lost = (after[0] - before[0], after[1] - before[1])
    print("%s: receive with 4 threads spinning: %.0f KiB/s = %.0f%% of "
          "idle (%.0f KiB/s); lost: 0 bytes (crc32 intact), overrun +%d, "
          "dropped +%d%s"
          % (arch, rate, 100 * rate / idle_rate, idle_rate, lost[0], lost[1],
             "" if inside else "; NOTE: the spin ended before rxcheck did"))
    print("%s:   the spinners ran %d ms of guest CPU meanwhile (ps)%s"
          % (arch, spun, "" if spun > 0 else ": NOTE: they never ran, so "
             "this is no measurement under load (does the shell block?)"))
    if lost != (0, 0):
        raise Misbehaved("%s: serial counters moved while spinning: %r"
                         % (arch, lost))
    return rate  # (the spinners end with the guest: nothing follows)


BOOT_LINE = re.compile(r"smp: (\d+) of (\d+) CPUs online in ([\d.]+) ms")


def boot_once(arch, port, ncpus):
    """(host seconds from QEMU start to the prompt, the kernel's bring-up
    ms or None, its first smp: line or None) for one boot with ncpus
    CPUs."""
    t0 = time.monotonic()
    g = kite.Guest(arch, **dict(port, smp=str(ncpus)))
    try:
        g.expect(re.escape(kite.PROMPT), timeout=180)
        host = time.monotonic() - t0
        m = BOOT_LINE.search(g.out)
        if m and int(m.group(1)) != ncpus:
            raise Misbehaved("%d CPUs asked for: %s" % (ncpus, m.group(0)))
        said = re.search(r"^smp: .*$", g.out, re.M)
        return host, float(m.group(3)) if m else None, said and said.group(0)
    finally:
        g.close()


def boot_times(arch, port, rounds, counts=(1, 4, 8)):
    """Boot time with 1, 4 and 8 CPUs, best of rounds."""
    print("%s: boot time, best of %d (host: QEMU start to the prompt; "
          "kernel: its `smp: ... in X ms` line)" % (arch, rounds))
    for n in counts:
        runs = [boot_once(arch, port, n) for _ in range(rounds)]
        host = min(r[0] for r in runs)
        kern = [r[1] for r in runs if r[1] is not None]
        print("%s:   %d CPU%s: host %.3f s (worst %.3f s), kernel %s"
              % (arch, n, "" if n == 1 else "s", host,
                 max(r[0] for r in runs),
                 "%.3f ms" % min(kern) if kern else
                 "-- (%s)" % (runs[0][2] or "no smp: line")))


IPI_ROWS = ("ipi>reply", "ipi-wake>thread")


def ipi_latency(arch, port, ncpus=4):
    """The IPI rows of `bench` on a guest with ncpus CPUs."""
    g = kite.Guest(arch, **dict(port, smp=str(ncpus)))
    try:
        g.expect(re.escape(kite.PROMPT), timeout=180)
        out = g.command("bench", timeout=300)
    finally:
        g.close()
    rows = {m.group(1): tuple(int(x) for x in m.groups()[1:])
            for m in LAT_ROW.finditer(out)}
    print("%s: IPIs with %d CPUs (bench, cycles): %s"
          % (arch, ncpus, "median / p99 / max"))
    for name in IPI_ROWS:
        if name in rows:
            n, _, med, p99, mx = rows[name]
            print("%s:   %-16s n %d  median %d  p99 %d  max %d"
                  % (arch, name, n, med, p99, mx))
        else:
            said = [l for l in out.splitlines() if name in l]
            print("%s:   %-16s not measured%s" % (
                arch, name, ": " + said[0].strip() if said else
                " (no such row in this kernel's bench)"))
    return rows


SECTIONS = ("idle", "latency", "receive", "boot", "ipi", "aml")
QEMU_SECTIONS = SECTIONS[:-1]


def bench_one_cpu(arch, port, a):
    t0 = time.monotonic()
    g = kite.Guest(arch, **port)
    try:
        g.expect(re.escape(kite.PROMPT), timeout=60)
        print("%s: QEMU start to prompt %.2f s" % (arch,
                                                   time.monotonic() - t0))
        if "idle" in a.sections:
            idle(arch, port, a.idle_seconds, g)
        if "latency" in a.sections:
            latency(arch, g)
        if "receive" in a.sections:
            best = receive(arch, g, a.rx_bytes, a.rounds)
            receive_spinning(arch, g, a.rx_bytes, best["irq"],
                             a.spin_seconds)
        over, drop = serial_counters(g)
        print("%s: serialstat at the end: overrun %d, dropped %d"
              % (arch, over, drop))
        return over == 0 and drop == 0
    finally:
        g.close()


def bench(arch, port, a):
    try:
        ok = True
        if {"idle", "latency", "receive"} & set(a.sections):
            ok = bench_one_cpu(arch, port, a)
        if "boot" in a.sections:
            boot_times(arch, port, a.boot_rounds)
        if "ipi" in a.sections:
            ipi_latency(arch, port)
        return ok
    except (Misbehaved, kite.Timeout) as e:
        print("%s: FAILED: %s" % (arch, e))
        return False


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--arch", default="", help="x86_64 or aarch64 (both)")
    ap.add_argument("--machine", default="", help="x86_64: pc or q35")
    ap.add_argument("--gic", default="", help="aarch64: 3 or 2")
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--rx-bytes", type=int, default=262144,
                    help="bytes per rxcheck run")
    ap.add_argument("--rounds", type=int, default=2,
                    help="rounds of (interrupt, poll) runs")
    ap.add_argument("--spin-seconds", type=int, default=60,
                    help="how long `spin 4 S` runs around its rxcheck")
    ap.add_argument("--boot-rounds", type=int, default=3,
                    help="boots per CPU count (the best is printed)")
    ap.add_argument("--sections", default=",".join(SECTIONS),
                    help="which measurements, of: " + ",".join(SECTIONS))
    a = ap.parse_args()
    a.sections = a.sections.split(",")
    bad = set(a.sections) - set(SECTIONS)
    if bad:
        ap.error("unknown section(s) %s" % ",".join(sorted(bad)))
    ok = True
    if "aml" in a.sections:
        # The AML interpreter's load time on the host (no QEMU), against
        # acpiexec on the same tables (docs/bench.md).
        sys.path.insert(0, os.path.join(ROOT, "scripts"))
        import aml_corpus
        aml_corpus.bench()
    if not set(a.sections) & set(QEMU_SECTIONS):
        sys.exit(0)
    for arch in [a.arch] if a.arch else ["x86_64", "aarch64"]:
        port = dict(PORTS[arch])
        if a.machine and arch == "x86_64":
            port["machine"] = a.machine
        if a.gic and arch == "aarch64":
            port["gic"] = a.gic
        ok = bench(arch, port, a) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
