"""`calmline integrations check`: is each connected helpdesk set up right, and if not, what to do.

For each helpdesk whose URL is set: are the account, email and token there; does the server
answer; does it accept the token (a cheap authenticated GET: Chatwoot's profile, Zendesk's
users/me); is the webhook signing secret set; may the helpdesk's agent pages show the panel in a
frame (`frame_ancestors`); and, for Chatwoot, do the labels calmline adds exist. Every finding
says plainly what is wrong and how to fix it. One try per call, short timeout: a check must not
hang.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from calmline.catalogue import Catalogue
from calmline.integrations.connect import chatwoot_client, zendesk_client
from calmline.integrations.http import HelpdeskCallError
from calmline.integrations.notes import all_tags
from calmline.settings import Settings, origin_of

Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class Finding:
    helpdesk: str
    what: str
    level: Level
    message: str
    fix: str = ""


def _missing(helpdesk: str, pairs: list[tuple[str, object, str]]) -> list[Finding]:
    return [Finding(helpdesk, "settings", "fail", f"{env} is not set", fix)
            for env, value, fix in pairs if not value]


def _reach(helpdesk: str, url: str, call: Callable[[], Any], token_fix: str
           ) -> tuple[list[Finding], Any]:
    """Findings of one authenticated GET, and its answer (None when it failed)."""
    try:
        return [Finding(helpdesk, "reachable", "ok", f"{url} answers")], call()
    except HelpdeskCallError as exc:
        if exc.status is None:
            return [Finding(helpdesk, "reachable", "fail", f"cannot reach {url}: {exc}",
                            "check the URL and that this machine can open it (proxy, firewall, "
                            "DNS)")], None
        reached = Finding(helpdesk, "reachable", "ok", f"{url} answers")
        if exc.status in (401, 403):
            return [reached, Finding(helpdesk, "credentials", "fail",
                                     f"the token was refused (HTTP {exc.status})", token_fix)], None
        return [reached, Finding(helpdesk, "credentials", "fail", f"unexpected answer: {exc}",
                                 "check that the URL is the helpdesk's own address, with no path")], None


def _secret(helpdesk: str, secret: str, env: str, where: str) -> Finding:
    if secret:
        return Finding(helpdesk, "webhook secret", "ok", "the webhook signing secret is set")
    # a warning, not a failure: the actions and the history import work without it
    return Finding(helpdesk, "webhook secret", "warn", f"{env} is not set",
                   f"copy the secret {where} into {env}: until then the event intake "
                   f"(/v1/integrations/{helpdesk}/events) is off and messages do not reach calmline")


def _allows(source: str, origin: str) -> bool:
    """Whether one frame-ancestors source (an origin, `*.` allowed in the host) covers `origin`."""
    source = source.lower().rstrip("/")
    if "://*." in source:
        scheme, rest = source.split("://*.", 1)
        return origin.startswith(f"{scheme}://") and origin.endswith(f".{rest}")
    return source == origin


def _framing(helpdesk: str, url: str, ancestors: str) -> Finding:
    """May the helpdesk's agent pages (at `url`'s origin) show the panel in a frame?"""
    origin = origin_of(url)
    if any(_allows(source, origin) for source in ancestors.split()):
        return Finding(helpdesk, "panel", "ok", f"{origin} may show the panel in a frame")
    # a warning: the intake, the actions and the history import work without the panel
    return Finding(helpdesk, "panel", "warn",
                   f"{origin} is not in CALMLINE_FRAME_ANCESTORS, so the browser will refuse to show "
                   "calmline's panel inside it", f"add {origin} to CALMLINE_FRAME_ANCESTORS "
                   "(space-separated) and restart calmline")


def check_chatwoot(settings: Settings, catalogue: Catalogue, *,
                   transport: httpx.BaseTransport | None = None) -> list[Finding]:
    name, url = "chatwoot", settings.chatwoot_url
    token_fix = ("in Chatwoot open Profile settings → Access token, copy it into "
                 "CALMLINE_CHATWOOT_API_TOKEN")
    findings = _missing(name, [
        ("CALMLINE_CHATWOOT_ACCOUNT_ID", settings.chatwoot_account_id,
         "the account's number is the N in /app/accounts/N/ of any Chatwoot page's address"),
        ("CALMLINE_CHATWOOT_API_TOKEN", settings.chatwoot_api_token.get_secret_value(), token_fix)])
    client = chatwoot_client(settings, transport=transport)
    if findings or client is None:
        return findings
    try:
        found, profile = _reach(name, url, client.profile, token_fix)
        findings += found
        if profile is not None:
            findings += _chatwoot_account(settings, profile, client, catalogue)
    finally:
        client.close()
    findings.append(_secret(name, settings.chatwoot_webhook_secret.get_secret_value(),
                            "CALMLINE_CHATWOOT_WEBHOOK_SECRET",
                            "Chatwoot shows for calmline's webhook (Settings → Integrations → Webhooks)"))
    findings.append(_framing(name, url, settings.frame_ancestors))
    return findings


def _chatwoot_account(settings: Settings, profile: dict[str, Any], client: Any,
                      catalogue: Catalogue) -> list[Finding]:
    account = settings.chatwoot_account_id
    accounts = {a.get("id"): a for a in profile.get("accounts") or () if isinstance(a, dict)}
    who = profile.get("email") or profile.get("name") or "the token's user"
    if account not in accounts:
        have = ", ".join(f"{i} ({a.get('name')})" for i, a in accounts.items()) or "none"
        return [Finding("chatwoot", "credentials", "fail",
                        f"{who} is not a member of account {account} (member of: {have})",
                        "set CALMLINE_CHATWOOT_ACCOUNT_ID to one of those, or add the user to the "
                        "account in Settings → Agents")]
    findings = [Finding("chatwoot", "credentials", "ok", f"signed in as {who} in account {account} "
                        f"({accounts[account].get('role') or 'agent'})")]
    if "tags" in settings.chatwoot_actions.split(","):
        findings.append(_chatwoot_labels(client, catalogue, settings.helpdesk_tag_prefix))
    return findings


def _chatwoot_labels(client: Any, catalogue: Catalogue, prefix: str) -> Finding:
    wanted = all_tags(catalogue, prefix)
    try:
        answer = client.api.request("GET", f"/api/v1/accounts/{client.account_id}/labels") or {}
    except HelpdeskCallError as exc:
        return Finding("chatwoot", "labels", "warn", f"cannot list the account's labels ({exc})",
                       "an administrator's token can; or check the labels by hand")
    have = {str(label.get("title")) for label in answer.get("payload") or () if isinstance(label, dict)}
    missing = [t for t in wanted if t not in have]
    if not missing:
        return Finding("chatwoot", "labels", "ok", "every label calmline adds exists")
    return Finding("chatwoot", "labels", "warn", "labels calmline adds are missing: " + ", ".join(missing),
                   "create them in Settings → Labels, so agents can see and filter on them")


def check_zendesk(settings: Settings, *, transport: httpx.BaseTransport | None = None) -> list[Finding]:
    name, url = "zendesk", settings.zendesk_url
    token_fix = ("in Zendesk open Admin Center → Apps and integrations → APIs → Zendesk API, turn on "
                 "token access, add a token, copy it into CALMLINE_ZENDESK_API_TOKEN; "
                 "CALMLINE_ZENDESK_EMAIL is the email of an agent or admin")
    findings = _missing(name, [
        ("CALMLINE_ZENDESK_EMAIL", settings.zendesk_email, token_fix),
        ("CALMLINE_ZENDESK_API_TOKEN", settings.zendesk_api_token.get_secret_value(), token_fix)])
    client = zendesk_client(settings, transport=transport)
    if findings or client is None:
        return findings
    try:
        found, me = _reach(name, url, client.me, token_fix)
    finally:
        client.close()
    findings += found
    if me is not None:
        findings.append(_zendesk_user(me, settings.zendesk_email, token_fix))
    findings.append(_secret(name, settings.zendesk_webhook_secret.get_secret_value(),
                            "CALMLINE_ZENDESK_WEBHOOK_SECRET",
                            "of calmline's webhook (Admin Center → Apps and integrations → Webhooks "
                            "→ the webhook → Reveal secret)"))
    findings.append(_framing(name, url, settings.frame_ancestors))
    return findings


def _zendesk_user(me: dict[str, Any], email: str, token_fix: str) -> Finding:
    role = str(me.get("role") or "")
    if me.get("id") is None:
        return Finding("zendesk", "credentials", "fail",
                       f"Zendesk did not recognise {email} with this token (it answered as an "
                       "anonymous user)", token_fix)
    if role == "end-user":
        return Finding("zendesk", "credentials", "fail",
                       f"{email} is an end user: notes, tags and priority need an agent",
                       "use the email of an agent or admin")
    if role != "admin":
        return Finding("zendesk", "credentials", "warn", f"signed in as {email} ({role})",
                       "notes, tags and priority work; the history import needs an admin's token")
    return Finding("zendesk", "credentials", "ok", f"signed in as {email} (admin)")


def check_all(settings: Settings, catalogue: Catalogue, *,
              transport: httpx.BaseTransport | None = None) -> list[Finding]:
    """Findings for every connected helpdesk; one failure when none is connected."""
    findings: list[Finding] = []
    if settings.chatwoot_url:
        findings += check_chatwoot(settings, catalogue, transport=transport)
    if settings.zendesk_url:
        findings += check_zendesk(settings, transport=transport)
    if not findings:
        findings.append(Finding("calmline", "settings", "fail", "no helpdesk is connected",
                                "set CALMLINE_CHATWOOT_URL or CALMLINE_ZENDESK_URL (see "
                                "docs/integrations/)"))
    return findings
