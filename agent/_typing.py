"""The few run-time forms of `typing` the inventory's modules use, without importing `typing`.

Why: `import typing` and its first subscriptions are about 8 % of the instructions `atelier
inventory` runs, and more of its time under the emulated CPUs of test VMs, where it must keep up
with `lshw` (issue 2). Annotations are already text (`from __future__ import annotations`); what
is left at run time is a handful of forms, which this module stands in for:

- `Literal[...]` (type aliases such as the report's `Transport`) gives a `LiteralForm` that keeps
  its values;
- `Any`, `ClassVar`, `Self`, `Generic[T]`, `TypeVar`, `Protocol` and `dataclass_transform` do
  nothing at run time.

Type checkers read `typing`'s own (the `TYPE_CHECKING` branch), so nothing changes for them.
Where a real type is needed — pydantic validating a report — `resolve_forms(namespace)` turns a
module's stand-ins into `typing`'s forms and adds the names its text annotations use; the
report's models call it once, before their first validation.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any as Any
    from typing import ClassVar as ClassVar
    from typing import Generic as Generic
    from typing import Literal as Literal
    from typing import Protocol as Protocol
    from typing import Self as Self
    from typing import TypeVar as TypeVar
    from typing import dataclass_transform as dataclass_transform
else:

    class LiteralForm:
        """What `Literal[...]` gives at run time: the values, made a real `Literal` on demand."""

        __slots__ = ("values",)

        def __init__(self, values: tuple[object, ...]) -> None:
            self.values = values

        def __repr__(self) -> str:
            return f"Literal{list(self.values)!r}"

    class Literal:
        def __class_getitem__(cls, values: object) -> LiteralForm:
            return LiteralForm(values if isinstance(values, tuple) else (values,))

    class _Form:
        """`Any`, `ClassVar`, `Self`, `Generic`: only ever read by type checkers here."""

        def __class_getitem__(cls, params: object) -> type:
            return cls

    class Any(_Form): ...

    class ClassVar(_Form): ...

    class Self(_Form): ...

    class Generic(_Form): ...

    class Protocol:
        __slots__ = ()

    def TypeVar(name: str, *constraints: object, **options: object) -> str:
        return name

    def dataclass_transform(**options: object) -> object:
        return lambda cls: cls


def resolve_forms(namespace: dict[str, object]) -> None:
    """Make a module's namespace what `typing.get_type_hints` (and pydantic) expect: stand-ins
    replaced by `typing`'s forms, and the names text annotations use (`Any`, `ClassVar`,
    `Literal`, `Self`) defined. Idempotent."""
    import typing

    for name, value in list(namespace.items()):
        if type(value).__name__ == "LiteralForm" and type(value).__module__ == __name__:
            namespace[name] = typing.Literal[value.values]  # type: ignore[attr-defined]
    for name in ("Any", "ClassVar", "Literal", "Self"):
        current = namespace.get(name)
        if current is None or getattr(current, "__module__", None) == __name__:
            namespace[name] = getattr(typing, name)


__all__ = [
    "TYPE_CHECKING",
    "Any",
    "ClassVar",
    "Generic",
    "Literal",
    "Protocol",
    "Self",
    "TypeVar",
    "dataclass_transform",
    "resolve_forms",
]
