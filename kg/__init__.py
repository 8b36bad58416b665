"""privacy-kg: privacy policies in, a validated, queryable RDF knowledge graph out.

The library is ``kg.api``; what a user needs is importable from here::

    from kg import build, open_source, query, validate, diff

Stages, one module each: ``kg.ingest`` -> ``kg.segment`` -> ``kg.extract`` -> ``kg.normalize`` -> ``kg.graph``
(``kg.pipeline`` runs them per file); then ``kg.shacl`` (validate), ``kg.sparql`` (query), ``kg.exporters``,
``kg.sharing`` (network), ``kg.html_report``, ``kg.history`` and ``kg.compare`` (versions, diff) over a
``kg.sources.Source``; ``kg.view`` reads policies back out of a graph. ``kg.cli`` is a thin layer over ``kg.api``.
"""
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["BuildSummary", "KgError", "PolicyDiff", "QueryResult", "Source", "Validation", "__version__", "build",
           "diff", "export", "list_queries", "network", "open_source", "open_store", "open_target", "plan", "query",
           "remove", "report", "validate", "versions"]

if TYPE_CHECKING:
    from kg.api import (BuildSummary, KgError, PolicyDiff, QueryResult, Source, Validation, build, diff, export,
                        list_queries, network, open_source, open_store, open_target, plan, query, remove, report,
                        validate, versions)


def __getattr__(name: str) -> Any:
    """The API's names, imported from ``kg.api`` when first asked for: importing one stage (``kg.graph``, as a
    build's worker processes do) does not load the whole library."""
    if name in __all__:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
