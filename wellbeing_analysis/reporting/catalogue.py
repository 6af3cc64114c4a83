"""The catalogue of reports: each report's key, notebook, title and class, declared once.

The runner, the command line (``wellbeing report {baseline|pdsa|evaluation|all}``), the index
pages and the tests all derive what they need from :data:`REPORTS`. Each report class
declares its own sections (:class:`Section`: anchor, heading, the method that renders it);
the notebooks call those methods in that order (checked by a fast test), and the contents
list is built from the same declaration.

Notebooks and the nbconvert template are package data, found with :mod:`importlib.resources`,
so an installed wheel renders reports as a source checkout does.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

#: Per-service record of the latest run of each report (read by the index pages).
MANIFEST = "run.json"
#: Index page of a service folder, and of a reports root.
INDEX_NAME = "index.html"
#: Display-metadata key through which a report tells the runner its status.
STATUS_METADATA = "wellbeing_status"
#: Display-metadata key through which a report hands its summary (the Making Data Count
#: table and, for the evaluation, its answer) to the runner, for run.json and the index.
SUMMARY_METADATA = "wellbeing_summary"
#: Package holding the report notebooks (mapped to the repository's ``notebooks/``).
NOTEBOOK_PACKAGE = "wellbeing_analysis.notebooks"
#: Package holding the nbconvert template folder, and the template's name.
TEMPLATE_PACKAGE = "wellbeing_analysis.reporting"
TEMPLATE_FOLDER = "nbconvert_templates"
TEMPLATE_NAME = "nhs_report"


@dataclass(frozen=True)
class Section:
    """One section of a report: its anchor in the page, its heading, and the report method
    (called by one notebook cell) that renders it."""

    anchor: str
    heading: str
    method: str


@dataclass(frozen=True)
class ReportSpec:
    """A report: its key on the command line, notebook file, title and class."""

    key: str
    notebook: str
    title: str
    class_path: str  # 'module:Class'

    def report_class(self) -> type:
        module, name = self.class_path.split(":")
        return getattr(importlib.import_module(module), name)

    def notebook_resource(self) -> Traversable:
        return resources.files(NOTEBOOK_PACKAGE) / self.notebook


REPORTS: dict[str, ReportSpec] = {spec.key: spec for spec in (
    ReportSpec("baseline", "baseline.ipynb", "Baseline report",
               "wellbeing_analysis.reporting.baseline:BaselineReport"),
    ReportSpec("pdsa", "pdsa_cycle.ipynb", "PDSA cycle report",
               "wellbeing_analysis.reporting.pdsa:PDSAReport"),
    ReportSpec("evaluation", "intervention_evaluation.ipynb", "Intervention evaluation",
               "wellbeing_analysis.reporting.evaluation:EvaluationReport"),
)}

#: The order a service's reports start in when several run at once: the longest first
#: (the evaluation's fits and power simulation, then the baseline's charts), so that the
#: shortest fills the gaps and the batch ends sooner.
RUN_ORDER = ("evaluation", "baseline", "pdsa")

#: The network report: several services side by side (``wellbeing report network``).
NETWORK = ReportSpec("network", "network.ipynb", "Services side by side",
                     "wellbeing_analysis.reporting.network:NetworkReport")

#: Front matter every report notebook shows before its sections.
FRONT_MATTER = ("title", "contents")


def template_dir() -> Traversable:
    """The folder holding the nbconvert template (``<folder>/nhs_report``)."""
    return resources.files(TEMPLATE_PACKAGE) / TEMPLATE_FOLDER
