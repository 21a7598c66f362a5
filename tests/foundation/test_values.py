"""tui.values.Frozen gives its value types what @dataclass(frozen=True) gave them."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from tui.graph.batch_items import BatchRead
from tui.graph.target import TargetTenant
from tui.rollout.desired import Audience, AuthenticatorDesired, GroupRef
from tui.values import Frozen


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


def test_arguments_bind_as_a_dataclass_binds_them() -> None:
    assert BatchRead("a", "groups", as_given=True) == BatchRead(
        id="a", path="groups", query=(), headers=(), as_given=True
    )
    assert BatchRead("a", "groups").query == ()  # the class's default
    with pytest.raises(TypeError, match="'path'"):
        BatchRead("a")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'nope'"):
        BatchRead("a", "groups", nope=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'id'"):
        BatchRead("a", "groups", id="b")  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 5 arguments, 6 given"):
        BatchRead("a", "groups", (), (), False, 1)  # type: ignore[call-arg]


def test_a_subclass_has_its_bases_fields_first() -> None:
    ref = GroupRef("g1", "Pilot", "[sso_extension] groups")
    app = AuthenticatorDesired(False, (ref,), (), "app1")
    assert AuthenticatorDesired._fields == (
        "all_users",
        "groups",
        "exclude_groups",
        "app_id",
        "written",
    )
    assert app.written is False
    assert repr(app) == (
        "AuthenticatorDesired(all_users=False, groups=(GroupRef(id='g1', name='Pilot', "
        "where='[sso_extension] groups'),), exclude_groups=(), app_id='app1', written=False)"
    )
    assert app != Audience(False, (ref,), ())


def _frozen_class(name: str, default: object) -> type[Frozen]:
    """`class <name>(Frozen): names: ... = default`, made as a class statement makes it."""
    return type(name, (Frozen,), {"__annotations__": {"names": "object"}, "names": default})


def test_a_mutable_default_or_a_field_is_refused_as_the_class_is_made() -> None:
    # One list would be shared by every instance; `field(...)` would become the value.
    with pytest.raises(TypeError, match=r"Shared\.names: .*not a list"):
        _frozen_class("Shared", [])
    with pytest.raises(TypeError, match=r"Factory\.names: .*not a Field"):
        _frozen_class("Factory", field(default_factory=tuple))
    fine = _frozen_class("Fine", ())
    assert fine().names == ()  # type: ignore[attr-defined]
