"""SPL, Splunk's search language, for Pygments: commands, functions, fields, strings, macros, comments.

No maintained Pygments lexer for SPL exists on PyPI, so this is the project's
own. It colours what a reader scans for in a detection's search: the command
after each pipe, function calls, field comparisons, quoted strings, macro
calls (`name(args)`), `$tokens$`, keywords and SPL comments (```...```).
Anything it does not know is plain text, so no search is shown wrongly.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups
from pygments.token import Comment, Keyword, Name, String, Text

_KEYWORDS = ("by", "as", "over", "where", "and", "or", "not", "in", "output", "outputnew", "from", "datamodel",
             "nodename", "groupby", "span", "limit", "like")


class SplLexer(RegexLexer):
    name = "SPL"
    aliases = ["spl", "splunk"]
    filenames: list[str] = []
    flags = 0

    tokens = {
        "root": [
            (r"```.*?```", Comment.Multiline),
            (r"`[^`\s]+`", Comment.Preproc),  # a macro call
            (r'"(?:\\.|[^"\\])*"', String.Double),
            (r"(\|\s*)([A-Za-z_][\w]*)", bygroups(Text, Keyword)),  # the command after a pipe
            (r"\[", Text, "subsearch"),
            (r"\$[\w.]+\$", Name.Variable),  # a $token$
            (r"(?i)\b(?:" + "|".join(_KEYWORDS) + r")\b", Keyword.Reserved),
            (r"([A-Za-z_][\w]*)(\()", bygroups(Name.Function, Text)),
            (r"([A-Za-z_][\w.{}*:-]*)(\s*(?:!=|==|<=|>=|=|<|>))", bygroups(Name.Attribute, Text)),
            # The rest is plain text: no span for spaces, punctuation or numbers (the pages stay small).
            (r"[^|\[`\"$A-Za-z_]+", Text),
            (r"[A-Za-z_][\w.]*", Text),
            (r".", Text),
        ],
        "subsearch": [
            (r"(\s*)([A-Za-z_][\w]*)", bygroups(Text, Keyword), "#pop"),  # a subsearch starts with a command
            (r"", Text, "#pop"),
        ],
    }
