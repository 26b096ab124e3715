/*!
 * Baton agent console: search and a customer's history. Plain ES2017, no dependencies.
 *
 * - The search field in the top bar (Ctrl+Shift+F, Cmd+Shift+F on a Mac, goes to it; "/" is
 *   the canned replies' key in the reply box) asks /api/search for past and open cases by
 *   order number, e-mail, phone, customer name or words from the conversation or a private
 *   note. Results open in a panel, 20 a page, newest first; the customers found come first.
 * - Clicking a case opens it in the console (a closed one read-only: no reply, no close).
 * - Clicking a customer (in the results, or the customer's name in a case) shows all their
 *   cases from /api/customers/<id>/cases, whatever the channel.
 *
 * Every text the agent reads comes from the console's dictionaries (i18n-*.js, keys search.*),
 * in the agent's language; a language change redraws the panel. Text from customers and agents
 * is only ever inserted with textContent.
 */
(function () {
  "use strict";

  function t(key, vars) { return window.BatonI18n ? window.BatonI18n.t(key, vars) : key; }

  // The fields a case matched by ("search.match." + field); an unknown one as it came.
  function matchedBy(field) {
    var text = t("search.match." + field);
    return text === "search.match." + field ? field : text;
  }

  var search = { query: "", page: 1, data: null, customer: null, from: null, view: null };

  function $(id) { return document.getElementById(id); }
  function host() { return window.BatonConsole; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function day(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }

  // --- the panel ----------------------------------------------------------------------

  function panel() { return $("search-panel"); }

  function show(title, backToResults) {
    var box = panel();
    clear(box);
    box.hidden = false;
    var head = el("div", "search-head");
    if (backToResults) {
      var back = el("button", "link", t("search.back"));
      back.type = "button";
      back.id = "search-back";
      back.addEventListener("click", function () { renderResults(); });
      head.appendChild(back);
    }
    head.appendChild(el("h2", null, title));
    var close = el("button", "secondary", t("search.close"));
    close.type = "button";
    close.id = "search-close";
    close.addEventListener("click", hide);
    head.appendChild(close);
    box.appendChild(head);
    return box;
  }

  function hide() { panel().hidden = true; }

  function caseItem(c, withMatch) {
    var item = el("li", "search-case " + c.status);
    item.dataset.ticketId = c.id;
    item.tabIndex = 0;
    item.appendChild(el("div", "who", "#" + c.id + " " + c.customer_name));
    item.appendChild(el("div", "sub", [c.channel, t("case.status." + c.status), c.reason_text].join(" · ")));
    var when = t("search.opened", { when: day(c.created_at) });
    if (c.closed_at) when += " · " + t("search.closed", { when: day(c.closed_at) });
    item.appendChild(el("div", "sub", when));
    if (withMatch && c.matched && c.matched.length) {
      item.appendChild(el("div", "sub match", t("search.matched", { fields: c.matched.map(matchedBy).join(", ") })));
    }
    if (withMatch && c.snippet) {
      var quote = el("blockquote", "snippet " + c.snippet.kind, c.snippet.text);
      if (c.snippet.kind === "note") quote.title = t("search.note");
      item.appendChild(quote);
    }
    function open() { hide(); host().openCase(c.id); }
    item.addEventListener("click", open);
    item.addEventListener("keydown", function (e) { if (e.key === "Enter") open(); });
    return item;
  }

  function customerItem(c) {
    var item = el("li", "search-customer");
    item.dataset.customerId = c.customer_id;
    item.tabIndex = 0;
    item.appendChild(el("div", "who", c.name));
    item.appendChild(el("div", "sub", [t(c.cases === 1 ? "search.cases_one" : "search.cases_many", { count: c.cases }),
      c.channels.join(", "), t("search.last_case", { when: day(c.last_case_at) })].join(" · ")));
    function open() { showCustomer(c.customer_id, true); }
    item.addEventListener("click", open);
    item.addEventListener("keydown", function (e) { if (e.key === "Enter") open(); });
    return item;
  }

  function pager(data, go) {
    var row = el("div", "search-pager");
    var newer = el("button", "secondary search-newer", t("search.newer"));
    newer.type = "button";
    newer.disabled = data.page <= 1;
    newer.addEventListener("click", function () { go(data.page - 1); });
    var older = el("button", "secondary search-older", t("search.older"));
    older.type = "button";
    older.disabled = !data.has_more;
    older.addEventListener("click", function () { go(data.page + 1); });
    row.appendChild(newer);
    row.appendChild(el("span", "muted", t("search.page", { page: data.page })));
    row.appendChild(older);
    return row;
  }

  // --- search -------------------------------------------------------------------------

  function run(query, page) {
    search.query = query;
    search.page = page;
    var box = show(t("search.results"), false);
    box.appendChild(el("p", "muted", t("search.searching")));
    var path = "/api/search?q=" + encodeURIComponent(query) + "&page=" + page;
    return host().api("GET", path).then(function (data) {
      if (search.query !== query || search.page !== page) return; // a newer search is running
      search.data = data;
      renderResults();
    }).catch(function (err) {
      var box = show(t("search.results"), false);
      box.appendChild(el("p", "error", t("search.failed", { error: err.message })));
    });
  }

  function renderResults() {
    var data = search.data;
    if (!data) return;
    search.view = null;
    var box = show(t("search.results"), false);
    if (data.customers.length) {
      box.appendChild(el("h3", null, t("search.customers")));
      var people = el("ul", "tickets search-customers");
      people.id = "search-customers";
      data.customers.forEach(function (c) { people.appendChild(customerItem(c)); });
      box.appendChild(people);
    }
    box.appendChild(el("h3", null, t("search.cases")));
    if (!data.cases.length) {
      box.appendChild(el("p", "muted", t("search.nothing")));
      return;
    }
    var list = el("ul", "tickets search-cases");
    list.id = "search-cases";
    data.cases.forEach(function (c) { list.appendChild(caseItem(c, true)); });
    box.appendChild(list);
    box.appendChild(pager(data, function (page) { run(search.query, page); }));
  }

  // --- one customer's cases -----------------------------------------------------------

  function showCustomer(customerId, fromResults, page) {
    page = page || 1;
    search.from = fromResults && search.data ? "results" : null;
    search.view = { customerId: customerId, fromResults: fromResults, page: page };
    var path = "/api/customers/" + encodeURIComponent(customerId) + "/cases?page=" + page;
    return host().api("GET", path).then(function (data) {
      var box = show(t("search.history_of", { name: data.name || t("search.anonymous") }), search.from === "results");
      box.dataset.customerId = customerId;
      box.appendChild(el("p", "muted", data.channels.join(", ")));
      if (!data.cases.length) {
        box.appendChild(el("p", "muted", t("search.no_cases")));
        return;
      }
      var list = el("ul", "tickets search-history");
      list.id = "customer-history";
      data.cases.forEach(function (c) { list.appendChild(caseItem(c, false)); });
      box.appendChild(list);
      box.appendChild(pager(data, function (p) { showCustomer(customerId, fromResults, p); }));
    }).catch(function (err) {
      var box = show(t("search.results"), false);
      box.appendChild(el("p", "error", t("search.failed", { error: err.message })));
    });
  }

  /** The customer's name in a case, as a link to all their cases (console.js asks). */
  function customerLink(customerId, name) {
    var link = el("button", "link customer-link", name || t("search.anonymous"));
    link.type = "button";
    link.title = t("search.show_history");
    link.addEventListener("click", function () { showCustomer(customerId, false); });
    return link;
  }

  window.BatonSearch = { customerLink: customerLink, showCustomer: showCustomer };

  // Another language: the open panel is drawn again in it (the field's placeholder and the
  // panel's label have data-i18n attributes in index.html, which i18n.js fills).
  if (window.BatonI18n) window.BatonI18n.onChange(function () {
    if (!panel() || panel().hidden) return;
    var view = search.view;
    if (view) showCustomer(view.customerId, view.fromResults, view.page);
    else renderResults();
  });

  // --- wiring -------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    var field = $("search-q");
    if (!field || !panel()) return;
    field.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        var query = field.value.trim();
        if (query) run(query, 1);
      } else if (e.key === "Escape") {
        hide();
        field.blur();
      }
    });
    field.addEventListener("focus", function () { if (search.data && panel().hidden) renderResults(); });
    document.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && (e.key === "F" || e.key === "f")) {
        e.preventDefault();
        field.focus();
        field.select();
      } else if (e.key === "Escape" && !panel().hidden && document.activeElement !== field) {
        hide();
      }
    });
  });
})();
