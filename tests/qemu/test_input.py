"""Input is never dropped silently: long lines through the serial port
and the PS/2 keyboard, the shell's line limit, the keyboard's loss
counters (issue 8)."""
import re
import time

from kite import Guest, PROMPT
from test_shell import Typist, boot, key_event, kbd_command, type_keys

LINE_MAX = 4095  # bytes the shell's line holds (Linux's tty: 4095 too)


def letters(n):
    return "".join(chr(ord("a") + i * 7 % 26) for i in range(n))


def test_long_line_serial(arch, **opts):
    with boot(arch, **opts) as g:
        # What a user pastes: 300 letters come back whole (255 did once).
        text = letters(300)
        out = g.command("echo " + text, timeout=30)
        assert out.strip() == text, "%d of 300: %r" % (len(out.strip()), out)
        # The longest line the shell takes: "echo " + 4090 = 4095 bytes.
        text = letters(LINE_MAX - len("echo "))
        out = g.command("echo " + text, timeout=120)
        assert out.strip() == text, "%d of %d" % (len(out.strip()), len(text))
        # History keeps it whole: Up recalls and runs it again.
        out = g.command("\x1b[A", timeout=120)
        assert out.strip() == text, "recalled %d of %d" % (len(out.strip()),
                                                          len(text))


def test_line_past_limit_says_so(arch, **opts):
    with boot(arch, **opts) as g:
        over = 10
        text = "c" * (LINE_MAX - len("echo ") + over)
        start = g.pos
        g.send("echo " + text + "\r")
        # The first key that does not fit: a bell and a message, once.
        g.expect(r"\a\nline full \(4095 bytes at most\): further keys are "
                 r"dropped\n", timeout=120)
        m = g.expect(r"line too long: (\d+) key\(s\) past 4095 bytes were "
                     r"dropped; not run", timeout=120)
        assert int(m.group(1)) == over, m.group(0)
        said = g.out[start:g.pos]
        assert said.count("\a") == over, "%d bells for %d keys" % (
            said.count("\a"), over)
        g.expect(re.escape(PROMPT), timeout=30)
        # Not run: no line of c's came back.
        assert not re.search(r"^c+$", said, re.M), said[-300:]
        # Up recalls what was kept; shortened, it runs.
        out = g.command("\x1b[A" + "\x7f" * over, timeout=120)
        assert out.strip() == "c" * (len(text) - 2 * over), \
            "%d c's" % len(out.strip())
        assert g.command("echo alive").strip() == "alive"


def test_long_line_keyboard(arch, **opts):
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        text = letters(300)
        out = kbd_command(g, "echo " + text)
        assert out.strip() == text, "%d of 300: %r" % (len(out.strip()), out)
        assert re.search(r"dropped 0 \(input queue full\)",
                         g.command("inputstat")), g.out[-500:]


def stats(g):
    out = g.command("inputstat")
    m = re.search(r"scan codes (\d+), keys (\d+), dropped (\d+) \(input "
                  r"queue full\)", out)
    assert m, out
    return [int(x) for x in m.groups()]


def overflow_keyboard(g, keys, seconds):
    """While `sleep` reads nothing, press Delete `keys` times (4 bytes of
    console input each). False if the sleep ended before the keys did."""
    g.send("sleep %d\r" % (seconds * 1000))
    g.expect("sleep %d\n" % (seconds * 1000))
    for _ in range(keys):
        key_event(g, "delete", True)
        key_event(g, "delete", False)
        time.sleep(0.002)  # QEMU's PS/2 queue holds 16 bytes
    g._read(0)
    early = PROMPT in g.out[g.pos:]
    g.expect(re.escape(PROMPT), timeout=seconds + 60)
    return not early


def test_keyboard_overflow_counted(arch, **opts):
    """The console input holds 4096 bytes; 1100 Delete keys (ESC [ 3 ~)
    while nothing reads make 4400. Each key goes in whole or not at all:
    1024 fit, the rest are dropped, counted and reported."""
    keys, queue = 1100, 4096
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        seconds = 8
        while True:
            before = stats(g)
            start = g.pos
            if overflow_keyboard(g, keys, seconds):
                break
            # A loaded machine typed slower than the sleep: longer.
            assert seconds < 64, "could not type %d keys in %d s" % (
                keys, seconds)
            seconds *= 2
        after = stats(g)
        assert "input: console input full, keys dropped" in g.out[start:], \
            g.out[start:][-500:]
        typed = after[1] - before[1]
        dropped = after[2] - before[2]
        # QEMU itself may drop a key when its 16-byte queue fills; what
        # the kernel decoded is what must add up.
        assert typed > queue // 4, after
        assert dropped == typed - queue // 4, (before, after)
        assert g.command("echo alive").strip() == "alive"


def test_escape_sequences(arch, **opts):
    """Issue 9, item 10: a lone Esc swallows nothing, Ctrl/Shift+arrow
    move (not insert "5C"), a sequence cut short rings the bell."""
    with boot(arch, **opts) as g:
        # Esc, then a command typed after it: its first key survives.
        g.send("\x1b")
        assert g.command("echo ok").strip() == "ok"
        # Esc then Enter: the Enter is not lost.
        assert g.command("echo a\x1b").strip() == "a"
        assert g.command("\x1becho b").strip() == "b"
        # xterm's modifier parameter: Ctrl+Right, Shift+Left, Ctrl+Delete.
        assert g.command("echo x\x1b[1;5Cy").strip() == "xy"
        assert g.command("echo ab\x1b[1;2Dc").strip() == "acb"
        assert g.command("echo abc\x1b[D\x1b[3;5~").strip() == "ab"
        # ESC [ and ESC O with nothing after: once the short wait is over
        # the shell rings the bell and takes the next key as a key.
        for intro in ("[", "O"):
            g.send("echo p\x1b" + intro)
            g.expect("echo p\a", timeout=10)
            assert g.command("q").strip() == "pq"
        # A sequence not understood inserts nothing.
        assert g.command("echo m\x1b[?25hn").strip() == "mn"
        # An arrow stops timerdemo as one key: nothing of it is left over.
        g.send("timerdemo\r")
        g.expect("Timer interrupt!", timeout=10)
        g.send("\x1b[C")
        g.expect(re.escape(PROMPT), timeout=10)
        assert g.command("echo z").strip() == "z", g.out[-300:]


def keytest_end(g):
    g.expect(re.escape(PROMPT), timeout=10)
    # Nothing of a sequence leaked onto the prompt afterwards.
    assert g.command("echo after").strip() == "after", g.out[-300:]


def test_keytest_escape_sequences_serial(arch, **opts):
    """Issue 9, item 11: keytest names the keys that are escape sequences
    and ends only on Esc itself."""
    with boot(arch, **opts) as g:
        g.send("keytest\r")
        g.expect(r"keytest: \w+ until Esc\n")
        for seq, name in (("\x1b[C", "Right"), ("\x1b[1;5D", "Ctrl+Left"),
                          ("\x1bOH", "Home"), ("\x1b[3~", "Delete"),
                          ("\x1b[6~", "PageDown"), ("z", "z"),
                          ("\x03", "0x03")):
            g.send(seq)
            g.expect(r"You typed: %s\n" % re.escape(name), timeout=10)
        g.send("\x1b")
        keytest_end(g)


def test_keytest_escape_sequences_keyboard(arch, **opts):
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        g.send("keytest\r")
        g.expect(r"keytest: \w+ until Esc\n")
        for qcode, name in (("right", "Right"), ("home", "Home"),
                            ("end", "End"), ("delete", "Delete"),
                            ("insert", "Insert"), ("pgup", "PageUp"),
                            ("up", "Up"), ("a", "a")):
            key_event(g, qcode, True)
            key_event(g, qcode, False)
            g.expect(r"You typed: %s\n" % re.escape(name), timeout=10)
        key_event(g, "esc", True)
        key_event(g, "esc", False)
        keytest_end(g)


def utf8(text):
    """Text as the guest's serial bytes (Guest.send and .out are latin-1)."""
    return text.encode("utf-8").decode("latin-1")


def test_utf8_line_editing(arch, **opts):
    """Issue 9, item 12: the line editor keeps UTF-8 characters whole."""
    with boot(arch, **opts) as g:
        for word in ("héllo", "€uro", "naïve café", "\U0001f600!"):
            out = g.command("echo " + utf8(word))
            assert out.strip() == utf8(word), (word, out)
        # Left over é, then insert: before it, not inside it.
        assert g.command(utf8("echo hé") + "\x1b[Dx").strip() == utf8("hxé")
        # Backspace and Delete erase the whole character.
        assert g.command(utf8("echo hé") + "\x7f!").strip() == "h!"
        assert g.command(utf8("echo a€b") + "\x1b[D\x1b[D\x1b[3~") \
            .strip() == "ab"
        # Bytes that are not UTF-8 are refused (a bell), never inserted.
        start = g.pos
        assert g.command("echo a\xffb\xc3c").strip() == "abc"
        assert g.out[start:].count("\a") == 2, repr(g.out[start:])
        # History keeps them too: back past "echo abc", "echo ab" (the
        # edited line) and "echo h!".
        assert g.command("\x1b[A" * 4).strip() == utf8("hxé")


def test_kbdlayout_german_umlauts(arch, **opts):
    """The German layout's umlaut keys type characters the shell keeps."""
    with Guest(arch, qmp=True, **opts) as g:
        g.expect(re.escape(PROMPT), timeout=30)
        assert "layout: de" in g.command("kbdlayout de")
        start = g.pos
        # On a German keyboard: ö ä ü ß where US has ; ' [ -
        # Typist waits for echoes instead of pacing (an umlaut echoes two
        # bytes, so it may run two keys ahead: still inside QEMU's queue).
        t = Typist(g)
        for q in ("e", "c", "h", "o", "spc", "semicolon", "apostrophe",
                  "bracket_left", "minus"):
            t.press(q)
        t.press("ret", echoes=False)
        g.expect(re.escape(PROMPT), timeout=30)
        out = g.out[start:g.pos].split("\n")[1]
        assert out == utf8("öäüß"), repr(out)


TESTS = [
    test_long_line_serial,
    test_line_past_limit_says_so,
    test_escape_sequences,
    test_keytest_escape_sequences_serial,
    test_utf8_line_editing,
]

PC_TESTS = [
    test_long_line_keyboard,
    test_keyboard_overflow_counted,
    test_keytest_escape_sequences_keyboard,
    test_kbdlayout_german_umlauts,
]
