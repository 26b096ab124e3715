/*!
 * Baton agent console. Plain ES2017, no dependencies, no CDN: works offline.
 *
 * Everything shown comes from /api/ (login required); live updates arrive over the
 * WebSocket /api/live. Text from customers, agents and the shop is only ever inserted with
 * textContent: nothing is parsed as HTML.
 */
(function () {
  "use strict";

  var state = {
    me: null,
    shop: "",
    tickets: { waiting: [], active: [], closed: [] },
    current: null, // the open case (ticket detail)
    socket: null,
    retry: 1000,
    known: {},
    canned: null, // canned replies by language code
  };

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", headers: {} };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (resp) {
      if (resp.status === 401 && path !== "/api/login") {
        showLogin();
        throw new Error("login required");
      }
      return resp.json().then(function (data) {
        if (!resp.ok) {
          var failure = new Error(data.error || "HTTP " + resp.status);
          failure.data = data;
          throw failure;
        }
        return data;
      });
    });
  }

  // --- time -------------------------------------------------------------------------

  function since(iso) {
    if (!iso) return "";
    var seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 60) return "just now";
    var minutes = Math.round(seconds / 60);
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60);
    return hours + " h " + (minutes % 60) + " min";
  }

  function clock(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleString([], { dateStyle: "short", timeStyle: "short" });
  }

  // --- login ------------------------------------------------------------------------

  function showLogin() {
    if (state.socket) { state.socket.onclose = null; state.socket.close(); state.socket = null; }
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-username").focus();
  }

  function onLogin(event) {
    event.preventDefault();
    $("login-error").hidden = true;
    api("POST", "/api/login", {
      username: $("login-username").value,
      password: $("login-password").value,
    }).then(function (data) {
      $("login-password").value = "";
      start(data.agent);
    }).catch(function (err) {
      $("login-error").textContent = err.message;
      $("login-error").hidden = false;
    });
  }

  function start(agent) {
    state.me = agent;
    $("login").hidden = true;
    $("app").hidden = false;
    $("me").textContent = agent.display_name + " (" + agent.username + ")";
    if (window.BatonCanned) window.BatonCanned.start(agent); // loads the canned replies
    else loadCanned();
    refreshStatus();
    refreshQueue();
    connect();
  }

  function refreshStatus() {
    api("GET", "/api/status").then(function (s) {
      var hours = s.open_now ? "open now" : "closed, back " + s.next_opening;
      $("status-line").textContent =
        s.agents_online + " agent(s) online · hours " + s.business_hours + " · " + hours;
    }).catch(function () {});
  }

  // --- queue ------------------------------------------------------------------------

  function refreshQueue() {
    return Promise.all([
      api("GET", "/api/tickets?status=waiting"),
      api("GET", "/api/tickets?status=active"),
      api("GET", "/api/tickets?status=closed"),
    ]).then(function (lists) {
      state.tickets.waiting = lists[0].tickets;
      state.tickets.active = lists[1].tickets;
      state.tickets.closed = lists[2].tickets.slice(0, 15);
      renderQueue();
    }).catch(function () {});
  }

  function renderQueue() {
    ["waiting", "active", "closed"].forEach(function (kind) {
      var list = $("queue-" + kind);
      clear(list);
      state.tickets[kind].forEach(function (t) {
        var item = el("li");
        item.dataset.ticketId = t.id;
        if (state.current && state.current.id === t.id) item.classList.add("selected");
        if (!state.known[t.id]) { item.classList.add("fresh"); state.known[t.id] = true; }
        item.appendChild(el("div", "who", "#" + t.id + " " + t.customer_name));
        var sub = t.channel + " · " + t.reason_text;
        if (kind === "waiting") sub += " · waiting " + since(t.created_at);
        if (kind === "active") sub += " · " + (t.claimed_by_name || "");
        if (kind === "closed" && t.csat_rating) sub += " · rated " + t.csat_rating + "/5";
        item.appendChild(el("div", "sub", sub));
        item.addEventListener("click", function () { openCase(t.id); });
        list.appendChild(item);
      });
      var count = $("count-" + kind);
      if (count) count.textContent = state.tickets[kind].length;
    });
  }

  // --- one case ---------------------------------------------------------------------

  function openCase(id) {
    return api("GET", "/api/tickets/" + id).then(function (detail) {
      state.current = detail;
      renderCase();
      renderQueue();
    }).catch(function () {});
  }

  function dl(pairs) {
    var list = el("dl");
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === "") return;
      list.appendChild(el("dt", null, p[0]));
      var dd = el("dd");
      if (p[1] instanceof Node) dd.appendChild(p[1]); else dd.textContent = String(p[1]);
      list.appendChild(dd);
    });
    return list;
  }

  function link(href, text) {
    var a = el("a", null, text);
    if (/^https?:\/\//.test(href)) { a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer"; }
    return a;
  }

  function renderCustomer(ctx) {
    var box = $("case-customer");
    clear(box);
    var c = ctx.customer;
    var conv = ctx.conversation || {};
    if (!c) {
      box.appendChild(el("p", "muted", "Not identified (anonymous " + (conv.channel || "") + " visitor)."));
    } else {
      box.appendChild(dl([
        ["Name", c.name], ["Customer #", c.id], ["E-mail", c.email], ["Phone", c.phone],
        ["Postcode", c.postal_code],
      ]));
      if (c.identities && c.identities.length) {
        var ids = el("ul");
        c.identities.forEach(function (i) {
          ids.appendChild(el("li", null, i.channel + ": " + i.id + (i.note ? " (" + i.note + ")" : "")));
        });
        box.appendChild(el("h3", null, "Linked identities"));
        box.appendChild(ids);
      }
    }
    box.appendChild(dl([
      ["Channel", conv.channel], ["Display name", conv.display_name],
      ["In conversation since", clock(conv.first_message_at || conv.started_at)],
    ]));
    (ctx.notes || []).forEach(function (n) { box.appendChild(el("p", "error", n)); });
  }

  function renderOrders(ctx) {
    var box = $("case-orders");
    clear(box);
    var orders = ctx.orders || [];
    if (!orders.length) { box.appendChild(el("p", "muted", "No orders known.")); return; }
    orders.forEach(function (o) {
      var div = el("div", "order");
      div.dataset.order = o.number;
      var line = el("div", "line", o.number + " · " + o.status.replace(/_/g, " ") + " · " + o.total + " ");
      if (!o.verified) line.appendChild(el("span", "tag warn", "ownership not proven"));
      div.appendChild(line);
      div.appendChild(el("div", "muted", "Placed " + clock(o.placed_at) + " · " + o.payment_method + " (" + o.payment_status + ")"));
      var items = el("ul");
      (o.items || []).forEach(function (i) { items.appendChild(el("li", null, i.quantity + " × " + i.name + " — " + i.unit_price)); });
      div.appendChild(items);
      (o.shipments || []).forEach(function (s) {
        var p = el("div", "muted");
        p.appendChild(document.createTextNode(s.carrier + " " + s.status.replace(/_/g, " ") + " · "));
        p.appendChild(link(s.tracking_url, s.tracking_number));
        var last = (s.events || [])[s.events.length - 1];
        if (last) p.appendChild(document.createTextNode(" · " + last.description + " (" + last.location + ", " + clock(last.at) + ")"));
        if (s.estimated_delivery) p.appendChild(document.createTextNode(" · ETA " + s.estimated_delivery));
        div.appendChild(p);
      });
      if (o.cancellation_reason) div.appendChild(el("div", "muted", "Cancelled: " + o.cancellation_reason));
      box.appendChild(div);
    });
  }

  function renderReturns(ctx) {
    var box = $("case-returns");
    clear(box);
    var any = false;
    (ctx.returns || []).forEach(function (r) {
      any = true;
      box.appendChild(el("div", "order", r.rma + " · order " + r.order_number + " · " + r.status + " · " + r.reason + " · refund " + r.refund_amount));
    });
    (ctx.refunds || []).forEach(function (r) {
      any = true;
      box.appendChild(el("div", "order", "Refund " + r.amount + " for " + r.order_number + " · " + r.status + (r.refunded_at ? " " + clock(r.refunded_at) : "")));
    });
    (ctx.policy_cases || []).forEach(function (c) {
      any = true;
      box.appendChild(el("div", "order", "Policy case: " + c.summary));
    });
    if (!any) box.appendChild(el("p", "muted", "None."));
  }

  function renderKnows(ctx) {
    var box = $("case-knows");
    clear(box);
    var knows = ctx.bot_knows || {};
    var keys = Object.keys(knows);
    if (!keys.length) { box.appendChild(el("p", "muted", "Nothing yet.")); return; }
    box.appendChild(dl(keys.map(function (k) {
      var v = knows[k];
      return [k.replace(/_/g, " "), Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v)];
    })));
  }

  function renderIntents(ctx) {
    var box = $("case-intents");
    clear(box);
    var list = el("ul");
    (ctx.intents || []).forEach(function (i) {
      var pct = i.confidence === null ? "?" : Math.round(i.confidence * 100) + "%";
      list.appendChild(el("li", null, "“" + i.text + "” → " + i.intent + " (" + pct + ")"));
    });
    box.appendChild(list);
  }

  function renderEarlier(detail) {
    var box = $("case-earlier");
    clear(box);
    var ctx = detail.context || {};
    var any = false;
    (detail.earlier_handoffs || []).forEach(function (h) {
      any = true;
      var div = el("div", "earlier");
      div.appendChild(el("p", null, "Handoff #" + h.id + " · " + h.channel + " · " + clock(h.created_at) + " · " + (h.claimed_by_name || "unclaimed") + (h.csat_rating ? " · rated " + h.csat_rating + "/5" : "") + (h.csat_comment ? " “" + h.csat_comment + "”" : "")));
      h.messages.slice(-4).forEach(function (m) { div.appendChild(el("p", "muted", (m.kind === "agent" ? m.agent_name : "Customer") + ": " + m.text)); });
      box.appendChild(div);
    });
    (ctx.recent_conversations || []).forEach(function (c) {
      any = true;
      var div = el("div", "earlier");
      div.appendChild(el("p", null, c.channel + " conversation · last message " + clock(c.last_at ? new Date(c.last_at * 1000).toISOString() : null)));
      c.messages.slice(-4).forEach(function (m) { div.appendChild(el("p", "muted", (m.agent_name || m.sender) + ": " + m.text)); });
      box.appendChild(div);
    });
    if (!any) box.appendChild(el("p", "muted", "None."));
  }

  // A photo or file the customer sent (the message's `attachments` reference, untrusted):
  // shown through the service's own route, which wants this agent's login.
  var REFERENCE = /^uploads\/([A-Za-z0-9_-]{1,200})\/([A-Za-z0-9_-]{1,200}\.[a-z0-9]{1,5})$/;
  var INLINE = /^image\/(jpeg|png|webp|gif)$/;

  function attachmentNode(a) {
    var found = a && typeof a.path === "string" ? REFERENCE.exec(a.path) : null;
    var photo = a && a.kind === "image";
    if (!found) return el("span", "attachment missing", (photo ? "Photo" : "File") + " not kept on this server");
    var url = "/api/attachments/" + found[1] + "/" + found[2];
    var link = el("a", "attachment");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    if (photo && INLINE.test(a.content_type || "")) {
      var img = el("img", "thumb");
      img.src = url;
      img.alt = "Photo from the customer (click to open)";
      img.loading = "lazy";
      link.appendChild(img);
    } else {
      var size = typeof a.bytes === "number" ? " (" + Math.max(1, Math.round(a.bytes / 1024)) + " KB)" : "";
      link.textContent = "Open " + (a.content_type === "application/pdf" ? "PDF" : "file") + " " + found[2] + size;
    }
    return link;
  }

  function messageNode(m) {
    var kind = m.kind || m.sender;
    if (kind === "customer") kind = "user";
    var li = el("li", "msg " + kind);
    if (m.id) li.dataset.messageId = m.id;
    var by = { user: "Customer", bot: "Bot", agent: m.agent_name || "Agent", note: "Note · " + (m.agent_name || ""), system: "" }[kind];
    if (by) li.appendChild(el("span", "by", by + (m.at || m.created_at ? " · " + clock(m.at || m.created_at) : "")));
    li.appendChild(document.createTextNode(m.text));
    (Array.isArray(m.attachments) ? m.attachments : []).forEach(function (a) { li.appendChild(attachmentNode(a)); });
    if (kind === "agent" && m.delivered === false) li.appendChild(el("span", "pending", " (not delivered yet)"));
    return li;
  }

  function renderTranscript(detail) {
    var list = $("transcript");
    clear(list);
    ((detail.context || {}).transcript || []).forEach(function (m) { list.appendChild(messageNode(m)); });
    list.appendChild(el("li", "msg divider", "Handed off " + clock(detail.created_at)));
    detail.messages.forEach(function (m) { list.appendChild(messageNode(m)); });
    list.scrollTop = list.scrollHeight;
  }

  function renderCase() {
    var d = state.current;
    $("case-empty").hidden = !!d;
    $("case-body").hidden = !d;
    if (!d) return;
    var ctx = d.context || {};
    $("case-title").textContent = "#" + d.id + " " + d.customer_name;
    var meta = d.channel + " · " + d.status;
    if (d.status === "waiting") meta += " · waiting " + since(d.created_at);
    if (d.claimed_by_name) meta += " · claimed by " + d.claimed_by_name;
    if (d.after_hours) meta += " · left a message (nobody was online)";
    if (d.csat_rating) meta += " · rated " + d.csat_rating + "/5";
    $("case-meta").textContent = meta;
    $("case-reason").textContent = (ctx.reason && ctx.reason.text) || d.reason_text;
    // The customer's language, prominently: the agent answers in it, and the canned
    // replies switch to that language's set.
    var lang = ticketLanguage(ctx);
    $("case-language").textContent = lang.name;
    $("case-language").className = lang.code === "en" ? "lang" : "lang other";
    $("case-language").dataset.language = lang.code;
    fillCannedOptions(lang.code);
    var open = d.status !== "closed";
    $("claim").hidden = !(d.status === "waiting");
    $("close").disabled = !open;
    $("reply-send").disabled = !open;
    $("reply-text").disabled = !open;
    renderWhatsAppWindow(d);
    renderCustomer(ctx);
    renderOrders(ctx);
    renderReturns(ctx);
    renderKnows(ctx);
    renderIntents(ctx);
    renderEarlier(d);
    renderTranscript(d);
  }

  // --- WhatsApp after 24 hours --------------------------------------------------------
  // WhatsApp refuses free-form messages once the customer's last message is 24 hours old:
  // the case shows why, and the approved re-opening template, instead of the reply box.

  function renderWhatsAppWindow(d) {
    var w = d.whatsapp_window;
    var closed = !!w && !w.open && d.status !== "closed";
    $("wa-window").hidden = !closed;
    $("reply-form").hidden = closed;
    if (!closed) return;
    var why = w.refused_by_whatsapp
      ? "WhatsApp refused the last message: the customer's 24-hour window is closed, so it only allows an approved template now."
      : "The customer's last message was " + w.hours_since_last + " hours ago; WhatsApp only allows an approved template now.";
    if (!w.template_configured) {
      why += " No re-opening template is configured (WHATSAPP_REOPEN_TEMPLATE_SID): reach the customer another way, e.g. by e-mail.";
    } else if (w.template_sent_at) {
      var ago = since(w.template_sent_at);
      why += " The re-opening template was sent " + (ago === "just now" ? ago : ago + " ago") + "; the reply box returns when the customer answers.";
    }
    $("wa-window-text").textContent = why;
    $("wa-template-preview").hidden = !w.template_configured;
    $("wa-template-preview").textContent = w.template_preview || "";
    $("wa-template-send").hidden = !w.template_configured;
    $("wa-template-send").textContent = w.template_sent_at ? "Send the re-opening template again" : "Send the re-opening template";
  }

  function onSendTemplate() {
    $("wa-template-send").disabled = true;
    $("wa-template-state").textContent = "sending…";
    act("/template").then(function (m) {
      $("wa-template-state").textContent = m && m.delivered === false ? "queued: WhatsApp is not reachable yet" : "template sent";
    }).catch(function (err) {
      $("wa-template-state").textContent = err.message;
    }).then(function () { $("wa-template-send").disabled = false; });
  }

  // A customer's message (re-opens the window) or WhatsApp's refusal (closes it).
  function windowMayHaveChanged(message) {
    var current = state.current;
    if (!current || !current.whatsapp_window || message.ticket_id !== current.id) return false;
    return message.kind === "customer" ? !current.whatsapp_window.open : message.kind === "system";
  }

  // --- actions ----------------------------------------------------------------------

  function act(path, body) {
    if (!state.current) return Promise.resolve();
    var id = state.current.id;
    return api("POST", "/api/tickets/" + id + path, body || {}).then(function (result) {
      return openCase(id).then(function () { refreshQueue(); return result; });
    });
  }

  function onReply(event) {
    event.preventDefault();
    var text = $("reply-text").value.trim();
    if (!text) return;
    $("reply-send").disabled = true;
    $("reply-state").textContent = "sending…";
    act("/messages", { text: text }).then(function (m) {
      $("reply-text").value = "";
      $("reply-state").textContent = m && m.delivered === false ? "queued: the customer's channel is not reachable yet" : "sent";
    }).catch(function (err) {
      $("reply-state").textContent = err.message;
      if (err.data && err.data.window_closed && state.current) openCase(state.current.id);
    }).then(function () { $("reply-send").disabled = false; });
  }

  function onNote(event) {
    event.preventDefault();
    var text = $("note-text").value.trim();
    if (!text) return;
    act("/notes", { text: text }).then(function () { $("note-text").value = ""; });
  }

  function ticketLanguage(ctx) {
    var lang = ctx.language || {};
    return { code: lang.code || "en", name: lang.name || "English" };
  }

  // The canned replies (from the canned_replies table, edited by leads), again after a lead
  // changed them: the menu is redrawn for the open case's language.
  function loadCanned() {
    return api("GET", "/api/canned-replies").then(function (data) {
      state.shop = data.shop || "";
      state.canned = data.by_language || { en: data.replies };
      $("canned").dataset.language = "";
      fillCannedOptions(state.current ? ticketLanguage(state.current.context || {}).code : "en");
      return data;
    });
  }

  // The canned replies in the customer's language (English when there is no such set).
  function fillCannedOptions(code) {
    var sets = state.canned || {};
    var replies = sets[code] || sets.en || [];
    var select = $("canned");
    if (select.dataset.language === code && select.options.length > 1) return;
    select.dataset.language = code;
    while (select.options.length > 1) select.remove(1);
    replies.forEach(function (text) {
      var option = el("option", null, text.length > 70 ? text.slice(0, 67) + "…" : text);
      option.value = text;
      select.appendChild(option);
    });
  }

  function fillCanned() {
    var template = $("canned").value;
    if (!template) return;
    // Placeholders are filled by canned.js (its fill), as the picker does.
    $("reply-text").value = window.BatonCanned.fill(template);
    $("canned").value = "";
    $("reply-text").focus();
  }

  // What canned.js (the canned-reply picker and the leads' editor) may see and do.
  window.BatonConsole = {
    api: api,
    me: function () { return state.me; },
    shop: function () { return state.shop; },
    current: function () { return state.current; },
    language: function () { return ticketLanguage((state.current && state.current.context) || {}).code; },
    reloadCanned: loadCanned,
  };

  // --- live updates -----------------------------------------------------------------

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/live";
    var socket = new WebSocket(url);
    state.socket = socket;
    socket.onopen = function () {
      state.retry = 1000;
      $("live-state").textContent = "live";
      $("live-state").classList.remove("off");
      refreshQueue();
      refreshStatus();
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      onEvent(data);
    };
    socket.onclose = function () {
      $("live-state").textContent = "reconnecting";
      $("live-state").classList.add("off");
      if (state.socket !== socket) return;
      setTimeout(function () { if (state.me && state.socket === socket) connect(); }, state.retry);
      state.retry = Math.min(state.retry * 2, 15000);
    };
  }

  function onEvent(data) {
    var current = state.current;
    if (data.type === "ticket_opened" || data.type === "ticket_updated") {
      refreshQueue();
      refreshStatus();
      if (current && data.ticket && data.ticket.id === current.id) openCase(current.id);
    } else if (data.type === "message" && data.message) {
      if (windowMayHaveChanged(data.message)) openCase(current.id);
      if (current && data.message.ticket_id === current.id) {
        var exists = document.querySelector('#transcript [data-message-id="' + data.message.id + '"]');
        if (!exists) {
          current.messages.push(data.message);
          var list = $("transcript");
          list.appendChild(messageNode(data.message));
          list.scrollTop = list.scrollHeight;
        }
      }
      refreshQueue();
    } else if (data.type === "delivered" || data.type === "delivery_failed") {
      if (current && data.ticket_id === current.id) openCase(current.id);
    }
  }

  // --- wiring -----------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    $("login-form").addEventListener("submit", onLogin);
    $("reply-form").addEventListener("submit", onReply);
    $("note-form").addEventListener("submit", onNote);
    $("wa-template-send").addEventListener("click", onSendTemplate);
    $("canned").addEventListener("change", fillCanned);
    $("claim").addEventListener("click", function () { act("/claim"); });
    $("close").addEventListener("click", function () {
      if (window.confirm("Close this handoff? The conversation goes back to the bot, which asks for a rating.")) act("/close");
    });
    $("logout").addEventListener("click", function () {
      api("POST", "/api/logout", {}).catch(function () {}).then(function () { state.me = null; showLogin(); });
    });
    $("reply-text").addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) onReply(e);
    });
    setInterval(function () { if (state.me) { renderQueue(); } }, 15000);
    api("GET", "/api/me").then(function (data) { start(data.agent); }).catch(function () { showLogin(); });
  });
})();
