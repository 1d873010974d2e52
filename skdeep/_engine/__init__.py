"""Compiled training programs: the engines, their cache and the one backend switch.

An engine holds one compiled Keras model and optimizer for a
:class:`~skdeep._engine.spec.ModelSpec` and trains a whole epoch per call
(TensorFlow in ``tensorflow``, JAX in ``jax``).  ``cache`` hands engines out
and takes them back; ``backend`` is the only module that chooses between the
backends.  This layer knows nothing above it: an accelerator (the search
cohorts) plugs in through the cache's engine-provider slot.
"""
