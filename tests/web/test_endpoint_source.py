"""``privacy-kg serve --endpoint URL``: the app over a real ``oxigraph serve`` (the test extra's ``oxigraph``)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from tests.web.conftest import free_port, store_of, versions_graph


@pytest.fixture
def endpoint(tmp_path):
    """An Oxigraph server on 127.0.0.1 whose store holds the two versions of Acme's policy."""
    exe = shutil.which("oxigraph") or shutil.which("oxigraph", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the `oxigraph` server CLI is not installed (pip install '.[test]')")
    folder = store_of(versions_graph(), tmp_path / "db")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([exe, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("oxigraph serve did not start")
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(30)


def test_the_app_over_a_sparql_server(endpoint):
    from starlette.testclient import TestClient

    from kg.web import create_app
    from kg.sources import open_source
    from kg.web.data import Data

    data = Data(open_source(endpoint=endpoint))
    data.warm(concept_answers=False)
    with TestClient(create_app(data, warm=False), base_url="http://127.0.0.1:8080",
                    headers={"origin": "http://127.0.0.1:8080"}) as client:
        assert "Acme Inc." in client.get("/companies").text
        assert "Shares with" in client.get("/companies/acme").text
        assert "share: email address" in client.get("/companies/acme/diff").text
        answer = client.get("/questions/sharing-with-recipient-kind.csv?kind=advertiser").text.splitlines()
        assert answer[0] == "company,data,recipient,evidence" and answer[1].startswith("Acme Inc.,email address")
        csv = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?p a ppkg:PrivacyPolicy }"},
                         headers={"accept": "text/csv"})
        assert csv.status_code == 200 and csv.text.split() == ["n", "2"]
        page = client.get("/companies/acme").text
        import re

        evidence = re.search(r'href="(/evidence\?[^"]+)"', page).group(1).replace("&amp;", "&")
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', client.get(evidence).text))
        r = client.post("/review", data={**{k: v.replace("&amp;", "&") for k, v in fields.items()},
                                         "verdict": "confirmed"}, follow_redirects=False)
        assert r.status_code == 303
    data.close()
    again = Data(open_source(endpoint=endpoint))  # the review is in the server's corrections graph
    assert [r.verdict for r, _ in again.all_reviews()] == ["confirmed"]
