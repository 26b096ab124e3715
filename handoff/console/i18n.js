/*!
 * Baton agent console: the console's own text in English, Korean and Chinese. Plain ES2017.
 *
 * The strings are in i18n-en.js, i18n-ko.js and i18n-zh.js (one dictionary per language,
 * loaded before this file). Only the console's chrome is translated: what customers, agents
 * and the shop wrote is shown as written.
 *
 * - In the HTML, an element's text comes from `data-i18n="key"`; attributes from
 *   `data-i18n-placeholder`, `data-i18n-title` and `data-i18n-aria-label`. A string may mark
 *   keys or code with [brackets]: they are shown as <kbd> (or the tag `data-i18n-mark` names),
 *   built with textContent, never parsed as HTML.
 * - In scripts, `BatonI18n.t("key", {name: value})` fills {name} placeholders.
 * - The language is the agent's preference (GET /api/me), else the last one this browser used
 *   (so the login page speaks it too), else the browser's own if it is en, ko or zh, else en.
 */
(function () {
  "use strict";

  var LANGUAGES = ["en", "ko", "zh"];
  var REMEMBERED = "baton.console.language";
  var strings = window.BatonStrings || {};
  var current = "en";

  function supported(code) { return LANGUAGES.indexOf(code) >= 0; }

  function browserLanguage() {
    var wanted = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""]);
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i] || "").toLowerCase().split("-")[0];
      if (supported(code)) return code;
    }
    return "en";
  }

  function remembered() {
    try { return window.localStorage.getItem(REMEMBERED); } catch (e) { return null; }
  }

  // The language to use for a preference (null: no preference: remembered, else the browser's).
  function pick(preference) {
    if (supported(preference)) return preference;
    var last = remembered();
    return supported(last) ? last : browserLanguage();
  }

  function t(key, vars) {
    var table = strings[current] || {};
    var text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : (strings.en || {})[key];
    if (text === undefined) return key;
    return String(text).replace(/\{(\w+)\}/g, function (whole, name) {
      return vars && Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole;
    });
  }

  // "type [/] or press [Ctrl]+[K]": text nodes with the bracketed parts in <kbd> elements.
  function fillMarked(node, text, tag) {
    while (node.firstChild) node.removeChild(node.firstChild);
    text.split(/(\[[^\]]+\])/).forEach(function (part) {
      if (!part) return;
      if (part.charAt(0) === "[" && part.charAt(part.length - 1) === "]") {
        var mark = document.createElement(tag);
        mark.textContent = part.slice(1, -1);
        node.appendChild(mark);
      } else {
        node.appendChild(document.createTextNode(part));
      }
    });
  }

  function apply(root) {
    var scope = root || document;
    Array.prototype.forEach.call(scope.querySelectorAll("[data-i18n]"), function (node) {
      var text = t(node.getAttribute("data-i18n"));
      if (text.indexOf("[") >= 0) fillMarked(node, text, node.getAttribute("data-i18n-mark") || "kbd");
      else node.textContent = text;
    });
    ["placeholder", "title", "aria-label"].forEach(function (attribute) {
      Array.prototype.forEach.call(scope.querySelectorAll("[data-i18n-" + attribute + "]"), function (node) {
        node.setAttribute(attribute, t(node.getAttribute("data-i18n-" + attribute)));
      });
    });
    var title = document.querySelector("title[data-i18n]");
    if (title) document.title = title.textContent;
  }

  // Switch the console's chrome to the agent's `preference` (null: the browser's language);
  // before a login (`agent` false) to what this browser used last. Listeners redraw the rest.
  var listeners = [];
  var chosen = false;
  function use(preference, agent) {
    chosen = true;
    current = agent ? (supported(preference) ? preference : browserLanguage()) : pick(preference);
    if (agent) {
      try { window.localStorage.setItem(REMEMBERED, current); } catch (e) { /* private mode */ }
    }
    document.documentElement.lang = current === "zh" ? "zh-Hans" : current;
    apply(document);
    listeners.forEach(function (listener) { listener(current); });
    return current;
  }

  window.BatonI18n = {
    languages: LANGUAGES,
    t: t,
    use: use,
    apply: apply,
    language: function () { return current; },
    browserLanguage: browserLanguage,
    onChange: function (listener) { listeners.push(listener); },
  };

  // Before anyone logged in: the language this browser used last, or its own.
  document.addEventListener("DOMContentLoaded", function () { if (!chosen) use(null, false); });
})();
