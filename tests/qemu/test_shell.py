"""Boot each port and talk to its shell over the serial port.

Each test is a function taking the port name and the QEMU options of the
run (machine, gic, ...); TESTS lists them. A test fails by raising
(AssertionError or Timeout).
"""
import os
import re
import time
import zlib

from kite import Guest, PROMPT, Timeout, irqstat

# What each port's reports must say. x86_64: vector names and numbers;
# AArch64: the ESR exception class.
FAULTS = {
    "x86_64": {
        "read": r"#PF Page Fault \(vector 14\) error code 0x0, in thread "
                r"main\nCR2 "
                r"00007fdead000000 \(page not present, read, kernel mode\)",
        "undef": r"#UD Invalid Opcode \(vector 6\)",
        "regs": [r"RIP [0-9a-f]{16} CS 0008", r"RAX [0-9a-f]{16}",
                 r"R15 [0-9a-f]{16}"],
    },
    "aarch64": {
        "read": r"EC 0x25 Data abort \(same EL\)[^\n]*\nFAR  "
                r"00007fdead000000\nFSC 0x0[0-9a-f]: (translation|address "
                r"size) fault, level \d, read",
        "undef": r"EC 0x00 Unknown reason \(undefined instruction\)",
        "regs": [r"ELR  [0-9a-f]{16} SPSR [0-9a-f]{16}", r"x0   [0-9a-f]{16}",
                 r"x30  [0-9a-f]{16} \(lr\)"],
    },
}


def boot(arch, **opts):
    g = Guest(arch, **opts)
    g.expect(r"kite 0\.1 on %s" % arch, timeout=30)
    g.expect(re.escape(PROMPT), timeout=30)
    return g


def test_banner_and_cmdline(arch, **opts):
    with Guest(arch, cmdline="hello=world quiet", **opts) as g:
        m = g.expect(r"kite 0\.1 on (\S+), booted by ([^\n]+)", timeout=30)
        assert m.group(1) == arch, m.group(0)
        g.expect(r'command line: "hello=world quiet"')
        g.expect(r"memory: (\d+) MiB usable")
        g.expect(re.escape(PROMPT))


def test_echo(arch, **opts):
    with boot(arch, **opts) as g:
        out = g.command("echo hello   kite 42")
        assert out.strip() == "hello kite 42", repr(out)


def test_line_editing(arch, **opts):
    with boot(arch, **opts) as g:
        # Backspace (DEL and ^H) erases, Ctrl-U drops the line.
        out = g.command("echo abX\x7fc\x08d")
        assert out.strip() == "abd", repr(out)
        out = g.command("echo wrong\x15echo right")
        assert out.strip() == "right", repr(out)
        out = g.command("nosuchcmd")
        assert "nosuchcmd: unknown command" in out, repr(out)
        out = g.command("help")
        for name in ("echo", "fault", "panic", "poweroff", "ktest"):
            assert re.search(r"^  %s " % name, out, re.M), out


def test_history_and_cursor(arch, **opts):
    with boot(arch, **opts) as g:
        assert g.command("echo first").strip() == "first"
        assert g.command("echo second").strip() == "second"
        # Up twice recalls "echo first"; Down once returns to "echo second".
        out = g.command("\x1b[A\x1b[A\x1b[B")
        assert out.strip() == "second", repr(out)
        # Left arrows then insert in the middle; Home/End keys.
        out = g.command("echo ac\x1b[Db\x1b[H\x1b[F!")
        assert out.strip() == "abc!", repr(out)
        # Delete key under the cursor, Ctrl-A/Ctrl-E.
        out = g.command("echo xyz\x1b[D\x1b[D\x1b[3~\x05w")
        assert out.strip() == "xzw", repr(out)


def expect_report(out, arch, what):
    assert re.search(FAULTS[arch][what], out), out
    for rx in FAULTS[arch]["regs"]:
        assert re.search(rx, out), (rx, out)
    assert "Backtrace:" in out, out
    assert "fixed up by the exception table" in out, out


def test_fault_read(arch, **opts):
    with boot(arch, **opts) as g:
        out = g.command("fault read")
        expect_report(out, arch, "read")
        assert "fault survived" in out, out
        # The shell still answers.
        assert g.command("echo alive").strip() == "alive"
        # A mapped address reads without a fault.
        out = g.command("fault read 0x%x" % {"x86_64": 0x100000,
                                             "aarch64": 0x40200000}[arch])
        assert "(no fault)" in out and "EXCEPTION" not in out, out


def test_fault_undef(arch, **opts):
    with boot(arch, **opts) as g:
        out = g.command("fault undef")
        expect_report(out, arch, "undef")
        assert g.command("echo alive").strip() == "alive"


def test_fault_break_and_syscall(arch, **opts):
    with boot(arch, **opts) as g:
        out = g.command("fault break")
        assert re.search(r"breakpoint \((#BP|BRK #0)\) at [0-9a-f]{16}, "
                         r"continuing", out), out
        assert "breakpoint returned, execution continues" in out, out
        out = g.command("fault syscall")
        assert "system call trap returned 2" in out, out
        assert g.command("echo alive").strip() == "alive"


def test_panic_halts(arch, **opts):
    with boot(arch, **opts) as g:
        g.send("panic\r")
        g.expect(r"\*\*\* PANIC: requested from the shell")
        for rx in FAULTS[arch]["regs"]:
            g.expect(rx)
        g.expect(r"Backtrace:\n  #0 ")
        g.expect(r"\*\*\* system halted")
        # Halted with interrupts off: nothing answers any more.
        g.send("echo still here\r")
        try:
            g.expect("still here", timeout=2)
        except Timeout:
            return
        raise AssertionError("the shell answered after a panic")


def test_stack_overflow(arch, **opts):
    with boot(arch, **opts) as g:
        if arch != "x86_64":
            # The entry sees the frame would land in the guard page and
            # reports from the overflow stack.
            g.send("fault stack\r")
            g.expect(r"kernel stack overflow in thread \S+: SP [0-9a-f]{16} "
                     r"has reached the guard page below its stack")
            g.expect(r"EXCEPTION Synchronous from current EL, SP_ELx, in "
                     r"thread \S+\n"
                     r"ESR  [0-9a-f]{16} EC 0x25 Data abort")
            g.expect(r"\*\*\* fatal exception: system halted")
            return
        # The overflow faults in the guard page; the CPU cannot push the
        # #PF frame there and raises #DF, which runs on its IST stack.
        g.send("fault stack\r")
        g.expect(r"#DF Double Fault \(vector 8\) error code 0x0, in "
                 r"thread \S+\n"
                 r"kernel stack overflow in thread \S+: RSP [0-9a-f]{16} "
                 r"has reached the guard page below its stack")
        g.expect(r"RIP [0-9a-f]{16} CS 0008")
        g.expect(r"\*\*\* fatal exception: system halted")


def test_thread_stack_overflow_names_thread(arch, **opts):
    """A thread's stack (vm_stack_alloc) overflows into its guard page:
    the report names that thread, not the shell's, on both ports, and
    the address is in the stack area, not the boot stack."""
    with boot(arch, **opts) as g:
        g.send("fault thread-stack\r")
        g.expect(r"overflowing the stack of thread overflower")
        reg = "RSP" if arch == "x86_64" else "SP"
        m = g.expect(r"kernel stack overflow in thread overflower: %s "
                     r"([0-9a-f]{16}) has reached the guard page" % reg)
        assert int(m.group(1), 16) >> 40 == 0x7f, m.group(0)
        g.expect(r"\*\*\* fatal exception: system halted")


def test_poweroff(arch, **opts):
    with boot(arch, **opts) as g:
        g.send("poweroff\r")
        g.expect("powering off")
        status = g.wait_exit(timeout=15)
        # x86_64: S5 through the FADT's PM1 control block (\\_S5 from the
        # DSDT) ends QEMU with status 0; the isa-debug-exit fallback
        # would give 1. AArch64: PSCI SYSTEM_OFF, status 0.
        assert status == 0, "QEMU exit status %s" % status


def irq_rows(out):
    """irqstat rows as {action name: (irq, count, chip, trigger)}, the
    count summed over the CPU columns."""
    rows = {}
    for line in irqstat(out)[1]:
        for action in line.actions:
            rows[action] = (line.irq, line.total, line.chip, line.trigger)
    return rows


# How each port names its serial line's handler and the chips.
SERIAL_ACTION = {"x86_64": "(?i)com1", "aarch64": "pl011@9000000"}


def chips(arch, opts):
    """(timer chip, serial chip) irqstat must name."""
    if arch == "aarch64":
        return "GICv[23]", "GICv[23]"
    if "noapic" in opts.get("cmdline", ""):
        return "XT-PIC", "XT-PIC"
    return "LAPIC", "IO-APIC"


def test_irqstat_counts_rise(arch, **opts):
    with boot(arch, **opts) as g:
        first = irq_rows(g.command("irqstat"))
        # COM1 from ACPI's namespace ("COM1"), or the static list ("com1").
        serial = next((a for a in first
                       if re.fullmatch(SERIAL_ACTION[arch], a)), None)
        assert "timer" in first and serial in first, first
        # Until both counts have risen (tickless: the timer interrupts
        # for a deadline, which `sleep` sets; a loaded host may take a
        # while), bounded.
        deadline = time.monotonic() + 30
        while True:
            g.command("echo some serial traffic to count")
            g.command("sleep 1")
            out = g.command("irqstat")
            second = irq_rows(out)
            rose = (second["timer"][1] > first["timer"][1] and
                    second[serial][1] > first[serial][1])
            if rose or time.monotonic() > deadline:
                break
        assert re.search(r"^ SPU +\d+$", out, re.M), out
        assert re.search(r"^ ERR +\d+$", out, re.M), out
        assert second["timer"][1] > first["timer"][1], (first, second)
        assert second[serial][1] > first[serial][1], (first, second)
        timer_chip, serial_chip = chips(arch, opts)
        assert re.fullmatch(timer_chip, second["timer"][2]), out
        assert re.fullmatch(serial_chip, second[serial][2]), out


def test_ticks_match_wall_time(arch, **opts):
    with boot(arch, **opts) as g:
        # The guest reads its count somewhere between sending the command
        # and its answer; on a loaded host that takes a while, so time
        # each reading at the middle of its round trip.
        def ticks():
            sent = time.monotonic()
            n = int(g.command("ticks"))
            return n, (sent + time.monotonic()) / 2

        a, t0 = ticks()
        time.sleep(3)  # the span measured, not a wait for the guest
        b, t1 = ticks()
        elapsed = t1 - t0
        # HZ is 1000. QEMU's timers under load are noisy (and the PIT
        # loses ticks under TCG): a loose bound, but a dead or runaway
        # tick fails it.
        rate = (b - a) / elapsed
        assert 500 < rate < 1500, "%.0f ticks/s" % rate
        out = g.command("uptime")
        assert re.search(r"up \d+\.\d{3} s \(\d+ ticks at 1000 Hz from [\w-]+, time from (tsc|cntpct)\)",
                         out), out


def test_rxcheck_64k(arch, **opts):
    with boot(arch, **opts) as g:
        data = os.urandom(64 * 1024)
        g.send("rxcheck %d\r" % len(data))
        g.expect("rxcheck: send %d bytes" % len(data))
        g.send(data.decode("latin-1"))
        m = g.expect(r"rxcheck: (\d+) bytes crc32 ([0-9a-f]{8}) in \d+ ms",
                     timeout=120)
        assert int(m.group(1)) == len(data)
        assert int(m.group(2), 16) == zlib.crc32(data), m.group(0)
        g.expect(re.escape(PROMPT))
        out = g.command("serialstat")
        assert re.search(r"overrun 0 ", out), out


def test_printing_from_handler_and_shell(arch, **opts):
    with boot(arch, **opts) as g:
        g.send("printstress 3\r")
        m = g.expect(r"printstress: (\d+) main lines, (\d+) handler lines",
                     timeout=60)
        assert int(m.group(1)) > 100 and int(m.group(2)) > 50, m.group(0)
        g.expect(re.escape(PROMPT))
        # Both kinds of line came through whole.
        assert re.search(r"^\[handler line \d+ at tick \d+\]$", g.out, re.M)
        assert re.search(r"^main line \d+$", g.out, re.M)
        assert g.command("echo alive").strip() == "alive"


def test_timerdemo(arch, **opts):
    with boot(arch, **opts) as g:
        g.send("timerdemo\r")
        g.expect("Timer interrupt!", timeout=5)
        g.expect("Timer interrupt!", timeout=5)
        g.send("x")
        g.expect(re.escape(PROMPT))
        pos = len(g.out)
        time.sleep(2.5)
        g._read(0.5)
        assert "Timer interrupt!" not in g.out[pos:], g.out[pos:]


def test_devices(arch, **opts):
    with boot(arch, **opts) as g:
        out = g.command("devices")
        if arch == "x86_64":
            # The keyboard and COM1 as ACPI's DSDT describes them (the
            # ISA bridge is S08 on pc, SF8 on q35), bound by their IDs.
            assert re.search(r"^KBD +\\_SB\.PCI0\.S[F0]8\.KBD  \[PNP0303\]  "
                             r"driver: i8042\n    io   0x0060-0x0060\n"
                             r"    io   0x0064-0x0064\n    irq  1 edge$",
                             out, re.M), out
            assert re.search(r"^COM1 +\\_SB\.PCI0\.S[F0]8\.COM1  \[PNP0501\]  "
                             r"driver: uart16550\n    io   0x03f8-0x03ff\n"
                             r"    irq  4 edge$", out, re.M), out
            # Not in QEMU's DSDT: from the static list.
            assert re.search(r"^pit +pc:pit .*driver: pit$", out, re.M), out
            return
        # Everything from the device tree: paths, compatibles, resources.
        assert re.search(r"^pl011@9000000 +/pl011@9000000  \[arm,pl011 "
                         r"arm,primecell\]  driver: pl011\n"
                         r"    mem  0x09000000-0x09000fff\n"
                         r"    irq  33 level$", out, re.M), out
        assert re.search(r"^timer +/timer  \[arm,armv8-timer.*driver: "
                         r"arm-timer\n(    irq  (26|27|29|30) level\n){4}",
                         out, re.M), out
        assert re.search(r"^intc@8000000 .*driver: gicv[23]$", out, re.M), out


def vga_text(g, rows=25):
    """The VGA text buffer's characters, read from guest memory."""
    words = []
    for row in range(rows):
        out = g.hmp("xp /80hx 0x%x" % (0xb8000 + row * 160))
        words += [int(w, 16) for w in re.findall(r"0x([0-9a-f]{4})\b", out)]
    return "\n".join("".join(chr(w & 0xff) for w in words[r * 80:(r + 1) * 80])
                     for r in range(rows))


def test_vga_mirrors_console(arch, **opts):
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        g.command("echo mirrored on the screen")
        screen = vga_text(g)
        assert "kite> echo mirrored on the screen" in screen, screen
        assert re.search(r"^mirrored on the screen +$", screen, re.M), screen


# QEMU's names (QKeyCode) for the keys the keyboard tests type.
QKEY = {" ": "spc", "-": "minus", "=": "equal", ".": "dot", ",": "comma",
        "/": "slash", ";": "semicolon", "'": "apostrophe", "[": "bracket_left",
        "]": "bracket_right", "\\": "backslash", "`": "grave_accent",
        "\n": "ret"}
QKEY_SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6",
                "&": "7", "*": "8", "(": "9", ")": "0", "_": "minus",
                "+": "equal", ":": "semicolon", '"': "apostrophe",
                "<": "comma", ">": "dot", "?": "slash", "{": "bracket_left",
                "}": "bracket_right", "|": "backslash", "~": "grave_accent"}


def key_event(g, qcode, down):
    g.qmp("input-send-event", events=[{
        "type": "key", "data": {"down": down,
                                "key": {"type": "qcode", "data": qcode}}}])


# Keys typed but not echoed yet, at most: QEMU's PS/2 model keeps only 16
# bytes and drops the rest, and a key is up to 4 (Shift, key, releases).
KEYS_IN_FLIGHT = 3


class Typist:
    """Types on the PS/2 keyboard as fast as the guest takes the keys: a
    key is sent only while fewer than KEYS_IN_FLIGHT echoing keys wait for
    their echo (one byte each at the shell's prompt). A wait for the
    guest, not a pace: a loaded host slows the typing, never drops keys."""

    def __init__(self, g):
        self.g = g
        self.base = len(g.out)
        self.sent = 0  # keys that echo

    def wait_room(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while len(self.g.out) - self.base < self.sent - KEYS_IN_FLIGHT + 1:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout("%d keys typed, %d bytes echoed: the guest "
                              "stopped taking keys" % (
                                  self.sent, len(self.g.out) - self.base))
            self.g._read(min(left, 0.2))

    def press(self, qcode, echoes=True):
        """Press and release one key (qcode); echoes=False for keys that
        print nothing (modifiers, Caps Lock)."""
        if echoes:
            self.wait_room()
            self.sent += 1
        key_event(self.g, qcode, True)
        key_event(self.g, qcode, False)


def type_keys(g, text):
    """Type text on the PS/2 keyboard (US layout), one key per QMP command,
    never more keys in flight than QEMU's queue holds (Typist)."""
    t = Typist(g)
    for ch in text:
        shift = ch.isupper() or ch in QKEY_SHIFTED
        if ch.isalnum():
            qcode = ch.lower()
        else:
            qcode = QKEY_SHIFTED.get(ch) or QKEY[ch]
        if shift:
            t.wait_room()
            key_event(g, "shift", True)
        t.press(qcode)
        if shift:
            key_event(g, "shift", False)


def kbd_command(g, line):
    """Type a command on the keyboard; return its output."""
    start = g.pos
    type_keys(g, line + "\n")
    g.expect(re.escape(PROMPT), timeout=30)
    text = g.out[start:g.pos - len(PROMPT)]
    return text.split("\n", 1)[1] if "\n" in text else ""


def test_keyboard_typing(arch, **opts):
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        out = kbd_command(g, "echo Hello, World! 42 (x_y) [a-b] {c|d} ~")
        assert out.strip() == "Hello, World! 42 (x_y) [a-b] {c|d} ~", \
            repr(out)
        # Caps Lock: letters up, digits and punctuation untouched;
        # Shift inverts it for letters.
        start = g.pos
        type_keys(g, "echo ")
        key_event(g, "caps_lock", True)
        key_event(g, "caps_lock", False)
        type_keys(g, "abc1;")
        key_event(g, "shift", True)
        type_keys(g, "d")
        key_event(g, "shift", False)
        key_event(g, "caps_lock", True)
        key_event(g, "caps_lock", False)
        type_keys(g, "e\n")
        g.expect(re.escape(PROMPT), timeout=30)
        out = g.out[start:g.pos].split("\n", 1)[1]
        assert out.startswith("ABC1;de\n"), repr(out)
        # The keyboard's interrupts are counted under its handler's name.
        rows = irq_rows(g.command("irqstat"))
        assert rows["i8042-kbd"][1] > 50, rows


def test_keyboard_burst_of_200(arch, **opts):
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        text = "".join("abcdefghijklmnopqrstuvwxyz0123456789"[i * 7 % 36]
                       for i in range(200))
        start = g.pos
        type_keys(g, "echo " + text + "\n")
        g.expect(re.escape(PROMPT), timeout=60)
        out = g.out[start:g.pos].split("\n")[1]
        assert out == text, "%d of 200 keys: %r" % (len(out), out)


def test_keytest_raw_scancodes(arch, **opts):
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        g.send("keytest raw\r")
        g.expect("scan codes until Esc")
        key_event(g, "a", True)
        key_event(g, "a", False)
        key_event(g, "right", True)
        key_event(g, "right", False)
        key_event(g, "esc", True)
        key_event(g, "esc", False)
        g.expect(re.escape(PROMPT), timeout=10)
        codes = re.findall(r"scan code: 0x([0-9a-f]{2})", g.out)
        assert codes == ["1e", "9e", "e0", "4d", "e0", "cd", "01", "81"], codes


def test_kbdlayout_german(arch, **opts):
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        assert "layout: de" in g.command("kbdlayout de")
        # On a German keyboard the key labelled Z sits where US has Y.
        start = g.pos
        t = Typist(g)
        for q in ("e", "c", "h", "o", "spc", "y", "z", "ret"):
            t.press(q)
        g.expect(re.escape(PROMPT), timeout=30)
        out = g.out[start:g.pos].split("\n")[1]
        assert out == "zy", repr(out)


def test_acpi_tables(arch, **opts):
    with boot(arch, **opts) as g:
        out = g.command("acpi")
        if arch != "x86_64":
            assert "described by its device tree" in out, out
            return
        # QEMU gives an RSDT (no XSDT); the DSDT and FACS come from the FADT.
        assert re.search(r"via the RSDT", out), out
        for sig in ("RSDT", "FACP", "APIC", "DSDT", "FACS"):
            assert re.search(r"^%s .* ok$" % sig, out, re.M), (sig, out)
        assert "BAD" not in out, out
        # As many CPUs as QEMU's -smp (make test SMP=N).
        assert re.search(r"MADT: %s CPU\(s\), 1 I/O APIC\(s\), 5 override\(s\), "
                         r"LAPIC at 0x00000000fee00000" % opts.get("smp", "1"),
                         out), out
        assert re.search(r"S5: SLP_TYPa 0 SLP_TYPb 0, PM1a_CNT 0x604", out), out


# Tests of interrupt-driven I/O and the tick, on every port.
IRQ_TESTS = [
    test_irqstat_counts_rise,
    test_ticks_match_wall_time,
    test_rxcheck_64k,
    test_printing_from_handler_and_shell,
    test_timerdemo,
    test_devices,
    test_acpi_tables,
]

def test_power_button_level_sci(arch, **opts):
    """The power button raises the ACPI SCI: a level-triggered I/O APIC
    line (GSI 9, level high by the MADT). Three presses, three interrupts:
    the handler is threaded and oneshot, so the pin stays masked from the
    primary until the thread has cleared the status, and the
    still-asserted line never storms meanwhile."""
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        if "noapic" in opts.get("cmdline", ""):
            # The 8259 is edge-only: no SCI on that path.
            assert "acpi-sci" not in g.command("irqstat")
            return
        for i in range(1, 4):
            g.qmp("system_powerdown")
            g.expect(r"acpi: power button pressed \(%d\)" % i, timeout=10)
        out = g.command("irqstat")
        rows = irq_rows(out)
        irq, count, chip, trigger = rows["acpi-sci"]
        assert (chip, trigger) == ("IO-APIC", "level-high"), rows
        assert count == 3, rows
        # A threaded handler (oneshot): its thread named after the line.
        assert re.search(r"acpi-sci\(3\) \[irq/%d-acpi-sci\]" % irq,
                         out), out


# The PC's screen and keyboard.
PC_TESTS = [
    test_vga_mirrors_console,
    test_keyboard_typing,
    test_keyboard_burst_of_200,
    test_keytest_raw_scancodes,
    test_kbdlayout_german,
    test_power_button_level_sci,
]

def test_reboot(arch, **opts):
    with boot(arch, **opts) as g:
        g.send("reboot\r")
        g.expect("rebooting")
        # -no-reboot: QEMU exits when the guest resets (x86_64: triple
        # fault; AArch64: PSCI SYSTEM_RESET), with status 0.
        status = g.wait_exit(timeout=15)
        assert status == 0, "QEMU exit status %s" % status
        assert "EXCEPTION" not in g.out[g.pos:], g.out[g.pos:]


TESTS = [
    test_banner_and_cmdline,
    test_echo,
    test_line_editing,
    test_history_and_cursor,
    test_fault_read,
    test_fault_undef,
    test_fault_break_and_syscall,
    test_panic_halts,
    test_stack_overflow,
    test_thread_stack_overflow_names_thread,
    test_poweroff,
    test_reboot,
]
