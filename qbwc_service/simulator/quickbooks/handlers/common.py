"""Pieces every handler uses: the Rs name, IncludeRetElement, Ret writing."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from qbwc_service.simulator.quickbooks import writer
from qbwc_service.simulator.quickbooks.context import Company
from qbwc_service.simulator.quickbooks.errors import OK, Status
from qbwc_service.simulator.quickbooks.records import Record, texts

Handler = Callable[["Company", etree._Element], etree._Element]


def rs_name(request: etree._Element) -> str:
    """``CustomerAddRq`` -> ``CustomerAddRs``."""
    return request.tag[:-2] + "Rs"


def include_list(request: etree._Element) -> list[str]:
    return texts(request, "IncludeRetElement")


def answer(request: etree._Element, status: Status, ret: str | None = None,
           record: Record | None = None) -> etree._Element:
    """The Rs for an Add/Mod: the Ret on success, status alone otherwise."""
    rets = []
    if ret and record is not None and not status.is_error:
        rets.append(writer.ret_element(ret, record, include_list(request) or None))
    return writer.rs_element(request, rs_name(request), status if not status.is_error else status, rets)


def failure(request: etree._Element, status: Status) -> etree._Element:
    return writer.rs_element(request, rs_name(request), status)


def ok(request: etree._Element, ret: str, record: Record) -> etree._Element:
    return answer(request, OK, ret, record)
