// Follow-ups: up next (overdue, today, tomorrow), overdue, all open, done, each tab with its count;
// every item names its customer and subject; complete one with its result.
import { ago, api, failed, h, ready, remind, signedIn, toast } from "./common.js";

await signedIn();
const $ = (sel) => document.getElementById(sel);
const tabs = [...document.querySelectorAll("[role=tab]")];
let status = new URLSearchParams(location.search).get("status") || "next";
if (!tabs.some((t) => t.dataset.status === status)) status = "next";
let people = { agents: {} };

// dates in the viewer's own time zone and words: "today at 17:00", "tomorrow at 10:00", "Fri 28 Nov at 09:30"
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const DATE = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
const DATE_YEAR = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
function dayWords(date) {
  const day = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const diff = Math.round((day(date) - day(new Date())) / 86_400_000);
  if (diff === 0) return "today";
  if (diff === 1) return "tomorrow";
  if (diff === -1) return "yesterday";
  return (date.getFullYear() === new Date().getFullYear() ? DATE : DATE_YEAR).format(date);
}
function readable(iso) {
  if (!iso) return "no date";
  const date = new Date(iso);
  return `${dayWords(date)} at ${CLOCK.format(date)}`;
}

function state(f) {
  if (f.status === "done") return h("span", { class: "tag closed" }, "done");
  if (f.overdue) return h("span", { class: "tag esc" }, "overdue");
  if (f.status === "cancelled") return h("span", { class: "tag closed" }, "dropped");
  const soon = f.due && new Date(f.due).getTime() - Date.now() < 3_600_000;
  return soon ? h("span", { class: "tag esc" }, "due soon") : h("span", { class: "tag" }, "to do");
}

function item(f) {
  const who = [f.customer_name, f.subject].filter(Boolean).join(" · ") || "a conversation with no subject";
  const timing = f.status === "done" ? `done ${readable(f.completed_at)}`
    : f.overdue ? `was due ${readable(f.due)} (${ago(f.due)})` : `due ${readable(f.due)} (${ago(f.due)})`;
  const li = h("li", { dataset: { followup: f.id } },
    h("div", { class: "row" }, h("div", { class: "grow" }, h("strong", {}, f.what),
      h("div", { class: "small muted" }, h("a", { href: `/console/conversations/${f.conversation_id}` }, who),
        ` · ${(people.agents[f.owner_id] || {}).name || "no owner"} · `, h("span", { class: "due" }, timing))),
    state(f)));
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
        remind();
      } catch (e) { failed(e); }
    });
    li.append(form);
  }
  return li;
}

async function load() {
  tabs.forEach((t) => t.setAttribute("aria-selected", String(t.dataset.status === status)));
  tabs.forEach((t) => { t.tabIndex = t.dataset.status === status ? 0 : -1; });
  const [rows, names, counts] = await Promise.all([api(`/v1/followups?status=${status}&limit=500`),
    api("/v1/people"), api("/v1/followups/counts")]);
  people = names;
  for (const badge of document.querySelectorAll("[data-count]")) {
    const n = counts[badge.dataset.count] || 0;
    badge.textContent = String(n);
    badge.className = badge.dataset.count === "overdue" && n ? "count hot" : "count";
  }
  const sorted = status === "done" ? [...rows].sort((a, b) => (b.completed_at || "").localeCompare(a.completed_at || "")) : rows;
  $("followups").replaceChildren(...sorted.map(item));
  $("fu-empty").hidden = rows.length > 0;
  $("fu-empty").textContent = status === "next" && counts.open
    ? `Nothing due today or tomorrow; ${counts.open} later in “All open”.` : "Nothing here.";
  $("fu-hint").hidden = status !== "next";
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
