#!/usr/bin/env python3
"""Build the QEMU command line for kite, and run it.

`make run`, `make debug` and every QEMU test use qemu_command() below, so
what the tests boot is exactly what a user boots.

    python3 scripts/qemu.py run   --arch x86_64 --image build/x86_64/kite.elf
    python3 scripts/qemu.py debug --arch aarch64 --image ... --elf ...
"""
import argparse
import os
import shlex
import subprocess
import sys

# QEMU's isa-debug-exit makes QEMU exit with (value << 1) | 1; kite
# writes its verdict + 1 (arch_emulator_exit), so the guest's statuses are
# 3, 5, ... and status 1 is QEMU's own failure to start or run.
X86_DEBUG_EXIT = ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def kvm_usable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
    except OSError:
        return False
    os.close(fd)
    return True


def compile_ssdt(path, outdir):
    """An ACPI table for -acpitable: .aml as is, .dsl compiled with iasl."""
    if not os.path.isfile(path):
        raise UsageError("ACPI_SSDT=%s: no such file" % path)
    if path.endswith(".aml"):
        return path
    os.makedirs(outdir, exist_ok=True)
    base = os.path.join(outdir, os.path.splitext(os.path.basename(path))[0])
    try:
        p = subprocess.run(["iasl", "-p", base, path], capture_output=True,
                           text=True)
    except FileNotFoundError:
        raise UsageError("ACPI_SSDT=%s: iasl (acpica-tools) is needed to "
                         "compile a .dsl" % path)
    if p.returncode != 0:
        # iasl puts "file  line:" above each "Error  NNNN - what".
        lines = [l.strip() for l in (p.stderr + p.stdout).splitlines()]
        first = next((i for i, l in enumerate(lines)
                      if l.startswith("Error")), None)
        why = ("iasl exit status %d" % p.returncode if first is None else
               " ".join(lines[max(first - 1, 0):first + 1]))
        raise UsageError("ACPI_SSDT=%s: iasl failed: %s" % (path, why))
    return base + ".aml"


def qemu_command(arch="x86_64", image=None, machine="pc", gic="3", el="2",
                 smp="1", mem="128M", kvm="0", cmdline="", extra="",
                 console="stdio", semihosting=False, acpi_ssdt=""):
    """The QEMU argument list.

    console: "stdio" for a person (serial and monitor on the terminal,
    Ctrl-A X quits), "gui" (a QEMU window with the screen and the PS/2
    keyboard, serial on the terminal), "pipe" for tests (serial on
    stdin/stdout, no monitor).
    """
    use_kvm = str(kvm) == "1"
    if use_kvm and not kvm_usable():
        print("qemu.py: KVM=1 but /dev/kvm is not usable; using TCG",
              file=sys.stderr)
        use_kvm = False

    if arch == "x86_64":
        cmd = ["qemu-system-x86_64", "-M", machine]
        cmd += ["-cpu", "host"] if use_kvm else []
        cmd += X86_DEBUG_EXIT
        if acpi_ssdt:
            aml = compile_ssdt(acpi_ssdt, os.path.join(
                os.path.dirname(os.path.abspath(image)), "acpi"))
            cmd += ["-acpitable", "file=" + aml]
    elif arch == "aarch64":
        opts = "virt,gic-version=%s" % gic
        if str(el) == "2":
            opts += ",virtualization=on"
        cmd = ["qemu-system-aarch64", "-M", opts]
        cmd += ["-cpu", "host" if use_kvm else "cortex-a72"]
        if semihosting:
            cmd += ["-semihosting-config", "enable=on,target=native"]
    else:
        raise ValueError("unknown arch %r" % arch)

    cmd += ["-accel", "kvm" if use_kvm else "tcg"]
    cmd += ["-m", str(mem), "-smp", str(smp), "-no-reboot"]
    cmd += ["-kernel", image]
    if cmdline:
        cmd += ["-append", cmdline]
    if console == "stdio":
        cmd += ["-nographic"]
    elif console == "gui":
        cmd += ["-serial", "stdio"]
    else:
        cmd += ["-display", "none", "-serial", "stdio", "-monitor", "none"]
    cmd += shlex.split(extra or "")
    return cmd


def exit_status(arch, returncode):
    """Map QEMU's exit status to the guest's verdict (0 = success). QEMU's
    own failure (status 1, e.g. a bad -m) stays a failure."""
    if arch == "x86_64" and returncode & 1 and returncode > 1:
        return (returncode >> 1) - 1
    return returncode


class UsageError(Exception):
    """A mistake in what the user asked for: reported in one line."""


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("mode", choices=["run", "run-gui", "debug"])
    for name, default in [("arch", "x86_64"), ("machine", "pc"), ("gic", "3"),
                          ("el", "2"), ("smp", "1"), ("mem", "128M"),
                          ("kvm", "0"), ("cmdline", ""), ("extra", ""),
                          ("acpi-ssdt", ""),
                          ("image", None), ("elf", None)]:
        ap.add_argument("--" + name, default=default)
    a = ap.parse_args()

    try:
        cmd = qemu_command(a.arch, a.image, a.machine, a.gic, a.el, a.smp,
                           a.mem, a.kvm, a.cmdline, a.extra,
                           console="gui" if a.mode == "run-gui" else "stdio",
                           acpi_ssdt=a.acpi_ssdt)
    except UsageError as e:
        sys.exit("qemu.py: %s" % e)
    if a.mode == "debug":
        cmd += ["-s", "-S"]
        print("QEMU is waiting for gdb on localhost:1234. Attach with:")
        print("  gdb %s -ex 'target remote localhost:1234'" % a.elf)
        if a.arch == "aarch64":
            print("  (gdb-multiarch on an x86_64 host)")
    print(" ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
    try:
        rc = subprocess.call(cmd)
    except FileNotFoundError:
        sys.exit("qemu.py: %s not found (scripts/deps.sh lists what kite "
                 "needs)" % cmd[0])
    status = exit_status(a.arch, rc)
    if status and rc == 1 and a.arch == "x86_64":
        print("qemu.py: QEMU failed (status 1)", file=sys.stderr)
    sys.exit(status)


if __name__ == "__main__":
    main()
