"""``html_format`` and ``html_join`` write exactly what Django's
``format_html`` and ``format_html_join`` write, for every kind of value a
page passes them: text with markup characters, markup already safe, numbers,
``None``, dates, lazy translations (plain and safe), and in both languages."""

from __future__ import annotations

import datetime

from django.test import SimpleTestCase
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from units.html import html_escaped, html_format, html_join

VALUES = (
    "Xã Mỹ Bình",
    "<script>alert('x')</script> & \"quoted\"",
    "",
    mark_safe("<b>đã an toàn</b>"),
    format_html("<i>{}</i>", "a < b"),
    0,
    2026,
    3.5,
    None,
    True,
    datetime.date(2026, 12, 3),
    gettext_lazy("Home"),
    gettext_lazy("Search"),
    mark_safe(gettext_lazy("Notifications")),  # noqa: S308 - a constant, as a page writes it
)


class HtmlFormatTests(SimpleTestCase):
    def test_each_value_is_escaped_as_format_html_escapes_it(self):
        for language in ("vi", "en"):
            with translation.override(language):
                for value in VALUES:
                    with self.subTest(language=language, value=repr(value)):
                        ours = html_format('<a title="{}">{}</a>', value, value)
                        django = format_html('<a title="{}">{}</a>', value, value)
                        self.assertEqual(ours, django)
                        self.assertIsInstance(ours, SafeString)

    def test_markup_characters_are_escaped_and_safe_markup_is_kept(self):
        self.assertEqual(
            html_format("<td>{}</td><td>{}</td>", "<b>&'\"", mark_safe("<b>ok</b>")),
            "<td>&lt;b&gt;&amp;&#x27;&quot;</td><td><b>ok</b></td>",
        )

    def test_a_lazy_translation_is_translated_when_written(self):
        with translation.override("vi"):
            self.assertEqual(html_escaped(gettext_lazy("Home")), "Trang chủ")
        with translation.override("en"):
            self.assertEqual(html_escaped(gettext_lazy("Home")), "Home")

    def test_join_writes_what_format_html_join_writes(self):
        rows = [(value, index) for index, value in enumerate(VALUES)]
        for separator in ("\n", "", " & ", mark_safe("<br>")):
            with self.subTest(separator=separator):
                ours = html_join(separator, "<li data-i={1}>{0}</li>", rows)
                django = format_html_join(separator, "<li data-i={1}>{0}</li>", rows)
                self.assertEqual(ours, django)
                self.assertIsInstance(ours, SafeString)

    def test_join_of_no_rows_is_empty_markup(self):
        self.assertEqual(html_join("\n", "<li>{}</li>", []), "")
        self.assertIsInstance(html_join("\n", "<li>{}</li>", iter(())), SafeString)

    def test_attributes_are_written_as_djangos_attrs_template_writes_them(self):
        from django.forms.renderers import DjangoTemplates

        from units.html import html_attrs

        attrs = {
            "id": "id_q",
            "class": "form-control",
            "placeholder": gettext_lazy("Search"),
            "data-x": mark_safe("<b>&"),
            "required": True,
            "disabled": False,
            "maxlength": 100,
        }
        django = DjangoTemplates().render(
            "django/forms/widgets/attrs.html", {"widget": {"attrs": attrs}}
        )
        # The renderer strips its output's ends: so is the leading space here.
        self.assertEqual(html_attrs(attrs).strip(), django)
        # None is left out (Django's template would write "None").
        self.assertEqual(html_attrs({"title": None, "id": "x"}), ' id="x"')
