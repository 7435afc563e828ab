"""Render: turn the site model into pages (path + text), without touching the disk.

Each form's templates live in its folder under `forms/`, the mkdocs site's in
`templates/site/`; templates receive models only; the helpers
below format lists of links the way the published pages did. Jinja's
autoescape is on, as it was for the published site: `"` in a description is
written as `&#34;`, which is part of the published form.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Sized, TypeVar

import jinja2
import yaml
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from . import yamlfast
from .enrich import DetectionPage, PlaybookPage, StoryPage, StoryRef, file_page_url
from .issues import Issue, Severity
from .models import Lookup, Macro, Source, Story, Technique
from .slug import slugify
from .sources import SPLUNK_GITHUB, SPLUNK_REPOSITORY

TEMPLATES = Path(__file__).parent / "templates"
"""Templates of the mkdocs site; each published form has its own (see `forms`)."""


@dataclass(frozen=True)
class Branding:
    """What a site calls itself and says of itself (the mkdocs site; `mkdocs.yml` sets it)."""

    name: str = "Security Content"
    """The site's name: the home page's heading, the feeds' and layers' titles."""
    introduction: str = ""
    """The home page's introduction (Markdown); "" for the default, which describes Splunk's content."""


class Page:
    """One output file: a path below the output directory and its text.

    The text is rendered when first asked for, so that pages which lose a
    path clash are never rendered and the writer can render in parallel.
    """

    __slots__ = ("path", "source", "label", "url", "listing", "_render", "_text")

    def __init__(self, path: tuple[str, ...], text: str | Callable[[], str], source: Source | None = None,
                 label: str = "", url: str | None = None, listing: tuple[str, str] | None = None):
        self.path = path
        self.listing = listing
        """For a page that lists others by one property: (what it groups by, its title), e.g.
        ("Playbooks by use case", "Phishing"); the site's home page links to each."""
        self.source = source
        self.label = label
        """What a page without a source file is, for messages (e.g. "tactic 'Impact'")."""
        self.url = url
        """Where the published site served the page (its permalink), e.g. "/stories/x/"."""
        self._render, self._text = (None, text) if isinstance(text, str) else (text, None)

    def moved(self, path: tuple[str, ...]) -> "Page":
        """The same page (text rendered at most once between them) at another path."""
        return Page(path, lambda: self.text, self.source, self.label, self.url, self.listing)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._render()
        return self._text

    def __repr__(self) -> str:
        return f"Page({'/'.join(self.path)!r})"


def _links(pairs: Iterable[tuple[str, str]], autoescape: bool) -> Markup:
    """`[text](url), [text](url)`, escaped when the calling template escapes."""
    if autoescape:
        return Markup(", ".join(f"[{escape(text)}]({escape(url)})" for text, url in pairs))
    return Markup(", ".join(f"[{text}]({url})" for text, url in pairs))


def tag_url(name: str) -> str:
    return "/tags/#" + slugify(name, "-")


@jinja2.pass_eval_context
def datamodel_links(context: EvalContext, datamodels: Iterable[str]) -> Markup:
    base = "https://docs.splunk.com/Documentation/CIM/latest/User/"
    return _links(((dm, base + dm.replace("_", "")) for dm in datamodels), context.autoescape)


def technique_url(technique_id: str) -> str:
    """The site's page of an ATT&CK technique."""
    return f"/techniques/{technique_id}/"


@lru_cache(maxsize=4096)
def _tag_links(techniques: tuple[Technique, ...], autoescape: bool, by_id: bool = False) -> Markup:
    # A technique the ATT&CK bundle lacks has no name, so no tag: the published form left it out; `by_id` links
    # its page by its id instead.
    return _links(((t.name, tag_url(t.name)) if t.in_bundle else (t.id, technique_url(t.id))
                   for t in techniques if t.in_bundle or by_id), autoescape)


@jinja2.pass_eval_context
def tag_links(context: EvalContext, techniques: tuple[Technique, ...]) -> Markup:
    """Each technique's tag link, by its name, as the published forms wrote them."""
    return _tag_links(techniques, context.autoescape)


@jinja2.pass_eval_context
def site_tag_links(context: EvalContext, techniques: tuple[Technique, ...]) -> Markup:
    """`tag_links` as the site shows them: a technique the ATT&CK bundle lacks (content newer than the bundle)
    links its technique page by its id, as the detection's own page does, rather than leaving the cell empty."""
    return _tag_links(techniques, context.autoescape, by_id=True)


@jinja2.pass_eval_context
def tactic_links(context: EvalContext, techniques: Iterable[Technique]) -> Markup:
    tactics = dict.fromkeys(tactic for t in techniques for tactic in t.tactics)
    return _links(((tactic, tag_url(tactic)) for tactic in tactics), context.autoescape)


@jinja2.pass_eval_context
def first_tactic_link(context: EvalContext, techniques: tuple[Technique, ...]) -> Markup:
    """The published story tables name one tactic: the first of the first technique."""
    tactics = techniques[0].tactics[:1] if techniques else ()
    return _links(((tactic, tag_url(tactic)) for tactic in tactics), context.autoescape)


@jinja2.pass_eval_context
def app_links(context: EvalContext, apps: Iterable[str]) -> Markup:
    search = "https://splunkbase.splunk.com/apps/#/search/{}/product/soar"
    return _links(((app, search.format(app)) for app in apps), context.autoescape)


@jinja2.pass_eval_context
def soar_app_links(context: EvalContext, apps: Iterable[str]) -> Markup:
    """SOAR apps linked to a Splunkbase keyword search, as the 2024 pages did."""
    search = "https://splunkbase.splunk.com/apps?keyword={}&filters=product%3Asoar"
    quote = escape if context.autoescape else str
    return Markup(", ".join(f"[{quote(app)}]({search.format(quote(app.lower().replace(' ', '+')))})"
                            for app in apps))


@jinja2.pass_eval_context
def d3fend_links(context: EvalContext, techniques: Iterable) -> Markup:
    return _links(((t.technique, t.url) for t in techniques), context.autoescape)


@jinja2.pass_eval_context
def use_case_links(context: EvalContext, use_cases: Iterable[str]) -> Markup:
    return _links(((u, "/playbooks/" + slugify(u)) for u in use_cases), context.autoescape)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|])")


def markdown_text(text: str) -> Markup:
    """Plain text made safe to put in Markdown: HTML-escaped, Markdown's special characters escaped."""
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", str(escape(text))))


def identifier_code(text: str) -> Markup:
    """An identifier (a sourcetype, a source such as `XmlWinEventLog:Microsoft-Windows-Sysmon/Operational`) as
    code for a table cell that may break after its separators (`:`, `/`) and hyphens but never inside a word,
    as the theme's code otherwise does in a narrow column ("aws:cloudtrai|l"). `<wbr>` marks the places; it is
    not copied with the text."""
    return Markup('<code class="sc-identifier">' + re.sub(r"([:/])", r"\1<wbr>", str(markdown_text(text)))
                  + "</code>")


_CELL_SPECIAL = re.compile(r"[\\`*\[\]|]|(?<!\w)_|_(?!\w)|-(?=-)|(?<=-)-|\.(?=\.\.)|(?<=\.)\.(?=\.)|(?<=\.\.)\.")


def cell_text(text: str) -> Markup:
    """Plain text for a Markdown table cell of the published form, escaped only where Markdown would change it
    (code, emphasis, links, the cell's end, and the dashes and dots smart punctuation would join):
    `$src_ip$` stays as written, `GetPasswordData` in backticks and `--no-preserve-root` too."""
    return Markup(_CELL_SPECIAL.sub(lambda m: "\\" + m.group(0), str(escape(text))))


def shown_number(value: int | float | None) -> int | float | str:
    """A score of ESCU 5 and 6 (which no published form showed): one the file gives unusably (an error, reported)
    is shown empty, not as "None"."""
    return "" if value is None else value


@jinja2.pass_context
def front_matter(context: jinja2.runtime.Context, value: str, quoted: bool = False) -> str | Markup:
    """`value` as a scalar of a page's front matter: as the published forms wrote it (plain, or in double quotes
    with `quoted`) where YAML reads that back as the same text (every name they published), else escaped in double
    quotes. A story category "Cloud: Abuse", a product "*nix", a use case "2024" written plain, or a story
    'The "Quiet" Ones' in quotes, would make YAML read something else or fail, and a page whose front matter fails
    shows it as text, without its title.

    On the site (`on_site`) a value is escaped where its template does not escape: the theme takes a title for HTML
    (a story "Tokens <Stolen>" would lose its last word)."""
    if context.eval_ctx.autoescape or context.get("on_site"):
        return Markup(_front_matter_scalar(str(escape(value)), quoted))
    return _front_matter_scalar(value, quoted)


@lru_cache(maxsize=4096)
def _front_matter_scalar(text: str, quoted: bool) -> str:
    written = f'"{text}"' if quoted else text
    if not text and not quoted:
        return text  # read as nothing, which an empty value is (the published forms wrote an empty CVE so)
    try:
        if yamlfast.load(f"- {written}") == [text]:
            return written
    except yaml.YAMLError:
        pass
    return json.dumps(text)  # JSON's strings are YAML's double-quoted ones (ASCII only, every other char escaped)



@jinja2.pass_context
def listing_title(context: jinja2.runtime.Context, name: str, pattern: str) -> str:
    """A listing page's title: on the site (`on_site`) `pattern` with the name ("{} detections"), so that the
    detection type, the data model and the playbook use case named Endpoint, or the story and the tactic named
    Lateral Movement, are not pages of one title in a browser's tabs, its history and the search; in the published
    form the name, as it wrote it."""
    return pattern.format(name) if context.get("on_site") else name


def number(count: int | Sized) -> str:
    """A count (or a collection's length) as the site's own pages write it, thousands separated as in the
    listings' "Entries 1–500 of 1,711"."""
    return f"{count if isinstance(count, int) else len(count):,}"


def counted(count: int | Sized, noun: str, plural: str = "") -> Markup:
    """"1 detection", "1,711 detections". The nouns are the templates' own words, never content's, so they are
    not escaped ("ATT&CK technique")."""
    written = number(count)
    return Markup(f"{written} {noun if written == '1' else plural or noun + 's'}")


@jinja2.pass_context
def listed_name(context: jinja2.runtime.Context, name: str) -> str | Markup:
    """A name in a listing's table row: on the site (`on_site`) escaped as a cell's text, so that a `|` or `]` in
    it does not end the cell or the link; in the published form as it wrote it."""
    return cell_text(name) if context.get("on_site") else name


def status_badge(page: DetectionPage) -> Markup:
    """A marker after a detection's name in the site's listings when it is experimental or deprecated."""
    status = page.detection.lifecycle
    return _status_mark(status) if status in ("deprecated", "experimental") else Markup("")


def story_badge(ref: StoryRef) -> Markup:
    """A marker after the link to a story whose page is a deprecated story's."""
    return _status_mark("deprecated") if ref.deprecated else Markup("")


def _status_mark(status: str) -> Markup:
    return Markup(f' <span class="sc-status sc-status--{status}" data-fidelity-ignore="">{status}</span>')


def source_badge(source: Source) -> Markup:
    """A file's content source, after a name on the site, where the site has several sources."""
    origin = source.origin
    if origin is None or not origin.badge:
        return Markup("")
    return Markup(f' <span class="sc-source" data-fidelity-ignore="">{markdown_text(origin.label)}</span>')


def listing_mark(page: DetectionPage | StoryPage | PlaybookPage) -> Markup:
    """After a name in the site's listings: a detection's status, and its source where the site has several."""
    if isinstance(page, DetectionPage):
        return status_badge(page) + source_badge(page.detection.source)
    return source_badge((page.story if isinstance(page, StoryPage) else page.playbook).source)


@jinja2.pass_context
def source_link(context: jinja2.runtime.Context, model, splunk_url: str) -> Markup:
    """A page's link to its file, "[*source*](...) \\| ": in Splunk's repository where the published form
    put it (`splunk_url`), in the content source's own repository where it has another, none where it has none.
    On the site (`on_site`), Splunk's files too are linked by their own path: the published form made the address
    from the page's name, which for a name the file's is not made from (`Pre-Auth`, `CVE-2023-22527`, a
    playbook's) was a file that does not exist."""
    origin = model.source.origin
    if origin is None or origin.repository == SPLUNK_REPOSITORY:
        url = f"{SPLUNK_REPOSITORY}/{model.source.in_content}" if context.get("on_site") else splunk_url
    elif origin.repository:
        url = f"{origin.repository}/{model.source.in_content}"
    else:
        return Markup("")
    return Markup(f"[*source*]({escape(url) if context.eval_ctx.autoescape else url}) \\| ")


def macro_url(macro: Macro) -> str:
    """Where a detection page's list of macros links a macro's file: in Splunk's repository by its name, as
    published; in its content source's own repository by its path; "" (no link) for a source without one (a
    team's file was linked as a file of Splunk's that does not exist)."""
    origin = macro.source.origin
    if origin is None or origin.repository == SPLUNK_REPOSITORY:
        return f"{SPLUNK_GITHUB}/blob/develop/macros/{macro.name}.yml"
    return f"{origin.repository}/{macro.source.in_content}" if origin.repository else ""


def lookup_files(lookup: Lookup, data_view: str = "blob") -> tuple[tuple[str, str], ...]:
    """A lookup's file and its data, as (path in the content, address in its content source's repository; "" where
    it has none). The published forms made both addresses from the lookup's name (`lookups/<name>.yml` and
    `.csv`), which since ESCU 6 (`lookups/csv/`, `lookups/kvstore/`) and for a file named unlike its lookup lead
    nowhere. The data is the file `filename` names beside it (until ESCU 6), a csv lookup's file of the same name
    (ESCU 6); a KV store lookup has none. Splunk's are linked as the published form linked them where it was
    right (`data_view`: "tree", as the April-2024 form linked the data, or "blob")."""
    origin = lookup.source.origin
    if origin is None or origin.repository == SPLUNK_REPOSITORY:
        file_base, data_base = f"{SPLUNK_GITHUB}/blob/develop", f"{SPLUNK_GITHUB}/{data_view}/develop"
    else:
        file_base = data_base = origin.repository
    path = PurePosixPath(lookup.source.in_content)
    data = lookup.filename or (path.stem + ".csv" if lookup.lookup_type == "csv" else "")
    files = [(str(path), f"{file_base}/{path}" if file_base else "")]
    if data:
        files.append((str(path.parent / data), f"{data_base}/{path.parent / data}" if data_base else ""))
    return tuple(files)


def lookup_item(lookup: Lookup, data_view: str = "blob") -> Markup:
    """A detection page's item of a lookup on the site: its file and its data linked by path (`lookup_files`)."""
    (_, file_url), *data = lookup_files(lookup, data_view)
    name = markdown_text(lookup.name)
    if not file_url:
        return Markup(name)
    item = f"[{name}]({escape(file_url)})"
    if data:
        item += f" with [data]({escape(data[0][1])})"
    return Markup(item)


_SPL_PARTS = re.compile(r'```.*?(?:```|\Z)|"(?:[^"\\]|\\.)*(?:"|\\?\Z)|\|', re.DOTALL)
"""What a search's stages are split around: a ```comment``` and a double-quoted string (a backslash escaping the
next character), each to its end or the search's, are passed over whole; a `|` outside them is found."""


def search_stages(search: str) -> str:
    """A search with each stage on a line of its own: a line break before each `|` that starts one, as the
    published pages put one before every `|`, but not before a `|` inside a double-quoted string (a regular
    expression's alternatives, `"a|b"`) or a ```comment```, nor before one that starts a line already (a search
    written a stage a line keeps its lines, without a blank one between each two, and one that starts with `|`
    no blank first line, which the published pages added)."""
    shown: list[str] = []
    start = 0
    for part in _SPL_PARTS.finditer(search):
        index = part.start()
        if search[index] != "|":
            continue
        line_start = search.rfind("\n", 0, index) + 1
        if search[line_start:index].strip(" \t"):  # after text on its line (not first on a line, or in the search)
            shown.append(search[start:index])
            shown.append("\n")
            start = index
    shown.append(search[start:])
    return "".join(shown)


def shows_try_in_splunk(model) -> bool:
    """Does the page of a detection, story or playbook show the "Try in Splunk" button? Its source says; a
    deprecated story's page (the site's own: the published sites had none) does not invite anyone to try it."""
    if isinstance(model, Story) and model.deprecated:
        return False
    return model.source.origin is None or model.source.origin.try_in_splunk


def by_splunk(model) -> bool:
    """Is a detection Splunk's, so that its experimental or deprecated banner may say Splunk's team marked it so?
    A team's own was said to be."""
    return model.source.origin is None or model.source.origin.splunk


_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`]+")


def is_web_address(text: str) -> bool:
    """An http(s) URL and nothing else (a sentence that contains one is not)."""
    return bool(_WEB_ADDRESS.fullmatch(text))


_CITATION = re.compile(r"\s*\(Citation:[^)]*\)")
_ATTACK_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def attack_summary(description: str) -> str:
    """The first paragraph of an ATT&CK description as plain text: citations dropped, links by their text."""
    first = description.strip().split("\n\n", 1)[0]
    return _ATTACK_LINK.sub(r"\1", _CITATION.sub("", first)).replace("<code>", "").replace("</code>", "")


def schedule_table(scheduled) -> Markup:
    """When a detection or baseline runs (an `enrich.Scheduled`): a table of cron, time range and window, and
    where the schedule comes from."""
    s, definition = scheduled.schedule, scheduled.definition
    if definition is None:
        origin = "its own schedule"
    else:
        why = "which it names" if scheduled.why == "named" else markdown_text(scheduled.why)
        where = markdown_text(definition.source.in_content)
        source = definition.source.origin
        if source is not None and source.badge:  # several sources: the file's path is inside one of them
            where += f" in {markdown_text(source.label)}"
        origin = f"{markdown_text(definition.name)} ({where}), {why}"
    rows = [("Cron schedule", s.cron_schedule), ("Earliest time", s.earliest_time), ("Latest time", s.latest_time),
            ("Schedule window", s.schedule_window)]
    lines = ["| Cron schedule | Earliest time | Latest time | Schedule window |",
             "| ------------- | ------------- | ----------- | --------------- |",
             "| " + " | ".join(f"`{value}`" if value else "" for _, value in rows) + " |", "",
             f"From {origin}."]
    if definition is not None and definition.alert_actions:
        lines[-1] += " Alert actions: " + ", ".join(markdown_text(a) for a in definition.alert_actions) + "."
    return Markup("\n".join(lines))


def deprecation_note(deprecation) -> Markup:
    """Why content was deprecated or removed (`deprecation_info`), in which release, and what replaces it."""
    parts = []
    if deprecation.removed_in_version:
        parts.append(f"**Removed in**: {markdown_text(deprecation.removed_in_version)}")
    if deprecation.reason:
        parts.append(f"**Reason**: {markdown_text(deprecation.reason)}")
    if deprecation.replacement_content:
        parts.append("**Replaced by**: " + ", ".join(markdown_text(name) for name in deprecation.replacement_content))
    return Markup("  \n".join(parts))


def code_block(text: str, language: str = "") -> Markup:
    """A fenced code block showing `text` as it is; the fence is longer than any run of backticks in it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markup(f"{fence}{language}\n{text}\n{fence}")


@lru_cache(maxsize=None)
def environment(templates: tuple[Path, ...], unescaped: frozenset[str] = frozenset(),
                prefixed: tuple[tuple[str, Path], ...] = (),
                extra_globals: tuple[tuple[str, object], ...] = ()) -> jinja2.Environment:
    """The Jinja environment of template folders, searched in order.

    `prefixed` adds folders whose templates are named with a prefix, e.g.
    ("site", folder): "site/detection.md.j2" there may extend "detection.md.j2".

    Templates escape HTML unless named in `unescaped`: each published form
    escaped some pages and not others, and that is part of the form.
    `extra_globals` are (name, value) pairs the templates see besides the
    shared helpers; environments are shared, so they are part of the key.
    """
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PrefixLoader({prefix: jinja2.FileSystemLoader(folder)
                                                         for prefix, folder in prefixed}),
                                    jinja2.FileSystemLoader(templates)]),
        autoescape=lambda name: name not in unescaped,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["slug"] = slugify
    env.filters["markdown_text"] = markdown_text
    env.filters["cell_text"] = cell_text
    env.filters["identifier_code"] = identifier_code
    env.filters["search_stages"] = search_stages
    env.filters["listed_name"] = listed_name
    env.filters["front_matter"] = front_matter
    env.filters["listing_title"] = listing_title
    env.filters["counted"] = counted
    env.filters["number"] = number
    env.filters["shown_number"] = shown_number
    env.filters["macro_url"] = macro_url
    env.tests["web_address"] = is_web_address
    env.globals.update(datamodel_links=datamodel_links, tag_links=tag_links, tactic_links=tactic_links,
                       first_tactic_link=first_tactic_link, app_links=app_links, soar_app_links=soar_app_links,
                       d3fend_links=d3fend_links, use_case_links=use_case_links, code_block=code_block,
                       status_badge=status_badge, story_badge=story_badge, listing_mark=listing_mark,
                       attack_summary=attack_summary, schedule_table=schedule_table, deprecation_note=deprecation_note,
                       shows_try_in_splunk=shows_try_in_splunk, by_splunk=by_splunk, source_link=source_link,
                       lookup_item=lookup_item, lookup_files=lookup_files, source_badge=source_badge,
                       file_page_url=file_page_url)
    env.globals.update(extra_globals)
    return env


T = TypeVar("T")


class Renderings:
    """Pages rendered by the previous build of this process, reused while a page's template and context are the same.

    `mkdocs serve` keeps one that remembers (`remember=True`); a single run
    gains nothing and uses one that does not. A context's values are frozen
    models, equal exactly when what the page shows is equal. They are compared,
    not hashed: the models of unchanged files are the same objects from one
    build to the next, and identical objects are equal without being looked
    into, while hashing would walk every model of every page each time.
    """

    def __init__(self, remember: bool = False):
        self.remember = remember
        self._earlier: dict[tuple[str, str], tuple[object, object, Any]] = {}
        self._now: dict[tuple[str, str], tuple[object, object, Any]] = {}
        """(template or function name, key) -> (the template or function, its context or arguments, the result)."""
        self.rendered = 0
        """Pages (and other results) this build made anew: the others were reused."""

    def next_build(self) -> None:
        """What the last build rendered is what the next one can reuse; the rest is forgotten."""
        if self._now:
            self._earlier, self._now = self._now, {}
        self.rendered = 0

    def keep_earlier(self) -> None:
        """This build stopped half way: what the one before it rendered stays reusable beside what this one did
        (an entry is only reused for an equal context, so keeping more is never wrong)."""
        self._now = {**self._earlier, **self._now}

    def later(self, template: jinja2.Template, key: str, **context) -> Callable[[], str]:
        """`template` rendered with `context` when asked for; `key` tells this page from others of the template
        (e.g. its address). Reused when the previous build rendered the same template and an equal context
        under the same key."""
        return self._later(template, template.name or "", key, context, lambda: template.render(**context))

    def later_call(self, function: Callable[..., T], key: str, *arguments) -> Callable[[], T]:
        """`function(*arguments)` when asked for, reused as `later` reuses a rendering: the same function, equal
        arguments (a module's function, pure: an export, a listing split into pages)."""
        return self._later(function, function.__qualname__, key, arguments, lambda: function(*arguments))

    def _later(self, maker: object, name: str, key: str, inputs: object, make: Callable[[], T]) -> Callable[[], T]:
        if not self.remember:
            return make

        def value() -> T:
            slot = (name, key)
            earlier = self._earlier.get(slot)
            if earlier is not None and earlier[0] is maker and earlier[1] == inputs:
                found = earlier[2]
            else:
                found = make()
                self.rendered += 1
            self._now[slot] = (maker, inputs, found)
            return found

        return value


def detection_positions(detections: tuple[DetectionPage, ...]) -> dict[int, int]:
    """Each detection page's index in the site's list, by object identity (for `association_runs`)."""
    return {id(page): index for index, page in enumerate(detections)}


def association_runs(playbook: PlaybookPage, detections: tuple[DetectionPage, ...],
                     position: dict[int, int]) -> list[tuple[int, DetectionPage | None]]:
    """Blank-line runs of a published playbook's "Associated Detections" section.

    The published generator looped over every detection of the site for each
    name the playbook lists, writing an empty line for each that did not match
    and one more after each name. The result is reproduced as (empty lines,
    detection) pairs, so rendering does not depend on the size of that loop.
    """
    runs: list[tuple[int, DetectionPage | None]] = []
    carry = 0
    for name in playbook.playbook.detections:
        previous = 0
        for page in (p for p in playbook.detections if p.name == name):
            index = position[id(page)]
            runs.append((carry + index - previous, page))
            previous, carry = index + 1, 0
        carry += len(detections) - previous + 1
    runs.append((carry, None))
    return runs


def unique_paths(pages: list[Page]) -> tuple[list[Page], list[Issue]]:
    """Keep one page per path: the first rendered. A clash is reported naming both sources."""
    kept: dict[tuple[str, ...], Page] = {}
    issues = []
    for page in pages:
        first = kept.get(page.path)
        if first is None:
            kept[page.path] = page
            continue
        target = "/".join(page.path)
        other = first.source.path if first.source else "a generated page"
        if page.source is None:
            first_label = first.label or (first.source.path if first.source else "first page")
            issues.append(Issue(target, None, Severity.WARNING,
                                f"the {first_label} and the {page.label} share this page; only the {first_label} is written"))
            continue
        issues.append(Issue(page.source.path, page.source.line("name"), Severity.WARNING,
                            f"gives the same page {target} as {other}; only {other} is written"))
    return list(kept.values()), issues
