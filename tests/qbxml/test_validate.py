"""Which schema checks a message, and what the check reports."""

from __future__ import annotations

import pytest

from qbwc_service import xmlsafe
from qbwc_service.qbxml.validate import (
    QbxmlValidationError,
    message_version,
    schema_version_for,
    tree_is_valid,
    validate,
    validation_errors,
)

#: AlertQueryRq exists from qbXML 14.0 on: valid against the 16.0 schema only.
ALERT = ('<?xml version="1.0"?>{pi}<QBXML><QBXMLMsgsRq onError="stopOnError">'
         '<AlertQueryRq requestID="1"><OwnerID>0</OwnerID></AlertQueryRq></QBXMLMsgsRq></QBXML>')
HOST = ('<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
        '<HostQueryRq requestID="1"/></QBXMLMsgsRq></QBXML>')


@pytest.mark.parametrize(("version", "expected"), [
    (None, "13.0"), ("", "13.0"), ("2.0", "13.0"), ("12.0", "13.0"), ("13", "13.0"),
    ("13.0", "13.0"), ("CA13.0", "13.0"), ("13.1", "16.0"), ("14.0", "16.0"), ("16.0", "16.0"),
    ("17.0", "16.0"), ("UK16.0", "16.0"), ("99.0", "16.0"),
    ("8.10", "13.0"), ("13.10", "16.0"),  # compared part by part, not as one number
])
def test_a_version_is_checked_against_the_nearest_schema_at_or_above_it(version, expected):
    assert schema_version_for(version) == expected


@pytest.mark.parametrize(("head", "expected"), [
    ('<?qbxml version="16.0"?>', "16.0"),
    ('<?qbxml version="13.0"?><?other version="16.0"?>', "13.0"),
    ('<?qbxml version="16.0"?><!-- a comment --><?other x="1"?>', "16.0"),
    ('<?other version="16.0"?>', None),
    ("", None),
])
def test_the_version_is_read_from_the_qbxml_processing_instruction(head, expected):
    root = xmlsafe.parse(f'<?xml version="1.0"?>{head}<QBXML/>')
    assert message_version(root) == expected


def test_the_message_names_its_schema_unless_the_caller_does():
    newer = ALERT.format(pi='<?qbxml version="16.0"?>')
    older = ALERT.format(pi='<?qbxml version="13.0"?>')
    assert validation_errors(newer) == []
    assert validation_errors(ALERT.format(pi="")) != []  # no version: the 13.0 schema
    (problem,) = validation_errors(older)
    assert problem.startswith("line 1: ") and "AlertQueryRq" in problem and "not expected" in problem
    assert validation_errors(older, "16.0") == []
    assert validation_errors(newer, "13.0") != []
    assert validation_errors(HOST.encode()) == []


def test_an_unsafe_document_is_refused_by_name():
    assert validation_errors('<!DOCTYPE QBXML [<!ENTITY a "b">]><QBXML/>') == [
        "XML with a DOCTYPE is refused"]


def test_validate_raises_with_every_complaint_and_passes_a_valid_message():
    validate(HOST)
    validate(ALERT.format(pi=""), "16.0")
    with pytest.raises(QbxmlValidationError) as caught:
        validate(ALERT.format(pi='<?qbxml version="13.0"?>'))
    assert caught.value.errors == validation_errors(ALERT.format(pi='<?qbxml version="13.0"?>'))
    assert str(caught.value) == caught.value.errors[0]
    assert isinstance(caught.value, ValueError)


def test_the_error_text_shows_five_complaints_then_an_ellipsis():
    assert str(QbxmlValidationError(["a", "b"])) == "a; b"
    five = [f"e{n}" for n in range(5)]
    assert str(QbxmlValidationError(five)) == "e0; e1; e2; e3; e4"
    six = [f"e{n}" for n in range(6)]
    assert str(QbxmlValidationError(six)) == "e0; e1; e2; e3; e4 ..."
    seven = [f"e{n}" for n in range(7)]
    error = QbxmlValidationError(seven)
    assert str(error) == "e0; e1; e2; e3; e4 ..."
    assert error.errors == seven


@pytest.mark.parametrize(("message", "version"), [
    (HOST, "13.0"), (ALERT.format(pi=""), "13.0"), (ALERT.format(pi=""), "16.0"),
    (HOST.replace("<HostQueryRq", "<HostQueryRq bogus=\"1\""), "13.0"),
])
def test_a_tree_about_to_be_sent_is_judged_as_its_text_would_be(message, version):
    root = xmlsafe.parse(message)
    assert tree_is_valid(root, version) is (validation_errors(message, version) == [])
