"""Widths of text exactly as WeasyPrint will set it, for laying out the list tables.

The lists of the summary are set by the tracker (tracker.pdf.listing), so it must
know how wide a name will be before WeasyPrint draws it. It asks the same text
engine: a Pango layout on WeasyPrint's font map, with the font description and
language WeasyPrint would use for that CSS. tests/integration/test_pdf_listing.py
checks the widths against boxes WeasyPrint lays out, in several scripts, so an
upgrade that changes either side fails there rather than misaligning columns.
"""

from collections.abc import Sequence

from weasyprint.css.properties import INITIAL_VALUES
from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
from weasyprint.text.fonts import FontConfiguration, get_font_description

# CSS pixels per point.
PX_PER_PT = 4 / 3
PX_PER_MM = 96 / 25.4


class _Style(dict):
    """The few computed values a Pango font description is made from."""

    font_config: FontConfiguration


class TextMeasure:
    """Measures single lines of text in one font (family list, size, weight) and language."""

    def __init__(
        self,
        families: Sequence[str],
        size_pt: float,
        language: str,
        *,
        bold: bool = False,
        font_config: FontConfiguration | None = None,
    ) -> None:
        self.font_config = font_config or FontConfiguration()
        style = _Style(INITIAL_VALUES)
        style.font_config = self.font_config
        style["font_family"] = tuple(families)
        style["font_size"] = size_pt * PX_PER_PT
        style["font_weight"] = 700 if bold else 400
        context = ffi.gc(
            pango.pango_font_map_create_context(self.font_config.font_map),
            gobject.g_object_unref,
        )
        # As WeasyPrint sets up every layout (tracker.pdf.listing keeps the defaults it
        # relies on: no letter or word spacing, kerning as the font has it).
        pango.pango_context_set_round_glyph_positions(context, False)
        language_p, _keep = unicode_to_char_p(language)
        pango.pango_context_set_language(context, pango.pango_language_from_string(language_p))
        self._context = context
        self._layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
        pango.pango_layout_set_auto_dir(self._layout, False)
        pango.pango_layout_set_font_description(self._layout, get_font_description(style))
        self._extents = ffi.new("PangoRectangle *")
        self._cache: dict[str, float] = {}

    def width(self, text: str) -> float:
        """Return the width of ``text`` on one line, in CSS pixels."""
        found = self._cache.get(text)
        if found is None:
            encoded, _keep = unicode_to_char_p(text)
            pango.pango_layout_set_text(self._layout, encoded, -1)
            line = pango.pango_layout_get_line_readonly(self._layout, 0)
            pango.pango_layout_line_get_extents(line, ffi.NULL, self._extents)
            found = self._extents.width * FROM_UNITS
            if len(text) <= 40:  # labels and codes repeat; most names do not
                self._cache[text] = found
        return found
