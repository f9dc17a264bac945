"""Shared pieces of the report models: plain classes, validated by pydantic only at the edges.

Why not pydantic models: building ~45 pydantic models costs about 0.4 s of CPU on import natively and
several seconds under the emulated CPUs old PCs and test VMs give, which `atelier inventory` must not
pay (issue 2: it must be as quick as `lshw`). The probes build these models directly and
`model_dump_json` writes them without pydantic; everything that reads a report from outside —
the server, the spool, a file — goes through `model_validate*`, which builds a pydantic
`TypeAdapter` the first time and checks every field as strictly as before (unknown fields refused).
The method names are pydantic's, so callers read the same either way.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from enum import Enum

from agent._datetime import date, datetime, time
from agent._record import MISSING, declared_fields, field, fill
from agent._typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, dataclass_transform
from agent._uuid import UUID

if TYPE_CHECKING:
    from pydantic import TypeAdapter


@dataclass_transform(kw_only_default=True, field_specifiers=(field,))
class Model:
    """Base of every report model: keyword-only fields, declared as for a dataclass.

    Unknown fields are refused on validation, so a typo is a 422, not silent loss; attribute
    docstrings become the JSON Schema's descriptions.

    Declaring a model costs almost nothing: its fields are read from the class body, and one
    `__init__` serves them all. The models become real dataclasses (what pydantic validates) only
    when something validates a report: `dataclasses.dataclass()` on ~45 classes was, under the
    emulated CPUs of test VMs, the largest part of `atelier inventory`'s start-up.
    """

    # Read by pydantic when it validates a stdlib dataclass (a ConfigDict, spelt as a plain dict so
    # that importing the schema does not import pydantic).
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid", "use_attribute_docstrings": True}
    #: (name, default, default factory, shown in repr) of every field, in declaration order.
    __fields_spec__: ClassVar[tuple[tuple[str, Any, Any, bool], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__fields_spec__ = declared_fields(cls, cls.__fields_spec__)
        _DECLARED.append(cls)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # A pydantic model with a report field (the server's API bodies) asks here first.
        _as_dataclasses()
        return handler(source)

    def __init__(self, **values: Any) -> None:
        fill(self, self.__fields_spec__, values)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _field_names(type(self)))

    __hash__ = None  # type: ignore[assignment]  # mutable, like pydantic's models

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _field_names(type(self)))
        return f"{type(self).__name__}({fields})"

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        """Check `obj` (a dict, or an instance) against the schema; raises pydantic's ValidationError."""
        result: Self = _adapter(cls).validate_python(obj)
        return result

    @classmethod
    def model_validate_json(cls, data: str | bytes | bytearray) -> Self:
        result: Self = _adapter(cls).validate_json(data)
        return result

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        schema: dict[str, Any] = _adapter(cls).json_schema()
        return schema

    def model_dump(
        self, *, mode: Literal["python", "json"] = "python", exclude_none: bool = False
    ) -> dict[str, Any]:
        """The model as a dict; `mode="json"` gives only JSON types (dates as ISO text, UUIDs as text)."""
        convert = _to_json if mode == "json" else _to_python
        out: dict[str, Any] = convert(self, exclude_none)
        return out

    def model_dump_json(self, *, indent: int | None = None) -> str:
        return json.dumps(_to_json(self, False), indent=indent, ensure_ascii=False)

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self:
        """A shallow copy with some fields replaced (not validated, as with pydantic)."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        for name, value in (update or {}).items():
            if name not in _field_names(type(self)):
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
            setattr(copy, name, value)
        return copy


#: Every model class, in the order declared, until they are made dataclasses.
_DECLARED: list[type[Model]] = []


def _as_dataclasses() -> None:
    """Make every declared model a real dataclass, once, before pydantic looks at any of them."""
    import dataclasses
    import sys

    import agent.report as schema
    from agent._typing import resolve_forms

    # Every model declared first: the certificate and check models load on first use.
    for lazy in schema.LAZY_MODULES:
        __import__(lazy)
    # The models' text annotations name `Literal`, `ClassVar`… and aliases built from them, which
    # were only stand-ins until now (agent._typing), and models of other modules of the schema
    # that were not imported for it: dataclasses and pydantic read the real ones.
    for module in {cls.__module__ for cls in _DECLARED}:
        namespace = vars(sys.modules[module])
        resolve_forms(namespace)
        if module.startswith("agent.report."):
            for name in schema.__all__:
                namespace.setdefault(name, getattr(schema, name))
    while _DECLARED:
        cls = _DECLARED.pop(0)
        for name, _, factory, _ in cls.__fields_spec__:
            if factory is not MISSING:
                setattr(cls, name, dataclasses.field(default_factory=factory))
        undocumented = cls.__doc__ is None
        if undocumented:
            # Otherwise dataclass() writes one from inspect.signature, and it would become the
            # JSON Schema's description.
            cls.__doc__ = "-"
        # No __init__, __eq__ or __repr__ generated: the base's serve, over the same fields.
        dataclasses.dataclass(kw_only=True, init=False, eq=False, repr=False)(cls)
        if undocumented:
            cls.__doc__ = None


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}
_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        from pydantic import TypeAdapter

        _as_dataclasses()

        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(name for name, _, _, _ in cls.__fields_spec__)
    return names


def _iso_datetime(value: datetime) -> str:
    # Same text as pydantic's JSON mode, so signed bytes do not depend on which side wrote them.
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _fields_dict(model: Model, exclude_none: bool, convert: Callable[[Any, bool], Any]) -> dict[str, Any]:
    out = {}
    for name in _field_names(type(model)):
        item = getattr(model, name)
        if item is not None or not exclude_none:
            out[name] = convert(item, exclude_none)
    return out


def _to_json(value: Any, exclude_none: bool) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Model):
        return _fields_dict(value, exclude_none, _to_json)
    if isinstance(value, list | tuple | set | frozenset):
        return [_to_json(item, exclude_none) for item in value]
    if isinstance(value, dict):
        return {str(k): _to_json(v, exclude_none) for k, v in value.items()}
    if isinstance(value, datetime):
        return _iso_datetime(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return _to_json(value.value, exclude_none)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot write {type(value).__name__} into a report")


def _to_python(value: Any, exclude_none: bool) -> Any:
    if isinstance(value, Model):
        return _fields_dict(value, exclude_none, _to_python)
    if isinstance(value, list):
        return [_to_python(item, exclude_none) for item in value]
    if isinstance(value, dict):
        return {k: _to_python(v, exclude_none) for k, v in value.items()}
    return value


__all__ = ["Model"]
