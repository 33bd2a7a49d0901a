"""py3langid's classifier, with its walk over the bytes of a text done by numpy.

Stage: the language model of interpreter.facts.language; imported with the model (it needs numpy
and py3langid, which a policy that reads no language never loads). Input: py3langid's model
arrays. Output: `WindowedIdentifier`, a `LanguageIdentifier` giving the same answers, score for
score. Errors: none of its own.

py3langid finds the byte n-grams of a text with a finite automaton walked one byte at a time in
Python, about a quarter of a microsecond a byte: a millisecond for a message, half the cost of
telling its language. The automaton forgets: after any `window` bytes (6 for py3langid 0.4's
model) its state is the same whatever state it started from, so the state at each byte is the
state reached from the start state by reading the `window` bytes ending there (or all the bytes
so far, near the start). Those `window` steps are taken for every byte of the text at once, as
array lookups; the features found are counted in the order py3langid counts them, so its
scoring sums the same numbers in the same order. Whether a model forgets, and after how many
bytes, is worked out once from the automaton (`forgetting_window`) and kept with the unpacked
model; a model that does not forget is walked by py3langid itself.
"""
from __future__ import annotations

import numpy as np
from py3langid.langid import LanguageIdentifier

from dsl.contract.reference import REFERENCE

# Longer windows are not looked for: the walk's cost grows with the window.
_MAX_WINDOW = 12


def forgetting_window(nextmove, row) -> int | None:
    """The fewest bytes after which the automaton's state no longer depends on where it started,
    or None when that takes more than _MAX_WINDOW bytes.

    States are grouped by what they become after k more bytes, whatever those bytes are: two
    states are in one group after k+1 bytes when every byte takes them into one group after k
    bytes. States sharing a row of moves (py3langid stores each distinct row once) already agree
    after one byte. The window is the first k with a single group. A row's groups are compared by
    two 64-bit hashes of its 256 successors' groups (a false merge needs a 128-bit collision)."""
    moves = np.frombuffer(nextmove, dtype=nextmove.typecode).reshape(-1, 256)
    row = np.frombuffer(row, dtype=row.typecode)
    keys = np.random.default_rng(0).integers(0, 2**63, size=(256, 2), dtype=np.int64)
    group = row.astype(np.int64)
    for k in range(1, _MAX_WINDOW + 1):
        if group.min() == group.max():
            return k
        _, per_row = np.unique(group[moves] @ keys, axis=0, return_inverse=True)
        group = per_row.ravel()[row]
    return None


class WindowedIdentifier(LanguageIdentifier):
    """A LanguageIdentifier that counts features with `window` array steps instead of a byte loop.
    `window` None (a model that does not forget), or the reference mode: py3langid's own walk."""
    __slots__ = ("_feature", "_moves", "_row_start", "window")

    def __init__(self, *args, window: int | None = None, tk_row, **kwargs):
        # py3langid's own walk needs its rows as a list of shifted numbers, which took 18 ms of
        # every cold start to build: made only for a model walked that way (window None). A
        # windowed walk that finds no feature asks py3langid's scoring about no bytes at all.
        super().__init__(*args, tk_row=tk_row if window is None else (), **kwargs)
        self.tk_row, self.window = tk_row, window
        # an array.array as py3langid loads it, or a numpy array mapped from the kept model
        self._moves = np.asarray(memoryview(self.tk_nextmove))
        self._row_start = np.asarray(self.tk_row, dtype=np.intp) << 8
        self._feature = np.asarray(self.tk_output, dtype=np.intp)
        # py3langid keeps two lists of a hundred thousand numbers, walked by the cycle collector
        # at every full collection; as tuples of numbers the collector drops them from its walk.
        # The windowed walk reads only the arrays above.
        if window is None:
            self.tk_output, self._rowbase = tuple(self.tk_output), tuple(self._rowbase)
        else:
            self.tk_output = ()

    def _raw_score(self, text):
        visits = self._visits(text) if self.window is not None and not REFERENCE else None
        if visits is None:           # no feature at all (or no window): py3langid's own answer
            return super()._raw_score(text if self.window is None or REFERENCE else b"")
        features, counts = visits
        # py3langid's _sparse_score on the same terms in the same order; the table as a plain
        # array, since indexing the memory-mapped one goes through numpy's Python-level memmap
        return np.log1p(counts.astype(np.float32)) @ np.asarray(self.nb_ptc)[features] + self.nb_pc

    def _visits(self, text: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """The features met and how often, as py3langid's visit_counts gives them (in the order
        first met), or None when there is none."""
        data = np.frombuffer(text, dtype=np.uint8)
        size = len(data)
        states = np.zeros(size, dtype=np.intp)
        for back in range(min(self.window, size) - 1, -1, -1):
            # every position at least `back` bytes in reads the byte `back` before it
            states[back:] = self._moves[self._row_start[states[back:]] + data[:size - back]]
        found = self._feature[states]
        found = found[found >= 0]
        n = len(found)
        if not n:
            return None
        # In the order first met, as py3langid's Counter lists them, so its float32 sums add the
        # same terms in the same order (counted by numpy: a Counter took longer than the walk).
        # One sort of (feature, place) keys gives each feature's run, its count and the place it
        # was first met: np.unique with return_index took half the walk's time again for the same.
        shift = n.bit_length()
        keys = (found << shift) | np.arange(n)
        keys.sort()
        met = keys >> shift
        starts = np.flatnonzero(np.diff(met, prepend=-1))     # where each feature's run starts
        order = np.argsort(keys[starts] & ((1 << shift) - 1))
        return met[starts][order], np.diff(starts, append=n)[order]
