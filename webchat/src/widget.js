// Forløpsassistenten web chat: one <script> tag on a municipal page adds a chat launcher and a
// dialog that talks to Rasa's socket.io channel (rasa_server/channels/socketio.py).
//
// Safety rules this file keeps: message text is only ever put into the page with textContent
// (never innerHTML), links are http(s) only and open in a new tab without an opener, and the
// conversation id lives in sessionStorage (gone when the tab closes; "Slett samtalen" also
// deletes it on the server). "Last ned samtalen" saves the conversation as stored (a Blob made
// from the server's answer on the socket: no address with the conversation id), and
// "Personvern" opens a short privacy notice whose retention period comes from the server.

import { io } from "socket.io-client";
import css from "./widget.css";
import { linkify } from "./linkify.js";
import { LANGUAGES, stringsFor } from "./strings.js";
import { resolvePrimary } from "./colors.js";

const STORAGE_PREFIX = "forlopsassistenten:";
const DEFAULT_SERVER_URL = "http://localhost:5005";
const DEFAULT_SOCKET_PATH = "/socket.io/";
const DEFAULT_TITLE = "Forløpsassistenten";
const MAX_MESSAGE_CHARS = 1000; // a question, not a document; also bounds the tracker rows
const MAX_TRANSCRIPT_ENTRIES = 200; // what sessionStorage keeps for re-showing after a reload
const FEEDBACK_SETTLE_MS = 800; // the bot's messages of one answer arrive in a short burst
const TYPING_TIMEOUT_MS = 20000; // hide the indicator if no answer comes
const ACK_TIMEOUT_MS = 10000; // delete / feedback / download / privacy acknowledgement from the server
const DOWNLOAD_URL_LIFETIME_MS = 60000; // the Blob address of a download is revoked after this
const RECONNECT_DELAY_MAX_MS = 10000;
const EMERGENCY_NUMBER = "113";
const STICKY_ID_BYTES = 12; // random per tab; nginx routes every socket.io request of a tab by it
const FULL_SCREEN_QUERY = "(max-width: 30em), (max-height: 30em)"; // keep equal to widget.css

const SVG_NS = "http://www.w3.org/2000/svg";
const ICONS = {
  chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
  close: "M6 6l12 12M18 6L6 18",
  up: "M7 10v10H3V10h4zm2 10h8.3a2 2 0 0 0 2-1.6l1.4-7A2 2 0 0 0 18.7 9H14V5a2 2 0 0 0-2-2l-3 7v10z",
  down: "M17 14V4h4v10h-4zm-2-10H6.7a2 2 0 0 0-2 1.6l-1.4 7A2 2 0 0 0 5.3 15H10v4a2 2 0 0 0 2 2l3-7V4z",
};

// ---------------------------------------------------------------------------------------
// small helpers

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function icon(name, stroke = false) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[name]);
  if (stroke) {
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2.5");
    path.setAttribute("stroke-linecap", "round");
  } else {
    path.setAttribute("fill", "currentColor");
  }
  svg.append(path);
  return svg;
}

function localDate() {
  const now = new Date();
  const pad = (value) => String(value).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function randomHex(bytes) {
  const values = new Uint8Array(bytes);
  window.crypto.getRandomValues(values);
  return Array.from(values, (value) => value.toString(16).padStart(2, "0")).join("");
}

// Each municipality's page keeps its own conversation: a conversation belongs to one municipality.
function makeStore(municipality) {
  const prefix = STORAGE_PREFIX + (municipality ? municipality + ":" : "");
  const memory = new Map();
  let storage = null;
  try {
    storage = window.sessionStorage;
    storage.setItem(STORAGE_PREFIX + "probe", "1");
    storage.removeItem(STORAGE_PREFIX + "probe");
  } catch {
    storage = null; // blocked storage: the conversation lasts as long as the page
  }
  return {
    get(key) {
      const raw = storage ? storage.getItem(prefix + key) : memory.get(key);
      if (raw == null) return null;
      try {
        return JSON.parse(raw);
      } catch {
        return null;
      }
    },
    set(key, value) {
      const raw = JSON.stringify(value);
      if (storage) {
        try {
          storage.setItem(prefix + key, raw);
        } catch {
          memory.set(key, raw);
        }
      } else memory.set(key, raw);
    },
    remove(key) {
      if (storage) storage.removeItem(prefix + key);
      memory.delete(key);
    },
  };
}

export function readOptions(script) {
  const data = (script && script.dataset) || {};
  const lang = LANGUAGES.some((l) => l.code === data.lang) ? data.lang : "nb";
  const colors = resolvePrimary(data.primaryColor);
  if (!colors.accepted) {
    console.warn(
      `Forløpsassistenten: data-primary-color="${data.primaryColor}" is not a #rrggbb colour with ` +
        "4.5:1 contrast to white; using the default colour."
    );
  }
  return {
    serverUrl: (data.serverUrl || DEFAULT_SERVER_URL).replace(/\/+$/, ""),
    socketPath: data.socketPath || DEFAULT_SOCKET_PATH,
    title: data.title || DEFAULT_TITLE,
    lang,
    // which municipality's facts the assistant answers with; empty: the server's default
    municipality: (data.municipality || "").trim().toLowerCase(),
    primary: colors.primary,
    onPrimary: colors.onPrimary,
  };
}

// ---------------------------------------------------------------------------------------
// the widget

class ChatWidget {
  constructor(options) {
    this.options = options;
    this.store = makeStore(options.municipality);
    // the resident's own choice in the widget, kept with the conversation; else the page's data-lang
    this.chosenLanguage = LANGUAGES.some((l) => l.code === this.store.get("lang")) ? this.store.get("lang") : null;
    this.lang = this.chosenLanguage || options.lang;
    this.t = stringsFor(this.lang);
    this.socket = null;
    this.sessionReady = false;
    this.everConnected = false;
    this.lostConnection = false;
    this.pending = [];
    this.transcript = this.store.get("transcript") || [];
    this.settleTimer = null;
    this.typingTimer = null;
    this.privacyInfo = null; // {retentionDays, municipality} from the server, once fetched
    this.privacyFailed = false;
    this.build();
    this.renderTranscript();
    if (this.store.get("open")) this.open({ focus: false });
  }

  // -- DOM ------------------------------------------------------------------------------

  build() {
    const { t, options } = this;
    this.host = el("div", { id: "forlop-chat", role: "complementary", "aria-label": t.dialogLabel, lang: this.lang });
    this.host.style.setProperty("--fa-primary", options.primary);
    this.host.style.setProperty("--fa-on-primary", options.onPrimary);
    const root = this.host.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css); // not an inline <style>: works under a strict style-src CSP
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(el("style", { text: css }));
    }
    this.root = root;

    this.launcher = el("button", { type: "button", className: "launcher", "aria-haspopup": "dialog" }, [
      icon("chat"),
      el("span", { text: t.launcher }),
    ]);
    this.launcher.addEventListener("click", () => this.open());

    this.closeButton = el("button", { type: "button", className: "close", "aria-label": t.close }, [icon("close", true)]);
    this.closeButton.addEventListener("click", () => this.close());

    const emergencyLink = el("a", { href: `tel:${EMERGENCY_NUMBER}`, "aria-label": t.emergencyLabel, text: EMERGENCY_NUMBER });
    const header = el("div", { className: "header" }, [
      el("h2", { className: "title", id: "fa-title", text: options.title }),
      this.closeButton,
      el("p", { className: "emergency" }, [document.createTextNode(`${t.emergencyPrefix} `), emergencyLink]),
    ]);

    this.banner = el("p", { className: "banner", role: "status" });
    this.announcer = el("p", { className: "sr-only", role: "status" });

    this.buildPrivacy();

    this.notice = el("div", { className: "notice" }, [el("p", { text: t.notice }), el("p", { text: t.noticeUrgent })]);
    this.log = el("div", { className: "log", role: "log", "aria-live": "polite", "aria-label": t.logLabel, tabindex: "0" }, [this.notice]);

    this.typing = el("div", { className: "typing", hidden: true }, [
      el("span", { className: "dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
      el("span", { text: t.typing }),
    ]);

    this.input = el("textarea", {
      id: "fa-input",
      rows: "1",
      maxlength: String(MAX_MESSAGE_CHARS),
      autocomplete: "off",
      enterkeyhint: "send",
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.autoGrow());
    const form = el("form", { className: "form" }, [
      el("label", { for: "fa-input", className: "sr-only", text: t.inputLabel }),
      this.input,
      el("button", { type: "submit", className: "send", text: t.send }),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });

    this.deleteButton = el("button", { type: "button", className: "link-button", text: t.deleteButton });
    this.deleteButton.addEventListener("click", () => this.askDelete());
    this.downloadButton = el("button", { type: "button", className: "tool-button", text: t.downloadButton });
    this.downloadButton.addEventListener("click", () => this.downloadConversation());
    this.privacyToggle = el("button", {
      type: "button",
      className: "tool-button",
      "aria-expanded": "false",
      "aria-controls": "fa-privacy",
      text: t.privacyButton,
    });
    this.privacyToggle.addEventListener("click", () => (this.privacyBox.hidden ? this.openPrivacy() : this.closePrivacy()));
    this.languageSelect = el(
      "select",
      { id: "fa-lang", className: "language" },
      LANGUAGES.map((l) => el("option", { value: l.code, lang: l.code, text: l.name })),
    );
    this.languageSelect.value = this.lang;
    this.languageSelect.addEventListener("change", () => this.chooseLanguage(this.languageSelect.value));
    this.footer = el("div", { className: "footer" }, [
      this.deleteButton,
      this.downloadButton,
      this.privacyToggle,
      el("span", { className: "language-choice" }, [
        el("label", { for: "fa-lang", text: t.languageLabel }),
        this.languageSelect,
      ]),
    ]);

    this.panel = el("div", { className: "panel", role: "dialog", "aria-labelledby": "fa-title", hidden: true }, [
      header,
      this.banner,
      this.privacyBox,
      this.log,
      this.typing,
      form,
      this.footer,
      this.announcer,
    ]);
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        const privacyOpen = !this.privacyBox.hidden;
        if (privacyOpen && this.privacyBox.contains(this.root.activeElement)) this.closePrivacy();
        else if (this.confirmBox) this.cancelDelete();
        else if (privacyOpen) this.closePrivacy();
        else this.close();
      } else if (event.key === "Tab" && this.fullScreen.matches) {
        this.keepFocusInside(event);
      }
    });
    // Same query as the full-screen rule in widget.css: there the page behind is covered, so
    // the dialog is modal and Tab must not wander to links nobody can see.
    this.fullScreen = window.matchMedia(FULL_SCREEN_QUERY);
    const updateModal = () => this.panel.setAttribute("aria-modal", this.fullScreen.matches ? "true" : "false");
    updateModal();
    this.fullScreen.addEventListener("change", updateModal);

    root.append(this.launcher, this.panel);
    document.body.append(this.host);
  }

  // The privacy notice: a section in the conversation's place (hidden meanwhile, so a phone's
  // screen is not shared by both), opened and closed by «Personvern».
  buildPrivacy() {
    const { t } = this;
    this.privacyHeading = el("h3", { id: "fa-privacy-title", tabindex: "-1", text: t.privacyTitle });
    const closeButton = el("button", { type: "button", className: "privacy-close", "aria-label": t.privacyClose }, [
      icon("close", true),
    ]);
    closeButton.addEventListener("click", () => this.closePrivacy());
    this.privacyKept = el("p", { className: "privacy-kept", "aria-live": "polite" });
    this.privacyReaders = el("p", { className: "privacy-readers" });
    this.privacyBox = el("section", { id: "fa-privacy", className: "privacy", "aria-labelledby": "fa-privacy-title", hidden: true }, [
      el("div", { className: "privacy-head" }, [this.privacyHeading, closeButton]),
      el("h4", { text: t.privacyStoredLabel }),
      el("p", { text: t.privacyStored }),
      el("h4", { text: t.privacyKeptLabel }),
      this.privacyKept,
      el("h4", { text: t.privacyReadersLabel }),
      this.privacyReaders,
      el("h4", { text: t.privacyDeleteLabel }),
      el("p", { text: t.privacyDelete }),
    ]);
    this.renderPrivacyFacts();
  }

  renderPrivacyFacts() {
    const { t } = this;
    const info = this.privacyInfo;
    this.privacyKept.textContent = info
      ? t.privacyKept(info.retentionDays)
      : this.privacyFailed
        ? t.privacyKeptUnknown
        : t.privacyKeptLoading;
    this.privacyReaders.textContent = t.privacyReaders(info && info.municipality);
  }

  openPrivacy({ focus = true } = {}) {
    this.privacyBox.hidden = false;
    this.log.hidden = true;
    this.privacyToggle.setAttribute("aria-expanded", "true");
    this.privacyBox.scrollTop = 0;
    if (!this.privacyInfo) this.fetchPrivacy();
    if (focus) this.privacyHeading.focus();
  }

  closePrivacy({ focus = true } = {}) {
    if (this.privacyBox.hidden) return;
    this.privacyBox.hidden = true;
    this.log.hidden = false;
    this.scrollToEnd();
    this.privacyToggle.setAttribute("aria-expanded", "false");
    if (!focus) return;
    if (this.privacyToggle.isConnected) this.privacyToggle.focus();
    else this.input.focus(); // the footer is replaced by the delete question
  }

  // The retention period and the municipality's name come from the server, so the notice is
  // always true for the municipality this page names (data-municipality).
  fetchPrivacy() {
    if (this.privacyRequested) return;
    this.connect();
    this.privacyRequested = true;
    this.privacyFailed = false;
    this.renderPrivacyFacts();
    const request = {};
    if (this.options.municipality) request.municipality = this.options.municipality;
    this.socket.timeout(ACK_TIMEOUT_MS).emit("privacy_notice", request, (err, reply) => {
      this.privacyRequested = false;
      const days = reply && reply.retention_days;
      if (err || !reply || !reply.ok || !Number.isInteger(days) || days < 0 || typeof reply.municipality !== "string") {
        this.privacyFailed = true;
      } else {
        this.privacyInfo = { retentionDays: days, municipality: reply.municipality };
      }
      this.renderPrivacyFacts();
    });
  }

  keepFocusInside(event) {
    const focusable = [...this.panel.querySelectorAll("a[href], button, textarea, [tabindex='0']")].filter(
      (node) => !node.disabled && node.getClientRects().length > 0
    );
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = this.root.activeElement;
    if (event.shiftKey && (active === first || !this.panel.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  autoGrow() {
    this.input.style.height = "auto";
    this.input.style.height = `${this.input.scrollHeight}px`;
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  announce(text) {
    // clear first so the same sentence twice is read twice
    this.announcer.textContent = "";
    window.setTimeout(() => {
      this.announcer.textContent = text;
    }, 50);
  }

  setBanner(text) {
    this.banner.textContent = text || "";
  }

  // -- rendering of transcript entries --------------------------------------------------

  renderText(text) {
    const paragraph = el("p");
    for (const segment of linkify(text)) {
      if (segment.type === "link") {
        const link = el("a", { href: segment.href, target: "_blank", rel: "noopener noreferrer", text: segment.text });
        link.append(el("span", { className: "sr-only", text: ` ${this.t.newTab}` }));
        paragraph.append(link);
      } else {
        paragraph.append(document.createTextNode(segment.text));
      }
    }
    return paragraph;
  }

  renderEntry(entry, index) {
    if (entry.kind === "user") {
      return [el("div", { className: "msg msg-user" }, [el("span", { className: "sr-only", text: this.t.you + " " }), this.renderText(entry.text)])];
    }
    if (entry.kind === "bot") {
      const nodes = [el("div", { className: "msg msg-bot" }, [el("span", { className: "sr-only", text: this.t.bot + " " }), this.renderText(entry.text)])];
      const laterUser = this.transcript.slice(index + 1).some((e) => e.kind === "user");
      if (entry.buttons && entry.buttons.length && !laterUser) nodes.push(this.renderQuickReplies(entry.buttons));
      return nodes;
    }
    if (entry.kind === "feedback") return [this.renderFeedback(entry)];
    return [];
  }

  renderQuickReplies(buttons) {
    const group = el("div", { className: "quick", role: "group", "aria-label": this.t.quickReplies });
    for (const button of buttons) {
      const node = el("button", { type: "button", text: button.title });
      node.addEventListener("click", () => {
        this.send(button.payload, button.title);
        this.input.focus(); // the clicked button is about to disappear
      });
      group.append(node);
    }
    return group;
  }

  renderFeedback(entry) {
    const question = el("p", { className: "feedback-question", text: entry.rating ? this.t.feedbackThanks : this.t.feedbackQuestion });
    const group = el("div", { className: "feedback", role: "group", "aria-label": this.t.feedbackQuestion }, [question]);
    const buttons = {};
    for (const rating of ["up", "down"]) {
      const button = el("button", {
        type: "button",
        "aria-label": rating === "up" ? this.t.feedbackUp : this.t.feedbackDown,
        "aria-pressed": entry.rating === rating ? "true" : "false",
        "data-rating": rating,
      }, [icon(rating)]);
      button.addEventListener("click", () => this.rate(entry, rating, buttons, question));
      buttons[rating] = button;
      group.append(button);
    }
    return group;
  }

  renderTranscript() {
    this.log.replaceChildren(this.notice);
    this.transcript.forEach((entry, index) => this.log.append(...this.renderEntry(entry, index)));
    this.scrollToEnd();
  }

  addEntry(entry) {
    if (entry.kind === "user") this.log.querySelectorAll(".quick").forEach((node) => node.remove());
    this.transcript.push(entry);
    if (this.transcript.length > MAX_TRANSCRIPT_ENTRIES) this.transcript.splice(0, this.transcript.length - MAX_TRANSCRIPT_ENTRIES);
    this.saveTranscript();
    this.log.append(...this.renderEntry(entry, this.transcript.length - 1));
    this.scrollToEnd();
  }

  saveTranscript() {
    this.store.set("transcript", this.transcript);
  }

  // -- language ---------------------------------------------------------------------------

  // The resident's choice: the widget's texts and `lang` follow it at once, and every message
  // after it carries it, so the assistant answers in it (the conversation keeps it).
  chooseLanguage(lang) {
    if (!LANGUAGES.some((l) => l.code === lang) || lang === this.lang) return;
    this.chosenLanguage = lang;
    this.store.set("lang", lang);
    this.lang = lang;
    this.t = stringsFor(lang);
    const wasOpen = !this.panel.hidden;
    const privacyWasOpen = !this.privacyBox.hidden;
    this.confirmBox = null;
    this.host.remove();
    this.build();
    this.renderTranscript();
    if (wasOpen) this.open({ focus: false });
    if (privacyWasOpen) this.openPrivacy({ focus: false });
    if (this.socket && !this.sessionReady) this.setBanner(this.t.reconnecting);
    this.languageSelect.focus();
    this.announce(this.t.languageChanged);
  }

  // -- open / close ---------------------------------------------------------------------

  open({ focus = true } = {}) {
    this.connect();
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.store.set("open", true);
    this.scrollToEnd();
    if (focus) this.input.focus();
  }

  close() {
    this.cancelDelete({ focus: false });
    this.closePrivacy({ focus: false });
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.store.set("open", false);
    this.launcher.focus();
  }

  // -- connection -----------------------------------------------------------------------

  connect() {
    if (this.socket) return;
    this.setBanner(this.t.connecting);
    const socket = io(this.options.serverUrl, {
      path: this.options.socketPath,
      reconnectionDelayMax: RECONNECT_DELAY_MAX_MS,
      // Behind a load balancer with several Rasa servers, long polling only works when every
      // request of a socket reaches the same server: nginx hashes this value (cluster/).
      query: { sticky: this.stickyId() },
    });
    this.socket = socket;
    socket.on("connect", () => {
      socket.emit("session_request", { session_id: this.store.get("session") });
    });
    socket.on("session_confirm", (sessionId) => {
      this.store.set("session", sessionId);
      this.sessionReady = true;
      this.everConnected = true;
      this.setBanner("");
      if (this.lostConnection) this.announce(this.t.reconnected);
      this.lostConnection = false;
      this.flush();
    });
    socket.on("bot_uttered", (message) => this.receive(message));
    socket.on("disconnect", (reason) => {
      this.sessionReady = false;
      if (reason === "io client disconnect") return;
      this.lostConnection = true;
      this.setBanner(this.t.reconnecting);
      // socket.io reconnects by itself except after the server closed the socket on purpose
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", () => {
      this.sessionReady = false;
      this.setBanner(this.everConnected ? this.t.reconnecting : this.t.unreachable);
    });
  }

  // Random, kept for the tab's life (sessionStorage), so a reload stays on the same server.
  // It says nothing about the resident and is not the conversation id.
  stickyId() {
    let id = this.store.get("sticky");
    if (typeof id !== "string" || !/^[0-9a-f]+$/.test(id)) {
      id = randomHex(STICKY_ID_BYTES);
      this.store.set("sticky", id);
    }
    return id;
  }

  flush() {
    if (!this.socket || !this.sessionReady) return;
    const sessionId = this.store.get("session");
    while (this.pending.length) {
      const metadata = {};
      if (this.options.municipality) metadata.municipality = this.options.municipality;
      if (this.chosenLanguage) metadata.language = this.chosenLanguage;
      this.socket.emit("user_uttered", { message: this.pending.shift(), session_id: sessionId, metadata });
    }
  }

  // -- messages -------------------------------------------------------------------------

  submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.autoGrow();
    this.send(text);
  }

  send(payload, shownText) {
    const text = String(payload).slice(0, MAX_MESSAGE_CHARS);
    this.finishAnswer();
    this.addEntry({ kind: "user", text: shownText || text });
    this.pending.push(text);
    if (!this.sessionReady) this.announce(this.t.queued);
    this.flush();
    this.showTyping(true);
  }

  receive(message) {
    if (!message || typeof message !== "object") return;
    const text = typeof message.text === "string" ? message.text : "";
    const replies = Array.isArray(message.quick_replies) ? message.quick_replies : Array.isArray(message.buttons) ? message.buttons : [];
    const buttons = replies
      .filter((b) => b && typeof b.title === "string" && (typeof b.payload === "string" || typeof b.payload === "number"))
      .map((b) => ({ title: b.title, payload: String(b.payload) }));
    if (!text && !buttons.length) return; // images, custom payloads: not shown by this widget
    this.showTyping(false);
    this.addEntry({ kind: "bot", text, buttons });
    window.clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => this.finishAnswer(), FEEDBACK_SETTLE_MS);
  }

  // Adds thumbs up / down after the bot messages that came since the last user message.
  finishAnswer() {
    window.clearTimeout(this.settleTimer);
    this.settleTimer = null;
    const texts = [];
    for (let i = this.transcript.length - 1; i >= 0; i--) {
      const entry = this.transcript[i];
      if (entry.kind !== "bot") break;
      if (entry.text) texts.unshift(entry.text);
    }
    if (texts.length) this.addEntry({ kind: "feedback", answer: texts.join("\n\n"), rating: null });
  }

  showTyping(on) {
    window.clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
    if (on) this.typingTimer = window.setTimeout(() => this.showTyping(false), TYPING_TIMEOUT_MS);
  }

  rate(entry, rating, buttons, question) {
    const sessionId = this.store.get("session");
    if (!this.socket || !this.sessionReady || !sessionId) {
      this.announce(this.t.feedbackFailed);
      return;
    }
    this.socket.timeout(ACK_TIMEOUT_MS).emit("feedback", { session_id: sessionId, rating, text: entry.answer }, (err, reply) => {
      if (err || !reply || !reply.ok) {
        this.announce(this.t.feedbackFailed);
        return;
      }
      entry.rating = rating;
      this.saveTranscript();
      for (const [name, button] of Object.entries(buttons)) button.setAttribute("aria-pressed", name === rating ? "true" : "false");
      question.textContent = this.t.feedbackThanks;
      this.announce(this.t.feedbackThanks);
    });
  }

  // -- the resident's own copy ------------------------------------------------------------

  // The server answers with the conversation as stored (masked), as text in the widget's
  // language; it is saved from a Blob, so the conversation id is never in an address.
  downloadConversation() {
    const sessionId = this.store.get("session");
    if (!this.socket || !this.sessionReady || !sessionId) {
      this.announce(this.t.downloadOffline);
      return;
    }
    this.socket.timeout(ACK_TIMEOUT_MS).emit("download_conversation", { session_id: sessionId, lang: this.lang }, (err, reply) => {
      if (err || !reply || !reply.ok || typeof reply.text !== "string") {
        this.announce(this.t.downloadFailed);
        return;
      }
      this.saveFile(reply.text, `${this.t.downloadFilename}-${localDate()}.txt`);
      this.announce(reply.messages ? this.t.downloaded : this.t.downloadEmpty);
    });
  }

  saveFile(text, filename) {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    const link = el("a", { href: url, download: filename, hidden: true });
    this.root.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_LIFETIME_MS);
  }

  // -- deleting the conversation --------------------------------------------------------

  askDelete() {
    if (this.confirmBox) return;
    const yes = el("button", { type: "button", className: "confirm-button", text: this.t.deleteConfirm });
    const no = el("button", { type: "button", className: "cancel-button", text: this.t.deleteCancel });
    yes.addEventListener("click", () => this.deleteConversation());
    no.addEventListener("click", () => this.cancelDelete());
    this.confirmBox = el("div", { className: "footer", role: "group", "aria-labelledby": "fa-delete-question" }, [
      el("p", { id: "fa-delete-question", text: this.t.deleteQuestion }),
      yes,
      no,
    ]);
    this.footer.replaceWith(this.confirmBox);
    no.focus(); // the safe choice first
  }

  cancelDelete({ focus = true } = {}) {
    if (!this.confirmBox) return;
    this.confirmBox.replaceWith(this.footer);
    this.confirmBox = null;
    if (focus) this.deleteButton.focus();
  }

  deleteConversation() {
    const sessionId = this.store.get("session");
    const done = () => {
      this.cancelDelete({ focus: false });
      this.resetConversation();
      this.input.focus();
    };
    if (!sessionId && !this.transcript.length) return done();
    if (!this.socket || !this.sessionReady || !sessionId) {
      this.announce(this.t.deleteOffline);
      return;
    }
    this.socket.timeout(ACK_TIMEOUT_MS).emit("delete_conversation", { session_id: sessionId }, (err, reply) => {
      if (err || !reply || !reply.ok) {
        this.announce(this.t.deleteFailed);
        return;
      }
      done();
    });
  }

  resetConversation() {
    this.pending = [];
    this.transcript = [];
    this.store.remove("transcript");
    this.store.remove("session");
    this.showTyping(false);
    window.clearTimeout(this.settleTimer);
    this.renderTranscript();
    this.log.append(el("p", { className: "notice", text: this.t.deleted }));
    if (this.socket && this.socket.connected) {
      this.sessionReady = false;
      this.socket.emit("session_request", { session_id: null });
    }
  }
}

// ---------------------------------------------------------------------------------------
// start

function start() {
  if (window.__forlopChat) return; // the snippet pasted twice
  window.__forlopChat = true;
  const script = document.currentScript || document.querySelector("script[data-forlop-chat]");
  const options = readOptions(script);
  const boot = () => {
    const widget = new ChatWidget(options);
    window.__forlopChat = widget;
    // any element on the page with data-forlop-chat-open opens the chat
    document.addEventListener("click", (event) => {
      const opener = event.target instanceof Element && event.target.closest("[data-forlop-chat-open]");
      if (opener) {
        event.preventDefault();
        widget.open();
      }
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot, { once: true });
  else boot();
}

start();
