"""The worked-example notebook (notebooks/explore.ipynb) runs from top to bottom on the
demo service, committed without outputs, each step one visible call to the library."""

from __future__ import annotations

import ast
import json

import nbformat
import pytest

from wellbeing_analysis.reporting import source_checkout
from wellbeing_analysis.reporting.runner import KERNEL_ARGUMENTS

NOTEBOOK = source_checkout() / "notebooks" / "explore.ipynb"


def test_committed_without_outputs_and_every_code_cell_is_short():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            tree = ast.parse(cell.source)
            calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
            assert calls or "parameters" in cell.metadata.get("tags", [])
            assert not any(isinstance(n, (ast.For, ast.While, ast.FunctionDef, ast.ClassDef))
                           for n in ast.walk(tree)), "logic belongs in the library"
    # each code step follows a line of explanation
    assert any(c.source.startswith("its.plot_panels(") for c in nb.cells)
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown" and kinds.count("markdown") >= 5


@pytest.mark.slow
def test_runs_top_to_bottom_on_the_demo(tmp_path, shared_demo_data):
    import papermill as pm

    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters={
        "data_dir": str(shared_demo_data), "extract_date": "2026-09-30",
        "intervention": "2024-04"}, kernel_name="python3", progress_bar=False,
        cwd=str(tmp_path), extra_arguments=KERNEL_ARGUMENTS)
    executed = json.loads(out.read_text())
    errors = [o for c in executed["cells"] for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    assert any("image/png" in o.get("data", {}) for c in executed["cells"]
               for o in c.get("outputs", []))
    # the ITS step shows the three panels: counterfactual, monthly and cumulative effect
    its_cell = next(c for c in executed["cells"] if "plot_panels" in "".join(c["source"]))
    assert any("image/png" in o.get("data", {}) for o in its_cell["outputs"])
