"""What ingest and answering share: the word rules, the embedding model and the index store."""
