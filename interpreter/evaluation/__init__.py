"""Evaluation: a compiled policy lowered to a program; program + facts -> a report with evidence."""
