"""`calmline integrations check` against good and bad fake helpdesks."""

from __future__ import annotations

from typer.testing import CliRunner

from calmline.cli.main import app
from tests.integrations.conftest import ACCOUNT, CHATWOOT_TOKEN, ZENDESK_EMAIL, ZENDESK_TOKEN
from tests.integrations.fake_helpdesk import FakeHelpdesk, fixture

ALL_LABELS = ["calmline-supervisor", "calmline-security", "calmline-wellbeing", "calmline-legal",
              "calmline-compliance", "calmline-social-media", "calmline-retention"]


def _env(chatwoot: FakeHelpdesk | None = None, zendesk: FakeHelpdesk | None = None,
         **extra: str) -> dict[str, str]:
    env = {"CALMLINE_CHATWOOT_URL": chatwoot.url if chatwoot else "",
           "CALMLINE_CHATWOOT_ACCOUNT_ID": str(ACCOUNT), "CALMLINE_CHATWOOT_API_TOKEN": CHATWOOT_TOKEN,
           "CALMLINE_CHATWOOT_WEBHOOK_SECRET": "cw-secret",
           "CALMLINE_ZENDESK_URL": zendesk.url if zendesk else "",
           "CALMLINE_ZENDESK_EMAIL": ZENDESK_EMAIL, "CALMLINE_ZENDESK_API_TOKEN": ZENDESK_TOKEN,
           "CALMLINE_ZENDESK_WEBHOOK_SECRET": "zd-secret"}
    env.update(extra)
    return env


def _check(env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["integrations", "check"], env=env)
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def _labels(chatwoot: FakeHelpdesk, titles: list[str]) -> None:
    labels = [{"id": i, "title": t, "color": "#1f93ff"} for i, t in enumerate(titles)]
    chatwoot.route("GET", "/api/v1/accounts/3/labels", (200, {"payload": labels}))


def test_good_helpdesks_pass(chatwoot: FakeHelpdesk, zendesk: FakeHelpdesk) -> None:
    _labels(chatwoot, ALL_LABELS)
    code, out = _check(_env(chatwoot, zendesk))
    assert code == 0, out
    assert "signed in as calmline@example.com in account 3" in out
    assert "signed in as calmline@example.com (admin)" in out and out.endswith("ready")
    [profile] = chatwoot.sent("GET", "/api/v1/profile")
    assert profile.headers["api_access_token"] == CHATWOOT_TOKEN
    [me] = zendesk.sent("GET", "/api/v2/users/me.json")
    assert me.headers["authorization"].startswith("Basic ")


def test_refused_token_fails_and_says_where_to_get_one(chatwoot: FakeHelpdesk) -> None:
    chatwoot.route("GET", "/api/v1/profile", (401, {"errors": ["Invalid Access Token"]}))
    code, out = _check(_env(chatwoot))
    assert code == 1
    assert "the token was refused (HTTP 401)" in out and "Profile settings → Access token" in out
    assert "1 problem to fix" in out


def test_wrong_account_names_the_accounts_the_user_is_in(chatwoot: FakeHelpdesk) -> None:
    _labels(chatwoot, ALL_LABELS)
    code, out = _check(_env(chatwoot, CALMLINE_CHATWOOT_ACCOUNT_ID="9"))
    assert code == 1 and "not a member of account 9 (member of: 3 (Acme Support))" in out


def test_missing_labels_are_a_warning_not_a_failure(chatwoot: FakeHelpdesk) -> None:
    _labels(chatwoot, ["calmline-legal"])
    code, out = _check(_env(chatwoot))
    assert code == 0
    assert "labels calmline adds are missing: calmline-supervisor, calmline-security" in out
    assert "Settings → Labels" in out


def test_zendesk_anonymous_answer_fails(zendesk: FakeHelpdesk) -> None:
    zendesk.route("GET", "/api/v2/users/me.json", (200, fixture("zendesk/show_current_user_anonymous.json")))
    code, out = _check(_env(zendesk=zendesk))
    assert code == 1
    assert "Zendesk did not recognise calmline@example.com" in out and "1 problem to fix" in out


def test_missing_webhook_secret_is_named_with_where_to_find_it(zendesk: FakeHelpdesk) -> None:
    code, out = _check(_env(zendesk=zendesk, CALMLINE_ZENDESK_WEBHOOK_SECRET=""))
    assert "warn zendesk webhook secret CALMLINE_ZENDESK_WEBHOOK_SECRET is not set" in out
    assert "Reveal secret" in out
    assert code == 0  # the event intake that needs it is the next step: a warning until then


def test_zendesk_agent_token_warns_about_history() -> None:
    fake = FakeHelpdesk()
    user = fixture("zendesk/show_current_user.json")
    user["user"]["role"] = "agent"
    fake.route("GET", "/api/v2/users/me.json", (200, user))
    with fake.running():
        code, out = _check(_env(zendesk=fake))
    assert code == 0 and "the history import needs an admin's token" in out


def test_unreachable_and_unconfigured() -> None:
    closed = FakeHelpdesk()
    closed.server.server_close()
    code, out = _check(_env(zendesk=closed))
    assert code == 1 and f"cannot reach {closed.url}" in out
    code, out = _check(_env(CALMLINE_CHATWOOT_URL="http://127.0.0.1:9", CALMLINE_CHATWOOT_API_TOKEN=""))
    assert code == 1 and "CALMLINE_CHATWOOT_API_TOKEN is not set" in out
    code, out = _check(_env())
    assert code == 1 and "no helpdesk is connected" in out


def test_the_panel_framing_is_checked_against_each_helpdesk_origin(chatwoot: FakeHelpdesk,
                                                                   zendesk: FakeHelpdesk) -> None:
    _labels(chatwoot, ALL_LABELS)
    code, out = _check(_env(chatwoot, zendesk, CALMLINE_FRAME_ANCESTORS=chatwoot.url))
    assert code == 0, out  # a warning: everything but the panel works without it
    zendesk_origin = zendesk.url.rstrip("/").lower()
    assert f"{chatwoot.url.rstrip('/').lower()} may show the panel in a frame" in out
    assert (f"{zendesk_origin} is not in CALMLINE_FRAME_ANCESTORS, so the browser will refuse to "
            "show calmline's panel inside it") in out
    assert f"add {zendesk_origin} to CALMLINE_FRAME_ANCESTORS" in out
    code, out = _check(_env(chatwoot, zendesk,
                            CALMLINE_FRAME_ANCESTORS=f"{chatwoot.url} {zendesk.url}"))
    assert "is not in CALMLINE_FRAME_ANCESTORS" not in out


def test_a_wildcard_source_covers_subdomains_only_with_its_scheme() -> None:
    from calmline.integrations.check import _allows
    from calmline.settings import origin_of

    assert origin_of("https://Acme.Zendesk.com:443/agent/") == "https://acme.zendesk.com"
    assert origin_of("not a url") == ""
    assert _allows("https://*.zendesk.com", "https://acme.zendesk.com")
    assert not _allows("https://*.zendesk.com", "http://acme.zendesk.com")
    assert not _allows("https://*.zendesk.com", "https://zendesk.com.evil.example")
    assert not _allows("https://chat.example.com", "https://chat.example.com:8443")
