"""A kite guest under QEMU, driven over its serial port.

Boots through scripts/qemu.py's qemu_command() (the same command line
`make run` uses, with the serial port on pipes instead of the terminal).
"""
import ctypes
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemu  # noqa: E402

IMAGES = {
    "x86_64": os.path.join(ROOT, "build/x86_64/kite.elf"),
    "aarch64": os.path.join(ROOT, "build/aarch64/kite.img"),
}
PROMPT = "kite> "

# irqstat (kern/irq.c irq_print_stats): a header with one CPUn column per
# online CPU, then per line: IRQ, a count per CPU, CHIP, HWIRQ, TRIGGER,
# ACTIONS ("name(handled)", a threaded one followed by " [thread]").
IRQSTAT_HEADER = re.compile(r"^ IRQ((?: +CPU\d+)+)  CHIP +HWIRQ +TRIGGER +"
                            r"ACTIONS$", re.M)
ACTION = re.compile(r"([\w.@/-]+)\((\d+)\)")



class NotHere(Exception):
    """Raised by a test that does not apply to the configuration it was
    given (a pc-only test on q35, say): scripts/test.py counts it as a
    skip with the reason, never as a pass."""

class IrqLine:
    """One irqstat row."""

    def __init__(self, irq, counts, chip, hwirq, trigger, text):
        self.irq, self.counts, self.chip = irq, counts, chip
        self.hwirq, self.trigger, self.text = hwirq, trigger, text
        self.total = sum(counts)
        # {action name: the count that action handled}
        self.actions = {n: int(c) for n, c in ACTION.findall(text)}

    def __repr__(self):
        return "IrqLine(%d %r %s %s)" % (self.irq, self.counts, self.chip,
                                         self.text)


def irqstat(out):
    """Parse irqstat's table: (CPU numbers of the columns, [IrqLine])."""
    head = IRQSTAT_HEADER.search(out)
    assert head, "no irqstat header in:\n" + out
    cpus = [int(c) for c in re.findall(r"CPU(\d+)", head.group(1))]
    row = re.compile(r"^ *(\d+)((?: +\d+){%d})  (\S+) +(\d+)  (\S+) +(.*)$"
                     % len(cpus), re.M)
    lines = [IrqLine(int(m.group(1)), [int(c) for c in m.group(2).split()],
                     m.group(3), int(m.group(4)), m.group(5), m.group(6))
             for m in row.finditer(out, head.end())]
    return cpus, lines


def irq_line(out, action):
    """The irqstat row with an action whose name matches the regex
    action (whole name), or None."""
    rx = re.compile(action)
    for line in irqstat(out)[1]:
        if any(rx.fullmatch(a) for a in line.actions):
            return line
    return None


class Timeout(Exception):
    pass


def _die_with_parent():
    """In the QEMU child before exec: Linux's prctl(PR_SET_PDEATHSIG) kills
    QEMU when the test process dies, however it dies (a timeout's SIGKILL
    leaves no chance to close()). An orphaned guest would keep burning
    CPU and slow every test that runs after it."""
    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: close() still ends QEMU on every normal path


class Guest:
    def __init__(self, arch, cmdline="", qmp=False, **opts):
        self.arch = arch
        self.tmp = tempfile.mkdtemp(prefix="kite-qemu-")
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        self.qmp_file = None
        self.events = []   # QMP events received, oldest first
        if qmp:
            extra = opts.get("extra", "")
            opts["extra"] = ("%s -qmp unix:%s,server=on,wait=off"
                             % (extra, self.qmp_path)).strip()
        cmd = qemu.qemu_command(arch, IMAGES[arch], cmdline=cmdline,
                                console="pipe", **opts)
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE,
                                     preexec_fn=_die_with_parent)
        self.out = ""      # everything received, for failure reports
        self.pos = 0       # how far expect() has consumed

    def _read(self, timeout):
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return False
        data = os.read(fd, 65536)
        if not data:
            return None
        # Serial lines end in CR LF; a chunk may split the pair, so drop
        # every CR rather than replacing pairs.
        self.out += data.decode("latin-1").replace("\r", "")
        return True

    def expect(self, pattern, timeout=10.0):
        """Wait for a regex in the output after what was consumed; return
        the match and consume through it."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.out, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no %r within %.0fs; output after the last "
                              "match:\n%s" % (pattern, timeout,
                                              self.out[self.pos:][-2000:]))
            if self._read(min(left, 0.5)) is None:
                raise Timeout("QEMU closed its output (exit %s) waiting for "
                              "%r; output:\n%s" % (self.proc.poll(), pattern,
                                                   self.out[self.pos:][-2000:]))

    def wait_for(self, pattern, start=0, timeout=10.0):
        """Wait for a regex anywhere in the output from offset start on,
        without consuming: for lines that may come out in any order with
        what expect() waits for (another thread's report)."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.out, start)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("no %r within %.0fs; output since:\n%s"
                              % (pattern, timeout, self.out[start:][-2000:]))
            if self._read(min(left, 0.5)) is None:
                raise Timeout("QEMU closed its output (exit %s) waiting for "
                              "%r" % (self.proc.poll(), pattern))

    def send(self, text):
        self.proc.stdin.write(text.encode("latin-1"))
        self.proc.stdin.flush()

    def type(self, text, delay=0.0):
        """Send keys one at a time (delay between them if asked)."""
        for ch in text:
            self.send(ch)
            if delay:
                time.sleep(delay)

    def command(self, line, timeout=10.0):
        """Run a shell command; return its output (up to the next prompt)."""
        self.send(line + "\r")
        start = self.pos
        self.expect(re.escape(PROMPT), timeout)
        text = self.out[start:self.pos - len(PROMPT)]
        # Drop the echoed command line.
        return text.split("\n", 1)[1] if "\n" in text else ""

    def wait_exit(self, timeout=10.0):
        """Wait for QEMU to exit, reading output meanwhile; return status."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        try:
            status = self.proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise Timeout("QEMU still running after %.0fs" % timeout)
        # Whatever QEMU wrote before exiting is still in the pipe.
        while self._read(1.0):
            pass
        return status

    def qmp(self, command, **arguments):
        """Run a QMP command; return its "return" value."""
        if self.qmp_file is None:
            sock = socket.socket(socket.AF_UNIX)
            # QEMU makes the socket as it starts: slow on a loaded host.
            deadline = time.monotonic() + 30
            while True:
                try:
                    sock.connect(self.qmp_path)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            self.qmp_file = sock.makefile("rw")
            json.loads(self.qmp_file.readline())  # the greeting
            self.qmp("qmp_capabilities")
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.qmp_file.write(json.dumps(msg) + "\n")
        self.qmp_file.flush()
        while True:
            reply = json.loads(self.qmp_file.readline())
            if "event" in reply:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError("QMP %s: %s" % (command, reply["error"]))
            return reply["return"]

    def qmp_event(self, name, timeout=30.0, **data):
        """Wait for a QMP event whose data has these items; return it and
        drop it from self.events. QEMU sends events between replies, so
        a cheap command is run now and then to read them."""
        deadline = time.monotonic() + timeout
        while True:
            for ev in self.events:
                if ev["event"] == name and all(
                        ev.get("data", {}).get(k) == v
                        for k, v in data.items()):
                    self.events.remove(ev)
                    return ev
            if time.monotonic() > deadline:
                raise Timeout("no QMP event %s %r within %.0fs; events: %r"
                              % (name, data, timeout, self.events))
            self._read(0.05)  # the serial output meanwhile
            self.qmp("query-status")

    def hmp(self, line):
        """A human-monitor command through QMP; returns its text."""
        return self.qmp("human-monitor-command", **{"command-line": line})

    def close(self):
        if self.qmp_file is not None:
            try:
                self.qmp_file.close()
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
