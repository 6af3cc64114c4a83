"""Public names of a package loaded from their modules on first use (PEP 562).

The ``its`` and ``spc`` packages use it so that importing one of their light modules (the
options dataclasses the command line's flags are generated from) does not import
statsmodels and scipy: ``wellbeing --help`` stays quick. A submodule must not share a public
name: importing it would set the package attribute to the module first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, namespace: dict[str, Any], exports: Mapping[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``exports`` maps each public name to
    the submodule defining it; a name is imported on first look-up, then kept in the
    package's ``namespace`` (its ``globals()``) so later look-ups are ordinary."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{exports[name]}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
