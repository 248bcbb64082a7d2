// 核验: the status of a credit code or a full name on a date, from the static files the build
// writes into verify/data/ (directory/site/verify.py). The state of each record on every day is
// worked out there as intervals; this script only normalises the key, picks its shard and compares
// the date with interval bounds (YYYY-MM-DD strings compare as dates). Its state lives in the
// address, ?q=…&date=…, so an answer can be linked, printed and checked again.
(function () {
  "use strict";
  var box = document.getElementById("dir-verify");
  if (!box) { return; }
  var dataRoot = new URL(box.getAttribute("data-verify-data") || "verify/data/", window.location.href);
  var siteRoot = new URL(box.getAttribute("data-site-root") || "./", window.location.href);
  var form = box.querySelector(".dir-verify__form");
  var query = document.getElementById("dir-verify-q");
  var day = document.getElementById("dir-verify-date");
  var answer = box.querySelector(".dir-verify__answer");
  var meta = null, shards = {}, asked = 0;

  // --- the same functions as verify.py's lookup_key and shard_of ---
  function lookupKey(text) {
    return String(text).normalize("NFKC").replace(/[\p{P}\p{Z}\t\n\v\f\r\uFEFF]/gu, "")
      .replace(/[a-z]/g, function (c) { return c.toUpperCase(); });
  }
  function shardOf(key, count) {
    var hash = 0x811c9dc5;
    new TextEncoder().encode(key).forEach(function (byte) { hash = Math.imul(hash ^ byte, 0x01000193); });
    return (hash >>> 0) % count;
  }
  window.dirVerify = { lookupKey: lookupKey, shardOf: shardOf };   // for the tests

  function todayInChina() {
    var parts = {};
    new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" })
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }
  function isDate(text) {
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text)) { return false; }
    var d = new Date(text + "T00:00:00Z");
    return !isNaN(d) && d.toISOString().slice(0, 10) === text;
  }
  function chineseDate(text) {   // 2026-12-07 -> 2026年12月7日
    var p = text.split("-");
    return p[0] + "年" + parseInt(p[1], 10) + "月" + parseInt(p[2], 10) + "日";
  }

  function el(tag, className, content) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (content !== undefined) { element.textContent = content; }
    return element;
  }

  function getJSON(name) {
    return fetch(new URL(name, dataRoot).href).then(function (response) {
      if (!response.ok) { throw new Error(name + ": " + response.status); }
      return response.json();
    });
  }
  function loadMeta() {
    if (!meta) { meta = getJSON("meta.json"); }
    return meta;
  }
  function loadShard(number) {
    if (!shards[number]) { shards[number] = getJSON(number + ".json"); }
    return shards[number];
  }

  function stateOn(record, date) {
    for (var i = 0; i < record.intervals.length; i++) {
      var span = record.intervals[i];
      if ((!span.from || span.from <= date) && (!span.until || date <= span.until)) { return span.state; }
    }
    return "not_yet";
  }

  // "no record" with a hint when the text looks like a mistyped credit code
  function codeHint(key, info) {
    if (!/^[0-9A-Z]{15,20}$/.test(key) || !/[0-9]/.test(key)) { return ""; }
    if (key.length !== 18) { return "统一社会信用代码应为 18 位，您输入的是 " + key.length + " 位。"; }
    var charset = info.charset, total = 0;
    for (var i = 0; i < 17; i++) {
      var value = charset.indexOf(key[i]);
      if (value < 0) { return "统一社会信用代码不含字母 I、O、S、V、Z，请核对第 " + (i + 1) + " 位。"; }
      total += value * info.weights[i];
    }
    if (charset[(31 - total % 31) % 31] !== key[17]) { return "这个统一社会信用代码的校验位不对，可能有输错的字符。"; }
    return "";
  }

  function row(list, label, value) {
    if (!value) { return; }
    list.appendChild(el("dt", "", label));
    list.appendChild(el("dd", "", value));
  }
  function action(record, key, date) {   // an action is shown from its date on
    var a = record[key];
    if (!a || !a.date || a.date > date) { return ""; }
    return chineseDate(a.date) + (a.reason ? "，" + a.reason : "") + (a.basis ? "（依据 " + a.basis + "）" : "");
  }

  function card(record, date, labels) {
    var state = stateOn(record, date);
    var item = el("article", "dir-verify__card dir-verify__card--" + state);
    var word = el("p", "dir-verify__state");
    word.appendChild(el("span", "dir-badge dir-badge--" + (state === "not_yet" ? "archived" : state), labels[state] || state));
    item.appendChild(word);
    item.appendChild(el("p", "dir-verify__scheme", record.scheme));
    var name = el("p", "dir-verify__name");
    var link = el("a", "", record.name);
    link.href = new URL(record.url, siteRoot).href;
    name.appendChild(link);
    item.appendChild(name);
    var list = el("dl", "dir-fields dir-verify__fields");
    row(list, "统一社会信用代码", record.code);
    row(list, "认定批次", record.batch);
    row(list, "纳入方式", record.inclusion ? "直接纳入：" + record.inclusion : "");
    var decision = record.decision || {};
    row(list, "认定文件", [decision.doc_no, decision.date ? chineseDate(decision.date) : ""].filter(Boolean).join("，"));
    row(list, "证书编号", record.certificate_no);
    if (record.valid_from) {
      row(list, record.kind === "expert" ? "聘任期" : "有效期", chineseDate(record.valid_from) + " 至 " +
          (record.valid_until ? chineseDate(record.valid_until) : "长期"));
    }
    row(list, "暂停", action(record, "suspension", date));
    row(list, "撤销", action(record, "revocation", date));
    row(list, "退出", action(record, "withdrawal", date));
    item.appendChild(list);
    return item;
  }

  function show(q, date) {
    var ask = ++asked;
    var key = lookupKey(q);
    answer.textContent = "正在核验…";
    return loadMeta().then(function (info) {
      return loadShard(shardOf(key, info.shards)).then(function (shard) {
        if (ask !== asked) { return; }   // a newer question replaced this one
        var records = Object.prototype.hasOwnProperty.call(shard, key) ? shard[key] : [];
        answer.textContent = "";
        var head = el("p", "dir-verify__asof");
        head.appendChild(el("strong", "", "截至 " + chineseDate(date)));
        if (!records.length) {
          head.appendChild(document.createTextNode("，本库没有“" + q + "”的认定记录。"));
          answer.appendChild(head);
          var hint = codeHint(key, info.credit_code);
          var help = el("p", "dir-verify__help", (hint ? hint + " " : "") +
            "请核对统一社会信用代码（18 位）或名称全称后再试，或到");
          var search = el("a", "", "搜索页");
          search.href = new URL("search/?q=" + encodeURIComponent(q), siteRoot).href;
          help.appendChild(search);
          help.appendChild(document.createTextNode("按关键词查找。"));
          answer.appendChild(help);
        } else {
          head.appendChild(document.createTextNode("，“" + q + "”在本库有 " + records.length + " 条认定记录："));
          answer.appendChild(head);
          records.forEach(function (record) { answer.appendChild(card(record, date, info.labels)); });
        }
        answer.appendChild(el("p", "dir-verify__address", "核验地址：" + window.location.href));
      });
    }).catch(function () {
      if (ask === asked) { answer.textContent = "核验数据暂时无法读取，请稍后再试。"; }
    });
  }

  // The address is the state: read it on load and on back/forward, write it on submit.
  function fromAddress() {
    var params = new URLSearchParams(window.location.search);
    var q = (params.get("q") || "").trim();
    var date = params.get("date") || "";
    query.value = q;
    day.value = isDate(date) ? date : todayInChina();
    if (q) { show(q, day.value); } else { answer.textContent = ""; }
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = query.value.trim();
    if (!q) { return; }
    if (!isDate(day.value)) { day.value = todayInChina(); }
    var address = new URL(window.location.href);
    address.search = new URLSearchParams({ q: q, date: day.value }).toString();
    history.pushState(null, "", address.href);
    show(q, day.value);
  });
  window.addEventListener("popstate", fromAddress);
  fromAddress();
})();
