"""SR-26: the MRI checklist per pump kind, and the comparison after the scan."""

import pytest

from tests.programmer.helpers import HOUR, model
from tests.programmer.test_sessions import T0, pump
from thecal.core.pump.commands import MriExposure, ValveReset
from thecal.services.mri import mri_checklist, post_mri_check


@pytest.mark.sr("SR-26")
def test_mri_checklist_and_comparison():
    assert "Empty the reservoir" in mri_checklist(model("valve-gated-20"))[0]
    assert "stopped" in mri_checklist(model("peristaltic-20"))[1]
    port = pump(model_id="valve-gated-20")
    before = port.interrogate(T0)
    assert [f.code for f in post_mri_check(before, None)] == ["MRI_NOT_INTERROGATED"]
    port._step(MriExposure(45 * 60.0), T0 + HOUR)  # the valve trips and stays closed
    after = port.interrogate(T0 + 2 * HOUR)
    codes = {(f.rule_id, f.severity, f.code) for f in post_mri_check(before, after)}
    assert ("SR-26", "hard", "MRI_NOT_DELIVERING") in codes
    port._step(ValveReset(), T0 + 3 * HOUR)
    reset = port.interrogate(T0 + 3 * HOUR)
    assert [f.code for f in post_mri_check(before, reset)] == ["MRI_COMPARED_OK"]
