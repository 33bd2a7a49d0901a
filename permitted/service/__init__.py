"""The HTTP service (`permitted serve`): a pre-send gate a messaging pipeline calls on every message.

app (the FastAPI app factory and its routes), gate (auth, limits and metrics around every
request), policies (the reloadable policy set), decisions (the audit log), problems (errors as
RFC 9457 problem details), metrics, models (the typed request and response shapes of the
OpenAPI document), settings (what `permitted serve` configures).
"""
