"""HTTP layer: thin routers and the error handlers."""
