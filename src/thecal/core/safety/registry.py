"""Every safety rule thecal enforces, by id, with what it guards and its source.

`docs/safety-rules.md` maps each id here to the test that proves it; a test fails
when an id has no row there, so a rule cannot be added without its evidence.
DD-n are drugs-and-dosing.md §4 rule n; SR-n are safety-requirements.md §B;
PUMP-3 is pump-behaviour.md §3; F-n are devices.md recalls.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleInfo:
    rule_id: str
    title: str
    source: str


_RULES = (
    RuleInfo(
        "DD-01",
        "Drug library gate: drugs, concentrations, admixtures, single bolus",
        "drugs-and-dosing.md §4 rule 1",
    ),
    RuleInfo(
        "DD-02",
        "Unit sanity: a new dose > 10x or < 0.1x the previous",
        "drugs-and-dosing.md §4 rule 2; devices.md F20",
    ),
    RuleInfo(
        "DD-03",
        "Starting dose ceiling at first fill or for an opioid-naive patient",
        "drugs-and-dosing.md §4 rule 3",
    ),
    RuleInfo(
        "DD-04",
        "Maximum daily dose: soft at PACC, hard at the label",
        "drugs-and-dosing.md §4 rule 4",
    ),
    RuleInfo(
        "DD-05",
        "Titration per 24 h, ziconotide steps and frequency",
        "drugs-and-dosing.md §4 rule 5",
    ),
    RuleInfo(
        "DD-06",
        "Daily total with every allowed patient bolus",
        "drugs-and-dosing.md §4 rule 6; SR-06",
    ),
    RuleInfo(
        "DD-07",
        "Concentration change: bridge bolus from the recorded catheter",
        "drugs-and-dosing.md §4 rule 7; fact 13; devices.md F69",
    ),
    RuleInfo(
        "DD-08",
        "Priming bolus only at implant or revision, supervised, right volume",
        "drugs-and-dosing.md §4 rule 8; devices.md F17, F18, F22",
    ),
    RuleInfo(
        "DD-09",
        "Refill scheduling: low-reservoir date, stability, replacement",
        "drugs-and-dosing.md §4 rule 9; fact 8; fact 16",
    ),
    RuleInfo(
        "DD-10",
        "Refill verification: second person, discrepancy thresholds",
        "drugs-and-dosing.md §4 rule 10; fact 33; devices.md F28",
    ),
    RuleInfo(
        "DD-11",
        "Withdrawal-risk drugs: no stop or large cut without a taper",
        "drugs-and-dosing.md §4 rule 11; facts 16-17",
    ),
    RuleInfo(
        "DD-12",
        "Monitoring after start or increase; ziconotide screening",
        "drugs-and-dosing.md §4 rule 12; facts 3, 5, 9, 13",
    ),
    RuleInfo(
        "DD-13",
        "Granuloma surveillance: opioid concentration, yearly increase",
        "drugs-and-dosing.md §4 rule 13; fact 30",
    ),
    RuleInfo(
        "DD-14",
        "Trial protocol: doses, intervals, observation, prerequisites",
        "drugs-and-dosing.md §4 rule 14; facts 3, 4, 12, 21",
    ),
    RuleInfo(
        "DD-15",
        "Sedative co-medication when IT opioids start",
        "drugs-and-dosing.md §4 rule 15; fact 3",
    ),
    RuleInfo(
        "SR-01", "The drug library passed its integrity check", "safety-requirements.md SR-01"
    ),
    RuleInfo("SR-02", "Hard findings refuse; no override exists", "safety-requirements.md SR-02"),
    RuleInfo(
        "SR-03",
        "Soft findings need an acknowledgement with user, time and reason",
        "safety-requirements.md SR-03",
    ),
    RuleInfo(
        "SR-05",
        "A concentration change voids the old program's rates",
        "safety-requirements.md SR-05; devices.md F69",
    ),
    RuleInfo(
        "SR-07", "Read the program back and verify its checksum", "safety-requirements.md SR-07"
    ),
    RuleInfo(
        "SR-08",
        "Old and new settings side by side, confirmed before transmit",
        "safety-requirements.md SR-08; devices.md F25",
    ),
    RuleInfo(
        "SR-09",
        "Patient boluses only for eligible drugs, never baclofen",
        "safety-requirements.md SR-09; devices.md A2.17",
    ),
    RuleInfo(
        "SR-21",
        "Refill discrepancy alert, delivered/programmed ratio stored",
        "safety-requirements.md SR-21",
    ),
    RuleInfo(
        "SR-22",
        "Low-reservoir threshold; projected empty date recomputed",
        "safety-requirements.md SR-22; devices.md F9",
    ),
    RuleInfo(
        "SR-24",
        "Refill refused above capacity or without an interrogation",
        "safety-requirements.md SR-24; devices.md F4, F69",
    ),
    RuleInfo("SR-25", "Refill due = low-alarm date - margin", "safety-requirements.md SR-25"),
    RuleInfo(
        "SR-26",
        "MRI: checklist before, interrogation and comparison after",
        "safety-requirements.md SR-26; devices.md F15, F40-F42",
    ),
    RuleInfo(
        "SR-31",
        "End of service projected on the proposed program; under the ERI promise asks "
        "for acknowledgement",
        "safety-requirements.md SR-31; devices.md F12",
    ),
    RuleInfo(
        "SR-34",
        "A lost link leaves the command uncertain until interrogated",
        "safety-requirements.md SR-34",
    ),
    RuleInfo(
        "SR-36",
        "A temporary program has a bounded duration, a program to return to, and ends "
        "on its own",
        "safety-requirements.md SR-36; alarms.toml [temporary]",
    ),
    RuleInfo(
        "SR-41",
        "The pump's own limit monitor refuses programs and boluses beyond the library's "
        "hard limits, whatever the programmer did",
        "safety-requirements.md SR-41",
    ),
    RuleInfo(
        "F19",
        "An unfinished session is reported incomplete; old program keeps running",
        "devices.md F19",
    ),
    RuleInfo(
        "F28",
        "Second-person verification: first fill, concentration change, large increase",
        "devices.md F28; drugs-and-dosing.md §4 rule 10; fact 33",
    ),
    RuleInfo("PUMP-3", "The pump's own program validation", "pump-behaviour.md §3"),
    RuleInfo(
        "SCS-01",
        "Shannon limit: log10(D) + log10(Q) at a contact may not exceed k = 1.85",
        "scs.toml [limits] shannon_k: Shannon 1992; Cogan et al. 2016",
    ),
    RuleInfo(
        "SCS-02",
        "Charge density at a contact at most 30 uC/cm2 per phase",
        "scs.toml [limits] charge_density_uc_per_cm2: Boston Scientific programming manual",
    ),
    RuleInfo(
        "SCS-03",
        "An SCS program within its waveform mode, its stimulator and its lead",
        "scs.toml [modes], [[stimulator]], [[lead]]",
    ),
    RuleInfo(
        "SCS-04",
        "A stimulator is implanted only after a successful trial with temporary leads",
        "scs.toml [trial]; policy.toml [trial] success_nrs_reduction_pct (PMC7004134: "
        "screening trials judge >= 50 % relief before a permanent implant)",
    ),
)

RULES: dict[str, RuleInfo] = {r.rule_id: r for r in _RULES}


def rule(rule_id: str) -> RuleInfo:
    return RULES[rule_id]
