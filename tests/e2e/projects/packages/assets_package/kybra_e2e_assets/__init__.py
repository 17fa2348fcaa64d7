"""Templates for jinja2's PackageLoader, read from this package's folder."""
