"""Every CPU (issue 11, docs/smp.md), seen from the shell with 4 and 8
CPUs on each interrupt controller: x86_64 pc and q35 (LAPIC, I/O APIC),
AArch64 GICv3 and GICv2. Each test picks its own CPU count (QEMU -smp),
whatever `make test SMP=` says; scripts/test.py runs SMP_TESTS on those
four machines.

- Boot: `smp: 4 of 4 CPUs online in X ms`, nothing left out; `cpus` has
  four online rows with distinct hardware ids; irqstat has a column per
  CPU and the IPI rows (IPI-resched, IPI-call, IPI-stop); ps has an idle
  thread per CPU, each on its own CPU.
- `irqaffinity IRQ CPU` on the serial console's line: that line's counts
  then grow in the chosen CPU's column of irqstat only, and back again.
  Bad requests (an offline CPU, no such line) are refused and change
  nothing.
- 1 MiB through `rxcheck`, count and CRC-32 intact, nothing overrun or
  dropped, while `irqaffinity IRQ rotate MS COUNT` moves the line round
  every CPU (each CPU's column grows during the transfer).
- `panic` with 4 CPUs: every other CPU says `CPU n: stopped` exactly
  once, and the report comes out once and whole (no other line inside
  it); then nothing answers.
- `spin 4 S`: ps shows the spinners on more than one CPU, no two running
  threads on one CPU, and reschedule IPIs were sent.
- 8 CPUs boot and come online.

QEMU TCG runs each vCPU as a host thread: 8 of them on a 2-core host is
slow. Every wait is for a condition, with generous bounds; nothing times
the guest.
"""
import os
import re
import time

from kite import Guest, PROMPT, Timeout, irq_line, irqstat
from test_serial import rxcheck, serialstat
from test_shell import FAULTS, SERIAL_ACTION
from test_threads import ps_rows, spinners

BOOT_TIMEOUT = 180  # QEMU start to the prompt, 8 vCPUs on a loaded host
CMD_TIMEOUT = 60    # one shell command's answer
BOOT_LINE = r"smp: (\d+) of (\d+) CPUs online in ([\d.]+) ms"
LEFT_OUT = re.compile(r"^smp: CPU \d+ \(hwid 0x[0-9a-f]+\) (did not come "
                      r"online|not started)[^\n]*$", re.M)
# cmd_cpu.c: CPU HW-ID FIRMWARE STATE IRQS IDLE [METHOD]
CPU_ROW = re.compile(r"^ *(\d+) +(0x[0-9a-f]+) +(\S+) +(online|not started|"
                     r"starting|failed) +(\d+|-) +([\d.]+%|-)(?: (\S+))?$",
                     re.M)
AFFINITY = re.compile(r"^irq (\d+): affinity ([\d,-]+) effective ([\d,-]+)$",
                      re.M)
IPI_ACTIONS = ("IPI-resched", "IPI-call", "IPI-stop")
ROTATE_MS, ROTATE_COUNT = 20, 150  # 3 s of moves: inside a 5-10 s rxcheck


def boot(arch, ncpus, **opts):
    """A guest with ncpus CPUs at its prompt; checks the boot line."""
    g = Guest(arch, **dict(opts, smp=str(ncpus)))
    try:
        # The boot line comes before the prompt: a prompt first fails now.
        m = g.expect(BOOT_LINE + "|" + re.escape(PROMPT),
                     timeout=BOOT_TIMEOUT)
        assert m.group(1), \
            "no smp boot line before the prompt:\n" + g.out[-1500:]
        assert (int(m.group(1)), int(m.group(2))) == (ncpus, ncpus), \
            m.group(0)
        g.expect(re.escape(PROMPT), timeout=BOOT_TIMEOUT)
        assert not LEFT_OUT.search(g.out), LEFT_OUT.search(g.out).group(0)
    except BaseException:
        g.close()
        raise
    return g


def cpu_list(text):
    """"0,2" or "1-3" as a sorted list of CPU numbers."""
    cpus = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return sorted(cpus)


def check_cpus(g, ncpus):
    """`cpus`: ncpus rows numbered from 0, all online, distinct hwids."""
    out = g.command("cpus", timeout=CMD_TIMEOUT)
    rows = [m.groups() for m in CPU_ROW.finditer(out)]
    assert [int(r[0]) for r in rows] == list(range(ncpus)), out
    assert all(r[3] == "online" for r in rows), out
    assert len({r[1] for r in rows}) == ncpus, out  # distinct hardware ids
    for r in rows:
        assert r[4].isdigit() and 0.0 <= float(r[5][:-1]) <= 100.0, out
    assert int(rows[0][4]) > 0, out  # CPU 0 has taken the serial input
    return rows


def check_irqstat_columns(g, ncpus):
    out = g.command("irqstat", timeout=CMD_TIMEOUT)
    cpus, lines = irqstat(out)
    assert cpus == list(range(ncpus)), out
    for action in IPI_ACTIONS:
        assert irq_line(out, action), (action, out)
    return out


def serial_counts(g, arch):
    """The serial console line's irqstat row: (irq, {cpu: count})."""
    out = g.command("irqstat", timeout=CMD_TIMEOUT)
    cpus, _ = irqstat(out)
    line = irq_line(out, SERIAL_ACTION[arch])
    assert line, out
    return line.irq, dict(zip(cpus, line.counts))


def affinity(g, irq, *cpus):
    """`irqaffinity IRQ [CPU...]`: (affinity, effective) CPU lists."""
    line = "irqaffinity %d%s" % (irq, "".join(" %d" % c for c in cpus))
    out = g.command(line, timeout=CMD_TIMEOUT)
    m = AFFINITY.search(out)
    assert m and int(m.group(1)) == irq, (line, out)
    return cpu_list(m.group(2)), cpu_list(m.group(3))


def test_smp_boots_four_online(arch, **opts):
    with boot(arch, 4, **opts) as g:
        rows = check_cpus(g, 4)
        if arch == "aarch64":
            assert all(r[6] and r[6].startswith("psci/") for r in rows), rows
        check_irqstat_columns(g, 4)
        rows = ps_rows(g.command("ps", timeout=CMD_TIMEOUT))
        # One idle thread per CPU: "idle" (CPU 0's) and idle/N, each on
        # its own CPU.
        for n in range(4):
            name = "idle" if n == 0 else "idle/%d" % n
            assert name in rows, (name, rows)
            assert rows[name][0].get("cpu") == n, (name, rows[name])


def move_and_check(g, arch, irq, cpu):
    """Route irq to cpu alone; its counts then grow in that column only."""
    aff, eff = affinity(g, irq, cpu)
    assert aff == [cpu] and eff == [cpu], (cpu, aff, eff)
    # This irqstat's own typing already came in on the new CPU; the move
    # is settled before it (an interrupt in flight lands within the
    # irqaffinity command's round trip).
    _, before = serial_counts(g, arch)
    for i in range(3):
        assert g.command("echo traffic %d for CPU %d" % (i, cpu),
                         timeout=CMD_TIMEOUT).strip() == \
            "traffic %d for CPU %d" % (i, cpu)
    _, after = serial_counts(g, arch)
    grew = sorted(c for c in after if after[c] != before[c])
    assert grew == [cpu], "irq %d on CPU %d: counts %s then %s" % (
        irq, cpu, before, after)


def test_irqaffinity_moves_serial_counts(arch, **opts):
    with boot(arch, 4, **opts) as g:
        irq, _ = serial_counts(g, arch)
        _, home = affinity(g, irq)
        assert len(home) == 1 and 0 <= home[0] < 4, home
        away = (home[0] + 1) % 4
        move_and_check(g, arch, irq, away)
        move_and_check(g, arch, irq, home[0])
        # Refused, and nothing changes: an offline CPU, an unknown line.
        for bad in ("irqaffinity %d 5" % irq, "irqaffinity %d 99" % irq,
                    "irqaffinity 9999 0"):
            out = g.command(bad, timeout=CMD_TIMEOUT)
            assert re.search(r"^irqaffinity: ", out, re.M), (bad, out)
        assert affinity(g, irq) == ([home[0]], home), g.out[-2000:]


def test_rxcheck_1m_while_rotating(arch, **opts):
    with boot(arch, 4, **opts) as g:
        irq, _ = serial_counts(g, arch)
        stat0 = serialstat(g)
        start = len(g.out)
        out = g.command("irqaffinity %d rotate %d %d"
                        % (irq, ROTATE_MS, ROTATE_COUNT), timeout=CMD_TIMEOUT)
        # It says it started (its wording is its own); an error or a
        # usage line here would mean no rotation: the final line checks.
        assert not re.search(r"^usage", out, re.M), out
        _, before = serial_counts(g, arch)
        rxcheck(g, os.urandom(1 << 20))
        _, after = serial_counts(g, arch)
        # The line went round every CPU while the mebibyte came in.
        grew = sorted(c for c in after if after[c] > before[c])
        assert grew == [0, 1, 2, 3], (before, after)
        g.wait_for(r"irqaffinity: irq %d rotated %d times"
                   % (irq, ROTATE_COUNT), start, timeout=120)
        stat1 = serialstat(g)
        for name in ("overrun", "dropped"):
            assert stat1[name] == stat0[name], (stat0, stat1)
        # Still delivered wherever the rotation left it.
        assert g.command("echo after rotating",
                         timeout=CMD_TIMEOUT).strip() == "after rotating"


# What a panic report's lines look like (kern/panic.c, arch_dump_caller):
# "*** ..." headers, register lines, the backtrace. Anything else inside
# the report came from elsewhere.
REPORT_LINE = re.compile(r"\*\*\* .*|Backtrace:|  #[\d-]+ .*|  \(.*\)|"
                         r"[A-Za-z][A-Za-z0-9]* +[0-9a-f]{4,16}( .*)?|")
STOPPED = re.compile(r"^CPU (\d+): stopped$", re.M)


def test_panic_stops_every_cpu(arch, **opts):
    with boot(arch, 4, **opts) as g:
        start = len(g.out)
        g.send("panic\r")
        head = g.expect(r"\n\*\*\* PANIC: requested from the shell\n",
                        timeout=CMD_TIMEOUT)
        end = g.expect(r"\*\*\* system halted\n", timeout=CMD_TIMEOUT)
        report = g.out[head.start() + 1:end.end()]
        for line in report.splitlines():
            assert REPORT_LINE.fullmatch(line), \
                "%r inside the report:\n%s" % (line, report)
        for rx in FAULTS[arch]["regs"]:
            assert re.search(rx, report), (rx, report)
        assert re.search(r"Backtrace:\n  #0 ", report), report
        # Halted with interrupts off: nothing answers any more. (Waiting
        # for that also gives a late "stopped" line time to show.)
        g.send("echo still here\r")
        try:
            g.expect("still here", timeout=5)
            raise AssertionError("the shell answered after a panic")
        except Timeout:
            pass
        after = g.out[start:]
        assert after.count("*** PANIC:") == 1, after
        assert after.count("Backtrace:") == 1, after
        stopped = [int(n) for n in STOPPED.findall(after)]
        assert len(stopped) == 3 == len(set(stopped)), after
        assert set(stopped) < {0, 1, 2, 3}, after
        panicking = ({0, 1, 2, 3} - set(stopped)).pop()
        named = re.search(r"\bCPU (\d+)\b", report)
        assert not named or int(named.group(1)) == panicking, report


def test_spin_spreads_over_cpus(arch, **opts):
    with boot(arch, 4, **opts) as g:
        ipi0 = irq_line(g.command("irqstat", timeout=CMD_TIMEOUT),
                        "IPI-resched")
        out = g.command("spin 4 30", timeout=CMD_TIMEOUT)
        assert "spin: 4 of 4 threads spinning for 30 s" in out, out
        # Until ps sees them on more than one CPU (they start on the
        # shell's CPU's queue; wakes spread them), bounded by the spin.
        deadline = time.monotonic() + 25
        while True:
            out = g.command("ps", timeout=CMD_TIMEOUT)
            rows = ps_rows(out)
            spin = spinners(rows)
            assert len(spin) == 4, out
            assert all("cpu" in r for r in spin), "no CPU column:\n" + out
            running = [r["cpu"] for rs in rows.values() for r in rs
                       if r["state"] == "running"]
            # A CPU runs one thread at a time.
            assert len(running) == len(set(running)) <= 4, out
            on = {r["cpu"] for r in spin if r["cpu"] is not None}
            if len(on) > 1 or time.monotonic() > deadline:
                break
        assert len(on) > 1, "the spinners all on CPU %s:\n%s" % (on, out)
        ipi1 = irq_line(g.command("irqstat", timeout=CMD_TIMEOUT),
                        "IPI-resched")
        assert ipi1.total > ipi0.total, (ipi0, ipi1)


def test_smp_boots_eight_online(arch, **opts):
    with boot(arch, 8, **opts) as g:
        check_cpus(g, 8)
        check_irqstat_columns(g, 8)
        assert g.command("echo eight", timeout=CMD_TIMEOUT).strip() == "eight"


# With their own CPU counts, on x86_64 pc and q35, AArch64 GICv3 and GICv2.
SMP_TESTS = [
    test_smp_boots_four_online,
    test_irqaffinity_moves_serial_counts,
    test_rxcheck_1m_while_rotating,
    test_panic_stops_every_cpu,
    test_spin_spreads_over_cpus,
    test_smp_boots_eight_online,
]
