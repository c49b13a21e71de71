"""AArch64 under odd and damaged device trees (issue 9, items 3, 6, 7, 8,
13, 15).

Each test dumps the device tree QEMU would hand this run's machine
(`-machine dumpdtb=`), changes it in Python (the small FDT reader and
writer below), boots it with `-dtb` and asserts that kite says what it
found: a console where the tree still shows one, the reason on the
semihosting channel (QEMU's stderr) where it does not, and a word for
each thing it has to do without. The NULL-guard test runs on both ports.
"""
import os
import random
import re
import select
import shutil
import struct
import subprocess
import tempfile
import time

import kite
from kite import Guest, PROMPT, Timeout

BANNER = r"kite 0\.1 on aarch64"


# --- A flattened device tree in Python (Devicetree Specification v0.4,
# chapter 5): enough to parse QEMU's tree, change it and write it back.

class Node:
    def __init__(self, name):
        self.name = name
        self.props = []     # [name, value bytes], in order
        self.children = []

    def find(self, path):
        node = self
        for part in [p for p in path.split("/") if p]:
            node = next((c for c in node.children if c.name == part or
                         c.name.split("@")[0] == part), None)
            if node is None:
                raise KeyError(path)
        return node

    def get(self, name):
        return next((v for k, v in self.props if k == name), None)

    def set(self, name, value):
        for p in self.props:
            if p[0] == name:
                p[1] = value
                return
        self.props.append([name, value])

    def delete(self, name):
        self.props = [p for p in self.props if p[0] != name]

    def add(self, name, index=None):
        child = Node(name)
        self.children.insert(len(self.children) if index is None else index,
                             child)
        return child

    def remove(self, name):
        self.children.remove(self.find(name))


def fdt_parse(blob):
    fields = struct.unpack(">10I", blob[:40])
    off_struct, off_strings, size_strings = fields[2], fields[3], fields[8]
    strings = blob[off_strings:off_strings + size_strings]
    pos, stack, root = off_struct, [], None
    while True:
        tok, = struct.unpack(">I", blob[pos:pos + 4])
        pos += 4
        if tok == 1:                    # FDT_BEGIN_NODE
            end = blob.index(b"\0", pos)
            node = Node(blob[pos:end].decode())
            pos = (end + 4) & ~3
            if stack:
                stack[-1].children.append(node)
            else:
                root = node
            stack.append(node)
        elif tok == 3:                  # FDT_PROP
            length, nameoff = struct.unpack(">II", blob[pos:pos + 8])
            pos += 8
            name = strings[nameoff:strings.index(b"\0", nameoff)].decode()
            stack[-1].props.append([name, blob[pos:pos + length]])
            pos = (pos + length + 3) & ~3
        elif tok == 2:                  # FDT_END_NODE
            stack.pop()
        elif tok == 9:                  # FDT_END
            return root


def fdt_build(root):
    strings, offsets, st = bytearray(), {}, bytearray()

    def nameoff(name):
        if name not in offsets:
            offsets[name] = len(strings)
            strings.extend(name.encode() + b"\0")
        return offsets[name]

    def emit(node):
        name = node.name.encode() + b"\0"
        st.extend(struct.pack(">I", 1) + name + b"\0" * (-len(name) % 4))
        for key, value in node.props:
            st.extend(struct.pack(">III", 3, len(value), nameoff(key)) +
                      value + b"\0" * (-len(value) % 4))
        for child in node.children:
            emit(child)
        st.extend(struct.pack(">I", 2))

    emit(root)
    st.extend(struct.pack(">I", 9))
    off_rsv = 40
    off_struct = off_rsv + 16           # one (0, 0) reservation entry
    off_strings = off_struct + len(st)
    total = off_strings + len(strings)
    header = struct.pack(">10I", 0xd00dfeed, total, off_struct, off_strings,
                         off_rsv, 17, 16, 0, len(strings), len(st))
    return header + b"\0" * 16 + bytes(st) + bytes(strings)


def u32(*cells):
    return struct.pack(">%dI" % len(cells), *cells)


def strs(*values):
    return b"".join(v.encode() + b"\0" for v in values)


# --- Booting a changed tree.

class Tree:
    """QEMU's own device tree for this run's machine, in a scratch
    directory; boot() starts a guest on a changed copy."""

    def __init__(self, **opts):
        self.opts = opts
        self.tmp = tempfile.mkdtemp(prefix="kite-dtb-")
        path = os.path.join(self.tmp, "qemu.dtb")
        cmd = kite.qemu.qemu_command("aarch64", kite.IMAGES["aarch64"],
                                     console="pipe", **opts)
        m = cmd.index("-M")
        cmd[m + 1] += ",dumpdtb=" + path
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)
        with open(path, "rb") as f:
            self.blob = f.read()

    def root(self):
        return fdt_parse(self.blob)

    def boot(self, blob_or_root, cmdline=""):
        blob = (blob_or_root if isinstance(blob_or_root, bytes)
                else fdt_build(blob_or_root))
        path = os.path.join(self.tmp, "test%d.dtb" % len(os.listdir(
            self.tmp)))
        with open(path, "wb") as f:
            f.write(blob)
        opts = dict(self.opts)
        opts["extra"] = ("%s -dtb %s" % (opts.get("extra", ""), path)).strip()
        return Guest("aarch64", cmdline=cmdline, semihosting=True, **opts)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.tmp, ignore_errors=True)


def expect_stderr(g, pattern, timeout=20.0):
    """Wait for a regex on QEMU's stderr (semihosting SYS_WRITE0 output
    goes there); return all of stderr read so far."""
    fd = g.proc.stderr.fileno()
    err = b""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, err.decode("latin-1")):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout("no %r on stderr within %.0fs; stderr:\n%s\n"
                          "serial:\n%s" % (pattern, timeout, err.decode(
                              "latin-1")[-2000:], g.out[-2000:]))
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            data = os.read(fd, 65536)
            if not data:
                raise Timeout("QEMU closed stderr (exit %s); stderr:\n%s"
                              % (g.proc.poll(), err.decode("latin-1")))
            err += data
    return err.decode("latin-1")


def boot_to_prompt(g):
    """The banner and a prompt that answers; the output before the
    prompt."""
    g.expect(BANNER, timeout=30)
    g.expect(re.escape(PROMPT), timeout=30)
    assert g.command("echo alive").strip() == "alive", g.out[-2000:]
    return g.out


def aarch64_only(test):
    def run(arch, **opts):
        if arch == "aarch64":
            test(**opts)
    run.__name__ = test.__name__
    return run


# --- Item 3: a console without stdout-path, or with a bad one.

@aarch64_only
def test_console_without_stdout_path(**opts):
    with Tree(**opts) as t:
        r = t.root()
        r.find("/chosen").delete("stdout-path")
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert "console: no /chosen/stdout-path" in out, out
            assert re.search(r"console: pl011@9000000, the first arm,pl011",
                             out), out


@aarch64_only
def test_console_stdout_path_names_nothing(**opts):
    with Tree(**opts) as t:
        r = t.root()
        r.find("/chosen").set("stdout-path", strs("/nowhere@1234:115200n8"))
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert 'stdout-path "/nowhere@1234:115200n8" names no node' in \
                out, out


@aarch64_only
def test_console_from_aliases_serial0(**opts):
    """/aliases/serial0 comes before the first PL011: a decoy PL011 at an
    address where nothing is, ahead of the real one, must not be used."""
    with Tree(**opts) as t:
        r = t.root()
        r.find("/chosen").delete("stdout-path")
        decoy = r.add("pl011@9100000", index=0)
        decoy.set("compatible", strs("arm,pl011", "arm,primecell"))
        decoy.set("reg", u32(0, 0x9100000, 0, 0x1000))
        r.add("aliases", index=0).set("serial0", strs("/pl011@9000000"))
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert "console: pl011@9000000, from /aliases/serial0" in out, out


@aarch64_only
def test_console_sbsa_uart_only(**opts):
    with Tree(**opts) as t:
        r = t.root()
        r.find("/pl011@9000000").set("compatible", strs("arm,sbsa-uart"))
        with t.boot(r) as g:
            boot_to_prompt(g)


@aarch64_only
def test_console_reg_one_cell_short(**opts):
    with Tree(**opts) as t:
        r = t.root()
        r.find("/pl011@9000000").set("reg", u32(0, 0x9000000, 0))
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert "console: pl011@9000000: reg is 12 bytes, no whole " \
                "entry: using its address only" in out, out


@aarch64_only
def test_nested_deeper_than_32(**opts):
    """A chain of 40 nested nodes ahead of everything else (QEMU's /memory,
    the console): the deep part is skipped, the rest still read."""
    with Tree(**opts) as t:
        r = t.root()
        node = r.add("deep", index=0)
        for i in range(40):
            node = node.add("n%d" % i)
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert re.search(r"dt: \d+ fault\(s\) in the device tree, the "
                             r"first nodes nested deeper than 32 at "
                             r"structure offset 0x[0-9a-f]+: skipped", out), out
            assert re.search(r"dt: /deep/n0/\S+: children nested deeper "
                             r"than 32 skipped", out), out


@aarch64_only
def test_bad_property_name_skipped(**opts):
    """A property whose name lies outside the strings block, ahead of the
    console (libfdt, and so QEMU, walks past it): that property is
    skipped, the rest read, and the fault said."""
    with Tree(**opts) as t:
        r = t.root()
        marker = b"\xde\xad\xbe\xef" * 2
        r.add("broken", index=0).set("kite,marker", marker)
        blob = bytearray(fdt_build(r))
        at = blob.index(marker) - 4     # its nameoff
        blob[at:at + 4] = u32(0x7ffff0)
        with t.boot(bytes(blob)) as g:
            out = boot_to_prompt(g)
            assert re.search(r"dt: 1 fault\(s\) in the device tree, the "
                             r"first a property name outside the strings "
                             r"block at structure offset 0x[0-9a-f]+: "
                             r"skipped", out), out


@aarch64_only
def test_no_console_says_why(**opts):
    """No UART kite can drive: the reason goes out through semihosting."""
    with Tree(**opts) as t:
        r = t.root()
        r.find("/chosen").delete("stdout-path")
        r.find("/pl011@9000000").set("compatible", strs("acme,uart"))
        with t.boot(r) as g:
            err = expect_stderr(g, r"kite: no console: the device tree names "
                                r"no PL011 or SBSA UART; halted")
            assert "console: no /chosen/stdout-path" in err, err


@aarch64_only
def test_damaged_bytes_never_silent(**opts):
    """Single-byte changes QEMU accepts: each boot either reaches a prompt
    or says on the semihosting channel why it has no console. Positions
    are spread over the header, the structure block and the strings
    block, with a fixed seed."""
    with Tree(**opts) as t:
        blob = fdt_build(t.root())
        off_struct, off_strings = struct.unpack(">II", blob[8:16])
        rng = random.Random(9)
        spots = ([rng.randrange(0, 40) for _ in range(3)] +
                 [rng.randrange(off_struct, off_strings) for _ in range(29)] +
                 [rng.randrange(off_strings, len(blob)) for _ in range(8)])
        outcomes = []
        for pos in spots:
            damaged = bytearray(blob)
            damaged[pos] ^= 1 << rng.randrange(8)
            with t.boot(bytes(damaged)) as g:
                outcomes.append((pos, said_something(g)))
        silent = [pos for pos, what in outcomes if what is None]
        assert not silent, "silent at %s of %s" % (silent, outcomes)
        # QEMU must have booted most of them, or this tests nothing.
        booted = [pos for pos, what in outcomes if what != "refused"]
        assert len(booted) >= len(spots) // 2, outcomes
        return outcomes


def said_something(g):
    """"prompt", "reason", "refused" (QEMU would not load the tree), or
    None: nothing on either channel within the bound."""
    deadline = time.monotonic() + 30
    err = b""
    while time.monotonic() < deadline:
        if PROMPT in g.out:
            return "prompt"
        if b"kite: no console:" in err or b"panic" in g.out.encode():
            return "reason"
        fds = [g.proc.stdout.fileno(), g.proc.stderr.fileno()]
        ready, _, _ = select.select(fds, [], [], 0.5)
        if fds[0] in ready and g._read(0) is None:
            return "refused" if g.proc.poll() else None
        if fds[1] in ready:
            data = os.read(fds[1], 65536)
            err += data
            if not data or b"qemu-system-aarch64:" in err:
                return "refused"
    return None


# --- Items 6 and 7: interrupts missing or unusable.

@aarch64_only
def test_no_interrupt_controller(**opts):
    with Tree(**opts) as t:
        r = t.root()
        r.remove("intc")
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert "no interrupt controller in the device tree: polling, " \
                "no tick" in out, out
            assert "console: pl011@9000000 has no usable interrupt: polled" \
                in out, out


@aarch64_only
def test_bad_interrupt_cells(**opts):
    for cells in (0, 7):
        with Tree(**opts) as t:
            r = t.root()
            r.find("/intc").set("#interrupt-cells", u32(cells))
            with t.boot(r) as g:
                out = boot_to_prompt(g)
                assert re.search(r"dt: /timer: interrupt 0: no usable "
                                 r"specifier", out), out
                assert "arm-timer: no usable interrupt" in out, out


@aarch64_only
def test_bogus_interrupt_parent(**opts):
    with Tree(**opts) as t:
        r = t.root()
        r.set("interrupt-parent", u32(0x7777))
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert re.search(r"dt: /timer: interrupt 0: no usable "
                             r"specifier", out), out
            assert "arm-timer: no usable interrupt" in out, out
            assert "console: pl011@9000000 has no usable interrupt: polled" \
                in out, out


@aarch64_only
def test_timer_on_spis(**opts):
    """The generic timer is each CPU's own: a tree that puts its
    interrupts on SPIs (type cell 0) describes lines that cannot fire;
    kite says so instead of waiting for a tick that never comes."""
    with Tree(**opts) as t:
        r = t.root()
        timer = r.find("/timer")
        cells = list(struct.unpack(">%dI" % (len(timer.get("interrupts")) // 4),
                                   timer.get("interrupts")))
        cells[0::3] = [0] * len(cells[0::3])  # GIC_SPI
        timer.set("interrupts", u32(*cells))
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert re.search(r"arm-timer: interrupt \d+ is not a per-CPU "
                             r"line \(the timer's are PPIs\): no tick", out), out


@aarch64_only
def test_console_without_interrupts(**opts):
    with Tree(**opts) as t:
        r = t.root()
        r.find("/pl011@9000000").delete("interrupts")
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert "console: pl011@9000000 has no usable interrupt: polled" \
                in out, out
            # Only the console lost its interrupt: the timer is there,
            # and ticks to wake the console's polling.
            assert re.search(r"arm-timer: \d+ Hz counter, one-shot", out), \
                out
            assert "console input has no interrupt: a 1000 Hz timer" in out, \
                out


@aarch64_only
def test_bogus_redistributor(**opts):
    """A GICv3 whose redistributor the tree puts where nothing answers:
    reported and skipped, not a synchronous external abort."""
    if opts.get("gic", "3") != "3":
        return
    with Tree(**opts) as t:
        r = t.root()
        intc = r.find("/intc")
        reg = list(struct.unpack(">%dI" % (len(intc.get("reg")) // 4),
                                 intc.get("reg")))
        reg[4:6] = [0, 0x0b000000]
        intc.set("reg", u32(*reg))
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert re.search(r"gicv3: no redistributor frame answers at "
                             r"0x0*b000008", out), out
            assert "no interrupt controller: polling, no tick" in out, out


# --- Item 8: the DT device limit, gone in issue 10 (devices from the heap).

@aarch64_only
def test_dt_device_limit_gone(**opts):
    """100 more devices than QEMU's tree (the old pool held 96 in all):
    every one is in `devices`, and nothing is said dropped."""
    with Tree(**opts) as t:
        r = t.root()
        for i in range(100):
            dev = r.add("extra@%x" % (0x20000000 + i * 0x1000))
            dev.set("compatible", strs("kite,test-extra"))
        with t.boot(r) as g:
            out = boot_to_prompt(g)
            assert "dropped" not in out, out
            listed = g.command("devices", timeout=20)
            found = re.findall(r"^extra@([0-9a-f]+) ", listed, re.M)
            assert found == ["%x" % (0x20000000 + i * 0x1000)
                             for i in range(100)], listed


# --- Item 13: NULL guard, both ports.

NULL_FAULT = {
    "x86_64": r"CR2 0000000000000000 \(page not present, read",
    "aarch64": r"FAR  0000000000000000\nFSC 0x0[4-7]: translation fault, "
               r"level \d, read",
}


def test_null_read_faults(arch, **opts):
    with Guest(arch, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        out = g.command("fault read 0")
        assert re.search(NULL_FAULT[arch], out), out
        assert "fault survived through the exception table" in out, out
        if arch == "aarch64":
            # The whole first 2 MiB is the guard there.
            out = g.command("fault read 1ff000")
            assert re.search(r"FAR  00000000001ff000\nFSC 0x0[4-7]: "
                             r"translation fault", out), out


# --- Item 15: a long command line is cut with a warning.

def test_long_cmdline_warns(arch, **opts):
    line = " ".join("word%03d" % i for i in range(40))     # 319 bytes
    with Guest(arch, cmdline=line, **opts) as g:
        g.expect(r"warning: command line truncated to 255 bytes", timeout=30)
        g.expect(re.escape(PROMPT), timeout=30)


TESTS = [
    test_console_without_stdout_path,
    test_console_stdout_path_names_nothing,
    test_console_from_aliases_serial0,
    test_console_sbsa_uart_only,
    test_console_reg_one_cell_short,
    test_nested_deeper_than_32,
    test_bad_property_name_skipped,
    test_no_console_says_why,
    test_damaged_bytes_never_silent,
    test_no_interrupt_controller,
    test_bad_interrupt_cells,
    test_bogus_interrupt_parent,
    test_timer_on_spis,
    test_console_without_interrupts,
    test_bogus_redistributor,
    test_dt_device_limit_gone,
    test_null_read_faults,
    test_long_cmdline_warns,
]
