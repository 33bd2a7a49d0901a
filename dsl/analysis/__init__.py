"""Analyses of compiled policies for `permitted diff`: the structural diff (`diff`), and the semantic
one — the z3 encoding (`solve`), its finite domains and texts, and witness search (`witness`).
The only place z3 is imported; nothing here is loaded to check a message."""
