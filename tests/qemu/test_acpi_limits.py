"""The AML walker's fixed limits (kernel/firmware/acpi/aml.h; issue 9
item 8): an SSDT with more Devices than AML_MAX_DEVICES, and a Device
with more _CRS entries and _CIDs than are kept, must be reported at boot
with what each limit dropped, never cut without a word.
"""
import os
import re

from kite import Guest, PROMPT

AML = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   "fixtures", "acpi", "aml")
LIMITS_DSL = os.path.join(AML, "limits.dsl")
KBD0001_AML = os.path.join(AML, "kbd0001.aml")

SSDT_DEVICES = 80  # \_SB.LM00 to LM79 in limits.dsl
AML_MAX_DEVICES = 64
AML_MAX_TABLES = 16


def test_aml_limits_are_reported(arch, **opts):
    """QEMU's DSDT plus limits.dsl's 80 Devices: the boot log gives the
    total, the 64 kept and the rest dropped; LM00's 10 I/O ranges (8
    kept) and 6 _CIDs (4 kept by the walker, 3 of them in the device's
    ID list) are named too. `devices` lists only the kept SSDT devices,
    LM00 first."""
    with Guest(arch, acpi_ssdt=LIMITS_DSL, **opts) as g:
        m = g.expect(r"acpi: \d+ AML table\(s\): (\d+) devices", timeout=30)
        assert int(m.group(1)) == AML_MAX_DEVICES, m.group(0)
        m = g.expect(r"acpi: (\d+) devices described, (\d+) kept: "
                     r"AML_MAX_DEVICES reached; (\d+) dropped\n", timeout=10)
        described, kept, dropped = (int(x) for x in m.groups())
        assert described > SSDT_DEVICES, m.group(0)  # DSDT + SSDT
        assert kept == AML_MAX_DEVICES, m.group(0)
        assert described - kept == dropped, m.group(0)
        g.expect(r"acpi: \\_SB\.LM00: _CRS has 10 resources, 8 kept; "
                 r"2 dropped\n", timeout=10)
        g.expect(r"acpi: \\_SB\.LM00: _CID has 6 IDs, 4 kept; 2 dropped\n",
                 timeout=10)
        g.expect(r"acpi: \\_SB\.LM00: 5 IDs, 4 kept: DEVICE_MAX_IDS "
                 r"reached; 1 dropped\n", timeout=10)
        g.expect(re.escape(PROMPT), timeout=30)
        out = g.command("devices")
        listed = re.findall(r"\\_SB\.LM(\d\d)\b", out)
        ssdt_kept = SSDT_DEVICES - dropped
        assert listed == ["%02d" % i for i in range(ssdt_kept)], out


def test_aml_table_limit_is_reported(arch, **opts):
    """The DSDT and 16 SSDTs (kbd0001.aml each time: the first declares
    \\_SB.KBD, the others collide with it): 17 AML tables, the walker
    takes 16, and the boot log says one was dropped."""
    extra = " ".join(["-acpitable file=%s" % KBD0001_AML] * AML_MAX_TABLES)
    opts = dict(opts, extra=(opts.get("extra", "") + " " + extra).strip())
    with Guest(arch, **opts) as g:
        g.expect(r"acpi: %u AML table\(s\)" % AML_MAX_TABLES, timeout=30)
        g.expect(r"acpi: %u AML tables, %u loaded: AML_MAX_TABLES "
                 r"reached; 1 dropped\n"
                 % (AML_MAX_TABLES + 1, AML_MAX_TABLES), timeout=10)
        g.expect(re.escape(PROMPT), timeout=30)


# x86_64 pc, q35 and pc-noapic: their DSDTs differ in device count.
PC_TESTS = [
    test_aml_limits_are_reported,
    test_aml_table_limit_is_reported,
]
