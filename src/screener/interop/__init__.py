"""Pure translations to and from other systems' formats (REDCap)."""
