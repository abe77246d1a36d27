"""Scenario files: JSON in, a validated core `Scenario` out."""

from thecal.adapters.scenario.document import load, parse_scenario

__all__ = ["load", "parse_scenario"]
