/*!
 * Baton web chat widget
 * Plain ES2017, no dependencies except the socket.io client, which it loads from
 * <server>/webchat/socket.io.min.js when window.io is not already present.
 *
 * Embed with one tag:
 *   <script src="https://bot.example/webchat/widget.js"
 *           data-server-url="https://bot.example"
 *           data-customer-token="OPTIONAL"
 *           data-title="Help" async></script>
 *
 * Optional attributes: data-subtitle, data-greeting, data-color (CSS colour),
 * data-position ("right" | "left"), data-connect ("lazy" | "eager"),
 * data-language ("en" | "ko" | "zh"; otherwise the browser's language).
 *
 * Languages: the widget's own words (placeholder, buttons, "Connecting…") are in English,
 * Korean or Chinese. It starts in data-language, or the language it last used on this
 * site, or the browser's preferred language; then it follows the conversation: when the
 * assistant answers in another language (the customer wrote in it), the widget switches.
 *
 * Security: message text is never parsed as HTML. Every node is built with DOM
 * APIs (createElement / createTextNode); links only accept http(s), mailto: and tel:.
 */
(function () {
  "use strict";

  if (window.BatonChat && window.BatonChat.__baton) return; // included twice

  // ---------------------------------------------------------------------------
  // Configuration from our own <script> tag (must be read synchronously).
  // ---------------------------------------------------------------------------
  var script = document.currentScript;
  if (!script || !/widget\.js/.test(script.src || "")) {
    var candidates = document.querySelectorAll('script[src*="widget.js"]');
    script = candidates.length ? candidates[candidates.length - 1] : null;
  }

  function attr(name) {
    if (!script) return null;
    var v = script.getAttribute("data-" + name);
    return v === null ? null : String(v).trim();
  }

  function scriptOrigin() {
    try {
      if (script && script.src) return new URL(script.src, window.location.href).origin;
    } catch (e) { /* fall through */ }
    return window.location.origin;
  }

  var serverUrl = (attr("server-url") || scriptOrigin()).replace(/\/+$/, "");
  var customerToken = attr("customer-token") || null;

  // ---------------------------------------------------------------------------
  // The widget's own words, per language (the assistant's answers come translated).
  // ---------------------------------------------------------------------------
  var STRINGS = {
    en: {
      title: "Chat with us",
      subtitle: "Orders, delivery, returns & refunds",
      greeting: "Ask me about your order, delivery, returns or refunds. " +
        "A person from our team can step in if needed.",
      welcome: "Hi there \uD83D\uDC4B",
      placeholder: "Write a message\u2026",
      inputLabel: "Type your message",
      send: "Send",
      sendLabel: "Send message",
      composerLabel: "Send a message",
      open: "Open chat",
      close: "Close chat",
      closeTitle: "Close",
      unread: function (n) { return " (" + n + " unread message" + (n === 1 ? "" : "s") + ")"; },
      connecting: "Connecting\u2026",
      reconnecting: "Reconnecting\u2026",
      offline: "Chat is offline right now. Retrying\u2026",
      typing: "Assistant is typing\u2026",
      conversation: "Conversation",
      suggested: "Suggested replies",
      agent: "Support agent",
      team: "Team",
      chattingWith: function (name) { return "You're chatting with " + name; },
      open_file: function (type) { return "Open " + type; },
      attach: "Send a photo or PDF",
      uploadFailed: "That file couldn't be sent. Please try again.",
      uploadTooBig: "That file is too big to send here.",
      image: "Image",
      powered: "Powered by Baton",
    },
    ko: {
      title: "상담하기",
      subtitle: "주문, 배송, 반품, 환불",
      greeting: "주문, 배송, 반품이나 환불에 대해 물어보세요. 필요하면 상담원이 도와드립니다.",
      welcome: "안녕하세요 \uD83D\uDC4B",
      placeholder: "메시지를 입력하세요\u2026",
      inputLabel: "메시지 입력",
      send: "보내기",
      sendLabel: "메시지 보내기",
      composerLabel: "메시지 보내기",
      open: "채팅 열기",
      close: "채팅 닫기",
      closeTitle: "닫기",
      unread: function (n) { return " (읽지 않은 메시지 " + n + "개)"; },
      connecting: "연결 중\u2026",
      reconnecting: "다시 연결 중\u2026",
      offline: "지금은 채팅에 연결할 수 없습니다. 다시 시도하는 중\u2026",
      typing: "답변을 작성하고 있습니다\u2026",
      conversation: "대화",
      suggested: "추천 답변",
      agent: "상담원",
      team: "상담팀",
      chattingWith: function (name) { return name + " 상담원과 대화 중입니다"; },
      open_file: function (type) { return type + " 열기"; },
      attach: "사진 또는 PDF 보내기",
      uploadFailed: "파일을 보내지 못했습니다. 다시 시도해 주세요.",
      uploadTooBig: "파일이 너무 커서 보낼 수 없습니다.",
      image: "이미지",
      powered: "Powered by Baton",
    },
    zh: {
      title: "在线客服",
      subtitle: "订单、配送、退货和退款",
      greeting: "您可以咨询订单、配送、退货或退款的问题。如有需要，我们的客服人员会为您服务。",
      welcome: "您好 \uD83D\uDC4B",
      placeholder: "请输入消息\u2026",
      inputLabel: "输入消息",
      send: "发送",
      sendLabel: "发送消息",
      composerLabel: "发送消息",
      open: "打开聊天",
      close: "关闭聊天",
      closeTitle: "关闭",
      unread: function (n) { return "（" + n + "条未读消息）"; },
      connecting: "正在连接\u2026",
      reconnecting: "正在重新连接\u2026",
      offline: "聊天暂时无法连接，正在重试\u2026",
      typing: "正在输入\u2026",
      conversation: "对话",
      suggested: "推荐回复",
      agent: "客服",
      team: "客服团队",
      chattingWith: function (name) { return "正在与" + name + "对话"; },
      open_file: function (type) { return "打开" + type; },
      attach: "发送照片或PDF",
      uploadFailed: "文件未能发送，请重试。",
      uploadTooBig: "文件太大，无法在这里发送。",
      image: "图片",
      powered: "Powered by Baton",
    },
  };
  var LANGUAGE_KEY = "baton_language"; // localStorage

  function supported(tag) {
    var code = String(tag || "").toLowerCase().split(/[-_]/)[0];
    return STRINGS[code] ? code : null;
  }

  // Korean if it has Hangul, Chinese if it has Han characters (and no Hangul), English if
  // it has Latin letters; null for digits, e-mails, emoji (the language stays as it is).
  function scriptLanguage(text) {
    var t = String(text || "");
    if (/[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]/.test(t)) return "ko";
    if (/[\u4e00-\u9fff\u3400-\u4dbf]/.test(t)) return "zh";
    if (/[A-Za-z]{2,}/.test(t.replace(/https?:\/\/\S+|\S+@\S+/g, ""))) return "en";
    return null;
  }

  function initialLanguage() {
    var chosen = supported(attr("language"));
    if (chosen) return chosen;
    try {
      chosen = supported(window.localStorage.getItem(LANGUAGE_KEY));
      if (chosen) return chosen;
    } catch (e) { /* storage blocked */ }
    var prefs = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language];
    for (var i = 0; i < prefs.length; i++) {
      var code = supported(prefs[i]);
      if (code) return code;
    }
    return "en";
  }

  var language = initialLanguage();
  function t(key) { return STRINGS[language][key]; }

  var config = {
    // The shop's own title, subtitle and greeting win; otherwise the language's defaults.
    customTitle: attr("title"),
    customSubtitle: attr("subtitle"),
    customGreeting: attr("greeting"),
    title: attr("title") || STRINGS[language].title,
    subtitle: attr("subtitle") || STRINGS[language].subtitle,
    greeting: attr("greeting") || STRINGS[language].greeting,
    color: attr("color"),
    position: attr("position") === "left" ? "left" : "right",
    eager: attr("connect") === "eager",
  };

  var SESSION_KEY = "baton_session_id"; // localStorage
  var OPEN_KEY = "baton_open"; // sessionStorage
  var TYPING_TIMEOUT_MS = 15000;
  var HISTORY_WAIT_MS = 1500;
  var SOCKET_PATH = "/socket.io";

  // ---------------------------------------------------------------------------
  // Storage helpers (storage may be blocked: private mode, iframes, policies).
  // ---------------------------------------------------------------------------
  var memoryStore = {};
  function storageGet(kind, key) {
    try {
      var v = window[kind].getItem(key);
      return v === null ? null : v;
    } catch (e) {
      return Object.prototype.hasOwnProperty.call(memoryStore, kind + key) ? memoryStore[kind + key] : null;
    }
  }
  function storageSet(kind, key, value) {
    try {
      window[kind].setItem(key, value);
    } catch (e) {
      memoryStore[kind + key] = value;
    }
  }

  // ---------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------
  var state = {
    ready: false,
    open: false,
    sessionId: storageGet("localStorage", SESSION_KEY) || null,
    socket: null,
    ioPromise: null,
    connectedOnce: false,
    confirmed: false,
    awaitingHistory: false,
    historyTimer: null,
    pending: [], // [{text, el}] user messages not yet emitted
    typingTimer: null,
    retryTimer: null,
    unread: 0,
    agentName: null,
  };
  var els = {};
  var readyQueue = [];

  // ---------------------------------------------------------------------------
  // DOM helpers
  // ---------------------------------------------------------------------------
  function el(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "className") node.className = v;
        else if (k === "text") node.textContent = v;
        else if (k === "hidden") node.hidden = true;
        else node.setAttribute(k, v === true ? "" : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  // Icons are static path data (never user input).
  function icon(paths, size) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size || 24));
    svg.setAttribute("height", String(size || 24));
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("fill", "none");
    svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "2");
    svg.setAttribute("stroke-linecap", "round");
    svg.setAttribute("stroke-linejoin", "round");
    paths.forEach(function (d) {
      var p = document.createElementNS(SVG_NS, "path");
      p.setAttribute("d", d);
      svg.appendChild(p);
    });
    return svg;
  }
  var ICONS = {
    chat: ["M21 11.5a8.38 8.38 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.38 8.38 0 0 1-3.8-.9L3 21l1.9-5.7a8.38 8.38 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.38 8.38 0 0 1 3.8-.9h.5a8.48 8.48 0 0 1 8 8v.5z"],
    down: ["M6 9l6 6 6-6"],
    close: ["M18 6L6 18", "M6 6l12 12"],
    send: ["M22 2L11 13", "M22 2l-7 20-4-9-9-4 20-7z"],
    attach: ["M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"],
    bot: ["M12 8V4H8", "M4 12a4 4 0 0 1 4-4h8a4 4 0 0 1 4 4v4a4 4 0 0 1-4 4H8a4 4 0 0 1-4-4z", "M9 13v2", "M15 13v2", "M2 14h2", "M20 14h2"],
  };

  // ---------------------------------------------------------------------------
  // Light markdown -> DOM (no HTML parsing ever happens).
  // Supports **bold**, [label](url), bare http(s) URLs and newlines.
  // ---------------------------------------------------------------------------
  var RE_WITH_BOLD = "\\*\\*(?=\\S)([^\\n]*?\\S)\\*\\*|\\[([^\\]\\n]{1,500})\\]\\(\\s*([^\\s)]+)\\s*\\)|(https?:\\/\\/[^\\s<>\"]+)";
  var RE_NO_BOLD = "()\\[([^\\]\\n]{1,500})\\]\\(\\s*([^\\s)]+)\\s*\\)|(https?:\\/\\/[^\\s<>\"]+)";

  function safeUrl(href, protocols) {
    try {
      var u = new URL(href, serverUrl + "/");
      if (protocols.indexOf(u.protocol) === -1) return null;
      return u.href;
    } catch (e) {
      return null;
    }
  }

  function makeLink(href, label) {
    var url = safeUrl(href, ["http:", "https:", "mailto:", "tel:"]);
    if (!url || !/^(https?:|mailto:|tel:)/i.test(href)) return null;
    var a = el("a", { href: url, target: "_blank", rel: "noopener noreferrer", className: "baton-link" });
    a.textContent = label;
    return a;
  }

  function splitTrailing(url) {
    // Trim punctuation that usually ends a sentence rather than the URL.
    var trail = "";
    for (;;) {
      var last = url.charAt(url.length - 1);
      if (/[.,;:!?'*\]]/.test(last)) {
        trail = last + trail;
        url = url.slice(0, -1);
      } else if (last === ")" && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length) {
        trail = last + trail;
        url = url.slice(0, -1);
      } else {
        break;
      }
    }
    return [url, trail];
  }

  function appendInline(parent, text, allowBold) {
    var re = new RegExp(allowBold ? RE_WITH_BOLD : RE_NO_BOLD, "g");
    var last = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (allowBold && m[1] !== undefined && m[1] !== "") {
        var strong = el("strong");
        appendInline(strong, m[1], false);
        parent.appendChild(strong);
      } else if (m[2] !== undefined) {
        var link = makeLink(m[3], m[2]);
        parent.appendChild(link || document.createTextNode(m[0]));
      } else if (m[4] !== undefined) {
        var parts = splitTrailing(m[4]);
        var bare = parts[0].length > 8 ? makeLink(parts[0], parts[0]) : null;
        if (bare) {
          parent.appendChild(bare);
          if (parts[1]) parent.appendChild(document.createTextNode(parts[1]));
        } else {
          parent.appendChild(document.createTextNode(m[4]));
        }
      } else {
        parent.appendChild(document.createTextNode(m[0]));
      }
      last = re.lastIndex;
      if (m[0].length === 0) re.lastIndex++; // safety against empty matches
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderRichText(parent, text) {
    var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    lines.forEach(function (line, i) {
      if (i > 0) parent.appendChild(el("br"));
      if (line) appendInline(parent, line, true);
    });
  }

  // ---------------------------------------------------------------------------
  // Message normalisation
  // ---------------------------------------------------------------------------
  function str(v) {
    return v === null || v === undefined ? "" : String(v);
  }

  function normButtons(list) {
    if (!Array.isArray(list)) return [];
    return list
      .map(function (b) {
        if (b === null || b === undefined) return null;
        if (typeof b !== "object") return { title: str(b), payload: str(b) };
        var title = str(b.title !== undefined ? b.title : b.payload);
        var payload = b.payload !== undefined && b.payload !== null ? str(b.payload) : "";
        var url = b.url ? str(b.url) : "";
        if (!title && !payload) return null;
        return { title: title || payload, payload: payload, url: url };
      })
      .filter(Boolean);
  }

  function imageSrc(v) {
    if (!v) return null;
    if (typeof v === "string") return v;
    if (typeof v === "object") return v.src || v.url || (v.payload && (v.payload.src || v.payload.url)) || null;
    return null;
  }

  function agentNameOf(d) {
    var md = d.metadata && typeof d.metadata === "object" ? d.metadata : {};
    var candidates = [md.agent_name, d.agent_name, d.agent, md.agent];
    for (var i = 0; i < candidates.length; i++) {
      var c = candidates[i];
      if (!c) continue;
      if (typeof c === "string") return c;
      if (typeof c === "object" && c.name) return str(c.name);
      if (c === true) return t("agent");
    }
    return null;
  }

  function fromBotUttered(d) {
    if (typeof d === "string") d = { text: d };
    if (!d || typeof d !== "object") return null;
    var msg = {
      sender: "bot",
      text: d.text !== undefined && d.text !== null ? str(d.text) : "",
      buttons: normButtons(d.quick_replies && d.quick_replies.length ? d.quick_replies : d.buttons),
      image: null,
      elements: [],
      files: [],
      agentName: agentNameOf(d),
    };
    if (msg.agentName) msg.sender = "agent";
    var att = d.attachment;
    if (att && typeof att === "object") {
      var type = str(att.type).toLowerCase();
      var payload = att.payload && typeof att.payload === "object" ? att.payload : {};
      if (type === "image") {
        msg.image = imageSrc(payload) || imageSrc(att);
      } else if (type === "template" && payload.elements) {
        msg.elements = Array.isArray(payload.elements) ? payload.elements : [payload.elements];
      } else if (payload.src || payload.url) {
        msg.files.push({ type: type || "file", src: str(payload.src || payload.url) });
      }
    }
    if (!msg.image && d.image) msg.image = imageSrc(d.image);
    return msg;
  }

  function fromHistory(h) {
    if (!h || typeof h !== "object") return null;
    var sender = str(h.sender).toLowerCase();
    if (sender !== "user" && sender !== "agent") sender = "bot";
    var name = h.agent_name ? str(h.agent_name) : null;
    if (sender === "bot" && name) sender = "agent";
    return {
      sender: sender,
      text: str(h.text),
      buttons: sender === "user" ? [] : normButtons(h.buttons || h.quick_replies),
      image: imageSrc(h.image),
      elements: [],
      files: [],
      agentName: sender === "agent" ? name || t("agent") : null,
    };
  }

  // ---------------------------------------------------------------------------
  // Rendering
  // ---------------------------------------------------------------------------
  function isNearBottom() {
    var b = els.body;
    return b.scrollHeight - b.scrollTop - b.clientHeight < 80;
  }

  function scrollToBottom(force) {
    if (!els.body) return;
    if (force || isNearBottom()) {
      els.body.scrollTop = els.body.scrollHeight;
    }
  }

  function renderButtons(buttons, active) {
    var group = el("div", { className: "baton-buttons", role: "group", "aria-label": t("suggested") });
    buttons.forEach(function (b) {
      if (b.url && !b.payload) {
        var link = makeLink(b.url, b.title);
        if (link) {
          link.className = "baton-link-button";
          link.setAttribute("aria-label", b.title + " (opens in a new tab)");
          group.appendChild(link);
        }
        return;
      }
      var btn = el("button", { type: "button", className: "baton-button", "aria-label": b.title });
      btn.textContent = b.title;
      if (!active) btn.disabled = true;
      btn.addEventListener("click", function () {
        if (group.getAttribute("data-used")) return;
        group.setAttribute("data-used", "1");
        group.classList.add("baton-buttons-used");
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) {
          x.disabled = true;
        });
        btn.classList.add("baton-button-selected");
        btn.setAttribute("aria-pressed", "true");
        sendMessage(b.payload || b.title, b.title);
        if (els.input) els.input.focus();
      });
      group.appendChild(btn);
    });
    if (!active) {
      group.setAttribute("data-used", "1");
      group.classList.add("baton-buttons-used");
    }
    return group.childNodes.length ? group : null;
  }

  function renderImage(src, parent) {
    var url = safeUrl(src, ["http:", "https:", "data:", "blob:"]);
    if (!url || (/^data:/i.test(url) && !/^data:image\//i.test(url))) return;
    var img = el("img", { className: "baton-image", src: url, alt: t("image"), loading: "lazy" });
    img.addEventListener("load", function () {
      scrollToBottom(false);
    });
    parent.appendChild(img);
  }

  function renderCards(elements, active) {
    var wrap = el("div", { className: "baton-cards" });
    elements.forEach(function (e) {
      if (!e || typeof e !== "object") return;
      var card = el("div", { className: "baton-card" });
      if (e.image_url) renderImage(str(e.image_url), card);
      if (e.title) card.appendChild(el("div", { className: "baton-card-title", text: str(e.title) }));
      if (e.subtitle) {
        var sub = el("div", { className: "baton-card-subtitle" });
        renderRichText(sub, str(e.subtitle));
        card.appendChild(sub);
      }
      var btns = normButtons(e.buttons);
      if (btns.length) {
        var g = renderButtons(btns, active);
        if (g) card.appendChild(g);
      }
      wrap.appendChild(card);
    });
    return wrap.childNodes.length ? wrap : null;
  }

  function renderMessage(msg, buttonsActive) {
    var cls = "baton-msg baton-" + msg.sender;
    var node = el("div", { className: cls, "data-sender": msg.sender });
    if (msg.sender === "agent") {
      var name = msg.agentName || t("agent");
      var label = el("div", { className: "baton-agent-name", "data-initial": name.charAt(0).toUpperCase() });
      label.appendChild(el("span", { className: "baton-agent-label", text: name }));
      label.appendChild(el("span", { className: "baton-agent-tag", text: t("team") }));
      node.appendChild(label);
    }
    if (msg.text) {
      var bubble = el("div", { className: "baton-bubble" });
      renderRichText(bubble, msg.text);
      node.appendChild(bubble);
    }
    if (msg.image) renderImage(msg.image, node);
    (msg.files || []).forEach(function (f) {
      var a = makeLink(f.src, t("open_file")(f.type));
      if (a) node.appendChild(el("div", { className: "baton-bubble baton-file" }, [a]));
    });
    if (msg.elements && msg.elements.length) {
      var cards = renderCards(msg.elements, buttonsActive);
      if (cards) node.appendChild(cards);
    }
    if (msg.buttons && msg.buttons.length) {
      var group = renderButtons(msg.buttons, buttonsActive);
      if (group) node.appendChild(group);
    }
    return node.childNodes.length ? node : null;
  }

  function appendMessage(msg, buttonsActive, forceScroll) {
    var near = isNearBottom();
    var node = renderMessage(msg, buttonsActive !== false);
    if (!node) return null;
    els.messages.appendChild(node);
    if (msg.sender === "agent" && msg.agentName) setAgent(msg.agentName);
    scrollToBottom(forceScroll || near);
    return node;
  }

  // Follow the conversation's language: the assistant answers in the customer's language,
  // so the widget's own words switch with it.
  function followLanguage(text) {
    var code = scriptLanguage(text);
    if (code && code !== language) setLanguage(code);
  }

  function setLanguage(code) {
    if (!STRINGS[code]) return;
    language = code;
    try { window.localStorage.setItem(LANGUAGE_KEY, code); } catch (e) { /* storage blocked */ }
    if (!els.root) return;
    function byId(id) { return document.getElementById(id); }
    function set(node, props) {
      if (!node) return;
      Object.keys(props).forEach(function (k) {
        if (k === "text") node.textContent = props[k];
        else node.setAttribute(k, props[k]);
      });
    }
    els.root.setAttribute("lang", code === "zh" ? "zh-Hans" : code);
    if (!config.customTitle) set(byId("baton-title"), { text: t("title") });
    if (!config.customSubtitle && !state.agentName) set(els.subtitle, { text: t("subtitle") });
    if (state.agentName) set(els.subtitle, { text: t("chattingWith")(state.agentName) });
    if (!config.customGreeting) set(byId("baton-greeting"), { text: t("greeting") });
    set(byId("baton-welcome-title"), { text: t("welcome") });
    set(byId("baton-typing-label"), { text: t("typing") });
    set(byId("baton-close"), { "aria-label": t("close"), title: t("closeTitle") });
    set(els.input, { placeholder: t("placeholder"), "aria-label": t("inputLabel") });
    set(els.send, { "aria-label": t("sendLabel"), title: t("send") });
    set(els.attach, { "aria-label": t("attach"), title: t("attach") });
    if (els.input && els.input.form) set(els.input.form, { "aria-label": t("composerLabel") });
    set(els.messages, { "aria-label": t("conversation") });
    updateLauncherLabel();
  }

  function setAgent(name) {
    state.agentName = name;
    els.subtitle.textContent = t("chattingWith")(name);
  }

  function clearMessages() {
    while (els.messages.firstChild) els.messages.removeChild(els.messages.firstChild);
  }

  // ---------------------------------------------------------------------------
  // Typing indicator & status line
  // ---------------------------------------------------------------------------
  function showTyping() {
    if (!els.typing) return;
    var near = isNearBottom();
    els.typing.hidden = false;
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
    scrollToBottom(near);
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    state.typingTimer = null;
    if (els.typing) els.typing.hidden = true;
  }

  function setStatus(text, kind) {
    if (!els.status) return;
    if (!text) {
      els.status.hidden = true;
      els.status.textContent = "";
      return;
    }
    els.status.className = "baton-status" + (kind ? " baton-status-" + kind : "");
    els.status.textContent = text;
    els.status.hidden = false;
  }

  function setUnread(n) {
    state.unread = n;
    if (!els.badge) return;
    els.badge.textContent = n > 9 ? "9+" : String(n);
    els.badge.hidden = n <= 0;
    updateLauncherLabel();
  }

  function updateLauncherLabel() {
    var label = state.open ? t("close") : t("open");
    if (!state.open && state.unread > 0) label += t("unread")(state.unread);
    els.launcher.setAttribute("aria-label", label);
  }

  // ---------------------------------------------------------------------------
  // socket.io loading & connection
  // ---------------------------------------------------------------------------
  function loadIo() {
    if (typeof window.io === "function") return Promise.resolve(window.io);
    if (state.ioPromise) return state.ioPromise;
    var src = serverUrl + "/webchat/socket.io.min.js";
    state.ioPromise = new Promise(function (resolve, reject) {
      // Pages running an AMD loader (RequireJS, e.g. Magento): the UMD bundle
      // registers with define() instead of setting window.io, so load it via require().
      var define = window.define;
      if (typeof define === "function" && define.amd && typeof window.require === "function") {
        try {
          window.require([src], function (io) {
            if (typeof io === "function") resolve(io);
            else if (typeof window.io === "function") resolve(window.io);
            else reject(new Error("socket.io did not load"));
          }, reject);
          return;
        } catch (e) { /* fall back to a plain script tag */ }
      }
      var s = document.createElement("script");
      s.src = src;
      s.async = true;
      s.onload = function () {
        if (typeof window.io === "function") resolve(window.io);
        else reject(new Error("socket.io did not load"));
      };
      s.onerror = function () {
        reject(new Error("failed to load " + src));
      };
      (document.head || document.documentElement).appendChild(s);
    });
    state.ioPromise.catch(function () {
      state.ioPromise = null;
    });
    return state.ioPromise;
  }

  function ensureConnected() {
    clearTimeout(state.retryTimer);
    if (state.socket) {
      if (!state.socket.connected && !state.socket.active) state.socket.connect();
      return;
    }
    if (!state.connectedOnce) setStatus(t("connecting"), "info");
    loadIo().then(
      function (io) {
        if (!state.socket) createSocket(io);
      },
      function () {
        setStatus(t("offline"), "warn");
        state.retryTimer = setTimeout(function () {
          if (state.open || state.pending.length) ensureConnected();
        }, 5000);
      }
    );
  }

  function createSocket(io) {
    var socket = io(serverUrl, { path: SOCKET_PATH, transports: ["websocket", "polling"] });
    state.socket = socket;

    socket.on("connect", function () {
      state.connectedOnce = true;
      state.confirmed = false;
      setStatus(null);
      // The shopper's token goes with the request too: the server resumes a conversation only
      // for the person it belongs to (the same logged-in customer, or nobody).
      var request = { session_id: state.sessionId || null };
      if (customerToken) request.customData = { customer_token: customerToken };
      socket.emit("session_request", request);
    });

    socket.on("session_confirm", onSessionConfirm);
    socket.on("baton_history", onHistory);

    socket.on("bot_uttered", function (data) {
      hideTyping();
      var msg = fromBotUttered(data);
      if (!msg) return;
      if (msg.sender === "bot") followLanguage(msg.text);
      var node = appendMessage(msg, true, false);
      if (node && !state.open) setUnread(state.unread + 1);
    });

    socket.on("baton_turn_end", function () {
      hideTyping();
    });

    socket.on("disconnect", function (reason) {
      state.confirmed = false;
      setStatus(t("reconnecting"), "warn");
      if (reason === "io server disconnect") {
        // The server closed the connection on purpose; socket.io will not retry by itself.
        setTimeout(function () {
          if (!socket.connected) socket.connect();
        }, 2000);
      }
    });

    socket.on("connect_error", function () {
      setStatus(state.connectedOnce ? t("reconnecting") : t("connecting"), state.connectedOnce ? "warn" : "info");
    });
  }

  function conversationOf(sessionId) {
    return String(sessionId).split(".")[0];
  }

  function setAgentless() {
    state.agentName = null;
    els.subtitle.textContent = config.customSubtitle || t("subtitle");
  }

  // Forget this browser's conversation: a new, empty one starts with the next message.
  // Shops call it when a shopper logs out (the next person on the computer must not see it).
  function resetConversation() {
    state.sessionId = null;
    try { window.localStorage.removeItem(SESSION_KEY); } catch (e) { /* storage blocked */ }
    state.pending = [];
    clearMessages();
    setAgentless();
    if (state.socket) {
      state.confirmed = false;
      state.socket.emit("session_request", customerToken
        ? { session_id: null, customData: { customer_token: customerToken } }
        : { session_id: null });
    }
  }

  function customerOf(token) {
    return token ? String(token).split(".")[0] : null;
  }

  function onSessionConfirm(data) {
    var id = null;
    if (typeof data === "string" || typeof data === "number") id = String(data);
    else if (data && typeof data === "object" && data.session_id) id = String(data.session_id);
    var resumed = !!id && id === state.sessionId;
    if (id && state.sessionId && conversationOf(id) !== conversationOf(state.sessionId)) {
      // The server started a new conversation (expired, logged out, someone else logged
      // in): nothing of the previous one stays on the page.
      clearMessages();
      setAgentless();
    }
    if (id) {
      state.sessionId = id;
      storageSet("localStorage", SESSION_KEY, id);
    }
    state.confirmed = true;
    clearTimeout(state.historyTimer);
    if (resumed && state.pending.length) {
      // A resumed session is followed by baton_history; send queued messages after it
      // so they are not wiped by the history re-render.
      state.awaitingHistory = true;
      state.historyTimer = setTimeout(function () {
        state.awaitingHistory = false;
        flushPending();
      }, HISTORY_WAIT_MS);
    } else {
      state.awaitingHistory = false;
      flushPending();
    }
  }

  function onHistory(data) {
    var raw = data && Array.isArray(data.messages) ? data.messages : [];
    var msgs = raw.map(fromHistory).filter(Boolean);
    var lastUser = -1;
    var prevButtons = [];
    msgs.forEach(function (m, i) {
      if (m.sender === "user") {
        lastUser = i;
        // A button click is usually stored as its payload ("/agent"): show its title.
        for (var j = 0; j < prevButtons.length; j++) {
          if (prevButtons[j].payload && prevButtons[j].payload === m.text.trim()) {
            m.text = prevButtons[j].title;
            break;
          }
        }
        prevButtons = [];
      } else if (m.buttons && m.buttons.length) {
        prevButtons = m.buttons;
      }
    });
    clearMessages();
    state.agentName = null;
    els.subtitle.textContent = config.customSubtitle || t("subtitle");
    // A resumed conversation speaks the language of the assistant's latest answer.
    for (var k = msgs.length - 1; k >= 0; k--) {
      if (msgs[k].sender === "bot" && scriptLanguage(msgs[k].text)) {
        followLanguage(msgs[k].text);
        break;
      }
    }
    msgs.forEach(function (m, i) {
      var node = renderMessage(m, i > lastUser && !state.pending.length);
      if (node) els.messages.appendChild(node);
      if (m.sender === "agent" && m.agentName) setAgent(m.agentName);
    });
    state.pending.forEach(function (p) {
      els.messages.appendChild(p.el);
    });
    hideTyping();
    scrollToBottom(true);
    if (state.awaitingHistory) {
      clearTimeout(state.historyTimer);
      state.awaitingHistory = false;
      flushPending();
    }
  }

  function canEmit() {
    return !!(state.socket && state.socket.connected && state.confirmed && !state.awaitingHistory);
  }

  function emitUtterance(text) {
    var customData = {};
    if (customerToken) customData.customer_token = customerToken;
    state.socket.emit("user_uttered", {
      message: text,
      session_id: state.sessionId,
      customData: customData,
    });
    showTyping();
  }

  function flushPending() {
    while (state.pending.length && canEmit()) {
      var item = state.pending.shift();
      item.el.classList.remove("baton-pending");
      emitUtterance(item.text);
    }
  }

  // ---------------------------------------------------------------------------
  // Sending
  // ---------------------------------------------------------------------------
  function sendMessage(text, displayText) {
    var message = str(text).trim();
    if (!message) return false;
    var node = appendMessage({ sender: "user", text: str(displayText || message).trim() || message }, false, true);
    if (canEmit()) {
      emitUtterance(message);
    } else {
      if (node) node.classList.add("baton-pending");
      state.pending.push({ text: message, el: node });
      ensureConnected();
    }
    return true;
  }

  function submitInput() {
    var value = els.input.value;
    if (!value.trim()) return;
    if (sendMessage(value)) {
      els.input.value = "";
      autoGrow();
    }
  }

  // A photo or PDF (the paperclip button): posted to the channel's upload route with this
  // chat's session id and the shopper's token (the server checks both, as for the socket,
  // and the file's real type and size). The reply comes over the socket like any other; a
  // refusal's reason is shown under the customer's own bubble.
  var UPLOAD_TYPES = "image/jpeg,image/png,image/webp,application/pdf";

  function uploadFile(file) {
    if (!file) return;
    var preview = /^image\//.test(file.type || "") && window.URL && URL.createObjectURL ? URL.createObjectURL(file) : null;
    var node = appendMessage(preview ? { sender: "user", image: preview } : { sender: "user", text: "\uD83D\uDCCE " + str(file.name) }, false, true);
    function fail(reason) {
      if (!node) return;
      node.classList.remove("baton-pending");
      node.classList.add("baton-failed");
      node.appendChild(el("div", { className: "baton-upload-error", role: "alert", text: reason }));
      scrollToBottom(true);
    }
    if (!state.sessionId) {
      ensureConnected();
      fail(t("uploadFailed"));
      return;
    }
    if (node) node.classList.add("baton-pending");
    var form = new FormData();
    form.append("session_id", state.sessionId);
    if (customerToken) form.append("customer_token", customerToken);
    form.append("file", file, str(file.name) || "upload");
    window.fetch(serverUrl + "/webhooks/webchat/upload", { method: "POST", body: form, credentials: "omit" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (r.ok) {
            if (node) node.classList.remove("baton-pending");
            return;
          }
          var reason = body && typeof body.error === "string" ? body.error : null;
          fail(reason || (r.status === 413 ? t("uploadTooBig") : t("uploadFailed")));
        });
      })
      .catch(function () { fail(t("uploadFailed")); });
  }

  function autoGrow() {
    var t = els.input;
    t.style.height = "auto";
    var h = Math.max(40, Math.min(t.scrollHeight + 2, 120));
    t.style.height = h + "px";
    t.style.overflowY = t.scrollHeight + 2 > 120 ? "auto" : "hidden";
  }

  // ---------------------------------------------------------------------------
  // Open / close
  // ---------------------------------------------------------------------------
  function openPanel(opts) {
    var focus = !opts || opts.focus !== false;
    state.open = true;
    storageSet("sessionStorage", OPEN_KEY, "1");
    els.panel.hidden = false;
    els.root.classList.add("baton-is-open");
    document.documentElement.classList.add("baton-lock");
    els.launcher.setAttribute("aria-expanded", "true");
    els.launcher.replaceChild(icon(ICONS.down, 28), els.launcher.querySelector("svg"));
    setUnread(0);
    updateLauncherLabel();
    ensureConnected();
    scrollToBottom(true);
    if (focus) {
      setTimeout(function () {
        els.input.focus();
      }, 30);
    }
  }

  function closePanel(opts) {
    var wasFocusedInside = els.panel.contains(document.activeElement);
    state.open = false;
    storageSet("sessionStorage", OPEN_KEY, "0");
    els.panel.hidden = true;
    els.root.classList.remove("baton-is-open");
    document.documentElement.classList.remove("baton-lock");
    els.launcher.setAttribute("aria-expanded", "false");
    els.launcher.replaceChild(icon(ICONS.chat, 28), els.launcher.querySelector("svg"));
    updateLauncherLabel();
    if (wasFocusedInside || (opts && opts.focusLauncher)) els.launcher.focus();
  }

  // ---------------------------------------------------------------------------
  // CSS (scoped: every selector is under #baton-root or uses a baton- name)
  // ---------------------------------------------------------------------------
  var STYLE_TEXT = [
    "#baton-root{--baton-accent:#4f46e5;--baton-on-accent:#fff;--baton-accent-ink:var(--baton-accent);--baton-agent:#0f766e;--baton-text:#1f2937;--baton-muted:#6b7280;--baton-border:#e5e7eb;",
    "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:14px;line-height:1.45;color:var(--baton-text);",
    "-webkit-font-smoothing:antialiased;text-align:left;letter-spacing:normal;text-transform:none;}",
    "#baton-root *,#baton-root *::before,#baton-root *::after{box-sizing:border-box;}",
    "#baton-root [hidden]{display:none!important;}",
    "#baton-root button,#baton-root textarea{font:inherit;color:inherit;margin:0;text-transform:none;letter-spacing:normal;box-shadow:none;min-height:0;min-width:0;}",
    "#baton-root svg{display:block;}",
    ".baton-sr{position:absolute!important;width:1px!important;height:1px!important;padding:0!important;margin:-1px!important;overflow:hidden!important;clip:rect(0,0,0,0)!important;white-space:nowrap!important;border:0!important;}",
    // launcher
    "#baton-root .baton-launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;border:0;padding:0;",
    "background:var(--baton-accent);color:var(--baton-on-accent);box-shadow:0 6px 24px rgba(17,24,39,.24);cursor:pointer;display:flex;align-items:center;justify-content:center;",
    "transition:transform .18s ease,box-shadow .18s ease;}",
    "#baton-root .baton-launcher:hover{transform:scale(1.06);box-shadow:0 8px 28px rgba(17,24,39,.3);}",
    "#baton-root .baton-launcher:focus-visible,#baton-root button:focus-visible,#baton-root a:focus-visible{outline:3px solid var(--baton-accent);outline-offset:2px;}",
    "#baton-root .baton-launcher:focus-visible{outline-color:rgba(99,102,241,.55);}",
    "#baton-root .baton-badge{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#ef4444;color:#fff;",
    "font-size:11px;font-weight:700;line-height:20px;text-align:center;box-shadow:0 0 0 2px #fff;}",
    // panel
    "#baton-root .baton-panel{position:fixed;right:20px;bottom:92px;z-index:2147483001;width:380px;max-width:calc(100vw - 40px);height:640px;max-height:calc(100vh - 116px);",
    "background:#fff;border-radius:16px;box-shadow:0 16px 48px rgba(17,24,39,.22),0 2px 8px rgba(17,24,39,.08);display:flex;flex-direction:column;overflow:hidden;",
    "transform-origin:bottom right;animation:baton-in .2s ease-out;}",
    "@keyframes baton-in{from{opacity:0;transform:translateY(12px) scale(.98);}to{opacity:1;transform:none;}}",
    "#baton-root.baton-left .baton-launcher{right:auto;left:20px;}",
    "#baton-root.baton-left .baton-panel{right:auto;left:20px;transform-origin:bottom left;}",
    // header
    "#baton-root .baton-header{display:flex;align-items:center;gap:12px;padding:16px 14px 16px 16px;color:var(--baton-on-accent);background-color:var(--baton-accent);",
    "background-image:linear-gradient(135deg,rgba(255,255,255,.12),rgba(0,0,0,.18));flex:0 0 auto;}",
    "#baton-root .baton-avatar{flex:0 0 40px;width:40px;height:40px;border-radius:50%;background:rgba(255,255,255,.18);display:flex;align-items:center;justify-content:center;}",
    "#baton-root .baton-heading{flex:1 1 auto;min-width:0;}",
    "#baton-root .baton-title{margin:0;font-size:16px;font-weight:650;line-height:1.25;color:inherit;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;}",
    "#baton-root .baton-subtitle{margin:2px 0 0;font-size:12.5px;opacity:.88;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;}",
    "#baton-root .baton-close{flex:0 0 36px;width:36px;height:36px;border:0;border-radius:50%;background:transparent;color:inherit;cursor:pointer;display:flex;align-items:center;justify-content:center;padding:0;}",
    "#baton-root .baton-close:hover{background:rgba(255,255,255,.16);}",
    "#baton-root .baton-close:focus-visible{outline-color:#fff;}",
    // status line
    "#baton-root .baton-status{flex:0 0 auto;padding:6px 16px;font-size:12px;text-align:center;background:#fef3c7;color:#92400e;border-bottom:1px solid #fde68a;}",
    "#baton-root .baton-status-info{background:#eef2ff;color:#3730a3;border-bottom-color:#e0e7ff;}",
    // body
    "#baton-root .baton-body{flex:1 1 auto;overflow-y:auto;overscroll-behavior:contain;padding:16px 14px 8px;background:#f7f8fa;scroll-behavior:auto;scrollbar-width:thin;}",
    "#baton-root .baton-welcome{background:#fff;border:1px solid var(--baton-border);border-radius:14px;padding:14px 16px;margin:0 0 16px;color:var(--baton-text);}",
    "#baton-root .baton-welcome-title{margin:0 0 4px;font-size:15px;font-weight:650;}",
    "#baton-root .baton-welcome p{margin:0;color:var(--baton-muted);font-size:13.5px;}",
    "#baton-root .baton-messages{display:flex;flex-direction:column;gap:10px;}",
    "#baton-root .baton-msg{display:flex;flex-direction:column;align-items:flex-start;max-width:86%;align-self:flex-start;}",
    "#baton-root .baton-msg.baton-user{align-self:flex-end;align-items:flex-end;}",
    "#baton-root .baton-bubble{padding:9px 13px;border-radius:18px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;max-width:100%;}",
    "#baton-root .baton-bot .baton-bubble{background:#fff;border:1px solid var(--baton-border);border-bottom-left-radius:6px;}",
    "#baton-root .baton-user .baton-bubble{background:var(--baton-accent);color:var(--baton-on-accent);border-bottom-right-radius:6px;}",
    "#baton-root .baton-agent .baton-bubble{background:#ecfdf5;border:1px solid #a7f3d0;border-bottom-left-radius:6px;color:#064e3b;}",
    "#baton-root .baton-pending{opacity:.6;}",
    "#baton-root .baton-upload-error{font-size:12px;color:#b91c1c;margin-top:4px;max-width:100%;}",
    "#baton-root .baton-attach{flex:0 0 40px;width:40px;height:40px;border:0;border-radius:50%;background:transparent;color:#6b7280;cursor:pointer;display:flex;align-items:center;justify-content:center;padding:0;}",
    "#baton-root .baton-attach:hover{color:var(--baton-accent);}",
    "#baton-root .baton-bubble+.baton-bubble{margin-top:4px;}",
    "#baton-root .baton-bubble strong{font-weight:650;}",
    "#baton-root .baton-bubble a{color:var(--baton-accent-ink);text-decoration:underline;text-underline-offset:2px;}",
    "#baton-root .baton-agent .baton-bubble a{color:var(--baton-agent);}",
    "#baton-root .baton-user .baton-bubble a{color:inherit;}",
    "#baton-root .baton-agent-name{display:flex;align-items:center;gap:6px;margin:0 0 4px 2px;font-size:12px;font-weight:600;color:var(--baton-agent);}",
    "#baton-root .baton-agent-name::before{content:attr(data-initial);display:inline-flex;align-items:center;justify-content:center;width:20px;height:20px;border-radius:50%;",
    "background:var(--baton-agent);color:#fff;font-size:11px;font-weight:700;}",
    "#baton-root .baton-agent-tag{font-weight:500;font-size:10.5px;padding:1px 6px;border-radius:999px;background:#d1fae5;color:#065f46;}",
    "#baton-root .baton-image{display:block;max-width:100%;max-height:260px;border-radius:14px;margin-top:4px;border:1px solid var(--baton-border);background:#fff;}",
    "#baton-root .baton-cards{display:flex;flex-direction:column;gap:8px;margin-top:6px;width:100%;}",
    "#baton-root .baton-card{background:#fff;border:1px solid var(--baton-border);border-radius:14px;padding:10px 12px;}",
    "#baton-root .baton-card .baton-image{margin:0 0 8px;}",
    "#baton-root .baton-card-title{font-weight:650;}",
    "#baton-root .baton-card-subtitle{color:var(--baton-muted);font-size:13px;white-space:pre-wrap;}",
    "#baton-root .baton-buttons{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px;}",
    "#baton-root .baton-button,#baton-root .baton-link-button{appearance:none;-webkit-appearance:none;border:1px solid var(--baton-accent-ink);background:#fff;color:var(--baton-accent-ink);",
    "border-radius:999px;padding:6px 13px;font-size:13px;font-weight:500;line-height:1.3;cursor:pointer;text-decoration:none;transition:background .15s,color .15s;}",
    "#baton-root .baton-button:hover:not(:disabled),#baton-root .baton-link-button:hover{background:var(--baton-accent);color:var(--baton-on-accent);}",
    "#baton-root .baton-button:disabled{cursor:default;opacity:.45;}",
    "#baton-root .baton-button.baton-button-selected{background:var(--baton-accent);color:var(--baton-on-accent);opacity:.8;}",
    // typing
    "#baton-root .baton-typing{display:inline-flex;align-items:center;gap:4px;margin-top:10px;padding:12px 14px;background:#fff;border:1px solid var(--baton-border);",
    "border-radius:18px;border-bottom-left-radius:6px;}",
    "#baton-root .baton-dot{width:7px;height:7px;border-radius:50%;background:#9ca3af;animation:baton-bounce 1.2s infinite ease-in-out;}",
    "#baton-root .baton-dot:nth-child(2){animation-delay:.15s;}#baton-root .baton-dot:nth-child(3){animation-delay:.3s;}",
    "@keyframes baton-bounce{0%,60%,100%{transform:translateY(0);opacity:.55;}30%{transform:translateY(-4px);opacity:1;}}",
    // composer
    "#baton-root .baton-composer{flex:0 0 auto;display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid var(--baton-border);background:#fff;margin:0;}",
    "#baton-root .baton-input{flex:1 1 auto;display:block;width:auto;resize:none;border:1px solid #d1d5db;border-radius:20px;padding:9px 14px;font-size:15px;line-height:20px;",
    "height:40px;min-height:40px;max-height:120px;background:#fff;color:var(--baton-text);outline:none;overflow-y:hidden;}",
    "#baton-root .baton-input::placeholder{color:#9ca3af;}",
    "#baton-root .baton-input:focus{border-color:var(--baton-accent);box-shadow:0 0 0 3px rgba(99,102,241,.18);}",
    "#baton-root .baton-send{flex:0 0 40px;width:40px;height:40px;border:0;border-radius:50%;background:var(--baton-accent);color:var(--baton-on-accent);cursor:pointer;",
    "display:flex;align-items:center;justify-content:center;padding:0;transition:transform .15s;}",
    "#baton-root .baton-send:hover{transform:scale(1.06);}",
    "#baton-root .baton-footer{flex:0 0 auto;text-align:center;font-size:11px;color:#9ca3af;padding:0 0 8px;background:#fff;}",
    // mobile: full-screen panel
    "@media (max-width:480px){",
    "#baton-root .baton-panel,#baton-root.baton-left .baton-panel{top:0;right:0;bottom:0;left:0;width:100%;max-width:none;height:100%;max-height:none;border-radius:0;animation-name:baton-in-m;}",
    "#baton-root.baton-is-open .baton-launcher{display:none;}",
    "#baton-root .baton-launcher{right:16px;bottom:16px;}#baton-root.baton-left .baton-launcher{left:16px;}",
    "#baton-root .baton-input{font-size:16px;}",
    "#baton-root .baton-msg{max-width:90%;}",
    "html.baton-lock,html.baton-lock body{overflow:hidden!important;}",
    "}",
    "@keyframes baton-in-m{from{opacity:0;transform:translateY(24px);}to{opacity:1;transform:none;}}",
    "@media (prefers-reduced-motion:reduce){#baton-root .baton-panel,#baton-root .baton-dot{animation:none;}#baton-root .baton-launcher,#baton-root .baton-send{transition:none;}}",
  ].join("\n");

  function injectCss() {
    if (document.getElementById("baton-style")) return;
    var style = el("style", { id: "baton-style" });
    style.textContent = STYLE_TEXT;
    (document.head || document.documentElement).appendChild(style);
  }

  function applyColor(root) {
    if (!config.color) return;
    try {
      if (window.CSS && window.CSS.supports && !window.CSS.supports("color", config.color)) return;
    } catch (e) { /* ignore */ }
    root.style.setProperty("--baton-accent", config.color);
    // Pick readable text colour for the accent.
    var probe = el("span");
    probe.style.color = config.color;
    document.body.appendChild(probe);
    var m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(getComputedStyle(probe).color);
    document.body.removeChild(probe);
    if (m) {
      var lum = (0.299 * m[1] + 0.587 * m[2] + 0.114 * m[3]) / 255;
      root.style.setProperty("--baton-on-accent", lum > 0.62 ? "#111827" : "#ffffff");
      // Light accents are unreadable as text on white: use a dark ink for links and buttons.
      if (lum > 0.62) root.style.setProperty("--baton-accent-ink", "#374151");
    }
  }

  // ---------------------------------------------------------------------------
  // Build the UI
  // ---------------------------------------------------------------------------
  function build() {
    injectCss();

    var root = el("div", { id: "baton-root", className: "baton-root" + (config.position === "left" ? " baton-left" : "") });

    var badge = el("span", { className: "baton-badge", "aria-hidden": "true", hidden: true, text: "0" });
    var launcher = el("button", {
      id: "baton-launcher",
      className: "baton-launcher",
      type: "button",
      "aria-label": t("open"),
      "aria-expanded": "false",
      "aria-controls": "baton-panel",
      title: config.title,
    }, [icon(ICONS.chat, 28), badge]);

    var titleId = "baton-title";
    var subtitle = el("p", { className: "baton-subtitle", id: "baton-subtitle", text: config.subtitle });
    var closeBtn = el("button", { id: "baton-close", className: "baton-close", type: "button", "aria-label": t("close"), title: t("closeTitle") }, [icon(ICONS.close, 20)]);
    var header = el("div", { className: "baton-header" }, [
      el("div", { className: "baton-avatar", "aria-hidden": "true" }, [icon(ICONS.bot, 22)]),
      el("div", { className: "baton-heading" }, [el("h2", { className: "baton-title", id: titleId, text: config.title }), subtitle]),
      closeBtn,
    ]);

    var status = el("div", { id: "baton-status", className: "baton-status", role: "status", "aria-live": "polite", hidden: true });

    var welcome = el("div", { className: "baton-welcome" }, [
      el("p", { id: "baton-welcome-title", className: "baton-welcome-title", text: t("welcome") }),
      el("p", { id: "baton-greeting", text: config.greeting }),
    ]);
    var messages = el("div", {
      id: "baton-messages",
      className: "baton-messages",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": t("conversation"),
    });
    var typing = el("div", { id: "baton-typing", className: "baton-typing", role: "status", hidden: true }, [
      el("span", { className: "baton-dot", "aria-hidden": "true" }),
      el("span", { className: "baton-dot", "aria-hidden": "true" }),
      el("span", { className: "baton-dot", "aria-hidden": "true" }),
      el("span", { id: "baton-typing-label", className: "baton-sr", text: t("typing") }),
    ]);
    var body = el("div", { className: "baton-body", tabindex: "-1" }, [welcome, messages, typing]);

    var input = el("textarea", {
      id: "baton-input",
      className: "baton-input",
      rows: "1",
      maxlength: "2000",
      placeholder: t("placeholder"),
      "aria-label": t("inputLabel"),
      autocomplete: "off",
    });
    var send = el("button", { id: "baton-send", className: "baton-send", type: "submit", "aria-label": t("sendLabel"), title: t("send") }, [icon(ICONS.send, 18)]);
    var attach = el("button", { id: "baton-attach", className: "baton-attach", type: "button", "aria-label": t("attach"), title: t("attach") }, [icon(ICONS.attach, 18)]);
    var file = el("input", { id: "baton-file", type: "file", accept: UPLOAD_TYPES, hidden: true, tabindex: "-1" });
    var composer = el("form", { className: "baton-composer", "aria-label": t("composerLabel"), novalidate: true }, [attach, file, input, send]);
    var footer = el("div", { className: "baton-footer", text: t("powered") });

    var panel = el("div", {
      id: "baton-panel",
      className: "baton-panel",
      role: "dialog",
      "aria-labelledby": titleId,
      "aria-describedby": "baton-subtitle",
      hidden: true,
    }, [header, status, body, composer, footer]);

    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);
    applyColor(root);

    els = { root: root, launcher: launcher, badge: badge, panel: panel, subtitle: subtitle, status: status, body: body, messages: messages, typing: typing, input: input, send: send, attach: attach };
    root.setAttribute("lang", language === "zh" ? "zh-Hans" : language);

    launcher.addEventListener("click", function () {
      if (state.open) closePanel({ focusLauncher: true });
      else openPanel();
    });
    closeBtn.addEventListener("click", function () {
      closePanel({ focusLauncher: true });
    });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape" || e.key === "Esc") {
        e.preventDefault();
        closePanel({ focusLauncher: true });
      }
    });
    composer.addEventListener("submit", function (e) {
      e.preventDefault();
      submitInput();
      input.focus();
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submitInput();
      }
    });
    input.addEventListener("input", autoGrow);
    attach.addEventListener("click", function () { file.click(); });
    file.addEventListener("change", function () {
      var chosen = file.files && file.files[0];
      file.value = "";
      uploadFile(chosen);
    });
  }

  // ---------------------------------------------------------------------------
  // Public API
  // ---------------------------------------------------------------------------
  function whenReady(fn) {
    if (state.ready) fn();
    else readyQueue.push(fn);
  }

  var api = {
    __baton: true,
    version: "1.0.0",
    open: function () {
      whenReady(function () {
        if (!state.open) openPanel();
      });
    },
    close: function () {
      whenReady(function () {
        if (state.open) closePanel();
      });
    },
    toggle: function () {
      whenReady(function () {
        if (state.open) closePanel();
        else openPanel();
      });
    },
    send: function (text) {
      whenReady(function () {
        if (!state.open) openPanel({ focus: false });
        sendMessage(text);
      });
    },
    isOpen: function () {
      return state.open;
    },
    // "en", "ko" or "zh": the language of the widget's own words (follows the conversation).
    getLanguage: function () {
      return language;
    },
    setLanguage: function (code) {
      whenReady(function () { setLanguage(supported(code) || language); });
    },
    getSessionId: function () {
      return state.sessionId;
    },
    // Start over with an empty conversation and forget the old one (call it on logout).
    reset: function () {
      whenReady(resetConversation);
    },
    // The signed token of the shopper now logged in (null after logout). A different shopper,
    // or none, gets a new conversation: the last one's transcript and orders are not theirs.
    setCustomerToken: function (token) {
      whenReady(function () {
        var before = customerOf(customerToken);
        customerToken = token ? String(token) : null;
        if (before !== customerOf(customerToken)) resetConversation();
      });
    },
  };
  window.BatonChat = api;

  function init() {
    build();
    state.ready = true;
    if (storageGet("sessionStorage", OPEN_KEY) === "1") openPanel({ focus: false });
    else if (config.eager) ensureConnected();
    readyQueue.splice(0).forEach(function (fn) {
      fn();
    });
    try {
      window.dispatchEvent(new CustomEvent("baton:ready"));
    } catch (e) { /* old browsers */ }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
