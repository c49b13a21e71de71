"""The AML walker's former fixed limits are gone (issue 10): the namespace,
its tables and its devices grow from the heap. An SSDT with more Devices
than the old AML_MAX_DEVICES (64), a namespace with more objects than the
old AML_MAX_NODES (2,048) and more SSDTs than the old AML_MAX_TABLES (16)
are read whole, every device reaching `devices`. What a device's own
description cuts (_CRS past 8 entries, _CID past 4) is still said.
"""
import os
import re
import tempfile

from kite import Guest, PROMPT

AML = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   "fixtures", "acpi", "aml")
LIMITS_DSL = os.path.join(AML, "limits.dsl")
KBD0001_AML = os.path.join(AML, "kbd0001.aml")

SSDT_DEVICES = 80  # \_SB.LM00 to LM79 in limits.dsl
OLD_AML_MAX_DEVICES = 64
OLD_AML_MAX_NODES = 2048
OLD_AML_MAX_TABLES = 16


def _no_drop_said(log):
    """The boot log says nothing was dropped for lack of room."""
    for what in ("namespace incomplete", "out of memory"):
        assert what not in log, "%r in the boot log:\n%s" % (what, log)


def test_aml_devices_past_old_limit(arch, **opts):
    """QEMU's DSDT plus limits.dsl's 80 Devices: every one is described
    (more than the old 64 in all) and `devices` lists LM00 to LM79 in
    order; LM00's 10 I/O ranges (8 kept) and its _HID with 6 _CIDs (4 of
    the 7 IDs in the device's ID list) are still named."""
    with Guest(arch, acpi_ssdt=LIMITS_DSL, **opts) as g:
        m = g.expect(r"acpi: (\d+) AML table\(s\): (\d+) devices", timeout=30)
        assert int(m.group(1)) == 2, m.group(0)
        assert int(m.group(2)) > SSDT_DEVICES > OLD_AML_MAX_DEVICES, \
            m.group(0)
        g.expect(r"acpi: \\_SB\.LM00: 7 IDs, 4 kept: DEVICE_MAX_IDS "
                 r"reached; 3 dropped\n", timeout=10)
        g.expect(r"acpi: \\_SB\.LM00: _CRS has 10 resources, 8 kept; "
                 r"2 dropped\n", timeout=10)
        g.expect(re.escape(PROMPT), timeout=30)
        log = g.out
        assert "devices described" not in log, log
        out = g.command("devices")
        listed = re.findall(r"\\_SB\.LM(\d\d)\b", out)
        assert listed == ["%02d" % i for i in range(SSDT_DEVICES)], out


def _big_ssdt(path, names, devices):
    """An SSDT with `names` Names in \\_SB.BIG0 and `devices` Devices
    \\_SB.BGnn after them (each with a _HID and a free I/O port)."""
    with open(path, "w") as f:
        f.write('DefinitionBlock ("", "SSDT", 2, "KITE", "BIG", 1)\n{\n')
        f.write("    Device (\\_SB.BIG0)\n    {\n")
        f.write('        Name (_HID, "KITE1000")\n')
        for i in range(names):
            f.write("        Name (N%03X, %d)\n" % (i, i))
        f.write("    }\n")
        for i in range(devices):
            f.write('    Device (\\_SB.BG%02d)\n    {\n'
                    '        Name (_HID, "KITE2%03d")\n    }\n' % (i, i))
        f.write("}\n")


def test_aml_namespace_and_tables_past_old_limits(arch, **opts):
    """One SSDT of 3,000 Names and 40 Devices (more objects than the old
    2,048-node namespace held, and the Devices declared after them) and
    20 more SSDTs (kbd0001.aml: the first declares \\_SB.KBD, the others
    collide with it): 22 AML tables all walked, every object created, all
    40 late Devices in `devices`."""
    extra = " ".join(["-acpitable file=%s" % KBD0001_AML] * 20)
    opts = dict(opts, extra=(opts.get("extra", "") + " " + extra).strip())
    with tempfile.TemporaryDirectory(prefix="kite-big-ssdt-") as tmp:
        dsl = os.path.join(tmp, "big.dsl")
        _big_ssdt(dsl, 3000, 40)
        with Guest(arch, acpi_ssdt=dsl, **opts) as g:
            m = g.expect(r"acpi: (\d+) AML table\(s\): (\d+) devices, "
                         r"\d+ present with an ID; \d+ methods, (\d+) "
                         r"objects", timeout=30)
            tables, devices, objects = (int(x) for x in m.groups())
            assert tables == 1 + 1 + 20 > OLD_AML_MAX_TABLES, m.group(0)
            assert objects > 3000 + 40 > OLD_AML_MAX_NODES, m.group(0)
            g.expect(re.escape(PROMPT), timeout=30)
            log = g.out
            _no_drop_said(log)
            out = g.command("devices")
            listed = re.findall(r"\\_SB\.BG(\d\d)\b", out)
            assert listed == ["%02d" % i for i in range(40)], out
            assert "\\_SB.BIG0" in out, out


# x86_64 pc, q35 and pc-noapic: their DSDTs differ in device count.
PC_TESTS = [
    test_aml_devices_past_old_limit,
    test_aml_namespace_and_tables_past_old_limits,
]
