"""Security headers on every response, as a plain ASGI middleware (no per-request task or copy).

- `Content-Security-Policy`: the console runs only its own scripts and styles (no inline script,
  no inline style, nothing from elsewhere), so an injected `<script>` or `style=` does nothing.
  Two pages differ, each as little as it can: the Insights page embeds the insights report (a
  self-contained HTML file with its own `<style>`) in a sandboxed `srcdoc` frame, which inherits
  the page's policy, so that page allows inline styles (never scripts); FastAPI's `/docs` and
  `/redoc` load Swagger UI and ReDoc from their CDN with an inline start-up script.
- `frame-ancestors`: who may embed a page in a frame. Only the helpdesk panel (`/console/panel/...`,
  the copilot in a Chatwoot dashboard app or a Zendesk ticket sidebar) may be framed, and only by
  the origins in `settings.frame_ancestors`; every other page says 'none', so a configured
  helpdesk cannot frame the rest of the console (clickjacking). `X-Frame-Options` says the same
  to browsers that predate CSP (DENY, SAMEORIGIN, or left out when other origins are allowed,
  which it cannot express). In Zendesk's sidebar the panel loads Zendesk's own Apps framework
  SDK from Zendesk's CDN (the only script from elsewhere, and only on that page).
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`: a JSON answer is never run
  as a script, and no URL of a case leaves with a link someone follows.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BASE = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
    "img-src": "'self' data:", "font-src": "'self'", "connect-src": "'self'",
    "object-src": "'none'", "base-uri": "'none'", "form-action": "'self'",
}
# the insights report's own <style> in its srcdoc frame (scripts stay 'self' only)
_INSIGHTS = {**_BASE, "style-src": "'self' 'unsafe-inline'"}
# FastAPI's interactive docs: Swagger UI and ReDoc from jsDelivr, their inline start-up script
_CDN = "https://cdn.jsdelivr.net"
_DOCS = {**_BASE, "script-src": f"'self' 'unsafe-inline' {_CDN}",
         "style-src": f"'self' 'unsafe-inline' {_CDN} https://fonts.googleapis.com",
         "img-src": "'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
         "font-src": "'self' https://fonts.gstatic.com", "worker-src": "'self' blob:"}
_BY_PATH = {"/console/insights": _INSIGHTS, "/docs": _DOCS, "/docs/oauth2-redirect": _DOCS,
            "/redoc": _DOCS}
# the helpdesk panel: calmline's own, Chatwoot's dashboard app, Zendesk's ticket sidebar (a path
# each, not a query: Zendesk adds its own query parameters to an app's URL)
PANELS = ("/console/panel", "/console/panel/chatwoot", "/console/panel/zendesk")
# the Zendesk Apps framework SDK, as Zendesk's docs say to load it (the panel in Zendesk mode)
ZAF_SDK = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
_PANEL = {**_BASE, "script-src": "'self' https://static.zdassets.com"}


def policy(directives: dict[str, str], frame_ancestors: str) -> str:
    return "; ".join(f"{name} {value}" for name, value in
                     {**directives, "frame-ancestors": frame_ancestors or "'none'"}.items())


def frame_options(frame_ancestors: str) -> str | None:
    """X-Frame-Options matching `frame-ancestors`; None where it cannot say the same."""
    if frame_ancestors in ("", "'none'"):
        return "DENY"
    return "SAMEORIGIN" if frame_ancestors == "'self'" else None


def _headers(directives: dict[str, str], frame_ancestors: str) -> dict[str, str]:
    found = {"Content-Security-Policy": policy(directives, frame_ancestors),
             "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
    framing = frame_options(frame_ancestors)
    if framing:
        found["X-Frame-Options"] = framing
    return found


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, frame_ancestors: str = "") -> None:
        self.app = app
        self.by_path = {path: _headers(directives, "'none'") for path, directives in _BY_PATH.items()}
        for path in PANELS:
            self.by_path[path] = _headers(_PANEL, frame_ancestors or "'none'")
        self.default = _headers(_BASE, "'none'")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fixed = self.by_path.get(scope.get("path", ""), self.default)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in fixed.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
