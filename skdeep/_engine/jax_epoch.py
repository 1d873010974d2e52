"""The compiled epochs of :class:`~skdeep._engine.jax.JaxEngine`: pure programs.

:class:`JaxEpochs` (a mixin of the engine) builds the ``jax.jit`` functions
one epoch runs: a minibatch step (value and gradient of the shared objective,
Keras' stateless optimizer update, data-parallel sharding constraints, sparse
rows gathered into a ``BCOO``), an epoch over padded rows whose batch count
is an input (one compilation per row bucket), an epoch compiled for an exact
row count (batch normalization needs true batches), and the step-by-step
epoch of convolutional networks on a CPU.  Every function takes the
trainable, non-trainable and optimizer values and returns new ones.
"""

import numpy as np

__all__ = ["JaxEpochs"]


class JaxEpochs:
    """Epoch programs over the engine's ``_run`` / ``_losses`` (see the module doc)."""

    def _gather_sparse(self, X, idx, valid, nnz):
        """Rows ``idx`` of the device CSR matrix ``X`` as a ``BCOO`` of ``nnz`` entries.

        Rows where ``valid`` is False (padding) contribute no entries; the
        unused entries hold 0 at (0, 0).
        """
        jnp = self._jax.numpy
        from jax.experimental import sparse as jsparse

        indptr, indices, data = X
        starts = indptr[idx]
        lengths = indptr[idx + 1] - starts
        if valid is not None:
            lengths = jnp.where(valid, lengths, 0)
        ends = jnp.cumsum(lengths)
        slot = jnp.arange(nnz, dtype=ends.dtype)
        used = slot < ends[-1]
        row = jnp.where(used, jnp.searchsorted(ends, slot, side="right"), 0)
        pos = jnp.where(used, starts[row] + slot - (ends[row] - lengths[row]), 0)
        values = jnp.where(used, data[pos], 0).astype(data.dtype)
        coords = jnp.stack([row, jnp.where(used, indices[pos], 0)], axis=1).astype(jnp.int32)
        return jsparse.BCOO((values, coords), shape=(idx.shape[0], int(self.spec.input_shape[0])))

    def _step(self, carry, idx, valid, X, Y, SW, penalties, nnz=0):
        """One minibatch update; rows where ``valid`` is False weigh nothing.

        ``X`` is a device array, or for sparse-input networks the CSR arrays
        gathered into a ``BCOO`` of ``nnz`` entries per batch.
        """
        jax = self._jax
        tv, nv, ov, total, grad_sum = carry
        xb = self._gather_sparse(X, idx, valid, nnz) if nnz else X[idx]
        yb, wb = Y[idx], SW[idx]
        if self._batch_sharding is not None:
            # data parallel: each device computes its share of the minibatch;
            # XLA sums the gradient of the replicated variables across them
            constrain = jax.lax.with_sharding_constraint
            if not nnz:
                xb = constrain(xb, self._batch_sharding)
            yb, wb = constrain(yb, self._batch_sharding), constrain(wb, self._batch_sharding)
            if valid is not None:
                valid = constrain(valid, self._batch_sharding)
        if valid is not None:
            wb = wb * valid.astype(wb.dtype)
            size = jax.numpy.sum(valid).astype(self._dtype)
        else:
            size = idx.shape[0]

        def objective(trainable):
            outputs, new_nv, extra = self._run(self._train_model, trainable, nv, xb, True)
            obj, reported = self._losses(yb, outputs, wb, penalties, trainable, extra)
            return obj, (reported, new_nv)

        (_, (reported, nv)), grads = jax.value_and_grad(objective, has_aux=True)(tv)
        if grad_sum is not None:
            grad_sum = [s + g * size for s, g in zip(grad_sum, grads)]
        tv, ov = self.optimizer.stateless_apply(ov, grads, tv)
        return (list(tv), nv, list(ov), total + reported * size, grad_sum)

    def _finish(self, carry, n):
        jnp = self._jax.numpy
        tv, nv, ov, total, grad_sum = carry
        mean_loss = total / n
        if grad_sum is None:
            norm = jnp.asarray(np.nan, self._dtype)
        else:
            norm = jnp.sqrt(sum(jnp.sum(jnp.square(s)) for s in grad_sum))
            norm = norm.astype(self._dtype) / n
        return tv, nv, ov, mean_loss, norm

    def _start(self, tv, nv, ov):
        jnp = self._jax.numpy
        grad_sum = [jnp.zeros(t.shape, t.dtype) for t in tv] if self.spec.track_grad_norm else None
        return (tv, nv, ov, jnp.zeros((), self._dtype), grad_sum)

    def _make_padded_epoch(self, batch_size, nnz=0):
        """An epoch whose batch count is an input: one compilation serves every
        number of rows that pads to the same bucket.  The last, partial batch
        is a full-size gather whose extra rows have weight zero, which leaves
        its weighted-mean loss and gradient exactly those of the partial batch
        (models without batch normalization only)."""
        jax = self._jax
        jnp = jax.numpy

        def epoch(tv, nv, ov, X, Y, SW, perm, n_batches, n_valid, penalties):
            offsets = jnp.arange(batch_size)

            def body(i, carry):
                start = i * batch_size
                idx = jax.lax.dynamic_slice(perm, (start,), (batch_size,))
                return self._step(carry, idx, start + offsets < n_valid, X, Y, SW, penalties, nnz)

            carry = jax.lax.fori_loop(0, n_batches, body, self._start(tv, nv, ov))
            return self._finish(carry, n_valid.astype(self._dtype))

        return jax.jit(epoch, donate_argnums=(0, 1, 2))

    def _make_exact_epoch(self, n, batch_size, nnz=0):
        """An epoch compiled for exactly ``n`` rows: a scan over the full
        batches and one step for the remainder (batch normalization needs the
        true batch, so its models use this one)."""
        jax = self._jax
        n_full, rest = divmod(n, batch_size)

        def epoch(tv, nv, ov, X, Y, SW, perm, penalties):
            carry = self._start(tv, nv, ov)
            if n_full:
                batches = perm[: n_full * batch_size].reshape(n_full, batch_size)
                carry, _ = jax.lax.scan(
                    lambda c, idx: (self._step(c, idx, None, X, Y, SW, penalties, nnz), None),
                    carry, batches,
                )
            if rest:
                carry = self._step(
                    carry, perm[n_full * batch_size :], None, X, Y, SW, penalties, nnz
                )
            return self._finish(carry, n)

        return jax.jit(epoch, donate_argnums=(0, 1, 2))

    def _make_step(self, padded, nnz=0):
        """One compiled minibatch step (for :attr:`_stepwise` engines)."""
        jnp = self._jax.numpy

        def step(carry, X, Y, SW, idx, n_valid, penalties):
            valid = jnp.arange(idx.shape[0]) < n_valid if padded else None
            return self._step(carry, idx, valid, X, Y, SW, penalties, nnz)

        return self._jax.jit(step, donate_argnums=(0,))

    def _stepwise_epoch(self, data, perm, batch_size, penalties, nnz=0):
        padded = self._padded
        fn = self._jit(("step", padded, nnz), lambda: self._make_step(padded, nnz))
        carry = self._start(self._tv, self._nv, self._ov)
        n = len(perm)
        for start in range(0, n, batch_size):
            idx = np.asarray(perm[start : start + batch_size], dtype=np.int32)
            n_valid = len(idx)
            if padded and n_valid < batch_size:
                idx = np.concatenate([idx, np.zeros(batch_size - n_valid, np.int32)])
            carry = fn(carry, *data, idx, np.int32(n_valid), penalties)
        self._tv, self._nv, self._ov, total, grad_sum = carry
        loss = float(total) / n
        if grad_sum is None:
            return loss, float("nan")
        squares = sum(float(np.sum(np.square(np.asarray(g, np.float64)))) for g in grad_sum)
        return loss, float(np.sqrt(squares)) / n
