"""Renderings of results: terminal, JSON, SARIF, HTML, diff and coverage. Nothing here prints."""
