"""The browsable site: published pages at their published URLs, plus the indexes mkdocs serves.

`layout` turns the site model into mkdocs documents (pure, no mkdocs import),
`markdown` makes Python-Markdown read the published (kramdown) Markdown the
way the published site showed it, `plugin` wires both into mkdocs.
"""
