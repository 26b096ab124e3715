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
    live: "offline", // the live feed: offline, live, reconnecting
  };

  function $(id) { return document.getElementById(id); }

  // The console's own text in the agent's language (i18n.js); the key itself without it.
  function t(key, vars) { return window.BatonI18n ? window.BatonI18n.t(key, vars) : key; }

  // Notifications, the tab title and the settings panel (notify.js), told what happens here.
  function notify(hook, value) {
    if (window.BatonNotify && window.BatonNotify[hook]) window.BatonNotify[hook](value);
  }

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
    if (seconds < 60) return t("time.just_now");
    var minutes = Math.round(seconds / 60);
    if (minutes < 60) return t("time.minutes", { minutes: minutes });
    var hours = Math.floor(minutes / 60);
    return t("time.hours", { hours: hours, minutes: minutes % 60 });
  }

  function clock(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleString([], { dateStyle: "short", timeStyle: "short" });
  }

  // --- login ------------------------------------------------------------------------

  function showLogin() {
    if (state.socket) { state.socket.onclose = null; state.socket.close(); state.socket = null; }
    notify("stop");
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
      start(data.agent, data.preferences);
    }).catch(function (err) {
      $("login-error").textContent = err.message;
      $("login-error").hidden = false;
    });
  }

  function start(agent, preferences) {
    state.me = agent;
    notify("start", { agent: agent, preferences: preferences || {} }); // its language first
    $("login").hidden = true;
    $("app").hidden = false;
    $("me").textContent = agent.display_name + " (" + agent.username + ")";
    if (window.BatonCanned) window.BatonCanned.start(agent); // loads the canned replies
    else loadCanned();
    if (window.BatonAssign) window.BatonAssign.start(agent); // teams, transfers (assign.js)
    refreshStatus();
    refreshQueue();
    connect();
  }

  function refreshStatus() {
    api("GET", "/api/status").then(function (s) {
      var hours = s.open_now ? t("status.open_now") : t("status.closed_until", { when: s.next_opening });
      $("status-line").textContent =
        t("status.line", { agents: s.agents_online, hours: s.business_hours, state: hours });
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
    var tr = t; // inside, `t` is the ticket
    ["waiting", "active", "closed"].forEach(function (kind) {
      var list = $("queue-" + kind);
      clear(list);
      // assign.js keeps the queue to the agent's choice (mine / my teams / all)
      var shown = window.BatonAssign ? window.BatonAssign.filter(state.tickets[kind]) : state.tickets[kind];
      shown.forEach(function (t) {
        var item = el("li");
        item.dataset.ticketId = t.id;
        if (state.current && state.current.id === t.id) item.classList.add("selected");
        if (!state.known[t.id]) { item.classList.add("fresh"); state.known[t.id] = true; }
        item.appendChild(el("div", "who", "#" + t.id + " " + t.customer_name));
        var sub = t.channel + " · " + t.reason_text;
        if (kind === "waiting") sub += " · " + tr("queue.waiting_for", { time: since(t.created_at) });
        if (kind === "active") sub += " · " + (t.claimed_by_name || "");
        if (kind === "closed" && t.csat_rating) sub += " · " + tr("queue.rated", { rating: t.csat_rating });
        item.appendChild(el("div", "sub", sub));
        if (window.BatonAssign) window.BatonAssign.decorate(item, t);
        item.addEventListener("click", function () { openCase(t.id); });
        list.appendChild(item);
      });
      var count = $("count-" + kind);
      if (count) count.textContent = shown.length;
    });
    notify("queue", state.tickets);
  }

  // --- one case ---------------------------------------------------------------------

  function openCase(id) {
    notify("seen", id);
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
      box.appendChild(el("p", "muted", t("customer.anonymous", { channel: conv.channel || "" })));
    } else {
      // The name opens all the customer's cases on every channel (search.js).
      var name = c.id && window.BatonSearch ? window.BatonSearch.customerLink(c.id, c.name) : c.name;
      box.appendChild(dl([
        [t("customer.name"), name], [t("customer.number"), c.id], [t("customer.email"), c.email],
        [t("customer.phone"), c.phone], [t("customer.postcode"), c.postal_code],
      ]));
      if (c.identities && c.identities.length) {
        var ids = el("ul");
        c.identities.forEach(function (i) {
          ids.appendChild(el("li", null, i.channel + ": " + i.id + (i.note ? " (" + i.note + ")" : "")));
        });
        box.appendChild(el("h3", null, t("customer.identities")));
        box.appendChild(ids);
      }
    }
    box.appendChild(dl([
      [t("customer.channel"), conv.channel], [t("customer.display_name"), conv.display_name],
      [t("customer.since"), clock(conv.first_message_at || conv.started_at)],
    ]));
    (ctx.notes || []).forEach(function (n) { box.appendChild(el("p", "error", n)); });
  }

  function renderOrders(ctx) {
    var box = $("case-orders");
    clear(box);
    var orders = ctx.orders || [];
    if (!orders.length) { box.appendChild(el("p", "muted", t("orders.none"))); return; }
    orders.forEach(function (o) {
      var div = el("div", "order");
      div.dataset.order = o.number;
      var line = el("div", "line", o.number + " · " + o.status.replace(/_/g, " ") + " · " + o.total + " ");
      if (!o.verified) line.appendChild(el("span", "tag warn", t("orders.unverified")));
      div.appendChild(line);
      div.appendChild(el("div", "muted", t("orders.placed", { when: clock(o.placed_at), method: o.payment_method, status: o.payment_status })));
      var items = el("ul");
      (o.items || []).forEach(function (i) { items.appendChild(el("li", null, i.quantity + " × " + i.name + " — " + i.unit_price)); });
      div.appendChild(items);
      (o.shipments || []).forEach(function (s) {
        var p = el("div", "muted");
        p.appendChild(document.createTextNode(s.carrier + " " + s.status.replace(/_/g, " ") + " · "));
        p.appendChild(link(s.tracking_url, s.tracking_number));
        var last = (s.events || [])[s.events.length - 1];
        if (last) p.appendChild(document.createTextNode(" · " + last.description + " (" + last.location + ", " + clock(last.at) + ")"));
        if (s.estimated_delivery) p.appendChild(document.createTextNode(" · " + t("orders.eta", { date: s.estimated_delivery })));
        div.appendChild(p);
      });
      if (o.cancellation_reason) div.appendChild(el("div", "muted", t("orders.cancelled", { reason: o.cancellation_reason })));
      if (o.address_changed_at) {
        var to = o.shipping_address || {};
        var now = to.line1 ? t("orders.address_now", { address: to.line1 + ", " + (to.city || "") + " " + (to.postal_code || "") }) : "";
        div.appendChild(el("div", "muted address-changed", t("orders.address_changed", {
          when: clock(o.address_changed_at), by: o.address_changed_by || t("orders.address_by_unknown"),
        }) + now));
      }
      box.appendChild(div);
    });
  }

  function renderReturns(ctx) {
    var box = $("case-returns");
    clear(box);
    var any = false;
    (ctx.returns || []).forEach(function (r) {
      any = true;
      box.appendChild(el("div", "order", t("returns.return", { rma: r.rma, order: r.order_number, status: r.status, reason: r.reason, amount: r.refund_amount })));
    });
    (ctx.refunds || []).forEach(function (r) {
      any = true;
      box.appendChild(el("div", "order", t("returns.refund", { amount: r.amount, order: r.order_number, status: r.status }) + (r.refunded_at ? " " + clock(r.refunded_at) : "")));
    });
    (ctx.policy_cases || []).forEach(function (c) {
      any = true;
      box.appendChild(el("div", "order", t("returns.policy_case", { summary: c.summary })));
    });
    if (!any) box.appendChild(el("p", "muted", t("none")));
  }

  // Delivery-problem claims (the packet's `claims`, newest first): the state as a badge, what
  // was claimed in words, the remedy and amount, and the customer's photo when the packet
  // carries it. An order shown without proof of ownership has its photo kept back.
  var CLAIM_STATES = { open: true, awaiting_return: true, settled: true, rejected: true };

  // The dictionary's words for a code ("claims.kind." + "damaged"), or the code in plain
  // letters when it has none: a kind or state added later still reads.
  function words(prefix, code) {
    var text = t(prefix + code);
    return text === prefix + code ? String(code || "").replace(/_/g, " ") : text;
  }

  function renderClaims(ctx) {
    var box = $("case-claims");
    clear(box);
    var claims = ctx.claims || [];
    if (!claims.length) { box.appendChild(el("p", "muted", t("none"))); return; }
    var proven = {};
    (ctx.orders || []).forEach(function (o) { proven[o.number] = !!o.verified; });
    claims.forEach(function (c) {
      var div = el("div", "order claim");
      div.dataset.claim = c.number;
      var line = el("div", "line");
      var badge = el("span", "tag claim-state", words("claims.state.", c.state));
      badge.dataset.state = CLAIM_STATES[c.state] === true ? c.state : "other";
      line.appendChild(badge);
      line.appendChild(document.createTextNode(" " + t("claims.claim", { number: c.number, order: c.order_number, kind: words("claims.kind.", c.kind) }) + " "));
      if (proven[c.order_number] === false) line.appendChild(el("span", "tag warn", t("orders.unverified")));
      div.appendChild(line);
      var what = c.item ? (c.quantity ? c.quantity + " × " : "") + c.item : c.kind === "not_received" ? t("claims.whole_parcel") : "";
      var parts = [what, words("claims.remedy.", c.remedy), c.amount, t("claims.claimed", { when: clock(c.created_at) })];
      div.appendChild(el("div", "muted", parts.filter(function (p) { return p; }).join(" · ")));
      if (c.photo) div.appendChild(attachmentNode(c.photo));
      else div.appendChild(el("div", "muted", t(c.photo_attached ? "claims.photo_withheld" : "claims.no_photo")));
      box.appendChild(div);
    });
  }

  function renderKnows(ctx) {
    var box = $("case-knows");
    clear(box);
    var knows = ctx.bot_knows || {};
    var keys = Object.keys(knows);
    if (!keys.length) { box.appendChild(el("p", "muted", t("knows.nothing"))); return; }
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
      div.appendChild(el("p", null, t("earlier.handoff", { id: h.id, channel: h.channel, when: clock(h.created_at), agent: h.claimed_by_name || t("earlier.unclaimed") }) + (h.csat_rating ? " · " + t("queue.rated", { rating: h.csat_rating }) : "") + (h.csat_comment ? " “" + h.csat_comment + "”" : "")));
      h.messages.slice(-4).forEach(function (m) { div.appendChild(el("p", "muted", (m.kind === "agent" ? m.agent_name : t("message.customer")) + ": " + m.text)); });
      box.appendChild(div);
    });
    (ctx.recent_conversations || []).forEach(function (c) {
      any = true;
      var div = el("div", "earlier");
      div.appendChild(el("p", null, t("earlier.conversation", { channel: c.channel, when: clock(c.last_at ? new Date(c.last_at * 1000).toISOString() : null) })));
      c.messages.slice(-4).forEach(function (m) { div.appendChild(el("p", "muted", (m.agent_name || m.sender) + ": " + m.text)); });
      box.appendChild(div);
    });
    if (!any) box.appendChild(el("p", "muted", t("none")));
  }

  // A photo or file the customer sent (the message's `attachments` reference, untrusted):
  // shown through the service's own route, which wants this agent's login.
  var REFERENCE = /^uploads\/([A-Za-z0-9_-]{1,200})\/([A-Za-z0-9_-]{1,200}\.[a-z0-9]{1,5})$/;
  var INLINE = /^image\/(jpeg|png|webp|gif)$/;

  function attachmentNode(a) {
    var found = a && typeof a.path === "string" ? REFERENCE.exec(a.path) : null;
    var photo = a && a.kind === "image";
    if (!found) return el("span", "attachment missing", t(photo ? "attachment.photo_missing" : "attachment.file_missing"));
    var url = "/api/attachments/" + found[1] + "/" + found[2];
    var link = el("a", "attachment");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    if (photo && INLINE.test(a.content_type || "")) {
      var img = el("img", "thumb");
      img.src = url;
      img.alt = t("attachment.photo_alt");
      img.loading = "lazy";
      link.appendChild(img);
    } else {
      var size = typeof a.bytes === "number" ? " (" + Math.max(1, Math.round(a.bytes / 1024)) + " KB)" : "";
      link.textContent = t(a.content_type === "application/pdf" ? "attachment.open_pdf" : "attachment.open_file", { name: found[2], size: size });
    }
    return link;
  }

  function messageNode(m) {
    var kind = m.kind || m.sender;
    if (kind === "customer") kind = "user";
    var li = el("li", "msg " + kind);
    if (m.id) li.dataset.messageId = m.id;
    var by = { user: t("message.customer"), bot: t("message.bot"), agent: m.agent_name || t("message.agent"), note: t("message.note", { agent: m.agent_name || "" }), system: "" }[kind];
    if (by) li.appendChild(el("span", "by", by + (m.at || m.created_at ? " · " + clock(m.at || m.created_at) : "")));
    li.appendChild(document.createTextNode(m.text));
    (Array.isArray(m.attachments) ? m.attachments : []).forEach(function (a) { li.appendChild(attachmentNode(a)); });
    if (kind === "agent" && m.delivered === false) li.appendChild(el("span", "pending", t("message.not_delivered")));
    return li;
  }

  function renderTranscript(detail) {
    var list = $("transcript");
    clear(list);
    ((detail.context || {}).transcript || []).forEach(function (m) { list.appendChild(messageNode(m)); });
    list.appendChild(el("li", "msg divider", t("case.handed_off", { when: clock(detail.created_at) })));
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
    var meta = d.channel + " · " + t("case.status." + d.status);
    if (d.status === "waiting") meta += " · " + t("queue.waiting_for", { time: since(d.created_at) });
    if (d.claimed_by_name) meta += " · " + t("case.claimed_by", { name: d.claimed_by_name });
    if (d.after_hours) meta += " · " + t("case.after_hours");
    if (d.csat_rating) meta += " · " + t("queue.rated", { rating: d.csat_rating });
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
    if (window.BatonAssign) window.BatonAssign.renderCase(d);
    renderCustomer(ctx);
    renderOrders(ctx);
    renderReturns(ctx);
    renderClaims(ctx);
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
    var why = w.refused_by_whatsapp ? t("wa.refused") : t("wa.hours_ago", { hours: w.hours_since_last });
    if (!w.template_configured) {
      why += t("wa.no_template");
    } else if (w.template_sent_at) {
      var ago = since(w.template_sent_at);
      why += ago === t("time.just_now") ? t("wa.template_sent_now") : t("wa.template_sent_ago", { time: ago });
    }
    $("wa-window-text").textContent = why;
    $("wa-template-preview").hidden = !w.template_configured;
    $("wa-template-preview").textContent = w.template_preview || "";
    $("wa-template-send").hidden = !w.template_configured;
    $("wa-template-send").textContent = t(w.template_sent_at ? "wa.send_again" : "wa.send");
  }

  function onSendTemplate() {
    $("wa-template-send").disabled = true;
    $("wa-template-state").textContent = t("reply.sending");
    act("/template").then(function (m) {
      $("wa-template-state").textContent = t(m && m.delivered === false ? "wa.queued" : "wa.sent");
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
    $("reply-state").textContent = t("reply.sending");
    act("/messages", { text: text }).then(function (m) {
      $("reply-text").value = "";
      $("reply-state").textContent = t(m && m.delivered === false ? "reply.queued" : "reply.sent");
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

  // What canned.js (the canned-reply picker and the leads' editor) and search.js may see
  // and do.
  window.BatonConsole = {
    api: api,
    openCase: openCase,
    me: function () { return state.me; },
    shop: function () { return state.shop; },
    current: function () { return state.current; },
    language: function () { return ticketLanguage((state.current && state.current.context) || {}).code; },
    reloadCanned: loadCanned,
    open: openCase,
    tickets: function () { return state.tickets; },
    refreshQueue: refreshQueue,
    renderQueue: renderQueue,
  };

  // --- live updates -----------------------------------------------------------------

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/live";
    var socket = new WebSocket(url);
    state.socket = socket;
    socket.onopen = function () {
      state.retry = 1000;
      state.live = "live";
      $("live-state").textContent = t("live.live");
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
      state.live = "reconnecting";
      $("live-state").textContent = t("live.reconnecting");
      $("live-state").classList.add("off");
      if (state.socket !== socket) return;
      setTimeout(function () { if (state.me && state.socket === socket) connect(); }, state.retry);
      state.retry = Math.min(state.retry * 2, 15000);
    };
  }

  function onEvent(data) {
    var current = state.current;
    notify("event", data);
    if (window.BatonAssign) window.BatonAssign.onEvent(data);
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
      if (window.confirm(t("case.close.confirm"))) act("/close");
    });
    $("logout").addEventListener("click", function () {
      api("POST", "/api/logout", {}).catch(function () {}).then(function () { state.me = null; showLogin(); });
    });
    $("reply-text").addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) onReply(e);
    });
    setInterval(function () { if (state.me) { renderQueue(); } }, 15000);
    // Another language: what was drawn in the old one is drawn again.
    if (window.BatonI18n) window.BatonI18n.onChange(function () {
      $("live-state").textContent = t("live." + state.live);
      if (!state.me) return;
      renderQueue();
      renderCase();
      refreshStatus();
    });
    api("GET", "/api/me").then(function (data) { start(data.agent, data.preferences); }).catch(function () { showLogin(); });
  });
})();
