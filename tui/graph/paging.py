"""Read whole collections fast: every collection's next page in the same `$batch`.

`@odata.nextLink` paging is sequential within one collection, but several collections
(the members of each target group, the managed devices) can advance together: each
round trip carries the next page of up to 20 of them ($batch, graph.md "Prerequisite
reads": up to 20 requests), and batches for more than 20 go out concurrently. A
nextLink is sent back inside the batch relative to the version root, as Graph wants
batch urls; a link that points outside the client's Graph root is refused.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from tui.graph import parse
from tui.graph.batch import MAX_BATCH, answer_error, batch_get
from tui.graph.client import GraphClient
from tui.graph.errors import GraphError
from tui.graph.models import BatchAnswer, BatchRead

MAX_PAGES = 2_000  # per collection: 2 million objects at 1,000 a page, a safety net
# $batch requests in flight at once: many small collections (the audit reads one
# assignment list per app) must not burst hundreds of batches at Graph's throttling.
MAX_IN_FLIGHT = 4


@dataclass(frozen=True)
class CollectionRead:
    """One collection to read in full: its first page, and what a failure is about."""

    read: BatchRead
    what: str  # "read the members of group X", for the error message
    scopes: tuple[str, ...] = ()


def link_read(client: GraphClient, key: str, link: str, version: str, what: str) -> BatchRead:
    """The GET of an `@odata.nextLink`, as a batch item (relative to the version root)."""
    prefix = f"{client.graph_root}/{version}/"
    if not link.startswith(prefix):
        raise GraphError(f"Could not {what}: Graph returned a link outside {prefix}")
    parts = urlsplit(link)
    path = parts.path[len(urlsplit(prefix).path) :]
    query = tuple(parse_qsl(parts.query, keep_blank_values=True))
    return BatchRead(key, path, query, as_given=True)


async def _round(
    client: GraphClient, reads: list[BatchRead], version: str
) -> dict[str, BatchAnswer]:
    chunks = [reads[i : i + MAX_BATCH] for i in range(0, len(reads), MAX_BATCH)]
    gate = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def one(chunk: list[BatchRead]) -> dict[str, BatchAnswer]:
        async with gate:
            return await batch_get(client, chunk, version=version)

    answers: dict[str, BatchAnswer] = {}
    for part in await asyncio.gather(*(one(c) for c in chunks)):
        answers.update(part)
    return answers


async def read_collections(
    client: GraphClient, collections: Sequence[CollectionRead], *, version: str = "v1.0"
) -> dict[str, list[parse.Json]]:
    """Every item of every collection, by read id. A failed page raises the GraphError
    of that read (its permission named); nothing partial is returned."""
    items, _cut = await read_collections_capped(client, collections, MAX_PAGES, version=version)
    return items


async def read_collections_capped(
    client: GraphClient,
    collections: Sequence[CollectionRead],
    max_pages: int,
    *,
    version: str = "v1.0",
) -> tuple[dict[str, list[parse.Json]], frozenset[str]]:
    """Like read_collections, but at most `max_pages` pages of each collection: the
    items read, and the ids of the collections that had more (a bounded read, e.g. the
    members of groups that may be huge)."""
    cut: set[str] = set()
    ids = [c.read.id for c in collections]
    if len(set(ids)) != len(ids):
        raise ValueError("collection read ids must be unique")
    about = {c.read.id: c for c in collections}
    items: dict[str, list[parse.Json]] = {key: [] for key in ids}
    pages = dict.fromkeys(ids, 0)
    pending = [c.read for c in collections]
    while pending:
        answers = await _round(client, pending, version)
        following: list[BatchRead] = []
        for read in pending:
            answer, known = answers[read.id], about[read.id]
            if not answer.ok:
                raise answer_error(answer, known.what, known.scopes)
            try:
                body = parse.entity(json.loads(answer.body or b"{}"), known.what)
            except (ValueError, RecursionError):
                raise GraphError(
                    f"Could not {known.what}: Graph answered with a body that is not JSON"
                ) from None
            items[read.id].extend(parse.items(body))
            link = parse.text(body, "@odata.nextLink")
            pages[read.id] += 1
            if link and pages[read.id] < max_pages:
                following.append(link_read(client, read.id, link, version, known.what))
            elif link:
                cut.add(read.id)
        pending = following
    return items, frozenset(cut)
