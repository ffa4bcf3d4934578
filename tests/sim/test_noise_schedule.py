"""The building blocks: counter-based noise, smooth processes, thermal lags, working hours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from openkamp.core.errors import InvalidInput
from openkamp.sim import WorkSchedule
from openkamp.sim import _noise as nz


def test_counter_based_noise_depends_only_on_key_and_index() -> None:
    i = np.arange(100_000)
    a = nz.normal(1, i)
    np.testing.assert_array_equal(a[500:600], nz.normal(1, i[500:600]))
    assert not np.allclose(a, nz.normal(2, i))
    assert abs(a.mean()) < 0.02 and abs(a.std() - 1) < 0.02
    u = nz.uniform(1, i)
    assert u.min() > 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.02
    assert nz.derive_key("a", 1) == nz.derive_key("a", 1) != nz.derive_key("a", 2)


def test_smooth_process_is_continuous_stationary_and_window_independent() -> None:
    t = np.arange(0, 200_000, 10.0)
    x = nz.smooth(7, t, 600.0)
    np.testing.assert_array_equal(x[1000:1100], nz.smooth(7, t[1000:1100], 600.0))
    assert np.abs(np.diff(x)).max() < 0.2  # 10 s steps on a 600 s scale
    assert abs(x.std() - 1) < 0.15


def test_ema_matches_the_recursion() -> None:
    x = np.random.default_rng(0).normal(size=1000)
    y, last = nz.ema(x, 0.98, 5.0)
    ref, prev = np.empty_like(x), 5.0
    for n, v in enumerate(x):
        prev = ref[n] = 0.98 * prev + 0.02 * v
    np.testing.assert_allclose(y, ref, rtol=1e-10, atol=1e-12)
    assert last == y[-1]
    # Carrying the state across calls gives the same as one call.
    y1, s = nz.ema(x[:333], 0.98, 5.0)
    y2, _ = nz.ema(x[333:], 0.98, s)
    np.testing.assert_allclose(np.concatenate([y1, y2]), y, rtol=1e-10)


def test_schedule_maps_between_wall_and_operating_time() -> None:
    sched = WorkSchedule(days=(0, 1, 2, 3, 4), hours=((8, 12), (13, 20)))
    origin = pd.Timestamp("2024-03-04 00:00", tz="Asia/Seoul")  # Monday
    bound = sched.bind(origin)
    h = 3600.0
    op = bound.op_time(np.array([8 * h, 10 * h, 12.5 * h, 20 * h, 24 * h + 9 * h]))
    np.testing.assert_allclose(op, [0, 2 * h, 4 * h, 11 * h, 12 * h])
    # Wall time of the 4th working hour's end is the start of the afternoon shift.
    np.testing.assert_allclose(bound.wall_time(np.array([4 * h, 5 * h])), [13 * h, 14 * h])
    week = 5 * 11 * h
    np.testing.assert_allclose(bound.wall_time(np.array([week]))[0], 7 * 24 * h + 8 * h)
    t = np.arange(0, 14 * 24 * h, 997.0)
    on = bound.working(t)
    np.testing.assert_allclose(bound.op_time(bound.wall_time(bound.op_time(t))), bound.op_time(t))
    np.testing.assert_allclose(bound.wall_time(bound.op_time(t[on])), t[on], atol=1e-6)
    assert bound.next_working(21 * h) == pytest.approx(24 * h + 8 * h)


def test_invalid_schedules_are_rejected() -> None:
    for bad in (WorkSchedule(days=()), WorkSchedule(hours=((20, 8),)), WorkSchedule(days=(7,))):
        with pytest.raises(InvalidInput):
            bad.intervals()
