"""Shared fixtures: one simulated stretch of the demo factory, reused by many tests (it is fast,
but there is no need to simulate the same three weeks twenty times)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from openkamp.sim import Factory, Simulation

START = pd.Timestamp("2024-03-04 00:00", tz="Asia/Seoul")  # a Monday
END = START + pd.Timedelta(days=21)


def rank_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC from ranks (Mann–Whitney U), ties averaged."""
    scores = np.asarray(scores, dtype=float)
    positive = np.asarray(positive, dtype=bool)
    ranks = pd.Series(scores).rank().to_numpy()
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@pytest.fixture(scope="session")
def start() -> pd.Timestamp:
    """The origin of the shared simulation: a Monday, 00:00 Korean time."""
    return START


@pytest.fixture(scope="session")
def end() -> pd.Timestamp:
    return END


@pytest.fixture(scope="session")
def factory() -> Factory:
    return Factory(seed=11)


@pytest.fixture(scope="session")
def sim(factory: Factory) -> Simulation:
    return factory.simulate(START, END)


@pytest.fixture(scope="session")
def auc() -> Callable[[np.ndarray, np.ndarray], float]:
    return rank_auc
