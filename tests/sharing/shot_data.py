"""Generated factory-like data for the governed-export tests: an injection-moulding shot table
as a factory's MES exports it (Korean column names, a part number, a timestamp in KST to the
millisecond, process values with the decimals their instruments give)."""

from __future__ import annotations

import numpy as np
import pandas as pd

PART = "품번"
TIME = "일시"
MACHINE = "설비"
OPERATOR = "작업자"
# name -> (mean, std, decimals)
PROCESS = {
    "사출압력[bar]": (1250.0, 18.0, 1),
    "보압[bar]": (820.0, 12.0, 1),
    "사출속도[mm/s]": (85.0, 3.5, 2),
    "계량시간[s]": (4.8, 0.15, 3),
    "쿠션량[mm]": (6.5, 0.4, 2),
    # tightly controlled: a mark at one decimal (2.4 degrees) would exceed its spread
    "금형온도[°C]": (60.0, 0.6, 1),
}
PARTS = ["AX-1021", "AX-1022", "BK-3300", "BK-3301", "CM-0450"]


def shot_table(rows: int = 20_000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-03-02 06:00:00", tz="Asia/Seoul")
    cycle_ms = np.round(rng.normal(32.0, 0.8, rows).clip(28.0) * 1000)
    times = start + pd.to_timedelta(np.cumsum(cycle_ms), unit="ms")
    frame = pd.DataFrame(
        {
            TIME: times,
            PART: rng.choice(PARTS, rows),
            MACHINE: rng.choice(["M01", "M02", "M03", "M04"], rows),
            OPERATOR: rng.choice(["김민수", "이서연", "박지훈"], rows),
        }
    )
    # a slow drift shared by the pressures (a warming machine), as real process values have
    drift = np.sin(np.linspace(0, 12 * np.pi, rows))
    for i, (name, (mean, std, decimals)) in enumerate(PROCESS.items()):
        values = mean + std * (0.4 * drift * (i < 2) + 0.9 * rng.standard_normal(rows))
        frame[name] = np.round(values, decimals)
    return frame
