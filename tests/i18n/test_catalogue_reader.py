"""The catalogue's own reader of ``.po`` files gives what Babel reads, or leaves it to Babel."""

from __future__ import annotations

import io

import pytest
from babel.messages.pofile import escape, read_po
from hypothesis import given
from hypothesis import strategies as st

from coopledger.i18n import labels, message
from coopledger.i18n.catalogue import _messages, read_catalogue, read_messages, translations

HEADER = ('msgid ""\nmsgstr ""\n"Language: sv\\n"\n'
          '"Content-Type: text/plain; charset=utf-8\\n"\n\n')


def _babel(text: str) -> dict[str, str]:
    """What Babel's reader and gettext make of a catalogue: each translated id's text."""
    catalogue = read_po(io.BytesIO(text.encode("utf-8")), locale="sv")
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_project_catalogues_are_read_as_babel_reads_them(language: str) -> None:
    read = _messages(language)
    assert read is not None, f"{language}.po uses what only Babel reads"
    catalogue = read_catalogue(language)
    assert read == {str(m.id): str(m.string) for m in catalogue if m.id and m.string}
    said = translations(language)
    for key, text in read.items():
        assert said.gettext(key) == text
        assert message(language, key) == text
    assert labels(language) == read
    assert message(language, "no such id") == "no such id"


def test_continued_lines_escapes_comments_and_empty_texts() -> None:
    text = HEADER + (
        '# a comment\n#. board pages\nmsgid "one"\nmsgstr "Ett \\"citat\\"\\n"\n\n'
        'msgid ""\n"two "\n"lines"\nmsgstr "a\\\\b\\tc"\n"  d"\n\n'
        '#, python-format\nmsgid "three"\nmsgstr ""\n\n'
        '  msgid   "four"  \n  msgstr "fyra"\xa0\n"\u2028"\n')
    read = read_messages(text)
    assert read == _babel(text)
    assert read == {"one": 'Ett "citat"\n', "two lines": "a\\b\tc  d", "four": "fyra\u2028"}


@pytest.mark.parametrize("part", [
    '#, fuzzy\nmsgid "x"\nmsgstr "y"\n',
    'msgctxt "c"\nmsgid "x"\nmsgstr "y"\n',
    'msgid "x"\nmsgid_plural "xs"\nmsgstr[0] "y"\nmsgstr[1] "ys"\n',
    '#~ msgid "x"\n#~ msgstr "y"\n',
    'msgid "x"\nmsgstr "y"\n\nmsgid "x"\nmsgstr "z"\n',
    'msgid "x"\n\nmsgid "w"\nmsgstr "z"\n',
    'msgid "x"\nmsgstr "y"\n# between\n"continued"\n',
    'msgid "x"\nmsgstr y\n',
])
def test_what_only_babel_reads_is_left_to_babel(part: str) -> None:
    assert read_messages(HEADER + part) is None


def test_a_charset_other_than_utf8_is_left_to_babel() -> None:
    latin = HEADER.replace("utf-8", "iso-8859-1")
    assert read_messages(latin + 'msgid "x"\nmsgstr "y"\n') is None
    assert read_messages(HEADER.replace("utf-8", "UTF-8") + 'msgid "x"\nmsgstr "y"\n') == {
        "x": "y"}


_TEXT = st.lists(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from(["\\", '"', "\n", "\t", "\r", " ", "\u2028", "\xa0", "#", "msgid ",
                       '"msgstr "']), max_size=12).map("".join)


@st.composite
def _written(draw: st.DrawFn, value: str) -> str:
    # The value as one quoted string or several on continued lines.
    cuts = sorted(draw(st.lists(st.integers(0, len(value)), max_size=3)))
    pieces = [value[a:b] for a, b in zip([0, *cuts], [*cuts, len(value)], strict=True)]
    return "\n".join(escape(p) for p in pieces)


@given(st.data(), st.dictionaries(_TEXT.filter(bool), _TEXT, max_size=8))
def test_any_plain_catalogue_is_read_as_babel_reads_it(
        data: st.DataObject, messages: dict[str, str]) -> None:
    parts = [HEADER]
    for key, text in messages.items():
        if data.draw(st.booleans()):
            parts.append("#. a comment\n")
        parts.append(f"msgid {data.draw(_written(key))}\nmsgstr {data.draw(_written(text))}\n\n")
    text = "".join(parts)
    assert read_messages(text) == _babel(text)
