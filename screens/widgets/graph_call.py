"""Run one Graph operation from a widget in a thread worker, truly cancellable.

`StepPanel.run_blocking` drops a superseded result; a search box needs more: the
superseded request itself must stop (typing fast must not queue requests). Here
the coroutine runs on the Backend's Graph loop and the worker thread waits for
it in short slices; when Textual cancels the worker (a newer call with the same
group), the asyncio task is cancelled too, closing its HTTP request.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Awaitable, Callable
from typing import TypeVar

from textual.widget import Widget
from textual.worker import Worker, get_current_worker

from tui.backend import Backend

T = TypeVar("T")

POLL_SECONDS = 0.02  # how often a waiting worker looks whether it was cancelled


def run_graph_call(
    widget: Widget,
    backend: Backend,
    make_call: Callable[[], Awaitable[T]],
    done: Callable[[T], None],
    failed: Callable[[BaseException], None],
    *,
    group: str,
    exclusive: bool = True,
) -> Worker[None]:
    """Start `make_call()` on the Graph loop; `done`/`failed` run on the UI thread.

    A later call in the same `group` (when `exclusive`) cancels this one: its
    request is abandoned and neither callback runs.
    """

    def body() -> None:
        worker = get_current_worker()
        try:
            future = backend.submit(make_call())
        except Exception as exc:  # e.g. not signed in: shown, never raised into Textual
            widget.app.call_from_thread(failed, exc)
            return
        while True:
            if worker.is_cancelled:
                future.cancel()
                return
            try:
                result = future.result(timeout=POLL_SECONDS)
            except concurrent.futures.TimeoutError:
                continue
            except concurrent.futures.CancelledError:
                return
            except Exception as exc:
                if not worker.is_cancelled:
                    widget.app.call_from_thread(failed, exc)
                return
            if not worker.is_cancelled:
                widget.app.call_from_thread(done, result)
            return

    return widget.run_worker(
        body, name=group, group=group, exclusive=exclusive, thread=True, exit_on_error=False
    )
