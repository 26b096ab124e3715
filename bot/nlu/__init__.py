"""Baton's own NLU components: a tokenizer for English, Korean and Chinese, and the detector of
the customer's language. config.yml names them by their import path."""
