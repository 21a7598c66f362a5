"""tui.values.Frozen gives its value types what @dataclass(frozen=True) gave them."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass

import pytest

from tui.graph.batch_items import BatchRead
from tui.graph.target import TargetTenant


@dataclass(frozen=True)
class _AsDataclass:  # BatchRead as it was
    id: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    as_given: bool = False


def test_equality_and_hash_are_by_field_values_and_class() -> None:
    read = BatchRead("a", "groups", (("$top", "1"),))
    same = BatchRead(id="a", path="groups", query=(("$top", "1"),))
    assert read == same
    assert hash(read) == hash(same)
    assert read != BatchRead("a", "groups")
    assert read != _AsDataclass("a", "groups", (("$top", "1"),))  # another class
    assert {read: 1}[same] == 1


def test_repr_names_the_fields_as_a_dataclass_does() -> None:
    read = BatchRead("a", "groups", as_given=True)
    old = _AsDataclass("a", "groups", as_given=True)
    assert repr(read) == repr(old).replace("_AsDataclass", "BatchRead")


def test_fields_cannot_be_assigned_or_deleted() -> None:
    target = TargetTenant("t1", "Contoso", "global")
    with pytest.raises(FrozenInstanceError, match="'name'"):
        target.name = "Fabrikam"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError, match="'id'"):
        del target.id
    assert target.name == "Contoso"


def test_copies_and_pickles_are_equal() -> None:
    target = TargetTenant("t1", "Contoso", "global", domains=("contoso.com",))
    assert copy.copy(target) == target
    assert copy.deepcopy(target) == target
    assert pickle.loads(pickle.dumps(target)) == target
    assert pickle.loads(pickle.dumps(target)).domains == ("contoso.com",)
