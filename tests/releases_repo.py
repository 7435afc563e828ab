"""A small git repository of content with releases, made for the release tests (see make_repository).

Its history, one commit and tag per release (dates are the commits' and tags' own):

- v1.0.0 (2021-02-01), the 2021 layout (`detections/experimental/`, `tags.analytics_story`, no `status`):
  "Encoded PowerShell Comand" (a typo) experimental; "Disable Defender" and "WMIC Process Discovery" in
  detections/endpoint/; the story "PowerShell Abuse"; the macro `powershell`.
- v1.1.0 (2021-06-01): the typo fixed, in the name and the file's name; version 2, a new search stage.
- v2.0.0 (2023-03-01), annotated (tagged 2023-03-02), the 2023 layout: every detection in detections/endpoint/
  with `status` (the encoded one still experimental: only its place and the way it says so changed);
  "WMIC Process Discovery" removed; "AWS IAM User Created" and "Registry Run Key" new; the macro `wmi` added;
  the story updated.
- v2.1.0 (2023-09-01): "Encoded PowerShell Command" deprecated (moved to detections/deprecated/, version 3);
  "Registry Run Key" replaced by "Registry Run Keys Modified" (a new id and name in the same file).
- the working tree after v2.1.0: "Disable Defender" at version 2 (not released yet).
- `broken`: a tag of a file, not a commit; `other-1`: a tag the pattern v* does not match.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ENCODED_ID = "c0000000-0000-4000-8000-000000000002"
DEFENDER_ID = "c0000000-0000-4000-8000-000000000001"
WMIC_ID = "c0000000-0000-4000-8000-000000000003"
AWS_ID = "c0000000-0000-4000-8000-000000000004"
RUN_KEY_ID = "c0000000-0000-4000-8000-000000000005"
RUN_KEYS_ID = "c0000000-0000-4000-8000-000000000006"


def detection(name: str, id_: str, version: int, search: str, *, status: str | None = None,
              stories_key: str = "analytic_story", technique: str = "T1059.001") -> str:
    lines = [f"name: {name}", f"id: {id_}", f"version: {version}", "date: '2021-01-15'", "author: Example Author"]
    if status:
        lines.append(f"status: {status}")
    lines += ["type: TTP", "description: What it finds, described.", f"search: '{search}'",
              "how_to_implement: Ingest process events.", "known_false_positives: None known.",
              "references:", "- https://example.com/ref", "tags:", f"  {stories_key}:", "  - PowerShell Abuse",
              "  mitre_attack_id:", f"  - {technique}", "  product:", "  - Splunk Enterprise",
              "  security_domain: endpoint"]
    return "\n".join(lines) + "\n"


STORY = """name: PowerShell Abuse
id: d0000000-0000-4000-8000-000000000001
version: {version}
date: '2021-01-15'
author: Example Author
description: Attackers use PowerShell.{more}
narrative: PowerShell is everywhere.
references: []
tags:
  category:
  - Adversary Tactics
  product:
  - Splunk Enterprise
"""

ENCODED_SEARCH = "| tstats count from datamodel=Endpoint.Processes where Processes.process=\"*-enc*\" by Processes.dest"
DEFENDER_SEARCH = "| tstats count from datamodel=Endpoint.Processes where Processes.process=\"*Set-MpPreference*\" by Processes.dest"
WMIC_SEARCH = "| tstats count from datamodel=Endpoint.Processes where Processes.process_name=wmic.exe by Processes.dest"
RUN_KEY_SEARCH = "| tstats count from datamodel=Endpoint.Registry where Registry.registry_path=\"*\\\\Run\\\\*\" by Registry.dest"
AWS_SEARCH = "| tstats count from datamodel=Change where All_Changes.action=created by All_Changes.user"


def _git(repo: Path, *args: str, date: str | None = None) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="Example", GIT_AUTHOR_EMAIL="e@example.com", GIT_COMMITTER_NAME="Example",
               GIT_COMMITTER_EMAIL="e@example.com")
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


def _write(repo: Path, files: dict[str, str]) -> None:
    """Make the working tree hold exactly `files` (path -> text) besides .git."""
    for path in sorted(repo.rglob("*"), reverse=True):
        if ".git" in path.relative_to(repo).parts:
            continue
        if path.is_file():
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _release(repo: Path, files: dict[str, str], tag: str, date: str, annotated_at: str | None = None) -> None:
    _write(repo, files)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"Release {tag}", date=date)
    if annotated_at:
        _git(repo, "tag", "-a", tag, "-m", f"Release {tag}", date=annotated_at)
    else:
        _git(repo, "tag", tag)


def make_repository(repo: Path) -> Path:
    """The repository described in this module's docstring, at `repo` (created)."""
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    macro = "definition: sourcetype=powershell\ndescription: PowerShell events.\nname: powershell\n"
    v1 = {
        "detections/experimental/endpoint/encoded_powershell_comand.yml":
            detection("Encoded PowerShell Comand", ENCODED_ID, 1, ENCODED_SEARCH, stories_key="analytics_story"),
        "detections/endpoint/disable_defender.yml":
            detection("Disable Defender", DEFENDER_ID, 1, DEFENDER_SEARCH, stories_key="analytics_story"),
        "detections/endpoint/wmic_process_discovery.yml":
            detection("WMIC Process Discovery", WMIC_ID, 1, WMIC_SEARCH, stories_key="analytics_story",
                      technique="T1047"),
        "stories/powershell_abuse.yml": STORY.format(version=1, more=""),
        "macros/powershell.yml": macro,
    }
    _release(repo, v1, "v1.0.0", "2021-02-01T12:00:00+00:00")
    v11 = dict(v1)
    del v11["detections/experimental/endpoint/encoded_powershell_comand.yml"]
    v11["detections/experimental/endpoint/encoded_powershell_command.yml"] = detection(
        "Encoded PowerShell Command", ENCODED_ID, 2, ENCODED_SEARCH + " | where count > 0",
        stories_key="analytics_story")
    _release(repo, v11, "v1.1.0", "2021-06-01T12:00:00+00:00")
    v2 = {
        "detections/endpoint/encoded_powershell_command.yml": detection(
            "Encoded PowerShell Command", ENCODED_ID, 2, ENCODED_SEARCH + " | where count > 0", status="experimental"),
        "detections/endpoint/disable_defender.yml":
            detection("Disable Defender", DEFENDER_ID, 1, DEFENDER_SEARCH, status="production"),
        "detections/cloud/aws_iam_user_created.yml":
            detection("AWS IAM User Created", AWS_ID, 1, AWS_SEARCH, status="production", technique="T1136.003"),
        "detections/endpoint/registry_run_key.yml":
            detection("Registry Run Key", RUN_KEY_ID, 1, RUN_KEY_SEARCH, status="production", technique="T1047"),
        "stories/powershell_abuse.yml": STORY.format(version=2, more=" And encode it."),
        "macros/powershell.yml": macro,
        "macros/wmi.yml": "definition: sourcetype=wmi\ndescription: WMI events.\nname: wmi\n",
    }
    _release(repo, v2, "v2.0.0", "2023-03-01T12:00:00+00:00", annotated_at="2023-03-02T09:00:00+00:00")
    v21 = dict(v2)
    del v21["detections/endpoint/encoded_powershell_command.yml"]
    v21["detections/deprecated/encoded_powershell_command.yml"] = detection(
        "Encoded PowerShell Command", ENCODED_ID, 3, ENCODED_SEARCH + " | where count > 0", status="deprecated")
    v21["detections/endpoint/registry_run_key.yml"] = detection(  # replaced: a new id and name in its file
        "Registry Run Keys Modified", RUN_KEYS_ID, 1, RUN_KEY_SEARCH, status="production", technique="T1047")
    _release(repo, v21, "v2.1.0", "2023-09-01T12:00:00+00:00")
    _git(repo, "tag", "other-1")
    blob = _git(repo, "rev-parse", "HEAD:macros/wmi.yml").strip()
    _git(repo, "tag", "broken", blob)
    working = dict(v21)
    working["detections/endpoint/disable_defender.yml"] = detection(
        "Disable Defender", DEFENDER_ID, 2, DEFENDER_SEARCH + " | where count > 1", status="production")
    _write(repo, working)
    return repo
