"""The committed report notebooks are thin and clean: no outputs or execution counts, one
``parameters`` cell defining ``params_file`` and ``bundle``, then one cell that imports and
constructs the report and one cell per ``report.<method>()`` call (no logic: everything
lives in the library, where it is tested). The calls are exactly the catalogue's front
matter and then the report class's declared sections, in order: sections are declared once
(``Report.SECTIONS``) and the notebooks follow that declaration. (That each section is
rendered is checked on the rendered HTML in test_reports_e2e.)"""

from __future__ import annotations

import ast
import importlib
import inspect

import nbformat
import pytest

from wellbeing_analysis.reporting.base import Report
from wellbeing_analysis.reporting.catalogue import FRONT_MATTER, NETWORK, REPORTS
from wellbeing_analysis.reporting.runner import REMOVE_TAGS, notebook_path

SPECS = {**REPORTS, NETWORK.key: NETWORK}
NOTEBOOKS = {key: notebook_path(spec) for key, spec in SPECS.items()}
#: The class each report's notebook must construct.
CLASSES = {key: spec.class_path.split(":")[1] for key, spec in SPECS.items()}
#: Each notebook's parameters (papermill's), and how the report is constructed from them.
PARAMETERS = {key: ["params_file", "bundle"] for key in REPORTS} | {
    NETWORK.key: ["bundles", "failed", "publication"]}
CONSTRUCT = {key: f"report = {CLASSES[key]}.from_params(params_file, bundle=bundle)"
             for key in REPORTS} | {NETWORK.key: (
                 "report = NetworkReport.from_run(bundles, failed=failed, "
                 "publication=publication)")}


def read(key: str) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS[key], as_version=4)
    nbformat.validate(nb)
    return nb


def code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def test_every_report_has_its_notebook():
    assert set(NOTEBOOKS) == set(CLASSES)
    for path in NOTEBOOKS.values():
        assert path.is_file(), path


@pytest.mark.parametrize("key", list(NOTEBOOKS))
def test_no_outputs_or_execution_counts_committed(key):
    nb = read(key)
    for cell in code_cells(nb):
        assert cell.outputs == [], f"{key}: outputs committed in {cell.source[:40]!r}"
        assert cell.execution_count is None, f"{key}: execution count committed"
    assert "papermill" not in nb.metadata  # not an executed copy
    for cell in nb.cells:
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("key", list(NOTEBOOKS))
def test_exactly_one_parameters_cell_defining_params_file_and_bundle(key):
    nb = read(key)
    tagged = [c for c in nb.cells if "parameters" in tags(c)]
    assert len(tagged) == 1, f"{key}: {len(tagged)} cells tagged 'parameters'"
    cell = tagged[0]
    assert cell.cell_type == "code"
    assert code_cells(nb)[0] is cell  # before any other code
    body = ast.parse(cell.source).body
    names = [t.target.id if isinstance(t, ast.AnnAssign) else t.targets[0].id for t in body]
    assert names == PARAMETERS[key]
    if key in REPORTS:
        value = ast.literal_eval(body[0].value)
        assert isinstance(value, str) and value.endswith(".yaml")
        assert ast.literal_eval(body[1].value) is None  # only a report run sets the bundle


def notebook_plan(key: str) -> tuple[type, list[str]]:
    """Check the notebook's shape; return its report class and the methods it calls, in
    order. Cells after the parameters cell may only: import a report class from
    ``wellbeing_analysis.reporting`` and construct it as ``report = Cls.from_params(
    params_file)`` (one cell), then call ``report.<method>()`` with no arguments (one call
    per cell, its value displayed)."""
    nb = read(key)
    cells = [c for c in code_cells(nb) if "parameters" not in tags(c)]
    construct, *calls = cells
    body = ast.parse(construct.source).body
    assert len(body) == 2, f"{key}: the first cell must import and construct, nothing else"
    imp, assign = body
    assert isinstance(imp, ast.ImportFrom) and imp.module.startswith(
        "wellbeing_analysis.reporting."), f"{key}: {ast.unparse(imp)}"
    assert [a.name for a in imp.names] == [CLASSES[key]] and imp.names[0].asname is None
    assert ast.unparse(assign) == CONSTRUCT[key]
    cls = getattr(importlib.import_module(imp.module), CLASSES[key])
    assert issubclass(cls, Report) or key == NETWORK.key

    methods = []
    for cell in calls:
        body = ast.parse(cell.source).body
        assert len(body) == 1, f"{key}: more than one statement in {cell.source!r}"
        expr = body[0]
        ok = (isinstance(expr, ast.Expr) and isinstance(expr.value, ast.Call)
              and isinstance(expr.value.func, ast.Attribute)
              and isinstance(expr.value.func.value, ast.Name)
              and expr.value.func.value.id == "report"
              and not expr.value.args and not expr.value.keywords)
        assert ok, f"{key}: not a single report.<method>() call: {cell.source!r}"
        methods.append(expr.value.func.attr)
    return cls, methods


@pytest.mark.parametrize("key", list(NOTEBOOKS))
def test_notebook_is_thin(key):
    notebook_plan(key)


@pytest.mark.parametrize("key", list(NOTEBOOKS))
def test_every_called_method_exists_on_the_report_class(key):
    cls, methods = notebook_plan(key)
    for name in methods:
        member = inspect.getattr_static(cls, name, None)
        assert callable(member), f"{key}: {cls.__name__}.{name} does not exist"
        params = [p for p in inspect.signature(getattr(cls, name)).parameters.values()
                  if p.name != "self"]
        assert all(p.default is not p.empty for p in params), (
            f"{key}: {cls.__name__}.{name} needs arguments")
    assert len(methods) == len(set(methods)), f"{key}: a section is shown twice"


@pytest.mark.parametrize("key", list(NOTEBOOKS))
def test_notebook_calls_follow_the_declared_sections_in_order(key):
    cls, methods = notebook_plan(key)
    assert cls is SPECS[key].report_class()
    assert methods == [*FRONT_MATTER, *(s.method for s in cls.SECTIONS)]
    assert cls.SECTIONS[-1].anchor == "provenance"


@pytest.mark.parametrize("key", list(NOTEBOOKS))
def test_section_anchors_are_unique(key):
    anchors = [s.anchor for s in SPECS[key].report_class().SECTIONS]
    assert len(anchors) == len(set(anchors))


@pytest.mark.parametrize("key", list(NOTEBOOKS))
def test_markdown_cells_are_notes_left_out_of_reports(key):
    """Markdown in the notebooks is for analysts in JupyterLab; the report's text comes
    from the library (escaped, plain English), so markdown cells carry the remove tag."""
    for cell in read(key).cells:
        if cell.cell_type == "markdown":
            assert "remove_cell" in tags(cell) and "remove_cell" in REMOVE_TAGS, f"{key}: untagged markdown {cell.source[:40]!r}"
        assert cell.cell_type != "raw", f"{key}: raw cells would reach the HTML"
