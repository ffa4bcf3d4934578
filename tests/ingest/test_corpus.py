"""Every file of the realistic-file corpus (tests/ingest/corpus.py) gives what it must.

The plan (before anything is written): where the header is, the columns with their units, the
time column(s), what was detected. The kind of data: the preview (what the import wizard shows),
the import and the scoring of the file all say the kind the corpus expects — one decision,
openkamp.datasets.records.detect_kind. The import: rows read = stored + quarantined with the
expected reasons, first and last time.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from openkamp.core.assets import EquipmentSpec, LineSpec, SignalSpec, SiteSpec
from openkamp.core.errors import ImportRejected
from openkamp.core.tenancy import Principal
from openkamp.ingest.importer import ImportOptions
from openkamp.ingest.names import header_name, match_key
from openkamp.ingest.plan import note_texts
from openkamp.ml.file_scoring import read_file
from openkamp.platform import Platform
from openkamp.web.preview import preview

from .corpus import Case, cases, write_case

CASES = {c.name: c for c in cases()}
EQUIPMENT = "corpus/line/machine"


def _equipment(kamp: Platform, me: Principal, case: Case) -> None:
    signals = [SignalSpec(name, ko, "", "") for name, ko in case.existing.items()]
    kamp.assets.apply_tree(
        me,
        [
            SiteSpec(
                "corpus",
                lines=[LineSpec("line", equipment=[EquipmentSpec("machine", signals=signals)])],
            )
        ],
    )


def test_the_corpus_is_large_and_varied() -> None:
    all_cases = cases()
    assert len(all_cases) >= 25
    suffixes = {Path(c.file).suffix for c in all_cases}
    assert {".csv", ".tsv", ".xlsx"} <= suffixes
    assert {c.kind for c in all_cases} == {"timeseries", "records"}
    assert len({c.name for c in all_cases}) == len(all_cases)


@pytest.mark.parametrize("name", sorted(CASES))
def test_plan_reads_the_layout(kamp: Platform, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    path = write_case(case, tmp_path)
    reader, plan = kamp.imports.plan(path, ImportOptions(**case.options))
    assert reader.header is not None
    assert (reader.header.header_row, reader.header.header_rows) == (
        case.header_row,
        case.header_rows,
    )
    assert plan.time_columns == case.time_columns
    others = [c for c in reader.columns if c not in plan.time_columns]
    cells = {t.column: t.unit_in_cells for t in plan.targets}
    found = {header_name(c)[0]: header_name(c)[1] or cells.get(c, "") for c in others}
    assert found == case.columns
    codes = {n["code"].removeprefix("ingest.note.") for n in plan.notes}
    assert case.notes <= codes, codes
    assert [t.column for t in plan.targets if t.role == "empty"] == case.ignored
    assert sorted(plan.id_columns) == sorted(case.ids)
    if case.sheet:
        assert reader.details["sheet"] == case.sheet
    for col, en in case.english.items():
        assert reader.details["english_names"][col] == en
    # Every note reads as a sentence in both languages (no raw key, no missing parameter).
    for lang in ("ko", "en"):
        for text in note_texts(plan.notes, lang):
            assert "ingest.note" not in text and "{" not in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_preview_import_and_scoring_agree_on_the_kind(
    kamp: Platform, me: Principal, tmp_path: Path, name: str
) -> None:
    """The kind the import wizard shows is the kind the import makes and the kind the scoring
    of the file reads, and it is the kind the corpus expects; the import keeps every row."""
    case = CASES[name]
    _equipment(kamp, me, case)
    path = write_case(case, tmp_path)
    opts = ImportOptions(equipment=EQUIPMENT, **case.options)
    shown = preview(kamp, me, path, opts, "ko")
    assert shown["kind"] == case.kind, shown["kind_reasons"]
    assert shown["detected_kind"] == case.kind
    assert shown["kind_reasons"] and not any("datasets.reason" in r for r in shown["kind_reasons"])
    report = kamp.imports.import_file(me, path, opts)
    assert report.kind == shown["kind"] == case.kind
    if not case.options:  # the scoring of a file reads it with the default options
        assert read_file(kamp, path, me).kind == case.kind
    assert report.balanced()
    assert (report.rows_read, report.rows_stored) == (case.rows_read, case.rows_stored)
    assert report.reasons == case.quarantined
    if case.first is not None:
        assert (report.first_ts, report.last_ts) == (case.first, case.last)
    if case.kind == "records":
        assert report.dataset is not None and report.points_inserted == 0
        assert kamp.datasets.get(me, report.dataset).rows == case.rows_stored
        return
    assert report.dataset is None
    if case.points is not None:
        assert report.points_inserted == case.points
    if case.existing:  # spacing / fullwidth variants met the existing signals
        assert report.created == []
    # Nothing named after a title line or a blank header became a signal.
    made = {s.name for s in kamp.assets.list_signals(me)}
    assert not any(n.startswith("column_") for n in made)
    assert not any("실적" in n or "보고" in n for n in made)
    if report.rows_quarantined:  # quarantine keeps the rows exactly as the file wrote them
        raw = kamp.imports.quarantined_rows(me, report.import_id or 0).decode("utf-8-sig")
        kept = list(csv.reader(io.StringIO(raw)))[1:]
        assert len(kept) == report.rows_quarantined
        if path.suffix != ".xlsx":
            encoding = "cp949" if "cp949" in name else "utf-8-sig"
            lines = path.read_bytes().decode(encoding).replace("\r\n", "\n").split("\n")
            for row, _reason, content in kept:
                assert lines[int(row) - 1] == content


TIMESERIES = sorted(n for n, c in CASES.items() if c.kind == "timeseries")


@pytest.mark.parametrize("name", TIMESERIES)
def test_time_series_files_also_import_as_records(
    kamp: Platform, me: Principal, tmp_path: Path, name: str
) -> None:
    """The user may switch a time series to a table of records: every row is kept there too
    (typed Excel dates and times included: a time cell once failed to turn into text)."""
    case = CASES[name]
    path = write_case(case, tmp_path)
    opts = ImportOptions(kind="records", **case.options)
    decision = kamp.imports.preview_kind(me, path, opts)
    assert (decision.kind, decision.detected) == ("records", case.kind)
    assert decision.reasons[-1].code == "chosen"
    report = kamp.imports.import_file(me, path, opts)
    assert report.kind == "records" and report.balanced()
    assert (report.rows_read, report.rows_stored) == (case.rows_read, case.rows_stored)
    assert (report.first_ts, report.last_ts) == (case.first, case.last)


RECORDS = sorted(n for n, c in CASES.items() if c.kind == "records")


@pytest.mark.parametrize("name", RECORDS)
def test_record_tables_say_why(kamp: Platform, me: Principal, name: str, tmp_path: Path) -> None:
    """A time-series import of a per-shot table would drop one cavity of every shot as a
    repeated time: the decision says it is a table of records, and why."""
    case = CASES[name]
    path = write_case(case, tmp_path)
    decision = kamp.imports.preview_kind(me, path)
    assert decision.kind == "records"
    assert {r.code for r in decision.reasons} & {"repeated_time", "no_time", "id_columns"}


def test_match_key_joins_spellings() -> None:
    same = ["사출압력", "사출 압력", "사출_압력", "사출압력(bar)", " 사출  압력 [bar] "]
    assert {match_key(s) for s in same} == {"사출압력"}
    assert match_key("ＡＢＣ") == match_key("abc") == "abc"
    assert match_key("보압") != match_key("사출압력")
    assert header_name("온도(℃)") == ("온도", "℃")
    assert header_name("사출압력[bar]") == ("사출압력", "bar")
    assert header_name("압력 (MPa)") == ("압력", "MPa")
    assert header_name("금형온도（℃）") == ("금형온도", "℃")
    assert header_name("(비고)") == ("(비고)", "")


def test_user_overrides_the_detected_header_and_time(
    kamp: Platform, me: Principal, tmp_path: Path
) -> None:
    """The preview's choices win: header row, time columns, excluded and id columns."""
    case = CASES["mes_cp949_title_split_time"]
    _equipment(kamp, me, case)
    path = write_case(case, tmp_path)
    # The older option (title lines to skip) still means the same header row.
    reader, plan = kamp.imports.plan(path, ImportOptions(skip_rows=3))
    assert reader.header is not None and reader.header.header_row == 3
    opts = ImportOptions(
        header_row=3,
        header_rows=1,
        time_columns=["일자", "시간"],
        exclude_columns=["보압(bar)"],
        id_columns=["판정"],
    )
    reader, plan = kamp.imports.plan(path, opts)
    kinds = {t.column: (t.kind, t.role) for t in plan.targets}
    assert kinds["보압(bar)"] == ("ignore", "excluded")
    assert kinds["판정"] == ("label", "id")
    assert plan.id_columns == ["판정"]
    # A wrong header row (the title) gives a clear, coded refusal, not junk signals.
    with pytest.raises(ImportRejected) as err:
        kamp.imports.plan(path, ImportOptions(header_row=0, header_rows=1))
    assert err.value.code == "ingest.no_data_columns"


def test_spelling_variants_of_one_name_feed_one_signal(
    kamp: Platform, me: Principal, tmp_path: Path
) -> None:
    """The issue's case: `사출압력` and `사출 압력` became two signals."""
    kamp.assets.apply_tree(
        me, [SiteSpec("corpus", lines=[LineSpec("line", equipment=[EquipmentSpec("machine")])])]
    )
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("일시,사출압력(bar)\n2026-03-02 08:00:00,1200\n2026-03-02 08:00:30,1201\n")
    second.write_text("일시,사출 압력 [bar]\n2026-03-02 08:01:00,1202\n", encoding="cp949")
    opts = ImportOptions(equipment=EQUIPMENT, kind="timeseries")
    a = kamp.imports.import_file(me, first, opts)
    b = kamp.imports.import_file(me, second, opts)
    assert a.created == ["signal:사출압력"] and b.created == []
    signals = kamp.assets.list_signals(me)
    assert [(s.name, s.unit) for s in signals] == [("사출압력", "bar")]
    assert kamp.query.read(me, [f"{EQUIPMENT}/사출압력"]).num_rows == 3
