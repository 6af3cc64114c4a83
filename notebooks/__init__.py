"""The report notebooks (and the worked example), shipped with the package as
``wellbeing_analysis.notebooks`` so that an installed wheel renders reports."""
