// Search with Pagefind, in Material's look. Nothing is downloaded until the reader focuses the
// search box; then only the index parts a query needs, and the topic filter's own index only
// when the reader opens the topic filter (or a link chose topics).
//
// Chinese is indexed as overlapping character pairs (scraper/searchtext.py explains why), and
// the query is spelled the same way here: a Chinese string is the exact phrase of its pairs,
// an English word is matched exactly (as Pagefind's English stem), a single Chinese
// character is the start of a pair. Each part of the query is one exact Pagefind search, the
// article set is their intersection, and one plain search of all the words orders it (by
// relevance, or newest first with Pagefind's sort).
(function () {
  "use strict";
  var JOIN = "\u2060", OVERLAP = "\u2063";
  var HAN = "\\u{3400}-\\u{4dbf}\\u{4e00}-\\u{9fff}\\u{f900}-\\u{faff}\\u{20000}-\\u{3134f}";
  var PIECES = new RegExp("[" + HAN + "]+|[^" + HAN + "]+", "gu");
  var IS_HAN = new RegExp("^[" + HAN + "]", "u");
  var PAGE_SIZE = 10;

  var dialog = document.querySelector(".digest-search");
  var input = document.getElementById("digest-search-input");
  var list = document.getElementById("digest-search-results");
  var meta = document.getElementById("digest-search-meta");
  var form = document.getElementById("digest-search-form");
  var controls = document.getElementById("digest-search-controls");
  var more = document.getElementById("digest-search-more");
  var toggle = document.getElementById("__search");
  if (!dialog || !input || !list || !meta) return;
  var base = typeof __md_scope !== "undefined" ? __md_scope : new URL(".", location);
  var pagefind = null;
  var latest = 0;
  // topicsOpen: the reader opened the topic filter (it stays open for the next queries).
  var state = { query: "", topics: [], sort: "relevance", topicsOpen: false };
  var shown = { ids: [], next: 0, units: [], loading: null };

  // ---- the query, spelled as the index is (the twin of scraper/searchtext.encode) ----
  function pairs(run) {
    if (run.length < 2) return [run];
    var out = [];
    for (var i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
    return out;
  }

  function chars(text) { return Array.from(text); }

  // [{kind: "han"|"word", text, exact, terms}] for each Chinese run and each other word.
  function parseQuery(query) {
    var units = [];
    query.split(/\s+/).forEach(function (part) {
      (part.match(PIECES) || []).forEach(function (piece) {
        if (IS_HAN.test(piece)) {
          var cs = chars(piece);
          var terms = cs.length > 1 ? pairs(cs).map(function (p) { return p.join(""); }) : [piece];
          units.push({ kind: "han", text: piece, exact: cs.length > 1, terms: terms });
        } else if (/[\p{L}\p{N}]/u.test(piece)) {
          units.push({ kind: "word", text: piece, exact: true, terms: [piece] });
        }
      });
    });
    return units;
  }

  function unitQuery(unit) {
    return unit.exact ? "\"" + unit.terms.join(" ") + "\"" : unit.terms.join(" ");
  }

  // ---- the reader's text back from an excerpt (the twin of scraper/searchtext.decode) ----
  function unescapeHtml(text) { return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">"); }

  // Pagefind's excerpt: words joined by spaces, matched ones in <mark>. Returns the text and,
  // per character, whether to highlight it: English words as Pagefind marked them, Chinese
  // strings of the query wherever they occur (a pair's mark would cover too much or too little).
  function decodeExcerpt(excerpt, hanRuns) {
    var text = "", marks = [];
    excerpt.split(" ").forEach(function (raw) {
      var marked = /^<mark>[\s\S]*<\/mark>$/.test(raw);
      var word = unescapeHtml(marked ? raw.slice(6, -7) : raw);
      var piece, han = false;
      if (word.charAt(0) === JOIN) { piece = word.slice(1); han = true; }
      else if (word.charAt(0) === OVERLAP) { piece = text ? chars(word.slice(1)).slice(1).join("") : word.slice(1); han = true; }
      else { piece = (text ? " " : "") + word; }
      var lead = piece.charAt(0) === " " ? 1 : 0;
      for (var i = 0; i < piece.length; i++) marks.push(marked && !han && !IS_HAN.test(word) && i >= lead);
      text += piece;
    });
    hanRuns.forEach(function (run) {
      for (var at = text.indexOf(run); at >= 0; at = text.indexOf(run, at + 1)) {
        for (var k = 0; k < run.length; k++) marks[at + k] = true;
      }
    });
    return { text: text, marks: marks };
  }

  function decodeText(encoded) { return decodeExcerpt(encoded, []).text; }

  function excerptNode(excerpt, hanRuns) {
    var decoded = decodeExcerpt(excerpt, hanRuns);
    var p = document.createElement("p");
    var i = 0;
    while (i < decoded.text.length) {
      var j = i, on = decoded.marks[i];
      while (j < decoded.text.length && decoded.marks[j] === on) j++;
      var node = document.createTextNode(decoded.text.slice(i, j));
      if (on) { var m = document.createElement("mark"); m.appendChild(node); p.appendChild(m); }
      else p.appendChild(node);
      i = j;
    }
    return p;
  }

  // ---- Pagefind ----
  // The index comes in parts (scraper/mkdocs/searchparts.py), newest first in parts.json:
  // the newest is Pagefind's own index, the others are merged into it (they share its
  // WebAssembly; Pagefind ranks the merged results together).
  var parts = [];

  function load() {
    if (!pagefind) {
      var options = { baseUrl: new URL(".", base).pathname, excerptLength: 30 };
      pagefind = fetch(new URL("pagefind/parts.json", base).href).then(function (response) {
        if (!response.ok) throw new Error("no parts.json");
        return response.json();
      }).then(function (manifest) {
        parts = manifest.parts;
        return import(new URL("pagefind/" + parts[0] + "/pagefind.js", base).href);
      }).then(function (pf) {
        return pf.options(options).then(function () {
          return Promise.all(parts.slice(1).map(function (part) {
            return pf.mergeIndex(new URL("pagefind/" + part + "/", base).pathname, options);
          }));
        }).then(function () { return pf; });
      });
      pagefind.catch(function () {
        meta.textContent = "The search index is missing: build the site with Pagefind.";
      });
    }
    return pagefind;
  }

  function topicFilter(topics) {
    return topics.length ? { topic: { any: topics } } : {};
  }

  function ids(found) { return found.results.map(function (r) { return r.id; }); }

  function intersect(sets) {
    if (!sets.length) return [];
    var rest = sets.slice(1).map(function (s) { return new Set(s); });
    return sets[0].filter(function (id) { return rest.every(function (s) { return s.has(id); }); });
  }

  function allTerms(units) {
    return [].concat.apply([], units.map(function (u) { return u.terms; })).join(" ");
  }

  // The ids of all matching articles, newest first. Pagefind sorts each part by date, but
  // merges parts by score, and a sorted result's score is its rank in its own part; the
  // parts hold consecutive dates, so they are asked one by one (a filter) and put in order.
  function newestFirst(pf, units, filters) {
    return Promise.all(parts.map(function (part) {
      var only = Object.assign({}, filters, { part: part });
      return pf.search(allTerms(units), { filters: only, sort: { date: "desc" } }).then(ids);
    })).then(function (byPart) { return [].concat.apply([], byPart); });
  }

  // The ids of every article matching all units, in the order asked for.
  function run(pf, units, topics, sort) {
    var filters = topicFilter(topics);
    var chosen = units.map(function (u) { return pf.search(unitQuery(u), { filters: filters }); });
    var ordering = sort === "newest" ? newestFirst(pf, units, filters)
      : pf.search(allTerms(units), { filters: filters }).then(ids);
    return Promise.all([Promise.all(chosen), ordering]).then(function (r) {
      var found = r[0];
      var members = new Set(intersect(found.map(ids)));
      var ordered = r[1].filter(function (id) { return members.delete(id); });
      members.forEach(function (id) { ordered.push(id); });  // none expected: a safety net
      var byId = {};
      found.forEach(function (f) { f.results.forEach(function (x) { byId[x.id] = x; }); });
      return ordered.map(function (id) { return byId[id]; });
    });
  }

  // How many of the query's articles each topic has, whatever topics are chosen. Only when
  // the reader opens the topic filter (or a link chose topics): the filter index would
  // otherwise be the largest download of a first search. Loading every filter first makes
  // Pagefind count the topics of each search.
  function topicCounts(units) {
    return load().then(function (pf) {
      return pf.filters().then(function (filters) {
        if (units.length === 1) {
          return pf.search(unitQuery(units[0]), {}).then(function (found) {
            return (found.filters || {}).topic || {};
          });
        }
        var topics = Object.keys(filters.topic || {});
        return Promise.all(topics.map(function (t) {
          return Promise.all(units.map(function (u) {
            return pf.search(unitQuery(u), { filters: { topic: t } });
          })).then(function (found) { return intersect(found.map(ids)).length; });
        })).then(function (n) {
          var counts = {};
          topics.forEach(function (t, i) { counts[t] = n[i]; });
          return counts;
        });
      });
    });
  }

  // The topic filter holds "id|label" values; the URL and callers name topics by id, so
  // chosen topics need the filter index (and only then is it downloaded with the query).
  function find(units, topicIds, sort) {
    return load().then(function (pf) {
      if (!topicIds.length) return run(pf, units, [], sort);
      return Promise.all([pf.filters(), pf.preload(allTerms(units))]).then(function (loaded) {
        var topics = Object.keys(loaded[0].topic || {}).filter(function (v) {
          return topicIds.indexOf(topicParts(v).id) >= 0;
        });
        return run(pf, units, topics, sort);
      });
    });
  }

  // ---- what the reader sees ----
  function plural(n) { return n + (n === 1 ? " matching article" : " matching articles"); }

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function beijingDate(stamp) {
    if (!/^\d{12}$/.test(stamp || "") || /^0+$/.test(stamp)) return "date unknown";
    var day = +stamp.slice(6, 8) + " " + MONTHS[+stamp.slice(4, 6) - 1] + " " + stamp.slice(0, 4);
    var time = stamp.slice(8, 10) + ":" + stamp.slice(10, 12);
    return time === "00:00" ? day : day + ", " + time + " Beijing time";
  }

  function topicParts(value) {
    var bar = value.indexOf("|");
    return bar < 0 ? { id: value, label: value } : { id: value.slice(0, bar), label: value.slice(bar + 1) };
  }

  function resultItem(data, hanRuns) {
    var item = document.createElement("li");
    item.className = "md-search-result__item";
    var link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = data.url;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var title = document.createElement("h1");
    title.textContent = decodeText((data.meta && data.meta.title) || data.url);
    article.appendChild(title);
    var line = document.createElement("div");
    line.className = "digest-search__byline";
    var when = document.createElement("time");
    when.textContent = beijingDate(data.meta && data.meta.date);
    line.appendChild(when);
    var source = ((data.filters || {}).source || [])[0];
    if (source) line.appendChild(document.createTextNode(" · " + source));
    ((data.filters || {}).topic || []).forEach(function (value) {
      var chip = document.createElement("span");
      chip.className = "digest-search__chip";
      chip.textContent = topicParts(value).label;
      line.appendChild(chip);
    });
    article.appendChild(line);
    article.appendChild(excerptNode(data.excerpt || "", hanRuns));
    link.appendChild(article);
    item.appendChild(link);
    return item;
  }

  // The next results; the button (which scrolling into view also presses) shows again once
  // they are in the list, so that one batch is asked for at a time.
  function showMore(ticket) {
    if (shown.loading) return shown.loading;
    var batch = shown.ids.slice(shown.next, shown.next + PAGE_SIZE);
    shown.next += batch.length;
    if (more) more.hidden = true;
    var hanRuns = shown.units.filter(function (u) { return u.kind === "han"; })
      .map(function (u) { return u.text; });
    shown.loading = Promise.all(batch.map(function (r) { return r.data(); })).then(function (data) {
      if (ticket !== latest) return;
      shown.loading = null;
      data.forEach(function (d) { list.appendChild(resultItem(d, hanRuns)); });
      if (more) more.hidden = shown.next >= shown.ids.length;
    });
    return shown.loading;
  }

  // The topic toggle and the order; the topic buttons come once their counts are known.
  function renderControls(units, ticket) {
    if (!controls) return;
    controls.textContent = "";
    var opener = document.createElement("button");
    opener.type = "button";
    opener.className = "digest-search__filter digest-search__topics";
    opener.setAttribute("aria-expanded", state.topicsOpen ? "true" : "false");
    opener.textContent = state.topics.length ? "Topics (" + state.topics.length + " chosen)" : "Topics";
    // Changed in place: the focus stays on the toggle (and so in the search dialog).
    opener.addEventListener("click", function () {
      state.topicsOpen = !state.topicsOpen;
      opener.setAttribute("aria-expanded", state.topicsOpen ? "true" : "false");
      Array.prototype.forEach.call(controls.querySelectorAll("[data-topic]"), function (b) {
        controls.removeChild(b);
      });
      if (state.topicsOpen) showTopics(units, latest, opener, sort);
    });
    controls.appendChild(opener);
    var sort = document.createElement("select");
    sort.className = "digest-search__sort";
    sort.setAttribute("aria-label", "Order");
    [["relevance", "Most relevant"], ["newest", "Newest first"]].forEach(function (o) {
      var option = document.createElement("option");
      option.value = o[0];
      option.textContent = o[1];
      option.selected = state.sort === o[0];
      sort.appendChild(option);
    });
    sort.addEventListener("change", function () { state.sort = sort.value; search(); });
    controls.appendChild(sort);
    if (state.topicsOpen) showTopics(units, ticket, opener, sort);
  }

  function showTopics(units, ticket, opener, before) {
    topicCounts(units).then(function (counts) {
      var current = ticket === latest && opener.parentNode === controls;
      if (current && state.topicsOpen && !controls.querySelector("[data-topic]")) renderTopics(counts, before);
    });
  }

  function renderTopics(counts, before) {
    var topics = Object.keys(counts).filter(function (value) {  // topics the results have, or chosen
      return counts[value] > 0 || state.topics.indexOf(topicParts(value).id) >= 0;
    }).sort(function (a, b) {
      return topicParts(a).label.localeCompare(topicParts(b).label);
    });
    topics.forEach(function (value) {
      var id = topicParts(value).id;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "digest-search__filter";
      button.setAttribute("aria-pressed", state.topics.indexOf(id) >= 0 ? "true" : "false");
      button.dataset.topic = id;
      button.textContent = topicParts(value).label + " (" + counts[value] + ")";
      button.addEventListener("click", function () {
        var at = state.topics.indexOf(id);
        if (at >= 0) state.topics.splice(at, 1); else state.topics.push(id);
        search();
      });
      controls.insertBefore(button, before);
    });
  }

  // ---- the URL keeps the query, the topics and the order ----
  function writeUrl() {
    var url = new URL(location.href);
    ["q", "topic", "sort"].forEach(function (k) { url.searchParams.delete(k); });
    if (state.query) url.searchParams.set("q", state.query);
    state.topics.forEach(function (t) { url.searchParams.append("topic", t); });
    if (state.sort !== "relevance") url.searchParams.set("sort", state.sort);
    history.replaceState(history.state, "", url.href);
  }

  function readUrl() {
    var params = new URL(location.href).searchParams;
    state.query = params.get("q") || "";
    state.topics = params.getAll("topic");
    state.sort = params.get("sort") === "newest" ? "newest" : "relevance";
    state.topicsOpen = state.topics.length > 0;
  }

  function clear() {
    latest++;
    list.textContent = "";
    if (controls) controls.textContent = "";
    if (more) more.hidden = true;
    meta.textContent = "Type to search";
  }

  function search() {
    state.query = input.value.trim();
    writeUrl();
    var ticket = ++latest;
    if (!state.query) { clear(); return; }
    var units = parseQuery(state.query);
    if (!units.length) { clear(); return; }
    meta.textContent = "Searching…";
    find(units, state.topics, state.sort).then(function (results) {
      if (ticket !== latest) return;
      list.textContent = "";
      shown = { ids: results, next: 0, units: units, loading: null };
      meta.textContent = results.length ? plural(results.length)
        : "No matching articles for “" + state.query + "”";
      renderControls(units, ticket);
      return showMore(ticket);
    });
  }

  var typing = null;
  function searchSoon() {
    clearTimeout(typing);
    // The count of the last query must not pass for this one's while the reader types.
    meta.textContent = input.value.trim() ? "Searching…" : "Type to search";
    typing = setTimeout(search, 150);
    // The index parts of what is typed download during the pause, not after it.
    var units = parseQuery(input.value.trim());
    if (units.length) {
      load().then(function (pf) { return pf.preload(allTerms(units)); }).catch(function () {});
    }
  }

  // ---- keyboard: arrows move through the results, Enter opens, Esc clears, Tab out closes ----
  function links() { return Array.prototype.slice.call(list.querySelectorAll("a.md-search-result__link")); }

  function open() { if (toggle) toggle.checked = true; }
  function close() { if (toggle) toggle.checked = false; }

  dialog.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      var next = event.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : at - 1;
      if (next < 0) { input.focus(); return; }
      all[next].focus();
      if (next === all.length - 1 && more && !more.hidden) more.click();
    } else if (event.key === "Enter" && document.activeElement === input && all.length) {
      event.preventDefault();
      all[0].click();
    } else if (event.key === "Escape") {
      event.preventDefault();
      if (input.value) { input.value = ""; search(); input.focus(); }
      else { close(); input.blur(); }
    }
  });

  dialog.addEventListener("focusout", function (event) {
    if (!event.relatedTarget || !dialog.contains(event.relatedTarget)) {
      // A click on a result still follows its link: closing waits for the click.
      setTimeout(function () { if (!dialog.contains(document.activeElement)) close(); }, 0);
    }
  });

  if (more) {
    more.addEventListener("click", function () { showMore(latest); });
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; }) && !more.hidden) showMore(latest);
      }).observe(more);
    }
  }

  input.addEventListener("focus", function () { open(); load(); });
  input.addEventListener("input", searchSoon);
  if (form) form.addEventListener("submit", function (event) { event.preventDefault(); search(); });

  readUrl();
  if (state.query) {
    input.value = state.query;
    open();
    search();
  }

  // For benchmarks and tests: the same query treatment, without the page.
  window.digestSearch = {
    parseQuery: parseQuery,
    unitQuery: unitQuery,
    decodeExcerpt: decodeExcerpt,
    find: function (query, topicIds, sort) {
      return find(parseQuery(query), topicIds || [], sort || "relevance");
    }
  };
})();
