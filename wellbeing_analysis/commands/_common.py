"""Argument types shared by sub-commands, and flags generated from options dataclasses."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import pandas as pd


def iso_date(text: str) -> pd.Timestamp:
    """argparse type for a YYYY-MM-DD date (usage error, not a traceback, when wrong)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form")
    try:
        return pd.Timestamp(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real calendar date") from None


# ---------------------------------------------------------------------------
# Command-line flags generated from an options dataclass
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Flag:
    """One command-line flag for one field of an options dataclass.

    The field's name, default and (for booleans) meaning come from the dataclass, so the
    keyword list is written once. Conventions: an option that takes several values is
    given by repeating its flag (``--rebase A --rebase B``); a boolean field whose default
    is True is switched off by a ``--no-...`` flag.
    """

    field: str
    help: str
    metavar: str | None = None
    type: Callable[[str], Any] | None = None
    choices: tuple[str, ...] | None = None
    repeat: bool = False
    required: bool = False
    name: str | None = None  # the flag, when not --<field with dashes>

    def flag(self, default: Any) -> str:
        if self.name:
            return self.name
        stem = self.field.replace("_", "-")
        return f"--no-{stem}" if default is True else f"--{stem}"


def field_defaults(options_cls: type) -> dict[str, Any]:
    """Each field of a dataclass and its default (MISSING when required)."""
    return {f.name: f.default for f in fields(options_cls)}


def add_flags(parser: argparse.ArgumentParser, options_cls: type, flags: Sequence[Flag],
              *, not_on_cli: Sequence[str] = ()) -> None:
    """Add one flag per spec; every field of ``options_cls`` must be covered by a flag or be
    named in ``not_on_cli`` (so a new option cannot be forgotten on the command line)."""
    defaults = field_defaults(options_cls)
    covered = {f.field for f in flags} | set(not_on_cli)
    unknown = sorted({f.field for f in flags} - set(defaults))
    missing = sorted(set(defaults) - covered)
    if unknown or missing:
        raise TypeError(f"{options_cls.__name__}: flags for unknown fields {unknown}; "
                        f"fields without a flag {missing}")
    for spec in flags:
        default = defaults[spec.field]
        kwargs: dict[str, Any] = {"dest": spec.field, "help": spec.help}
        if isinstance(default, bool):
            kwargs["action"] = "store_false" if default else "store_true"
        else:
            kwargs.update(metavar=spec.metavar, type=spec.type, choices=spec.choices,
                          required=spec.required, default=None)
            if spec.repeat:
                kwargs["action"] = "append"
        parser.add_argument(spec.flag(default), **kwargs)


def flag_values(args: argparse.Namespace, flags: Sequence[Flag]) -> dict[str, Any]:
    """The options given on the command line, by field name (flags not given are left out,
    so the dataclass's own defaults apply)."""
    out = {}
    for spec in flags:
        value = getattr(args, spec.field)
        if value is not None:
            out[spec.field] = value
    return out
