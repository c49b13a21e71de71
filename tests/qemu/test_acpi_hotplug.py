"""ACPI PCI hotplug on QEMU's pc machine: a GPE on the SCI runs a \\_GPE
method, whose Notify kite delivers or reports (drivers/acpi/gpe.c,
drivers/acpi/notify.c).

QEMU's PIIX4 PM hotplug (hw/acpi/pcihp.c and the DSDT it builds): a
device_add on pci.0 sets the slot's bit in PCIU (port 0xae00) and GPE0
status bit 1; \\_GPE._E01 calls \\_SB.PCI0.PCNT, which runs
Notify(\\_SB.PCI0.S<slot * 8 in hex>, 1) ("device check"). A device_del
sets the bit in PCID (0xae04) instead: Notify(..., 3) ("eject
request"). No kite driver claims a PCI slot, so kite logs both and, for
the eject, runs the slot's _EJ0, which writes B0EJ (0xae08); QEMU then
removes the device and sends the QMP event DEVICE_DELETED.

q35 hotplugs PCIe natively (QEMU 7.2's default), and the 8259 path
(pc-noapic) has no SCI: the test runs on pc with the I/O APIC, and on
q35 with QEMU's ACPI hotplug turned on for a PCIe root port.
"""
import re

from kite import Guest, NotHere, PROMPT

SLOT = 6  # a free slot on pc: 1 ISA bridge, 2 VGA, 3 the default NIC


def slot_path(slot):
    """The DSDT's name for a pci.0 slot: S + the devfn (slot * 8) in hex."""
    return r"\\_SB\.PCI0\.S%02X" % (slot * 8)


def gpe_row(out, gpe):
    """The `gpe` table's row for GPE number gpe: (trigger, method, state,
    count, failed), or None (the method's last and longest run times, in
    us, are not compared)."""
    m = re.search(r"^0x%02x  (\S+) +(\S+) +(\S+) +(\d+) +(\d+) +\d+ +\d+$"
                  % gpe, out, re.M)
    return m and (m.group(1), m.group(2), m.group(3), int(m.group(4)),
                  int(m.group(5)))


def notify_counts(out):
    m = re.search(r"^Notify: (\d+) raised, (\d+) to drivers, (\d+) with no "
                  r"driver \((\d+) ejected by _EJ0, (\d+) not\), (\d+) "
                  r"dropped$", out, re.M)
    assert m, out
    return [int(x) for x in m.groups()]


def hotplug_cycle(g, path, dev_id, **device):
    """device_add, then device_del, of one device whose slot is the
    namespace node path (a regex); assert what kite says and counts."""
    out = g.command("gpe")
    assert gpe_row(out, 1) == ("edge", r"\_GPE._E01", "enabled", 0, 0), out
    assert notify_counts(out)[0] == 0, out

    g.qmp("device_add", id=dev_id, **device)
    g.expect(r"acpi: Notify\(%s, 1 device check\): no driver\n" % path,
             timeout=30)
    out = g.command("gpe")
    row = gpe_row(out, 1)
    assert row and row[3] >= 1 and row[4] == 0, out
    raised, to_drivers, unclaimed = notify_counts(out)[:3]
    assert raised >= 1 and unclaimed >= 1 and to_drivers == 0, out
    assert re.search(r"^  %s +1  last 1 device check$" % path, out,
                     re.M), out

    g.qmp("device_del", id=dev_id)
    g.expect(r"acpi: Notify\(%s, 3 eject request\): no driver: _EJ0 "
             r"run\n" % path, timeout=30)
    g.qmp_event("DEVICE_DELETED", timeout=30, device=dev_id)
    out = g.command("gpe")
    counts = notify_counts(out)
    assert counts[3] == 1 and counts[4] == 0, out
    assert re.search(r"^  %s +2  last 3 eject request$" % path, out,
                     re.M), out
    assert gpe_row(out, 1)[3] >= 2, out


def on(opts, machine):
    return (opts.get("machine") or "pc") == machine and \
        "noapic" not in (opts.get("cmdline") or "")


def test_acpi_hotplug_notify(arch, **opts):
    """pc: device_add raises GPE 1; kite runs \\_GPE._E01 in the SCI thread
    and reports Notify(S30, 1); device_del gives Notify(S30, 3), kite runs
    _EJ0 and QEMU completes the removal (DEVICE_DELETED). Then two slots at
    once."""
    if not on(opts, "pc"):
        raise NotHere("pc only; the SCI is used only on the I/O APIC path")
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(r"acpi: GPEs enabled: 0x01 edge", timeout=60)
        g.expect(re.escape(PROMPT), timeout=60)
        hotplug_cycle(g, slot_path(SLOT), "hp%d" % SLOT, driver="e1000",
                      bus="pci.0", addr=str(SLOT))
        assert not any(d["slot"] == SLOT for b in g.qmp("query-pci")
                       for d in b["devices"]), "slot %d still there" % SLOT
        two_at_once(g)


def two_at_once(g, slots=(7, 8)):
    """Two device_adds back to back: whether QEMU raises GPE 1 once or
    twice, each slot gets its Notify; then two device_dels, each slot
    ejected (both DEVICE_DELETED events)."""
    start = len(g.out)
    for slot in slots:
        g.qmp("device_add", driver="e1000", bus="pci.0", addr=str(slot),
              id="hp%d" % slot)
    for slot in slots:
        g.wait_for(r"acpi: Notify\(%s, 1 device check\): no driver\n"
                   % slot_path(slot), start, timeout=30)
    start = len(g.out)
    for slot in slots:
        g.qmp("device_del", id="hp%d" % slot)
    for slot in slots:
        g.wait_for(r"acpi: Notify\(%s, 3 eject request\): no driver: "
                   r"_EJ0 run\n" % slot_path(slot), start, timeout=30)
        g.qmp_event("DEVICE_DELETED", timeout=30, device="hp%d" % slot)
    # QEMU keeps a slot's PCID bit set until its eject is done, so a
    # GPE for the second device_del that comes before the first _EJ0 ran
    # notifies the first slot again: a second _EJ0 there is harmless.
    out = g.command("gpe")
    counts = notify_counts(out)
    assert counts[3] >= 1 + len(slots) and counts[4] == 0, out


# q35 with QEMU's ACPI hotplug turned on for PCIe root ports (QEMU 6.1's
# default, reverted in 6.2): a root port at 00:05.0 is \_SB.PCI0.S28,
# its one slot S00.
Q35_ACPI_HOTPLUG = ("-global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=on "
                    "-device pcie-root-port,id=rp5,bus=pcie.0,chassis=1,"
                    "addr=5")


def test_acpi_hotplug_q35_root_port(arch, **opts):
    """q35, ACPI hotplug on a root port: the same cycle on
    \\_SB.PCI0.S28.S00 (the root port's BSEL selects its bus)."""
    if not on(opts, "q35"):
        raise NotHere("q35 only; the SCI is used only on the I/O APIC path")
    extra = ((opts.get("extra") or "") + " " + Q35_ACPI_HOTPLUG).strip()
    with Guest(arch, qmp=True, **dict(opts, extra=extra)) as g:
        g.expect(r"acpi: GPEs enabled: 0x01 edge", timeout=60)
        g.expect(re.escape(PROMPT), timeout=60)
        hotplug_cycle(g, r"\\_SB\.PCI0\.S28\.S00", "hpq", driver="e1000e",
                      bus="rp5")


# x86_64 pc, q35 and pc-noapic (each test is a skip where it does not apply).
PC_TESTS = [
    test_acpi_hotplug_notify,
    test_acpi_hotplug_q35_root_port,
]
