"""The rule language: policy text -> compiled policy (typed, simplified predicate trees).

    contract/   what the other layers may import: spans, errors, types, trees, the compiled model,
                declared operators, the facts schema, where bundled files live
    stages/     one module per compile stage, in the order of `dsl.compiler.STAGES`
    compiler    the stage table, `compile_file`, `compile_text`
    registry    which policy file is in force for a marketplace on a date
    format/     the canonical text of a condition, and `permitted fmt`
    analysis/   structural diff, the z3 encoding and witness search (the only place z3 is imported)

Nothing is imported here, so that importing a contract module loads neither lark nor the compiler.
"""
