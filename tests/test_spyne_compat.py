"""spyne 2.14 imports on every supported Python through the six shim."""

from __future__ import annotations

import collections.abc
import subprocess
import sys
import urllib.parse

import six

import qbwc_service.soap  # noqa: F401 - installs the shim
from qbwc_service.soap import spyne_compat


def test_spynes_six_is_served_by_the_maintained_package():
    import spyne.util.six as vendored
    from spyne.util.six.moves import collections_abc
    from spyne.util.six.moves.urllib.parse import quote

    assert vendored.text_type is six.text_type is str
    assert collections_abc.MutableSet is collections.abc.MutableSet
    assert quote is urllib.parse.quote


def test_the_function_spyne_added_to_its_copy_is_there():
    import spyne.util.six as vendored

    assert vendored.get_function_name(test_the_function_spyne_added_to_its_copy_is_there) == \
        "test_the_function_spyne_added_to_its_copy_is_there"
    assert not hasattr(six, "get_function_name"), "the shim must not change the six package itself"


def test_install_is_idempotent():
    before = list(sys.meta_path)
    spyne_compat.install()
    assert sys.meta_path == before
    assert sum(isinstance(f, spyne_compat.SixAliasFinder) for f in sys.meta_path) == 1


def test_other_modules_are_left_to_the_normal_finders():
    finder = spyne_compat.SixAliasFinder()
    assert finder.find_spec("spyne.util.sixteen") is None
    assert finder.find_spec("six.moves") is None


def test_a_fresh_interpreter_builds_the_soap_application():
    """The whole spyne stack (descriptors, WSDL, WSGI) loads, as `serve` and `demo` need."""
    code = ("import qbwc_service.soap.service as s, spyne.util.oset, spyne.server.wsgi; "
            "print(s.NAMESPACE)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://developer.intuit.com/"


def test_importing_spyne_first_is_a_clear_error():
    code = ("import sys, six; sys.modules['spyne.util.six'] = six; "
            "from qbwc_service.soap import spyne_compat")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "imported before" in result.stderr
