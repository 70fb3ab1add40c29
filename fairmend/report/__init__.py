"""Reports: self-contained HTML with inline SVG figures, JSON, and Markdown deliverables."""

from fairmend.report.html import write_report

__all__ = ["write_report"]
