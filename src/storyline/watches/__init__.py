"""Watchlists and alerts: watches on an entity, a query or an outlet; alerts when a new story matches,
a watched story grows, or a new conflicting fact appears in it; delivered as Atom, webhooks and pages."""
