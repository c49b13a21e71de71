"""The PC platform: which driver owns the keyboard controller's ports
when the firmware describes two devices there (kern/device.c, resource
ownership; docs/interrupts.md). Each test boots with an extra SSDT from
tests/fixtures/acpi/aml and types on the PS/2 keyboard through QMP.
"""
import os
import re
import time

import kite
from kite import Guest, PROMPT, Timeout
from test_shell import QKEY, kbd_command, key_event

AML = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   "fixtures", "acpi", "aml")
KBD0001_DSL = os.path.join(AML, "kbd0001.dsl")
PNP0303_TWICE_DSL = os.path.join(AML, "pnp0303_twice.dsl")

# QEMU's DSDT keyboard: the ISA bridge is S08 on pc, SF8 on q35.
DSDT_KBD = r"\\_SB\.PCI0\.S[F0]8\.KBD"


def action_counts(out):
    """irqstat's ACTIONS column as {action name: that action's own count}
    (not the line's: on a shared line each action counts what it
    handled)."""
    counts = {}
    for line in kite.irqstat(out)[1]:
        counts.update(line.actions)
    return counts


LOGGED = re.compile(r"kbd0001: scan code: 0x[0-9a-f]{2}\n")


def type_logged(g, text, timeout=30.0):
    """Type text (lower case, digits, space, Enter) one key at a time,
    each only once kbd0001 has logged the previous key's make and break:
    its log lines are output too, so counting echoed bytes, as
    type_keys does, would run ahead and overflow QEMU's PS/2 queue."""
    start = len(g.out)
    for n, ch in enumerate(text, 1):
        key_event(g, QKEY.get(ch, ch), True)
        key_event(g, QKEY.get(ch, ch), False)
        deadline = time.monotonic() + timeout
        while len(LOGGED.findall(g.out, start)) < 2 * n:
            if time.monotonic() > deadline:
                raise Timeout("key %d (%r): kbd0001 logged %d scan codes" % (
                    n, ch, len(LOGGED.findall(g.out, start))))
            g._read(0.2)


def test_kbd0001_reads_the_keyboard(arch, **opts):
    """An SSDT declares \\_SB.KBD, _HID KBD0001, at the DSDT keyboard's
    ports: the more specific match owns them, so the KBD0001 driver is
    the keyboard's only reader. Q logs its make and break codes, the
    kbd0001 action's own count rises, and typing still reaches the
    shell."""
    with Guest(arch, qmp=True, acpi_ssdt=KBD0001_DSL, **opts) as g:
        g.expect(r"kbd0001: \\_SB\.KBD, ports 0x60/0x64, irq \d+, the "
                 r"keyboard's reader", timeout=30)
        g.expect(re.escape(PROMPT), timeout=30)
        out = g.command("devices")
        assert re.search(r"^KBD +\\_SB\.KBD  \[KBD0001\]  driver: kbd0001\n"
                         r"    io   0x0060-0x0060\n    io   0x0064-0x0064\n"
                         r"    irq  1 edge$", out, re.M), out
        assert re.search(r"^KBD +%s  \[PNP0303\]  not probed: io 0x60 held "
                         r"by \\_SB\.KBD \(kbd0001\)$" % DSDT_KBD,
                         out, re.M), out
        before = action_counts(g.command("irqstat"))
        assert "kbd0001" in before and "i8042-kbd" not in before, before
        key_event(g, "q", True)
        g.expect(r"kbd0001: scan code: 0x10\n", timeout=10)
        key_event(g, "q", False)
        g.expect(r"kbd0001: scan code: 0x90\n", timeout=10)
        g.send("\x15")  # the q reached the shell's line too: drop it
        after = action_counts(g.command("irqstat"))
        assert after["kbd0001"] >= before["kbd0001"] + 2, (before, after)
        # Each log line is printed whole, but anywhere between the echoed
        # keys and the command's output: take them out, then compare.
        start = g.pos
        type_logged(g, "echo typed through kbd0001\n")
        g.expect(re.escape(PROMPT), timeout=30)
        out = re.sub(r"kbd0001: scan code: 0x[0-9a-f]{2}\n", "",
                     g.out[start:g.pos - len(PROMPT)])
        assert out == "echo typed through kbd0001\ntyped through kbd0001\n", \
            repr(out)


def test_second_pnp0303_keeps_the_keyboard(arch, **opts):
    """An SSDT declares a second PNP0303 at the same ports: the DSDT's,
    described first, owns them; the second is never probed (its driver
    touches no hardware), so the working keyboard keeps typing."""
    with Guest(arch, qmp=True, acpi_ssdt=PNP0303_TWICE_DSL, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        out = g.command("devices")
        assert re.search(r"^KBD +%s  \[PNP0303\]  driver: i8042$" % DSDT_KBD,
                         out, re.M), out
        assert re.search(r"^KBD2 +\\_SB\.KBD2  \[PNP0303\]  not probed: io "
                         r"0x60 held by %s \(i8042\)$" % DSDT_KBD,
                         out, re.M), out
        before = action_counts(g.command("irqstat"))
        out = kbd_command(g, "echo still typing")
        assert out.strip() == "still typing", repr(out)
        after = action_counts(g.command("irqstat"))
        # 17 keys pressed and released, one interrupt per byte or fewer.
        assert after["i8042-kbd"] >= before["i8042-kbd"] + 17, (before,
                                                                 after)


# x86_64 pc, q35 and pc-noapic.
PC_TESTS = [
    test_kbd0001_reads_the_keyboard,
    test_second_pnp0303_keeps_the_keyboard,
]
