"""The compiled cohort epoch: forward, backward and optimizer update of every member.

Written once in ``keras.ops`` over the stacked ``(members, ...)`` arrays of a
:class:`~skdeep._cohort.stack.Cohort`: the dense forward pass, the loss and
its output gradient and the activations' derivatives come from the shared
definitions (:func:`skdeep._activations.dense_forward`,
:mod:`skdeep._engine.objective`, :data:`skdeep._activations.OUTPUT_DERIVATIVES`);
the backward pass through dense layers and Keras' Adam and SGD updates are
written here.  Compiled per depth and settings through the backend switch
(:func:`skdeep._engine.backend.current`): TensorFlow traces one program with
every dimension dynamic, JAX one per padded shape.
"""

import collections
import threading

from .._activations import OUTPUT_DERIVATIVES, dense_forward
from .._backend import load
from .._engine.backend import current
from .._engine.objective import KerasOps, output_gradient, per_sample_loss, reported_scale

__all__ = ["MAX_PROGRAMS", "program"]

_programs = collections.OrderedDict()  # (key, backend) -> compiled epoch, least recent first
_programs_lock = threading.Lock()
#: Most compiled cohort programs kept: a random search over ``beta_1`` or
#: ``momentum`` makes a new one per value, which must not pile up.
MAX_PROGRAMS = 16


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
    depth, activation, loss, optimizer, dtype, n_outputs = key
    epoch = _epoch_function(depth, activation, loss, optimizer, dtype, n_outputs, backend)
    n_slots = 2 if optimizer[0] == "adam" else (1 if optimizer[1] != 0 else 0)
    f, i = dtype, "int32"
    signature = [
        (i, [depth + 2]),  # the layout: the widths (static on JAX, a tensor on TensorFlow)
        (f, [None, None, None]), (f, [None, None, None]), (f, [None, None]), (f, [None, None]),
        (i, [None, None, None]), (f, [None, None, None]),
        (i, [None]), (f, [None]), (f, [None]), (f, [None]), (f, [None, None]),
        [(f, [None, None]) for _ in range(n_slots)], (f, [None]),
    ]
    return backend.compile(epoch, signature)


def _update_rule(ops, solver, hyper, dtype):
    """Keras' Adam or SGD update of flat stacked variables: ``(coefficients, update)``."""

    def coefficients(lr, it, on):
        """Per-member step coefficients, shaped ``(K, 1)``, with ``on`` folded in.

        ``on`` is 0 or 1: multiplying by 1 is exact and by 0 leaves a slot
        as it was, so an active member's update is Keras' to the bit and an
        idle one's is nil.
        """
        if solver == "adam":
            beta_1, beta_2, _ = hyper
            step = it + 1.0
            b1p = ops.power(ops.cast(beta_1, dtype), step)
            b2p = ops.power(ops.cast(beta_2, dtype), step)
            rate = lr * ops.sqrt(1 - b2p) / (1 - b1p) * on
            # Keras multiplies by the Python floats 1 - beta (cast once)
            c = [on * ops.cast(1 - beta_1, dtype), on * ops.cast(1 - beta_2, dtype), rate]
        else:
            c = [lr * on, on]
        return [ops.reshape(x, (-1, 1)) for x in c]

    def update(var, grad, slots, coef):
        if solver == "adam":
            c1, c2, rate = coef
            m, v = slots
            m = m + (grad - m) * c1
            v = v + (ops.square(grad) - v) * c2
            return var - (m * rate) / (ops.sqrt(v) + hyper[2]), [m, v]
        momentum, nesterov = hyper
        lr_on, on_b = coef
        if momentum != 0:
            (m,) = slots
            on = on_b > 0
            m_new = m * momentum - grad * lr_on
            step = (m_new * momentum - grad * lr_on) if nesterov else m_new
            return ops.where(on, var + step, var), [ops.where(on, m_new, m)]
        return var - grad * lr_on, []

    return coefficients, update


def _epoch_function(depth, activation, loss, optimizer, dtype, n_outputs, backend):
    """The cohort epoch in ``keras.ops``: forward, hand-written backward, update."""
    from ..layers import keras_activation

    _, keras = load()
    ops = keras.ops
    loss_ops = KerasOps(ops)
    solver, *hyper = optimizer
    matmul = backend.batch_matmul(ops)
    scale = reported_scale(loss, n_outputs)
    act = keras.activations.get(keras_activation(activation))
    derivative = OUTPUT_DERIVATIVES[activation]
    coefficients, update = _update_rule(ops, solver, hyper, dtype)

    def unpack(flat, layout, K):
        """Split the flat ``(K, P)`` variables into ``(K, in, out)`` kernels and biases."""
        parts, offset = [], 0
        for layer in range(depth + 1):
            fan_in, fan_out = layout[layer], layout[layer + 1]
            size = fan_in * fan_out
            parts.append(ops.reshape(flat[:, offset: offset + size], (K, fan_in, fan_out)))
            offset = offset + size
            parts.append(flat[:, offset: offset + fan_out])
            offset = offset + fan_out
        return parts

    def pack(parts, K):
        return ops.concatenate([ops.reshape(p, (K, -1)) for p in parts], axis=1)

    def backward(acts, g, weights, wb, safe, alpha):
        """Gradients of every kernel and bias, from the output gradient ``g``."""
        delta = g * (wb / safe[:, None])[:, :, None]
        decay = (alpha / safe)[:, None, None]  # the objective's L2 term, per member
        grads = [None] * (2 * depth + 2)
        for layer in range(depth, -1, -1):
            kernel = weights[2 * layer]
            grads[2 * layer] = matmul(acts[layer], delta, transpose_a=True) + decay * kernel
            grads[2 * layer + 1] = ops.sum(delta, axis=1)
            if layer:
                delta = (matmul(delta, kernel, transpose_b=True)
                         * derivative(acts[layer], ops))
        return grads

    def epoch(layout, X, Y, SW, mask, perm, valid, n_batches, on, lr, alpha, flat, slots, it):
        K, N = ops.shape(X)[0], ops.shape(X)[1]
        B = ops.shape(perm)[1]
        offsets = ops.reshape(ops.arange(K, dtype="int32") * ops.cast(N, "int32"), (-1, 1))
        X_flat = ops.reshape(X, (-1, ops.shape(X)[2]))
        Y_flat = ops.reshape(Y, (-1, ops.shape(Y)[2]))
        SW_flat = ops.reshape(SW, (-1,))
        mask_parts = unpack(mask, layout, K)

        def body(j, carry):
            flat, slots, it, total = carry
            weights = unpack(flat, layout, K)
            idx = perm[:, j, :] + offsets  # [K, bs] rows of the flattened stack
            ok = valid[:, j, :]
            step_on = on * ops.cast(j < n_batches, dtype)
            xb, yb = ops.take(X_flat, idx, axis=0), ops.take(Y_flat, idx, axis=0)
            wb = ops.take(SW_flat, idx, axis=0) * ok
            total_w = ops.sum(wb, axis=1)
            safe = ops.where(total_w > 0, total_w, ops.ones_like(total_w))
            layers = [(w, b[:, None, :]) for w, b in zip(weights[0::2], weights[1::2])]
            acts, logits = dense_forward(xb, layers, act, matmul)
            # the output activation is the loss's canonical link (see member.LOSSES)
            per = per_sample_loss(loss_ops, loss, yb, logits, logits)
            data = ops.sum(wb * per, axis=1) / safe
            squares = sum(ops.sum(ops.square(w), axis=(1, 2)) for w in weights[0::2])
            penalty = 0.5 * alpha * squares / safe
            total = total + step_on * (data * scale + penalty) * ops.sum(ok, axis=1)
            g = output_gradient(loss_ops, loss, yb, logits)
            grads = backward(acts, g, weights, wb, safe, alpha)
            # padding stays zero: its gradient is masked (a logistic unit's
            # output 0.5 would otherwise reach the next layer's padded rows)
            grad = pack([g_ * m_ for g_, m_ in zip(grads, mask_parts)], K)
            flat, slots = update(flat, grad, list(slots), coefficients(lr, it, step_on))
            return flat, slots, it + step_on, total

        total = ops.zeros_like(on)
        flat, slots, it, total = ops.fori_loop(0, B, body, (flat, list(slots), it, total))
        return flat, list(slots), it, total

    return epoch
