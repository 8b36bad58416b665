"""benchmarks/controllers.py on a tiny corpus in the dev sets' layout (texts written for this test)."""
from __future__ import annotations

import json

import pytest

from benchmarks import controllers


@pytest.mark.parametrize("name, site, expected", [
    ("The New York Times Company", "nytimes.com", True),
    ("Barnes & Noble, Inc.", "barnesandnoble.com", True),
    ("Sci-News.com", "sci-news.com", True),
    ("Smithsonian Institution", "si.edu", True),
    ("Cheetah Mobile", "CheetahMobileCleanMaster", True),
    ("Allrecipes", "com.allrecipes.spinner.free", True),
    ("Tribune Company", "wnep.com", False),
    ("Google Inc.", "com.chatroullete.alternative", False),
    (None, "acme.com", False),
])
def test_agrees(name, site, expected):
    assert controllers.agrees(name, site) is expected


def test_runs_over_both_layouts(tmp_path, capsys):
    opp = tmp_path / "opp" / "policies"
    opp.mkdir(parents=True)
    (opp / "1_zorvane.com.txt").write_text('Zorvane Ltd. ("we", "us") runs this site.\n\nWe collect e-mails.\n')
    (opp / "2_quelbeck.org.txt").write_text("We collect e-mails and keep them for a year.\n")
    (opp / "3_tarn.net.txt").write_text("© 2020 Halden Media. All rights reserved.\n\nWe collect e-mails.\n")
    app = tmp_path / "app"
    (app / "policies").mkdir(parents=True)
    (app / "policies" / "7.txt").write_text("Welcome to Brisket Blaster! We collect your device ID.\n")
    (app / "gold.json").write_text(json.dumps({"policies": {"7": {"name": "com.grillco.brisketblaster"}}}))
    opp_totals = controllers.run("opp115", opp.parent, only_disagreements=False)
    app_totals = controllers.run("app350", app, only_disagreements=False)
    assert opp_totals == {"policies": 3, "found": 2, "agree": 1, "disagree": 1, "none": 1}
    assert app_totals == {"policies": 1, "found": 1, "agree": 1, "disagree": 0, "none": 0}
    out = capsys.readouterr().out
    assert "DISAGREE 3_tarn.net" in out and "found='Halden Media' controller.copyright.v2" in out
