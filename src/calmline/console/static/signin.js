import { ApiError, api, demoKeys, getKey, h, ready, setKey } from "./common.js";

const params = new URLSearchParams(location.search);
const next = params.get("next") && params.get("next").startsWith("/console") ? params.get("next") : "/console/";
const form = document.getElementById("signin-form");
const error = document.getElementById("signin-error");

async function signIn(key, remember) {
  error.hidden = true;
  try {
    await api("/v1/me", { key });
  } catch (e) {
    error.textContent = e instanceof ApiError && e.status === 401 ? "That key is not valid (unknown or revoked)." : `Could not sign in: ${e.message}`;
    error.hidden = false;
    return;
  }
  setKey(key, remember);
  location.assign(next);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  signIn(document.getElementById("key").value.trim(), document.getElementById("remember").checked);
});

const known = demoKeys();
if (known.length) {
  document.getElementById("demo-users").hidden = false;
  document.getElementById("demo-user-list").replaceChildren(...known.map((u) => h("li", {},
    h("span", {}, u.name, " ", h("span", { class: "role-tag" }, u.role)),
    h("button", { type: "button", class: "btn small", onclick: () => signIn(u.key, document.getElementById("remember").checked) }, `Sign in as ${u.name.split(" ")[0]}`))));
}
if (getKey()) {
  api("/v1/me", { key: getKey() }).then((me) => {
    const note = document.getElementById("signed-in");
    note.replaceChildren(`Signed in as ${me.name} (${me.role}). `, h("a", { href: next }, "Continue"), " or use another key.");
    note.hidden = false;
  }).catch(() => {});
}
ready();
