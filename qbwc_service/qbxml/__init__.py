"""qbXML: typed requests in, schema-valid messages out, typed results back.

Build with :func:`build_message` from the dataclasses in
:mod:`~qbwc_service.qbxml.requests`, check with :func:`validate`, read answers
with :func:`parse_response` / :func:`parse_host_response`, and pick the spec
version with :func:`negotiate`.
"""

from qbwc_service.qbxml.build import build_request_element
from qbwc_service.qbxml.fields import LIMITS, FieldWarning, Policy, QbxmlFieldError
from qbwc_service.qbxml.message import BuiltMessage, build_message
from qbwc_service.qbxml.parse import (
    HostInfo,
    QbxmlParseError,
    RequestResult,
    ResponseSet,
    RetInfo,
    parse_host_response,
    parse_response,
    raise_for_hresult,
)
from qbwc_service.qbxml.requests import *  # noqa: F403 - the request types are the public API
from qbwc_service.qbxml.requests import Address, EntityFilter, Ref, Request
from qbwc_service.qbxml.validate import QbxmlValidationError, validate, validation_errors
from qbwc_service.qbxml.versions import SUPPORTED_VERSIONS, QbxmlVersionError, negotiate

__all__ = [
    "LIMITS", "SUPPORTED_VERSIONS", "Address", "BuiltMessage", "EntityFilter", "FieldWarning", "HostInfo",
    "Policy", "QbxmlFieldError", "QbxmlParseError", "QbxmlValidationError", "QbxmlVersionError", "Ref",
    "Request", "RequestResult", "ResponseSet", "RetInfo", "build_message", "build_request_element",
    "negotiate", "parse_host_response", "parse_response", "raise_for_hresult", "validate",
    "validation_errors",
]
