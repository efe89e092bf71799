"""The learned sentence reader: what an agent's sentence does, read by a small encoder and a classifier.

The cue rules of the playbook know the words they were written for; the reader
knows what a sentence means.  ``encoder`` turns sentences into vectors (an int8
MiniLM that installs from the package registry), ``features`` adds what the
call already knows (the customer's turn before), ``classifier`` is a softmax
layer trained on the project's own corpus (``assets/reader/corpus``) plus a
team playbook's example phrasings, and ``acts`` puts them together.
"""
