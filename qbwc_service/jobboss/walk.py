"""Walking record values into JSON-ready ones, fast: one function per class, made once.

Planning turns every record it reads into JSON twice (its fingerprint, and
the payload a job keeps): hundreds of thousands of records, a hundred values
each. A generic walk asks every value what it is and loops over each
dataclass's fields; a :class:`Walker` instead writes, for each dataclass, a
function that reads its fields one by one (as :mod:`dataclasses` writes
``__init__``), keeps text, numbers and ``None`` as they are without a call,
and hands the rest back to the walk. Which types become what is the
caller's: ``convert(cls)`` names the function for any other type, once per type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

Convert = Callable[[Any], Any]

#: Types JSON takes as they are (exact types: a subclass, an enum say, goes to ``convert``).
AS_IS = frozenset({str, type(None), bool, int, float})


class Walker:
    """``walker(value)``: ``value`` made JSON-ready.

    Dataclasses become dicts of their fields (but those in ``skip``), in field
    order; a value of a type in :data:`AS_IS` stays as it is; any other value
    goes through ``convert(type(value))``, which may call the walker on what
    it holds (the items of a tuple, say).
    """

    def __init__(self, convert: Callable[[type], Convert], skip: Iterable[str] = ()) -> None:
        self._convert = convert
        self._skip = frozenset(skip)
        self._by_type: dict[type, Convert] = {}

    def __call__(self, value: Any) -> Any:
        cls = value.__class__
        if cls in AS_IS:
            return value
        convert = self._by_type.get(cls)
        if convert is None:
            convert = self._by_type[cls] = self._make(cls)
        return convert(value)

    def each(self, values: Iterable[Any]) -> list[Any]:
        """``[walker(v) for v in values]``, the walk's dispatch done inline (the lines of a
        document are many)."""
        by_type = self._by_type
        return [v if v.__class__ in AS_IS else (by_type.get(v.__class__) or self)(v) for v in values]

    def _make(self, cls: type) -> Convert:
        if not dataclasses.is_dataclass(cls):
            return self._convert(cls)
        names = [f.name for f in dataclasses.fields(cls) if f.name not in self._skip]
        # def walk_Name(value):
        #     v0 = value.a
        #     if v0.__class__ not in AS_IS:
        #         v0 = (by_type.get(v0.__class__) or walk)(v0)
        #     ...
        #     return {'a': v0, ...}
        # The converter of a type seen before is called straight, not through walk.
        reads = "".join(f"    v{i} = value.{name}\n"
                        f"    if v{i}.__class__ not in AS_IS:\n"
                        f"        v{i} = (by_type.get(v{i}.__class__) or walk)(v{i})\n"
                        for i, name in enumerate(names))
        items = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
        source = f"def walk_{cls.__name__}(value):\n{reads}    return {{{items}}}\n"
        scope: dict[str, Any] = {"AS_IS": AS_IS, "walk": self, "by_type": self._by_type}
        exec(source, scope)  # the source is made above, from field names only
        walk: Convert = scope[f"walk_{cls.__name__}"]
        return walk
