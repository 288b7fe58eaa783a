"""The scripted interview the benchmark replays: pinned ML-fundamentals questions and a candidate's answers.

Each question has a first answer and two answers to follow-ups, so the interview goes
the same way whichever follow-ups the engine chooses. Answers are 40-90 words, about
what candidates type in a practice round.
"""

from __future__ import annotations

ROUND = "ml-fundamentals"

SCRIPT: dict[str, list[str]] = {
    "mlf-imbalanced-fraud": [
        "Accuracy is useless here because fraud is a tiny fraction of transactions, so I would track precision, recall and PR-AUC. "
        "I would train with class weights first, compare with undersampling the majority class, and pick the decision threshold "
        "on a validation set that keeps the real class ratio.",
        "For the threshold I would ask the fraud team how many alerts they can review per day and fix precision at that level, "
        "then maximise recall. I would use a time-based split so that future fraud patterns do not leak into training.",
        "Fraud patterns drift, so I would monitor the score distribution and the alert rate weekly and retrain when recall on "
        "confirmed cases drops, keeping a shadow model to compare before switching.",
    ],
    "mlf-l1-vs-l2": [
        "L1 adds the sum of absolute weights to the loss and L2 adds the sum of squares. L1 pushes small weights to exactly zero, "
        "so it gives sparse models and acts as feature selection, while L2 shrinks all weights smoothly, which is weight decay.",
        "The reason is the gradient: L1 has a constant-magnitude subgradient, so it keeps pushing a small weight until it hits zero, "
        "while the L2 gradient is proportional to the weight and fades as the weight gets small.",
        "With correlated features L1 tends to keep one of them and drop the rest, and L2 spreads the weight across them; "
        "elastic net mixes both, and I would tune the strength by cross-validation.",
    ],
    "mlf-vanishing-gradients": [
        "Backpropagation multiplies one Jacobian per layer, and with sigmoid or tanh the derivatives are below one, so the gradient "
        "shrinks exponentially with depth and the early layers stop learning. LSTMs add a gated cell state with an additive path, "
        "and residual networks add skip connections so the gradient has an identity route back.",
        "The forget gate decides how much of the cell state to keep; when it is close to one the gradient flows through the cell "
        "almost unchanged over many time steps, which is what a plain RNN cannot do.",
        "ReLU activations, He initialization and normalization layers also help, and gradient clipping handles the opposite problem "
        "of exploding gradients in recurrent models.",
    ],
    "mlf-batchnorm-vs-layernorm": [
        "Batch normalization normalizes each feature over the examples in a mini-batch, and layer normalization normalizes over the "
        "features of a single example. Both then apply a learned scale and shift. BatchNorm suits CNNs with large batches, "
        "LayerNorm suits transformers and RNNs.",
        "At inference BatchNorm uses running averages of the mean and variance collected during training, so small or uneven batches "
        "make those statistics noisy, while LayerNorm behaves the same in training and inference.",
        "For on-device inference BatchNorm can be folded into the previous convolution's weights, which removes it at no cost, "
        "which is one reason it is still common in mobile vision models.",
    ],
    "mlf-adam-vs-sgd": [
        "SGD with momentum keeps a running average of gradients and steps along it with one global learning rate. Adam also tracks "
        "the squared gradients and divides by their root, so each parameter gets its own step size, with bias correction early on.",
        "I would start with Adam or AdamW for transformers and sparse features because it needs less tuning, and use SGD with momentum "
        "for vision models where it often generalizes a little better with a good learning rate schedule.",
        "AdamW decouples weight decay from the adaptive update, which matters because in plain Adam the L2 penalty gets rescaled "
        "per parameter and stops acting like real weight decay.",
    ],
    "mlf-dropout": [
        "During training dropout zeroes each activation with probability p and scales the survivors by one over one minus p, "
        "so at inference nothing is dropped and no rescaling is needed. It regularizes because units cannot rely on specific partners.",
        "You can see it as training an ensemble of thinned networks that share weights, and inference approximates averaging them. "
        "I would use a rate around 0.1 to 0.5 depending on the layer size and how much the model overfits.",
        "With batch normalization dropout can shift the activation variance between training and inference, so I would place it "
        "after the normalization or rely on weight decay and augmentation instead.",
    ],
    "mlf-nan-loss-debugging": [
        "First I would check whether the loss was growing before it became NaN, which points to a learning rate that is too high. "
        "Then I would look for unsafe operations like log of zero or division by a tiny number, and check the input batch for bad values.",
        "I would log the gradient norm per layer and add gradient clipping, lower the learning rate or add warmup, and rerun from the "
        "last checkpoint with anomaly detection on to find the first operation that produces a NaN.",
        "With mixed precision, fp16 can overflow, so I would make sure loss scaling is on or switch to bf16, and keep the softmax "
        "and the loss in fp32.",
    ],
    "mlf-precision-recall-f1": [
        "Precision is true positives over predicted positives and recall is true positives over actual positives; F1 is their harmonic "
        "mean. For face unlock I would prioritize precision, because a false accept is a security failure, and for photo search recall.",
        "Both depend on the decision threshold, so for face unlock I would fix the false accept rate at something like one in a million "
        "and then maximize the true accept rate at that operating point.",
        "For photo search a missed photo is annoying but a wrong result is cheap, so I would tune for recall and let ranking put the "
        "best matches first.",
    ],
    "mlf-roc-auc": [
        "The ROC curve plots the true positive rate against the false positive rate over all thresholds, and the AUC is the probability "
        "that a random positive is ranked above a random negative. It only depends on the ranking.",
        "When positives are rare the false positive rate stays tiny even with many false alarms, so ROC-AUC looks great, while PR-AUC "
        "shows the precision drop, which is why I prefer PR-AUC for imbalanced problems.",
        "AUC also says nothing about calibration, so two models with the same AUC can give very different probabilities, which matters "
        "when the score is shown to users.",
    ],
    "mlf-bagging-vs-boosting": [
        "Bagging trains many deep trees on bootstrap samples in parallel and averages them, which mainly reduces variance. Boosting "
        "trains shallow trees one after another, each fitting the errors of the ensemble so far, which mainly reduces bias.",
        "Random forests also sample a random subset of features at each split so the trees are less correlated, and averaging "
        "uncorrelated trees is what makes the variance drop.",
        "Gradient boosting can overfit if you add too many trees, so I would use a small learning rate, early stopping on a validation "
        "set, and limit tree depth.",
    ],
    "mlf-transfer-learning-small-data": [
        "With only two thousand labeled images I would start from a pretrained backbone, train a new classification head first with the "
        "backbone frozen, then unfreeze the top layers with a small learning rate. Augmentation like crops and color jitter helps a lot.",
        "I would hold out a stratified validation set, watch for overfitting with early stopping, and compare against a linear probe on "
        "frozen embeddings, which is often a strong baseline with this little data.",
        "If labels are still the bottleneck I would use the model to pick uncertain images for labeling, which is active learning, and "
        "check label noise on the most confident mistakes.",
    ],
    "mlf-calibration": [
        "A classifier is calibrated when, among predictions with score 0.8, about eighty percent are positive. I would check it with a "
        "reliability diagram and the expected calibration error on a held-out set.",
        "To fix it I would fit Platt scaling or isotonic regression on a separate calibration set, or temperature scaling for neural "
        "networks, which keeps the ranking and only rescales the logits.",
        "Calibration can drift when the class balance changes in production, so I would recheck it on fresh labeled data and refit the "
        "calibrator without retraining the model.",
    ],
}

QUESTIONS = list(SCRIPT)


def questions_for(session: int, count: int) -> list[str]:
    """Pinned question ids for one session: the list rotated, so interleaved sessions hold different histories."""
    start = (session * 3) % len(QUESTIONS)
    order = QUESTIONS[start:] + QUESTIONS[:start]
    return order[: max(1, min(count, len(order)))]


def answer_for(question_id: str, attempt: int) -> str:
    """The candidate's answer to the `attempt`-th prompt (0 = the question, 1-2 = follow-ups) on a question."""
    answers = SCRIPT[question_id]
    if attempt < len(answers):
        return answers[attempt]
    return f"{answers[-1]} To add one more point, I would write down the assumptions and check them with a small experiment first."
