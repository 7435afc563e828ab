"""Jinja templates compiled once for all the commands the fork server runs (tests/forkserver.py).

Most of a hostile case's time went to Jinja compiling the same templates in each of its three commands (the
generator's in both CLI layouts and in `mkdocs build`, the theme's in `mkdocs build`): the same work three
hundred times. `install(folder)`, called in a forked command before it runs, gives every Jinja environment the
command makes a bytecode cache in `folder`, shared by the commands: the first to compile a template keeps its
code there (written whole, then renamed into place: jinja2.FileSystemBytecodeCache), the others load it.

What a template compiles to depends on its source and on its environment's settings, so both are the key:
the source by Jinja's own checksum, the settings (delimiters and whitespace options, extensions, optimizer,
autoescape as decided for that template, the filters and tests and whatever else the environment holds, each
named by its module and name) by `settings`. An environment holding anything that cannot be named so (a
lambda filter, an object of its own) is not cached: its templates are compiled as they would be without this.
"""

from __future__ import annotations

import hashlib
import sys
import types

import jinja2
from jinja2.bccache import Bucket
from jinja2.ext import Extension

NOT_SETTINGS = {"globals", "cache", "bytecode_cache", "loader", "shared", "linked_to", "overlayed", "autoescape"}
"""What an environment holds that its templates' code does not depend on: read when a template runs
(globals), or how a template is found and kept (its source and file are part of the key anyway). Autoescape
is in the key as decided for the template."""


class Unnamed(Exception):
    """A setting that cannot be named the same way in every process."""


def _name(value: object) -> str:
    """A function's or class's module and name, where that name leads back to it."""
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    found = sys.modules.get(module) if module and qualname else None
    for part in (qualname or "<>").split("."):
        found = getattr(found, part, None)
    if found is not value:
        raise Unnamed(repr(value))
    return f"{module}:{qualname}"


def _describe(value: object) -> object:
    """A value as plain data that is the same in every process for the same setting."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return [_describe(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_describe(item) for item in value), key=repr)
    if isinstance(value, dict):
        return sorted(([_describe(key), _describe(item)] for key, item in value.items()), key=repr)
    if isinstance(value, types.MethodType):
        return ["method", _name(value.__func__), _describe(value.__self__)]
    if isinstance(value, Extension):
        return ["extension", _name(type(value)),
                _describe({key: item for key, item in vars(value).items() if key != "environment"})]
    if isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)):
        return _name(value)
    raise Unnamed(repr(value))


def settings(environment: jinja2.Environment, name: str | None) -> str | None:
    """What the code of template `name` depends on besides its source, as text; None where something cannot be
    named."""
    autoescape = environment.autoescape(name) if callable(environment.autoescape) else environment.autoescape
    try:
        held = {key: value for key, value in vars(environment).items() if key not in NOT_SETTINGS}
        return repr(_describe([_name(type(environment)), bool(autoescape), held]))
    except Unnamed:
        return None


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """A bytecode cache whose key is a template's name, file and environment settings."""

    def get_bucket(self, environment, name, filename, source):
        found = settings(environment, name)
        if found is None:
            return Bucket(environment, "", self.get_source_checksum(source))  # compiled, not kept (set_bucket)
        key = hashlib.sha256(repr((name, filename, found)).encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def set_bucket(self, bucket):
        if bucket.key:
            super().set_bucket(bucket)


def install(folder: str) -> None:
    """From now on in this process, every Jinja environment made without a bytecode cache uses the one in
    `folder`."""
    cache = TemplateCache(folder)
    made = jinja2.Environment.__init__

    def with_cache(self, *args, **kwargs):
        made(self, *args, **kwargs)
        if self.bytecode_cache is None:
            self.bytecode_cache = cache

    jinja2.Environment.__init__ = with_cache
