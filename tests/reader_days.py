"""Made-up article pages over three Beijing days, for the reader's-site browser tests: a story
reported twice, a story with two topics, an untagged story and a day with one story.
Written with scraper.write.render (as `import` writes pages); no third-party text."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from scraper.dates import BEIJING
from scraper.models import Article, Block, Evidence
from scraper.tag import TopicRules
from scraper.write.render import render_page

DAY = date(2026, 11, 28)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BEIJING)


STORIES: list[tuple[str, str, str, datetime | date, tuple[str, ...], str | None, str]] = [
    # (id, title, site, published, topics, summary, text)
    ("9000001", "BYD cuts Seal prices and adds chip-based driver assistance", "TMTPost",
     _at(28, 8, 10), ("evs", "chips"), "The carmaker trims prices by a tenth.",
     "BYD said on Friday it cut prices of the Seal electric car and added driver assistance."),
    ("9000002", "BYD cuts Seal prices, adds driver assistance chip", "Pandaily",
     _at(28, 9, 0), ("evs",), None,
     "BYD cut the price of the Seal and fitted a new driver assistance chip, it said."),
    ("9000003", "SMIC orders more lithography tools for its Shanghai fab", "TMTPost",
     _at(28, 10, 30), ("chips",), "The foundry expands capacity.",
     "SMIC ordered more lithography tools for its Shanghai fab, people familiar said."),
    ("9000004", "Beijing opens a new science museum", "TMTPost",
     _at(28, 11, 0), (), "A museum for families.",
     "The museum opened on Friday with exhibits on space flight and robots."),
    ("9000005", "Xiaomi ships its first SU7 Ultra to buyers in Shanghai", "TMTPost",
     _at(27, 19, 45), ("evs",), "Deliveries start a month early.",
     "Xiaomi said the first SU7 Ultra cars reached buyers in Shanghai this week."),
    ("9000006", "CATL opens a sodium battery line", "TMTPost",
     date(2026, 11, 26), ("evs",), "Sodium-ion cells go into mass production.",
     "CATL opened a production line for sodium-ion battery cells, the company said."),
    ("9000007", "Huawei shows a new AI chip for data centres", "TMTPost",
     _at(26, 15, 20), ("ai", "chips"), None,
     "Huawei showed a new AI chip for data centres at its developer conference."),
    ("9000008", "比亚迪发布新一代刀片电池", "钛媒体", _at(26, 12, 0), ("evs",), "新电池能量密度提升。",
     "比亚迪周四发布新一代刀片电池，称其能量密度明显提升。"),
]


def write_days(docs: Path, rules: TopicRules) -> None:
    for ident, title, site, when, topics, summary, text in STORIES:
        article = Article(
            source=f"made-up-{ident}", url=f"https://example.com/post/{ident}", site="tmtpost",
            site_name=site, language="zh" if title[0] >= "\u3400" else "en", title=title,
            summary=summary, authors=("Staff",),
            published=when, blocks=(Block("paragraph", text, text),), article_id=ident,
            tags=topics, evidence={t: (Evidence(title.split()[0], 2),) for t in topics})
        (docs / "articles" / f"made-up-{ident}.md").write_text(render_page(article, rules),
                                                               encoding="utf-8")
