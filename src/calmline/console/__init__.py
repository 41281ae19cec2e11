"""The agent console and supervisor dashboard: Jinja2 page shells plus plain JS over the /v1 API.

`mount(app)` adds the pages under `/console`, their static files under `/console/static`, a few
console-only helpers under `/console/api` and a redirect from `/` to the console. Pages are served
without a key; every piece of data is fetched by the browser with the user's API key (kept in
the browser's storage and sent as `Authorization: Bearer KEY`), so the console sees exactly what
the API lets that key see.
"""

from __future__ import annotations

from calmline.console.mount import mount

__all__ = ["mount"]
