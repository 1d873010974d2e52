"""The compiled cohort epoch: forward pass, gradient and optimizer update of every member.

Written once in ``keras.ops`` over the stacked ``(members, ...)`` arrays of a
:class:`~skdeep._cohort.stack.Cohort`.  The forward pass is the dense one of
every other place (:func:`skdeep._activations.dense_forward`) with each
member's dropout and DropConnect masks; the loss and penalties are the one
objective (:func:`skdeep._engine.objective.objective`, per member); the
gradient is the backend's automatic differentiation of their sum (each
member's parameters get their own member's gradient); the updates are Keras'
own formulas for Adam, SGD (momentum, Nesterov), RMSprop and Adagrad.  So
any Keras activation, L1/L2 and activity penalties, dropout, DropConnect and
batch normalisation (each member's moments over its own rows, Keras' moving
averages) train in a cohort exactly as they train alone.

Each member's masks are the numbers its own layer would draw: a Keras seed
generator's uniform numbers from the member's seed state, at the member's own
shape inside the cohort's padded one (``member_uniform`` of the backend
switch).

Compiled per depth and settings through the backend switch
(:func:`skdeep._engine.backend.current`): TensorFlow traces one program with
every dimension dynamic, JAX one per padded shape.
"""

import collections
import threading
import types

import numpy as np

from .._activations import dense_forward
from .._backend import load
from .._engine.backend import current
from .._engine.objective import KerasOps, objective

__all__ = ["BN_EPSILON", "BN_MOMENTUM", "MAX_PROGRAMS", "Variant", "program", "slot_names"]

_programs = collections.OrderedDict()  # (key, backend) -> compiled epoch, least recent first
_programs_lock = threading.Lock()
#: Most compiled cohort programs kept: a random search over ``beta_1`` or
#: ``momentum`` makes a new one per value, which must not pile up.
MAX_PROGRAMS = 16
#: Keras' ``BatchNormalization`` defaults, which the MLPs' batch norm uses.
BN_EPSILON, BN_MOMENTUM = 1e-3, 0.99

#: What a cohort's program computes beyond the plain network: L1 and activity
#: penalties, which hidden layers draw dropout / DropConnect masks, and
#: whether it sums the gradients for the gradient-norm stopping rule.  A
#: member without one of them computes it at strength or rate 0, which is exact.
Variant = collections.namedtuple("Variant", "l1 activity dropout dropconnect track")


def slot_names(optimizer):
    """The optimizer's slots per variable, in Keras' order."""
    solver, *hyper = optimizer
    if solver == "adam":
        return ("momentum", "velocity")
    if solver == "sgd":
        return ("momentum",) if hyper[0] != 0 else ()
    if solver == "rmsprop":
        return ("velocity",)
    return ("accumulator",)  # adagrad


def program(key):
    """The compiled cohort epoch for ``key`` (one per depth and settings)."""
    backend = current()
    with _programs_lock:
        fn = _programs.get((key, backend.name))
        if fn is None:
            fn = _compile(key, backend)
            _programs[(key, backend.name)] = fn
            while len(_programs) > MAX_PROGRAMS:
                _programs.popitem(last=False)
        _programs.move_to_end((key, backend.name))
        return fn


def _compile(key, backend):
    depth, _, _, _, optimizer, dtype, _, _, _ = key
    epoch = _epoch_function(key, backend)
    f, i = dtype, "int32"
    signature = [
        (i, [depth + 2]),  # the layout: the widths (static on JAX, a tensor on TensorFlow)
        (f, [None, None, None]), (f, [None, None, None]), (f, [None, None]),  # X, Y, SW
        (f, [None, None]), (i, [None, depth + 2]),  # parameter mask, members' widths
        (i, [None, None, None]), (f, [None, None, None]), (i, [None]), (f, [None]),
        (f, [None]), (f, [None, 4]), (f, [None, 2 * depth]),  # lr, penalties, rates
        (backend.seed_dtype, [None, 2 * depth, 2]), (f, [None, None]),  # seeds, BN statistics
        (f, [None, None]), [(f, [None, None]) for _ in slot_names(optimizer)], (f, [None]),
    ]
    return backend.compile(epoch, signature)


def _update_rule(ops, optimizer, dtype):
    """Keras' update of flat stacked variables: ``update(var, grad, slots, lr, it, on)``.

    ``lr``, ``it`` and ``on`` are per member, shaped ``(K,)``; ``on`` is 0 or
    1, and a member that is off keeps its variables and slots to the bit.
    """
    solver, *hyper = optimizer

    def column(x):
        return ops.reshape(x, (-1, 1))

    def adam(var, grad, slots, lr, it, on):
        beta_1, beta_2, epsilon = hyper
        step = it + 1.0
        b1p = ops.power(ops.cast(beta_1, dtype), step)
        b2p = ops.power(ops.cast(beta_2, dtype), step)
        # on folded into the coefficients: multiplying by 1 is exact, by 0 a nil step;
        # Keras multiplies by the Python floats 1 - beta (cast once)
        rate = column(lr * ops.sqrt(1 - b2p) / (1 - b1p) * on)
        c1, c2 = column(on * ops.cast(1 - beta_1, dtype)), column(on * ops.cast(1 - beta_2, dtype))
        m, v = slots
        m = m + (grad - m) * c1
        v = v + (ops.square(grad) - v) * c2
        return var - (m * rate) / (ops.sqrt(v) + epsilon), [m, v]

    def sgd(var, grad, slots, lr, it, on):
        momentum, nesterov = hyper
        lr_on, on_b = column(lr * on), column(on) > 0
        if momentum == 0:
            return var - grad * lr_on, []
        (m,) = slots
        m_new = m * momentum - grad * lr_on
        step = (m_new * momentum - grad * lr_on) if nesterov else m_new
        return ops.where(on_b, var + step, var), [ops.where(on_b, m_new, m)]

    def rmsprop(var, grad, slots, lr, it, on):
        (epsilon,), rho = hyper, 0.9  # skdeep's RMSprop: Keras' rho, no momentum, not centred
        (v,) = slots
        on_b = column(on) > 0
        v_new = rho * v + (1 - rho) * ops.square(grad)
        step = (column(lr) * grad) / ops.sqrt(v_new + epsilon)
        return ops.where(on_b, var - step, var), [ops.where(on_b, v_new, v)]

    def adagrad(var, grad, slots, lr, it, on):
        (epsilon,) = hyper
        (a,) = slots
        on_b = column(on) > 0
        a_new = a + ops.square(grad)
        step = (column(lr) * grad) / ops.sqrt(a_new + epsilon)
        return ops.where(on_b, var - step, var), [ops.where(on_b, a_new, a)]

    return {"adam": adam, "sgd": sgd, "rmsprop": rmsprop, "adagrad": adagrad}[solver]


def _unpack(ops, flat, layout, K, depth, bn):
    """Split the flat ``(K, P)`` variables into each layer's stacked weights:
    ``(kernel, bias)``, and ``(kernel, bias, gamma, beta)`` for a hidden layer
    batch normalisation follows; kernels ``(K, in, out)``, the rest ``(K, out)``."""
    layers, offset = [], 0
    for layer in range(depth + 1):
        fan_in, fan_out = layout[layer], layout[layer + 1]
        size = fan_in * fan_out
        parts = [ops.reshape(flat[:, offset: offset + size], (K, fan_in, fan_out))]
        offset = offset + size
        for _ in range(3 if bn and layer < depth else 1):
            parts.append(flat[:, offset: offset + fan_out])
            offset = offset + fan_out
        layers.append(tuple(parts))
    return layers


def _moving(ops, stats, layout, depth):
    """Each hidden layer's ``(moving mean, moving variance)``, ``(K, width)``
    each, from the flat ``(K, S)`` statistics (empty without batch norm)."""
    pairs, offset = [], 0
    for layer in range(1, depth + 1):
        width = layout[layer]
        pairs.append((stats[:, offset: offset + width],
                      stats[:, offset + width: offset + 2 * width]))
        offset = offset + 2 * width
    return pairs


def _batch_norm(ops, layers, ok, moments):
    """``normalize(layer, z)``: Keras' ``BatchNormalization`` in training mode for
    every member at once -- each member's moments over its own rows of the
    minibatch (``ok``; a partial last batch has fewer), appended to
    ``moments`` for the moving averages."""
    weights = ops.expand_dims(ok, -1)
    count = ops.maximum(ops.sum(weights, axis=1, keepdims=True), 1)

    def normalize(layer, z):
        _, _, gamma, beta = layers[layer]
        mean = ops.sum(z * weights, axis=1, keepdims=True) / count
        # tf.nn.moments' variance: around the mean held constant
        centred = (z - ops.stop_gradient(mean)) * weights
        variance = ops.sum(ops.square(centred), axis=1, keepdims=True) / count
        moments.append((mean[:, 0], variance[:, 0]))
        inv = ops.rsqrt(variance + BN_EPSILON) * ops.expand_dims(gamma, 1)
        return z * inv + (ops.expand_dims(beta, 1) - mean * inv)

    return normalize


def _keep_masks(ops, backend, variant, dtype, seeds, rates, widths, layout, rows):
    """Each stochastic layer's ``(keep, scale)`` for this step, as its Keras layer
    computes them from its rate and the numbers it draws: ``({layer: dropout},
    {layer: DropConnect})``."""
    depth = len(variant.dropout)
    drop, connect = {}, {}
    for layer in range(depth):
        for on, column, shape, out in (
            (variant.dropout[layer], layer, (rows, layout[layer + 1]), drop),
            (variant.dropconnect[layer], depth + layer, (layout[layer], layout[layer + 1]),
             connect),
        ):
            if on:
                u = backend.member_uniform(seeds[:, column], *shape, widths[:, layer + 1],
                                           rates[:, column] > 0, dtype)
                rate = ops.reshape(rates[:, column], (-1, 1, 1))
                out[layer] = (ops.greater_equal(u, rate), 1 / (1 - rate))
    return drop, connect


def _dropped(ops, masks):
    """``apply(layer, a)``: ``a`` with layer's mask applied, as the Keras layer does."""

    def apply(layer, a):
        if layer not in masks:
            return a
        keep, scale = masks[layer]
        return ops.where(keep, a * scale, ops.zeros_like(a))

    return apply


def _objectives(flat, net, layout, K, batch):
    """``(sum of the members' objectives, (each member's reported loss, batch
    moments))`` on a minibatch.

    ``net`` holds the program's constants (``ops``, activations, the loss
    terms, the variant); ``batch`` the step's rows, weights, penalty
    strengths, unit masks, dropout / DropConnect masks and which rows are
    each member's (the batch-norm moments' rows).
    """
    ops = net.ops
    xb, yb, wb, safe, strengths, units, drop, connect, ok = batch
    weights = _unpack(ops, flat, layout, K, net.depth, net.bn)
    layers = [(_dropped(ops, connect)(i, w[0]), w[1][:, None, :])
              for i, w in enumerate(weights)]
    moments = []
    normalize = _batch_norm(ops, weights, ok, moments) if net.bn else None
    acts, logits = dense_forward(xb, layers, net.hidden, net.matmul, _dropped(ops, drop),
                                 normalize)
    outputs = [logits, net.link(logits)]
    if net.variant.activity:  # a member's padded units are not its activations
        outputs += [a * u[:, None, :] for a, u in zip(acts[1:], units)]
    kernels = [w[0] for w in weights]
    value, reported = objective(net.loss_ops, net.terms, yb, outputs, wb, strengths,
                                kernels, sw_total=safe, stacked=True)
    return ops.sum(value), (reported, moments)


def _moving_update(ops, stats, layout, depth, moments, on):
    """The flat moving statistics after a step: Keras' ``moving * momentum +
    batch * (1 - momentum)`` for members that are ``on``, unchanged for the rest."""
    updated = []
    for (mean, variance), (batch_mean, batch_variance) in zip(
            _moving(ops, stats, layout, depth), moments):
        updated += [mean * BN_MOMENTUM + batch_mean * (1.0 - BN_MOMENTUM),
                    variance * BN_MOMENTUM + batch_variance * (1.0 - BN_MOMENTUM)]
    return ops.where(ops.expand_dims(on, 1) > 0, ops.concatenate(updated, axis=1), stats)


def _epoch_function(key, backend):
    """The cohort epoch in ``keras.ops``: masks, forward, gradient, update."""
    from ..layers import keras_activation

    depth, activation, output_activation, loss, optimizer, dtype, n_outputs, bn, variant = key
    _, keras = load()
    ops = keras.ops
    net = types.SimpleNamespace(
        ops=ops, loss_ops=KerasOps(ops, dtype), matmul=backend.batch_matmul(ops), depth=depth,
        bn=bn,
        hidden=keras.activations.get(keras_activation(activation)),
        link=keras.activations.get(keras_activation(output_activation)), variant=variant,
        terms=types.SimpleNamespace(loss=loss, n_outputs=n_outputs,
                                    penalties=("l1",) if variant.l1 else ()))
    update = _update_rule(ops, optimizer, dtype)
    value_and_grad = backend.value_and_grad

    def epoch(layout, X, Y, SW, mask, widths, perm, valid, n_batches, on, lr, penalties, rates,
              seeds, stats, flat, slots, it):
        K, N = ops.shape(X)[0], ops.shape(X)[1]
        B, bs = ops.shape(perm)[1], ops.shape(perm)[2]
        offsets = ops.reshape(ops.arange(K, dtype="int32") * ops.cast(N, "int32"), (-1, 1))
        X_flat = ops.reshape(X, (-1, ops.shape(X)[2]))
        Y_flat = ops.reshape(Y, (-1, ops.shape(Y)[2]))
        SW_flat = ops.reshape(SW, (-1,))
        # (K, width): 1 on a member's own units
        units = [layer[1] for layer in _unpack(ops, mask, layout, K, depth, bn)]
        strengths = [penalties[:, i] for i in range(4)]
        advance = ops.reshape(ops.convert_to_tensor(np.array([0, 1]), backend.seed_dtype),
                              (1, 1, 2))

        def body(j, carry):
            flat, slots, it, seeds, stats, total, grad_sum = carry
            idx = perm[:, j, :] + offsets  # [K, bs] rows of the flattened stack
            ok = valid[:, j, :]
            step_on = on * ops.cast(j < n_batches, dtype)
            xb, yb = ops.take(X_flat, idx, axis=0), ops.take(Y_flat, idx, axis=0)
            wb = ops.take(SW_flat, idx, axis=0) * ok
            total_w = ops.sum(wb, axis=1)
            safe = ops.where(total_w > 0, total_w, ops.ones_like(total_w))  # idle: no NaN
            drop, connect = _keep_masks(ops, backend, variant, dtype, seeds, rates, widths,
                                        layout, bs)

            batch = (xb, yb, wb, safe, strengths, units, drop, connect, ok)
            _, (reported, moments), grad = value_and_grad(_objectives)(flat, net, layout, K,
                                                                         batch)
            if bn:
                stats = _moving_update(ops, stats, layout, depth, moments, step_on)
            # padding stays zero: its gradient is masked (a padded unit's
            # activation, softplus(0) say, would otherwise reach the next layer's)
            grad = grad * mask
            rows = ops.sum(ok, axis=1) * step_on
            if variant.track:
                grad_sum = grad_sum + grad * ops.reshape(rows, (-1, 1))
            flat, slots = update(flat, grad, list(slots), lr, it, step_on)
            seeds = seeds + advance * ops.reshape(ops.cast(step_on, backend.seed_dtype),
                                                  (-1, 1, 1))
            return flat, slots, it + step_on, seeds, stats, total + reported * rows, grad_sum

        grad_sum = ops.zeros_like(flat) if variant.track else ops.zeros_like(on)
        carry = (flat, list(slots), it, seeds, stats, ops.zeros_like(on), grad_sum)
        flat, slots, it, seeds, stats, total, grad_sum = ops.fori_loop(0, B, body, carry)
        squares = ops.sum(ops.square(grad_sum), axis=1) if variant.track else grad_sum
        return flat, list(slots), it, seeds, stats, total, squares

    return epoch
