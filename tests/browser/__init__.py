"""Browser checks: the rendered HTML pages opened in headless Chromium (`make test-browser`)."""
