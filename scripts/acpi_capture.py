#!/usr/bin/env python3
"""Capture the ACPI tables QEMU builds for an x86 guest, for the unit tests.

Boots kite's x86_64 kernel under qemu-system-x86_64, waits for the line
"ACPI RSDP at 0x..." on the serial port, stops the guest, and reads guest
physical memory through QMP's pmemsave: the RSDP, the RSDT (and XSDT if
there is one), every table they list, and the FADT's DSDT and FACS. Each is
written as <out>/<SIG>.bin (rsdp.bin for the RSDP; a second table with the
same signature becomes <SIG>2.bin), with <out>/memory.txt listing
"<name> <address> <file>" per line, so a test can rebuild the guest's
physical memory from the pieces.

Usage (from the repository root, after `make ARCH=x86_64`):
    scripts/acpi_capture.py pc  tests/fixtures/acpi/pc
    scripts/acpi_capture.py q35 tests/fixtures/acpi/q35
    scripts/acpi_capture.py pc  tests/fixtures/acpi/pc-ssdt --ssdt

--ssdt adds one table with QEMU's -acpitable option: an SSDT whose AML body
is Name (KITE, 0x2A), written by this script (no iasl needed).

    scripts/acpi_capture.py --fuzz-seed tests/fixtures/acpi/pc /tmp/corpus/pc.img

instead packs a captured directory into one compact memory image for
tests/fuzz/fuzz_acpi.c: the RSDP at 0, the RSDT at 0x40, the other tables
after it, every address rewritten and every checksum fixed. No QEMU needed.

Python 3 standard library only.
"""
import argparse
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time


def qmp_open(path, deadline):
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            s.close()
            if time.time() > deadline:
                raise RuntimeError("QMP socket %s never appeared" % path)
            time.sleep(0.05)
    f = s.makefile("rwb", buffering=0)
    json.loads(f.readline())  # greeting
    qmp_cmd(f, "qmp_capabilities")
    return s, f


def qmp_cmd(f, name, **args):
    msg = {"execute": name}
    if args:
        msg["arguments"] = args
    f.write(json.dumps(msg).encode() + b"\n")
    while True:
        reply = json.loads(f.readline())
        if "return" in reply:
            return reply["return"]
        if "error" in reply:
            raise RuntimeError("QMP %s: %s" % (name, reply["error"]))
        # An asynchronous event (STOP, ...): keep reading.


class Guest:
    def __init__(self, f, tmpdir):
        self.f = f
        self.tmp = os.path.join(tmpdir, "pmem.bin")

    def read(self, phys, size):
        qmp_cmd(self.f, "pmemsave", val=phys, size=size, filename=self.tmp)
        with open(self.tmp, "rb") as fh:
            data = fh.read()
        if len(data) != size:
            raise RuntimeError("pmemsave 0x%x+%d gave %d bytes" %
                               (phys, size, len(data)))
        return data


def checksum_ok(data):
    return sum(data) & 0xFF == 0


def fuzz_seed(src, out):
    entries = []
    with open(os.path.join(src, "memory.txt")) as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                with open(os.path.join(src, parts[2]), "rb") as tf:
                    entries.append((parts[0], int(parts[1], 16),
                                    bytearray(tf.read())))
    by_addr = {addr: (sig, data) for sig, addr, data in entries}
    rsdp = next(d for s, a, d in entries if s == "RSDP")[:20]
    rsdt = next(d for s, a, d in entries if s == "RSDT")
    # New homes: RSDT at 0x40, then the rest, 16-byte aligned.
    new = {}
    pos = 0x40
    order = [a for s, a, d in entries if s == "RSDT"] + \
        [a for s, a, d in entries if s not in ("RSDP", "RSDT")]
    for addr in order:
        new[addr] = pos
        pos = (pos + len(by_addr[addr][1]) + 15) & ~15
    img = bytearray(pos)

    def fix(buf, n, at):
        buf[at] = 0
        buf[at] = (-sum(buf[:n])) & 0xFF

    for addr in order:
        sig, data = by_addr[addr]
        data = bytearray(data)
        if sig == "RSDT":
            for off in range(36, len(data), 4):
                old = struct.unpack_from("<I", data, off)[0]
                struct.pack_into("<I", data, off, new.get(old, 0))
        elif sig == "FACP":
            facs, dsdt = struct.unpack_from("<II", data, 36)
            struct.pack_into("<II", data, 36, new.get(facs, 0),
                             new.get(dsdt, 0))
            if len(data) >= 148:
                struct.pack_into("<QQ", data, 132, 0, 0)
        if sig != "FACS":
            fix(data, len(data), 9)
        img[new[addr]:new[addr] + len(data)] = data
    rsdp = bytearray(rsdp)
    struct.pack_into("<I", rsdp, 16, 0x40)
    fix(rsdp, 20, 8)
    img[0:20] = rsdp
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "wb") as fh:
        fh.write(img)
    print("%s: %d bytes" % (out, len(img)), file=sys.stderr)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--fuzz-seed":
        fuzz_seed(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("machine", help="QEMU machine: pc or q35")
    ap.add_argument("out", help="output directory")
    ap.add_argument("--kernel", default="build/x86_64/kite.elf")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--ssdt", action="store_true",
                    help="add an SSDT with -acpitable")
    opts = ap.parse_args()

    tmpdir = tempfile.mkdtemp(prefix="acpi_capture.")
    sock = os.path.join(tmpdir, "qmp.sock")
    cmd = [opts.qemu, "-M", opts.machine, "-m", "128M", "-kernel",
           opts.kernel, "-display", "none", "-serial", "stdio", "-monitor",
           "none", "-qmp", "unix:%s,server=on,wait=off" % sock]
    if opts.ssdt:
        body = os.path.join(tmpdir, "ssdt_body.aml")
        with open(body, "wb") as fh:
            # DefName: NameOp 'KITE' BytePrefix 0x2A (ACPI 6.x, 20.2.5.1).
            fh.write(b"\x08KITE\x0a\x2a")
        cmd += ["-acpitable",
                "sig=SSDT,rev=2,oem_id=KITE,oem_table_id=KITESSDT,"
                "oem_rev=1,asl_compiler_id=KITE,asl_compiler_rev=1,"
                "data=" + body]
    print("running:", " ".join(cmd), file=sys.stderr)
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        s, f = qmp_open(sock, deadline)
        rsdp_kernel = None
        line = b""
        while rsdp_kernel is None:
            ch = qemu.stdout.read(1)
            if not ch:
                raise RuntimeError("QEMU exited before printing the RSDP")
            line += ch
            if ch == b"\n":
                m = re.search(rb"ACPI RSDP at (0x[0-9a-fA-F]+)", line)
                if m:
                    rsdp_kernel = int(m.group(1), 16)
                line = b""
        qmp_cmd(f, "stop")
        g = Guest(f, tmpdir)
        capture(g, rsdp_kernel, opts.out)
        qmp_cmd(f, "quit")
        s.close()
    finally:
        try:
            qemu.wait(timeout=5)
        except subprocess.TimeoutExpired:
            qemu.kill()
            qemu.wait()


def capture(g, rsdp_phys, out):
    os.makedirs(out, exist_ok=True)
    manifest = []
    names = {}

    def save(sig, phys, data):
        n = names.get(sig, 0) + 1
        names[sig] = n
        fname = ("%s.bin" % sig) if n == 1 else ("%s%d.bin" % (sig, n))
        with open(os.path.join(out, fname), "wb") as fh:
            fh.write(data)
        manifest.append("%s 0x%x %s" % (sig, phys, fname))
        print("%-6s at 0x%08x, %5d bytes, checksum %s" %
              (sig, phys, len(data), "n/a" if sig == "FACS" else ("ok" if checksum_ok(data) else "BAD")),
              file=sys.stderr)

    def table(phys):
        hdr = g.read(phys, 8)
        sig = hdr[:4].decode("ascii")
        length = struct.unpack_from("<I", hdr, 4)[0]
        if length < 8 or length > 1 << 20:
            raise RuntimeError("%s at 0x%x: length %d" % (sig, phys, length))
        return sig, g.read(phys, length)

    head = g.read(rsdp_phys, 20)
    if head[:8] != b"RSD PTR ":
        raise RuntimeError("no RSDP signature at 0x%x" % rsdp_phys)
    rev = head[15]
    rsdp_len = 20
    if rev >= 2:
        rsdp_len = struct.unpack_from("<I", g.read(rsdp_phys, 24), 20)[0]
    rsdp = g.read(rsdp_phys, rsdp_len)
    save("rsdp", rsdp_phys, rsdp)
    # The names in memory.txt are upper case; keep the file name rsdp.bin.
    manifest[-1] = "RSDP 0x%x rsdp.bin" % rsdp_phys

    roots = [(struct.unpack_from("<I", rsdp, 16)[0], 4)]
    if rev >= 2:
        xsdt = struct.unpack_from("<Q", rsdp, 24)[0]
        if xsdt:
            roots.insert(0, (xsdt, 8))
    seen = set()
    listed = []
    for phys, width in roots:
        if phys == 0:
            continue
        sig, data = table(phys)
        save(sig, phys, data)
        seen.add(phys)
        for off in range(36, len(data) - width + 1, width):
            addr = int.from_bytes(data[off:off + width], "little")
            if addr not in listed:
                listed.append(addr)
    for phys in listed:
        if phys in seen:
            continue
        sig, data = table(phys)
        save(sig, phys, data)
        seen.add(phys)
        if sig == "FACP":
            extra = []
            facs, dsdt = struct.unpack_from("<II", data, 36)
            if len(data) >= 148:
                xfacs, xdsdt = struct.unpack_from("<QQ", data, 132)
                facs = xfacs or facs
                dsdt = xdsdt or dsdt
            for addr in (dsdt, facs):
                if addr and addr not in seen:
                    extra.append(addr)
            for addr in extra:
                if addr == facs:
                    # The FACS has a length but no checksum (ACPI 6.x 5.2.10).
                    hdr = g.read(addr, 8)
                    length = struct.unpack_from("<I", hdr, 4)[0]
                    save(hdr[:4].decode("ascii"), addr, g.read(addr, length))
                else:
                    s2, d2 = table(addr)
                    save(s2, addr, d2)
                seen.add(addr)
    with open(os.path.join(out, "memory.txt"), "w") as fh:
        fh.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
