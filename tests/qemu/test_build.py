"""The build and its runners: the symbol table that lets backtraces name
functions (scripts/ksyms.py, kern/ksym.h), and `make run`'s exit status.

Each named frame is checked against the linked ELF's own symbols (llvm-nm):
the name must be a function there, and address - offset must be its start.
"""
import os
import re
import subprocess
import sys

from kite import Guest, IMAGES, PROMPT, ROOT

ELF = {"x86_64": IMAGES["x86_64"],
       "aarch64": IMAGES["aarch64"].replace("kite.img", "kite.elf")}

# "  #2 0x106d0b shell_execute+0x2fb" and
# "  #- 0x10aba8 arch_probe_read+0x0 (faulting instruction) code: 48 8b ..."
FRAME = re.compile(r"^  #(\d+|-) 0x([0-9a-f]+) (\S+?)\+0x([0-9a-f]+)(.*)$",
                   re.M)


def elf_functions(arch):
    out = subprocess.run(["llvm-nm", "--defined-only", ELF[arch]],
                         check=True, capture_output=True, text=True).stdout
    funcs = {}
    for line in out.splitlines():
        addr, kind, name = line.split()
        if kind in "tTwW":
            funcs.setdefault(name, set()).add(int(addr, 16))
    return funcs


def frames(text, funcs):
    """[(index, name, rest)] of the frames in text, each checked against
    the ELF."""
    found = FRAME.findall(text)
    for index, addr, name, off, rest in found:
        assert name in funcs, "frame #%s names %r, no function of the ELF" \
            % (index, name)
        start = int(addr, 16) - int(off, 16)
        assert start in funcs[name], "frame #%s: 0x%s - 0x%s is not %s" % (
            index, addr, off, name)
    return [(i, name, rest) for i, _, name, _, rest in found]


def boot(arch, **opts):
    g = Guest(arch, **opts)
    g.expect(re.escape(PROMPT), timeout=60)
    return g


def test_backtraces_name_functions(arch, **opts):
    funcs = elf_functions(arch)
    with boot(arch, **opts) as g:
        out = g.command("fault read")
        got = frames(out, funcs)
        # The faulting instruction: the first one of the probe, with its
        # code bytes.
        assert got and got[0][:2] == ("-", "arch_probe_read"), (got, out)
        assert re.fullmatch(r" \((faulting instruction|exception address)\) "
                            r"code:( [0-9a-f]{2}){8}", got[0][2]), got[0]
        names = [name for index, name, _ in got if index != "-"]
        # The shell's dispatcher called the command, from the shell loop.
        assert names[:2] == ["shell_execute", "shell_run"], (names, out)
        assert "kernel_main" in names, (names, out)
        assert not re.search(r"^  #\d+ 0x[0-9a-f]+ \?$", out, re.M), out
        # The probe is a leaf that saved no frame: its caller, the shell's
        # command, is named from lr (AArch64) or from [RSP] (x86_64).
        caller = {"x86_64": r"^  #- 0x[0-9a-f]+ (cmd_fault|fault_read)\+0x"
                            r"[0-9a-f]+ \(return address at RSP\)$",
                  "aarch64": r"\(lr\) (cmd_fault|fault_read)\+0x"}[arch]
        assert re.search(caller, out, re.M), out
        g.send("panic\r")
        start = g.expect(r"\*\*\* PANIC: ").start()
        g.expect(r"\*\*\* system halted", timeout=30)
        names = [name for index, name, _ in
                 frames(g.out[start:g.pos], funcs) if index != "-"]
        # panic() itself, then the shell command that asked for it.
        assert names[:3] == ["panic", "cmd_panic", "shell_execute"], names


def run_script(arch, *args):
    """scripts/qemu.py run, as `make run` calls it; (status, stderr)."""
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/qemu.py"),
                        "run", "--arch", arch, "--image", IMAGES[arch]]
                       + list(args), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stderr


def test_run_reports_qemu_failure(arch, **opts):
    # QEMU refuses the option and exits with status 1: not a success.
    status, err = run_script(arch, "--mem", "abc")
    assert status != 0, "make run MEM=abc exited %d\n%s" % (status, err)
    assert "-m abc" in err, err
    if arch != "x86_64":
        return
    # A missing ACPI_SSDT: one line, no Python traceback.
    missing = os.path.join(ROOT, "tests/fixtures/acpi/aml/missing.dsl")
    status, err = run_script(arch, "--acpi-ssdt", missing)
    assert status != 0 and "Traceback" not in err, err
    assert re.search(r"^qemu.py: ACPI_SSDT=\S+missing\.dsl: no such file$",
                     err, re.M), err


TESTS = [
    test_backtraces_name_functions,
    test_run_reports_qemu_failure,
]
