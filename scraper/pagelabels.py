"""The words and dates of the reader's pages, in the article's language: English, Simplified
or Traditional Chinese (hanzidentifier tells the scripts apart by CC-CEDICT's character sets).

Times are Beijing time, as TMTPost gives them; a page that gives only a day shows only a day.
"""

from __future__ import annotations

from datetime import date, datetime

import hanzidentifier

from scraper.dates import BEIJING

LABELS = {
    "en": {"source": "Source", "why": "Why these topics",
           "unknown": "date unknown",
           "companies": "Companies", "related": "Related", "same_story": "The same story",
           "digest": "Digest for {day}", "previous": "Previous story", "next": "Next story",
           "recent": "Recent stories on these topics"},
    "zh": {"source": "来源", "why": "为何归入这些主题", "unknown": "日期不详",
           "companies": "公司", "related": "相关报道", "same_story": "同一新闻的其他报道",
           "digest": "{day}新闻摘要", "previous": "上一篇", "next": "下一篇",
           "recent": "相关主题的近期报道"},
    "zh-Hant": {"source": "來源", "why": "為何歸入這些主題", "unknown": "日期不詳",
                "companies": "公司", "related": "相關報導", "same_story": "同一新聞的其他報導",
                "digest": "{day}新聞摘要", "previous": "上一篇", "next": "下一篇",
                "recent": "相關主題的近期報導"},
}
COLON = {"en": ": ", "zh": "：", "zh-Hant": "："}


def lang_tag(language: str | None, text: str = "") -> str:
    """The page's BCP 47 tag: en, zh-Hans or zh-Hant (from the script of `text`)."""
    if not (language or "").lower().startswith("zh"):
        return "en"
    script = hanzidentifier.identify(text)
    return "zh-Hant" if script == hanzidentifier.TRADITIONAL else "zh-Hans"


def lang_key(language: str | None) -> str:
    """en, zh (Simplified) or zh-Hant: `language` is a front-matter language or a lang tag."""
    if language == "zh-Hant":
        return "zh-Hant"
    return "zh" if (language or "").lower().startswith("zh") else "en"


def label(language: str | None, key: str) -> str:
    return LABELS[lang_key(language)][key]


def labelled(language: str | None, key: str, text: str) -> str:
    """'Source: x' / '来源：x'."""
    return label(language, key) + COLON[lang_key(language)] + text


def day_text(day: date, language: str | None = "en") -> str:
    if lang_key(language) != "en":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%b %Y}"


def when_text(value: date | datetime | None, language: str | None = "en") -> str:
    """'1 Sep 2021, 07:50 Beijing time' / '2021年9月1日 07:50（北京时间）'; a day alone when
    the page gave no time."""
    if value is None:
        return label(language, "unknown")
    if not isinstance(value, datetime):
        return day_text(value, language)
    local = value.astimezone(BEIJING) if value.tzinfo else value
    day = day_text(local.date(), language)
    if lang_key(language) == "zh":
        return f"{day} {local:%H:%M}（北京时间）"
    if lang_key(language) == "zh-Hant":
        return f"{day} {local:%H:%M}（北京時間）"
    return f"{day}, {local:%H:%M} Beijing time"
