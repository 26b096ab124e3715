/*!
 * Baton agent console: canned replies. Plain ES2017, no dependencies.
 *
 * - The picker, for agents in a case: "/" in an empty reply box, or Ctrl+K (Cmd+K) in it,
 *   opens a list of the replies in the customer's language; typing filters by title, the
 *   arrow keys choose, Enter puts the reply, filled in for this customer, into the reply box
 *   to edit before sending, Esc closes.
 * - The editor, for leads ("Canned replies" in the top bar): the replies per language, add,
 *   edit, archive and bring back. The server refuses what cannot be saved (an empty or too
 *   long text, a misspelt placeholder) and the reason is shown next to the form.
 *
 * The console's own state comes from console.js (window.BatonConsole). Text is only ever
 * inserted with textContent.
 */
(function () {
  "use strict";

  var PLACEHOLDER = /\{([^{}]*)\}/g;
  var canned = {
    items: [], // every reply in use: {id, language, title, body, ...}
    shown: [], // the picker's matches
    active: 0,
    editing: null, // the reply the lead edits; null: a new one
  };

  function $(id) { return document.getElementById(id); }
  function host() { return window.BatonConsole; }
  function t(key, vars) { return window.BatonI18n ? window.BatonI18n.t(key, vars) : key; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // --- filling placeholders (mirrors handoff/canned.py, case_values and fill) -------------

  function orderNumber(ctx) {
    var known = (ctx.bot_knows || {}).order_number;
    if (typeof known === "string" && known) return known;
    var orders = ctx.orders || [];
    for (var i = 0; i < orders.length; i++) {
      if (orders[i] && orders[i].number) return String(orders[i].number);
    }
    return "";
  }

  function values() {
    var current = host().current();
    var ctx = (current && current.context) || {};
    var code = (ctx.language && ctx.language.code) || "en";
    var me = host().me();
    // Without a name: "Hi there", "안녕하세요 고객님", "您好".
    return {
      first_name: (ctx.customer && ctx.customer.first_name) || (code === "en" ? "there" : ""),
      agent: me ? me.display_name : "",
      shop: host().shop() || "",
      order_number: orderNumber(ctx),
    };
  }

  function fill(body) {
    var known = values();
    return String(body).replace(PLACEHOLDER, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(known, name) ? known[name] : whole;
    }).replace(/ {2,}/g, " ");
  }

  // --- loading ----------------------------------------------------------------------------

  function load() {
    return host().reloadCanned().then(function (data) {
      canned.items = (data.items || []).filter(function (r) { return !r.archived; });
      return data;
    });
  }

  function start(agent) {
    // A new login (perhaps after a lead logged out from the editor) starts on the cases.
    $("canned-admin").hidden = true;
    $("canned-picker").hidden = true;
    document.querySelector("main.layout").hidden = false;
    $("canned-admin-open").hidden = !(agent && agent.role === "lead");
    load().catch(function () {});
  }

  // --- the picker -------------------------------------------------------------------------

  function forLanguage() {
    var code = host().language();
    var mine = canned.items.filter(function (r) { return r.language === code; });
    return mine.length ? mine : canned.items.filter(function (r) { return r.language === "en"; });
  }

  function matches(query) {
    var q = query.trim().toLowerCase();
    var replies = forLanguage();
    if (!q) return replies;
    var starts = [], within = [];
    replies.forEach(function (r) {
      var title = r.title.toLowerCase();
      if (title.indexOf(q) === 0) starts.push(r);
      else if (title.indexOf(q) > 0) within.push(r);
    });
    return starts.concat(within);
  }

  function renderPicker() {
    var list = $("canned-list");
    clear(list);
    canned.shown = matches($("canned-filter").value);
    if (canned.active >= canned.shown.length) canned.active = Math.max(0, canned.shown.length - 1);
    if (!canned.shown.length) {
      list.appendChild(el("li", "muted", t("canned.no_match")));
      return;
    }
    canned.shown.forEach(function (r, i) {
      var item = el("li", i === canned.active ? "active" : null);
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", i === canned.active ? "true" : "false");
      item.dataset.cannedId = r.id;
      item.appendChild(el("span", "title", r.title));
      var preview = fill(r.body);
      item.appendChild(el("span", "preview", preview.length > 90 ? preview.slice(0, 87) + "…" : preview));
      item.addEventListener("mousedown", function (e) { e.preventDefault(); insert(r); });
      list.appendChild(item);
    });
    var active = list.children[canned.active];
    if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
  }

  function openPicker() {
    if ($("reply-text").disabled) return;
    canned.active = 0;
    $("canned-filter").value = "";
    $("canned-picker").hidden = false;
    renderPicker();
    $("canned-filter").focus();
  }

  function closePicker() {
    $("canned-picker").hidden = true;
    $("reply-text").focus();
  }

  function insert(reply) {
    var box = $("reply-text");
    var text = fill(reply.body);
    var before = box.value.slice(0, box.selectionStart || 0);
    var after = box.value.slice(box.selectionEnd || 0);
    box.value = before + text + after;
    $("canned-picker").hidden = true;
    box.focus();
    var caret = before.length + text.length;
    box.setSelectionRange(caret, caret);
  }

  function onReplyKey(e) {
    var box = $("reply-text");
    if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      openPicker();
    } else if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey && box.value.trim() === "") {
      e.preventDefault();
      box.value = "";
      openPicker();
    }
  }

  function onFilterKey(e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      var n = canned.shown.length;
      if (!n) return;
      canned.active = (canned.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      renderPicker();
    } else if (e.key === "Enter") {
      e.preventDefault();
      var chosen = canned.shown[canned.active];
      if (chosen) insert(chosen);
    } else if (e.key === "Escape") {
      e.preventDefault();
      closePicker();
    }
  }

  // --- the leads' editor ------------------------------------------------------------------

  function showAdmin(show) {
    $("canned-admin").hidden = !show;
    document.querySelector("main.layout").hidden = show;
    if (show) {
      $("canned-admin-language").value = host().language();
      renderAdmin();
    } else {
      load().catch(function () {});
    }
  }

  function renderAdmin() {
    var code = $("canned-admin-language").value;
    var archived = $("canned-admin-archived").checked;
    var path = "/api/canned-replies?language=" + encodeURIComponent(code) + (archived ? "&archived=true" : "");
    return host().api("GET", path).then(function (data) {
      var body = $("canned-admin-list");
      clear(body);
      if (!data.items.length) {
        var row = el("tr");
        var cell = el("td", "muted", t("admin.empty"));
        cell.colSpan = 4;
        row.appendChild(cell);
        body.appendChild(row);
      }
      data.items.forEach(function (r) {
        var row = el("tr", r.archived ? "archived" : null);
        row.dataset.cannedId = r.id;
        row.appendChild(el("td", "title", r.title + (r.archived ? t("admin.archived") : "")));
        row.appendChild(el("td", "body", r.body));
        row.appendChild(el("td", "muted", (r.updated_by || t("admin.built_in")) + (r.updated_at ? " · " + new Date(r.updated_at).toLocaleString([], { dateStyle: "short", timeStyle: "short" }) : "")));
        var actions = el("td", "row-actions");
        var edit = el("button", "secondary", t("admin.edit"));
        edit.type = "button";
        edit.addEventListener("click", function () { openForm(r); });
        var toggle = el("button", r.archived ? "secondary" : "danger", t(r.archived ? "admin.bring_back" : "admin.archive"));
        toggle.type = "button";
        toggle.addEventListener("click", function () { setArchived(r, !r.archived); });
        actions.appendChild(edit);
        actions.appendChild(toggle);
        row.appendChild(actions);
        body.appendChild(row);
      });
    });
  }

  function openForm(reply) {
    canned.editing = reply || null;
    $("canned-form").hidden = false;
    $("canned-form-title").textContent = reply ? t("admin.edit_title", { title: reply.title }) : t("admin.add");
    $("canned-form-language").value = reply ? reply.language : $("canned-admin-language").value;
    $("canned-form-name").value = reply ? reply.title : "";
    $("canned-form-body").value = reply ? reply.body : "";
    $("canned-form-error").textContent = "";
    $("canned-form-name").focus();
  }

  function closeForm() {
    canned.editing = null;
    $("canned-form").hidden = true;
    $("canned-form-error").textContent = "";
  }

  function save(event) {
    event.preventDefault();
    var fields = {
      language: $("canned-form-language").value,
      title: $("canned-form-name").value,
      body: $("canned-form-body").value,
    };
    var editing = canned.editing;
    var request = editing
      ? host().api("PATCH", "/api/canned-replies/" + editing.id, fields)
      : host().api("POST", "/api/canned-replies", fields);
    $("canned-form-save").disabled = true;
    request.then(function (data) {
      closeForm();
      $("canned-admin-language").value = data.reply.language;
      return renderAdmin();
    }).catch(function (err) {
      $("canned-form-error").textContent = err.message;
    }).then(function () { $("canned-form-save").disabled = false; });
  }

  function setArchived(reply, archived) {
    host().api("PATCH", "/api/canned-replies/" + reply.id, { archived: archived })
      .then(renderAdmin)
      .catch(function (err) { window.alert(err.message); });
  }

  // --- wiring -----------------------------------------------------------------------------

  window.BatonCanned = { start: start, fill: fill, open: openPicker };

  document.addEventListener("DOMContentLoaded", function () {
    $("reply-text").addEventListener("keydown", onReplyKey);
    $("canned-filter").addEventListener("input", function () { canned.active = 0; renderPicker(); });
    $("canned-filter").addEventListener("keydown", onFilterKey);
    $("canned-filter").addEventListener("blur", function () {
      setTimeout(function () { if (document.activeElement !== $("canned-filter")) $("canned-picker").hidden = true; }, 150);
    });
    $("canned-admin-open").addEventListener("click", function () { showAdmin(true); });
    $("canned-admin-close").addEventListener("click", function () { showAdmin(false); });
    $("canned-admin-language").addEventListener("change", function () { closeForm(); renderAdmin(); });
    $("canned-admin-archived").addEventListener("change", renderAdmin);
    $("canned-admin-new").addEventListener("click", function () { openForm(null); });
    $("canned-form").addEventListener("submit", save);
    $("canned-form-cancel").addEventListener("click", closeForm);
  });
})();
