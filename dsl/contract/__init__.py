"""What the other layers may import from the rule language: spans, errors, types, syntax and
predicate trees, the compiled model, the declared operators, the facts schema and resources."""
