"""Configuration chooses how the clinic reaches its pumps."""

from __future__ import annotations

import pytest

from thecal.adapters.pump.links import InProcessLinks, TelemetryLinks, links_from_environment
from thecal.core.errors import InputError, NotFound


def test_in_process_is_the_default() -> None:
    assert links_from_environment({}) == InProcessLinks()


def test_telemetry_reads_the_pump_directory(tmp_path) -> None:
    env = {
        "THECAL_PUMP_LINK": "telemetry",
        "THECAL_TELEMETRY_PUMPS": "SN-A=127.0.0.1:7001, SN-B=localhost:7002",
    }
    with pytest.raises(InputError, match="THECAL_TELEMETRY_KEYS"):
        links_from_environment(env)
    links = links_from_environment({**env, "THECAL_TELEMETRY_KEYS": str(tmp_path / "keys")})
    assert isinstance(links, TelemetryLinks)
    assert links.keys.directory == tmp_path / "keys"
    assert dict(links.addresses) == {"SN-A": ("127.0.0.1", 7001), "SN-B": ("localhost", 7002)}
    with pytest.raises(NotFound, match="SN-C=HOST:PORT"):
        links.open("SN-C")


def test_bad_configuration_names_the_variable_and_what_is_accepted() -> None:
    with pytest.raises(InputError) as err:
        links_from_environment({"THECAL_PUMP_LINK": "radio"})
    assert err.value.problems[0].path == "THECAL_PUMP_LINK"
    assert "in-process, telemetry" in err.value.problems[0].message
    with pytest.raises(InputError) as err:
        links_from_environment(
            {"THECAL_PUMP_LINK": "telemetry", "THECAL_TELEMETRY_PUMPS": "SN-A=host:99999,SN-B"}
        )
    assert [p.path for p in err.value.problems] == [
        "THECAL_TELEMETRY_PUMPS[0]",
        "THECAL_TELEMETRY_PUMPS[1]",
    ]
