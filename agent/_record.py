"""Records: the part of `@dataclass` the probes and parsers use, without its start-up cost.

Why: `dataclasses` imports `inspect` (and with it ast, dis, tokenize), and each `@dataclass` writes
and compiles its methods and checks every string annotation with a regular expression. Over the
eighteen classes an inventory loads, that was about a third of its own import time here, and more
under the emulated CPUs of test VMs, where `atelier inventory` must keep up with `lshw`.

A `Record` subclass declares fields as a dataclass does (annotations, defaults, `field(...)`);
`class X(Record, frozen=True)` makes it immutable and hashable. Construction is positional or by
keyword, equality and repr go over the fields, in declaration order.
"""

from __future__ import annotations

from collections.abc import Callable

from agent._typing import Any, ClassVar, dataclass_transform


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FieldSpec:
    """What `field()` returns: read once when the class is declared."""

    __slots__ = ("default", "default_factory", "repr")

    def __init__(self, default: Any, default_factory: Any, repr: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.repr = repr


def field(
    *, default: Any = MISSING, default_factory: Callable[[], Any] | Any = MISSING, repr: bool = True
) -> Any:
    return FieldSpec(default, default_factory, repr)


def declared_fields(
    cls: type, inherited: tuple[tuple[str, Any, Any, bool], ...]
) -> tuple[tuple[str, Any, Any, bool], ...]:
    """(name, default, factory, shown in repr) of the fields `cls` declares, after the inherited ones."""
    spec = {entry[0]: entry for entry in inherited}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063 (own fields only)
        if "ClassVar" in str(annotation):
            continue
        value: Any = cls.__dict__.get(name, MISSING)
        default, factory, shown = value, MISSING, True
        if isinstance(value, FieldSpec):
            default, factory, shown = value.default, value.default_factory, value.repr
            if default is MISSING:
                delattr(cls, name)  # as dataclasses do: no class attribute for a factory field
            else:
                setattr(cls, name, default)
        if isinstance(default, list | dict | set):
            raise ValueError(f"{cls.__name__}.{name}: mutable default, use field(default_factory=...)")
        spec.pop(name, None)
        spec[name] = (name, default, factory, shown)
    return tuple(spec.values())


def fill(obj: object, fields: tuple[tuple[str, Any, Any, bool], ...], values: dict[str, Any]) -> None:
    """Set every field of `obj` from `values` (consumed), else its default or factory."""
    for name, default, factory, _ in fields:
        if name in values:
            value = values.pop(name)
        elif factory is not MISSING:
            value = factory()
        elif default is not MISSING:
            value = default
        else:
            raise TypeError(f"{type(obj).__name__}() missing required argument: {name!r}")
        object.__setattr__(obj, name, value)
    if values:
        raise TypeError(f"{type(obj).__name__}() got unexpected arguments: {', '.join(values)}")


@dataclass_transform(field_specifiers=(field,))
class Record:
    __slots__ = ()
    __record_fields__: ClassVar[tuple[tuple[str, Any, Any, bool], ...]] = ()
    __record_frozen__: ClassVar[bool] = False

    def __init_subclass__(cls, *, frozen: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = declared_fields(cls, cls.__record_fields__)
        seen_default = False
        for name, default, factory, _ in fields:
            if default is MISSING and factory is MISSING:
                if seen_default:
                    raise TypeError(f"{cls.__name__}: non-default field {name!r} follows a default one")
            else:
                seen_default = True
        cls.__record_fields__ = fields
        cls.__record_frozen__ = frozen or cls.__record_frozen__
        if cls.__record_frozen__:
            cls.__hash__ = Record._hash  # type: ignore[method-assign,assignment]
        else:
            cls.__hash__ = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self.__record_fields__
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes {len(fields)} arguments, {len(args)} given")
        for (name, _, _, _), value in zip(fields, args, strict=False):
            if name in kwargs:
                raise TypeError(f"{type(self).__name__}() got two values for {name!r}")
            kwargs[name] = value
        fill(self, fields, kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        if self.__record_frozen__:
            raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self.__record_frozen__:
            raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")
        object.__delattr__(self, name)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name, _, _, _ in self.__record_fields__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def _hash(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}" for name, _, _, rep in self.__record_fields__ if rep
        )
        return f"{type(self).__name__}({shown})"


__all__ = ["MISSING", "FieldSpec", "Record", "declared_fields", "field", "fill"]
