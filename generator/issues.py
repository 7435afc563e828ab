"""Located diagnostics: every stage returns these instead of printing or exiting."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in one input file.

    `path` is shown as given (relative to the content directory for sources);
    `line` is 1-based, or None when the problem concerns the file as a whole.
    """

    path: str
    line: int | None
    severity: Severity
    message: str

    @property
    def where(self) -> str:
        """`path:line`, or the path alone."""
        return self.path if self.line is None else f"{self.path}:{self.line}"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity.value}: {self.message}"


def has_errors(issues: list[Issue]) -> bool:
    return any(issue.severity is Severity.ERROR for issue in issues)


def counted(count: int, noun: str) -> str:
    """"1 error", "2 errors", "0 errors": a count of a noun whose plural is its name with an s."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def tally(issues: list[Issue], joined_by: str = ", ") -> str:
    """How many errors and warnings there are, as the command line, the build log and the pages say it."""
    errors = sum(issue.severity is Severity.ERROR for issue in issues)
    return f"{counted(errors, 'error')}{joined_by}{counted(len(issues) - errors, 'warning')}"
