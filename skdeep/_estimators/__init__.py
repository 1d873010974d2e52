"""The scikit-learn face of every network: the fit template and the estimator families.

``base`` holds :class:`~skdeep._estimators.base.BaseNeuralEstimator`, the one
fit / partial_fit / predict template; ``heads`` the classification and
regression target sides; one module per family (``mlp``, ``cnn``, ``rnn``,
``charrnn``, ``tabular``, ``keras``).  The estimators drive the epoch loop of
:mod:`skdeep._training` over an engine of :mod:`skdeep._engine`; nothing here
knows the search accelerator (:mod:`skdeep._cohort`), which plugs in from
above through the :data:`~skdeep._estimators.base.FIT_CACHE` slot.
"""
