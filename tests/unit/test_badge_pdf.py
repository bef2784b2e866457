"""The badge PDF: one A6 page per badge, the names (CJK ones too) in it as text, and the
QR code of each page decoding to its attendee's check-in code."""

from __future__ import annotations

import io
import uuid

import pypdf
import pypdfium2
import zxingcpp
from reportlab.lib.units import mm

from services.registration import badge_pdf
from services.registration.domain import checkin_codes as codes

KEY = bytes(32)
CONFERENCE = str(uuid.uuid4())
PEOPLE = [
    ("王磊", "杭州某某科技有限公司", "full", "delegate"),
    ("Alexandra Konstantinopoulou-Papadimitriou", None, "student", "student"),
    ("欧阳娜娜", "上海交通大学医学院附属瑞金医院临床研究中心", "vip", "vip"),
]


def badges():
    return [
        badge_pdf.Badge(
            name, org, ticket, category, codes.make_code(KEY, CONFERENCE, str(uuid.uuid4()), 0)
        )
        for name, org, ticket, category in PEOPLE
    ]


def test_one_a6_badge_per_page_with_names_and_a_qr_of_each_code():
    made = badges()
    pdf = badge_pdf.render("亚洲医药论坛 2027", made, badge_pdf.font())

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(made)
    for page, badge in zip(reader.pages, made, strict=True):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / mm), round(height / mm)) == (105, 148)
        text = page.extract_text()
        assert badge.name in text and "亚洲医药论坛" in text

    decoded = []
    for page in pypdfium2.PdfDocument(pdf):
        image = page.render(scale=200 / 72).to_pil()
        decoded.append([found.text for found in zxingcpp.read_barcodes(image)])
    assert decoded == [[badge.code] for badge in made]


def test_a_cjk_truetype_font_is_embedded_when_one_is_found(tmp_path):
    face = badge_pdf.font()
    pdf = badge_pdf.render("Forum", badges()[:1], face)
    if face == badge_pdf.CID_FONT:
        # no CJK TrueType font on this machine: the standard CID font, named not embedded
        assert b"/FontFile2" not in pdf and b"STSong-Light" in pdf
    else:
        assert b"/FontFile2" in pdf
    # a font named by the configuration that does not exist: the next one found
    assert badge_pdf.font(tmp_path / "missing.ttf") == face
