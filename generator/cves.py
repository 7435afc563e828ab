"""Read CVE summaries and CVSS scores from a local JSON file.

The file maps ids to records: {"CVE-2021-44228": {"summary": "...", "cvss": 9.3}}.
The generator never asks a web service while building.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .references import read_json_object


@dataclass(frozen=True)
class Cve:
    id: str
    summary: str
    cvss: float | int | str | None

    @property
    def url(self) -> str:
        return f"https://nvd.nist.gov/vuln/detail/{self.id}"


def parse_cves(data: dict) -> dict[str, Cve]:
    cves = {}
    for cve_id, record in data.items():
        if isinstance(record, dict):
            cves[cve_id] = Cve(cve_id, str(record.get("summary", "")), record.get("cvss"))
    return cves


def load_cves(path: Path | None) -> dict[str, Cve] | None:
    """Load the CVE file; None when no file is given (CVEs are then shown by id, with a warning)."""
    if path is None:
        return None
    return parse_cves(read_json_object(path, "CVE file"))
