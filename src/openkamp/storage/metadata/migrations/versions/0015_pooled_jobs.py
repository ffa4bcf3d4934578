"""a pooled compute-to-data job works under each contract it pools (issue 11, item 6)

``sharing_jobs`` was keyed by the job (a job worked under one contract); it is keyed by job and
contract, so a pooled job (openkamp.sharing.pooled) is registered under every contract whose
data it reads: revoking any of them cancels it, and each owner sees it among its contract's
jobs. A single-contract job still has one row (storage.metadata.contracts.add_job keeps that).
Downgrade keeps one row per job, its first contract's.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite cannot alter a primary key in place: batch mode copies the table (nothing refers
    # to sharing_jobs); PostgreSQL drops and adds the constraint.
    with op.batch_alter_table("sharing_jobs", recreate="auto") as batch:
        batch.drop_constraint("pk_sharing_jobs", type_="primary")
        batch.create_primary_key("pk_sharing_jobs", ["job_id", "contract_id"])


def downgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM sharing_jobs WHERE contract_id > "
            "(SELECT MIN(s.contract_id) FROM sharing_jobs s WHERE s.job_id = sharing_jobs.job_id)"
        )
    )
    with op.batch_alter_table("sharing_jobs", recreate="auto") as batch:
        batch.drop_constraint("pk_sharing_jobs", type_="primary")
        batch.create_primary_key("pk_sharing_jobs", ["job_id"])
