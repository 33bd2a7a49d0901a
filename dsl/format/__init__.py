"""Canonical text: of a condition (`condition`), and of a whole policy file's conditions (`rewrite`)."""
