"""nguongoc's domain: the registry of partners, places, codes, products, certificates and lots.

Nothing here imports Flask: the CLI, a job or a notebook use it with a plain SQLAlchemy Session.
"""
