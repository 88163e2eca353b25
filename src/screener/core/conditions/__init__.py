"""The condition language: syntax tree, type check against the questions, compiled closures."""
