"""``privacy-kg serve``: a local web app over the graph (Starlette, uvicorn, Jinja2).

``kg.web.data`` is the app's one door to the graph (graph file, store folder or SPARQL server); ``kg.web.app`` the
pages; ``kg.web.sparql`` the read-only SPARQL 1.1 Protocol endpoint. Templates are in ``kg/templates`` (shared with
``privacy-kg report``).
"""
from kg.web.app import create_app

__all__ = ["create_app"]
