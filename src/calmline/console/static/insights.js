// Insights: the report over this case store, embedded; or why it is not available.
import { api, failed, h, ready, signedIn } from "./common.js";

await signedIn();
const notice = document.getElementById("insights-notice");
const frame = document.getElementById("insights-frame");
try {
  const result = await api("/console/api/insights");
  if (result.available) {
    frame.srcdoc = result.html;
    frame.hidden = false;
  } else {
    notice.replaceChildren(h("h2", {}, "Insights are not available here"), h("p", {}, result.reason));
    notice.hidden = false;
  }
} catch (e) {
  failed(e);
} finally {
  document.getElementById("insights-loading").hidden = true;
  ready();
}
