"""Microseconds a phone number takes to read: `normalize_phone` (the quick NANP reading,
outreach_bot/phones/nanp.py) beside the phonenumbers library's full parse and validation
(`library_phone`), on the same numbers in the same run.

The numbers are fictional (NPA-555-01xx, for every area code the library holds valid with
it, US, Canada and the Caribbean) written in the shapes SIS exports use, all distinct, as a
district's guardians' phones nearly are; a share are not NANP-shaped or not valid, which
both readings leave to the library.

Run: .venv/bin/python bench/phones.py [--numbers 200000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator

import phonenumbers

from outreach_bot.phones import normalize_phone
from outreach_bot.phones.numbers import library_phone

# How SIS exports write a number (the area code, exchange 555, the line).
SHAPES = (
    "({a}) 555-{n}",
    "{a}-555-{n}",
    "{a}.555.{n}",
    "{a}555{n}",
    "+1{a}555{n}",
    "+1 {a} 555 {n}",
    "1-{a}-555-{n}",
    "+1 ({a}) 555-{n}",
    "{a} 555 {n}",
    "1 ({a}) 555-{n}",
)


def fictional_areas() -> list[str]:
    """The area codes whose 555-0100 the library holds valid (somewhere on +1)."""
    areas = []
    for area in range(200, 1000):
        number = phonenumbers.parse(f"+1{area}5550100")
        if phonenumbers.is_valid_number(number):
            areas.append(str(area))
    return areas


def fictional_phones(count: int) -> Iterator[str]:
    """`count` phone cells, distinct as far as fictional numbers written in SHAPES go."""
    areas = fictional_areas()
    every = len(areas) * 100 * len(SHAPES)
    for index in range(count):
        shape, rest = divmod(index % every, len(areas) * 100)
        area, line = divmod(rest, 100)
        yield SHAPES[shape].format(a=areas[area], n=f"01{line:02d}")


def per_number(read: Callable[[str], str], numbers: list[str]) -> float:
    """Microseconds a number, every number read once (errors count as read)."""
    started = time.perf_counter()
    for number in numbers:
        try:
            read(number)
        except ValueError:
            pass
    return (time.perf_counter() - started) / len(numbers) * 1e6


def main() -> None:
    """Time both readings on the same numbers, alternately, and print every run: the
    numbers as they are, and with a share that only the library reads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    plain = list(fictional_phones(args.numbers))
    # Some numbers not plainly NANP, as a real file has: abroad, extensions, wrong digits.
    mixed = list(plain)
    mixed[::50] = ["+52 55 1234 5678"] * len(mixed[::50])
    mixed[1::50] = ["(503) 555-0142 x12"] * len(mixed[1::50])
    mixed[2::50] = ["(555) 555-0142"] * len(mixed[2::50])
    print(
        f"{len(plain):,} numbers ({len(set(plain)):,} distinct), load"
        f" {os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print(f"{'':>4} {'NANP shapes only (µs a number)':>36} {'with 6% others (µs a number)':>36}")
    print(f"{'run':>4} {'normalize_phone':>16} {'library':>9} {'speed-up':>9}" * 1
          + f" {'normalize_phone':>16} {'library':>9} {'speed-up':>9}")  # fmt: skip
    runs = []
    for run in range(1, args.runs + 1):
        figures = [
            per_number(normalize_phone, plain),
            per_number(library_phone, plain),
            per_number(normalize_phone, mixed),
            per_number(library_phone, mixed),
        ]
        runs.append(figures)
        _print(str(run), figures)
    _print("med", [statistics.median(column) for column in zip(*runs, strict=True)])


def _print(label: str, figures: list[float]) -> None:
    quick, full, quick_mixed, full_mixed = figures
    print(f"{label:>4} {quick:>16.2f} {full:>9.2f} {full / quick:>8.1f}x"
          f" {quick_mixed:>16.2f} {full_mixed:>9.2f} {full_mixed / quick_mixed:>8.1f}x",
          flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
