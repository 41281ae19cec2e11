import { META, addDemoKeys, ago, api, failed, h, levelPill, ready, signedIn, stageTitle, toast } from "./common.js";

const me = await signedIn();
const form = document.getElementById("filters");
const body = document.querySelector("#conversations tbody");
let people = { agents: {}, customers: {} };

async function load() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (value) params.set(name, value);
  params.set("limit", "100");
  const rows = await api(`/v1/conversations?${params}`);
  const customers = [...new Set(rows.map((r) => r.customer_id).filter(Boolean))].join(",");
  people = await api(`/v1/people?customers=${customers}`);
  body.replaceChildren(...rows.map(row));
  document.getElementById("list-empty").hidden = rows.length > 0;
}

function row(c) {
  const href = `/console/conversations/${c.id}`;
  const agent = people.agents[c.agent_id];
  const tags = [];
  if (c.escalated) tags.push(h("span", { class: "tag esc" }, "escalated"));
  if (c.status === "closed") tags.push(h("span", { class: "tag closed" }, c.outcome || "closed"));
  if (String(c.external_id || "").startsWith(META.demo_prefix)) tags.push(h("span", { class: "tag" }, "practice"));
  const tr = h("tr", { onclick: (e) => { if (e.target.tagName !== "A") location.assign(href); } },
    h("td", {}, c.message_count ? levelPill(c.anger_level, c.anger_score) : h("span", { class: "muted small" }, "—")),
    h("td", { class: "subject" }, h("a", { href }, c.subject || `Conversation ${c.id}`), " ", ...tags,
      h("div", { class: "muted small" }, `#${c.id} · ${c.channel}`,
        h("span", { class: "narrow-only" }, ` · ${people.customers[c.customer_id] || "anonymous"} · ${stageTitle(c.stage)}`))),
    h("td", {}, people.customers[c.customer_id] || h("span", { class: "muted" }, "—")),
    h("td", {}, agent ? agent.name : h("span", { class: "muted" }, "unassigned")),
    h("td", {}, stageTitle(c.stage)),
    h("td", {}, c.message_count),
    h("td", { class: "muted small", title: c.updated_at }, ago(c.updated_at)));
  return tr;
}

form.addEventListener("change", () => load().catch(failed));

/** A practice case's external id: the demo prefix and a random part (the API keeps ids unique). */
function practiceId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `${META.demo_prefix}practice-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const dialog = document.getElementById("new-dialog");
document.getElementById("new-conversation").addEventListener("click", () => dialog.showModal());
document.getElementById("new-cancel").addEventListener("click", () => dialog.close());
document.getElementById("new-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const subject = document.getElementById("new-subject").value.trim();
  const name = document.getElementById("new-customer").value.trim();
  const practice = document.getElementById("new-practice").checked;
  try {
    const created = await api("/v1/conversations", { method: "POST", body: {
      subject: subject || null, agent_id: me.id, channel: document.getElementById("new-channel").value,
      customer: name ? { name } : null, external_id: practice ? practiceId() : null } });
    location.assign(`/console/conversations/${created.id}`);
  } catch (e) { failed(e); }
});

async function firstRun() {
  const state = await api("/console/api/state");
  const box = document.getElementById("first-run");
  box.hidden = !state.empty;
  const button = document.getElementById("load-demo");
  if (!state.can_seed) {
    button.hidden = true;
    document.getElementById("demo-result").textContent = "An admin can load the demo data.";
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = "Loading demo data…";
    try {
      const result = await api("/console/api/demo", { method: "POST" });
      addDemoKeys(result.users);
      box.hidden = true;
      toast(`Loaded ${result.conversations.length} demo conversations. To act as a demo user, use Switch user in this tab: their keys are kept only here, until the tab closes.`);
      await load();
    } catch (e) {
      failed(e);
      button.disabled = false;
      button.textContent = "Load demo data";
    }
  });
}

async function breather() {
  if (me.role !== "agent") return;
  const load = await api(`/v1/agents/${me.id}/load`);
  const box = document.getElementById("breather");
  box.hidden = !load.breather;
  box.replaceChildren(h("strong", {}, "Take a breather."), h("span", { class: "grow" },
    ` Your stress load is ${load.load.toFixed(1)} (threshold ${load.thresholds.breather}). ${load.advice}`));
}

await Promise.all([load(), firstRun(), breather()]).catch(failed);
// keep the list current (new conversations from the webhook, anger changing) while it is open
setInterval(() => {
  const focused = document.activeElement && document.activeElement.closest("#conversations, #filters");
  if (!document.hidden && !dialog.open && !focused) load().catch(() => {});
}, 10000);
ready();
