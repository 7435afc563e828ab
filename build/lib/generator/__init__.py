"""Documentation site generator for Splunk security_content detection YAML.

The pipeline is load -> enrich -> render -> write, one module each; the
`cli` and the mkdocs `plugin` are thin front ends over it.
"""

__version__ = "0.1.0"
