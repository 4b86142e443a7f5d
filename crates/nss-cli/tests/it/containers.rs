//! The Dockerfiles under containers/ built for real: layering and caching.
