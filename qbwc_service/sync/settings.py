"""The sync options of each Web Connector user (= each QuickBooks company).

Every option is declared once in :data:`SETTINGS`: its kind, default,
allowed values and help. The ``settings`` table stores only what a user
changed, as text; :func:`get_settings` returns every key, typed, with the
defaults filled in. :func:`set_setting` validates before it stores and raises
:class:`SettingError` with a message meant for the person who typed the
value.

Payroll items: JobBOSS2 attendance carries a pay rate code 1..10 (the
employee's ``Rate1``..``Rate10``, the company's ``Payroll1``..``Payroll10``).
``defaults.payroll_item.N`` names the QuickBooks payroll wage item for code
N. Codes 1 and 2 default to ``Regular Pay`` and ``Overtime Pay``; codes 3..10
default to empty, meaning "use code 1's item" (see
:meth:`SyncSettings.payroll_item`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qbwc_service.queue.models import Setting

#: The sections a run report can show, in the order it shows them.
REPORT_SECTIONS: tuple[str, ...] = ("created", "updated", "skipped", "warnings", "errors")
#: JobBOSS2 pay rate codes (``Attend.PayRateCode``).
PAY_RATE_CODES: tuple[int, ...] = tuple(range(1, 11))
#: QuickBooks limits a list name (account, item, payroll item) to 31
#: characters per level and a full name to 159.
NAME_SEGMENT_MAX = 31
FULL_NAME_MAX = 159


#: The settings-table row holding auto sync's changed-since mark (not a user setting).
HIGH_WATER_KEY = "state.changed_since"
#: Settings that decide which JobBOSS2 records a sync covers. Changing one forgets the
#: changed-since mark, so the next auto planning reads every unexported record once
#: again: records that were out of scope are older than the mark and would be missed.
SCOPE_KEYS = frozenset({"items.customer_billing", "items.vendor_invoices",
                        "items.time_and_attendance", "source.invoices", "source.bills",
                        "sync.type", "sync.begin", "options.validate_sync_tables",
                        "options.update_after_edit", "options.update_exported"})


class SettingError(ValueError):
    """A setting key or value was refused; the message says why."""


# --- kinds: how a raw text becomes a typed value and back -------------------------

_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}


def _parse_bool(raw: str, _spec: SettingSpec) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SettingError("must be true or false")


def _parse_choice(raw: str, spec: SettingSpec) -> str:
    text = raw.strip().lower()
    if text not in spec.choices:
        raise SettingError(f"must be one of: {', '.join(spec.choices)}")
    return text


def _parse_int(raw: str, spec: SettingSpec) -> int:
    text = raw.strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise SettingError("must be a whole number")
    value = int(text)
    lo, hi = spec.minimum, spec.maximum
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise SettingError(f"must be between {lo} and {hi}")
    return value


def _parse_date(raw: str, _spec: SettingSpec) -> date | None:
    text = raw.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise SettingError("must be a date written YYYY-MM-DD, or empty")


def _parse_sections(raw: str, _spec: SettingSpec) -> tuple[str, ...]:
    asked = [part.strip().lower() for part in raw.split(",") if part.strip()]
    unknown = [part for part in asked if part not in REPORT_SECTIONS]
    if unknown:
        raise SettingError(f"unknown section {unknown[0]!r}; choose from: {','.join(REPORT_SECTIONS)}")
    return tuple(s for s in REPORT_SECTIONS if s in asked)


def _parse_name(raw: str, spec: SettingSpec) -> str:
    text = raw.strip()
    if not text:
        if spec.optional:
            return ""
        raise SettingError("must not be empty")
    if any(ord(ch) < 32 for ch in text):
        raise SettingError("must not contain control characters")
    if len(text) > FULL_NAME_MAX:
        raise SettingError(f"is longer than QuickBooks allows ({FULL_NAME_MAX} characters)")
    for segment in text.split(":"):
        if not segment.strip():
            raise SettingError("has an empty level between ':' separators")
        if len(segment) > NAME_SEGMENT_MAX:
            raise SettingError(f"level {segment!r} is longer than QuickBooks allows "
                               f"({NAME_SEGMENT_MAX} characters)")
    return text


def _parse_code_map(raw: str, spec: SettingSpec) -> tuple[tuple[str, str], ...]:
    """``CODE=QuickBooks name, CODE2=Other name`` -> ``(("CODE", "QuickBooks name"), ...)``."""
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        code, equals, name = (x.strip() for x in part.partition("="))
        if not equals or not code or not name:
            raise SettingError(f"entry {part!r} is not CODE=QuickBooks name")
        if code.casefold() in {c.casefold() for c in pairs}:
            raise SettingError(f"maps {code!r} twice")
        pairs[code] = _parse_name(name, spec)
    return tuple(pairs.items())


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(f"{v[0]}={v[1]}" if isinstance(v, tuple) else v for v in value)
    return str(value)


_PARSERS: dict[str, Callable[[str, SettingSpec], Any]] = {
    "bool": _parse_bool,
    "choice": _parse_choice,
    "int": _parse_int,
    "date": _parse_date,
    "sections": _parse_sections,
    "name": _parse_name,
    "code_map": _parse_code_map,
}


@dataclass(frozen=True)
class SettingSpec:
    """One option: ``kind`` is bool, choice, int, date, sections, name or code_map."""

    key: str
    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    optional: bool = False  # names only: empty is allowed

    def parse(self, raw: str | bool | int | None) -> Any:
        """The typed value of ``raw``; :class:`SettingError` names the key."""
        text = _format(raw) if not isinstance(raw, str) else raw
        try:
            return _PARSERS[self.kind](text, self)
        except SettingError as exc:
            raise SettingError(f"{self.key}: {text!r} {exc}") from None

    def format(self, value: Any) -> str:
        """The stored (and displayed) text of a typed value."""
        return _format(value)

    @property
    def group(self) -> str:
        return self.key.split(".", 1)[0]


def _bool(key: str, default: bool, help: str) -> SettingSpec:
    return SettingSpec(key, "bool", default, help)


def _name(key: str, default: str, help: str, optional: bool = False) -> SettingSpec:
    return SettingSpec(key, "name", default, help, optional=optional)


#: Kinds whose identifying name or number goes through the name map (``sync/names``), and
#: what each is; ``names.<kind>`` chooses what happens to one QuickBooks cannot hold.
NAME_KINDS: dict[str, str] = {
    "item": "part numbers (31 characters)", "customer": "customer names (41)",
    "vendor": "vendor names (41)", "account": "GL account names (31)",
    "terms": "terms codes (31)", "invoice": "invoice numbers (RefNumber, 11)",
    "bill": "vendor invoice and receiver numbers (RefNumber, 20)",
}


def _names_specs() -> list[SettingSpec]:
    return [SettingSpec(f"names.{kind}", "choice", "shorten",
                        f"{what} too long for QuickBooks: shorten (name map, warning) or error",
                        choices=("shorten", "error"))
            for kind, what in NAME_KINDS.items()]


def _payroll_specs() -> list[SettingSpec]:
    named = {1: "Regular Pay", 2: "Overtime Pay"}
    return [_name(f"defaults.payroll_item.{code}", named.get(code, ""),
                  f"payroll wage item for JobBOSS2 pay rate code {code}"
                  + ("" if code in named else " (empty: the item of code 1)"),
                  optional=code not in named)
            for code in PAY_RATE_CODES]


_SPECS: list[SettingSpec] = [
    _bool("items.customer_billing", True, "sync AR invoices"),
    _bool("items.vendor_invoices", True, "sync AP invoices (bills)"),
    _bool("items.time_and_attendance", False,
          "sync attendance tickets as QuickBooks time records for payroll"),
    SettingSpec("source.invoices", "choice", "billing",
                "where AR invoices come from: Customer Billing or packing lists",
                choices=("billing", "packing_list")),
    SettingSpec("source.bills", "choice", "vendor_invoice",
                "where bills come from: vendor invoices or receivers",
                choices=("vendor_invoice", "receiver")),
    _bool("options.mark_ar_paid", False, "mark exported AR invoices paid in JobBOSS2"),
    _bool("options.mark_ap_paid", False, "mark exported AP invoices paid in JobBOSS2"),
    _bool("options.parts_as_service_items", True,
          "new parts become Service items (false: Inventory items)"),
    _bool("options.validate_sync_tables", False,
          "sync every shared list, not only the records the transactions use"),
    _bool("options.quit_area_on_error", False,
          "after an error in an area (AR, AP, time), stop that area for the run"),
    _bool("options.update_after_edit", False,
          "send changes of already synced customers, vendors, employees and parts"),
    _bool("options.update_exported", False,
          "send invoices and bills changed in JobBOSS2 after export as InvoiceMod/BillMod "
          "(off: they are only listed as changed after export)"),
    SettingSpec("sync.type", "choice", "manual",
                "manual: `sync start` plans a range; auto: every session plans what is new",
                choices=("manual", "auto")),
    SettingSpec("sync.begin", "date", None, "first date synced (YYYY-MM-DD; empty: no limit)"),
    SettingSpec("sync.end", "date", None,
                "last date of a manual sync (YYYY-MM-DD; empty: no limit; auto ignores it)"),
    SettingSpec("sync.batch_size", "int", 50, "requests per message to QuickBooks",
                minimum=1, maximum=500),
    SettingSpec("report.sections", "sections", REPORT_SECTIONS,
                "what a run report shows: " + ",".join(REPORT_SECTIONS)),
    _name("defaults.income_account", "Sales", "income account of new items"),
    _name("defaults.cogs_account", "Cost of Goods Sold", "COGS account of new inventory items"),
    _name("defaults.asset_account", "Inventory Asset", "asset account of new inventory items"),
    _name("defaults.expense_account", "Job Materials",
          "expense account of bill lines without a GL account"),
    _name("defaults.ar_account", "Accounts Receivable", "AR account of invoices"),
    _name("defaults.ap_account", "Accounts Payable", "AP account of bills"),
    _name("defaults.freight_item", "Freight", "item of freight and shipping lines"),
    _name("tax.agency_vendor", "Sales Tax Agency",
          "tax agency (vendor) of the sales tax items the service creates; created if missing"),
    _name("tax.zero_item", "JobBOSS2 Tax 0%",
          "0 % sales tax item in the invoice header; the JobBOSS2 tax goes on its own line"),
    _name("currency.home", "USD", "the JobBOSS2 currency code of the company's home currency"),
    _bool("currency.convert_foreign", False,
          "multicurrency off: send foreign-currency invoices converted at Billing.ExchRate "
          "(false: they fail naming the currency)"),
    SettingSpec("tax.code_map", "code_map", (),
                "JobBOSS2 tax code = existing QuickBooks sales tax item, comma separated "
                "(TX-TRAVIS=Travis County); unmapped codes become items named as the code"),
    *_payroll_specs(),
    *_names_specs(),
]

#: Every setting, key -> declaration, in display order.
SETTINGS: dict[str, SettingSpec] = {spec.key: spec for spec in _SPECS}


@dataclass(frozen=True)
class SyncSettings:
    """One user's settings, every key typed (defaults filled in).

    ``settings["sync.batch_size"]`` -> ``50``; ``settings["sync.begin"]`` ->
    a :class:`datetime.date` or ``None``; ``report.sections`` -> a tuple.
    """

    values: Mapping[str, Any]
    changed: frozenset[str] = field(default=frozenset())  # keys whose value is not the default

    def __getitem__(self, key: str) -> Any:
        if key not in self.values:
            raise KeyError(f"unknown setting {key!r}")
        return self.values[key]

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def payroll_item(self, code: int | str | None) -> str:
        """The payroll wage item for a pay rate code; code 1's item when unset or unknown."""
        key = f"defaults.payroll_item.{str(code).strip()}" if code is not None else ""
        return self.values.get(key) or self.values["defaults.payroll_item.1"]

    @property
    def batch_size(self) -> int:
        return self.values["sync.batch_size"]

    @property
    def sections(self) -> tuple[str, ...]:
        return self.values["report.sections"]

    @property
    def is_auto(self) -> bool:
        return self.values["sync.type"] == "auto"


def defaults() -> SyncSettings:
    """The settings of a user who changed nothing."""
    return SyncSettings({key: spec.default for key, spec in SETTINGS.items()})


def spec_for(key: str) -> SettingSpec:
    """The declaration of ``key``; :class:`SettingError` for an unknown key."""
    spec = SETTINGS.get(key.strip())
    if spec is None:
        close = [k for k in SETTINGS if k.split(".")[-1] == key.strip().split(".")[-1]]
        hint = f" (did you mean {close[0]}?)" if close else " (see `qbwc-service settings show`)"
        raise SettingError(f"unknown setting {key!r}{hint}")
    return spec


def get_settings(db: Session, user_id: int) -> SyncSettings:
    """Every setting of a user, typed; a stored value no longer valid falls back to its default."""
    values = dict(defaults().values)
    changed: set[str] = set()
    for key, raw in db.execute(select(Setting.key, Setting.value).where(Setting.user_id == user_id)):
        spec = SETTINGS.get(key)
        if spec is None:
            continue
        try:
            values[key] = spec.parse(raw)
        except SettingError:
            continue
        if values[key] != spec.default:  # set back to the default is not a change
            changed.add(key)
    return SyncSettings(values, frozenset(changed))


def set_setting(db: Session, user_id: int, key: str, raw_value: str | bool | int | None) -> Any:
    """Validate and store one setting; returns its typed value."""
    return set_settings(db, user_id, {key: raw_value})[spec_for(key).key]


def set_settings(db: Session, user_id: int, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate every value first, then store them all (or none).

    Raises :class:`SettingError` listing every problem, one per line.
    """
    values, errors = validate(raw)
    current = get_settings(db, user_id).values
    if not errors:
        errors = _cross_checks({**current, **values})
    if errors:
        raise SettingError("\n".join(errors))
    for key, value in values.items():
        _store(db, user_id, key, SETTINGS[key].format(value))
    if any(current[key] != value for key, value in values.items() if key in SCOPE_KEYS):
        forget_high_water(db, user_id)
    return values


def forget_high_water(db: Session, user_id: int) -> None:
    """Make the next auto planning read every unexported record, not only the changed ones."""
    db.execute(delete(Setting).where(Setting.user_id == user_id, Setting.key == HIGH_WATER_KEY))


def validate(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Parse raw values: ``(typed values, error messages)``; nothing is stored."""
    values: dict[str, Any] = {}
    errors: list[str] = []
    for key, text in raw.items():
        try:
            spec = spec_for(key)
            values[spec.key] = spec.parse(text)
        except SettingError as exc:
            errors.append(str(exc))
    return values, errors


def _cross_checks(values: Mapping[str, Any]) -> list[str]:
    begin, end = values["sync.begin"], values["sync.end"]
    if begin and end and end < begin:
        return [f"sync.end: {end.isoformat()} is before sync.begin {begin.isoformat()}"]
    return []


def reset_setting(db: Session, user_id: int, key: str) -> Any:
    """Forget a user's value for ``key``; returns the default now in force."""
    spec = spec_for(key)
    db.execute(delete(Setting).where(Setting.user_id == user_id, Setting.key == spec.key))
    if spec.key in SCOPE_KEYS:
        forget_high_water(db, user_id)
    return spec.default


def _store(db: Session, user_id: int, key: str, text: str) -> None:
    row = db.scalars(select(Setting).where(Setting.user_id == user_id, Setting.key == key)).first()
    if row is None:
        db.add(Setting(user_id=user_id, key=key, value=text))
    else:
        row.value = text
    db.flush()


def settings_as_dict(settings: SyncSettings) -> dict[str, Any]:
    """JSON-ready values: dates as ``YYYY-MM-DD`` or ``""``, sections as a comma list."""
    return {key: _jsonable(settings[key]) for key in SETTINGS}


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | tuple) or value is None:
        return _format(value)
    return value


def rows(settings: SyncSettings) -> Iterable[tuple[SettingSpec, str, bool]]:
    """``(declaration, displayed value, changed by the user)`` per key, in order."""
    for key, spec in SETTINGS.items():
        yield spec, spec.format(settings[key]), key in settings.changed
