"""Data quality: per-column profiles, the five quality indices and actionable findings.

    from openkamp.quality import profile
    report = profile(df, time="timestamp", specs=equipment_spec)
    report.indices["completeness"], report.overall
    for f in report.findings: print(f.text("ko"))

Definitions of the indices: :mod:`openkamp.quality.profile` and docs/quality.md.
"""

from openkamp.quality.profile import (
    INDICES,
    PROBLEMS,
    ColumnProfile,
    Finding,
    QualityReport,
    profile,
)
from openkamp.quality.specs import ColumnSpec, column_specs

__all__ = [
    "INDICES",
    "PROBLEMS",
    "ColumnProfile",
    "ColumnSpec",
    "Finding",
    "QualityReport",
    "column_specs",
    "profile",
]
