"""What Pagefind's metadata costs a first search, and the least it can cost: the floor.

    python -m benchmarks.search_meta SITE_DIR [--target-kb 300]

A merged Pagefind index loads every part's `pf_meta` before its first search. That file lists
each page of the part (its fragment hash, `en_` and 7 hex digits, and its word count), the
index chunks, the filters and the sort orders. This script decodes each part's `pf_meta`
(gzip, then CBOR) and prints, for the whole site, the compressed size of each section
as a reader's browser downloads it, per article and in total. The pages section is what
no setting of Pagefind removes while every article can be found by the first search: it
is the floor that the issue's first-query target is measured against.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

SIGNATURE = b"pagefind_dcd"
SECTIONS = ("version", "pages", "index chunks", "filters", "sorts")


def cbor_item(data: bytes, at: int) -> tuple[object, int]:
    """One CBOR item at `at` (the subset Pagefind writes: ints, text, bytes, arrays, maps)."""
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        value = info
    else:
        width = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        value = int.from_bytes(data[at:at + width], "big")
        at += width
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major in (2, 3):
        raw = data[at:at + value]
        return (raw.decode() if major == 3 else raw), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = cbor_item(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = {}
        for _ in range(value):
            key, at = cbor_item(data, at)
            pairs[str(key)], at = cbor_item(data, at)
        return pairs, at
    raise ValueError(f"CBOR major type {major} is not one Pagefind's metadata uses")


def cbor_encode_length(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * width):
            return bytes([major << 5 | info]) + n.to_bytes(width, "big")
    raise ValueError(n)


def cbor_encode(value: object) -> bytes:
    """The inverse of cbor_item, to size one section on its own as Pagefind writes it."""
    if isinstance(value, int):
        return cbor_encode_length(0, value) if value >= 0 else cbor_encode_length(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode()
        return cbor_encode_length(3, len(raw)) + raw
    if isinstance(value, bytes):
        return cbor_encode_length(2, len(value)) + value
    if isinstance(value, list):
        return cbor_encode_length(4, len(value)) + b"".join(cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return cbor_encode_length(5, len(value)) + b"".join(
            cbor_encode(k) + cbor_encode(v) for k, v in value.items())
    raise TypeError(type(value))


def sections(meta_file: Path) -> list[object]:
    raw = gzip.decompress(meta_file.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{meta_file}: not a Pagefind metadata file")
    decoded, _ = cbor_item(raw, len(SIGNATURE))
    if not isinstance(decoded, list):
        raise ValueError(f"{meta_file}: unexpected metadata layout")
    return decoded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--target-kb", type=float, default=300.0)
    args = parser.parse_args()
    pagefind = args.site / "pagefind"
    parts = json.loads((pagefind / "parts.json").read_text())["parts"]
    pages = 0
    file_bytes = 0
    by_section = dict.fromkeys(SECTIONS, 0)
    for part in parts:
        meta_file = next((pagefind / part).glob("pagefind.*.pf_meta"))
        file_bytes += meta_file.stat().st_size
        decoded = sections(meta_file)
        pages += len(decoded[1])  # type: ignore[arg-type]
        for name, value in zip(SECTIONS, decoded, strict=False):
            by_section[name] += len(gzip.compress(cbor_encode(value), 9))
    print(f"{len(parts)} parts, {pages} articles: pf_meta files {file_bytes / 1024:.0f} KB "
          f"({file_bytes / pages:.1f} B an article), all loaded before a first search")
    for name in SECTIONS:
        size = by_section[name]
        print(f"  {name:13} {size / 1024:7.0f} KB  {size / pages:5.1f} B an article  (gzip -9, on its own)")
    floor = by_section["pages"]
    verdict = "above" if floor / 1024 > args.target_kb else "within"
    print(f"floor of a first search over every article (the pages section alone): "
          f"{floor / 1024:.0f} KB, {verdict} the {args.target_kb:.0f} KB target")


if __name__ == "__main__":
    main()
