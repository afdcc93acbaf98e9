"""Two companies syncing at the same time never see each other's jobs or records."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from qbwc_service import accounts
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import IdMapEntry, Job
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import EmulatorOptions, run_concurrent
from qbwc_service.sync.planning import planner
from sync.conftest import PASSWORD, WINDOW
from sync.helpers import ref_counts


def test_two_users_sync_concurrently_in_isolation(world, tmp_path):
    other_db = tmp_path / "other.sqlite3"
    shutil.copy(world.jobboss, other_db)
    with transaction(world.sessions) as db:
        accounts.create_user(db, "plant2", PASSWORD, jobboss_url=str(other_db))
    with transaction(world.sessions) as db:
        for name in ("shop", "plant2"):
            planner.plan_manual(db, accounts.require_user(db, name), *WINDOW)
    companies = {"shop": QuickBooksCompany.fresh("US"), "plant2": QuickBooksCompany.fresh("US")}
    results = run_concurrent(world.server.url + "/qbwc",
                             [(name, PASSWORD, qb) for name, qb in companies.items()],
                             EmulatorOptions(noop_pause=0.01))
    assert [r.outcome for r in results] == ["finished", "finished"]
    counts = {name: ref_counts(qb, "InvoiceRet") for name, qb in companies.items()}
    assert counts["shop"] == counts["plant2"]  # same data, each company got its own copy
    assert counts["shop"] and max(counts["shop"].values()) == 1
    with world.sessions() as db:
        users = {u: accounts.require_user(db, u).id for u in companies}
        for job in db.scalars(select(Job)):
            assert job.session_id is None or job.user_id in users.values()
        # ListIDs of one company never leak into the other's ID map.
        ids = {uid: {row.qb_id for row in db.scalars(select(IdMapEntry).where(IdMapEntry.user_id == uid))}
               for uid in users.values()}
    shop_ids = {rec["ListID"] for _r, rec in companies["shop"].state.all(("CustomerRet",))}
    assert shop_ids & ids[users["shop"]]
    plant_ids = {rec["ListID"] for _r, rec in companies["plant2"].state.all(("CustomerRet",))}
    assert not (plant_ids - shop_ids) & ids[users["shop"]]
