"""The numeric half of each topic: NumPy costs and gradients under the numeric contract.

One module per model, each the twin of the module of the same name in :mod:`xentropy.symbolic`:
``neuron`` (one sigmoid neuron, the book's main object), ``softmax`` (a softmax layer with the
log-likelihood) and ``network`` (one hidden layer, backpropagation). What they share lives
beside them: ``validation`` (the checks of their arguments and the messages they raise) and
``binary`` (the binary cross-entropy of a logit and its residual, in forms that lose nothing,
used by the neuron and by every output of the network). Nothing here imports SymPy.
"""
