"""Schemathesis over the app's own OpenAPI: every operation, a few generated requests each,
with a supervisor's key, on SQLite and on PostgreSQL (which refuses what SQLite lets through:
over-long strings, NUL characters, integers past the column); no request may get a 5xx, an
undocumented status or a response that breaks its schema.

(The pytest plugin's lazy `from_fixture` loader does not work with this pytest, so each operation's
hypothesis strategy is driven directly.)
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.service.conftest import Api

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def test_api_never_fails(api: Api) -> None:
    # the JSON API; the console's own routes (mounted on the same app) are the console's tests' job
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app).include(
        path_regex="^/(v1/|healthz)")
    for conv in range(3):  # something for the generated ids to hit
        api.say(api.conversation(), f"My order {conv} is late and I want a refund!",
                       suggestions="false")
    headers = api.h("supervisor")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:

        @settings(max_examples=8, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(), data=st.data())
        def run(case: schemathesis.Case, data: st.DataObject) -> None:
            statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert len(statuses) >= 3 * len(operations)
    assert any(200 <= code < 300 for code in statuses) and any(code >= 400 for code in statuses)
