"""The TOML session: schema, document (load, validate, save) and lock."""

from tui.session.document import Session, load_document
from tui.session.lock import SessionLock
from tui.session.schema import (
    APPLY_RESULTS,
    JOURNAL_ACTIONS,
    JOURNAL_RESULTS,
    JOURNAL_SCHEMA,
    SCHEMA,
    SCHEMA_VERSION,
    SessionError,
    SessionLockedError,
)

__all__ = [
    "APPLY_RESULTS",
    "JOURNAL_ACTIONS",
    "JOURNAL_RESULTS",
    "JOURNAL_SCHEMA",
    "SCHEMA",
    "SCHEMA_VERSION",
    "Session",
    "SessionError",
    "SessionLock",
    "SessionLockedError",
    "load_document",
]
