"""An optional LLM rewriter behind the composer's `Rewriter` interface. Off by default.

`LLMRewriter(url)` calls an OpenAI-compatible chat-completions endpoint (Ollama, vLLM and
llama.cpp's server all speak it: see docs/llm.md) with httpx and a hard timeout, sending the
conversation's recent turns, the moment, the customer's facts and the template suggestions, and
asks for one better reply. It is built only when a URL is configured (settings `llm_url`, or
CALMLINE_LLM_URL for the CLI). Whatever it returns is reviewed like every other suggestion before
anyone sees it, and a reply that invents a fact is dropped (calmline.engine.composer). Any failure
(refused, slow, an HTTP error, bad JSON) means "no proposal", never an error for the agent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from calmline.engine.moment import Moment

ENV_URL = "CALMLINE_LLM_URL"
ENV_MODEL = "CALMLINE_LLM_MODEL"
ENV_KEY = "CALMLINE_LLM_API_KEY"
ENV_TIMEOUT = "CALMLINE_LLM_TIMEOUT_SECONDS"
_PATH = "/chat/completions"
_SYSTEM = ("You help a customer-support agent de-escalate. Write ONE short reply (max 80 words) to "
           "the customer. Acknowledge the feeling, apologise once, repeat the issue back in the "
           "customer's own words, take ownership and give a real time for the next step. Never "
           "invent facts such as order numbers, amounts, dates or days: use only those in the "
           "conversation and the template suggestions, and write [placeholders] for anything "
           "unknown. No excuses, no blame, no 'calm down', no guarantees. Reply with the message "
           "text only.")


def endpoint(url: str) -> str:
    """The chat-completions URL from what a team configures: the server's base
    (http://localhost:11434), its /v1, or the full endpoint."""
    url = url.strip().rstrip("/")
    if url.endswith(_PATH):
        return url
    return url + (_PATH if url.endswith("/v1") else "/v1" + _PATH)


@dataclass(frozen=True, slots=True)
class LLMRewriter:
    """Proposes one reply via POST {url} (OpenAI chat-completions request and response shape)."""

    url: str
    model: str = "default"
    api_key: str | None = None
    timeout: float = 5.0
    max_chars: int = 1200

    def propose(self, moment: Moment, drafts: Sequence[str]) -> str | None:
        try:
            reply = self._post(self._payload(moment, drafts))
        except (httpx.HTTPError, ValueError):  # refused, timed out, HTTP error, not JSON
            return None
        return _content(reply, self.max_chars)

    def _payload(self, moment: Moment, drafts: Sequence[str]) -> dict[str, Any]:
        turns = [f"{t.role}: {t.text[:500]}" for t in moment.turns[-8:]]
        facts = [f"{f.kind}: {f.value}" for f in moment.customer.facts]
        user = ("Conversation (latest last):\n" + "\n".join(turns)
                + f"\n\nMoment: {moment.kind} (stage {moment.state.stage})"
                + f"\nFacts the customer gave: {'; '.join(facts) or 'none'}"
                + "\nTemplate suggestions:\n" + "\n".join(f"- {d}" for d in drafts)
                + "\n\nWrite a better reply for this moment.")
        return {"model": self.model, "temperature": 0.3, "stream": False,
                "messages": [{"role": "system", "content": _SYSTEM},
                             {"role": "user", "content": user}]}

    def _post(self, payload: dict[str, Any]) -> Any:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        response = httpx.post(endpoint(self.url), json=payload, headers=headers,
                              timeout=self.timeout, follow_redirects=False)
        response.raise_for_status()
        return response.json()


def _content(reply: Any, max_chars: int) -> str | None:
    try:
        text = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip().strip('"')[:max_chars]


def build_rewriter(url: str | None, model: str | None = None, api_key: str | None = None,
                   timeout: float = 5.0) -> LLMRewriter | None:
    """The LLM rewriter when `url` is an http(s) URL, else None (the default: off)."""
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")):
        return None
    return LLMRewriter(url, model or "default", api_key or None, timeout)


def rewriter_from_env(env: Mapping[str, str] | None = None) -> LLMRewriter | None:
    """The LLM rewriter when CALMLINE_LLM_URL names an http(s) endpoint, else None (the default)."""
    values = os.environ if env is None else env
    try:
        timeout = float(values.get(ENV_TIMEOUT) or 5.0)
    except ValueError:
        timeout = 5.0
    return build_rewriter(values.get(ENV_URL), values.get(ENV_MODEL), values.get(ENV_KEY),
                          max(0.1, min(timeout, 120.0)))
