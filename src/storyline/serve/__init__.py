"""The web UI and the HTTP API: `create_app(store_url)` and `serve(db, host, port)`."""

from storyline.serve.app import create_app, serve

__all__ = ["create_app", "serve"]
