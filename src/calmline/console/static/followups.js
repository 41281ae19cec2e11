// Follow-ups: due today, overdue, all open, done; complete one with its result.
import { ago, api, failed, h, ready, signedIn, toast, when } from "./common.js";

await signedIn();
const $ = (sel) => document.getElementById(sel);
const tabs = [...document.querySelectorAll("[role=tab]")];
let status = new URLSearchParams(location.search).get("status") || "due";
let people = { agents: {} };

function item(f) {
  const li = h("li", { dataset: { followup: f.id } },
    h("div", { class: "row" }, h("div", { class: "grow" }, h("strong", {}, f.what),
      h("div", { class: "small muted" }, h("a", { href: `/console/conversations/${f.conversation_id}` }, `conversation #${f.conversation_id}`),
        ` · ${(people.agents[f.owner_id] || {}).name || "no owner"} · `,
        f.status === "done" ? `done ${when(f.completed_at)}` : `due ${when(f.due)} (${ago(f.due)})`,
        f.due_text ? ` · “${f.due_text}”` : "")),
    f.overdue ? h("span", { class: "tag esc" }, "overdue") : f.status === "done" ? h("span", { class: "tag closed" }, "done") : null));
  if (f.status === "done") {
    li.append(h("div", { class: "small" }, "Result: ", f.result));
  } else {
    const form = h("form", { "aria-label": `Complete ${f.what}` },
      h("input", { type: "text", placeholder: "What was done? (required to close it)", required: true, "aria-label": "Result" }),
      h("button", { type: "submit", class: "btn small primary" }, "Complete"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api(`/v1/followups/${f.id}/complete`, { method: "POST", body: { result: form.querySelector("input").value.trim() } });
        toast("Follow-up completed.");
        await load();
      } catch (e) { failed(e); }
    });
    li.append(form);
  }
  return li;
}

async function load() {
  tabs.forEach((t) => t.setAttribute("aria-selected", String(t.dataset.status === status)));
  tabs.forEach((t) => { t.tabIndex = t.dataset.status === status ? 0 : -1; });
  const [rows, names] = await Promise.all([api(`/v1/followups?status=${status}&limit=500`), api("/console/api/people")]);
  people = names;
  const sorted = status === "done" ? [...rows].sort((a, b) => (b.completed_at || "").localeCompare(a.completed_at || "")) : rows;
  $("followups").replaceChildren(...sorted.map(item));
  $("fu-empty").hidden = rows.length > 0;
}

tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => { status = tab.dataset.status; history.replaceState(null, "", `?status=${status}`); load().catch(failed); });
  tab.addEventListener("keydown", (e) => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    const next = tabs[(i + step + tabs.length) % tabs.length];
    next.focus(); next.click();
  });
});
await load().catch(failed);
ready();
