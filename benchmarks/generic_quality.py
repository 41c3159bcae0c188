"""The generic extractor against trafilatura alone, on our own pages of other sites.

For each page in tests/fixtures/generic/ its NAME.expect.yml lists real content that must
be kept and chrome that must go. Counts both for trafilatura's plain text and for ours.

    python -m benchmarks.generic_quality
"""

from __future__ import annotations

from pathlib import Path

import trafilatura
import yaml

from scraper.extract import extract_article
from scraper.fetch.files import read_page
from scraper.render import body_text

FIXTURES = Path("tests/fixtures/generic")


def score(text: str, expect: dict) -> tuple[int, int, int, int]:
    keep = expect.get("must_contain", []) + [expect["first_paragraph_starts"],
                                             expect["last_paragraph_ends"]]
    chrome = expect.get("must_not_contain", [])
    kept = sum(1 for s in keep if s in text)
    leaked = sum(1 for s in chrome if s in text)
    return kept, len(keep), leaked, len(chrome)


def main() -> None:
    totals = {"trafilatura": [0, 0, 0, 0], "scraper": [0, 0, 0, 0]}
    print(f"{'page':28} {'trafilatura kept/leaked':>24} {'scraper kept/leaked':>22}")
    for expect_file in sorted(FIXTURES.glob("*.expect.yml")):
        name = expect_file.name.removesuffix(".expect.yml")
        page = FIXTURES / f"{name}.html"
        expect = yaml.safe_load(expect_file.read_text(encoding="utf-8"))
        theirs = trafilatura.extract(page.read_bytes(), include_comments=False) or ""
        ours = body_text(extract_article(read_page(page)))
        row = []
        for label, text in (("trafilatura", theirs), ("scraper", ours)):
            k, kn, leak, ln = score(text, expect)
            totals[label] = [a + b for a, b in zip(totals[label], (k, kn, leak, ln), strict=True)]
            row.append(f"{k}/{kn} kept, {leak}/{ln} leaked")
        print(f"{name:28} {row[0]:>24} {row[1]:>22}")
    for label, (k, kn, leak, ln) in totals.items():
        print(f"{label:12} content kept {k}/{kn}, chrome leaked {leak}/{ln}")


if __name__ == "__main__":
    main()
