"""Threads seen from the shell (issue 10): `ps`, `spin`, `sleep MS`
(docs/threads.md), `pslater` (docs/bench.md).

- `ps` lists main (id 1) and idle with their priorities; `spin` starts
  named background threads at PRIO_LOW and checks its arguments.

- While idle the shell blocks on its input: between two `ps` a second of
  idle apart, the shell's switch count and CPU time barely move (a shell
  that polled, even with yields or 1 ms sleeps, would switch thousands of
  times), and the idle thread is the one that ran.
- 1 MiB through `rxcheck`, intact and with nothing overrun or dropped,
  while `spin 4 S` keeps four CPU-bound threads busy: the receive path
  (interrupt, then the woken reader) outranks background threads. Keys
  typed on the PS/2 keyboard (QMP) arrive decoded while they spin.
- `sleep 500` takes half a second of guest time: measured in the guest
  (`uptime` before and after, typed ahead in one write so no host round
  trip lies between), never shorter, and not much longer at the best of
  a few tries (a loaded host can stretch one try, not all of them).

No timing assertion beyond that: latencies are `make bench`'s job.
"""
import os
import re
import time

from kite import Guest, PROMPT
from test_serial import rxcheck, serialstat
from test_shell import kbd_command

# `ps` (kern/thread.c sched_print_threads):
#   ID NAME  STATE  PRIO(now/base)  [CPU]  CPU-MS  SWITCHES  WAITS-ON
# CPU (issue 11): the CPU the thread runs on or last ran on. Rows are read
# by the header's column names; WAITS-ON, the last, may hold spaces.
PS_HEADER = re.compile(r"^ +ID +NAME +STATE +[A-Z -]*WAITS-ON$", re.M)
PS_COLUMNS = ("ID", "NAME", "STATE", "PRIO", "CPU-MS", "SWITCHES", "WAITS-ON")
# The thread running the shell: the boot flow that became a thread
# ("main", sched_init) or a thread of its own.
SHELL_THREADS = ("shell", "main")
# What ps says the shell waits on when it blocks for input: the name of
# the console input queue's wait queue (kern/console.c, input_wq).
SHELL_WAITS_ON = "console input"
SPIN = re.compile(r"spin")
SPIN_SECONDS = 120  # long enough to outlast what runs meanwhile


def boot(arch, **opts):
    g = Guest(arch, **opts)
    g.expect(re.escape(PROMPT), timeout=60)
    return g


def ps_row(cols, line):
    """One ps line as a dict (cols: the header's names), or None."""
    f = line.split(None, len(cols) - 1)
    if len(f) < len(cols) - 1 or not f[0].isdigit():
        return None
    f += ["-"] * (len(cols) - len(f))
    v = dict(zip(cols, f))
    prio = re.fullmatch(r"(\d+)/(\d+)", v["PRIO"])
    if not prio:
        return None
    row = {"id": int(v["ID"]), "name": v["NAME"], "state": v["STATE"],
           "prio": int(prio.group(1)), "base_prio": int(prio.group(2)),
           "cpu_ms": int(v["CPU-MS"]), "switches": int(v["SWITCHES"]),
           "waits_on": v["WAITS-ON"].strip()}
    if "CPU" in v:
        row["cpu"] = int(v["CPU"]) if v["CPU"].isdigit() else None
    return row


def ps_rows(out):
    """ps's table as {name: [row dict, ...]}; a row has "cpu" (an int, or
    None for "-") when ps has a CPU column."""
    head = PS_HEADER.search(out)
    assert head, out
    cols = head.group(0).split()
    assert set(PS_COLUMNS) <= set(cols), head.group(0)
    rows = {}
    for line in out[head.end():].splitlines():
        row = ps_row(cols, line)
        if row:
            rows.setdefault(row["name"], []).append(row)
    assert rows, out
    return rows


def ps(g):
    out = g.command("ps")
    return ps_rows(out), out


def ps_later(g, ms=300):
    """`pslater MS`: the table printed by a thread of its own after the
    shell went back to its input, as (rows, text)."""
    g.send("pslater %d\r" % ms)
    g.expect(re.escape(PROMPT))
    start = g.pos
    g.expect(r"WAITS-ON\n", timeout=30)
    # Oldest first: the printing thread itself, the newest, is last.
    g.expect(r"\n *\d+ pslater +[^\n]*\n")
    return ps_rows(g.out[start:g.pos]), g.out[start:g.pos]


def shell_row(rows, out):
    for name in SHELL_THREADS:
        if name in rows:
            return rows[name][0]
    raise AssertionError("no shell thread (%s) in ps:\n%s"
                         % ("/".join(SHELL_THREADS), out))


def spinners(rows):
    return [r for name, rs in rows.items() if SPIN.search(name) for r in rs
            if r["state"] != "dead"]


def uptime_ms(text):
    return [int(s) * 1000 + int(ms)
            for s, ms in re.findall(r"up (\d+)\.(\d{3}) s", text)]


def test_ps_lists_main_and_idle(arch, **opts):
    with boot(arch, **opts) as g:
        rows, out = ps(g)
        main, idle = rows["main"][0], rows["idle"][0]
        assert main["id"] == 1, out
        assert (main["prio"], main["base_prio"]) == (8, 8), out
        assert (idle["prio"], idle["base_prio"]) == (0, 0), out
        # The shell runs ps, so it is on the CPU.
        assert shell_row(rows, out)["state"] == "running", out


def test_spin_starts_background_threads(arch, **opts):
    with boot(arch, **opts) as g:
        out = g.command("spin 3 2")
        assert "spin: 3 of 3 threads spinning for 2 s at priority 4" in out, \
            out
        rows, out = ps(g)
        for i in range(3):
            r = rows["spin-%d" % i][0]
            assert (r["prio"], r["base_prio"]) == (4, 4), out
        out = g.command("spin 2 2")
        assert "still going" in out or "spinning" in out, out
        out = g.command("spin 0 1")
        assert out.startswith("usage: spin"), out


def test_ps_shell_blocked_while_idle(arch, **opts):
    with boot(arch, **opts) as g:
        # Seen from outside while it waits at the prompt: blocked, on the
        # console input.
        rows, out = ps_later(g)
        sh = shell_row(rows, out)
        assert sh["state"] == "blocked", out
        assert sh["waits_on"] == SHELL_WAITS_ON, out
        rows0, out0 = ps(g)
        sh0 = shell_row(rows0, out0)
        # The shell runs `ps`, so it is the thread running.
        assert sh0["state"] == "running", out0
        idle0 = rows0["idle"][0]
        up0 = uptime_ms(g.command("uptime"))[0]
        time.sleep(1.0)  # the idle span measured, not a wait for the guest
        up1 = uptime_ms(g.command("uptime"))[0]
        rows1, out1 = ps(g)
        sh1, idle1 = shell_row(rows1, out1), rows1["idle"][0]
        span = up1 - up0
        assert span >= 1000, (up0, up1)
        # Typing "uptime", "ps" wakes the shell once per received chunk:
        # a few dozen switches at most. Polling would be thousands.
        switches = sh1["switches"] - sh0["switches"]
        assert switches < 100, "shell switched %d times in %d ms idle:\n" \
            "%s\n%s" % (switches, span, out0, out1)
        assert sh1["cpu_ms"] - sh0["cpu_ms"] < span / 2, (out0, out1)
        # The idle thread is what ran meanwhile (and halted: tickless
        # idle is the KTAP's and make bench's to measure).
        assert idle1["cpu_ms"] > idle0["cpu_ms"], (out0, out1)
        assert idle1["switches"] > idle0["switches"], (out0, out1)


def start_spin(g, n=4, seconds=SPIN_SECONDS):
    g.command("spin %d %d" % (n, seconds))
    rows, out = ps(g)
    spin = spinners(rows)
    assert len(spin) == n, out
    return spin


def test_rxcheck_1m_while_spinning(arch, **opts):
    """While 4 threads spin, 1 MiB arrives intact, nothing overrun or
    dropped; the spinners are still there afterwards, so all of it came
    in while they ran."""
    with boot(arch, **opts) as g:
        before = serialstat(g)
        start_spin(g)
        rxcheck(g, os.urandom(1 << 20))
        after = serialstat(g)
        assert after["overrun"] == before["overrun"], (before, after)
        assert after["dropped"] == before["dropped"], (before, after)
        rows, out = ps(g)
        spin = spinners(rows)
        assert len(spin) == 4, "the spin ended before rxcheck did:\n" + out
        # The CPU was shared while the data came in: the spinners (below
        # the shell, which takes every byte) ran when it waited.
        assert sum(r["cpu_ms"] for r in spin) > 0, out
        # And the slices rotate among them: each one runs. On a saturated
        # emulated CPU the shell leaves them only a slice or three during
        # the 1 MiB, so the spin (SPIN_SECONDS) goes on until each had one.
        deadline = time.monotonic() + 30
        while not all(r["cpu_ms"] > 0 for r in spin):
            assert time.monotonic() < deadline, out
            rows, out = ps(g)
            spin = spinners(rows)
            assert len(spin) == 4, out


def test_keys_while_spinning(arch, **opts):
    """PS/2 keys typed (QMP) while 4 threads spin arrive decoded, none
    dropped, and the shell runs the line."""
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=60)
        start_spin(g)
        text = "Typed, While Spinning! (4 threads) {ok}"
        out = kbd_command(g, "echo " + text)
        assert out.strip() == text, repr(out)
        assert re.search(r"dropped 0 \(input queue full\)",
                         g.command("inputstat")), g.out[-500:]
        rows, out = ps(g)
        spin = spinners(rows)
        assert len(spin) == 4, "the spin ended first:\n" + out
        # They did spin: the shell blocked between keys and they ran.
        assert any(r["cpu_ms"] > 0 for r in spin), out


def test_sleep_500_takes_half_a_second(arch, **opts):
    """`sleep 500` is 500 ms of guest time: uptime, sleep, uptime typed
    ahead in one write, so the shell runs them back to back."""
    with boot(arch, **opts) as g:
        spans = []
        for _ in range(3):
            start = g.pos
            g.send("uptime\rsleep 500\ruptime\r")
            for _ in range(3):
                g.expect(re.escape(PROMPT), timeout=30)
            ups = uptime_ms(g.out[start:g.pos])
            assert len(ups) == 2, g.out[start:g.pos]
            spans.append(ups[1] - ups[0])
            # Never short: the sleep ends at or after its deadline.
            assert spans[-1] >= 500, spans
            if spans[-1] <= 750:
                break
        # Not much longer at the best of three (a loaded host may stretch
        # one try).
        assert min(spans) <= 750, spans


# Once per port.
TESTS = [
    test_ps_lists_main_and_idle,
    test_spin_starts_background_threads,
]

# On every interrupt path (pc, q35, pc-noapic, GICv3, GICv2).
IRQ_TESTS = [
    test_ps_shell_blocked_while_idle,
    test_rxcheck_1m_while_spinning,
    test_sleep_500_takes_half_a_second,
]

# The PC's PS/2 keyboard.
PC_TESTS = [
    test_keys_while_spinning,
]
