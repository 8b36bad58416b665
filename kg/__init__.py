"""privacy-kg: privacy policies in, a validated, queryable RDF knowledge graph out.

Stages, one module each: ``kg.ingest`` -> ``kg.segment`` -> ``kg.extract`` -> ``kg.normalize`` -> ``kg.graph``
-> ``kg.shacl`` / ``kg.sparql`` / ``kg.exporters``; ``kg.api`` wires them, ``kg.cli`` is a thin layer over it.
"""
__version__ = "0.1.0"
