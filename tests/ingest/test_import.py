"""File import on the simulator's data: layouts, formats, encodings, idempotency, time zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from openkamp.core.errors import ImportRejected
from openkamp.core.tenancy import Principal
from openkamp.ingest.importer import ImportOptions
from openkamp.platform import Platform
from openkamp.settings import Settings
from openkamp.sim import Factory

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2026, 3, 2, tzinfo=SEOUL)  # a Monday: every machine runs
END = START + timedelta(days=1)
PRESS = "plant1/line2/press01"


@pytest.fixture(scope="module")
def factory() -> Factory:
    return Factory(seed=3)


@pytest.fixture(scope="module")
def frames(factory: Factory) -> dict[str, pd.DataFrame]:
    return factory.generate(START, END)


@pytest.fixture
def demo(kamp: Platform, me: Principal, factory: Factory) -> Platform:
    kamp.assets.apply_tree(me, [factory.asset_model()])
    return kamp


def _path_of(kamp: Platform, me: Principal, equipment: str) -> str:
    node = next(n for n in kamp.assets.list_nodes(me, "equipment") if n.name == equipment)
    return kamp.assets.path_of(me, node.id)


def test_wide_csv_stores_exactly_the_generated_values(
    demo: Platform, me: Principal, factory: Factory, frames: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    paths = factory.write_files(tmp_path, START, END, layout="wide", fmt="csv")
    press_file = next(p for p in paths if p.stem == "press01")
    report = demo.imports.import_file(me, press_file)  # equipment found from the column names
    df = frames["press01"]
    signals = [s.name for s in demo.assets.list_signals(me, demo.assets.resolve(me, PRESS).id)]
    assert report.equipment == PRESS
    assert report.rows_read == report.rows_stored == len(df)
    assert report.points_inserted == int(df[signals].notna().sum().sum())
    stored = demo.query.read(me, [f"{PRESS}/{signals[0]}"])
    expected = df[["timestamp", signals[0]]].dropna()
    assert stored.num_rows == len(expected)
    np.testing.assert_allclose(
        stored.column("value").to_numpy(), expected[signals[0]].to_numpy(), rtol=1e-6
    )
    first = stored.column("ts")[0].as_py()
    assert first == expected["timestamp"].iloc[0].to_pydatetime().astimezone(UTC)


def test_encodings_and_korean_headers_land_in_the_same_signals(
    demo: Platform, me: Principal, factory: Factory, tmp_path: Path
) -> None:
    written = {}
    for enc, korean in (("utf-8", False), ("utf-8-sig", False), ("cp949", True)):
        out = tmp_path / enc
        written[enc] = next(
            p
            for p in factory.write_files(out, START, END, encoding=enc, korean_headers=korean)
            if p.stem == "inj01"
        )
    inj = _path_of(demo, me, "inj01")
    first = demo.imports.import_file(me, written["cp949"], ImportOptions(equipment=inj))
    assert first.details["encoding"] == "cp949" and first.rows_quarantined == 0
    assert first.created == []  # Korean headers matched the signals' Korean names
    signals_before = len(demo.assets.list_signals(me))
    for enc in ("utf-8", "utf-8-sig"):
        rep = demo.imports.import_file(me, written[enc], ImportOptions(equipment=inj))
        assert rep.details["encoding"] == enc
        assert rep.points_inserted == 0 and rep.points_unchanged == first.points_inserted
    assert len(demo.assets.list_signals(me)) == signals_before
    labels = demo.assets.list_label_columns(me, demo.assets.resolve(me, inj).id)
    assert first.labels_written > 0 and labels


def test_reimport_adds_nothing(
    demo: Platform, me: Principal, factory: Factory, tmp_path: Path
) -> None:
    path = next(p for p in factory.write_files(tmp_path, START, END) if p.stem == "cnc01")
    cnc = _path_of(demo, me, "cnc01")
    first = demo.imports.import_file(me, path, ImportOptions(equipment=cnc))
    count = demo.ts.count(me.org_id)
    again = demo.imports.import_file(me, path, ImportOptions(equipment=cnc))
    assert again.status == "skipped" and again.previous_import_id == first.import_id
    forced = demo.imports.import_file(me, path, ImportOptions(equipment=cnc, force=True))
    assert forced.status == "done" and forced.points_inserted == 0 and forced.labels_written == 0
    assert forced.points_unchanged == first.points_inserted
    assert demo.ts.count(me.org_id) == count
    assert [r["status"] for r in demo.imports.list(me)] == ["done", "done"]


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_excel_and_parquet(
    demo: Platform,
    me: Principal,
    factory: Factory,
    frames: dict[str, pd.DataFrame],
    tmp_path: Path,
    fmt: str,
) -> None:
    end = START + timedelta(hours=6)  # Excel is slow to write; a shift is enough
    path = next(p for p in factory.write_files(tmp_path, START, end, fmt=fmt) if p.stem == "tank01")
    report = demo.imports.import_file(
        me, path, ImportOptions(equipment=_path_of(demo, me, "tank01"))
    )
    expected = factory.generate(START, end)["tank01"]
    assert report.rows_read == report.rows_stored == len(expected)
    assert report.rows_quarantined == 0


def test_long_layout(
    demo: Platform, me: Principal, factory: Factory, frames: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    paths = factory.write_files(tmp_path, START, END, layout="long")
    path = next(p for p in paths if p.stem == "press01")
    report = demo.imports.import_file(me, path, ImportOptions(equipment=PRESS))
    assert report.layout == "long" and report.balanced()
    df = frames["press01"]
    signals = [s.name for s in demo.assets.list_signals(me, demo.assets.resolve(me, PRESS).id)]
    assert report.points_inserted == int(df[signals].notna().sum().sum())
    assert report.created == []


def test_small_chunks_give_the_same_result(me: Principal, factory: Factory, tmp_path: Path) -> None:
    path = next(p for p in factory.write_files(tmp_path / "f", START, END) if p.stem == "press01")
    results = []
    for name, chunk in (("big", 16 << 20), ("small", 64 << 10)):
        with Platform(Settings(data_dir=tmp_path / name, import_chunk_bytes=chunk)) as kamp:
            kamp.assets.apply_tree(kamp.principal(), [factory.asset_model()])
            rep = kamp.imports.import_file(kamp.principal(), path, ImportOptions(equipment=PRESS))
            results.append(
                (
                    rep.rows_read,
                    rep.rows_stored,
                    rep.points_inserted,
                    kamp.ts.count(kamp.principal().org_id),
                )
            )
    assert results[0] == results[1]


def test_time_zones(kamp: Platform, me: Principal, press: str, tmp_path: Path) -> None:
    path = tmp_path / "tz.csv"
    path.write_text("timestamp,pressure\n2026-03-01 09:00:00,1\n")
    kamp.imports.import_file(me, path, ImportOptions(equipment=press))
    got = kamp.query.read(me, [f"{press}/pressure"]).column("ts")[0].as_py()
    assert got == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)  # naive times are Korean local time
    path.write_text("timestamp,pressure\n2026-03-01 09:00:00,2\n")
    kamp.imports.import_file(me, path, ImportOptions(equipment=press, timezone="UTC"))
    path.write_text("time,pressure\n2026-03-01T12:00:00+09:00,3\n2026-03-01T03:00:01Z,4\n")
    kamp.imports.import_file(me, path, ImportOptions(equipment=press))
    values = {r["ts"]: r["value"] for r in kamp.query.read(me, [f"{press}/pressure"]).to_pylist()}
    assert values[datetime(2026, 3, 1, 9, 0, tzinfo=UTC)] == 2.0
    assert values[datetime(2026, 3, 1, 3, 0, tzinfo=UTC)] == 3.0
    assert values[datetime(2026, 3, 1, 3, 0, 1, tzinfo=UTC)] == 4.0


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2026/03/01 14:03:05", datetime(2026, 3, 1, 5, 3, 5)),
        ("2026.03.01 14:03", datetime(2026, 3, 1, 5, 3, 0)),
        ("2026-03-01 오후 2:03:05", datetime(2026, 3, 1, 5, 3, 5)),
        ("2026-03-01 14:03:05.250", datetime(2026, 3, 1, 5, 3, 5, 250000)),
        ("1772341385", datetime(2026, 3, 1, 5, 3, 5)),
    ],
)
def test_timestamp_formats(
    kamp: Platform, me: Principal, press: str, tmp_path: Path, stamp: str, expected: datetime
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(f"일시,pressure\n{stamp},1.5\n")
    report = kamp.imports.import_file(me, path, ImportOptions(equipment=press))
    assert report.rows_stored == 1, report.examples
    assert kamp.query.read(me, [f"{press}/pressure"]).column("ts")[0].as_py() == expected.replace(
        tzinfo=UTC
    )


def test_mapping_ignore_and_no_create(
    kamp: Platform, me: Principal, press: str, tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        "측정시간;압력값(bar);메모;비고\n2026-03-01 00:00:00;100;a;x\n2026-03-01 00:00:01;101;b;y\n"
    )
    with pytest.raises(ImportRejected, match="matches no signal"):
        kamp.imports.import_file(
            me,
            path,
            ImportOptions(
                equipment=press, create_signals=False, columns={"압력값(bar)": "pressure"}
            ),
        )
    report = kamp.imports.import_file(
        me,
        path,
        ImportOptions(
            equipment=press,
            columns={"압력값(bar)": "pressure"},
            ignore_columns=["비고"],
            label_columns=["메모"],
        ),
    )
    assert report.details["delimiter"] == ";"
    assert report.columns == {
        "압력값(bar)": "signal:pressure",
        "메모": "label:메모",
        "비고": "ignored",
    }
    assert report.created == ["label:메모"]
    assert kamp.query.read(me, [f"{press}/pressure"]).column("value").to_pylist() == [100.0, 101.0]


def test_new_signals_take_names_and_units_from_headers(
    kamp: Platform, me: Principal, press: str, tmp_path: Path
) -> None:
    path = tmp_path / "n.csv"
    path.write_text("timestamp,금형 온도(℃),Flow rate [l/min]\n2026-03-01 00:00:00,55.5,12\n")
    report = kamp.imports.import_file(me, path, ImportOptions(equipment=press))
    made = {s.name: s for s in kamp.assets.list_signals(me)}
    assert set(report.created) == {"signal:금형_온도", "signal:Flow_rate"}
    assert (made["금형_온도"].name_ko, made["금형_온도"].unit) == ("금형 온도", "℃")
    assert (made["Flow_rate"].name_en, made["Flow_rate"].unit) == ("Flow rate", "l/min")


def test_interrupted_imports_are_marked_on_restart(tmp_path: Path) -> None:
    with Platform.at(tmp_path / "d") as kamp:
        me = kamp.principal()
        kamp.meta.insert(
            me.org_id,
            "import",
            {
                "file_name": "x.csv",
                "file_checksum": "",
                "file_size": 1,
                "options_hash": "h",
                "status": "running",
                "started_at": datetime.now(UTC),
            },
        )
    with Platform.at(tmp_path / "d") as kamp:
        assert [r["status"] for r in kamp.imports.list(kamp.principal())] == ["interrupted"]


def test_other_organisations_cannot_import_into_foreign_equipment(
    kamp: Platform, me: Principal, press: str, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("timestamp,pressure\n2026-03-01 00:00:00,1\n")
    other = kamp.principal("other-factory")
    eq_id = kamp.assets.resolve(me, press).id
    with pytest.raises(Exception, match=r"No node|No asset"):
        kamp.imports.import_file(other, path, ImportOptions(equipment=eq_id))
    with pytest.raises(Exception, match="No asset"):
        kamp.imports.import_file(other, path, ImportOptions(equipment=press))
    assert kamp.ts.count(other.org_id) == 0


def test_concurrent_imports_do_not_interfere(
    demo: Platform, me: Principal, factory: Factory, frames: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    paths = {p.stem: p for p in factory.write_files(tmp_path, START, END)}
    jobs = {name: _path_of(demo, me, name) for name in ("cnc01", "press01", "tank01")}
    with ThreadPoolExecutor(3) as pool:
        futures = {
            n: pool.submit(demo.imports.import_file, me, paths[n], ImportOptions(equipment=eq))
            for n, eq in jobs.items()
        }
        reports = {n: f.result() for n, f in futures.items()}
    for name, rep in reports.items():
        assert (
            rep.equipment == jobs[name]
            and rep.rows_stored == len(frames[name])
            and rep.created == []
        )
    assert demo.ts.count(me.org_id) == sum(r.points_inserted for r in reports.values())
