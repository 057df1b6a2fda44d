"""The forms a page offers, read from its HTML as a browser would: each POST
form's action and fields (inputs, selects with their options, textareas, file
inputs, submit buttons), including fields tied to a form elsewhere on the page
by their ``form`` attribute."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class PageField:
    name: str
    kind: str  # "text", "hidden", "select", "textarea", "file", "checkbox", "submit", …
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False
    checked: bool = False


@dataclass
class PageForm:
    action: str
    method: str
    form_id: str
    fields: list[PageField] = field(default_factory=list)

    def baseline(self) -> dict[str, list[str]]:
        """What the browser would send with nothing changed (the first submit
        button, unchecked boxes left out, no files)."""
        data: dict[str, list[str]] = {}
        submitted = False
        for item in self.fields:
            if item.kind in ("file", "reset", "image"):
                continue
            if item.kind == "submit":
                if item.name and not submitted:
                    data.setdefault(item.name, []).append(item.value)
                submitted = True
                continue
            if item.kind in ("checkbox", "radio") and not item.checked:
                continue
            if item.kind == "select" and not item.value and item.options:
                if item.multiple:
                    continue
                data.setdefault(item.name, []).append(item.options[0])
                continue
            data.setdefault(item.name, []).append(item.value)
        return data

    def inputs(self) -> list[PageField]:
        """One entry per posted name (boxes and radios of one name merged: their
        values become the options), without the submit buttons."""
        merged: dict[str, PageField] = {}
        for item in self.fields:
            if not item.name or item.kind in ("submit", "reset", "image"):
                continue
            if item.kind in ("checkbox", "radio"):
                group = merged.setdefault(
                    item.name,
                    PageField(
                        name=item.name, kind=item.kind, multiple=item.kind == "checkbox"
                    ),
                )
                group.options.append(item.value)
                if item.checked:
                    group.checked = True
                    group.value = group.value or item.value
                continue
            merged.setdefault(item.name, item)
        return list(merged.values())

    def submit_buttons(self) -> list[PageField]:
        return [item for item in self.fields if item.kind == "submit"]


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.by_id: dict[str, PageForm] = {}
        self.current: PageForm | None = None
        self.select: PageField | None = None
        self.option_value: str | None = None
        self.option_selected = False
        self.option_text: list[str] = []
        self.textarea: PageField | None = None
        self.orphans: list[tuple[str, PageField]] = []  # (form id, field)

    def _add(self, attrs: dict[str, str], item: PageField) -> None:
        target = attrs.get("form")
        if target:
            self.orphans.append((target, item))
        elif self.current is not None:
            self.current.fields.append(item)

    def handle_starttag(self, tag, attrs_list):
        attrs = {k: (v if v is not None else "") for k, v in attrs_list}
        if tag == "form":
            self.current = PageForm(
                action=attrs.get("action", ""),
                method=attrs.get("method", "get").lower(),
                form_id=attrs.get("id", ""),
            )
            self.forms.append(self.current)
            if self.current.form_id:
                self.by_id[self.current.form_id] = self.current
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            if "name" not in attrs and kind != "submit":
                return
            self._add(
                attrs,
                PageField(
                    name=attrs.get("name", ""),
                    kind=kind,
                    value=attrs.get("value", "on" if kind == "checkbox" else ""),
                    checked="checked" in attrs,
                ),
            )
        elif tag == "button":
            kind = attrs.get("type", "submit").lower()
            if kind == "submit":
                self._add(
                    attrs,
                    PageField(
                        name=attrs.get("name", ""),
                        kind="submit",
                        value=attrs.get("value", ""),
                    ),
                )
        elif tag == "select" and "name" in attrs:
            self.select = PageField(
                name=attrs["name"], kind="select", multiple="multiple" in attrs
            )
            self._add(attrs, self.select)
        elif tag == "option" and self.select is not None:
            self.option_value = attrs.get("value")
            self.option_selected = "selected" in attrs
            self.option_text = []
        elif tag == "textarea" and "name" in attrs:
            self.textarea = PageField(name=attrs["name"], kind="textarea")
            self._add(attrs, self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        if self.option_value is None and self.select is not None:
            self.option_text.append(data)

    def _close_option(self):
        if self.select is None:
            return
        value = (
            self.option_value
            if self.option_value is not None
            else "".join(self.option_text).strip()
        )
        self.select.options.append(value)
        if self.option_selected and not self.select.value:
            self.select.value = value
        self.option_value = None
        self.option_selected = False

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            if self.textarea is not None and self.textarea.value.startswith("\n"):
                self.textarea.value = self.textarea.value[1:]
            self.textarea = None

    def close(self):
        super().close()
        for form_id, item in self.orphans:
            if form_id in self.by_id:
                self.by_id[form_id].fields.append(item)


def page_forms(html: str) -> list[PageForm]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def resolved(form: PageForm, page_url: str) -> str:
    """Where the browser sends the form: its action read against the page's
    address (an empty action is the page itself, query string included)."""
    return urljoin(page_url, form.action) if form.action else page_url


def post_forms(html: str, action: str, page_url: str) -> list[PageForm]:
    """The POST forms of the page that are sent to the path of ``action``
    (whatever their query string); at least one."""
    forms = page_forms(html)
    path = urlsplit(action).path
    found = [
        form
        for form in forms
        if form.method == "post" and urlsplit(resolved(form, page_url)).path == path
    ]
    if not found:
        offered = [(f.method, f.action) for f in forms]
        raise AssertionError(f"No POST form to {action} on {page_url}: {offered}")
    return found
