"""One worker of a 2-process ``MultiWorkerMirroredStrategy`` fit on 127.0.0.1.

``python tests/multiworker_script.py INDEX PORT0,PORT1`` joins the cluster
as worker INDEX, fits the same network on the same data as the other worker
and prints its fitted curves as JSON; then fits with another random_state
than the other worker, which must be refused.
"""

import json
import os
import sys
import warnings

index, ports = int(sys.argv[1]), sys.argv[2].split(",")
os.environ["TF_CONFIG"] = json.dumps({
    "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
    "task": {"type": "worker", "index": index},
})
os.environ["KERAS_BACKEND"] = "tensorflow"

import tensorflow as tf  # noqa: E402

# TensorFlow requires the strategy before any other TensorFlow work
strategy = tf.distribute.MultiWorkerMirroredStrategy()

from sklearn.datasets import load_digits  # noqa: E402

from skdeep import MLPClassifier  # noqa: E402

warnings.simplefilter("ignore")
X, y = load_digits(return_X_y=True)
X = X / 16.0
est = MLPClassifier((32,), max_iter=12, early_stopping=True, random_state=0,
                    distribution=strategy).fit(X, y)
result = {"loss_curve": est.loss_curve_, "validation_scores": est.validation_scores_,
          "devices": est.devices_, "proba": est.predict_proba(X[:5]).tolist()}
try:
    MLPClassifier((32,), max_iter=2, shuffle=False, random_state=index,
                  distribution=strategy).fit(X, y)
    result["mismatch"] = None
except ValueError as error:
    result["mismatch"] = str(error)
print("RESULTS " + json.dumps(result))
