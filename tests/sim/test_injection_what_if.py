"""The injection machine's what-if oracle: true defect probabilities of shifted settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openkamp.sim import Simulation
from openkamp.sim.injection import _LOGITS, what_if_defect_prob


@pytest.fixture(scope="module")
def truth(sim: Simulation) -> pd.DataFrame:
    return sim.truth["inj01"].iloc[::10].reset_index(drop=True)


def test_no_shift_is_the_logged_truth(truth: pd.DataFrame) -> None:
    assert np.allclose(what_if_defect_prob(truth), truth["defect_prob"], rtol=1e-12, atol=1e-15)
    zero = what_if_defect_prob(truth, hold=0.0, mould=np.zeros(len(truth)))
    assert np.allclose(zero, truth["defect_prob"])


def test_a_shift_moves_each_defect_by_its_coefficient(truth: pd.DataFrame) -> None:
    # +25 bar of holding pressure is one z-score: flash odds × e^2.0, sink-mark odds × e^-1.8.
    none = 1 - truth["defect_prob"]
    odds = {k: truth[f"p_{k}"] / none for k in _LOGITS}
    expected = 1 - 1 / (
        1
        + odds["short_shot"]
        + odds["flash"] * np.exp(2.0)
        + odds["sink_mark"] * np.exp(-1.8)
        + odds["burn"]
    )
    assert np.allclose(what_if_defect_prob(truth, hold=25.0), expected)
    # A warmer mould prevents short shots: with only short shots possible it always helps.
    only_short = truth.assign(p_flash=0.0, p_sink_mark=0.0, p_burn=0.0)
    only_short["defect_prob"] = only_short["p_short_shot"]
    assert (what_if_defect_prob(only_short, mould=4.0) < only_short["defect_prob"]).all()


def test_unknown_or_uncontrollable_values_are_refused(truth: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unknown process values"):
        what_if_defect_prob(truth, startup=1.0)
    with pytest.raises(ValueError, match="unknown process values"):
        what_if_defect_prob(truth, pressure=1.0)
