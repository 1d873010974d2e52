"""The ``predict``, ``info`` and ``export`` commands: use a saved model without writing Python.

``skdeep predict MODEL DATA`` loads a file written by ``skdeep search --save``
(or :func:`skdeep.save`), reads DATA as ``compare`` reads a table, and writes
one prediction per row, in the rows' order; ``skdeep info MODEL`` prints what
the file holds; ``skdeep export MODEL OUT`` writes it as a serving artifact
(:func:`skdeep.export`).
"""

import os
import sys
import warnings

from .tables import CLIError, _note, read_table

#: Output formats by file suffix (anything else is written as CSV).
_WRITERS = {".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet"}


def _load(path):
    """``(estimator, file_info)`` of a saved model, or a one-line CLIError."""
    from .._persistence import file_info, load

    try:
        info = file_info(path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            model = load(path)
    except FileNotFoundError:
        raise CLIError(f"no such model file: {path!r}") from None
    except (ValueError, OSError) as exc:
        raise CLIError(str(exc).splitlines()[0]) from None
    except Exception as exc:  # noqa: BLE001 - an unpickling refusal, a missing class
        raise CLIError(f"cannot load {path!r}: {type(exc).__name__}: "
                       f"{str(exc).splitlines()[0]}") from None
    for w in caught:
        if "was saved with" in str(w.message):
            _note(str(w.message))
    return model, info


def _final(model):
    """The last step of a Pipeline (or a search's best estimator), else ``model``."""
    model = getattr(model, "best_estimator_", model)
    steps = getattr(model, "steps", None)
    return _final(steps[-1][1]) if steps else model


def _columns(model):
    """The columns the model reads (by name), or None when it takes them by position."""
    steps = getattr(model, "steps", None)
    if steps and hasattr(steps[0][1], "columns_"):  # skdeep search --save: the cleaner first
        return [str(c) for c in steps[0][1].columns_]
    names = getattr(model, "feature_names_in_", None)
    return None if names is None else [str(c) for c in names]


def _features(model, frame, about, id_column):
    """The table's feature columns for ``model``; missing ones are named in a CLIError."""
    target = about.get("target")
    drop = [c for c in (id_column, target) if c is not None and c in frame.columns]
    if target in drop:
        _note(f"column {target!r} (the target the model learned) is not used")
    X = frame.drop(columns=drop)
    wanted = _columns(model)
    if wanted is None:
        return X
    missing = [c for c in wanted if c not in X.columns]
    if missing:
        raise CLIError(f"the table lacks column(s) {missing} that the model reads; it reads "
                       f"{wanted}")
    extra = [str(c) for c in X.columns if c not in wanted]
    if extra:
        _note(f"column(s) {extra[:5]}{' ...' if len(extra) > 5 else ''} are not used by the "
              "model")
    return X if hasattr(model, "steps") else X[wanted]


def _prediction_frame(model, X, proba, name):
    import numpy as np
    import pandas as pd

    if proba and not hasattr(model, "predict_proba"):
        raise CLIError(f"--proba needs a classifier; this model is a "
                       f"{type(_final(model)).__name__}")
    try:
        if proba:
            values = model.predict_proba(X)
            classes = getattr(_final(model), "classes_", range(values.shape[1]))
            return pd.DataFrame(np.asarray(values),
                                columns=[f"proba_{c}" for c in classes], index=X.index)
        values = np.asarray(model.predict(X))
    except ValueError as exc:
        raise CLIError(f"the model cannot predict on this table: "
                       f"{str(exc).splitlines()[0]}") from None
    if values.ndim == 2 and values.shape[1] > 1:
        return pd.DataFrame(values, columns=[f"{name}_{i}" for i in range(values.shape[1])],
                            index=X.index)
    return pd.DataFrame({name: values.ravel()}, index=X.index)


def _write(frame, out):
    if out is None or out == "-":
        frame.to_csv(sys.stdout, index=False)
        return
    kind = _WRITERS.get(os.path.splitext(out)[1].lower(), "csv")
    try:
        if kind == "parquet":
            frame.to_parquet(out, index=False)
        else:
            frame.to_csv(out, index=False, sep="\t" if kind == "tsv" else ",")
    except ImportError as exc:
        raise CLIError(f"cannot write {out!r}: {exc} (pip install pyarrow for Parquet)") from None
    except OSError as exc:
        raise CLIError(f"cannot write {out!r}: {exc}") from None
    _note(f"{len(frame)} predictions written to {out}")


def predict(args):
    """``skdeep predict``: one prediction (or class probabilities) per row of DATA."""
    import pandas as pd

    from .commands import _quiet

    _quiet()
    model, info = _load(args.model)
    frame, _, notes = read_table(args.data, args.sep, args.decimal, args.thousands)
    for n in notes:
        _note(n)
    if args.id is not None and args.id not in frame.columns:
        raise CLIError(f"no column {args.id!r} for --id; the columns are "
                       f"{[str(c) for c in frame.columns]}")
    about = info["about"]
    X = _features(model, frame, about, args.id)
    name = about.get("target") or "prediction"
    out = _prediction_frame(model, X, args.proba, f"predicted_{name}")
    if args.id is not None:
        out = pd.concat([frame[[args.id]], out], axis=1)
    _write(out, args.output)
    return 0


def _non_default(estimator):
    """The parameters of ``estimator`` that differ from its class' defaults."""
    import inspect

    import numpy as np

    signature = inspect.signature(type(estimator).__init__)
    changed = {}
    for key, value in estimator.get_params(deep=False).items():
        default = signature.parameters.get(key)
        if default is None or default.default is inspect.Parameter.empty:
            changed[key] = value
            continue
        try:
            same = bool(np.all(default.default == value)) and type(default.default) is type(
                value)
        except Exception:  # noqa: BLE001 - values that do not compare
            same = False
        if not same:
            changed[key] = value
    return changed


def info(args):
    """``skdeep info``: what a saved model file holds (class, settings, columns, score)."""
    model, header = _load(args.model)
    final = _final(model)
    lines = [f"{args.model}: {type(model).__name__}"
             + (f" ending in {type(final).__name__}" if final is not model else "")]
    steps = getattr(model, "steps", None)
    if steps:
        lines.append("steps: " + " -> ".join(f"{n} ({type(s).__name__})" for n, s in steps))
    params = _non_default(final)
    lines.append("settings: " + (", ".join(f"{k}={v!r}" for k, v in sorted(params.items()))
                                 or "the defaults"))
    columns = _columns(model)
    if columns is not None:
        shown = ", ".join(columns[:20]) + (" ..." if len(columns) > 20 else "")
        lines.append(f"columns ({len(columns)}): {shown}")
    elif hasattr(final, "n_features_in_"):
        lines.append(f"columns: {final.n_features_in_}, by position (no names)")
    if hasattr(final, "classes_"):
        lines.append(f"classes: {[c.item() if hasattr(c, 'item') else c for c in final.classes_]}")
    about = header["about"]
    for key, value in about.items():
        lines.append(f"{key.replace('_', ' ')}: {value}")
    lines.append("file format: " + ("data (JSON and arrays; loads without running code)"
                                    if header["payload"] == "data" else
                                    "pickle (load it only if you trust where it came from)"))
    versions = header["versions"]
    lines.append("saved with: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print("\n".join(lines))
    return 0


def export(args):
    """``skdeep export``: a saved model as one serving artifact that takes raw rows.

    A TensorFlow SavedModel directory (TF Serving) or, for a name ending in
    ``.onnx`` (or ``--format onnx``), one ONNX file (onnxruntime); both hold
    the model's input side, the network and its output side.
    """
    from .._export import export as write_artifact
    from .commands import _quiet

    _quiet()
    model, _ = _load(args.model)
    fmt = args.format or ("onnx" if args.out.lower().endswith(".onnx") else "tf_saved_model")
    try:
        description = write_artifact(model, args.out, format=fmt)
    except ValueError as exc:
        raise CLIError(str(exc).splitlines()[0]) from None
    print(f"{args.out}: {description['estimator']} as {fmt}")
    print("inputs (one tensor per name, a row per sample):")
    for item in description["inputs"]:
        kind = ("text" if item["kind"] == "text" else "float64") + (
            f", shape (n, {', '.join('steps' if d is None else str(d) for d in item['shape'])})"
            if item["shape"] else "")
        renamed = f"  (column {item['name']!r})" if item["name"] != item["input"] else ""
        print(f"  {item['input']}: {kind}{renamed}")
    print("outputs: " + ", ".join(description["outputs"]))
    for note in description["notes"]:
        _note(note)
    return 0
