// "Reading wrong?": a person marks calmline's reading of a customer message wrong, through
// POST /v1/messages/{id}/corrections. `calmline train --from-corrections` learns from these.
import { ApiError, api, h, title, toast } from "./common.js";

const KINDS = [["level", "The level is wrong"], ["missed_flag", "It missed a flag"], ["wrong_flag", "A flag is wrong"],
  ["missed_want", "It missed what they want"], ["wrong_want", "A want is wrong"],
  ["missed_cause", "It missed a cause"], ["wrong_cause", "A cause is wrong"]];
const $ = (id) => document.getElementById(id);
let catalogue = null; // kind -> the labels the running playbook accepts (GET /v1/corrections/labels)
let marks = new Map(); // message id -> the corrections recorded on it
let current = null; // { message, done }

/** The corrections already recorded on this conversation (the caller's own, or all for a supervisor). */
export async function loadCorrections(conversationId) {
  const found = await api(`/v1/corrections?conversation_id=${conversationId}&limit=1000`);
  marks = new Map();
  for (const c of found.reverse()) marks.set(c.message_id, [...(marks.get(c.message_id) || []), c]);
}

export function describe(c) {
  return c.kind === "level" ? `level should be ${c.label}` : `${c.kind.replace("_", " ")}: ${title(c.label)}`;
}

function found(analysis, kind) {
  const section = { flag: "flags", want: "wants", cause: "causes" }[kind.split("_")[1]];
  return (analysis[section] || []).map((x) => x.label);
}

function choices(kind, analysis) {
  if (kind === "level") return catalogue.level.filter((l) => l !== analysis.anger.level);
  const have = new Set(found(analysis, kind));
  return catalogue[kind].filter((l) => (kind.startsWith("wrong_") ? have.has(l) : !have.has(l)));
}

/** The marks recorded on a customer message and the button that opens the dialog. */
export function readingControl(message, done) {
  const recorded = marks.get(message.id) || [];
  return h("div", { class: "reading-fix" },
    ...recorded.map((c) => h("span", { class: "tag fixed", dataset: { correction: c.id }, title: c.note || "recorded" }, `✓ ${describe(c)}`)),
    h("button", { type: "button", class: "btn ghost small", dataset: { correct: message.id },
      title: "Tell calmline what it read wrong in this message", onclick: () => open(message, done) }, "Reading wrong?"));
}

function fillLabels() {
  const kind = $("correct-kind").value;
  const options = choices(kind, current.message.analysis);
  $("correct-label-text").textContent = kind === "level" ? "It should be" : kind.startsWith("wrong_") ? "Which one is wrong" : "Which one it missed";
  $("correct-label").replaceChildren(...(options.length ? options.map((l) => h("option", { value: l }, title(l)))
    : [h("option", { value: "" }, kind.startsWith("wrong_") ? "— calmline found none here —" : "— nothing left to add —")]));
  $("correct-submit").disabled = !options.length;
}

async function open(message, done) {
  try {
    if (!catalogue) catalogue = (await api("/v1/corrections/labels")).kinds;
  } catch (e) { toast(e.message, true); return; }
  current = { message, done };
  const a = message.analysis;
  const listed = (kind) => found(a, kind).map(title).join(", ") || "none";
  $("correct-quote").textContent = message.text;
  $("correct-read").textContent = `calmline read: ${a.anger.level} · flags: ${listed("missed_flag")} · wants: ${listed("missed_want")} · causes: ${listed("missed_cause")}`;
  $("correct-kind").replaceChildren(...KINDS.map(([value, text]) => h("option", { value }, text)));
  $("correct-note").value = "";
  $("correct-error").hidden = true;
  fillLabels();
  $("correct-dialog").showModal();
  $("correct-kind").focus();
}

async function submit(event) {
  event.preventDefault();
  const label = $("correct-label").value;
  if (!current || !label) return;
  const body = { kind: $("correct-kind").value, label, note: $("correct-note").value.trim() || null };
  try {
    const made = await api(`/v1/messages/${current.message.id}/corrections`, { method: "POST", body });
    const list = marks.get(made.message_id) || [];
    if (!list.some((c) => c.id === made.id)) marks.set(made.message_id, [...list, made]);
    $("correct-dialog").close();
    toast(`Recorded: ${describe(made)}. Thank you: calmline learns from this.`);
    current.done();
  } catch (e) {
    $("correct-error").textContent = e instanceof ApiError ? e.message : String(e);
    $("correct-error").hidden = false;
  }
}

$("correct-kind").addEventListener("change", fillLabels);
$("correct-form").addEventListener("submit", submit);
$("correct-cancel").addEventListener("click", () => $("correct-dialog").close());
