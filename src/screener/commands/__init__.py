"""One module or subpackage per command. Commands never import each other."""
