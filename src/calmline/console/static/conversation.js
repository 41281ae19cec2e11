// The agent view of one conversation (read-only for supervisors opening someone else's).
import { ApiError, META, api, ago, catalogue, failed, h, levelPill, localInput, ready, signedIn, stageTitle, title, toast, when } from "./common.js";
import { trendChart } from "./chart.js";
import { DraftReview } from "./draft.js";
import { loadCorrections, readingControl } from "./correction.js";
import { Desk } from "./desk.js";

const id = Number(document.getElementById("conv").dataset.id);
const me = await signedIn();
const $ = (sel) => document.getElementById(sel);
// what each want asks for, in words ("a refund"): the playbook's, from the catalogue
const WANTS = Object.fromEntries(((await catalogue().catch(() => null))?.wants || []).filter((w) => w.ask)
  .map((w) => [w.name, w.ask]));
let conv = null;
let people = { agents: {}, customers: {} };
let readOnly = true;
let load = null;
let openPopover = null;

const draft = new DraftReview(id, (text) => { $("send").disabled = readOnly || !text.trim(); });
const desk = new Desk(id, me, () => refresh({ assist: false }));

let signature = "";

async function refresh({ assist = true } = {}) {
  const fresh = await api(`/v1/conversations/${id}`);
  const changed = !conv || fresh.messages.length !== conv.messages.length;
  // re-render only what changed, so polling never steals the keyboard focus
  const now = JSON.stringify([fresh.messages.length, fresh.status, fresh.stage, fresh.agent_id, fresh.escalations.map((e) => [e.id, e.status]),
    fresh.followups.map((f) => [f.id, f.status, f.what, f.due])]);
  if (!changed && now === signature) return;
  signature = now;
  conv = fresh;
  readOnly = conv.status === "closed" || conv.agent_id !== me.id;
  if (changed || !people.agents[conv.agent_id]) people = await api(`/v1/people?customers=${conv.customer_id || ""}`);
  if (changed) await loadCorrections(id).catch(() => {});
  renderHead(); renderChat(changed); renderSide(); desk.render(conv);
  if (!readOnly && (changed || load === null)) load = await api(`/v1/agents/${me.id}/load`).catch(() => null);
  renderBanners();
  if (assist && (changed || !$("next-move").dataset.ready)) await renderAssist();
}

function renderHead() {
  $("conv-title").textContent = conv.subject || `Conversation ${conv.id}`;
  document.title = `${conv.subject || `Conversation ${conv.id}`} · calmline`;
  const agent = people.agents[conv.agent_id];
  $("conv-meta").textContent = [people.customers[conv.customer_id] || "anonymous customer", conv.channel,
    agent ? `agent ${agent.name}` : "unassigned", conv.status === "closed" ? `closed (${conv.outcome})` : "open"].join(" · ");
  const pill = $("conv-level");
  pill.hidden = !conv.message_count;
  pill.className = `level-pill lv-${conv.anger_level}`;
  pill.textContent = `now ${conv.anger_level}`;
  $("escalate-btn").hidden = readOnly;
  $("close-btn").hidden = conv.status === "closed" || (readOnly && !me.supervises);
  $("composer").hidden = readOnly;
  // the customer's side is typed only on demo and practice cases; a real one hears the helpdesk
  const rolePlay = !readOnly && String(conv.external_id || "").startsWith(META.demo_prefix);
  $("roleplay").hidden = !rolePlay;
  if (!conv.messages.length && rolePlay) $("roleplay").open = true;
}

function renderBanners() {
  const banners = [];
  if (readOnly) {
    banners.push(h("div", { class: "banner readonly" }, conv.status === "closed"
      ? `This conversation is closed (${conv.outcome}). Read-only.`
      : conv.agent_id == null
        ? "Read-only: no agent has this conversation yet. Take it over or hand it to an agent to reply."
        : `Read-only: this conversation belongs to ${(people.agents[conv.agent_id] || {}).name || "another agent"}.`));
  }
  const live = conv.escalations.filter((x) => x.status !== "resolved");
  for (const [auto, heading] of [[true, "calmline escalated this"], [false, "Escalated by hand"]]) {
    const group = live.filter((e) => (e.trigger !== "manual") === auto);
    if (!group.length) continue;
    banners.push(h("div", { class: "banner esc", role: "alert", dataset: { auto: String(auto) } },
      h("strong", {}, heading),
      h("ul", { class: "plain grow" }, ...group.map((e) => h("li", { dataset: { escalation: e.id } },
        h("strong", {}, title(e.route)), `: ${e.reason} `,
        h("span", { class: "small" }, e.status === "acknowledged" ? "(acknowledged by a supervisor)" : "(waiting for a supervisor)"))))));
  }
  if (load && load.breather && sessionStorage.getItem("calmline.breather") !== String(load.last_event)) {
    banners.push(h("div", { class: "banner breather", role: "alert", id: "breather" },
      h("strong", {}, "Take a breather."),
      h("span", { class: "grow" }, ` You have absorbed a lot of hostility lately (stress load ${load.load.toFixed(1)}, ${load.abuse_24h} abusive message${load.abuse_24h === 1 ? "" : "s"} today). Step away for a few minutes; your supervisor can see this.`),
      h("button", { type: "button", class: "btn small", onclick: () => {
        sessionStorage.setItem("calmline.breather", String(load.last_event)); renderBanners(); } }, "OK")));
  }
  $("banners").replaceChildren(...banners);
}

/** The message text with every evidence span wrapped, so a badge can light its own words up. */
function marked(text, groups) {
  const cuts = new Set([0, text.length]);
  for (const g of groups) for (const e of g.evidence) { cuts.add(e.start); cuts.add(e.end); }
  const points = [...cuts].filter((c) => c >= 0 && c <= text.length).sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < points.length - 1; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const keys = groups.filter((g) => g.evidence.some((e) => e.start <= a && e.end >= b)).map((g) => g.key);
    out.push(keys.length ? h("mark", { class: "ev", dataset: { keys: keys.join(" ") } }, text.slice(a, b)) : text.slice(a, b));
  }
  return out;
}

function evidenceGroups(analysis) {
  const groups = [];
  const unique = (list) => list.filter((e, i) => list.findIndex((o) => o.start === e.start && o.end === e.end) === i);
  if (analysis.anger.evidence.length && analysis.anger.level !== "calm") {
    groups.push({ key: "anger", label: `why ${analysis.anger.level}`, soft: true, reason: analysis.anger.reason, evidence: unique(analysis.anger.evidence), all: analysis.anger.evidence });
  }
  for (const f of analysis.flags) {
    groups.push({ key: f.label, label: title(f.label), reason: f.reason, route: f.route, evidence: unique(f.evidence), all: f.evidence, score: f.score });
  }
  // a danger sign too weak to route: the agent is asked to check, gently
  for (const f of (analysis.extra || []).filter((x) => x.section === "watch")) {
    groups.push({ key: `watch-${f.label}`, label: `check: ${title(f.label)}?`, watch: true, reason: f.reason, evidence: unique(f.evidence), all: f.evidence, score: f.score });
  }
  return groups;
}

/** The coach's review of each sent reply, as it stood when it was sent (shown on the bubble).
 * A sent reply never changes, so its review is asked for once per tab and kept for reloads. */
const sentKey = `calmline.sent.${id}`;
const sentReviews = new Map(Object.entries(JSON.parse(sessionStorage.getItem(sentKey) || "{}")).map(([k, v]) => [Number(k), v]));
async function reviewSent() {
  const todo = conv.messages.filter((m) => m.role === "agent" && !sentReviews.has(m.id));
  if (!todo.length) return;
  await Promise.all(todo.map(async (m) => {
    const before = conv.messages.filter((x) => x.seq < m.seq).slice(-30).map((x) => ({ role: x.role, text: x.text, time: x.time }));
    try {
      const review = await api("/v1/reviews", { method: "POST", body: { conversation: { channel: conv.channel, messages: before }, draft: m.text } });
      sentReviews.set(m.id, review);
    } catch { sentReviews.set(m.id, null); }
  }));
  try {
    sessionStorage.setItem(sentKey, JSON.stringify(Object.fromEntries([...sentReviews].filter(([, v]) => v))));
  } catch { /* storage full: they are asked for again next time */ }
  renderChat(true);
}

function replyGroups(review) {
  const unique = (list) => list.filter((e, i) => list.findIndex((o) => o.start === e.start && o.end === e.end) === i);
  return review.anti_patterns.map((a) => ({ key: a.label, label: a.title, reason: a.why, rewrite: a.rewrite,
    evidence: unique(a.evidence), all: a.evidence }));
}

function closePopover() {
  if (!openPopover) return;
  openPopover.badge.setAttribute("aria-expanded", "false");
  openPopover.pop.remove();
  openPopover.item.classList.remove("show-ev");
  openPopover.item.querySelectorAll("mark.ev-on").forEach((m) => m.classList.remove("ev-on"));
  openPopover = null;
}

function showPopover(item, badge, group, pinned) {
  if (openPopover && openPopover.badge === badge) { openPopover.pinned = openPopover.pinned || pinned; return; }
  closePopover();
  const words = group.evidence.map((e) => `“${e.text}”`).join(", ");
  const pop = h("div", { class: "evidence", role: "dialog", "aria-label": `Evidence for ${group.label}`, id: `ev-${badge.id}` },
    h("strong", {}, group.reason || group.label),
    group.route ? h("div", { class: "small muted" }, `route: ${title(group.route)}${group.score ? ` · score ${Math.round(group.score * 100)}` : ""}`) : null,
    h("div", { class: "quote" }, "Words: ", words),
    group.rewrite ? h("div", {}, h("strong", {}, "Calmer: "), group.rewrite) : null,
    h("ul", { class: "rules" }, ...[...new Set(group.all.map((e) => `“${e.text}” — ${e.explanation || e.rule}`))].slice(0, 6).map((r) => h("li", {}, r))));
  document.body.append(pop);
  place(pop, badge);
  badge.setAttribute("aria-expanded", "true");
  item.classList.add("show-ev");
  item.querySelectorAll("mark.ev").forEach((m) => { if (m.dataset.keys.split(" ").includes(group.key)) m.classList.add("ev-on"); });
  openPopover = { item, badge, pop, pinned };
}

/** Below the badge when it fits, else above; kept inside the window. */
function place(pop, badge) {
  const r = badge.getBoundingClientRect();
  const below = window.innerHeight - r.bottom > pop.offsetHeight + 12;
  pop.style.left = `${Math.max(8, Math.min(r.left, window.innerWidth - pop.offsetWidth - 8))}px`;
  pop.style.top = `${below ? r.bottom + 6 : Math.max(8, r.top - pop.offsetHeight - 6)}px`;
}

function message(m) {
  const isCustomer = m.role === "customer";
  const a = m.analysis;
  const level = isCustomer && a ? a.anger.level : null;
  const review = isCustomer ? null : sentReviews.get(m.id);
  const groups = isCustomer && a ? evidenceGroups(a) : review ? replyGroups(review) : [];
  const item = h("li", { class: `msg ${m.role}${level ? ` lv-${level}` : ""}`, dataset: { seq: m.seq, level: level || "" } });
  const badges = groups.map((g, i) => {
    const badge = h("button", { type: "button", class: g.soft ? "badge soft" : g.watch ? "badge watch" : "badge", id: `b-${m.id}-${i}`,
      "aria-expanded": "false", dataset: { flag: g.key } }, g.label);
    badge.addEventListener("mouseenter", () => showPopover(item, badge, g, false));
    badge.addEventListener("mouseleave", () => { if (openPopover && !openPopover.pinned && openPopover.badge === badge) closePopover(); });
    badge.addEventListener("focus", () => showPopover(item, badge, g, false));
    badge.addEventListener("blur", () => { if (openPopover && !openPopover.pinned) closePopover(); });
    badge.addEventListener("click", () => {
      if (openPopover && openPopover.badge === badge && openPopover.pinned) closePopover();
      else { closePopover(); showPopover(item, badge, g, true); }
    });
    return badge;
  });
  const headBits = [h("strong", {}, isCustomer ? (people.customers[conv.customer_id] || "Customer") : (m.author || (people.agents[conv.agent_id] || {}).name || "Agent")),
    h("span", { title: m.time }, when(m.time))];
  if (level) headBits.push(levelPill(level, a.anger.score));
  if (isCustomer && a && a.anger.trend) headBits.push(h("span", {}, `trend ${a.anger.trend}`));
  if (isCustomer && a && a.venting.venting) headBits.push(h("span", { class: "tag", title: a.venting.reason }, "venting"));
  if (review) {
    const grade = review.score >= 70 ? "good" : review.score >= 40 ? "fair" : "poor";
    headBits.push(h("span", { class: `reply-score ${grade}`, title: `coach score of this reply when it was sent: ${review.next_move}` }, `reply score ${review.score}`));
  }
  item.append(h("span", { class: "band", "aria-hidden": "true" }),
    h("div", { class: "bubble" }, h("div", { class: "head" }, ...headBits),
      h("div", { class: "text" }, ...marked(m.text, groups)),
      badges.length ? h("div", { class: "flags" }, ...badges) : null,
      // anyone who may act on the case can say calmline read this message wrong
      isCustomer && a && (me.supervises || conv.agent_id === me.id) ? readingControl(m, () => renderChat(true)) : null));
  return item;
}

function renderChat(changed) {
  if (!changed) return;
  closePopover();
  const chat = $("chat");
  if (!conv.messages.length) {
    chat.replaceChildren(h("li", { class: "empty" }, "No messages yet. Play the customer with the box on the right to start."));
    return;
  }
  chat.replaceChildren(...conv.messages.map(message));
  chat.scrollTop = chat.scrollHeight;
  reviewSent().catch(() => {});
}

function renderSide() {
  const chart = trendChart(conv.messages);
  $("trend").replaceChildren(chart || h("p", { class: "empty" }, "No customer messages yet."));
  const customer = conv.messages.filter((m) => m.role === "customer" && m.analysis).reverse();
  const wants = new Map(); const facts = new Map();
  for (const m of customer) {
    for (const w of m.analysis.wants) if (!wants.has(w.label)) wants.set(w.label, w);
    for (const f of m.analysis.facts) if (!facts.has(`${f.kind}:${f.value}`)) facts.set(`${f.kind}:${f.value}`, f);
  }
  $("wants").replaceChildren(...(wants.size ? [...wants.values()].map((w) => h("button", { type: "button", class: "chip", title: `Insert into the draft: ${w.reason}`,
    onclick: () => draft.insert(`I understand you would like ${WANTS[w.label] || title(w.label)}.`) }, title(w.label)))
    : [h("span", { class: "muted small" }, "Nothing asked for yet.")]));
  $("facts").replaceChildren(...(facts.size ? [...facts.values()].map((f) => h("button", { type: "button", class: "chip", title: `Insert “${factText(f)}” into the draft`,
    onclick: () => draft.insert(factText(f)) }, h("span", { class: "kind" }, title(f.kind)), f.value))
    : [h("span", { class: "muted small" }, "No facts yet.")]));
  for (const chip of document.querySelectorAll("#wants .chip, #facts .chip")) chip.disabled = readOnly;
  renderFollowups(); renderEscalations(); renderStages(conv.status === "closed" ? "closed" : conv.stage);
  loadSummary();
}

function factText(f) {
  return f.kind === "order_id" ? `order ${f.value}` : f.value;
}

function renderStages(stage, venting) {
  const index = META.stages.findIndex((s) => s.id === stage);
  $("stages").replaceChildren(...META.stages.map((s, i) => h("li", { class: i === index ? "current" : i < index ? "done" : "",
    "aria-current": i === index ? "step" : null }, s.title)));
  $("stage-h").textContent = `Where we are: ${stageTitle(stage)}`;
  if (venting !== undefined) $("stage-h").dataset.venting = venting;
}

async function renderAssist() {
  if (conv.status === "closed") {  // a closed case shows its outcome, not a next move
    $("next-move").replaceChildren(h("span", { class: "move" }, `Closed: ${title(conv.outcome || "closed")}.`),
      h("span", { class: "move-hints muted small" }, " There is no next move on a closed conversation."));
    $("next-move").dataset.ready = "1";
    $("suggestions").replaceChildren(h("li", { class: "muted small" }, "No suggestions: this conversation is closed."));
    return;
  }
  const assist = await api(`/v1/conversations/${id}/assist`);
  if (assist.stage === "closed") {  // the conversation reads as finished: its outcome, no next move
    $("next-move").replaceChildren(h("span", { class: "move" }, `Closed: ${title(assist.outcome || "closed")}.`),
      h("span", { class: "move-hints muted small" }, " The conversation reads as finished; close the case to record it."));
    $("next-move").dataset.ready = "1";
    $("suggestions").replaceChildren(h("li", { class: "muted small" }, "No suggestions: the conversation reads as finished."));
    return;
  }
  // the move in one sentence up front; the coach's wording hints after it
  const move = assist.next_move || "—";
  const cut = move.search(/[.!?]\s/);
  const first = cut > 0 ? move.slice(0, cut + 1) : move;
  const rest = cut > 0 ? move.slice(cut + 2) : "";
  $("next-move").replaceChildren(h("span", { class: "move" }, first[0].toUpperCase() + first.slice(1)),
    rest ? h("span", { class: "move-hints muted small" }, ` ${rest}`) : "");
  $("next-move").dataset.ready = "1";
  const list = $("suggestions");
  if (!assist.suggestions.length) {
    list.replaceChildren(h("li", { class: "muted small" }, conv.messages.length ? "No suggestions: the customer has not written since your last reply." : "Suggestions appear after a customer message."));
    return;
  }
  list.replaceChildren(...assist.suggestions.map((s) => h("li", {}, h("button", { type: "button", class: "suggestion", disabled: readOnly,
    title: "Load into your draft (make it yours before sending)", onclick: () => draft.set(s.text) },
    s.text, h("span", { class: "meta" }, h("span", {}, s.placeholders.length ? `fill in: ${s.placeholders.join(", ")}` : title(s.source.replace("template:", ""))), h("span", {}, `score ${s.score}`))))));
}

function renderFollowups() {
  const items = conv.followups.filter((f) => f.status !== "cancelled");
  $("conv-followups").replaceChildren(...(items.length ? items.map((f) => h("li", { dataset: { followup: f.id } },
    h("div", {}, h("strong", {}, f.what)),
    h("div", { class: "small muted" }, f.status === "done" ? `done: ${f.result}` : `${f.overdue ? "OVERDUE · " : ""}due ${when(f.due)} (${ago(f.due)})`)))
    : [h("li", { class: "muted small" }, "None yet.")]));
}

function renderEscalations() {
  const items = conv.escalations;
  $("conv-escalations").replaceChildren(...(items.length ? items.map((e) => {
    const buttons = [];
    if (me.supervises && e.status === "open") buttons.push(h("button", { type: "button", class: "btn small", onclick: () => act(e, "acknowledge") }, "Acknowledge"));
    if (me.supervises && e.status !== "resolved") buttons.push(h("button", { type: "button", class: "btn small", onclick: () => act(e, "resolve") }, "Resolve…"));
    return h("li", { dataset: { escalation: e.id } }, h("div", {}, h("strong", {}, title(e.route)), ` · ${e.status} · ${e.trigger === "manual" ? "by hand" : "automatic"}`),
      h("div", { class: "small muted" }, e.reason), buttons.length ? h("div", { class: "btns" }, ...buttons) : null);
  }) : [h("li", { class: "muted small" }, "None.")]));
}

let resolving = null;
$("resolve-cancel").addEventListener("click", () => $("resolve-dialog").close());
$("resolve-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const resolution = $("resolve-text").value.trim();
  if (!resolution || !resolving) return;
  $("resolve-dialog").close();
  act(resolving, "resolve", { resolution });
});

async function act(escalation, action, body) {
  if (action === "resolve" && !body) {
    resolving = escalation;
    $("resolve-text").value = "";
    $("resolve-dialog").showModal();
    return;
  }
  try {
    await api(`/v1/escalations/${escalation.id}/${action}`, { method: "POST", body });
    toast(`Escalation ${action === "resolve" ? "resolved" : "acknowledged"}.`);
    await refresh({ assist: false });
  } catch (e) { failed(e); }
}

async function send(overrideReason = null) {
  const text = draft.text.trim();
  if (!text || readOnly) return;
  $("send").disabled = true;
  try {
    const review = await draft.current().catch(() => null);  // no coach: nothing to guard with
    if (review && review.verdict === "blocked" && !overrideReason) {
      draft.askOverride(review, (why) => send(why));
      $("send").disabled = false;
      return;
    }
    // promises come back proposed: a follow-up is filed only when the agent confirms it below
    const body = { role: "agent", text, followups: "propose", ...(overrideReason ? { override_reason: overrideReason } : {}) };
    const posted = await api(`/v1/conversations/${id}/messages?suggestions=false`, { method: "POST", body });
    draft.set("");
    draft.box.blur();
    await refresh();
    if (posted.proposed_followups.length) confirmFollowups(posted);
    else toast("Sent.");
  } catch (e) { failed(e); $("send").disabled = false; }
}

let proposedBy = null;  // the sent message whose promises the dialog shows
function confirmFollowups(posted) {
  proposedBy = posted.id;
  const list = $("followup-confirm");
  list.replaceChildren(...posted.proposed_followups.map((f, i) => h("li", { dataset: { index: i } },
    h("input", { type: "checkbox", checked: true, "aria-label": `Keep follow-up: ${f.what}`, class: "keep" }),
    h("div", { class: "fields" },
      h("input", { type: "text", class: "what", value: f.what, "aria-label": "What was promised", maxlength: 2000 }),
      h("label", { class: "small" }, "By ", h("input", { type: "datetime-local", class: "due", value: localInput(f.due), "aria-label": "Due" }),
        f.due_text ? h("span", { class: "muted" }, ` (“${f.due_text}”)`) : null)))));
  $("followup-dialog").showModal();
}

$("followup-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const rows = [...$("followup-confirm").children];
  try {
    for (const row of rows.filter((r) => r.querySelector(".keep").checked)) {
      const due = row.querySelector(".due").value;
      // the key makes a retried confirmation file the promise once
      await api(`/v1/conversations/${id}/followups`, { method: "POST", idempotencyKey: `promise-${proposedBy}-${row.dataset.index}`, body: {
        what: row.querySelector(".what").value.trim() || "follow up", message_id: proposedBy,
        due: due ? new Date(due).toISOString() : null } });
    }
    $("followup-dialog").close();
    const kept = rows.filter((r) => r.querySelector(".keep").checked).length;
    toast(`${kept} follow-up${kept === 1 ? "" : "s"} scheduled.`);
    await refresh({ assist: false });
  } catch (e) { failed(e); }
});

$("send").addEventListener("click", () => send());
$("draft").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); send(); }
});

async function postCustomer(text) {
  const posted = await api(`/v1/conversations/${id}/messages?suggestions=false`, { method: "POST", body: { role: "customer", text } });
  load = null;
  await refresh();
  if (posted.escalations.length) toast(`calmline escalated to ${posted.escalations.map((e) => title(e.route)).join(", ")}.`);
}

// role-play against a recorded customer: each click posts their next line
let scenarios = [];
const playKey = `calmline.scenario.${id}`;
function scenarioState() {
  try { return JSON.parse(sessionStorage.getItem(playKey)) || { index: -1, next: 0 }; } catch { return { index: -1, next: 0 }; }
}
function showScenario() {
  const state = scenarioState();
  const scenario = scenarios[state.index];
  $("scenario").value = scenario ? String(state.index) : "";
  $("scenario-next").disabled = !scenario || state.next >= scenario.lines.length;
  $("scenario-status").textContent = scenario
    ? (state.next >= scenario.lines.length ? `All ${scenario.lines.length} lines played.` : `Next: line ${state.next + 1} of ${scenario.lines.length}.`) : "";
}
api("/console/api/scenarios").then((found) => {
  scenarios = found;
  $("scenario").append(...found.map((s, i) => h("option", { value: String(i) }, `${s.title}${s.customer ? ` (${s.customer})` : ""}`)));
  showScenario();
}).catch(() => {});
$("scenario").addEventListener("change", () => {
  sessionStorage.setItem(playKey, JSON.stringify({ index: $("scenario").value === "" ? -1 : Number($("scenario").value), next: 0 }));
  showScenario();
});
$("scenario-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const state = scenarioState();
  const scenario = scenarios[state.index];
  if (!scenario || state.next >= scenario.lines.length) return;
  $("scenario-next").disabled = true;
  try {
    await postCustomer(scenario.lines[state.next]);
    sessionStorage.setItem(playKey, JSON.stringify({ index: state.index, next: state.next + 1 }));
  } catch (e) { failed(e); }
  showScenario();
});

$("customer-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const box = $("customer-text");
  const text = box.value.trim();
  if (!text) return;
  try {
    await postCustomer(text);
    box.value = "";
  } catch (e) { failed(e); }
});

const routeSelect = $("esc-route");
routeSelect.replaceChildren(...Object.entries(META.routes).map(([name, description]) =>
  h("option", { value: name, selected: name === "supervisor" }, `${title(name)} — ${description}`)));
$("escalate-btn").addEventListener("click", () => { $("esc-error").hidden = true; $("escalate-dialog").showModal(); $("esc-reason").focus(); });
$("esc-cancel").addEventListener("click", () => $("escalate-dialog").close());
$("escalate-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await api(`/v1/conversations/${id}/escalations`, { method: "POST", body: { route: routeSelect.value, reason: $("esc-reason").value.trim() } });
    $("escalate-dialog").close();
    $("esc-reason").value = "";
    toast(`Escalated to ${title(routeSelect.value)}.`);
    await refresh({ assist: false });
  } catch (e) {
    $("esc-error").textContent = e instanceof ApiError ? e.message : String(e);
    $("esc-error").hidden = false;
  }
});

async function loadSummary() {
  if (!$("summary-card").open) return;
  try {
    const data = await api(`/v1/conversations/${id}/summary`);
    $("case-summary").textContent = data.text;
  } catch (e) { $("case-summary").textContent = `No summary: ${e.message}`; }
}
$("summary-card").addEventListener("toggle", loadSummary);

$("close-btn").addEventListener("click", () => { $("close-error").hidden = true; $("close-dialog").showModal(); });
$("close-cancel").addEventListener("click", () => $("close-dialog").close());
$("close-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reason = $("close-reason").value.trim();
  try {
    await api(`/v1/conversations/${id}/close`, { method: "POST", body: { outcome: $("close-outcome").value, reason: reason || null } });
    $("close-dialog").close();
    toast("Conversation closed.");
    await refresh();
  } catch (e) {
    $("close-error").textContent = e instanceof ApiError ? e.message : String(e);
    $("close-error").hidden = false;
  }
});

document.addEventListener("keydown", (e) => { if (e.key === "Escape") closePopover(); });
$("chat").addEventListener("scroll", () => { if (openPopover) place(openPopover.pop, openPopover.badge); });
document.addEventListener("click", (e) => {
  if (openPopover && !openPopover.badge.contains(e.target) && !openPopover.pop.contains(e.target)) closePopover();
});

try {
  await refresh();
} catch (e) {
  if (e instanceof ApiError && (e.status === 404 || e.status === 403)) {
    $("chat").replaceChildren(h("li", { class: "empty" }, e.message));
  } else failed(e);
}
ready();
// new messages from elsewhere (the webhook, a colleague) show up without a reload
const polling = setInterval(() => { if (!document.hidden && conv) refresh().catch(handedOver); }, 5000);
// a lead took the case over or gave it to someone else: say so and stop asking for it
function handedOver(error) {
  if (!(error instanceof ApiError) || error.status !== 403) return;
  clearInterval(polling);
  $("composer").hidden = true;
  $("banners").replaceChildren(h("div", { class: "banner readonly", role: "alert" },
    "Your lead has taken this conversation over or handed it to someone else: it is no longer yours."));
}
