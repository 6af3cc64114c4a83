"""wellbeing_analysis: staff wellbeing analytics for NHS Talking Therapies services.

Data flows one way: input files -> validated tables (``loading``, ``validation``) ->
monthly indicators (``workforce``) -> analyses (``spc``, ``its``, ``instruments``) ->
report notebooks (``reporting``) -> HTML.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wellbeing-analysis")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"
