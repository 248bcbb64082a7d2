// Pagefind search UI in Chinese; `?q=…` in the address starts a search.
window.addEventListener("DOMContentLoaded", function () {
  var ui = new PagefindUI({
    element: "#dir-search",
    showSubResults: false,
    showImages: false,
    translations: {
      placeholder: "搜索服务机构、专家、服务内容、地区",
      clear_search: "清除",
      load_more: "加载更多结果",
      search_label: "搜索本站",
      filters_label: "筛选",
      zero_results: "没有找到与“[SEARCH_TERM]”相关的结果",
      many_results: "找到 [COUNT] 条与“[SEARCH_TERM]”相关的结果",
      one_result: "找到 [COUNT] 条与“[SEARCH_TERM]”相关的结果",
      alt_search: "没有找到“[SEARCH_TERM]”的结果，以下是“[DIFFERENT_TERM]”的结果",
      search_suggestion: "没有找到“[SEARCH_TERM]”的结果，请换个关键词试试",
      searching: "正在搜索“[SEARCH_TERM]”…"
    }
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) { ui.triggerSearch(query); }
});
