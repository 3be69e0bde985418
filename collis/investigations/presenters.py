"""How investigations read on screen."""

from __future__ import annotations

from dataclasses import dataclass

from collis.core.presenters import date_long
from collis.investigations.models import (
    SD_WORK_UP_SOURCE,
    Investigation,
    InvestigationFile,
    InvestigationKind,
    ResultStatus,
    muscle_label,
)
from collis.investigations.selectors import WorkUpItem
from collis.investigations.uploads import size_text

# Tags carry the words as well as the colour: colour is never the only meaning.
_STATUS_COLOUR = {ResultStatus.NORMAL: "green", ResultStatus.ABNORMAL: "orange",
                  ResultStatus.PENDING: "grey"}


def side_text(side: str) -> str:
    return "both sides" if side == "bilateral" else side


@dataclass(frozen=True)
class FilePresenter:
    file: InvestigationFile

    @property
    def name(self) -> str:
        return self.file.original_name

    @property
    def description(self) -> str:
        return f"{self.file.get_content_type_display()}, {size_text(self.file.size)}"

    @property
    def uploaded(self) -> str:
        by = self.file.uploaded_by.display_name if self.file.uploaded_by else "unknown"
        return f"{date_long(self.file.uploaded_at.date())} by {by}"

    @property
    def investigation_id(self) -> int:
        """The version the file was uploaded with (its download is under that version)."""
        return self.file.investigation_id

    def attached_to(self, shown: Investigation) -> str:
        """Which version the file belongs to, when it is not the one shown."""
        if self.file.investigation_id == shown.pk:
            return ""
        return f"with version {self.file.investigation.version}"


@dataclass(frozen=True)
class InvestigationPresenter:
    investigation: Investigation

    @property
    def kind(self) -> str:
        return self.investigation.get_kind_display()

    @property
    def date(self) -> str:
        return date_long(self.investigation.performed_on)

    @property
    def status(self) -> str:
        return self.investigation.get_status_display()

    @property
    def status_colour(self) -> str:
        return _STATUS_COLOUR[ResultStatus(self.investigation.status)]

    @property
    def is_emg(self) -> bool:
        return self.investigation.kind == InvestigationKind.EMG

    @property
    def muscles(self) -> list[tuple[str, str]]:
        """(muscle, side) as words, in the order recorded."""
        return [(muscle_label(m.muscle), side_text(m.side))
                for m in self.investigation.active_muscles.all()]

    @property
    def muscles_text(self) -> str:
        return "; ".join(f"{m} ({s})" for m, s in self.muscles)

    @property
    def files(self) -> list[FilePresenter]:
        """This version's files and those of the versions before it (`all_files`, set by
        the selectors), else its own."""
        files = getattr(self.investigation, "all_files", None)
        if files is None:
            files = self.investigation.files.all()
        return [FilePresenter(f) for f in files]

    @property
    def version_text(self) -> str:
        """A version in the history table: its result and dates."""
        i = self.investigation
        text = f"{self.status.lower()}, {self.date}"
        if i.result_on:
            text += f", result {date_long(i.result_on)}"
        return text

    @property
    def summary(self) -> str:
        """One line for the list: the gene, the muscles or the report's first words."""
        i = self.investigation
        if i.gene_panel:
            return f"Gene or panel: {i.gene_panel}"
        if self.is_emg and self.muscles:
            return f"Active: {self.muscles_text}"
        text = " ".join(i.report.split())
        return text if len(text) <= 90 else text[:87].rstrip() + "..."

    def summary_rows(self) -> list[tuple[str, str]]:
        i = self.investigation
        rows = [("Investigation", self.kind), ("Date", self.date), ("Result", self.status)]
        if i.result_on:
            rows.append(("Date of the result", date_long(i.result_on)))
        if i.gene_panel:
            rows.append(("Gene or panel tested", i.gene_panel))
        rows.append(("Requested by", i.requested_by or "Not recorded"))
        if i.requested_on:
            rows.append(("Date requested", date_long(i.requested_on)))
        rows.append(("Recorded by", f"{i.created_by.display_name} on "
                                    f"{date_long(i.created_at.date())}"))
        if i.version > 1:
            rows.append(("Version", str(i.version)))
        if i.version > 1 and not i.supersedes_id and i.updated_by:
            # Changed in place before corrections kept every version (ADR 0009).
            rows.append(("Last changed", f"{date_long(i.updated_at.date())} by "
                                         f"{i.updated_by.display_name}"))
        return rows


@dataclass(frozen=True)
class WorkUpPresenter:
    item: WorkUpItem

    @property
    def name(self) -> str:
        return {InvestigationKind.EMG: "EMG mapping of active muscles"}.get(
            self.item.kind, self.item.kind.label)

    @property
    def state(self) -> str:
        return {"done": "Done", "pending": "Result pending",
                "outstanding": "Outstanding"}[self.item.state]

    @property
    def colour(self) -> str:
        return {"done": "green", "pending": "yellow", "outstanding": "grey"}[self.item.state]

    @property
    def detail(self) -> str:
        if self.item.result is not None:
            found = self.item.result
            return f"{found.get_status_display()}, {date_long(found.performed_on)}"
        if self.item.pending is not None:
            return f"Done {date_long(self.item.pending.performed_on)}, result not yet recorded"
        return "Not recorded"

    @property
    def investigation(self) -> Investigation | None:
        return self.item.result or self.item.pending


WORK_UP_SOURCE = SD_WORK_UP_SOURCE
