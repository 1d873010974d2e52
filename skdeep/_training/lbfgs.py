"""Full-batch L-BFGS-B through SciPy on a compiled engine, with the loop's hooks."""

import warnings

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

__all__ = ["run_lbfgs"]


def run_lbfgs(loop, X, Y, sample_weight):
    """Minimise the objective over every row with scipy's L-BFGS-B.

    As scikit-learn's ``solver='lbfgs'``: ``max_iter`` iterations (200 for
    ``'auto'``), ``max_fun`` evaluations, ``tol`` on the projected
    gradient; each iteration is an epoch for the hooks and the curves.

    Parameters
    ----------
    loop : EpochLoop
        Its config, state (advanced in place), engine and hooks.
    X, Y, sample_weight : arrays
        Inputs, encoded targets and sample weights.
    """
    config, state, engine = loop.config, loop.state, loop.engine
    if config.validation_split > 0:
        raise ValueError(
            f"validation_split={config.validation_split} holds rows out of minibatch "
            "epochs, but solver='lbfgs' has none; use a stochastic solver ('adam', 'sgd', "
            "'rmsprop', 'adagrad') or validation_split=0."
        )
    loop.datasets = {"": (X, Y, sample_weight)}
    Xt, Yt, SWt = engine.tensors(X, Y, sample_weight, pad=False)
    last, logs = {}, {}
    loop.max_epochs = config.planned_epochs(X.shape[0])

    def fun(flat):
        objective, rep, grad = engine.loss_and_grad(flat, Xt, Yt, SWt, config.penalties)
        last["loss"], last["grad_norm"] = rep, float(np.linalg.norm(grad))
        return objective, grad

    curve = state.loss_curve
    start = len(curve)

    def callback(intermediate_result):
        curve.append(last["loss"])
        if state.grad_norm_curve is not None:
            state.grad_norm_curve.append(last["grad_norm"])
        if config.verbose:
            print("Iteration %d, loss = %.8f" % (len(curve) - start, last["loss"]))
        if loop.hooks:
            # scipy reports an iteration once it is done: both hooks run here
            loop.epoch = len(curve) - 1
            loop.iterate = np.asarray(intermediate_result.x)
            logs.clear()
            logs.update(loop.epoch_logs(last["loss"], last["grad_norm"]))
            loop.call("on_epoch_begin")
            if loop.call("on_epoch_end", logs) or loop.stop_training:
                loop.stop_training = True
                raise StopIteration
        if config.min_grad_norm > 0 and last["grad_norm"] < config.min_grad_norm:
            raise StopIteration

    if loop.hooks:
        loop.call("on_train_begin")
    result = scipy.optimize.minimize(
        fun, engine.trainable_flat(), method="L-BFGS-B", jac=True, callback=callback,
        options={"maxfun": config.max_fun, "maxiter": loop.max_epochs, "gtol": config.tol},
    )
    n_done = len(curve) - start
    stopped_on_gradient = config.min_grad_norm > 0 and n_done and (
        state.grad_norm_curve[-1] < config.min_grad_norm
    )
    if result.status != 0 and not stopped_on_gradient and not loop.stop_training:
        warnings.warn(
            "lbfgs failed to converge after %d iteration(s) (status=%d): %s. Increase "
            "max_iter or max_fun, or scale the data." % (result.nit, result.status,
                                                         result.message),
            ConvergenceWarning,
        )
    # leave the variables at the solution (the last evaluation may differ)
    _, state.loss, _ = engine.loss_and_grad(result.x, Xt, Yt, SWt, config.penalties)
    if loop.hooks:
        loop.train_end(logs)
    state.n_iter = int(result.nit)
    state.best_loss = min(curve + [state.loss])
    loop.finish(X)
