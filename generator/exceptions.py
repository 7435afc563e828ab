"""The one exception hierarchy of the generator.

Problems in the *content* are reported as `Issue`s, never raised. Exceptions
are for problems that stop a whole run (an unreadable ATT&CK bundle, an output
directory that cannot be used) and carry a message fit to show a user.
"""


class GeneratorError(Exception):
    """A problem that prevents the run from producing any output."""


class ConfigurationError(GeneratorError):
    """A command-line or mkdocs setting is missing or points nowhere."""


class UnsafePathError(GeneratorError):
    """A page path would leave the output directory."""


class OutputError(GeneratorError):
    """The output directory cannot be used: a file is at its name, or it cannot be made."""


class RebuildSuperseded(GeneratorError):
    """`mkdocs serve`: a newer change came in while a rebuild that had shown the edited page went on; the rest of
    it is left to the next rebuild (site/early.py). Not a problem: nothing is reported."""
