"""Report running: params, papermill execution, nbconvert rendering, atomic output."""
