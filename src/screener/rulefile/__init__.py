"""Rule files and cases files: YAML text to a RuleSet or a suite, with FILE:LINE:COL problems."""
