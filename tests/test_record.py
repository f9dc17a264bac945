"""agent._record: the dataclass behaviour the probes rely on, declared without `dataclasses`."""

from __future__ import annotations

import pytest

from agent._record import Record, field


class Point(Record, frozen=True):
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


class Bag(Record):
    name: str
    items: list[int] = field(default_factory=list)
    secret: str = field(default="hidden", repr=False)


def test_positional_keyword_and_defaults() -> None:
    assert Point(1) == Point(x=1, y=0) == Point(1, 0, ())
    assert Point(1, y=2).y == 2
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point(1, z=3)  # type: ignore[call-arg]


def test_frozen_records_are_immutable_and_hashable() -> None:
    p = Point(1, 2)
    with pytest.raises(AttributeError):
        p.x = 5  # type: ignore[misc]
    assert {p, Point(1, 2)} == {p}


def test_mutable_records_get_fresh_defaults_and_are_not_hashable() -> None:
    a, b = Bag("a"), Bag("b")
    a.items.append(1)
    assert b.items == [] and a.items == [1]
    a.name = "c"
    assert a.name == "c"
    with pytest.raises(TypeError):
        hash(a)
    assert repr(Bag("x")) == "Bag(name='x', items=[])"
    assert Bag("x") != Point(1)


def test_declaration_errors_are_caught() -> None:
    with pytest.raises(ValueError):

        class Shared(Record):
            items: list[int] = []  # noqa: RUF012 (the mistake under test)

    with pytest.raises(TypeError):

        class Misordered(Record):
            a: int = 0
            b: int  # type: ignore[misc]  # the mistake under test
