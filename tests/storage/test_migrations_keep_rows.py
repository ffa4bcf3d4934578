"""Every downgrade step of the metadata schema keeps the rows of every table it does not name.

SQLite alters a table by copying it (Alembic's batch mode): the old table is dropped, and with
foreign keys on, dropping a parent deleted its children's rows through ON DELETE CASCADE: the
downgrade of 0016 copied ``jobs`` and every ``sharing_jobs`` row went with it. The migrations
now run with foreign keys off (openkamp/storage/metadata/migrations/env.py) and check every
reference after. The class of fault is checked here on a populated SQLite database: each step
from the head down to the first revision keeps the row count of each table whose name its
migration file does not mention (a step may change the tables it names: drop one, merge rows),
and the way up to the head again keeps what the first revision held.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from tests.sharing.contract_support import DATASET, insert_offer

from openkamp.core.tenancy import Role, system_principal
from openkamp.platform import Platform
from openkamp.sharing import policy as P
from openkamp.sharing.contracts import org_iri
from openkamp.sharing.policy_jsonld import to_jsonld
from openkamp.storage.metadata.migrate import alembic_config


def _counts(kamp: Platform) -> dict[str, int]:
    engine = kamp.meta.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {
            n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() or 0)
            for n in names
            if n != "alembic_version"
        }


def _populate(kamp: Platform) -> None:
    """Rows in the tables that others refer to (orgs, users, jobs, offers, contracts) and in
    those that refer to them."""
    owner = system_principal(kamp.meta.create_org("owner")["id"])
    consumer = system_principal(kamp.meta.create_org("consumer")["id"])
    kamp.accounts.create_user(owner, "owner-admin", "correct horse battery", role=Role.ADMIN)
    policy = P.offer("urn:openkamp:offer:1", target=DATASET, assigner=org_iri("owner"))
    offer = insert_offer(kamp, owner.org_id, 1, json.dumps(to_jsonld(policy)))
    contracts = kamp.sharing.contracts
    c = contracts.request(consumer, offer, P.Purpose.QUALITY, "품질 개선")
    contracts.approve(owner, c.id)
    for _ in range(2):
        job = kamp.meta.insert(consumer.org_id, "job", {"kind": "train", "title": "t",
                               "status": "running", "params": {}, "created_by": "test"})  # fmt: skip
        contracts.register_job(consumer, c.id, int(job["id"]))


def _mentioned(script: ScriptDirectory, revision: str, tables: set[str]) -> set[str]:
    source = Path(script.get_revision(revision).path).read_text(encoding="utf-8")
    return {t for t in tables if re.search(rf"\b{re.escape(t)}\b", source)}


def test_no_downgrade_step_loses_rows_of_a_table_it_does_not_name(tmp_path: Path) -> None:
    kamp = Platform.at(tmp_path / "data", password_hash_memory_kib=1024,
                       password_hash_time_cost=1, duckdb_memory_limit="256MB")  # fmt: skip
    try:
        _populate(kamp)
        cfg = alembic_config(kamp.meta.engine)  # type: ignore[attr-defined]
        script = ScriptDirectory.from_config(cfg)
        head = _counts(kamp)
        assert head["sharing_jobs"] == 2 and head["jobs"] == 2 and head["contracts"] == 1
        steps = [r.revision for r in script.walk_revisions()]  # head first
        assert len(steps) >= 16
        checked = 0
        for rev in steps[:-1]:
            before = _counts(kamp)
            command.downgrade(cfg, "-1")
            after = _counts(kamp)
            for table in set(before) & set(after) - _mentioned(script, rev, set(before)):
                assert after[table] == before[table], (rev, table, before[table], after[table])
                checked += before[table] > 0
        assert checked >= 5  # populated tables were carried through the steps
        bottom = _counts(kamp)
        command.upgrade(cfg, "head")
        back = _counts(kamp)  # what the first revision kept is there at the head again
        assert bottom["orgs"] == 3 and {t: back[t] for t in bottom} == bottom
    finally:
        kamp.close()
