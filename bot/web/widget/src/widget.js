// The chat launcher and panel, in a shadow root (the page's styles don't reach in, ours don't leak
// out), talking Rasa's socket.io protocol to the assistant (bot/channels/socketio.py).
import { io } from "socket.io-client";
import css from "./widget.css";
import { maskCardNumbers } from "./redaction.js";
import { appendRichText, externalLink, safeUrl } from "./rich_text.js";
import * as storage from "./storage.js";
import { DEFAULT_LANGUAGE, LANGUAGES, normalizeLanguage, text } from "./texts.js";

const MAX_MESSAGE_CHARS = 2000; // the server refuses longer ones (bot/channels/socketio_limits.py)
const TYPING_GIVE_UP_MS = 45000; // hide the typing indicator if the server never says it is done
const HANDOFF_NOTICES = ["agent_joined", "agent_left"];

export function mount(script) {
  const socketUrl = script && script.dataset.socketUrl;
  if (!socketUrl) {
    console.error("billing chat widget: the script tag needs data-socket-url");
    return null;
  }
  const pageLanguage =
    normalizeLanguage(script.dataset.language) ||
    normalizeLanguage(document.documentElement.lang) ||
    DEFAULT_LANGUAGE;
  const widget = new ChatWidget(socketUrl, normalizeLanguage(storage.chosenLanguage()) || pageLanguage);
  widget.attach(document.body);
  return widget;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) node.setAttribute(name, "");
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  node.append(...children);
  return node;
}

function adoptStyles(root, cssText) {
  // A constructed stylesheet is not blocked by a strict Content-Security-Policy (style-src 'self'),
  // as a <style> element would be.
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(cssText);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(element("style", {}, cssText));
  }
}

/** The buttons of a bot message, as {title, payload} (Rasa's `quick_replies` or `buttons`). */
function buttonsOf(payload) {
  const buttons = Array.isArray(payload.quick_replies) ? payload.quick_replies : payload.buttons;
  if (!Array.isArray(buttons)) return [];
  return buttons
    .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string" && b.title && b.payload)
    .map((b) => ({ title: b.title, payload: b.payload }));
}

/** The link of an attachment (a PDF invoice...), as {url, title}, when it is an http(s) URL. */
function attachmentOf(payload) {
  const attachment = payload.attachment;
  if (!attachment) return null;
  if (typeof attachment === "string") {
    const url = safeUrl(attachment);
    return url ? { url, title: "" } : null;
  }
  if (typeof attachment !== "object") return null;
  const inner = attachment.payload && typeof attachment.payload === "object" ? attachment.payload : attachment;
  const url = safeUrl(inner.src) || safeUrl(inner.url) || safeUrl(inner.link);
  if (!url) return null;
  const title = [inner.title, inner.name, attachment.title].find((v) => typeof v === "string" && v.trim());
  return { url, title: title ? title.trim() : "" };
}

class ChatWidget {
  constructor(socketUrl, language) {
    this.socketUrl = socketUrl;
    this.language = language;
    this.sessionId = storage.sessionId();
    this.history = storage.history(this.sessionId);
    this.socket = null;
    this.confirmed = false; // the server confirmed our session on the current connection
    this.waiting = []; // messages typed before that, sent once confirmed
    this.isOpen = false;
    this.typingTimer = null;
  }

  t(key, params) {
    return text(this.language, key, params);
  }

  // -- DOM ------------------------------------------------------------------------------------------
  attach(parent) {
    this.host = element("div", { "data-billing-chat": "" });
    const root = this.host.attachShadow({ mode: "open" });
    adoptStyles(root, css);

    this.title = element("h2", { id: "chat-title", class: "title" });
    this.languageGroup = element("div", { class: "languages", role: "group" });
    this.languageButtons = LANGUAGES.map((code) => {
      const button = element("button", { type: "button", class: "language", lang: code, "data-language": code }, code.toUpperCase());
      button.addEventListener("click", () => this.switchLanguage(code));
      return button;
    });
    this.languageGroup.append(...this.languageButtons);
    this.closeButton = element("button", { type: "button", class: "close" }, element("span", { "aria-hidden": "true" }, "×"));
    this.closeButton.addEventListener("click", () => this.close());

    this.log = element("div", { class: "log", role: "log", "aria-live": "polite", tabindex: "0" });
    this.typing = element("div", { class: "typing", hidden: true }, element("span", { class: "dots", "aria-hidden": "true" }, element("span"), element("span"), element("span")), element("span", { class: "typing-text" }));
    this.status = element("p", { class: "status", role: "status" });

    this.inputLabel = element("label", { for: "chat-input", class: "sr-only" });
    this.input = element("textarea", { id: "chat-input", rows: "1", maxlength: String(MAX_MESSAGE_CHARS), autocomplete: "off" });
    this.sendButton = element("button", { type: "submit", class: "send" });
    this.form = element("form", { class: "composer" }, this.inputLabel, this.input, this.sendButton);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitInput();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submitInput();
      }
    });

    this.panel = element(
      "section",
      { id: "chat-panel", class: "panel", role: "dialog", "aria-labelledby": "chat-title", hidden: true },
      element("header", { class: "head" }, this.title, this.languageGroup, this.closeButton),
      this.log,
      this.typing,
      this.status,
      this.form,
    );
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.close();
      }
    });

    this.badge = element("span", { class: "badge", hidden: true, "aria-hidden": "true" });
    this.unread = element("span", { class: "sr-only", hidden: true });
    this.launcherText = element("span", { class: "launcher-text" });
    this.launcher = element(
      "button",
      { type: "button", class: "launcher", "data-chat-launcher": "", "aria-expanded": "false", "aria-controls": "chat-panel" },
      element("span", { class: "launcher-icon", "aria-hidden": "true" }),
      this.launcherText,
      this.badge,
      this.unread,
    );
    this.launcher.addEventListener("click", () => (this.isOpen ? this.close() : this.open()));

    root.append(this.panel, this.launcher);
    parent.append(this.host);
    this.applyTexts();
    this.renderLog();
    if (this.sessionId) this.connect(); // a conversation under way: its replies may arrive any time
  }

  applyTexts() {
    this.panel.setAttribute("lang", this.language);
    this.launcher.setAttribute("lang", this.language);
    this.title.textContent = this.t("title");
    this.languageGroup.setAttribute("aria-label", this.t("language_group"));
    for (const button of this.languageButtons) {
      const code = button.dataset.language;
      button.setAttribute("aria-label", this.t(`language_${code}`));
      button.setAttribute("aria-pressed", String(code === this.language));
    }
    this.closeButton.setAttribute("aria-label", this.t("close"));
    this.log.setAttribute("aria-label", this.t("messages"));
    this.typing.lastChild.textContent = this.t("typing");
    this.inputLabel.textContent = this.t("input_label");
    this.input.setAttribute("placeholder", this.t("placeholder"));
    this.sendButton.textContent = this.t("send");
    this.launcherText.textContent = this.t("launcher");
    this.updateLauncherLabel();
  }

  updateLauncherLabel() {
    // The accessible name is the visible text (and "new message" when there is one); what a click does
    // is in aria-expanded, and in the tooltip.
    this.launcher.setAttribute("title", this.isOpen ? this.t("close") : this.t("open"));
    this.unread.hidden = this.badge.hidden;
    this.unread.textContent = ` (${this.t("new_message")})`;
  }

  open() {
    this.isOpen = true;
    this.panel.hidden = false;
    this.badge.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    this.updateLauncherLabel();
    this.connect();
    this.scrollToEnd();
    this.input.focus();
  }

  close() {
    this.isOpen = false;
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.updateLauncherLabel();
    this.launcher.focus();
  }

  setStatus(message) {
    this.status.textContent = message || "";
  }

  showTyping(on) {
    clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
    if (on) this.typingTimer = setTimeout(() => (this.typing.hidden = true), TYPING_GIVE_UP_MS);
    this.scrollToEnd();
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  renderLog() {
    let lastUser = -1;
    this.history.forEach((entry, index) => {
      if (entry.from === "user") lastUser = index;
    });
    this.log.replaceChildren(...this.history.map((entry, index) => this.renderEntry(entry, index > lastUser)));
    this.scrollToEnd();
  }

  /** `answerable`: its buttons still work (the customer has not written since). */
  renderEntry(entry, answerable) {
    const from = ["user", "bot", "agent", "notice"].includes(entry.from) ? entry.from : "bot";
    const item = element("div", { class: `message from-${from}`, "data-from": from });
    if (from === "notice") {
      item.append(entry.text || "");
      return item;
    }
    const who = from === "agent" ? entry.agent || this.t("agent") : this.t(from === "user" ? "you" : "bot");
    item.append(element("span", { class: from === "agent" ? "who" : "who sr-only" }, who));
    const bubble = element("div", { class: "bubble" });
    appendRichText(bubble, entry.text || "", this.t("new_tab"));
    const fileUrl = entry.attachment && safeUrl(entry.attachment.url); // stored entries are checked again
    if (fileUrl) {
      const file = externalLink(fileUrl, entry.attachment.title || this.t("document"), this.t("new_tab"));
      file.className = "attachment";
      bubble.append(element("div", {}, file));
    }
    item.append(bubble);
    if (Array.isArray(entry.buttons) && entry.buttons.length) {
      const group = element("div", { class: "buttons", role: "group" });
      for (const button of entry.buttons) {
        const node = element("button", { type: "button", class: "choice" }, button.title);
        node.disabled = !answerable;
        node.addEventListener("click", () => this.send(button.payload, button.title));
        group.append(node);
      }
      item.append(group);
    }
    return item;
  }

  add(entry) {
    if (entry.from === "user") {
      // answered: the buttons offered so far no longer apply
      this.log.querySelectorAll("button.choice").forEach((button) => (button.disabled = true));
    }
    this.history = storage.saveHistory(this.sessionId, [...this.history, entry]);
    this.log.append(this.renderEntry(entry, true));
    this.scrollToEnd();
    if (!this.isOpen && entry.from !== "user") {
      this.badge.hidden = false;
      this.updateLauncherLabel();
    }
  }

  // -- sending ----------------------------------------------------------------------------------------
  submitInput() {
    const value = this.input.value;
    if (!value.trim()) return;
    if (this.send(value, value)) this.input.value = "";
  }

  /** Sends `message` (a text, or a button's payload) and shows `shown` as the customer's message. */
  send(message, shown) {
    if (message.length > MAX_MESSAGE_CHARS) {
      this.setStatus(this.t("too_long", { max_chars: MAX_MESSAGE_CHARS }));
      return false;
    }
    this.setStatus("");
    this.add({ from: "user", text: maskCardNumbers(shown) }); // never kept in the page's storage
    this.showTyping(true);
    const packet = { message, customData: { language: this.language } };
    if (this.confirmed) this.emit(packet);
    else {
      this.waiting.push(packet);
      this.connect();
    }
    return true;
  }

  emit(packet) {
    this.socket.emit("user_uttered", { ...packet, session_id: this.sessionId });
  }

  switchLanguage(code) {
    if (code === this.language) return;
    this.language = code;
    storage.saveChosenLanguage(code);
    this.applyTexts();
    // what the assistant understands as "let's talk in <language>" (intent switch_language)
    this.send(`/switch_language{"language": "${code}"}`, this.t(`language_${code}`));
  }

  // -- connection -------------------------------------------------------------------------------------
  connect() {
    if (this.socket) return;
    this.setStatus(this.t("connecting"));
    const socket = io(this.socketUrl, { withCredentials: false });
    this.socket = socket;
    socket.on("connect", () => this.requestSession());
    socket.on("session_confirm", (confirmation) => this.onSessionConfirm(confirmation));
    socket.on("bot_uttered", (payload) => this.onBotUttered(payload));
    socket.on("bot_typing", (state) => this.showTyping(Boolean(state && state.typing)));
    socket.on("rate_limited", (details) => {
      this.showTyping(false);
      const seconds = Math.max(1, Number(details && details.retry_after_s) || 1);
      this.setStatus(this.t("rate_limited", { seconds }));
    });
    socket.on("message_refused", (details) => this.onRefused(details));
    socket.on("user_echo", (echo) => {
      if (echo && typeof echo.text === "string") this.add({ from: "user", text: echo.text }); // masked by the server
    });
    socket.on("disconnect", (reason) => {
      this.confirmed = false;
      this.showTyping(false);
      if (reason !== "io client disconnect") this.setStatus(this.t("offline"));
    });
    socket.on("connect_error", () => this.setStatus(this.t("offline")));
  }

  requestSession() {
    this.confirmed = false;
    this.socket.emit("session_request", this.sessionId ? { session_id: this.sessionId } : {});
  }

  onSessionConfirm(id) {
    if (typeof id !== "string" || !id) return;
    if (id !== this.sessionId) {
      // a new conversation (first visit, or the server no longer knows the old id): start afresh
      storage.forgetHistory(this.sessionId);
      // keep only the messages typed while connecting, which are about to be sent
      const typed = this.waiting.length ? this.history.filter((e) => e.from === "user").slice(-this.waiting.length) : [];
      this.sessionId = id;
      storage.saveSessionId(id);
      this.history = storage.saveHistory(id, typed);
      this.renderLog();
    }
    this.confirmed = true;
    this.setStatus("");
    const waiting = this.waiting.splice(0);
    for (const packet of waiting) this.emit(packet);
  }

  onBotUttered(payload) {
    if (!payload || typeof payload !== "object") return;
    const handoff = payload.handoff && typeof payload.handoff === "object" ? payload.handoff : {};
    const messageText = typeof payload.text === "string" ? payload.text : "";
    if (HANDOFF_NOTICES.includes(handoff.event)) {
      if (messageText) this.add({ from: "notice", text: messageText }); // worded by the agent console
      return;
    }
    const entry = { from: "bot", text: messageText };
    if (handoff.event === "agent_message") {
      entry.from = "agent";
      entry.agent = typeof handoff.agent === "string" ? handoff.agent : ""; // tidied by the server; "" shows t("agent")
    }
    const buttons = buttonsOf(payload);
    if (buttons.length) entry.buttons = buttons;
    const attachment = attachmentOf(payload);
    if (attachment) entry.attachment = attachment;
    if (!entry.text && !entry.buttons && !entry.attachment) return;
    this.add(entry);
  }

  onRefused(details) {
    this.showTyping(false);
    const reason = details && details.reason;
    if (reason === "too_long") {
      this.setStatus(this.t("too_long", { max_chars: Number(details.max_chars) || MAX_MESSAGE_CHARS }));
    } else if (reason === "no_session") {
      this.requestSession(); // ask again; the message itself is lost
      this.setStatus(this.t("error"));
    } else {
      this.setStatus(this.t("error"));
    }
  }
}
