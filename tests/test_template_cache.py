"""The Jinja templates the hostile suite's commands share (tests/template_cache.py): a template's kept code is
used only by an environment of the same settings, so each renders what it renders uncached."""

from __future__ import annotations

import jinja2

from template_cache import TemplateCache, install

TEMPLATE = "{% if text|length > 3 %}long{% endif %}\n{{ text }}\n"


def environment(folder, cache, **settings) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), bytecode_cache=cache, **settings)


def test_a_template_is_compiled_once_per_settings_and_renders_as_uncached(tmp_path):
    (tmp_path / "page.j2").write_text(TEMPLATE)
    kept = tmp_path / "kept"
    kept.mkdir()
    variants = [dict(autoescape=True), dict(autoescape=False), dict(autoescape=True, trim_blocks=True),
                dict(autoescape=lambda name: name.endswith(".j2"))]  # decided per template: as True here
    for settings in variants:
        uncached = environment(tmp_path, None, **settings).get_template("page.j2").render(text="<b>")
        for _ in range(2):  # compiled and kept, then loaded in a new environment
            cached = environment(tmp_path, TemplateCache(str(kept)), **settings).get_template("page.j2")
            assert cached.render(text="<b>") == uncached, settings
    assert environment(tmp_path, None, autoescape=True).get_template("page.j2").render(text="<b>") == "\n&lt;b&gt;"
    # The first, third and fourth settings differ (the third strips the newline after a block): three kept; the
    # fourth autoescapes this template as the first does, and its code is the first's.
    assert len(list(kept.iterdir())) == 3


def test_an_environment_with_a_setting_that_cannot_be_named_is_not_kept(tmp_path):
    (tmp_path / "page.j2").write_text("{{ text|shout }}")
    kept = tmp_path / "kept"
    kept.mkdir()
    env = environment(tmp_path, TemplateCache(str(kept)))
    env.filters["shout"] = lambda text: text.upper()  # another process's lambda may do something else
    assert env.get_template("page.j2").render(text="hi") == "HI"
    assert list(kept.iterdir()) == []


def test_installed_every_new_environment_keeps_its_templates(tmp_path, monkeypatch):
    (tmp_path / "page.j2").write_text(TEMPLATE)
    kept = tmp_path / "kept"
    kept.mkdir()
    monkeypatch.setattr(jinja2.Environment, "__init__", jinja2.Environment.__init__)  # undone after the test
    install(str(kept))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
    assert isinstance(env.bytecode_cache, TemplateCache)
    assert env.get_template("page.j2").render(text="abcd") == "long\nabcd"
    assert len(list(kept.iterdir())) == 1
