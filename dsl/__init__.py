"""The rule language: policy text -> compiled policy (typed, simplified predicate trees)."""
from .compiler import compile_file, compile_policy, compile_text
from .errors import Diagnostic, InputError, PolicyError, Problem, UsageError
from .model import Policy, Rule

__all__ = ["compile_file", "compile_policy", "compile_text", "Diagnostic", "InputError", "PolicyError",
           "Problem", "UsageError", "Policy", "Rule"]
