"""Threads as the shell shows them: `ps` and `spin` (docs/threads.md)."""
import re

from test_shell import boot

# id, name, state, effective/base priority, CPU ms, switches, waits-on
PS_ROW = re.compile(r"^ *(\d+) (\S+) +(running|ready|blocked|sleeping|dead)"
                    r" +(\d+)/(\d+) +(\d+) +(\d+) (\S+)$", re.M)


def ps_rows(g):
    out = g.command("ps")
    assert out.splitlines()[0].split()[:4] == ["ID", "NAME", "STATE",
                                               "PRIO"], out
    return {m.group(2): m.groups() for m in PS_ROW.finditer(out)}, out


def test_ps_lists_main_and_idle(arch, **opts):
    with boot(arch, **opts) as g:
        rows, out = ps_rows(g)
        assert rows["main"][0] == "1", out
        assert (rows["main"][3], rows["main"][4]) == ("8", "8"), out
        assert (rows["idle"][3], rows["idle"][4]) == ("0", "0"), out
        # The shell runs ps, so it is on the CPU and has used some.
        assert rows["main"][2] == "running", out


def test_spin_starts_background_threads(arch, **opts):
    with boot(arch, **opts) as g:
        out = g.command("spin 3 2")
        assert "spin: 3 of 3 threads spinning for 2 s at priority 4" in out, \
            out
        rows, out = ps_rows(g)
        for i in range(3):
            r = rows["spin-%d" % i]
            assert (r[3], r[4]) == ("4", "4"), out
        out = g.command("spin 2 2")
        assert "still going" in out or "spinning" in out, out
        out = g.command("spin 0 1")
        assert out.startswith("usage: spin"), out


TESTS = [
    test_ps_lists_main_and_idle,
    test_spin_starts_background_threads,
]
