"""The API groups, one module each: models, request bodies, endpoint declarations, methods."""
