"""Django's PostgreSQL backend, with two savings of ours (``base``)."""
