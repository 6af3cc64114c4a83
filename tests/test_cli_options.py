"""Command-line flags are generated from the options dataclasses: every option has exactly
one flag, defaults come from the dataclass, and options that take several values are given
by repeating the flag (one convention for every command)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import pytest

from wellbeing_analysis.cli import build_parser
from wellbeing_analysis.commands import its as its_command
from wellbeing_analysis.commands import spc as spc_command
from wellbeing_analysis.commands._common import Flag, add_flags, flag_values
from wellbeing_analysis.its.options import ITSOptions
from wellbeing_analysis.spc.options import SPCOptions


def subparser(name: str) -> argparse.ArgumentParser:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


@pytest.mark.parametrize("command,options,not_on_cli", [
    (its_command, ITSOptions, set()), (spc_command, SPCOptions, {"facet"})])
def test_every_option_has_one_flag(command, options, not_on_cli):
    fields = {f for f in options.__dataclass_fields__}
    flagged = [f.field for f in command.FLAGS]
    assert len(flagged) == len(set(flagged))
    assert set(flagged) | not_on_cli == fields


def test_repeating_a_flag_accumulates_for_every_multi_value_option():
    spc = subparser("spc").parse_args(["--csv", "f", "--x", "x", "--y", "y",
                                       "--rebase", "2020-01-01", "--rebase", "2021-01-01"])
    assert flag_values(spc, spc_command.FLAGS)["rebase"] == ["2020-01-01", "2021-01-01"]
    its = subparser("its").parse_args(["--csv", "f", "--time", "t", "--outcome", "y",
                                       "--interruption", "1", "--interruption", "5",
                                       "--covariate", "a", "--covariate", "b"])
    values = flag_values(its, its_command.FLAGS)
    assert values["interruptions"] == ["1", "5"] and values["covariates"] == ["a", "b"]


def test_flags_not_given_leave_the_dataclass_defaults():
    its = subparser("its").parse_args(["--csv", "f", "--time", "t", "--outcome", "y",
                                       "--interruption", "1"])
    values = flag_values(its, its_command.FLAGS)
    assert "family" not in values and "hac_lags" not in values
    assert values["slope_change"] is True  # a True default is switched off by --no-...
    off = subparser("its").parse_args(["--csv", "f", "--time", "t", "--outcome", "y",
                                       "--interruption", "1", "--no-slope-change"])
    assert flag_values(off, its_command.FLAGS)["slope_change"] is False


def test_a_field_without_a_flag_is_caught_when_the_parser_is_built():
    @dataclass(frozen=True)
    class Options:
        a: int = 1
        b: bool = False

    with pytest.raises(TypeError, match=r"fields without a flag \['b'\]"):
        add_flags(argparse.ArgumentParser(), Options, [Flag("a", "help")])
    with pytest.raises(TypeError, match=r"unknown fields \['c'\]"):
        add_flags(argparse.ArgumentParser(), Options,
                  [Flag("a", "help"), Flag("b", "help"), Flag("c", "help")])
