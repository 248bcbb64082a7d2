// Site search on pagefind's own API (pagefind.js + its wasm): a small Chinese UI instead of the
// 120 KB default one, so a visitor's first search stays light on a phone. The filter lists
// (名录、类别、地区、状态) load only when the visitor opens 筛选.
(function () {
  "use strict";
  var box = document.getElementById("dir-search");
  if (!box) { return; }
  var siteRoot = new URL(box.getAttribute("data-site-root") || "./", window.location.href);
  var input = box.querySelector(".dir-search__input");
  var filterBox = box.querySelector(".dir-search__filters");
  var summary = box.querySelector(".dir-search__summary");
  var list = box.querySelector(".dir-search__results");
  var more = box.querySelector(".dir-search__more");
  var pagefind = null, results = [], shown = 0, chosen = {};
  var PAGE = 10;

  function text(tag, className, content) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (content !== undefined) { element.textContent = content; }
    return element;
  }

  // pagefind's excerpt is text with <mark> around the hits; anything else that looks like a tag
  // is shown as text, never parsed as HTML.
  function safeExcerpt(excerpt) {
    return String(excerpt || "").replace(/&(?!(amp|lt|gt|quot|#39);)/g, "&amp;").replace(/<(?!\/?mark>)/g, "&lt;");
  }

  function load() {
    if (pagefind) { return Promise.resolve(pagefind); }
    return import(new URL("pagefind/pagefind.js", siteRoot).href).then(function (module) {
      pagefind = module;
      return pagefind.options({ baseUrl: siteRoot.pathname }).then(function () { return pagefind; });
    });
  }

  function renderFilters() {
    return load().then(function (pf) { return pf.filters(); }).then(function (filters) {
      var order = ["名录", "类别", "地区", "状态"];
      Object.keys(filters).sort(function (a, b) {
        return (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || (a < b ? -1 : 1);
      }).forEach(function (name) {
        var label = text("label", "dir-search__filter");
        label.appendChild(text("span", "", name));
        var select = document.createElement("select");
        select.setAttribute("data-filter", name);
        select.appendChild(new Option("全部", ""));
        Object.keys(filters[name]).sort().forEach(function (value) {
          select.appendChild(new Option(value + "（" + filters[name][value] + "）", value));
        });
        select.addEventListener("change", function () {
          if (select.value) { chosen[name] = select.value; } else { delete chosen[name]; }
          run();
        });
        label.appendChild(select);
        filterBox.appendChild(label);
      });
    });
  }

  function showMore() {
    var batch = results.slice(shown, shown + PAGE);
    shown += batch.length;
    more.hidden = shown >= results.length;
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
      pages.forEach(function (page) {
        var item = text("li", "dir-search__result");
        var link = text("a", "dir-search__title", (page.meta && page.meta.title) || page.url);
        link.href = page.url;
        item.appendChild(link);
        var facts = [];
        ["名录", "状态", "地区"].forEach(function (name) {
          if (page.filters && page.filters[name]) { facts = facts.concat(page.filters[name]); }
        });
        if (facts.length) { item.appendChild(text("div", "dir-card__meta", facts.join(" · "))); }
        var excerpt = text("p", "dir-search__excerpt");
        excerpt.innerHTML = safeExcerpt(page.excerpt);
        item.appendChild(excerpt);
        list.appendChild(item);
      });
    });
  }

  function run() {
    var query = input.value.trim();
    var filtered = Object.keys(chosen).length > 0;
    if (!query && !filtered) {
      list.textContent = ""; summary.textContent = ""; more.hidden = true;
      return Promise.resolve();
    }
    summary.textContent = "正在搜索…";
    return load().then(function (pf) {
      return pf.debouncedSearch(query || null, { filters: chosen }, 250);
    }).then(function (search) {
      if (search === null) { return; } // a newer search replaced this one
      results = search.results; shown = 0; list.textContent = "";
      summary.textContent = results.length
        ? "找到 " + results.length + " 条结果" + (query ? "：“" + query + "”" : "")
        : "没有找到" + (query ? "与“" + query + "”" : "") + "相关的结果，请换个关键词或筛选条件";
      return showMore();
    });
  }

  input.addEventListener("input", run);
  more.addEventListener("click", showMore);
  // Filter lists are fetched when the visitor opens them, not with the first search.
  var filterToggle = box.querySelector(".dir-search__filter-toggle");
  var filtersLoaded = null;
  filterToggle.addEventListener("toggle", function () {
    if (filterToggle.open && !filtersLoaded) { filtersLoaded = renderFilters(); }
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { input.value = query; run(); }
})();
