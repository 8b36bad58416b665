"""privacy-kg: privacy policies in, a validated, queryable RDF knowledge graph out.

Stages, one module each: ``kg.ingest`` -> ``kg.segment`` -> ``kg.extract`` -> ``kg.normalize`` -> ``kg.graph``
-> ``kg.validate`` / ``kg.query`` / ``kg.export``; ``kg.api`` wires them, ``kg.cli`` is a thin layer over it.
"""
__version__ = "0.1.0"
