"""JSON-LD that reads as plain JSON: the graph compacted with privacy-kg's published ``@context``.

The context (``ontology/context.jsonld``, shipped in the package) gives every privacy-kg property and the DPV,
Dublin Core and Web Annotation properties the graph uses a short term, makes IRI-valued properties ``@id``-typed
(so a value is a string such as ``"dc:EmailAddress"``, not ``{"@id": ...}``) and numbers and dates typed, aliases
``@id``/``@type`` as ``id``/``type``, and declares the prefixes (``dc:``, ``pur:``, ``kgid:`` ...). It is made from
the ontology by ``python -m kg.jsonld`` (rewrites the file; a test checks it is current), so a new property is a
Turtle edit, not a JSON one. Compacted output parses back to the same graph (tested on the example graph).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.resources import data_dir
from kg.vocab import PREFIXES

BASE_VOCAB = "https://w3id.org/privacy-kg/ns#"
# properties of other vocabularies the graph writes, with the term they get
FOREIGN = {
    "hasPersonalData": ("dpv", "hasPersonalData", "@id"),
    "hasPurpose": ("dpv", "hasPurpose", "@id"),
    "hasRecipient": ("dpv", "hasRecipient", "@id"),
    "hasProcessing": ("dpv", "hasProcessing", "@id"),
    "hasDataController": ("dpv", "hasDataController", "@id"),
    "hasLegalBasis": ("dpv", "hasLegalBasis", "@id"),
    "hasRight": ("dpv", "hasRight", "@id"),
    "hasStorageCondition": ("dpv", "hasStorageCondition", "@id"),
    "hasNecessity": ("dpv", "hasNecessity", "@id"),
    "hasDataSubject": ("dpv", "hasDataSubject", "@id"),
    "hasName": ("dpv", "hasName", None),
    "hasCountry": ("dpv", "hasCountry", "@id"),
    "hasAddress": ("dpv", "hasAddress", None),
    "hasJurisdiction": ("dpv", "hasJurisdiction", "@id"),
    "hasApplicableLaw": ("dpv", "hasApplicableLaw", "@id"),
    "publisher": ("dct", "publisher", "@id"),
    "modified": ("dct", "modified", "xsd:date"),
    "source": ("dct", "source", "@id"),
    "exact": ("oa", "exact", None),
    "start": ("oa", "start", None),  # a JSON number reads back as xsd:integer
    "end": ("oa", "end", None),
    "label": ("rdfs", "label", None),
    "value": ("rdf", "value", None),
    "email": ("schema", "email", None),
    "telephone": ("schema", "telephone", None),
    "url": ("schema", "url", "@id"),
    "wasGeneratedBy": ("prov", "wasGeneratedBy", "@id"),
    "exactMatch": ("skos", "exactMatch", "@id"),
    "closeMatch": ("skos", "closeMatch", "@id"),
    "broadMatch": ("skos", "broadMatch", "@id"),
    "narrowMatch": ("skos", "narrowMatch", "@id"),
}


def context_path() -> Path:
    return data_dir("ontology") / "context.jsonld"


def make_context(ontology: Graph) -> dict:
    """The ``@context`` for the properties ``ontology`` defines (and ``FOREIGN``), with the privacy-kg prefixes."""
    ctx: dict = {"@version": 1.1, "id": "@id", "type": "@type", "@vocab": BASE_VOCAB}
    ctx.update({prefix: str(ns) for prefix, ns in sorted(PREFIXES.items()) if prefix != "ppkg"})
    for term, (prefix, local, kind) in sorted(FOREIGN.items()):
        ctx[term] = {"@id": f"{prefix}:{local}", **({"@type": kind} if kind else {})}
    for prop in sorted(set(ontology.subjects(RDF.type, OWL.ObjectProperty)) |
                       set(ontology.subjects(RDF.type, OWL.DatatypeProperty)), key=str):
        if not isinstance(prop, URIRef) or not str(prop).startswith(BASE_VOCAB):
            continue
        local = str(prop)[len(BASE_VOCAB):]
        if (prop, RDF.type, OWL.ObjectProperty) in ontology:
            ctx[local] = {"@id": f"ppkg:{local}", "@type": "@id"}
        elif (rng := ontology.value(prop, RDFS.range)) in (XSD.date, XSD.decimal):
            ctx[local] = {"@id": f"ppkg:{local}", "@type": f"xsd:{str(rng).rsplit('#', 1)[1]}"}
        # xsd:integer and xsd:boolean need no coercion: JSON numbers and true/false read back as those types
    ctx["ppkg"] = BASE_VOCAB
    return {"@context": ctx}


def load_context(path: str | Path | None = None) -> dict:
    """The published context, or the one in ``path`` (``export --context FILE``)."""
    return json.loads(Path(path or context_path()).read_text(encoding="utf-8"))


def compact(graph: Graph, context: dict | None = None) -> str:
    """``graph`` as compacted JSON-LD (the published context unless another is given)."""
    ctx = (context or load_context())["@context"]
    return graph.serialize(format="json-ld", context=ctx, auto_compact=True, use_native_types=True, indent=1)


def main(argv: list[str] | None = None) -> int:
    from kg.graphio import ontology_graph
    path = context_path()
    path.write_text(json.dumps(make_context(ontology_graph()), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
