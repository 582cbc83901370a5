"""The symbolic half of each topic: SymPy definitions and the checked derivations of the book.

One module per topic, each the twin of the module of the same name in :mod:`xentropy.numeric`:
``neuron`` (one sigmoid neuron and the cross-entropy), ``costs`` (the quadratic cost, L2
regularization and the exercises' identities, on the same neuron), ``softmax`` (a softmax layer
with the log-likelihood) and ``network`` (backpropagation through sigmoid layers). Importing
this package imports none of them: :mod:`xentropy.symbolic.catalog` imports them all and lists
what they registered (:mod:`xentropy.registry`).
"""
