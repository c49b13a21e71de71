"""`cpus` (docs/boot.md, docs/smp.md): the CPUs the firmware describes,
from the ACPI MADT on x86_64 and the device tree's /cpus on AArch64, and
their state since SMP bring-up (issue 11).

- With 4 CPUs (QEMU -smp 4): four rows, numbered 0-3, with distinct
  hardware ids, every one online with its interrupt count and idle
  share; on AArch64 each CPU's enable-method is psci with the /psci
  node's conduit.
- With 1 CPU: one row, CPU 0 online; its interrupt count grows between
  two `cpus` (the serial input of the second one).

test_smp.py boots 4 and 8 CPUs on every interrupt controller.
"""
import re

from kite import Guest, PROMPT

# cmd_cpu.c: CPU HW-ID FIRMWARE STATE IRQS IDLE [METHOD]
ROW = re.compile(r"^ *(\d+) +(0x[0-9a-f]+) +(\S+) +(online|not started|"
                 r"starting|failed) +(\d+|-) +([\d.]+%|-)(?: (\S+))?\r?$",
                 re.M)
HEADER = re.compile(r"CPU +HW-ID +FIRMWARE +STATE +IRQS +IDLE")


def cpus_rows(arch, ncpus, again=False, **opts):
    # make test passes its own SMP; this test picks the count itself.
    opts = dict(opts, smp=str(ncpus))
    with Guest(arch, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=120)
        out = g.command("cpus", timeout=60)
        if again:
            # Typing the second command takes serial interrupts: the
            # boot CPU's count is live, not a snapshot from boot.
            first = int(ROW.search(out).group(5))
            out = g.command("cpus", timeout=60)
            assert int(ROW.search(out).group(5)) > first, out
    assert HEADER.search(out), out
    return [m.groups() for m in ROW.finditer(out)], out


def check_online(row, out):
    _, _, fw, state, irqs, idle, _ = row
    assert state == "online", out
    assert fw == "enabled", out
    assert irqs.isdigit(), out
    assert 0.0 <= float(idle[:-1]) <= 100.0, out


def check_boot_cpu(row, out):
    check_online(row, out)
    assert row[0] == "0", out
    assert int(row[4]) > 0, out  # the tick and the serial port have run


def test_cpus_lists_four(arch, **opts):
    rows, out = cpus_rows(arch, 4, **opts)
    assert len(rows) == 4, out
    assert [r[0] for r in rows] == ["0", "1", "2", "3"], out
    assert len({r[1] for r in rows}) == 4, out  # distinct hardware ids
    check_boot_cpu(rows[0], out)
    for r in rows[1:]:
        # Online since SMP bring-up; each secondary has taken at least
        # the reschedule IPIs that woke its idle loop, but tickless and
        # with few device lines it may have taken none: a count only.
        check_online(r, out)
    if arch == "aarch64":
        # QEMU virt with -smp > 1: enable-method "psci", and the /psci
        # node's conduit (smc when QEMU runs the guest at EL2, else hvc).
        assert all(r[6] and r[6].startswith("psci/") for r in rows), out


def test_cpus_lists_one(arch, **opts):
    rows, out = cpus_rows(arch, 1, again=True, **opts)
    assert len(rows) == 1, out
    check_boot_cpu(rows[0], out)


TESTS = [
    test_cpus_lists_four,
    test_cpus_lists_one,
]


if __name__ == "__main__":
    import sys
    for a in sys.argv[1:] or ["x86_64", "aarch64"]:
        for t in TESTS:
            t(a)
            print("ok %s %s" % (a, t.__name__))
