"""The allocation engine: load a bundle, build and solve the model, read the result."""

from .bundle import load_bundle, parse_tables, read_tables, to_tables, write_bundle
from .schema import BundleError, Issue, Problem, Result, Settings
from .solve import solve

__all__ = [
    "BundleError",
    "Issue",
    "Problem",
    "Result",
    "Settings",
    "load_bundle",
    "parse_tables",
    "read_tables",
    "solve",
    "to_tables",
    "write_bundle",
]
