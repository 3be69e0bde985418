"""Letters and forms as real PDFs (reportlab): a heading with the patient's identity on
every page, then headings, paragraphs, lists, tables and signature lines."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from collis.core.presenters import date_long, datetime_long, format_nhs_number

NHS_BLUE = colors.HexColor("#005eb8")
TEXT = colors.HexColor("#212b32")
GREY = colors.HexColor("#4c6272")


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], alignment=TA_LEFT,
                                textColor=TEXT, fontSize=18, leading=22, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base["Normal"], textColor=GREY,
                                   fontSize=11, leading=14, spaceAfter=8),
        2: ParagraphStyle("h2", parent=base["Heading2"], textColor=TEXT, fontSize=13,
                          leading=16, spaceBefore=10, spaceAfter=4),
        3: ParagraphStyle("h3", parent=base["Heading3"], textColor=TEXT, fontSize=11,
                          leading=14, spaceBefore=6, spaceAfter=2),
        "body": ParagraphStyle("body", parent=base["Normal"], textColor=TEXT, fontSize=10,
                               leading=13, spaceAfter=5),
        "cell": ParagraphStyle("cell", parent=base["Normal"], textColor=TEXT, fontSize=9,
                               leading=11),
    }


def _text(value) -> str:
    return escape(str(value)).replace("\n", "<br/>")


class PdfDocument:
    """Build a document piece by piece, then `build()` it to PDF bytes."""

    def __init__(self, title: str, patient=None, subtitle: str = ""):
        self.title = title
        self.patient = patient
        self.styles = _styles()
        self.story: list = [Paragraph(_text(title), self.styles["title"])]
        if subtitle:
            self.story.append(Paragraph(_text(subtitle), self.styles["subtitle"]))
        if patient is not None:
            self.key_values([
                ("Patient", f"{patient.given_name} {patient.family_name}"),
                ("NHS number", format_nhs_number(patient.nhs_number)),
                ("Date of birth", date_long(patient.date_of_birth)),
            ])

    def heading(self, text: str, level: int = 2) -> PdfDocument:
        self.story.append(Paragraph(_text(text), self.styles[2 if level <= 2 else 3]))
        return self

    def paragraph(self, text: str) -> PdfDocument:
        self.story.append(Paragraph(_text(text), self.styles["body"]))
        return self

    def bullets(self, items) -> PdfDocument:
        items = [ListItem(Paragraph(_text(i), self.styles["body"]), leftIndent=12)
                 for i in items]
        if items:
            self.story.append(ListFlowable(items, bulletType="bullet", start="•",
                                           leftIndent=12, bulletFontSize=9))
        return self

    def key_values(self, pairs) -> PdfDocument:
        rows = [[Paragraph(f"<b>{_text(k)}</b>", self.styles["cell"]),
                 Paragraph(_text(v), self.styles["cell"])] for k, v in pairs]
        if rows:
            table = Table(rows, colWidths=[45 * mm, 125 * mm], hAlign="LEFT")
            table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
            self.story += [table, Spacer(1, 4 * mm)]
        return self

    def table(self, rows, header: bool = True) -> PdfDocument:
        if not rows:
            return self
        cells = [[Paragraph(("<b>%s</b>" if header and r == 0 else "%s") % _text(c),
                            self.styles["cell"]) for c in row] for r, row in enumerate(rows)]
        table = Table(cells, hAlign="LEFT", repeatRows=1 if header else 0)
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#d8dde0")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edee")))
        table.setStyle(TableStyle(style))
        self.story += [table, Spacer(1, 4 * mm)]
        return self

    def signature(self, label: str, name: str = "", when: str = "") -> PdfDocument:
        self.story.append(Spacer(1, 6 * mm))
        line = f"{_text(label)}: {_text(name) if name else '_' * 40}"
        if when:
            line += f"&nbsp;&nbsp;&nbsp;Date: {_text(when)}"
        self.story.append(Paragraph(line, self.styles["body"]))
        return self

    def _decorate(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFillColor(NHS_BLUE)
        canvas.rect(0, A4[1] - 12 * mm, A4[0], 12 * mm, fill=1, stroke=0)
        canvas.setFillColor(colors.white)
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(15 * mm, A4[1] - 8 * mm, "Collis")
        canvas.setFont("Helvetica", 9)
        canvas.drawString(35 * mm, A4[1] - 8 * mm, self.title[:90])
        canvas.setFillColor(GREY)
        footer = f"Page {doc.page}"
        if self.patient is not None:
            footer = (f"{self.patient.family_name.upper()}, {self.patient.given_name} · "
                      f"NHS number {format_nhs_number(self.patient.nhs_number)} · " + footer)
        canvas.drawString(15 * mm, 8 * mm, footer)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm,
                               f"Produced {datetime_long(timezone.now())}")
        canvas.restoreState()

    def build(self) -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(buffer, pagesize=A4, title=self.title, author="Collis",
                                leftMargin=15 * mm, rightMargin=15 * mm, topMargin=20 * mm,
                                bottomMargin=16 * mm)
        doc.build(self.story, onFirstPage=self._decorate, onLaterPages=self._decorate)
        return buffer.getvalue()


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
