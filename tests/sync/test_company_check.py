"""Right company or nothing: a user's sessions only ever write to the company it is bound to."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qbwc_service import accounts
from qbwc_service.queue.db import transaction
from qbwc_service.queue.models import Job, Run
from qbwc_service.simulator.quickbooks import QuickBooksCompany
from qbwc_service.simulator.webconnector import DEFAULT_COMPANY_FILE, EmulatorOptions, WebConnector
from qbwc_service.sync.running.company import CompanyIdentity, same_company

from .conftest import PASSWORD, World

OTHER_FILE = r"C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\Other Books.qbw"
OWNER_FILE_ID = "{11111111-2222-3333-4444-555555555555}"


def _records(company: QuickBooksCompany) -> int:
    return sum(len(table) for table in company.state.records.values())


def _bind(world: World, **identity: str) -> None:
    with transaction(world.sessions) as db:
        user = world.user(db)
        user.bound_file_id = identity.get("file_id")
        user.bound_company_path = identity.get("path")
        user.bound_company_name = identity.get("name")
        user.bound_at = func.now()


def _session_on(world: World, company: QuickBooksCompany, **options: object):
    opts = EmulatorOptions(noop_pause=0.01, **options)  # type: ignore[arg-type]
    return WebConnector(world.server.url + "/qbwc", company, opts).run_session(world.user_name, PASSWORD)


def _pending(world: World) -> int:
    with world.sessions() as db:
        return db.scalar(select(func.count()).select_from(Job).where(Job.status == "pending")) or 0


def test_first_session_binds_the_user_to_the_open_company(world: World) -> None:
    world.plan()
    result = world.session()
    assert result.outcome == "finished", result.summary()
    with world.sessions() as db:
        user = world.user(db)
        assert user.bound_company_name == "Sample Manufacturing Co"
        assert user.bound_company_path == DEFAULT_COMPANY_FILE
        assert user.bound_file_id is None  # not stamped: learned later, not an error
        assert user.bound_at is not None


def test_another_company_stops_the_session_before_anything_is_sent(world: World) -> None:
    _bind(world, path=DEFAULT_COMPANY_FILE, name="Sample Manufacturing Co")
    world.plan()
    pending = _pending(world)
    other = QuickBooksCompany.fresh(company_name="Other Books Ltd")
    before = _records(other)

    result = _session_on(world, other, company_file=OTHER_FILE)

    assert _records(other) == before  # not one record written to the wrong company
    assert result.requests == 0
    assert _pending(world) == pending  # every job still waits for the right company
    for text in ("Wrong QuickBooks company", "Sample Manufacturing Co", "Other Books Ltd",
                 OTHER_FILE, "user edit shop --company-file"):
        assert text in result.last_error
    with world.sessions() as db:
        run = db.scalars(select(Run).order_by(Run.id.desc())).first()
        assert run is not None and run.status == "failed"
        assert "Other Books Ltd" in run.summary


def test_rebinding_lets_the_next_session_learn_the_open_company(world: World) -> None:
    _bind(world, path=DEFAULT_COMPANY_FILE, name="Sample Manufacturing Co")
    world.plan()
    other = QuickBooksCompany.fresh(company_name="Other Books Ltd")
    assert _session_on(world, other, company_file=OTHER_FILE).requests == 0

    with transaction(world.sessions) as db:  # what `user edit --company-file` does
        accounts.update_user(db, world.user_name, accounts.UserChanges(company_file=""))
    result = _session_on(world, other, company_file=OTHER_FILE)
    assert result.requests > 0 and _records(other) > 0
    with world.sessions() as db:
        user = world.user(db)
        assert (user.bound_company_name, user.bound_company_path) == ("Other Books Ltd", OTHER_FILE)


def test_path_differing_in_case_and_slashes_is_the_same_company(world: World) -> None:
    _bind(world, path=DEFAULT_COMPANY_FILE.lower().replace("\\", "/"), name="Sample Manufacturing Co")
    world.plan()
    result = world.session()
    assert result.outcome == "finished", result.last_error
    assert result.requests > 0


@pytest.mark.parametrize("stamped,same", [(OWNER_FILE_ID, True),
                                           ("{99999999-9999-9999-9999-999999999999}", False)])
def test_a_file_at_another_path_is_the_bound_company_only_with_its_file_id(world: World, stamped: str,
                                                                          same: bool) -> None:
    with world.sessions() as db:
        owner = world.user(db).owner_id
    _bind(world, path=r"D:\Old Share\Sample Manufacturing.qbw", name="Sample Manufacturing Co",
          file_id=OWNER_FILE_ID)
    world.plan()
    qb = world.qb()
    qb.owner_file_ids[owner] = stamped
    before = _records(qb)
    result = world.session()
    if same:  # the same file, moved
        assert result.outcome == "finished", result.last_error
        assert result.requests > 0 and _records(qb) > before
    else:
        assert result.requests == 0 and _records(qb) == before
        assert "Wrong QuickBooks company" in result.last_error and OWNER_FILE_ID in result.last_error


def test_the_file_id_is_learned_when_it_appears(world: World) -> None:
    with world.sessions() as db:
        owner = world.user(db).owner_id
    _bind(world, path=DEFAULT_COMPANY_FILE, name="Sample Manufacturing Co")
    world.plan()
    world.qb().owner_file_ids[owner] = OWNER_FILE_ID
    assert world.session().outcome == "finished"
    with world.sessions() as db:
        assert world.user(db).bound_file_id == OWNER_FILE_ID


def test_same_company_rules() -> None:
    bound = CompanyIdentity(file_id="{A}", path=r"C:\Books\Shop.qbw", name="Shop")
    assert same_company(bound, CompanyIdentity(file_id="{A}", path=r"c:/books/shop.QBW", name="Shop"))
    assert same_company(bound, CompanyIdentity(path=r"C:\Books\Shop.qbw", name="Renamed"))
    assert not same_company(bound, CompanyIdentity(file_id="{B}", path=r"C:\Books\Shop.qbw", name="Shop"))
    assert same_company(bound, CompanyIdentity(file_id="{A}", path=r"E:\Moved\Shop.qbw", name="Shop"))
    assert same_company(bound, CompanyIdentity(path=r"E:\Moved\Shop.qbw", name="Shop")) is None
    assert not same_company(bound, CompanyIdentity(path=r"E:\Other.qbw", name="Other"))
    unstamped = CompanyIdentity(path=r"C:\Books\Shop.qbw", name="Shop")
    assert not same_company(unstamped, CompanyIdentity(path=r"E:\Moved\Shop.qbw", name="Shop"))


def test_without_a_company_in_the_hcp_response_one_company_query_goes_first(world: World,
                                                                           monkeypatch) -> None:
    with world.sessions() as db:
        owner = world.user(db).owner_id
    _bind(world, path=DEFAULT_COMPANY_FILE, name="Sample Manufacturing Co", file_id=OWNER_FILE_ID)
    world.plan()
    qb = world.qb()
    qb.owner_file_ids[owner] = OWNER_FILE_ID
    monkeypatch.setattr(qb, "hcp_response", lambda: "")  # QuickBooks said nothing about itself
    result = world.session()
    assert result.outcome == "finished", result.last_error
    sends = [call for call in result.calls if call.name == "sendRequestXML"]
    assert "CompanyQueryRq" in str(sends[0].result) and "OwnerID" in str(sends[0].result)
    assert "CompanyQueryRq" not in str(sends[0].result).split("</CompanyQueryRq>")[1]  # alone
    assert "CompanyQueryRq" not in str(sends[1].result) and "QBXMLMsgsRq" in str(sends[1].result)

    # The same query answered by another company stops the session.
    _bind(world, path=DEFAULT_COMPANY_FILE, name="Sample Manufacturing Co",
          file_id="{99999999-9999-9999-9999-999999999999}")
    world.plan(date_from=None, date_to=None)
    before = _records(qb)
    again = world.session()
    assert _records(qb) == before and "Wrong QuickBooks company" in again.last_error
