/*!
 * Baton agent console: the leads' editor of teams and routing rules. Plain ES2017.
 *
 * "Teams & routing" in the top bar (leads only): add, rename and archive teams, set their
 * members, and order the routing rules that put a new case into a team's queue. The server
 * refuses what cannot be saved and the reason is shown next to it.
 *
 * The teams, agents and rules are loaded by assign.js (window.BatonAssign). Every string shown
 * comes from the console's dictionaries (i18n-*.js, keys teams.*), in the agent's language: the
 * editor's frame is relabelled by i18n.js, its teams and rules are drawn again. Text is only
 * ever inserted with textContent.
 */
(function () {
  "use strict";

  var A = {
    get state() { return window.BatonAssign.state; },
    host: function () { return window.BatonConsole; },
  };

  function $(id) { return document.getElementById(id); }
  function t(key, vars) { return window.BatonI18n ? window.BatonI18n.t(key, vars) : key; }
  // Labels what is built once, relabelled when the language changes (assign.js's i18n).
  function i18n(node, key, attribute) { return window.BatonAssign.i18n(node, key, attribute); }

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

  function loadTeams() { return window.BatonAssign.loadTeams(); }


  function buildAdmin() {
    if ($("teams-admin")) return;
    var open = i18n(el("button", "link inbox-link"), "teams.open");
    open.type = "button";
    open.id = "teams-admin-open";
    i18n(open, "teams.open.title", "title");
    open.hidden = true;
    open.addEventListener("click", function () { showAdmin(true); });
    $("me").parentNode.insertBefore(open, $("me"));

    var section = el("section", "canned-admin teams-admin");
    section.id = "teams-admin";
    i18n(section, "teams.title", "aria-label");
    section.hidden = true;
    var head = el("div", "canned-admin-head");
    head.appendChild(i18n(el("h2"), "teams.title"));
    head.appendChild(el("span", "spacer"));
    var back = i18n(el("button", "secondary"), "teams.back");
    back.type = "button";
    back.addEventListener("click", function () { showAdmin(false); });
    head.appendChild(back);
    section.appendChild(head);
    var add = el("form", "canned-form team-new");
    add.id = "team-new";
    var name = el("input");
    name.id = "team-new-name";
    name.maxLength = 60;
    i18n(name, "teams.new_name", "placeholder");
    var addButton = i18n(el("button"), "teams.add");
    addButton.type = "submit";
    var addError = el("span", "error");
    addError.id = "team-new-error";
    add.appendChild(name);
    add.appendChild(addButton);
    add.appendChild(addError);
    add.addEventListener("submit", function (e) {
      e.preventDefault();
      A.host().api("POST", "/api/teams", { name: name.value }).then(function () {
        name.value = "";
        addError.textContent = "";
        return loadTeams();
      }).catch(function (err) { addError.textContent = err.message; });
    });
    section.appendChild(add);
    var list = el("div", "team-list");
    list.id = "team-list";
    section.appendChild(list);
    section.appendChild(i18n(el("h3"), "teams.rules"));
    section.appendChild(i18n(el("p", "muted"), "teams.rules.help"));
    var rules = el("ol", "rule-list");
    rules.id = "rule-list";
    section.appendChild(rules);
    var row = el("div", "row");
    var addRule = i18n(el("button", "secondary"), "teams.add_rule");
    addRule.type = "button";
    addRule.id = "rule-add";
    addRule.addEventListener("click", function () {
      var first = A.state.teams.filter(function (t) { return !t.archived; })[0];
      A.state.rules.push({ language: null, topic: null, team_id: first ? first.id : null });
      renderRules();
    });
    var saveRules = i18n(el("button"), "teams.save_rules");
    saveRules.type = "button";
    saveRules.id = "rules-save";
    saveRules.addEventListener("click", onSaveRules);
    var rulesState = el("span", "error");
    rulesState.id = "rules-state";
    row.appendChild(addRule);
    row.appendChild(saveRules);
    row.appendChild(rulesState);
    section.appendChild(row);
    $("app").appendChild(section);
    // The canned replies' editor (canned.js) takes the same place: one at a time.
    var canned = $("canned-admin-open");
    if (canned) canned.addEventListener("click", function () { section.hidden = true; });
  }

  function showAdmin(show) {
    $("teams-admin").hidden = !show;
    document.querySelector("main.layout").hidden = show;
    if (show) { var other = $("canned-admin"); if (other) other.hidden = true; renderAdmin(); }
  }

  function renderAdmin() {
    var list = $("team-list");
    clear(list);
    A.state.teams.forEach(function (team) { list.appendChild(teamCard(team)); });
    renderRules();
  }

  function teamCard(team) {
    var card = el("form", "canned-form team-card" + (team.archived ? " archived" : ""));
    card.dataset.teamId = team.id;
    var name = el("input");
    name.value = team.name;
    name.maxLength = 60;
    name.className = "team-name";
    name.setAttribute("aria-label", t("teams.name"));
    card.appendChild(name);
    var members = el("fieldset", "team-members");
    members.appendChild(el("legend", null, t("teams.members")));
    A.state.agents.forEach(function (a) {
      var label = el("label", "inline");
      var box = el("input");
      box.type = "checkbox";
      box.value = a.id;
      box.checked = team.member_ids.indexOf(a.id) >= 0;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + a.display_name));
      members.appendChild(label);
    });
    card.appendChild(members);
    var archived = el("label", "inline");
    var archivedBox = el("input");
    archivedBox.type = "checkbox";
    archivedBox.className = "team-archived";
    archivedBox.checked = team.archived;
    archived.appendChild(archivedBox);
    archived.appendChild(document.createTextNode(" " + t("teams.archived")));
    card.appendChild(archived);
    var row = el("div", "row");
    var save = el("button", null, t("teams.save"));
    save.type = "submit";
    var state = el("span", "error team-state");
    if (A.state.teamState.id === team.id) state.textContent = A.state.teamState.text;
    row.appendChild(save);
    row.appendChild(state);
    card.appendChild(row);
    card.addEventListener("submit", function (e) {
      e.preventDefault();
      var ids = Array.prototype.slice.call(members.querySelectorAll("input:checked")).map(function (b) { return parseInt(b.value, 10); });
      A.host().api("PATCH", "/api/teams/" + team.id, { name: name.value, archived: archivedBox.checked, member_ids: ids })
        .then(function () { A.state.teamState = { id: team.id, text: t("teams.saved") }; return loadTeams(); })
        .catch(function (err) { A.state.teamState = { id: team.id, text: err.message }; state.textContent = err.message; });
    });
    return card;
  }

  // "teams.language." + code: each language's name in the rules (an unknown code as it is).
  function languageName(code) {
    var name = t("teams.language." + code);
    return name === "teams.language." + code ? code : name;
  }

  function renderRules() {
    var list = $("rule-list");
    clear(list);
    A.state.rules.forEach(function (rule, index) {
      var li = el("li", "rule");
      var lang = el("select");
      lang.setAttribute("aria-label", t("teams.language"));
      lang.appendChild(option("", t("teams.any_language")));
      A.state.languages.forEach(function (code) { lang.appendChild(option(code, languageName(code))); });
      lang.value = rule.language || "";
      lang.addEventListener("change", function () { rule.language = lang.value || null; });
      var topic = el("input");
      topic.placeholder = t("teams.any_topic");
      topic.setAttribute("aria-label", t("teams.topic"));
      topic.value = rule.topic || "";
      topic.addEventListener("input", function () { rule.topic = topic.value.trim() || null; });
      var team = el("select");
      team.setAttribute("aria-label", t("assign.team"));
      A.state.teams.forEach(function (t) { if (!t.archived || t.id === rule.team_id) team.appendChild(option(String(t.id), t.name)); });
      team.value = rule.team_id === null ? "" : String(rule.team_id);
      team.addEventListener("change", function () { rule.team_id = parseInt(team.value, 10); });
      li.appendChild(lang);
      li.appendChild(el("span", null, " + "));
      li.appendChild(topic);
      li.appendChild(el("span", null, " → "));
      li.appendChild(team);
      [["↑", -1], ["↓", 1]].forEach(function (move) {
        var b = el("button", "secondary", move[0]);
        b.type = "button";
        b.addEventListener("click", function () {
          var j = index + move[1];
          if (j < 0 || j >= A.state.rules.length) return;
          var r = A.state.rules[index]; A.state.rules[index] = A.state.rules[j]; A.state.rules[j] = r;
          renderRules();
        });
        li.appendChild(b);
      });
      var remove = el("button", "secondary", t("teams.remove"));
      remove.type = "button";
      remove.addEventListener("click", function () { A.state.rules.splice(index, 1); renderRules(); });
      li.appendChild(remove);
      list.appendChild(li);
    });
  }

  function onSaveRules() {
    var rules = A.state.rules.map(function (r) { return { language: r.language, topic: r.topic, team_id: r.team_id }; });
    A.host().api("PUT", "/api/routing-rules", { rules: rules })
      .then(function () { $("rules-state").textContent = t("teams.saved"); return loadTeams(); })
      .catch(function (err) { $("rules-state").textContent = err.message; });
  }

  // After assign.js loaded the teams: show the editor's button to leads, redraw it if open.
  function refresh(canEdit) {
    if (!$("teams-admin")) return;
    $("teams-admin-open").hidden = !canEdit;
    if (!$("teams-admin").hidden) renderAdmin();
  }

  window.BatonTeams = { build: buildAdmin, refresh: refresh };

  // Another language: the open editor's teams and rules are drawn again (its frame carries
  // data-i18n attributes, which i18n.js relabels).
  if (window.BatonI18n) window.BatonI18n.onChange(function () {
    if ($("teams-admin") && !$("teams-admin").hidden) renderAdmin();
  });
})();
