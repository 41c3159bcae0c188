"""Topic rules: matching semantics, weights, exclusions, rule-file errors, labelled-set quality."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from benchmarks import tag_eval
from benchmarks.tag_eval import evaluate
from scraper.errors import ConfigError
from scraper.fetch.discover import feed_links
from scraper.models import Article, Block, RawPage
from scraper.pipeline import ingest, open_archive
from scraper.tag import TopicRules, load_rules, parse_rules


def article(title: str, body: str = "", summary: str | None = None) -> Article:
    blocks = tuple(Block("paragraph", p) for p in body.split("\n\n") if p)
    return Article(source="t", url=None, site="generic", site_name="Web", language="en",
                   title=title, summary=summary, authors=(), published=None, blocks=blocks)


def one_topic(terms: list, threshold: float = 1, exclude: list | None = None) -> TopicRules:
    return parse_rules({"topics": [{"id": "t", "label": "T", "threshold": threshold,
                                    "terms": terms, "exclude": exclude or []}]}, "test.yml")


@pytest.mark.parametrize(("term", "text", "hits"), [
    ("EV", "every evolving event", 0),
    ("EV", "an EV maker", 1),
    ("EV", "ev sales", 0),  # acronyms are case-sensitive
    ("NIO", "the union said", 0),
    ("NIO", "NIO shares; Nio", 1),
    ("AI", "Dubai and Taipei said", 0),
    ("tesla", "TESLA and Tesla", 2),  # a lower-case term ignores case
    ("hacker*", "hackers hacker hacked", 2),
    ("new energy vehicle*", "new-energy vehicles and new  energy vehicle", 2),
    ("电动车", "新能源电动车与电动车", 2),
    ("chip", "chipmaker", 0),
])
def test_terms_match_whole_words_with_acronyms_case_sensitive(term: str, text: str, hits: int) -> None:
    rules = one_topic([term])
    tagged = rules.tag(article("x", text))
    found = {e.term: e.count for e in tagged.evidence.get("t", ())}
    assert found.get(term.rstrip("*"), 0) == hits


# Corners of the matcher (short wildcards, a word that starts both a term and a longer
# phrase, gaps between words, Unicode letters that fold to ASCII, overlapping Chinese terms),
# pinned to what the matcher counted before it was rewritten for speed.
@pytest.mark.parametrize(("terms", "text", "found"), [
    (["e*"], "EVs, e-bikes and electric cars", {"e": 3}),
    (["ev", "ev charging"], "an ev charging site, an ev", {"ev": 1, "ev charging": 1}),
    (["EV battery swap*"], "EV battery swapping; ev battery swaps; EV  battery\nswap",
     {"EV battery swap": 2}),
    (["data leak", "data"], "data, data leak, data-leak, data's leak, data. leak",
     {"data": 3, "data leak": 2}),
    (["x-ray*"], "x ray, X-rays, x'rays, x--ray, x.ray", {"x-ray": 4}),
    (["ai"], "AI \u0130stanbul ai \u212a \u017f", {"ai": 2}),
    (["中中", "中"], "中中中 A中中", {"中中": 2, "中": 1}),
    (["A股", "股"], "A股与港股, a股", {"股": 2, "A股": 1}),
])
def test_matcher_corner_cases(terms: list, text: str, found: dict) -> None:
    tagged = one_topic(terms).tag(article("", text))
    assert {e.term: e.count for e in tagged.evidence.get("t", ())} == found


def test_title_and_summary_weigh_more_than_the_body() -> None:
    rules = parse_rules({"title_weight": 3, "topics": [
        {"id": "t", "label": "T", "threshold": 3, "terms": ["battery"]}]}, "x.yml")
    assert rules.tag(article("New battery", "unrelated")).tags == ("t",)
    assert rules.tag(article("Unrelated", "a battery")).tags == ()
    assert rules.tag(article("Unrelated", "x", summary="battery news")).tags == ("t",)


def test_exclusions_hide_the_terms_inside_them() -> None:
    rules = one_topic(["leak*"], threshold=1, exclude=["gas leak*"])
    assert rules.tag(article("Gas leak in Shenzhen", "The gas leaked for hours.")).tags == ()
    assert rules.tag(article("Data leak", "")).tags == ("t",)


def test_weights_add_up_to_the_threshold() -> None:
    rules = one_topic([{"privacy": 2}, "consent"], threshold=6)
    assert rules.tag(article("x", "privacy privacy consent")).tags == ()  # 5
    assert rules.tag(article("x", "privacy privacy consent consent")).tags == ("t",)  # 6


def test_evidence_counts_each_term_most_frequent_first() -> None:
    rules = one_topic(["NIO", "new energy car*"], threshold=1)
    tagged = rules.tag(article("NIO", "NIO and NIO, a new energy car maker"))
    assert [(e.term, e.count) for e in tagged.evidence["t"]] == [("NIO", 3), ("new energy car", 1)]


@pytest.mark.parametrize(("data", "message"), [
    ({"topics": [{"id": "evs", "label": "EVs", "terms": "EV"}]}, "topic 'evs': key 'terms'"),
    ({"topics": [{"id": "evs", "label": "EVs", "terms": ["EV"], "threshold": -1}]},
     "topic 'evs': key 'threshold'"),
    ({"topics": [{"id": "Bad Id", "label": "x", "terms": ["x"]}]}, "key 'id'"),
    ({"topics": [{"id": "evs", "terms": ["x"]}]}, "topic 'evs': key 'label'"),
    ({"topics": [{"id": "evs", "label": "E", "terms": [{"EV": "heavy"}]}]}, "weight 'heavy'"),
    ({"topics": [{"id": "evs", "label": "E", "terms": ["x"], "treshold": 3}]}, "unknown key(s) treshold"),
    ({"topics": [{"id": "a", "label": "A", "terms": ["x"]}, {"id": "a", "label": "B", "terms": ["y"]}]},
     "used by two topics"),
    ({"topic": []}, "top level"),
])
def test_a_rule_file_with_a_mistake_names_file_topic_and_key(tmp_path: Path, data: dict,
                                                            message: str) -> None:
    path = tmp_path / "topics.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "topics.yml"
    path.write_text("topics: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(path)


def test_default_rules_have_the_five_topics(rules: TopicRules) -> None:
    assert [t.id for t in rules.topics] == ["data-security", "evs", "ai", "chips", "trade"]


def test_labelled_set_scores_well_on_every_topic(rules: TopicRules) -> None:
    # holdout.yml is measured by benchmarks/tag_eval.py, never tuned against here
    path = Path(__file__).parent / "fixtures" / "topics" / "labelled.yml"
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    scores, mistakes = evaluate(items, rules)
    low = {t: round(s["f1"], 3) for t, s in scores.items() if s["f1"] < 0.9}
    assert not low, f"F1 below 0.9: {low}; mistakes: {mistakes}"


def test_a_long_article_needs_more_body_evidence_unless_its_title_names_the_topic() -> None:
    rules = parse_rules({"title_weight": 3, "long_article_words": 400, "topics": [
        {"id": "evs", "label": "EVs", "threshold": 6, "terms": [{"electric car*": 3}]}]}, "x.yml")
    filler = " ".join(["The delivery platform expanded its grocery business."] * 200)  # ~1,400 words
    mentions = "It also invests in electric cars. Electric cars, it said."
    assert rules.tag(article("Grocery growth", f"{mentions}\n\n{filler}")).tags == ()
    assert rules.tag(article("Grocery growth", mentions)).tags == ("evs",)
    assert rules.tag(article("Electric cars and groceries", f"{mentions}\n\n{filler}")).tags == ("evs",)
    off = parse_rules({"long_article_words": 0, "topics": [
        {"id": "evs", "label": "EVs", "threshold": 6, "terms": [{"electric car*": 3}]}]}, "x.yml")
    assert off.tag(article("Grocery growth", f"{mentions}\n\n{filler}")).tags == ("evs",)


# --- sentence contexts, against-terms and sections --------------------------------------


def context_rules(term: dict, against: list | None = None, **top: object) -> TopicRules:
    return parse_rules({**top, "contexts": {"data": ["data", "customer*", "資料"],
                                            "not-data": ["exam*", "script*", "氣體"]},
                        "topics": [{"id": "t", "label": "T", "threshold": 2, "terms": [term],
                                    "against": against or []}]}, "x.yml")


def test_a_term_near_a_context_counts_only_in_a_sentence_with_its_words() -> None:
    rules = context_rules({"leak*": {"weight": 2, "near": "data"}})
    assert rules.tag(article("x", "The leak exposed customer records.")).tags == ("t",)
    assert rules.tag(article("x", "The roof leaked. Customers were annoyed.")).tags == ()
    assert rules.tag(article("x", "公司資料外洩", summary=None)).tags == ()  # 外洩 is no term here


def test_a_term_never_counts_in_a_sentence_with_a_word_of_its_not_near_context() -> None:
    rules = context_rules({"leak*": {"weight": 2, "near": "data", "not_near": "not-data"}})
    assert rules.tag(article("x", "The exam leak put student data online.")).tags == ()
    assert rules.tag(article("x", "A leak put student data online. The exam was rerun.")).tags == ("t",)
    cjk = context_rules({"外洩": {"weight": 2, "near": "data", "not_near": "not-data"}})
    assert cjk.tag(article("x", "客戶資料外洩。")).tags == ("t",)
    assert cjk.tag(article("x", "工廠氣體外洩,資料顯示三人受傷。")).tags == ()


def test_against_terms_subtract_and_are_not_shown_as_evidence() -> None:
    rules = context_rules({"electric car*": 3}, against=[{"lithium price*": 3}], title_weight=1)
    pro = rules.weigh(article("x", "Electric cars sold well."))[0]
    con = rules.weigh(article("x", "Lithium prices fell as electric cars sold well."))[0]
    assert (pro.score, con.score) == (3, 0) and con.needed == 2 and not con.tagged
    tagged = rules.tag(article("x", "Electric cars sold well. Lithium prices fell. Electric cars!"))
    assert [e.term for e in tagged.evidence["t"]] == ["electric car"]


def test_the_lede_weighs_between_title_and_body_and_names_the_topic() -> None:
    rules = parse_rules({"title_weight": 3, "lede_weight": 2, "lede_words": 5, "body_only_factor": 2,
                         "topics": [{"id": "t", "label": "T", "threshold": 6, "terms": [{"ev": 3}]}]},
                        "x.yml")
    weigh = rules.weigh
    assert weigh(article("An EV", "x y z"))[0].score == 9
    lede = weigh(article("x", "An EV maker grew fast.\n\nMore words follow here."))[0]
    assert (lede.score, lede.needed, lede.tagged) == (6, 6, True)
    body = weigh(article("x", "Short words in the lede.\n\nAn EV and an EV."))[0]
    assert (body.score, body.needed, body.tagged) == (6, 12, False)  # body only: twice the threshold


def test_the_lede_is_the_first_real_paragraph_not_a_dateline_nor_the_second() -> None:
    rules = parse_rules({"title_weight": 3, "lede_weight": 2, "lede_words": 50,
                         "topics": [{"id": "t", "label": "T", "threshold": 6, "terms": [{"ev": 3}]}]},
                        "x.yml")
    first = "The company said on Monday that its sales rose again in the third quarter of the year."
    dateline = rules.weigh(article("x", f"BEIJING, May 3\n\nAn EV maker: {first}"))[0]
    second = rules.weigh(article("x", f"{first}\n\nAn EV maker."))[0]
    assert (dateline.score, second.score) == (6, 3)


def test_a_curly_apostrophe_joins_the_words_of_a_phrase() -> None:
    tagged = one_topic(["customers' data"]).tag(article("x", "the customers\u2019 data"))
    assert tagged.tags == ("t",)


@pytest.mark.parametrize(("spec", "message"), [
    ({"leak": {"weight": 1, "near": "nowhere"}}, "names no context defined under 'contexts': nowhere"),
    ({"leak": {"weight": 1, "close": "data"}}, "term 'leak': use a weight, or keys"),
    ({"leak": {"weight": 0}}, "weight 0"),
])
def test_a_bad_term_spec_names_the_term_and_the_key(spec: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        parse_rules({"contexts": {"data": ["data"]},
                     "topics": [{"id": "t", "label": "T", "terms": [spec]}]}, "x.yml")


# --- the default rules on the kinds of story that fool a keyword tagger ---------------------
# Short texts written for these tests; each stands for a kind of error seen on real sets.

KINDS = [
    ("film script leak", "Studio hunts source of leaked script",
     "The script of the sequel leaked online weeks before filming. The studio said the leak "
     "of the script hurt the production and it would sue whoever leaked the pages.", []),
    ("game trailer leak", "Trailer for the new game leaks early",
     "A trailer leaked on Friday. The publisher said the leaked trailer footage was old.", []),
    ("gas leak, Chinese", "化工厂气体泄漏 居民撤离",
     "周二凌晨,一家化工厂发生气体泄漏,大量白烟涌出。消防部门称泄漏已经控制,居民已撤离。", []),
    ("data-centre plan", "东数西算工程全面启动",
     "国家发展改革委等部门联合印发通知,同意在八地启动建设国家算力枢纽节点,规划了10个国家数据中心集群。"
     "东数西算工程将引导数据中心向西部集聚,提升算力。", []),
    ("lithium prices", "Lithium prices slump to two-year low",
     "Lithium prices fell again this week as miners cut output. Slower electric vehicle demand "
     "and high inventories weighed on lithium producers, analysts said. Lithium mining shares "
     "dropped.", []),
    ("power cuts", "Heat wave forces power cuts across Sichuan",
     "A heat wave has forced power cuts across the province. Factories, including battery "
     "plants that supply electric car makers, were told to halt work for a week. Power "
     "rationing will continue while the heat wave lasts.", []),
    ("carmaker's phone launch", "Xiaomi launches its new flagship smartphone",
     "Xiaomi unveiled its latest smartphone on Thursday with a larger battery and faster "
     "charging. The phone goes on sale next week. The company, which also makes the SU7 "
     "electric car, said phone sales rose.", []),
    ("ransomware without the word", "Hospital turns away patients after attack",
     "Hackers encrypted the hospital's files and demanded a ransom in bitcoin. Patient records "
     "could not be opened. The hospital called the police and said attackers had locked its "
     "systems; a decryption key was offered for payment.", ["data-security"]),
    ("ransomware in Chinese", "医院系统瘫痪 文件被加密",
     "一家医院的电脑文件被加密,黑客要求以比特币支付赎金。医院已经报警,病人被转往其他医院。",
     ["data-security"]),
    ("car camera ban", "Military bars Tesla cars over camera concerns",
     "The military has barred Tesla electric vehicles from its compounds, citing worries that "
     "cameras in the cars could be collecting data from sensitive sites.", ["data-security", "evs"]),
    ("chipmaker security review", "網信辦對美光產品開展網絡安全審查",
     "網絡安全審查辦公室宣布對美光公司在華銷售的產品進行網絡安全審查,以防範產品問題危害關鍵信息基礎設施安全。",
     ["chips", "data-security"]),
    ("connected-car software ban", "US proposes ban on Chinese software in connected vehicles",
     "The Commerce Department proposed a rule that would prohibit the import and sale of connected "
     "vehicles with Chinese software, citing the risk that data on drivers could be sent abroad. "
     "The ban would cover electric cars and would start with model year 2027.",
     ["data-security", "evs", "trade"]),
    ("EV tariffs", "EU sets tariffs on Chinese electric cars",
     "The European Commission imposed tariffs of up to 35% on electric vehicles made in China "
     "after an anti-subsidy investigation. Beijing said it would respond.", ["evs", "trade"]),
    ("autonomous-driving chip IPO", "Self-driving chip maker Horizon Robotics prices Hong Kong IPO",
     "Horizon Robotics, which designs chips for autonomous driving, raised $700 million in its "
     "listing. Carmakers use its processors in driver assistance systems.", ["chips", "evs"]),
    ("outage that was no attack", "Cloud outage takes sites offline; no sign of a cyberattack",
     "A cloud outage knocked websites offline on Monday.\n\nThe provider said a configuration error "
     "caused it and there was no sign of a cyberattack. Service came back after three hours.", []),
    ("AI-model launch with a robotaxi line", "Search giant releases a new large language model",
     "The company released the latest version of its large language model on Tuesday, saying it "
     "beats rival chatbots on reasoning tests.\n\nIt also said its robotaxi service had given more "
     "rides, and that cloud revenue grew.", ["ai"]),
    ("ransomware in traditional Chinese", "醫院遭駭 檔案被加密 歹徒索取贖金",
     "一家醫院的電腦系統遭到駭客入侵,檔案被加密,歹徒要求以比特幣支付贖金。\n\n醫院已經報警,部分病人轉往其他醫院。",
     ["data-security"]),
    ("compute-network plan", "加快全国一体化算力网建设",
     "有关部门印发意见,提出加快建设全国一体化算力网,推进东数西算工程。\n\n文件提出,数据中心集群的算力规模将继续扩大,"
     "人工智能算力需求快速增长。", []),
    ("insider selling customer data", "快递员倒卖客户信息被判刑",
     "一名快递员将客户的姓名、电话和地址等个人信息出售给他人,获利数万元。\n\n法院以侵犯公民个人信息罪判处其有期徒刑。",
     ["data-security"]),
    ("phishing in traditional Chinese", "網路釣魚簡訊冒充銀行",
     "近期出現大量冒充銀行的網路釣魚簡訊,誘騙民眾點擊連結並輸入帳號密碼。\n\n警方提醒民眾不要點擊不明連結。",
     ["data-security"]),
    ("a carmaker's electronics arm", "比亚迪电子上半年营收增长",
     "比亚迪电子公布上半年业绩,营收同比增长,主要受手机零部件和组装业务带动。\n\n公司表示,大客户订单增加。",
     []),
    ("EV surtax in Chinese", "加拿大对中国电动车征收附加税",
     "加拿大政府宣布,对从中国进口的电动汽车征收100%的附加税,10月1日起生效。\n\n中方表示将采取必要措施。",
     ["evs", "trade"]),
    ("supplier leaks EV design photos", "Supplier leaked photos of the new electric SUV",
     "Photos of the carmaker's unreleased electric SUV leaked from a parts supplier, showing the "
     "design of the new EV. The carmaker said the leaked design images were genuine.", ["evs"]),
]


@pytest.mark.parametrize(("kind", "title", "body", "topics"), KINDS, ids=[k[0] for k in KINDS])
def test_default_rules_on_kinds_that_fool_a_keyword_tagger(rules: TopicRules, kind: str, title: str,
                                                            body: str, topics: list[str]) -> None:
    tagged = rules.tag(article(title, body))
    assert sorted(tagged.tags) == sorted(topics), [s for s in rules.weigh(article(title, body))]


# --- ingest: what a feed fills in is tagged ----------------------------------------------

UNTITLED = ("The company said on Monday that it was looking into the matter with the help of "
            "outside experts and would tell people who were affected. " * 3).strip()


def test_a_title_filled_in_from_the_feed_is_weighed_as_a_title(tmp_path: Path, rules: TopicRules) -> None:
    # The page has no title of its own (its first line is too long to be one): only the
    # feed's title says what the story is about.
    def read() -> RawPage:
        return RawPage("feed-item", f"{UNTITLED}\n{UNTITLED}".encode(), url="https://example.org/a/1",
                       is_text_dump=True)

    def from_feed(article: Article) -> Article:
        assert article.title == ""
        return replace(article, title="Hackers leak customer data in ransomware attack")

    status, path = ingest(read, tmp_path, rules, open_archive(tmp_path), from_feed)
    assert status == "new"
    front = yaml.safe_load(Path(path).read_text(encoding="utf-8").split("---")[1])
    assert front["topics"] == ["data-security"]


def test_a_feed_items_short_description_becomes_its_summary_as_plain_text() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
    <item><title>A</title><link>https://example.org/a</link>
      <description>&lt;p&gt;Hackers &lt;b&gt;stole&lt;/b&gt; data.&lt;/p&gt;</description></item>
    <item><title>B</title><link>https://example.org/b</link>
      <description>""" + b"word " * 200 + b"""</description></item>
    </channel></rss>"""
    links = feed_links(feed, "https://example.org/feed").links
    assert [link.summary for link in links] == ["Hackers stole data.", None]  # too long for one


# --- the real dev corpus ----------------------------------------------------------------------


def write_corpus(folder: Path, stories: dict[str, tuple[str, str, str]]) -> None:
    (folder / "texts").mkdir(parents=True)
    rows = []
    for number, (labels, title, body) in stories.items():
        (folder / "texts" / f"{number}.txt").write_text(
            f"URL: https://example.org/{number}\n\n{title}\n\n{body}\n", encoding="utf-8")
        rows.append(f"texts/{number}.txt\t{labels}\t{title}\tnote {number}")
    (folder / "labels.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_corpus_scores_name_the_wrong_stories_with_expected_got_and_evidence(tmp_path: Path,
                                                                            rules: TopicRules) -> None:
    body = ("Electric vehicle sales rose. The electric vehicle maker said deliveries doubled.\n\n"
            + "It plans to open more stores in the coming year, and hire more staff. " * 3)
    write_corpus(tmp_path, {"001": ("evs", "[title from URL] ev maker sales rise", body),
                            "002": ("none", "[no title]", body),
                            "003": ("evs,ai", "Tariffs on electric cars", body)})
    stories = tag_eval.corpus_stories(tmp_path)
    assert [s.page.content.decode().split("\n")[0] for s in stories] == [
        "ev maker sales rise", "[no title]", "Tariffs on electric cars"]
    scores = tag_eval.score(stories, rules)
    assert scores.row("evs")["fp"] == 1 and scores.row("ai")["fn"] == 1 and scores.row("trade")["fp"] == 1
    (extra,) = scores.mistakes["evs"]
    assert extra.story.id == "002" and "electric vehicle×2" in extra.evidence
    assert [[s.id for s in f] for f in tag_eval.folds(stories, 2)] == [["001", "002"], ["003"]]


CORPUS = tag_eval.CORPUS
DEV_TARGETS = {"data-security": 0.95, "evs": 0.95, "ai": 0.90, "chips": 0.90, "trade": 0.90}


def test_the_dev_corpus_reaches_the_f1_targets(rules: TopicRules) -> None:
    if not (CORPUS / "labels.tsv").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{CORPUS}: the tagging dev corpus is missing")
        pytest.skip(f"{CORPUS} is not here")
    table = tag_eval.score(tag_eval.corpus_stories(CORPUS), rules).table()
    low = {t: round(table[t]["f1"], 3) for t, target in DEV_TARGETS.items() if table[t]["f1"] < target}
    assert not low, f"F1 below target on {CORPUS}: {low}"


def test_an_alias_bomb_in_the_topic_rules_gives_a_short_message(tmp_path: Path) -> None:
    levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for prev, name in zip("abcde", "bcdef", strict=True):
        levels.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    rules = tmp_path / "topics.yml"
    rules.write_text("\n".join(levels) + "\ntopics:\n  - id: evs\n    label: EVs\n"
                     "    threshold: *f\n    terms: {EV: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="key 'threshold'") as err:
        load_rules(rules)
    assert len(str(err.value)) < 400
