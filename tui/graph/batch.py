"""`$batch` reads: up to 20 GETs in one round trip, built with msgraph-core's BatchRequestContent.

msgraph-core 1.5.2 needs the `Deprecated` package for batching without declaring
it (we depend on it, see pyproject.toml). Three of its quirks are worked around
here rather than re-implemented:
- `add_request_information` ignores the id it is given, so items are built with
  their id and added with `add_request`;
- items keep the absolute URL (its version-stripping regex never matches), but
  Graph wants the URL relative to `/v1.0` or `/beta`;
- `depends_on` is serialised under that name instead of Graph's `dependsOn`, and
  `BatchResponseContent` drops JSON object bodies (microsoft/kiota-python#737),
  so the payload is normalised and the answer parsed here.
Throttled sub-requests (429/503/504 inside a 200 batch) are retried, honouring
their Retry-After, up to the client's retry policy, and reported like top-level
throttling.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tui.graph.batch_items import BatchAnswer, BatchRead
from tui.graph.client import GraphClient
from tui.graph.errors import GraphError, error_from_response
from tui.graph.retry import RETRIED_STATUSES, RetryNotice, parse_retry_after

MAX_BATCH = 20  # Graph's limit per $batch
MAX_INNER_WAIT = 60.0  # seconds; longer Retry-After inside a batch -> give the 429 back


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, Mapping | list):
        return json.dumps(body).encode()
    if isinstance(body, str):
        try:
            return base64.b64decode(body, validate=True)
        except ValueError:
            return body.encode()
    return json.dumps(body).encode()


async def _post_batch(
    client: GraphClient,
    reads: Sequence[BatchRead],
    version: str,
    on_sent: Callable[[], None] | None = None,
) -> dict[str, BatchAnswer]:
    from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
    from msgraph_core.requests.batch_request_content import BatchRequestContent
    from msgraph_core.requests.batch_request_item import BatchRequestItem

    content = BatchRequestContent()
    for read in reads:
        info = client.request_information(
            "GET",
            read.path,
            version=version,
            query=dict(read.query),
            headers=dict(read.headers),
            as_given=read.as_given,
        )
        item = BatchRequestItem(info, id=read.id)
        item.url = client.relative_url(str(info.url))
        content.add_request(read.id, item)
    info = await BatchRequestBuilder(client.adapter).to_post_request_information(content)
    payload = json.loads(info.content or b"{}")
    for request in payload.get("requests", []):
        depends = request.pop("depends_on", None)
        if depends:
            request["dependsOn"] = depends
    info.url = client.url("$batch", version)
    info.content = json.dumps(payload).encode()
    response = await client.send(
        info, what="read several settings at once ($batch)", on_sent=on_sent
    )
    answers: dict[str, BatchAnswer] = {}
    for raw in response.json().get("responses", []):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            continue
        headers = raw.get("headers")
        answers[raw["id"]] = BatchAnswer(
            id=raw["id"],
            status=int(raw.get("status") or 0),
            headers=tuple((str(k), str(v)) for k, v in headers.items())
            if isinstance(headers, Mapping)
            else (),
            body=_body_bytes(raw.get("body")),
        )
    return answers


async def batch_get(
    client: GraphClient,
    reads: Sequence[BatchRead],
    *,
    version: str = "v1.0",
    on_sent: Callable[[], None] | None = None,
) -> dict[str, BatchAnswer]:
    """Run `reads` as `$batch` GETs (20 per round trip); answers by read id.

    A sub-request's failure is returned in its answer (see `BatchAnswer.status`),
    not raised: the caller maps it with the read's own scope. The batch request
    itself failing raises a GraphError. `on_sent`: called once the first `$batch` of
    more than 20 reads, or the only one, is on the wire (GraphClient.send).
    """
    ids = [r.id for r in reads]
    if len(set(ids)) != len(ids):
        raise ValueError("batch read ids must be unique")
    answers: dict[str, BatchAnswer] = {}
    pending = list(reads)
    attempt = 0
    while pending:
        for start in range(0, len(pending), MAX_BATCH):
            chunk = pending[start : start + MAX_BATCH]
            answers.update(await _post_batch(client, chunk, version, on_sent))
            on_sent = None
        missing = [r.id for r in pending if r.id not in answers]
        if missing:
            raise GraphError(f"Graph's $batch answer left out {', '.join(missing)}")
        throttled = [r for r in pending if answers[r.id].status in RETRIED_STATUSES]
        if not throttled:
            break
        waits = [
            parse_retry_after(
                dict((k.lower(), v) for k, v in answers[r.id].headers).get("retry-after")
            )
            for r in throttled
        ]
        wait = max((w for w in waits if w is not None), default=client.retry.base_delay)
        will_retry = attempt < client.retry.max_retries and wait <= MAX_INNER_WAIT
        for read in throttled:
            client.notify_retry(
                RetryNotice(
                    status=answers[read.id].status,
                    attempt=attempt + 1,
                    will_retry=will_retry,
                    retry_after=wait,
                    method="GET",
                    url=client.url(read.path, version, dict(read.query)),
                )
            )
        if not will_retry:
            break
        attempt += 1
        await asyncio.sleep(wait)
        pending = throttled
    return answers


def answer_error(answer: BatchAnswer, what: str, scopes: Sequence[str]) -> GraphError:
    """The GraphError a failed sub-request stands for, named by the caller's read and scope."""
    return error_from_response(
        answer.status, dict(answer.headers), answer.body, what=what, required_scopes=scopes
    )


def answer_json(answer: BatchAnswer) -> Any:
    """A sub-request's JSON body ({} when it has none)."""
    return json.loads(answer.body) if answer.body else {}


async def group_answers(client: GraphClient, ids: Sequence[str]) -> dict[str, BatchAnswer]:
    """Each group's `GET /groups/{id}?$select=id,displayName` answer by id, in one `$batch`
    (none for no ids); the callers differ only in what a missing group means."""
    reads = [
        BatchRead(f"n{i}", f"groups/{gid}", (("$select", "id,displayName"),))
        for i, gid in enumerate(ids)
    ]
    answers = await batch_get(client, reads) if reads else {}
    return {gid: answers[read.id] for read, gid in zip(reads, ids, strict=True)}
