"""Right company or nothing: each user syncs one QuickBooks company file.

The Web Connector stamps the .qwc's FileID into a company file, under the
application's OwnerID, the first time it connects to it (a ``DataExt`` named
``FileID``); a CompanyQuery with that OwnerID reads it back. Together with the
file's path (``strCompanyFileName``) and company name it identifies the company
open in QuickBooks.

A user's first session learns that identity (:func:`check` binds it); every
later session compares before anything is sent, and stops with an error that
names both companies when another one is open. ``qbwc-service user edit
--company-file`` forgets the binding on purpose, so the next session learns it
again (:func:`qbwc_service.accounts.forget_company`).

The identity comes from the CompanyRet of the first ``strHCPResponse`` (the
name, and the FileID when QuickBooks includes it). A CompanyQuery round trip,
before any job is claimed, asks for the FileID only when the HCP response has
no CompanyRet, or when a file at another path has the bound company's name
(the same file moved, if the FileIDs agree).
"""

from __future__ import annotations

import ntpath
from dataclasses import dataclass

from lxml import etree

from qbwc_service import xmlsafe
from qbwc_service.queue.models import QbwcSession, User, utcnow

#: requestID of the CompanyQuery that identifies the company (no job has this id).
REQUEST_ID = "company"
#: ``session.host_info`` key: "asked" while the CompanyQuery is out, "ok" or "wrong" after.
STATE_KEY = "company_check"


@dataclass(frozen=True)
class CompanyIdentity:
    """What identifies a QuickBooks company file; empty strings where QuickBooks said nothing."""

    file_id: str = ""
    path: str = ""
    name: str = ""

    def describe(self) -> str:
        parts = [f"'{self.name}'" if self.name else "an unnamed company"]
        if self.path:
            parts.append(f"file {self.path}")
        parts.append(f"FileID {self.file_id}" if self.file_id else "no FileID")
        return ", ".join(parts)


def same_path(a: str, b: str) -> bool:
    """Windows paths compared as Windows does: without case, either slash."""
    return ntpath.normcase(ntpath.normpath(a.strip())) == ntpath.normcase(ntpath.normpath(b.strip()))


def same_company(bound: CompanyIdentity, seen: CompanyIdentity) -> bool | None:
    """Whether ``seen`` is the company ``bound`` describes (``None``: only its FileID can tell).

    Two FileIDs that differ are two companies. The same path is the same file.
    A file at another path with the same name is the same file moved when the
    FileIDs agree, so an answer without the FileID asks for it. Without paths
    to compare, the names decide.
    """
    if bound.file_id and seen.file_id and bound.file_id != seen.file_id:
        return False
    same_name = bound.name.casefold() == seen.name.casefold()
    if not (bound.path and seen.path):
        return same_name
    if same_path(bound.path, seen.path):
        return True
    if not same_name or not bound.file_id:
        return False
    return True if seen.file_id else None


def identity_from(xml: str, owner_id: str, path: str) -> CompanyIdentity | None:
    """The identity in a response holding a CompanyRet (``None``: no CompanyRet in it)."""
    if not xml or not xml.lstrip().startswith("<"):
        return None
    try:
        root = xmlsafe.parse(xml)
    except xmlsafe.UnsafeXMLError:
        return None
    ret = root.find(".//CompanyRet")
    if ret is None:
        return None
    return CompanyIdentity(file_id=_file_id(ret, owner_id), path=path or "",
                           name=ret.findtext("CompanyName") or "")


def bound_identity(user: User) -> CompanyIdentity | None:
    if user.bound_at is None:
        return None
    return CompanyIdentity(file_id=user.bound_file_id or "", path=user.bound_company_path or "",
                           name=user.bound_company_name or "")


def check(session: QbwcSession, seen: CompanyIdentity, *, final: bool = False) -> str | None:
    """Bind a new user to ``seen``, or compare; the error text when another company is open.

    Leaves the state ``ask`` when only the FileID can tell (unless ``final``:
    the CompanyQuery's answer has been read, and what it could not prove is
    another company).
    """
    user = session.user
    bound = bound_identity(user)
    if bound is None:
        user.bound_file_id, user.bound_company_path = seen.file_id or None, seen.path or None
        user.bound_company_name, user.bound_at = seen.name or None, utcnow()
        _set_state(session, "ok")
        return None
    verdict = same_company(bound, seen)
    if verdict is None and not final:
        _set_state(session, "ask")
        return None
    if verdict:
        if seen.file_id and not bound.file_id:  # stamped since: remember it
            user.bound_file_id = seen.file_id
        _set_state(session, "ok")
        return None
    _set_state(session, "wrong")
    return (f"Wrong QuickBooks company: user {user.name} syncs {bound.describe()}, but "
            f"QuickBooks has {seen.describe()} open. Nothing was sent. Open the right company "
            f"file, or bind the user to this one with "
            f"'qbwc-service user edit {user.name} --company-file PATH'.")


def state(session: QbwcSession) -> str:
    return str((session.host_info or {}).get(STATE_KEY, ""))


def mark_asked(session: QbwcSession) -> None:
    _set_state(session, "asked")


def _set_state(session: QbwcSession, value: str) -> None:
    # A new dict: the JSON column sees the change.
    session.host_info = {**(session.host_info or {}), STATE_KEY: value}


def _file_id(ret: etree._Element, owner_id: str) -> str:
    wanted = owner_id.strip("{}").casefold()
    for ext in ret.iterfind("DataExtRet"):
        if ((ext.findtext("OwnerID") or "").strip("{}").casefold() == wanted
                and (ext.findtext("DataExtName") or "") == "FileID"):
            return (ext.findtext("DataExtValue") or "").strip()
    return ""
