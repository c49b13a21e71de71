#!/usr/bin/env python3
"""Seed, run and minimize kite's fuzz targets (tests/fuzz, built by make).

    fuzz.py run SECONDS TARGET...   `make fuzz`: each target for SECONDS,
                                    then one line each: runs, coverage
    fuzz.py merge TARGET...         `make fuzz-corpus`: minimize what the
                                    runs found into tests/fuzz/corpus
    fuzz.py seeds TARGET DIR        write TARGET's seeds into DIR

A target's inputs are, in this order: build/host/corpus/<target> (what
this machine's runs found, where libFuzzer writes new inputs),
tests/fuzz/corpus/<target> (the minimized corpus kept in git) and the
seeds: the fixtures that target parses (tests/fixtures: captured QEMU
tables and DTBs, made to fit the length limit) and hand-made bad inputs,
written below. A target this script has no seeds for gets every fixture.

Python 3 standard library only.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import acpi_capture  # noqa: E402

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
HOST = os.path.join(ROOT, "build", "host")
MAX_LEN = 16384


# ---- device trees (Devicetree Specification v0.4, chapter 5) ----------

FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_END = 1, 2, 3, 9


def u32s(*cells):
    return b"".join(struct.pack(">I", c & 0xFFFFFFFF) for c in cells)


def fdt_blob(root, version=17):
    """A DTB from (name, [(prop, value bytes)], [children]): header,
    an empty reservation map, structure block, strings block."""
    structure, strings, offsets = bytearray(), bytearray(), {}

    def pad():
        structure.extend(b"\0" * (-len(structure) % 4))

    def node(name, props, children):
        structure.extend(u32s(FDT_BEGIN_NODE) + name.encode() + b"\0")
        pad()
        for prop, value in props:
            if prop not in offsets:
                offsets[prop] = len(strings)
                strings.extend(prop.encode() + b"\0")
            structure.extend(u32s(FDT_PROP, len(value), offsets[prop]))
            structure.extend(value)
            pad()
        for child in children:
            node(*child)
        structure.extend(u32s(FDT_END_NODE))

    node(*root)
    structure.extend(u32s(FDT_END))
    off_struct = 40 + 16
    off_strings = off_struct + len(structure)
    total = off_strings + len(strings)
    header = u32s(0xD00DFEED, total, off_struct, off_strings, 40, version,
                  16, 0, len(strings), len(structure))
    return header + bytes(16) + bytes(structure) + bytes(strings)


def trimmed_dtb(data):
    """A captured DTB cut to its blocks (QEMU pads it to 1 MiB, past the
    length limit), with totalsize saying so."""
    off_strings, size_strings = struct.unpack_from(">I", data, 12)[0], \
        struct.unpack_from(">I", data, 32)[0]
    end = off_strings + size_strings
    out = bytearray(data[:end])
    struct.pack_into(">I", out, 4, end)
    return bytes(out)


def gic_tree(intc_props=(), uart_props=None, extra=()):
    """A small virt-like tree: a GICv3 (phandle 1) and a UART under it."""
    intc = ("intc@8000000", [("compatible", b"arm,gic-v3\0"),
                             ("#interrupt-cells", u32s(3)),
                             ("interrupt-controller", b""),
                             ("reg", u32s(0, 0x8000000, 0, 0x10000)),
                             ("phandle", u32s(1))] + list(intc_props), [])
    if uart_props is None:
        uart_props = [("interrupts", u32s(0, 1, 4))]
    uart = ("pl011@9000000", [("compatible", b"arm,pl011\0"),
                              ("reg", u32s(0, 0x9000000, 0, 0x1000))]
            + list(uart_props), [])
    return ("", [("#address-cells", u32s(2)), ("#size-cells", u32s(2)),
                 ("interrupt-parent", u32s(1))],
            [intc, uart] + list(extra))


def fdt_irq_bad():
    """Interrupt wiring a broken tree can have (Devicetree Spec 2.4)."""
    yield "irq-ok", fdt_blob(gic_tree())
    yield "irq-cells-0", fdt_blob(gic_tree([("#interrupt-cells", u32s(0))]))
    yield "irq-cells-7", fdt_blob(gic_tree([("#interrupt-cells", u32s(7))]))
    yield "irq-short", fdt_blob(gic_tree(uart_props=[
        ("interrupts", u32s(0, 1))]))
    yield "irq-parent-missing", fdt_blob(gic_tree(uart_props=[
        ("interrupt-parent", u32s(77)), ("interrupts", u32s(0, 1, 4))]))
    # A parent that is no controller, pointing back at itself.
    yield "irq-parent-loop", fdt_blob(gic_tree(extra=[
        ("loop", [("phandle", u32s(2)), ("interrupt-parent", u32s(2)),
                  ("interrupts", u32s(5))], [])]))
    yield "irq-extended", fdt_blob(gic_tree(uart_props=[
        ("interrupts-extended", u32s(1, 0, 1, 4, 1, 1, 13, 0xf08, 9))]))
    yield "irq-extended-bad", fdt_blob(gic_tree(uart_props=[
        ("interrupts-extended", u32s(1, 0, 1, 4, 99, 1))]))
    yield "irq-ppi-spi-range", fdt_blob(gic_tree(uart_props=[
        ("interrupts", u32s(0, 987, 4, 1, 31, 0xff04, 2, 0, 1))]))
    yield "irq-dup-phandle", fdt_blob(gic_tree(extra=[
        ("twin", [("phandle", u32s(1)), ("interrupt-controller", b""),
                  ("#interrupt-cells", u32s(1))], [])]))


def fdt_bad():
    """Damaged blobs, each breaking one rule of chapter 5."""
    good = fdt_blob(gic_tree())

    def patch(fmt, off, *vals):
        out = bytearray(good)
        struct.pack_into(fmt, out, off, *vals)
        return bytes(out)

    yield "hdr-magic", patch(">I", 0, 0xD00DFEEE)
    yield "hdr-short", good[:39]
    yield "hdr-totalsize-big", patch(">I", 4, len(good) + 1)
    yield "hdr-struct-misaligned", patch(">I", 8, 58)
    yield "hdr-strings-past-end", patch(">I", 12, len(good) + 8)
    yield "hdr-version-1", patch(">II", 20, 1, 1)
    yield "hdr-rsvmap-past-end", patch(">I", 16, len(good) - 8)
    yield "no-end-token", good[:good.rfind(u32s(FDT_END))] + bytes(4)
    deep = ("leaf", [("x", u32s(1))], [])
    for i in range(40):
        deep = ("n%d" % i, [], [deep])
    yield "nest-40", fdt_blob(("", [], [deep]))
    # A property whose length runs past the structure block.
    i = good.find(u32s(FDT_PROP))
    yield "prop-len-huge", patch(">I", i + 4, 0x7FFFFFF0)
    yield "prop-nameoff-past", patch(">I", i + 8, 0x100000)
    yield "name-unterminated", fdt_blob(("", [], [("a" * 300, [], [])]))[:120]
    yield "stdout-missing", fdt_blob(("", [], [("chosen", [(
        "stdout-path", b"/nowhere\0")], [])]))


def dtbs():
    for name in sorted(os.listdir(FIXTURES)):
        if name.endswith(".dtb"):
            with open(os.path.join(FIXTURES, name), "rb") as f:
                yield name, trimmed_dtb(f.read())


# ---- ACPI tables (ACPI 6.5, 5.2) and AML (chapter 20) -------------------

def acpi_table(sig, body, revision=1):
    t = bytearray(sig.encode() + struct.pack("<IBB", 36 + len(body),
                                             revision, 0)
                  + b"KITE  " + b"FUZZTBL " + struct.pack("<I", 1)
                  + b"KITE" + struct.pack("<I", 1) + body)
    t[9] = -sum(t) & 0xFF
    return bytes(t)


def madt(*entries):
    return acpi_table("APIC", struct.pack("<II", 0xFEE00000, 1)
                      + b"".join(entries))


def acpi_bad():
    lapic = struct.pack("<BBBBI", 0, 8, 0, 0, 1)
    ioapic = struct.pack("<BBBBII", 1, 12, 0, 0, 0xFEC00000, 0)
    override = struct.pack("<BBBBIH", 2, 10, 0, 0, 2, 0)
    yield "madt-ok", madt(lapic, ioapic, override)
    yield "madt-entry-len-0", madt(lapic, b"\x01\x00" + bytes(10))
    yield "madt-entry-short", madt(lapic, b"\x01\x02")
    yield "madt-entry-past-end", madt(lapic, b"\x02\xff" + bytes(8))
    yield "madt-override-irq-99", madt(ioapic, struct.pack(
        "<BBBBIH", 2, 10, 0, 99, 1000, 0xF))
    yield "madt-many-cpus", madt(*[struct.pack("<BBBBI", 0, 8, i, i, 1)
                                   for i in range(256)])
    yield "header-only", acpi_table("APIC", b"")
    long = bytearray(acpi_table("FACP", bytes(80)))
    struct.pack_into("<I", long, 4, 4096)  # says more than there is
    yield "length-past-end", bytes(long)
    yield "fadt-short", acpi_table("FACP", bytes(8))
    yield "fadt-v1", acpi_table("FACP", bytes(116 - 36))
    yield "fadt-x-dsdt-wild", acpi_table("FACP", bytes(140 - 36) + struct.pack(
        "<Q", 0xFFFFFFFFFFFF0000), revision=6)
    # Memory images: an RSDP at 0 whose RSDT lists entries outside.
    rsdt = acpi_table("RSDT", struct.pack("<III", 0x40, 0x7FFFFFF0, 0))
    rsdp = bytearray(b"RSD PTR " + bytes(1) + b"KITE  " + b"\0"
                     + struct.pack("<I", 0x20))
    rsdp[8] = -sum(rsdp) & 0xFF
    yield "rsdp-rsdt-wild", bytes(rsdp) + bytes(12) + rsdt
    rsdp2 = bytearray(rsdp)
    rsdp2[15] = 2  # revision 2 says 36 bytes and an XSDT; neither is there
    rsdp2[8] = 0
    rsdp2[8] = -sum(rsdp2) & 0xFF
    yield "rsdp-v2-short", bytes(rsdp2)


def pkg(body):
    """An AML PkgLength (ACPI 6.5, 20.2.4) in front of body."""
    n = len(body) + 1
    if n < 0x40:
        return bytes([n]) + body
    for extra in (1, 2, 3):
        n = len(body) + 1 + extra
        if n < 1 << (4 + 8 * extra):
            lead = (extra << 6) | (n & 0xF)
            return bytes([lead]) + (n >> 4).to_bytes(extra, "little") + body
    raise ValueError("AML package too long")


def aml_bad():
    one, zero = b"\x01", b"\x00"
    name_hid = b"\x08_HID" + b"\x0dPNP0501\0"
    crs = b"\x08_CRS\x11" + pkg(b"\x0a\x0d" + bytes([
        0x47, 1, 0xF8, 3, 0xF8, 3, 1, 8, 0x22, 0x10, 0, 0x79, 0]))
    device = b"\x5b\x82" + pkg(b"COM1" + name_hid + crs)
    yield "aml-device", acpi_table("DSDT", b"\x10" + pkg(b"\\_SB_" + device))
    # A scope that says it is longer than the table.
    yield "aml-pkglen-past", acpi_table("DSDT", b"\x10\x7f\\_SB_" + device)
    yield "aml-bad-nameseg", acpi_table("DSDT", b"\x08a-b!" + one)
    deep = b"\x08KITE" + one
    for _ in range(100):
        deep = b"\x10" + pkg(b"S000" + deep)
    yield "aml-scope-100", acpi_table("DSDT", deep)
    method = b"\x14" + pkg(b"_STA\x00" + b"\xa2" + pkg(one))
    yield "aml-while-one", acpi_table("DSDT", b"\x10" + pkg(
        b"\\_SB_\x5b\x82" + pkg(b"DEV0" + name_hid + method)))
    yield "aml-buffer-huge", acpi_table("DSDT", b"\x08BUF0\x11" + pkg(
        b"\x0c\xff\xff\xff\x7f"))
    yield "aml-package-count", acpi_table("DSDT", b"\x08PKG0\x12" + pkg(
        b"\xff" + one + zero))
    yield "aml-ssdt-truncated", acpi_table("SSDT", b"\x10" + pkg(
        b"\\_SB_" + device))[:60]
    # Resource templates alone (fuzz_aml decodes each input as one too).
    yield "res-irq-short", bytes([0x22, 0x10])
    yield "res-no-end-tag", bytes([0x47, 1, 0x60, 0, 0x60, 0, 1, 1])
    yield "res-large-past", bytes([0x86, 0xff, 0x00, 1, 0, 0, 0, 0])
    yield "res-extirq", bytes([0x89, 10, 0, 0x0b, 2, 9, 0, 0, 0, 10, 0, 0,
                               0, 0x79, 0])
    yield "res-qword", bytes([0x8A, 43, 0]) + bytes(43) + bytes([0x79, 0])


def acpi_files(*names):
    for machine in ("pc", "q35", "pc-ssdt"):
        d = os.path.join(FIXTURES, "acpi", machine)
        for name in sorted(os.listdir(d)):
            if name.endswith(".bin") and (not names or name in names):
                with open(os.path.join(d, name), "rb") as f:
                    yield "%s-%s" % (machine, name), f.read()


def acpi_images():
    """Each capture as one memory image (scripts/acpi_capture.py)."""
    for machine in ("pc", "q35", "pc-ssdt"):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "img")
            with open(os.devnull, "w") as quiet:
                saved, sys.stderr = sys.stderr, quiet
                try:
                    acpi_capture.fuzz_seed(
                        os.path.join(FIXTURES, "acpi", machine), out)
                finally:
                    sys.stderr = saved
            with open(out, "rb") as f:
                yield "%s-memory" % machine, f.read()


def aml_files():
    d = os.path.join(FIXTURES, "acpi", "aml")
    for name in sorted(os.listdir(d)):
        if name.endswith(".aml"):
            with open(os.path.join(d, name), "rb") as f:
                yield name, f.read()


def corpus_tables():
    """The real PCs' DSDTs and SSDTs (tests/fixtures/acpi/corpus): whole
    when they fit MAX_LEN, else their first MAX_LEN bytes with the
    header's Length cut to match, so that real AML reaches the fuzzer
    (ending mid-term, as a truncated table does)."""
    d = os.path.join(FIXTURES, "acpi", "corpus")
    if not os.path.isdir(d):
        return
    for machine in sorted(os.listdir(d)):
        md = os.path.join(d, machine)
        if not os.path.isdir(md):
            continue
        for name in sorted(os.listdir(md)):
            if not re.match(r"(dsdt|ssdt\d*)\.dat$", name):
                continue
            with open(os.path.join(md, name), "rb") as f:
                data = f.read()
            if len(data) > MAX_LEN:
                data = (data[:4] + struct.pack("<I", MAX_LEN) +
                        data[8:MAX_LEN])
            yield "%s-%s" % (machine, name), data


SEEDS = {
    "fuzz_fdt": lambda: [*dtbs(), *fdt_bad()],
    "fuzz_fdt_irq": lambda: [*dtbs(), *fdt_irq_bad()],
    "fuzz_acpi": lambda: [*acpi_files(), *acpi_images(), *acpi_bad()],
    "fuzz_aml": lambda: [*aml_files(), *acpi_files("DSDT.bin", "SSDT.bin"),
                         *corpus_tables(), *aml_bad()],
}


def write_seeds(target, out):
    """target's seed files in out (a fresh directory); returns out."""
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    if target not in SEEDS:
        shutil.rmtree(out)
        shutil.copytree(FIXTURES, out)
        return out
    for name, data in SEEDS[target]():
        assert len(data) <= MAX_LEN, (name, len(data))
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    return out


# ---- running -------------------------------------------------------------

def inputs(target):
    """The directories a run of target reads, the first one written."""
    name = os.path.basename(target)
    found = os.path.join(HOST, "corpus", name)
    kept = os.path.join(CORPUS, name)
    os.makedirs(found, exist_ok=True)
    seeds = write_seeds(name, os.path.join(HOST, "seeds", name))
    return [found] + ([kept] if os.path.isdir(kept) else []) + [seeds]


def libfuzzer(target, args, dirs, timeout):
    """Run target; (exit status, stats) from libFuzzer's report: runs,
    cov and ft at start (INITED) and end, corpus size."""
    # Crashes, leaks and slow inputs go to build/host/fuzz-artifacts (the
    # log names the file), never into the working tree.
    artifacts = os.path.join(HOST, "fuzz-artifacts")
    os.makedirs(artifacts, exist_ok=True)
    prefix = os.path.join(artifacts, os.path.basename(target) + "-")
    p = subprocess.run([target, "-max_len=%d" % MAX_LEN,
                        "-artifact_prefix=" + prefix] + args + dirs,
                       capture_output=True, text=True, timeout=timeout)
    stats = {"log": p.stderr}
    m = re.search(r"INITED cov: (\d+) ft: (\d+) corp: (\d+)", p.stderr)
    if m:
        stats["cov0"], stats["ft0"], stats["corp0"] = map(int, m.groups())
    ends = re.findall(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)",
                      p.stderr, re.M)
    if ends:
        stats["runs"], stats["cov"], stats["ft"], stats["corp"] = map(
            int, ends[-1])
    done = re.search(r"Done (\d+) runs in (\d+) second", p.stderr)
    if done:
        stats["runs"], stats["seconds"] = map(int, done.groups())
    return p.returncode, stats


def summary(name, st):
    """One line: runs, time, coverage (libFuzzer's "cov", edges reached)
    and features ("ft") at start and end, inputs in the corpus."""
    return "%-14s %9d %7d s  %4d -> %4d  %5d -> %5d  %d" % (
        name, st.get("runs", 0), st.get("seconds", 0), st.get("cov0", 0),
        st.get("cov", 0), st.get("ft0", 0), st.get("ft", 0),
        st.get("corp", 0))


def cmd_run(seconds, targets):
    lines, failed = [], False
    for target in targets:
        name = os.path.basename(target)
        print("== %s for %d s" % (name, seconds), flush=True)
        status, st = libfuzzer(target, ["-max_total_time=%d" % seconds],
                               inputs(target), timeout=seconds * 3 + 120)
        if status != 0:
            # A crash: libFuzzer's report says what and where the input is.
            sys.stderr.write(st["log"][-6000:])
            failed = True
        lines.append(summary(name, st) + ("  FAILED" if status else ""))
    print("\n".join(["", "%-14s %9s %9s  %-12s  %-14s  %s" % (
        "target", "runs", "time", "coverage", "features", "inputs")] + lines))
    return 1 if failed else 0


# Keep inputs for the code they reach, not for how often (hit counts would
# keep thousands of files): the committed corpus stays small.
MERGE_FLAGS = ["-merge=1", "-use_counters=0"]


def cmd_merge(targets):
    """Minimize everything known for each target into tests/fuzz/corpus:
    the smallest set of inputs with the same coverage (libFuzzer -merge)."""
    for target in targets:
        name = os.path.basename(target)
        kept = os.path.join(CORPUS, name)
        new = kept + ".new"
        shutil.rmtree(new, ignore_errors=True)
        os.makedirs(new)
        status, st = libfuzzer(target, MERGE_FLAGS, [new] + inputs(target),
                               timeout=1800)
        if status != 0:
            sys.stderr.write(st["log"][-4000:])
            shutil.rmtree(new)
            return 1
        shutil.rmtree(kept, ignore_errors=True)
        os.rename(new, kept)
        print("%s: %d inputs, %d bytes" % (
            kept, len(os.listdir(kept)),
            sum(os.path.getsize(os.path.join(kept, f))
                for f in os.listdir(kept))))
    return 0


def main():
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "run":
        sys.exit(cmd_run(int(args[1]), args[2:]))
    if len(args) >= 1 and args[0] == "merge":
        sys.exit(cmd_merge(args[1:]))
    if len(args) == 3 and args[0] == "seeds":
        write_seeds(args[1], args[2])
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
