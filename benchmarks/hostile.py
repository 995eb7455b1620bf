"""Seconds to read hostile inputs (huge lines, deep nesting, XML and gzip bombs): medians of repeated runs.

The fuzz tests check what comes out of these inputs; how long they take is measured here, not asserted in a
unit test (a loaded machine would make such a test flaky). Prints one line per input and exits 1 when a
median is over its bound (the bounds the fuzz tests used to assert).

    python benchmarks/hostile.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
import zlib
from collections.abc import Callable

from storyline.read import read_bytes

PARA = "The council said on Monday that the bridge over the river would reopen after repairs next week."
SMALL_CAP = 256 * 1024


def _huge_line() -> tuple[bytes, str]:
    return ("word " * 600_000)[:3_000_000].encode(), "a.txt"


def _deep_divs() -> tuple[bytes, str]:
    depth = 50_000
    return b"<html><body>" + b"<div>" * depth + PARA.encode() + b"</div>" * depth + b"</body></html>", "a.html"


def _laughs() -> tuple[bytes, str]:
    decls = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10)]
    doc = (f'<?xml version="1.0"?><!DOCTYPE bomb [{"".join(decls)}]><rss version="2.0"><channel><item>'
           f"<title>&lol9;</title><description>{PARA} &lol9; {PARA}</description></item></channel></rss>")
    return doc.encode(), "a.rss"


def _gzip_bomb() -> tuple[bytes, str]:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\x00" * (1 << 20)
    return b"".join(packer.compress(chunk) for _ in range(64)) + packer.flush(), "a.txt.gz"


def _gzip_html() -> tuple[bytes, str]:
    return gzip.compress(b"<html><body><p>" + b"a " * (64 << 20 >> 4)), "a.html.gz"


# input, its builder, the bound (seconds) the median must stay under
CASES: list[tuple[str, Callable[[], tuple[bytes, str]], float]] = [
    ("huge line (3 MB, text)", _huge_line, 45.0),
    ("div nesting 50,000 deep", _deep_divs, 30.0),
    ("billion laughs in RSS (9 levels)", _laughs, 30.0),
    ("gzip bomb (64 MB of zeros)", _gzip_bomb, 20.0),
    ("gzip HTML (64 MB inflated)", _gzip_html, 20.0),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    over = 0
    for name, build, bound in CASES:
        data, path = build()
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            list(read_bytes(data, path, max_bytes=SMALL_CAP if path.endswith(".gz") else 20 * 1024 * 1024))
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        over += median > bound
        print(f"{name:36s} median {median:6.2f} s  (bound {bound:.0f} s){'  OVER' if median > bound else ''}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
