"""GraphClient.send's `on_sent`: called once the request is on the wire, before its answer,
through the real pipeline to the sandbox (tui.graph.request_sent)."""

from __future__ import annotations

import time

import pytest

from tui.graph.auth import StaticTokenCredential
from tui.graph.batch import batch_get
from tui.graph.client import GraphClient, build_graph_client
from tui.graph.errors import Throttled
from tui.graph.models import BatchRead
from tui.graph.retry import RetryPolicy
from tui.sandbox.server import RunningSandbox, start_sandbox

# The sandbox starts its delay once it has read the request, which can be a moment
# before the client's written-callback runs: 0.2988 s was seen for 0.3 s in a full run.
CLOCK_SLACK_S = 0.01
LATENCY_S = 0.3


def _client(sb: RunningSandbox) -> GraphClient:
    """A client on the real pipeline that retries a throttled request once, at once."""
    return build_graph_client(
        StaticTokenCredential(sb.token),
        graph_root=sb.graph_url,
        scopes=["x"],
        retry=RetryPolicy(max_retries=1, base_delay=0),
    )


async def test_on_sent_comes_while_the_answer_is_on_the_way() -> None:
    """The sandbox holds every answer LATENCY_S after it has the whole request: a callback
    made once the request is written comes at least that long before the answer."""
    with start_sandbox(seed="demo", latency_ms=LATENCY_S * 1000) as sb:
        client = _client(sb)
        sent: list[float] = []
        try:
            info = client.request_information("GET", "organization")
            response = await client.send(
                info, what="read", on_sent=lambda: sent.append(time.perf_counter())
            )
            answered = time.perf_counter()
            plain = await client.request("GET", "organization", what="read")  # no on_sent
        finally:
            await client.aclose()
    assert response.status == plain.status == 200
    assert len(sent) == 1
    assert answered - sent[0] >= LATENCY_S - CLOCK_SLACK_S


async def test_on_sent_is_called_once_however_often_the_request_is_retried() -> None:
    with start_sandbox(seed="demo", faults=["429:1@/v1.0/organization"]) as sb:
        client = _client(sb)
        sent: list[str] = []
        try:
            with pytest.raises(Throttled):
                await client.send(
                    client.request_information("GET", "organization"),
                    what="read",
                    on_sent=lambda: sent.append("sent"),
                )
        finally:
            await client.aclose()
        attempts = [r for r in sb.requests if r.path == "/v1.0/organization"]
    assert len(attempts) == 2  # the first try and kiota's one retry
    assert sent == ["sent"]


async def test_a_batch_says_when_it_is_on_the_wire() -> None:
    with start_sandbox(seed="demo", latency_ms=LATENCY_S * 1000) as sb:
        client = _client(sb)
        sent: list[float] = []
        try:
            answers = await batch_get(
                client,
                [BatchRead("org", "organization"), BatchRead("groups", "groups")],
                on_sent=lambda: sent.append(time.perf_counter()),
            )
            answered = time.perf_counter()
        finally:
            await client.aclose()
    assert {a.status for a in answers.values()} == {200}
    assert len(sent) == 1
    assert answered - sent[0] >= LATENCY_S - CLOCK_SLACK_S
