"""Argument types shared by sub-commands."""

from __future__ import annotations

import argparse
import re

import pandas as pd


def iso_date(text: str) -> pd.Timestamp:
    """argparse type for a YYYY-MM-DD date (usage error, not a traceback, when wrong)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form")
    try:
        return pd.Timestamp(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real calendar date") from None
