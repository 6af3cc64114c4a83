"""The population a PDSA cycle or an intervention applies to: the whole service, some
teams, or some staff groups ('service', 'team:North Step 2;South Step 2',
'staff_group:Counsellor'). Blank means the whole service."""

from __future__ import annotations

from dataclasses import dataclass

from wellbeing_analysis.constants import (
    PDSA_SCOPE_KINDS,
    PDSA_SCOPE_SEPARATOR,
    PDSA_SCOPE_SERVICE,
)

#: How each kind of scope is written in words.
_KIND_WORDS = {"team": ("team", "teams"), "staff_group": ("staff group", "staff groups")}


@dataclass(frozen=True)
class Scope:
    """A population: ``kind`` 'service', 'team' or 'staff_group', and the names in it."""

    kind: str = PDSA_SCOPE_SERVICE
    names: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """'the whole service', 'team North Step 2', 'teams North Step 2 and South Step 2'."""
        if self.kind == PDSA_SCOPE_SERVICE:
            return "the whole service"
        one, many = _KIND_WORDS[self.kind]
        if len(self.names) == 1:
            return f"{one} {self.names[0]}"
        return f"{many} {', '.join(self.names[:-1])} and {self.names[-1]}"

    @property
    def text(self) -> str:
        """The scope as written in the table."""
        if self.kind == PDSA_SCOPE_SERVICE:
            return PDSA_SCOPE_SERVICE
        return f"{self.kind}:{PDSA_SCOPE_SEPARATOR.join(self.names)}"

    def overlaps(self, other: Scope) -> bool:
        """Whether two populations may share staff: the service overlaps everything; two
        sets of teams (or of staff groups) when they share a name; a set of teams and a set
        of staff groups are assumed to (most teams mix staff groups)."""
        if PDSA_SCOPE_SERVICE in (self.kind, other.kind) or self.kind != other.kind:
            return True
        return bool(set(self.names) & set(other.names))


def parse_scope(value: object) -> Scope:
    """A scope from its text; blank is the whole service. Raises ValueError saying what is
    wrong (the caller names the file, row and column)."""
    if value is None or (isinstance(value, float) and value != value):
        return Scope()
    text = str(value).strip()
    if text == "" or text.lower() in (PDSA_SCOPE_SERVICE, "all"):
        return Scope()
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower().replace(" ", "_")
    if not sep or kind not in PDSA_SCOPE_KINDS:
        raise ValueError(f"scope must be blank, '{PDSA_SCOPE_SERVICE}', 'team:<team names>' or "
                         f"'staff_group:<staff groups>' (names separated by "
                         f"'{PDSA_SCOPE_SEPARATOR}')")
    names = tuple(dict.fromkeys(n.strip() for n in rest.split(PDSA_SCOPE_SEPARATOR)
                                if n.strip()))
    if not names:
        raise ValueError(f"scope '{text}' names no {_KIND_WORDS[kind][0]}")
    return Scope(kind, names)


def intervention_scope(teams: object) -> Scope:
    """An intervention's population from its ``teams`` column ('all', blank or 'A;B')."""
    if teams is None or (isinstance(teams, float) and teams != teams):
        return Scope()
    text = str(teams).strip()
    if text == "" or text.lower() == "all":
        return Scope()
    return Scope("team", tuple(n.strip() for n in text.split(PDSA_SCOPE_SEPARATOR) if n.strip()))


def scope_errors(values) -> dict[str, str]:
    """{scope text: what is wrong with it} for the malformed distinct values in ``values``."""
    bad = {}
    for text in dict.fromkeys(v for v in values if isinstance(v, str)):
        try:
            parse_scope(text)
        except ValueError as exc:
            bad[text] = str(exc)
    return bad

