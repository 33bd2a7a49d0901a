"""The compile stages, one module each, in the order of `dsl.compiler.STAGES`:
load -> shape -> extends (vocab: `add:`/`remove:`) -> parse -> check (resolve names, check
types) -> simplify -> usage (vocabulary nothing reads)."""
