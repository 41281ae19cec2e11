"""Security headers on every response, as a plain ASGI middleware (no per-request task or copy).

- `Content-Security-Policy`: the console runs only its own scripts and styles (no inline script,
  no inline style, nothing from elsewhere), so an injected `<script>` or `style=` does nothing.
  Two pages differ, each as little as it can: the Insights page embeds the insights report (a
  self-contained HTML file with its own `<style>`) in a sandboxed `srcdoc` frame, which inherits
  the page's policy, so that page allows inline styles (never scripts); FastAPI's `/docs` and
  `/redoc` load Swagger UI and ReDoc from their CDN with an inline start-up script.
- `frame-ancestors`: who may embed the console in a frame: nobody by default, or the helpdesk
  origins in `settings.frame_ancestors` (an app panel in Chatwoot or Zendesk). `X-Frame-Options`
  says the same to browsers that predate CSP (DENY, SAMEORIGIN, or left out when other origins
  are allowed, which it cannot express).
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


def policy(directives: dict[str, str], frame_ancestors: str) -> str:
    return "; ".join(f"{name} {value}" for name, value in
                     {**directives, "frame-ancestors": frame_ancestors or "'none'"}.items())


def frame_options(frame_ancestors: str) -> str | None:
    """X-Frame-Options matching `frame-ancestors`; None where it cannot say the same."""
    if frame_ancestors in ("", "'none'"):
        return "DENY"
    return "SAMEORIGIN" if frame_ancestors == "'self'" else None


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, frame_ancestors: str = "") -> None:
        self.app = app
        ancestors = frame_ancestors or "'none'"
        self.policies = {path: policy(directives, ancestors) for path, directives in _BY_PATH.items()}
        self.default = policy(_BASE, ancestors)
        fixed = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
        framing = frame_options(ancestors)
        if framing:
            fixed["X-Frame-Options"] = framing
        self.fixed = fixed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.policies.get(scope.get("path", ""), self.default)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = csp
                for name, value in self.fixed.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
