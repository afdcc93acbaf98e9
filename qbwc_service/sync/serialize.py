"""JobBOSS2 records in and out of a job's JSON payload.

A job keeps the record it was planned from, so what is sent is exactly the
version that was planned, whichever process sends it. Records are plain
dataclasses (``jobboss.records``); this turns them into JSON-safe values and
back, typed again from the dataclass annotations.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from qbwc_service.jobboss.walk import Walker

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    """Dataclasses, Decimals, dates, tuples... as JSON-safe values."""
    return _to_jsonable(value)


def _jsonable_of(cls: type) -> Callable[[Any], Any]:
    """How :func:`to_jsonable` turns a value of ``cls`` (a type other than a dataclass's)."""
    if issubclass(cls, Decimal):
        return str
    if issubclass(cls, datetime | date | time):
        return lambda value: value.isoformat()
    if issubclass(cls, Enum):
        return lambda value: value.value
    if issubclass(cls, dict):
        return lambda value: {str(k): _to_jsonable(v) for k, v in value.items()}
    if issubclass(cls, list | tuple | set | frozenset):
        return lambda value: _to_jsonable.each(value)
    return _identity


_to_jsonable = Walker(_jsonable_of)


def from_jsonable(cls: type[T], data: Any) -> T:
    """Rebuild a ``cls`` dataclass written by :func:`to_jsonable`."""
    return _converter(cls)(data)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _identity(data: Any) -> Any:
    return data


@cache
def _converter(tp: Any) -> Callable[[Any], Any]:
    """A function turning the JSON form of a ``tp`` value back into one (``None`` stays ``None``).

    Worked out once per type: a message rebuilds hundreds of records of the same few types.
    """
    convert = _build_converter(tp)
    if convert is _identity:
        return convert
    return lambda data: None if data is None else convert(data)


@cache
def _build_converter(tp: Any) -> Callable[[Any], Any]:
    """The converter of a ``tp`` value that is not ``None`` (:func:`_converter` adds that check)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _build_converter(options[0]) if len(options) == 1 else _identity
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(tp)
        inner = _build_converter(args[0] if args else Any)
        if inner is _identity:
            return _identity if origin is list else origin
        items = lambda data: [None if v is None else inner(v) for v in data]  # noqa: E731
        return items if origin is list else lambda data: origin(items(data))
    if origin is dict:
        _key, val = typing.get_args(tp) or (Any, Any)
        value = _converter(val)
        return lambda data: {k: value(v) for k, v in data.items()}
    return _plain_converter(tp)


_PARSERS: dict[Any, Callable[[str], Any]] = {Decimal: Decimal, datetime: datetime.fromisoformat,
                                             date: date.fromisoformat, time: time.fromisoformat}


def _plain_converter(tp: Any) -> Callable[[Any], Any]:
    if dataclasses.is_dataclass(tp):
        return _dataclass_converter(tp)
    parser = _PARSERS.get(tp)
    if parser is not None:
        return lambda data: parser(data) if isinstance(data, str) else data
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp
    return _identity


def _dataclass_converter(tp: type) -> Callable[[Any], Any]:
    """Rebuild a ``tp`` from its JSON form.

    :func:`to_jsonable` writes every field, so the usual case is one generated
    call naming each (fields that need no conversion passed as they are); a
    form missing some (written before a field was added) takes the slow path,
    where the missing fields keep their defaults.
    """
    hints = _hints(tp)
    typed = [(f.name, hints[f.name]) for f in dataclasses.fields(tp) if f.init]
    fields = [(name, _converter(hint)) for name, hint in typed]

    def slow(data: Any) -> Any:
        return tp(**{name: convert(data[name]) for name, convert in fields if name in data})

    names: dict[str, Any] = {"tp": tp, "slow": slow}
    args = []
    for i, (name, hint) in enumerate(typed):
        if not name.isidentifier():
            return slow
        value = f"data[{name!r}]"
        convert = _build_converter(hint)
        if convert is not _identity:  # None stays None, as in :func:`_converter`
            names[f"c{i}"] = convert
            value = f"(None if (v := {value}) is None else c{i}(v))"
        args.append(f"{name}={value}")
    source = (f"def build(data):\n"
              f"    if len(data) != {len(fields)}:\n"
              f"        return slow(data)\n"
              f"    try:\n"
              f"        return tp({', '.join(args)})\n"
              f"    except KeyError:\n"
              f"        return slow(data)\n")
    exec(source, names)  # generated from the dataclass's own field names, nothing else
    return names["build"]  # type: ignore[no-any-return]
