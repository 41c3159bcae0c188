"""Rules of the generic extractor that decide which blocks of a page are the article.

Each page here is written for the test: a short article plus the one thing the rule is about.
"""

from __future__ import annotations

import lxml.html
import pytest

from scraper.consensus import Opinion, keep_agreed
from scraper.errors import ScraperError
from scraper.models import Block, RawPage
from scraper.read import clean
from scraper.read.parse import walk_blocks
from scraper.sites.dispatch import extract_article
from scraper.write.render import body_markdown, body_text

PARAGRAPHS = [
    "The city council approved a plan on Tuesday to add three hundred charging points for "
    "electric buses at its depots over the next two years, officials said.",
    "The depots now charge buses overnight from a handful of slow chargers, which limits how "
    "many electric buses can run on the longest routes during the day.",
    "Council members said the new chargers would be paid for from the transport budget and "
    "a national grant for cleaner public transport awarded earlier this year.",
    "Bus drivers' representatives welcomed the plan but asked that the depots also get more "
    "space for maintenance, since the electric fleet is expected to double by next spring.",
]


def page(extra: str = "", before: str = "") -> RawPage:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = (f"<html><head><title>Council backs bus chargers</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>Council backs bus chargers</h1>{before}{body}{extra}</article>"
            f"<footer><p>Copyright 2024 City Paper</p></footer></body></html>")
    return RawPage("test", html.encode(), url="https://paper.example/news/council-bus-chargers")


def text_of(raw: RawPage) -> str:
    article = extract_article(raw)
    assert article.site == "generic"
    return body_text(article)


# --- image captions ---

CAPTION = "An electric bus waits at a charging point in the north depot on Monday."


@pytest.mark.parametrize("figure", [
    f"<div class='wp-caption'><img src='/bus.jpg' alt='A bus'><p class='wp-caption-text'>{CAPTION}</p></div>",
    f"<div class='photo'><img src='/bus.jpg' alt='A bus'><p class='caption'>{CAPTION}</p></div>",
    f"<figure><img src='/bus.jpg' alt='A bus'><figcaption>{CAPTION}</figcaption></figure>",
], ids=["wordpress", "photo-div", "figure"])
def test_an_image_caption_is_not_body_text(figure: str) -> None:
    # without its picture a caption reads as a stray sentence in the story
    text = text_of(page(before=figure))
    assert CAPTION not in text
    assert text.startswith("The city council approved a plan")


# --- tables ---

RESULTS = ("<table><tr><th>Pos.</th><th>Team</th><th>Won</th><th>Lost</th></tr>"
           "<tr><td>1</td><td>Harbour FC</td><td>7</td><td>7</td></tr>"
           "<tr><td>2</td><td>Hill Rovers</td><td>5</td><td>0</td></tr></table>")


def test_a_table_row_is_one_paragraph_with_every_cell() -> None:
    blocks = walk_blocks(lxml.html.fromstring(f"<div>{RESULTS}</div>"))
    assert [b.text for b in blocks] == [
        "Pos. | Team | Won | Lost", "1 | Harbour FC | 7 | 7", "2 | Hill Rovers | 5 | 0"]
    assert blocks[1].md == "1 \\| Harbour FC \\| 7 \\| 7"


def test_equal_neighbouring_cells_are_both_kept_on_a_generic_page() -> None:
    assert "1 | Harbour FC | 7 | 7" in text_of(page(extra=RESULTS))


def test_a_layout_table_still_gives_its_paragraphs() -> None:
    layout = ("<table><tr><td><p>First paragraph in a cell.</p><p>Second paragraph.</p></td>"
              "<td><p>Side column.</p></td></tr></table>")
    blocks = walk_blocks(lxml.html.fromstring(f"<div>{layout}</div>"))
    assert [b.text for b in blocks] == ["First paragraph in a cell.", "Second paragraph.", "Side column."]


def test_a_cell_keeps_its_links_in_markdown() -> None:
    row = "<table><tr><td><a href='https://team.example/'>Harbour FC</a></td><td>7</td></tr></table>"
    [block] = walk_blocks(lxml.html.fromstring(f"<div>{row}</div>"))
    assert block.md == "[Harbour FC](https://team.example/) \\| 7"


# --- second opinions ---

def test_a_block_no_second_opinion_found_is_dropped() -> None:
    blocks = [Block("paragraph", t) for t in (
        "The council approved the plan on Tuesday after a long debate.",
        "Sign up for the morning briefing and never miss a story again.",
        "Work starts next month.")]
    opinions = [Opinion("The council approved the plan on Tuesday after a long debate. "
                        "Work starts next month."), Opinion("")]
    assert [b.text for b in keep_agreed(blocks, opinions)] == [blocks[0].text, blocks[2].text]


def test_one_opinion_is_enough_to_keep_a_block() -> None:
    blocks = [Block("paragraph", "Buses will charge at the depots during the day as well.")]
    opinions = [Opinion("something else entirely, about the weather this weekend"),
                Opinion("buses will charge at the depots during the day as well")]
    assert keep_agreed(blocks, opinions) == blocks


def test_a_block_with_a_few_changed_words_still_counts_as_found() -> None:
    # precision mode drops the text of some links inside sentences ("reportedthat")
    said = "The agency reported that the mood in the capital was gloomy, citing two officials."
    mangled = "The agency reportedthat the mood in the capital was gloomy, citing two officials."
    assert Opinion(mangled).contains(said)


def test_a_short_line_counts_as_found_only_as_whole_words() -> None:
    opinion = Opinion("Results by team. Harbour FC won seven.")
    assert opinion.contains("Harbour FC")
    assert not opinion.contains("Harb")


def test_without_any_opinion_every_block_is_kept() -> None:
    blocks = [Block("paragraph", "Anything at all.")]
    assert keep_agreed(blocks, [Opinion(""), Opinion("   ")]) == blocks


def test_opinions_about_another_part_of_the_page_do_not_empty_the_article() -> None:
    blocks = [Block("paragraph", p) for p in PARAGRAPHS]
    elsewhere = Opinion("Comments: I take the bus every day and the chargers are long overdue. Agreed!")
    assert keep_agreed(blocks, [elsewhere]) == blocks


# --- the link to the Chinese original ---

@pytest.mark.parametrize("line", [
    "(Chinese Version)", "（Chinese Version）", "[Chinese Version]", "【Chinese Version】",
    "( Chinese version )", "Chinese Version"])
def test_a_chinese_version_line_is_chrome(line: str) -> None:
    assert clean.is_chrome(Block("paragraph", line))


@pytest.mark.parametrize(("text", "left"), [
    ("(Chinese Version) Editor’s Note: It was translated.", "Editor’s Note: It was translated."),
    ("Both plan to expand next year. [Chinese Version]", "Both plan to expand next year."),
    ("Read the Chinese version of the report here.", "Read the Chinese version of the report here."),
    ("The (Chinese Version) label sits mid-sentence.", "The (Chinese Version) label sits mid-sentence."),
])
def test_a_chinese_version_link_run_into_a_paragraph_is_cut(text: str, left: str) -> None:
    original = Block("paragraph", text, f"[{text}](https://www.tmtpost.com/2500001.html)")
    [block] = clean.strip_version_links([original])
    assert block.text == left
    if left == text:
        assert block is original
    else:
        assert "Chinese Version" not in block.md


def test_a_chinese_version_link_goes_from_a_generic_page() -> None:
    link = "<p><a href='https://www.tmtpost.com/2500001.html'>(Chinese Version)</a></p>"
    raw = page(before=link + "<p>(Chinese Version) Editor’s Note: originally written in Chinese.</p>")
    text = text_of(raw)
    assert "Chinese Version" not in text
    assert "Editor’s Note: originally written in Chinese." in text
    assert "Chinese Version" not in body_markdown(extract_article(raw))


def test_control_characters_leave_the_second_opinion_out_not_the_page() -> None:
    # readability returns them in its summary, which lxml refuses to parse again
    raw = page(before="<p>\x0bA line with a vertical tab in it, as some old CMSs write.</p>")
    assert "A line with a vertical tab in it" in text_of(raw)
    with pytest.raises(ScraperError):
        extract_article(RawPage("fuzz", b"\x0b!"))
