"""The one fit / partial_fit / predict path shared by every skdeep estimator.

Subclasses provide a few small hooks:

* ``_model_spec(input_shape, n_outputs, dtype)`` -- which Keras model to build
  (a :class:`~skdeep._engine.ModelSpec`);
* ``_validate_input(X, y, incremental, reset, classes)`` -- sklearn validation
  of ``X`` and ``y``;
* ``_encode_target(y, dtype)`` -- the float target matrix the network learns;
* ``_output_setup()`` -- ``(out_activation_, loss)`` for the fitted target;
* ``_score_output(y, output, sample_weight)`` -- the validation score used by
  early stopping (accuracy or R^2, as in scikit-learn).

Everything else -- seeding, weight initialisation, the validation split,
the epoch loop with scikit-learn's stopping rules, L-BFGS, fitted attributes,
prediction, pickling -- lives here once.
"""

import uuid
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _engine
from ._backend import load
from ._data import epoch_order, resolve_batch_size, validation_split
from .builders import ACTIVATIONS

_STOCHASTIC_SOLVERS = ("sgd", "adam", "rmsprop", "adagrad")


class BaseNeuralEstimator(BaseEstimator):
    """Base class of skdeep's estimators; not for direct use.

    It implements scikit-learn's MLP training semantics on a Keras model:
    minibatch epochs with the same shuffling, learning-rate schedules,
    ``tol``/``n_iter_no_change`` stopping, validation-based early stopping
    with best-weight restore, L-BFGS, ``warm_start`` and ``partial_fit``.
    """

    _parameter_constraints = {
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", *_STOCHASTIC_SOLVERS})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto", "full"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "output_activation": [None, StrOptions(set(ACTIVATIONS))],
    }

    # ------------------------------------------------------------------ public API
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix ``X`` and target(s) ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers
            in regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; the loss is their weighted average.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "_weights")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.non_deterministic = self.random_state is None
        return tags

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_keras_model", None)
        return state

    # ------------------------------------------------------------------ fitted weights
    def _variable_slots(self, suffix):
        return [i for i, p in enumerate(self._variable_paths) if p.endswith(suffix)]

    def _get_slot_weights(self, suffix):
        check_is_fitted(self)
        out = []
        for i in self._variable_slots(suffix):
            view = self._weights[i].view()
            view.flags.writeable = False
            out.append(view)
        return out

    def _set_slot_weights(self, suffix, values, name):
        if not self.__sklearn_is_fitted__():
            raise NotFittedError(
                f"Fit {type(self).__name__} before assigning {name}: the network's "
                f"architecture is fixed by the first fit (or partial_fit)."
            )
        slots = self._variable_slots(suffix)
        values = list(values)
        if len(values) != len(slots):
            raise ValueError(f"{name} needs {len(slots)} arrays, got {len(values)}.")
        new = list(self._weights)
        for i, value in zip(slots, values):
            value = np.asarray(value, dtype=self._weights[i].dtype)
            if value.shape != self._weights[i].shape:
                raise ValueError(
                    f"{name}: array for {self._variable_paths[i]!r} has shape {value.shape}, "
                    f"expected {self._weights[i].shape}."
                )
            new[i] = value.copy()
        self._store_weights(new)

    @property
    def coefs_(self):
        """list of ndarray: weight matrices, ``coefs_[i]`` maps layer i to i + 1.

        Read-only views; assign a new list to change the network's weights.
        """
        return self._get_slot_weights("/kernel")

    @coefs_.setter
    def coefs_(self, values):
        self._set_slot_weights("/kernel", values, "coefs_")

    @property
    def intercepts_(self):
        """list of ndarray: bias vectors, ``intercepts_[i]`` is added in layer i + 1.

        Read-only views; assign a new list to change the network's biases.
        """
        return self._get_slot_weights("/bias")

    @intercepts_.setter
    def intercepts_(self, values):
        self._set_slot_weights("/bias", values, "intercepts_")

    @property
    def model_(self):
        """keras.Model: a Keras model holding the fitted weights.

        Built on first access and cached; changes made to it are not read back
        by the estimator.
        """
        check_is_fitted(self)
        cached = getattr(self, "_keras_model", None)
        if cached is not None and cached[0] == self._weights_token:
            return cached[1]
        model = self._spec.build()
        for variable, value in zip(model.variables, self._weights):
            variable.assign(value)
        self._keras_model = (self._weights_token, model)
        return model

    def _store_weights(self, weights):
        self._weights = weights
        self._weights_token = uuid.uuid4().hex

    # ------------------------------------------------------------------ fitting
    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = [int(s) for s in sizes]
        if any(s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return tuple(sizes)

    def _optimizer_config(self):
        if self.solver == "sgd":
            return ("sgd", float(self.momentum), bool(self.nesterovs_momentum))
        if self.solver == "adam":
            return ("adam", float(self.beta_1), float(self.beta_2), float(self.epsilon))
        if self.solver in ("rmsprop", "adagrad"):
            return (self.solver, float(self.epsilon))
        return ("lbfgs",)

    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        first_pass = not self.__sklearn_is_fitted__() or (not self.warm_start and not incremental)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        X, y = self._validate_input(X, y, incremental, reset=first_pass, classes=classes)
        if sp.issparse(X):
            X = X.toarray()
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = sample_weight * self._class_sample_weight(y).astype(X.dtype)
        Y = self._encode_target(y, X.dtype)
        rng = check_random_state(self.random_state)

        if first_pass:
            self._initialize(X, Y)
        elif np.dtype(self._spec.dtype) != X.dtype:
            X = X.astype(self._spec.dtype)
            Y = Y.astype(self._spec.dtype)
            sample_weight = sample_weight.astype(self._spec.dtype)

        engine = _engine.acquire(self._spec)
        try:
            if first_pass:
                self._store_weights(self._initial_weights(engine, rng))
            engine.set_weights(self._weights, self._weights_token)
            if self.solver == "lbfgs":
                self._fit_lbfgs(engine, X, Y, sample_weight)
            else:
                self._fit_stochastic(engine, X, Y, y, sample_weight, incremental, rng)
        finally:
            _engine.release(engine)

        if not all(np.isfinite(w).all() for w in self._weights):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may"
                " contain large values and need to be preprocessed."
            )
        return self

    def _initialize(self, X, Y):
        self.n_outputs_ = Y.shape[1]
        self.out_activation_, loss = self._output_setup()
        self._spec = self._model_spec(X.shape[1:], self.n_outputs_, X.dtype.name, loss)
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self.validation_loss_curve_ = [] if self.early_stopping else None
        self._no_improvement_count = 0
        self._optimizer_state = None
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf

    def _initial_weights(self, engine, rng):
        """scikit-learn's Glorot-uniform draw for every kernel and its bias.

        Kernels and biases are drawn in layer order from ``rng`` exactly as
        scikit-learn's MLP draws them, so a seeded skdeep network starts from
        the same weights as a seeded scikit-learn one; other variables keep
        their Keras initial values.
        """
        self._variable_paths = [v.path for v in engine.variables]
        factor = 2.0 if getattr(self, "activation", None) == "logistic" else 6.0
        weights = [np.array(w) for w in engine.initial_weights]
        bound = None
        for i, (path, w) in enumerate(zip(self._variable_paths, weights)):
            if path.endswith("/kernel"):
                fan_in, fan_out = int(np.prod(w.shape[:-1])), w.shape[-1]
                bound = np.sqrt(factor / (fan_in + fan_out))
                weights[i] = rng.uniform(-bound, bound, w.shape).astype(w.dtype)
            elif path.endswith("/bias") and bound is not None:
                weights[i] = rng.uniform(-bound, bound, w.shape).astype(w.dtype)
        return weights

    def _fit_stochastic(self, engine, X, Y, y, sample_weight, incremental, rng):
        tf, _ = load()
        saved = self._optimizer_state
        if incremental and saved is not None and saved[0] == self._spec.optimizer:
            engine.reset_optimizer(self._learning_rate, saved[1])
        else:
            self._learning_rate = float(self.learning_rate_init)
            engine.reset_optimizer(self._learning_rate)

        early_stopping = self.early_stopping
        if early_stopping:
            stratify = self._stratify_labels(y)
            X, X_val, Y, Y_val, sample_weight, sw_val, val_idx = validation_split(
                X, Y, sample_weight, stratify, self.validation_fraction, rng
            )
            y_val = y[val_idx]
            val = tuple(tf.convert_to_tensor(a) for a in (X_val, Y_val, sw_val))
            best_weights = self._weights

        n_samples = X.shape[0]
        batch_size = resolve_batch_size(self.batch_size, n_samples)
        Xt, Yt, SWt = (tf.convert_to_tensor(a) for a in (X, Y, sample_weight))
        alpha = float(self.alpha)
        adaptive_solver = self.solver != "adam"
        sample_idx = np.arange(n_samples, dtype=np.int32)

        self.n_iter_ = 0
        try:
            for _ in range(self.max_iter):
                sample_idx = epoch_order(sample_idx, self.shuffle, rng)
                loss = engine.train_epoch(Xt, Yt, SWt, sample_idx, batch_size, alpha)
                self.n_iter_ += 1
                self.loss_ = loss
                self.t_ += n_samples
                self.loss_curve_.append(loss)
                if self.verbose:
                    print("Iteration %d, loss = %.8f" % (self.n_iter_, loss))
                if not np.isfinite(loss):
                    break  # diverged: the finite-weights check reports it

                if early_stopping:
                    output, val_loss = engine.evaluate(*val, alpha)
                    score = self._score_output(y_val, output, sw_val)
                    self.validation_scores_.append(score)
                    self.validation_loss_curve_.append(val_loss)
                    if self.verbose:
                        print("Validation score: %f" % score)
                    if score < self.best_validation_score_ + self.tol:
                        self._no_improvement_count += 1
                    else:
                        self._no_improvement_count = 0
                    if score > self.best_validation_score_:
                        self.best_validation_score_ = score
                        best_weights = engine.get_weights()
                else:
                    if loss > self.best_loss_ - self.tol:
                        self._no_improvement_count += 1
                    else:
                        self._no_improvement_count = 0
                    self.best_loss_ = min(self.best_loss_, loss)

                if adaptive_solver and self.learning_rate == "invscaling":
                    self._learning_rate = self.learning_rate_init / (self.t_ + 1) ** self.power_t
                    engine.set_learning_rate(self._learning_rate)

                if self._no_improvement_count > self.n_iter_no_change:
                    what = "Validation score" if early_stopping else "Training loss"
                    msg = "%s did not improve more than tol=%f for %d consecutive epochs." % (
                        what, self.tol, self.n_iter_no_change,
                    )
                    if (
                        adaptive_solver
                        and self.learning_rate == "adaptive"
                        and self._learning_rate > 1e-6
                    ):
                        self._learning_rate /= 5.0
                        engine.set_learning_rate(self._learning_rate)
                        self._no_improvement_count = 0
                        if self.verbose:
                            print(msg + " Setting learning rate to %f" % self._learning_rate)
                    else:
                        if self.verbose:
                            print(msg + " Stopping.")
                        break

                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                        "optimization hasn't converged yet." % self.max_iter,
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")

        self._optimizer_state = (self._spec.optimizer, engine.optimizer_state())
        if early_stopping:
            self._store_weights(best_weights)
        else:
            self._store_weights(engine.get_weights())
        engine.loaded = self._weights_token if not early_stopping else None
        self._record_history()

    def _fit_lbfgs(self, engine, X, Y, sample_weight):
        tf, _ = load()
        Xt, Yt, SWt = (tf.convert_to_tensor(a) for a in (X, Y, sample_weight))
        alpha = float(self.alpha)
        reported = {}

        def fun(flat):
            objective, rep, grad = engine.loss_and_grad(flat, Xt, Yt, SWt, alpha)
            reported["last"] = rep
            return objective, grad

        curve = []

        def callback(intermediate_result):
            curve.append(reported["last"])
            if self.verbose:
                print("Iteration %d, loss = %.8f" % (len(curve), reported["last"]))

        result = scipy.optimize.minimize(
            fun,
            engine.trainable_flat(),
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol},
        )
        if result.status != 0:
            warnings.warn(
                "lbfgs failed to converge after %d iteration(s) (status=%d): %s. Increase "
                "max_iter or max_fun, or scale the data." % (result.nit, result.status, result.message),
                ConvergenceWarning,
            )
        # leave the variables at the solution (the last evaluation may differ)
        _, self.loss_, _ = engine.loss_and_grad(result.x, Xt, Yt, SWt, alpha)
        self.n_iter_ = int(result.nit)
        self.loss_curve_.extend(curve)
        self.best_loss_ = min(self.loss_curve_ + [self.loss_])
        self._store_weights(engine.get_weights())
        engine.loaded = self._weights_token
        self._record_history()

    def _record_history(self):
        history = {"loss": list(self.loss_curve_)}
        if self.validation_scores_ is not None:
            history["val_loss"] = list(self.validation_loss_curve_)
            history["val_score"] = list(self.validation_scores_)
        self.history_ = history

    # ------------------------------------------------------------------ prediction
    def _forward(self, X):
        """Validate ``X`` and return the network output in ``X``'s float dtype."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False
        )
        if sp.issparse(X):
            X = X.toarray()
        out_dtype = X.dtype
        X = X.astype(self._spec.dtype, copy=False)
        engine = _engine.acquire(self._spec)
        try:
            engine.set_weights(self._weights, self._weights_token)
            output = engine.predict(X)
        finally:
            _engine.release(engine)
        return output.astype(out_dtype, copy=False)

    # ------------------------------------------------------------------ default hooks
    def _class_sample_weight(self, y):
        return np.ones(y.shape[0])

    def _stratify_labels(self, y):
        return None
