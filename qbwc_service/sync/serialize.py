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
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    """Dataclasses, Decimals, dates, tuples... as JSON-safe values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value


def from_jsonable(cls: type[T], data: Any) -> T:
    """Rebuild a ``cls`` dataclass written by :func:`to_jsonable`."""
    return _convert(cls, data)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(options[0], data) if len(options) == 1 else data
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(tp)
        inner = args[0] if args else Any
        items = [_convert(inner, v) for v in data]
        return origin(items) if origin is not list else items
    if origin is dict:
        _key, val = typing.get_args(tp) or (Any, Any)
        return {k: _convert(val, v) for k, v in data.items()}
    return _convert_plain(tp, data)


def _convert_plain(tp: Any, data: Any) -> Any:
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        kwargs = {f.name: _convert(hints[f.name], data[f.name])
                  for f in dataclasses.fields(tp) if f.init and f.name in data}
        return tp(**kwargs)
    converters: dict[Any, Any] = {Decimal: Decimal, datetime: datetime.fromisoformat,
                                  date: date.fromisoformat, time: time.fromisoformat}
    if tp in converters and isinstance(data, str):
        return converters[tp](data)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    return data
