// The supervisor's live queue: refreshed every few seconds without a reload.
import { ago, api, failed, h, levelPill, ready, signedIn, stageTitle, title, toast, when } from "./common.js";

const me = await signedIn();
const $ = (sel) => document.getElementById(sel);
const REFRESH_MS = 4000;
let people = { agents: {}, customers: {} };
let lastOk = null;
let busy = false;
let seen = null;  // escalation ids already shown: new ones are highlighted

function convLink(id, text) {
  return h("a", { href: `/console/conversations/${id}` }, text || `Conversation ${id}`);
}

// Who has the case, how long its customer has waited (unanswered), and why it is hot: the
// queue's own words (GET /v1/supervisor/queue), so a lead can pick the next case at a glance.
function waited(item) {
  if (item.waited_seconds === null || item.waited_seconds === undefined) return "answered";
  const s = item.waited_seconds;
  const text = s < 60 ? "under a minute" : s < 3600 ? `${Math.round(s / 60)} min` : s < 86400 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86400)} d`;
  return `waiting ${text}`;
}
function deskLine(item) {
  return h("div", { class: "small desk-line" },
    h("span", { class: "agent-name" }, item.agent_name || "unassigned"), " · ",
    h("span", { class: "waited" }, waited(item)),
    item.customer_name ? ` · ${item.customer_name}` : "");
}
function whyHot(item) {
  return item.why_hot && item.why_hot.length
    ? h("ul", { class: "why-hot small", "aria-label": "Why it is hot" }, ...item.why_hot.map((r) => h("li", {}, r))) : null;
}

function escalationItem(e, conversations) {
  const c = conversations.get(e.conversation_id);
  const resolveForm = h("form", { class: "btns", hidden: true, onsubmit: (ev) => {
    ev.preventDefault();
    const text = resolveForm.querySelector("input").value.trim();
    if (text) act(e, "resolve", { resolution: text });
  } }, h("input", { type: "text", placeholder: "How was it resolved?", "aria-label": "Resolution", required: true }),
  h("button", { type: "submit", class: "btn small primary" }, "Resolve"));
  const buttons = [];
  if (e.status === "open") buttons.push(h("button", { type: "button", class: "btn small primary", onclick: () => act(e, "acknowledge") }, "Acknowledge"));
  buttons.push(h("button", { type: "button", class: "btn small", onclick: () => { resolveForm.hidden = false; resolveForm.querySelector("input").focus(); } }, "Resolve…"));
  buttons.push(h("a", { class: "btn small ghost", href: `/console/conversations/${e.conversation_id}` }, "Open"));
  const fresh = seen !== null && !seen.has(e.id);
  return h("li", { class: fresh ? "fresh" : null, dataset: { escalation: e.id, conversation: e.conversation_id } },
    h("div", { class: "row" }, h("div", { class: "grow" },
      h("strong", {}, title(e.route)), " · ", convLink(e.conversation_id, c ? c.subject : null),
      h("div", { class: "small muted" }, `${e.trigger === "manual" ? "raised by an agent" : `automatic (${(e.triggers && e.triggers.length ? e.triggers : [e.trigger]).map(title).join(" + ")})`} · ${ago(e.created_at)}`),
      e.agent_name !== undefined ? deskLine(e) : null,
      e.why_hot ? whyHot(e) : h("div", { class: "small" }, e.reason)),
    c ? levelPill(c.anger_level, c.anger_score) : null),
    h("div", { class: "btns" }, ...buttons), resolveForm);
}

// The case's reading, not its last message: the level pill is the case's (the peak carried
// forward and fading), with the peak, the trend and what is still open beside it.
function caseLine(c) {
  const r = c.reading;
  if (!r) return `peak ${Math.round(c.peak_anger * 100)}`;
  const open = [...r.open_flags.map((f) => f.label), ...r.open_wants.map((w) => w.label)];
  return [`peak ${r.peak_level} ${Math.round(r.peak_score * 100)}`,
    r.latest_level && r.latest_level !== r.level ? `last message ${r.latest_level}` : null,
    r.trend, open.length ? `open: ${[...new Set(open)].map(title).join(", ")}` : null].filter(Boolean).join(" · ");
}

function hotItem(c, paged) {
  return h("li", { dataset: { conversation: c.id } },
    h("div", { class: "row" }, h("div", { class: "grow" }, convLink(c.id, c.subject),
      paged ? h("span", { class: "count hot", title: "open escalation" }, "escalated") : null,
      deskLine({ ...c, agent_name: c.agent_name || (people.agents[c.agent_id] || {}).name }),
      h("div", { class: "small muted" }, `${stageTitle(c.stage)} · ${ago(c.updated_at)} · ${caseLine(c)}`),
      whyHot(c)),
    levelPill(c.anger_level, c.anger_score)));
}

async function act(e, action, body) {
  try {
    await api(`/v1/escalations/${e.id}/${action}`, { method: "POST", body });
    toast(`Escalation #${e.id} ${action === "resolve" ? "resolved" : "acknowledged"}.`);
    await tick(true);
  } catch (err) { failed(err); }
}

function render(queue, acknowledged, conversations, force) {
  const editing = document.activeElement && document.activeElement.closest("form");
  if (editing && !force) return false;  // do not wipe a resolution being typed
  $("n-esc").textContent = queue.escalations.length;
  $("n-esc").className = queue.escalations.length ? "count hot" : "count";
  $("escalations").replaceChildren(...(queue.escalations.length ? queue.escalations.map((e) => escalationItem(e, conversations))
    : [h("li", { class: "muted small" }, "No open escalations.")]));
  seen = new Set([...queue.escalations, ...acknowledged].map((e) => e.id));
  $("n-ack").textContent = acknowledged.length;
  $("acknowledged").replaceChildren(...(acknowledged.length ? acknowledged.map((e) => escalationItem(e, conversations))
    : [h("li", { class: "muted small" }, "None.")]));
  const paged = new Set(queue.escalations.map((e) => e.conversation_id));
  $("hottest").replaceChildren(...(queue.hottest.length ? queue.hottest.filter((c) => c.message_count).slice(0, 8).map((c) => hotItem(c, paged.has(c.id)))
    : [h("li", { class: "muted small" }, "No open conversations.")]));
  $("n-agents").textContent = queue.overloaded.length;
  $("n-agents").className = queue.overloaded.length ? "count hot" : "count";
  $("overloaded").replaceChildren(...(queue.overloaded.length ? queue.overloaded.map((a) => h("li", { dataset: { agent: a.agent_id } },
    h("div", { class: "row" }, h("strong", {}, a.name), h("span", { class: "small" }, `load ${a.load.toFixed(1)} / ${a.thresholds.breather}`)),
    h("div", { class: "load-bar", role: "img", "aria-label": `stress load ${a.load.toFixed(1)}` },
      h("span", { style: { width: `${Math.min(100, (a.load / (a.thresholds.overload * 1.2)) * 100)}%` } })),
    h("div", { class: "small muted" }, `${a.overloaded ? "overloaded · " : ""}${a.abuse_24h} abusive and ${a.hostile_messages_24h} hostile messages in 24 h · last ${ago(a.last_event)}`)))
    : [h("li", { class: "muted small" }, "Everyone is below their threshold.")]));
  $("n-fu").textContent = queue.overdue_followups.length;
  $("n-fu").className = queue.overdue_followups.length ? "count hot" : "count";
  $("overdue").replaceChildren(...(queue.overdue_followups.length ? queue.overdue_followups.map((f) => h("li", {},
    h("strong", {}, f.what), " · ", convLink(f.conversation_id, [f.customer_name, f.subject || (conversations.get(f.conversation_id) || {}).subject].filter(Boolean).join(" · ") || null),
    h("div", { class: "small muted" }, `${(people.agents[f.owner_id] || {}).name || "no owner"} · was due ${when(f.due)} (${ago(f.due)})`)))
    : [h("li", { class: "muted small" }, "Nothing overdue.")]));
  return true;
}

async function tick(force = false) {
  if (busy || (document.hidden && !force)) return;
  busy = true;
  try {
    const [queue, acknowledged, open] = await Promise.all([api("/v1/supervisor/queue?limit=50"),
      api("/v1/escalations?status=acknowledged&limit=50"), api("/v1/conversations?status=open&limit=200")]);
    if (!Object.keys(people.agents).length || force) people = await api("/v1/people");
    const conversations = new Map([...open, ...queue.hottest].map((c) => [c.id, c]));
    if (render(queue, acknowledged, conversations, force)) lastOk = new Date();
  } catch (e) {
    if (force) failed(e);
  } finally {
    busy = false;
    $("refreshed").textContent = lastOk ? `Live · updated ${lastOk.toLocaleTimeString()}` : "Could not refresh";
  }
}

if (!me.supervises) {
  document.querySelector(".queue-grid").replaceChildren(h("p", { class: "card" }, "The live queue is for supervisors and admins."));
} else {
  await tick(true);
  ready();
  setInterval(tick, REFRESH_MS);
}
