"""Shell commands refuse arguments they do not take (issue 9, item 9):
each prints its usage and does nothing; `help CMD` explains one."""
import re

from test_shell import boot


def help_rows(g):
    """{name: usage} from `help`."""
    out = g.command("help")
    rows = {m.group(1): m.group(2).strip() for m in re.finditer(
        r"^  (\S+) +(.*?) {2,}\S.*$", out, re.M)}
    assert "poweroff" in rows and "echo" in rows, out
    return rows


def assert_usage(g, line, name):
    out = g.command(line, timeout=20)
    assert re.match(r"usage: %s\b" % re.escape(name), out), (line, out)
    # The shell still answers: the command did not run (no power-off,
    # no reset, no panic).
    assert g.command("echo alive").strip() == "alive", (line, g.out[-500:])


def test_commands_check_arguments(arch, **opts):
    with boot(arch, **opts) as g:
        rows = help_rows(g)
        # The destructive ones first, as the issue found them.
        assert_usage(g, "poweroff --help", "poweroff")
        assert_usage(g, "reboot -h", "reboot")
        assert_usage(g, "panic please-not", "panic")
        assert_usage(g, "fault read 1 2 3", "fault")
        assert_usage(g, "fault", "fault")
        assert_usage(g, "rxcheck", "rxcheck")
        assert_usage(g, "rxcheck 1 2", "rxcheck")
        assert_usage(g, "sleep soon", "sleep")
        assert_usage(g, "keytest cooked", "keytest")
        # Every command that takes no arguments refuses one.
        for name, usage in sorted(rows.items()):
            if not usage:
                assert_usage(g, "%s extra" % name, name)


def test_help_explains_one(arch, **opts):
    with boot(arch, **opts) as g:
        out = g.command("help poweroff")
        assert out == "usage: poweroff\n  turn the machine off\n", repr(out)
        out = g.command("help fault")
        assert out.startswith("usage: fault read [ADDR]|undef|break|"
                              "syscall|stack|thread-stack\n  take an "
                              "exception"), repr(out)
        out = g.command("help nosuch")
        assert "help: no command 'nosuch'" in out, repr(out)
        # echo's words are text, --help among them.
        assert g.command("echo --help -h").strip() == "--help -h"
        # Many words are fine (a pasted line has many).
        words = " ".join("w%d" % i for i in range(60))
        assert g.command("echo " + words).strip() == words


TESTS = [
    test_commands_check_arguments,
    test_help_explains_one,
]
