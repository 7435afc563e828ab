"""Read CVE summaries and CVSS scores from a local JSON file.

The file maps ids to records: {"CVE-2021-44228": {"summary": "...", "cvss": 9.3}}.
The generator never asks a web service while building.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .exceptions import ConfigurationError


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
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: CVE file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigurationError(f"{path}: not a readable CVE JSON file ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path}: the CVE file must map CVE ids to records")
    return parse_cves(data)
