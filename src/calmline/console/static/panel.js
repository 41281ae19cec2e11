// The copilot beside a helpdesk's composer: one panel for Chatwoot's dashboard app, Zendesk's
// ticket sidebar and calmline's own console. It finds calmline's case by the helpdesk's id and
// shows the reading of the customer, the stage and next move, the suggestions (Insert / Copy),
// the live review of the draft (the console's own DraftReview) and Escalate / Follow-up.
import { ApiError, META, api, catalogue, clearKey, failed, getKey, h, levelPill, ready, setKey, setTransport, stageTitle, title, toast, when } from "./common.js";
import { DraftReview } from "./draft.js";
import { hostFor } from "./panel_hosts.js";

const REFRESH_MS = 8000;
const $ = (id) => document.getElementById(id);
const host = hostFor(META.host);
setTransport(host.transport);

let context = null;   // what the helpdesk shows: { externalId } or { conversationId }
let conv = null;      // calmline's case
let signature = "";
let draft = null;
let wants = {};

function status(text) {
  $("panel-status").textContent = text;
  $("panel-status").hidden = !text;
}

function fit() { host.resize(document.documentElement.scrollHeight); }

/** Any 401: the key is missing, wrong or revoked; ask again inside the frame. */
function needKey(error) {
  if (!(error instanceof ApiError) || error.status !== 401) return false;
  if (!host.signIn) { status("calmline refused the app's key: check the calmline_key setting of the Zendesk app."); return true; }
  clearKey();
  showSignIn();
  return true;
}

function showSignIn() {
  // no focus(): the panel never pulls the keyboard away from the helpdesk's own reply box
  if (!$("panel-signin").hidden) return;
  $("panel-signin").hidden = false;
  $("panel-body").hidden = true;
  status("");
  fit();
}

$("panel-signin").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("panel-key").value.trim();
  try {
    await api("/v1/me", { key });
  } catch (error) {
    status(error instanceof ApiError && error.status === 401 ? "That key is not valid." : `Sign-in failed: ${error.message}`);
    return;
  }
  setKey(key, false);  // this frame's session storage only
  $("panel-key").value = "";
  $("panel-signin").hidden = true;
  if (context) await show(context);
});

async function findCase(found) {
  if (found.conversationId) return found.conversationId;
  const cases = await api(`/v1/conversations?external_id=${encodeURIComponent(found.externalId)}&limit=1`);
  return cases.length ? cases[0].id : null;
}

/** The helpdesk shows a conversation: find its case and show it (again when it changes). */
async function show(found) {
  const changed = !context || context.externalId !== found.externalId || context.conversationId !== found.conversationId;
  context = found;
  if (host.signIn && !getKey()) { showSignIn(); return; }
  if (!found.externalId && !found.conversationId) { status(found.why || "No conversation open."); return; }
  if (!changed && conv) return;
  conv = null; signature = "";
  try {
    const id = await findCase(found);
    if (!id) {
      $("panel-body").hidden = true;
      status("calmline has no case for this conversation you can see yet: it starts with the first customer message the helpdesk sends.");
      fit();
      return;
    }
    await refresh(id);
  } catch (error) {
    if (!needKey(error)) status(`calmline cannot show this conversation: ${error.message}`);
  }
}

async function refresh(id = conv && conv.id) {
  if (!id) return;
  const fresh = await api(`/v1/conversations/${id}`);
  const now = JSON.stringify([fresh.id, fresh.messages.length, fresh.status, fresh.stage, fresh.escalations.map((e) => [e.id, e.status])]);
  if (now === signature) return;
  signature = now;
  conv = fresh;
  if (!Object.keys(wants).length) wants = await loadWants();
  status("");
  $("panel-body").hidden = false;
  startDraft();
  renderHead();
  renderReading();
  renderEscalations();
  await renderAssist();
  fit();
  ready();
}

function startDraft() {
  if (draft) { if (draft.id !== conv.id) draft.open(conv.id); return; }
  draft = new DraftReview(conv.id, () => fit(), { keepDraft: !host.draftFromHost });
  if (host.draftFromHost) {
    $("draft").readOnly = true;
    $("draft-source").textContent = "Read from the ticket's editor as you type.";
    host.onDraft((text) => {
      if (text === draft.text) return;
      $("draft").value = text;
      draft.changed();
    });
  } else {
    $("draft-source").textContent = host.name === "chatwoot" ? "Type here, then Copy it into Chatwoot's reply box." : "";
  }
}

function renderHead() {
  const pill = $("panel-level");
  pill.replaceWith(Object.assign(levelPill(conv.anger_level, conv.anger_score), { id: "panel-level" }));
  $("panel-level").hidden = !conv.message_count;
  const link = $("panel-open");
  link.href = `/console/conversations/${conv.id}`;
  link.hidden = false;
}

function customerMessages() {
  return conv.messages.filter((m) => m.role === "customer" && m.analysis).reverse();
}

function renderReading() {
  const latest = customerMessages();
  const reading = conv.reading;
  const anger = latest.length ? latest[0].analysis.anger : null;
  const words = anger ? [...new Set(anger.evidence.map((e) => e.text))].slice(0, 3) : [];
  $("reading-anger").replaceChildren(...(anger ? [
    h("strong", { title: anger.reason }, title(conv.anger_level)), reading && reading.trend ? ` · ${reading.trend}` : "",
    words.length ? ` · ${words.map((w) => `“${w}”`).join(", ")}` : ""] : ["No customer message yet."]));
  const flags = new Map(); const asked = new Map();
  for (const m of latest) {
    for (const f of m.analysis.flags) if (!flags.has(f.label)) flags.set(f.label, f);
    for (const w of m.analysis.wants) if (!asked.has(w.label)) asked.set(w.label, w);
  }
  $("reading-flags").replaceChildren(...[...flags.values()].map((f) => h("li", { class: "flag", dataset: { label: f.label } },
    h("strong", {}, title(f.label)), f.route && f.route !== f.label ? h("span", { class: "muted small" }, ` → ${title(f.route)}`) : "",
    h("div", { class: "small" }, f.reason))));
  $("reading-wants").replaceChildren(...(asked.size ? [...asked.values()].map((w) => h("button", { type: "button", class: "chip",
    title: `Insert into the draft: ${w.reason}`, dataset: { label: w.label },
    onclick: () => insert(`I understand you would like ${wants[w.label] || title(w.label)}.`) }, title(w.label)))
    : [h("span", { class: "muted small" }, "Nothing asked for yet.")]));
}

async function renderAssist() {
  $("stage-h").textContent = `Where we are: ${stageTitle(conv.status === "closed" ? "closed" : conv.stage)}`;
  if (conv.status === "closed") {
    $("next-move").textContent = `Closed: ${title(conv.outcome || "closed")}.`;
    $("suggestions").replaceChildren();
    return;
  }
  const assist = await api(`/v1/conversations/${conv.id}/assist`);
  // the move in one sentence up front, as the console shows it; the coach's wording hints after
  const move = assist.next_move || "—";
  const cut = move.search(/[.!?]\s/);
  const first = cut > 0 ? move.slice(0, cut + 1) : move;
  $("next-move").replaceChildren(h("span", { class: "move" }, first[0].toUpperCase() + first.slice(1)),
    cut > 0 ? h("span", { class: "move-hints muted small" }, ` ${move.slice(cut + 2)}`) : "");
  $("suggestions").replaceChildren(...(assist.suggestions.length ? assist.suggestions.map((s) => h("li", { class: "panel-suggestion" },
    h("p", {}, s.text),
    h("div", { class: "btns" },
      h("button", { type: "button", class: "btn primary small", "data-insert": "", onclick: () => insert(s.text) }, "Insert"),
      h("button", { type: "button", class: "btn small", onclick: () => copy(s.text) }, "Copy"),
      s.placeholders.length ? h("span", { class: "muted small" }, `fill in: ${s.placeholders.join(", ")}`) : "")))
    : [h("li", { class: "muted small" }, "Suggestions appear after a customer message.")]));
}

/** Into the helpdesk's editor where it lets us; else into the panel's own draft box. */
async function insert(text) {
  try {
    if (!(await host.insert(text))) draft.insert(text);
  } catch (error) { failed(error); }
}

/** The helpdesk's frame may not delegate the clipboard to us (Chatwoot's does not). */
function clipboardAllowed() {
  const policy = document.permissionsPolicy || document.featurePolicy;
  return Boolean(navigator.clipboard) && (!policy || policy.allowsFeature("clipboard-write"));
}

async function copy(text) {
  try {
    if (!clipboardAllowed()) throw new Error("no clipboard here");
    await navigator.clipboard.writeText(text);
  } catch {
    // copy through a selection instead (the click is the user's, which the browser asks for)
    const area = h("textarea", { class: "offscreen", readonly: true }, text);
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  toast("Copied: paste it into the reply box.");
}

function renderEscalations() {
  $("panel-escalations").replaceChildren(...conv.escalations.map((e) => h("li", { dataset: { escalation: e.id } },
    h("strong", {}, title(e.route)), ` · ${e.status} · ${e.reason}`)));
}

function routeOptions() {
  $("esc-route").replaceChildren(...Object.entries(META.routes).filter(([name]) => name !== "none")
    .map(([name, description]) => h("option", { value: name, title: description, selected: name === "supervisor" }, title(name))));
}

// one idempotency key per filled-in form: a double click or a retried request files it once
const formKeys = { escalate: crypto.randomUUID(), followup: crypto.randomUUID() };

$("escalate-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const made = await api(`/v1/conversations/${conv.id}/escalations`, { method: "POST", idempotencyKey: formKeys.escalate,
      body: { route: $("esc-route").value, reason: $("esc-reason").value.trim() } });
    formKeys.escalate = crypto.randomUUID();
    toast(`Escalated to ${title(made.route)}.`);
    $("esc-reason").value = "";
    $("escalate").open = false;
    await refresh();
  } catch (error) { if (!needKey(error)) failed(error); }
});

$("followup-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const due = $("fu-due").value;
  try {
    const made = await api(`/v1/conversations/${conv.id}/followups`, { method: "POST", idempotencyKey: formKeys.followup,
      body: { what: $("fu-what").value.trim(), due: due ? new Date(due).toISOString() : null } });
    formKeys.followup = crypto.randomUUID();
    toast(`Follow-up added${made.due ? `, due ${when(made.due)}` : ""}.`);
    $("fu-what").value = ""; $("fu-due").value = "";
    $("followup").open = false;
  } catch (error) { if (!needKey(error)) failed(error); }
});

$("draft-copy").addEventListener("click", () => { if (draft && draft.text.trim()) copy(draft.text); });
for (const box of [$("escalate"), $("followup")]) box.addEventListener("toggle", fit);

/** What each want asks for, in words ("a refund"): the playbook's, from the catalogue. */
async function loadWants() {
  const found = await catalogue().catch(() => null);
  return Object.fromEntries(((found && found.wants) || []).filter((w) => w.ask).map((w) => [w.name, w.ask]));
}

routeOptions();
if (host.problem) {
  status(host.problem);
} else {
  Promise.resolve(host.start((found) => show(found))).catch((error) => status(`The helpdesk did not answer: ${error.message || error}`));
  // new messages on the case; or, while the helpdesk's conversation has no case yet, the case
  // the webhook opens for it
  setInterval(() => {
    if (document.hidden) return;
    if (conv) refresh().catch((error) => { needKey(error); });
    else if (context && $("panel-signin").hidden && (!host.signIn || getKey())) show(context);
  }, REFRESH_MS);
}
