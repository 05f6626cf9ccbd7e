/* Agent console: the queue, the open conversation and its actions, kept live by server-sent events.
 *
 * Plain ES2020, no dependency, no build step. The page (console.html) gives everything the script needs:
 * the texts in the JSON block #console-texts (raw patterns; "{name}" placeholders are filled here), the
 * CSRF token in <meta name="csrf-token">, the agent and the polling period as data- attributes of
 * [data-console]. Data is only ever inserted with textContent, never as HTML.
 *
 * The JSON API is described in docs/console-api.md. Errors come back as {"error": "<reason>"} and are
 * shown with the text "error.<reason>"; a 401 sends the agent back to /login.
 */
"use strict";

(() => {
  const root = document.querySelector("[data-console]");
  if (!root) return;

  // -- configuration and texts ------------------------------------------------------------------
  const textsBlock = document.getElementById("console-texts");
  const texts = textsBlock ? JSON.parse(textsBlock.textContent) : {};
  const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const me = root.dataset.username ?? "";
  const isSupervisor = root.dataset.supervisor === "true";
  const refreshSeconds = Math.max(5, Number.parseInt(root.dataset.refreshSeconds ?? "", 10) || 20);
  const MAX_TEXT = 4000; // characters (code points), as the server counts them
  const REFERENCE = /^[A-Z]{2}-[A-Z0-9]{6}$/;
  const SENDERS = new Set(["customer", "bot", "agent", "system"]);
  const STATUSES = new Set(["open", "in_progress", "resolved", "cancelled"]);
  const baseTitle = document.title;

  /** The text of `key`, its {placeholders} filled from `params`. */
  function tr(key, params = {}) {
    const pattern = texts[key] ?? key;
    return pattern.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
    );
  }

  /** The label of a code in a group of texts ("status", "in_progress"), else the code itself. */
  function label(group, code) {
    return texts[`${group}.${code}`] ?? String(code ?? "");
  }

  function errorText(reason) {
    return texts[`error.${reason}`] ?? tr("error.unknown");
  }

  // -- dates and durations ----------------------------------------------------------------------
  const locale = document.documentElement.lang || undefined;
  const formats = makeFormats();

  function makeFormats() {
    const clock = { hour: "2-digit", minute: "2-digit" };
    try {
      return {
        clock: new Intl.DateTimeFormat(locale, clock),
        dayClock: new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", ...clock }),
      };
    } catch {
      return {
        clock: new Intl.DateTimeFormat(undefined, clock),
        dayClock: new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", ...clock }),
      };
    }
  }

  function formatMoment(iso) {
    if (!iso) return "";
    const moment = new Date(iso);
    if (Number.isNaN(moment.getTime())) return "";
    const today = new Date();
    const sameDay = moment.toDateString() === today.toDateString();
    return (sameDay ? formats.clock : formats.dayClock).format(moment);
  }

  function formatWait(minutes) {
    const whole = Math.max(0, Math.floor(minutes));
    if (whole < 60) return tr("time.minutes", { minutes: whole });
    const hours = Math.floor(whole / 60);
    return tr("time.hours", { hours, minutes: String(whole % 60).padStart(2, "0") });
  }

  // -- DOM helpers ------------------------------------------------------------------------------
  const $ = (selector) => root.querySelector(selector);

  function node(tag, className = "", text = undefined) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = String(text);
    return element;
  }

  function timeNode(iso) {
    const element = node("time", "", formatMoment(iso));
    if (iso) element.dateTime = iso;
    return element;
  }

  const ui = {
    waiting: $('[data-queue="waiting"]'),
    mine: $('[data-queue="mine"]'),
    waitingEmpty: $('[data-empty="waiting"]'),
    mineEmpty: $('[data-empty="mine"]'),
    waitingCount: $('[data-count="waiting"]'),
    mineCount: $('[data-count="mine"]'),
    errors: $("[data-errors]"),
    announce: $("[data-announce]"),
    placeholder: $("[data-placeholder]"),
    conversation: $("[data-conversation]"),
    heading: $("[data-conversation-title]"),
    statusBadge: $('[data-badge="status"]'),
    priorityBadge: $('[data-badge="priority"]'),
    claimCurrent: $('[data-action="claim-current"]'),
    hint: $("[data-work-hint]"),
    transcript: $("[data-transcript]"),
    replyForm: $('[data-form="reply"]'),
    reply: $('textarea[name="reply"]'),
    canned: $("[data-canned]"),
    cannedBox: $("[data-canned-box]"),
    customer: $("[data-customer]"),
    unverified: $("[data-unverified]"),
    notes: $("[data-notes]"),
    notesEmpty: $("[data-notes-empty]"),
    note: $('textarea[name="note"]'),
    details: $("[data-details]"),
    actions: $("[data-actions]"),
    transferForm: $('[data-form="transfer"]'),
    assignForm: $('[data-form="assign"]'),
    resolve: $('[data-action="resolve"]'),
  };
  const liveStatus = $("[data-live-status]");

  // -- state ------------------------------------------------------------------------------------
  const state = {
    queue: { waiting: [], mine: [], agents: [] },
    queueKey: "", // the last queue answer, serialized: an identical answer is not drawn again
    queueAt: Date.now(), // when the queue was fetched: waiting times count on from there
    queueLoaded: false,
    queueRequest: 0,
    current: null, // reference of the open conversation
    detail: null, // the /api/tickets/<reference> answer shown
    ticketRequest: 0,
    unread: new Set(),
    drafts: new Map(), // unsent reply per conversation
    focus: null, // where to move the focus once a conversation is drawn: { reference, target }
  };
  const live = { source: null, url: "", pollTimer: 0, retryTimer: 0, graceTimer: 0 };

  // -- API --------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(reason, status) {
      super(reason);
      this.reason = reason;
      this.status = status;
    }
  }

  let leaving = false;
  function goToLogin() {
    if (leaving) return;
    leaving = true;
    live.source?.close();
    window.location.assign("/login");
  }

  async function api(path, { method = "GET", body } = {}) {
    const headers = { Accept: "application/json" };
    const init = { method, headers, credentials: "same-origin", cache: "no-store" };
    if (method !== "GET") headers["X-CSRF-Token"] = csrfToken;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError("network", 0);
    }
    if (response.status === 401) {
      goToLogin();
      throw new ApiError("login_required", 401);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null; // not JSON (a proxy's error page...): the status decides
    }
    if (!response.ok) {
      throw new ApiError(typeof data?.error === "string" ? data.error : "unknown", response.status);
    }
    return data;
  }

  const ticketPath = (reference, action = "") =>
    `/api/tickets/${encodeURIComponent(reference)}${action ? `/${action}` : ""}`;

  /** POST /api/tickets/<reference>/<action>, with a JSON body when there is one. */
  const post = (reference, action, body = undefined) =>
    api(ticketPath(reference, action), { method: "POST", body });

  // -- messages to the agent --------------------------------------------------------------------
  function showError(reason) {
    const box = node("div", "alert");
    box.append(node("p", "", errorText(reason)));
    const close = node("button", "button button-quiet button-small", tr("error.dismiss"));
    close.type = "button";
    close.dataset.action = "dismiss-error";
    box.append(close);
    ui.errors.replaceChildren(box);
  }

  function clearError() {
    ui.errors.replaceChildren();
  }

  let announceTimer = 0;
  function announce(message) {
    // Emptied first so that the same message twice is read twice.
    ui.announce.textContent = "";
    window.clearTimeout(announceTimer);
    window.setTimeout(() => {
      ui.announce.textContent = message;
    }, 50);
    announceTimer = window.setTimeout(() => {
      ui.announce.textContent = "";
    }, 8000);
  }

  /** Runs an action of a button once at a time; an API refusal is shown, and gives undefined. */
  const busy = new WeakSet();
  async function run(button, work) {
    if (button) {
      if (busy.has(button)) return undefined;
      busy.add(button);
      button.setAttribute("aria-disabled", "true");
    }
    clearError();
    try {
      const result = await work();
      // the change was made, but the customer could not be told (their channel refused or was down)
      if (typeof result?.warning === "string") showError(result.warning);
      return result;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status !== 401) showError(error.reason);
      return undefined;
    } finally {
      if (button) {
        busy.delete(button);
        button.removeAttribute("aria-disabled");
      }
    }
  }

  // -- the queue --------------------------------------------------------------------------------
  async function loadQueue({ quiet = false } = {}) {
    const request = ++state.queueRequest;
    let queue;
    try {
      queue = await api("/api/queue");
    } catch (error) {
      if (!quiet && error.status !== 401) showError(error.reason);
      return;
    }
    if (request !== state.queueRequest) return; // a later answer is on its way
    const previous = state.queue;
    const first = !state.queueLoaded;
    state.queue = {
      waiting: Array.isArray(queue?.waiting) ? queue.waiting : [],
      mine: Array.isArray(queue?.mine) ? queue.mine : [],
      agents: Array.isArray(queue?.agents) ? queue.agents : [],
    };
    state.queueAt = Date.now();
    state.queueLoaded = true;
    if (!first) announceNewWaiting(previous.waiting, state.queue.waiting);
    const key = JSON.stringify(state.queue);
    if (key !== state.queueKey) {
      state.queueKey = key;
      renderQueue();
    }
    refreshOpenTicketIfMoved();
  }

  function announceNewWaiting(before, after) {
    const known = new Set(before.map((ticket) => ticket.reference));
    const arrived = after.filter((ticket) => !known.has(ticket.reference));
    if (!arrived.length) return;
    announce(tr("queue.new_waiting", { reference: arrived.map((ticket) => ticket.reference).join(", ") }));
  }

  /** The queue says the open ticket changed hands or status: its pane is refetched. */
  function refreshOpenTicketIfMoved() {
    const shown = state.detail?.ticket;
    if (!state.current || !shown || shown.reference !== state.current) return;
    const listed = [...state.queue.waiting, ...state.queue.mine].find((t) => t.reference === state.current);
    const handled = shown.status === "in_progress" && (shown.assigned_to === me || isSupervisor);
    const listedBefore = shown.status === "open" || handled;
    const moved = listed
      ? listed.status !== shown.status || listed.assigned_to !== shown.assigned_to
      : listedBefore;
    if (moved) loadTicket(state.current, { quiet: true });
  }

  function renderQueue() {
    const focus = focusedQueueItem();
    const { waiting, mine } = state.queue;
    ui.waiting.replaceChildren(...waiting.map(waitingItem));
    ui.mine.replaceChildren(...mine.map(mineItem));
    ui.waitingEmpty.hidden = waiting.length > 0;
    ui.mineEmpty.hidden = mine.length > 0;
    ui.waitingCount.textContent = String(waiting.length);
    ui.mineCount.textContent = String(mine.length);
    document.title = waiting.length ? `(${waiting.length}) ${baseTitle}` : baseTitle;
    restoreFocus(focus);
    if (state.detail) renderAgentChoices(state.detail.ticket);
  }

  function ticketItem(ticket) {
    const item = node("li", "ticket");
    item.dataset.ticket = ticket.reference;
    if (ticket.priority === "high") item.classList.add("is-high");
    if (ticket.reference === state.current) item.classList.add("is-current");
    if (state.unread.has(ticket.reference)) item.classList.add("is-unread");

    const open = node("button", "ticket-open");
    open.type = "button";
    open.dataset.action = "open";
    open.dataset.reference = ticket.reference;
    if (ticket.reference === state.current) open.setAttribute("aria-current", "true");

    const line = node("span", "ticket-line");
    line.append(node("span", "ticket-ref", ticket.reference));
    const language = node("span", "tag tag-language", String(ticket.language ?? "").toUpperCase());
    language.setAttribute("aria-hidden", "true");
    language.title = label("language", ticket.language);
    line.append(" ", language, node("span", "visually-hidden", label("language", ticket.language)));
    line.append(" ", node("span", "tag", label("channel", ticket.channel)));
    if (ticket.priority === "high") {
      line.append(" ", node("span", "tag tag-high", tr("queue.priority_high")));
    }
    if (state.unread.has(ticket.reference)) {
      line.append(" ", node("span", "tag tag-unread", tr("queue.unread")));
    }
    open.append(line, node("span", "ticket-topic", ticket.topic_label || ticket.topic || ""));
    item.append(open);
    return { item, open };
  }

  function waitingItem(ticket) {
    const { item, open } = ticketItem(ticket);
    const wait = node("span", "ticket-wait", formatWait(ticket.waiting_minutes ?? 0));
    wait.dataset.minutes = String(ticket.waiting_minutes ?? 0);
    open.append(wait);
    const claim = node("button", "button button-small", tr("queue.claim"));
    claim.type = "button";
    claim.dataset.action = "claim";
    claim.dataset.reference = ticket.reference;
    claim.setAttribute("aria-label", tr("queue.claim_label", { reference: ticket.reference }));
    item.append(claim);
    return item;
  }

  function mineItem(ticket) {
    const { item, open } = ticketItem(ticket);
    if (ticket.customer_name) open.append(node("span", "ticket-who", ticket.customer_name));
    if (ticket.assigned_to && ticket.assigned_to !== me) {
      const name = ticket.assigned_name || ticket.assigned_to;
      open.append(node("span", "ticket-handler", tr("queue.handled_by", { name })));
    }
    return item;
  }

  /** Waiting times count on between two fetches of the queue. */
  function tickWaits() {
    const elapsed = Math.floor((Date.now() - state.queueAt) / 60000);
    for (const wait of ui.waiting.querySelectorAll("[data-minutes]")) {
      wait.textContent = formatWait(Number(wait.dataset.minutes) + elapsed);
    }
  }

  function focusedQueueItem() {
    const active = document.activeElement;
    const item = active instanceof HTMLElement ? active.closest("li[data-ticket]") : null;
    if (!item || !root.contains(item)) return null;
    return {
      list: item.parentElement?.dataset.queue,
      reference: item.dataset.ticket,
      action: active.dataset.action,
    };
  }

  function restoreFocus(focus) {
    if (!focus) return;
    const list = focus.list === "mine" ? ui.mine : ui.waiting;
    const items = [...list.querySelectorAll("li[data-ticket]")];
    const item = items.find((li) => li.dataset.ticket === focus.reference);
    const target = item?.querySelector(`[data-action="${focus.action}"]`) ?? item?.querySelector("button");
    if (target) target.focus({ preventScroll: true });
    else list.closest("section")?.querySelector("h2")?.focus({ preventScroll: true });
  }

  function markCurrent() {
    for (const item of root.querySelectorAll("li[data-ticket]")) {
      const current = item.dataset.ticket === state.current;
      item.classList.toggle("is-current", current);
      const open = item.querySelector('[data-action="open"]');
      if (current) open?.setAttribute("aria-current", "true");
      else open?.removeAttribute("aria-current");
    }
  }

  // -- the open conversation --------------------------------------------------------------------
  async function openTicket(reference, { focus = "heading" } = {}) {
    if (!REFERENCE.test(reference)) return;
    if (state.current !== reference) {
      saveDraft();
      state.current = reference;
      state.detail = null;
      ui.conversation.hidden = true;
      ui.placeholder.hidden = false;
      ui.placeholder.textContent = tr("conversation.loading");
      window.history.replaceState(null, "", `#${reference}`);
      followCurrent();
    }
    if (state.unread.delete(reference)) renderQueue();
    markCurrent();
    state.focus = focus === "none" ? null : { reference, target: focus };
    await loadTicket(reference);
  }

  /** Moves the focus as asked once the conversation is drawn (by whichever answer comes last). */
  function applyFocus(reference) {
    if (state.focus?.reference !== reference) return;
    const { target } = state.focus;
    state.focus = null;
    if (target === "reply" && !ui.replyForm.hidden) ui.reply.focus();
    else ui.heading.focus();
  }

  function closeTicket() {
    saveDraft();
    state.current = null;
    state.detail = null;
    ui.conversation.hidden = true;
    ui.placeholder.hidden = false;
    ui.placeholder.textContent = tr("conversation.none");
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    markCurrent();
    followCurrent();
  }

  async function loadTicket(reference, { quiet = false } = {}) {
    const request = ++state.ticketRequest;
    let detail;
    try {
      detail = await api(ticketPath(reference));
    } catch (error) {
      if (request !== state.ticketRequest || reference !== state.current) return;
      state.focus = null; // a later refresh does not move the focus
      if (error.status === 404 || error.status === 403) {
        closeTicket();
        showError(error.reason);
        return;
      }
      // Nothing drawn yet: the placeholder says why (choosing the conversation again retries).
      if (!state.detail) ui.placeholder.textContent = errorText(error.reason);
      if (!quiet && error.status !== 401) showError(error.reason);
      return;
    }
    if (request !== state.ticketRequest || reference !== state.current || !detail?.ticket) return;
    const previous = state.detail?.ticket?.reference === reference ? state.detail : null;
    state.detail = detail;
    renderConversation(detail, previous);
  }

  function renderConversation(detail, previous) {
    const { ticket } = detail;
    ui.placeholder.hidden = true;
    ui.conversation.hidden = false;
    ui.heading.textContent = `${ticket.reference} · ${ticket.topic_label || ticket.topic || ""}`;
    ui.statusBadge.textContent = label("status", ticket.status);
    ui.statusBadge.dataset.status = STATUSES.has(ticket.status) ? ticket.status : "other";
    ui.priorityBadge.hidden = ticket.priority !== "high";

    setField("reference", ticket.reference);
    setField("topic", ticket.topic_label || ticket.topic);
    setField("summary", ticket.summary);
    setField("channel", label("channel", ticket.channel));
    setField("language", label("language", ticket.language));
    setField("status", label("status", ticket.status));
    setField("priority", label("priority", ticket.priority));
    setField(
      "assigned",
      ticket.assigned_to ? ticket.assigned_name || ticket.assigned_to : tr("conversation.not_assigned"),
    );
    setField("created", formatMoment(ticket.created_at));
    setField(
      "satisfaction",
      ticket.satisfaction === null || ticket.satisfaction === undefined
        ? ""
        : tr("conversation.satisfaction_value", { score: ticket.satisfaction }),
    );

    renderCustomer(detail.customer);
    const messages = Array.isArray(detail.transcript) ? detail.transcript : [];
    const arrived = renderTranscript(messages, previous?.transcript);
    if (arrived.some((message) => message.from === "customer")) {
      announce(tr("done.new_message", { reference: ticket.reference }));
    }
    renderNotes(Array.isArray(detail.notes) ? detail.notes : []);
    if (!previous) {
      renderCanned(Array.isArray(detail.canned) ? detail.canned : []);
      restoreDraft();
      for (const select of ui.actions.querySelectorAll("select")) select.value = "";
      ui.details.scrollTop = 0;
    }
    renderControls(ticket);
    applyFocus(ticket.reference);
  }

  function setField(name, value) {
    const field = ui.conversation.querySelector(`[data-field="${name}"]`);
    if (!field) return;
    const text = value === null || value === undefined ? "" : String(value);
    field.textContent = text || tr("conversation.no_value");
  }

  function renderCustomer(customer) {
    const known = customer !== null && typeof customer === "object";
    ui.customer.hidden = !known;
    ui.unverified.hidden = known;
    if (!known) return;
    setField("customer-name", customer.name);
    setField("customer-number", customer.number);
    setField("customer-country", customer.country);
    setField("customer-plan", customer.plan);
    setField("customer-balance", customer.balance);
    setField("customer-overdue", customer.overdue);
    setField("customer-status", customer.status); // already in the agent's language
  }

  function sameMessage(a, b) {
    return a.from === b.from && a.at === b.at && a.text === b.text;
  }

  /** Draws the transcript (appending when only new messages came); gives the new messages. */
  function renderTranscript(messages, before) {
    const box = ui.transcript;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 48;
    const continues =
      Array.isArray(before) &&
      before.length <= messages.length &&
      before.every((message, index) => sameMessage(message, messages[index]));
    const arrived = continues ? messages.slice(before.length) : [];
    if (continues) {
      box.querySelector("[data-transcript-empty]")?.remove();
      box.append(...arrived.map(messageItem));
    } else {
      box.replaceChildren(...messages.map(messageItem));
    }
    if (!messages.length) {
      const empty = node("li", "transcript-empty", tr("conversation.empty_transcript"));
      empty.dataset.transcriptEmpty = "";
      box.replaceChildren(empty);
    }
    if (!continues || atBottom) box.scrollTop = box.scrollHeight;
    return arrived;
  }

  function messageItem(message) {
    const from = SENDERS.has(message.from) ? message.from : "system";
    const item = node("li", `message message-${from}`);
    item.dataset.from = from;
    const meta = node("p", "message-meta");
    const who = from === "agent" && message.agent_name ? message.agent_name : label("from", from);
    meta.append(node("span", "message-who", who), " ", timeNode(message.at));
    item.append(meta, node("p", "message-text", message.text ?? ""));
    return item;
  }

  function renderNotes(notes) {
    ui.notes.replaceChildren(
      ...notes.map((note) => {
        const item = node("li", "note");
        const meta = node("p", "note-meta");
        meta.append(node("span", "note-author", agentName(note.author ?? "")), " ", timeNode(note.at));
        item.append(meta, node("p", "note-text", note.text ?? ""));
        return item;
      }),
    );
    ui.notesEmpty.hidden = notes.length > 0;
  }

  function renderCanned(canned) {
    ui.canned.replaceChildren(
      ...canned.map((reply, index) => {
        const item = node("li");
        const button = node("button", "button button-quiet button-small", reply.title ?? "");
        button.type = "button";
        button.dataset.action = "canned";
        button.dataset.index = String(index);
        button.title = reply.text ?? "";
        item.append(button);
        return item;
      }),
    );
    ui.cannedBox.hidden = canned.length === 0;
  }

  function renderControls(ticket) {
    const waiting = ticket.status === "open" && !ticket.assigned_to;
    const active = ticket.status === "open" || ticket.status === "in_progress";
    const mine = ticket.assigned_to === me;
    const canWork = ticket.status === "in_progress" && (mine || isSupervisor);

    ui.claimCurrent.hidden = !waiting;
    ui.replyForm.hidden = !canWork;
    ui.transferForm.hidden = !canWork;
    ui.resolve.hidden = !canWork;
    if (ui.assignForm) ui.assignForm.hidden = !(isSupervisor && active);
    ui.actions.hidden = !canWork && !(isSupervisor && active);

    let hint = "";
    if (waiting) hint = tr("conversation.claim_hint");
    else if (!active) hint = tr("conversation.closed");
    else if (ticket.assigned_to && !mine) {
      hint = tr("conversation.handled_by", { name: ticket.assigned_name || ticket.assigned_to });
    }
    ui.hint.textContent = hint;
    ui.hint.hidden = !hint;
    renderAgentChoices(ticket);
  }

  function renderAgentChoices(ticket) {
    fillAgents(ui.transferForm.querySelector("select"), [me, ticket.assigned_to]);
    if (ui.assignForm) fillAgents(ui.assignForm.querySelector("select"), [ticket.assigned_to]);
  }

  function fillAgents(select, excluded) {
    if (!select) return;
    const chosen = select.value;
    const agents = state.queue.agents.filter(
      (agent) => agent.username && !excluded.includes(agent.username),
    );
    const choices = agents.map((agent) => {
      const role = agent.role === "supervisor" ? ` (${label("role", agent.role)})` : "";
      return [agent.username, `${agent.display_name || agent.username}${role}`];
    });
    const key = JSON.stringify(choices);
    if (select.dataset.choices === key) return; // unchanged: an open list is not disturbed
    select.dataset.choices = key;
    const none = node("option", "", tr("conversation.choose_agent"));
    none.value = "";
    const options = choices.map(([username, name]) => {
      const option = node("option", "", name);
      option.value = username;
      return option;
    });
    select.replaceChildren(none, ...options);
    select.value = agents.some((agent) => agent.username === chosen) ? chosen : "";
  }

  function agentName(username) {
    const agent = state.queue.agents.find((candidate) => candidate.username === username);
    return agent?.display_name || username;
  }

  // -- drafts -----------------------------------------------------------------------------------
  function saveDraft() {
    if (!state.current) return;
    const text = ui.reply.value;
    if (text.trim()) state.drafts.set(state.current, text);
    else state.drafts.delete(state.current);
  }

  function restoreDraft() {
    ui.reply.value = state.drafts.get(state.current) ?? "";
    ui.note.value = "";
  }

  // -- actions ----------------------------------------------------------------------------------
  function checkedText(textarea) {
    const text = textarea.value.trim();
    if (!text) return { error: "empty_text" };
    if ([...text].length > MAX_TEXT) return { error: "text_too_long" };
    return { text };
  }

  async function claim(reference, button) {
    const done = await run(button, () => post(reference, "claim"));
    await loadQueue({ quiet: true });
    if (!done) {
      if (reference === state.current) await loadTicket(reference, { quiet: true });
      return;
    }
    announce(tr("done.claimed", { reference }));
    if (state.current === reference) {
      state.focus = { reference, target: "reply" };
      await loadTicket(reference);
    } else {
      await openTicket(reference, { focus: "reply" });
    }
  }

  async function sendReply(button) {
    const reference = state.current;
    const { text, error } = checkedText(ui.reply);
    if (error) {
      showError(error);
      ui.reply.focus();
      return;
    }
    const done = await run(button, () => post(reference, "reply", { text }));
    if (!done) return; // the text stays in the box (delivery_failed: the reply was not sent)
    if (state.current === reference && ui.reply.value.trim() === text) ui.reply.value = "";
    state.drafts.delete(reference);
    announce(tr("done.sent"));
    if (state.current === reference) await loadTicket(reference);
  }

  async function addNote(button) {
    const reference = state.current;
    const { text, error } = checkedText(ui.note);
    if (error) {
      showError(error);
      ui.note.focus();
      return;
    }
    const done = await run(button, () => post(reference, "note", { text }));
    if (!done) return;
    if (state.current === reference && ui.note.value.trim() === text) ui.note.value = "";
    announce(tr("done.noted"));
    if (state.current === reference) await loadTicket(reference);
  }

  async function move(action, form, button) {
    const reference = state.current;
    const select = form.querySelector("select");
    const to = select?.value ?? "";
    if (!to) {
      select?.focus();
      return;
    }
    const done = await run(button, () => post(reference, action, { to }));
    if (!done) return;
    const name = agentName(to);
    announce(tr(action === "assign" ? "done.assigned" : "done.transferred", { reference, name }));
    await loadQueue({ quiet: true });
    if (state.current === reference) await loadTicket(reference, { quiet: true });
  }

  async function resolve(button) {
    const reference = state.current;
    if (!reference || !window.confirm(tr("conversation.resolve_confirm", { reference }))) return;
    const done = await run(button, () => post(reference, "resolve"));
    if (!done) return;
    announce(tr("done.resolved", { reference }));
    await loadQueue({ quiet: true });
    if (state.current === reference) await loadTicket(reference);
  }

  function useCanned(index) {
    const reply = state.detail?.canned?.[index];
    if (!reply || ui.replyForm.hidden) return;
    const text = String(reply.text ?? "");
    const current = ui.reply.value.trimEnd();
    ui.reply.value = current ? `${current}\n${text}` : text;
    ui.reply.focus();
    ui.reply.setSelectionRange(ui.reply.value.length, ui.reply.value.length);
  }

  // -- events -----------------------------------------------------------------------------------
  root.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-action]") : null;
    if (!button || !root.contains(button)) return;
    const { action, reference } = button.dataset;
    if (action === "open" && reference) {
      clearError();
      openTicket(reference);
    } else if (action === "claim" && reference) {
      claim(reference, button);
    } else if (action === "claim-current" && state.current) {
      claim(state.current, button);
    } else if (action === "resolve") {
      resolve(button);
    } else if (action === "canned") {
      useCanned(Number(button.dataset.index));
    } else if (action === "dismiss-error") {
      clearError();
    }
  });

  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.form) return;
    event.preventDefault();
    if (!state.current) return;
    const button = event.submitter ?? form.querySelector('button[type="submit"]');
    const kind = form.dataset.form;
    if (kind === "reply") sendReply(button);
    else if (kind === "note") addNote(button);
    else if (kind === "transfer" || kind === "assign") move(kind, form, button);
  });

  // Ctrl+Enter (⌘+Enter on a Mac) sends the reply or adds the note.
  root.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !textarea.form?.dataset.form) return;
    event.preventDefault();
    textarea.form.querySelector('button[type="submit"]')?.click();
  });

  /** The reference in the address (#TK-XXXXXX), if any. */
  function hashReference() {
    const reference = window.location.hash.slice(1);
    return REFERENCE.test(reference) ? reference : null;
  }

  window.addEventListener("hashchange", () => {
    const reference = hashReference();
    if (reference && reference !== state.current) openTicket(reference);
  });

  // -- live updates: server-sent events, else polling -------------------------------------------
  // The stream (GET /api/events) says `queue` when the queue or my tickets changed and `conversation`
  // when a conversation I handle, or the one open on screen (?ticket=<reference>), got a message; it
  // says `logout` when the session ended. It ends every few minutes and the browser reconnects: what
  // changed in between is refetched. While it is down, the console polls every refresh_seconds.
  const GRACE_MS = 5000; // a reconnection shorter than this does not switch to polling

  function setLive(connected) {
    if (!liveStatus) return;
    liveStatus.textContent = connected
      ? tr("console.live_on")
      : tr("console.live_polling", { seconds: refreshSeconds });
    liveStatus.dataset.live = connected ? "on" : "polling";
  }

  function refreshAll() {
    loadQueue({ quiet: true });
    if (state.current) loadTicket(state.current, { quiet: true });
  }

  function startPolling() {
    window.clearTimeout(live.graceTimer);
    live.graceTimer = 0;
    setLive(false);
    if (!live.pollTimer) live.pollTimer = window.setInterval(refreshAll, refreshSeconds * 1000);
  }

  function stopPolling() {
    window.clearTimeout(live.graceTimer);
    live.graceTimer = 0;
    window.clearInterval(live.pollTimer);
    live.pollTimer = 0;
  }

  function onConversation(event) {
    let reference = null;
    try {
      reference = JSON.parse(event.data)?.reference ?? null;
    } catch {
      return;
    }
    if (typeof reference !== "string") return;
    if (reference === state.current) {
      loadTicket(reference, { quiet: true });
    } else if (state.queue.mine.some((ticket) => ticket.reference === reference)) {
      state.unread.add(reference);
      renderQueue();
      announce(tr("done.new_message", { reference }));
    }
  }

  function streamUrl() {
    return state.current ? `/api/events?ticket=${encodeURIComponent(state.current)}` : "/api/events";
  }

  function connect() {
    window.clearTimeout(live.retryTimer);
    if (leaving) return;
    if (!("EventSource" in window)) {
      startPolling();
      return;
    }
    const url = streamUrl();
    const source = new EventSource(url);
    live.source = source;
    live.url = url;
    let opened = false;
    source.addEventListener("open", () => {
      const missed = opened || Boolean(live.pollTimer);
      stopPolling();
      setLive(true);
      if (missed) refreshAll(); // what changed while the stream was down
      opened = true;
    });
    source.addEventListener("queue", () => loadQueue({ quiet: true }));
    source.addEventListener("conversation", onConversation);
    source.addEventListener("logout", goToLogin);
    source.addEventListener("error", () => {
      if (live.source !== source) return;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (an answer that is not a stream, e.g. a 401): polling goes on (a 401
        // there leads to /login) and a new stream is tried later.
        live.source = null;
        startPolling();
        live.retryTimer = window.setTimeout(connect, refreshSeconds * 3000);
      } else if (!live.pollTimer && !live.graceTimer) {
        live.graceTimer = window.setTimeout(startPolling, GRACE_MS); // the browser is reconnecting
      }
    });
  }

  /** The stream follows the conversation open on screen. */
  function followCurrent() {
    if (!live.source || leaving || live.url === streamUrl()) return;
    live.source.close();
    live.source = null;
    connect();
  }

  window.addEventListener("pagehide", () => live.source?.close());

  // -- start ------------------------------------------------------------------------------------
  window.setInterval(tickWaits, 15000);
  const initial = hashReference();
  loadQueue().then(() => {
    if (initial) openTicket(initial, { focus: "none" }); // a reload keeps the open conversation
    connect();
  });
})();
