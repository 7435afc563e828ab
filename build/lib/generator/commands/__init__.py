"""One function per command-line command."""
