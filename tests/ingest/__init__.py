"""Import tests; corpus.py is the realistic-file corpus other tests reuse (``from ingest.corpus import cases``)."""
