"""The scenario corpus: small, short, messy services run end to end as an analyst would.

Each service gives either reports with nothing false in them or a clear refusal that names
the params key or the file; no command changes a byte of its inputs; and one bad service
never stops the batch (all services run in one ``wellbeing report all`` with two workers).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import build_once
from scenarios import aggregate_service, checksums, scenario_params, small_service

from wellbeing_analysis.cli import main
from wellbeing_analysis.data_templates import write_templates
from wellbeing_analysis.reporting.catalogue import REPORTS

pytestmark = pytest.mark.slow

EXTRACT = "2026-06-30"


@contextmanager
def read_only(folder: Path):
    """Make ``folder`` unwritable even for root (chattr +i), else by permissions; skip the
    test when the machine allows neither."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
        if not done:
            pytest.skip("cannot make a folder read-only for root here (no chattr)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def build_corpus(root: Path) -> dict:
    """Every scenario's data and params; the batch run; inputs' checksums before and after."""
    data = root / "data"
    out = root / "reports"
    params = root / "params"
    s = {}

    def service(name, **kw):
        return small_service(data / name, extract=EXTRACT, **kw)

    # 1. the demo's params copied, only name, folders and extract date changed
    s["copied"] = scenario_params(params / "copied.yaml", name="Copied params service",
                                  data_dir=service("copied"), output_dir=out / "copied",
                                  extract=EXTRACT)
    # 2. the same service with params fitted to it (CSV) and 3. as Excel workbooks
    s["small"] = scenario_params(params / "small.yaml", name="Small service",
                                 data_dir=service("small"), output_dir=out / "small",
                                 extract=EXTRACT, edited=True, data_start="2025-01")
    s["excel"] = scenario_params(params / "excel.yaml", name="Excel service",
                                 data_dir=service("excel", excel=True), output_dir=out / "excel",
                                 extract=EXTRACT, edited=True, data_start="2025-01")
    # 4. a template folder with only the HR files replaced
    tpl = data / "templates"
    write_templates(tpl)
    hr = service("hr_source")
    for name in ("staff_spells", "absence_episodes"):
        shutil.copy(hr / f"{name}.csv", tpl / f"{name}.csv")
    s["templates"] = scenario_params(params / "templates.yaml", name="Template service",
                                     data_dir=tpl, output_dir=out / "templates",
                                     extract=EXTRACT, edited=True, data_start="2025-01")
    # 5. nobody off sick at all
    s["no_sickness"] = scenario_params(params / "no_sickness.yaml", name="No sickness",
                                       data_dir=service("no_sickness", sickness=False),
                                       output_dir=out / "no_sickness", extract=EXTRACT,
                                       edited=True, data_start="2025-01")
    # 6. a change three months in
    s["early_change"] = scenario_params(params / "early_change.yaml", name="Early change",
                                        data_dir=service("early_change", intervention_month=3),
                                        output_dir=out / "early_change", extract=EXTRACT,
                                        edited=True, data_start="2025-01")
    # 7. an extract date in the future
    s["future"] = scenario_params(params / "future.yaml", name="Future extract",
                                  data_dir=service("future"), output_dir=out / "future",
                                  extract="2099-01-31", edited=True)
    # 8. output_dir is a file; 9. output folder holds someone else's files
    (out / "afile").parent.mkdir(parents=True, exist_ok=True)
    (out / "afile").write_text("not a folder\n")
    s["file_output"] = scenario_params(params / "file_output.yaml", name="File output",
                                       data_dir=service("file_output"), output_dir=out / "afile",
                                       extract=EXTRACT, edited=True, data_start="2025-01")
    (out / "intranet").mkdir(parents=True, exist_ok=True)
    (out / "intranet" / "index.html").write_text("<p>our intranet page</p>\n")
    s["foreign_output"] = scenario_params(params / "foreign.yaml", name="Foreign output",
                                          data_dir=service("foreign"),
                                          output_dir=out / "intranet", extract=EXTRACT,
                                          edited=True, data_start="2025-01")
    # 10. only the trust's monthly figures (the aggregate tier), without a team column
    s["aggregate"] = scenario_params(
        params / "aggregate.yaml", name="Monthly figures service",
        data_dir=aggregate_service(data / "aggregate", months=24, extract=EXTRACT,
                                   teams=False, optional=False, intervention_month=13),
        output_dir=out / "aggregate", extract=EXTRACT, edited=True)
    # 11. a typo in data_dir
    s["typo"] = scenario_params(params / "typo.yaml", name="Typo service",
                                data_dir=data / "smal", output_dir=out / "typo",
                                extract=EXTRACT, edited=True)

    before = checksums(data) | {f"params/{p.name}": checksums(params)[p.name]
                                for p in params.iterdir()}
    files = [str(p) for p in s.values()]
    import contextlib
    import io

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        # the default, as an analyst runs it: two reports at once on two cores, each in a
        # kernel started ahead (--jobs 1 is run in tests/test_report_runner.py)
        code = main(["report", "all", *files, "--no-progress"])
    after = checksums(data) | {f"params/{p.name}": checksums(params)[p.name]
                               for p in params.iterdir()}
    return {"params": {k: str(v) for k, v in s.items()}, "code": code,
            "stdout": stdout.getvalue(), "stderr": stderr.getvalue(),
            "inputs_unchanged": before == after, "out": str(out), "data": str(data)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root, result = build_once(tmp_path_factory, "scenario-corpus", build_corpus)
    return SimpleNamespace(root=root, **result)


def record(corpus, name: str) -> dict:
    path = Path(corpus.out) / name / "run.json"
    return json.loads(path.read_text()) if path.exists() else {}


def failed_block(corpus, params_key: str) -> str:
    """The summary lines of one failed service."""
    lines = corpus.stdout.splitlines()
    path = corpus.params[params_key]
    start = next(i for i, line in enumerate(lines) if "FAILED" in line and path in line)
    block = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith("          "):
            break
        block.append(line)
    return "\n".join(block)


def test_no_input_file_changed_and_no_traceback(corpus):
    assert corpus.inputs_unchanged
    assert "Traceback" not in corpus.stdout + corpus.stderr
    assert "unexpected error" not in corpus.stdout


def test_the_batch_went_on_and_exits_1(corpus):
    assert corpus.code == 1
    assert "ok      Small service: baseline" in corpus.stdout
    assert "ok      Excel service: baseline" in corpus.stdout


def test_copied_demo_params_are_refused_naming_each_key(corpus):
    text = failed_block(corpus, "copied")
    for key in ("'data_start' is needed", "'baseline.start'", "'baseline.end'",
                "'evaluation.comparison.csv'", "'pdsa.cycle'"):
        assert key in text, text


def test_future_extract_date_is_refused(corpus):
    text = failed_block(corpus, "future")
    assert "extract_date" in text and "after today" in text
    assert not (Path(corpus.out) / "future").exists()


def test_typo_in_data_dir_is_refused_and_nothing_is_created(corpus):
    text = failed_block(corpus, "typo")
    assert "key 'data_dir'" in text and "not found" in text
    assert not (Path(corpus.data) / "smal").exists()
    assert not (Path(corpus.out) / "typo").exists()


def test_output_folder_that_is_a_file_or_holds_foreign_files_is_refused(corpus):
    assert "is a file, not a folder" in failed_block(corpus, "file_output")
    assert (Path(corpus.out) / "afile").read_text() == "not a folder\n"
    text = failed_block(corpus, "foreign_output")
    assert "already holds files this tool did not write" in text and "index.html" in text
    assert (Path(corpus.out) / "intranet" / "index.html").read_text() == (
        "<p>our intranet page</p>\n")


def test_template_examples_never_reach_a_report(corpus):
    html = (Path(corpus.out) / "templates" / "baseline.html").read_text(encoding="utf-8")
    for example in ("Flexible rostering", "marble", "North Step 2", "Protected reflective"):
        assert example not in html
    # its PDSA and evaluation reports are refused: the template tables are empty
    entries = record(corpus, "templates")["reports"]
    assert entries["baseline"]["ok"] is True
    assert entries["pdsa"]["ok"] is False and "pdsa_cycles" in entries["pdsa"]["error"]
    assert entries["evaluation"]["ok"] is False and "INT1" in entries["evaluation"]["error"]


def test_excel_and_csv_services_render_every_report_or_say_why(corpus):
    for name in ("small", "excel"):
        entries = record(corpus, name)["reports"]
        assert entries["baseline"]["ok"] and entries["pdsa"]["ok"]
        for key, entry in entries.items():
            assert entry["ok"] or entry["error"], (name, key)


def test_a_service_with_nobody_off_sick_renders_its_baseline(corpus):
    entries = record(corpus, "no_sickness")["reports"]
    assert entries["baseline"]["ok"], entries["baseline"]["error"]
    html = (Path(corpus.out) / "no_sickness" / "baseline.html").read_text(encoding="utf-8")
    assert "no sickness absence is recorded" in html


def test_a_service_with_only_monthly_figures_renders_every_report(corpus):
    entries = record(corpus, "aggregate")["reports"]
    for key, entry in entries.items():
        assert entry["ok"], (key, entry["error"])
        assert "aggregate data tier" in entry["status"]
    html = (Path(corpus.out) / "aggregate" / "baseline.html").read_text(encoding="utf-8")
    assert "Figures by team: not shown, because it needs a team column" in html
    assert "ok      Monthly figures service: baseline" in corpus.stdout


def test_staging_is_gone_and_run_records_match_the_disk(corpus):
    out = Path(corpus.out)
    assert not list(out.rglob(".staging"))
    for folder in out.iterdir():
        if not (folder / "run.json").exists():
            continue
        for key, entry in record(corpus, folder.name)["reports"].items():
            for path in entry.get("files", {}).values():
                assert (folder / path).exists(), (folder.name, key, path)
            assert (folder / f"{key}.html").exists() == ("html" in entry.get("files", {}))


def test_read_only_output_folder_is_one_failure_not_a_crash(tmp_path, shared_demo_data,
                                                            make_demo_params, capsys):
    locked = tmp_path / "reports" / "locked"
    good = make_demo_params(tmp_path / "good.yaml", shared_demo_data, tmp_path / "reports" / "ok")
    bad = make_demo_params(tmp_path / "bad.yaml", shared_demo_data, locked)
    with read_only(locked):
        code = main(["report", "pdsa", str(bad), str(good), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1
    assert "cannot write into" in out and "ok " in out
    assert (tmp_path / "reports" / "ok" / "pdsa.html").exists()


def test_templates_and_demo_data_refuse_a_filled_folder(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "interventions.csv").write_text("my data\n")
    before = checksums(folder)
    assert main(["templates", str(folder)]) == 1
    assert main(["demo-data", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "is not empty" in err and "--force" in err
    assert checksums(folder) == before
    # with --force the replaced files are named, never silently
    assert main(["templates", str(folder), "--force"]) == 0
    assert f"replacing {folder / 'interventions.csv'}" in capsys.readouterr().out


def test_metrics_refuses_to_write_into_the_data_folder(tmp_path, shared_demo_data, capsys):
    data = tmp_path / "data"
    shutil.copytree(shared_demo_data, data)
    before = checksums(data)
    assert main(["metrics", str(data), "--out", str(data / "monthly.csv")]) == 1
    assert "inside the data folder" in capsys.readouterr().err
    assert checksums(data) == before


def test_report_notebooks_are_listed_in_the_catalogue(corpus):
    # every report of a rendered service has its executed notebook kept beside it
    folder = Path(corpus.out) / "small"
    for spec in REPORTS.values():
        if (folder / f"{spec.key}.html").exists():
            assert (folder / "_notebooks" / spec.notebook).exists()
