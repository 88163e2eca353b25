"""The shapes of one person's files: answers in; summaries, Markdown, JSON, saved records out."""
