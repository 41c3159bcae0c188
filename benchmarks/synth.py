"""Synthetic articles in the TMTPost shapes (English post pages, Chinese current layout).

All text is generated here from a small vocabulary: no third-party article text.

    python -m benchmarks.synth N OUT_DIR      # write N pages (half English, half Chinese)
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from html import escape
from pathlib import Path

EN_SUBJECTS = ["NIO", "BYD", "XPeng", "Huawei", "Tencent", "Alibaba", "SMIC", "Baidu",
               "Xiaomi", "CATL", "Meituan", "ByteDance", "Li Auto", "JD.com", "Zeekr"]
EN_VERBS = ["reported", "announced", "expanded", "cut", "raised", "launched", "delayed",
            "confirmed", "denied", "unveiled", "tested", "priced"]
EN_OBJECTS = ["quarterly revenue", "a new electric SUV", "its cloud business", "chip orders",
              "a data breach investigation", "battery prices", "an AI model", "export plans",
              "delivery targets", "a charging network", "its overseas sales", "prices on two models"]
EN_TAILS = ["analysts said on Tuesday", "according to a company statement",
            "in a filing with the Hong Kong exchange", "amid slowing demand at home",
            "as competition intensified", "people familiar with the matter said",
            "ahead of an industry fair in Shanghai", "after regulators raised questions"]
ZH_SUBJECTS = ["蔚来", "比亚迪", "小鹏", "华为", "腾讯", "阿里巴巴", "中芯国际", "百度", "小米", "宁德时代"]
ZH_VERBS = ["宣布", "发布", "下调", "上调", "扩大", "推迟", "确认", "推出"]
ZH_OBJECTS = ["季度营收", "新款电动车", "云计算业务", "芯片订单", "数据安全整改", "电池价格", "大模型",
              "出口计划", "交付目标", "充电网络"]
ZH_TAILS = ["分析人士周二表示", "公司在公告中称", "市场竞争进一步加剧", "知情人士透露",
            "监管部门对此高度关注"]
MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]


def _en_sentence(rng: random.Random) -> str:
    return (f"{rng.choice(EN_SUBJECTS)} {rng.choice(EN_VERBS)} {rng.choice(EN_OBJECTS)}, "
            f"{rng.choice(EN_TAILS)}.")


def _zh_sentence(rng: random.Random) -> str:
    subject, verb, obj = rng.choice(ZH_SUBJECTS), rng.choice(ZH_VERBS), rng.choice(ZH_OBJECTS)
    return f"{subject}{verb}{obj}，{rng.choice(ZH_TAILS)}。"


def english_post(article_id: int, day: date, rng: random.Random, words: int = 600) -> str:
    title = f"{rng.choice(EN_SUBJECTS)} {rng.choice(EN_VERBS).capitalize()} {rng.choice(EN_OBJECTS).title()}"
    dek = _en_sentence(rng)
    paras, count = [], 0
    while count < words:
        para = " ".join(_en_sentence(rng) for _ in range(rng.randint(3, 6)))
        count += len(para.split())
        paras.append(para)
    paras[0] = f"BEIJING, {day:%B} {day.day} (TMTPOST) —— " + paras[0]
    author = rng.choice(["HeatherZou", "WangLiu", "ZhangMing"])
    related = "".join(f'<li><img alt="{escape(t)}"><a href="/post/{article_id - k}">{escape(t)}</a></li>'
                      for k, t in enumerate(_en_sentence(rng) for _ in range(4)))
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
    title = f"{rng.choice(ZH_SUBJECTS)}{rng.choice(ZH_VERBS)}{rng.choice(ZH_OBJECTS)}"
    paras, count = [], 0
    while count < chars:
        para = "".join(_zh_sentence(rng) for _ in range(rng.randint(3, 6)))
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


def generate(n: int, seed: int = 7, start_id: int = 8_000_000) -> list[tuple[str, str, str]]:
    """[(kind, id, html)]: alternating English and Chinese pages, one day per 50 articles."""
    rng = random.Random(seed)
    first = date(2025, 1, 1)
    pages = []
    for i in range(n):
        day = first + timedelta(days=i // 50)
        article_id = start_id + i
        if i % 2 == 0:
            pages.append(("en", str(article_id), english_post(article_id, day, rng)))
        else:
            pages.append(("zh", str(article_id), chinese_post(article_id, day, rng)))
    return pages


def main() -> None:
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for kind, article_id, html in generate(n):
        (out / f"{kind}-{article_id}.html").write_text(html, encoding="utf-8")
    print(f"wrote {n} pages to {out}")


if __name__ == "__main__":
    main()
