// The draft box: reviewed live as the agent types (debounced), anti-patterns underlined in place
// with the calmer rewrite on hover (or when the caret is inside), the checklist and the score.
// The guard before send: a draft the review calls "blocked" goes out only after a second,
// deliberate "Send anyway", and that review is then kept with the case.
import { api, h, when } from "./common.js";

const DEBOUNCE_MS = 50;
export const metrics = (window.calmlineMetrics = window.calmlineMetrics || { reviews: [] });

// A frame of another site (the helpdesk panel) may be refused storage: the draft is then not kept.
function kept(name) { try { return sessionStorage.getItem(name); } catch { return null; } }
function keep(name, text) {
  try { if (text) sessionStorage.setItem(name, text); else sessionStorage.removeItem(name); } catch { /* not kept */ }
}

export class DraftReview {
  /** `keepDraft: false` where the draft lives elsewhere (the helpdesk's own editor). */
  constructor(conversationId, onChange, { keepDraft = true } = {}) {
    this.id = conversationId;
    this.keepDraft = keepDraft;
    this.onChange = onChange;
    this.box = document.getElementById("draft");
    this.marks = document.getElementById("draft-marks");
    this.tip = document.getElementById("rewrite-tip");
    this.score = document.getElementById("score");
    this.summary = document.getElementById("review-summary");
    this.review = null;
    this.seq = 0;
    this.timer = null;
    this.controller = null;
    this.lastInput = 0;
    this.collapsed = true;
    this.box.addEventListener("input", () => this.changed());
    this.box.addEventListener("scroll", () => { this.marks.parentElement.scrollTop = this.box.scrollTop; });
    this.box.addEventListener("mousemove", (e) => this.hover(e.clientX, e.clientY));
    this.box.addEventListener("mouseleave", () => { this.tip.hidden = true; });
    for (const name of ["keyup", "click"]) this.box.addEventListener(name, () => this.caretTip());
    this.box.addEventListener("blur", () => { this.tip.hidden = true; });
    // an unsent draft survives a reload of this tab (kept like the key: for the tab only)
    const saved = keepDraft ? kept(this.saved) : null;
    if (saved) { this.box.value = saved; this.changed(); }
  }

  get saved() { return `calmline.draft.${this.id}`; }

  /** Another conversation in the same box (the helpdesk panel follows the agent): its own draft. */
  open(conversationId) {
    this.id = conversationId;
    this.box.value = (this.keepDraft && kept(this.saved)) || "";
    this.review = null;
    this.changed();
  }

  get text() { return this.box.value; }

  toggleChecklist() {
    this.collapsed = !this.collapsed;
    const list = document.getElementById("checklist");
    list.classList.toggle("collapsed", this.collapsed);
    const more = list.querySelector(".more");
    if (more) {
      more.textContent = this.collapsed ? `+${list.querySelectorAll(".extra").length} more` : "fewer";
      more.setAttribute("aria-expanded", String(!this.collapsed));
    }
  }

  set(text) {
    this.box.value = text;
    this.changed();
    this.box.focus();
    this.box.setSelectionRange(text.length, text.length);
  }

  insert(text) {
    const { selectionStart: a, selectionEnd: b, value } = this.box;
    const before = value.slice(0, a);
    const spaced = (before && !/\s$/.test(before) ? " " : "") + text;
    this.box.value = before + spaced + value.slice(b);
    const caret = a + spaced.length;
    this.changed();
    this.box.focus();
    this.box.setSelectionRange(caret, caret);
  }

  changed() {
    if (this.keepDraft) keep(this.saved, this.text);
    this.hideGuard();
    this.lastInput = performance.now();
    this.paintMarks();  // keep the underlines aligned with the text right away
    this.onChange(this.text);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), DEBOUNCE_MS);
  }

  async run() {
    const draft = this.text;
    const seq = ++this.seq;
    if (this.controller) this.controller.abort();
    if (!draft.trim()) { this.show(null, seq); return; }
    this.controller = new AbortController();
    const started = performance.now();
    const inputAt = this.lastInput;
    try {
      const review = await api("/v1/reviews", { method: "POST", signal: this.controller.signal,
        body: { conversation_id: this.id, draft } });
      if (seq !== this.seq) return;
      this.show(review, seq);
      const done = performance.now();
      metrics.reviews.push({ request_ms: done - started, since_input_ms: done - inputAt, chars: draft.length });
    } catch (e) {
      if (e.name !== "AbortError" && seq === this.seq) this.summary.textContent = `Review unavailable: ${e.message}`;
    }
  }

  show(review, seq) {
    this.review = review && review.available !== false ? review : null;
    const r = this.review;
    const checklist = document.getElementById("checklist");
    const antis = document.getElementById("antipatterns");
    const promises = document.getElementById("promises");
    if (!r) {
      this.score.textContent = "–";
      this.score.className = "score";
      this.summary.textContent = review && review.available === false ? "The reply coach is not available." : "Start typing to get a review.";
      checklist.replaceChildren(); antis.replaceChildren(); promises.replaceChildren();
      this.paintMarks();
      document.getElementById("review").dataset.seq = seq;
      return;
    }
    this.score.textContent = r.score;
    this.score.className = `score ${r.score >= 70 ? "good" : r.score >= 40 ? "fair" : "poor"}`;
    this.score.setAttribute("aria-label", `Draft score ${r.score} out of 100`);
    this.summary.textContent = r.next_move;
    document.getElementById("review").dataset.verdict = r.verdict || "";
    const behaviours = [...r.behaviours].sort((a, b) => (b.expected - a.expected) || (b.found - a.found));
    const extra = behaviours.filter((b) => !b.found && !b.expected).length;
    const more = h("li", { class: "more", tabindex: 0, role: "button", "aria-expanded": String(!this.collapsed),
      onclick: () => this.toggleChecklist(), onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.toggleChecklist(); } } },
    this.collapsed ? `+${extra} more` : "fewer");
    checklist.classList.toggle("collapsed", this.collapsed);
    checklist.replaceChildren(...behaviours.map((b) => h("li", {
      class: [b.found ? "found" : "", b.expected ? "expected" : "", !b.found && !b.expected ? "extra" : ""].join(" ").trim(),
      title: b.found ? `Found: ${b.evidence.map((e) => `“${e.text}”`).join(", ")}` : `${b.expected ? "This moment calls for it. " : ""}${b.hint}`,
      dataset: { label: b.label } }, b.title)), extra ? more : "");
    // how each was read (a phrase, the reply as a whole, the question left unanswered), so a
    // flag no phrase explains still says where it comes from
    const how = (a) => [...new Set(a.evidence.map((e) => e.explanation).filter(Boolean))].join("; ");
    antis.replaceChildren(...r.anti_patterns.map((a) => h("li", { dataset: { label: a.label } },
      h("q", {}, a.evidence.map((e) => e.text).join("”, “")), ` ${a.title}. Calmer draft: `, h("span", {}, a.rewrite),
      how(a) ? h("div", { class: "small muted how" }, `Read as: ${how(a)}.`) : "")));
    promises.replaceChildren(...r.commitments.map((c) => h("li", {},
      "Promise: ", h("strong", {}, c.what), c.due ? ` · due ${when(c.due)}` : " · no time given", " → becomes a follow-up")));
    this.paintMarks();
    document.getElementById("review").dataset.seq = seq;
  }

  /** The review of exactly the text in the box: the one shown, or a fresh one, so that a quick
   * Send never slips past the guard. Null when the coach is not available. */
  async current() {
    const draft = this.text;
    if (this.review && this.review.draft === draft) return this.review;
    const review = await api("/v1/reviews", { method: "POST", body: { conversation_id: this.id, draft } });
    return review && review.available !== false ? review : null;
  }

  /** A blocked draft: say why, and send it only on a second, deliberate click with a reason
   * (`onSend(reason)`); the server keeps the override and its reason in the audit log. */
  askOverride(review, onSend) {
    this.hideGuard();
    const edit = h("button", { type: "button", class: "btn", id: "send-guard-edit",
      onclick: () => { this.hideGuard(); this.box.focus(); } }, "Edit the draft");
    const reason = h("input", { type: "text", id: "send-guard-reason", maxlength: 500,
      placeholder: "Why must it go as it is?", "aria-label": "Reason to send it anyway" });
    const anyway = h("button", { type: "button", class: "btn warn", id: "send-anyway", disabled: true,
      onclick: () => { const why = reason.value.trim(); if (why) { this.hideGuard(); onSend(why); } } }, "Send anyway");
    reason.addEventListener("input", () => { anyway.disabled = !reason.value.trim(); });
    const panel = h("div", { id: "send-guard", class: "banner esc", role: "alertdialog",
      "aria-labelledby": "send-guard-title", "aria-describedby": "send-guard-why" },
    h("strong", { id: "send-guard-title" }, "Blocked before sending."),
    h("span", { id: "send-guard-why", class: "grow" }, `${review.reasons.join("; ")}.`),
    edit, reason, anyway);
    document.querySelector(".composer-bar").after(panel);
    edit.focus();
  }

  hideGuard() { document.getElementById("send-guard")?.remove(); }

  /** Underline the reviewed anti-pattern spans, when the review is of the text in the box. */
  paintMarks() {
    const text = this.text;
    const spans = [];
    if (this.review && this.review.draft === text) {
      this.review.anti_patterns.forEach((a, i) => a.evidence.forEach((e) => spans.push({ ...e, i })));
    }
    spans.sort((a, b) => a.start - b.start);
    const parts = [];
    let at = 0;
    for (const span of spans) {
      if (span.start < at) continue;
      parts.push(text.slice(at, span.start), h("mark", { dataset: { i: span.i } }, text.slice(span.start, span.end)));
      at = span.end;
    }
    parts.push(text.slice(at) + (text.endsWith("\n") ? " " : ""));
    this.marks.replaceChildren(...parts);
    this.marks.parentElement.scrollTop = this.box.scrollTop;
  }

  showTip(index, x, y) {
    const a = this.review.anti_patterns[index];
    this.tip.replaceChildren(h("strong", {}, a.title), h("br"), a.why, h("br"), h("br"), "Calmer draft: ", a.rewrite);
    const wrap = this.box.parentElement.getBoundingClientRect();
    this.tip.style.left = `${Math.max(0, Math.min(x - wrap.left, wrap.width - 340))}px`;
    this.tip.style.bottom = `${wrap.bottom - y + 14}px`;
    this.tip.hidden = false;
  }

  hover(x, y) {
    for (const mark of this.marks.querySelectorAll("mark")) {
      for (const rect of mark.getClientRects()) {
        if (x >= rect.left && x <= rect.right && y >= rect.top - 2 && y <= rect.bottom + 2) {
          this.showTip(Number(mark.dataset.i), x, rect.top);
          return;
        }
      }
    }
    this.tip.hidden = true;
  }

  /** Keyboard users: the rewrite shows while the caret is inside an underlined span. */
  caretTip() {
    if (!this.review || this.review.draft !== this.text) return;
    const caret = this.box.selectionStart;
    let found = null;
    this.review.anti_patterns.forEach((a, i) => a.evidence.forEach((e) => {
      if (caret >= e.start && caret <= e.end) found = i;
    }));
    if (found === null) { this.tip.hidden = true; return; }
    const mark = this.marks.querySelector(`mark[data-i="${found}"]`);
    const rect = mark ? mark.getBoundingClientRect() : this.box.getBoundingClientRect();
    this.showTip(found, rect.left, rect.top);
  }
}
