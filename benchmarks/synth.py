"""Synthetic articles in the TMTPost shapes (English post pages, Chinese current layout),
written in real sentences.

The sentences come from ../shared/corpus/tagging-dev (150 paraphrased news stories, 87 in
English and 63 in Chinese), read at run time and never copied into the repository: each
story is split into sentences, and every paragraph of a synthetic article is a run of
sentences from one story, picked at random. A search index or a tagger sees a real
vocabulary (tens of thousands of words and names), not a hundred made-up ones.

    python -m benchmarks.synth N OUT_DIR      # write N pages (about 15% Chinese)
"""

from __future__ import annotations

import functools
import random
import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "tagging-dev" / "texts"
CHINESE_SHARE = 0.15
MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# An English sentence ends at . ! or ? (a closing quote may follow) before a capital, digit or quote.
_EN_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“‘(])")
_ZH_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*[”」』）]?")


class CorpusMissingError(RuntimeError):
    """The tagging-dev corpus is not beside the repository."""


@dataclass(frozen=True)
class Story:
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Corpus:
    english: tuple[Story, ...]
    chinese: tuple[Story, ...]


def _is_chinese(text: str) -> bool:
    return len(_CJK.findall(text)) > len(text) * 0.2


def _sentences(paragraph: str, chinese: bool) -> list[str]:
    if chinese:
        found = [s.strip() for s in _ZH_SENTENCE.findall(paragraph)]
        return [s for s in found if len(s) >= 8]
    found = [s.strip() for s in _EN_SENTENCE_END.split(paragraph)]
    return [s for s in found if len(s.split()) >= 5]


@functools.cache
def load_corpus(folder: Path = CORPUS) -> Corpus:
    """The stories' sentences, by language (the URL and title lines left out)."""
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise CorpusMissingError(f"{folder}: no corpus texts (the repository expects ../shared beside it)")
    english: list[Story] = []
    chinese: list[Story] = []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()[3:]  # URL, blank line, title
        text = "\n".join(lines)
        is_zh = _is_chinese(text)
        sentences = [s for line in lines if line.strip() for s in _sentences(line.strip(), is_zh)]
        if len(sentences) >= 3:
            (chinese if is_zh else english).append(Story(tuple(sentences)))
    return Corpus(tuple(english), tuple(chinese))


def _run_of_sentences(stories: tuple[Story, ...], rng: random.Random, count: int) -> list[str]:
    story = rng.choice(stories).sentences
    start = rng.randrange(len(story))
    return [story[(start + k) % len(story)] for k in range(count)]


def _en_title(corpus: Corpus, rng: random.Random) -> str:
    words = rng.choice(rng.choice(corpus.english).sentences).split()
    title = " ".join(words[:rng.randint(6, 12)]).rstrip(",;:.")
    return title[0].upper() + title[1:]


def _zh_title(corpus: Corpus, rng: random.Random) -> str:
    sentence = rng.choice(rng.choice(corpus.chinese).sentences)
    return re.split(r"[，,：:；;。！？!?]", sentence)[0][:30] or sentence[:30]


def english_post(article_id: int, day: date, rng: random.Random, words: int = 600) -> str:
    corpus = load_corpus()
    title = _en_title(corpus, rng)
    dek = _run_of_sentences(corpus.english, rng, 1)[0]
    paras: list[str] = []
    count = 0
    while count < words:
        para = " ".join(_run_of_sentences(corpus.english, rng, rng.randint(2, 5)))
        count += len(para.split())
        paras.append(para)
    paras[0] = f"BEIJING, {day:%B} {day.day} (TMTPOST) —— " + paras[0]
    author = rng.choice(["HeatherZou", "WangLiu", "ZhangMing"])
    related = "".join(f'<li><img alt="{escape(t)}"><a href="/post/{article_id - k}">{escape(t)}</a></li>'
                      for k, t in enumerate(_en_title(corpus, rng) for _ in range(4)))
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} - TMTPost</title>
<link rel="canonical" href="https://en.tmtpost.com/post/{article_id}"></head>
<body><header><nav><a href="/">Home</a><a href="/news">News</a></nav></header>
<main><article><div class="byline"><img alt=""><span>{author}</span><a href="/author">{author}</a>
<span> ・ {MONTHS[day.month - 1]} {day.day}, {day.year}</span></div>
<h1>{escape(title)}</h1><h2 class="dek">{escape(dek)}</h2>
<figure><img src="https://images.tmtpost.com/{article_id}.jpg" alt="Image Source : China Visual">
<figcaption>Image Source : China Visual</figcaption></figure>{body}
<div class="like"><button>LIKE</button> <span>0</span></div>
<section><h3>Related Posts</h3><ul>{related}</ul></section>
<ul><li>Subscribe To Our News</li></ul></article></main>
<footer>© TMTPost</footer><script>var x = 1;</script></body></html>"""


def chinese_post(article_id: int, day: date, rng: random.Random, chars: int = 1200) -> str:
    corpus = load_corpus()
    title = _zh_title(corpus, rng)
    paras: list[str] = []
    count = 0
    while count < chars:
        para = "".join(_run_of_sentences(corpus.chinese, rng, rng.randint(2, 5)))
        count += len(para)
        paras.append(para)
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{escape(title)}-钛媒体官方网站</title></head><body>
<div class="header"><a href="/">钛媒体</a></div>
<h1>{escape(title)}</h1><div class="info"><span class="author">林晓</span>
<span class="_time newTime">· {day.isoformat()} {rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}</span></div>
<div class="post_content" id="paragraph">{body}<p>图片来源：视觉中国</p></div>
<div class="comments_mod_v1"><p>登录后才能评论</p></div></body></html>"""


# An archive of 50,000 at 50 a day spans 1,000 days, and ends in September 2025: in the past, as
# a real archive's does. (From 2025 it ran into 2027, and a page dated later than the day after
# tomorrow is not believed: scraper/dates.py, FUTURE_SLACK.)
FIRST_DAY = date(2023, 1, 1)
PER_DAY = 50


def generate(n: int, seed: int = 7, start_id: int = 8_000_000,
             first: date = FIRST_DAY) -> list[tuple[str, str, str]]:
    """[(kind, id, html)]: English and Chinese pages (about 15% Chinese), 50 articles a day
    from `first`."""
    rng = random.Random(seed)
    pages = []
    for i in range(n):
        day = first + timedelta(days=i // PER_DAY)
        article_id = start_id + i
        if rng.random() < CHINESE_SHARE:
            pages.append(("zh", str(article_id), chinese_post(article_id, day, rng)))
        else:
            pages.append(("en", str(article_id), english_post(article_id, day, rng)))
    return pages


def main() -> None:
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    try:
        pages = generate(n)
    except CorpusMissingError as exc:
        sys.exit(f"synth: {exc}")
    for kind, article_id, html in pages:
        (out / f"{kind}-{article_id}.html").write_text(html, encoding="utf-8")
    print(f"wrote {n} pages to {out}")


if __name__ == "__main__":
    main()
