"""Lets spyne 2.14 import on Python 3.12 and newer.

spyne 2.14 (its newest release) ships a copy of ``six`` whose ``six.moves``
importer implements only ``find_module``, which Python 3.12 no longer calls:
``import spyne`` then fails on ``spyne.util.six.moves``. The maintained ``six``
package has the same API with a current importer, so :func:`install` adds a
meta path finder that serves ``spyne.util.six`` from ``six`` (plus the one
function spyne added to its copy) and every module below it, such as
``spyne.util.six.moves.collections_abc``, from the same module of ``six``.
It must run before spyne is first imported; importing :mod:`qbwc_service.soap`
does that.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import operator
import sys
from types import ModuleType

VENDORED = "spyne.util.six"
MAINTAINED = "six"
#: What spyne's copy has beyond ``six`` (spyne calls ``six.get_function_name``).
ADDITIONS = {"get_function_name": operator.attrgetter("__name__")}
#: Import-system attributes the new module gets from its own spec, not from ``six``.
OWN_ATTRIBUTES = frozenset({"__name__", "__spec__", "__loader__", "__file__", "__cached__"})


class _AliasLoader(importlib.abc.Loader):
    """Hands out an already imported module under another name."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the target module is already imported."""


class _VendoredSixLoader(importlib.abc.Loader):
    """Builds ``spyne.util.six``: everything ``six`` has, plus :data:`ADDITIONS`."""

    def exec_module(self, module: ModuleType) -> None:
        six = importlib.import_module(MAINTAINED)
        module.__dict__.update((k, v) for k, v in vars(six).items() if k not in OWN_ATTRIBUTES)
        module.__dict__.update(ADDITIONS)


class SixAliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``spyne.util.six[.X]`` as ``six[.X]``."""

    def find_spec(self, fullname: str, path: object = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != VENDORED and not fullname.startswith(VENDORED + "."):
            return None
        if fullname == VENDORED:
            return importlib.machinery.ModuleSpec(fullname, _VendoredSixLoader(), is_package=True)
        aliased = MAINTAINED + fullname[len(VENDORED):]
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(aliased))


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once), ahead of spyne's own copy."""
    if any(isinstance(finder, SixAliasFinder) for finder in sys.meta_path):
        return
    if VENDORED in sys.modules:
        raise RuntimeError(f"{VENDORED} was imported before qbwc_service.soap.spyne_compat.install()")
    sys.meta_path.insert(0, SixAliasFinder())


install()
