/* The console's NLU inbox: one click (a choice in the list) labels a message. */
(function () {
  "use strict";
  var state = document.getElementById("inbox-state");
  var table = document.getElementById("inbox-table");
  var body = document.getElementById("inbox-rows");
  var language = document.getElementById("inbox-language");
  var i18n = window.BatonI18n;
  function t(key, vars) { return i18n ? i18n.t(key, vars) : key; }

  function call(method, path, data) {
    var opts = { method: method, credentials: "same-origin", headers: {} };
    if (data !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(data);
    }
    return fetch(path, opts).then(function (resp) {
      return resp.json().then(function (json) { return { status: resp.status, json: json }; });
    });
  }

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function picker(row, intents) {
    var select = document.createElement("select");
    select.className = "inbox-label";
    select.setAttribute("aria-label", t("inbox.label_for", { text: row.text }));
    ["", "skip"].concat(intents).forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      option.textContent = name === "" ? t("inbox.choose") : name;
      if (name === (row.label || "")) { option.selected = true; }
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      select.disabled = true;
      call("POST", "/api/inbox/label", { text: row.text, label: select.value }).then(function (r) {
        select.disabled = false;
        select.parentNode.classList.toggle("saved", r.status === 200);
        if (r.status !== 200) { state.textContent = (r.json && r.json.error) || t("inbox.not_saved"); }
      });
    });
    var td = document.createElement("td");
    td.appendChild(select);
    return td;
  }

  function languageName(code, languages) {
    var found = (languages || []).filter(function (l) { return l.code === code; })[0];
    return found ? found.name : code;
  }

  function showCounts(languages) {
    (languages || []).forEach(function (l) {
      var option = language.querySelector('option[value="' + l.code + '"]');
      if (option) { option.textContent = option.textContent.replace(/ \(\d+\)$/, "") + " (" + l.rows + ")"; }
    });
  }

  function load() {
    var query = language.value ? "?lang=" + encodeURIComponent(language.value) : "";
    state.textContent = t("inbox.loading");
    body.innerHTML = "";
    call("GET", "/api/inbox/" + query).then(function (r) {
      if (r.status === 401) {
        state.innerHTML = "";
        var a = document.createElement("a");
        a.href = "/";
        a.textContent = t("inbox.log_in");
        state.appendChild(a);
        return;
      }
      if (r.status !== 200) { state.textContent = (r.json && r.json.error) || t("inbox.cannot_load"); return; }
      var rows = r.json.rows || [];
      showCounts(r.json.languages);
      state.textContent = rows.length ? t("inbox.to_review", { count: rows.length }) : t("inbox.nothing");
      rows.forEach(function (row) {
        var tr = document.createElement("tr");
        var text = cell(row.text);
        if (row.language) { text.lang = row.language; }
        tr.appendChild(text);
        tr.appendChild(cell(languageName(row.language, r.json.languages)));
        tr.appendChild(cell(row.count));
        tr.appendChild(cell(row.predicted_intent + " (" + row.confidence + ")"));
        tr.appendChild(cell((row.reasons || "").replace(/;/g, ", ")));
        tr.appendChild(picker(row, r.json.intents || []));
        body.appendChild(tr);
      });
      table.hidden = rows.length === 0;
    });
  }

  language.addEventListener("change", load);
  // The page speaks the agent's console language (their preference, GET /api/me).
  call("GET", "/api/me").then(function (r) {
    if (i18n) i18n.use(r.status === 200 && r.json.preferences ? r.json.preferences.language : null, r.status === 200);
  }).catch(function () {}).then(load);
})();
