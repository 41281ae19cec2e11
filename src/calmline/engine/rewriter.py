"""An optional LLM rewriter behind the composer's `Rewriter` interface. Off by default.

`LLMRewriter(url)` calls an OpenAI-compatible chat-completions endpoint (stdlib urllib, no extra
dependency) with the moment, the customer's facts and the template suggestions, and asks for one
better reply. It is only built when CALMLINE_LLM_URL is set (`rewriter_from_env`), it never sees
anything the templates do not already use, and whatever it returns goes through `review` like
every other suggestion before anyone sees it. Any failure (network, timeout, bad JSON) means "no
proposal", never an error for the agent.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from calmline.engine.moment import Moment

ENV_URL = "CALMLINE_LLM_URL"
ENV_MODEL = "CALMLINE_LLM_MODEL"
ENV_KEY = "CALMLINE_LLM_API_KEY"
_SYSTEM = ("You help a customer-support agent de-escalate. Write ONE short reply (max 80 words) to "
           "the customer. Acknowledge the feeling, apologise once, repeat the issue back, take "
           "ownership and give a real time for the next step. Never invent facts such as order "
           "numbers, amounts or dates; write [placeholders] for anything unknown. No excuses, no "
           "blame, no 'calm down', no guarantees. Reply with the message text only.")


@dataclass(frozen=True, slots=True)
class LLMRewriter:
    """Proposes one reply via POST {url} (OpenAI chat-completions request and response shape)."""

    url: str
    model: str = "default"
    api_key: str | None = None
    timeout: float = 10.0
    max_chars: int = 1200

    def propose(self, moment: Moment, drafts: Sequence[str]) -> str | None:
        try:
            reply = self._post(self._payload(moment, drafts))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError):
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
        return {"model": self.model, "temperature": 0.3,
                "messages": [{"role": "system", "content": _SYSTEM},
                             {"role": "user", "content": user}]}

    def _post(self, payload: dict[str, Any]) -> Any:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, json.dumps(payload).encode("utf-8"), headers,
                                         method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return json.loads(response.read(1_000_000).decode("utf-8"))


def _content(reply: Any, max_chars: int) -> str | None:
    try:
        text = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip().strip('"')[:max_chars]


def rewriter_from_env(env: Mapping[str, str] | None = None) -> LLMRewriter | None:
    """The LLM rewriter when CALMLINE_LLM_URL names an http(s) endpoint, else None (the default)."""
    values = os.environ if env is None else env
    url = values.get(ENV_URL, "").strip()
    if not url.startswith(("http://", "https://")):
        return None
    return LLMRewriter(url, values.get(ENV_MODEL, "default"), values.get(ENV_KEY) or None)
