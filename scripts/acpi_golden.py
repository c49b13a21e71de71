#!/usr/bin/env python3
"""Golden device lists for the real-firmware AML corpus, from ACPICA's acpiexec.

For each machine directory under tests/fixtures/acpi/corpus/ (or the ones
named on the command line) this loads dsdt.dat and ssdt1.dat, ssdt2.dat, ...
(numeric order, the order acpixtract numbered them, i.e. the dump's order)
into Debian's acpiexec (acpica-tools 20200925) with every operation region
simulated and zero-filled (-fv 0), and writes golden.jsonl: one JSON object
per Device object in namespace order, then a summary line.

acpiexec runs once per machine, driven through a pseudo-terminal as an
interactive debugger session: one `namespace` command lists every object
(with its depth, so full paths can be rebuilt), then for each Device, in
namespace order, `evaluate` runs _HID, _CID, _UID, _STA and -- only when the
_STA value has bit 0 set, or there is no _STA -- _CRS. The session must be
interactive because whether _CRS runs depends on the _STA result, and every
evaluation may write to the simulated regions (acpiexec keeps the written
bytes), so the order above is part of the golden data: an interpreter that
is compared against these files has to evaluate the same methods in the same
order on a fresh namespace.

The initialisation is acpiexec's default one (as an OS does it): _REG for
the handlers it installs, then _STA/_INI over the device tree, before the
first command.

Output line (the amldump format of issue 12, keys in this order):
  {"path": "\\_SB.PCI0.LPCB.PS2K", "hid": "PNP0303", "cid": ["PNP030B"],
   "uid": "0", "sta": 15, "crs": [...], "crs_hex": "47016000...7900",
   "error": null}
Summary line:
  {"summary": {"devices": N, "with_hid": N, "errors": N,
   "acpiexec_load_ms": X, ...}}
acpiexec_load_ms is the median of three wall-clock times from starting
`acpiexec -l -fv 0 <tables>` to its debugger prompt: reading, loading and
initialising the namespace objects, without _INI and without acpiexec's
shutdown (which waits ~1 s for a helper thread and is not load time).

Usage: scripts/acpi_golden.py [-j JOBS] [--acpiexec PATH] [MACHINE_DIR ...]
Python 3 standard library only.
"""

import argparse
import concurrent.futures
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
import tty

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..',
                      'tests', 'fixtures', 'acpi', 'corpus')
# acpiexec -to: a While loop still running after this many seconds aborts its
# method with AE_AML_LOOP_TIMEOUT. 30 s is ACPICA's own default. Smaller
# values make the golden data depend on timing: acpiexec really sleeps in
# Sleep/Stall, and firmware has bounded polls such as 100 x Sleep(50)
# (5 s) that finish at 30 s but abort at 2 s. The loops that do hit 30 s wait
# for a bit the zero-filled regions never set (e.g. Lenovo's SMI mailbox).
LOOP_TIMEOUT_S = 30
INIT_TIMEOUT_S = 900     # loading + _INI (one machine spends 90 s in loops)
CMD_TIMEOUT_S = 900      # one debugger command (may hit several loop timeouts)
PROMPT = b'\n- '


class AcpiexecError(Exception):
    pass


# ---------------------------------------------------------------- session

class Session:
    """One acpiexec process on a pty (line-buffered, stdout+stderr ordered)."""

    def __init__(self, argv, cwd):
        master, slave = pty.openpty()
        tty.setraw(slave)
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=slave, stdout=slave,
                                     stderr=slave, close_fds=True,
                                     start_new_session=True)
        os.close(slave)
        self.fd = master
        self.buf = b''

    def read_prompt(self, timeout):
        """Output up to (not including) the next debugger prompt."""
        end = time.monotonic() + timeout
        while not self.buf.endswith(PROMPT):
            left = end - time.monotonic()
            if left <= 0:
                raise AcpiexecError('timeout after %ds' % timeout)
            r, _, _ = select.select([self.fd], [], [], min(left, 1.0))
            if not r:
                continue
            try:
                data = os.read(self.fd, 1 << 20)
            except OSError:
                data = b''
            if not data:
                raise AcpiexecError('acpiexec exited: %r' % self.buf[-300:])
            self.buf += data
        out, self.buf = self.buf[:-len(PROMPT)], b''
        return out.replace(b'\r', b'').decode('latin-1')

    def command(self, line, timeout=CMD_TIMEOUT_S):
        os.write(self.fd, line.encode('ascii') + b'\n')
        return self.read_prompt(timeout)

    def close(self):
        try:
            os.write(self.fd, b'quit\n')
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()
        try:
            os.close(self.fd)
        except OSError:
            pass

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()


def table_files(mdir):
    """dsdt.dat, then ssdtN.dat by N (acpixtract's numbering = dump order)."""
    ssdts = [f for f in os.listdir(mdir) if re.fullmatch(r'ssdt\d*\.dat', f)]
    ssdts.sort(key=lambda f: int(f[4:-4] or 0))
    return ['dsdt.dat'] + ssdts


# ------------------------------------------------------- namespace listing

NS_LINE = re.compile(r'^\s*(\d+)\s+(\S{4}) (\w+)\s+0x[0-9a-fA-F]+ ')


def trim_seg(seg):
    s = seg.rstrip('_')
    return s if s else '_'


def parse_namespace(text):
    """[(raw_path, display_path, {child_name: type})] for every Device."""
    stack = []          # raw 4-char segments by depth
    devices = []
    by_raw = {}
    for line in text.split('\n'):
        m = NS_LINE.match(line)
        if not m:
            continue
        depth, name, typ = int(m.group(1)), m.group(2), m.group(3)
        del stack[depth:]
        if len(stack) != depth:
            raise AcpiexecError('namespace listing out of order: %r' % line)
        parent = '\\' + '.'.join(stack) if stack else None
        stack.append(name)
        raw = '\\' + '.'.join(stack)
        if parent in by_raw:
            by_raw[parent][name] = typ
        if typ == 'Device':
            children = {}
            by_raw[raw] = children
            disp = '\\' + '.'.join(trim_seg(s) for s in stack)
            devices.append((raw, disp, children))
    return devices


# ------------------------------------------------- evaluate result parsing

EVAL_OK = re.compile(r'^Evaluation of (\S+) returned object \S+, '
                     r'external buffer length [0-9A-Fa-f]+$')
EVAL_FAIL = re.compile(r'^Evaluation of (\S+) failed with status (\w+)$')
EVAL_NONE = re.compile(r'^No object was returned from evaluation of (\S+)$')
HEX_LINE = re.compile(r'^\s*[0-9A-F]+: ((?:[0-9A-F]{2} )*[0-9A-F]{2})(?:\s+//|$)')
ESCAPES = {'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t',
           'v': '\v', "'": "'", '"': '"', '\\': '\\'}


def unescape(s, i):
    """Parse AcpiUtPrintString output starting at the opening quote s[i]."""
    assert s[i] == '"'
    out, i = [], i + 1
    while i < len(s):
        c = s[i]
        if c == '"':
            return ''.join(out), i + 1
        if c == '\\':
            n = s[i + 1]
            if n == 'x':
                out.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
                continue
            if n in ESCAPES:
                out.append(ESCAPES[n])
                i += 2
                continue
            raise AcpiexecError('bad escape in %r' % s)
        out.append(c)
        i += 1
    raise AcpiexecError('unterminated string %r' % s)


def parse_object(lines, i):
    """One AcpiDbDumpExternalObject dump at lines[i] -> (value, next_i).

    Values: int, str, bytes, list (package), ('ref', text), ('other', text).
    """
    line = lines[i].strip()
    if line.startswith('[Integer] = '):
        return int(line[12:], 16), i + 1
    m = re.match(r'\[String\] Length ([0-9A-F]+) = ', line)
    if m:
        n = int(m.group(1), 16)
        s, end = unescape(line, m.end())
        if len(s) != n:
            if n > 255 and line[end:].startswith('...'):
                raise AcpiexecError('string longer than acpiexec prints')
            raise AcpiexecError('string length mismatch %r' % line)
        return s, i + 1
    m = re.match(r'\[Buffer\] Length ([0-9A-F]+) = ?(.*)$', line)
    if m:
        n = int(m.group(1), 16)
        data = bytearray()
        rest = m.group(2)
        i += 1
        if rest.strip():
            hm = HEX_LINE.match(rest)
            if not hm:
                raise AcpiexecError('bad buffer line %r' % line)
            data += bytes.fromhex(hm.group(1))
        while len(data) < n:
            hm = HEX_LINE.match(lines[i]) if i < len(lines) else None
            if not hm:
                raise AcpiexecError('buffer truncated (%d of %d)' %
                                    (len(data), n))
            data += bytes.fromhex(hm.group(1))
            i += 1
        if len(data) != n:
            raise AcpiexecError('buffer length mismatch')
        return bytes(data), i
    m = re.match(r'\[Package\] Contains (\d+) Elements:$', line)
    if m:
        elems, i = [], i + 1
        for _ in range(int(m.group(1))):
            v, i = parse_object(lines, i)
            elems.append(v)
        return elems, i
    if line.startswith('[Object Reference] = '):
        return ('ref', line[21:]), i + 1
    return ('other', line), i + 1


def parse_evaluate(text, path):
    """Output of `evaluate path` -> (value or None, status name)."""
    lines = text.split('\n')
    for i, line in enumerate(lines):
        m = EVAL_FAIL.match(line)
        if m:
            return None, m.group(2)
        if EVAL_NONE.match(line):
            return None, 'NO_RETURN_VALUE'
        if EVAL_OK.match(line):
            value, _ = parse_object(lines, i + 1)
            return value, 'AE_OK'
    raise AcpiexecError('no result for %s in %r' % (path, text[-500:]))


# ------------------------------------------------------------- ID helpers

def eisa(v):
    """EISA compressed ID (ACPI 6.5 sec. 6.1.5): byte-swapped 32-bit value."""
    s = int.from_bytes((v & 0xFFFFFFFF).to_bytes(4, 'little'), 'big')
    return (chr(0x40 + ((s >> 26) & 0x1F)) + chr(0x40 + ((s >> 21) & 0x1F)) +
            chr(0x40 + ((s >> 16) & 0x1F)) + '%04X' % (s & 0xFFFF))


def id_string(v):
    if isinstance(v, int):
        return eisa(v)
    if isinstance(v, str):
        return v
    raise ValueError(type_name(v))


def type_name(v):
    return {int: 'Integer', str: 'String', bytes: 'Buffer',
            list: 'Package'}.get(type(v), 'Other')


# ----------------------------------------------------------- _CRS decoding

def u(b, off, n):
    return int.from_bytes(b[off:off + n], 'little')


def bits(mask):
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def small_irq(body):
    irq = {'type': 'irq', 'irqs': bits(u(body, 0, 2)),
           'trigger': 'edge', 'polarity': 'high', 'shared': False}
    if len(body) >= 3:      # ACPI 6.5 sec. 6.4.2.1: optional information byte
        f = body[2]
        irq['trigger'] = 'edge' if f & 1 else 'level'
        irq['polarity'] = 'low' if f & 8 else 'high'
        irq['shared'] = bool(f & 0x10)
    return irq


def decode_small(kind, body):
    if kind == 0x04 and len(body) >= 2:
        return small_irq(body)
    if kind == 0x05 and len(body) >= 2:
        return {'type': 'dma', 'channels': bits(body[0])}
    if kind == 0x08 and len(body) >= 7:
        lo, hi = u(body, 1, 2), u(body, 3, 2)
        io = {'type': 'io', 'start': lo, 'length': body[6]}
        if lo != hi:
            io['max'] = hi
        return io
    if kind == 0x09 and len(body) >= 3:
        return {'type': 'io', 'start': u(body, 0, 2) & 0x3FF,
                'length': body[2]}
    if kind == 0x0A and len(body) >= 5:
        return {'type': 'dma', 'channels': [u(body, 2, 2)],
                'request_line': u(body, 0, 2)}
    return {'type': 'other', 'tag': kind}


def decode_address(kind, body):
    """Word (0x08), DWord (0x07), QWord (0x0A), Extended (0x0B) address."""
    rtype = body[0]
    if kind == 0x0B:
        size, off = 8, 5
    else:
        size, off = {0x08: 2, 0x07: 4, 0x0A: 8}[kind], 3
    if len(body) < off + 5 * size:
        return {'type': 'other', 'tag': 0x80 | kind}
    lo = u(body, off + size, size)
    tra = u(body, off + 3 * size, size)
    ln = u(body, off + 4 * size, size)
    if rtype == 0:
        return {'type': 'mem', 'start': (lo + tra) & ((1 << 64) - 1),
                'length': ln}
    if rtype == 1:
        return {'type': 'io', 'start': (lo + tra) & ((1 << 64) - 1),
                'length': ln}
    if rtype == 2:
        return {'type': 'bus', 'start': lo, 'length': ln}
    return {'type': 'other', 'tag': 0x80 | kind, 'resource_type': rtype}


def decode_large(kind, body):
    if kind == 0x01 and len(body) >= 9:
        return {'type': 'mem', 'start': u(body, 1, 2) << 8,
                'length': u(body, 7, 2) << 8}
    if kind == 0x05 and len(body) >= 17:
        return {'type': 'mem', 'start': u(body, 1, 4), 'length': u(body, 13, 4)}
    if kind == 0x06 and len(body) >= 9:
        return {'type': 'mem', 'start': u(body, 1, 4), 'length': u(body, 5, 4)}
    if kind in (0x07, 0x08, 0x0A, 0x0B) and len(body) >= 3:
        return decode_address(kind, body)
    if kind == 0x09 and len(body) >= 2:
        f, n = body[0], body[1]
        return {'type': 'irq',
                'irqs': [u(body, 2 + 4 * k, 4) for k in range(n)
                         if 2 + 4 * k + 4 <= len(body)],
                'trigger': 'edge' if f & 2 else 'level',
                'polarity': 'low' if f & 4 else 'high',
                'shared': bool(f & 8)}
    if kind == 0x0C and len(body) >= 20:
        return decode_gpio(body)
    if kind == 0x0E and len(body) >= 3:
        return {'type': 'serialbus', 'bus_type': body[2]}
    return {'type': 'other', 'tag': 0x80 | kind}


def decode_gpio(body):
    """GPIO connection descriptor (ACPI 6.5 sec. 6.4.3.8.1)."""
    pin_off, src_off = u(body, 11, 2) - 3, u(body, 14, 2) - 3
    ven_off = u(body, 16, 2) - 3
    pins = [u(body, p, 2) for p in range(pin_off, src_off, 2)
            if 0 <= p and p + 2 <= len(body)]
    src = body[src_off:ven_off].split(b'\0')[0].decode('latin-1') \
        if 0 <= src_off < len(body) else ''
    return {'type': 'gpio', 'connection': 'int' if body[1] == 0 else 'io',
            'pins': pins, 'source': src}


def decode_crs(buf):
    """Resource template (ACPI 6.5 sec. 6.4) -> list of dicts, end tag excluded."""
    out, i = [], 0
    while i < len(buf):
        tag = buf[i]
        if tag & 0x80:
            if i + 3 > len(buf):
                out.append({'type': 'other', 'tag': tag, 'truncated': True})
                break
            n = u(buf, i + 1, 2)
            body = buf[i + 3:i + 3 + n]
            if len(body) < n:
                out.append({'type': 'other', 'tag': tag, 'truncated': True})
                break
            out.append(decode_large(tag & 0x7F, body))
            i += 3 + n
        else:
            kind, n = tag >> 3 & 0xF, tag & 7
            if kind == 0x0F:
                break
            body = buf[i + 1:i + 1 + n]
            if len(body) < n:
                out.append({'type': 'other', 'tag': kind, 'truncated': True})
                break
            out.append(decode_small(kind, body))
            i += 1 + n
    return out


# ------------------------------------------------------ device evaluation

def evaluate(sess, path):
    return parse_evaluate(sess.command('evaluate ' + path), path)


def describe(sess, raw, disp, children):
    """One Device -> golden dict (evaluation order: _HID _CID _UID _STA _CRS)."""
    rec = {'path': disp, 'hid': None, 'cid': [], 'uid': None, 'sta': 15,
           'crs': None, 'crs_hex': None, 'error': None}
    errs = []

    def ev(name):
        v, st = evaluate(sess, raw + '.' + name)
        if st != 'AE_OK':
            errs.append('%s: %s' % (name, st))
            return None
        return v

    for name in ('_HID', '_CID', '_UID', '_STA'):
        if name not in children:
            continue
        v = ev(name)
        if v is None:
            if name == '_STA':
                rec['sta'] = None
            continue
        try:
            if name == '_HID':
                rec['hid'] = id_string(v)
            elif name == '_CID':
                rec['cid'] = [id_string(e) for e in
                              (v if isinstance(v, list) else [v])]
            elif name == '_UID':
                rec['uid'] = str(v) if isinstance(v, int) else id_uid(v)
            elif isinstance(v, int):
                rec['sta'] = v
            else:
                raise ValueError(type_name(v))
        except ValueError as e:
            errs.append('%s: unexpected type %s' % (name, e))
            if name == '_STA':
                rec['sta'] = None
    if '_CRS' in children and rec['sta'] is not None and rec['sta'] & 1:
        v = ev('_CRS')
        if isinstance(v, bytes):
            rec['crs'] = decode_crs(v)
            rec['crs_hex'] = v.hex()
        elif v is not None:
            errs.append('_CRS: unexpected type %s' % type_name(v))
    rec['error'] = '; '.join(errs) if errs else None
    return rec


def id_uid(v):
    if isinstance(v, str):
        return v
    raise ValueError(type_name(v))


# ---------------------------------------------------------------- machine

def load_time_ms(acpiexec, mdir, tables, runs=3):
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        s = Session([acpiexec, '-l', '-fv', '0', '-to', str(LOOP_TIMEOUT_S)]
                    + tables, mdir)
        try:
            s.read_prompt(INIT_TIMEOUT_S)
            times.append((time.monotonic() - t0) * 1000.0)
        finally:
            s.close()
    times.sort()
    return round(times[len(times) // 2], 1)


def run_machine(acpiexec, mdir):
    tables = table_files(mdir)
    t0 = time.monotonic()
    sess = Session([acpiexec, '-fv', '0', '-to', str(LOOP_TIMEOUT_S)] + tables,
                   mdir)
    try:
        init = sess.read_prompt(INIT_TIMEOUT_S)
        devices = parse_namespace(sess.command('namespace', INIT_TIMEOUT_S))
        recs = [describe(sess, raw, disp, ch) for raw, disp, ch in devices]
    except Exception:
        sess.kill()
        raise
    sess.close()
    elapsed = time.monotonic() - t0
    m = re.search(r'Executed (\d+) _INI methods', init)
    summary = {
        'devices': len(recs),
        'with_hid': sum(1 for r in recs if r['hid'] is not None),
        'errors': sum(1 for r in recs if r['error'] is not None),
        'acpiexec_load_ms': load_time_ms(acpiexec, mdir, tables),
        'acpiexec': acpiexec_version(acpiexec),
        'region_fill': 0,
        'tables': tables,
        'aml_bytes': sum(os.path.getsize(os.path.join(mdir, t))
                         for t in tables),
        'ini_executed': int(m.group(1)) if m else None,
        'init_messages': init_messages(init),
    }
    with open(os.path.join(mdir, 'golden.jsonl'), 'w') as f:
        for r in recs:
            f.write(json.dumps(r) + '\n')
        f.write(json.dumps({'summary': summary}) + '\n')
    return os.path.basename(mdir), summary, elapsed


def init_messages(init):
    """Count of ACPI Error/Warning lines acpiexec printed while loading."""
    return {'errors': len(re.findall(r'^ACPI Error', init, re.M)),
            'warnings': len(re.findall(r'^ACPI Warning', init, re.M))}


_VERSION = {}


def acpiexec_version(acpiexec):
    if acpiexec not in _VERSION:
        out = subprocess.run([acpiexec, '-v'], capture_output=True,
                             text=True).stdout
        m = re.search(r'version (\d+)', out)
        _VERSION[acpiexec] = m.group(1) if m else 'unknown'
    return _VERSION[acpiexec]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('machines', nargs='*',
                    help='machine directories (default: the whole corpus)')
    ap.add_argument('-j', '--jobs', type=int, default=os.cpu_count() or 1)
    ap.add_argument('--acpiexec', default='acpiexec')
    args = ap.parse_args()
    dirs = args.machines or sorted(
        os.path.join(CORPUS, d) for d in os.listdir(CORPUS)
        if os.path.isfile(os.path.join(CORPUS, d, 'dsdt.dat')))
    dirs = [os.path.abspath(d) for d in dirs]
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futs = {pool.submit(run_machine, args.acpiexec, d): d for d in dirs}
        for fut in concurrent.futures.as_completed(futs):
            name = os.path.basename(futs[fut])
            try:
                _, s, el = fut.result()
                print('%-40s devices %4d  with_hid %4d  errors %3d  '
                      'load %7.1f ms  (%.1f s)' % (name, s['devices'],
                      s['with_hid'], s['errors'], s['acpiexec_load_ms'], el))
            except Exception as e:  # report and go on with the others
                failed += 1
                print('%-40s FAILED: %s' % (name, e))
            sys.stdout.flush()
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
