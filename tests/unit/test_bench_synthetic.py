"""benchmarks/synthetic.py: renamed copies of real policy graphs, one named graph per copy, bulk-loaded into a
store that equals one built policy by policy with ``Store.add``."""
from __future__ import annotations

import hashlib

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from benchmarks import synthetic
from kg import api
from kg.graph import org_iri, policy_graph, policy_iri
from kg.model import (Contact, ControllerInfo, Document, Evidence, PolicyHeader, PolicyRecord, Practice, PrivacyContact,
                      RecipientMention)
from kg.sources import StoreSource
from kg.store import Store
from kg.vocab import DC, DPV, ID, PPKG, RK

N = 7  # copies of 3 source policies: 3, 2 and 2 copies


def record(name: str, company: str, text: str, recipients: tuple[RecipientMention, ...]) -> PolicyRecord:
    sha = hashlib.sha256(text.encode()).hexdigest()
    doc = Document(path=name, name=name, media_type="text/plain", text=text, sha256=sha, encoding="utf-8")
    ev = Evidence(doc_id=doc.doc_id, sentence_index=0, start=0, end=len(text), text=text, section=(),
                  rule="share.verb.v1")
    contact = Contact(kind="email", value=f"privacy@{name.split('.')[0]}.example", evidence=ev)
    controller = ControllerInfo(legal_name=company, evidence=ev, aliases=(company.split()[0],),
                                contacts=(contact,),
                                privacy_contact=PrivacyContact(role="DPO", is_dpo=True, evidence=ev,
                                                               contacts=(contact,)))
    share = Practice(kind="share", negated=False, evidence=ev, data=(str(DC.EmailAddress),),
                     recipients=recipients)
    return PolicyRecord(document=doc, controller=controller, practices=[share], model="test", date=None,
                        date_evidence=None, warnings=())


@pytest.fixture(scope="module")
def sources() -> dict[URIRef, object]:
    google = RecipientMention(kind=str(RK.Advertiser), name="Google")
    third = RecipientMention(kind=str(RK.ThirdParty))
    records = [record("acme.txt", "Acme Inc.", "We share your e-mail address with Google.", (google, third)),
               record("beta.txt", "Beta LLC", "We share your e-mail address with third parties.", (third,)),
               record("gamma.txt", "Gamma Corp.", "Gamma shares e-mail addresses with Google.", (google,))]
    return {policy_iri(r.document.doc_id): policy_graph(r) for r in records}


@pytest.fixture(scope="module")
def copies(sources):
    """(templates, {graph name: set of (s, p, o) N-Triples strings}) of N copies."""
    tpls = synthetic.templates(sources)
    graphs: dict[str, set] = {}
    for text in synthetic.copies(tpls, N):
        for q in ox.parse(text.encode(), ox.RdfFormat.N_QUADS):
            graphs.setdefault(q.graph_name.value, set()).add((str(q.subject), str(q.predicate), str(q.object)))
    return tpls, graphs


def test_each_copy_is_one_graph_of_its_own_policy(copies):
    tpls, graphs = copies
    assert len(graphs) == N
    hashes, sources_ = set(), set()
    for i in range(N):
        tpl = tpls[i % len(tpls)]
        name = str(synthetic.copy_iri(tpl, i))
        g = graphs[name]
        assert len(g) == tpl.size
        assert [s for s, p, o in g if p == f"<{RDF.type}>" and o == f"<{PPKG.PrivacyPolicy}>"] == [f"<{name}>"]
        [h] = [o for s, p, o in g if p == f"<{PPKG.contentHash}>"]
        [src] = [o for s, p, o in g if p == f"<{PPKG.sourceFile}>"]
        assert name == f"{ID}policy/{h.strip(chr(34))[:16]}"  # the IRI a build gives a document of that hash
        assert src.startswith(f'"{synthetic.tag(i)}-')
        hashes.add(h)
        sources_.add(src)
    assert len(hashes) == len(sources_) == N


def test_renamed_iris_do_not_collide_and_shared_nodes_stay_shared(copies, sources):
    tpls, graphs = copies
    policy_prefix, org_prefix = f"<{ID}policy/", f"<{ID}org/"
    owned: dict[str, set] = {}
    for name, g in graphs.items():
        iris = {t for triple in g for t in triple if t.startswith("<")}
        mine = {t for t in iris if t.startswith(policy_prefix)}
        assert all(t == f"<{name}>" or t.startswith(f"<{name}/") for t in mine)  # only its own policy's nodes
        [controller] = [o for s, p, o in g if p == f"<{DCTERMS.publisher}>"]
        names = {o for s, p, o in g if s == controller and p == f"<{DPV.hasName}>"}
        owned[name] = mine | {t for t in iris if t.startswith(controller[:-1])} | names
        # the named recipient and the recipient kinds are the same nodes as in the sources
        assert iris & {f"<{org_iri('Google')}>", f"<{ID}recipient/ThirdParty>"}
        assert not any(t.startswith(org_prefix) and t.endswith(("/acme-inc>", "/beta-llc>", "/gamma-corp>"))
                       for t in iris)
    names = list(owned)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not owned[a] & owned[b], (a, b)
    google = {s for g in graphs.values() for s, p, o in g if s == f"<{org_iri('Google')}>"}
    assert len(google) == 1


def test_a_copy_is_its_source_with_the_names_changed(copies, sources):
    tpls, graphs = copies
    for i in range(N):
        tpl = tpls[i % len(tpls)]
        source = sources[tpl.source]
        h = synthetic.copy_hash(tpl.content_hash, i)
        controller = str(source.value(tpl.source, DCTERMS.publisher))
        back = {(s, p, o) for s, p, o in graphs[str(synthetic.copy_iri(tpl, i))]}
        text = "\n".join(" ".join(t) for t in sorted(back))
        text = (text.replace(f"{ID}policy/{h[:16]}", str(tpl.source)).replace(h, tpl.content_hash)
                .replace(f"{controller}-{synthetic.tag(i)}", controller).replace(f" {synthetic.tag(i)}\"", "\"")
                .replace(f"\"{synthetic.tag(i)}-", "\""))
        expected = "\n".join(sorted(" ".join(str(ox_term) for ox_term in _ox(t)) for t in source))
        assert text == expected


def _ox(triple):
    from kg.terms import to_ox

    return tuple(to_ox(t) for t in triple)


def test_bulk_loaded_store_equals_one_built_policy_by_policy(tmp_path, copies, sources):
    tpls, graphs = copies
    synthetic.bulk_load(tmp_path / "bulk", tpls, N)
    with Store(tmp_path / "bulk") as bulk, Store(tmp_path / "added") as added:
        for i in range(N):
            tpl = tpls[i % len(tpls)]
            copy = synthetic.copy_graph(tpl, i)
            name = str(copy.value(synthetic.copy_iri(tpl, i), PPKG.sourceFile))
            sha = synthetic.copy_hash(tpl.content_hash, i)
            assert added.add(PolicyHeader(str(policy_iri(sha[:16])), name, sha), copy) == "added"
        assert len(bulk) == N == len(bulk.policy_graph_names())
        assert sorted(bulk.policies()) == sorted(added.policies())
        assert {p for p, _, _ in bulk.policies()} == set(graphs)
        assert set(bulk._store) == set(added._store)  # every quad: policy graphs, ontology graph, bookkeeping
        rows = api.query(StoreSource(bulk), "controllers").rows
        expected = set()
        for i in range(N):  # each copy's controller has its own name: N companies
            tpl = tpls[i % len(tpls)]
            source = sources[tpl.source]
            name = source.value(source.value(tpl.source, DCTERMS.publisher), DPV.hasName)
            expected.add(Literal(f"{name} {synthetic.tag(i)}"))
        assert len(rows) == N and {r[0] for r in rows} == expected
