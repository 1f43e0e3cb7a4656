"""All roster rules of a plan as one typed, frozen object: :class:`Rules`.

``Rules`` is what :func:`staffplan.plan`, scenarios, a saved :class:`~staffplan.plan.Plan`
and every command pass around.  Its one subtle point is ``shifts=None``: "no shift types
given", which means *fit them to the opening hours of the requirement*
(:func:`staffplan.roster.shifts_for_hours` with ``fit_lengths_min``).  That meaning
survives ``to_dict``/``from_dict`` (JSON), a plan saved and loaded, and a scenario that
re-rosters a changed requirement; the fitted types are resolved only when an instance is
built (:meth:`Rules.make_instance`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from staffplan import defaults
from staffplan._validation import check_int, check_interval_min
from staffplan.roster._hours import default_lunch, shifts_for_hours
from staffplan.roster._instance import (
    BreakRule,
    Limits,
    LunchRule,
    Person,
    RosterInstance,
    ShiftRules,
    SpanOfControl,
    Weights,
    make_instance,
)

__all__ = ["Rules"]

_SINGLE: dict[str, type] = {
    "lunch": LunchRule,
    "span": SpanOfControl,
    "weights": Weights,
    "limits": Limits,
}
_MANY: dict[str, type] = {"shifts": ShiftRules, "breaks": BreakRule, "people": Person}


@dataclass(frozen=True)
class Rules:
    """The roster rules of a plan.

    Parameters
    ----------
    shifts : sequence of ShiftRules or None
        Allowed shift types; ``None`` (the default) fits them to the opening hours the
        requirement shows, one type per ``fit_lengths_min``.
    lunch : LunchRule or None
        The lunch rule; ``None`` for no lunches.
    breaks : sequence of BreakRule
        Short breaks.
    span : SpanOfControl or None
        Leads and manager; ``None`` rosters agents only.
    people : sequence of Person, optional
        Named staff; ``None`` sizes anonymous shifts.
    weights : Weights
        Objective weights.
    limits : Limits
        Headcount caps.
    cyclic : bool or None
        The horizon wraps around (a weekly template).  ``None`` (the default): wrap when
        the requirement is whole days from midnight and no previous roster is given (see
        :func:`staffplan.roster.make_instance`), so no 24/7 or night plan starts empty.
    fit_lengths_min : sequence of int
        Shift lengths [min] of the fitted types when ``shifts`` is None
        (default :data:`staffplan.defaults.SHIFT_LENGTHS_MIN`).
    fit_names : sequence of str
        Names of the fitted types, one per length.
    fit_start_step_min : int, optional
        Spacing of the fitted types' starts [min]; default 30 min, or the
        interval when it is longer or does not divide 30.

    Notes
    -----
    :meth:`defaults` gives the rules every entry point starts from; plain dicts
    (e.g. read from JSON) become ``Rules`` with :meth:`from_dict`, and
    :meth:`to_dict` is its inverse.
    """

    shifts: tuple[ShiftRules, ...] | None = None
    lunch: LunchRule | None = field(default_factory=LunchRule)
    breaks: tuple[BreakRule, ...] = ()
    span: SpanOfControl | None = field(default_factory=SpanOfControl)
    people: tuple[Person, ...] | None = None
    weights: Weights = field(default_factory=Weights)
    limits: Limits = field(default_factory=Limits)
    cyclic: bool | None = None
    fit_lengths_min: tuple[int, ...] = defaults.SHIFT_LENGTHS_MIN
    fit_names: tuple[str, ...] = defaults.SHIFT_NAMES
    fit_start_step_min: int | None = None

    def __post_init__(self) -> None:
        for key, cls in _MANY.items():
            value = getattr(self, key)
            if value is None and key != "breaks":
                continue
            items = (value,) if isinstance(value, cls) else tuple(value or ())
            bad = [v for v in items if not isinstance(v, cls)]
            if bad:
                raise TypeError(
                    f"Rules: {key} must hold {cls.__name__} objects, got "
                    f"{type(bad[0]).__name__} (use Rules.from_dict for plain dicts)"
                )
            if key == "shifts" and not items:
                raise ValueError(
                    "Rules: shifts must hold at least one ShiftRules, or be None to fit "
                    "shift types to the opening hours; got ()"
                )
            object.__setattr__(self, key, items)
        for key, cls in _SINGLE.items():
            value = getattr(self, key)
            optional = key in ("lunch", "span")
            if not (isinstance(value, cls) or (optional and value is None)):
                raise TypeError(
                    f"Rules: {key} must be a {cls.__name__}{' or None' if optional else ''}, "
                    f"got {type(value).__name__} (use Rules.from_dict for plain dicts)"
                )
        if self.cyclic is not None:
            if not isinstance(self.cyclic, (bool, np.bool_)):
                raise TypeError(f"Rules: cyclic must be True, False or None, got {self.cyclic!r}")
            object.__setattr__(self, "cyclic", bool(self.cyclic))
        lengths = tuple(
            check_int(v, "Rules: fit_lengths_min", minimum=1) for v in self.fit_lengths_min
        )
        names = tuple(str(v) for v in self.fit_names)
        if not lengths or len(names) != len(lengths):
            raise ValueError(
                f"Rules: fit_names must name each of fit_lengths_min, got {len(names)} names "
                f"for {len(lengths)} lengths"
            )
        object.__setattr__(self, "fit_lengths_min", lengths)
        object.__setattr__(self, "fit_names", names)
        if self.fit_start_step_min is not None:
            check_int(self.fit_start_step_min, "Rules: fit_start_step_min", minimum=1)

    # -- construction ----------------------------------------------------------------
    @classmethod
    def defaults(cls, interval_min: int | None = None) -> Rules:
        """The default rules, fitted to the grid of ``interval_min`` [min].

        Shift types fitted to the opening hours (8 h and 4 h, see
        :data:`staffplan.defaults.SHIFT_LENGTHS_MIN`); a 30-min lunch (whole
        intervals on a coarser grid: 60 min on an hourly one); a 15-min break
        on every grid (shrinkage excludes breaks, so they are rostered: on a
        30- or 60-min grid the break takes its share of the interval off the
        floor); leads and a manager per the span-of-control rules.
        """
        if interval_min is None:
            return cls()
        interval_min = check_interval_min(interval_min)
        return cls(
            lunch=default_lunch(interval_min),
            breaks=(BreakRule(length_min=defaults.BREAK_MIN),),
        )

    @classmethod
    def from_dict(
        cls, data: Rules | Mapping[str, Any] | None, *, interval_min: int | None = None
    ) -> Rules:
        """Rules from a plain dict (e.g. read from JSON); missing keys take :meth:`defaults`.

        Keys are the fields of :class:`Rules`; a dict value becomes the matching rule
        class (``ShiftRules``, ``LunchRule``, ...). ``lunch: null`` / ``span: null``
        switch lunches / leads off; ``shifts: null`` (or no ``shifts``) fits shift
        types to the opening hours.  A ``Rules`` passes through unchanged.

        Raises
        ------
        ValueError, TypeError
            Naming the key and field that is wrong.
        """
        if isinstance(data, Rules):
            return data
        base = cls.defaults(interval_min)
        if data is None:
            return base
        if not isinstance(data, Mapping):
            raise TypeError(f"rules must be a Rules or a mapping, got {type(data).__name__}")
        allowed = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise ValueError(f"rules has unknown key(s) {unknown}; allowed keys are {allowed}")
        changes: dict[str, Any] = {}
        for key, value in data.items():
            if key in _SINGLE:
                changes[key] = _build(_SINGLE[key], value, key)
            elif key in _MANY:
                if value is None and key != "breaks":
                    changes[key] = None
                    continue
                if value is not None and not isinstance(value, (Mapping, _MANY[key], list, tuple)):
                    raise TypeError(
                        f"rules[{key!r}] must be a list of {_MANY[key].__name__} (or mappings), "
                        f"got {value!r}"
                    )
                items = (
                    [value]
                    if isinstance(value, (Mapping, _MANY[key]))
                    else list(value)
                    if isinstance(value, (list, tuple))
                    else []
                )
                changes[key] = tuple(_build(_MANY[key], v, key) for v in items)
            elif key in ("fit_lengths_min", "fit_names"):
                if not isinstance(value, (list, tuple)):
                    raise TypeError(f"rules[{key!r}] must be a list, got {value!r}")
                changes[key] = tuple(value)
            else:
                changes[key] = value
        return dataclasses.replace(base, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (inverse of :meth:`from_dict`); ``shifts`` None stays None."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                out[f.name] = _plain(dataclasses.asdict(value))
            elif isinstance(value, tuple):
                out[f.name] = [
                    _plain(dataclasses.asdict(v))
                    if dataclasses.is_dataclass(v) and not isinstance(v, type)
                    else v
                    for v in value
                ]
            else:
                out[f.name] = value
        return out

    def replace(self, **changes: Any) -> Rules:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    # -- use ---------------------------------------------------------------------------
    def fitted(self, ds: Any, required: Any, *, interval_min: int) -> Rules:
        """These rules with ``shifts`` resolved for a requirement.

        Given shifts are kept; ``None`` becomes the types of
        :func:`staffplan.roster.shifts_for_hours` over the opening hours of
        ``required`` (agents per interval at ``ds``, local wall-clock time).
        """
        if self.shifts is not None:
            return self
        shifts = shifts_for_hours(
            ds,
            required,
            interval_min=interval_min,
            lengths_min=self.fit_lengths_min,
            names=self.fit_names,
            start_step_min=self.fit_start_step_min,
        )
        return self.replace(shifts=shifts)

    def instance_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`staffplan.roster.make_instance` (shifts resolved)."""
        if self.shifts is None:
            raise ValueError(
                "shifts are fitted to a requirement: call rules.fitted(ds, required, "
                "interval_min=...) first, or use rules.make_instance"
            )
        return {
            "shifts": self.shifts,
            "lunch": self.lunch,
            "breaks": self.breaks,
            "span": self.span,
            "people": self.people,
            "weights": self.weights,
            "limits": self.limits,
            "cyclic": self.cyclic,
        }

    def make_instance(
        self,
        requirements: Any,
        *,
        interval_min: int,
        ds_col: str = "ds",
        required_col: str = "required",
        **kwargs: Any,
    ) -> RosterInstance:
        """A :class:`RosterInstance` for a requirement frame under these rules.

        ``requirements`` is what :func:`staffplan.roster.make_instance` takes: a frame
        with ``ds_col`` and ``required_col``, or agents per interval with ``start=``.
        Shift types not given are fitted to its opening hours first.  Other keywords go
        to :func:`staffplan.roster.make_instance`.
        """
        import pandas as pd

        from staffplan.roster._instance import _requirements

        rules = self
        if self.shifts is None:
            # The same reading of the requirement as make_instance's, so arrays work too.
            values, start_ts = _requirements(
                requirements, interval_min, kwargs.get("start"), ds_col, required_col
            )
            ds = pd.date_range(start_ts, periods=len(values), freq=f"{interval_min}min")
            rules = self.fitted(ds, values, interval_min=interval_min)
        return make_instance(
            requirements,
            interval_min=interval_min,
            ds_col=ds_col,
            required_col=required_col,
            **rules.instance_kwargs(),
            **kwargs,
        )

    def check(self, interval_min: int) -> Rules:
        """Validate the rules against the grid before any long stage runs.

        Builds an instance over one day needing an agent in every interval
        (shifts not given are fitted round the clock, so every fitted length is
        checked against the lunch and break windows).  Returns ``self``.

        Raises
        ------
        ValueError
            Naming the rule that cannot work on this grid.
        """
        import pandas as pd

        interval_min = check_interval_min(interval_min)
        n = 1440 // interval_min
        day = pd.DataFrame(
            {
                "ds": pd.date_range("2024-01-01", periods=n, freq=f"{interval_min}min"),
                "required": np.ones(n),
            }
        )
        self.replace(cyclic=False).make_instance(day, interval_min=interval_min)
        return self


def _build(cls: type, value: Any, key: str) -> Any:
    if value is None or isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(value) - fields)
        if unknown:
            raise ValueError(
                f"rules[{key!r}] has unknown field(s) {unknown}; {cls.__name__} takes {sorted(fields)}"
            )
        kwargs = {k: _tuples(v) for k, v in value.items()}
        return cls(**kwargs)
    raise TypeError(
        f"rules[{key!r}] must be a {cls.__name__} or a dict, got {type(value).__name__}"
    )


def _tuples(value: Any) -> Any:
    """JSON lists back to the tuples the rule classes hold (nested for windows)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def _plain(value: Any) -> Any:
    """Tuples to lists and timestamps to text, recursively (JSON-ready)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat") and not isinstance(value, (int, float, str)):
        return str(value)
    return value
