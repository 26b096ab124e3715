/*!
 * Baton agent console: handing cases on, teams and routing. Plain ES2017, no dependencies.
 *
 * - The queue filter (mine / my teams / all, remembered in this browser), each case's team
 *   and a "waiting too long" flag (the server's waiting_too_long, re-checked against the
 *   clock between updates).
 * - In a case: release it to the queue, or transfer it to an agent or a team, with a reason
 *   the timeline shows. Only the owner or a lead sees these on a claimed case (the server
 *   refuses anyone else anyway).
 * - A notice when a colleague hands a case to you, from the live feed.
 * - The leads' editor of teams and routing rules is teams.js.
 *
 * Every string shown, here and in teams.js, comes from the console's dictionaries (i18n-*.js,
 * keys assign.* and teams.*), in the agent's language: what is built once carries data-i18n
 * attributes (i18n.js relabels it when the language changes), the rest is drawn again. Text
 * from agents and customers is only ever inserted with textContent. The console's own state
 * comes from console.js (window.BatonConsole).
 */
(function () {
  "use strict";

  var SCOPES = ["mine", "teams", "all"];

  var assign = {
    me: null,
    scope: "all",
    teams: [], // {id, name, archived, members, member_ids, mine}
    agents: [],
    rules: [],
    languages: ["en", "ko", "zh"],
    canEdit: false,
    teamState: { id: null, text: "" }, // what the last saved card says, kept across redraws
  };

  function $(id) { return document.getElementById(id); }
  function host() { return window.BatonConsole; }
  function t(key, vars) { return window.BatonI18n ? window.BatonI18n.t(key, vars) : key; }

  // A text (or an attribute: placeholder, title, aria-label) that i18n.js relabels when the
  // agent's language changes, for what is built once.
  function i18n(node, key, attribute) {
    if (attribute) {
      node.setAttribute("data-i18n-" + attribute, key);
      node.setAttribute(attribute, t(key));
    } else {
      node.setAttribute("data-i18n", key);
      node.textContent = t(key);
    }
    return node;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function option(value, text) {
    var o = el("option", null, text);
    o.value = value;
    return o;
  }

  function myTeamIds() {
    return assign.teams.filter(function (t) { return t.mine; }).map(function (t) { return t.id; });
  }

  // --- the queue --------------------------------------------------------------------------

  // Mirrors handoff/assignment.py, in_scope.
  function filter(tickets) {
    var me = assign.me ? assign.me.id : null;
    if (assign.scope === "mine") return tickets.filter(function (t) { return t.claimed_by === me; });
    if (assign.scope === "teams") {
      var mine = myTeamIds();
      return tickets.filter(function (t) {
        return t.team_id === null || t.team_id === undefined || mine.indexOf(t.team_id) >= 0 || t.claimed_by === me;
      });
    }
    return tickets;
  }

  function tooLong(t) {
    if (t.waiting_too_long) return true;
    if (!t.waiting_since || !t.waiting_alert_seconds) return false;
    return Date.now() - Date.parse(t.waiting_since) > t.waiting_alert_seconds * 1000;
  }

  function decorate(item, ticket) {
    if (ticket.team_name) {
      var team = el("span", "team-tag", ticket.team_name);
      team.title = t("assign.team");
      item.querySelector(".who").appendChild(team);
    }
    if (ticket.status !== "closed" && tooLong(ticket)) {
      item.classList.add("too-long");
      var flag = el("div", "flag", t("assign.too_long"));
      flag.title = t("assign.too_long.title");
      item.appendChild(flag);
    }
  }

  function buildScope() {
    var nav = document.querySelector("nav.queue");
    if (!nav || $("queue-scope")) return;
    var bar = el("div", "scope");
    bar.id = "queue-scope";
    bar.setAttribute("role", "group");
    i18n(bar, "assign.scope", "aria-label");
    SCOPES.forEach(function (scope) {
      var b = i18n(el("button", "scope-" + scope), "assign.scope." + scope);
      b.type = "button";
      b.id = "scope-" + scope;
      b.addEventListener("click", function () { setScope(scope); });
      bar.appendChild(b);
    });
    nav.insertBefore(bar, nav.firstChild);
  }

  function setScope(scope) {
    assign.scope = scope;
    try { localStorage.setItem("baton.scope", scope); } catch (e) { /* private mode */ }
    SCOPES.forEach(function (s) {
      var b = $("scope-" + s);
      if (b) b.setAttribute("aria-pressed", s === scope ? "true" : "false");
    });
    if (host()) host().renderQueue();
  }

  // --- one case ---------------------------------------------------------------------------

  function buildCaseControls() {
    var actions = document.querySelector(".case-head .actions");
    if (!actions || $("assign-open")) return;
    var open = i18n(el("button", "secondary"), "assign.open");
    open.type = "button";
    open.id = "assign-open";
    open.addEventListener("click", function () { showForm(true); });
    actions.insertBefore(open, $("close"));

    var form = el("form", "assign-form");
    form.id = "assign-form";
    form.hidden = true;
    var to = el("label");
    to.appendChild(i18n(el("span"), "assign.to"));
    to.appendChild(document.createTextNode(" "));
    var target = el("select");
    target.id = "assign-target";
    to.appendChild(target);
    var why = el("label");
    why.appendChild(i18n(el("span"), "assign.reason"));
    why.appendChild(document.createTextNode(" "));
    var reason = el("input");
    reason.id = "assign-reason";
    reason.maxLength = 300;
    i18n(reason, "assign.reason.placeholder", "placeholder");
    why.appendChild(reason);
    var row = el("div", "row");
    var send = i18n(el("button"), "assign.send");
    send.type = "submit";
    send.id = "assign-send";
    var cancel = i18n(el("button", "secondary"), "assign.cancel");
    cancel.type = "button";
    cancel.addEventListener("click", function () { showForm(false); });
    var state = el("span", "error");
    state.id = "assign-error";
    state.setAttribute("role", "alert");
    row.appendChild(send);
    row.appendChild(cancel);
    row.appendChild(state);
    form.appendChild(to);
    form.appendChild(why);
    form.appendChild(row);
    form.addEventListener("submit", onHandOn);
    var head = document.querySelector(".case-head");
    head.parentNode.insertBefore(form, head.nextSibling);

    var team = el("span", "team-tag");
    team.id = "case-team";
    $("case-meta").parentNode.insertBefore(team, $("case-meta").nextSibling);
  }

  function mayHandOn(d) {
    if (!d || d.status === "closed" || !assign.me) return false;
    return d.claimed_by === null || d.claimed_by === assign.me.id || assign.me.role === "lead";
  }

  function fillTargets(d) {
    var select = $("assign-target");
    var keep = select.value;
    clear(select);
    if (d.claimed_by !== null) select.appendChild(option("release", t("assign.release")));
    var people = el("optgroup");
    people.label = t("assign.agents");
    assign.agents.forEach(function (a) {
      if (a.id === d.claimed_by) return;
      people.appendChild(option("agent:" + a.id, a.display_name + (assign.me && a.id === assign.me.id ? t("assign.you") : "")));
    });
    select.appendChild(people);
    var teams = el("optgroup");
    teams.label = t("assign.teams");
    assign.teams.forEach(function (t) {
      if (t.archived) return;
      if (t.id === d.team_id && d.claimed_by === null) return;
      teams.appendChild(option("team:" + t.id, t.name));
    });
    select.appendChild(teams);
    if (keep && select.querySelector('option[value="' + keep + '"]')) select.value = keep;
  }

  function renderCase(d) {
    buildCaseControls();
    var open = mayHandOn(d);
    $("assign-open").hidden = !open;
    if (!open) showForm(false);
    else if (!$("assign-form").hidden) fillTargets(d);
    var tag = $("case-team");
    tag.textContent = d.team_name ? t("assign.case_team", { team: d.team_name }) : "";
    tag.hidden = !d.team_name;
    var flagged = d.status !== "closed" && tooLong(d);
    $("case-meta").classList.toggle("too-long", flagged);
    if (flagged && $("case-meta").textContent.indexOf(t("assign.too_long")) < 0) {
      $("case-meta").textContent += " · " + t("assign.too_long");
    }
  }

  function showForm(show) {
    var form = $("assign-form");
    if (!form) return;
    form.hidden = !show;
    $("assign-error").textContent = "";
    if (show) {
      fillTargets(host().current());
      $("assign-reason").value = "";
      $("assign-target").focus();
    }
  }

  function onHandOn(event) {
    event.preventDefault();
    var d = host().current();
    if (!d) return;
    var choice = $("assign-target").value;
    var body = { reason: $("assign-reason").value };
    var path = "/transfer";
    if (choice === "release") path = "/release";
    else if (choice.indexOf("agent:") === 0) body.agent_id = parseInt(choice.slice(6), 10);
    else if (choice.indexOf("team:") === 0) body.team_id = parseInt(choice.slice(5), 10);
    else return;
    $("assign-send").disabled = true;
    host().api("POST", "/api/tickets/" + d.id + path, body).then(function () {
      showForm(false);
      return host().openCase(d.id).then(host().refreshQueue);
    }).catch(function (err) {
      $("assign-error").textContent = err.message;
    }).then(function () { $("assign-send").disabled = false; });
  }

  // --- live -------------------------------------------------------------------------------

  function notice(text) {
    var box = $("assign-notice");
    if (!box) {
      box = el("div", "assign-notice");
      box.id = "assign-notice";
      box.setAttribute("role", "status");
      var msg = el("span");
      msg.id = "assign-notice-text";
      var close = i18n(el("button", "link"), "assign.dismiss");
      close.type = "button";
      close.addEventListener("click", function () { box.hidden = true; });
      box.appendChild(msg);
      box.appendChild(close);
      document.querySelector(".topbar").parentNode.insertBefore(box, document.querySelector("main.layout"));
    }
    $("assign-notice-text").textContent = text;
    box.hidden = false;
  }

  function onEvent(data) {
    if (data.type === "teams_changed") { loadTeams(); return; }
    if (data.type !== "ticket_updated" || !data.handed_on || !data.ticket || !assign.me) return;
    var ticket = data.ticket;
    var by = data.handed_on;
    if (by.by === assign.me.id) return;
    if (ticket.claimed_by === assign.me.id) notice(t("assign.handed_to_you", { agent: by.by_name, id: ticket.id, text: by.text }));
    else if (ticket.claimed_by === null && ticket.team_id !== null && myTeamIds().indexOf(ticket.team_id) >= 0) {
      notice(t("assign.handed_to_team", { agent: by.by_name, id: ticket.id, team: ticket.team_name }));
    }
  }

  function loadTeams() {
    return host().api("GET", "/api/teams").then(function (data) {
      assign.teams = data.teams;
      assign.agents = data.agents;
      assign.rules = data.rules;
      assign.languages = data.languages;
      assign.canEdit = data.can_edit;
      host().renderQueue();
      if (window.BatonTeams) window.BatonTeams.refresh(data.can_edit); // the leads' editor
      var current = host().current();
      if (current && $("assign-form") && !$("assign-form").hidden) fillTargets(current);
    }).catch(function () {});
  }

  // --- start ------------------------------------------------------------------------------

  function start(agent) {
    assign.me = agent;
    buildScope();
    if (window.BatonTeams) window.BatonTeams.build();
    var saved = null;
    try { saved = localStorage.getItem("baton.scope"); } catch (e) { /* private mode */ }
    setScope(SCOPES.indexOf(saved) >= 0 ? saved : "all");
    loadTeams();
  }

  window.BatonAssign = {
    start: start,
    filter: filter,
    decorate: decorate,
    renderCase: renderCase,
    onEvent: onEvent,
    loadTeams: loadTeams,
    state: assign, // teams.js edits the teams and rules loaded here
    i18n: i18n, // teams.js labels what it builds once the same way
  };
})();
