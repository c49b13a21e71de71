#!/usr/bin/env python3
"""Compare kite's AML interpreter with ACPICA on the real-firmware corpus.

For every machine in tests/fixtures/acpi/corpus/ (tests/fixtures/acpi/
corpus/README.md) this runs build/host/amldump-asan (the interpreter
under ASan/UBSan, `make test-unit` builds it) on the machine's tables, in
the order scripts/acpi_golden.py gave them to acpiexec, and compares its
JSON lines with golden.jsonl, device by device (by path), for every
device that acpiexec found with a _HID:

  agree    the device is there with the same _HID, _CID list, _UID and
           _STA, and the same _CRS bytes (crs_hex: both null, or equal)
  missing  no Device at that path
  hid, ids, sta, crs   the first field that differs (ids: _CID or _UID)

and, as a stricter second figure, the same over every Device (with or
without a _HID), and the devices with a _HID that acpiexec does not have.
A machine that also has golden-ff.jsonl (acpiexec -fv 0xff) is run a
second time with amldump --fill ff against it ("MACHINE[fill ff]", its
own figure, ratcheted as fill_ff).

It prints the agreement per machine (worst first at the end), overall
(devices agreeing / devices in the goldens with a _HID) and for the kinds
of device the issue names (ACPICA says present, sta bit 0): keyboards,
mice, COM ports, RTCs, power buttons, ECs, batteries, AC adapters, each
as agree/total.

It fails when
  - amldump crashed, timed out or a sanitizer reported (any machine), or
  - the overall agreement (or the all-devices one) is below
    tests/fixtures/acpi/corpus/ratchet.json, or a kind's agreeing count is
    below its count there (the ratchet:
    agreement may only go up; when it does, the script says so and
    --update-ratchet writes the new figures).

Usage:
  scripts/aml_corpus.py [-j 2] [-k REGEX] [--amldump PATH] [-v]
                        [--diff MACHINE] [--report FILE] [--update-ratchet]
-v prints each disagreeing device; --diff MACHINE prints, for that
machine, both sides of every disagreement; --report FILE writes the
disagreements grouped by amldump's error message (for bug reports).
Python 3 standard library only.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "tests", "fixtures", "acpi", "corpus")
RATCHET = os.path.join(CORPUS, "ratchet.json")
AMLDUMP_ASAN = os.path.join(ROOT, "build", "host", "amldump-asan")
TIMEOUT_S = 600  # one machine under ASan; the slowest takes far less

# The kinds of device issue 12 asks about, matched on _HID or any _CID.
KINDS = [
    ("keyboard", lambda i: i in ("PNP0300", "PNP0301", "PNP0302",
                                 "PNP0303", "PNP030B")),
    ("mouse", lambda i: i.startswith("PNP0F")),
    ("com", lambda i: i in ("PNP0500", "PNP0501")),
    ("rtc", lambda i: i in ("PNP0B00", "PNP0B01", "PNP0B02")),
    ("power_button", lambda i: i == "PNP0C0C"),
    ("ec", lambda i: i == "PNP0C09"),
    ("battery", lambda i: i == "PNP0C0A"),
    ("ac", lambda i: i == "ACPI0003"),
]
SANITIZER = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:|"
                       r"AddressSanitizer|UndefinedBehaviorSanitizer")


# The golden file per region fill: golden.jsonl (acpiexec -fv 0), and
# where the corpus has one, golden-ff.jsonl (-fv 0xff), compared with
# amldump --fill ff.
GOLDEN = {"00": "golden.jsonl", "ff": "golden-ff.jsonl"}


def machines(pattern=None):
    names = sorted(d for d in os.listdir(CORPUS)
                   if os.path.isfile(os.path.join(CORPUS, d, "golden.jsonl")))
    return [n for n in names if not pattern or re.search(pattern, n)]


def read_jsonl(text):
    devices, summary = [], None
    for line in text.splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        if "summary" in obj:
            summary = obj["summary"]
        else:
            devices.append(obj)
    return devices, summary


def golden(name, fill="00"):
    with open(os.path.join(CORPUS, name, GOLDEN[fill])) as f:
        return read_jsonl(f.read())


def table_files(name, summary):
    """The golden's own table order (acpi_golden.py records it)."""
    if summary and summary.get("tables"):
        return list(summary["tables"])
    mdir = os.path.join(CORPUS, name)
    ssdts = [f for f in os.listdir(mdir) if re.fullmatch(r"ssdt\d*\.dat", f)]
    ssdts.sort(key=lambda f: int(f[4:-4] or 0))
    return ["dsdt.dat"] + ssdts


class Machine:
    """One machine's run and comparison."""

    def __init__(self, name, fill="00"):
        self.name = name if fill == "00" else "%s[fill %s]" % (name, fill)
        self.dir, self.fill = name, fill
        self.gold, self.gold_summary = golden(name, fill)
        self.ours, self.summary = [], None
        self.problem = None     # crash, timeout, sanitizer report
        self.seconds = 0.0
        self.stderr = ""
        self.verdicts = []      # (verdict, golden rec, our rec or None)
        self.all, self.extra = [], []

    def run(self, amldump, timeout):
        files = table_files(self.dir, self.gold_summary)
        t0 = time.monotonic()
        try:
            p = subprocess.run([amldump, "--quiet", "--fill", self.fill] +
                               files, cwd=os.path.join(CORPUS, self.dir),
                               capture_output=True, text=True,
                               errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired:
            self.problem = "timed out after %d s" % timeout
            self.compare()  # every device missing: the figures drop too
            return self
        finally:
            self.seconds = time.monotonic() - t0
        self.stderr = p.stderr
        if SANITIZER.search(p.stderr):
            self.problem = "sanitizer report"
        elif p.returncode != 0:
            self.problem = "exit status %d" % p.returncode
        try:
            self.ours, self.summary = read_jsonl(p.stdout)
        except ValueError as e:
            self.problem = self.problem or "bad JSON output: %s" % e
        if self.summary is None and not self.problem:
            self.problem = "no summary line"
        self.compare()
        return self

    def compare(self):
        ours = {r["path"]: r for r in self.ours}
        self.verdicts = [(verdict(g, ours.get(g["path"])), g,
                          ours.get(g["path"]))
                         for g in self.gold if g["hid"] is not None]
        # Devices without a _HID too (bridges, ports, thermal zones'
        # holders...): a stricter figure, in the ratchet as all_pct.
        self.all = [verdict(g, ours.get(g["path"])) == "agree"
                    for g in self.gold]
        paths = {g["path"] for g in self.gold}
        self.extra = [r for r in self.ours
                      if r["hid"] is not None and r["path"] not in paths]

    def agree(self):
        return sum(1 for v, _, _ in self.verdicts if v == "agree")

    def total(self):
        return len(self.verdicts)


def verdict(g, o):
    if o is None:
        return "missing"
    if o["hid"] != g["hid"]:
        return "hid"
    if o["cid"] != g["cid"] or o["uid"] != g["uid"]:
        return "ids"
    if o["sta"] != g["sta"]:
        return "sta"
    if o["crs_hex"] != g["crs_hex"]:
        return "crs"
    return "agree"


def ids(rec):
    return [rec["hid"]] + list(rec["cid"] or [])


def kind_of(rec):
    for kind, match in KINDS:
        if any(i and match(i) for i in ids(rec)):
            return kind
    return None


def present(rec):
    return rec["sta"] is not None and rec["sta"] & 1


def kind_counts(results):
    counts = {k: [0, 0] for k, _ in KINDS}
    for m in results:
        for v, g, _ in m.verdicts:
            k = kind_of(g)
            if k and present(g):
                counts[k][1] += 1
                counts[k][0] += v == "agree"
    return counts


def pct(a, b):
    return 100.0 * a / b if b else 100.0


def show_device(v, g, o):
    lines = ["    %-8s %s %s" % (v, g["path"], g["hid"])]
    if v == "missing":
        return lines
    for key in ("hid", "cid", "uid", "sta", "crs_hex", "error"):
        if key == "error" or g[key] != o[key]:
            lines.append("        %-7s acpiexec %s" % (key, json.dumps(g[key])))
            lines.append("        %-7s amldump  %s" % ("", json.dumps(o[key])))
    return lines


def print_machine(m, verbose):
    counts = {}
    for v, _, _ in m.verdicts:
        counts[v] = counts.get(v, 0) + 1
    bad = ", ".join("%s %d" % (k, counts[k]) for k in
                    ("missing", "hid", "ids", "sta", "crs") if k in counts)
    print("%-40s %4d/%-4d %6.2f%%  %5.1f s%s%s%s" % (
        m.name, m.agree(), m.total(), pct(m.agree(), m.total()), m.seconds,
        "  (" + bad + ")" if bad else "",
        "  extra %d" % len(m.extra) if m.extra else "",
        "  PROBLEM: " + m.problem if m.problem else ""))
    if verbose:
        for v, g, o in m.verdicts:
            if v != "agree":
                print("\n".join(show_device(v, g, o)))


def load_ratchet():
    try:
        with open(RATCHET) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def figures(results):
    agree = sum(m.agree() for m in results)
    total = sum(m.total() for m in results)
    all_agree = sum(sum(m.all) for m in results)
    all_total = sum(len(m.all) for m in results)
    return {"overall_pct": round(pct(agree, total), 2), "agree": agree,
            "total": total, "machines": len(results),
            "all_pct": round(pct(all_agree, all_total), 2),
            "all_agree": all_agree, "all_total": all_total,
            "extra": sum(len(m.extra) for m in results),
            "kinds": {k: {"agree": a, "total": t}
                      for k, (a, t) in kind_counts(results).items()}}


def check_ratchet(fig, ratchet):
    """([failures], [improvements]) against the recorded figures."""
    fails, better = [], []
    if ratchet is None:
        return ["no %s: run with --update-ratchet" %
                os.path.relpath(RATCHET, ROOT)], []
    if fig["overall_pct"] < ratchet["overall_pct"]:
        fails.append("overall %.2f%% < ratchet %.2f%%" %
                     (fig["overall_pct"], ratchet["overall_pct"]))
    elif fig["overall_pct"] > ratchet["overall_pct"]:
        better.append("overall %.2f%% > %.2f%%" %
                      (fig["overall_pct"], ratchet["overall_pct"]))
    if fig["all_pct"] < ratchet.get("all_pct", 0):
        fails.append("all devices %.2f%% < ratchet %.2f%%" %
                     (fig["all_pct"], ratchet["all_pct"]))
    elif fig["all_pct"] > ratchet.get("all_pct", 100):
        better.append("all devices %.2f%% > %.2f%%" %
                      (fig["all_pct"], ratchet["all_pct"]))
    r = ratchet.get("fill_ff")
    if r and fig.get("fill_ff", {"agree": 0})["agree"] < r["agree"]:
        fails.append("fill ff: %d agree < ratchet %d" %
                     (fig.get("fill_ff", {"agree": 0})["agree"], r["agree"]))
    for k, r in ratchet.get("kinds", {}).items():
        a = fig["kinds"].get(k, {"agree": 0})["agree"]
        if a < r["agree"]:
            fails.append("%s: %d agree < ratchet %d" % (k, a, r["agree"]))
        elif a > r["agree"]:
            better.append("%s %d > %d" % (k, a, r["agree"]))
    return fails, better


def write_report(results, path):
    """Disagreements grouped by what amldump said (its error field)."""
    groups = {}
    for m in results:
        for v, g, o in m.verdicts:
            if v == "agree":
                continue
            err = (o or {}).get("error") or "(no error: %s differs)" % v
            key = re.sub(r"0x[0-9a-fA-F]+|\d+", "N", err.split(": ", 1)[-1])
            groups.setdefault(key, []).append((m.name, v, g, o))
    with open(path, "w") as f:
        for key, items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            f.write("## %d x %s\n" % (len(items), key))
            for name, v, g, o in items[:8]:
                f.write("%s\n" % name)
                f.write("\n".join(show_device(v, g, o)) + "\n")
            f.write("\n")


def run_all(amldump=AMLDUMP_ASAN, jobs=2, pattern=None, timeout=TIMEOUT_S):
    names = machines(pattern)
    results = [Machine(n) for n in names] + [
        Machine(n, "ff") for n in names
        if os.path.isfile(os.path.join(CORPUS, n, GOLDEN["ff"]))]
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda m: m.run(amldump, timeout), results))
    return results


def summarize(results, verbose=False, out=print):
    """Print the figures; returns (figures, [failure texts], [better])."""
    for m in results:
        print_machine(m, verbose)
    ff = [m for m in results if m.fill == "ff"]
    fig = figures([m for m in results if m.fill == "00"])
    if ff:
        fig["fill_ff"] = {"agree": sum(m.agree() for m in ff),
                          "total": sum(m.total() for m in ff),
                          "machines": len(ff)}
        out("fill ff (amldump --fill ff against acpiexec -fv 0xff): %d/%d "
            "devices with a _HID agree on %d machines"
            % (fig["fill_ff"]["agree"], fig["fill_ff"]["total"], len(ff)))
    out("overall: %d/%d devices with a _HID agree (%.2f%%) on %d machines"
        % (fig["agree"], fig["total"], fig["overall_pct"], fig["machines"]))
    out("all devices (with or without a _HID): %d/%d agree (%.2f%%); "
        "%d devices with a _HID that acpiexec does not have"
        % (fig["all_agree"], fig["all_total"], fig["all_pct"], fig["extra"]))
    out("kinds (present per acpiexec): " + ", ".join(
        "%s %d/%d" % (k, c["agree"], c["total"])
        for k, c in fig["kinds"].items()))
    worst = sorted(results, key=lambda m: pct(m.agree(), m.total()))[:5]
    out("worst: " + ", ".join("%s %.1f%%" % (m.name, pct(m.agree(), m.total()))
                              for m in worst))
    fails = ["%s: %s" % (m.name, m.problem) for m in results if m.problem]
    if pattern_is_all(results):
        rfails, better = check_ratchet(fig, load_ratchet())
    else:
        rfails, better = [], []
    return fig, fails + rfails, better


def pattern_is_all(results):
    return sum(m.fill == "00" for m in results) == len(machines())


# ---------------------------------------------------------------- make bench

AMLDUMP = os.path.join(ROOT, "build", "host", "amldump")
BENCH_RUNS = 5
# acpiexec takes 18 s to load the largest machine (its 840 KiB CpuPm
# SSDT), so 3 runs of it: the median of 3, as acpi_golden.py takes.
ACPIEXEC_RUNS = 3


def largest_machines():
    """The corpus machine with the most AML (the golden's aml_bytes), and
    the largest of those acpiexec loads in under 2 s (the largest is the
    Dell T3610, whose 821 KiB CpuPm SSDT takes acpiexec 15-100 s
    depending on the host's load: a second row where acpiexec is on its
    normal path)."""
    sums = [golden(n)[1] for n in machines()]
    sizes = sorted(((s.get("aml_bytes", 0), n, s.get("acpiexec_load_ms", 0))
                    for s, n in zip(sums, machines())), reverse=True)
    out = [sizes[0][1]]
    quick = [n for _, n, ms in sizes if ms and ms < 2000]
    if quick and quick[0] != out[0]:
        out.append(quick[0])
    return out


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def amldump_ms(name, files, no_init):
    """(in-process load[+init] ms, median of BENCH_RUNS as amldump times
    it; whole-process wall ms, median of BENCH_RUNS)."""
    extra = ["--no-init"] if no_init else []
    cwd = os.path.join(CORPUS, name)
    p = subprocess.run([AMLDUMP, "--bench", str(BENCH_RUNS)] + extra + files,
                       cwd=cwd, capture_output=True, text=True, check=True)
    inproc = read_jsonl(p.stdout)[1]["load_ms"]
    walls = []
    for _ in range(BENCH_RUNS):
        t0 = time.monotonic()
        subprocess.run([AMLDUMP, "--bench", "1"] + extra + files, cwd=cwd,
                       capture_output=True, check=True)
        walls.append((time.monotonic() - t0) * 1e3)
    return inproc, median(walls)


def acpiexec_ms(name, files, no_init):
    """acpiexec from start to its debugger prompt (reading the files,
    loading, and unless no_init initializing: _REG, _STA/_INI), median of
    ACPIEXEC_RUNS; -l is its load-only mode. As acpi_golden.py measures
    it."""
    import acpi_golden
    argv = ["acpiexec"] + (["-l"] if no_init else []) + [
        "-fv", "0", "-to", str(acpi_golden.LOOP_TIMEOUT_S)] + files
    times = []
    for _ in range(ACPIEXEC_RUNS):
        t0 = time.monotonic()
        s = acpi_golden.Session(argv, os.path.join(CORPUS, name))
        try:
            s.read_prompt(acpi_golden.INIT_TIMEOUT_S)
            times.append((time.monotonic() - t0) * 1e3)
        finally:
            s.kill()
    return median(times)


def bench(names=None, out=print):
    """make bench's aml rows: the largest machines' load time, kite's
    (amldump, no sanitizers) against acpiexec's, measured now."""
    for name in names or largest_machines():
        bench_one(name, out)


def bench_one(name, out):
    _, summary = golden(name)
    files = table_files(name, summary)
    out("aml: %s: %d tables, %.0f KiB of AML; medians of %d runs "
        "(acpiexec %d)" % (name, len(files),
                           summary.get("aml_bytes", 0) / 1024.0,
                           BENCH_RUNS, ACPIEXEC_RUNS))
    for label, no_init in (("load", True), ("load+init", False)):
        inproc, wall = amldump_ms(name, files, no_init)
        try:
            ref = acpiexec_ms(name, files, no_init)
        except Exception as e:  # no acpiexec here: kite's figures alone
            out("aml:   %-9s kite %8.1f ms in-process, %8.1f ms process; "
                "acpiexec not measured (%s)" % (label, inproc, wall, e))
            continue
        out("aml:   %-9s kite %8.1f ms in-process, %8.1f ms process; "
            "acpiexec%s %8.1f ms to its prompt; kite/acpiexec %.4f "
            "(acpiexec takes %.0fx kite's time)"
            % (label, inproc, wall, " -l" if no_init else "", ref,
               wall / ref if ref else 0.0, ref / wall if wall else 0.0))


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-k", dest="pattern", help="only machines matching")
    ap.add_argument("--amldump", default=AMLDUMP_ASAN)
    ap.add_argument("--timeout", type=int, default=TIMEOUT_S)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--diff", metavar="MACHINE")
    ap.add_argument("--report", metavar="FILE")
    ap.add_argument("--update-ratchet", action="store_true")
    a = ap.parse_args()
    if a.diff:
        a.pattern, a.verbose = "^%s$" % re.escape(a.diff), True
    t0 = time.monotonic()
    results = run_all(a.amldump, a.jobs, a.pattern, a.timeout)
    fig, fails, better = summarize(results, a.verbose)
    for m in results:
        if m.problem and m.stderr:
            print("--- %s: %s\n%s" % (m.name, m.problem, m.stderr[-3000:]))
    if a.report:
        write_report(results, a.report)
    if a.update_ratchet and pattern_is_all(results):
        with open(RATCHET, "w") as f:
            json.dump(fig, f, indent=1, sort_keys=True)
            f.write("\n")
        print("wrote %s" % os.path.relpath(RATCHET, ROOT))
        fails = [x for x in fails if "ratchet" not in x]
    elif better:
        print("ratchet: better than recorded (%s): raise it with "
              "scripts/aml_corpus.py --update-ratchet" % "; ".join(better))
    print("%d machines in %.0f s" % (len(results), time.monotonic() - t0))
    for x in fails:
        print("FAIL: " + x)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
