/*!
 * Baton agent console: the agent's preferences, browser notifications and the tab title.
 * Plain ES2017, no dependencies, no sound file (the chime is made with WebAudio).
 *
 * - The settings panel ("Settings" in the top bar) changes the agent's console language,
 *   notifications and sound (PUT /api/me/preferences; they follow the agent to any browser).
 *   Turning notifications on asks the browser's permission, from that click.
 * - With notifications on and allowed, the console shows one (and plays the chime, if the
 *   sound is on) when a new case arrives, when a customer writes in a case this agent owns or
 *   nobody has claimed yet, and when a case is transferred to this agent (the live
 *   ``ticket_updated`` with ``handed_on.how == "transferred"``, owner = this agent). Nothing is announced for the agent's own actions, nor
 *   for a reply in the case the agent is looking at.
 * - The tab title counts the waiting cases and the cases with a reply or transfer not read
 *   yet: "(3) Baton · agent console".
 *
 * console.js tells this file what happens (window.BatonNotify: start, stop, queue, seen,
 * event); its state comes from window.BatonConsole. Customers' text is only ever put into a
 * notification's title and body, which browsers show as plain text.
 */
(function () {
  "use strict";

  var DEFAULTS = { language: null, notifications: false, sound: true };
  var state = {
    me: null,
    prefs: DEFAULTS,
    tickets: { waiting: [], active: [], closed: [] },
    unread: {}, // ticket id -> true: a reply or transfer the agent has not opened yet
    audio: null,
  };

  function $(id) { return document.getElementById(id); }
  function host() { return window.BatonConsole; }
  function t(key, vars) { return window.BatonI18n ? window.BatonI18n.t(key, vars) : key; }
  function clip(text, n) { text = String(text || ""); return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  // --- the tab title --------------------------------------------------------------------

  function waitingIds() {
    var ids = {};
    state.tickets.waiting.forEach(function (ticket) { ids[ticket.id] = true; });
    return ids;
  }

  function updateTitle() {
    var count = 0;
    if (state.me) {
      var waiting = waitingIds();
      count = state.tickets.waiting.length + Object.keys(state.unread).filter(function (id) { return !waiting[id]; }).length;
    }
    document.title = (count ? "(" + count + ") " : "") + t("page.title");
  }

  function queue(tickets) {
    state.tickets = tickets;
    var open = waitingIds();
    tickets.active.forEach(function (ticket) { open[ticket.id] = true; });
    Object.keys(state.unread).forEach(function (id) { if (!open[id]) delete state.unread[id]; });
    updateTitle();
  }

  function seen(id) {
    delete state.unread[id];
    updateTitle();
  }

  // --- the chime --------------------------------------------------------------------------
  // Browsers start sound only after a click on the page: the audio context is made (or woken)
  // on the agent's clicks, and a chime before any click is silently skipped.

  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      if (!state.audio) state.audio = new Context();
      if (state.audio.state === "suspended") state.audio.resume().catch(function () {});
    } catch (e) { state.audio = null; }
  }

  function chime() {
    var ctx = state.audio;
    if (!ctx || ctx.state !== "running") return;
    [880, 660].forEach(function (frequency, i) {
      var at = ctx.currentTime + i * 0.16;
      var tone = ctx.createOscillator();
      var gain = ctx.createGain();
      tone.type = "sine";
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.15, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.14);
      tone.connect(gain);
      gain.connect(ctx.destination);
      tone.start(at);
      tone.stop(at + 0.15);
    });
  }

  // --- notifications ----------------------------------------------------------------------

  function allowed() {
    return "Notification" in window && window.Notification.permission === "granted";
  }

  function announce(title, body, ticketId) {
    if (!state.me || !state.prefs.notifications) return;
    if (state.prefs.sound) chime();
    if (!allowed()) return;
    try {
      var shown = new window.Notification(title, {
        body: clip(body, 160),
        tag: "baton-case-" + ticketId, // a newer one about the same case replaces it
        lang: window.BatonI18n ? window.BatonI18n.language() : "en",
      });
      shown.onclick = function () {
        window.focus();
        if (host()) host().open(ticketId);
        shown.close();
      };
    } catch (e) { /* a browser that only notifies from a service worker: the title counts */ }
  }

  function known(id) {
    var all = state.tickets.waiting.concat(state.tickets.active);
    for (var i = 0; i < all.length; i++) if (all[i].id === id) return all[i];
    return null;
  }

  // The open case the message belongs to, if it is this agent's or nobody's yet (else null).
  function caseToAnnounce(id) {
    var found = known(id);
    var lookup = found ? Promise.resolve(found) : host().api("GET", "/api/tickets/" + id);
    return lookup.then(function (ticket) {
      if (!ticket || ticket.status === "closed") return null;
      return ticket.status === "waiting" || ticket.claimed_by === state.me.id ? ticket : null;
    }).catch(function () { return null; });
  }

  function looking(id) {
    var current = host() && host().current();
    return !!current && current.id === id && document.visibilityState === "visible" && document.hasFocus();
  }

  function onCustomerMessage(message) {
    var id = message.ticket_id;
    caseToAnnounce(id).then(function (ticket) {
      if (!ticket || looking(id)) return;
      state.unread[id] = true;
      updateTitle();
      announce(t("notify.reply", { name: clip(ticket.customer_name, 60), id: id }), message.text, id);
    });
  }

  // A transfer (a live event another part of the console may send): tolerant of what it holds.
  function onTransfer(data) {
    var me = state.me.id;
    if (data.to_agent_id === undefined || data.to_agent_id === null || Number(data.to_agent_id) !== me) return;
    var by = data.by_agent_id !== undefined ? data.by_agent_id : data.from_agent_id;
    if (by !== undefined && by !== null && Number(by) === me) return; // the agent's own doing
    var ticket = data.ticket || {};
    var id = Number(ticket.id || data.ticket_id);
    if (!id) return;
    var from = data.by_agent_name || data.from_agent_name;
    var title = from ? t("notify.transfer_from", { agent: clip(from, 60), id: id }) : t("notify.transfer", { id: id });
    if (!looking(id)) { state.unread[id] = true; updateTitle(); }
    announce(title, clip(ticket.customer_name || "", 60), id);
  }

  function onEvent(data) {
    if (!state.me || !data) return;
    if (data.type === "ticket_opened" && data.ticket && data.ticket.id) {
      var ticket = data.ticket;
      var about = [ticket.reason_text, ticket.channel].filter(Boolean).join(" · ");
      announce(t("notify.new_case", { id: ticket.id, name: clip(ticket.customer_name, 60) }), about, ticket.id);
    } else if (data.type === "message" && data.message && data.message.kind === "customer") {
      onCustomerMessage(data.message);
    } else if (data.type === "transfer") {
      onTransfer(data);
    } else if (data.type === "ticket_updated" && data.handed_on && data.ticket &&
               data.handed_on.how === "transferred") {
      // assign.js's transfers: the case's new owner is who it was transferred to.
      onTransfer({
        to_agent_id: data.ticket.claimed_by, ticket: data.ticket,
        by_agent_id: data.handed_on.by, by_agent_name: data.handed_on.by_name,
      });
    }
  }

  // --- preferences and the settings panel -------------------------------------------------

  function say(text) { $("settings-state").textContent = text; }

  function fillPanel() {
    var p = state.prefs;
    $("settings-language").value = p.language || "";
    $("settings-notifications").checked = !!p.notifications;
    $("settings-sound").checked = !!p.sound;
    $("settings-sound").disabled = !p.notifications;
  }

  function use(prefs) {
    state.prefs = { language: prefs.language || null, notifications: !!prefs.notifications, sound: prefs.sound !== false };
    fillPanel();
  }

  function save(changes) {
    return host().api("PUT", "/api/me/preferences", changes).then(function (data) {
      var before = state.prefs.language;
      use(data.preferences);
      if (state.prefs.language !== before && window.BatonI18n) window.BatonI18n.use(state.prefs.language, true);
      say(t("settings.saved"));
    }).catch(function (err) { fillPanel(); say(err.message); });
  }

  function askPermission() {
    if (window.Notification.permission !== "default") return Promise.resolve(window.Notification.permission);
    return new Promise(function (resolve) {
      var asked = window.Notification.requestPermission(resolve); // older browsers: a callback
      if (asked && asked.then) asked.then(resolve);
    });
  }

  function onNotificationsToggle() {
    unlockAudio(); // this click lets the chime play
    if (!$("settings-notifications").checked) return save({ notifications: false });
    if (!("Notification" in window)) {
      $("settings-notifications").checked = false;
      return say(t("settings.unsupported"));
    }
    return askPermission().then(function (permission) {
      if (permission === "granted") return save({ notifications: true });
      return save({ notifications: false }).then(function () { say(t("settings.denied")); });
    });
  }

  function start(who) {
    state.me = who.agent;
    state.unread = {};
    use(who.preferences || DEFAULTS);
    if (window.BatonI18n) window.BatonI18n.use(state.prefs.language, true);
    say("");
    updateTitle();
  }

  function stop() {
    state.me = null;
    state.unread = {};
    state.tickets = { waiting: [], active: [], closed: [] };
    $("settings").hidden = true;
    updateTitle();
  }

  window.BatonNotify = { start: start, stop: stop, queue: queue, seen: seen, event: onEvent };

  if (window.BatonI18n) window.BatonI18n.onChange(updateTitle);

  document.addEventListener("DOMContentLoaded", function () {
    $("settings-open").addEventListener("click", function () {
      $("settings").hidden = !$("settings").hidden;
      say("");
    });
    $("settings-close").addEventListener("click", function () { $("settings").hidden = true; });
    $("settings-language").addEventListener("change", function () {
      save({ language: $("settings-language").value || null });
    });
    $("settings-notifications").addEventListener("change", onNotificationsToggle);
    $("settings-sound").addEventListener("change", function () {
      unlockAudio();
      save({ sound: $("settings-sound").checked });
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !$("settings").hidden) $("settings").hidden = true;
    });
    // An agent who turned notifications on in another browser: this one asks on the first
    // click (browsers only ask from a click), and the chime is allowed from then on.
    document.addEventListener("click", function () {
      unlockAudio();
      if (state.me && state.prefs.notifications && "Notification" in window && window.Notification.permission === "default") {
        askPermission();
      }
    });
  });
})();
