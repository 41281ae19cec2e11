// The supervisor's desk on a conversation: take it over, hand it to another agent, whisper to its
// agent. The whispers show to the case's agent and the supervisors; the customer never sees them
// (they are no messages: POST /v1/conversations/{id}/whispers).
import { api, failed, h, toast, when } from "./common.js";

const $ = (sel) => document.getElementById(sel);
const WHISPER_MS = 5000;

export class Desk {
  constructor(id, me, changed) {
    this.id = id;
    this.me = me;
    this.changed = changed;  // re-reads the case after an action moved it
    this.conv = null;
    this.seen = 0;
    this.whisperKey = null;
    $("take-over").addEventListener("click", () => this.takeOver());
    $("reassign-form").addEventListener("submit", (event) => { event.preventDefault(); this.reassign(); });
    $("whisper-form").addEventListener("submit", (event) => { event.preventDefault(); this.whisper(); });
    this.timer = setInterval(() => { if (!document.hidden && this.conv) this.loadWhispers().catch((e) => this.lost(e)); }, WHISPER_MS);
  }

  /** Show the controls a supervisor may use on this case, and its whispers. */
  render(conv) {
    this.conv = conv;
    const open = conv.status !== "closed";
    $("desk-card").hidden = !this.me.supervises || !open;
    $("take-over").hidden = conv.agent_id === this.me.id;
    $("whisper-form").hidden = !open;
    if (this.me.supervises && open) this.loadAgents().catch(() => {});
    this.loadWhispers().catch(() => {});
  }

  /** The agents a case can go to, least loaded first; one on a breather is shown, not offered. */
  async loadAgents() {
    const agents = await api("/v1/supervisor/agents");
    const select = $("reassign-to");
    const chosen = select.value;
    const others = agents.filter((a) => a.agent_id !== this.conv.agent_id);
    select.replaceChildren(...others.map((a) => h("option", { value: a.agent_id, disabled: a.breather },
      a.breather ? `${a.name} (on a breather)` : a.name)));
    const free = others.filter((a) => !a.breather).map((a) => String(a.agent_id));
    if (free.includes(chosen)) select.value = chosen;
    else if (free.length) select.value = free[0];
    $("reassign-btn").disabled = !free.length;
  }

  /** The case left this user (reassigned, taken over): stop asking for its whispers. */
  lost(error) {
    if (error && (error.status === 403 || error.status === 404)) clearInterval(this.timer);
  }

  async loadWhispers() {
    const whispers = await api(`/v1/conversations/${this.id}/whispers`);
    $("whispers-card").hidden = !whispers.length && !this.me.supervises;
    $("whispers").replaceChildren(...(whispers.length ? whispers.map((w) => h("li", { dataset: { whisper: w.id } },
      h("div", {}, w.text), h("div", { class: "small muted" }, `${w.author_id === this.me.id ? "you" : "your lead"} · ${when(w.created_at)}`)))
      : [h("li", { class: "muted small" }, "No whispers yet.")]));
    if (whispers.length > this.seen && this.seen && !this.me.supervises) toast("New whisper from your lead.");
    this.seen = whispers.length;
  }

  async takeOver() {
    try {
      await api(`/v1/conversations/${this.id}/take-over`, { method: "POST" });
      toast("You own this conversation now; its escalations are acknowledged.");
      await this.changed();
    } catch (e) { failed(e); }
  }

  async reassign() {
    const agentId = Number($("reassign-to").value);
    if (!agentId) return;
    try {
      await api(`/v1/conversations/${this.id}/reassign`, { method: "POST", body: { agent_id: agentId } });
      toast(`Reassigned to ${$("reassign-to").selectedOptions[0].textContent}.`);
      await this.changed();
    } catch (e) { failed(e); }
  }

  async whisper() {
    const text = $("whisper-text").value.trim();
    if (!text) return;
    // one key per note typed: a double click or a retry after a network error stores it once
    this.whisperKey = this.whisperKey || `whisper-${this.id}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    try {
      await api(`/v1/conversations/${this.id}/whispers`, { method: "POST", body: { text }, idempotencyKey: this.whisperKey });
      $("whisper-text").value = "";
      this.whisperKey = null;
      toast("Whispered to the agent.");
      await this.loadWhispers();
    } catch (e) { failed(e); }
  }
}
