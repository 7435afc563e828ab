"""Run many `python -m MODULE ARGS` commands from one interpreter that has imported their modules once.

    python tests/unprivileged.py forkserver JOBS.json RESULTS.json   (PYTHONPATH=tests/)

The hostile suite runs three commands for each of its hundred cases; most of a command's time on a small case is
starting Python and importing mkdocs, the theme and the generator. This process imports them once
(JOBS.json's "imports"), then starts each command as a child forked from itself: a process of its own, with the
command's working folder, environment, arguments, and standard output and error in files, running the module
as `python -m` runs it; it exits as that would (its status, or 1 with the traceback on stderr). Only the
imports are shared, made before any command ran, and (with "template_cache", below) the Jinja templates the
commands compile; no command sees anything else another did.

JOBS.json: {"parallel": N, "imports": [module, ...], "template_cache": FOLDER, "chains": [[job, ...], ...]}, a
job being {"module", "args", "cwd", "env", "stdout", "stderr", "timeout"}. The jobs of a chain run one after
another (a case's commands, in their order); up to N chains at once. With "template_cache", the commands share
the Jinja templates they compile, kept in FOLDER (tests/template_cache.py): what a template compiles to
depends only on its source and its environment's settings, both of which are its key. RESULTS.json: each job's
exit status, null for one killed at its timeout (the rest of its chain is not run).
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import signal
import sys
import threading
import time
from pathlib import Path

POLL_SECONDS = 0.01
"""How often a child's end is looked for (a command takes a second or more)."""


def serve(jobs: dict) -> tuple[dict | None, list[list[int | None]]]:
    """Run the chains; in each forked child, return its job (to be run by `become` once out of this loop)."""
    chains = jobs["chains"]
    results: list[list[int | None]] = [[] for _ in chains]
    waiting = list(range(len(chains)))[::-1]
    running: dict[int, tuple[int, float]] = {}  # pid: (chain, deadline)

    def start(chain: int) -> dict | None:
        job = chains[chain][len(results[chain])]
        sys.stdout.flush()
        sys.stderr.flush()
        assert threading.active_count() == 1, "a fork copies only this thread"
        pid = os.fork()
        if pid == 0:
            return job
        running[pid] = (chain, time.monotonic() + job["timeout"])
        return None

    while waiting or running:
        while waiting and len(running) < jobs["parallel"]:
            if (job := start(waiting.pop())) is not None:
                return job, results
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for late, (chain, deadline) in list(running.items()):
                if now > deadline:
                    os.kill(late, signal.SIGKILL)
                    os.waitpid(late, 0)
                    del running[late]
                    results[chain].append(None)
            time.sleep(POLL_SECONDS)
            continue
        chain, _ = running.pop(pid)
        results[chain].append(os.waitstatus_to_exitcode(status))
        if len(results[chain]) < len(chains[chain]):
            if (job := start(chain)) is not None:
                return job, results
    return None, results


def become(job: dict, path: list[str], template_folder: str | None) -> None:
    """Turn this forked child into `python -m MODULE ARGS` run in the job's folder with its environment (its
    Jinja templates compiled once for all the jobs, in `template_folder`, if given)."""
    if template_folder:
        import template_cache  # imported by main(), before the fork

        template_cache.install(template_folder)
    os.chdir(job["cwd"])
    os.environ.clear()
    os.environ.update(job["env"])
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    for number, name in ((1, "stdout"), (2, "stderr")):
        output = os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(output, number)
        os.close(output)
    sys.path[:] = [job["cwd"], *path]  # as `python -m` run there: its folder first
    sys.argv = [job["module"], *job["args"]]
    runpy.run_module(job["module"], run_name="__main__", alter_sys=True)


def main(jobs_file: str, results_file: str) -> dict | None:
    jobs = json.loads(Path(jobs_file).read_text(encoding="utf-8"))
    path = [entry for entry in sys.path[1:] if entry != os.path.dirname(os.path.abspath(__file__))]
    for module in [*jobs["imports"], *(["template_cache"] if jobs.get("template_cache") else [])]:
        importlib.import_module(module)
    job, results = serve(jobs)
    if job is not None:
        job["path"], job["template_folder"] = path, jobs.get("template_cache")
        return job
    Path(results_file).write_text(json.dumps(results), encoding="utf-8")
    return None


if __name__ == "__main__":
    # Out of every function before the child runs its command: its exceptions and exit end it as they would
    # end `python -m MODULE`.
    child_job = main(*sys.argv[1:])
    if child_job is not None:
        become(child_job, child_job.pop("path"), child_job.pop("template_folder"))
