// The anger trend: an inline SVG over the conversation, level bands behind, one dot per customer message.
import { LEVELS, META, levelOf } from "./common.js";

const NS = "http://www.w3.org/2000/svg";
const COLORS = { calm: "#3f8f5f", annoyed: "#c9a227", frustrated: "#dc8a2f", angry: "#d2512f", hostile: "#a01d35" };

function s(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** messages: the conversation's messages (role, seq, anger_score). Returns an <svg> or null. */
export function trendChart(messages) {
  const customer = messages.filter((m) => m.role === "customer" && m.anger_score !== null);
  if (!customer.length) return null;
  const W = 340, H = 150, L = 8, R = 70, T = 8, B = 22;
  const last = Math.max(...messages.map((m) => m.seq), 2);
  const first = Math.min(...messages.map((m) => m.seq));
  const x = (seq) => L + ((seq - first) / Math.max(1, last - first)) * (W - L - R);
  const y = (v) => T + (1 - v) * (H - T - B);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": `Anger over ${customer.length} customer messages: ` + customer.map((m) => Math.round(m.anger_score * 100)).join(", ") });
  const bounds = [0, ...LEVELS.slice(1).map((l) => META.levels[l]), 1];
  LEVELS.forEach((level, i) => {
    const top = y(bounds[i + 1]), bottom = y(bounds[i]);
    svg.append(s("rect", { x: L, y: top, width: W - L - R, height: bottom - top, fill: COLORS[level], "fill-opacity": 0.09 }));
    if (bottom - top >= 9) {
      svg.append(s("text", { x: W - R + 6, y: (top + bottom) / 2 + 4, "font-size": 10, fill: "#56636b" }, level));
    }
  });
  for (const m of messages.filter((m) => m.role === "agent")) {
    svg.append(s("line", { x1: x(m.seq), x2: x(m.seq), y1: H - B, y2: H - B + 6, stroke: "#2a6669", "stroke-width": 2 }));
  }
  svg.append(s("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#c4ccc7" }));
  svg.append(s("text", { x: L, y: H - 4, "font-size": 10, fill: "#56636b" }, "▮ agent replies"));
  const points = customer.map((m) => `${x(m.seq).toFixed(1)},${y(m.anger_score).toFixed(1)}`).join(" ");
  svg.append(s("polyline", { points, fill: "none", stroke: "#1c2327", "stroke-width": 1.5, "stroke-linejoin": "round" }));
  customer.forEach((m, i) => {
    const level = levelOf(m.anger_score);
    const dot = s("circle", { cx: x(m.seq), cy: y(m.anger_score), r: i === customer.length - 1 ? 5.5 : 4,
      fill: COLORS[level], stroke: "#fff", "stroke-width": 1.5 });
    dot.append(s("title", {}, `message ${m.seq}: ${level} (${Math.round(m.anger_score * 100)})`));
    svg.append(dot);
  });
  return svg;
}
