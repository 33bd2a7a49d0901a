"""The compile stages, one module each, in the order of `dsl.compiler.STAGES`:
load -> shape -> extends -> parse -> check (resolve names, check types) -> simplify."""
