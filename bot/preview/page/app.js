// The local preview's chat page: talks to the emulator's control API as a participant
// and follows the chat over a WebSocket. Plain JavaScript, no build step, no network.
// The bot's texts are shown exactly as sent (never as HTML); only entities are styled.
"use strict";

const PERSONAS = [
  { id: 1001, first_name: "Amina", language_code: "ar", label: "Amina (العربية)" },
  { id: 1002, first_name: "Erik", language_code: "sv", label: "Erik (svenska)" },
  { id: 1003, first_name: "Hodan", language_code: "so", label: "Hodan (Soomaali)" },
  { id: 1004, first_name: "Yonas", language_code: "ti", label: "Yonas (ትግርኛ)" },
  { id: 1005, first_name: "Zahra", language_code: "fa", label: "Zahra (فارسی)" },
  { id: 1006, first_name: "Oksana", language_code: "uk", label: "Oksana (українська)" },
  { id: 1007, first_name: "Sam", language_code: "en", label: "Sam (English)" },
];
const NEW_PARTICIPANTS_FROM = 2001;
const STORAGE_KEY = "rakna-preview";
const TYPING_SECONDS = 5;
// Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms).
const RTL_CHAR = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;
const STRONG_LTR = /[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u1200-\u139F]/;

const $ = (id) => document.getElementById(id);

const view = {
  user: null,            // the persona in use: {id, first_name, language_code, label}
  shown: new Map(),      // message_id -> {key, element}
  answersSeen: null,     // how many press answers were already shown as toasts
  socket: null,
  retry: 500,
  lessonsReloads: null,
  typingTimer: null,
};

// --- personas ----------------------------------------------------------------------

function loadSaved() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY)) || {};
  } catch {
    return {};
  }
}

function save(changes) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ ...loadSaved(), ...changes }));
  } catch {
    // private browsing: the page works, it just forgets
  }
}

function allPersonas() {
  return [...PERSONAS, ...(loadSaved().extra || [])];
}

function fillPersonas(selectedId) {
  const select = $("persona");
  select.replaceChildren();
  for (const persona of allPersonas()) {
    const option = document.createElement("option");
    option.value = String(persona.id);
    option.textContent = persona.label;
    select.append(option);
  }
  select.value = String(selectedId);
}

function addPersona(persona) {
  const extra = (loadSaved().extra || []).filter((p) => p.id !== persona.id);
  save({ extra: [...extra, persona] });
}

async function newParticipant() {
  let known = allPersonas().map((p) => p.id);
  try {
    const answer = await fetch("/emulator/users").then((r) => r.json());
    known = known.concat(answer.users.map((u) => u.user.id));
  } catch {
    // the emulator is restarting: local ids are enough to stay unique
  }
  const id = Math.max(NEW_PARTICIPANTS_FROM - 1, ...known) + 1;
  const persona = { id, first_name: `Participant ${id}`, language_code: null, label: `New participant ${id}` };
  addPersona(persona);
  fillPersonas(id);
  choose(id);
  $("text").focus();
}

async function rememberOtherUsers() {
  // chats started elsewhere (curl, the tests' helpers) can be opened here too
  try {
    const answer = await fetch("/emulator/users").then((r) => r.json());
    for (const { user } of answer.users) {
      if (!allPersonas().some((p) => p.id === user.id)) {
        addPersona({
          id: user.id,
          first_name: user.first_name,
          language_code: user.language_code || null,
          label: `${user.first_name} (${user.id})`,
        });
      }
    }
    fillPersonas(view.user.id);
  } catch {
    // not important enough to bother anyone
  }
}

function choose(id) {
  const persona = allPersonas().find((p) => p.id === id) || PERSONAS[0];
  view.user = persona;
  view.shown.clear();
  view.answersSeen = null;
  $("messages").replaceChildren($("empty") || emptyNote());
  $("empty").hidden = false;
  save({ current: persona.id });
  const url = new URL(location.href);
  url.searchParams.set("user", String(persona.id));
  history.replaceState(null, "", url);
  if (view.socket && view.socket.readyState === WebSocket.OPEN) {
    view.socket.send(JSON.stringify({ user_id: persona.id }));
  } else {
    connect();
  }
}

function emptyNote() {
  const note = document.createElement("p");
  note.id = "empty";
  note.className = "empty";
  note.append("Say ", commandButton("/start"), " to begin the course.");
  return note;
}

function profile() {
  const body = { first_name: view.user.first_name };
  if (view.user.language_code) body.language_code = view.user.language_code;
  return body;
}

// --- talking to the emulator -------------------------------------------------------

async function post(path, body) {
  const response = await fetch(`/emulator/users/${view.user.id}/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...profile(), ...body }),
  });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw new Error(answer.error || `${response.status} ${response.statusText}`);
  }
  return response.json();
}

function sendText(text) {
  if (!text.trim()) return;
  post("messages", { text }).catch((error) => toast(`Not sent: ${error.message}`, "error"));
}

function press(button, messageId, data) {
  button.classList.add("pressed");
  post("presses", { message_id: messageId, data }).catch((error) =>
    toast(`Not pressed: ${error.message}`, "error"),
  );
}

function kindOf(file) {
  if (file.type.startsWith("image/")) return "photo";
  if (file.type.startsWith("audio/")) return "voice";
  return "document";
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function upload(file) {
  try {
    const content = await readBase64(file);
    await post("uploads", {
      kind: kindOf(file),
      file_name: file.name,
      mime_type: file.type || "application/octet-stream",
      content_base64: content,
    });
  } catch (error) {
    toast(`Not sent: ${error.message}`, "error");
  }
}

// --- live updates ------------------------------------------------------------------

function connect() {
  if (view.socket) {
    view.socket.onclose = null;
    view.socket.close();
  }
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/emulator/live?user_id=${view.user.id}`);
  view.socket = socket;
  setConnection("connecting");
  socket.onopen = () => {
    view.retry = 500;
    setConnection("live");
  };
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = () => {
    setConnection("connecting");
    setTimeout(connect, view.retry);  // the preview restarted, or the laptop slept
    view.retry = Math.min(view.retry * 2, 5000);
  };
}

function setConnection(state) {
  const label = $("connection");
  label.dataset.state = state;
  label.textContent = state === "live" ? "bot · live preview" : "connecting…";
}

function receive(message) {
  if (message.type === "chat" && message.user_id === view.user.id) {
    showChat(message.chat);
  } else if (message.type === "lessons") {
    showLessons(message);
  }
}

// --- the chat ----------------------------------------------------------------------

function showChat(chat) {
  const list = $("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const present = new Set();
  let appended = false;
  for (const message of chat.messages) {
    if (message.deleted) continue;
    present.add(message.message_id);
    appended = showMessage(list, message) || appended;
  }
  for (const [id, entry] of view.shown) {
    if (!present.has(id)) {
      entry.element.remove();
      view.shown.delete(id);
    }
  }
  for (const album of list.querySelectorAll(".album")) {
    if (!album.children.length) album.remove();  // every picture of it was deleted
  }
  $("empty").hidden = present.size > 0;
  showAnswers(chat.answers || []);
  showReplyKeyboard(chat.keyboard);
  showTyping(chat.chat_action);
  if (appended && (nearBottom || present.size <= 2)) list.scrollTop = list.scrollHeight;
}

// Draws a new or changed message in its place; true when it was new.
function showMessage(list, message) {
  const key = JSON.stringify(message);
  const entry = view.shown.get(message.message_id);
  if (entry && entry.key === key) return false;
  const element = renderMessage(message);
  if (entry) {
    entry.element.replaceWith(element);  // an edit: in place, as Telegram shows it
  } else if (message.media_group_id) {
    albumOf(list, message.media_group_id).append(element);
  } else {
    list.append(element);
  }
  view.shown.set(message.message_id, { key, element });
  return !entry;
}

// The messages of one album share a row: the album's pictures, each under its caption.
function albumOf(list, groupId) {
  let album = [...list.querySelectorAll(".album")].find((a) => a.dataset.group === groupId);
  if (!album) {
    album = document.createElement("div");
    album.className = "album";
    album.dataset.group = groupId;
    album.setAttribute("role", "group");
    album.setAttribute("aria-label", "Album");
    list.append(album);
  }
  album.style.setProperty("--count", String(Math.min(album.children.length + 1, 3)));
  return album;
}

function renderMessage(message) {
  const item = document.createElement("article");
  item.className = `msg ${message.from}`;
  item.dataset.messageId = String(message.message_id);
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  bubble.append(...renderMedia(message));
  const text = message.text ?? message.caption;
  if (text) {
    const entities = (message.text != null ? message.entities : message.caption_entities) || [];
    bubble.append(renderText(text, message.from === "bot" ? withCommands(text, entities) : entities));
  }
  bubble.append(renderMeta(message));
  item.append(bubble);
  if (message.buttons && message.buttons.length) item.append(renderKeyboard(message));
  return item;
}

function direction(text) {
  if (text.startsWith("\u200F")) return "rtl";
  for (const char of text) {
    if (RTL_CHAR.test(char)) return "rtl";
    if (STRONG_LTR.test(char)) return "auto";
  }
  return "auto";
}

// Telegram marks /commands in a bot's text so a tap sends them; the emulator leaves it to us.
const COMMAND = /(^|[\s(«"'])(\/[A-Za-z0-9_]{1,32})(?![\w/])/g;

function withCommands(text, entities) {
  const found = [...entities];
  for (const match of text.matchAll(COMMAND)) {
    const offset = match.index + match[1].length;
    const length = match[2].length;
    const overlaps = entities.some((e) => e.offset < offset + length && offset < e.offset + e.length);
    if (!overlaps) found.push({ type: "bot_command", offset, length });
  }
  return found;
}

function renderText(text, entities) {
  const block = document.createElement("div");
  block.className = "text";
  block.dir = direction(text);
  block.append(formatted(text, entities));
  return block;
}

// Entities count UTF-16 code units, exactly as JavaScript strings do.
function formatted(text, entities) {
  const fragment = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  for (const e of entities) {
    cuts.add(e.offset);
    cuts.add(e.offset + e.length);
  }
  const points = [...cuts].filter((n) => n >= 0 && n <= text.length).sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(start, end));
    const active = entities
      .filter((e) => e.offset <= start && e.offset + e.length >= end)
      .sort((a, b) => b.offset - a.offset || a.length - b.length);
    for (const entity of active) node = wrap(node, entity, text.slice(entity.offset, entity.offset + entity.length));
    fragment.append(node);
  }
  return fragment;
}

const TAGS = { bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code", pre: "pre", blockquote: "blockquote", expandable_blockquote: "blockquote" };

function wrap(node, entity, whole) {
  let element;
  if (entity.type === "bot_command") {
    element = commandButton(whole);
    element.replaceChildren(node);
    return element;
  }
  if (entity.type === "text_link" || entity.type === "url") {
    const href = entity.type === "url" ? whole : entity.url;
    element = document.createElement("a");
    if (/^(https?:|tg:)/i.test(href || "")) element.href = href;
    element.target = "_blank";
    element.rel = "noopener noreferrer";
  } else if (entity.type === "spoiler") {
    element = document.createElement("span");
    element.className = "spoiler";
    element.tabIndex = 0;
  } else {
    element = document.createElement(TAGS[entity.type] || "span");
  }
  element.append(node);
  return element;
}

function commandButton(command) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "command";
  button.textContent = command;
  button.dataset.command = command;
  return button;
}

function renderMedia(message) {
  const parts = [];
  if (message.photo) {
    const image = document.createElement("img");
    image.src = message.photo.url;
    image.alt = message.photo.alt || message.caption || "Photo";
    image.loading = "lazy";
    parts.push(image);
  }
  for (const kind of ["voice", "audio"]) {
    if (message[kind]) {
      const player = document.createElement("audio");
      player.controls = true;
      player.preload = "none";
      player.src = message[kind].url;
      player.setAttribute("aria-label", kind === "voice" ? "Voice message" : "Audio");
      parts.push(player);
    }
  }
  if (message.document) parts.push(fileChip(message.document));
  return parts;
}

function fileChip(file) {
  const link = document.createElement("a");
  link.className = "file-chip";
  link.href = file.url;
  link.target = "_blank";
  link.rel = "noopener";
  const icon = document.createElement("span");
  icon.className = "file-icon";
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = "📄";
  const name = document.createElement("span");
  name.className = "file-name";
  name.textContent = file.file_name || "File";
  link.append(icon, name);
  return link;
}

function renderMeta(message) {
  const meta = document.createElement("div");
  meta.className = "meta";
  const time = new Date(message.date * 1000);
  meta.textContent = time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (message.edited) meta.textContent = `edited ${meta.textContent}`;
  return meta;
}

function renderKeyboard(message) {
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  for (const row of message.buttons) {
    const line = document.createElement("div");
    line.className = "row";
    for (const spec of row) line.append(renderButton(message.message_id, spec));
    keyboard.append(line);
  }
  return keyboard;
}

function renderButton(messageId, spec) {
  if (spec.url) {
    const link = document.createElement("a");
    link.textContent = spec.text;
    link.dir = "auto";
    if (/^(https?:|tg:)/i.test(spec.url)) link.href = spec.url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = spec.text;
  button.dir = "auto";
  if (spec.data != null) {
    button.dataset.callback = spec.data;
    button.addEventListener("click", () => press(button, messageId, spec.data));
  } else {
    button.disabled = true;
  }
  return button;
}

function showAnswers(answers) {
  if (view.answersSeen === null) view.answersSeen = answers.length;  // old ones stay quiet
  for (const answer of answers.slice(view.answersSeen)) {
    if (answer.text) toast(answer.text, answer.show_alert ? "alert" : "");
  }
  view.answersSeen = answers.length;
}

function showReplyKeyboard(rows) {
  const area = $("reply-keyboard");
  area.replaceChildren();
  area.hidden = !rows || rows.length === 0;
  for (const row of rows || []) {
    const line = document.createElement("div");
    line.className = "row";
    for (const text of row) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.dir = "auto";
      button.addEventListener("click", () => sendText(text));
      line.append(button);
    }
    area.append(line);
  }
}

function showTyping(action) {
  const typing = $("typing");
  clearTimeout(view.typingTimer);
  typing.hidden = !action;
  if (action) view.typingTimer = setTimeout(() => { typing.hidden = true; }, TYPING_SECONDS * 1000);
}

// --- lessons banner and toasts -----------------------------------------------------

function showLessons(status) {
  const banner = $("lessons-banner");
  banner.hidden = status.ok;
  const list = $("lessons-errors");
  list.replaceChildren();
  for (const line of status.errors) list.append(listItem(line, ""));
  for (const line of status.warnings || []) list.append(listItem(line, "warning"));
  $("lessons-summary").textContent = status.summary;
  const reloaded = view.lessonsReloads !== null && status.reloads > view.lessonsReloads;
  if (status.ok && reloaded) toast(`Lessons reloaded. ${status.summary}`, "ok");
  view.lessonsReloads = status.reloads;
}

function listItem(text, className) {
  const item = document.createElement("li");
  item.textContent = text;
  item.className = className;
  return item;
}

function toast(text, kind) {
  const note = document.createElement("div");
  note.className = `toast ${kind || ""}`.trim();
  note.dir = direction(text);
  note.setAttribute("role", kind === "alert" || kind === "error" ? "alert" : "status");
  note.textContent = text;
  $("toasts").append(note);
  setTimeout(() => note.remove(), kind === "alert" ? 6000 : 3500);
}

// --- start -------------------------------------------------------------------------

function start() {
  const asked = Number(new URL(location.href).searchParams.get("user"));
  const saved = loadSaved().current;
  const known = (id) => allPersonas().some((p) => p.id === id);
  const first = known(asked) ? asked : known(saved) ? saved : PERSONAS[1].id;
  fillPersonas(first);
  choose(first);
  rememberOtherUsers();

  $("persona").addEventListener("change", (event) => choose(Number(event.target.value)));
  $("new-participant").addEventListener("click", newParticipant);
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    sendText(input.value);
    input.value = "";
  });
  $("attach").addEventListener("click", () => $("file").click());
  $("file").addEventListener("change", (event) => {
    for (const file of event.target.files) upload(file);
    event.target.value = "";
  });
  // /commands in the bot's texts and on the empty chat send themselves, as in Telegram
  document.addEventListener("click", (event) => {
    const command = event.target.closest("button.command");
    if (command) sendText(command.dataset.command);
  });
}

start();
