"""The PDFs print the names a clinic meets (issue 23: CJK and emoji came out as boxes;
Tamil, Hindi and Thai as code points): each script in a font that has it, shaped where
the script needs it, and what no font has as its code point."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.ttfonts import shapeStr

from thecal.adapters.reports.document import Document, Facts, Section, Table, Text
from thecal.adapters.reports.fonts import (
    CHINESE,
    JAPANESE,
    KOREAN,
    SANS_BOLD,
    markup,
    register,
)
from thecal.adapters.reports.pdf import render_pdf

NAMES = {
    "Vietnamese": "Đặng Thị Hương",
    "Polish": "Zażółć Gęślą",
    "Greek": "Ελένη Παπαδοπούλου",
    "Russian": "Дмитрий Иванов",
    "Hebrew": "שרה כהן",
    "Arabic": "محمد",
    "Chinese": "李小龙",
    "Japanese": "佐藤 さくら",
    "Korean": "김민준",
}


def test_each_script_goes_to_a_font_that_has_it(monkeypatch) -> None:
    monkeypatch.setenv("THECAL_FONT_DIRS", "")  # no shaped face: as on a bare machine
    assert markup("Zoë & Ångström <3") == "Zoë &amp; Ångström &lt;3"  # body font, escaped
    assert markup("Дмитрий") == "Дмитрий"
    assert markup("李小龙") == f'<font name="{CHINESE}">李小龙</font>'
    # kana in the same text: the Han characters are read as Japanese
    assert markup("佐藤 さくら") == (
        f'<font name="{JAPANESE}">佐藤</font> <font name="{JAPANESE}">さくら</font>'
    )
    assert markup("김민준") == f'<font name="{KOREAN}">김민준</font>'
    # DejaVu has the common emoticons; scripts without a face print as code points
    assert markup("pain 😀 ok") == "pain 😀 ok"
    assert markup("நன்றி 🧠") == "[U+0BA8][U+0BA9][U+0BCD][U+0BB1][U+0BBF] [U+1F9E0]"
    # right to left: שרה (shin, resh, he) laid out left to right is he, resh, shin
    assert markup("שרה") == "\u05d4\u05e8\u05e9"
    assert markup("Dr שרה and Dr Li") == "Dr \u05d4\u05e8\u05e9 and Dr Li"
    # the Unicode bidi algorithm, not a naive reversal: a number after a Hebrew word
    # joins its run, as a browser shows it ("Dr 3 ,הרש mg")
    assert markup("Dr שרה, 3 mg") == "Dr 3 ,\u05d4\u05e8\u05e9 mg"
    # Arabic letters joined: lam + alef is the one ligature glyph U+FEFB
    assert markup("لا") == "\ufefb"
    # brackets in a right-to-left run are mirrored (bidi rule L4): in "שרה (abc)" the
    # paragraph runs right to left, "(abc)" stands left of the name and still opens
    # with "(" ; without L4 it printed ")abc( הרש"
    assert markup("שרה (abc)") == "(abc) \u05d4\u05e8\u05e9"


def test_a_report_with_every_script_prints_them_and_embeds_the_unicode_font() -> None:
    doc = Document(
        "Patient list — Ωmega",
        "names from many scripts",
        (
            Section("Names", (Facts(tuple(NAMES.items())),)),
            Section(
                "Notes",
                (Table(("who", "note"), (("李小龙", "better 😀"),)), Text("dose ≤ 20 mg/day → µg")),
            ),
        ),
    )
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    text = "".join(page.extract_text() for page in reader.pages)
    for script in ("Vietnamese", "Polish", "Greek", "Russian"):
        assert NAMES[script] in text, script
    assert "Patient list — Ωmega" in text
    assert "dose ≤ 20 mg/day → µg" in text
    assert "better" in text and "[U+" not in text  # every character had a glyph
    # the Hebrew name is laid out in visual order, which a reader (pypdf here) reads back
    # as the name; laid out in logical order it came back reversed, "ןהכ הרש"
    assert NAMES["Hebrew"] in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert any("DejaVuSans" in f for f in fonts), fonts  # embedded subset, not Helvetica
    assert not any("Helvetica" in f for f in fonts), fonts
    for cid in (CHINESE, JAPANESE, KOREAN):
        assert any(cid in f for f in fonts), (cid, fonts)


INDIC_AND_THAI = {
    "Hindi": "सुनीता शर्मा",
    "Tamil": "நன்றி",
    "Thai": "สมชาย ใจดี",
}
DEVANAGARI = "thecal-notosansdevanagari"


class _Frag:
    """A run of a paragraph as reportlab hands it to the shaper: its font and size."""

    def __init__(self, font: str) -> None:
        self.fontName, self.fontSize = font, 10


@pytest.mark.fonts
def test_indic_and_thai_are_set_in_their_noto_face_and_shaped(monkeypatch) -> None:
    """With Debian's fonts-noto-core (make fonts): each run in its script's face, a
    virama joining its consonants in one run, and HarfBuzz drawing the conjunct: क्ष
    (ka, virama, ssa: three code points) is the one kssa glyph of Devanagari."""
    monkeypatch.setenv("THECAL_FONT_DIRS", "/usr/share/fonts")
    assert markup("क्ष and สมชาย") == (
        f'<font name="{DEVANAGARI}">क्ष</font> and <font name="thecal-notosansthai">สมชาย</font>'
    )
    assert markup("நன்றி") == '<font name="thecal-notosanstamil">நன்றி</font>'
    # a zero-width joiner inside a word stays in the word's run (it steers the shaping)
    assert markup("क्\u200dष") == f'<font name="{DEVANAGARI}">क्\u200dष</font>'
    # a face's own punctuation joins the word; one it lacks splits the word by a space,
    # because reportlab shapes a word in one font (Noto Sans Thai has no parenthesis)
    assert markup("(क्ष)") == f'<font name="{DEVANAGARI}">(क्ष)</font>'
    assert markup("(สมชาย)") == '( <font name="thecal-notosansthai">สมชาย</font> )'
    assert {name for _, _, name in register().shaped} >= {DEVANAGARI}
    # and its Latin words are not given discretionary ligatures: DejaVu Sans Bold drew
    # "st" of "list" as one glyph; unchanged, reportlab hands the word back as it was
    word = [0, (_Frag(SANS_BOLD), "list")]
    assert ttfonts.shapeFragWord(word) is word
    assert len(shapeStr("क्ष", DEVANAGARI, 10).__shapeData__) == 1
    doc = Document(
        "Names", "Indic and Thai", (Section("Names", (Facts(tuple(INDIC_AND_THAI.items())),)),)
    )
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    assert "[U+" not in "".join(page.extract_text() for page in reader.pages)
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}  # fmt: skip
    for face in ("NotoSansDevanagari", "NotoSansTamil", "NotoSansThai"):
        assert any(face in f for f in fonts), (face, fonts)


@pytest.mark.fonts
def test_a_bold_heading_sets_a_shaped_name_in_the_bold_face(monkeypatch) -> None:
    """fonts-noto-core has NotoSansDevanagari-Bold.ttf: a name in a title or a table's
    head is drawn bold, as a Latin name there is, not in the regular weight."""
    monkeypatch.setenv("THECAL_FONT_DIRS", "/usr/share/fonts")
    assert markup("क्ष", bold=True) == f'<font name="{DEVANAGARI}-bold">क्ष</font>'
    assert markup("क्ष") == f'<font name="{DEVANAGARI}">क्ष</font>'
    assert register().bold[DEVANAGARI] == f"{DEVANAGARI}-bold"
    doc = Document("सुनीता शर्मा", "a Devanagari title", (Section("Notes", (Text("नमस्ते"),)),))
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}  # fmt: skip
    assert any("NotoSansDevanagari-Bold" in f for f in fonts), fonts  # the title
    assert any("NotoSansDevanagari-Regular" in f for f in fonts), fonts  # the body text


@pytest.mark.fonts
def test_without_a_bold_face_a_bold_run_keeps_the_regular_face(monkeypatch, tmp_path) -> None:
    """A machine with only the regular face: the bold run is still shaped, in it."""
    regular = "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf"
    (tmp_path / "NotoSansDevanagari-Regular.ttf").symlink_to(regular)
    monkeypatch.setenv("THECAL_FONT_DIRS", str(tmp_path))
    assert register().bold == {}
    assert markup("क्ष", bold=True) == f'<font name="{DEVANAGARI}">क्ष</font>'


# names in the scripts the table lacked (issue 23: Tibetan, Javanese "and others"), each
# with the face fonts-noto-core has for it (Tibetan: a serif face only)
MORE_SCRIPTS = {
    "བསྟན་འཛིན": "thecal-notoseriftibetan",  # Tenzin
    "አበበ": "thecal-notosansethiopic",  # Abebe (Amharic)
    "ᏣᎳᎩ": "thecal-notosanscherokee",  # Tsalagi
    "ᐃᓄᒃᑎᑐᑦ": "thecal-notosanscanadianaboriginal",  # Inuktitut syllabics
    "ꦧꦸꦣꦶ": "thecal-notosansjavanese",  # Budi
    "ᬩᬮᬶ": "thecal-notosansbalinese",  # Bali
    "ᮞᮥᮔ᮪ᮓ": "thecal-notosanssundanese",  # Sunda
    "ⵜⴰⵎⴰⵣⵉⵖⵜ": "thecal-notosanstifinagh",  # Tamazight
    "ꆈꌠ": "thecal-notosansyi",  # Nuosu
    "ꕙꔤ": "thecal-notosansvai",  # Vai
}


@pytest.mark.fonts
def test_tibetan_ethiopic_javanese_and_other_scripts_have_their_face(monkeypatch) -> None:
    """Each name is one run in its script's face; Tibetan stacks: sa with a subjoined ta
    (two code points) is drawn as one glyph; the PDF embeds every face and prints no
    code point."""
    monkeypatch.setenv("THECAL_FONT_DIRS", "/usr/share/fonts")
    for name, face in MORE_SCRIPTS.items():
        assert markup(name) == f'<font name="{face}">{name}</font>', name
    assert len(shapeStr("སྟ", "thecal-notoseriftibetan", 10).__shapeData__) == 1
    # a face with two blocks (Ethiopic and Ethiopic Extended) is registered once
    shaped = [name for _, _, name in register().shaped]
    assert shaped.count("thecal-notosansethiopic") == 2
    assert len(register().faces) == len(set(shaped))
    doc = Document("བསྟན་འཛིན", "more scripts",
                   (Section("Names", (Facts(tuple((n, n) for n in MORE_SCRIPTS)),)),))  # fmt: skip
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    assert "[U+" not in "".join(page.extract_text() for page in reader.pages)
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}  # fmt: skip
    for face in ("NotoSerifTibetan-Bold", "NotoSansEthiopic", "NotoSansCherokee",
                 "NotoSansCanadianAboriginal", "NotoSansJavanese", "NotoSansBalinese",
                 "NotoSansSundanese", "NotoSansTifinagh", "NotoSansYi", "NotoSansVai"):
        assert any(face in f for f in fonts), (face, fonts)


# right-to-left scripts that join their letters (Syriac, N'Ko, Adlam) or set vowels above
# and below them (Thaana), and Mongolian: each in its face, shaped by HarfBuzz
RIGHT_TO_LEFT_SHAPED = {
    "ܕܘܝܕ": "thecal-notosanssyriac",  # Dawid
    "ދިވެހި": "thecal-notosansthaana",  # Dhivehi
    "ߒߞߏ": "thecal-notosansnko",  # N'Ko
    "𞤀𞤣𞤤𞤢𞤥": "thecal-notosansadlam",  # Adlam
    "ᠮᠣᠩᠭᠣᠯ": "thecal-notosansmongolian",  # Mongol
}


@pytest.mark.fonts
def test_syriac_thaana_nko_adlam_and_mongolian_have_their_face(monkeypatch) -> None:
    """HarfBuzz lays a right-to-left word out reversed, so each word is handed to it in
    logical order (Thaana's vowel signs after their letters) and the words of a name in
    visual order: "ܫܠܡܐ ܕܘܝܕ" prints ܕܘܝܕ at the left."""
    monkeypatch.setenv("THECAL_FONT_DIRS", "/usr/share/fonts")
    for name, face in RIGHT_TO_LEFT_SHAPED.items():
        assert markup(name) == f'<font name="{face}">{name}</font>', name
    syriac = "thecal-notosanssyriac"
    words = (f'<font name="{syriac}">ܕܘܝܕ</font>', f'<font name="{syriac}">ܫܠܡܐ</font>')
    assert markup("ܫܠܡܐ ܕܘܝܕ") == " ".join(words)
    # shin, lamadh, mim, alaph: four joined glyphs, laid out last letter first
    assert [d.cluster for d in shapeStr("ܫܠܡܐ", syriac, 10).__shapeData__] == [3, 2, 1, 0]
    names = Facts(tuple((n, n) for n in RIGHT_TO_LEFT_SHAPED))
    doc = Document("ܫܠܡܐ ܕܘܝܕ", "right to left", (Section("Names", (names,)),))
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    assert "[U+" not in "".join(page.extract_text() for page in reader.pages)
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}  # fmt: skip
    for face in ("NotoSansSyriac", "NotoSansThaana-Bold", "NotoSansNKo", "NotoSansAdlam-Bold",
                 "NotoSansMongolian"):
        assert any(face in f for f in fonts), (face, fonts)


@pytest.mark.fonts
def test_hebrew_beside_a_shaped_name_is_not_reversed_twice(monkeypatch) -> None:
    """A paragraph with a Devanagari name is shaped word by word, and HarfBuzz reverses a
    Hebrew word as it does a Syriac one: the Hebrew word already in visual order came
    out backwards. It is handed over in logical order ("שרה,") and HarfBuzz's layout
    is the visual order the unshaped paragraph prints (",הרש"); brackets likewise."""
    monkeypatch.setenv("THECAL_FONT_DIRS", "/usr/share/fonts")
    assert markup("Dr שרה, 3 mg and क्ष") == (
        f'Dr 3 שרה, mg and <font name="{DEVANAGARI}">क्ष</font>'
    )
    assert str(shapeStr("שרה,", "thecal-sans", 10)) == ",\u05d4\u05e8\u05e9"
    # the bidi step mirrored the brackets of a right-to-left run ("(הרש)"); HarfBuzz
    # mirrors them too, so they are handed over as typed, and come out as they should
    assert markup("(שרה) क्ष") == f'<font name="{DEVANAGARI}">क्ष</font> (שרה)'
    assert str(shapeStr("(שרה)", "thecal-sans", 10)) == "(\u05d4\u05e8\u05e9)"
