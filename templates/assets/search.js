// Site search. Three sources, in this order, each result shown once:
//   1. the exact-match key index (search/keys/<shard>.json): a full name, short name, credit code,
//      certificate number or expert name typed as it is written -> that page, first;
//      a province, city or district name -> the providers located there (a pagefind filter);
//   2. pagefind over our own tokens (directory/site/search.py explains why: the query is cut into
//      the same bigrams as the index, so the browser's word segmentation cannot lose a match);
//   3. within each source, valid providers and experts first, then the others, then notices
//      (the hidden 分组 filter).
// The state lives in the address (?q=…&名录=…&类别=…&城市=…&状态=…), so a search can be linked.
(function () {
  "use strict";
  var box = document.getElementById("dir-search");
  if (!box) { return; }
  var siteRoot = new URL(box.getAttribute("data-site-root") || "./", window.location.href);
  var keysUrl = new URL(box.getAttribute("data-keys"), window.location.href);
  var shardCount = parseInt(box.getAttribute("data-shards"), 10) || 1;
  var form = box.querySelector(".dir-search__form");
  var input = box.querySelector(".dir-search__input");
  var filterBox = box.querySelector(".dir-search__filters");
  var summary = box.querySelector(".dir-search__summary");
  var list = box.querySelector(".dir-search__results");
  var more = box.querySelector(".dir-search__more");
  var empty = box.querySelector(".dir-search__empty");
  var VISIBLE_FILTERS = ["名录", "类别", "城市", "状态"];
  var GROUPS = ["1", "2", "3"];
  var PAGE = 10;
  var pagefind = null, shards = {}, chosen = {}, items = [], shown = 0, seen = {}, skipped = 0, generation = 0;

  // --- the same text rules as directory/site/search.py -------------------------------------
  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;
  var WORD = /[\p{L}\p{N}]/u;

  function normalise(text) {
    return String(text).normalize("NFKC").replace(/[^\p{L}\p{N}]+/gu, "").toUpperCase();
  }

  function queryTokens(text) {
    var tokens = [], run = "", type = "";
    function flush() {
      if (type === "han") {
        var chars = Array.from(run);
        if (chars.length === 1) { tokens.push(run); }
        for (var i = 0; i + 1 < chars.length; i++) { tokens.push(chars[i] + chars[i + 1]); }
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

  function fnv1a(text) {
    var bytes = new TextEncoder().encode(text), hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0; }
    return hash >>> 0;
  }

  // for tests/test_browser_search.py: the same text rules as Python, checked on the same strings
  window.directorySearch = { normalise: normalise, queryTokens: queryTokens, fnv1a: fnv1a };

  // --- loading -----------------------------------------------------------------------------
  function loadPagefind() {
    if (pagefind) { return Promise.resolve(pagefind); }
    return import(new URL("pagefind/pagefind.js", siteRoot).href).then(function (module) {
      return module.options({ baseUrl: siteRoot.pathname }).then(function () { pagefind = module; return module; });
    });
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

  // Draws the next page of results; pagefind's are fetched (one small fragment each) only now.
  function showMore() {
    var mine = generation;
    var batch = items.slice(shown, shown + PAGE);
    shown += batch.length;
    more.hidden = shown >= items.length;
    return Promise.all(batch.map(function (item) {
      return item.hit ? fromHit(item.hit) : item.result.data().then(fromPage);
    })).then(function (results) {
      if (mine !== generation) { return; }
      results.forEach(function (result) { if (!draw(result)) { skipped += 1; } });
      count(items.length - skipped);
      box.removeAttribute("aria-busy");
    });
  }

  function count(total) {
    var query = input.value.trim();
    summary.textContent = total
      ? "找到 " + total + " 条结果" + (query ? "：“" + query + "”" : "")
      : "没有找到" + (query ? "与“" + query + "”" : "") + "相关的结果";
    empty.hidden = total > 0;
  }

  // --- searching ---------------------------------------------------------------------------
  function withFilters(extra) {
    var filters = {};
    Object.keys(chosen).forEach(function (name) { filters[name] = chosen[name]; });
    Object.keys(extra).forEach(function (name) { filters[name] = extra[name]; });
    return filters;
  }

  function byGroups(pf, term, extra) {
    return GROUPS.reduce(function (chain, group) {
      return chain.then(function (found) {
        return pf.search(term, { filters: withFilters(Object.assign({ "分组": group }, extra)) })
          .then(function (search) { return found.concat(search ? search.results : []); });
      });
    }, Promise.resolve([]));
  }

  function run() {
    var mine = ++generation;
    var query = input.value.trim();
    writeAddress(query);
    list.textContent = ""; items = []; shown = 0; seen = {}; skipped = 0; more.hidden = true;
    var tokens = queryTokens(query);
    if (!tokens.length && !Object.keys(chosen).length) {
      summary.textContent = ""; empty.hidden = true;
      return Promise.resolve();
    }
    summary.textContent = "正在搜索…";
    box.setAttribute("aria-busy", "true");
    return Promise.all([keyHits(normalise(query)), loadPagefind()]).then(function (found) {
      var hits = found[0], pf = found[1];
      var filtered = Object.keys(chosen).length > 0;
      var exact = hits.filter(function (hit) { return hit.u && !filtered; }).map(function (hit) { return { hit: hit }; });
      var places = hits.filter(function (hit) { return hit.r; });
      var lists = places.map(function (place) {
        var extra = {}; extra[place.r] = place.v;
        return byGroups(pf, null, extra);
      });
      if (tokens.length) { lists.push(byGroups(pf, tokens.join(" "), {})); }
      else { lists.push(byGroups(pf, null, {})); }
      return Promise.all(lists).then(function (results) {
        if (mine !== generation) { return; }
        items = exact.concat.apply(exact, results.map(function (group) {
          return group.map(function (result) { return { result: result }; });
        }));
        return dedupe().then(showMore);
      });
    }).catch(function () {
      if (mine === generation) { summary.textContent = "搜索暂时不可用，请刷新页面后再试"; }
    });
  }

  // A page found by two sources (its name and a place) is listed once: pagefind results carry
  // an id, so duplicates among them are dropped before counting; a key hit's page is dropped
  // from the pagefind part when its fragment is drawn.
  function dedupe() {
    var ids = {};
    items = items.filter(function (item) {
      if (!item.result) { return true; }
      if (ids[item.result.id]) { return false; }
      ids[item.result.id] = true;
      return true;
    });
    var exactUrls = {};
    items.forEach(function (item) { if (item.hit) { exactUrls[item.hit.u] = true; } });
    if (!Object.keys(exactUrls).length) { return Promise.resolve(); }
    // the exact pages are usually the first pagefind results too: look at the first few only
    var firstFew = items.filter(function (item) { return item.result; }).slice(0, PAGE);
    return Promise.all(firstFew.map(function (item) { return item.result.data(); })).then(function (pages) {
      var drop = {};
      pages.forEach(function (page, i) { if (exactUrls[fromPage(page).url]) { drop[firstFew[i].result.id] = true; } });
      items = items.filter(function (item) { return !(item.result && drop[item.result.id]); });
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
    return loadPagefind().then(function (pf) { return pf.filters(); }).then(function (filters) {
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
  more.addEventListener("click", showMore);
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
