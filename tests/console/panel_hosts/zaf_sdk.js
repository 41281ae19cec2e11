// Stands in for Zendesk's ZAF SDK (served at its CDN address by the browser test): ZAFClient.init()
// gives a client whose get / invoke / request / on travel by postMessage to the framing page,
// which plays Zendesk's side. The real SDK works the same way, with Zendesk's own message format.
(function () {
  let next = 0;
  const waiting = new Map();
  const handlers = {};
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !event.data) return;
    if (event.data.zafEvent) {
      (handlers[event.data.zafEvent] || []).forEach((handler) => handler(event.data.data));
      return;
    }
    const pending = waiting.get(event.data.zaf);
    if (!pending) return;
    waiting.delete(event.data.zaf);
    if (event.data.error) pending.reject(event.data.error); else pending.resolve(event.data.result);
  });
  const call = (name, args) => new Promise((resolve, reject) => {
    next += 1;
    waiting.set(next, { resolve, reject });
    window.parent.postMessage({ zaf: next, call: name, args }, "*");
  });
  const client = {
    get: (path) => call("get", [path]),
    invoke: (...args) => call("invoke", args),
    request: (options) => call("request", [options]),
    on: (name, handler) => { (handlers[name] = handlers[name] || []).push(handler); },
  };
  window.ZAFClient = { init: () => client };
})();
