"""Stores named in endpoints.yml: the SQL tracker store with its cache, the one that masks
personal data before it is stored, and the atomic Redis lock store for several servers."""
