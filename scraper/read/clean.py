"""Rules that strip page chrome from blocks, shared by every site adapter."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import replace

from scraper.mdtext import escape_block, squash
from scraper.models import Block

# "Image Source : China Visual", "Image Source: Xpeng", "Photo: Reuters", "图片来源：视觉中国"
CREDIT = re.compile(
    r"^\s*(?:(?:Image|Photo|Picture|Cover|Header|Top)\s*(?:image\s*)?"
    r"(?:Source|Credit|Courtesy|By)s?|Photo|Image|Source of (?:the )?image|"
    r"(?:题|头|封面)?[图圖]片?(?:来源|來源|源自|提供)|[图圖]源|[图圖]\s*[/／]|來源圖片)"
    r"\s*[:：/／]\s*(?P<owner>\S.{0,80})$",
    re.I)

# The link from an English translation to its Chinese original (TMTPost 2016–2017 and its
# mirrors): "(Chinese Version)", also in full-width or square brackets.
_BRACKETED_VERSION_LINK = r"[(（\[【]\s*Chinese\s+Version\s*[)）\]】]"
VERSION_LINK = rf"{_BRACKETED_VERSION_LINK}|Chinese\s+Version"
_VERSION_LINK_EDGE = re.compile(
    rf"^\s*{_BRACKETED_VERSION_LINK}\s*|\s*{_BRACKETED_VERSION_LINK}\s*$", re.I)

# Whole-block chrome seen on news sites (never a sentence inside a paragraph).
CHROME_LINE = re.compile(
    r"^(?:"
    f"{VERSION_LINK}|"
    r"(?:READ MORE|SEE ALSO|RELATED|Related(?: stories| articles| posts| reading)?|Read next|"
    r"Read more|Recommended(?: reading)?|You might also like|You may also like|More from \w+)"
    r"(?:\s*[:：].*)?"
    r"|\((?:Web editor|Editor|Reporting by|Writing by|Editing by|Additional reporting)[^)]*\)\.?"
    r"|Our Standards:.*"
    r"|(?:Join us|Follow us) on \w+.{0,60}|Sign up for (?:our|the) \w+.{0,60}"
    r"|•?\s*Subscribe to (?:our|the) \w+.{0,40}"
    r"|(?:Join now|Sign up|Subscribe|Learn more|Click here|Download the app|Read the full story)[.!]?"
    r"|Leave a (?:Reply|Comment)|\d+ Comments?|Share (?:on|this|via) ?\w*.{0,30}"
    r"|[（(]?(?:责任编辑|責任編輯|编辑|編輯|校对|校對|审核|審核)\s*[:：].{0,30}"
    r"|(?:相关阅读|相關閱讀|相关文章|相關文章|延伸阅读|延伸閱讀|推荐阅读|推薦閱讀|热门文章|熱門文章)"
    r"[:：]?.*"
    r"|(?:扫码|掃碼|扫描二维码|掃描二維碼|长按识别|長按識別)\S*.{0,40}"
    r"|(?:版权声明|版權聲明|免责声明|免責聲明)\s*[:：].*"
    r"|(?:订阅|訂閱)(?:电子报|電子報|我们|我們|本站).{0,30}"
    r"|登录后才能评论|登錄後才能評論|发表评论|發表評論|(?:\d+\s*)?条评论"
    r"|.{0,200}\b(?:Sign up here|Subscribe here|Sign up now|Subscribe now)\.?"
    r")$",
    re.I,
)
# The last alternative starts with a wildcard that the regex engine tries at every length up
# to 200, which costs more than all the others (several microseconds per paragraph). It
# matches 215 characters at most (and "$" a final newline), so longer lines are matched
# without it: the same answer, fast.
_SIGN_UP_LINE_MAX = 216
_CHROME_LINE_LONG = re.compile(
    CHROME_LINE.pattern.replace(
        r"|.{0,200}\b(?:Sign up here|Subscribe here|Sign up now|Subscribe now)\.?", "", 1),
    re.I)

# Sign-offs after which a page holds nothing but chrome.
TRAILER = re.compile(
    r"^(?:\((?:Web editor|Reporting by|Editing by|Writing by)[^)]*\)\.?|Our Standards:.*"
    r"|[（(]?(?:责任编辑|責任編輯)\s*[:：].{0,30}|(?:版权声明|版權聲明|免责声明|免責聲明)\s*[:：].*"
    r"|(?:扫码|掃碼)关注.{0,30}|(?:扫码|掃碼)關注.{0,30})$", re.I)
TRAILER_ZONE = 0.6  # a sign-off only ends the article in its last 40%

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(f"{CJK.pattern}+")
_ASCII_LETTERS = string.ascii_letters.encode("ascii")


def credit_of(text: str) -> str | None:
    """The credit line itself when `text` is an image credit, else None."""
    # Every credit has one of these separators, and squashing adds none: most paragraphs
    # are ruled out without squashing them.
    if ":" not in text and "：" not in text and "/" not in text and "／" not in text:
        return None
    text = squash(text)
    return text if text and CREDIT.match(text) else None


def split_credits(blocks: Iterable[Block]) -> tuple[list[Block], list[str]]:
    """Move image credits out of the body; non-credit captions stay as paragraphs."""
    kept: list[Block] = []
    credits: list[str] = []

    def add(credit: str) -> None:
        if credit not in credits:
            credits.append(credit)

    for block in blocks:
        if block.kind == "figure":
            for text in (block.text, block.alt):
                if credit := credit_of(text):
                    add(credit)
            if block.text and not credit_of(block.text):
                kept.append(replace(block, kind="paragraph", alt=""))
            continue
        if block.kind == "paragraph" and (credit := credit_of(block.text)):
            add(credit)
            continue
        kept.append(block)
    return kept, credits


def is_chrome(block: Block) -> bool:
    if block.kind not in ("paragraph", "heading"):
        return False
    pattern = CHROME_LINE if len(block.text) <= _SIGN_UP_LINE_MAX else _CHROME_LINE_LONG
    return bool(pattern.match(block.text))


def drop_chrome(blocks: Iterable[Block]) -> list[Block]:
    return [b for b in blocks if not is_chrome(b)]


def strip_version_links(blocks: Iterable[Block]) -> list[Block]:
    """Cut a "(Chinese Version)" link from the start or end of a paragraph that a copy ran
    together with it (the line alone is chrome: `drop_chrome`)."""
    out = []
    for block in blocks:
        if block.kind == "paragraph" and "ersion" in block.text and _VERSION_LINK_EDGE.search(block.text):
            text = _VERSION_LINK_EDGE.sub("", block.text)
            block = replace(block, text=text, markdown=escape_block(text))
        out.append(block)
    return out


def cut_trailer(blocks: Sequence[Block]) -> list[Block]:
    """Drop everything from a sign-off near the end ("(Reporting by ...)", "责任编辑：...")."""
    start = int(len(blocks) * TRAILER_ZONE)
    for i in range(start, len(blocks)):
        if blocks[i].kind == "paragraph" and TRAILER.match(blocks[i].text):
            return list(blocks[:i])
    return list(blocks)


def drop_repeated_title(blocks: Sequence[Block], title: str | None) -> list[Block]:
    """Drop the headline where it is printed again at the top of the body."""
    if not title:
        return list(blocks)
    key = squash(title).casefold()
    out = list(blocks)
    for i, block in enumerate(out[:3]):
        if squash(block.text).casefold() == key:
            return out[:i] + out[i + 1:]
    return out


def drop_adjacent_duplicates(blocks: Iterable[Block]) -> list[Block]:
    """A block printed twice in a row (avatar text plus link, alt plus caption) counts once."""
    out: list[Block] = []
    for block in blocks:
        if out and out[-1].text == block.text and out[-1].kind == block.kind:
            continue
        out.append(block)
    return out


_AUTHOR_PREFIX = re.compile(r"^(?:By|BY|by|记者|記者|作者|文|撰文|编辑|編輯)\s*[:：|/]?\s*")


def clean_author(name: str) -> str:
    """"By Jane Li" and "记者 刘晓雯" name the same people as "Jane Li" and "刘晓雯"."""
    return _AUTHOR_PREFIX.sub("", squash(name)).strip(" ,;|/")


def detect_language(text: str) -> str:
    """"zh" when Chinese characters make up a fair share of the letters, else "en"."""
    sample = text[:4000]
    # Counted in C: runs of Chinese characters (far fewer than characters), and ASCII
    # letters as the bytes that deleting them removes.
    cjk = sum(map(len, CJK_RUN.findall(sample)))
    ascii_text = sample.encode("ascii", "ignore")
    latin = len(ascii_text) - len(ascii_text.translate(None, _ASCII_LETTERS))
    return "zh" if cjk and cjk * 3 >= latin else "en"
