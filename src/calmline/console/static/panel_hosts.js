// The helpdesks that frame the panel, each behind the same small interface, so panel.js never
// asks which one it is in:
//   start(onContext)  calls onContext({ externalId, who }) whenever the helpdesk shows a conversation
//   transport         how API calls travel (common.js setTransport), with the helpdesk's access rules
//   signIn            true when the agent signs in inside the frame (a key in sessionStorage)
//   draftFromHost     true when the helpdesk's own editor holds the draft (onDraft reports it)
//   insert(text)      put a suggestion into the helpdesk's editor; false when it cannot
//   resize(height)    fit the helpdesk's frame to the panel, where the helpdesk lets us
import { ApiError, META, getKey } from "./common.js";

const FETCH_INFO = "chatwoot-dashboard-app:fetch-info";
const ASK_EVERY_MS = 5000;

/** A key typed into the panel, sent only in the Authorization header; a 401 is thrown to the
 *  panel (which asks to sign in again), never turned into a redirect to the console's sign-in
 *  page, which no helpdesk may frame. */
function keyed(path, options, request) {
  return request(path, { ...options, key: options.key || getKey() || "none" });
}

/** Chatwoot's Dashboard App: Chatwoot posts `{event: "appContext", data: {conversation, contact,
 *  currentAgent}}` as a JSON string when the frame loads and whenever the app asks with
 *  "chatwoot-dashboard-app:fetch-info". Only messages from the configured Chatwoot origin, sent
 *  by the window that frames us, are read. Chatwoot gives an app no access to its reply editor:
 *  the draft is typed in the panel and copied over. */
export function chatwootHost() {
  const origin = META.chatwoot_origin;
  return {
    name: "chatwoot", transport: keyed, signIn: true, draftFromHost: false,
    problem: origin ? null : "calmline does not know your Chatwoot address: set CALMLINE_CHATWOOT_URL.",
    start(onContext) {
      window.addEventListener("message", (event) => {
        if (event.origin !== origin || event.source !== window.parent) return;
        const context = chatwootContext(event.data);
        if (context) onContext(context);
      });
      const ask = () => window.parent.postMessage(FETCH_INFO, origin);
      ask();
      // the agent may switch conversations while the app's tab stays open
      setInterval(() => { if (!document.hidden) ask(); }, ASK_EVERY_MS);
    },
    insert: async () => false,
    resize() {},
  };
}

function chatwootContext(raw) {
  let message;
  try { message = typeof raw === "string" ? JSON.parse(raw) : raw; } catch { return null; }
  const conversation = message && message.event === "appContext" && message.data && message.data.conversation;
  if (!conversation || conversation.id === undefined || conversation.id === null) return null;
  // the case's id is the intake's: the configured account (else the conversation's) and the
  // conversation's display id, the number in Chatwoot's own URLs
  const account = META.chatwoot_account || conversation.account_id;
  const contact = message.data.contact || (conversation.meta && conversation.meta.sender) || {};
  return { externalId: `chatwoot:${account}:${conversation.id}`, who: contact.name || "" };
}

/** Zendesk's ticket sidebar through the Apps framework client (the SDK Zendesk's docs say to
 *  load). API calls go through Zendesk's proxy with the app's secure setting `calmline_key`
 *  filled in server-side: the key never reaches the browser. The draft is the ticket editor's
 *  comment, read as the agent types; a suggestion is appended to it. */
export function zendeskHost() {
  const client = window.ZAFClient ? window.ZAFClient.init() : null;
  return {
    name: "zendesk", signIn: false, draftFromHost: true,
    problem: client ? null : "Open this page from calmline's Zendesk sidebar app.",
    transport: (path, options) => zafRequest(client, path, options),
    async start(onContext) {
      const got = await client.get("ticket.id");
      const id = got["ticket.id"];
      if (id) onContext({ externalId: `zendesk:${id}`, who: "" });
      else onContext({ externalId: null, who: "", why: "This ticket is not saved yet; calmline reads it once it is." });
    },
    onDraft(report) {
      const read = async () => report(htmlText((await client.get("comment.text"))["comment.text"]));
      client.on("comment.text.changed", read);
      read();
    },
    async insert(text) {
      await client.invoke("comment.appendText", text);
      return true;
    },
    resize(height) { client.invoke("resize", { width: "100%", height: `${Math.ceil(height)}px` }); },
  };
}

/** The editor's comment as plain text: in rich-text mode Zendesk gives HTML. DOMParser builds an
 *  inert document (no script runs, nothing loads). */
function htmlText(value) {
  const text = String(value || "");
  if (!/[<&]/.test(text)) return text;
  const body = new DOMParser().parseFromString(text.replace(/<br\s*\/?>/gi, "\n").replace(/<\/p>/gi, "</p>\n"), "text/html").body;
  return (body.textContent || "").replace(/\n+$/, "");
}

async function zafRequest(client, path, { method = "GET", body, idempotencyKey } = {}) {
  const headers = { Accept: "application/json", Authorization: "Bearer {{setting.calmline_key}}" };
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  const options = { url: new URL(path, location.origin).href, type: method, headers, secure: true,
    cors: false, httpCompleteResponse: true, dataType: "json" };
  if (body !== undefined) Object.assign(options, { contentType: "application/json", data: JSON.stringify(body) });
  try {
    const answer = await client.request(options);
    return answer.responseJSON !== undefined ? answer.responseJSON : parsed(answer.responseText);
  } catch (failure) {
    const status = (failure && failure.status) || 0;
    throw new ApiError(status, failure && (failure.responseJSON || parsed(failure.responseText)));
  }
}

function parsed(text) {
  if (!text) return null;
  try { return JSON.parse(text); } catch { return text; }
}

/** calmline's own console: `/console/panel?conversation=<id>` shows one case's panel. */
export function consoleHost() {
  const id = Number(new URLSearchParams(location.search).get("conversation"));
  return {
    name: "console", transport: keyed, signIn: true, draftFromHost: false,
    problem: id > 0 ? null : "Give the conversation: /console/panel?conversation=<id>.",
    start(onContext) { onContext({ conversationId: id, who: "" }); },
    insert: async () => false,
    resize() {},
  };
}

export function hostFor(name) {
  return name === "chatwoot" ? chatwootHost() : name === "zendesk" ? zendeskHost() : consoleHost();
}
