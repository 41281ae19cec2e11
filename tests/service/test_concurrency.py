"""Concurrent writers to one conversation through the API: no message lost or doubled, order kept."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.service.conftest import Api

WRITERS, EACH = 6, 8


def test_concurrent_posts_to_one_conversation(api: Api) -> None:
    conv = api.conversation()
    url = f"/v1/conversations/{conv}/messages"

    def writer(n: int) -> list[int]:
        seqs = []
        for i in range(EACH):
            kind = ("customer", "agent")[i % 2]
            poster = "supervisor" if kind == "customer" else "agent"  # the helpdesk posts customers'
            response = api.client.post(url, params={"suggestions": "false"}, headers=api.h(poster),
                                       json={"role": kind, "text": f"writer {n} message {i}"})
            assert response.status_code == 201, response.text
            seqs.append(int(response.json()["seq"]))
        return seqs

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        answered = list(pool.map(writer, range(WRITERS)))
    stored = api.client.get(f"/v1/conversations/{conv}", headers=api.h("agent")).json()
    texts = [m["text"] for m in stored["messages"]]
    assert [m["seq"] for m in stored["messages"]] == list(range(1, WRITERS * EACH + 1))
    assert sorted(texts) == sorted(f"writer {n} message {i}" for n in range(WRITERS) for i in range(EACH))
    assert stored["message_count"] == WRITERS * EACH
    for n, seqs in enumerate(answered):
        assert seqs == sorted(seqs)  # what each writer was told matches the order it sent in
        mine = [t for t in texts if t.startswith(f"writer {n} ")]
        assert mine == [f"writer {n} message {i}" for i in range(EACH)]
