"""The page allocator and heap as the shell shows them (issue 10,
Memory): the boot log lists the RAM ranges and reservations mm_init()
took, `meminfo` reports pages per order and the heap per cache, and the
page counts agree with the boot log's."""
import re

from test_shell import boot


def test_meminfo_matches_boot(arch, **opts):
    with boot(arch, **opts) as g:
        log = g.out
        m = re.search(r"mm: \d+ KiB RAM, \d+ KiB reserved by the port, "
                      r"(\d+) pages \(\d+ KiB\) free", log)
        assert m, log[-3000:]
        assert "kernel image" in log, log[-3000:]
        if arch == "aarch64":
            assert "device tree blob" in log, log[-3000:]
        out = g.command("meminfo")
        pages = re.search(r"pages: (\d+) total, (\d+) free", out)
        assert pages, out
        assert int(pages.group(1)) == int(m.group(1)), (m.group(0), out)
        # What the boot allocated since is small; nothing went missing.
        assert 0 < int(pages.group(1)) - int(pages.group(2)) < 4096 or \
            pages.group(1) == pages.group(2), out
        orders = re.search(r"free blocks per order:((?: \d+:\d+){11})", out)
        assert orders, out
        free = sum(int(n) << int(o) for o, n in
                   re.findall(r" (\d+):(\d+)", orders.group(1)))
        assert free == int(pages.group(2)), (free, out)
        for size in (16, 2048):
            assert re.search(r"kmalloc-%d\b" % size, out), out
        assert "failed allocations" in out, out


TESTS = [test_meminfo_matches_boot]
