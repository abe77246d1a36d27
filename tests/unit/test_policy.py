"""policy.toml is typed and checked whole at load: a limit the code reads is an
attribute (a typo is a mypy error), and a file with an unknown, missing or mistyped
limit is refused naming it (issue 27)."""

from __future__ import annotations

import copy
import tomllib

import pytest

from thecal.core.errors import CatalogueError
from thecal.core.safety.policy import Policy
from thecal.data import _text, policy


def _document() -> dict[str, object]:
    return copy.deepcopy(tomllib.loads(_text("policy.toml")))


def test_the_shipped_policy_loads_typed_with_its_sources() -> None:
    p = policy()
    # fact 12: screening doses 50, 75, then 100 mcg, each >= 24 h after the last
    assert p.trial.baclofen_screen_doses_mcg == (50.0, 75.0, 100.0)
    assert p.trial.baclofen_min_interval_h == 24.0
    # PostgreSQL integer: 2^31 - 1, a whole number where it bounds ids
    assert p.input.max_id == 2**31 - 1 and isinstance(p.input.max_id, int)
    assert isinstance(p.login.lock_base_s, float)
    assert p.source("trial", "baclofen_min_interval_h").startswith("fact 12")


def test_reinitiation_is_read_by_class_then_by_name() -> None:
    r = policy().reinitiation
    assert r.threshold_h("opioid", "morphine") == r.opioid_h
    assert r.threshold_h("conopeptide", "ziconotide") == r.ziconotide_h
    assert r.threshold_h("local-anaesthetic", "bupivacaine") is None


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: d["trial"].pop("baclofen_start_factor"), "baclofen_start_factor is required"),
        (lambda d: d["trial"].update(baclofen_start_facter={"value": 2.0, "source": "x"}),
         "limit baclofen_start_facter is not one thecal reads"),
        (lambda d: d.update(extra={"a": {"value": 1, "source": "x"}}),
         "section extra is not one thecal reads"),
        (lambda d: d.pop("login"), "section login is required"),
        (lambda d: d["login"]["free_failures"].update(value=5.5),
         "[login].free_failures: a whole number is required"),
        (lambda d: d["refill"]["margin_days"].update(value="3"),
         "[refill].margin_days: a finite number is required"),
        (lambda d: d["refill"]["margin_days"].update(value=True),
         "[refill].margin_days: a finite number is required"),
        (lambda d: d["refill"]["margin_days"].update(value=float("nan")),
         "[refill].margin_days: a finite number is required"),
        (lambda d: d["trial"]["baclofen_screen_doses_mcg"].update(value=[]),
         "[trial].baclofen_screen_doses_mcg: a list of numbers is required"),
        (lambda d: d["refill"]["margin_days"].pop("source"), "source"),
    ],
)
def test_a_policy_file_that_does_not_fit_is_refused_naming_the_limit(edit, named) -> None:
    doc = _document()
    edit(doc)
    with pytest.raises(CatalogueError) as raised:
        Policy.from_mapping(doc)
    assert named in str(raised.value)
