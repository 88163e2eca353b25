"""`screener redcap`: REDCap projects built from the rule file."""
