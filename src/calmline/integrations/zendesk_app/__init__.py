"""calmline's Zendesk ticket-sidebar app: a Zendesk Apps Framework (ZAF v2) package to upload as a
private app (docs/integrations/zendesk.md), built by `make zendesk-app`.

The app is remote-hosted: its manifest points the ticket sidebar at calmline's own panel page,
`<calmline>/console/panel/zendesk`, so the app is the same panel as Chatwoot's and the console's
and ships no copy of calmline's scripts. That page loads the ZAF SDK from Zendesk's CDN (the only
page whose policy allows it) and calls calmline through `client.request` with `secure: true`:
Zendesk's proxy puts the app's secure setting `calmline_key` into the Authorization header on its
servers, so the key never reaches an agent's browser. Secure settings need the target host in the
manifest's `domainWhitelist`, and calmline must be reachable from Zendesk's servers over HTTPS.

The package: `manifest.json`, `translations/en.json` (the app's texts and the setting's label)
and the two logos Zendesk asks for, drawn here so the build needs nothing else.
"""

from calmline.integrations.zendesk_app.package import build_app, manifest

__all__ = ["build_app", "manifest"]
