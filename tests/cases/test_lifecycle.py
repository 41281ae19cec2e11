"""Any sequence of case operations keeps the case's rules (hypothesis, on both databases).

Messages get seq 1..n in the order they were recorded; a closed case takes no more messages;
closing as resolved with an open follow-up needs a reason; a follow-up closes only with a result;
every state change leaves exactly one audit entry.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from calmline.cases import agents, conversations, db, followups
from calmline.cases.errors import ConflictError
from calmline.cases.intake import Incoming, record_message
from calmline.cases.models import AuditEntry, utcnow
from calmline.cases.wellbeing import WellbeingPolicy

POLICY = WellbeingPolicy()
OPS = st.lists(st.one_of(
    st.tuples(st.just("say"), st.sampled_from(["customer", "agent"])),
    st.tuples(st.just("promise"), st.integers(-48, 48)),
    st.tuples(st.just("complete"), st.sampled_from(["", "called back", "  "])),
    st.tuples(st.just("close"), st.sampled_from(["resolved", "abandoned"]),
              st.sampled_from([None, "", "customer confirmed by phone"])),
), max_size=12)


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_sequence_keeps_the_rules(factory: sessionmaker[Session], ops: list[tuple[object, ...]]
                                      ) -> None:
    with db.transaction(factory) as s:
        owner = agents.agent_by_name(s, name="owner") or agents.create_agent(s, name="owner",
                                                                             role="agent")[0]
        conv = conversations.create_conversation(s, agent_id=owner.id).id
        audits_before = s.scalar(select(func.count()).select_from(AuditEntry)) or 0
    said, open_followups, closed, changes = 0, [], False, 1  # "created" was the first change
    for op in ops:
        try:
            with db.transaction(factory) as s:
                if op[0] == "say":
                    record_message(s, conversation_id=conv, actor_id=owner.id, policy=POLICY,
                                   incoming=Incoming(role=str(op[1]), text=f"m{said + 1}"))
                elif op[0] == "promise":
                    made = followups.create_followup(
                        s, conversation_id=conv, what="call back", owner_id=owner.id,
                        due=utcnow() + timedelta(hours=int(str(op[1]))))
                    fid = made.id
                elif op[0] == "complete":
                    if not open_followups:
                        continue
                    followups.complete(s, followup_id=open_followups[0], result=str(op[1]),
                                       actor_id=owner.id)
                else:
                    conversations.close_conversation(s, conversation_id=conv, outcome=op[1],  # type: ignore[arg-type]
                                                     reason=op[2], actor_id=owner.id)  # type: ignore[arg-type]
        except ConflictError:
            if op[0] == "say":
                assert closed
            elif op[0] == "complete":
                assert not str(op[1]).strip()
            else:
                assert op[0] == "close"
                assert closed or (op[1] == "resolved" and open_followups and not (op[2] or "").strip())
            continue
        changes += 1
        if op[0] == "say":
            assert not closed
            said += 1
        elif op[0] == "promise":
            open_followups.append(fid)
        elif op[0] == "complete":
            open_followups.pop(0)
        else:
            assert not closed
            closed = True
    with factory() as s:
        stored = conversations.messages_of(s, conversation_id=conv)
        assert [m.seq for m in stored] == list(range(1, said + 1))
        assert [m.text for m in stored] == [f"m{i}" for i in range(1, said + 1)]
        case = conversations.get_conversation(s, conversation_id=conv)
        assert (case.status == "closed") == closed and case.message_count == said
        still_open = followups.list_followups(s, status="open", conversation_id=conv)
        assert sorted(f.id for f in still_open) == sorted(open_followups)
        audits = (s.scalar(select(func.count()).select_from(AuditEntry)) or 0) - audits_before
        assert audits == changes - 1  # every change after "created", exactly once

