"""The network report end to end: three synthetic services and one whose data fail
validation, rendered with ``wellbeing report network``; the failed service is listed and the
page renders for the rest, inputs are untouched, nothing of a run is left behind, and a run
that cannot compare (one good service) fails clearly without replacing the last page."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import build_once, demo_params_dict
from scenarios import checksums

from wellbeing_analysis.cli import main
from wellbeing_analysis.constants import DEMO_SERVICES
from wellbeing_analysis.demo import generate_demo
from wellbeing_analysis.demo.publication import PUBLICATION_FILE, generate_publication

pytestmark = pytest.mark.slow


def build(root: Path, shared_demo_data: Path) -> dict:
    data, params = root / "data", root / "params"
    shutil.copytree(shared_demo_data, data / "demo")
    for name in ("riverside", "hillcrest"):
        generate_demo(data / name, seed=DEMO_SERVICES[name])
    shutil.copytree(shared_demo_data, data / "broken")
    spells = pd.read_csv(data / "broken" / "staff_spells.csv", dtype=str, keep_default_na=False)
    spells.loc[3, "fte"] = "lots"
    spells.to_csv(data / "broken" / "staff_spells.csv", index=False)
    (data / "national").mkdir()
    generate_publication().to_csv(data / "national" / PUBLICATION_FILE, index=False)
    files = []
    for name, code in (("demo", "RX1"), ("riverside", "RX2"), ("hillcrest", None),
                       ("broken", None)):
        raw = demo_params_dict(f"../data/{name}", f"../reports/{name}")
        raw["service_name"] = f"{name.capitalize()} service"
        raw["evaluation"]["comparison"]["csv"] = "../data/demo/comparison_sickness_absence.csv"
        raw["organisation"] = {"org_type": "Mental Health and Learning Disability",
                               "publication": f"../data/national/{PUBLICATION_FILE}",
                               **({"org_code": code} if code else {})}
        path = params / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        files.append(str(path))
    before = checksums(data)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["report", "network", *files])
    page = root / "reports" / "network.html"
    first = page.read_bytes()
    # one good service cannot be compared: a clear failure, the last page kept
    out2 = io.StringIO()
    with contextlib.redirect_stdout(out2):
        code2 = main(["report", "network", files[0], files[3]])
    return {"code": code, "stdout": out.getvalue(), "code2": code2,
            "stdout2": out2.getvalue(), "kept": page.read_bytes() == first,
            "inputs_unchanged": before == checksums(data)}


@pytest.fixture(scope="module")
def network(tmp_path_factory, shared_demo_data):
    root, result = build_once(tmp_path_factory, "network-report",
                              lambda root: build(root, shared_demo_data))
    html = (root / "reports" / "network.html").read_text(encoding="utf-8")
    return SimpleNamespace(root=root, html=html, **result)


def test_renders_for_the_good_services_and_lists_the_failed_one(network):
    assert network.code == 1  # one service was left out
    assert "network report of 3 service(s)" in network.stdout
    assert "left out  Broken service" in network.stdout
    html = network.html
    for name in ("Demo service", "Riverside service", "Hillcrest service"):
        assert name in html
    assert "Broken service" in html and "Services left out of this report" in html
    assert "lots" not in html  # the reason names the problem, never a cell value


def test_every_indicator_has_its_section_and_nothing_is_ranked(network):
    import re

    from wellbeing_analysis.reporting.network import NetworkReport

    for s in NetworkReport.SECTIONS:
        assert f'id="{s.anchor}"' in network.html
    body = network.html.split("<body", 1)[1]
    text = re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]*"', "", body)).lower()
    for word in ("league", " best ", " worst ", "top performer", "bottom"):
        assert word not in text
    # each indicator's table lists the services alphabetically, never by value
    rows = re.findall(r"<tr><td>([A-Z][a-z]+ service)</td>", network.html)
    for i in range(0, len(rows) - 2, 3):
        assert rows[i:i + 3] == sorted(rows[i:i + 3])


def test_services_are_placed_among_organisations_of_their_kind(network):
    html = network.html
    assert "Demo Mental Health Trust (synthetic)" in html  # its trust is in the publication
    assert "Hillcrest service (service)" in html            # placed itself, labelled
    assert "additive random-effects model" in html           # the population is adjusted


def test_inputs_untouched_and_nothing_of_the_run_left_behind(network):
    assert network.inputs_unchanged
    assert not list((network.root / "reports").rglob(".staging"))
    assert not list(network.root.rglob("bundle.pkl"))


def test_a_network_of_one_fails_clearly_and_keeps_the_last_page(network):
    assert network.code2 == 1
    assert "needs at least 2 services" in network.stdout2
    assert network.kept
