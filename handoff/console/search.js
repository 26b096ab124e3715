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
 * Every text the agent reads is in STRINGS, so it can be translated in one place. Text from
 * customers and agents is only ever inserted with textContent.
 */
(function () {
  "use strict";

  var STRINGS = {
    placeholder: "Search cases: order, e-mail, phone, name, words… (Ctrl+Shift+F)",
    searching: "Searching…",
    results: "Search results",
    customers: "Customers",
    cases: "Cases",
    nothing: "Nothing found. Try an order number, an e-mail address, a phone number or a name.",
    page: function (n) { return "Page " + n; },
    newer: "← Newer",
    older: "Older →",
    close: "Close",
    back: "← Back to the results",
    historyOf: function (name) { return "Cases of " + name; },
    noCases: "No cases for this customer.",
    anonymous: "Anonymous visitor",
    casesCount: function (n) { return n === 1 ? "1 case" : n + " cases"; },
    channels: function (list) { return list.join(", "); },
    lastCase: function (when) { return "last " + when; },
    matchedBy: {
      order: "order number", email: "e-mail", phone: "phone", name: "name", text: "message",
    },
    matched: function (list) { return "matched by " + list.join(", "); },
    note: "private note",
    opened: function (when) { return "opened " + when; },
    closed: function (when) { return "closed " + when; },
    showHistory: "Show all cases of this customer",
    failed: "The search did not work: ",
  };

  var search = { query: "", page: 1, data: null, customer: null, from: null };

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
      var back = el("button", "link", STRINGS.back);
      back.type = "button";
      back.id = "search-back";
      back.addEventListener("click", function () { renderResults(); });
      head.appendChild(back);
    }
    head.appendChild(el("h2", null, title));
    var close = el("button", "secondary", STRINGS.close);
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
    item.appendChild(el("div", "sub", [c.channel, c.status, c.reason_text].join(" · ")));
    var when = STRINGS.opened(day(c.created_at));
    if (c.closed_at) when += " · " + STRINGS.closed(day(c.closed_at));
    item.appendChild(el("div", "sub", when));
    if (withMatch && c.matched && c.matched.length) {
      item.appendChild(el("div", "sub match", STRINGS.matched(c.matched.map(function (k) {
        return STRINGS.matchedBy[k] || k;
      }))));
    }
    if (withMatch && c.snippet) {
      var quote = el("blockquote", "snippet " + c.snippet.kind, c.snippet.text);
      if (c.snippet.kind === "note") quote.title = STRINGS.note;
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
    item.appendChild(el("div", "sub", [STRINGS.casesCount(c.cases), STRINGS.channels(c.channels),
      STRINGS.lastCase(day(c.last_case_at))].join(" · ")));
    function open() { showCustomer(c.customer_id, true); }
    item.addEventListener("click", open);
    item.addEventListener("keydown", function (e) { if (e.key === "Enter") open(); });
    return item;
  }

  function pager(data, go) {
    var row = el("div", "search-pager");
    var newer = el("button", "secondary search-newer", STRINGS.newer);
    newer.type = "button";
    newer.disabled = data.page <= 1;
    newer.addEventListener("click", function () { go(data.page - 1); });
    var older = el("button", "secondary search-older", STRINGS.older);
    older.type = "button";
    older.disabled = !data.has_more;
    older.addEventListener("click", function () { go(data.page + 1); });
    row.appendChild(newer);
    row.appendChild(el("span", "muted", STRINGS.page(data.page)));
    row.appendChild(older);
    return row;
  }

  // --- search -------------------------------------------------------------------------

  function run(query, page) {
    search.query = query;
    search.page = page;
    var box = show(STRINGS.results, false);
    box.appendChild(el("p", "muted", STRINGS.searching));
    var path = "/api/search?q=" + encodeURIComponent(query) + "&page=" + page;
    return host().api("GET", path).then(function (data) {
      if (search.query !== query || search.page !== page) return; // a newer search is running
      search.data = data;
      renderResults();
    }).catch(function (err) {
      var box = show(STRINGS.results, false);
      box.appendChild(el("p", "error", STRINGS.failed + err.message));
    });
  }

  function renderResults() {
    var data = search.data;
    if (!data) return;
    var box = show(STRINGS.results, false);
    if (data.customers.length) {
      box.appendChild(el("h3", null, STRINGS.customers));
      var people = el("ul", "tickets search-customers");
      people.id = "search-customers";
      data.customers.forEach(function (c) { people.appendChild(customerItem(c)); });
      box.appendChild(people);
    }
    box.appendChild(el("h3", null, STRINGS.cases));
    if (!data.cases.length) {
      box.appendChild(el("p", "muted", STRINGS.nothing));
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
    var path = "/api/customers/" + encodeURIComponent(customerId) + "/cases?page=" + page;
    return host().api("GET", path).then(function (data) {
      var box = show(STRINGS.historyOf(data.name || STRINGS.anonymous), search.from === "results");
      box.dataset.customerId = customerId;
      box.appendChild(el("p", "muted", STRINGS.channels(data.channels)));
      if (!data.cases.length) {
        box.appendChild(el("p", "muted", STRINGS.noCases));
        return;
      }
      var list = el("ul", "tickets search-history");
      list.id = "customer-history";
      data.cases.forEach(function (c) { list.appendChild(caseItem(c, false)); });
      box.appendChild(list);
      box.appendChild(pager(data, function (p) { showCustomer(customerId, fromResults, p); }));
    }).catch(function (err) {
      var box = show(STRINGS.results, false);
      box.appendChild(el("p", "error", STRINGS.failed + err.message));
    });
  }

  /** The customer's name in a case, as a link to all their cases (console.js asks). */
  function customerLink(customerId, name) {
    var link = el("button", "link customer-link", name || STRINGS.anonymous);
    link.type = "button";
    link.title = STRINGS.showHistory;
    link.addEventListener("click", function () { showCustomer(customerId, false); });
    return link;
  }

  window.BatonSearch = { customerLink: customerLink, showCustomer: showCustomer };

  // --- wiring -------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    var field = $("search-q");
    if (!field || !panel()) return;
    field.placeholder = STRINGS.placeholder;
    field.setAttribute("aria-label", STRINGS.placeholder);
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
