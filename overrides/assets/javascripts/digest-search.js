// Search with Pagefind, in Material's look. The index is fetched in small parts: nothing is
// downloaded until the reader focuses the search box, then only what a query needs.
(function () {
  "use strict";
  var input = document.getElementById("digest-search-input");
  var list = document.getElementById("digest-search-results");
  var meta = document.getElementById("digest-search-meta");
  var form = document.getElementById("digest-search-form");
  var toggle = document.getElementById("__search");
  if (!input || !list || !meta) return;
  var base = typeof __md_scope !== "undefined" ? __md_scope : new URL(".", location);
  var pagefind = null;
  var latest = 0;

  function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", base).href).then(function (pf) {
        return pf.options({ baseUrl: new URL(".", base).pathname, excerptLength: 24 })
          .then(function () { return pf; });
      });
      pagefind.catch(function () {
        meta.textContent = "The search index is missing: build the site with Pagefind.";
      });
    }
    return pagefind;
  }

  // Text from the index is shown as text; only Pagefind's <mark> highlights become elements.
  function decode(text) {
    var area = document.createElement("textarea");
    area.innerHTML = text;
    return area.value;
  }

  function excerptNode(excerpt) {
    var p = document.createElement("p");
    var marked = false;
    excerpt.split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      var text = document.createTextNode(decode(part));
      if (marked) {
        var mark = document.createElement("mark");
        mark.appendChild(text);
        p.appendChild(mark);
      } else {
        p.appendChild(text);
      }
    });
    return p;
  }

  function render(results, query) {
    list.textContent = "";
    meta.textContent = results.length ? results.length + " matching articles"
      : "No matching articles for “" + query + "”";
    results.forEach(function (r) {
      var item = document.createElement("li");
      item.className = "md-search-result__item";
      var link = document.createElement("a");
      link.className = "md-search-result__link";
      link.href = r.url;
      var article = document.createElement("article");
      article.className = "md-search-result__article md-typeset";
      var title = document.createElement("h1");
      title.textContent = (r.meta && r.meta.title) || r.url;
      article.appendChild(title);
      article.appendChild(excerptNode(r.excerpt || ""));
      link.appendChild(article);
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  function search() {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) { list.textContent = ""; meta.textContent = "Type to search"; return; }
    load().then(function (pf) { return pf.debouncedSearch(query, {}, 120); })
      .then(function (found) {
        if (!found || ticket !== latest) return null;
        return Promise.all(found.results.slice(0, 10).map(function (r) { return r.data(); }));
      })
      .then(function (data) { if (data && ticket === latest) render(data, query); });
  }

  input.addEventListener("focus", function () {
    if (toggle) toggle.checked = true;
    load();
  });
  input.addEventListener("input", search);
  if (form) form.addEventListener("submit", function (event) { event.preventDefault(); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle && toggle.checked) { toggle.checked = false; input.blur(); }
  });
})();
