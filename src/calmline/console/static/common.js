// Shared by every console page: the API key, API calls, the signed-in user, small DOM helpers.
export const META = JSON.parse(document.getElementById("meta").textContent);
const KEY = "calmline.key";
const DEMO = "calmline.demoKeys";

// A browser may refuse storage outright: in a frame of another site (the helpdesk panel) with
// third-party storage blocked, every access throws. The key then lives in this page's memory.
let memoryKey = null;
function stored(use) { try { return use(); } catch { return null; } }
export function getKey() {
  return stored(() => sessionStorage.getItem(KEY) || localStorage.getItem(KEY)) || memoryKey;
}
export function setKey(key, remember) {
  clearKey();
  if (!stored(() => { (remember ? localStorage : sessionStorage).setItem(KEY, key); return true; })) memoryKey = key;
}
export function clearKey() {
  memoryKey = null;
  stored(() => { sessionStorage.removeItem(KEY); localStorage.removeItem(KEY); });
}
// The key lives in sessionStorage (gone when the tab closes) unless the user ticks "remember me
// on this device"; the demo users' keys always do. A key is only ever sent in the Authorization
// header, never put in a URL.
stored(() => localStorage.removeItem(DEMO)); // demo keys that an older console kept for good
export function demoKeys() {
  try { return JSON.parse(sessionStorage.getItem(DEMO) || "[]"); } catch { return []; }
}
export function addDemoKeys(users) {
  const known = demoKeys().filter((u) => !users.some((n) => n.name === u.name));
  sessionStorage.setItem(DEMO, JSON.stringify([...known, ...users]));
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `request failed (${status})`);
    this.status = status;
    this.body = body;
  }
}

function toSignin() {
  const next = location.pathname + location.search;
  location.assign(`/console/signin?next=${encodeURIComponent(next)}`);
}

let transport = null;
/** The helpdesk panel sends every API call its own way (through Zendesk's app framework, or
 *  with its own sign-in inside the frame, where the console's sign-in page may not be framed):
 *  `send(path, options, request)`, where `request` is the console's own call below. */
export function setTransport(send) { transport = send; }

/** fetch JSON from the API with the user's key; 401 sends the user to the sign-in page. */
export async function api(path, options = {}) {
  return transport ? transport(path, options, request) : request(path, options);
}

async function request(path, { method = "GET", body, signal, key, idempotencyKey } = {}) {
  const headers = { Accept: "application/json" };
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const token = key || getKey();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, signal,
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch { data = text; } }
  if (response.status === 401 && !key) { clearKey(); toSignin(); throw new ApiError(401, data); }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** The signed-in user ({id, name, role, supervises}); sends to sign-in when there is no key. */
export async function signedIn() {
  if (!getKey()) { toSignin(); return new Promise(() => {}); }
  const me = await api("/v1/me");
  me.supervises = me.role === "supervisor" || me.role === "admin";
  document.querySelectorAll("[data-role=supervisor]").forEach((n) => { n.hidden = !me.supervises; });
  const who = document.getElementById("who-name");
  if (who) {
    who.replaceChildren(me.name, " ", h("span", { class: "role-tag" }, me.role));
  }
  const out = document.getElementById("signout");
  if (out) out.addEventListener("click", () => { clearKey(); location.assign("/console/signin"); });
  remind();
  return me;
}

const REMIND_MINUTES = 60;
/** The reminder badge on "Follow-ups": what falls due within the hour (before it is overdue),
 *  refreshed every minute on every page. */
export async function remind() {
  const badge = document.getElementById("fu-badge");
  if (!badge) return;
  const soon = await api(`/v1/followups/reminders?within_minutes=${REMIND_MINUTES}`).catch(() => null);
  if (soon === null) return;
  badge.hidden = !soon.length;
  badge.textContent = soon.length ? String(soon.length) : "";
  const words = soon.map((f) => `${f.what} (${f.customer_name || f.subject || "a customer"}, due ${when(f.due)})`);
  badge.title = soon.length ? `Due within the hour: ${words.join("; ")}` : "";
  badge.setAttribute("aria-label", soon.length ? `${soon.length} follow-up${soon.length === 1 ? "" : "s"} due within the hour` : "");
  if (!badge.dataset.polling) {
    badge.dataset.polling = "1";
    setInterval(() => { if (!document.hidden) remind(); }, 60_000);
  }
}

/** h("div", {class: "x", onclick: fn}, child, "text") → an element. A style is an object
 *  ({width: "40%"}), set through the DOM: a style attribute would break the page's CSP. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "style") Object.assign(node.style, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function toast(text, bad = false) {
  const box = document.getElementById("toasts");
  if (!box) return;
  const item = h("div", { class: bad ? "toast bad" : "toast" }, text);
  box.append(item);
  setTimeout(() => item.remove(), bad ? 6000 : 3500);
}

export function failed(error) {
  toast(error instanceof ApiError ? error.message : `Something went wrong: ${error.message || error}`, true);
}

export const LEVELS = ["calm", "annoyed", "frustrated", "angry", "hostile"];
export function levelOf(score) {
  let level = "calm";
  for (const name of LEVELS.slice(1)) if (score >= META.levels[name]) level = name;
  return level;
}
export function levelPill(level, score) {
  const text = score === null || score === undefined ? level : `${level} ${Math.round(score * 100)}`;
  return h("span", { class: `level-pill lv-${level}`, title: `anger ${level}` }, text);
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const DAY = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const today = new Date();
  return date.toDateString() === today.toDateString() ? TIME.format(date) : `${DAY.format(date)} ${TIME.format(date)}`;
}
export function ago(iso) {
  if (!iso) return "";
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const text = s < 60 ? "moments" : s < 3600 ? `${Math.round(s / 60)} min` : s < 86400 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}
/** Marks the moment a page shows its data (read by the browser tests to time page loads). */
export function ready() {
  performance.mark("calmline-ready");
  document.body.dataset.ready = "1";
}

let catalogueOnce = null;
/** The playbook's labels, routes, stages and coach moments (GET /v1/catalogue), fetched once a page.
 *  The console titles labels from it and keeps no copy of the names. */
export function catalogue() {
  if (!catalogueOnce) catalogueOnce = api("/v1/catalogue").catch((error) => { catalogueOnce = null; throw error; });
  return catalogueOnce;
}

export function title(label) {
  return String(label).replaceAll("_", " ");
}
export function stageTitle(stage) {
  const found = META.stages.find((s) => s.id === stage);
  return found ? found.title : title(stage || "");
}
/** 2026-11-25T17:00 in local time, for <input type=datetime-local>. */
export function localInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
