"""Normalisation: an envelope -> the facts the rules see (policies/facts.schema.json)."""
