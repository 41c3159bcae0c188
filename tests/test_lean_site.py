"""The built site ships only what pages fetch, and its 404 page works under any path."""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

from scraper.mkdocs.lean import drop_unused_theme_files, relative_404, root_depth, root_path

PAGE_404 = """<!doctype html><html><head>
<script>document.write('<base href="'+location.pathname.split('/').slice(0,2).join('/')+'/">')</script>
<link rel="stylesheet" href="/digest/assets/stylesheets/main.css">
<script id="__config" type="application/json">{"base": "/digest/", "features": []}</script>
</head><body><a href="/digest/digest/">Digests</a><a href="https://example.org/x">x</a>
<script src="/digest/assets/javascripts/bundle.js"></script></body></html>"""


def test_the_404_page_gets_urls_relative_to_its_computed_base() -> None:
    page = relative_404(PAGE_404, "https://china-tech-digest.github.io/digest/")
    assert 'href="/digest/' not in page and 'src="/digest/' not in page
    assert 'href="assets/stylesheets/main.css"' in page
    assert 'href="digest/"' in page and 'href="https://example.org/x"' in page
    assert '"base": "."' in page
    assert root_depth("https://china-tech-digest.github.io/digest/") == 1 and root_depth(None) == 0


def test_a_404_page_without_the_base_script_keeps_its_absolute_urls() -> None:
    page = PAGE_404.replace("document.write", "console.log")
    assert relative_404(page, "https://example.org/digest/") == page


def test_a_second_pass_over_the_404_page_changes_nothing() -> None:
    once = relative_404(PAGE_404, "https://example.org/digest/")
    assert relative_404(once, "https://example.org/digest/") == once


def test_a_site_at_the_host_root_keeps_its_404_page() -> None:
    page = PAGE_404.replace("/digest/", "/")
    assert relative_404(page, "https://example.org/") == page
    assert root_path(None) == "/" and root_path("https://h/a/b") == "/a/b/"


def test_materials_own_search_and_source_maps_are_not_copied(tmp_path: Path) -> None:
    def theme_file(uri: str) -> File:
        return File(uri, str(tmp_path), str(tmp_path / "site"), use_directory_urls=True)

    kept = ["assets/javascripts/bundle.min.js", "assets/stylesheets/main.min.css", "index.md"]
    dropped = ["assets/javascripts/lunr/min/lunr.zh.min.js", "assets/javascripts/lunr/tinyseg.js",
               "assets/javascripts/workers/search.min.js", "assets/javascripts/bundle.min.js.map"]
    files = Files([theme_file(u) for u in kept + dropped])
    assert drop_unused_theme_files(files) == len(dropped)
    assert sorted(f.src_uri for f in files) == sorted(kept)
