/* The leads' dashboard: the figures of GET /api/metrics as numbers, charts and tables.
 *
 * The page holds no data of its own; it asks /api/metrics for the dates, channel and language
 * in the filter form (kept in the address, so a view can be bookmarked or shared) and draws
 * the answer with charts.js. Agents without the lead role are told so.
 */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var C = window.BatonCharts;
  // The page's text in the agent's console language (i18n.js; names of topics and handoff
  // reasons too: "dash.topic.<intent>", "dash.reason.<code>").
  function t(key, vars) { return window.BatonI18n ? window.BatonI18n.t(key, vars) : key; }
  function known(key) { var text = t(key); return text === key ? null : text; }
  var COLORS = { webchat: "#4f46e5", whatsapp: "#16a34a", slack: "#d97706" };

  function channelName(c) { return c === "webchat" ? t("dash.webchat") : { whatsapp: "WhatsApp", slack: "Slack" }[c] || c; }
  function topicName(name) { return known("dash.topic." + name) || name.replace(/_/g, " "); }
  function pct(x) { return x === null || x === undefined ? "—" : (100 * x).toFixed(x >= 0.995 || x === 0 ? 0 : 1) + "%"; }
  function num(x) { return x === null || x === undefined ? "—" : Number(x).toLocaleString("en-GB"); }
  function dur(s) {
    if (s === null || s === undefined) return "—";
    if (s < 90) return t("dash.dur.s", { n: Math.round(s) });
    var m = Math.round(s / 60);
    if (m < 90) return t("dash.dur.min", { n: m });
    var h = Math.floor(m / 60), rest = m % 60;
    if (h < 48) return rest ? t("dash.dur.h_min", { h: h, m: rest }) : t("dash.dur.h", { h: h });
    return t("dash.dur.days", { n: Math.round(h / 24) });
  }

  function api(path) {
    return fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        if (!resp.ok) {
          var err = new Error(body.error || resp.statusText);
          err.status = resp.status;
          throw err;
        }
        return body;
      });
    });
  }

  function kpi(id, value, sub) {
    var el = $(id);
    el.querySelector(".value").textContent = value;
    el.querySelector(".sub").textContent = sub || "";
  }

  function table(id, head, rows) {
    var el = $(id);
    el.textContent = "";
    var thead = el.createTHead().insertRow();
    head.forEach(function (h) {
      var th = document.createElement("th");
      th.textContent = h;
      thead.appendChild(th);
    });
    var body = el.createTBody();
    if (!rows.length) {
      var cell = body.insertRow().insertCell();
      cell.colSpan = head.length;
      cell.className = "muted";
      cell.textContent = t("dash.nothing");
    }
    rows.forEach(function (r) {
      var tr = body.insertRow();
      r.forEach(function (v) { tr.insertCell().textContent = v; });
    });
  }

  function render(m) {
    var h = m.handoff, c = m.csat, w = m.waiting;
    kpi("kpi-conversations", num(m.conversations), t("dash.sub.messages", { count: num(m.messages) }));
    kpi("kpi-containment", pct(m.containment.rate), t("dash.sub.conversations", { count: num(m.containment.contained) }));
    kpi("kpi-handoff", pct(h.rate), t("dash.sub.conversations", { count: num(h.conversations) }));
    kpi("kpi-wait", dur(w.first_reply.median_seconds), t("dash.sub.median", { time: dur(w.first_reply.p90_seconds) }));
    kpi("kpi-close", dur(w.close.median_seconds), t("dash.sub.median", { time: dur(w.close.p90_seconds) }));
    kpi("kpi-csat", pct(c.csat), t("dash.sub.ratings", { count: num(c.rated), share: pct(c.response_rate) }));
    kpi("kpi-fallback", pct(m.fallback.rate), t("dash.sub.fallback", { count: num(m.fallback.conversations) }));
    kpi("kpi-returns", num(m.returns.opened), m.returns.by_method.map(function (r) { return num(r.count) + " " + r.value.replace("_", "-"); }).join(" · "));

    var labels = m.series.map(function (p) {
      var d = new Date(p.period + "T00:00:00Z");
      return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
    });
    $("trend-unit").textContent = t(m.range.granularity === "week" ? "dash.unit.week" : "dash.unit.day");
    C.columns($("chart-trend"), {
      label: t("dash.h.trend"),
      labels: labels,
      stacked: true,
      series: [
        { name: t("dash.kpi.containment"), color: "#6366f1", values: m.series.map(function (p) { return p.contained; }) },
        { name: t("dash.kpi.handoff"), color: "#f59e0b", values: m.series.map(function (p) { return p.handoffs; }) }
      ],
      format: function (v) { return num(Math.round(v)); }
    });
    C.lines($("chart-rates"), {
      label: t("dash.chart.rates"),
      labels: labels,
      max: 1,
      series: [
        { name: t("dash.kpi.containment"), color: "#6366f1", values: m.series.map(function (p) { return p.containment_rate; }) },
        { name: t("dash.kpi.csat"), color: "#16a34a", values: m.series.map(function (p) { return p.csat; }) }
      ],
      format: pct
    });

    C.columns($("chart-channels"), {
      label: t("dash.h.channels"),
      labels: m.channels.map(function (r) { return channelName(r.channel); }),
      max: 1,
      values: true,
      series: [
        { name: t("dash.kpi.containment"), color: "#6366f1", values: m.channels.map(function (r) { return r.containment_rate; }) },
        { name: t("dash.kpi.handoff"), color: "#f59e0b", values: m.channels.map(function (r) { return r.handoff_rate; }) },
        { name: "CSAT", color: "#16a34a", values: m.channels.map(function (r) { return r.csat; }) }
      ],
      format: pct
    });
    table("table-channels", [t("dash.channel"), t("dash.kpi.conversations"), t("dash.col.solved"), t("dash.col.to_person"), t("dash.kpi.fallback"), "CSAT", t("dash.col.median_wait")],
      m.channels.map(function (r) {
        return [channelName(r.channel), num(r.conversations), pct(r.containment_rate), pct(r.handoff_rate), pct(r.fallback_rate), pct(r.csat), dur(r.median_first_reply_seconds)];
      }));

    var shades = { "1": "#dc2626", "2": "#f97316", "3": "#eab308", "4": "#84cc16", "5": "#16a34a" };
    C.columns($("chart-csat"), {
      label: t("dash.chart.csat"),
      labels: ["1", "2", "3", "4", "5"].map(function (r) { return r + " ★"; }),
      values: true,
      series: [{ name: t("dash.chart.ratings"), color: "#16a34a", values: ["1", "2", "3", "4", "5"].map(function (r) { return c.distribution[r]; }) }],
      format: function (v) { return num(Math.round(v)); }
    });
    // colour each rating's column
    $("chart-csat").querySelectorAll("rect").forEach(function (rect, i) { rect.setAttribute("fill", shades[String(i + 1)]); });
    table("table-csat-channels", [t("dash.channel"), t("dash.col.closed"), t("dash.col.rated"), t("dash.col.answered"), "CSAT", t("dash.col.average")],
      c.by_channel.map(function (r) {
        return [channelName(r.channel), num(r.closed), num(r.rated), pct(r.response_rate), pct(r.csat), r.average === null ? "—" : r.average.toFixed(2)];
      }));

    C.bars($("chart-reasons"), {
      label: t("dash.chart.reasons"),
      items: h.reasons.map(function (r) { return { label: known("dash.reason." + r.code) || r.label, value: r.count, color: "#f59e0b" }; }),
      format: num
    });
    C.bars($("chart-topics"), {
      label: t("dash.chart.topics"),
      items: m.top_intents.map(function (r) { return { label: topicName(r.intent), value: r.conversations, color: "#6366f1" }; }),
      format: num
    });
    table("table-failing", [t("dash.col.topic"), t("dash.kpi.conversations"), t("dash.col.to_person"), t("dash.kpi.fallback"), t("dash.col.solved")],
      m.failing.slice(0, 8).map(function (r) {
        return [topicName(r.intent), num(r.conversations), num(r.handoffs), num(r.fallbacks), pct(r.containment_rate)];
      }));
    var na = m.not_automated;
    $("not-automated-total").textContent = na.conversations
      ? t("dash.not_automated_total", { count: num(na.conversations), share: pct(na.share) })
      : t("dash.not_automated_none");
    table("table-not-automated", [t("dash.col.topic"), t("dash.kpi.conversations"), t("dash.col.share"), t("dash.col.to_person")],
      na.topics.map(function (r) {
        return [topicName(r.topic), num(r.conversations), pct(r.share), num(r.to_a_person)];
      }));
    var FLOW_NAMES = { cancel: t("dash.flow.cancel"), address: t("dash.flow.address"), claim: t("dash.flow.claim") };
    table("table-flows", [t("dash.col.flow"), t("dash.col.started"), t("dash.col.done"), t("dash.col.refused"), t("dash.col.to_person"), t("dash.col.stopped"), t("dash.col.settled"), t("dash.col.money")],
      m.flows.flows.map(function (r) {
        var money = r.money.map(function (x) { return x.currency + " " + x.amount; }).join(" · ") || "—";
        return [FLOW_NAMES[r.flow] || r.flow, num(r.started), num(r.done), num(r.refused), num(r.handoff), num(r.stopped), pct(r.containment_rate), money];
      }));
    table("table-agents", [t("dash.col.agent"), t("dash.col.closed"), t("dash.col.rated"), "CSAT", t("dash.col.average"), t("dash.col.median_wait")],
      c.by_agent.map(function (r) {
        return [r.agent, num(r.closed), num(r.rated), pct(r.csat), r.average === null ? "—" : r.average.toFixed(2), dur(r.median_first_reply_seconds)];
      }));
    C.bars($("chart-return-reasons"), {
      label: t("dash.chart.return_reasons"),
      items: m.returns.by_reason.map(function (r) { return { label: r.value.replace(/_/g, " "), value: r.count, color: "#0ea5e9" }; }),
      format: num
    });
    C.bars($("chart-return-methods"), {
      label: t("dash.chart.return_methods"),
      items: m.returns.by_method.map(function (r) { return { label: r.value.replace(/_/g, "-"), value: r.count, color: "#14b8a6" }; }),
      format: num
    });
    table("table-languages", [t("dash.language"), t("dash.kpi.conversations"), t("dash.col.solved"), t("dash.col.to_person"), "CSAT"],
      m.languages.map(function (r) {
        return [known("dash.lang." + r.language) || r.language, num(r.conversations), pct(r.containment_rate), pct(r.handoff_rate), pct(r.csat)];
      }));
  }

  function query() {
    var q = new URLSearchParams();
    if ($("f-from").value) q.set("from", $("f-from").value);
    if ($("f-to").value) q.set("to", $("f-to").value);
    if ($("f-channel").value) q.set("channel", $("f-channel").value);
    if ($("f-language").value) q.set("language", $("f-language").value);
    if ($("f-granularity").value) q.set("granularity", $("f-granularity").value);
    return q;
  }

  function load() {
    var q = query();
    $("dash-state").textContent = t("inbox.loading");
    history.replaceState(null, "", "/dashboard?" + q.toString());
    var csv = new URLSearchParams(q);
    csv.set("format", "csv");
    $("csv-link").href = "/api/metrics?" + csv.toString();
    return api("/api/metrics?" + q.toString()).then(function (m) {
      $("f-from").value = m.range.from;
      $("f-to").value = m.range.to;
      render(m);
      $("dashboard").hidden = false;
      $("dash-state").textContent = t("dash.updated", { time: new Date().toLocaleTimeString("en-GB") });
    }).catch(function (err) {
      if (err.status === 401) return showLogin();
      $("dash-state").textContent = err.message;
      if (err.status === 403) $("dashboard").hidden = true;
    });
  }

  function showLogin() {
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-username").focus();
  }

  function start(agent, preferences) {
    if (window.BatonI18n) window.BatonI18n.use((preferences || {}).language || null, true);
    $("login").hidden = true;
    $("app").hidden = false;
    $("me").textContent = agent.display_name + (agent.role === "lead" ? t("dash.lead") : "");
    var params = new URLSearchParams(location.search);
    ["from", "to", "channel", "language", "granularity"].forEach(function (k) {
      var el = $("f-" + k);
      if (params.get(k)) el.value = params.get(k);
    });
    return load();
  }

  function onLogin(ev) {
    ev.preventDefault();
    $("login-error").hidden = true;
    fetch("/api/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("login-username").value, password: $("login-password").value })
    }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) throw new Error(body.error || "login failed");
        $("login-password").value = "";
        return start(body.agent, body.preferences);
      });
    }).catch(function (err) {
      $("login-error").textContent = err.message;
      $("login-error").hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("login-form").addEventListener("submit", onLogin);
    $("filters").addEventListener("submit", function (ev) { ev.preventDefault(); load(); });
    $("logout").addEventListener("click", function () {
      fetch("/api/logout", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: "{}" })
        .then(function () { location.href = "/dashboard"; });
    });
    api("/api/me").then(function (body) { return start(body.agent, body.preferences); }).catch(function (err) {
      if (err.status === 401) showLogin();
      else $("dash-state").textContent = err.message;
    });
  });
})();
