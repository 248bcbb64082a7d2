// Site search. Three sources, in this order, each result shown once:
//   1. the exact-match key index (search/keys/<shard>.json): a full name, short name, credit code,
//      certificate number or expert name typed as it is written -> that page, first;
//      a province, city, district or category name -> the list of records located there or of
//      that category (search/lists/<id>/<page>.json, fetched a page at a time);
//   2. pagefind over our own tokens (directory/site/search.py explains why: the query is cut into
//      the same bigrams as the index, so the browser's word segmentation cannot lose a match);
//   3. within each source, valid providers and experts first, then the others, then notices
//      (the hidden 分组 filter). Pagefind's index comes in two bundles (search.py): the current
//      records, searched first, and the rest, merged in only when a visitor goes past the current
//      ones, filters for the others, or a search finds fewer current ones than a page.
// The state lives in the address (?q=…&名录=…&类别=…&城市=…&状态=…), so a search can be linked.
(function () {
  "use strict";
  var box = document.getElementById("dir-search");
  if (!box) { return; }
  var siteRoot = new URL(box.getAttribute("data-site-root") || "./", window.location.href);
  var keysUrl = new URL(box.getAttribute("data-keys"), window.location.href);
  var listsUrl = new URL(box.getAttribute("data-lists"), window.location.href);
  var LIST_PAGE = parseInt(box.getAttribute("data-list-page"), 10) || 50;
  var shardCount = parseInt(box.getAttribute("data-shards"), 10) || 1;
  var bundles = JSON.parse(box.getAttribute("data-bundles") || '["pagefind"]');
  var form = box.querySelector(".dir-search__form");
  var input = box.querySelector(".dir-search__input");
  var filterBox = box.querySelector(".dir-search__filters");
  var summary = box.querySelector(".dir-search__summary");
  var list = box.querySelector(".dir-search__results");
  var more = box.querySelector(".dir-search__more");
  var empty = box.querySelector(".dir-search__empty");
  var related = box.querySelector(".dir-search__related");
  var VISIBLE_FILTERS = ["名录", "类别", "城市", "状态"];
  var LATER_GROUPS = ["2", "3"];
  var PAGE = 10;
  var pagefind = null, merged = null, shards = {}, chosen = {}, items = [], lists = [], total = 0, shown = 0, seen = {},
      skipped = 0, pendingText = null, laterPending = null, laterFailed = false, broken = false, generation = 0;

  // --- the same text rules as directory/site/search.py -------------------------------------
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;
  var WORD = /[\p{L}\p{N}]/u;

  function normalise(text) {
    return String(text).normalize("NFKC").replace(/[^\p{L}\p{N}]+/gu, "").toUpperCase();
  }

  // The query's Han runs as bigrams side by side (数字化转型 -> 数字 化转 型): each is an indexed
  // token, or the prefix of one, wherever the run stands in a text; half the overlapping bigrams,
  // so half the posting lists to download.
  function queryTokens(text) {
    var tokens = [], run = "", type = "";
    function flush() {
      if (type === "han") {
        var chars = Array.from(run);
        for (var i = 0; i < chars.length; i += 2) { tokens.push(chars.slice(i, i + 2).join("")); }
      } else if (type === "word") {
        tokens.push(run.toLowerCase());
      }
      run = ""; type = "";
    }
    Array.from(String(text).normalize("NFKC")).forEach(function (ch) {
      var kind = HAN.test(ch) ? "han" : (WORD.test(ch) ? "word" : "");
      if (kind !== type) { flush(); type = kind; }
      if (kind) { run += ch; }
    });
    flush();
    return tokens;
  }

  // 有限公司 and the like are not indexed (search.py Settings.without_suffix): drop them from a query.
  var suffixes = JSON.parse(box.getAttribute("data-name-suffixes") || "[]");
  function withoutSuffix(query) {
    var text = String(query).normalize("NFKC").trim();
    for (var i = 0; i < suffixes.length; i++) {
      if (text.length > suffixes[i].length && text.slice(-suffixes[i].length) === suffixes[i]) {
        return text.slice(0, -suffixes[i].length);
      }
    }
    return text;
  }

  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text), hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0; }
    return hash >>> 0;
  }

  // for tests/test_browser_search.py: the same text rules as Python, checked on the same strings
  window.directorySearch = { normalise: normalise, queryTokens: queryTokens, fnv1a: fnv1a, withoutSuffix: withoutSuffix };

  // --- loading -----------------------------------------------------------------------------
  function loadPagefind() {
    if (pagefind && !broken) { return Promise.resolve(pagefind); }
    if (!bundles.length) { return Promise.reject(new Error("no search index")); }
    var fresh = broken ? resetPagefind() : Promise.resolve();
    broken = false;
    return fresh.then(function () {
      return import(new URL(bundles[0] + "/pagefind.js", siteRoot).href);
    }).then(function (module) {
      // noWorker: for indexes this small, the web worker is only one more script to download
      return module.options({ baseUrl: siteRoot.pathname, noWorker: true }).then(function () {
        pagefind = module; return module;
      });
    });
  }

  // After a failed fetch, pagefind keeps the bundle it could not load and every search would fail:
  // the next search starts from a fresh instance (`broken`; the browser has its files cached), while
  // the results already found can still be drawn.
  function resetPagefind() {
    var old = pagefind;
    pagefind = null; merged = null;
    return old ? old.destroy().catch(function () {}) : Promise.resolve();
  }

  // The second bundle (the records not current, and the notices), merged once.
  function mergeMore(pf) {
    if (!merged) {
      merged = bundles.length > 1
        ? pf.mergeIndex(new URL(bundles[1] + "/", siteRoot).pathname, { baseUrl: siteRoot.pathname })
        : Promise.resolve();
    }
    return merged.then(function () { return pf; });
  }

  function keyHits(key) {
    if (!key) { return Promise.resolve([]); }
    var shard = fnv1a(key) % shardCount;
    if (!shards[shard]) {
      shards[shard] = fetch(new URL(shard + ".json", keysUrl).href)
        .then(function (response) { return response.ok ? response.json() : {}; })
        .catch(function () { return {}; });
    }
    return shards[shard].then(function (keys) { return keys[key] || []; });
  }

  // --- drawing -----------------------------------------------------------------------------
  function text(tag, className, content) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (content !== undefined && content !== null) { element.textContent = content; }
    return element;
  }

  function draw(result) {
    if (seen[result.url]) { return false; }
    seen[result.url] = true;
    var item = text("li", "dir-search__result");
    var heading = text("div", "dir-search__heading");
    var link = text("a", "dir-search__title", result.name || result.url);
    link.href = new URL(result.url, siteRoot).href;
    heading.appendChild(link);
    if (result.statusLabel) {
      heading.appendChild(document.createTextNode(" "));
      heading.appendChild(text("span", "dir-badge dir-badge--" + (result.status || "archived"), result.statusLabel));
    }
    item.appendChild(heading);
    var facts = [result.kind, result.scheme, result.city, result.category].filter(Boolean);
    if (facts.length) { item.appendChild(text("div", "dir-card__meta", facts.join(" · "))); }
    if (result.match) { item.appendChild(text("div", "dir-search__match", result.match + "一致")); }
    list.appendChild(item);
    return true;
  }

  function fromHit(hit) {
    return { url: hit.u, name: hit.n, scheme: hit.s, status: hit.st, statusLabel: hit.sl, city: hit.c,
             category: hit.k, match: hit.m, kind: "" };
  }

  function fromPage(page) {
    var meta = page.meta || {};
    return { url: page.url.replace(siteRoot.pathname, ""), name: meta.title, scheme: meta.scheme,
             status: meta.status, statusLabel: meta.status_label, city: meta.city, category: meta.category,
             kind: meta.kind === "服务机构" ? "" : meta.kind };
  }

  // Draws the next page of results: list pages are fetched as they are needed, pagefind's
  // results (one small fragment each) only when drawn.
  function showMore() {
    var mine = generation;
    return fillFromLists(shown + PAGE).then(function () { return fillFromLater(shown + PAGE); }).then(function () {
      if (mine !== generation) { return; }
      var batch = items.slice(shown, shown + PAGE);
      shown += batch.length;
      return Promise.all(batch.map(function (item) {
        return item.hit ? fromHit(item.hit) : item.result.data().then(fromPage);
      })).then(function (results) {
        if (mine !== generation) { return; }
        results.forEach(function (result) { if (!draw(result)) { skipped += 1; } });
        more.hidden = shown >= items.length && !lists.length && !laterPending;
        count(total - skipped);
        related.hidden = !pendingText || !more.hidden;
        box.removeAttribute("aria-busy");
      });
    });
  }

  function fillFromLists(wanted) {
    if (items.length >= wanted || !lists.length) { return Promise.resolve(); }
    var next = lists[0];
    return fetch(new URL(next.id + "/" + next.page + ".json", listsUrl).href)
      .then(function (response) { return response.ok ? response.json() : []; })
      .catch(function () { return []; })
      .then(function (hits) {
        next.page += 1;
        if (!hits.length || next.page >= next.pages) { lists.shift(); }
        hits.forEach(function (hit) { items.push({ hit: hit }); });
        return fillFromLists(wanted);
      });
  }

  function count(found) {
    var query = input.value.trim();
    summary.textContent = found
      ? "找到 " + found + (laterPending ? " 条当前有效的结果" : " 条结果") + (query ? "：“" + query + "”" : "") +
        (laterPending ? "；已失效的记录和公告列在其后，点“显示更多”查看" : "") +
        (laterFailed ? "；已失效的记录和公告暂时无法加载，请稍后再试" : "")
      : "没有找到" + (query ? "与“" + query + "”" : "") + "相关的结果";
    empty.hidden = found > 0;
  }

  // --- searching ---------------------------------------------------------------------------
  function withFilters(extra) {
    var filters = {};
    Object.keys(chosen).forEach(function (name) { filters[name] = chosen[name]; });
    Object.keys(extra).forEach(function (name) { filters[name] = extra[name]; });
    return filters;
  }

  // Valid records first, then the others, then notices. Only the later groups carry a 分组
  // value (search.py): the current bundle has no such filter, so a group search finds nothing
  // there, and once both bundles are merged the first group is what the plain search finds that
  // the group searches do not.
  function laterGroups(pf, term) {
    return Promise.all(LATER_GROUPS.map(function (group) {
      return pf.search(term, { filters: withFilters({ "分组": group }) });
    })).then(function (found) {
      return [].concat.apply([], found.map(function (search) { return search ? search.results : []; }));
    });
  }

  function byGroups(pf, term) {
    return Promise.all([pf.search(term, { filters: withFilters({}) }), laterGroups(pf, term)]).then(function (found) {
      var later = {};
      found[1].forEach(function (result) { later[result.id] = true; });
      var current = (found[0] ? found[0].results : []).filter(function (result) { return !later[result.id]; });
      return current.concat(found[1]);
    });
  }

  // A first search asks the current bundle alone; with a page of results or more, the second
  // bundle waits until the visitor goes past them (`later`: what fillFromLater searches then).
  function fullText(pf, term) {
    if (merged || bundles.length < 2) {
      return mergeMore(pf).then(function () { return byGroups(pf, term); }).then(function (results) {
        return { results: results, later: null };
      });
    }
    return pf.search(term, { filters: withFilters({}) }).then(function (found) {
      var current = found ? found.results : [];
      if (current.length >= PAGE) { return { results: current, later: { term: term } }; }
      return mergeMore(pf).then(function () { return laterGroups(pf, term); }).then(function (later) {
        return { results: current.concat(later), later: null };
      });
    });
  }

  function fillFromLater(wanted) {
    if (items.length >= wanted || !laterPending) { return Promise.resolve(); }
    var mine = generation, term = laterPending.term;
    laterPending = null;
    return loadPagefind().then(mergeMore).then(function (pf) { return laterGroups(pf, term); }).then(function (later) {
      if (mine !== generation) { return; }
      later.forEach(function (result) { items.push({ result: result }); });
      total += later.length;
    }).catch(function () {
      broken = true;
      if (mine === generation) { laterFailed = true; }
    });
  }

  function run() {
    var mine = ++generation;
    var query = input.value.trim();
    writeAddress(query);
    list.textContent = ""; items = []; lists = []; total = 0; shown = 0; seen = {}; skipped = 0;
    more.hidden = true; related.hidden = true; pendingText = null; laterPending = null; laterFailed = false;
    var tokens = queryTokens(withoutSuffix(query));
    var filtered = Object.keys(chosen).length > 0;
    if (!tokens.length && !filtered) {
      summary.textContent = ""; empty.hidden = true;
      return Promise.resolve();
    }
    summary.textContent = "正在搜索…";
    box.setAttribute("aria-busy", "true");
    return keyHits(normalise(query)).then(function (hits) {
      if (mine !== generation) { return; }
      // A name, code, place or category typed as it is written is answered from our own files;
      // the full-text search then waits for 显示其他相关结果 (with filters chosen, pagefind answers).
      var answered = filtered ? [] : hits;
      answered.forEach(function (hit) {
        if (hit.u) { items.push({ hit: hit }); total += 1; }
        else if (hit.l) { lists.push({ id: hit.l, page: 0, pages: Math.ceil(hit.c / LIST_PAGE) }); total += hit.c; }
      });
      var term = tokens.length ? tokens.join(" ") : null;
      if (answered.length) { pendingText = term; return showMore(); }
      return loadPagefind().then(function (pf) { return fullText(pf, term); }).then(function (found) {
        if (mine !== generation) { return; }
        found.results.forEach(function (result) { items.push({ result: result }); });
        laterPending = found.later;
        total = items.length;
        return showMore();
      });
    }).catch(function () {
      broken = true;
      if (mine === generation) { summary.textContent = "搜索暂时不可用，请刷新页面后再试"; box.removeAttribute("aria-busy"); }
    });
  }

  // 显示其他相关结果: the full-text search behind an exact, place or category answer, below it.
  function runRelated() {
    var mine = generation, term = pendingText;
    pendingText = null; related.hidden = true;
    if (!term) { return Promise.resolve(); }
    box.setAttribute("aria-busy", "true");
    return loadPagefind().then(function (pf) { return fullText(pf, term); }).then(function (found) {
      if (mine !== generation) { return; }
      found.results.forEach(function (result) { items.push({ result: result }); });
      laterPending = found.later;
      total += found.results.length;
      return showMore();
    });
  }

  function writeAddress(query) {
    var params = new URLSearchParams();
    if (query) { params.set("q", query); }
    Object.keys(chosen).forEach(function (name) { params.set(name, chosen[name]); });
    var address = window.location.pathname + (params.toString() ? "?" + params.toString() : "");
    window.history.replaceState(null, "", address);
  }

  // --- filters -----------------------------------------------------------------------------
  function renderFilters() {
    return loadPagefind().then(mergeMore).then(function (pf) { return pf.filters(); }).then(function (filters) {
      VISIBLE_FILTERS.filter(function (name) { return filters[name]; }).forEach(function (name) {
        var id = "dir-filter-" + VISIBLE_FILTERS.indexOf(name);
        var wrapper = text("div", "dir-search__filter");
        var label = text("label", "", name);
        label.htmlFor = id;
        var select = document.createElement("select");
        select.id = id;
        select.setAttribute("data-filter", name);
        select.appendChild(new Option("全部", ""));
        Object.keys(filters[name]).sort(function (a, b) { return a.localeCompare(b, "zh"); }).forEach(function (value) {
          select.appendChild(new Option(value + "（" + filters[name][value] + "）", value));
        });
        select.value = chosen[name] || "";
        select.addEventListener("change", function () {
          if (select.value) { chosen[name] = select.value; } else { delete chosen[name]; }
          run();
        });
        wrapper.appendChild(label);
        wrapper.appendChild(select);
        filterBox.appendChild(wrapper);
      });
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); run(); });
  more.addEventListener("click", function () { box.setAttribute("aria-busy", "true"); showMore(); });
  related.addEventListener("click", runRelated);
  var filterToggle = box.querySelector(".dir-search__filter-toggle");
  var filtersLoaded = null;
  filterToggle.addEventListener("toggle", function () {
    if (filterToggle.open && !filtersLoaded) { filtersLoaded = renderFilters(); }
  });

  var params = new URLSearchParams(window.location.search);
  VISIBLE_FILTERS.forEach(function (name) { if (params.get(name)) { chosen[name] = params.get(name); } });
  if (params.get("q")) { input.value = params.get("q"); }
  if (params.get("q") || Object.keys(chosen).length) {
    if (Object.keys(chosen).length) { filterToggle.open = true; }
    run();
  }
})();
