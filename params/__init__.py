"""Params files. The demo services' params ship with the package as
``wellbeing_analysis.demo.params`` (``wellbeing demo`` uses them outside a checkout)."""
