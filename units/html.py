"""``html_format``, ``html_join`` and ``html_attrs``: Django's ``format_html`` and
``format_html_join``, with the same escaping, for the markup the site writes
in Python on every request (the list rows, the assessment's criteria, the
menu, the comboboxes' options).

Why: ``format_html`` escapes each argument through ``conditional_escape``,
whose ``keep_lazy`` wrapper scans the arguments for lazy strings on every
call: about 20 µs for a row of eight cells, against 5 µs here. A page writes
a few hundred of them (the assessment page's 22 criteria alone about 300).

The result is the same, character for character: a lazy string is made a
string first, anything with ``__html__`` (a ``SafeString``) is kept as it
is, anything else is made a string and escaped by ``html.escape`` — as
``conditional_escape`` does (``tests/units/test_html.py`` compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as _escape
from typing import Any

from django.utils.functional import Promise
from django.utils.safestring import SafeString


def html_escaped(value: Any) -> str:
    """``conditional_escape(value)``, as a plain ``str``."""
    if type(value) is str:  # the usual case, first
        return _escape(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


def html_attrs(attrs: dict[str, Any]) -> SafeString:
    """A tag's attributes as Django's ``attrs.html`` writes them: in their
    order, ``True`` as the bare name, ``False`` left out, each value escaped
    unless it is markup already; ``None`` is left out too (the template would
    write "None")."""
    out = []
    for name, value in attrs.items():
        if value is True:
            out.append(f" {name}")
        elif value is not False and value is not None:
            out.append(f' {name}="{html_escaped(value)}"')
    # Every value escaped above; the names are the widget's own.
    return SafeString("".join(out))  # nosec B703


def html_format(format_string: str, *args: Any) -> SafeString:
    """``format_html(format_string, *args)``: the arguments escaped unless
    they are already markup, the format string trusted."""
    # Each argument escaped (``html_escaped``); the format string is code.
    return SafeString(format_string.format(*map(html_escaped, args)))  # nosec B703


def html_join(
    separator: str, format_string: str, rows: Iterable[Iterable[Any]]
) -> SafeString:
    """``format_html_join(separator, format_string, rows)``: one
    ``html_format`` per row, joined by the (escaped) separator."""
    return SafeString(  # nosec B703 - each row as html_format, the separator escaped
        html_escaped(separator).join(
            format_string.format(*map(html_escaped, row)) for row in rows
        )
    )
