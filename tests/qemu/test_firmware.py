"""Firmware addresses are not trusted (issue 9 item 7, x86_64): an SSDT
whose SystemMemory OperationRegion lies on a page the kernel leaves
unmapped (page 0, the boot stack's guard page) is read by a _STA method
at boot. The read must not fault: the AML host's SystemMemory handler
(platform/pc_aml_host.c) maps through firmware_map(), which asks the page
tables; the boot says which read of which region was refused, the
access fails (the interpreter names the region and its device), the
device is left out, and the prompt comes.
"""
import os
import re
import subprocess
import tempfile

from kite import Guest, IMAGES, PROMPT

SSDT_DSL = """DefinitionBlock ("", "SSDT", 2, "KITE", "BADADDR", 1) {
  Scope (\\_SB) {
    Device (BADG) {
      Name (_HID, "KITE0001")
      OperationRegion (GRD, SystemMemory, 0x%x, 0x10)
      Field (GRD, DWordAcc, NoLock, Preserve) { GFLD, 32 }
      Method (_STA) { Return (GFLD) }
    }
    Device (BADZ) {
      Name (_HID, "KITE0002")
      OperationRegion (ZRO, SystemMemory, 0x10, 0x10)
      Field (ZRO, DWordAcc, NoLock, Preserve) { ZFLD, 32 }
      Method (_STA) { Return (ZFLD) }
    }
  }
}
"""


def symbol(name):
    """An address from the kernel image's symbol table (the guard page
    moves with every build)."""
    out = subprocess.run(["nm", IMAGES["x86_64"]], capture_output=True,
                         text=True, check=True).stdout
    m = re.search(r"^([0-9a-f]+) \w %s$" % name, out, re.M)
    assert m, "no %s in %s" % (name, IMAGES["x86_64"])
    return int(m.group(1), 16)


def test_operation_region_on_unmapped_pages(arch, **opts):
    """The guard page's field and page 0's field are each refused with a
    line naming the region and the address, both devices' _STA fail
    naming the region and the device, both are left out, and the boot
    goes on to the prompt, where the shell answers."""
    guard = symbol("boot_stack_guard")
    with tempfile.TemporaryDirectory(prefix="kite-fw-") as tmp:
        dsl = os.path.join(tmp, "badaddr.dsl")
        with open(dsl, "w") as f:
            f.write(SSDT_DSL % guard)
        with Guest(arch, acpi_ssdt=dsl, **opts) as g:
            g.expect(r"acpi: \\_SB\.BADG\.GRD: SystemMemory read of 32 bits "
                     r"at 0x0*%x: not mapped: refused\n" % guard, timeout=30)
            g.expect(r"acpi: \\_SB\.BADG: \\_SB\.BADG\._STA: .*region "
                     r"\\_SB\.BADG\.GRD \(SystemMemory\) of \\_SB\.BADG: "
                     r"access failed", timeout=30)
            g.expect(r"acpi: \\_SB\.BADZ\.ZRO: SystemMemory read of 32 bits "
                     r"at 0x0*10: not mapped: refused\n", timeout=30)
            g.expect(r"acpi: \\_SB\.BADZ: \\_SB\.BADZ\._STA: .*region "
                     r"\\_SB\.BADZ\.ZRO \(SystemMemory\) of \\_SB\.BADZ: "
                     r"access failed", timeout=30)
            g.expect(re.escape(PROMPT), timeout=30)
            out = g.command("echo still here")
            assert out == "still here\n", repr(out)
            out = g.command("devices")
            assert "BADG" not in out and "BADZ" not in out, out


PC_TESTS = [test_operation_region_on_unmapped_pages]
