#!/usr/bin/env python3
"""Run kite's tests and print one summary line: "N passed, N failed".

    scripts/test.py all     host unit tests, fuzz smoke, KTAP, QEMU shell
    scripts/test.py unit    host unit tests, fuzz smoke, AML corpus only
    scripts/test.py qemu    in-kernel (KTAP) and QEMU shell tests only

Options (make passes its variables): --arch limits the QEMU tests to one
port; --machine, --gic, --el, --smp, --mem, --kvm and --extra shape the
QEMU shell tests' machine. The KTAP tests always run on every boot path,
with one CPU and with 4 (KTEST_CONFIGS). The SMP shell tests
(tests/qemu/test_smp.py, SMP_TESTS) pick their own CPU counts and run on
pc, q35, GICv3 and GICv2 (or the --machine / --gic given).

-k REGEX runs only the tests whose name matches, e.g.
    scripts/test.py qemu --arch x86_64 -k 'qemu\[x86_64-pc-smp\]/irqaffinity'
    scripts/test.py qemu -k 'ktest\[.*smp4'
(a KTAP run is one boot: it runs when its prefix, "ktest[ARCH-CONFIG]",
matches; --list prints the names without running anything).

The kernels and host binaries are built by `make test` before this runs.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import tempfile
import sys
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import kite  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import fuzz  # noqa: E402
import aml_corpus  # noqa: E402
import importlib  # noqa: E402


class _Suites:
    """TESTS, IRQ_TESTS and PC_TESTS of every tests/qemu/test_*.py module,
    in file order (test_shell.py first): each area keeps its own file."""

    def __init__(self):
        names = sorted(os.path.basename(p)[:-3] for p in glob.glob(
            os.path.join(ROOT, "tests", "qemu", "test_*.py")))
        names.sort(key=lambda n: n != "test_shell")
        mods = [importlib.import_module(n) for n in names]
        for kind in ("TESTS", "IRQ_TESTS", "PC_TESTS", "SMP_TESTS"):
            setattr(self, kind, [t for m in mods for t in getattr(m, kind, [])])


test_shell = _Suites()

# Where the in-kernel tests run: every boot path of both ports with one
# CPU, and each interrupt controller with 4 (issue 11).
KTEST_CONFIGS = [
    ("x86_64", "pc", {"machine": "pc"}),
    ("x86_64", "q35", {"machine": "q35"}),
    ("x86_64", "pc-noapic", {"machine": "pc", "noapic": True}),
    ("aarch64", "gicv3-el2", {"gic": "3", "el": "2"}),
    ("aarch64", "gicv3-el1", {"gic": "3", "el": "1"}),
    ("aarch64", "gicv2-el2", {"gic": "2", "el": "2"}),
    ("x86_64", "pc-smp4", {"machine": "pc", "smp": "4"}),
    ("x86_64", "q35-smp4", {"machine": "q35", "smp": "4"}),
    ("aarch64", "gicv3-el2-smp4", {"gic": "3", "el": "2", "smp": "4"}),
    ("aarch64", "gicv2-el2-smp4", {"gic": "2", "el": "2", "smp": "4"}),
]
# QEMU start to the KTAP verdict: one CPU takes well under 60 s; TCG
# with 4 vCPUs on a 2-core host, several times that.
KTEST_TIMEOUT = {"1": 60, "4": 300}
FUZZ_RUNS = 20000


class Results:
    def __init__(self):
        self.passed = 0
        self.skipped = 0
        self.failed = []

    def skip(self, name, why):
        self.skipped += 1
        print("skip   %s (%s)" % (name, why))

    def record(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok     %s" % name)
        else:
            self.failed.append(name)
            print("FAIL   %s" % name)
            if detail:
                print("       " + detail.rstrip().replace("\n", "\n       "))
        sys.stdout.flush()


def run_unit(res):
    binary = os.path.join(ROOT, "build/host/unit")
    env = dict(os.environ, KITE_FIXTURES=os.path.join(ROOT, "tests/fixtures"))
    p = subprocess.run([binary], capture_output=True, text=True, env=env,
                       timeout=300)
    for line in p.stdout.splitlines():
        m = re.match(r"(ok|not ok) +\d* *-? *(\S+)", line)
        if m:
            res.record("unit/" + m.group(2), m.group(1) == "ok")
    summary = re.search(r"^unit: (\d+) passed, (\d+) failed$", p.stdout, re.M)
    if not summary or p.returncode != 0:
        res.record("unit/binary", False,
                   "exit %d\n%s%s" % (p.returncode, p.stdout[-3000:],
                                      p.stderr[-3000:]))


def run_fuzz_smoke(res):
    """Each fuzz target over its corpus and seeds (scripts/fuzz.py) plus a
    few thousand mutations; and the seeds must reach code the bare
    fixtures do not (else the corpus is not doing its job)."""
    for target in sorted(glob.glob(os.path.join(ROOT, "build/host/fuzz_*"))):
        name = os.path.basename(target)
        # libFuzzer writes new inputs into the first directory: a scratch
        # one, never the corpus or the fixtures.
        scratch = tempfile.mkdtemp(prefix="kite-fuzz-")
        try:
            kept = os.path.join(fuzz.CORPUS, name)
            seeds = fuzz.write_seeds(name, os.path.join(scratch, "seeds"))
            dirs = [os.path.join(scratch, "new"), seeds] + (
                [kept] if os.path.isdir(kept) else [])
            os.makedirs(dirs[0])
            status, st = fuzz.libfuzzer(target, ["-runs=%d" % FUZZ_RUNS,
                                                 "-seed=1"], dirs, 300)
            _, bare = fuzz.libfuzzer(target, ["-runs=0"], [fuzz.FIXTURES],
                                     300)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        res.record("fuzz/%s (%d runs)" % (name, FUZZ_RUNS),
                   status == 0 and "seconds" in st, st["log"][-3000:])
        if name not in fuzz.SEEDS and not os.path.isdir(kept):
            # A new target: seeded with every fixture until it has a corpus.
            res.skip("fuzz/%s seeded" % name, "no tests/fuzz/corpus/%s yet: "
                     "make fuzz, then make fuzz-corpus" % name)
            continue
        res.record("fuzz/%s seeded" % name,
                   os.path.isdir(kept) and os.listdir(kept) and
                   st.get("cov0", 0) > bare.get("cov0", 0),
                   "coverage at start %s with tests/fuzz/corpus/%s and the "
                   "seeds, %s with tests/fixtures alone"
                   % (st.get("cov0"), name, bare.get("cov0")))


def run_aml_corpus(res):
    """kite's AML interpreter against acpiexec on the real-firmware corpus
    (scripts/aml_corpus.py): amldump under ASan/UBSan on every machine,
    then the agreement against tests/fixtures/acpi/corpus/ratchet.json."""
    if not os.path.exists(aml_corpus.AMLDUMP_ASAN):
        res.record("aml-corpus/amldump-asan", False,
                   "no build/host/amldump-asan: make test-unit builds it")
        return
    results = aml_corpus.run_all()
    fig, fails, better = aml_corpus.summarize(results)
    bad = [m for m in results if m.problem]
    res.record("aml-corpus/run (%d machines, no crash or sanitizer report)"
               % len(results), not bad,
               "\n".join("%s: %s\n%s" % (m.name, m.problem, m.stderr[-2000:])
                         for m in bad))
    rfails = [x for x in fails if not any(x.startswith(m.name + ":")
                                          for m in bad)]
    res.record("aml-corpus/ratchet (%.2f%% of %d devices agree)"
               % (fig["overall_pct"], fig["total"]), not rfails,
               "\n".join(rfails))
    if better:
        print("       ratchet: better than recorded (%s): raise it with "
              "scripts/aml_corpus.py --update-ratchet" % "; ".join(better))


def run_format(res):
    """Every tracked C file is as clang-format would write it."""
    files = subprocess.run(["git", "ls-files", "*.c", "*.h"], cwd=ROOT,
                           capture_output=True, text=True).stdout.split()
    if not files:
        # Not a git checkout (an exported tree): check what is there.
        files = [os.path.relpath(f, ROOT) for pattern in ("**/*.c", "**/*.h")
                 for f in glob.glob(os.path.join(ROOT, pattern),
                                    recursive=True)
                 if "/build/" not in f]
    p = subprocess.run(["clang-format", "--dry-run", "--Werror"] + files,
                       cwd=ROOT, capture_output=True, text=True)
    res.record("format/clang-format (%d files)" % len(files),
               p.returncode == 0, p.stderr[-3000:])


def run_ktest(res, arches, only):
    for arch, label, opts in KTEST_CONFIGS:
        prefix = "ktest[%s-%s]" % (arch, label)
        if arch not in arches or not only(prefix):
            continue
        if res.listing:
            print(prefix)
            continue
        opts = dict(opts)
        cmdline = "ktest noapic" if opts.pop("noapic", False) else "ktest"
        g = kite.Guest(arch, cmdline=cmdline, semihosting=True, **opts)
        try:
            status = g.wait_exit(
                timeout=KTEST_TIMEOUT.get(opts.get("smp", "1"), 300))
        except kite.Timeout as e:
            res.record(prefix, False, "%s\n%s" % (e, g.out[-3000:]))
            g.close()
            continue
        g.close()
        plan = re.search(r"^1\.\.(\d+)$", g.out, re.M)
        matches = list(re.finditer(
            r"^(ok|not ok) (\d+) (\S+)(?: # SKIP (.*))?$", g.out, re.M))
        results = [m.groups() for m in matches]
        last = plan.end() if plan and matches and \
            plan.end() <= matches[0].start() else 0
        for m in matches:
            verdict, _, name, skip = m.groups()
            # A failure's report: what the test printed, from the result
            # before it to its own.
            own, last = g.out[last:m.end()], m.end()
            if skip:
                res.skip("%s/%s" % (prefix, name), skip)
                continue
            res.record("%s/%s" % (prefix, name), verdict == "ok",
                       "" if verdict == "ok" else own[-3000:])
        verdict = kite.qemu.exit_status(arch, status)
        complete = plan and int(plan.group(1)) == len(results) > 0
        res.record("%s/exit-verdict" % prefix,
                   complete and verdict == (0 if all(
                       r[0] == "ok" for r in results) else 1),
                   "plan %s, %d results, exit status %s\n%s" % (
                       plan and plan.group(1), len(results), status,
                       g.out[-3000:]))


def shell_runs(arches, opts):
    """(label, arch, options, tests) for each QEMU shell-test run."""
    for arch in arches:
        every = test_shell.TESTS + test_shell.IRQ_TESTS
        if arch != "x86_64":
            gic = opts.get("gic")
            yield ("%s-gicv%s" % (arch, gic or "3"), arch, opts, every)
            if not gic:
                # The interrupt tests on the other GIC too.
                yield ("%s-gicv2" % arch, arch, dict(opts, gic="2"),
                       test_shell.IRQ_TESTS)
            continue
        pc = test_shell.IRQ_TESTS + test_shell.PC_TESTS
        machine = opts.get("machine")
        yield ("%s-%s" % (arch, machine or "pc"), arch, opts,
               test_shell.TESTS + pc)
        if not machine:
            # The interrupt tests on the other PC machine too, and on the
            # 8259 path that `noapic` keeps.
            yield ("%s-q35" % arch, arch, dict(opts, machine="q35"), pc)
            yield ("%s-pc-noapic" % arch, arch,
                   dict(opts, machine="pc", cmdline="noapic"), pc)
    for run in smp_runs(arches, opts):
        yield run


def smp_runs(arches, opts):
    """The SMP shell tests (they set their own CPU counts): on each
    interrupt controller, pc and q35, GICv3 (EL2) and GICv2, or only the
    --machine / --gic given."""
    for arch in arches:
        if arch == "x86_64":
            machines = [opts["machine"]] if opts.get("machine") else \
                ["pc", "q35"]
            for m in machines:
                yield ("%s-%s-smp" % (arch, m), arch, dict(opts, machine=m),
                       test_shell.SMP_TESTS)
        else:
            gics = [opts["gic"]] if opts.get("gic") else ["3", "2"]
            for gic in gics:
                yield ("%s-gicv%s-smp" % (arch, gic), arch,
                       dict(opts, gic=gic), test_shell.SMP_TESTS)


def run_shell(res, arches, opts, only):
    for label, arch, run_opts, tests in shell_runs(arches, opts):
        for test in tests:
            name = "qemu[%s]/%s" % (label, test.__name__[5:])
            if not only(name):
                continue
            if res.listing:
                print(name)
                continue
            try:
                test(arch, **run_opts)
                res.record(name, True)
            except kite.NotHere as e:
                res.skip(name, str(e))
            except Exception:
                res.record(name, False, traceback.format_exc()[-4000:])


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("what", nargs="?", default="all",
                    choices=["all", "unit", "qemu"])
    ap.add_argument("--arch", default="", help="x86_64 or aarch64 (both)")
    for name in ("machine", "gic", "el", "smp", "mem", "kvm", "extra"):
        ap.add_argument("--" + name, default="")
    ap.add_argument("-k", dest="only", default="", metavar="REGEX",
                    help="run only the tests whose name matches REGEX")
    ap.add_argument("--list", action="store_true",
                    help="print the QEMU tests' names, run nothing")
    a = ap.parse_args()
    only = re.compile(a.only).search if a.only else (lambda name: True)
    what = a.what
    arches = [a.arch] if a.arch else ["x86_64", "aarch64"]
    opts = {k: getattr(a, k) for k in
            ("machine", "gic", "el", "smp", "mem", "kvm", "extra")
            if getattr(a, k)}
    res = Results()
    res.listing = a.list
    start = time.monotonic()
    if what in ("all", "unit") and not a.only and not a.list:
        run_unit(res)
        run_fuzz_smoke(res)
        run_aml_corpus(res)
        run_format(res)
    if what in ("all", "qemu"):
        run_ktest(res, arches, only)
        run_shell(res, arches, opts, only)
    if a.list:
        return
    print("\n%d tests in %.0f s" % (res.passed + len(res.failed),
                                   time.monotonic() - start))
    for name in res.failed:
        print("failed: %s" % name)
    print("%d passed, %d failed, %d skipped" % (res.passed, len(res.failed),
                                                res.skipped))
    sys.exit(1 if res.failed else 0)


if __name__ == "__main__":
    main()
