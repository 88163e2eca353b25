"""Records (immutable by default) made without `dataclasses`: `@record_class` gives a class
what `@dataclass(frozen=True)` would (an `__init__` taking the fields in order, with defaults,
`==`, `hash`, a `repr`, no assignment), with plain functions instead of generated code.

`dataclass()` writes and compiles each method's source when the class is made: about a
millisecond for each class, at every start of the program (a cold `screener score` made 20 of
screener's; with records it runs about 14% fewer instructions, 611 against 713 million under
callgrind). A record class is made in microseconds. Type checkers read `@record_class` as a
dataclass (`typing.dataclass_transform`), so fields and `__init__` calls are checked as before.
`replace` and `field_names` stand in for `dataclasses.replace` and `dataclasses.fields`.

The condition tree's nodes (`conditions/syntax.py`) have their own `__init__` each: a parse
makes thousands of them, and a written-out `__init__` is the fastest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")
_MISSING: Any = object()
_CLASS_VARIABLE = ("ClassVar", "typing.ClassVar")


class _Field:
    """What `field()` says of one field."""

    __slots__ = ("compare", "default", "factory", "hash", "repr")

    def __init__(
        self,
        default: object,
        factory: Callable[[], object] | None,
        compare: bool,
        hash: bool | None,
        repr: bool,
    ) -> None:
        self.default = default
        self.factory = factory
        self.compare = compare
        self.hash = compare if hash is None else hash
        self.repr = repr


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | None = None,
    compare: bool = True,
    hash: bool | None = None,
    repr: bool = True,
) -> Any:
    """A field's default (a value, or a function making a new one for each record), and
    whether it takes part in `==` (`compare`), in `hash` (as `compare` unless said) and in
    the `repr`."""
    return _Field(default, default_factory, compare, hash, repr)


class FrozenRecordError(AttributeError):
    """Assignment to a field of an immutable record."""


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenRecordError(f"{type(self).__name__} is immutable: cannot set {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenRecordError(f"{type(self).__name__} is immutable: cannot delete {name!r}")


def _make(cls: type[T], frozen: bool) -> type[T]:
    # This class's own annotations, as written (strings): `inspect.get_annotations` would
    # import `inspect`, a large module, for one dictionary lookup.
    annotations: dict[str, object] = vars(cls).get("__annotations__", {})
    names = tuple(n for n, a in annotations.items() if not str(a).startswith(_CLASS_VARIABLE))
    defaults: dict[str, object] = {}
    factories: dict[str, Callable[[], object]] = {}
    compared: list[str] = []
    hashed: list[str] = []
    shown: list[str] = []
    for name in names:
        given = cls.__dict__.get(name, _MISSING)
        spec = given if isinstance(given, _Field) else _Field(given, None, True, None, True)
        if spec.factory is not None:
            factories[name] = spec.factory
        elif spec.default is not _MISSING:
            defaults[name] = spec.default
        elif defaults or factories:
            raise TypeError(f"{cls.__name__}: field {name!r} without a default follows one with")
        if isinstance(given, _Field):  # the class keeps a plain default, as dataclass() does
            if spec.default is _MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        if spec.compare:
            compared.append(name)
        if spec.hash:
            hashed.append(name)
        if spec.repr:
            shown.append(name)
    known = frozenset(names)
    count = len(names)
    title = cls.__qualname__

    def __init__(self: Any, *args: object, **kwargs: object) -> None:
        if len(args) == count and not kwargs:  # every field, in order
            self.__dict__.update(zip(names, args, strict=True))
            return
        if not args and len(kwargs) == count and known.issuperset(kwargs):  # all, by name
            self.__dict__.update({name: kwargs[name] for name in names})
            return
        if len(args) > count:
            raise TypeError(f"{title}() takes {count} arguments, {len(args)} given")
        values = dict(zip(names, args, strict=False))
        for name, value in kwargs.items():
            if name not in known:
                raise TypeError(f"{title}() got an unexpected argument {name!r}")
            if name in values:
                raise TypeError(f"{title}() got more than one value for {name!r}")
            values[name] = value
        if len(values) < count:
            for name in names:
                if name not in values:
                    if name in defaults:
                        values[name] = defaults[name]
                    elif name in factories:
                        values[name] = factories[name]()
                    else:
                        raise TypeError(f"{title}() is missing the argument {name!r}")
            values = {name: values[name] for name in names}
        self.__dict__.update(values)

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        mine, theirs = self.__dict__, other.__dict__
        return tuple(mine[n] for n in compared) == tuple(theirs[n] for n in compared)

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={self.__dict__[name]!r}" for name in shown)
        return f"{title}({inner})"

    methods: dict[str, object] = {
        "__init__": __init__,
        "__eq__": __eq__,
        "__repr__": __repr__,
        "__record_fields__": names,
        "__match_args__": names,
    }
    if frozen:

        def __hash__(self: Any) -> int:
            values = self.__dict__
            return hash(tuple(values[name] for name in hashed))

        methods.update(__hash__=__hash__, __setattr__=_frozen_setattr, __delattr__=_frozen_delattr)
    else:
        methods["__hash__"] = None  # as a mutable dataclass: unhashable
    for name, method in methods.items():
        setattr(cls, name, method)
    return cls


@overload
def record_class(cls: type[T], /) -> type[T]: ...
@overload
def record_class(*, frozen: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record_class(cls: type[T] | None = None, /, *, frozen: bool = True) -> Any:
    """Make `cls` a record of its annotated fields (immutable unless `frozen=False`)."""
    if cls is None:
        return lambda made: _make(made, frozen)
    return _make(cls, frozen)


def field_names(cls_or_record: object) -> tuple[str, ...]:
    """The fields of a record class or record, in order (as `dataclasses.fields`)."""
    names: tuple[str, ...] = cls_or_record.__record_fields__  # type: ignore[attr-defined]
    return names


def is_record(value: object) -> bool:
    return hasattr(type(value), "__record_fields__") and not isinstance(value, type)


def replace(item: T, /, **changes: object) -> T:
    """A copy of the record `item` with some fields changed (as `dataclasses.replace`)."""
    values = {name: getattr(item, name) for name in field_names(item)}
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(item).__name__} has no field {', '.join(sorted(unknown))}")
    values.update(changes)
    return type(item)(**values)
